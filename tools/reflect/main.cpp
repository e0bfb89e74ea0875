// reflect: a program's objects, types and coroutines, from its DWARF, from outside it: a live
// process (--pid), a core file (--core) or a binary on disk.

#include "cli.hpp"

#include <reflect/error.hpp>

#include <fmt/format.h>

#include <cstring>
#include <exception>
#include <span>
#include <string_view>

namespace {

using namespace reflect::cli;

struct Subcommand {
  std::string_view name;
  int (*run)(Arguments);
  std::string_view usage;
};

constexpr Subcommand subcommands[] = {
    {"print", print_command,
     "usage: reflect print (--pid PID | --core CORE [--exe EXE]) [--json] [--pretty] [--footprint] EXPR...\n"
     "Prints `EXPR = value` for each EXPR: a global variable's or static data member's qualified\n"
     "name, optionally preceded by `*` and followed by any of `.member`, `->member`, `[index]`,\n"
     "`[\"key\"]`:  app::g_config.limits  'app::g_cache[\"users\"][2]'  '*app::g_shape'\n"
     "  --json    one JSON object, a member per EXPR\n"
     "  --pretty  over several lines (indented JSON)\n"
     "  --footprint  also what each value owns on the heap, by type and member (JSON: a member\n"
     "            `EXPR footprint` beside each value)\n"},
    {"globals", globals_command,
     "usage: reflect globals (BINARY | --pid PID | --core CORE [--exe EXE]) [PATTERN]\n"
     "Lists the global variables and static data members the debug info describes, with their\n"
     "types; only those whose qualified name contains PATTERN, if given.\n"},
    {"types", types_command,
     "usage: reflect types (BINARY | --pid PID | --core CORE [--exe EXE]) [PATTERN]\n"
     "Lists the classes, structs, unions and enums the debug info defines, with their sizes;\n"
     "only those whose qualified name contains PATTERN, if given.\n"},
    {"coro-frames", coro_frames_command,
     "usage: reflect coro-frames [--members N] BINARY...\n"
     "Lists the coroutine frames BINARY's debug info describes, largest first,\n"
     "each with its N largest members (default 5).\n"},
    {"async-backtrace", async_backtrace_command,
     "usage: reflect async-backtrace (--pid PID | --core CORE [--exe EXE]) FRAME\n"
     "Prints the coroutine whose frame is at address FRAME and the chain of coroutines\n"
     "awaiting it, innermost first, each with its state and source line.\n"},
    {"tasks", tasks_command,
     "usage: reflect tasks (--pid PID | --core CORE [--exe EXE]) [--json] [--pretty]\n"
     "Prints every coroutine alive in the program, found in its heap, as a forest: each task\n"
     "(a coroutine nothing awaits) after `╼`, the coroutines it awaits under it, each with its\n"
     "state, source line and locals; then how many tasks, coroutines and finished but never\n"
     "destroyed coroutines there are.\n"
     "  --json    the forest as JSON\n"
     "  --pretty  indented JSON\n"},
    {"census", census_command,
     "usage: reflect census (--pid PID | --core CORE [--exe EXE]) [--json] [--pretty] [--top N]\n"
     "Counts the program's live heap objects by type: every object of a polymorphic class (by\n"
     "its vtable) and every coroutine frame (by coroutine), with their bytes, largest first.\n"
     "  --top N   the N largest rows only (the totals count all)\n"
     "  --json    the table as JSON\n"
     "  --pretty  indented JSON\n"},
};

void print_overview(std::FILE* out) {
  fmt::print(out,
             "usage: reflect COMMAND [ARGS...]   (reflect COMMAND --help for each)\n"
             "Reads a program's objects, types and coroutines from its debug info: a live process\n"
             "(--pid PID), a core file (--core CORE [--exe EXE]) or a binary on disk.\n"
             "commands:\n");
  for (const Subcommand& command : subcommands) fmt::print(out, "  {}\n", command.name);
}

}  // namespace

int main(int argc, char** argv) {
  const std::span<char* const> args(argv + 1, static_cast<std::size_t>(argc > 0 ? argc - 1 : 0));
  if (args.empty()) {
    print_overview(stderr);
    return 2;
  }
  const std::string_view name = args[0];
  if (name == "--help" || name == "-h" || name == "help") {
    print_overview(stdout);
    return 0;
  }
  for (const Subcommand& command : subcommands) {
    if (command.name != name) continue;
    for (std::string_view arg : args.subspan(1))
      if (arg == "--help" || arg == "-h") {
        fmt::print("{}", command.usage);
        return 0;
      }
    try {
      return command.run(Arguments(args.subspan(1)));
    } catch (const UsageError& e) {
      fmt::print(stderr, "reflect {}: {}\n{}", name, e.what(), command.usage);
      return 2;
    } catch (const reflect::Error& e) {
      fmt::print(stderr, "{}\n", e.what());
      return 1;
    } catch (const std::exception& e) {
      fmt::print(stderr, "reflect {}: {}\n", name, e.what());
      return 1;
    }
  }
  fmt::print(stderr, "reflect: no command '{}'\n", name);
  print_overview(stderr);
  return 2;
}
