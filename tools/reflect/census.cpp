// reflect census (--pid PID | --core CORE [--exe EXE]) [--json] [--pretty] [--top N]: the
// program's live heap objects by type.

#include "cli.hpp"

#include <reflect/census.hpp>

#include <fmt/format.h>

namespace reflect::cli {

int census_command(Arguments args) {
  TargetChoice choice;
  bool json = false, pretty = false;
  std::size_t top = 0;
  while (!args.done()) {
    if (choice.take_option(args)) continue;
    const std::string_view arg = args.take();
    if (arg == "--json") json = true;
    else if (arg == "--pretty") pretty = true;
    else if (arg == "--top") top = static_cast<std::size_t>(parse_number(args.value_of("--top"), "--top"));
    else throw UsageError(fmt::format("unknown argument '{}'", arg));
  }
  const Target target = choice.open(false);
  std::optional<Census> counted;
  {
    ProgressLine progress("counting the heap's objects");
    counted = census(target);
  }
  fmt::memory_buffer out;
  if (json) detail::format_census_json(out, *counted, top, pretty);
  else detail::format_census(out, *counted, top);
  fmt::print("{}\n", std::string_view(out.data(), out.size()));
  return 0;
}

}  // namespace reflect::cli
