// std::any and std::function (libstdc++): the object they hold, of its real type. Both keep a
// pointer to a manager function that is a member of a class template instantiated for the held
// type, so that function's debug info names the type: the anchor idea again, no name matching.

#include "layout.hpp"

#include <fmt/format.h>

namespace reflect::detail {
namespace {

// A held object outside the holder's own bytes is a block of its own.
Ownership held_ownership(const Value& holder, const std::optional<Value>& held) {
  Ownership owned = owning();
  if (!held) return owned;
  const std::uintptr_t at = address_of(*held), holder_at = address_of(holder);
  if (at < holder_at || at >= holder_at + concrete_of(holder).size) owned.blocks.push_back({at, concrete_of(*held).size});
  return owned;
}

const TypeNode& manager_class(const Value& holder, std::uintptr_t manager) {
  const TypeNode* cls = registry_of(holder).class_of_function(manager);
  if (cls == nullptr)
    throw Error(fmt::format("reflect: the manager function {:#x} of this {} has no debug info; build the code that "
                            "stored the value with -g",
                            manager, holder.type().name()));
  return cls->concrete();
}

// std::any, and the Library Fundamentals TS's std::experimental::any, which has the same members
// and managers.
class StdAny final : public OptionalProvider {
 public:
  explicit StdAny(std::string_view empty_text) : empty_text_(empty_text) {}
  std::string_view empty_text() const override { return empty_text_; }
  Naming content_naming() const override { return Naming::AtTop; }
  std::optional<Value> held(const Value& value) const override {
    std::uintptr_t manager = read_pointer(member(value, "_M_manager"));
    if (manager == 0) return std::nullopt;
    // std::any::_Manager_internal<T>::_S_manage (T in the buffer) or _Manager_external<T> (T on the heap).
    const TypeNode& cls = manager_class(value, manager);
    const TypeNode& held = template_type(cls, 0);
    Value storage = member(value, "_M_storage");
    bool in_place = cls.template_name().ends_with("_Manager_internal");
    std::uintptr_t at = in_place ? address_of(storage) : read_pointer(storage);
    return value_at(held, at);
  }
  Ownership ownership(const Value& value) const override { return held_ownership(value, held(value)); }

 private:
  std::string_view empty_text_;
};

// libstdc++ keeps a functor in place when it is trivially copyable and fits the 16-byte
// buffer, else on the heap. DWARF does not say "trivially copyable": a class with no
// user-declared destructor whose members and bases qualify is taken to be.
bool trivially_copyable(const TypeNode& type, int depth = 0) {
  const TypeNode& t = type.concrete();
  if (depth > 16) return false;
  switch (t.kind) {
    case Kind::Array: return t.element && trivially_copyable(*t.element, depth + 1);
    case Kind::Struct: case Kind::Union:
      if (t.is_declaration || t.has_user_destructor) return false;
      for (const BaseNode& base : t.bases)
        if (base.is_virtual || !trivially_copyable(base.type.get(), depth + 1)) return false;
      for (const MemberNode& member : t.members)
        if (!trivially_copyable(member.type.get(), depth + 1)) return false;
      return true;
    default: return true;
  }
}

class StdFunction final : public OptionalProvider {
 public:
  std::string_view empty_text() const override { return "nullptr"; }
  Naming content_naming() const override { return Naming::Always; }
  std::optional<Value> held(const Value& value) const override {
    std::uintptr_t manager = read_pointer(member(value, "_M_manager"));
    if (manager == 0) return std::nullopt;
    // std::_Function_handler<Signature, Functor>::_M_manager, or the inherited
    // std::_Function_base::_Base_manager<Functor>::_M_manager.
    const TypeNode& cls = manager_class(value, manager);
    const TypeNode& functor =
        cls.template_name() == "std::_Function_handler" ? template_type(cls, 1) : template_type(cls, 0);
    Value storage = member(value, "_M_functor");
    const TypeNode& f = functor.concrete();
    bool in_place = f.size <= 16 && trivially_copyable(f);
    std::uintptr_t at = in_place ? address_of(storage) : read_pointer(storage);
    return value_at(functor, at);
  }
  Ownership ownership(const Value& value) const override { return held_ownership(value, held(value)); }
};

}  // namespace

void libstdcxx_erased(std::vector<StandardProvider>& out) {
  static const StdAny any("std::any{}");
  static const StdAny experimental_any("std::experimental::any{}");
  static const StdFunction function;
  out.push_back({Library::LibStdCxx, "any", &any});
  out.push_back({Library::LibStdCxx, "experimental::any", &experimental_any});
  out.push_back({Library::LibStdCxx, "function", &function});
}

}  // namespace reflect::detail
