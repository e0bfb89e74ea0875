#pragma once
// A program being inspected: this process (Target::self(), what reflect(obj) reads), another
// live process (Target::attach), a core file (Target::open_core) or a binary on disk
// (Target::open_executable). Types and Values found through a target read its debug info and
// its memory, and stay valid while the target lives.

#include <reflect/coroutine.hpp>
#include <reflect/export.hpp>
#include <reflect/type.hpp>
#include <reflect/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reflect {

class Target;
namespace detail {
class TargetState;
class Registry;
/// The registry of a target: what the free functions taking a Target (tasks.hpp) work on.
Registry& registry_of(const Target& target) noexcept;
}

/// How Target::attach treats the process.
struct AttachOptions {
  /// Stop every thread of the process (PTRACE_SEIZE + PTRACE_INTERRUPT) for a consistent
  /// snapshot while the Target lives; they resume when it is destroyed, on whichever thread (a
  /// thread of the Target's own holds them, as ptrace ties a stopped thread to the one that
  /// stopped it). Without it, memory is read while the process runs.
  bool stop = false;
};

/// A global variable or static data member, as Target::variables lists it.
struct Variable {
  std::string name;  // qualified, as find_variable takes it
  Type type;
  /// The object; nullopt when the debug info gives no address (a thread-local, a constant the
  /// compiler kept no storage for).
  std::optional<Value> value;
};

class REFLECT_API Target {
 public:
  /// The process reflect runs in.
  static Target& self();
  /// A live process, read with process_vm_readv on its pid (the same user, or CAP_SYS_PTRACE;
  /// see /proc/sys/kernel/yama/ptrace_scope), its modules from its memory map. Nothing of the
  /// process is changed, and it is not stopped unless `options.stop`. Throws reflect::Error
  /// saying what to do when it cannot: no such process, permission denied (and why).
  static Target attach(int pid, AttachOptions options = {});
  /// A core file (from gcore, or the kernel's core_pattern): the memory it holds, its modules
  /// as its notes name them, each with its debug info found as for a process. The executable
  /// is the file at the path the core names unless `executable` is given (a copy moved or
  /// stripped since: its debug file is found by build-id or .gnu_debuglink). What the core
  /// left out of file mappings (code, read-only data, typeinfo names) is read from the
  /// modules' files, once each file's build-id is found equal to the one the core recorded;
  /// anonymous memory it left out (pages never touched) reads as zeros; what a truncated core
  /// lost, or a module whose file does not match holds, is unreadable (`<unreadable 0x…>`).
  /// Throws reflect::Error saying what to do: no such file, not a core file, a core libdwfl
  /// cannot read, an executable whose build-id is not the core's (both named), the core's
  /// executable not found, no module with debug info. A shared object whose file is missing
  /// or another build does not throw: see problems().
  static Target open_core(std::string_view core_path, std::string_view executable = {});

  /// A binary on disk that is not running (an executable or a shared object): its debug info
  /// (types, the types and link-time addresses of its variables), no memory: values read from
  /// it print as unreadable. Throws reflect::Error when the file cannot be read as ELF.
  static Target open_executable(std::string_view path);

  Target(Target&&) noexcept;
  Target& operator=(Target&&) noexcept;
  ~Target();

  /// The type with this name, as reflect::find_type spells it, from the target's debug info.
  std::optional<Type> find_type(std::string_view name) const;
  /// The global variable or static data member with this name, as reflect::find_variable.
  std::optional<Value> find_variable(std::string_view name) const;
  /// Every global variable and static data member, and every type (class, struct, union, enum)
  /// definition, whose qualified name contains `substring` (all of them for an empty one),
  /// sorted by name, each once: what the target's debug info describes. Reads all of it: a
  /// second or more for a big program.
  std::vector<Variable> variables(std::string_view substring = {}) const;
  std::vector<Type> types(std::string_view substring = {}) const;
  /// An object of `type` (a type of this target) at `address` in the target's memory. Throws
  /// reflect::Error when the type belongs to another target.
  Value value_at(Type type, std::uint64_t address) const;
  /// The coroutine whose frame is at `frame`, and the chain awaiting it (as coroutine_at and
  /// async_backtrace_at for this process).
  Coroutine coroutine_at(std::uint64_t frame) const;
  AsyncBacktrace async_backtrace_at(std::uint64_t frame) const;

  /// The process id; of a core file, the one it records (NT_PRSTATUS), 0 if none; 0 for a
  /// binary that does not run (open_executable).
  int pid() const noexcept;
  /// What open_core found wrong with the core's shared objects without refusing it, one
  /// sentence each, naming the module, the file found and both build-ids. Empty for a process.
  std::vector<std::string> problems() const;

 private:
  REFLECT_HIDDEN explicit Target(std::unique_ptr<detail::TargetState> state) noexcept;
  friend detail::Registry& detail::registry_of(const Target& target) noexcept;
  std::unique_ptr<detail::TargetState> state_;
};

}  // namespace reflect
