#pragma once
// A binary on disk rather than a loaded module: what tools read (tools/coro_frames.cpp). Its
// debug info is found as for a loaded module (in the file, by build-id, by .gnu_debuglink).

#include "module.hpp"

#include <memory>
#include <string>

struct Dwfl;

namespace reflect::dwarf {

class File {
 public:
  /// Throws reflect::Error when the file cannot be read as ELF.
  explicit File(const std::string& path);
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  const Module& module() const noexcept { return *module_; }

 private:
  Dwfl* dwfl_ = nullptr;
  std::unique_ptr<Module> module_;
};

}  // namespace reflect::dwarf
