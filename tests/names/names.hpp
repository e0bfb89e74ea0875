#pragma once
// Types for the .debug_names fixture (tests/names/meson.build builds it with clang -gpubnames):
// every kind of scope a name table places a type in.

// A named type inside an unnamed class: no name looks it up, but its table entry says only
// that its parent is not in the table, as a top-level type's does.
typedef struct {
  int plain;
  struct InUnnamed {
    int z;
  } in;
} UnnamedHolder;

namespace names {

struct Point {
  int x = 1;
  struct Inner {
    int y = 2;
  };
  enum class Color { red, green };
  using Alias = long;
  typedef double Real;
  Inner inner;
  Color color = Color::green;
};

namespace deep::deeper {
template <class T> struct Box {
  T value{};
  struct Lid {
    T weight{};
  };
};
union Either {
  int i;
  float f;
};
}  // namespace deep::deeper

// Its key function is in names_other.cpp: clang's default (-fno-standalone-debug) describes
// the class only as a declaration elsewhere, with Nested defined inside that declaration, which
// a name table cannot place.
struct Polymorphic {
  virtual ~Polymorphic();
  struct Nested {
    int n = 3;
  };
  Nested nested;
};

// Declared here, defined only in names_other.cpp.
struct Elsewhere;
Elsewhere* make_elsewhere();

}  // namespace names

extern "C" const void* names_fixture_anchor();
extern "C" int names_fixture_other();
int names_fixture_other_unit();
int names_fixture_third_unit();
