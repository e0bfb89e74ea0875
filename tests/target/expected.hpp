// expected.txt, read for the tests that print the target fixture's globals (test_variables.cpp
// in this process, test_target.cpp from outside).
#pragma once

#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace reflect_test {

struct ExpectedLine {
  std::string expression;
  std::string value;
  bool is_plain_name;  // a global's name alone: no `*`, `.`, `->`, `[`
};

inline std::vector<ExpectedLine> expected_globals() {
  std::vector<ExpectedLine> out;
  std::ifstream in(TARGET_EXPECTED);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto equals = line.find(" = ");
    if (equals == std::string::npos) continue;
    std::string expression = line.substr(0, equals);
    const bool plain = expression.find_first_of("*.[") == std::string::npos && expression.find("->") == std::string::npos;
    out.push_back({std::move(expression), line.substr(equals + 3), plain});
  }
  return out;
}

/// How app::g_config prints (with its type) up to the address its `.base` holds.
inline constexpr const char* config_up_to_base =
    R"(app::Config{.name = "a name too long for the small-string buffer", .limits = {.soft = 10, .hard = 20}, )"
    R"(.ports = {80, 443}, .weights = {{"alpha", 1}, {"beta", 2}}, .note = std::nullopt, )"
    R"(.shape = app::Circle{app::Shape{.id = 7}, .radius = 2.5}, .base = 0x)";

/// `text` with every address (0x and hex digits) as expected.txt writes them: `0x…`.
inline std::string without_addresses(const std::string& text) {
  auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "0x") == 0 && i + 2 < text.size() && is_hex(text[i + 2])) {
      out += "0x…";
      for (i += 2; i < text.size() && is_hex(text[i]); ++i) {
      }
    } else {
      out += text[i++];
    }
  }
  return out;
}

}  // namespace reflect_test
