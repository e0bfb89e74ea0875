// std::set, std::multiset, std::map, std::multimap: the red-black tree of stl_tree.h, walked in
// order through the nodes' parent links (constant memory, no recursion).

#include "layout.hpp"

#include <fmt/format.h>

namespace reflect::detail {
namespace {

// _Rb_tree_node_base: {_M_color, _M_parent, _M_left, _M_right}; the header is one too, whose
// _M_parent is the root and _M_left/_M_right the leftmost and rightmost nodes.
constexpr std::size_t kParent = 8, kLeft = 16, kRight = 24;

std::uintptr_t link(const Memory& memory, std::uintptr_t node, std::size_t offset) {
  const auto at = add_address(node, offset);
  if (!at) throw UnreadableMemory(node);
  return read_as<std::uintptr_t>(memory, *at);
}

[[noreturn]] void too_deep(std::uintptr_t node) {
  throw Error(fmt::format("the tree's links at {:#x} lead deeper than a red-black tree can be", node));
}

// The node after `x` in order; the header after the last (stl_tree.cc's _Rb_tree_increment).
std::uintptr_t successor(const Memory& memory, std::uintptr_t x) {
  if (std::uintptr_t right = link(memory, x, kRight)) {
    x = right;
    for (std::size_t steps = 0;; ++steps) {
      const std::uintptr_t left = link(memory, x, kLeft);
      if (left == 0) return x;
      if (steps == kMaxTreeDepth) too_deep(x);
      x = left;
    }
  }
  std::uintptr_t y = link(memory, x, kParent);
  for (std::size_t steps = 0; x == link(memory, y, kRight); ++steps) {
    if (steps == kMaxTreeDepth) too_deep(x);
    x = y;
    y = link(memory, y, kParent);
  }
  // At the root with the header above it, x is the header already (rightmost's successor).
  return link(memory, x, kRight) != y ? y : x;
}

// What every tree container's class tells once: where its header and count are, and where a
// node keeps the element (a map's: the pair's key and value).
struct TreeFacts final : ProviderFacts {
  MemberAt header;  // _Rb_tree_node_base
  MemberAt count;
  NodeLayout node;  // of _Rb_tree<Key, Value, ...>'s second argument: a pair for maps
};

TreeFacts tree_facts(const Value& container, bool is_map) {
  TreeFacts facts;
  const Value tree = member(container, "_M_t");
  const Value header = member(tree, "_M_impl._M_header");
  // The links are where stl_tree.h puts them, or this is some other tree.
  const std::uintptr_t base = address_of(header);
  if (address_of(member(header, "_M_parent")) != base + kParent || address_of(member(header, "_M_left")) != base + kLeft ||
      address_of(member(header, "_M_right")) != base + kRight)
    throw LayoutMismatch(fmt::format("{}'s tree header is not laid out as _Rb_tree_node_base", container.type().name()));
  facts.header = member_at(container, "_M_t._M_impl._M_header");
  facts.count = member_at(container, "_M_t._M_impl._M_node_count");
  facts.node = node_layout(template_type(concrete_of(tree), 1), kTreeNodeLinks, is_map);
  return facts;
}

std::size_t node_count(const Value& container, const TreeFacts& facts) {
  return read_unsigned(member(container, facts.count));
}

Cursor tree_begin(const Value& container, const TreeFacts& facts) {
  Cursor cursor;
  cursor.node = address_of(member(container, facts.header));
  cursor.extra = cursor.node;
  return cursor;
}

// The next node in order, or nullopt at the end; cursor.node becomes that node.
std::optional<std::uintptr_t> tree_next(const Memory& memory, Cursor& cursor) {
  const std::uintptr_t header = cursor.extra;
  const std::uintptr_t next = cursor.index == 0 ? link(memory, header, kLeft) : successor(memory, cursor.node);
  if (next == header) return std::nullopt;
  if (next == 0) throw UnreadableMemory(0);  // a tree's in-order links never lead to null
  cursor.node = next;
  ++cursor.index;
  return next;
}

class Set final : public SequenceProvider {
 public:
  Type element_type(const Value& value) const override { return Type(*facts(value).node.element); }
  std::optional<std::size_t> size(const Value& value) const override { return node_count(value, facts(value)); }
  Cursor begin(const Value& value) const override { return tree_begin(value, facts(value)); }
  std::optional<Value> next(const Value& value, Cursor& cursor) const override {
    const auto node = tree_next(memory_of(value), cursor);
    if (!node) return std::nullopt;
    return element_in_node(facts(value).node, *node);
  }
  Ownership ownership(const Value& value) const override {
    return owning({}, node_bytes(facts(value).node));
  }

 private:
  const TreeFacts& facts(const Value& value) const {
    return facts_of<TreeFacts>(value, *this, [](const Value& set) { return tree_facts(set, false); });
  }
};

class Map final : public MapProvider {
 public:
  Type key_type(const Value& value) const override { return Type(template_type(concrete_of(value), 0)); }
  Type mapped_type(const Value& value) const override { return Type(template_type(concrete_of(value), 1)); }
  std::optional<std::size_t> size(const Value& value) const override { return node_count(value, facts(value)); }
  Cursor begin(const Value& value) const override { return tree_begin(value, facts(value)); }
  std::optional<MapEntry> next(const Value& value, Cursor& cursor) const override {
    const auto node = tree_next(memory_of(value), cursor);
    if (!node) return std::nullopt;
    return entry_in_node(facts(value).node, *node);
  }

  // std::less orders the tree as KeyOrder does: descend it (lower_bound), O(depth) nodes read.
  Found find_ordered(const Value& value, const KeyOrder& order) const override {
    if (!ordered_as_key_order(concrete_of(value))) return {};
    const TreeFacts& tree = facts(value);
    const std::uintptr_t header = address_of(member(value, tree.header));
    const Memory& memory = memory_of(value);
    std::uintptr_t x = link(memory, header, kParent);  // the root
    std::uintptr_t bound = header;             // the first node whose key is not less
    for (std::size_t steps = 0; x != 0; ++steps) {
      if (steps == kMaxTreeDepth) return {};  // not a tree: let the scan report what memory holds
      if (order.compare(entry_in_node(tree.node, x).key()) >= 0) {
        bound = x;
        x = link(memory, x, kLeft);
      } else {
        x = link(memory, x, kRight);
      }
    }
    if (bound == header) return {true, std::nullopt};
    MapEntry found = entry_in_node(tree.node, bound);
    if (order.compare(found.key()) != 0) return {true, std::nullopt};
    return {true, found};
  }
  Ownership ownership(const Value& value) const override {
    return owning({}, node_bytes(facts(value).node));
  }

 private:
  // KeyOrder compares integers (and enums, characters) by value and text byte by byte: that is
  // std::less's order for those keys and std::string's. A `const char*` key's std::less
  // compares addresses, a wide string's its code units: those maps are scanned.
  static bool ordered_as_key_order(const TypeNode& type) {
    if (type.template_args.size() < 3 || !type.template_args[2].type ||
        type.template_args[2].type->get().concrete().template_name() != "std::less")
      return false;
    const TypeNode& key = template_type(type, 0).concrete();
    switch (key.kind) {
      case Kind::Integer: case Kind::Character: case Kind::Bool: case Kind::Enum: return true;
      case Kind::Struct:
        return key.template_name() == "std::basic_string" && !key.template_args.empty() && key.template_args[0].type &&
               key.template_args[0].type->get().concrete().name() == "char";
      default: return false;
    }
  }

  const TreeFacts& facts(const Value& value) const {
    return facts_of<TreeFacts>(value, *this, [](const Value& map) { return tree_facts(map, true); });
  }
};

}  // namespace

void libstdcxx_trees(std::vector<StandardProvider>& out) {
  static const Set set;
  static const Map map;
  out.push_back({Library::LibStdCxx, "set", &set});
  out.push_back({Library::LibStdCxx, "multiset", &set});
  out.push_back({Library::LibStdCxx, "map", &map});
  out.push_back({Library::LibStdCxx, "multimap", &map});
}

}  // namespace reflect::detail
