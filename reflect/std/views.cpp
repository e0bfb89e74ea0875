// std::span and std::initializer_list: a pointer to contiguous elements and their number.

#include "layout.hpp"

#include <fmt/format.h>

namespace reflect::detail {
namespace {

class Span final : public SequenceProvider {
 public:
  Type element_type(const Value& value) const override { return Type(template_type(concrete_of(value), 0)); }
  std::optional<std::size_t> size(const Value& value) const override {
    // A dynamic extent is stored; a static one is only the template argument (its
    // __extent_storage is empty).
    if (auto stored = try_member(value, "_M_extent._M_extent_value")) return read_unsigned(*stored);
    const TypeNode& type = concrete_of(value);
    const std::optional<std::int64_t> extent = template_value(type, 1);
    if (!extent || *extent < 0) throw LayoutMismatch(fmt::format("{} records no extent", type.name()));
    return static_cast<std::size_t>(*extent);
  }
  std::optional<std::uint64_t> contiguous_data(const Value& value) const override {
    return read_pointer(member(value, "_M_ptr"));
  }
};

class InitializerList final : public SequenceProvider {
 public:
  Type element_type(const Value& value) const override { return Type(template_type(concrete_of(value), 0)); }
  std::optional<std::size_t> size(const Value& value) const override { return read_unsigned(member(value, "_M_len")); }
  std::optional<std::uint64_t> contiguous_data(const Value& value) const override {
    return read_pointer(member(value, "_M_array"));
  }
};

}  // namespace

void libstdcxx_views(std::vector<StandardProvider>& out) {
  static const Span span;
  static const InitializerList list;
  out.push_back({Library::LibStdCxx, "span", &span});
  out.push_back({Library::LibStdCxx, "initializer_list", &list});
}

}  // namespace reflect::detail
