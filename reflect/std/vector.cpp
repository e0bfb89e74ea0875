// std::vector and std::array (libstdc++): their elements, not their members.

#include "../value_access.hpp"
#include "std_view.hpp"

namespace reflect::detail {
namespace {

class Vector final : public StdView {
 public:
  Shape shape() const override { return Shape::Sequence; }
  bool matches(const TypeNode& type) const override {
    if (type.template_name() != "std::vector") return false;
    const TypeNode* element = template_type_argument(type, 0);
    return element && element->concrete().kind != Kind::Bool;  // vector<bool> packs bits
  }
  SequenceAccess sequence(const Value& value) const override {
    const TypeNode& element = template_type_argument(concrete_of(value), 0)->concrete();
    Value impl = require_member(value, "_M_impl");
    std::uintptr_t start = read_pointer(require_member(impl, "_M_start"));
    std::uintptr_t finish = read_pointer(require_member(impl, "_M_finish"));
    // Garbage bounds are reported as unreadable rather than walked.
    if (finish < start || element.size == 0 || (finish - start) % element.size != 0)
      throw UnreadableMemory(address_of(value));
    return {&element, start, (finish - start) / element.size};
  }
};

class StdArray final : public StdView {
 public:
  Shape shape() const override { return Shape::Sequence; }
  bool matches(const TypeNode& type) const override { return type.template_name() == "std::array"; }
  SequenceAccess sequence(const Value& value) const override {
    const TypeNode& type = concrete_of(value);
    const TypeNode& element = template_type_argument(type, 0)->concrete();
    std::size_t size = element.size ? type.size / element.size : 0;
    if (type.template_args.size() > 1 && type.template_args[1].value)
      size = static_cast<std::size_t>(*type.template_args[1].value);
    return {&element, address_of(value), size};
  }
};

}  // namespace

const StdView& vector_family_vector() {
  static const Vector view;
  return view;
}
const StdView& vector_family_array() {
  static const StdArray view;
  return view;
}

}  // namespace reflect::detail
