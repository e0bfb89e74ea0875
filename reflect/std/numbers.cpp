// std::complex: its real and imaginary parts, as the core shows a `_Complex` number.

#include "layout.hpp"

#include <fmt/format.h>

namespace reflect::detail {
namespace {

class StdComplex final : public TupleProvider {
 public:
  std::vector<Value> elements(const Value& value) const override {
    // libstdc++ keeps a `_Complex T` (_M_value) for float, double and long double; the core
    // already splits one into its two halves.
    const Value stored = member(value, "_M_value");
    if (concrete_of(stored).kind != Kind::Complex)
      throw LayoutMismatch(fmt::format("{}: _M_value is not a _Complex number", value.type().name()));
    const Tuple parts(stored);
    return {parts.begin(), parts.end()};
  }
};

}  // namespace

void libstdcxx_numbers(std::vector<StandardProvider>& out) {
  static const StdComplex complex;
  out.push_back({Library::LibStdCxx, "complex", &complex});
}

}  // namespace reflect::detail
