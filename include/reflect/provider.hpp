#pragma once
// Views users can add: how a class presents itself, as a sequence, a map, a variant, ... The
// standard-library views are written against these same interfaces.
//
//   struct SmallVectorView final : reflect::SequenceProvider { ... };
//   reflect::add_provider("mylib::SmallVector", std::make_shared<SmallVectorView>());
//
// After that, every `mylib::SmallVector<T, N>` prints as its elements (`{1, 2, 3}`), walks
// through reflect::Array, and is a JSON array. A provider reads the container with the public
// API (Value, Struct, Pointer, as<T>()); a member it cannot find should throw reflect::Error,
// and the value then prints as its raw members with the provider's message as a note.

#include <reflect/value.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reflect {

/// The protocol a provider follows, which decides the view that walks its values and how
/// they print.
enum class Protocol : std::uint8_t {
  Sequence,  // reflect::Array: `{1, 2, 3}`
  Map,       // reflect::Map: `{{"one", 1}, {"two", 2}}`
  Variant,   // reflect::Variant: the active alternative, `<valueless>`
  Optional,  // reflect::Optional: a held value, or an empty text (`std::nullopt`)
  Pointer,   // reflect::Pointer: what it points to
  String,    // reflect::String: `"text"`
  Tuple,     // reflect::Tuple: `{a, b}`
};

/// How a provider may print its values in a form of its own instead of its protocol's
/// (chrono literals, a bitset's digits, a mutex's owner).
struct Presentation {
  enum class Shape : std::uint8_t {
    Bare,    // `1500ms` at every level
    Braced,  // `Type{...}` at the top level (when types are shown), `{...}` nested
  };
  Shape shape = Shape::Braced;
  std::string token;    // printed as is (`1500ms`); JSON: a string
  bool quoted = false;  // token is text, printed as a string literal (`"01010011"`)
  std::string comment;  // printed as `/* comment */` after the token; JSON leaves it out
};

/// What a value a provider presents owns on the heap: what reflect::footprint() counts.
struct Ownership {
  struct Block {
    std::uint64_t address = 0;  // where the block starts: a block reached twice counts once
    std::size_t bytes = 0;      // as asked of the allocator (not its rounding)
  };
  /// Blocks the value itself owns: a vector's buffer at its capacity, a string's characters
  /// (capacity + 1), a hash table's bucket array, a unique_ptr's object, a shared_ptr's
  /// control block.
  std::vector<Block> blocks;
  /// Whether the elements, the held value or the pointee belong to the value (a vector's, an
  /// optional's, a unique_ptr's; not a span's or a weak_ptr's): footprint() then counts what
  /// they own in turn.
  bool owns_contents = false;
  /// Node-based containers: each element lives in a block of its own of this many bytes (a
  /// std::map node: the tree links and the pair).
  std::optional<std::size_t> node_bytes;
};

class REFLECT_API Provider {
 public:
  virtual ~Provider() = default;
  virtual Protocol protocol() const noexcept = 0;
  /// Whether this provider presents `type` (a complete class type whose template name is the
  /// one the provider was added for). Narrow a provider to some instances here.
  virtual bool matches(Type type) const { return static_cast<void>(type), true; }
  /// A form of its own for the printed text; nullopt prints the protocol's form.
  virtual std::optional<Presentation> present(const Value& value) const { return static_cast<void>(value), std::nullopt; }
  /// What the value owns, for footprint(). The default owns nothing: right for a view of
  /// memory owned elsewhere; a container that owns its elements says so.
  virtual Ownership ownership(const Value& value) const { return static_cast<void>(value), Ownership{}; }
};

/// Elements in order: `std::vector`, `std::list`, `std::set`, a user's small-vector.
/// Contiguous containers implement element_type, size and contiguous_data; node-based ones
/// implement begin and next (and size when the container records one).
class REFLECT_API SequenceProvider : public Provider {
 public:
  Protocol protocol() const noexcept final { return Protocol::Sequence; }
  virtual Type element_type(const Value& container) const = 0;
  /// The number of elements the container records; nullopt when it records none (then it is
  /// counted by walking, up to a bound). A walk never goes past this, nor trusts it further
  /// than the elements memory holds.
  virtual std::optional<std::size_t> size(const Value& container) const = 0;
  /// Where element 0 lies when the elements are contiguous (element i at data + i * size of
  /// the element type); nullopt for node-based containers.
  virtual std::optional<std::uint64_t> contiguous_data(const Value& container) const {
    return static_cast<void>(container), std::nullopt;
  }
  /// Element `index` directly, where the layout allows it without a walk (a deque's blocks, a
  /// bit vector); nullopt: walk.
  virtual std::optional<Value> at(const Value& container, std::size_t index) const {
    return static_cast<void>(container), static_cast<void>(index), std::nullopt;
  }
  /// The start of a walk; by default index 0 of the contiguous elements.
  virtual Cursor begin(const Value& container) const { return static_cast<void>(container), Cursor{}; }
  /// The element at `cursor`, advancing it; nullopt after the last. The default walks the
  /// contiguous elements.
  virtual std::optional<Value> next(const Value& container, Cursor& cursor) const;
};

/// Key/value entries in the container's order: `std::map`, `std::unordered_map`.
class REFLECT_API MapProvider : public Provider {
 public:
  Protocol protocol() const noexcept final { return Protocol::Map; }
  virtual Type key_type(const Value& container) const = 0;
  virtual Type mapped_type(const Value& container) const = 0;
  virtual std::optional<std::size_t> size(const Value& container) const = 0;
  virtual Cursor begin(const Value& container) const = 0;
  virtual std::optional<MapEntry> next(const Value& container, Cursor& cursor) const = 0;

  /// How a key compares with the one looked for: < 0 when the key orders before it.
  class KeyOrder {
   public:
    virtual int compare(const Value& key) const = 0;

   protected:
    ~KeyOrder() = default;
  };
  /// For containers ordered by key with the order KeyOrder describes (`std::map` with
  /// `std::less`): the entry whose key compares equal, found in the container's own order.
  /// `searched` = false (the default) makes Map::find scan the entries instead.
  struct Found {
    bool searched = false;
    std::optional<MapEntry> entry;
  };
  virtual Found find_ordered(const Value& container, const KeyOrder& order) const {
    return static_cast<void>(container), static_cast<void>(order), Found{};
  }
};

/// One of several alternatives: `std::variant`.
class REFLECT_API VariantProvider : public Provider {
 public:
  Protocol protocol() const noexcept final { return Protocol::Variant; }
  /// The active alternative's index; nullopt when the variant is valueless.
  virtual std::optional<std::size_t> index(const Value& variant) const = 0;
  /// The active alternative, of its own type; nullopt when valueless.
  virtual std::optional<Value> active(const Value& variant) const = 0;
};

/// At most one held value: `std::optional`, `std::any`, `std::function`, `std::atomic`.
class REFLECT_API OptionalProvider : public Provider {
 public:
  Protocol protocol() const noexcept final { return Protocol::Optional; }
  /// The held value; nullopt when empty.
  virtual std::optional<Value> held(const Value& holder) const = 0;
  /// What an empty one prints as.
  virtual std::string_view empty_text() const { return "std::nullopt"; }
  /// When the held value's type is named in the output: a `std::any`'s content at the top
  /// level, a `std::function`'s target always.
  enum class Naming : std::uint8_t { Never, AtTop, Always };
  virtual Naming content_naming() const { return Naming::Never; }
};

/// What a pointer-like object points to: smart pointers, `std::reference_wrapper`.
class REFLECT_API PointerProvider : public Provider {
 public:
  Protocol protocol() const noexcept final { return Protocol::Pointer; }
  struct Target {
    enum class State : std::uint8_t {
      Null,     // points nowhere: prints `nullptr`
      Object,   // to one object, printed as its pointee
      Array,    // to the first of an unknown number of elements: prints the address only
      Expired,  // a weak_ptr whose object is gone: `<expired>`
    };
    Type pointee;
    std::uint64_t address = 0;
    State state = State::Null;
  };
  virtual Target target(const Value& pointer) const = 0;
};

/// Text: `std::string`, `std::filesystem::path`, the text a string stream holds.
class REFLECT_API StringProvider : public Provider {
 public:
  Protocol protocol() const noexcept final { return Protocol::String; }
  struct Text {
    Type char_type;
    std::uint64_t data = 0;
    std::size_t size = 0;  // in characters
  };
  virtual Text text(const Value& string) const = 0;
  /// True: `std::filesystem::path{"/usr"}` at the top level; false: `"/usr"` as a string prints.
  virtual bool named_at_top() const { return false; }
};

/// A fixed number of heterogeneous elements: `std::pair`, `std::tuple`, `std::complex`.
class REFLECT_API TupleProvider : public Provider {
 public:
  Protocol protocol() const noexcept final { return Protocol::Tuple; }
  virtual std::vector<Value> elements(const Value& tuple) const = 0;
};

/// Presents every complete class whose template name is `template_name` (its qualified name
/// without template arguments, as Type::name() spells it: `mylib::SmallVector`) through
/// `provider`. A provider added later for the same name replaces the earlier one; user
/// providers take precedence over the standard ones. Safe to call at any time.
REFLECT_API void add_provider(std::string_view template_name, std::shared_ptr<const Provider> provider);

}  // namespace reflect
