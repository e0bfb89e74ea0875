// A program that crashes with abort() while coroutines are suspended, for a core file of it
// (tests/test_core.cpp runs it under gdb, which writes the core when the program stops at
// SIGABRT). The chain top -> middle -> leaf of tests/fixtures/coro.cpp (the one test_coro.cpp
// prints in this process) is left suspended on leaf_event; the program writes the innermost
// frame's address as `frame ADDRESS` before it aborts. It does not use reflect.

#include "../fixtures/coro.hpp"

#include <cstdio>
#include <cstdlib>

int main() {
  app::Task top = app::top();
  top.handle.resume();
  std::printf("frame %p\n", app::leaf_event.waiter.address());
  std::fflush(stdout);
  std::abort();
}
