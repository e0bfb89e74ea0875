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

std::optional<MemberAt> try_member_at(const Value& value, std::string_view path) {
  const std::optional<Value> found = try_member(value, path);
  if (!found) return std::nullopt;
  if (found->is_bitfield())  // a place in bytes cannot say it; no standard member read so is one
    throw LayoutMismatch(fmt::format("{}'s member {} is a bitfield", value.type().name(), path));
  return MemberAt{address_of(*found) - address_of(value), &found->type().node()};
}

MemberAt member_at(const Value& value, std::string_view path) {
  if (auto found = try_member_at(value, path)) return *found;
  missing(value, path);
}

Value member(const Value& object, const MemberAt& at) {
  const auto address = add_address(address_of(object), at.offset);
  if (!address) throw UnreadableMemory(address_of(object));
  return value_at(*at.type, *address);
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

NodeLayout node_layout(const TypeNode& element, std::size_t links, bool is_map) {
  NodeLayout layout;
  layout.element = &element;
  layout.element_offset = node_element_offset(element, links);
  if (is_map) {
    const Value pair = value_at(element, 0);  // only the pair's class is read
    layout.key = member_at(pair, "first");
    layout.mapped = member_at(pair, "second");
  }
  return layout;
}

std::size_t node_bytes(const NodeLayout& layout, std::size_t after) {
  const std::size_t align = std::max<std::size_t>(alignment_of(*layout.element), alignof(void*));
  const std::size_t end = layout.element_offset + layout.element->concrete().size;
  const std::size_t element_end = (end + align - 1) / align * align;
  return after == 0 ? element_end : (element_end + after + align - 1) / align * align;
}

Value element_in_node(const NodeLayout& layout, std::uintptr_t node) {
  const auto at = add_address(node, layout.element_offset);
  if (!at) throw UnreadableMemory(node);
  return value_at(*layout.element, *at);
}

MapEntry entry_in_node(const NodeLayout& layout, std::uintptr_t node) {
  const Value pair = element_in_node(layout, node);
  return MapEntry(member(pair, layout.key), member(pair, layout.mapped));
}

}  // namespace reflect::detail
