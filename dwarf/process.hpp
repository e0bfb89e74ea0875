#pragma once
// The modules of the running process and their debug info, found through libdwfl (executable,
// shared objects, separate debug files by build-id and .gnu_debuglink).
// Not thread-safe: callers serialise access.

#include "module.hpp"

#include <cstdint>
#include <memory>
#include <vector>

struct Dwfl;

namespace reflect::dwarf {

class Process {
 public:
  Process();
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  /// The module mapped at a run-time address; with `refresh`, modules loaded since the last
  /// look (dlopen) are picked up on a miss. nullptr if no module covers it.
  const Module* module_at(std::uintptr_t address, bool refresh = true);

  /// Every module of the process.
  std::vector<const Module*> modules();

 private:
  void report();
  const Module& wrap(struct Dwfl_Module* module);

  Dwfl* dwfl_ = nullptr;
  std::vector<std::unique_ptr<Module>> modules_;
};

}  // namespace reflect::dwarf
