// std::pair and std::tuple (libstdc++): their elements in order.

#include "../value_access.hpp"
#include "std_view.hpp"

#include <algorithm>

namespace reflect::detail {
namespace {

class Pair final : public StdView {
 public:
  Shape shape() const override { return Shape::Tuple; }
  bool matches(const TypeNode& type) const override { return type.template_name() == "std::pair"; }
  std::vector<Value> tuple(const Value& value) const override {
    return {require_member(value, "first"), require_member(value, "second")};
  }
};

// tuple<T0, T1...> derives from _Tuple_impl<0, T0, T1...>, which derives from
// _Tuple_impl<1, T1...> and _Head_base<0, T0>; each _Head_base<i> holds element i.
void collect_heads(const Value& value, std::vector<std::pair<std::int64_t, Value>>& heads) {
  const TypeNode& type = concrete_of(value);
  for (const BaseNode& base : type.bases) {
    if (!base.offset) continue;
    const TypeNode& base_type = base.type.get().concrete();
    Value sub(Type(base_type), reinterpret_cast<const void*>(subobject_address(value, *base.offset)));
    if (base_type.template_name() == "std::_Head_base" && !base_type.template_args.empty() &&
        base_type.template_args[0].value) {
      heads.emplace_back(*base_type.template_args[0].value, require_member(sub, "_M_head_impl"));
      continue;
    }
    collect_heads(sub, heads);
  }
}

class StdTuple final : public StdView {
 public:
  Shape shape() const override { return Shape::Tuple; }
  bool matches(const TypeNode& type) const override { return type.template_name() == "std::tuple"; }
  std::vector<Value> tuple(const Value& value) const override {
    std::vector<std::pair<std::int64_t, Value>> heads;
    collect_heads(value, heads);
    std::sort(heads.begin(), heads.end(), [](const auto& a, const auto& b) { return a.first < b.first; });  // indices are distinct
    std::vector<Value> out;
    for (auto& [index, element] : heads) out.push_back(element);
    return out;
  }
};

}  // namespace

const StdView& tuple_family_pair() {
  static const Pair view;
  return view;
}
const StdView& tuple_family_tuple() {
  static const StdTuple view;
  return view;
}

}  // namespace reflect::detail
