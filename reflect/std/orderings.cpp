// std::partial_ordering, std::weak_ordering, std::strong_ordering: the constant each one is,
// `std::strong_ordering::less`, at every level (JSON: that name as a string).

#include "layout.hpp"

#include <fmt/format.h>

namespace reflect::detail {
namespace {

// <compare> keeps the result in _M_value (__cmp_cat::type, a signed char): less -1,
// equivalent 0 (strong_ordering's `equal`, of the same value, is the name it prints by, as
// gdb's printer does), greater 1, partial_ordering's unordered 2.
std::string_view constant_name(std::string_view ordering, int value) {
  switch (value) {
    case -1: return "less";
    case 0: return ordering == "std::strong_ordering" ? "equal" : "equivalent";
    case 1: return "greater";
    case 2: return ordering == "std::partial_ordering" ? "unordered" : "";
    default: return "";
  }
}

class Ordering final : public OptionalProvider {
 public:
  // Walked as its _M_value.
  std::optional<Value> held(const Value& value) const override { return member(value, "_M_value"); }
  std::optional<Presentation> present(const Value& value) const override {
    const std::string_view ordering = concrete_of(value).template_name();
    const int raw = static_cast<signed char>(read_raw_bits(member(value, "_M_value")));
    const std::string_view name = constant_name(ordering, raw);
    Presentation shown;
    shown.shape = Presentation::Shape::Bare;
    // A value none of the constants has: garbage memory, said so in place.
    shown.token = name.empty() ? fmt::format("<invalid {} {}>", ordering, raw) : fmt::format("{}::{}", ordering, name);
    return shown;
  }
};

}  // namespace

void libstdcxx_orderings(std::vector<StandardProvider>& out) {
  static const Ordering ordering;
  for (std::string_view name : {"partial_ordering", "weak_ordering", "strong_ordering"})
    out.push_back({Library::LibStdCxx, name, &ordering});
}

}  // namespace reflect::detail
