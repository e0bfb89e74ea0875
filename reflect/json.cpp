// Values as JSON: the second sink of the walk (walk.hpp).

#include "text_escape.hpp"
#include "walk.hpp"

#include <reflect/format.hpp>
#include <reflect/json.hpp>

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <vector>

namespace reflect {

using namespace detail;

namespace {

class JsonSink {
 public:
  JsonSink(fmt::memory_buffer& out, bool pretty) : out_(out), pretty_(pretty) {}

  // Structure.
  void begin_record(const TypeNode& type, bool) {
    if (pending_base_ != nullptr) {  // a base's members merge into the derived object
      pending_base_ = nullptr;
      levels_.push_back({Level::Merged});
      return;
    }
    value_start();
    out_.push_back('{');
    levels_.push_back({Level::Object});
    if (!type.bases.empty()) levels_.back().repeated = repeated_names(type);
  }
  void base(const TypeNode& type) {
    pending_base_ = &type;
    bases_.push_back(&type);
  }
  void end_base() {
    pending_base_ = nullptr;
    bases_.pop_back();
  }
  void field(std::string_view name) {
    const Level* object = innermost_object();
    const bool in_base = levels_.back().kind == Level::Merged && !bases_.empty();
    if (in_base && object != nullptr && object->repeated.contains(name)) {
      key(fmt::format("{}::{}", bases_.back()->name(), name));
    } else {
      key(name);
    }
  }
  void end_record() {
    const Level::Kind kind = levels_.back().kind;
    close(kind == Level::Merged ? '\0' : '}');
  }
  void begin_sequence(const TypeNode&, bool) {
    value_start();
    out_.push_back('[');
    levels_.push_back({Level::Array});
  }
  void element() {
    auto it = levels_.rbegin();
    while (it != levels_.rend() && it->kind == Level::Holder) {
      if (it->count > 0) return;  // a holder's one value is already there: nothing more may follow
      ++it;
    }
    if (it == levels_.rend() || it->kind == Level::Array || it != levels_.rbegin()) return;  // value_start() separates
    key("reflect::problem");  // a problem in an object's place of a member
  }
  void end_sequence(bool truncated) {
    if (truncated) string("...");
    close(']');
  }
  void begin_map(const TypeNode&, bool, bool string_keys) {
    value_start();
    out_.push_back(string_keys ? '{' : '[');
    levels_.push_back({string_keys ? Level::Object : Level::Array});
  }
  void entry_key() {
    if (levels_.back().kind == Level::Object) {
      separate();
      key_pending_ = true;  // the key's value is written as a string, then ": "
      return;
    }
    value_start();
    out_.push_back('[');
    levels_.push_back({Level::Array, 0, true});
  }
  void entry_value() {}
  void end_entry() {
    if (levels_.back().pair) close(']');
  }
  void end_map(bool truncated) {
    if (truncated) {
      if (levels_.back().kind == Level::Object) key("...");
      string("...");
    }
    close(levels_.back().kind == Level::Object ? '}' : ']');
  }
  void begin_holder(const TypeNode&, bool, bool) { levels_.push_back({Level::Holder}); }
  void end_holder() {
    const bool wrote = levels_.back().count > 0;
    levels_.pop_back();
    if (!wrote) {
      value_start();
      out_.append(std::string_view("null"));
    }
  }
  void elided(const TypeNode&, bool) { string("{...}"); }

  // Leaves.
  void boolean(std::uint8_t byte) {
    if (key_pending_) return string(byte <= 1 ? (byte ? "true" : "false") : fmt::format("{}", byte));
    value_start();
    if (byte <= 1) out_.append(std::string_view(byte ? "true" : "false"));
    else fmt::format_to(fmt::appender(out_), "{}", byte);
  }
  void integer(uint128 raw, bool is_signed) {
    if (key_pending_) return string(is_signed ? fmt::format("{}", static_cast<int128>(raw)) : fmt::format("{}", raw));
    value_start();
    if (is_signed) fmt::format_to(fmt::appender(out_), "{}", static_cast<int128>(raw));
    else fmt::format_to(fmt::appender(out_), "{}", raw);
  }
  void character(std::uint32_t code, const TypeNode& ch) {
    value_start();
    out_.push_back('"');
    const auto bytes = reinterpret_cast<const unsigned char*>(&code);
    escape_json_string(out_, bytes, 1, std::min<std::size_t>(std::max<std::size_t>(ch.size, 1), 4));
    out_.push_back('"');
    after_value();
  }
  void floating(float v) { real(v); }
  void floating(double v) { real(v); }
  void floating(long double v) { real(v); }
  void enumeration(const TypeNode&, std::int64_t raw, const std::string_view* names, std::size_t count, bool) {
    if (count == 0) {
      if (key_pending_) return string(fmt::format("{}", raw));
      value_start();
      fmt::format_to(fmt::appender(out_), "{}", raw);
      return;
    }
    std::string joined;
    for (std::size_t i = 0; i < count; ++i) {
      if (i) joined += " | ";
      joined += names[i];
    }
    string(joined);
  }
  void text(const TypeNode& ch, const unsigned char* bytes, std::size_t characters, bool truncated) {
    value_start();
    out_.push_back('"');
    escape_json_string(out_, bytes, characters, std::max<std::size_t>(ch.size, 1));
    if (truncated) out_.append(std::string_view("..."));
    out_.push_back('"');
    after_value();
  }
  void address(std::uintptr_t address, std::string_view, std::uint64_t) { string(fmt::format("{:#x}", address)); }
  void coroutine_handle(std::uintptr_t frame, std::string_view) { address(frame, {}, 0); }
  void follow(std::uintptr_t, std::string_view, std::uint64_t) {}
  void null() {
    if (key_pending_) return string("null");
    value_start();
    out_.append(std::string_view("null"));
  }
  void empty(std::string_view) { null(); }
  void token(std::string_view text) { string(text); }
  void quoted(std::string_view text, bool truncated) {
    if (!truncated) {
      string(text);
      return;
    }
    string(fmt::format("{}...", text));  // as a truncated string's text: the dots inside
  }
  // A comment is a note beside a value; only a holder that holds nothing else shows it.
  void comment(std::string_view text) {
    if (!levels_.empty() && levels_.back().kind == Level::Holder && levels_.back().count == 0) string(text);
  }
  // Recovery.
  std::size_t depth() const { return levels_.size(); }
  void unwind(std::size_t depth) {
    key_pending_ = false;
    pending_base_ = nullptr;
    while (levels_.size() > depth) {
      switch (levels_.back().kind) {
        case Level::Object: close('}'); break;
        case Level::Array: close(']'); break;
        case Level::Merged: close('\0'); break;
        case Level::Holder: end_holder(); break;
      }
    }
  }

  void problem(std::string_view text) {
    // A holder (optional, smart pointer) that already wrote its one value has no room for a note.
    if (!levels_.empty() && levels_.back().kind == Level::Holder && levels_.back().count > 0) return;
    if (pending_base_ != nullptr) {  // the base itself could not be shown
      key(pending_base_->name());
      pending_base_ = nullptr;
    }
    string(text);
  }

 private:
  struct Level {
    enum Kind : std::uint8_t { Object, Array, Merged, Holder } kind;
    std::size_t count = 0;
    bool pair = false;  // an array that is a [key, value] entry
    std::unordered_map<std::string_view, int> repeated{};
  };

  // Names that appear more than once among a class's members and its bases' (they are kept
  // apart as "Base::name").
  static std::unordered_map<std::string_view, int> repeated_names(const TypeNode& type) {
    std::unordered_map<std::string_view, int> counts;
    std::vector<const TypeNode*> virtual_bases;
    count_names(type, counts, virtual_bases, 0);
    for (auto it = counts.begin(); it != counts.end();) it = it->second > 1 ? std::next(it) : counts.erase(it);
    return counts;
  }
  // A virtual base is one subobject however many classes name it: counted once.
  static void count_names(const TypeNode& type, std::unordered_map<std::string_view, int>& counts,
                          std::vector<const TypeNode*>& virtual_bases, int depth) {
    if (depth > 32) return;
    for (const BaseNode& base : type.bases) {
      const TypeNode& base_type = base.type.get().concrete();
      if (base_type.is_declaration) continue;
      if (base.is_virtual) {
        if (std::find(virtual_bases.begin(), virtual_bases.end(), &base_type) != virtual_bases.end()) continue;
        virtual_bases.push_back(&base_type);
      }
      count_names(base_type, counts, virtual_bases, depth + 1);
    }
    for (const FieldNode& field : type.fields()) ++counts[field.name];
  }

  const Level* innermost_object() const {
    for (auto it = levels_.rbegin(); it != levels_.rend(); ++it)
      if (it->kind == Level::Object) return &*it;
    return nullptr;
  }

  void newline() {
    if (!pretty_) return;
    out_.push_back('\n');
    for (std::size_t i = 0; i < open_brackets(); ++i) out_.append(std::string_view("  "));
  }
  // Brackets open in the output (merged bases and holders write none).
  std::size_t open_brackets() const {
    std::size_t n = 0;
    for (const Level& level : levels_) n += level.kind == Level::Object || level.kind == Level::Array;
    return n;
  }
  // The separator before the next item of the innermost object or array.
  void separate() {
    Level* owner = nullptr;
    for (auto it = levels_.rbegin(); it != levels_.rend(); ++it)
      if (it->kind == Level::Object || it->kind == Level::Array) {
        owner = &*it;
        break;
      }
    if (owner == nullptr) return;
    if (owner->count++ > 0) out_.push_back(',');
    newline();
  }
  void key(std::string_view name) {
    separate();
    write_string(name);
    out_.append(std::string_view(pretty_ ? ": " : ":"));
  }
  // Before a value: in an array, its separator; in a holder, counted so that an empty one
  // is null.
  void value_start() {
    auto it = levels_.rbegin();
    for (; it != levels_.rend() && it->kind == Level::Holder; ++it) ++it->count;
    if (it != levels_.rend() && it->kind == Level::Array) separate();
  }
  void after_value() {
    if (key_pending_) {
      key_pending_ = false;
      out_.append(std::string_view(pretty_ ? ": " : ":"));
    }
  }
  void close(char bracket) {
    const Level level = std::move(levels_.back());
    levels_.pop_back();
    if (bracket == '\0') return;
    if (level.count > 0) newline();
    out_.push_back(bracket);
  }
  void write_string(std::string_view text) {
    out_.push_back('"');
    escape_json_string(out_, reinterpret_cast<const unsigned char*>(text.data()), text.size(), 1);
    out_.push_back('"');
  }
  void string(std::string_view text) {
    value_start();
    write_string(text);
    after_value();
  }
  template <class F> void real(F v) {
    if (std::isnan(v)) return string("nan");
    if (std::isinf(v)) return string(v < 0 ? "-inf" : "inf");
    // A long double past double's range is a string too: JSON parsers read numbers as doubles.
    const bool beyond_double = std::fabs(v) > static_cast<F>(std::numeric_limits<double>::max());
    if (key_pending_ || beyond_double) return string(fmt::format("{}", v));
    value_start();
    fmt::format_to(fmt::appender(out_), "{}", v);
  }

  fmt::memory_buffer& out_;
  const bool pretty_;
  std::vector<Level> levels_;
  std::vector<const TypeNode*> bases_;
  const TypeNode* pending_base_ = nullptr;
  bool key_pending_ = false;
};

}  // namespace

namespace detail {
void format_json(fmt::memory_buffer& out, const Value& value, const JsonOptions& options) {
  const WalkLimits limits{options.follow_pointers, options.dynamic_types, options.max_elements, options.max_depth,
                          options.max_string};
  JsonSink sink(out, options.pretty);
  Walk<JsonSink> walk(sink, limits, address_of(value));
  walk.value(value, 0, true);
}
}  // namespace detail

std::string to_json(const Value& value, const JsonOptions& options) {
  fmt::memory_buffer out;
  detail::format_json(out, value, options);
  return fmt::to_string(out);
}

}  // namespace reflect
