// Values and their typed views.

#include "value_access.hpp"

#include "../dwarf/module.hpp"
#include "memory.hpp"
#include "type_node.hpp"

#include <reflect/provider.hpp>

#include <fmt/format.h>

#include <cstring>

namespace reflect {

using detail::FieldNode;
using detail::MemberLookup;
using detail::TypeNode;

namespace detail {

uint128 read_raw_bits(const Value& value) {
  const TypeNode& type = concrete_of(value);
  const Memory& memory = memory_of(value);
  auto address = reinterpret_cast<std::uintptr_t>(value.address());
  if (!value.is_bitfield()) {
    std::size_t size = type.size;
    // The common sizes are read at their own width: a narrow copy read back wider stalls the
    // load (no store forwarding), a third of a scalar's cost in a node walk.
    switch (size) {
      case 1: return type.is_signed ? uint128(int128(read_as<std::int8_t>(memory, address))) : read_as<std::uint8_t>(memory, address);
      case 2: return type.is_signed ? uint128(int128(read_as<std::int16_t>(memory, address))) : read_as<std::uint16_t>(memory, address);
      case 4: return type.is_signed ? uint128(int128(read_as<std::int32_t>(memory, address))) : read_as<std::uint32_t>(memory, address);
      case 8: return type.is_signed ? uint128(int128(read_as<std::int64_t>(memory, address))) : read_as<std::uint64_t>(memory, address);
      default: break;
    }
    if (size == 0 || size > 16) throw Error(fmt::format("reflect: {} is not a scalar", type.name()));
    unsigned char bytes[16] = {};
    read_memory(memory, address, bytes, size);
    uint128 raw = 0;
    std::memcpy(&raw, bytes, size);
    if (type.is_signed && size < 16 && (bytes[size - 1] & 0x80)) raw |= ~(uint128)0 << (size * 8);
    return raw;
  }
  std::size_t bits = value.bit_offset() + value.bit_size();
  std::size_t bytes_needed = (bits + 7) / 8;
  unsigned char bytes[16] = {};
  read_memory(memory, address, bytes, bytes_needed);
  uint128 raw = 0;
  std::memcpy(&raw, bytes, bytes_needed);
  raw >>= value.bit_offset();
  uint128 mask = value.bit_size() >= 128 ? ~(uint128)0 : (((uint128)1 << value.bit_size()) - 1);
  raw &= mask;
  if (type.is_signed && value.bit_size() < 128 && (raw >> (value.bit_size() - 1) & 1)) raw |= ~mask;
  return raw;
}

void read_scalar(const Value& value, std::string_view expected_name, void* out, std::size_t size) {
  const TypeNode& type = concrete_of(value);
  bool scalar = type.kind == Kind::Bool || type.kind == Kind::Integer || type.kind == Kind::Character ||
                type.kind == Kind::Floating || type.kind == Kind::Enum;
  if (!scalar || type.name() != expected_name || (type.size != size && !value.is_bitfield()))
    throw Error(fmt::format("reflect: cannot read a value of type {} as {}; use as<{}>() or a view", value.type().name(),
                            expected_name, type.name()));
  uint128 raw = read_raw_bits(value);
  if (type.kind == Kind::Bool) raw = raw != 0;  // never materialise a bool from a byte other than 0 or 1
  std::memcpy(out, &raw, size);
}

void throw_view_mismatch(const Value& value, std::string_view view_name) {
  throw Error(fmt::format("reflect: a value of type {} ({}) cannot be viewed as {}", value.type().name(),
                          to_string(concrete_of(value).kind), view_name));
}

std::uintptr_t subobject_address(const Value& object, std::size_t offset) {
  auto address = add_address(address_of(object), offset);
  if (!address) throw UnreadableMemory(address_of(object));  // a garbage address near 2^64
  return *address;
}

Value field_value(const Value& object, const FieldNode& field) {
  Value v(Type(*field.type), reinterpret_cast<const void*>(subobject_address(object, field.offset)));
  return field.bit_size ? v.with_bits(field.bit_offset, field.bit_size) : v;
}

std::optional<std::uintptr_t> base_address(const Value& object, const BaseNode& base) {
  std::uintptr_t address = address_of(object);
  if (base.offset) return add_address(address, *base.offset);
  const Memory& memory = memory_of(object);
  auto read = [&memory](std::uintptr_t at, void* out, std::size_t size) { return try_read_memory(memory, at, out, size); };
  auto located = dwarf::Module::evaluate(base.location, address, read);
  if (!located) return std::nullopt;
  return static_cast<std::uintptr_t>(*located);
}

namespace {
// The walk itself, for what member_lookup() does not cache.
std::optional<Value> walk_member(const Value& value, std::string_view name, bool (*accept)(const TypeNode&)) {
  const TypeNode& type = concrete_of(value);
  if (type.kind != Kind::Struct && type.kind != Kind::Union) return std::nullopt;
  if (const FieldNode* field = type.field(name))
    if (!accept || accept(field->type->concrete())) return field_value(value, *field);
  // Defined bases first: resolving a declaration-only base (clang's std::allocator<char>)
  // builds the name index, which a lookup that succeeds elsewhere should not pay for.
  for (bool declarations : {false, true}) {
    for (const BaseNode& base : type.bases) {
      if (base.is_virtual || !base.offset || base.type.get().is_declaration != declarations) continue;
      Value sub(Type(base.type.get()), reinterpret_cast<const void*>(subobject_address(value, *base.offset)));
      if (auto found = walk_member(sub, name, accept)) return found;
    }
  }
  return std::nullopt;
}
}  // namespace

std::optional<Value> find_member(const Value& value, std::string_view name, bool (*accept)(const TypeNode&)) {
  const TypeNode& type = concrete_of(value);
  if (type.kind != Kind::Struct && type.kind != Kind::Union) return std::nullopt;
  // The standard-library views look the same few members up on every print: the walk's answer
  // is cached per class, and applied here when no offset on the walk can overflow the address.
  if (const MemberLookup* m = type.member_lookup(name, accept)) {
    std::uintptr_t address = address_of(value), end = 0;
    if (!__builtin_add_overflow(address, m->bound, &end)) {
      if (m->field == nullptr) return std::nullopt;
      for (std::size_t offset : m->base_offsets) address += offset;
      Value v(Type(*m->field->type), reinterpret_cast<const void*>(address + m->field->offset));
      return m->field->bit_size ? v.with_bits(m->field->bit_offset, m->field->bit_size) : v;
    }
  }
  return walk_member(value, name, accept);
}

std::uintptr_t read_pointer(const Value& value) { return read_as<std::uintptr_t>(memory_of(value), address_of(value)); }

std::uint64_t read_unsigned(const Value& value) { return static_cast<std::uint64_t>(read_raw_bits(value)); }

bool is_pointer_node(const TypeNode& type) { return type.kind == Kind::Pointer; }

bool is_text_char(const TypeNode& type) {
  if (type.kind != Kind::Character) return false;
  std::string_view name = type.name();
  return name != "signed char" && name != "unsigned char";
}

const Provider* provider_with(const Value& value, Protocol protocol) {
  const TypeNode& type = concrete_of(value);
  if (type.kind != Kind::Struct && type.kind != Kind::Union) return nullptr;
  const Provider* provider = type.provider();
  return provider && provider->protocol() == protocol ? provider : nullptr;
}

SequenceSetup sequence_setup(const SequenceProvider& provider, const Value& container) {
  SequenceSetup setup;
  setup.element = &provider.element_type(container).node().concrete();
  setup.size = provider.size(container);
  if (auto data = provider.contiguous_data(container)) {
    setup.data = static_cast<std::uintptr_t>(*data);
    if (!setup.size) throw Error(fmt::format("reflect: the provider of {} gives contiguous elements but no size",
                                             container.type().name()));
  }
  return setup;
}

}  // namespace detail

using namespace detail;

// Fields and bases ---------------------------------------------------------------------------

namespace {
const FieldNode& field_node(const Value& object, std::size_t index) { return concrete_of(object).fields().at(index); }
const detail::BaseNode& base_node(const Value& object, std::size_t index) { return concrete_of(object).bases.at(index); }
}  // namespace

std::string_view Field::name() const { return field_node(object_, index_).name; }
Type Field::type() const { return Type(*field_node(object_, index_).type); }
Value Field::value() const { return field_value(object_, field_node(object_, index_)); }
std::size_t Field::offset() const { return field_node(object_, index_).offset; }
Access Field::access() const { return field_node(object_, index_).access; }
bool Field::is_bitfield() const { return field_node(object_, index_).bit_size != 0; }

Type Base::type() const { return Type(base_node(object_, index_).type.get()); }
bool Base::is_virtual() const { return base_node(object_, index_).is_virtual; }
Access Base::access() const { return base_node(object_, index_).access; }
Value Base::value() const {
  const BaseNode& base = base_node(object_, index_);
  auto address = base_address(object_, base);
  if (!address) throw UnreadableMemory(address_of(object_));
  return Value(Type(base.type.get()), reinterpret_cast<const void*>(*address));
}

IndexRange<Field> Record::fields() const { return IndexRange<Field>(value_, concrete_of(value_).fields().size()); }

std::optional<Field> Record::field(std::string_view name) const {
  const TypeNode& type = concrete_of(value_);
  const FieldNode* found = type.field(name);
  if (!found) return std::nullopt;
  return Field(value_, static_cast<std::size_t>(found - type.fields().data()));
}

bool Struct::accepts(const Value& value) { return concrete_of(value).kind == Kind::Struct; }
Struct::Struct(const Value& value) : Record(value) {}
IndexRange<Base> Struct::bases() const { return IndexRange<Base>(value_, concrete_of(value_).bases.size()); }

bool Union::accepts(const Value& value) { return concrete_of(value).kind == Kind::Union; }
Union::Union(const Value& value) : Record(value) {}

// Array ----------------------------------------------------------------------------------------

namespace {
const SequenceProvider* sequence_provider(const Value& value) {
  return static_cast<const SequenceProvider*>(provider_with(value, Protocol::Sequence));
}

// Element i of contiguous storage, with overflow checks: a garbage sequence's size can put
// element i past the end of the address space.
Value contiguous_element(Type element, std::uintptr_t data, std::size_t i) {
  std::uintptr_t offset = 0;
  std::optional<std::uintptr_t> address;
  if (!__builtin_mul_overflow(i, element.node().concrete().size, &offset)) address = add_address(data, offset);
  if (!address) throw UnreadableMemory(data);
  return Value(element, reinterpret_cast<const void*>(*address));
}
}  // namespace

std::optional<Value> SequenceProvider::next(const Value& container, Cursor& cursor) const {
  const auto size = this->size(container);
  const auto data = contiguous_data(container);
  if (!data || !size) throw Error(fmt::format("reflect: the provider of {} implements neither next() nor contiguous_data()",
                                              container.type().name()));
  if (cursor.index >= *size) return std::nullopt;
  return contiguous_element(element_type(container), static_cast<std::uintptr_t>(*data), cursor.index++);
}

bool Array::accepts(const Value& value) {
  const TypeNode& type = concrete_of(value);
  return type.kind == Kind::Array || sequence_provider(value) != nullptr;
}

Array::Array(const Value& value) : container_(value), element_type_(value.type()) {
  const TypeNode& type = concrete_of(value);
  if (type.kind == Kind::Array) {
    element_type_ = Type(*type.element);
    data_ = address_of(value);
    size_ = type.array_length.value_or(0);
    return;
  }
  provider_ = sequence_provider(value);
  if (provider_ == nullptr) throw_view_mismatch(value, view_name);
  const SequenceSetup setup = sequence_setup(*provider_, value);
  element_type_ = Type(*setup.element);
  if (setup.data) {
    data_ = *setup.data;
    size_ = *setup.size;
    return;
  }
  contiguous_ = false;
  if (setup.size) {
    size_ = *setup.size;
    return;
  }
  // No recorded size: count, bounded, stopping at a loop.
  Cursor cursor = provider_->begin(value);
  LoopFinder loop;
  while (size_ < kMaxCounted && provider_->next(value, cursor)) {
    if (loop.seen(cursor.node)) throw Error(fmt::format("reflect: the {} at {} loops back on itself", value.type().name(), value.address()));
    ++size_;
  }
}

Value Array::at(std::size_t i) const {
  if (i >= size_) throw Error(fmt::format("reflect: index {} is out of range for an array of {} elements", i, size_));
  if (contiguous_) return contiguous_element(element_type_, data_, i);
  if (auto direct = provider_->at(container_, i)) return *direct;
  Cursor cursor = provider_->begin(container_);
  LoopFinder loop;  // a recorded size can be garbage: only a loop check ends a walk around a cycle
  for (std::size_t k = 0;; ++k) {
    auto element = provider_->next(container_, cursor);
    if (!element) throw Error(fmt::format("reflect: the {} records {} elements but ends after {}", container_.type().name(), size_, k));
    if (loop.seen(cursor.node)) throw Error(fmt::format("reflect: the {} at {} loops back on itself", container_.type().name(), container_.address()));
    if (k == i) return *element;
  }
}

Array::iterator::iterator(const Array* array, std::size_t index) : array_(array), index_(index) {
  if (index_ >= array_->size_ || array_->contiguous_) return;
  cursor_ = array_->provider_->begin(array_->container_);
  load();
}

void Array::iterator::load() {
  current_ = array_->provider_->next(array_->container_, cursor_);
  // Memory may end the walk before the recorded size, or loop (a garbage size): both end it.
  if (!current_ || loop_.seen(cursor_.node)) index_ = array_->size_;
}

Value Array::iterator::operator*() const {
  if (array_->contiguous_) return array_->at(index_);
  return *current_;
}

Array::iterator& Array::iterator::operator++() {
  if (++index_ < array_->size_ && !array_->contiguous_) load();
  return *this;
}

// Map ------------------------------------------------------------------------------------------

namespace {
const MapProvider* map_provider(const Value& value) {
  return static_cast<const MapProvider*>(provider_with(value, Protocol::Map));
}
}  // namespace

bool Map::accepts(const Value& value) { return map_provider(value) != nullptr; }

Map::Map(const Value& value)
    : container_(value), provider_(map_provider(value)), key_type_(value.type()), mapped_type_(value.type()) {
  if (provider_ == nullptr) throw_view_mismatch(value, view_name);
  key_type_ = provider_->key_type(value);
  mapped_type_ = provider_->mapped_type(value);
  if (auto size = provider_->size(value)) {
    size_ = *size;
    return;
  }
  Cursor cursor = provider_->begin(value);
  LoopFinder loop;
  while (size_ < Array::kMaxCounted && provider_->next(value, cursor)) {
    if (loop.seen(cursor.node)) throw Error(fmt::format("reflect: the {} at {} loops back on itself", value.type().name(), value.address()));
    ++size_;
  }
}

Map::iterator::iterator(const Map* map, std::size_t index) : map_(map), index_(index) {
  if (index_ >= map_->size_) return;
  cursor_ = map_->provider_->begin(map_->container_);
  load();
}

void Map::iterator::load() {
  current_ = map_->provider_->next(map_->container_, cursor_);
  if (!current_ || loop_.seen(cursor_.node)) index_ = map_->size_;
}

Map::iterator& Map::iterator::operator++() {
  if (++index_ < map_->size_) load();
  return *this;
}

namespace {

// Orders keys as std::less does: text byte by byte (char_traits<char>::compare is memcmp),
// integers by value.
class TextOrder final : public MapProvider::KeyOrder {
 public:
  explicit TextOrder(std::string_view wanted) : wanted_(wanted) {}
  int compare(const Value& key) const override {
    const std::string text = key.as<String>().text(wanted_.size() + 1);
    const int c = std::string_view(text).compare(wanted_);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }

 private:
  std::string_view wanted_;
};

class IntegerOrder final : public MapProvider::KeyOrder {
 public:
  explicit IntegerOrder(int128 wanted) : wanted_(wanted) {}
  int compare(const Value& key) const override {
    const TypeNode& type = concrete_of(key);
    const uint128 raw = read_raw_bits(key);
    if (type.is_signed) {
      const auto v = static_cast<int128>(raw);
      return v < wanted_ ? -1 : v > wanted_ ? 1 : 0;
    }
    if (wanted_ < 0) return 1;
    const auto wanted = static_cast<uint128>(wanted_);
    return raw < wanted ? -1 : raw > wanted ? 1 : 0;
  }

 private:
  int128 wanted_;
};

std::optional<Value> find_entry(const MapProvider& provider, const Value& container, const MapProvider::KeyOrder& order,
                                std::size_t size) {
  MapProvider::Found found = provider.find_ordered(container, order);
  if (found.searched) return found.entry ? std::optional<Value>(found.entry->value()) : std::nullopt;
  Cursor cursor = provider.begin(container);
  LoopFinder loop;
  for (std::size_t i = 0; i < size; ++i) {
    auto entry = provider.next(container, cursor);
    if (!entry || loop.seen(cursor.node)) break;
    if (order.compare(entry->key()) == 0) return entry->value();
  }
  return std::nullopt;
}

}  // namespace

std::optional<Value> Map::find_text(std::string_view key) const {
  if (!String::accepts(Value(key_type_, container_.address())))
    throw Error(fmt::format("reflect: the keys of {} are {}, not text; find() takes {}", container_.type().name(),
                            key_type_.name(), "an integer or an enum"));
  return find_entry(*provider_, container_, TextOrder(key), size_);
}

std::optional<Value> Map::find_integer(int128 key) const {
  const Kind kind = key_type_.strip().kind();
  if (kind != Kind::Integer && kind != Kind::Enum && kind != Kind::Character && kind != Kind::Bool)
    throw Error(fmt::format("reflect: the keys of {} are {}, not integers; find() takes {}", container_.type().name(),
                            key_type_.name(), kind == Kind::Struct ? "text for string keys" : "a key of that kind"));
  return find_entry(*provider_, container_, IntegerOrder(key), size_);
}

// Variant --------------------------------------------------------------------------------------

namespace {
const VariantProvider* variant_provider(const Value& value) {
  return static_cast<const VariantProvider*>(provider_with(value, Protocol::Variant));
}
}  // namespace

bool Variant::accepts(const Value& value) { return variant_provider(value) != nullptr; }

Variant::Variant(const Value& value) {
  const VariantProvider* provider = variant_provider(value);
  if (provider == nullptr) throw_view_mismatch(value, view_name);
  active_ = provider->active(value);
  if (active_) index_ = provider->index(value).value_or(npos);
}

Value Variant::value() const {
  if (!active_) throw Error("reflect: the variant is valueless (an exception escaped while it changed alternative); check valueless() first");
  return *active_;
}

// Pointer --------------------------------------------------------------------------------------

bool Pointer::accepts(const Value& value) {
  Kind kind = concrete_of(value).kind;
  return kind == Kind::Pointer || kind == Kind::LValueReference || kind == Kind::RValueReference ||
         provider_with(value, Protocol::Pointer);
}

Pointer::Pointer(const Value& value) : pointee_(value.type()) {
  const TypeNode& type = concrete_of(value);
  if (type.kind == Kind::Pointer || type.kind == Kind::LValueReference || type.kind == Kind::RValueReference) {
    pointee_ = Type(type.target->get());
    target_ = reinterpret_cast<const void*>(read_pointer(value));
    return;
  }
  const auto* provider = static_cast<const PointerProvider*>(provider_with(value, Protocol::Pointer));
  if (provider == nullptr) throw_view_mismatch(value, view_name);
  const PointerProvider::Target target = provider->target(value);
  using State = PointerProvider::Target::State;
  pointee_ = target.pointee;
  expired_ = target.state == State::Expired;
  to_array_ = target.state == State::Array;
  if (target.state != State::Null && target.state != State::Expired)
    target_ = reinterpret_cast<const void*>(static_cast<std::uintptr_t>(target.address));
}

Value Pointer::deref_static() const {
  if (target_ == nullptr) throw Error(fmt::format("reflect: cannot dereference a null pointer to {}", pointee_.name()));
  Kind kind = pointee_.node().concrete().kind;
  if (kind == Kind::Void || kind == Kind::Function)
    throw Error(fmt::format("reflect: a pointer to {} has no value to dereference", pointee_.name()));
  return Value(pointee_, target_);
}

Value Pointer::deref() const { return dynamic_value(deref_static()); }

// Optional -------------------------------------------------------------------------------------

bool Optional::accepts(const Value& value) { return provider_with(value, Protocol::Optional) != nullptr; }
Optional::Optional(const Value& value) {
  const auto* provider = static_cast<const OptionalProvider*>(provider_with(value, Protocol::Optional));
  if (provider == nullptr) throw_view_mismatch(value, view_name);
  contained_ = provider->held(value);
}
Value Optional::value() const {
  if (!contained_) throw Error("reflect: the optional is empty (check has_value() first)");
  return *contained_;
}

// String ---------------------------------------------------------------------------------------

bool String::accepts(const Value& value) {
  const TypeNode& type = concrete_of(value);
  if (type.kind == Kind::Array) return is_text_char(type.element->concrete());
  if (type.kind == Kind::Pointer) return is_text_char(type.target->get().concrete());
  return provider_with(value, Protocol::String) != nullptr;
}

String::String(const Value& value) : char_type_(value.type()) {
  const TypeNode& type = concrete_of(value);
  if (type.kind == Kind::Array) {
    // A char array holds text up to its first NUL, or all of it.
    const TypeNode& ch = type.element->concrete();
    char_type_ = Type(ch);
    data_ = value.address();
    std::size_t n = type.array_length.value_or(0);
    size_ = n == 0 ? 0 : c_string_length(memory_of(value), address_of(value), ch.size, n);
    return;
  }
  if (type.kind == Kind::Pointer) {
    const TypeNode& ch = type.target->get().concrete();
    char_type_ = Type(ch);
    data_ = reinterpret_cast<const void*>(read_pointer(value));
    size_ = data_ ? c_string_length(memory_of(value), reinterpret_cast<std::uintptr_t>(data_), ch.size, std::size_t(1) << 20) : 0;
    return;
  }
  const auto* provider = static_cast<const StringProvider*>(provider_with(value, Protocol::String));
  if (provider == nullptr) throw_view_mismatch(value, view_name);
  const StringProvider::Text text = provider->text(value);
  char_type_ = Type(text.char_type.node().concrete());
  data_ = reinterpret_cast<const void*>(static_cast<std::uintptr_t>(text.data));
  size_ = text.size;
}

std::string String::text(std::size_t max_chars) const {
  std::size_t char_size = char_type_.size();
  if (char_size != 1) throw Error(fmt::format("reflect: text() reads 8-bit text; this string holds {}", char_type_.name()));
  std::string out(std::min(size_, max_chars), '\0');
  read_memory(char_type_.node().registry->memory(), reinterpret_cast<std::uintptr_t>(data_), out.data(), out.size());
  return out;
}

// Tuple ----------------------------------------------------------------------------------------

bool Tuple::accepts(const Value& value) {
  return concrete_of(value).kind == Kind::Complex || provider_with(value, Protocol::Tuple) != nullptr;
}

namespace {
// A `_Complex` base type's halves: {real, imaginary}, typed as the matching floating type.
std::vector<Value> complex_parts(const Value& value) {
  const TypeNode& type = concrete_of(value);
  const std::size_t half = type.size / 2;
  const std::string_view part = half == 4 ? "float" : half == 8 ? "double" : "long double";
  const TypeNode* floating = registry_of(value).find_type(part, address_of(value));
  if (floating == nullptr) throw Error(fmt::format("reflect: no debug info describes {}, the parts of {}", part, type.name()));
  const std::uintptr_t address = address_of(value);
  return {Value(Type(*floating), value.address()), Value(Type(*floating), reinterpret_cast<const void*>(address + half))};
}
}  // namespace

Tuple::Tuple(const Value& value) {
  if (concrete_of(value).kind == Kind::Complex) {
    elements_ = complex_parts(value);
    return;
  }
  const auto* provider = static_cast<const TupleProvider*>(provider_with(value, Protocol::Tuple));
  if (provider == nullptr) throw_view_mismatch(value, view_name);
  elements_ = provider->elements(value);
}
Value Tuple::at(std::size_t i) const {
  if (i >= elements_.size()) throw Error(fmt::format("reflect: index {} is out of range for a tuple of {}", i, elements_.size()));
  return elements_[i];
}

// Enum -----------------------------------------------------------------------------------------

bool Enum::accepts(const Value& value) { return concrete_of(value).kind == Kind::Enum; }

Enum::Enum(const Value& value) : type_(Type(concrete_of(value))) {
  raw_ = static_cast<std::int64_t>(read_raw_bits(value));
}

std::optional<std::string_view> Enum::name() const {
  for (const auto& e : type_.node().enumerators)
    if (e.value == raw_) return std::string_view(e.name);
  return std::nullopt;
}

std::optional<std::vector<std::string_view>> Enum::flags() const {
  if (raw_ == 0) return std::nullopt;
  auto bits = static_cast<std::uint64_t>(raw_);
  std::uint64_t covered = 0;
  std::vector<std::string_view> names;
  for (const auto& e : type_.node().enumerators) {
    auto v = static_cast<std::uint64_t>(e.value);
    if (v == 0 || (v & (v - 1)) != 0) continue;  // flags are single bits
    if ((bits & v) == v && (covered & v) == 0) {
      covered |= v;
      names.push_back(e.name);
    }
  }
  if (covered != bits || names.size() < 2) return std::nullopt;
  return names;
}

}  // namespace reflect
