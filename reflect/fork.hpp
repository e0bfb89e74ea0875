#pragma once
// fork() from a multi-threaded program: the handlers that keep reflect usable in the child
// (fork.cpp, which also lists every lock of the library and their order), and the recursive
// mutex of the registry, which a child can release.

#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <mutex>

namespace reflect::detail {

/// Installs reflect's pthread_atfork handlers, once (fork.cpp). Runs when the library is loaded,
/// and again (doing nothing) before the first reflection, in case a static constructor of a
/// statically linked program reflects first. Never call it with one of reflect's locks held.
void install_fork_handlers() noexcept;

/// A recursive mutex whose owner is the pthread_self() of the thread holding it. A forked
/// child's one thread keeps the pthread_self() of the thread that called fork(), but not its
/// kernel thread id, which is what std::recursive_mutex (a recursive pthread mutex) compares:
/// in the child, a recursive pthread mutex that the fork handlers locked could be neither
/// unlocked (EPERM) nor locked again. This one is a plain mutex, which the child may unlock, and
/// a depth.
class RecursiveMutex {
 public:
  constexpr RecursiveMutex() noexcept = default;
  RecursiveMutex(const RecursiveMutex&) = delete;
  RecursiveMutex& operator=(const RecursiveMutex&) = delete;

  void lock() {
    const pthread_t self = pthread_self();
    // Only this thread stores its own id, and it clears it before unlocking: a relaxed load
    // sees `self` exactly when this thread holds the mutex.
    if (owner_.load(std::memory_order_relaxed) == self) {
      ++depth_;
      return;
    }
    mutex_.lock();
    owner_.store(self, std::memory_order_relaxed);
    depth_ = 1;
  }
  bool try_lock() {
    const pthread_t self = pthread_self();
    if (owner_.load(std::memory_order_relaxed) == self) {
      ++depth_;
      return true;
    }
    if (!mutex_.try_lock()) return false;
    owner_.store(self, std::memory_order_relaxed);
    depth_ = 1;
    return true;
  }
  /// Whether the calling thread holds it (at any depth).
  bool held_by_this_thread() const noexcept { return owner_.load(std::memory_order_relaxed) == pthread_self(); }
  void unlock() {
    if (--depth_ != 0) return;
    owner_.store(pthread_t{}, std::memory_order_relaxed);
    mutex_.unlock();
  }

 private:
  std::mutex mutex_;
  std::atomic<pthread_t> owner_{};  // pthread_t{}: nobody (glibc's pthread_t is never 0)
  std::size_t depth_ = 0;           // the owner's
};

}  // namespace reflect::detail
