// install_dump_handler (dump.hpp): a signal handler that only writes to an eventfd, and a
// thread that waits on it and writes the dumps.

#include <reflect/census.hpp>
#include <reflect/dump.hpp>
#include <reflect/error.hpp>
#include <reflect/tasks.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

namespace reflect {

namespace {

// The eventfd the handler writes to; -1 until the first install. Read by the handler: an
// atomic whose value never changes once set.
std::atomic<int> wakeup_fd{-1};
// Which signal woke the thread last (for the header line).
std::atomic<int> last_signal{0};

// Where each signal's dump goes; guarded by destinations_mutex.
std::mutex destinations_mutex;
std::map<int, std::string> destinations;

extern "C" void on_dump_signal(int signal) {
  const int saved = errno;
  last_signal.store(signal, std::memory_order_relaxed);
  const std::uint64_t one = 1;
  (void)!write(wakeup_fd.load(std::memory_order_relaxed), &one, sizeof one);
  errno = saved;
}

// Writes all of `text` to `fd`, through short writes and interruptions.
void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string dump_text(int signal) {
  std::string text = fmt::format("reflect dump: process {}, signal {}, {:%Y-%m-%dT%H:%M:%S}Z\n", getpid(), signal,
                                 std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  try {
    text += fmt::format("{}\n\n", task_dump());
  } catch (const std::exception& e) {
    text += fmt::format("(no task dump: {})\n\n", e.what());
  }
  try {
    text += fmt::format("{}\n\n", census());
  } catch (const std::exception& e) {
    text += fmt::format("(no census: {})\n\n", e.what());
  }
  return text;
}

[[noreturn]] void dump_thread(int fd) {
  // The signals stay with the program's own threads.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  for (;;) {
    std::uint64_t count = 0;
    if (read(fd, &count, sizeof count) != sizeof count) continue;  // EINTR
    const int signal = last_signal.load(std::memory_order_relaxed);
    std::string path;
    {
      std::lock_guard lock(destinations_mutex);
      if (auto it = destinations.find(signal); it != destinations.end()) path = it->second;
    }
    const std::string text = dump_text(signal);
    if (path.empty()) {
      write_all(STDERR_FILENO, text);
      continue;
    }
    const int out = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (out < 0) {
      write_all(STDERR_FILENO, fmt::format("reflect: cannot append the dump to {}: {}\n", path, std::strerror(errno)));
      continue;
    }
    write_all(out, text);
    close(out);
  }
}

}  // namespace

void install_dump_handler(int signal, std::string path) {
  if (signal <= 0 || signal >= NSIG || signal == SIGKILL || signal == SIGSTOP)
    throw Error(fmt::format("reflect: install_dump_handler: {} is not a signal a handler can catch; pick one the "
                            "program does not use, such as SIGUSR1 or SIGUSR2",
                            signal));
  if (!path.empty()) {  // can it be appended to? (now, rather than at the first signal)
    const int out = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (out < 0)
      throw Error(fmt::format("reflect: install_dump_handler: cannot open {} for appending the dumps: {}", path,
                              std::strerror(errno)));
    close(out);
  }
  static std::once_flag started;
  std::call_once(started, [] {
    const int fd = eventfd(0, EFD_CLOEXEC);
    if (fd < 0) throw Error(fmt::format("reflect: install_dump_handler: eventfd failed: {}", std::strerror(errno)));
    wakeup_fd.store(fd);
    std::thread(dump_thread, fd).detach();
  });
  {
    std::lock_guard lock(destinations_mutex);
    destinations[signal] = std::move(path);
  }
  struct sigaction action {};
  action.sa_handler = on_dump_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (sigaction(signal, &action, nullptr) != 0)
    throw Error(fmt::format("reflect: install_dump_handler: sigaction({}) failed: {}", signal, std::strerror(errno)));
}

}  // namespace reflect
