// reflect print (--pid PID | --core CORE [--exe EXE]) [--json] [--pretty] EXPR...

#include "cli.hpp"
#include "expression.hpp"

#include <reflect/error.hpp>
#include <reflect/format.hpp>
#include <reflect/json.hpp>

#include <fmt/format.h>

#include <string>
#include <vector>

namespace reflect::cli {

namespace {

// A JSON string holding `text`.
std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out + '"';
}

// A document written at the top level, put one level deeper.
std::string indented(const std::string& document) {
  std::string out;
  for (const char c : document) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

}  // namespace

int print_command(Arguments args) {
  TargetChoice choice;
  bool json = false, pretty = false;
  std::vector<std::string> expressions;
  while (!args.done()) {
    if (choice.take_option(args)) continue;
    const std::string_view arg = args.take();
    if (arg == "--json") json = true;
    else if (arg == "--pretty") pretty = true;
    else if (arg.starts_with("--")) throw UsageError(fmt::format("unknown option {}", arg));
    else expressions.emplace_back(arg);
  }
  if (expressions.empty()) throw UsageError("say what to print: one or more EXPR");
  // Expressions are checked before the program is read: a typo costs nothing.
  std::vector<Expression> parsed;
  for (const std::string& text : expressions) parsed.push_back(parse_expression(text));

  const Target target = choice.open(false);
  int status = 0;
  std::vector<std::string> members;  // JSON: "EXPR": value
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    try {
      std::optional<Evaluated> value;
      {
        ProgressLine progress("reading the debug info");
        value = evaluate(target, parsed[i]);
      }
      if (json) {
        const std::string document = to_json(value->value, {.pretty = pretty});
        members.push_back(json_string(expressions[i]) + (pretty ? ": " + indented(document) : ":" + document));
      } else {
        fmt::print("{} = {}\n", expressions[i],
                   formatted(value->value, {.multiline = pretty, .show_type = value->dynamic_type_differs}));
      }
    } catch (const Error& e) {
      fmt::print(stderr, "{}\n", e.what());
      status = 1;
    }
  }
  if (json) {
    std::string document = "{";
    for (std::size_t i = 0; i < members.size(); ++i)
      document += (i ? "," : "") + std::string(pretty ? "\n  " : "") + members[i];
    document += pretty && !members.empty() ? "\n}" : "}";
    fmt::print("{}\n", document);
  }
  return status;
}

}  // namespace reflect::cli
