#pragma once
// Test cases that need a process in which reflect has not done something yet (what a cold first
// print reads, a name index not built yet, a dlopen'ed module nothing has looked into) begin with
//
//   if (!reflect_test::in_fresh_process()) return;
//
// In a process that may have run other test cases, in_fresh_process() runs this binary again with
// only the current test case selected (`-tc=NAME`, and REFLECT_TEST_FRESH_PROCESS=NAME in its
// environment), fails the test case unless that process ran it and passed (its output is shown
// then), and returns false. In that process it returns true and the test case goes on. So such a
// test case passes, and always starts cold, whatever ran before it: file order, `--order-by=rand`
// and `-tc=NAME` alike. To debug one in a debugger, run the binary with `-tc=NAME` and
// REFLECT_TEST_FRESH_PROCESS=NAME set.

namespace reflect_test {

bool in_fresh_process();

}  // namespace reflect_test
