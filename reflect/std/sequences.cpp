// std::vector and std::array: contiguous elements.

#include "layout.hpp"

namespace reflect::detail {
namespace {

class Vector final : public SequenceProvider {
 public:
  bool matches(Type type) const override {
    const TypeNode& t = type.node();
    return !t.template_args.empty() && t.template_args[0].type &&
           t.template_args[0].type->get().concrete().kind != Kind::Bool;  // vector<bool> packs bits
  }
  Type element_type(const Value& value) const override { return Type(*facts(value).element); }
  std::optional<std::size_t> size(const Value& value) const override {
    const VectorFacts& vector = facts(value);
    const TypeNode& element = vector.element->concrete();
    const std::uintptr_t start = read_pointer(member(value, vector.start));
    const std::uintptr_t finish = read_pointer(member(value, vector.finish));
    // Garbage bounds are reported as unreadable rather than walked.
    if (finish < start || element.size == 0 || (finish - start) % element.size != 0)
      throw UnreadableMemory(address_of(value));
    return (finish - start) / element.size;
  }
  std::optional<std::uint64_t> contiguous_data(const Value& value) const override {
    return read_pointer(member(value, facts(value).start));
  }
  // The buffer at its capacity.
  Ownership ownership(const Value& value) const override {
    const VectorFacts& vector = facts(value);
    const std::uintptr_t start = read_pointer(member(value, vector.start));
    const std::uintptr_t end = read_pointer(member(value, vector.end_of_storage));
    Ownership owned = owning();
    if (start != 0 && end > start) owned.blocks.push_back({start, end - start});
    return owned;
  }

 private:
  struct VectorFacts final : ProviderFacts {
    const TypeNode* element = nullptr;
    MemberAt start, finish, end_of_storage;
  };
  const VectorFacts& facts(const Value& value) const {
    return facts_of<VectorFacts>(value, *this, [](const Value& vector) {
      VectorFacts facts;
      facts.element = &template_type(concrete_of(vector), 0);
      facts.start = member_at(vector, "_M_impl._M_start");
      facts.finish = member_at(vector, "_M_impl._M_finish");
      facts.end_of_storage = member_at(vector, "_M_impl._M_end_of_storage");
      return facts;
    });
  }
};

class StdArray final : public SequenceProvider {
 public:
  Type element_type(const Value& value) const override { return Type(template_type(concrete_of(value), 0)); }
  std::optional<std::size_t> size(const Value& value) const override {
    const TypeNode& type = concrete_of(value);
    if (auto n = template_value(type, 1)) return static_cast<std::size_t>(*n);
    const TypeNode& element = template_type(type, 0).concrete();
    return element.size ? type.size / element.size : 0;
  }
  std::optional<std::uint64_t> contiguous_data(const Value& value) const override { return address_of(value); }
  Ownership ownership(const Value&) const override { return owning(); }  // in place
};

}  // namespace

void libstdcxx_sequences(std::vector<StandardProvider>& out) {
  static const Vector vector;
  static const StdArray array;
  out.push_back({Library::LibStdCxx, "vector", &vector});
  out.push_back({Library::LibStdCxx, "array", &array});
}

}  // namespace reflect::detail
