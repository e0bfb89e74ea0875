#pragma once
// reflect::configure: where the debug info of the process is looked for. Optional; without it
// reflect reads the environment (REFLECT_DEBUGINFO_PATH, and DEBUGINFOD_URLS if the user set it).

#include <reflect/export.hpp>

#include <optional>
#include <string>

namespace reflect {

struct Options {
  /// Where separate debug files are looked for, in libdwfl's debuginfo_path syntax
  /// (`[+-][DIR[:DIR...]]`; each absolute DIR is also searched by build-id as
  /// DIR/.build-id/xx/yyyy.debug). nullopt: REFLECT_DEBUGINFO_PATH if set, else libdwfl's
  /// default ":.debug:/usr/lib/debug".
  std::optional<std::string> debuginfo_path;

  /// debuginfod servers to ask for a module's debug file by build-id when it is found nowhere
  /// on disk: space-separated URLs, as in DEBUGINFOD_URLS. nullopt: DEBUGINFOD_URLS, if the user
  /// set it (and only then). "": never ask a server, even if DEBUGINFOD_URLS is set.
  /// libdebuginfod (elfutils 0.188) reads its servers only from the environment, so a value
  /// here sets DEBUGINFOD_URLS in this process (unsets it for ""): child processes inherit it.
  std::optional<std::string> debuginfod_urls;
};

/// Applies `options` for the whole process. Call it before the first reflection (at the start
/// of main(), before starting threads: it may change the environment); a later call throws
/// reflect::Error, since the debug info is already being read. Calls before that replace each
/// other. Thread-safe with respect to reflect's own use of the debug info.
REFLECT_API void configure(const Options& options);

}  // namespace reflect
