// A shared library that tests/target/fixture.cpp loads with dlopen() only when told to, after
// reflect has attached to it (tests/test_target.cpp): a module the attach did not see.

#include <string>

namespace late {

struct Settings {
  int level = 5;
  std::string name = "loaded late";
};

Settings g_settings;

}  // namespace late
