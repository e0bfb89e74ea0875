#pragma once
// Values as JSON (ARCHITECTURE §9, a contract): `reflect::to_json(v)`, or `{:j}` (compact) and
// `{:#j}` (indented) in a format string. Always a valid document: problems are strings in
// place.

#include <reflect/value.hpp>

#include <cstddef>
#include <string>

namespace reflect {

struct JsonOptions {
  bool pretty = false;             // indented, two spaces a level: what `{:#j}` selects
  bool follow_pointers = false;    // raw pointers as what they point to, instead of "0x…"
  bool dynamic_types = true;       // polymorphic pointees as their dynamic type
  std::size_t max_elements = 100;  // per sequence or map; more end the array with "..."
  std::size_t max_depth = 12;      // deeper aggregates are the string "{...}"
  std::size_t max_string = 1000;   // characters per string
};

/// The value as a JSON document. Structs are objects (base members first, merged; a name
/// that appears twice keeps the base's as "Base::name"); sequences and sets are arrays; maps
/// with text keys are objects, other maps arrays of [key, value]; optionals, smart pointers
/// and variants are what they hold, or null; enums their enumerator's name. Never throws for
/// bad memory.
REFLECT_API std::string to_json(const Value& value, const JsonOptions& options = {});

}  // namespace reflect
