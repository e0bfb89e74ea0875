// reflect globals and reflect types (BINARY | --pid PID | --core CORE [--exe EXE]) [PATTERN]:
// what a program's debug info describes.

#include "cli.hpp"

#include <fmt/format.h>

#include <string>

namespace reflect::cli {

namespace {

struct Listing {
  Target target;
  std::string pattern;
};

Listing listing_arguments(Arguments& args) {
  TargetChoice choice;
  std::string pattern;
  std::size_t positional = 0;
  while (!args.done()) {
    if (choice.take_option(args)) continue;
    const std::string_view arg = args.take();
    if (arg.starts_with("--")) throw UsageError(fmt::format("unknown option {}", arg));
    // BINARY PATTERN, or (with --pid, --core) PATTERN alone.
    if (positional == 0 && !choice.pid && choice.core.empty() && choice.take_binary(arg)) {
      ++positional;
      continue;
    }
    if (!pattern.empty()) throw UsageError(fmt::format("one PATTERN only, not also '{}'", arg));
    pattern = arg;
    ++positional;
  }
  ProgressLine progress("reading the debug info");
  return {choice.open(true), pattern};
}

}  // namespace

int globals_command(Arguments args) {
  const Listing listing = listing_arguments(args);
  std::vector<Variable> variables;
  {
    ProgressLine progress("reading the debug info");
    variables = listing.target.variables(listing.pattern);
  }
  for (const Variable& variable : variables)
    fmt::print("{}: {}{}\n", variable.name, variable.type.name(), variable.value ? "" : " (no address)");
  return 0;
}

int types_command(Arguments args) {
  const Listing listing = listing_arguments(args);
  std::vector<Type> types;
  {
    ProgressLine progress("reading the debug info");
    types = listing.target.types(listing.pattern);
  }
  for (const Type& type : types) fmt::print("{}: {} byte{}\n", type.name(), type.size(), type.size() == 1 ? "" : "s");
  return 0;
}

}  // namespace reflect::cli
