// std::unique_ptr, std::shared_ptr and std::weak_ptr (and TR1's): what they point to; for the
// array forms (`T[]`), only where the elements start, since nothing records how many there are.

#include "layout.hpp"

namespace reflect::detail {
namespace {

using State = PointerProvider::Target::State;

// `unique_ptr<T[]>`, `shared_ptr<T[]>`: the class's first template argument is an array type.
bool to_array(const Value& smart) {
  const TypeNode& type = concrete_of(smart);
  return !type.template_args.empty() && type.template_args[0].type &&
         type.template_args[0].type->get().concrete().kind == Kind::Array;
}

PointerProvider::Target target_of(const Value& smart, const Value& pointer_member) {
  const TypeNode& pointer = concrete_of(pointer_member);
  const std::uintptr_t address = read_pointer(pointer_member);
  const State state = address == 0 ? State::Null : to_array(smart) ? State::Array : State::Object;
  return {Type(pointer.target->get()), address, state};
}

// The object a pointer owns, of its dynamic type, as one block (an array's size is not known).
std::vector<Ownership::Block> object_block(const PointerProvider::Target& target) {
  if (target.state != State::Object) return {};
  const Value object = Value(target.pointee, reinterpret_cast<const void*>(target.address)).dynamic();
  return {{reinterpret_cast<std::uintptr_t>(object.address()), concrete_of(object).size}};
}

class UniquePtr final : public PointerProvider {
 public:
  Target target(const Value& value) const override {
    // _M_t (__uniq_ptr_impl) -> _M_t (tuple<pointer, deleter>) -> _Head_base<0>::_M_head_impl;
    // the deleter's _M_head_impl is skipped by asking for a pointer.
    return target_of(value, member_if(member(value, "_M_t._M_t"), "_M_head_impl", is_pointer_node));
  }
  Ownership ownership(const Value& value) const override {
    return owning(object_block(target(value)));
  }
};

class SharedPtr final : public PointerProvider {
 public:
  Target target(const Value& value) const override {
    return target_of(value, member_if(value, "_M_ptr", is_pointer_node));
  }
  // The control block (_M_refcount._M_pi), of its dynamic type: make_shared's holds the object
  // (_Sp_counted_ptr_inplace); otherwise the object is a block of its own. Each block counts
  // once however many shared_ptrs own it.
  Ownership ownership(const Value& value) const override {
    Ownership owned = owning();
    const Target object = target(value);
    const Value control = member_if(member(value, "_M_refcount"), "_M_pi", is_pointer_node);
    const std::uintptr_t block = read_pointer(control);
    if (block == 0) return owned;
    const Value counts = Value(Type(concrete_of(control).target->get()), reinterpret_cast<const void*>(block)).dynamic();
    const std::size_t block_size = concrete_of(counts).size;
    owned.blocks.push_back({reinterpret_cast<std::uintptr_t>(counts.address()), block_size});
    if (object.state == State::Object && !(object.address >= block && object.address < block + block_size))
      for (const Ownership::Block& b : object_block(object)) owned.blocks.push_back(b);
    return owned;
  }
};

// __weak_ptr: _M_ptr, kept after the object is gone, and _M_refcount (__weak_count), whose
// _M_pi is the control block (_Sp_counted_base) with the count of owners, _M_use_count.
class WeakPtr final : public PointerProvider {
 public:
  Target target(const Value& value) const override {
    Target target = target_of(value, member_if(value, "_M_ptr", is_pointer_node));
    const Value control = member_if(member(value, "_M_refcount"), "_M_pi", is_pointer_node);
    const std::uintptr_t block = read_pointer(control);
    if (block == 0) {  // never shared an object: empty
      target.state = State::Null;
      return target;
    }
    const Value counts = value_at(concrete_of(control).target->get(), block);
    if (read_unsigned(member(counts, "_M_use_count")) == 0) target.state = State::Expired;
    return target;
  }
};

// std::reference_wrapper: _M_data, a pointer to the referred object.
class ReferenceWrapper final : public PointerProvider {
 public:
  Target target(const Value& value) const override {
    return target_of(value, member_if(value, "_M_data", is_pointer_node));
  }
};

}  // namespace

void libstdcxx_smart_pointers(std::vector<StandardProvider>& out) {
  static const UniquePtr unique;
  static const SharedPtr shared;
  static const WeakPtr weak;
  static const ReferenceWrapper reference;
  out.push_back({Library::LibStdCxx, "unique_ptr", &unique});
  out.push_back({Library::LibStdCxx, "shared_ptr", &shared});
  out.push_back({Library::LibStdCxx, "weak_ptr", &weak});
  // TR1's (tr1/shared_ptr.h) have the same members: _M_ptr, _M_refcount._M_pi->_M_use_count.
  out.push_back({Library::LibStdCxx, "tr1::shared_ptr", &shared});
  out.push_back({Library::LibStdCxx, "tr1::weak_ptr", &weak});
  out.push_back({Library::LibStdCxx, "reference_wrapper", &reference});
}

}  // namespace reflect::detail
