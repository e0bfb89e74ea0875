#pragma once
// A shared library the test program links (built per cell): its types are defined only in
// the library, and so are the reflect() calls (the anchors) on them. The program sees the
// objects only through the reflect::Value and the text the library hands back.

#include <reflect/value.hpp>

#include <string>

namespace debuginfo_linked {

/// debuginfo_linked::Sensor{.name = "thermo", .readings = {20.5, 21}, .unit = debuginfo_linked::Unit::Celsius,
///                          .limits = {.low = -40, .high = 125}}, made by reflect() inside the library.
reflect::Value sensor_value();

/// The same object printed with `{}` inside the library.
std::string describe_sensor();

}  // namespace debuginfo_linked
