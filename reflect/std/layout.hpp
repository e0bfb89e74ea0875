#pragma once
// What the standard-library providers share: reading a library's members by name, with
// fallbacks for other versions of the library, and reporting a layout they do not know as
// what it is (LayoutMismatch), not as unreadable memory.

#include "../providers.hpp"
#include "../type_node.hpp"
#include "../memory.hpp"
#include "../value_access.hpp"

#include <reflect/error.hpp>
#include <reflect/provider.hpp>
#include <reflect/value.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace reflect::detail {

/// A class whose members are not the ones its provider reads: another version of the
/// library, or a user's class with a standard name. The value prints as its raw members with
/// this message as a note.
class LayoutMismatch : public Error {
 public:
  using Error::Error;
};

/// The member at `path` inside `value`: names separated by '.', each looked up in the value's
/// fields and, depth first, its non-virtual bases; alternatives separated by '|' are tried in
/// order (`_M_impl._M_start|_M_start`). Throws LayoutMismatch naming the type and the path.
Value member(const Value& value, std::string_view path);
/// As member(), but only a member whose type `accept` takes (e.g. only pointers).
Value member_if(const Value& value, std::string_view name, bool (*accept)(const TypeNode&));
std::optional<Value> try_member(const Value& value, std::string_view path);

/// The type of the class's `index`th template argument; throws LayoutMismatch if it has none.
const TypeNode& template_type(const TypeNode& type, std::size_t index);
/// The value of the class's `index`th template argument (`std::array<T, N>`'s N).
std::optional<std::int64_t> template_value(const TypeNode& type, std::size_t index);

/// A Value of `type` at `address`.
inline Value value_at(const TypeNode& type, std::uintptr_t address) {
  return Value(Type(type), reinterpret_cast<const void*>(address));
}

}  // namespace reflect::detail
