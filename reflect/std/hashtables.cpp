// std::unordered_map, std::unordered_set and their multi- forms: the _Hashtable of
// hashtable.h, whose nodes form one singly linked list (the buckets only index into it), walked
// in that list's order, which is the container's own iteration order.
//
// std::tr1::unordered_map and the other TR1 forms (tr1/hashtable.h) keep a chain per bucket
// instead, walked bucket by bucket as their iterators do.

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
  MemberAt buckets, bucket_count, single_bucket;  // the bucket array, unless it is the one bucket inside
  std::size_t node_bytes = 0;
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
  facts.buckets = member_at(container, "_M_h._M_buckets");
  facts.bucket_count = member_at(container, "_M_h._M_bucket_count");
  facts.single_bucket = member_at(container, "_M_h._M_single_bucket");
  // _Hashtable_traits<cache_hash_code, ...>, the tenth argument: a node caching its element's
  // hash code keeps it after the element.
  bool cached = false;
  const TypeNode& table_type = concrete_of(table);
  if (table_type.template_args.size() >= 10 && table_type.template_args[9].type)
    if (auto cache = template_value(table_type.template_args[9].type->get().concrete(), 0)) cached = *cache != 0;
  facts.node_bytes = node_bytes(facts.node, cached ? sizeof(std::size_t) : 0);
  return facts;
}

// The bucket array (unless it is the single bucket inside the table) and the nodes.
Ownership hashtable_ownership(const Value& container, const HashtableFacts& facts) {
  Ownership owned = owning({}, facts.node_bytes);
  const std::uintptr_t buckets = read_pointer(member(container, facts.buckets));
  if (buckets != 0 && buckets != address_of(member(container, facts.single_bucket)))
    owned.blocks.push_back({buckets, read_unsigned(member(container, facts.bucket_count)) * sizeof(void*)});
  return owned;
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
std::optional<std::uintptr_t> list_next(const Memory& memory, Cursor& cursor) {
  const std::uintptr_t next = read_as<std::uintptr_t>(memory, cursor.node);
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
    const auto node = list_next(memory_of(value), cursor);
    if (!node) return std::nullopt;
    return element_in_node(facts(value).node, *node);
  }
  Ownership ownership(const Value& value) const override { return hashtable_ownership(value, facts(value)); }

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
    const auto node = list_next(memory_of(value), cursor);
    if (!node) return std::nullopt;
    return entry_in_node(facts(value).node, *node);
  }
  Ownership ownership(const Value& value) const override { return hashtable_ownership(value, facts(value)); }

 private:
  const HashtableFacts& facts(const Value& value) const {
    return facts_of<HashtableFacts>(value, *this, [](const Value& map) { return hashtable_facts(map, true); });
  }
};

// ---- TR1 ---------------------------------------------------------------------------------------

// tr1::_Hashtable: _M_buckets, an array of _M_bucket_count chains (one more slot holds a
// sentinel), and _M_element_count. Its nodes, _Hash_node<Value, cache>, hold the element
// first, then the cached hash code when there is one, then _M_next.
struct Tr1HashtableFacts final : ProviderFacts {
  MemberAt buckets, bucket_count, count;
  MemberAt next;    // in the node
  NodeLayout node;  // the element at the node's start
};

Tr1HashtableFacts tr1_hashtable_facts(const Value& container, bool is_map) {
  Tr1HashtableFacts facts;
  facts.buckets = member_at(container, "_M_buckets");
  facts.bucket_count = member_at(container, "_M_bucket_count");
  facts.count = member_at(container, "_M_element_count");
  // _Node** -> _Node* -> _Node
  const TypeNode& slot = facts.buckets.type->concrete();
  const TypeNode* chain = slot.kind == Kind::Pointer && slot.target ? &slot.target->get().concrete() : nullptr;
  if (chain == nullptr || chain->kind != Kind::Pointer || !chain->target)
    throw LayoutMismatch(fmt::format("{}'s _M_buckets is not an array of node pointers", container.type().name()));
  const TypeNode& node = chain->target->get().concrete();
  if (node.is_declaration)
    throw LayoutMismatch(fmt::format("the debug info declares {} but does not define it", node.name()));
  const Value node_value = value_at(node, 0);  // only the node's class is read
  const MemberAt element = member_at(node_value, "_M_v");
  facts.next = member_at(node_value, "_M_next");
  facts.node = node_layout(*element.type, element.offset, is_map);
  if (facts.node.element_offset != element.offset)
    throw LayoutMismatch(fmt::format("{}'s element is not where its alignment puts it", node.name()));
  return facts;
}

// The most buckets a walk looks through: a table of more is garbage, whose scan for the next
// chain would crawl through gigabytes of zeros (tr1's largest prime bucket count is ~2^32).
constexpr std::uint64_t kMaxTr1Buckets = std::uint64_t{1} << 33;

// Cursor: `node` is the current node (0 before the first), `extra` its bucket.
std::optional<std::uintptr_t> tr1_next(const Value& container, const Tr1HashtableFacts& facts, Cursor& cursor) {
  const Memory& memory = memory_of(container);
  if (cursor.node != 0) {
    const auto link = add_address(cursor.node, facts.next.offset);
    if (!link) throw UnreadableMemory(cursor.node);
    if (const auto next = read_as<std::uintptr_t>(memory, *link); next != 0) {
      cursor.node = next;
      ++cursor.index;
      return next;
    }
    ++cursor.extra;
  }
  const std::uint64_t bucket_count = read_unsigned(member(container, facts.bucket_count));
  if (bucket_count > kMaxTr1Buckets)
    throw LayoutMismatch(fmt::format("the table records {} buckets: its memory is not a hash table's", bucket_count));
  const std::uintptr_t buckets = read_pointer(member(container, facts.buckets));
  for (; cursor.extra < bucket_count; ++cursor.extra) {
    const auto slot = add_address(buckets, cursor.extra * sizeof(std::uintptr_t));
    if (!slot) throw UnreadableMemory(buckets);
    if (const auto head = read_as<std::uintptr_t>(memory, *slot); head != 0) {
      cursor.node = head;
      ++cursor.index;
      return head;
    }
  }
  return std::nullopt;
}

class Tr1UnorderedSet final : public SequenceProvider {
 public:
  Type element_type(const Value& value) const override { return Type(*facts(value).node.element); }
  std::optional<std::size_t> size(const Value& value) const override {
    return read_unsigned(member(value, facts(value).count));
  }
  Cursor begin(const Value&) const override { return {}; }
  std::optional<Value> next(const Value& value, Cursor& cursor) const override {
    const Tr1HashtableFacts& table = facts(value);
    const auto node = tr1_next(value, table, cursor);
    if (!node) return std::nullopt;
    return element_in_node(table.node, *node);
  }

 private:
  const Tr1HashtableFacts& facts(const Value& value) const {
    return facts_of<Tr1HashtableFacts>(value, *this, [](const Value& set) { return tr1_hashtable_facts(set, false); });
  }
};

class Tr1UnorderedMap final : public MapProvider {
 public:
  Type key_type(const Value& value) const override { return Type(template_type(concrete_of(value), 0)); }
  Type mapped_type(const Value& value) const override { return Type(template_type(concrete_of(value), 1)); }
  std::optional<std::size_t> size(const Value& value) const override {
    return read_unsigned(member(value, facts(value).count));
  }
  Cursor begin(const Value&) const override { return {}; }
  std::optional<MapEntry> next(const Value& value, Cursor& cursor) const override {
    const Tr1HashtableFacts& table = facts(value);
    const auto node = tr1_next(value, table, cursor);
    if (!node) return std::nullopt;
    return entry_in_node(table.node, *node);
  }

 private:
  const Tr1HashtableFacts& facts(const Value& value) const {
    return facts_of<Tr1HashtableFacts>(value, *this, [](const Value& map) { return tr1_hashtable_facts(map, true); });
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
  static const Tr1UnorderedSet tr1_set;
  static const Tr1UnorderedMap tr1_map;
  out.push_back({Library::LibStdCxx, "tr1::unordered_set", &tr1_set});
  out.push_back({Library::LibStdCxx, "tr1::unordered_multiset", &tr1_set});
  out.push_back({Library::LibStdCxx, "tr1::unordered_map", &tr1_map});
  out.push_back({Library::LibStdCxx, "tr1::unordered_multimap", &tr1_map});
}

}  // namespace reflect::detail
