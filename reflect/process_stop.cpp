#include "process_stop.hpp"

#include <fmt/format.h>

#include <dirent.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

namespace reflect::detail {

namespace {

std::vector<pid_t> threads_of(pid_t pid) {
  std::vector<pid_t> out;
  const std::string dir = fmt::format("/proc/{}/task", pid);
  if (DIR* d = opendir(dir.c_str())) {
    while (const dirent* entry = readdir(d))
      if (entry->d_name[0] != '.') out.push_back(static_cast<pid_t>(std::strtol(entry->d_name, nullptr, 10)));
    closedir(d);
  }
  return out;
}

void detach(const std::vector<pid_t>& threads) noexcept {
  for (pid_t tid : threads) ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
}

}  // namespace

ProcessStop::ProcessStop(pid_t pid) {
  tracer_ = std::thread([this, pid] {
    std::vector<pid_t> stopped;
    std::set<pid_t> held;
    // Threads started while the others are being stopped are picked up by the next round.
    for (bool more = true; more;) {
      more = false;
      for (pid_t tid : threads_of(pid)) {
        if (held.contains(tid)) continue;
        if (ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) != 0) {
          if (errno == ESRCH) continue;  // the thread exited
          const Failure failure{errno, tid};
          detach(stopped);
          std::lock_guard lock(mutex_);
          failed_ = stopped_ = true;
          failure_ = failure;
          changed_.notify_all();
          return;
        }
        held.insert(tid);
        stopped.push_back(tid);
        more = true;
        if (ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) != 0) continue;
        int status = 0;
        while (waitpid(tid, &status, __WALL) < 0 && errno == EINTR) {
        }
      }
    }
    std::unique_lock lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
    changed_.wait(lock, [this] { return released_; });
    detach(stopped);
  });
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return stopped_; });
  if (failed_) {
    lock.unlock();
    tracer_.join();
    throw failure_;
  }
}

ProcessStop::~ProcessStop() {
  // In a child forked since, the tracer is not there to join (and the stopped threads are not
  // the child's to resume).
  if (getpid() != owner_) {
    tracer_.detach();
    return;
  }
  {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  tracer_.join();
}

}  // namespace reflect::detail
