// reflect print (--pid PID | --core CORE [--exe EXE]) [--json] [--pretty] [--footprint] EXPR...

#include "cli.hpp"
#include "expression.hpp"

#include "../../reflect/text_escape.hpp"

#include <reflect/error.hpp>
#include <reflect/footprint.hpp>
#include <reflect/format.hpp>
#include <reflect/json.hpp>

#include <fmt/format.h>

#include <string>
#include <vector>

namespace reflect::cli {

int print_command(Arguments args) {
  TargetChoice choice;
  bool json = false, pretty = false, footprints = false;
  std::vector<std::string> expressions;
  while (!args.done()) {
    if (choice.take_option(args)) continue;
    const std::string_view arg = args.take();
    if (arg == "--json") json = true;
    else if (arg == "--pretty") pretty = true;
    else if (arg == "--footprint") footprints = true;
    else if (arg.starts_with("--")) throw UsageError(fmt::format("unknown option {}", arg));
    else expressions.emplace_back(arg);
  }
  if (expressions.empty()) throw UsageError("say what to print: one or more EXPR");
  // Expressions are checked before the program is read: a typo costs nothing.
  std::vector<Expression> parsed;
  for (const std::string& text : expressions) parsed.push_back(parse_expression(text));

  const Target target = choice.open(false);
  int status = 0;
  fmt::memory_buffer document;  // JSON: {"EXPR":value,...}, compact
  document.push_back('{');
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    try {
      std::optional<Evaluated> value;
      {
        ProgressLine progress("reading the debug info");
        value = evaluate(target, parsed[i]);
      }
      if (json) {
        if (document.size() > 1) document.push_back(',');
        document.push_back('"');
        detail::escape_json_string(document, reinterpret_cast<const unsigned char*>(expressions[i].data()),
                                   expressions[i].size(), 1);
        fmt::format_to(fmt::appender(document), "\":{}", to_json(value->value));
        if (footprints) {
          // A member of its own beside the value: `"EXPR footprint": {"bytes": ..., ...}`.
          const std::string key = expressions[i] + " footprint";
          document.append(std::string_view(",\""));
          detail::escape_json_string(document, reinterpret_cast<const unsigned char*>(key.data()), key.size(), 1);
          document.append(std::string_view("\":"));
          detail::format_footprint_json(document, footprint(value->value), false);
        }
      } else {
        fmt::print("{} = {}\n", expressions[i],
                   formatted(value->value, {.multiline = pretty, .show_type = value->dynamic_type_differs}));
        if (footprints) fmt::print("footprint of {}: {}\n", expressions[i], footprint(value->value));
      }
    } catch (const Error& e) {
      fmt::print(stderr, "{}\n", e.what());
      status = 1;
    }
  }
  if (json) {
    document.push_back('}');
    const std::string_view compact(document.data(), document.size());
    fmt::memory_buffer indented;
    if (pretty) detail::indent_json(indented, compact);
    fmt::print("{}\n", pretty ? std::string_view(indented.data(), indented.size()) : compact);
  }
  return status;
}

}  // namespace reflect::cli
