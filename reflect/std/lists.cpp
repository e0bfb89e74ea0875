// std::list, std::forward_list and __gnu_cxx::slist: elements in nodes linked from a header inside the container.

#include "layout.hpp"

#include <fmt/format.h>

namespace reflect::detail {
namespace {

// Both lists' links start with the pointer to the next node (_List_node_base::_M_next,
// _Fwd_list_node_base::_M_next); the element follows the links in the node.
std::uintptr_t next_link(const Memory& memory, std::uintptr_t node) { return read_as<std::uintptr_t>(memory, node); }

struct ListFacts final : ProviderFacts {
  NodeLayout node;
  MemberAt head;                   // the header node
  std::optional<MemberAt> size;    // the C++11 ABI's list counts its nodes
};

class List final : public SequenceProvider {
 public:
  Type element_type(const Value& value) const override { return Type(*facts(value).node.element); }
  std::optional<std::size_t> size(const Value& value) const override {
    // The old ABI's header (-D_GLIBCXX_USE_CXX11_ABI=0) records no size: the walk counts.
    const ListFacts& list = facts(value);
    if (!list.size) return std::nullopt;
    return read_unsigned(member(value, *list.size));
  }
  Cursor begin(const Value& value) const override {
    Cursor cursor;
    cursor.node = address_of(member(value, facts(value).head));
    cursor.extra = cursor.node;
    return cursor;
  }
  std::optional<Value> next(const Value& value, Cursor& cursor) const override {
    const std::uintptr_t next = next_link(memory_of(value), cursor.node);
    if (next == cursor.extra) return std::nullopt;  // back at the header: the end
    if (next == 0) throw UnreadableMemory(0);         // a list's links are never null
    cursor.node = next;
    ++cursor.index;
    return element_in_node(facts(value).node, next);
  }
  Ownership ownership(const Value& value) const override {
    return owning({}, node_bytes(facts(value).node));
  }

 private:
  const ListFacts& facts(const Value& value) const {
    return facts_of<ListFacts>(value, *this, [](const Value& list) {
      ListFacts facts;
      facts.node = node_layout(template_type(concrete_of(list), 0), kListNodeLinks, false);
      facts.head = member_at(list, "_M_impl._M_node");
      static_cast<void>(member_at(member(list, facts.head), "_M_next"));
      facts.size = try_member_at(list, "_M_impl._M_node._M_size");
      return facts;
    });
  }
};

// std::forward_list, and __gnu_cxx::slist (<ext/slist>), the SGI singly linked list laid out
// the same way: a head link (`head`, a _Fwd_list_node_base or _Slist_node_base) whose _M_next
// is the first node, and no recorded size.
class ForwardList final : public SequenceProvider {
 public:
  explicit ForwardList(std::string_view head) : head_(head) {}
  Type element_type(const Value& value) const override { return Type(*facts(value).node.element); }
  std::optional<std::size_t> size(const Value& value) const override {
    static_cast<void>(facts(value));  // the layout is checked even though it records no size
    return std::nullopt;
  }
  Cursor begin(const Value& value) const override {
    Cursor cursor;
    cursor.node = address_of(member(value, facts(value).head));
    return cursor;
  }
  std::optional<Value> next(const Value& value, Cursor& cursor) const override {
    const std::uintptr_t next = next_link(memory_of(value), cursor.node);
    if (next == 0) return std::nullopt;
    cursor.node = next;
    ++cursor.index;
    return element_in_node(facts(value).node, next);
  }
  Ownership ownership(const Value& value) const override {
    return owning({}, node_bytes(facts(value).node));
  }

 private:
  struct ForwardListFacts final : ProviderFacts {
    NodeLayout node;
    MemberAt head;
  };
  const ForwardListFacts& facts(const Value& value) const {
    return facts_of<ForwardListFacts>(value, *this, [this](const Value& list) {
      ForwardListFacts facts;
      facts.node = node_layout(template_type(concrete_of(list), 0), kNextNodeLinks, false);
      facts.head = member_at(list, head_);
      static_cast<void>(member_at(member(list, facts.head), "_M_next"));
      return facts;
    });
  }
  std::string_view head_;
};

}  // namespace

void libstdcxx_lists(std::vector<StandardProvider>& out) {
  static const List list;
  static const ForwardList forward_list("_M_impl._M_head");
  static const ForwardList slist("_M_head");
  out.push_back({Library::LibStdCxx, "list", &list});
  out.push_back({Library::LibStdCxx, "forward_list", &forward_list});
  out.push_back({Library::LibStdCxx, "__gnu_cxx::slist", &slist});
}

}  // namespace reflect::detail
