#include "expression.hpp"

#include <reflect/error.hpp>
#include <reflect/reflect.hpp>

#include <fmt/format.h>

#include <optional>

namespace reflect::cli {

namespace {

bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

[[noreturn]] void bad(std::string_view text, std::size_t at, std::string_view why) {
  throw Error(fmt::format("reflect: cannot read the expression '{}' at column {}: {}", text, at + 1, why));
}

// The variable's name runs to the first `.`, `->` or `[` outside brackets: template arguments
// and `(anonymous namespace)` are part of it.
std::size_t end_of_name(std::string_view text, std::size_t at) {
  int depth = 0;
  for (; at < text.size(); ++at) {
    const char c = text[at];
    if (c == '<' || c == '(') ++depth;
    else if ((c == '>' || c == ')') && depth > 0) --depth;
    else if (depth == 0 && (c == '.' || c == '[' || (c == '-' && at + 1 < text.size() && text[at + 1] == '>'))) break;
  }
  return at;
}

std::string identifier_at(std::string_view text, std::size_t& at) {
  const std::size_t begin = at;
  while (at < text.size() && is_identifier_char(text[at])) ++at;
  if (at == begin) bad(text, begin, "a member's name must follow");
  return std::string(text.substr(begin, at - begin));
}

}  // namespace

Expression parse_expression(std::string_view text) {
  Expression out;
  std::size_t at = 0;
  if (at < text.size() && text[at] == '*') {
    out.dereference = true;
    ++at;
  }
  const std::size_t name_end = end_of_name(text, at);
  out.variable = std::string(text.substr(at, name_end - at));
  if (out.variable.empty()) bad(text, at, "it must start with a global variable's name");
  at = name_end;
  while (at < text.size()) {
    Expression::Step step{};
    if (text[at] == '.') {
      ++at;
      step.kind = Expression::Step::Kind::Member;
      step.name = identifier_at(text, at);
    } else if (text[at] == '-') {  // `->`, as end_of_name() stopped at it
      at += 2;
      step.kind = Expression::Step::Kind::PointerMember;
      step.name = identifier_at(text, at);
    } else if (text[at] == '[') {
      ++at;
      if (at < text.size() && text[at] == '"') {
        step.kind = Expression::Step::Kind::Key;
        for (++at; at < text.size() && text[at] != '"'; ++at) {
          if (text[at] == '\\' && at + 1 < text.size()) ++at;
          step.name += text[at];
        }
        if (at >= text.size()) bad(text, at, "the key's closing quote is missing");
        ++at;
      } else {
        step.kind = Expression::Step::Kind::Index;
        const std::size_t begin = at;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') step.index = step.index * 10 + (text[at++] - '0');
        if (at == begin || at - begin > 18) bad(text, begin, "an index is a number, a key a quoted string");
      }
      if (at >= text.size() || text[at] != ']') bad(text, at, "']' expected");
      ++at;
    } else {
      bad(text, at, "'.', '->' or '[' expected");
    }
    out.steps.push_back(std::move(step));
  }
  return out;
}

namespace {

// The object a pointer (raw or smart) points to, of its dynamic type; `named` is set when that
// is not the pointer's static pointee type.
Value pointee(const Value& value, std::string_view spelled, bool& named) {
  if (!Pointer::accepts(value))
    throw Error(fmt::format("reflect: {} is not a pointer (its type is {})", spelled, value.type().name()));
  const Pointer pointer(value);
  if (pointer.is_null()) throw Error(fmt::format("reflect: {} is a null pointer", spelled));
  Value object = pointer.deref();
  named = object.type().strip() != pointer.pointee_type().strip();
  return object;
}

// The member `name` of a struct, its own or a base's.
std::optional<Value> member_of(const Value& object, std::string_view name, int depth = 0) {
  if (depth > 32 || !Struct::accepts(object)) return std::nullopt;
  const Struct s(object);
  if (auto field = s.field(name)) return field->value();
  for (const Base& base : s.bases())
    if (auto found = member_of(base.value(), name, depth + 1)) return found;
  return std::nullopt;
}

std::string member_names(const Value& object) {
  std::string out;
  if (!Struct::accepts(object)) return out;
  for (const Field& field : Struct(object).fields()) {
    if (!out.empty()) out += ", ";
    out += field.name();
  }
  return out;
}

}  // namespace

Evaluated evaluate(const Target& target, const Expression& expression) {
  std::optional<Value> found = target.find_variable(expression.variable);
  if (!found)
    throw Error(fmt::format("reflect: no global variable or static data member named {} in the debug info", expression.variable));
  Value value = *found;
  bool named = false;
  std::string spelled = expression.variable;
  for (const Expression::Step& step : expression.steps) {
    named = false;
    switch (step.kind) {
      case Expression::Step::Kind::PointerMember:
        value = pointee(value, spelled, named);
        named = false;
        [[fallthrough]];
      case Expression::Step::Kind::Member: {
        // `.` on a pointer reads the object, as gdb allows.
        if (step.kind == Expression::Step::Kind::Member && Pointer::accepts(value) && !Struct::accepts(value))
          value = pointee(value, spelled, named);
        named = false;
        auto member = member_of(value, step.name);
        if (!member) {
          const std::string members = member_names(value);
          throw Error(fmt::format("reflect: {} (of type {}) has no member '{}'{}", spelled, value.type().name(), step.name,
                                  members.empty() ? "" : fmt::format(" (its members: {})", members)));
        }
        value = *member;
        spelled += (step.kind == Expression::Step::Kind::Member ? "." : "->") + step.name;
        break;
      }
      case Expression::Step::Kind::Index: {
        if (Array::accepts(value)) {
          const Array array(value);
          if (step.index >= array.size())
            throw Error(fmt::format("reflect: {}[{}] is out of range: {} has {} elements", spelled, step.index, spelled,
                                    array.size()));
          value = array.at(step.index);
        } else if (Map::accepts(value)) {
          auto entry = Map(value).find(step.index);
          if (!entry) throw Error(fmt::format("reflect: {} has no key {}", spelled, step.index));
          value = *entry;
        } else {
          throw Error(fmt::format("reflect: {} (of type {}) cannot be indexed: it is not a sequence or a map", spelled,
                                  value.type().name()));
        }
        spelled += fmt::format("[{}]", step.index);
        break;
      }
      case Expression::Step::Kind::Key: {
        if (!Map::accepts(value))
          throw Error(fmt::format("reflect: {} (of type {}) is not a map: it has no keys", spelled, value.type().name()));
        auto entry = Map(value).find(step.name);
        if (!entry) throw Error(fmt::format("reflect: {} has no key \"{}\"", spelled, step.name));
        value = *entry;
        spelled += fmt::format("[\"{}\"]", step.name);
        break;
      }
    }
  }
  if (expression.dereference) value = pointee(value, spelled, named);
  return {value, named};
}

}  // namespace reflect::cli
