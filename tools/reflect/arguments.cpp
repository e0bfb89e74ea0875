#include "cli.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <charconv>

namespace reflect::cli {

std::string_view Arguments::value_of(std::string_view option) {
  if (done()) throw UsageError(fmt::format("{} needs a value", option));
  return take();
}

std::uint64_t parse_number(std::string_view text, std::string_view what) {
  int base = 10;
  if (text.starts_with("0x") || text.starts_with("0X")) {
    text.remove_prefix(2);
    base = 16;
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || error != std::errc() || end != text.data() + text.size())
    throw UsageError(fmt::format("{} must be a number, not '{}'", what, text));
  return value;
}

bool TargetChoice::take_option(Arguments& args) {
  const std::string_view option = args.peek();
  if (option == "--pid") {
    args.take();
    const std::uint64_t pid = parse_number(args.value_of(option), "--pid");
    if (pid == 0 || pid > 0x7fffffff) throw UsageError(fmt::format("{} is not a process id", pid));
    this->pid = static_cast<int>(pid);
  } else if (option == "--core") {
    args.take();
    core = args.value_of(option);
  } else if (option == "--exe") {
    args.take();
    executable = args.value_of(option);
  } else {
    return false;
  }
  return true;
}

bool TargetChoice::take_binary(std::string_view argument) {
  if (!executable.empty() || argument.starts_with("-")) return false;
  executable = argument;
  return true;
}

Target TargetChoice::open(bool binary_allowed) const {
  const int chosen = (pid ? 1 : 0) + (core.empty() ? 0 : 1) + (!core.empty() || executable.empty() ? 0 : 1);
  if (chosen == 0)
    throw UsageError(binary_allowed ? "say which program: BINARY, --pid PID or --core CORE"
                                    : "say which program: --pid PID or --core CORE");
  if (chosen > 1) throw UsageError("choose one program: --pid, --core or a binary");
  if (pid) return Target::attach(*pid);
  if (!core.empty()) return Target::open_core(core, executable);
  if (!binary_allowed) throw UsageError("this command reads a running program: --pid PID or --core CORE");
  return Target::open_executable(executable);
}

ProgressLine::ProgressLine(std::string what) {
  if (isatty(STDERR_FILENO) != 1) return;
  thread_ = std::thread([this, what = std::move(what)] {
    std::unique_lock lock(mutex_);
    if (done_changed_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; })) return;
    fmt::print(stderr, "reflect: {}...", what);
    std::fflush(stderr);
    done_changed_.wait(lock, [this] { return done_; });
    fmt::print(stderr, "\r\033[K");  // the line erased: what follows is the answer
    std::fflush(stderr);
  });
}

ProgressLine::~ProgressLine() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  done_changed_.notify_one();
  thread_.join();
}

}  // namespace reflect::cli
