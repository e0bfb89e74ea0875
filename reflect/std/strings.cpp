// std::basic_string (both of libstdc++'s ABIs) and std::basic_string_view (and the Library
// Fundamentals TS's std::experimental::basic_string_view, which has the same members).

#include "layout.hpp"

namespace reflect::detail {
namespace {

class BasicString final : public StringProvider {
 public:
  Text text(const Value& value) const override {
    const StringFacts& string = facts(value);
    const std::uintptr_t data = read_pointer(member(value, string.data));
    if (string.length) return {Type(*string.char_type), data, read_unsigned(member(value, *string.length))};
    // The old, reference-counted ABI (_GLIBCXX_USE_CXX11_ABI=0): the characters follow a
    // header {length, capacity, reference count} that the object does not describe.
    constexpr std::size_t header = 3 * sizeof(std::size_t);
    if (data < header) throw UnreadableMemory(data);
    return {Type(*string.char_type), data, read_as<std::size_t>(memory_of(value), data - header)};
  }
  // The characters on the heap, at the capacity (plus the terminating one), unless they are
  // in the object's own buffer; the old ABI's shared representation with its header.
  Ownership ownership(const Value& value) const override {
    const Text text_of = text(value);
    const StringFacts& string = facts(value);
    const std::size_t char_size = text_of.char_type.size();
    const std::uintptr_t object = address_of(value);
    if (text_of.data >= object && text_of.data < object + concrete_of(value).size) return {};
    if (string.length) {
      const std::size_t capacity = read_unsigned(member(value, "_M_allocated_capacity"));
      return owning_blocks({{text_of.data, (capacity + 1) * char_size}});
    }
    constexpr std::size_t header = 3 * sizeof(std::size_t);  // length, capacity, reference count
    const std::size_t capacity = read_as<std::size_t>(memory_of(value), text_of.data - header + sizeof(std::size_t));
    if (capacity == 0) return {};  // the shared empty representation, a static object
    return owning_blocks({{text_of.data - header, header + (capacity + 1) * char_size}});
  }

 private:
  struct StringFacts final : ProviderFacts {
    const TypeNode* char_type = nullptr;
    MemberAt data;
    std::optional<MemberAt> length;  // none in the old ABI
  };
  const StringFacts& facts(const Value& value) const {
    return facts_of<StringFacts>(value, *this, [](const Value& s) {
      StringFacts facts;
      facts.char_type = &template_type(concrete_of(s), 0);
      facts.data = member_at(s, "_M_dataplus._M_p");
      facts.length = try_member_at(s, "_M_string_length");
      return facts;
    });
  }
};

class BasicStringView final : public StringProvider {
 public:
  Text text(const Value& value) const override {
    const TypeNode& ch = template_type(concrete_of(value), 0);
    return {Type(ch), read_pointer(member(value, "_M_str")), read_unsigned(member(value, "_M_len"))};
  }
};

}  // namespace

void libstdcxx_strings(std::vector<StandardProvider>& out) {
  static const BasicString string;
  static const BasicStringView view;
  out.push_back({Library::LibStdCxx, "basic_string", &string});
  out.push_back({Library::LibStdCxx, "basic_string_view", &view});
  out.push_back({Library::LibStdCxx, "experimental::basic_string_view", &view});
}

}  // namespace reflect::detail
