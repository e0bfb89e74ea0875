// std::list and std::forward_list: elements in nodes linked from a header inside the container.

#include "layout.hpp"

#include <fmt/format.h>

namespace reflect::detail {
namespace {

// Both lists' links start with the pointer to the next node (_List_node_base::_M_next,
// _Fwd_list_node_base::_M_next); the element follows the links in the node.
std::uintptr_t next_link(std::uintptr_t node) { return read_as<std::uintptr_t>(node); }

Value element_at(const Value& container, std::uintptr_t node, std::size_t links) {
  const TypeNode& element = template_type(concrete_of(container), 0);
  const std::size_t offset = node_element_offset(element, links);
  const auto at = add_address(node, offset);
  if (!at) throw UnreadableMemory(node);
  return value_at(element, *at);
}

class List final : public SequenceProvider {
 public:
  Type element_type(const Value& value) const override { return Type(template_type(concrete_of(value), 0)); }
  std::optional<std::size_t> size(const Value& value) const override {
    // The C++11 ABI's header counts the nodes; the old ABI's (-D_GLIBCXX_USE_CXX11_ABI=0) does
    // not, and the walk counts them.
    if (auto size = try_member(value, "_M_impl._M_node._M_size")) return read_unsigned(*size);
    static_cast<void>(header(value));  // the layout is checked even when there is no size
    return std::nullopt;
  }
  Cursor begin(const Value& value) const override {
    Cursor cursor;
    cursor.node = header(value);
    cursor.extra = cursor.node;
    return cursor;
  }
  std::optional<Value> next(const Value& value, Cursor& cursor) const override {
    const std::uintptr_t next = next_link(cursor.node);
    if (next == cursor.extra) return std::nullopt;  // back at the header: the end
    if (next == 0) throw UnreadableMemory(0);         // a list's links are never null
    cursor.node = next;
    ++cursor.index;
    return element_at(value, next, kLinks);
  }

 private:
  static constexpr std::size_t kLinks = 2 * sizeof(std::uintptr_t);  // _M_next, _M_prev
  static std::uintptr_t header(const Value& value) {
    const Value node = member(value, "_M_impl._M_node");
    static_cast<void>(member(node, "_M_next"));
    return address_of(node);
  }
};

class ForwardList final : public SequenceProvider {
 public:
  Type element_type(const Value& value) const override { return Type(template_type(concrete_of(value), 0)); }
  std::optional<std::size_t> size(const Value& value) const override {
    static_cast<void>(member(value, "_M_impl._M_head._M_next"));
    return std::nullopt;  // it records none
  }
  Cursor begin(const Value& value) const override {
    Cursor cursor;
    cursor.node = address_of(member(value, "_M_impl._M_head"));
    return cursor;
  }
  std::optional<Value> next(const Value& value, Cursor& cursor) const override {
    const std::uintptr_t next = next_link(cursor.node);
    if (next == 0) return std::nullopt;
    cursor.node = next;
    ++cursor.index;
    return element_at(value, next, sizeof(std::uintptr_t));
  }
};

}  // namespace

void libstdcxx_lists(std::vector<StandardProvider>& out) {
  static const List list;
  static const ForwardList forward_list;
  out.push_back({Library::LibStdCxx, "list", &list});
  out.push_back({Library::LibStdCxx, "forward_list", &forward_list});
}

}  // namespace reflect::detail
