#pragma once
// A test case that cannot run on this machine (a setting of the system it must not change, such
// as where the kernel writes core files) ends with
//
//   return reflect_test::skip_case("kernel-core", "why");
//
// which writes `reflect-test-skip: kernel-core: why` to stdout. tools/test finds that line in
// the test log and counts the skip as a failure unless tests/allowed-skips.txt lists its id, as
// for a whole test that skips: no test case passes by doing nothing without saying so.

#include <cstdio>
#include <string>

namespace reflect_test {

inline void skip_case(const std::string& id, const std::string& why) {
  std::printf("reflect-test-skip: %s: %s\n", id.c_str(), why.c_str());
  std::fflush(stdout);
}

}  // namespace reflect_test
