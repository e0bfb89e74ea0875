// reflect_test::in_fresh_process(): see fresh_process.hpp.

#include "fresh_process.hpp"

#include <doctest/doctest.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace reflect_test {
namespace {

constexpr const char* kVariable = "REFLECT_TEST_FRESH_PROCESS";

// A doctest filter that selects exactly `name`: ',' and '\' escaped with a backslash. A '*' cannot
// be escaped; '?' (any one character) stands for it, and the child checks the name it ran.
std::string filter_for(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == ',' || c == '\\') out += '\\';
    out += c == '*' ? '?' : c;
  }
  return out;
}

}  // namespace

bool in_fresh_process() {
  const doctest::ContextOptions* options = doctest::getContextOptions();
  REQUIRE(options != nullptr);
  REQUIRE(options->currentTest != nullptr);
  const std::string name = options->currentTest->m_name;
  if (const char* variable = std::getenv(kVariable)) {
    // The process made for `wanted`: only that test case may run here.
    const std::string wanted = variable;
    REQUIRE_MESSAGE(name == wanted, "a fresh process for \"", wanted, "\" ran \"", name, "\" too");
    std::printf("fresh process: %s\n", name.c_str());
    std::fflush(stdout);
    return true;
  }

  char self[4096];
  const ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
  REQUIRE(length > 0);
  self[length] = '\0';
  const std::string filter = "-tc=" + filter_for(name);
  std::vector<char*> argv{self, const_cast<char*>(filter.c_str()), nullptr};
  std::string marker = std::string(kVariable) + "=" + name;
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, kVariable, std::strlen(kVariable)) != 0 || (*e)[std::strlen(kVariable)] != '=') envp.push_back(*e);
  envp.push_back(marker.data());
  envp.push_back(nullptr);

  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  pid_t child = -1;
  const int spawned = posix_spawn(&child, self, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  std::string output;
  if (spawned == 0) {
    char buffer[4096];
    for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      output.append(buffer, static_cast<std::size_t>(n));
    }
  }
  close(pipe_fds[0]);
  REQUIRE_MESSAGE(spawned == 0, "posix_spawn ", self, ": ", std::strerror(spawned));
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }

  INFO("the test case ran alone in a fresh process: ", self, " ", filter, " with ", marker, "; its output:\n", output);
  CHECK(output.find("fresh process: " + name + "\n") != std::string::npos);
  const bool exited = WIFEXITED(status);
  CHECK_MESSAGE(exited, "killed by signal ", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  const int exit_status = exited ? WEXITSTATUS(status) : -1;
  if (exited) CHECK(exit_status == 0);
  return false;
}

}  // namespace reflect_test
