// What the subcommands of the `reflect` tool share: their arguments, the program they inspect,
// and how they fail.
#pragma once

#include <reflect/target.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace reflect::cli {

/// A command line the user must fix: printed with the subcommand's usage, exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The arguments of one subcommand, taken one by one.
class Arguments {
 public:
  explicit Arguments(std::span<char* const> args) : args_(args) {}
  bool done() const noexcept { return next_ >= args_.size(); }
  std::string_view peek() const { return args_[next_]; }
  std::string_view take() { return args_[next_++]; }
  /// The value after an option (`--pid 12`); UsageError when there is none.
  std::string_view value_of(std::string_view option);

 private:
  std::span<char* const> args_;
  std::size_t next_ = 0;
};

/// Which program a subcommand reads: `--pid PID`, `--core CORE [--exe EXE]`, or (where the
/// subcommand takes one) a binary on disk.
struct TargetChoice {
  std::optional<int> pid;
  std::string core;
  std::string executable;  // --exe, or the BINARY argument
  /// Takes the option at the front of `args` if it is one of the above; false otherwise.
  bool take_option(Arguments& args);
  /// A binary on disk, for subcommands that take one: BINARY.
  bool take_binary(std::string_view argument);
  /// The target; UsageError when none or several were chosen (`binary_allowed`: whether a
  /// BINARY is one of the choices).
  Target open(bool binary_allowed) const;
};

/// While it lives, and once a second has passed, a line on stderr (a terminal only) saying
/// that reflect is still reading: the first lookup in a big program reads all of its debug info.
class ProgressLine {
 public:
  explicit ProgressLine(std::string what);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable done_changed_;
  bool done_ = false;
  std::thread thread_;
};

/// An unsigned number in decimal or 0x hex; UsageError naming `what` otherwise.
std::uint64_t parse_number(std::string_view text, std::string_view what);

// The subcommands: each takes its arguments (after its name) and returns the exit status.
int print_command(Arguments args);
int globals_command(Arguments args);
int types_command(Arguments args);
int coro_frames_command(Arguments args);
int async_backtrace_command(Arguments args);
int tasks_command(Arguments args);
int census_command(Arguments args);

}  // namespace reflect::cli
