// std::optional (libstdc++): the value, when engaged.

#include "../value_access.hpp"
#include "std_view.hpp"

namespace reflect::detail {
namespace {

class StdOptional final : public StdView {
 public:
  Shape shape() const override { return Shape::Optional; }
  bool matches(const TypeNode& type) const override { return type.template_name() == "std::optional"; }
  std::optional<Value> optional(const Value& value) const override {
    // _Optional_base::_M_payload (_Optional_payload) holds _M_engaged and the storage union
    // _M_payload, whose _M_value is the object.
    Value payload = require_member(value, "_M_payload");
    if (read_unsigned(require_member(payload, "_M_engaged")) == 0) return std::nullopt;
    Value storage = require_member(payload, "_M_payload");
    return require_member(storage, "_M_value");
  }
};

}  // namespace

const StdView& optional_family_optional() {
  static const StdOptional view;
  return view;
}

}  // namespace reflect::detail
