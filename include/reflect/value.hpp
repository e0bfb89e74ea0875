#pragma once
// reflect::Value and its typed views over live memory.

#include <reflect/anchor.hpp>
#include <reflect/type.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace reflect {

class Value;
class SequenceProvider;
class MapProvider;
class VariantProvider;

/// A walk's position, as a provider defines it: a node's address, an index, a block.
struct Cursor {
  std::uint64_t node = 0;   // the current node's address, distinct for every element: a repeat
                            // means the links loop (0: not a node container)
  std::uint64_t index = 0;  // elements visited so far
  std::uint64_t extra = 0;
};

namespace detail {
__extension__ typedef __int128 int128;  // __extension__: no -Wpedantic warning in users' builds
__extension__ typedef unsigned __int128 uint128;

struct View {};  // tag base of the typed views, so that Value::as<> can tell them from scalars

// Scalars readable with Value::as<T>(): the name their DWARF base type has once normalised.
template <class T> constexpr std::string_view scalar_name() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, bool>) return "bool";
  else if constexpr (std::is_same_v<U, char>) return "char";
  else if constexpr (std::is_same_v<U, signed char>) return "signed char";
  else if constexpr (std::is_same_v<U, unsigned char>) return "unsigned char";
  else if constexpr (std::is_same_v<U, wchar_t>) return "wchar_t";
  else if constexpr (std::is_same_v<U, char8_t>) return "char8_t";
  else if constexpr (std::is_same_v<U, char16_t>) return "char16_t";
  else if constexpr (std::is_same_v<U, char32_t>) return "char32_t";
  else if constexpr (std::is_same_v<U, short>) return "short";
  else if constexpr (std::is_same_v<U, unsigned short>) return "unsigned short";
  else if constexpr (std::is_same_v<U, int>) return "int";
  else if constexpr (std::is_same_v<U, unsigned int>) return "unsigned int";
  else if constexpr (std::is_same_v<U, long>) return "long";
  else if constexpr (std::is_same_v<U, unsigned long>) return "unsigned long";
  else if constexpr (std::is_same_v<U, long long>) return "long long";
  else if constexpr (std::is_same_v<U, unsigned long long>) return "unsigned long long";
  else if constexpr (std::is_same_v<U, int128>) return "__int128";
  else if constexpr (std::is_same_v<U, uint128>) return "unsigned __int128";
  else if constexpr (std::is_same_v<U, float>) return "float";
  else if constexpr (std::is_same_v<U, double>) return "double";
  else if constexpr (std::is_same_v<U, long double>) return "long double";
  else return {};
}

// Copies the scalar's bytes (or bitfield bits, sign-extended) after checking that the value's
// type, typedefs and cv removed, is exactly `expected_name`. Throws Error or UnreadableMemory.
REFLECT_API void read_scalar(const Value& value, std::string_view expected_name, void* out, std::size_t size);
[[noreturn]] REFLECT_API void throw_view_mismatch(const Value& value, std::string_view view_name);

/// Brent's cycle finder over the nodes of a walk: constant memory, finds a loop within about
/// twice its length.
class LoopFinder {
 public:
  /// Whether `node` was seen before (0 is never a node).
  bool seen(std::uint64_t node) {
    if (node == 0) return false;
    if (node == saved_) return true;
    if (++steps_ == power_) {
      saved_ = node;
      power_ *= 2;
      steps_ = 0;
    }
    return false;
  }

 private:
  std::uint64_t saved_ = 0;
  std::uint64_t power_ = 1;
  std::uint64_t steps_ = 0;
};
}  // namespace detail

/// A typed location in live memory: a Type and the address of an object of that type. Cheap
/// to copy; it does not own the memory and reads it only when asked.
class REFLECT_API Value {
 public:
  Value(Type type, const void* address) noexcept : type_(type), address_(address) {}

  /// For memory a user knows holds an object of `type`.
  static Value at(Type type, const void* address) noexcept { return Value(type, address); }

  Type type() const noexcept { return type_; }
  const void* address() const noexcept { return address_; }

  /// For an object of a polymorphic class: the complete object it is part of, typed by its
  /// dynamic type (found through its vtable). Otherwise, or when the vtable cannot be read or
  /// the dynamic type has no debug info, the value itself.
  Value dynamic() const;

  bool is_bitfield() const noexcept { return bit_size_ != 0; }
  std::uint16_t bit_offset() const noexcept { return bit_offset_; }
  std::uint16_t bit_size() const noexcept { return bit_size_; }
  Value with_bits(std::uint16_t bit_offset, std::uint16_t bit_size) const noexcept {
    Value v = *this;
    v.bit_offset_ = bit_offset;
    v.bit_size_ = bit_size;
    return v;
  }

  /// A typed view (`Struct`, `Array`, `Pointer`, ...) or a scalar (`int`, `double`, an enum
  /// type). Scalars need an exact type match (typedefs and cv aside): `as<long>()` on an `int`
  /// throws. Throws reflect::Error naming both types on a mismatch.
  template <class T> T as() const {
    if constexpr (std::is_base_of_v<detail::View, T>) {
      if (!T::accepts(*this)) detail::throw_view_mismatch(*this, T::view_name);
      return T(*this);
    } else if constexpr (std::is_enum_v<T>) {
      std::underlying_type_t<T> raw{};
      detail::read_scalar(*this, enum_name<T>(), &raw, sizeof raw);
      return static_cast<T>(raw);
    } else {
      static_assert(!detail::scalar_name<T>().empty(), "as<T>() takes a view or a scalar type");
      T out{};
      detail::read_scalar(*this, detail::scalar_name<T>(), &out, sizeof out);
      return out;
    }
  }

  /// Like as<T>(), but an empty optional instead of an Error for a type mismatch.
  /// (Unreadable memory still throws UnreadableMemory.)
  template <class T> std::optional<T> try_as() const {
    if constexpr (std::is_base_of_v<detail::View, T>) {
      if (!T::accepts(*this)) return std::nullopt;
      return T(*this);
    } else {
      try {
        return as<T>();
      } catch (const UnreadableMemory&) {
        throw;
      } catch (const Error&) {
        return std::nullopt;
      }
    }
  }

 private:
  template <class E> static std::string_view enum_name();

  Type type_;
  const void* address_;
  std::uint16_t bit_offset_ = 0;
  std::uint16_t bit_size_ = 0;
};

/// One data member of a struct, class or union, bound to an object.
class REFLECT_API Field {
 public:
  Field(const Value& object, std::size_t index) noexcept : object_(object), index_(index) {}
  std::string_view name() const;
  Type type() const;
  Value value() const;
  std::size_t offset() const;  // bytes from the start of the object
  Access access() const;
  bool is_bitfield() const;

 private:
  Value object_;
  std::size_t index_;
};

/// A base-class subobject, bound to an object.
class REFLECT_API Base {
 public:
  Base(const Value& object, std::size_t index) noexcept : object_(object), index_(index) {}
  Type type() const;
  bool is_virtual() const;
  Access access() const;
  /// The base subobject. A virtual base is located through the object's vtable: throws
  /// UnreadableMemory when that cannot be read.
  Value value() const;

 private:
  Value object_;
  std::size_t index_;
};

namespace detail {
// An index-based range over a Value's fields or bases: `for (Field f : s.fields())`.
template <class Item> class IndexRange {
 public:
  class iterator {
   public:
    using value_type = Item;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;
    iterator() = default;
    iterator(const Value* object, std::size_t index) : object_(object), index_(index) {}
    Item operator*() const { return Item(*object_, index_); }
    iterator& operator++() { ++index_; return *this; }
    iterator operator++(int) { iterator old = *this; ++index_; return old; }
    bool operator==(const iterator& other) const { return index_ == other.index_; }

   private:
    const Value* object_ = nullptr;
    std::size_t index_ = 0;
  };
  IndexRange(const Value& object, std::size_t size) : object_(object), size_(size) {}
  iterator begin() const { return iterator(&object_, 0); }
  iterator end() const { return iterator(&object_, size_); }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  Item operator[](std::size_t i) const { return Item(object_, i); }

 private:
  Value object_;
  std::size_t size_;
};

// The shared face of Struct and Union: named fields with hashed lookup.
class REFLECT_API Record : public View {
 public:
  explicit Record(const Value& value) noexcept : value_(value) {}
  const Value& value() const noexcept { return value_; }
  Type type() const noexcept { return value_.type(); }
  /// Fields in declaration order; members of anonymous structs and unions appear in place,
  /// compiler-made members (vtable pointers) are left out.
  IndexRange<Field> fields() const;
  /// Hashed lookup by name, anonymous members included.
  std::optional<Field> field(std::string_view name) const;

 protected:
  Value value_;
};
}  // namespace detail

/// A class or struct.
class REFLECT_API Struct : public detail::Record {
 public:
  static constexpr std::string_view view_name = "reflect::Struct";
  static bool accepts(const Value& value);
  explicit Struct(const Value& value);
  detail::IndexRange<Base> bases() const;
};

class REFLECT_API Union : public detail::Record {
 public:
  static constexpr std::string_view view_name = "reflect::Union";
  static bool accepts(const Value& value);
  explicit Union(const Value& value);
};

/// A sequence: a C array, `std::array`, `std::vector`, the node containers (`std::list`,
/// `std::set`, `std::deque`, ...), and a user's container with a SequenceProvider. Its elements,
/// not its members. For a multi-dimensional array each element is itself an Array.
class REFLECT_API Array : public detail::View {
 public:
  static constexpr std::string_view view_name = "reflect::Array";
  static bool accepts(const Value& value);
  explicit Array(const Value& value);

  /// The number of elements: what the container records, or for one that records none
  /// (`std::forward_list`), counted by walking it, up to kMaxCounted.
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  Type element_type() const noexcept { return element_type_; }
  /// Element i; throws Error when i >= size(). Constant time for contiguous elements and
  /// deques; a walk from the first element for node containers.
  Value at(std::size_t i) const;
  Value operator[](std::size_t i) const { return at(i); }
  /// Whether element i lies at data() + i * element size.
  bool is_contiguous() const noexcept { return contiguous_; }

  static constexpr std::size_t kMaxCounted = std::size_t{1} << 24;

  class iterator {
   public:
    using value_type = Value;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;
    iterator() = default;
    iterator(const Array* array, std::size_t index);
    Value operator*() const;
    iterator& operator++();
    iterator operator++(int) {
      iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const iterator& other) const { return index_ == other.index_; }

   private:
    void load();  // the element at the cursor, or the end when there is none (or a loop)
    const Array* array_ = nullptr;
    std::size_t index_ = 0;
    Cursor cursor_;
    detail::LoopFinder loop_;
    std::optional<Value> current_;
  };
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, size_); }

 private:
  Value container_;
  const SequenceProvider* provider_ = nullptr;  // nullptr for C arrays
  Type element_type_;
  std::uintptr_t data_ = 0;  // when contiguous
  std::size_t size_ = 0;
  bool contiguous_ = true;
};

/// One entry of a map.
class MapEntry {
 public:
  MapEntry(const Value& key, const Value& value) noexcept : key_(key), value_(value) {}
  const Value& key() const noexcept { return key_; }
  const Value& value() const noexcept { return value_; }

 private:
  Value key_;
  Value value_;
};

/// Key/value entries: `std::map`, `std::multimap`, the unordered maps, in the container's own
/// order.
class REFLECT_API Map : public detail::View {
 public:
  static constexpr std::string_view view_name = "reflect::Map";
  static bool accepts(const Value& value);
  explicit Map(const Value& value);

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  Type key_type() const noexcept { return key_type_; }
  Type mapped_type() const noexcept { return mapped_type_; }

  /// The value stored under `key` (the first one, for a multimap); nullopt if none. Keys that
  /// are strings take text, integer, character and enum keys take integers or enums. A
  /// `std::map` with the default order is searched down its tree, others are scanned. Throws
  /// Error when the key's kind does not fit the map's key type.
  template <class K> std::optional<Value> find(const K& key) const {
    if constexpr (std::is_convertible_v<const K&, std::string_view>) {
      return find_text(std::string_view(key));
    } else if constexpr (std::is_enum_v<K>) {
      return find_integer(static_cast<detail::int128>(static_cast<std::underlying_type_t<K>>(key)));
    } else {
      static_assert(std::is_integral_v<K>, "Map::find takes text, an integer or an enum");
      return find_integer(static_cast<detail::int128>(key));
    }
  }

  class iterator {
   public:
    using value_type = MapEntry;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;
    iterator() = default;
    iterator(const Map* map, std::size_t index);
    MapEntry operator*() const { return *current_; }
    iterator& operator++();
    iterator operator++(int) {
      iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const iterator& other) const { return index_ == other.index_; }

   private:
    void load();
    const Map* map_ = nullptr;
    std::size_t index_ = 0;
    Cursor cursor_;
    detail::LoopFinder loop_;
    std::optional<MapEntry> current_;
  };
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, size_); }

 private:
  std::optional<Value> find_text(std::string_view key) const;
  std::optional<Value> find_integer(detail::int128 key) const;
  Value container_;
  const MapProvider* provider_ = nullptr;
  Type key_type_;
  Type mapped_type_;
  std::size_t size_ = 0;
};

/// One of several alternatives: `std::variant`.
class REFLECT_API Variant : public detail::View {
 public:
  static constexpr std::string_view view_name = "reflect::Variant";
  static bool accepts(const Value& value);
  explicit Variant(const Value& value);
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  /// The active alternative's index (0 for the first); npos when valueless.
  std::size_t index() const noexcept { return index_; }
  bool valueless() const noexcept { return !active_.has_value(); }
  /// The active alternative, of its own type; throws Error when valueless.
  Value value() const;

 private:
  std::size_t index_ = npos;
  std::optional<Value> active_;
};

/// A raw pointer, a reference, a smart pointer (`std::unique_ptr`, `std::shared_ptr`,
/// `std::weak_ptr`) or a `std::reference_wrapper`.
class REFLECT_API Pointer : public detail::View {
 public:
  static constexpr std::string_view view_name = "reflect::Pointer";
  static bool accepts(const Value& value);
  explicit Pointer(const Value& value);

  /// True for a null pointer, and for a `std::weak_ptr` that is empty or expired.
  bool is_null() const noexcept { return target_ == nullptr; }
  /// A `std::weak_ptr` whose object is gone (is_null() is then true too).
  bool is_expired() const noexcept { return expired_; }
  /// `std::unique_ptr<T[]>`, `std::shared_ptr<T[]>`: the target is the first of an unknown
  /// number of elements.
  bool points_to_array() const noexcept { return to_array_; }
  const void* target_address() const noexcept { return target_; }
  Type pointee_type() const noexcept { return pointee_; }
  /// The object pointed to; for a polymorphic class, the complete object of its dynamic type
  /// (a `Base*` to a `Derived` gives the Derived). Throws Error for a null pointer or a
  /// pointee with no value type (void, a function); UnreadableMemory is thrown later, by
  /// reads, for a dangling pointer.
  Value deref() const;
  /// The object pointed to, typed exactly as the pointer's static pointee type.
  Value deref_static() const;

 private:
  Type pointee_;
  const void* target_ = nullptr;
  bool expired_ = false;
  bool to_array_ = false;
};

/// Something that may hold one value: `std::optional`, `std::any` (the object it holds, of
/// its real type), `std::function` (its target: a closure or a function pointer), and the
/// wrappers that always hold one (`std::atomic<T>`: its T).
class REFLECT_API Optional : public detail::View {
 public:
  static constexpr std::string_view view_name = "reflect::Optional";
  static bool accepts(const Value& value);
  explicit Optional(const Value& value);
  bool has_value() const noexcept { return contained_.has_value(); }
  /// The contained value; throws Error when empty.
  Value value() const;

 private:
  std::optional<Value> contained_;
};

/// Text: `std::string`, `std::string_view`, `std::filesystem::path`, the text a string stream
/// holds, and arrays of or pointers to characters.
class REFLECT_API String : public detail::View {
 public:
  static constexpr std::string_view view_name = "reflect::String";
  static bool accepts(const Value& value);
  explicit String(const Value& value);
  /// The character type (`char`, `wchar_t`, `char8_t`, `char16_t`, `char32_t`).
  Type char_type() const noexcept { return char_type_; }
  std::size_t size() const noexcept { return size_; }  // in characters
  const void* data() const noexcept { return data_; }
  /// For `char` and `char8_t` text: the bytes, at most `max_chars` of them.
  std::string text(std::size_t max_chars = SIZE_MAX) const;

 private:
  Type char_type_;
  const void* data_ = nullptr;
  std::size_t size_ = 0;
};

/// `std::pair`, `std::tuple` and `std::complex` (real, imaginary): a fixed number of
/// heterogeneous elements.
class REFLECT_API Tuple : public detail::View {
 public:
  static constexpr std::string_view view_name = "reflect::Tuple";
  static bool accepts(const Value& value);
  explicit Tuple(const Value& value);
  std::size_t size() const noexcept { return elements_.size(); }
  Value at(std::size_t i) const;
  Value operator[](std::size_t i) const { return at(i); }
  auto begin() const { return elements_.begin(); }
  auto end() const { return elements_.end(); }

 private:
  std::vector<Value> elements_;
};

/// An enumeration value.
class REFLECT_API Enum : public detail::View {
 public:
  static constexpr std::string_view view_name = "reflect::Enum";
  static bool accepts(const Value& value);
  explicit Enum(const Value& value);
  /// The stored value (unsigned values above INT64_MAX wrap).
  std::int64_t value() const noexcept { return raw_; }
  /// The enumerator with exactly this value, if there is one.
  std::optional<std::string_view> name() const;
  /// For a flag enum: the enumerators whose bits OR together to exactly this value.
  std::optional<std::vector<std::string_view>> flags() const;

 private:
  Type type_;
  std::int64_t raw_ = 0;
};

template <class E> std::string_view Value::enum_name() {
  return type_of<E>().strip().name();
}

}  // namespace reflect
