// expected.txt, read for the tests that print the target fixture's globals (test_variables.cpp
// in this process, test_target.cpp from outside).
#pragma once

#include <fstream>
#include <regex>
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

/// `text` with every address (0x and hex digits) as expected.txt writes them: `0x…`.
inline std::string without_addresses(const std::string& text) {
  static const std::regex address("0x[0-9a-f]+");
  return std::regex_replace(text, address, "0x…");
}

}  // namespace reflect_test
