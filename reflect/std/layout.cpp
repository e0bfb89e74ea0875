#include "layout.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace reflect::detail {

namespace {

[[noreturn]] void missing(const Value& value, std::string_view path) {
  throw LayoutMismatch(fmt::format("{} has no member {} where the {} view expects it", value.type().name(), path,
                                   concrete_of(value).template_name()));
}

std::optional<Value> follow(const Value& value, std::string_view path) {
  Value at = value;
  while (!path.empty()) {
    std::size_t dot = path.find('.');
    std::string_view name = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    auto next = find_member(at, name);
    if (!next) return std::nullopt;
    at = *next;
  }
  return at;
}

}  // namespace

std::optional<Value> try_member(const Value& value, std::string_view path) {
  while (true) {
    std::size_t bar = path.find('|');
    if (auto found = follow(value, path.substr(0, bar))) return found;
    if (bar == std::string_view::npos) return std::nullopt;
    path.remove_prefix(bar + 1);
  }
}

Value member(const Value& value, std::string_view path) {
  if (auto found = try_member(value, path)) return *found;
  missing(value, path);
}

Value member_if(const Value& value, std::string_view name, bool (*accept)(const TypeNode&)) {
  if (auto found = find_member(value, name, accept)) return *found;
  missing(value, name);
}

const TypeNode& template_type(const TypeNode& type, std::size_t index) {
  if (index >= type.template_args.size() || !type.template_args[index].type)
    throw LayoutMismatch(fmt::format("{} has no template type argument {} in its debug info", type.name(), index));
  return type.template_args[index].type->get();
}

std::optional<std::int64_t> template_value(const TypeNode& type, std::size_t index) {
  if (index >= type.template_args.size()) return std::nullopt;
  return type.template_args[index].value;
}

}  // namespace reflect::detail

namespace reflect::detail {

namespace {

std::size_t alignment_at(const TypeNode& node, std::size_t depth) {
  const TypeNode& type = node.concrete();
  if (depth > 64) return 8;
  // alignas raises a type's alignment above its members' (DW_AT_alignment).
  const std::size_t asked = std::max<std::size_t>(std::max(node.alignment, type.alignment), 1);
  switch (type.kind) {
    case Kind::Array: return std::max(asked, type.element ? alignment_at(*type.element, depth + 1) : 1);
    case Kind::Complex: return std::max(asked, std::clamp<std::size_t>(type.size / 2, 1, 16));
    case Kind::MemberPointer: return std::max<std::size_t>(asked, 8);
    case Kind::Struct: case Kind::Union: {
      std::size_t most = std::max<std::size_t>(asked, type.is_polymorphic() ? 8 : 1);
      for (const BaseNode& base : type.bases) most = std::max(most, alignment_at(base.type.get(), depth + 1));
      for (const MemberNode& member : type.members) most = std::max(most, alignment_at(member.type.get(), depth + 1));
      return most;
    }
    default: return std::max(asked, std::clamp<std::size_t>(type.size, 1, 16));
  }
}

}  // namespace

std::size_t alignment_of(const TypeNode& type) { return alignment_at(type, 0); }

std::size_t node_element_offset(const TypeNode& element, std::size_t links) {
  // The node type itself (`std::_Rb_tree_node<V>`) would say it too, but finding it by name
  // can build the module's whole name index, which the first print must not pay for.
  const std::size_t align = alignment_of(element);
  return (links + align - 1) / align * align;
}

}  // namespace reflect::detail

namespace reflect::detail {

Value node_element(const TypeNode& element, std::uintptr_t node, std::size_t links) {
  const auto at = add_address(node, node_element_offset(element, links));
  if (!at) throw UnreadableMemory(node);
  return value_at(element, *at);
}

}  // namespace reflect::detail
