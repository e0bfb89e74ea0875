#pragma once
// The one traversal of a value (ARCHITECTURE §2, "one walk, several sinks"). It resolves each
// value once (its concrete type, its dynamic type, its provider), applies the limits (depth,
// elements, string length), finds cycles, reads memory through one copy per object, and turns
// every problem into an event in place. A sink only writes: the text printer (format.cpp),
// the JSON writer (json.cpp), the counters of the tests.
//
// A sink is any class with these members (the text printer's meaning in brackets):
//
//   structure
//     begin_record(type, named)   [`Type{` or `{`]    base(type) / end_base()   [`Base{` `}`]
//     field(name)                 [`.name = `]         end_record()              [`}`]
//     begin_sequence(type, named) element()            end_sequence(truncated)   [`{1, 2, ...}`]
//     begin_map(type, named, string_keys) entry_key() entry_value() end_map(truncated)
//                                 [`{{k, v}, ...}`]
//     begin_holder(type, named) / end_holder()         [`Type{` `}` at the top, nothing nested]
//     elided(type, named)         [`{...}`: too deep]
//   leaves
//     boolean(byte) integer(bits, is_signed) character(code, char_type)
//     floating(float | double | long double) enumeration(type, raw, names, is_flags)
//     text(char_type, bytes, characters, truncated)    [a string literal]
//     address(address, symbol, offset)  [`0x401136 <f(int)>`, `0x4040a8 <g+8>`]
//     follow(address, symbol, offset)   [`0x… -> `: the pointee follows]
//     coroutine_handle(frame, function)  [`0x5a0c2f0 <coroutine app::top()>`]
//     null() empty(text) token(text) quoted(text, truncated) comment(text) problem(text)
//   recovery
//     depth()                     how many structures are open
//     unwind(depth)               closes those opened since depth() was that
//
// `named` asks for the type's name: at the top level (the root, when the caller shows its
// type), and where a pointee's dynamic type is not the pointer's.

#include "memory.hpp"
#include "providers.hpp"
#include "symbol_names.hpp"
#include "type_node.hpp"
#include "value_access.hpp"

#include <reflect/error.hpp>
#include <reflect/provider.hpp>
#include <reflect/value.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace reflect::detail {

/// What every output shares of the options.
struct WalkLimits {
  bool follow_pointers = false;
  bool dynamic_types = true;
  std::size_t max_elements = 100;
  std::size_t max_depth = 12;
  std::size_t max_string = 1000;
  std::size_t max_pointer_hops = SIZE_MAX;  // raw pointers followed on one path
};

/// A pointer to member function's text: `&Class::f`, or the raw address.
std::string member_function_text(const TypeNode& type, std::uintptr_t function, std::ptrdiff_t adjustment);

// The addresses of the objects on the path from the root to the one being walked (for
// cycles): the first few inline, so that a walk allocates nothing for them.
class WalkPath {
 public:
  explicit WalkPath(std::uintptr_t root) { push(root); }
  bool contains(std::uintptr_t address) const {
    const std::size_t shown = std::min(size_, kInline);
    if (std::find(inline_.begin(), inline_.begin() + shown, address) != inline_.begin() + shown) return true;
    return std::find(more_.begin(), more_.end(), address) != more_.end();
  }
  void push(std::uintptr_t address) {
    if (size_ < kInline) inline_[size_] = address;
    else more_.push_back(address);
    ++size_;
  }
  void pop() {
    --size_;
    if (size_ >= kInline) more_.pop_back();
  }

 private:
  static constexpr std::size_t kInline = 16;
  std::array<std::uintptr_t, kInline> inline_{};
  std::vector<std::uintptr_t> more_;
  std::size_t size_ = 0;
};

/// A sink that writes nothing: the base of sinks that only look for some events (the
/// coroutine-handle collector), and a way to walk a value for its side effects (the fuzzer).
struct QuietSink {
  void begin_record(const TypeNode&, bool) { ++open; }
  void base(const TypeNode&) {}
  void end_base() {}
  void field(std::string_view) {}
  void end_record() { --open; }
  void begin_sequence(const TypeNode&, bool) { ++open; }
  void element() {}
  void end_sequence(bool) { --open; }
  void begin_map(const TypeNode&, bool, bool) { ++open; }
  void entry_key() {}
  void entry_value() {}
  void end_entry() {}
  void end_map(bool) { --open; }
  void begin_holder(const TypeNode&, bool, bool) { ++open; }
  void end_holder() { --open; }
  void elided(const TypeNode&, bool) {}
  void boolean(std::uint8_t) {}
  void integer(uint128, bool) {}
  void character(std::uint32_t, const TypeNode&) {}
  void floating(float) {}
  void floating(double) {}
  void floating(long double) {}
  void enumeration(const TypeNode&, std::int64_t, const std::string_view*, std::size_t, bool) {}
  void text(const TypeNode&, const unsigned char*, std::size_t, bool) {}
  void address(std::uintptr_t, std::string_view, std::uint64_t) {}
  void coroutine_handle(std::uintptr_t, std::string_view) {}
  void follow(std::uintptr_t, std::string_view, std::uint64_t) {}
  void null() {}
  void empty(std::string_view) {}
  void token(std::string_view) {}
  void quoted(std::string_view, bool) {}
  void comment(std::string_view) {}
  void problem(std::string_view) {}
  std::size_t depth() const { return open; }
  void unwind(std::size_t depth) { open = depth; }
  std::size_t open = 0;
};

template <class Sink> class Walk {
 public:
  // The root is on the path from the start: a pointer back to it is a cycle.
  Walk(Sink& sink, const WalkLimits& limits, std::uintptr_t root) : sink_(sink), limits_(limits), path_(root) {}

  void value(const Value& value, std::size_t depth, bool top) {
    const std::size_t mark = sink_.depth();
    try {
      dispatch(value, depth, top);
    } catch (const UnreadableMemory& e) {
      problem_at(mark, fmt::format("<unreadable {:#x}>", e.address()));
    } catch (const Error& e) {
      problem_at(mark, fmt::format("<error: {}>", e.what()));
    }
  }

 private:
  bool named(bool top) const { return top; }

  // A problem met while a value was being written: in place of what is left of it, and then
  // everything the value opened is closed, so that the output stays well formed.
  void problem_at(std::size_t mark, const std::string& text) {
    if (sink_.depth() == mark) {
      sink_.problem(text);
      return;
    }
    sink_.element();
    sink_.problem(text);
    sink_.unwind(mark);
  }
  void unreadable(std::uintptr_t address) { sink_.problem(fmt::format("<unreadable {:#x}>", address)); }

  void dispatch(const Value& value, std::size_t depth, bool top) {
    const TypeNode& type = concrete_of(value);
    switch (type.kind) {
      case Kind::Void: sink_.problem("<void>"); return;
      case Kind::Bool: sink_.boolean(static_cast<std::uint8_t>(read_raw_bits(value))); return;
      case Kind::Integer: sink_.integer(read_raw_bits(value), type.is_signed); return;
      case Kind::Character: character(value, type); return;
      case Kind::Floating: floating(value, type); return;
      case Kind::Complex: complex(value, type, depth, top); return;
      case Kind::Enum: enumeration(value, type); return;
      case Kind::NullPtr: sink_.null(); return;
      case Kind::Pointer: pointer(value, type, depth); return;
      case Kind::LValueReference: case Kind::RValueReference:
        nested(value_at_address(type.target->get(), read_pointer(value)), depth);
        return;
      case Kind::MemberPointer: member_pointer(value, type); return;
      case Kind::Function: address(registry_of(value), address_of(value)); return;
      case Kind::Array: array(value, type, depth, top); return;
      case Kind::Struct: case Kind::Union: record(value, type, depth, top); return;
      case Kind::Typedef: case Kind::Const: case Kind::Volatile: case Kind::Unknown: break;
    }
    sink_.problem(fmt::format("<{} of unknown kind>", value.type().name()));
  }

  static Value value_at_address(const TypeNode& type, std::uintptr_t address) {
    return Value(Type(type), reinterpret_cast<const void*>(address));
  }

  void character(const Value& value, const TypeNode& type) {
    const uint128 raw = read_raw_bits(value);
    if (!is_text_char(type)) {  // signed char, unsigned char: numbers
      sink_.integer(raw, type.is_signed);
      return;
    }
    const std::uint64_t mask = type.size >= 8 ? ~0ull : (1ull << (type.size * 8)) - 1;
    sink_.character(static_cast<std::uint32_t>(static_cast<std::uint64_t>(raw) & mask), type);
  }

  void floating(const Value& value, const TypeNode& type) {
    const auto address = address_of(value);
    const Memory& memory = memory_of(value);
    switch (type.size) {
      case 4: sink_.floating(read_as<float>(memory, address)); return;
      case 8: sink_.floating(read_as<double>(memory, address)); return;
      case 10: case 16: {
        long double v = 0;
        read_memory(memory, address, &v, 10);  // x87 extended: 10 significant bytes
        sink_.floating(v);
        return;
      }
      default: sink_.problem(fmt::format("<{}-byte {}>", type.size, type.name())); return;
    }
  }

  // A `_Complex` base type: {real, imaginary}, each half of it.
  void complex(const Value& value, const TypeNode& type, std::size_t depth, bool top) {
    const auto address = address_of(value);
    const std::size_t half = type.size / 2;
    if (half != 4 && half != 8 && half != 16) {
      sink_.problem(fmt::format("<{}-byte {}>", type.size, type.name()));
      return;
    }
    const Memory& memory = memory_of(value);
    ReadWindow window(memory, address, type.size);
    if (!window.readable()) throw UnreadableMemory(address);
    if (depth >= limits_.max_depth) {
      sink_.elided(type, named(top));
      return;
    }
    sink_.begin_sequence(type, named(top));
    for (std::size_t part = 0; part < 2; ++part) {
      sink_.element();
      const std::uintptr_t at = address + part * half;
      if (half == 4) {
        sink_.floating(read_as<float>(memory, at));
      } else if (half == 8) {
        sink_.floating(read_as<double>(memory, at));
      } else {
        long double v = 0;
        read_memory(memory, at, &v, 10);
        sink_.floating(v);
      }
    }
    sink_.end_sequence(false);
  }

  void enumeration(const Value& value, const TypeNode& type) {
    Enum e(value);
    if (auto enumerator = e.name()) {
      const std::array<std::string_view, 1> one{*enumerator};
      sink_.enumeration(type, e.value(), one.data(), 1, false);
    } else if (auto flags = e.flags()) {
      sink_.enumeration(type, e.value(), flags->data(), flags->size(), true);
    } else {
      sink_.enumeration(type, e.value(), nullptr, 0, false);
    }
  }

  void address(Registry& registry, std::uintptr_t target) {
    if (auto symbol = symbol_name(registry, target)) sink_.address(target, *symbol->name, symbol->offset);
    else sink_.address(target, {}, 0);
  }

  void pointer(const Value& value, const TypeNode& type, std::size_t depth) {
    const std::uintptr_t target = read_pointer(value);
    if (target == 0) {
      sink_.null();
      return;
    }
    const TypeNode& pointee = type.target->get().concrete();
    if (is_text_char(pointee)) {
      try {
        string_literal(String(value));
      } catch (const UnreadableMemory&) {
        unreadable(target);
      }
      return;
    }
    if (limits_.follow_pointers && hops_ < limits_.max_pointer_hops && pointee.kind != Kind::Void &&
        pointee.kind != Kind::Function) {
      if (auto symbol = symbol_name(registry_of(value), target)) sink_.follow(target, *symbol->name, symbol->offset);
      else sink_.follow(target, {}, 0);
      ++hops_;
      nested(value_at_address(type.target->get(), target), depth);
      --hops_;
      return;
    }
    address(registry_of(value), target);
  }

  // Prints a pointed-to or referred-to object, unless it is already being walked. A
  // polymorphic object shows its dynamic type, named when the pointer's type does not imply it.
  void nested(const Value& target, std::size_t depth) {
    const Value shown = limits_.dynamic_types ? dynamic_value(target) : target;
    const bool differs = &concrete_of(shown) != &concrete_of(target);
    const auto address = address_of(shown);
    if (path_.contains(address)) {
      sink_.problem(fmt::format("<cycle {:#x}>", address));
      return;
    }
    if (depth >= limits_.max_depth) {
      sink_.elided(concrete_of(shown), false);
      return;
    }
    path_.push(address);
    value(shown, depth, differs);
    path_.pop();
  }

  // Itanium C++ ABI. A pointer to data member is the member's offset (-1 for null): printed as
  // `&Class::member` when a field of the class lies there, else `<offset N in Class>`. A pointer
  // to member function is {function address, or 1 + vtable offset for a virtual one; this
  // adjustment}.
  void member_pointer(const Value& value, const TypeNode& type) {
    const TypeNode& member = type.target->get().concrete();
    const std::string cls = type.containing_class ? type.containing_class->get().concrete().name() : "?";
    const auto address = address_of(value);
    if (member.kind == Kind::Function) {
      std::uintptr_t words[2] = {};
      read_memory(memory_of(value), address, words, sizeof words);
      if (words[0] == 0) {
        sink_.null();
        return;
      }
      sink_.token(member_function_text(type, words[0], static_cast<std::ptrdiff_t>(words[1])));
      return;
    }
    const auto offset = read_as<std::ptrdiff_t>(memory_of(value), address);
    if (offset == -1) {
      sink_.null();
      return;
    }
    if (type.containing_class)
      for (const FieldNode& field : type.containing_class->get().concrete().fields())
        if (field.offset == static_cast<std::size_t>(offset) && field.bit_size == 0) {
          sink_.token(fmt::format("&{}::{}", cls, field.name));
          return;
        }
    sink_.problem(fmt::format("<offset {} in {}>", offset, cls));
  }

  void string_literal(const String& s) {
    const TypeNode& ch = s.char_type().node();
    const std::size_t shown = std::min(s.size(), limits_.max_string);
    const std::size_t char_size = std::max<std::size_t>(ch.size, 1);
    // Short strings (the usual case) are copied to the stack, longer ones to the heap.
    std::array<unsigned char, 256> local;
    std::unique_ptr<unsigned char[]> heap;
    const std::size_t size = shown * char_size;
    unsigned char* bytes = local.data();
    if (size > local.size()) {
      heap.reset(new unsigned char[size]);
      bytes = heap.get();
    }
    read_memory(ch.registry->memory(), reinterpret_cast<std::uintptr_t>(s.data()), bytes, size);
    sink_.text(ch, bytes, shown, shown < s.size());
  }

  void array(const Value& value, const TypeNode& type, std::size_t depth, bool top) {
    if (String::accepts(value)) {
      string_literal(String(value));
      return;
    }
    // One copy of the whole array, from which its elements are then read (see ReadWindow).
    ReadWindow window(memory_of(value), address_of(value), type.size);
    if (!window.readable()) throw UnreadableMemory(address_of(value));
    const std::size_t size = type.array_length.value_or(0);
    contiguous(type, *type.element, address_of(value), size, depth, top);
  }

  // Elements at data + i * size, the shown ones copied at once; where that fails each element
  // reports itself.
  void contiguous(const TypeNode& type, const TypeNode& element, std::uintptr_t data, std::size_t size,
                  std::size_t depth, bool top) {
    if (depth >= limits_.max_depth) {
      sink_.elided(type, named(top));
      return;
    }
    const std::size_t stride = element.concrete().size;
    const std::size_t shown = std::min(size, limits_.max_elements);
    std::optional<ReadWindow> elements;
    std::size_t bytes = 0;
    if (shown > 0 && !__builtin_mul_overflow(shown, stride, &bytes)) elements.emplace(element.registry->memory(), data, bytes);
    sink_.begin_sequence(type, named(top));
    for (std::size_t i = 0; i < shown; ++i) {
      sink_.element();
      std::uintptr_t offset = 0;
      std::optional<std::uintptr_t> at;
      if (!__builtin_mul_overflow(i, stride, &offset)) at = add_address(data, offset);
      if (!at) {
        unreadable(data);
        continue;
      }
      value(value_at_address(element, *at), depth + 1, false);
    }
    sink_.end_sequence(shown < size);
  }

  void record(const Value& value, const TypeNode& type, std::size_t depth, bool top) {
    if (type.template_name() == "std::coroutine_handle") {
      coroutine_handle(value, type);
      return;
    }
    // A class only declared has a provider only where one reads the library's ABI layout.
    if (const Provider* provider = type.provider()) {
      provided(value, type, *provider, depth, top);
      return;
    }
    if (type.is_declaration) {
      incomplete(value);
      return;
    }
    raw(value, type, depth, top);
  }

  void incomplete(const Value& value) { sink_.problem(fmt::format("<incomplete {}>", value.type().name())); }

  // The members as the class declares them.
  void raw(const Value& value, const TypeNode& type, std::size_t depth, bool top) {
    // One copy of the object, from which its members are then read (see ReadWindow).
    ReadWindow window(memory_of(value), address_of(value), type.size);
    if (!window.readable()) throw UnreadableMemory(address_of(value));
    if (depth >= limits_.max_depth) {
      sink_.elided(type, named(top));
      return;
    }
    if (depth == 0) printed_virtual_bases_.clear();
    sink_.begin_record(type, named(top));
    members(value, type, depth);
    sink_.end_record();
  }

  // Like a pointer, annotated with the coroutine it leads to: `0x5a0c2f0 <coroutine app::top()>`.
  void coroutine_handle(const Value& value, const TypeNode& type) {
    std::uintptr_t frame = 0;
    if (type.size < sizeof frame) throw Error("a std::coroutine_handle smaller than a pointer");
    read_memory(memory_of(value), address_of(value), &frame, sizeof frame);
    if (frame == 0) {
      sink_.null();
      return;
    }
    sink_.coroutine_handle(frame, coroutine_function_at(registry_of(value), frame));
  }

  void members(const Value& value, const TypeNode& type, std::size_t depth) {
    for (const BaseNode& base : type.bases) {
      const TypeNode& base_type = base.type.get().concrete();
      const auto located = base_address(value, base);
      if (base.is_virtual && located && !printed_virtual_bases_.insert(*located).second) continue;
      sink_.base(base_type);
      if (!located) {
        unreadable(address_of(value));
      } else if (base_type.is_declaration) {
        sink_.problem("<incomplete>");
      } else if (depth + 1 >= limits_.max_depth) {
        sink_.problem("{...}");
      } else {
        sink_.begin_record(base_type, false);
        try {
          members(value_at_address(base_type, *located), base_type, depth + 1);
        } catch (const UnreadableMemory& e) {
          sink_.element();
          unreadable(e.address());
        }
        sink_.end_record();
      }
      sink_.end_base();
    }
    for (const FieldNode& field : type.fields()) {
      sink_.field(field.name);
      std::optional<Value> member;
      try {
        member = field_value(value, field);
      } catch (const UnreadableMemory& e) {
        unreadable(e.address());
        continue;
      }
      this->value(*member, depth + 1, false);
    }
  }

  // A class a provider presents. What the provider reads before anything is written decides:
  // a layout it does not know prints the raw members with its message as a note.
  void provided(const Value& value, const TypeNode& type, const Provider& provider, std::size_t depth, bool top) {
    // The provider reads a few members of the object: copy it once. An unreadable object is
    // left to the provider, which reports it as it reads.
    ReadWindow window(memory_of(value), address_of(value), type.size);
    try {
      if (auto presentation = provider.present(value)) {
        presented(type, *presentation, top);
        return;
      }
      switch (provider.protocol()) {
        case Protocol::Sequence: sequence(value, type, static_cast<const SequenceProvider&>(provider), depth, top); return;
        case Protocol::Map: map(value, type, static_cast<const MapProvider&>(provider), depth, top); return;
        case Protocol::Variant: variant(value, type, static_cast<const VariantProvider&>(provider), depth, top); return;
        case Protocol::Optional: optional(value, type, static_cast<const OptionalProvider&>(provider), depth, top); return;
        case Protocol::Pointer: smart_pointer(value, type, static_cast<const PointerProvider&>(provider), depth, top); return;
        case Protocol::String: text(value, type, static_cast<const StringProvider&>(provider), depth, top); return;
        case Protocol::Tuple: tuple(value, type, static_cast<const TupleProvider&>(provider), depth, top); return;
      }
    } catch (const UnreadableMemory&) {
      throw;
    } catch (const Error& e) {
      // A declared class has no members to fall back on.
      if (type.is_declaration) incomplete(value);
      else raw(value, type, depth, top);
      sink_.comment(fmt::format("reflect: {}", e.what()));
    }
  }

  // A provider's quoted text (a bitset's digits) is held to max_string as strings are, cut at
  // a character boundary of its UTF-8.
  void quoted(std::string_view text) {
    if (text.size() <= limits_.max_string) {
      sink_.quoted(text, false);
      return;
    }
    std::size_t cut = limits_.max_string;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    sink_.quoted(text.substr(0, cut), true);
  }

  void presented(const TypeNode& type, const Presentation& presentation, bool top) {
    const bool braced = presentation.shape == Presentation::Shape::Braced;
    if (braced) sink_.begin_holder(type, named(top), true);
    if (!presentation.token.empty() || presentation.quoted) {
      if (presentation.quoted) quoted(presentation.token);
      else sink_.token(presentation.token);
    }
    if (!presentation.comment.empty()) sink_.comment(presentation.comment);
    if (braced) sink_.end_holder();
  }

  void sequence(const Value& value, const TypeNode& type, const SequenceProvider& provider, std::size_t depth, bool top) {
    const SequenceSetup setup = sequence_setup(provider, value);
    if (setup.data) {
      contiguous(type, *setup.element, *setup.data, setup.size.value_or(0), depth, top);
      return;
    }
    if (depth >= limits_.max_depth) {
      sink_.elided(type, named(top));
      return;
    }
    Cursor cursor = provider.begin(value);  // before anything is written: it may not fit the layout
    sink_.begin_sequence(type, named(top));
    const bool truncated = node_items<Value>(provider, value, cursor, setup.size, [&](const Value& element) {
      sink_.element();
      this->value(element, depth + 1, false);
    });
    sink_.end_sequence(truncated);
  }

  void map(const Value& value, const TypeNode& type, const MapProvider& provider, std::size_t depth, bool top) {
    const std::optional<std::size_t> size = provider.size(value);
    const TypeNode& key = provider.key_type(value).node().concrete();
    if (depth >= limits_.max_depth) {
      sink_.elided(type, named(top));
      return;
    }
    Cursor cursor = provider.begin(value);
    const bool string_keys = is_string_key(key);
    sink_.begin_map(type, named(top), string_keys);
    const bool truncated = node_items<MapEntry>(provider, value, cursor, size, [&](const MapEntry& entry) {
      sink_.entry_key();
      if (string_keys) key_text(entry.key());
      else this->value(entry.key(), depth + 2, false);
      sink_.entry_value();
      this->value(entry.value(), depth + 2, false);
      sink_.end_entry();
    });
    sink_.end_map(truncated);
  }

  // The items of a node container, up to max_elements, each through `emit`. A loop in its
  // links, a link memory breaks, or fewer items than the container records end the walk with
  // a problem in place. Returns whether items were left out (past max_elements).
  template <class Item, class Provider, class Emit>
  bool node_items(const Provider& provider, const Value& container, Cursor& cursor, std::optional<std::size_t> size,
                  Emit&& emit) {
    const std::size_t limit = std::min(size.value_or(SIZE_MAX), limits_.max_elements);
    LoopFinder loop;
    std::size_t walked = 0;
    for (; walked < limit; ++walked) {
      bool broken = false;
      const std::optional<Item> item = next_item<Item>(provider, container, cursor, broken);
      if (broken) return false;
      if (!item) {
        if (size && walked < *size) {
          sink_.element();
          sink_.problem(fmt::format("<the container records {} elements; memory holds {}>", *size, walked));
        }
        return false;
      }
      if (loop.seen(cursor.node)) {
        sink_.element();
        sink_.problem(fmt::format("<cycle {:#x}>", cursor.node));
        return false;
      }
      emit(*item);
    }
    if (size) return walked < *size;
    bool broken = false;  // no recorded size: is there one more?
    return next_item<Item>(provider, container, cursor, broken).has_value() && !broken;
  }

  // A node walk's next step; `broken` is set (after writing the problem) when memory broke it.
  // The item is returned, not assigned to an out-parameter: constructed once, in place.
  template <class Item, class Provider>
  std::optional<Item> next_item(const Provider& provider, const Value& container, Cursor& cursor, bool& broken) {
    try {
      return provider.next(container, cursor);
    } catch (const UnreadableMemory& e) {
      sink_.element();
      unreadable(e.address());
    } catch (const Error& e) {
      sink_.element();
      sink_.problem(fmt::format("<error: {}>", e.what()));
    }
    broken = true;
    return std::nullopt;
  }

  // A key of a map whose keys are text is always a string (JSON object keys must be).
  void key_text(const Value& key) {
    try {
      string_literal(String(key));
    } catch (const UnreadableMemory& e) {
      unreadable(e.address());
    } catch (const Error& e) {
      sink_.problem(fmt::format("<error: {}>", e.what()));
    }
  }

  static bool is_string_key(const TypeNode& key) {
    if (key.kind == Kind::Struct) {
      const Provider* provider = key.provider();
      return provider != nullptr && provider->protocol() == Protocol::String;
    }
    return (key.kind == Kind::Pointer && is_text_char(key.target->get().concrete())) ||
           (key.kind == Kind::Array && key.element && is_text_char(key.element->concrete()));
  }

  void variant(const Value& value, const TypeNode& type, const VariantProvider& provider, std::size_t depth, bool top) {
    const std::optional<Value> active = provider.active(value);
    if (!active) {
      sink_.begin_holder(type, named(top), false);
      sink_.empty("<valueless>");
      sink_.end_holder();
      return;
    }
    holder(type, top, [&] { this->value(*active, depth + (top ? 1 : 0), false); });
  }

  void optional(const Value& value, const TypeNode& type, const OptionalProvider& provider, std::size_t depth, bool top) {
    const std::optional<Value> held = provider.held(value);
    if (!held) {
      sink_.empty(provider.empty_text());
      return;
    }
    const auto naming = provider.content_naming();
    const bool name_content = naming == OptionalProvider::Naming::Always || (naming == OptionalProvider::Naming::AtTop && top);
    holder(type, top, [&] { this->value(*held, depth + (top ? 1 : 0), name_content); });
  }

  void smart_pointer(const Value& value, const TypeNode& type, const PointerProvider& provider, std::size_t depth, bool top) {
    const PointerProvider::Target target = provider.target(value);
    using State = PointerProvider::Target::State;
    switch (target.state) {
      case State::Null: sink_.null(); return;
      case State::Expired:
        sink_.begin_holder(type, named(top), false);
        sink_.empty("<expired>");
        sink_.end_holder();
        return;
      case State::Array: holder(type, top, [&] { address(registry_of(value), target.address); }); return;
      case State::Object:
        holder(type, top, [&] { nested(value_at_address(target.pointee.node(), target.address), depth + (top ? 1 : 0)); });
        return;
    }
  }

  void text(const Value& value, const TypeNode& type, const StringProvider& provider, std::size_t, bool top) {
    const String s(value);
    if (provider.named_at_top()) holder(type, top, [&] { string_literal(s); });
    else string_literal(s);
  }

  void tuple(const Value& value, const TypeNode& type, const TupleProvider& provider, std::size_t depth, bool top) {
    const std::vector<Value> elements = provider.elements(value);
    if (depth >= limits_.max_depth) {
      sink_.elided(type, named(top));
      return;
    }
    sink_.begin_sequence(type, named(top));
    const std::size_t shown = std::min(elements.size(), limits_.max_elements);
    for (std::size_t i = 0; i < shown; ++i) {
      sink_.element();
      this->value(elements[i], depth + 1, false);
    }
    sink_.end_sequence(shown < elements.size());
  }

  // Smart pointers, optionals, variants: `std::unique_ptr<Foo>{{.a = 1}}` at the top,
  // `{.a = 1}` nested.
  template <class Inner> void holder(const TypeNode& type, bool top, Inner&& inner) {
    sink_.begin_holder(type, named(top), false);
    inner();
    sink_.end_holder();
  }

  Sink& sink_;
  const WalkLimits& limits_;
  WalkPath path_;
  std::size_t hops_ = 0;
  std::unordered_set<std::uintptr_t> printed_virtual_bases_;
};

}  // namespace reflect::detail
