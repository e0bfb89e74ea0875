// std::_Node_handle, what extract() takes out of a set, map or unordered container: like an
// optional, the element of the node it owns (a set's key, a map's {key, value} pair), or
// nothing (`{}`) when empty.

#include "layout.hpp"

#include <fmt/format.h>

namespace reflect::detail {
namespace {

// _Node_handle<Key, Value, NodeAlloc> (a set's: Key = Value) derives from _Node_handle_common,
// whose _M_ptr owns the node, a _Rb_tree_node<Value> or a __detail::_Hash_node<Value, ...>, or
// is null.
class NodeHandle final : public OptionalProvider {
 public:
  std::optional<Value> held(const Value& handle) const override {
    const Value pointer = member_if(handle, "_M_ptr", is_pointer_node);
    const std::uintptr_t node = read_pointer(pointer);
    if (node == 0) return std::nullopt;
    const TypeNode& value = template_type(concrete_of(handle), 1);
    return node_element(value, node, links_of(concrete_of(pointer).target->get().concrete()));
  }
  // Empty: `Type{}` at the top level, `{}` nested (JSON null), as a class with nothing in it.
  std::optional<Presentation> present(const Value& handle) const override {
    if (read_pointer(member_if(handle, "_M_ptr", is_pointer_node)) != 0) return std::nullopt;
    return Presentation{};
  }

 private:
  static std::size_t links_of(const TypeNode& node) {
    const std::string_view name = node.template_name();
    if (name.ends_with("::_Rb_tree_node")) return kTreeNodeLinks;
    if (name.ends_with("::_Hash_node")) return kNextNodeLinks;
    throw LayoutMismatch(fmt::format("a node handle owns a {}, which is not a node reflect knows", node.name()));
  }
};

}  // namespace

void libstdcxx_node_handles(std::vector<StandardProvider>& out) {
  static const NodeHandle node_handle;
  out.push_back({Library::LibStdCxx, "_Node_handle", &node_handle});
}

}  // namespace reflect::detail
