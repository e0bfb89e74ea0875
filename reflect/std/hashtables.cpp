// std::unordered_map, std::unordered_set and their multi- forms: the _Hashtable of
// hashtable.h, whose nodes form one singly linked list (the buckets only index into it), walked
// in that list's order, which is the container's own iteration order.

#include "layout.hpp"

#include <fmt/format.h>

namespace reflect::detail {
namespace {

// _Hash_node<V, cache> starts with _Hash_node_base::_M_nxt; the element follows it (the cached
// hash code, when there is one, comes after the element).
//
// What the class tells once: where the node list starts and the count is, where a node keeps
// the element (a map's: the pair's key and value).
struct HashtableFacts final : ProviderFacts {
  MemberAt before_begin;            // _Hash_node_base: its _M_nxt is the first node
  MemberAt count;
  NodeLayout node;  // of _Hashtable<Key, Value, ...>'s second argument: a pair for maps
};

HashtableFacts hashtable_facts(const Value& container, bool is_map) {
  HashtableFacts facts;
  const Value table = member(container, "_M_h");
  const Value before_begin = member(table, "_M_before_begin");
  if (address_of(member(before_begin, "_M_nxt")) != address_of(before_begin))
    throw LayoutMismatch(fmt::format("{}'s _M_before_begin is not laid out as _Hash_node_base", container.type().name()));
  facts.before_begin = member_at(container, "_M_h._M_before_begin");
  facts.count = member_at(container, "_M_h._M_element_count");
  facts.node = node_layout(template_type(concrete_of(table), 1), kNextNodeLinks, is_map);
  return facts;
}

std::size_t element_count(const Value& container, const HashtableFacts& facts) {
  return read_unsigned(member(container, facts.count));
}

Cursor list_begin(const Value& container, const HashtableFacts& facts) {
  Cursor cursor;
  cursor.node = address_of(member(container, facts.before_begin));
  return cursor;
}

// The next node of the list, or nullopt at its end; cursor.node becomes that node.
std::optional<std::uintptr_t> list_next(Cursor& cursor) {
  const std::uintptr_t next = read_as<std::uintptr_t>(cursor.node);
  if (next == 0) return std::nullopt;
  cursor.node = next;
  ++cursor.index;
  return next;
}

class UnorderedSet final : public SequenceProvider {
 public:
  Type element_type(const Value& value) const override { return Type(*facts(value).node.element); }
  std::optional<std::size_t> size(const Value& value) const override { return element_count(value, facts(value)); }
  Cursor begin(const Value& value) const override { return list_begin(value, facts(value)); }
  std::optional<Value> next(const Value& value, Cursor& cursor) const override {
    const auto node = list_next(cursor);
    if (!node) return std::nullopt;
    return element_in_node(facts(value).node, *node);
  }

 private:
  const HashtableFacts& facts(const Value& value) const {
    return facts_of<HashtableFacts>(value, *this, [](const Value& set) { return hashtable_facts(set, false); });
  }
};

class UnorderedMap final : public MapProvider {
 public:
  Type key_type(const Value& value) const override { return Type(template_type(concrete_of(value), 0)); }
  Type mapped_type(const Value& value) const override { return Type(template_type(concrete_of(value), 1)); }
  std::optional<std::size_t> size(const Value& value) const override { return element_count(value, facts(value)); }
  Cursor begin(const Value& value) const override { return list_begin(value, facts(value)); }
  std::optional<MapEntry> next(const Value& value, Cursor& cursor) const override {
    const auto node = list_next(cursor);
    if (!node) return std::nullopt;
    return entry_in_node(facts(value).node, *node);
  }

 private:
  const HashtableFacts& facts(const Value& value) const {
    return facts_of<HashtableFacts>(value, *this, [](const Value& map) { return hashtable_facts(map, true); });
  }
};

}  // namespace

void libstdcxx_hashtables(std::vector<StandardProvider>& out) {
  static const UnorderedSet set;
  static const UnorderedMap map;
  out.push_back({Library::LibStdCxx, "unordered_set", &set});
  out.push_back({Library::LibStdCxx, "unordered_multiset", &set});
  out.push_back({Library::LibStdCxx, "unordered_map", &map});
  out.push_back({Library::LibStdCxx, "unordered_multimap", &map});
}

}  // namespace reflect::detail
