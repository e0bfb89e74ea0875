// std::vector<bool> and std::bitset: bits packed into unsigned long words. Each element is a
// bool Value narrowed to its one bit of the word (Value::with_bits).

#include "layout.hpp"

#include <fmt/format.h>

#include <climits>
#include <string>
#include <vector>

namespace reflect::detail {
namespace {

using Word = unsigned long;  // libstdc++'s _Bit_type and bitset's _WordT
constexpr std::size_t kWordBits = sizeof(Word) * CHAR_BIT;

// Bit `index` counted from bit 0 of the word at `words`.
Value bit_at(const TypeNode& boolean, std::uintptr_t words, std::size_t index) {
  const std::optional<std::uintptr_t> word = add_address(words, index / kWordBits * sizeof(Word));
  if (!word) throw UnreadableMemory(words);
  return value_at(boolean, *word).with_bits(static_cast<std::uint16_t>(index % kWordBits), 1);
}

// _Bit_iterator: a word pointer and a bit offset in it (the versioned namespace's _M_start has
// no offset: it is always 0).
struct BitPosition {
  std::uintptr_t word = 0;
  std::uint64_t offset = 0;
};

BitPosition read_position(const Value& iterator) {
  BitPosition p{read_pointer(member(iterator, "_M_p")), 0};
  if (auto offset = try_member(iterator, "_M_offset")) p.offset = read_unsigned(*offset);
  return p;
}

class BitVector final : public SequenceProvider {
 public:
  bool matches(Type type) const override {
    const TypeNode& t = type.node();
    return !t.template_args.empty() && t.template_args[0].type &&
           t.template_args[0].type->get().concrete().kind == Kind::Bool;
  }
  Type element_type(const Value& value) const override { return Type(template_type(concrete_of(value), 0)); }
  std::optional<std::size_t> size(const Value& value) const override { return bounds(value).second; }
  std::optional<Value> at(const Value& value, std::size_t index) const override {
    const auto [start, size] = bounds(value);
    if (index >= size) return std::nullopt;
    return bit_at(template_type(concrete_of(value), 0), start.word, start.offset + index);
  }
  std::optional<Value> next(const Value& value, Cursor& cursor) const override {
    auto element = at(value, cursor.index);
    if (element) ++cursor.index;
    return element;
  }

 private:
  // Where bit 0 is, and how many bits there are; garbage bounds are reported as unreadable.
  static std::pair<BitPosition, std::size_t> bounds(const Value& value) {
    const BitPosition start = read_position(member(value, "_M_impl._M_start"));
    const BitPosition finish = read_position(member(value, "_M_impl._M_finish"));
    if (finish.word < start.word || (finish.word - start.word) % sizeof(Word) != 0 || start.offset >= kWordBits ||
        finish.offset >= kWordBits)
      throw UnreadableMemory(address_of(value));
    const std::size_t words = (finish.word - start.word) / sizeof(Word);
    std::size_t bits = 0;
    if (__builtin_mul_overflow(words, kWordBits, &bits) || __builtin_add_overflow(bits, finish.offset, &bits) ||
        bits < start.offset)
      throw UnreadableMemory(address_of(value));
    return {start, bits - start.offset};
  }
};

// std::bitset<N>: _Base_bitset<W>::_M_w, an array of W words (a single word when W is 1,
// nothing when N is 0). Prints as to_string() would (bit N-1 first); walks as N bools.
class Bitset final : public SequenceProvider {
 public:
  Type element_type(const Value& value) const override { return Type(boolean(value)); }
  std::optional<std::size_t> size(const Value& value) const override { return bits(concrete_of(value)); }
  std::optional<Value> at(const Value& value, std::size_t index) const override {
    if (index >= bits(concrete_of(value))) return std::nullopt;
    return bit_at(boolean(value), words(value), index);
  }
  std::optional<Value> next(const Value& value, Cursor& cursor) const override {
    auto element = at(value, cursor.index);
    if (element) ++cursor.index;
    return element;
  }
  std::optional<Presentation> present(const Value& value) const override {
    const std::size_t n = bits(concrete_of(value));
    std::vector<Word> w((n + kWordBits - 1) / kWordBits);
    if (!w.empty()) read_memory(memory_of(value), words(value), w.data(), w.size() * sizeof(Word));
    Presentation p;
    p.quoted = true;
    p.token.reserve(n);
    for (std::size_t i = n; i-- > 0;) p.token += (w[i / kWordBits] >> (i % kWordBits) & 1) ? '1' : '0';
    return p;
  }

 private:
  // N, from the template argument; the words it needs must fit in the object.
  static std::size_t bits(const TypeNode& type) {
    const std::optional<std::int64_t> n = template_value(type, 0);
    if (!n || *n < 0) throw LayoutMismatch(fmt::format("{} has no bit count among its template arguments", type.name()));
    const auto count = static_cast<std::size_t>(*n);
    if ((count + kWordBits - 1) / kWordBits * sizeof(Word) > type.size)
      throw LayoutMismatch(fmt::format("{} is {} bytes, too small for {} bits", type.name(), type.size, count));
    return count;
  }
  static std::uintptr_t words(const Value& value) { return address_of(member(value, "_M_w")); }
  static const TypeNode& boolean(const Value& value) {
    const TypeNode* found = registry_of(value).find_type("bool", address_of(value));
    if (found == nullptr) throw Error("reflect: no debug info describes bool, the elements of a std::bitset");
    return *found;
  }
};

}  // namespace

void libstdcxx_bits(std::vector<StandardProvider>& out) {
  static const BitVector vector_of_bool;
  static const Bitset bitset;
  out.push_back({Library::LibStdCxx, "vector", &vector_of_bool});
  out.push_back({Library::LibStdCxx, "bitset", &bitset});
}

}  // namespace reflect::detail
