// reflect async-backtrace (--pid PID | --core CORE [--exe EXE]) FRAME: the chain of coroutines
// awaiting the one whose frame is at FRAME, innermost first.

#include "cli.hpp"

#include <reflect/coroutine.hpp>

#include <fmt/format.h>

namespace reflect::cli {

int async_backtrace_command(Arguments args) {
  TargetChoice choice;
  std::optional<std::uint64_t> frame;
  while (!args.done()) {
    if (choice.take_option(args)) continue;
    const std::string_view arg = args.take();
    if (arg.starts_with("--")) throw UsageError(fmt::format("unknown option {}", arg));
    if (frame) throw UsageError(fmt::format("one FRAME address only, not also '{}'", arg));
    frame = parse_number(arg, "FRAME");
  }
  if (!frame) throw UsageError("say which coroutine: the address of its frame (a coroutine_handle's address())");
  const Target target = choice.open(false);
  std::optional<AsyncBacktrace> backtrace;
  {
    ProgressLine progress("reading the debug info");
    backtrace = target.async_backtrace_at(*frame);
  }
  fmt::print("{}\n", *backtrace);
  return 0;
}

}  // namespace reflect::cli
