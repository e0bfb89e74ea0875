// The printed form of a value (ARCHITECTURE §9): as far as C++ allows, an initializer that
// would rebuild it. Never throws for bad memory: problems print in place.

#include "../dwarf/process.hpp"
#include "memory.hpp"
#include "type_node.hpp"
#include "value_access.hpp"

#include <reflect/format.hpp>

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <memory>
#include <optional>
#include <cstring>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace reflect {

using namespace detail;

namespace {

// A function's or global's name for a pointer into it: the demangled name of its symbol and
// the offset into it.
struct SymbolName {
  const std::string* name;  // stays valid: demangled_names() never drops one
  std::uint64_t offset;
};

// Demangled symbol names by module and symbol start. Demangling one costs more than printing a
// small struct, and a program prints pointers to the same few functions and globals again and
// again. Guarded by the registry lock; like modules, never destroyed or emptied.
using SymbolKey = std::pair<const dwarf::Module*, std::uintptr_t>;
struct SymbolKeyHash {
  std::size_t operator()(const SymbolKey& key) const noexcept {
    return std::hash<const void*>()(key.first) ^ std::hash<std::uintptr_t>()(key.second) * 0x9e3779b97f4a7c15ull;
  }
};
std::unordered_map<SymbolKey, std::string, SymbolKeyHash>& demangled_names() {
  static auto* names = new std::unordered_map<SymbolKey, std::string, SymbolKeyHash>();
  return *names;
}

std::optional<SymbolName> symbol_name(std::uintptr_t address) {
  Registry& registry = Registry::instance();
  std::lock_guard lock(registry.mutex());
  // A miss re-reads the module list only when objects were loaded since (dlopen): cheap.
  const dwarf::Module* module = registry.process().module_at(address);
  if (module == nullptr) return std::nullopt;
  auto symbol = module->symbol_at(address);
  if (!symbol) return std::nullopt;
  auto [it, inserted] = demangled_names().try_emplace(SymbolKey{module, address - symbol->offset});
  if (inserted) it->second = demangle(std::string(symbol->name));
  return SymbolName{&it->second, symbol->offset};
}

std::string symbol_for(std::uintptr_t address) {
  auto symbol = symbol_name(address);
  if (!symbol) return {};
  return symbol->offset ? fmt::format("{}+{}", *symbol->name, symbol->offset) : *symbol->name;
}

// A function's name without its parameter list: "zoo::Widget::draw() const" -> "zoo::Widget::draw".
std::string without_parameters(const std::string& name) {
  int depth = 0;
  for (std::size_t i = name.size(); i-- > 0;) {
    if (name[i] == ')') ++depth;
    else if (name[i] == '(' && --depth == 0) return name.substr(0, i);
  }
  return name;
}

std::string_view char_prefix(const TypeNode& ch) {
  std::string_view name = ch.name();
  if (name == "char8_t") return "u8";
  if (name == "char16_t") return "u";
  if (name == "char32_t") return "U";
  if (name == "wchar_t") return "L";
  return "";
}

// Appends one character of a literal, escaped as C++ would need it.
void escaped(fmt::memory_buffer& out, std::uint32_t c, char quote, bool wide) {
  switch (c) {
    case '\n': out.append(std::string_view("\\n")); return;
    case '\t': out.append(std::string_view("\\t")); return;
    case '\r': out.append(std::string_view("\\r")); return;
    case '\0': out.append(std::string_view("\\0")); return;
    case '\\': out.append(std::string_view("\\\\")); return;
    default: break;
  }
  if (c == static_cast<std::uint32_t>(quote)) {
    out.push_back('\\');
    out.push_back(quote);
  } else if (c >= 0x20 && c < 0x7f) {
    out.push_back(static_cast<char>(c));
  } else if (!wide) {
    fmt::format_to(fmt::appender(out), "\\x{:02x}", c);
  } else if (c <= 0xffff) {
    fmt::format_to(fmt::appender(out), "\\u{:04x}", c);
  } else {
    fmt::format_to(fmt::appender(out), "\\U{:08x}", c);
  }
}

// Length of a valid UTF-8 sequence starting at s[i], or 0.
std::size_t utf8_sequence(const unsigned char* s, std::size_t i, std::size_t n) {
  unsigned char c = s[i];
  std::size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (len == 0 || i + len > n) return 0;
  for (std::size_t k = 1; k < len; ++k)
    if ((s[i + k] & 0xc0) != 0x80) return 0;
  return len;
}

// The addresses of the objects on the path from the root to the one being printed (for
// cycles): the first few inline, so that a print allocates nothing for them.
class Path {
 public:
  explicit Path(std::uintptr_t root) { push(root); }
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

class Printer {
 public:
  // The root is on the path from the start: a pointer back to it is a cycle.
  Printer(fmt::memory_buffer& out, const FormatOptions& options, std::uintptr_t root)
      : out_(out), options_(options), path_{root} {}

  void print(const Value& value, std::size_t depth, bool top) {
    try {
      dispatch(value, depth, top);
    } catch (const UnreadableMemory& e) {
      fmt::format_to(fmt::appender(out_), "<unreadable {:#x}>", e.address());
    } catch (const Error& e) {
      fmt::format_to(fmt::appender(out_), "<error: {}>", e.what());
    }
  }

 private:
  template <class Items> void braces(std::size_t depth, Items&& items) {
    out_.push_back('{');
    bool any = false;
    auto item = [&](auto&& print_item) {
      if (options_.multiline) {
        out_.push_back('\n');
        indent(depth + 1);
      } else if (any) {
        put(std::string_view(", "));
      }
      print_item();
      if (options_.multiline) out_.push_back(',');
      any = true;
    };
    items(item);
    if (options_.multiline && any) {
      out_.push_back('\n');
      indent(depth);
    }
    out_.push_back('}');
  }

  // Text appended in place: fmt's append() is a generic loop, and a call into whichever copy of
  // it the program's own fmt instantiated.
  void put(std::string_view text) {
    const std::size_t size = out_.size();
    out_.resize(size + text.size());
    std::memcpy(out_.data() + size, text.data(), text.size());
  }
  void append(const fmt::format_int& digits) { put(std::string_view(digits.data(), digits.size())); }

  void indent(std::size_t depth) {
    for (std::size_t i = 0; i < depth; ++i) put(std::string_view("  "));
  }

  void type_prefix(const TypeNode& type, bool top) {
    if (top && options_.show_type) put(type.name());
  }

  void dispatch(const Value& value, std::size_t depth, bool top) {
    const TypeNode& type = concrete_of(value);
    switch (type.kind) {
      case Kind::Void: put(std::string_view("<void>")); return;
      case Kind::Bool: put(std::string_view(read_raw_bits(value) ? "true" : "false")); return;
      case Kind::Integer: integer(value, type); return;
      case Kind::Character: character(value, type); return;
      case Kind::Floating: floating(value, type); return;
      case Kind::Enum: enumeration(value, type); return;
      case Kind::NullPtr: put(std::string_view("nullptr")); return;
      case Kind::Pointer: pointer(value, type, depth); return;
      case Kind::LValueReference: case Kind::RValueReference: reference(value, type, depth); return;
      case Kind::MemberPointer: member_pointer(value, type); return;
      case Kind::Function: function(value); return;
      case Kind::Array: array(value, type, depth, top); return;
      case Kind::Struct: case Kind::Union: record(value, type, depth, top); return;
      case Kind::Typedef: case Kind::Const: case Kind::Volatile: case Kind::Unknown: break;
    }
    fmt::format_to(fmt::appender(out_), "<{} of unknown kind>", value.type().name());
  }

  void integer(const Value& value, const TypeNode& type) {
    uint128 raw = read_raw_bits(value);
    // 64 bits and less (all but __int128) through fmt's fast integer formatting: the same digits.
    if (type.is_signed) {
      auto v = static_cast<int128>(raw);
      if (v >= std::numeric_limits<long long>::min() && v <= std::numeric_limits<long long>::max())
        append(fmt::format_int(static_cast<long long>(v)));
      else
        fmt::format_to(fmt::appender(out_), "{}", v);
    } else if (raw <= std::numeric_limits<unsigned long long>::max()) {
      append(fmt::format_int(static_cast<unsigned long long>(raw)));
    } else {
      fmt::format_to(fmt::appender(out_), "{}", raw);
    }
  }

  void character(const Value& value, const TypeNode& type) {
    std::string_view name = type.name();
    uint128 raw = read_raw_bits(value);
    if (name == "signed char") {
      fmt::format_to(fmt::appender(out_), "{}", static_cast<int>(static_cast<int128>(raw)));
      return;
    }
    if (name == "unsigned char") {
      fmt::format_to(fmt::appender(out_), "{}", static_cast<unsigned>(raw & 0xff));
      return;
    }
    std::uint64_t mask = type.size >= 8 ? ~0ull : (1ull << (type.size * 8)) - 1;
    auto code = static_cast<std::uint32_t>(static_cast<std::uint64_t>(raw) & mask);
    put(char_prefix(type));
    out_.push_back('\'');
    escaped(out_, code, '\'', type.size > 1);
    out_.push_back('\'');
  }

  void floating(const Value& value, const TypeNode& type) {
    auto address = address_of(value);
    switch (type.size) {
      // FMT_COMPILE: the same text as "{}", without parsing the format string at run time.
      case 4: fmt::format_to(fmt::appender(out_), FMT_COMPILE("{}"), read_as<float>(address)); return;
      case 8: fmt::format_to(fmt::appender(out_), FMT_COMPILE("{}"), read_as<double>(address)); return;
      case 10: case 16: {
        long double v = 0;
        read_memory(address, &v, 10);  // x87 extended: 10 significant bytes
        fmt::format_to(fmt::appender(out_), "{}", v);
        return;
      }
      default:
        fmt::format_to(fmt::appender(out_), "<{}-byte {}>", type.size, type.name());
        return;
    }
  }

  void enumeration(const Value& value, const TypeNode& type) {
    Enum e(value);
    const std::string& name = type.name();
    if (auto enumerator = e.name()) {
      put(name);
      put(std::string_view("::"));
      put(*enumerator);
    } else if (auto flags = e.flags()) {
      for (std::size_t i = 0; i < flags->size(); ++i)
        fmt::format_to(fmt::appender(out_), "{}{}::{}", i ? " | " : "", name, (*flags)[i]);
    } else if (type.is_signed) {
      fmt::format_to(fmt::appender(out_), "static_cast<{}>({})", name, e.value());
    } else {
      fmt::format_to(fmt::appender(out_), "static_cast<{}>({})", name, static_cast<std::uint64_t>(e.value()));
    }
  }

  void address(std::uintptr_t target) {
    fmt::format_to(fmt::appender(out_), FMT_COMPILE("{:#x}"), target);
    if (auto symbol = symbol_name(target)) {
      put(std::string_view(" <"));
      put(*symbol->name);
      if (symbol->offset != 0) {
        out_.push_back('+');
        append(fmt::format_int(symbol->offset));
      }
      out_.push_back('>');
    }
  }

  void pointer(const Value& value, const TypeNode& type, std::size_t depth) {
    std::uintptr_t target = read_pointer(value);
    if (target == 0) {
      put(std::string_view("nullptr"));
      return;
    }
    const TypeNode& pointee = type.target->get().concrete();
    if (is_text_char(pointee)) {
      try {
        string_literal(String(value));
      } catch (const UnreadableMemory&) {
        fmt::format_to(fmt::appender(out_), "<unreadable {:#x}>", target);
      }
      return;
    }
    address(target);
    if (options_.follow_pointers && pointee.kind != Kind::Void && pointee.kind != Kind::Function) {
      put(std::string_view(" -> "));
      nested(Value(Type(type.target->get()), reinterpret_cast<const void*>(target)), depth);
    }
  }

  void reference(const Value& value, const TypeNode& type, std::size_t depth) {
    std::uintptr_t target = read_pointer(value);
    nested(Value(Type(type.target->get()), reinterpret_cast<const void*>(target)), depth);
  }

  // Prints a pointed-to or referred-to object, unless it is already being printed. A
  // polymorphic object shows its dynamic type, named when the pointer's type does not imply it.
  void nested(const Value& value, std::size_t depth) {
    Value shown = options_.dynamic_types ? dynamic_value(value) : value;
    bool named = &concrete_of(shown) != &concrete_of(value);
    auto target = address_of(shown);
    if (path_.contains(target)) {
      fmt::format_to(fmt::appender(out_), "<cycle {:#x}>", target);
      return;
    }
    if (depth >= options_.max_depth) {
      put(std::string_view("{...}"));
      return;
    }
    path_.push(target);
    print(shown, depth, named);
    path_.pop();
  }

  // Itanium C++ ABI. A pointer to data member is the member's offset (-1 for null): printed as
  // `&Class::member` when a field of the class lies there, else `<offset N in Class>`. A pointer
  // to member function is {function address, or 1 + vtable offset for a virtual one; this
  // adjustment}: printed as `&Class::function` from the symbol, `&Class::<virtual slot N>`, or
  // the raw address. The adjustment (non-zero only through a base of multiple inheritance) is
  // not shown.
  void member_pointer(const Value& value, const TypeNode& type) {
    const TypeNode& member = type.target->get().concrete();
    std::string cls = type.containing_class ? type.containing_class->get().concrete().name() : "?";
    auto address = address_of(value);
    if (member.kind == Kind::Function) {
      auto ptr = read_as<std::uintptr_t>(address);
      if (ptr == 0) {
        put(std::string_view("nullptr"));
      } else if (ptr & 1) {
        fmt::format_to(fmt::appender(out_), "&{}::<virtual slot {}>", cls, (ptr - 1) / sizeof(void*));
      } else {
        std::string symbol = symbol_for(ptr);
        if (symbol.empty()) fmt::format_to(fmt::appender(out_), "{:#x}", ptr);
        else fmt::format_to(fmt::appender(out_), "&{}", without_parameters(symbol));
      }
      return;
    }
    auto offset = read_as<std::ptrdiff_t>(address);
    if (offset == -1) {
      put(std::string_view("nullptr"));
      return;
    }
    if (type.containing_class)
      for (const FieldNode& field : type.containing_class->get().concrete().fields())
        if (field.offset == static_cast<std::size_t>(offset) && field.bit_size == 0) {
          fmt::format_to(fmt::appender(out_), "&{}::{}", cls, field.name);
          return;
        }
    fmt::format_to(fmt::appender(out_), "<offset {} in {}>", offset, cls);
  }

  void function(const Value& value) { address(address_of(value)); }

  void string_literal(const String& s) {
    const TypeNode& ch = s.char_type().node();
    std::size_t shown = std::min(s.size(), options_.max_string);
    std::size_t char_size = std::max<std::size_t>(ch.size, 1);
    // Short strings (the usual case) are copied to the stack, longer ones to the heap.
    std::array<unsigned char, 256> local;
    std::unique_ptr<unsigned char[]> heap;
    std::size_t size = shown * char_size;
    unsigned char* bytes = local.data();
    if (size > local.size()) {
      heap.reset(new unsigned char[size]);
      bytes = heap.get();
    }
    read_memory(s.data(), bytes, size);
    put(char_prefix(ch));
    out_.push_back('"');
    if (char_size == 1) {
      for (std::size_t i = 0; i < shown;) {
        // A run of characters that print as themselves, appended at once.
        std::size_t plain = i;
        while (plain < shown && bytes[plain] >= 0x20 && bytes[plain] < 0x7f && bytes[plain] != '"' && bytes[plain] != '\\')
          ++plain;
        if (plain > i) {
          put(std::string_view(reinterpret_cast<const char*>(bytes + i), plain - i));
          i = plain;
          continue;
        }
        if (bytes[i] >= 0x80) {
          if (std::size_t len = utf8_sequence(bytes, i, shown)) {
            put(std::string_view(reinterpret_cast<const char*>(&bytes[i]), len));
            i += len;
            continue;
          }
        }
        escaped(out_, bytes[i], '"', false);
        ++i;
      }
    } else {
      for (std::size_t i = 0; i < shown; ++i) {
        std::uint32_t code = 0;
        std::memcpy(&code, &bytes[i * char_size], std::min<std::size_t>(char_size, 4));
        escaped(out_, code, '"', true);
      }
    }
    out_.push_back('"');
    if (shown < s.size()) put(std::string_view("..."));
  }

  template <class ElementAt> void sequence(std::size_t size, ElementAt&& element_at, std::size_t depth) {
    if (depth >= options_.max_depth) {
      put(std::string_view("{...}"));
      return;
    }
    braces(depth, [&](auto& item) {
      std::size_t shown = std::min(size, options_.max_elements);
      for (std::size_t i = 0; i < shown; ++i) item([&] { print(element_at(i), depth + 1, false); });
      if (shown < size) item([&] { put(std::string_view("...")); });
    });
  }

  void array(const Value& value, const TypeNode& type, std::size_t depth, bool top) {
    if (String::accepts(value)) {
      string_literal(String(value));
      return;
    }
    // One copy of the whole array, from which its elements are then read (see ReadWindow).
    ReadWindow window(address_of(value), type.size);
    if (!window.readable()) throw UnreadableMemory(address_of(value));
    Array a(value);
    type_prefix(type, top);
    sequence(a.size(), [&](std::size_t i) { return a.at(i); }, depth);
  }

  void record(const Value& value, const TypeNode& type, std::size_t depth, bool top) {
    if (type.template_name() == "std::coroutine_handle") {
      coroutine_handle(value, type);
      return;
    }
    if (type.is_declaration) {
      fmt::format_to(fmt::appender(out_), "<incomplete {}>", value.type().name());
      return;
    }
    if (const StdView* view = type.std_view()) {
      std_library(value, type, *view, depth, top);
      return;
    }
    // One copy of the object, from which its members are then read (see ReadWindow).
    ReadWindow window(address_of(value), type.size);
    if (!window.readable()) throw UnreadableMemory(address_of(value));
    type_prefix(type, top);
    if (depth >= options_.max_depth) {
      put(std::string_view("{...}"));
      return;
    }
    if (depth == 0) printed_virtual_bases_.clear();
    members(value, type, depth);
  }

  // Like a pointer, annotated with the coroutine it leads to: `0x5a0c2f0 <coroutine app::top()>`.
  void coroutine_handle(const Value& value, const TypeNode& type) {
    std::uintptr_t frame = 0;
    if (type.size < sizeof frame) throw Error("a std::coroutine_handle smaller than a pointer");
    read_memory(address_of(value), &frame, sizeof frame);
    if (frame == 0) {
      put(std::string_view("nullptr"));
      return;
    }
    fmt::format_to(fmt::appender(out_), "{:#x}", frame);
    std::string function = coroutine_function_at(frame);
    if (!function.empty()) fmt::format_to(fmt::appender(out_), " <coroutine {}>", function);
  }

  void members(const Value& value, const TypeNode& type, std::size_t depth) {
    braces(depth, [&](auto& item) {
      for (const BaseNode& base : type.bases) {
        const TypeNode& base_type = base.type.get().concrete();
        auto located = base_address(value, base);
        if (base.is_virtual && located && !printed_virtual_bases_.insert(*located).second) continue;
        item([&] {
          put(base_type.name());
          if (!located) {
            fmt::format_to(fmt::appender(out_), "<unreadable {:#x}>", address_of(value));
            return;
          }
          Value sub(Type(base_type), reinterpret_cast<const void*>(*located));
          if (base_type.is_declaration) {
            put(std::string_view("<incomplete>"));
          } else if (depth + 1 >= options_.max_depth) {
            put(std::string_view("{...}"));
          } else {
            try {
              members(sub, base_type, depth + 1);
            } catch (const UnreadableMemory& e) {
              fmt::format_to(fmt::appender(out_), "<unreadable {:#x}>", e.address());
            }
          }
        });
      }
      for (const FieldNode& field : type.fields()) {
        item([&] {
          out_.push_back('.');
          put(field.name);
          put(std::string_view(" = "));
          print(field_value(value, field), depth + 1, false);
        });
      }
    });
  }

  void std_library(const Value& value, const TypeNode& type, const StdView& view, std::size_t depth, bool top) {
    // The view reads a few members of the object: copy it once. An unreadable object is left
    // to the view, which reports it as it reads.
    ReadWindow window(address_of(value), type.size);
    switch (view.shape()) {
      case StdView::Shape::String: string_literal(String(value)); return;
      case StdView::Shape::Sequence: {
        Array a(value);
        type_prefix(type, top);
        // The elements shown, copied at once; where that fails each element reports itself.
        std::optional<ReadWindow> elements;
        std::size_t shown = std::min(a.size(), options_.max_elements), bytes = 0;
        if (shown > 0 && !__builtin_mul_overflow(shown, a.element_type().node().concrete().size, &bytes))
          elements.emplace(address_of(a.at(0)), bytes);
        sequence(a.size(), [&](std::size_t i) { return a.at(i); }, depth);
        return;
      }
      case StdView::Shape::Tuple: {
        Tuple t(value);
        type_prefix(type, top);
        sequence(t.size(), [&](std::size_t i) { return t.at(i); }, depth);
        return;
      }
      case StdView::Shape::Pointer: {
        Pointer p(value);
        if (p.is_null()) {
          put(std::string_view("nullptr"));
          return;
        }
        holder(type, top, [&] { nested(p.deref_static(), depth + (top ? 1 : 0)); });
        return;
      }
      case StdView::Shape::Optional: {
        Optional o(value);
        if (!o.has_value()) {
          put(view.empty_text());
          return;
        }
        bool named = view.content_naming() == StdView::Naming::Always ||
                     (view.content_naming() == StdView::Naming::AtTop && top);
        holder(type, top, [&] { print(o.value(), depth + (top ? 1 : 0), named); });
        return;
      }
    }
  }

  // Smart pointers and optionals: `std::unique_ptr<Foo>{{.a = 1}}` at the top, `{.a = 1}` nested.
  template <class Inner> void holder(const TypeNode& type, bool top, Inner&& inner) {
    if (!top || !options_.show_type) {
      inner();
      return;
    }
    put(type.name());
    out_.push_back('{');
    inner();
    out_.push_back('}');
  }

  fmt::memory_buffer& out_;
  const FormatOptions& options_;
  Path path_;
  std::unordered_set<std::uintptr_t> printed_virtual_bases_;
};

}  // namespace

namespace detail {
void format_value(fmt::memory_buffer& out, const Value& value, const FormatOptions& options) {
  Printer printer(out, options, address_of(value));
  printer.print(value, 0, true);
}
}  // namespace detail

std::string to_string(const Value& value, const FormatOptions& options) {
  fmt::memory_buffer out;
  detail::format_value(out, value, options);
  return fmt::to_string(out);
}

}  // namespace reflect
