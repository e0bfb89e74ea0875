#include "programs.hpp"

#include "dwarf/core.hpp"  // read_elf_facts

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

extern char** environ;

namespace reflect_test {

namespace {

namespace fs = std::filesystem;

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// This process's environment and `extra` (NAME=VALUE) entries.
std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "reflect-test-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::string TempDir::operator/(const std::string& name) const { return (fs::path(path_) / name).string(); }

int Output::exit_code() const { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

Output run(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
  int out[2], err[2];
  REQUIRE(pipe(out) == 0);
  REQUIRE(pipe(err) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, err[0]);
  std::vector<std::string> copy = argv;
  std::vector<char*> args = c_strings(copy);
  std::vector<std::string> env = environment_with(extra_env);
  std::vector<char*> envp = c_strings(env);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  Output result;
  if (spawned == 0) {
    // Both pipes at once: a program that fills one while this waits on the other would hang.
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* into[2] = {&result.out, &result.err};
    for (int open = 2; open > 0;) {
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        char buffer[4096];
        const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
        if (n > 0) {
          into[i]->append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
          fds[i].fd = -1;
          --open;
        }
      }
    }
    waitpid(pid, &result.status, 0);
  }
  close(out[0]);
  close(err[0]);
  REQUIRE_MESSAGE(spawned == 0, "cannot run ", argv[0]);
  return result;
}

Running::Running(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
  int to_child[2], from_child[2];
  REQUIRE(pipe(to_child) == 0);
  REQUIRE(pipe(from_child) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
  posix_spawn_file_actions_addclose(&actions, to_child[1]);
  posix_spawn_file_actions_addclose(&actions, from_child[0]);
  std::vector<std::string> copy = argv;
  std::vector<char*> args = c_strings(copy);
  std::vector<std::string> env = environment_with(extra_env);
  std::vector<char*> envp = c_strings(env);
  REQUIRE(posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), envp.data()) == 0);
  posix_spawn_file_actions_destroy(&actions);
  close(to_child[0]);
  close(from_child[1]);
  stdin_ = to_child[1];
  stdout_ = fdopen(from_child[0], "r");
  REQUIRE(stdout_ != nullptr);
  bool ready = false;
  char line[256];
  while (!ready && std::fgets(line, sizeof line, stdout_)) {
    const std::string text(line);
    ready = text == "ready\n";
    if (ready) break;
    const auto space = text.find(' ');
    globals_[text.substr(0, space)] = std::strtoull(text.c_str() + space + 1, nullptr, 16);
  }
  REQUIRE_MESSAGE(ready, argv[0], " did not say it was ready");
}

std::string Running::ask(const std::string& line) {
  const std::string text = line + "\n";
  REQUIRE(stdin_ >= 0);
  REQUIRE(write(stdin_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  // (Nothing is buffered past the line `ready` or an answer: the program writes no more unasked.)
  pollfd readable{fileno(stdout_), POLLIN, 0};
  REQUIRE_MESSAGE(poll(&readable, 1, 30'000) == 1, "no answer to `", line, "` in 30 s");
  char answer[4096];
  REQUIRE_MESSAGE(std::fgets(answer, sizeof answer, stdout_) != nullptr, "no answer to ", line);
  std::string out(answer);
  if (out.ends_with('\n')) out.pop_back();
  return out;
}

int Running::exit() {
  if (stdout_ != nullptr) {
    std::fclose(stdout_);
    stdout_ = nullptr;
  }
  if (stdin_ < 0) return status_;
  close(stdin_);
  stdin_ = -1;
  waitpid(pid_, &status_, 0);
  return status_;
}

int Running::kill_with(int signal) {
  ::kill(pid_, signal);
  return exit();
}

std::string build_id(const std::string& path) {
  const int fd = reflect::dwarf::open_regular_file(path);
  REQUIRE(fd >= 0);
  const auto facts = reflect::dwarf::read_elf_facts(fd);
  close(fd);
  REQUIRE(facts);
  REQUIRE_FALSE(facts->build_id.empty());
  return facts->build_id;
}

std::string strip_to_build_id_dir(const std::string& program, const std::string& copy, const std::string& debug_dir) {
  const std::string id = build_id(program);
  const std::string debug_file = debug_dir + "/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug";
  fs::create_directories(fs::path(debug_file).parent_path());
  REQUIRE(run({OBJCOPY, "--only-keep-debug", program, debug_file}).status == 0);
  REQUIRE(run({OBJCOPY, "--strip-debug", program, copy}).status == 0);
  return debug_file;
}

}  // namespace reflect_test
