// std::optional: the value, when engaged.

#include "layout.hpp"

namespace reflect::detail {
namespace {

class StdOptional final : public OptionalProvider {
 public:
  std::optional<Value> held(const Value& value) const override {
    // _Optional_base::_M_payload (_Optional_payload) holds _M_engaged and the storage union
    // _M_payload, whose _M_value is the object.
    Value payload = member(value, "_M_payload");
    if (read_unsigned(member(payload, "_M_engaged")) == 0) return std::nullopt;
    return member(payload, "_M_payload._M_value");
  }
};

}  // namespace

void libstdcxx_holders(std::vector<StandardProvider>& out) {
  static const StdOptional optional;
  out.push_back({Library::LibStdCxx, "optional", &optional});
}

}  // namespace reflect::detail
