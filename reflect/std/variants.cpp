// std::variant: the active alternative, read from the index and the storage union.

#include "layout.hpp"

#include <fmt/format.h>

namespace reflect::detail {
namespace {

class StdVariant final : public VariantProvider {
 public:
  std::optional<std::size_t> index(const Value& value) const override {
    // _Variant_storage::_M_index is the smallest unsigned type that holds every index and
    // variant_npos converted to it (all ones): unsigned char for fewer than 255 alternatives.
    Value stored = member(value, "_M_index");
    const std::size_t bytes = concrete_of(stored).size;
    if (bytes == 0 || bytes > 8) throw LayoutMismatch(fmt::format("{}: _M_index has {} bytes", value.type().name(), bytes));
    const std::uint64_t npos = bytes == 8 ? UINT64_MAX : (std::uint64_t{1} << (8 * bytes)) - 1;
    const std::uint64_t raw = read_unsigned(stored);
    if (raw == npos) return std::nullopt;
    const std::size_t alternatives = concrete_of(value).template_args.size();
    // Garbage, not a layout of another library version: the raw members show what is there.
    if (raw >= alternatives)
      throw Error(fmt::format("the index {} names no alternative of {} (it has {})", raw, value.type().name(), alternatives));
    return static_cast<std::size_t>(raw);
  }

  std::optional<Value> active(const Value& value) const override {
    const std::optional<std::size_t> at = index(value);
    if (!at) return std::nullopt;
    // Every alternative of the storage union (_Variadic_union: _M_first, _M_rest._M_first, ...)
    // starts at its address: the _Uninitialized wrapper holds the object at offset 0.
    const Value storage = member(value, "_M_u");
    return value_at(template_type(concrete_of(value), *at), address_of(storage));
  }
  Ownership ownership(const Value&) const override { return owning(); }  // held in place
};

}  // namespace

void libstdcxx_variants(std::vector<StandardProvider>& out) {
  static const StdVariant variant;
  out.push_back({Library::LibStdCxx, "variant", &variant});
}

}  // namespace reflect::detail
