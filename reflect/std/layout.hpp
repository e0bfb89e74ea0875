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
#include <type_traits>
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

/// Where a member lies in its class, found once by name: its offset from the object's start
/// and its declared type. The standard classes have no virtual bases, so this is the same for
/// every object of the class.
struct MemberAt {
  std::size_t offset = 0;
  const TypeNode* type = nullptr;
};
/// member()'s answer for `path`, as a place in the class; throws LayoutMismatch as member() does.
MemberAt member_at(const Value& value, std::string_view path);
std::optional<MemberAt> try_member_at(const Value& value, std::string_view path);
/// The member at `at` inside `object`; throws UnreadableMemory if the address would wrap.
Value member(const Value& object, const MemberAt& at);

/// The facts `owner` keeps for the class of `value` (see ProviderFacts), worked out by
/// `compute(value)` the first time. A LayoutMismatch that `compute` throws is not remembered:
/// every call throws it again, and the value prints raw with its note.
template <class Facts, class Compute>
const Facts& facts_of(const Value& value, const Provider& owner, Compute&& compute) {
  static_assert(std::is_base_of_v<ProviderFacts, Facts>);
  const TypeNode& type = concrete_of(value);
  if (const ProviderFacts* known = type.provider_facts.find(&owner)) return static_cast<const Facts&>(*known);
  auto facts = std::make_unique<Facts>(compute(value));
  facts->owner = &owner;
  return static_cast<const Facts&>(type.provider_facts.publish(std::move(facts)));
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

// libstdc++'s nodes start with their links, then the element. The node containers' providers
// and the iterators and node handles that point into them (iterators.cpp, node_handles.cpp)
// must agree on where the element lies.
inline constexpr std::size_t kTreeNodeLinks = 32;  // _Rb_tree_node_base: colour, parent, left, right
inline constexpr std::size_t kListNodeLinks = 16;  // _List_node_base: next, prev
inline constexpr std::size_t kNextNodeLinks = 8;   // _Fwd_list_node_base, _Hash_node_base, _Slist_node_base: next

/// Where a node container's nodes keep the element: found once per class (see ProviderFacts).
struct NodeLayout {
  const TypeNode* element = nullptr;  // a map's: the pair
  std::size_t element_offset = 0;     // from the node's start
  MemberAt key, mapped;               // maps: the pair's `first` and `second`
};
/// The layout of nodes of `links` bytes of links followed by an `element`; `is_map`: the
/// element is a pair whose key and value are looked up too.
NodeLayout node_layout(const TypeNode& element, std::size_t links, bool is_map);
/// What footprint() counts of a value that owns its contents (its elements, what it holds),
/// and these blocks; `node_bytes` for node-based containers.
inline Ownership owning(std::vector<Ownership::Block> blocks = {}, std::optional<std::size_t> node_bytes = std::nullopt) {
  Ownership owned;
  owned.blocks = std::move(blocks);
  owned.owns_contents = true;
  owned.node_bytes = node_bytes;
  return owned;
}
/// Of a value that owns these blocks and nothing it presents (a string's characters).
inline Ownership owning_blocks(std::vector<Ownership::Block> blocks) {
  Ownership owned;
  owned.blocks = std::move(blocks);
  return owned;
}

/// The size of one node (what footprint() counts per element): the links, the element, and
/// `after` bytes after it (a hash node's cached hash code), rounded up to the node's alignment.
std::size_t node_bytes(const NodeLayout& layout, std::size_t after = 0);
/// The element of the node at `node`; throws UnreadableMemory if the address would wrap.
Value element_in_node(const NodeLayout& layout, std::uintptr_t node);
/// A map's entry in the node at `node`.
MapEntry entry_in_node(const NodeLayout& layout, std::uintptr_t node);
/// The element of type `element` in the node at `node` (no layout kept: one iterator's step).
inline Value node_element(const TypeNode& element, std::uintptr_t node, std::size_t links) {
  return element_in_node(node_layout(element, links, false), node);
}

/// How far a node walk follows links inside one step (a tree's descent to a leftmost node):
/// a red-black tree of 2^64 nodes is less than 128 deep, so a longer chain is corrupt memory.
inline constexpr std::size_t kMaxTreeDepth = 128;

}  // namespace reflect::detail
