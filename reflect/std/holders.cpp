// std::optional: the value, when engaged; std::atomic: its value, always there.

#include "layout.hpp"

namespace reflect::detail {
namespace {

class StdOptional final : public OptionalProvider {
 public:
  std::optional<Value> held(const Value& value) const override {
    // _Optional_base::_M_payload (_Optional_payload) holds _M_engaged and the storage union
    // _M_payload, whose _M_value is the object.
    const OptionalFacts& optional = facts_of<OptionalFacts>(value, *this, [](const Value& o) {
      OptionalFacts facts;
      facts.engaged = member_at(o, "_M_payload._M_engaged");
      facts.value = member_at(o, "_M_payload._M_payload._M_value");
      return facts;
    });
    if (read_unsigned(member(value, optional.engaged)) == 0) return std::nullopt;
    return member(value, optional.value);
  }

 private:
  struct OptionalFacts final : ProviderFacts {
    MemberAt engaged, value;
  };
};

// std::atomic<T>: the integral and pointer specialisations keep the value in a base or member
// __atomic_base (_M_i; _M_p for pointers), atomic<bool> in _M_base, the floating-point ones in
// __atomic_float::_M_fp, and the primary template (a struct T) in _M_i itself.
class Atomic final : public OptionalProvider {
 public:
  std::optional<Value> held(const Value& value) const override {
    return member(value, "_M_i|_M_base._M_i|_M_b._M_p|_M_fp");
  }
};

}  // namespace

void libstdcxx_holders(std::vector<StandardProvider>& out) {
  static const StdOptional optional;
  static const Atomic atomic;
  out.push_back({Library::LibStdCxx, "optional", &optional});
  out.push_back({Library::LibStdCxx, "atomic", &atomic});
}

}  // namespace reflect::detail
