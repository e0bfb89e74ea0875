#include "debuginfo.hpp"

#include <reflect/error.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

namespace reflect::dwarf {

namespace {

constexpr const char* kUrlsVariable = "DEBUGINFOD_URLS";

std::optional<std::string> getenv_string(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::optional<std::string>(value) : std::nullopt;
}

struct Settings {
  // Read on first use rather than at static initialisation: a reflection from another
  // translation unit's static constructor may come first.
  std::optional<std::string> path = getenv_string("REFLECT_DEBUGINFO_PATH");
  char* path_slot = path ? path->data() : nullptr;
  // DEBUGINFOD_URLS as the user's environment had it before configure() first changed it:
  // what configure({.debuginfod_urls = nullopt}) goes back to.
  bool user_urls_saved = false;
  std::optional<std::string> user_urls;
};

Settings& settings() {
  static Settings* instance = new Settings();  // never destroyed: lookups may run during exit
  return *instance;
}

void set_urls_variable(const std::optional<std::string>& value) {
  if (getenv_string(kUrlsVariable) == value) return;  // leave the environment alone if we can
  int rc = value ? setenv(kUrlsVariable, value->c_str(), 1) : unsetenv(kUrlsVariable);
  if (rc != 0)
    throw Error(std::string("reflect::configure: cannot set DEBUGINFOD_URLS in the environment: ") +
                std::strerror(errno));
}

}  // namespace

char** debuginfo_path_slot() { return &settings().path_slot; }

void configure(const Options& options) {
  Settings& s = settings();
  if (options.debuginfo_path) {
    s.path = options.debuginfo_path;
  } else {
    s.path = getenv_string("REFLECT_DEBUGINFO_PATH");
  }
  s.path_slot = s.path ? s.path->data() : nullptr;

  // libdwfl 0.188 asks libdebuginfod (dlopen'ed on the first lookup that finds nothing on
  // disk) for every module with a build-id whose debug file is nowhere, and libdebuginfod
  // reads its servers from DEBUGINFOD_URLS at each query, with no other way to pass them: an
  // unset or empty variable makes it return at once, touching neither the network nor its
  // cache. So the option is applied to the variable.
  if (!s.user_urls_saved) {
    s.user_urls = getenv_string(kUrlsVariable);
    s.user_urls_saved = true;
  }
  if (!options.debuginfod_urls)
    set_urls_variable(s.user_urls);
  else if (options.debuginfod_urls->empty())
    set_urls_variable(std::nullopt);
  else
    set_urls_variable(options.debuginfod_urls);
}

std::optional<std::string> debuginfo_path() { return settings().path; }

std::string debuginfod_urls() { return getenv_string(kUrlsVariable).value_or(""); }

}  // namespace reflect::dwarf
