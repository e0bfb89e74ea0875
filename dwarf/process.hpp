#pragma once
// The modules of a process (this one, another live one, or one a core file records) and their
// debug info, found through libdwfl (executable, shared objects, separate debug files by
// build-id and .gnu_debuglink). Not thread-safe: callers serialise access.

#include "module.hpp"

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

struct Dwfl;

namespace reflect::dwarf {

class CoreFile;

/// Changes whenever the dynamic loader loads or unloads an object (dlopen, dlclose): the sum of
/// dl_iterate_phdr's dlpi_adds and dlpi_subs. Cheap (no system call, no file read), so callers
/// can ask before every lookup that missed. Thread-safe.
std::uint64_t loaded_objects_generation() noexcept;

class Process {
 public:
  /// This process's modules, as the dynamic linker lists them.
  Process();
  /// Another live process's, from its memory map (read again by refresh(), for the objects it
  /// loads later). Throws reflect::Error when the map cannot be read.
  explicit Process(pid_t pid);
  /// A binary on disk, not running (an executable or a shared object): its one module, at the
  /// addresses its file gives. Throws reflect::Error when the file cannot be read as ELF.
  static std::unique_ptr<Process> of_file(const std::string& path);
  /// The modules a core file records (its NT_FILE note, the dynamic linker's list in its
  /// memory), each module's file found by build-id in the debug directories or at the path the
  /// core names; the executable's: `executable` when not empty. Each file is checked against
  /// the build-id the core recorded for its module, and `core` reads the bytes it left out from
  /// the files that match (dwarf/core_process.cpp). Throws reflect::Error, naming the files and
  /// build-ids, when libdwfl cannot read the core, `executable` is not the program the core was
  /// made from, the core's executable is not found, or no module has debug info.
  Process(std::shared_ptr<CoreFile> core, const std::string& executable);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  /// The module mapped at a run-time address; with `refresh`, a miss in this process first
  /// picks up the objects loaded since the last look (refresh()). Another process's misses do
  /// not read its map again: most are addresses in its heap or stacks, and each would cost a
  /// read of /proc/PID/maps. nullptr if no module covers it.
  const Module* module_at(std::uintptr_t address, bool refresh = true);

  /// Every module of the process, as of the last look (see refresh()).
  std::vector<const Module*> modules();

  /// The program's executable: the module holding its entry point (AT_ENTRY; a file's own).
  /// nullptr when it cannot be told.
  const Module* executable();

  /// Picks up the objects loaded since the last look; true if it found new ones. This
  /// process's list is read again only when the dynamic linker's counts changed (cheap);
  /// another live process's map is read again on every call (lookups by name call it when they
  /// miss); a core's or a file's never changes. Modules already known keep their parsed state
  /// (their Module objects, and every DieId pointing into them, stay valid). A module that was
  /// dlclose'd is not dropped: its debug info stays loaded, so Types from it stay valid, while
  /// reads of its (gone) memory report unreadable. If another object is later mapped at its
  /// addresses, lookups by address there may still find the old module.
  bool refresh();

  /// Which module list a lookup missed in: a lookup that missed at this generation will miss
  /// again until it changes. This process's: loaded_objects_generation() at the last look;
  /// another process's: how many times refresh() found new objects.
  std::uint64_t generation() const noexcept { return generation_; }
  /// The generation of the module list now (another process's changes only when refresh()
  /// finds new objects; a core's or a file's never).
  std::uint64_t current_generation() const noexcept { return fixed_ ? generation_ : loaded_objects_generation(); }

  /// What was found wrong with a core's modules that still lets the core be read (a shared
  /// object whose file is another build, or is nowhere), one sentence each. Empty otherwise.
  const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  void report();
  const Module& wrap(struct Dwfl_Module* module);

  explicit Process(Dwfl* dwfl) noexcept : fixed_(true), dwfl_(dwfl) {}
  void report_core(const std::string& executable);

  // A loaded object to report: `base` is its load bias (`base_is_bias`) or the address of its
  // first segment (dwfl_report_elf's add_p_vaddr).
  struct LoadedObject {
    std::string path;
    std::uintptr_t base;
    bool base_is_bias;
  };
  void report_objects(const std::vector<LoadedObject>& objects);
  void report_live(pid_t pid);

  bool fixed_ = false;  // the module list is not the dynamic linker's of this process
  pid_t live_pid_ = 0;  // another live process's (0: this one, a core, a file)
  std::optional<std::uint64_t> entry_;  // the program's entry point, where known
  std::shared_ptr<CoreFile> core_;
  Dwfl* dwfl_ = nullptr;
  std::vector<std::unique_ptr<Module>> modules_;
  std::set<std::pair<std::string, std::uintptr_t>> reported_;  // (file, base) of each object reported
  std::uint64_t generation_ = 0;
  std::vector<std::string> problems_;
};

}  // namespace reflect::dwarf
