// The expressions `reflect print` takes: a global's qualified name (a static data member too),
// optionally preceded by `*` and followed by any of `.member`, `->member`, `[index]`,
// `["key"]`: `app::g_config.limits.hard`, `app::g_cache["users"][2]`, `*app::g_shape`.
#pragma once

#include <reflect/target.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace reflect::cli {

struct Expression {
  struct Step {
    enum class Kind { Member, PointerMember, Index, Key } kind;
    std::string name;  // Member, PointerMember: the member; Key: the key's text
    std::uint64_t index = 0;
  };
  bool dereference = false;  // a leading `*`: applies to the whole, as in C++
  std::string variable;
  std::vector<Step> steps;
};

/// Throws reflect::Error saying what is wrong with the text.
Expression parse_expression(std::string_view text);

/// The value `expression` names in `target`, and whether its type must be named when it is
/// printed (a pointee of another dynamic type than the pointer's). Throws reflect::Error that
/// says which step failed and why (no such global, no such member, an index out of range, a
/// key not in the map, a null pointer).
struct Evaluated {
  Value value;
  bool dynamic_type_differs = false;
};
Evaluated evaluate(const Target& target, const Expression& expression);

}  // namespace reflect::cli
