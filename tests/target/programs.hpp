// Running the programs the target tests inspect from outside (test_target.cpp, test_core.cpp):
// a fixture process started with pipes, a program run to its end with its output, a scratch
// directory.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace reflect_test {

/// A directory of its own under the system's temporary directory, removed with what it holds.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Output {
  int status = -1;  // as waitpid gives it
  std::string out, err;
  int exit_code() const;  // -1 when it did not exit (a signal)
  std::string text() const { return out + err; }
};

/// Runs a program to its end, stdin from /dev/null, this process's environment and `extra_env`
/// (NAME=VALUE entries).
Output run(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});

/// The build-id of an ELF file, in hex (as .build-id paths spell it).
std::string build_id(const std::string& path);

/// Writes a copy of `program` without its debug info to `copy`, and the debug info to where a
/// debug directory finds it by build-id: `debug_dir`/.build-id/xx/rest.debug (returned). The
/// copy names no debug file (.gnu_debuglink): only the build-id leads to it.
std::string strip_to_build_id_dir(const std::string& program, const std::string& copy, const std::string& debug_dir);

/// A program started with pipes on its stdin and stdout: the target fixture, which writes
/// `NAME ADDRESS` for some of its globals, then `ready`, and exits when its stdin closes.
class Running {
 public:
  explicit Running(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});
  ~Running() { exit(); }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;

  pid_t pid() const { return pid_; }
  std::uint64_t address(const std::string& global) const { return globals_.at(global); }
  /// Writes `line` to its stdin; the line it answers, without its newline.
  std::string ask(const std::string& line);
  /// Lets the process exit and waits for it; its status.
  int exit();
  /// Kills it with `signal` and waits for it; its status.
  int kill_with(int signal);

 private:
  pid_t pid_ = 0;
  int stdin_ = -1;
  FILE* stdout_ = nullptr;  // its stdout
  int status_ = 0;
  std::map<std::string, std::uint64_t> globals_;
};

}  // namespace reflect_test
