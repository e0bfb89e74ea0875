#pragma once
// reflect::Type: a handle to one type as the program's DWARF describes it.

#include <reflect/error.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace reflect {

namespace detail {
struct TypeNode;
}

/// What a type is. Typedefs and cv-qualifiers are kinds of their own so that a type's name can
/// be shown as written; `Type::strip()` removes them.
enum class Kind : std::uint8_t {
  Void,
  Bool,
  Integer,
  Character,
  Floating,
  Complex,  // a `_Complex` base type: {real, imaginary}
  Enum,
  Struct,  // class or struct
  Union,
  Array,
  Pointer,
  LValueReference,
  RValueReference,
  MemberPointer,
  Function,
  Typedef,
  Const,
  Volatile,
  NullPtr,
  Unknown,
};

REFLECT_API std::string_view to_string(Kind kind) noexcept;

enum class Access : std::uint8_t { Public, Protected, Private };

class Type;

struct Member;
struct BaseClass;
struct Enumerator;
struct TemplateArgument;

/// A cheap, copyable handle. Types live as long as the process; two handles are equal when
/// they name the same DWARF type.
class REFLECT_API Type {
 public:
  explicit Type(const detail::TypeNode& node) noexcept : node_(&node) {}

  /// The name as a user writes it: `zoo::Point`, `std::vector<int>`, `const char*`.
  std::string_view name() const;
  /// Size in bytes (0 for void, functions and incomplete types).
  std::size_t size() const;
  Kind kind() const noexcept;
  /// False for a class only declared in the debug info (no definition in any loaded module).
  bool is_complete() const;
  /// For integers, characters and enums: whether the values are signed.
  bool is_signed() const noexcept;

  /// The type this one is built on: pointee, referent, element, typedef target, the type under
  /// a cv-qualifier, an enum's underlying type, a function's return type.
  std::optional<Type> target() const;
  /// This type with typedefs and cv-qualifiers removed.
  Type strip() const;
  /// For an array type: the number of elements of its first dimension (nullopt if flexible).
  std::optional<std::size_t> array_length() const;

  /// Data members as declared (anonymous struct/union members included, with an empty name).
  std::vector<Member> members() const;
  std::vector<BaseClass> bases() const;
  std::vector<Enumerator> enumerators() const;
  std::vector<TemplateArgument> template_arguments() const;

  friend bool operator==(const Type& a, const Type& b) noexcept { return a.node_ == b.node_; }
  const detail::TypeNode& node() const noexcept { return *node_; }

 private:
  const detail::TypeNode* node_;
};

struct Member {
  std::string_view name;
  Type type;
  std::size_t offset;        // bytes from the start of the enclosing object
  std::uint16_t bit_offset;  // for bitfields: bits after `offset` (DWARF 5 convention)
  std::uint16_t bit_size;    // 0 unless a bitfield
  Access access;
  bool artificial;           // compiler-made, such as `_vptr.Base`
};

struct BaseClass {
  Type type;
  std::optional<std::size_t> offset;  // nullopt for a virtual base: it depends on the object
  bool is_virtual;
  Access access;
};

struct Enumerator {
  std::string_view name;
  std::int64_t value;  // unsigned values above INT64_MAX wrap; compare bit patterns
};

struct TemplateArgument {
  std::string_view name;          // the parameter's name, `T`
  std::optional<Type> type;       // for a type parameter, or a value parameter's type
  std::optional<std::int64_t> value;  // for a value parameter
  bool is_default;                // the argument equals the parameter's default
};

}  // namespace reflect
