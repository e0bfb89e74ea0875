#pragma once
// Every thread of another process stopped for a consistent snapshot (AttachOptions::stop) for as
// long as a ProcessStop lives. ptrace ties a tracee to the thread that attached it: only that
// thread can detach it, and it stays stopped until that thread detaches or exits. So a thread of
// the ProcessStop's own attaches and detaches, and the Target may be released on any thread.

#include <sys/types.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace reflect::detail {

class ProcessStop {
 public:
  /// Why the threads could not all be stopped (the ones that were are resumed).
  struct Failure {
    int error;  // errno of PTRACE_SEIZE
    pid_t thread;
  };

  /// Stops every thread of `pid`, including threads it starts meanwhile. Throws Failure.
  explicit ProcessStop(pid_t pid);
  /// Resumes them.
  ~ProcessStop();
  ProcessStop(const ProcessStop&) = delete;
  ProcessStop& operator=(const ProcessStop&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopped_ = false;   // the tracer stopped every thread (or failed: failure_)
  bool released_ = false;  // the destructor asks the tracer to resume them
  bool failed_ = false;
  Failure failure_{};
  pid_t owner_ = getpid();  // the process that made it
  std::thread tracer_;
};

}  // namespace reflect::detail
