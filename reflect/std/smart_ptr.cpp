// std::unique_ptr and std::shared_ptr (libstdc++): what they point to.

#include "../value_access.hpp"
#include "std_view.hpp"

namespace reflect::detail {
namespace {

PointerAccess pointer_member(const Value& holder) {
  const TypeNode& type = concrete_of(holder);
  const TypeNode& pointer = type.target->get();
  return {&pointer, read_pointer(holder)};
}

class UniquePtr final : public StdView {
 public:
  Shape shape() const override { return Shape::Pointer; }
  bool matches(const TypeNode& type) const override { return type.template_name() == "std::unique_ptr"; }
  PointerAccess pointer(const Value& value) const override {
    // _M_t (__uniq_ptr_impl) -> _M_t (tuple<pointer, deleter>) -> _Head_base<0>::_M_head_impl;
    // the deleter's _M_head_impl is skipped by asking for a pointer.
    Value tuple = require_member(require_member(value, "_M_t"), "_M_t");
    return pointer_member(require_member(tuple, "_M_head_impl", is_pointer_node));
  }
};

class SharedPtr final : public StdView {
 public:
  Shape shape() const override { return Shape::Pointer; }
  bool matches(const TypeNode& type) const override { return type.template_name() == "std::shared_ptr"; }
  PointerAccess pointer(const Value& value) const override {
    return pointer_member(require_member(value, "_M_ptr", is_pointer_node));
  }
};

}  // namespace

const StdView& smart_ptr_family_unique_ptr() {
  static const UniquePtr view;
  return view;
}
const StdView& smart_ptr_family_shared_ptr() {
  static const SharedPtr view;
  return view;
}

}  // namespace reflect::detail
