#pragma once
// Internal helpers over values shared by the views (value.cpp), the printer (format.cpp) and
// the standard-library families (std/).

#include "std/std_view.hpp"
#include "type_node.hpp"

#include <reflect/value.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace reflect::detail {

inline const TypeNode& concrete_of(const Value& value) { return value.type().node().concrete(); }
inline std::uintptr_t address_of(const Value& value) { return reinterpret_cast<std::uintptr_t>(value.address()); }
/// A scalar's bits (bitfields extracted), sign-extended to 128 bits when the type is signed.
uint128 read_raw_bits(const Value& value);
/// The address `offset` bytes into `object`; throws UnreadableMemory if that passes 2^64.
std::uintptr_t subobject_address(const Value& object, std::size_t offset);
Value field_value(const Value& object, const FieldNode& field);
/// Where a base subobject lies; nullopt when a virtual base's vtable cannot be read.
std::optional<std::uintptr_t> base_address(const Value& object, const BaseNode& base);
/// char, wchar_t, char8_t, char16_t, char32_t: characters that make text (not signed/unsigned char).
bool is_text_char(const TypeNode& type);
/// The standard-library view of the value's type when it has the given shape.
const StdView* view_with_shape(const Value& value, StdView::Shape shape);
/// The function of the coroutine whose frame is at `frame` (`app::fetch(int)`); empty when it
/// is not a coroutine frame this process describes.
std::string coroutine_function_at(std::uintptr_t frame);
/// The complete object of a polymorphic value, typed by its dynamic type (see Value::dynamic).
Value dynamic_value(const Value& value);

}  // namespace reflect::detail
