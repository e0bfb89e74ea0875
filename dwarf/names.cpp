#include "names.hpp"

#include <cxxabi.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <utility>

namespace reflect::dwarf {

namespace {

// GCC's spellings of base types, longest first so that replacing them inside a spelled name
// never hits a part of a longer one.
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> gcc_base_spellings{{
    {"long long unsigned int", "unsigned long long"},
    {"long long int", "long long"},
    {"long unsigned int", "unsigned long"},
    {"short unsigned int", "unsigned short"},
    {"long int", "long"},
    {"short int", "short"},
    {"__int128 unsigned", "unsigned __int128"},
    {"char signed", "signed char"},
}};

// Where std's aliases are what users write.
constexpr std::array<std::pair<std::string_view, std::string_view>, 15> std_aliases{{
    {"std::basic_string<char>", "std::string"},
    {"std::basic_string<wchar_t>", "std::wstring"},
    {"std::basic_string<char8_t>", "std::u8string"},
    {"std::basic_string<char16_t>", "std::u16string"},
    {"std::basic_string<char32_t>", "std::u32string"},
    {"std::basic_string_view<char>", "std::string_view"},
    {"std::basic_string_view<wchar_t>", "std::wstring_view"},
    {"std::basic_string_view<char8_t>", "std::u8string_view"},
    {"std::basic_string_view<char16_t>", "std::u16string_view"},
    {"std::basic_string_view<char32_t>", "std::u32string_view"},
    // the Library Fundamentals TS's (GCC's <experimental/string_view>)
    {"std::experimental::basic_string_view<char>", "std::experimental::string_view"},
    {"std::experimental::basic_string_view<wchar_t>", "std::experimental::wstring_view"},
    {"std::experimental::basic_string_view<char8_t>", "std::experimental::u8string_view"},
    {"std::experimental::basic_string_view<char16_t>", "std::experimental::u16string_view"},
    {"std::experimental::basic_string_view<char32_t>", "std::experimental::u32string_view"},
}};

// The string streams' aliases (both of libstdc++'s ABIs: `__cxx11::` is gone by then).
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> stream_aliases{{
    {"std::basic_stringbuf<char>", "std::stringbuf"},
    {"std::basic_stringbuf<wchar_t>", "std::wstringbuf"},
    {"std::basic_istringstream<char>", "std::istringstream"},
    {"std::basic_istringstream<wchar_t>", "std::wistringstream"},
    {"std::basic_ostringstream<char>", "std::ostringstream"},
    {"std::basic_ostringstream<wchar_t>", "std::wostringstream"},
    {"std::basic_stringstream<char>", "std::stringstream"},
    {"std::basic_stringstream<wchar_t>", "std::wstringstream"},
}};

// The Technical Specifications' inline namespaces in libstdc++, dropped only there: a user's
// `app::v1` stays.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> ts_namespaces{{
    {"std::experimental::fundamentals_v1::", "std::experimental::"},
    {"std::experimental::fundamentals_v2::", "std::experimental::"},
    {"std::experimental::parallelism_v2::", "std::experimental::"},
    {"std::experimental::filesystem::v1::", "std::experimental::filesystem::"},
    {"std::experimental::net::v1::", "std::experimental::net::"},
}};

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

// Drops one trailing default template argument of the standard library:
// `, std::allocator<int> >` -> ` >`. Returns whether it dropped one.
bool drop_one_default_argument(std::string& name) {
  static constexpr std::array<std::string_view, 6> defaults{
      ", std::allocator<", ", std::char_traits<", ", std::default_delete<", ", std::less<", ", std::hash<", ", std::equal_to<"};
  for (std::string_view d : defaults) {
    for (std::size_t at = name.find(d); at != std::string::npos; at = name.find(d, at + 1)) {
      std::size_t j = at + d.size();
      int depth = 1;
      while (j < name.size() && depth > 0) {
        if (name[j] == '<') ++depth;
        else if (name[j] == '>') --depth;
        ++j;
      }
      std::size_t k = j;
      while (k < name.size() && name[k] == ' ') ++k;
      if (k < name.size() && name[k] == '>') {
        name.erase(at, j - at);
        return true;
      }
    }
  }
  return false;
}

// `3u`, `3UL`, `-5ll` -> `3`, `-5` where a number stands alone as a template argument.
void drop_integer_suffixes(std::string& name) {
  // Rebuilding the string is what costs: first see whether any digit is followed by a suffix.
  bool any = false;
  for (std::size_t i = 1; i < name.size() && !any; ++i)
    any = std::isdigit(static_cast<unsigned char>(name[i - 1])) && std::string_view("uUlL").find(name[i]) != std::string_view::npos;
  if (!any) return;
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    out += name[i];
    // (Not a digit inside an identifier: `a_1u` is a name, not 1u.)
    bool number_start = std::isdigit(static_cast<unsigned char>(name[i])) &&
                        (i == 0 || !(std::isalnum(static_cast<unsigned char>(name[i - 1])) || name[i - 1] == '_'));
    if (!number_start) continue;
    std::size_t j = i + 1;
    while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j]))) out += name[j++];
    std::size_t k = j;
    while (k < name.size() && std::string_view("uUlL").find(name[k]) != std::string_view::npos) ++k;
    if (k > j && (k == name.size() || name[k] == ',' || name[k] == '>')) j = k;
    i = j - 1;
  }
  name = std::move(out);
}

void drop_abi_tags(std::string& name) {
  for (std::size_t at; (at = name.find("[abi:")) != std::string::npos;) {
    std::size_t end = name.find(']', at);
    if (end == std::string::npos) return;
    name.erase(at, end - at + 1);
  }
}

}  // namespace

NamespaceDrop namespace_drop(std::string_view name) {
  if (name == "__cxx11" || name == "__n4861") return NamespaceDrop::Always;
  for (const auto& ts : ts_namespaces) {
    std::string_view dropped = ts.first.substr(0, ts.first.size() - 2);  // its last namespace
    if (dropped.substr(dropped.rfind("::") + 2) == name) return NamespaceDrop::InPlaces;
  }
  return NamespaceDrop::Never;
}

// Every step runs only when its patterns can occur in the name as it is at that point: the
// name index normalizes ~100k names per module, most of which need none of the steps.
bool is_normalized(std::string_view name) {
  // Every step below needs a space, a ':' or a digit followed by a suffix letter.
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == ' ' || c == ':') return false;
    if (c >= '0' && c <= '9' && i + 1 < name.size() && std::string_view("uUlL").find(name[i + 1]) != std::string_view::npos)
      return false;
  }
  return true;
}

std::string normalize_name(std::string_view spelled) {
  std::string name(spelled);
  if (is_normalized(name)) return name;
  auto has = [&](std::string_view part) { return name.find(part) != std::string::npos; };
  // libstdc++'s inline namespaces (strings, C++20 coroutines) and the demangler's ABI tags
  // (`f[abi:cxx11](int)`): what no user writes.
  if (has("__cxx11::")) replace_all(name, "__cxx11::", "");
  if (has("__n4861::")) replace_all(name, "__n4861::", "");
  if (has("std::experimental::"))  // `std::experimental::fundamentals_v1::optional`
    for (auto [from, to] : ts_namespaces) replace_all(name, from, to);
  if (has("[abi:")) drop_abi_tags(name);
  // clang names the type by its default argument's absence, GCC by the argument.
  if (has("std::coroutine_handle<>")) replace_all(name, "std::coroutine_handle<>", "std::coroutine_handle<void>");
  if (has(", std::"))  // how every default argument drop_one_default_argument knows starts
    while (drop_one_default_argument(name)) {
    }
  if (has(" ")) {
    // replace_all(" >", ">"), then " *", then " &", in one pass: each removes the spaces
    // followed by its character in the string as it was, and none makes a pair for another.
    std::size_t out = 0;
    for (std::size_t i = 0; i < name.size(); ++i) {
      char next = i + 1 < name.size() ? name[i + 1] : '\0';
      if (name[i] == ' ' && (next == '>' || next == '*' || next == '&')) continue;
      name[out++] = name[i];
    }
    name.resize(out);
  }
  drop_integer_suffixes(name);
  // Every GCC spelling holds "int" but "char signed".
  if (has("int") || has("char signed"))
    for (auto [from, to] : gcc_base_spellings) replace_all(name, from, to);
  if (has("basic_string"))
    for (auto [from, to] : std_aliases) replace_all(name, from, to);
  if (has("stringstream<") || has("stringbuf<"))
    for (auto [from, to] : stream_aliases) replace_all(name, from, to);
  return name;
}

std::string_view canonical_base_name(std::string_view dwarf_name) {
  for (auto [from, to] : gcc_base_spellings)
    if (dwarf_name == from) return to;
  if (dwarf_name == "unsigned") return "unsigned int";
  return dwarf_name;
}

std::string demangle(const std::string& mangled) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status),
                                                  &std::free);
  return status == 0 && out ? std::string(out.get()) : mangled;
}

}  // namespace reflect::dwarf
