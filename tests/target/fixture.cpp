// A program for reflect to inspect from outside (tests/test_target.cpp): it does not use reflect.
// It sets its globals (globals.hpp) to values no other fixture has, writes `NAME ADDRESS` for
// three of them to stdout, then `ready`, and waits until its stdin closes. A line
// `dlopen PATH` on its stdin loads that library and answers `loaded` (or why not); a line `tasks`
// starts the tasks of tests/fixtures/tasks.hpp and answers `started`; `census N` makes N objects
// of each class of tests/fixtures/census_zoo.hpp and answers `made`. It lets any
// process of its user trace it (for gcore, tests/test_core.cpp), whatever
// /proc/sys/kernel/yama/ptrace_scope says.

#include "globals.hpp"
#include "../fixtures/census_zoo.hpp"
#include "../fixtures/tasks.hpp"

#include <dlfcn.h>
#include <sys/prctl.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main() {
  prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  app::fill_globals();
  if (app::hidden_name() == nullptr) return 1;
  std::printf("g_config %p\ng_counter %p\ng_waiting %p\nready\n", static_cast<void*>(&app::g_config),
              static_cast<void*>(&app::g_counter), app::g_waiting.address());
  std::fflush(stdout);
  char line[4096];
  while (std::fgets(line, sizeof line, stdin) != nullptr) {
    line[std::strcspn(line, "\n")] = '\0';
    if (std::strncmp(line, "dlopen ", 7) == 0) {
      const char* error = dlopen(line + 7, RTLD_NOW) != nullptr ? nullptr : dlerror();
      std::printf("%s\n", error == nullptr ? "loaded" : error);
      std::fflush(stdout);
    } else if (std::strncmp(line, "census ", 7) == 0) {
      census_zoo::make(std::atoi(line + 7));
      std::printf("made\n");
      std::fflush(stdout);
    } else if (std::strcmp(line, "tasks") == 0) {
      tasks::start();
      std::printf("started\n");
      std::fflush(stdout);
    }
  }
  return 0;
}
