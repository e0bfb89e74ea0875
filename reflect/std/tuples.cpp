// std::pair and std::tuple: their elements in order.

#include "layout.hpp"

#include <algorithm>

namespace reflect::detail {
namespace {

class Pair final : public TupleProvider {
 public:
  std::vector<Value> elements(const Value& value) const override { return {member(value, "first"), member(value, "second")}; }
  Ownership ownership(const Value&) const override { return owning(); }  // held in place
};

// tuple<T0, T1...> derives from _Tuple_impl<0, T0, T1...>, which derives from
// _Tuple_impl<1, T1...> and _Head_base<0, T0>; each _Head_base<i> holds element i.
void collect_heads(const Value& value, std::vector<std::pair<std::int64_t, Value>>& heads) {
  const TypeNode& type = concrete_of(value);
  for (const BaseNode& base : type.bases) {
    if (!base.offset) continue;
    const TypeNode& base_type = base.type.get().concrete();
    Value sub = value_at(base_type, subobject_address(value, *base.offset));
    if (base_type.template_name() == "std::_Head_base" && !base_type.template_args.empty() &&
        base_type.template_args[0].value) {
      heads.emplace_back(*base_type.template_args[0].value, member(sub, "_M_head_impl"));
      continue;
    }
    collect_heads(sub, heads);
  }
}

class StdTuple final : public TupleProvider {
 public:
  std::vector<Value> elements(const Value& value) const override {
    std::vector<std::pair<std::int64_t, Value>> heads;
    collect_heads(value, heads);
    std::sort(heads.begin(), heads.end(), [](const auto& a, const auto& b) { return a.first < b.first; });  // indices are distinct
    std::vector<Value> out;
    for (auto& [index, element] : heads) out.push_back(element);
    return out;
  }
  Ownership ownership(const Value&) const override { return owning(); }  // held in place
};

}  // namespace

void libstdcxx_tuples(std::vector<StandardProvider>& out) {
  static const Pair pair;
  static const StdTuple tuple;
  out.push_back({Library::LibStdCxx, "pair", &pair});
  out.push_back({Library::LibStdCxx, "tuple", &tuple});
}

}  // namespace reflect::detail
