#include "layout.hpp"

#include <fmt/format.h>

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
