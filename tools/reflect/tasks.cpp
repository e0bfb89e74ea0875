// reflect tasks (--pid PID | --core CORE [--exe EXE]) [--json] [--pretty]: every coroutine of the
// program, as the forest of who awaits whom.

#include "cli.hpp"

#include <reflect/tasks.hpp>

#include <fmt/format.h>

namespace reflect::cli {

int tasks_command(Arguments args) {
  TargetChoice choice;
  bool json = false, pretty = false;
  while (!args.done()) {
    if (choice.take_option(args)) continue;
    const std::string_view arg = args.take();
    if (arg == "--json") json = true;
    else if (arg == "--pretty") pretty = true;
    else throw UsageError(fmt::format("unknown argument '{}'", arg));
  }
  const Target target = choice.open(false);
  std::optional<TaskDump> dump;
  {
    ProgressLine progress("searching the heap for coroutine frames");
    dump = task_dump(target);
  }
  if (!json) fmt::print("{}\n", *dump);
  else if (pretty) fmt::print("{:#j}\n", *dump);
  else fmt::print("{:j}\n", *dump);
  return 0;
}

}  // namespace reflect::cli
