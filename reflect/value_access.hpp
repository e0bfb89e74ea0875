#pragma once
// Internal helpers over values shared by the views (value.cpp), the walk (walk.hpp) and the
// standard-library providers (std/).

#include "memory.hpp"
#include "type_node.hpp"

#include <reflect/coroutine.hpp>
#include <reflect/provider.hpp>
#include <reflect/value.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace reflect::detail {

inline const TypeNode& concrete_of(const Value& value) { return value.type().node().concrete(); }
inline std::uintptr_t address_of(const Value& value) { return reinterpret_cast<std::uintptr_t>(value.address()); }
/// The registry of the value's target (the one its type belongs to), and the target's memory.
inline Registry& registry_of(const Value& value) { return *value.type().node().registry; }
inline const Memory& memory_of(const Value& value) { return registry_of(value).memory(); }
/// A scalar's bits (bitfields extracted), sign-extended to 128 bits when the type is signed.
uint128 read_raw_bits(const Value& value);
std::uintptr_t read_pointer(const Value& value);
std::uint64_t read_unsigned(const Value& value);
bool is_pointer_node(const TypeNode& type);
/// The address `offset` bytes into `object`; throws UnreadableMemory if that passes 2^64.
std::uintptr_t subobject_address(const Value& object, std::size_t offset);
Value field_value(const Value& object, const FieldNode& field);
/// Where a base subobject lies; nullopt when a virtual base's vtable cannot be read.
std::optional<std::uintptr_t> base_address(const Value& object, const BaseNode& base);
/// char, wchar_t, char8_t, char16_t, char32_t: characters that make text (not signed/unsigned char).
bool is_text_char(const TypeNode& type);
/// The coroutine whose frame is at `frame` in `registry`'s target, and the chain of coroutines
/// awaiting it (coroutine.cpp): what reflect::coroutine_at and async_backtrace_at do for this
/// process.
Coroutine coroutine_in(Registry& registry, std::uintptr_t frame);
AsyncBacktrace async_backtrace_in(Registry& registry, std::uintptr_t frame);
/// The variable `name` (as a user spells it) of the registry's target. (variables.cpp)
std::optional<Value> variable_value(Registry& registry, std::string_view name);
/// The function of the coroutine whose frame is at `frame` in `registry`'s target
/// (`app::fetch(int)`); empty when it is not a coroutine frame the target describes.
std::string coroutine_function_at(Registry& registry, std::uintptr_t frame);
/// The complete object of a polymorphic value, typed by its dynamic type (see Value::dynamic).
Value dynamic_value(const Value& value);

/// A member found by name in the value's own fields or, depth first, in its non-virtual bases.
/// `accept` filters candidates (e.g. only pointer-typed ones).
std::optional<Value> find_member(const Value& value, std::string_view name, bool (*accept)(const TypeNode&) = nullptr);

/// The provider of the value's class when it follows `protocol`, else nullptr.
const Provider* provider_with(const Value& value, Protocol protocol);

/// What a sequence provider says of one container, read once: shared by the walk and Array.
struct SequenceSetup {
  const TypeNode* element = nullptr;   // concrete
  std::optional<std::size_t> size;     // recorded by the container
  std::optional<std::uintptr_t> data;  // where contiguous elements start
};
SequenceSetup sequence_setup(const SequenceProvider& provider, const Value& container);

}  // namespace reflect::detail
