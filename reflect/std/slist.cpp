// __gnu_cxx::slist (<ext/slist>), the SGI singly linked list: its elements, in order, like a
// std::forward_list's (it records no size either).

#include "layout.hpp"

namespace reflect::detail {
namespace {

// _Slist_base::_M_head (_Slist_node_base, whose _M_next is the first node); an _Slist_node<T> is
// that one link followed by its _M_data.
class Slist final : public SequenceProvider {
 public:
  Type element_type(const Value& value) const override { return Type(template_type(concrete_of(value), 0)); }
  std::optional<std::size_t> size(const Value& value) const override {
    static_cast<void>(member(value, "_M_head._M_next"));  // the layout is checked even with no size
    return std::nullopt;
  }
  Cursor begin(const Value& value) const override {
    Cursor cursor;
    cursor.node = address_of(member(value, "_M_head"));
    return cursor;
  }
  std::optional<Value> next(const Value& value, Cursor& cursor) const override {
    const auto next = read_as<std::uintptr_t>(cursor.node);
    if (next == 0) return std::nullopt;
    cursor.node = next;
    ++cursor.index;
    return node_element(template_type(concrete_of(value), 0), next, kNextNodeLinks);
  }
};

}  // namespace

void libstdcxx_slist(std::vector<StandardProvider>& out) {
  static const Slist slist;
  out.push_back({Library::LibStdCxx, "__gnu_cxx::slist", &slist});
}

}  // namespace reflect::detail
