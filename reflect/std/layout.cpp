#include "layout.hpp"

#include "../../dwarf/names.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <unordered_map>

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
  switch (type.kind) {
    case Kind::Array: return type.element ? alignment_at(*type.element, depth + 1) : 1;
    case Kind::Complex: return std::clamp<std::size_t>(type.size / 2, 1, 16);
    case Kind::MemberPointer: return 8;
    case Kind::Struct: case Kind::Union: {
      std::size_t most = type.is_polymorphic() ? 8 : 1;
      for (const BaseNode& base : type.bases) most = std::max(most, alignment_at(base.type.get(), depth + 1));
      for (const MemberNode& member : type.members) most = std::max(most, alignment_at(member.type.get(), depth + 1));
      return most;
    }
    default: return std::clamp<std::size_t>(type.size, 1, 16);
  }
}

struct OffsetCache {
  std::mutex mutex;
  std::unordered_map<const TypeNode*, std::size_t> offsets;
};

}  // namespace

std::size_t alignment_of(const TypeNode& type) { return alignment_at(type, 0); }

std::size_t node_element_offset(const TypeNode& container, std::initializer_list<std::string_view> node_names,
                                const TypeNode& element, std::size_t links, std::uintptr_t preferred) {
  // Asked once per element: the last answer of this thread is kept without a lock.
  thread_local const TypeNode* last_container = nullptr;
  thread_local std::size_t last_offset = 0;
  if (last_container == &container) return last_offset;
  static OffsetCache* cache = new OffsetCache();  // never destroyed: printing may run during exit
  {
    std::lock_guard lock(cache->mutex);
    if (auto it = cache->offsets.find(&container); it != cache->offsets.end()) {
      last_container = &container;
      return last_offset = it->second;
    }
  }
  std::optional<std::size_t> offset;
  for (std::string_view pattern : node_names) {
    const std::string name = fmt::format(fmt::runtime(pattern), element.name());
    const TypeNode* node = Registry::instance().find_type(dwarf::normalize_name(name), preferred);
    if (node == nullptr || node->concrete().kind != Kind::Struct || node->concrete().is_declaration) continue;
    // Offsets only: no memory is read at this made-up address.
    constexpr std::uintptr_t kOrigin = 0x10000;
    if (auto storage = find_member(value_at(node->concrete(), kOrigin), "_M_storage")) {
      offset = address_of(*storage) - kOrigin;
      break;
    }
  }
  if (!offset) {
    const std::size_t align = alignment_of(element);
    offset = (links + align - 1) / align * align;
  }
  std::lock_guard lock(cache->mutex);
  cache->offsets.emplace(&container, *offset);
  last_container = &container;
  return last_offset = *offset;
}

}  // namespace reflect::detail
