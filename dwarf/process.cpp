#include "process.hpp"

#include "debuginfo.hpp"

#include <reflect/error.hpp>

#include <elfutils/libdwfl.h>
#include <link.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>

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

Process::Process() : dwfl_(dwfl_begin(callbacks())) {
  if (dwfl_ == nullptr) throw Error(std::string("reflect: cannot start libdwfl: ") + dwfl_errmsg(-1));
  report();
}

Process::~Process() {
  modules_.clear();
  dwfl_end(dwfl_);
}

void Process::report() {
  // Read the generation first: an object loaded while /proc/self/maps is being read makes the
  // next refresh() look again.
  generation_ = loaded_objects_generation();
  // begin_add keeps every module already reported (and our Module objects attached to them);
  // only new mappings become new modules.
  dwfl_report_begin_add(dwfl_);
  int rc = dwfl_linux_proc_report(dwfl_, getpid());
  dwfl_report_end(dwfl_, nullptr, nullptr);
  if (rc != 0)
    throw Error(std::string("reflect: cannot list this process's modules from /proc/self/maps: ") +
                (rc > 0 ? std::strerror(rc) : dwfl_errmsg(-1)));
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
  if (module == nullptr && refresh && this->refresh()) module = dwfl_addrmodule(dwfl_, address);
  return module ? &wrap(module) : nullptr;
}

bool Process::refresh() {
  if (loaded_objects_generation() == generation_) return false;
  report();
  return true;
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
