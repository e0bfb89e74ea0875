#pragma once
// How C++ names are spelled by compilers (DW_AT_name), by the demangler (type_info::name(),
// symbols) and by users, and the one canonical form they are compared in.

#include <string>
#include <string_view>

namespace reflect::dwarf {

/// The canonical spelling of a C++ type name, as a user writes it: none of libstdc++'s inline
/// namespaces (`__cxx11::`, `__n4861::`, the TSes' `fundamentals_v1::`, ...), no `[abi:cxx11]`
/// tags, no trailing
/// default arguments of standard templates, `unsigned long` for GCC's `long unsigned int`,
/// `std::string` for `std::basic_string<char>` (`std::ostringstream` for
/// `std::basic_ostringstream<char>`, and so on), `>>` closings, `T*` without a space, integer
/// template arguments without suffixes (`3` for the demangler's `3u`).
std::string normalize_name(std::string_view spelled);

/// What normalize_name() does with a namespace of this name: drops it wherever it is (libstdc++'s
/// `__cxx11`, `__n4861`), drops it in some places (the TSes' inline namespaces in
/// `std::experimental`: `std::experimental::filesystem::v1`, not `app::v1`), or keeps it.
enum class NamespaceDrop { Never, Always, InPlaces };
NamespaceDrop namespace_drop(std::string_view name);

/// Whether normalize_name() would return `name` unchanged, by a quick look that can say no
/// to a name it would not change (it has no space, no ':', no digit with a suffix).
bool is_normalized(std::string_view name);

/// A base type's DWARF name as C++ spells it: "long unsigned int" -> "unsigned long".
std::string_view canonical_base_name(std::string_view dwarf_name);

/// Demangles a symbol or a type_info name (`N3zoo5PointE`); returns it unchanged when it is
/// not a mangled name.
std::string demangle(const std::string& mangled);

}  // namespace reflect::dwarf
