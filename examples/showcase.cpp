// A tour of what reflect prints. Run with: tools/demo
#include <reflect/reflect.hpp>

#include <fmt/core.h>
int main() { return 0; }
