#pragma once
// Standard-library types as users think of them. Each family (strings, vectors, smart
// pointers, ...) lives in its own file in this folder and is listed once, in std_view.cpp;
// the core asks only "which view presents this type?" and then uses the view's shape.

#include "../type_node.hpp"

#include <reflect/value.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace reflect::detail {

struct SequenceAccess {
  const TypeNode* element;
  std::uintptr_t data;
  std::size_t size;
};

struct StringAccess {
  const TypeNode* char_type;
  std::uintptr_t data;
  std::size_t size;  // in characters
};

struct PointerAccess {
  const TypeNode* pointee;
  std::uintptr_t target;  // 0 when null
};

class StdView {
 public:
  enum class Shape { Sequence, String, Pointer, Optional, Tuple };
  virtual ~StdView() = default;
  virtual Shape shape() const = 0;
  /// Whether this view presents `type` (a concrete class type).
  virtual bool matches(const TypeNode& type) const = 0;

  // The accessor of the view's shape is the one that is called; they read memory and throw
  // UnreadableMemory when it is unreadable or inconsistent.
  /// For Shape::Optional: what an empty one prints as, and when the held value's type is
  /// named (a std::any's content only at the top, a std::function's target always).
  enum class Naming { Never, AtTop, Always };
  virtual std::string_view empty_text() const { return "std::nullopt"; }
  virtual Naming content_naming() const { return Naming::Never; }

  virtual SequenceAccess sequence(const Value& value) const;
  virtual StringAccess string(const Value& value) const;
  virtual PointerAccess pointer(const Value& value) const;
  virtual std::optional<Value> optional(const Value& value) const;
  virtual std::vector<Value> tuple(const Value& value) const;
};

/// The view for a concrete type, or nullptr (called once per type; see TypeNode::std_view).
const StdView* find_std_view(const TypeNode& type);

// Helpers the families share.

/// A member found by name in the value's own fields or, depth first, in its non-virtual bases.
/// `accept` filters candidates (e.g. only pointer-typed ones).
std::optional<Value> find_member(const Value& value, std::string_view name, bool (*accept)(const TypeNode&) = nullptr);
/// As find_member, but throws UnreadableMemory (at the value's address) when absent: a layout
/// this view does not know is treated like unreadable memory rather than a crash.
Value require_member(const Value& value, std::string_view name, bool (*accept)(const TypeNode&) = nullptr);
/// The type of the `index`th template argument of the value's class.
const TypeNode* template_type_argument(const TypeNode& type, std::size_t index);
std::uintptr_t read_pointer(const Value& value);
std::uint64_t read_unsigned(const Value& value);
bool is_pointer_node(const TypeNode& type);

}  // namespace reflect::detail
