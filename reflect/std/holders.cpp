// std::optional (and the Library Fundamentals TS's std::experimental::optional): the value, when
// engaged; std::atomic: its value, always there.

#include "layout.hpp"

namespace reflect::detail {
namespace {

// std::optional: _Optional_base::_M_payload (_Optional_payload) holds _M_engaged and the storage
// union _M_payload, whose _M_value is the object. std::experimental::optional: _Optional_base
// keeps _M_engaged and an anonymous union whose _M_payload is the object.
class StdOptional final : public OptionalProvider {
 public:
  struct Layout {
    std::string_view engaged, value;  // member paths
    std::string_view empty_text;
  };
  explicit StdOptional(const Layout& layout) : layout_(layout) {}
  std::string_view empty_text() const override { return layout_.empty_text; }
  std::optional<Value> held(const Value& value) const override {
    const OptionalFacts& optional = facts_of<OptionalFacts>(value, *this, [this](const Value& o) {
      OptionalFacts facts;
      facts.engaged = member_at(o, layout_.engaged);
      facts.value = member_at(o, layout_.value);
      return facts;
    });
    if (read_unsigned(member(value, optional.engaged)) == 0) return std::nullopt;
    return member(value, optional.value);
  }
  Ownership ownership(const Value&) const override { return owning(); }  // held in place

 private:
  struct OptionalFacts final : ProviderFacts {
    MemberAt engaged, value;
  };
  Layout layout_;
};

// std::atomic<T>: the integral and pointer specialisations keep the value in a base or member
// __atomic_base (_M_i; _M_p for pointers), atomic<bool> in _M_base, the floating-point ones in
// __atomic_float::_M_fp, and the primary template (a struct T) in _M_i itself.
class Atomic final : public OptionalProvider {
 public:
  std::optional<Value> held(const Value& value) const override {
    return member(value, "_M_i|_M_base._M_i|_M_b._M_p|_M_fp");
  }
  Ownership ownership(const Value&) const override { return owning(); }  // held in place
};

}  // namespace

void libstdcxx_holders(std::vector<StandardProvider>& out) {
  static const StdOptional optional({"_M_payload._M_engaged", "_M_payload._M_payload._M_value", "std::nullopt"});
  static const StdOptional experimental_optional({"_M_engaged", "_M_payload", "std::experimental::nullopt"});
  static const Atomic atomic;
  out.push_back({Library::LibStdCxx, "optional", &optional});
  out.push_back({Library::LibStdCxx, "experimental::optional", &experimental_optional});
  out.push_back({Library::LibStdCxx, "atomic", &atomic});
}

}  // namespace reflect::detail
