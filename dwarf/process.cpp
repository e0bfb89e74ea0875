#include "process.hpp"

#include "debuginfo.hpp"
#include "maps.hpp"

#include <reflect/error.hpp>

#include <elfutils/libdwfl.h>
#include <link.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace reflect::dwarf {

namespace {
// Every Dwfl of the process shares these (libdwfl keeps the pointer). Separate debug files are
// looked for where debuginfo_path_slot() says (debuginfo.hpp); each absolute directory there is
// also searched by build-id (DIR/.build-id/xx/yyyy.debug).
const Dwfl_Callbacks* callbacks() {
  static const Dwfl_Callbacks instance = {
      dwfl_linux_proc_find_elf,
      // The file itself, build-id, .gnu_debuglink; last, debuginfod servers, only if
      // DEBUGINFOD_URLS names some (the user's, or reflect::configure's: debuginfo.cpp).
      dwfl_standard_find_debuginfo,
      nullptr,
      debuginfo_path_slot(),
  };
  return &instance;
}

// The file mapped at `address`: the path of an object the dynamic linker names relatively
// (dlopen("./lib.so")) or not at all (the main program). Empty if none.
std::string file_mapped_at(std::uintptr_t address) {
  const auto maps = read_maps();
  if (!maps) return {};
  for (const Mapping& m : *maps)
    if (address >= m.begin && address < m.end) return m.path.starts_with('/') ? m.path : std::string();
  return {};
}

// AT_ENTRY of another process's auxiliary vector; nullopt when it cannot be read.
std::optional<std::uint64_t> entry_point_of(pid_t pid) {
  std::ifstream auxv("/proc/" + std::to_string(pid) + "/auxv", std::ios::binary);
  for (std::uint64_t entry[2]; auxv.read(reinterpret_cast<char*>(entry), sizeof entry);)
    if (entry[0] == AT_ENTRY) return entry[1];
  return std::nullopt;
}
}  // namespace

std::uint64_t loaded_objects_generation() noexcept {
  std::uint64_t generation = 0;
  // Every callback sees the same counters: the first one is enough.
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t size, void* out) {
        if (size >= offsetof(dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs)
          *static_cast<std::uint64_t*>(out) = info->dlpi_adds + info->dlpi_subs;
        return 1;
      },
      &generation);
  return generation;
}

Process::Process() : entry_(getauxval(AT_ENTRY)), dwfl_(dwfl_begin(callbacks())) {
  if (dwfl_ == nullptr) throw Error(std::string("reflect: cannot start libdwfl: ") + dwfl_errmsg(-1));
  report();
}

Process::Process(pid_t pid)
    : fixed_(true), live_pid_(pid), entry_(entry_point_of(pid)), dwfl_(dwfl_begin(callbacks())) {
  if (dwfl_ == nullptr) throw Error(std::string("reflect: cannot start libdwfl: ") + dwfl_errmsg(-1));
  try {
    report_live(pid);
  } catch (...) {
    dwfl_end(dwfl_);
    throw;
  }
}

// Another process's loaded objects, from its memory map as dwarf/maps.hpp reads it (the reader
// the memory fallback uses): each file mapped executable somewhere, placed at its mapping of file
// offset 0 (its first segment). Files mapped only readable (data, or debug files a process reads
// with libelf, as reflect does) are not objects. Throws reflect::Error when the map cannot be read.
void Process::report_live(pid_t pid) {
  const auto maps = read_maps(pid);
  if (!maps)
    throw Error("reflect: cannot list the modules of process " + std::to_string(pid) + " from /proc/" +
                std::to_string(pid) + "/maps: " + std::strerror(errno));
  std::set<std::string> executable;
  for (const Mapping& m : *maps)
    if (m.executable && m.path.starts_with('/')) executable.insert(m.path);
  std::vector<LoadedObject> objects;
  std::set<std::string> placed;
  for (const Mapping& m : *maps)
    if (m.offset == 0 && executable.contains(m.path) && placed.insert(m.path).second)
      objects.push_back({m.path, m.begin, false});
  report_objects(objects);
}

std::unique_ptr<Process> Process::of_file(const std::string& path) {
  static const Dwfl_Callbacks offline = {
      dwfl_build_id_find_elf,
      dwfl_standard_find_debuginfo,
      dwfl_offline_section_address,
      debuginfo_path_slot(),
  };
  Dwfl* dwfl = dwfl_begin(&offline);
  if (dwfl == nullptr) throw Error(std::string("reflect: cannot start libdwfl: ") + dwfl_errmsg(-1));
  std::unique_ptr<Process> process(new Process(dwfl));
  dwfl_report_begin(dwfl);
  // As an executable or shared object at the addresses of its program headers (not
  // dwfl_report_offline, which lays a relocatable file's sections out).
  if (dwfl_report_elf(dwfl, path.c_str(), path.c_str(), -1, 0, true) == nullptr || dwfl_report_end(dwfl, nullptr, nullptr) != 0)
    throw Error("reflect: cannot read " + path + " as an ELF executable or shared object: " + dwfl_errmsg(-1));
  return process;
}

Process::~Process() {
  modules_.clear();
  dwfl_end(dwfl_);
}

void Process::report() {
  // Read the generation first: an object loaded while the list is being read makes the next
  // refresh() look again.
  generation_ = loaded_objects_generation();
  // The loaded objects as the dynamic linker lists them, each reported with the address range
  // its program headers give. (Not /proc/self/maps: there, libelf's own mappings of the files
  // whose debug info reflect has read look like parts of those modules.)
  struct Found {
    std::vector<LoadedObject> objects;
    std::vector<std::uintptr_t> first_segments;  // run-time address of each one's first PT_LOAD
  } found;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* out) {
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          if (info->dlpi_phdr[i].p_type != PT_LOAD) continue;
          auto& f = *static_cast<Found*>(out);
          f.objects.push_back({info->dlpi_name != nullptr ? info->dlpi_name : "", info->dlpi_addr, true});
          f.first_segments.push_back(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
          break;
        }
        return 0;
      },
      &found);
  for (std::size_t i = 0; i < found.objects.size(); ++i)
    if (!found.objects[i].path.starts_with('/')) found.objects[i].path = file_mapped_at(found.first_segments[i]);
  report_objects(found.objects);
}

void Process::report_objects(const std::vector<LoadedObject>& objects) {
  // begin_add keeps every module already reported (and our Module objects attached to them);
  // only new objects are reported (libdwfl 0.188 takes a second report of a module for an
  // overlap, and drops it).
  dwfl_report_begin_add(dwfl_);
  for (const LoadedObject& object : objects) {
    if (object.path.empty()) continue;  // the vDSO: no file
    if (!reported_.emplace(object.path, object.base).second) continue;
    // A file that cannot be opened (deleted since) or is no ELF file is left out: lookups in
    // it miss.
    dwfl_report_elf(dwfl_, object.path.c_str(), object.path.c_str(), -1, object.base, object.base_is_bias);
  }
  if (dwfl_report_end(dwfl_, nullptr, nullptr) != 0)
    throw Error(std::string("reflect: cannot list the modules: ") + dwfl_errmsg(-1));
}

const Module& Process::wrap(Dwfl_Module* module) {
  void** user = nullptr;
  dwfl_module_info(module, &user, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
  if (*user == nullptr) {
    modules_.push_back(std::make_unique<Module>(module));
    *user = modules_.back().get();
  }
  return *static_cast<const Module*>(*user);
}

const Module* Process::module_at(std::uintptr_t address, bool refresh) {
  Dwfl_Module* module = dwfl_addrmodule(dwfl_, address);
  if (module == nullptr && refresh && !fixed_ && this->refresh()) module = dwfl_addrmodule(dwfl_, address);
  return module ? &wrap(module) : nullptr;
}

bool Process::refresh() {
  if (live_pid_ != 0) {
    const std::size_t before = modules().size();
    try {
      report_live(live_pid_);
    } catch (const Error&) {
      return false;  // the process is gone: what it had loaded stays known
    }
    if (modules().size() == before) return false;
    ++generation_;
    return true;
  }
  if (fixed_ || loaded_objects_generation() == generation_) return false;
  report();
  return true;
}

const Module* Process::executable() {
  if (!entry_) {
    // A binary on disk: its one module, whose entry point is its own.
    const std::vector<const Module*> all = modules();
    return core_ == nullptr && fixed_ && all.size() == 1 ? all.front() : nullptr;
  }
  return module_at(*entry_, false);
}

std::vector<const Module*> Process::modules() {
  struct Collect {
    Process* process;
    std::vector<const Module*> out;
  } collect{this, {}};
  dwfl_getmodules(
      dwfl_,
      [](Dwfl_Module* module, void**, const char*, Dwarf_Addr, void* arg) {
        auto* c = static_cast<Collect*>(arg);
        c->out.push_back(&c->process->wrap(module));
        return int(DWARF_CB_OK);
      },
      &collect, 0);
  return collect.out;
}

}  // namespace reflect::dwarf
