// The printed form of a value (ARCHITECTURE §9): as far as C++ allows, an initializer that
// would rebuild it. The walk (walk.hpp) decides what is printed; this sink decides how. Never
// throws for bad memory: problems print in place.

#include "../dwarf/process.hpp"
#include "text_escape.hpp"
#include "walk.hpp"

#include <reflect/format.hpp>

#include <fmt/compile.h>
#include <fmt/format.h>

#include <limits>
#include <vector>

namespace reflect {

using namespace detail;

namespace detail {

namespace {
// The module an address lies in and its symbol there; the caller holds the registry lock.
struct Located {
  const dwarf::Module* module;
  dwarf::Symbol symbol;
};
std::optional<Located> locate_symbol(Registry& registry, std::uintptr_t address) {
  // A miss re-reads the module list only when objects were loaded since (dlopen): cheap.
  const dwarf::Module* module = registry.process().module_at(address);
  if (module == nullptr) return std::nullopt;
  auto symbol = module->symbol_at(address);
  if (!symbol) return std::nullopt;
  return Located{module, *symbol};
}
}  // namespace

std::optional<SymbolName> symbol_name(Registry& registry, std::uintptr_t address) {
  std::lock_guard lock(registry.mutex());
  auto found = locate_symbol(registry, address);
  if (!found) return std::nullopt;
  const dwarf::Symbol& symbol = found->symbol;
  auto [it, inserted] = registry.demangled_symbols().try_emplace(Registry::SymbolKey{found->module, address - symbol.offset});
  if (inserted) it->second = demangle(std::string(symbol.name));
  return SymbolName{&it->second, symbol.offset};
}

std::optional<dwarf::Symbol> mangled_symbol(Registry& registry, std::uintptr_t address) {
  std::lock_guard lock(registry.mutex());
  auto found = locate_symbol(registry, address);
  if (!found) return std::nullopt;
  return found->symbol;
}

std::string symbol_for(Registry& registry, std::uintptr_t address) {
  auto symbol = symbol_name(registry, address);
  if (!symbol) return {};
  return symbol->offset ? fmt::format("{}+{}", *symbol->name, symbol->offset) : *symbol->name;
}

namespace {
// A function's name without its parameter list: "zoo::Widget::draw() const" -> "zoo::Widget::draw".
std::string without_parameters(const std::string& name) {
  int depth = 0;
  for (std::size_t i = name.size(); i-- > 0;) {
    if (name[i] == ')') ++depth;
    else if (name[i] == '(' && --depth == 0) return name.substr(0, i);
  }
  return name;
}
}  // namespace

namespace {
// The virtual function in `slot` of the class's vtable: declared by the class, or by a base
// that shares its vtable (a non-virtual base at offset 0). As `&Class::function`.
std::optional<std::string> virtual_function(const TypeNode& cls, std::uint64_t slot, int depth = 0) {
  if (depth > 32 || cls.is_declaration) return std::nullopt;
  for (const auto& function : cls.virtual_functions)
    if (function.slot == slot) return fmt::format("&{}::{}", cls.name(), function.name);
  for (const BaseNode& base : cls.bases)
    if (!base.is_virtual && base.offset == 0)
      if (auto found = virtual_function(base.type.get().concrete(), slot, depth + 1)) return found;
  return std::nullopt;
}
}  // namespace

// `&Class::function`, from the debug info's vtable slots for a virtual function and from the
// symbol otherwise; `&Class::<virtual slot N>` or the raw address when neither says. The
// adjustment (non-zero only through a base of multiple inheritance) is not shown.
std::string member_function_text(const TypeNode& type, std::uintptr_t function, std::ptrdiff_t) {
  const TypeNode* cls = type.containing_class ? &type.containing_class->get().concrete() : nullptr;
  const std::string name = cls ? cls->name() : "?";
  if (function & 1) {
    const std::uint64_t slot = (function - 1) / sizeof(void*);
    if (cls != nullptr)
      if (auto found = virtual_function(*cls, slot)) return *found;
    return fmt::format("&{}::<virtual slot {}>", name, slot);
  }
  const std::string symbol = symbol_for(*type.registry, function);
  if (symbol.empty()) return fmt::format("{:#x}", function);
  return "&" + without_parameters(symbol);
}

}  // namespace detail

namespace {

class TextSink {
 public:
  TextSink(fmt::memory_buffer& out, bool multiline) : out_(out), multiline_(multiline) {}

  // Structure.
  void begin_record(const TypeNode& type, bool named) { open(type, named); }
  void base(const TypeNode& type) {
    item();
    put(type.name());
  }
  void end_base() {}
  void field(std::string_view name) {
    item();
    out_.push_back('.');
    put(name);
    put(" = ");
  }
  void end_record() { close(); }
  void begin_sequence(const TypeNode& type, bool named) { open(type, named); }
  void element() { item(); }
  void end_sequence(bool truncated) {
    if (truncated) {
      item();
      put("...");
    }
    close();
  }
  void begin_map(const TypeNode& type, bool named, bool) { open(type, named); }
  void entry_key() {
    item();
    out_.push_back('{');
    push(Level::Inline);
  }
  void entry_value() { put(", "); }
  void end_entry() {
    pop();
    out_.push_back('}');
  }
  void end_map(bool truncated) { end_sequence(truncated); }
  // At the top `Type{inner}`; nested only `inner`, or `{inner}` when `braced_nested`.
  void begin_holder(const TypeNode& type, bool named, bool braced_nested) {
    const bool braces = named || braced_nested;
    if (named) put(type.name());
    if (braces) out_.push_back('{');
    push(braces ? Level::Inline : Level::Transparent);
  }
  void end_holder() {
    const bool braces = levels_.back().kind == Level::Inline;
    pop();
    if (braces) out_.push_back('}');
  }
  void elided(const TypeNode& type, bool named) {
    if (named) put(type.name());
    put("{...}");
  }

  // Leaves.
  void boolean(std::uint8_t byte) {
    if (byte <= 1) put(byte ? "true" : "false");
    else append(fmt::format_int(byte));  // neither: corrupted memory, shown as it is
  }
  void integer(uint128 raw, bool is_signed) {
    // 64 bits and less (all but __int128) through fmt's fast integer formatting: the same digits.
    if (is_signed) {
      const auto v = static_cast<int128>(raw);
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
  void character(std::uint32_t code, const TypeNode& ch) {
    put(char_prefix(ch));
    out_.push_back('\'');
    escape_cpp(out_, code, '\'', ch.size > 1);
    out_.push_back('\'');
  }
  // FMT_COMPILE: the same text as "{}", without parsing the format string at run time.
  void floating(float v) { fmt::format_to(fmt::appender(out_), FMT_COMPILE("{}"), v); }
  void floating(double v) { fmt::format_to(fmt::appender(out_), FMT_COMPILE("{}"), v); }
  void floating(long double v) { fmt::format_to(fmt::appender(out_), "{}", v); }
  void enumeration(const TypeNode& type, std::int64_t raw, const std::string_view* names, std::size_t count, bool) {
    const std::string& name = type.name();
    if (count == 0) {
      if (type.is_signed) fmt::format_to(fmt::appender(out_), "static_cast<{}>({})", name, raw);
      else fmt::format_to(fmt::appender(out_), "static_cast<{}>({})", name, static_cast<std::uint64_t>(raw));
      return;
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (i) put(" | ");
      put(name);
      put("::");
      put(names[i]);
    }
  }
  void text(const TypeNode& ch, const unsigned char* bytes, std::size_t characters, bool truncated) {
    put(char_prefix(ch));
    out_.push_back('"');
    escape_cpp_string(out_, bytes, characters, std::max<std::size_t>(ch.size, 1));
    out_.push_back('"');
    if (truncated) put("...");
  }
  void address(std::uintptr_t address, std::string_view symbol, std::uint64_t offset) {
    fmt::format_to(fmt::appender(out_), FMT_COMPILE("{:#x}"), address);
    if (symbol.empty()) return;
    put(" <");
    put(symbol);
    if (offset != 0) {
      out_.push_back('+');
      append(fmt::format_int(offset));
    }
    out_.push_back('>');
  }
  void coroutine_handle(std::uintptr_t frame, std::string_view function) {
    fmt::format_to(fmt::appender(out_), FMT_COMPILE("{:#x}"), frame);
    if (function.empty()) return;
    put(" <coroutine ");
    put(function);
    out_.push_back('>');
  }
  void follow(std::uintptr_t target, std::string_view symbol, std::uint64_t offset) {
    address(target, symbol, offset);
    put(" -> ");
  }
  void null() { put("nullptr"); }
  void empty(std::string_view text) { put(text); }
  void token(std::string_view text) { put(text); }
  void quoted(std::string_view text, bool truncated) {
    out_.push_back('"');
    escape_cpp_string(out_, reinterpret_cast<const unsigned char*>(text.data()), text.size(), 1);
    out_.push_back('"');
    if (truncated) put("...");
  }
  void comment(std::string_view text) {
    if (out_.size() > 0 && out_.data()[out_.size() - 1] != '{') out_.push_back(' ');
    put("/* ");
    put(text);
    put(" */");
  }
  void problem(std::string_view text) { put(text); }

  // Recovery.
  std::size_t depth() const { return levels_.size(); }
  void unwind(std::size_t depth) {
    while (levels_.size() > depth) {
      switch (levels_.back().kind) {
        case Level::Braces: close(); break;
        case Level::Inline: pop(); out_.push_back('}'); break;
        case Level::Transparent: pop(); break;
      }
    }
  }

 private:
  struct Level {
    enum Kind : std::uint8_t {
      Braces,       // items separated by ", ", or one a line in multi-line output
      Inline,       // braces whose content stays on the line: a holder's, a map entry's
      Transparent,  // no braces at all: a holder's content when nested
    } kind;
    bool any = false;
  };

  // Text appended in place: fmt's append() is a generic loop, and a call into whichever copy of
  // it the program's own fmt instantiated.
  void put(std::string_view text) {
    const std::size_t size = out_.size();
    out_.resize(size + text.size());
    std::memcpy(out_.data() + size, text.data(), text.size());
  }
  void append(const fmt::format_int& digits) { put(std::string_view(digits.data(), digits.size())); }
  void indent(std::size_t depth) {
    for (std::size_t i = 0; i < depth; ++i) put("  ");
  }

  // Indentation counts the braces that are open: a nested holder opens none.
  void push(Level::Kind kind) {
    levels_.push_back({kind});
    if (kind != Level::Transparent) ++braces_;
  }
  void pop() {
    if (levels_.back().kind != Level::Transparent) --braces_;
    levels_.pop_back();
  }
  void open(const TypeNode& type, bool named) {
    if (named) put(type.name());
    out_.push_back('{');
    push(Level::Braces);
  }
  void close() {
    const bool any = levels_.back().any;
    pop();
    if (multiline_ && any) {
      out_.push_back(',');
      out_.push_back('\n');
      indent(braces_);
    }
    out_.push_back('}');
  }
  // Starts an item of the innermost braces: a separator, or a new line in multi-line output.
  void item() {
    if (levels_.empty()) return;
    Level& level = levels_.back();
    if (level.kind != Level::Braces) return;
    if (multiline_) {
      if (level.any) out_.push_back(',');
      out_.push_back('\n');
      indent(braces_);
    } else if (level.any) {
      put(", ");
    }
    level.any = true;
  }

  fmt::memory_buffer& out_;
  const bool multiline_;
  std::vector<Level> levels_;
  std::size_t braces_ = 0;
};

}  // namespace

namespace detail {

void format_value(fmt::memory_buffer& out, const Value& value, const FormatOptions& options) {
  const WalkLimits limits{options.follow_pointers, options.dynamic_types, options.max_elements, options.max_depth,
                          options.max_string};
  TextSink sink(out, options.multiline);
  Walk<TextSink> walk(sink, limits, address_of(value));
  walk.value(value, 0, options.show_type);  // without its type named, the root prints as nested
}

}  // namespace detail

std::string to_string(const Value& value, const FormatOptions& options) {
  fmt::memory_buffer out;
  detail::format_value(out, value, options);
  return fmt::to_string(out);
}

}  // namespace reflect
