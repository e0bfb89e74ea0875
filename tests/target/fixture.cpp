// A program for reflect to inspect from outside (tests/test_target.cpp): it does not use reflect.
// It sets its globals (globals.hpp) to values no other fixture has, writes `NAME ADDRESS` for two
// of them to stdout, then `ready`, and waits until its stdin closes. It lets any process of its
// user trace it (for gcore, tests/test_core.cpp), whatever /proc/sys/kernel/yama/ptrace_scope
// says.

#include "globals.hpp"

#include <sys/prctl.h>

#include <cstdio>

int main() {
  prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  app::fill_globals();
  if (app::hidden_name() == nullptr) return 1;
  std::printf("g_config %p\ng_counter %p\nready\n", static_cast<void*>(&app::g_config),
              static_cast<void*>(&app::g_counter));
  std::fflush(stdout);
  while (std::getchar() != EOF) {
  }
  return 0;
}
