// reflect::Target: a registry of types, a module list and a memory reader per inspected program.
// This process's are the ones reflect(obj) has always used; another process's are made by
// attach() after checking, with the errors a user can act on, that its memory can be read.

#include "../dwarf/core.hpp"
#include "../dwarf/maps.hpp"
#include "../dwarf/process.hpp"
#include "memory.hpp"
#include "process_stop.hpp"
#include "type_node.hpp"
#include "value_access.hpp"

#include <reflect/error.hpp>
#include <reflect/target.hpp>

#include <fmt/format.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace reflect::detail {

class TargetState {
 public:
  // This process.
  TargetState() : registry(&Registry::self()), pid(0), description("this process") {}
  // Another program (a process, a core file, a binary): `memory` and the registry are its own,
  // `list_modules` lists its modules. `pid` is 0 for one that records none. `description` names
  // it in messages ("process 4242", "the core file core.4242").
  TargetState(pid_t pid, std::unique_ptr<Memory> memory, std::function<std::unique_ptr<dwarf::Process>()> list_modules,
              std::string description)
      : owned_memory(std::move(memory)),
        owned_registry(std::make_unique<Registry>(std::move(list_modules), *owned_memory)),
        registry(owned_registry.get()),
        pid(pid),
        description(std::move(description)) {}
  ~TargetState() = default;
  TargetState(const TargetState&) = delete;
  TargetState& operator=(const TargetState&) = delete;

  // Stops every thread of the process; they resume when the state is destroyed, on any thread.
  void stop();

  std::unique_ptr<Memory> owned_memory;
  std::unique_ptr<Registry> owned_registry;  // after the memory it reads through
  Registry* registry;
  pid_t pid;
  std::string description;

 private:
  std::unique_ptr<ProcessStop> stopped_;
};

namespace {

std::string ptrace_scope() {
  std::ifstream in("/proc/sys/kernel/yama/ptrace_scope");
  std::string value;
  in >> value;
  return value;
}

// Why process_vm_readv on `pid` is refused (EPERM), in words that say what to do.
std::string permission_problem(pid_t pid) {
  const std::string scope = ptrace_scope();
  struct stat owner {};
  const std::string proc = fmt::format("/proc/{}", pid);
  const bool same_user = stat(proc.c_str(), &owner) == 0 && owner.st_uid == geteuid();
  if (!same_user)
    return fmt::format("process {} belongs to another user (uid {}): run reflect as that user, or with "
                       "CAP_SYS_PTRACE (root)",
                       pid, owner.st_uid);
  if (!scope.empty() && scope != "0")
    return fmt::format("/proc/sys/kernel/yama/ptrace_scope is {}, which lets only a process's ancestors read its "
                       "memory: run reflect with CAP_SYS_PTRACE (root), set ptrace_scope to 0 (sysctl "
                       "kernel.yama.ptrace_scope=0), or have the process allow it (prctl(PR_SET_PTRACER, ...))",
                       scope);
  return fmt::format("the kernel refused to let this process read the memory of process {} (EPERM); run reflect "
                     "with CAP_SYS_PTRACE",
                     pid);
}

// The first readable mapping of the process: what attach() reads to see that it may.
std::optional<dwarf::Mapping> readable_mapping(pid_t pid) {
  const auto maps = dwarf::read_maps(pid);
  if (!maps) return std::nullopt;
  for (const dwarf::Mapping& m : *maps)
    if (m.readable && !m.path.starts_with("[vvar") && !m.path.starts_with("[vsyscall")) return m;
  return std::nullopt;
}

void check_readable(pid_t pid) {
  if (pid <= 0) throw Error(fmt::format("reflect: {} is not a process id", pid));
  if (kill(pid, 0) != 0 && errno == ESRCH) throw Error(fmt::format("reflect: there is no process {}", pid));
  const auto mapping = readable_mapping(pid);
  if (!mapping) {
    if (kill(pid, 0) != 0 && errno == ESRCH) throw Error(fmt::format("reflect: process {} exited", pid));
    throw Error(fmt::format("reflect: cannot read /proc/{}/maps: {}", pid, permission_problem(pid)));
  }
  unsigned char byte = 0;
  iovec local{&byte, 1};
  iovec remote{reinterpret_cast<void*>(mapping->begin), 1};
  if (process_vm_readv(pid, &local, 1, &remote, 1, 0) == 1) return;
  const int error = errno;
  if (error == EPERM || error == EACCES)
    throw Error(fmt::format("reflect: not allowed to read the memory of process {}: {}", pid, permission_problem(pid)));
  if (error == ESRCH) throw Error(fmt::format("reflect: process {} exited", pid));
  if (error == ENOSYS)
    throw Error("reflect: this kernel does not offer process_vm_readv (CONFIG_CROSS_MEMORY_ATTACH), which reading "
                "another process needs");
  throw Error(fmt::format("reflect: cannot read the memory of process {}: {}", pid, std::strerror(error)));
}

}  // namespace

void TargetState::stop() {
  try {
    stopped_ = std::make_unique<ProcessStop>(pid);
  } catch (const ProcessStop::Failure& failure) {
    if (failure.error == EPERM)
      throw Error(fmt::format("reflect: not allowed to stop process {}: {}", pid, permission_problem(pid)));
    throw Error(fmt::format("reflect: cannot stop thread {} of process {}: {}", failure.thread, pid,
                            std::strerror(failure.error)));
  }
}

}  // namespace reflect::detail

namespace reflect {

using detail::TargetState;

Target::Target(std::unique_ptr<TargetState> state) noexcept : state_(std::move(state)) {}
Target::Target(Target&&) noexcept = default;
Target& Target::operator=(Target&&) noexcept = default;
Target::~Target() = default;

Target& Target::self() {
  static Target* target = new Target(std::make_unique<TargetState>());  // never destroyed, as the registry
  return *target;
}

Target Target::attach(int pid, AttachOptions options) {
  detail::check_readable(pid);
  auto state = std::make_unique<TargetState>(pid, detail::process_memory(pid),
                                             [pid] { return std::make_unique<dwarf::Process>(pid); },
                                             fmt::format("process {}", pid));
  if (options.stop) state->stop();
  {
    // The module list now: a process that cannot be listed fails here, not at the first print.
    std::lock_guard lock(state->registry->mutex());
    state->registry->process();
  }
  return Target(std::move(state));
}

Target Target::open_executable(std::string_view path) {
  auto state = std::make_unique<TargetState>(0, detail::no_memory(),
                                             [file = std::string(path)] { return dwarf::Process::of_file(file); },
                                             fmt::format("the executable {}", path));
  {
    std::lock_guard lock(state->registry->mutex());
    state->registry->process();  // a file that cannot be read fails here
  }
  return Target(std::move(state));
}

Target Target::open_core(std::string_view core_path, std::string_view executable) {
  auto core = std::make_shared<dwarf::CoreFile>(std::string(core_path));
  auto state = std::make_unique<TargetState>(
      core->pid(), detail::core_memory(core),
      [core, executable = std::string(executable)] { return std::make_unique<dwarf::Process>(core, executable); },
      fmt::format("the core file {}", core_path));
  {
    // The modules now, each file checked against the core: a core that cannot be read, or
    // whose executable is not the one given, fails here, not at the first print.
    std::lock_guard lock(state->registry->mutex());
    state->registry->process();
  }
  return Target(std::move(state));
}

std::vector<Variable> Target::variables(std::string_view substring) const {
  std::vector<Variable> out;
  for (const auto& listed : state_->registry->list(substring)) {
    if (!listed.is_variable || listed.type == nullptr) continue;
    const Type type(*listed.type);
    std::optional<Value> value;
    if (listed.address) value = Value(type, reinterpret_cast<const void*>(*listed.address));
    out.push_back({listed.name, type, value});
  }
  return out;
}

std::vector<Type> Target::types(std::string_view substring) const {
  std::vector<Type> out;
  for (const auto& listed : state_->registry->list(substring)) {
    if (listed.is_variable) continue;
    const Type type(*listed.type);
    // Two keys may print alike (a default argument dropped from one): listed once.
    if (out.empty() || out.back().name() != type.name()) out.push_back(type);
  }
  return out;
}

std::vector<std::string> Target::problems() const {
  if (!state_->owned_registry) return {};
  std::lock_guard lock(state_->registry->mutex());
  return state_->registry->process().problems();
}

std::optional<Type> Target::find_type(std::string_view name) const {
  const detail::TypeNode* type = state_->registry->find_type(dwarf::normalize_name(name));
  if (type == nullptr) return std::nullopt;
  return Type(*type);
}

std::optional<Value> Target::find_variable(std::string_view name) const {
  return detail::variable_value(*state_->registry, name);
}

Value Target::value_at(Type type, std::uint64_t address) const {
  if (type.node().registry != state_->registry)
    throw Error(fmt::format("reflect: the type {} belongs to another target than {}: look it up with this "
                            "target's find_type()",
                            type.name(), state_->description));
  return Value(type, reinterpret_cast<const void*>(static_cast<std::uintptr_t>(address)));
}

Coroutine Target::coroutine_at(std::uint64_t frame) const { return detail::coroutine_in(*state_->registry, frame); }

AsyncBacktrace Target::async_backtrace_at(std::uint64_t frame) const {
  return detail::async_backtrace_in(*state_->registry, frame);
}

int Target::pid() const noexcept { return state_->owned_registry ? state_->pid : getpid(); }  // self: after a fork too

detail::Registry& detail::registry_of(const Target& target) noexcept { return *target.state_->registry; }

}  // namespace reflect
