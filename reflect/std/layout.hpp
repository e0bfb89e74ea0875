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
#include <string>
#include <string_view>
#include <initializer_list>
#include <vector>

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

namespace reflect::detail {

/// The alignment of a complete type as the x86-64 System V ABI lays it out (the debug info
/// rarely records it: DW_AT_alignment only for alignas). Over-aligned classes come out at
/// their members' alignment.
std::size_t alignment_of(const TypeNode& type);

/// Where a node container keeps the element inside one of its nodes, in bytes from the node's
/// start: libstdc++'s nodes are their links (`links` bytes) followed by the element's storage,
/// aligned for the element (the x86-64 System V ABI's rule).
std::size_t node_element_offset(const TypeNode& element, std::size_t links);

/// How far a node walk follows links inside one step (a tree's descent to a leftmost node):
/// a red-black tree of 2^64 nodes is less than 128 deep, so a longer chain is corrupt memory.
inline constexpr std::size_t kMaxTreeDepth = 128;

}  // namespace reflect::detail

namespace reflect::detail {

// Elements reached from a pointer to their node: by the node containers' providers and by the
// iterators and node handles that point into those containers (iterators.cpp, node_handles.cpp),
// which must agree on where the element lies. libstdc++'s nodes start with their links:
inline constexpr std::size_t kTreeNodeLinks = 32;  // _Rb_tree_node_base: colour, parent, left, right
inline constexpr std::size_t kListNodeLinks = 16;  // _List_node_base: next, prev
inline constexpr std::size_t kNextNodeLinks = 8;   // _Fwd_list_node_base, _Hash_node_base, _Slist_node_base: next

/// The element of type `element` in the node at `node`, node_element_offset() past its links.
Value node_element(const TypeNode& element, std::uintptr_t node, std::size_t links);

}  // namespace reflect::detail
