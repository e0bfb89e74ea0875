// std::basic_string and std::basic_string_view (libstdc++).

#include "../value_access.hpp"
#include "std_view.hpp"

namespace reflect::detail {
namespace {

class BasicString final : public StdView {
 public:
  Shape shape() const override { return Shape::String; }
  bool matches(const TypeNode& type) const override { return type.template_name() == "std::basic_string"; }
  StringAccess string(const Value& value) const override {
    const TypeNode* ch = template_type_argument(concrete_of(value), 0);
    std::uintptr_t data = read_pointer(require_member(require_member(value, "_M_dataplus"), "_M_p"));
    std::size_t size = read_unsigned(require_member(value, "_M_string_length"));
    if (!ch) throw UnreadableMemory(address_of(value));
    return {&ch->concrete(), data, size};
  }
};

class BasicStringView final : public StdView {
 public:
  Shape shape() const override { return Shape::String; }
  bool matches(const TypeNode& type) const override { return type.template_name() == "std::basic_string_view"; }
  StringAccess string(const Value& value) const override {
    const TypeNode* ch = template_type_argument(concrete_of(value), 0);
    std::uintptr_t data = read_pointer(require_member(value, "_M_str"));
    std::size_t size = read_unsigned(require_member(value, "_M_len"));
    if (!ch) throw UnreadableMemory(address_of(value));
    return {&ch->concrete(), data, size};
  }
};

}  // namespace

const StdView& string_view_family_basic_string() {
  static const BasicString view;
  return view;
}
const StdView& string_view_family_string_view() {
  static const BasicStringView view;
  return view;
}

}  // namespace reflect::detail
