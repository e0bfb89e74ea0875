// A program with no debug info in any module, for a core file of it (tests/test_core.cpp): static,
// without even the C library (whose debug files a system may have installed), stripped. It
// traps at once; gdb writes the core when it stops there.

extern "C" [[noreturn]] void _start() { __builtin_trap(); }
