// std::unique_ptr and std::shared_ptr: what they point to.

#include "layout.hpp"

namespace reflect::detail {
namespace {

PointerProvider::Target target_of(const Value& pointer_member) {
  const TypeNode& pointer = concrete_of(pointer_member);
  const std::uintptr_t address = read_pointer(pointer_member);
  using State = PointerProvider::Target::State;
  return {Type(pointer.target->get()), address, address == 0 ? State::Null : State::Object};
}

class UniquePtr final : public PointerProvider {
 public:
  Target target(const Value& value) const override {
    // _M_t (__uniq_ptr_impl) -> _M_t (tuple<pointer, deleter>) -> _Head_base<0>::_M_head_impl;
    // the deleter's _M_head_impl is skipped by asking for a pointer.
    return target_of(member_if(member(value, "_M_t._M_t"), "_M_head_impl", is_pointer_node));
  }
};

class SharedPtr final : public PointerProvider {
 public:
  Target target(const Value& value) const override { return target_of(member_if(value, "_M_ptr", is_pointer_node)); }
};

}  // namespace

void libstdcxx_smart_pointers(std::vector<StandardProvider>& out) {
  static const UniquePtr unique;
  static const SharedPtr shared;
  out.push_back({Library::LibStdCxx, "unique_ptr", &unique});
  out.push_back({Library::LibStdCxx, "shared_ptr", &shared});
}

}  // namespace reflect::detail
