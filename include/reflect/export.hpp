#pragma once
// REFLECT_API marks what libreflect.so exports. The library is built with hidden visibility
// (-fvisibility=hidden -fvisibility-inlines-hidden): only the public classes (with their
// vtables and type_info, so that reflect::Error is caught and reflect::Provider is derived from
// across the library's boundary), the public functions, and the detail:: functions that the
// inline code and templates of these headers call are visible to a program that links it.
// tests/check_exports.sh keeps that list honest.

#define REFLECT_API __attribute__((visibility("default")))
// For a member of a REFLECT_API class that only the library itself calls and whose signature
// names internal types (reflect::detail): kept out of the export table.
#define REFLECT_HIDDEN __attribute__((visibility("hidden")))
