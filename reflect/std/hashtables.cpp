// std::unordered_map, std::unordered_set and their multi- forms: the _Hashtable of
// hashtable.h, whose nodes form one singly linked list (the buckets only index into it), walked
// in that list's order, which is the container's own iteration order.

#include "layout.hpp"

#include <fmt/format.h>

namespace reflect::detail {
namespace {

// _Hash_node<V, cache> starts with _Hash_node_base::_M_nxt; the element follows it (the cached
// hash code, when there is one, comes after the element).
constexpr std::size_t kLinks = sizeof(std::uintptr_t);

Value hashtable_of(const Value& container) { return member(container, "_M_h"); }

// _Hashtable<Key, Value, ...>'s second argument: a pair for the maps.
const TypeNode& node_value_type(const Value& container) { return template_type(concrete_of(hashtable_of(container)), 1); }

std::size_t element_count(const Value& container) { return read_unsigned(member(hashtable_of(container), "_M_element_count")); }

Cursor list_begin(const Value& container) {
  const Value before_begin = member(hashtable_of(container), "_M_before_begin");
  const Value next = member(before_begin, "_M_nxt");
  if (address_of(next) != address_of(before_begin))
    throw LayoutMismatch(fmt::format("{}'s _M_before_begin is not laid out as _Hash_node_base", container.type().name()));
  Cursor cursor;
  cursor.node = address_of(before_begin);
  return cursor;
}

std::optional<Value> list_next(const Value& container, Cursor& cursor) {
  const std::uintptr_t next = read_as<std::uintptr_t>(cursor.node);
  if (next == 0) return std::nullopt;
  cursor.node = next;
  ++cursor.index;
  const TypeNode& value = node_value_type(container);
  const std::size_t offset = node_element_offset(value, kLinks);
  const auto at = add_address(next, offset);
  if (!at) throw UnreadableMemory(next);
  return value_at(value, *at);
}

class UnorderedSet final : public SequenceProvider {
 public:
  Type element_type(const Value& value) const override { return Type(node_value_type(value)); }
  std::optional<std::size_t> size(const Value& value) const override { return element_count(value); }
  Cursor begin(const Value& value) const override { return list_begin(value); }
  std::optional<Value> next(const Value& value, Cursor& cursor) const override { return list_next(value, cursor); }
};

class UnorderedMap final : public MapProvider {
 public:
  Type key_type(const Value& value) const override { return Type(template_type(concrete_of(value), 0)); }
  Type mapped_type(const Value& value) const override { return Type(template_type(concrete_of(value), 1)); }
  std::optional<std::size_t> size(const Value& value) const override { return element_count(value); }
  Cursor begin(const Value& value) const override { return list_begin(value); }
  std::optional<MapEntry> next(const Value& value, Cursor& cursor) const override {
    const std::optional<Value> pair = list_next(value, cursor);
    if (!pair) return std::nullopt;
    return MapEntry(member(*pair, "first"), member(*pair, "second"));
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
