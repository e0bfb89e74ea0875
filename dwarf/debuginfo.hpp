#pragma once
// Where the debug info of a module is looked for, for every Dwfl reflect opens (process.cpp,
// core_process.cpp): the separate-debug-file path and whether debuginfod servers are asked. Set by
// reflect::configure (include/reflect/options.hpp), else from the environment.

#include <reflect/options.hpp>

#include <optional>
#include <string>

namespace reflect::dwarf {

/// The `debuginfo_path` slot of libdwfl's Dwfl_Callbacks: *slot is Options::debuginfo_path,
/// else REFLECT_DEBUGINFO_PATH, else nullptr (libdwfl's default ":.debug:/usr/lib/debug").
/// The slot's address never changes; libdwfl reads *slot at each lookup.
char** debuginfo_path_slot();

/// Applies reflect::configure's options. The caller serialises calls with every use of libdwfl
/// (the registry lock) and calls it before any Dwfl is searched. Throws reflect::Error if the
/// environment cannot be changed.
void configure(const Options& options);

/// The debuginfo path that replaces libdwfl's default (Options::debuginfo_path, else
/// REFLECT_DEBUGINFO_PATH); nullopt when the default is used.
std::optional<std::string> debuginfo_path();

/// The servers a lookup would ask now (DEBUGINFOD_URLS, as libdebuginfod reads it); "" if none.
std::string debuginfod_urls();

}  // namespace reflect::dwarf
