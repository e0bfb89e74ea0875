// fork() from a multi-threaded program. A child has one thread, the one that called fork(); a
// lock that another thread held at that moment stays locked in the child for good, and what that
// thread was halfway through changing stays half changed. So, as glibc does for malloc, reflect's
// prepare handler takes every lock of the library before fork() copies the process, and the
// parent and child handlers release them: fork() waits until no other thread is inside a locked
// section of reflect, and the child starts with every structure whole. What it costs: a fork()
// waits for the thread inside reflect's locked sections. A name index build that a lookup by
// name started (Registry::build_name_index_unlocked()) reads the debug info with the registry
// lock let go, on worker threads the child does not have: it touches nothing shared until it
// takes the lock again to publish, and the child handler drops it from the registry's builds
// in progress, so that the child builds that index anew. A build nested in a lazy step (a
// declaration resolved by the index) holds the lock from start to end, joining its workers
// before it lets go, and a fork() waits for it (~0.4 s for a large program).
//
// The locks, in the one order in which they nest (a thread holding one takes only locks further
// down the list), which is the order prepare() takes them in:
//   1. The list of live registries (type_node.cpp: this process's and each Target's), then each
//      registry's lock (a RecursiveMutex, fork.hpp), in the list's order: every lazy step of a
//      target's type model, all use of its modules' libdw and libdwfl, the name index builds
//      (but the reading of the debug info by those that a lookup by name started), the symbol
//      tables (their std::call_once runs under it), the
//      demangled-name and coroutine caches. No thread holds two registries' locks at once (a
//      lazy step of one target never reads another), and the list's lock is taken only to add
//      or remove a registry, with no registry lock held.
//   2. user_providers_mutex() (providers.cpp): a few map operations.
//   3. provider_publish_mutex() (providers.cpp): two stores.
//   4. maps_refresh_mutex() (memory.cpp): re-reads /proc/self/maps, and takes 5 to swap the
//      snapshot in.
//   5. maps_snapshot_mutex() (memory.cpp): copies or replaces the snapshot's pointer.
// 2-5 may be taken with 1 held (a memory read or a provider lookup inside a lazy step would),
// never the other way round; only 4 waits for a lock of ours (5) while holding one; and no user
// code runs under any of them (a user's provider runs outside them). Since prepare() takes them
// in this order, it never holds a lock that a thread it waits for still needs.
//
// Function-local statics are locks too: a child inherits the guard of one that another thread
// was initialising taken, and its first use there waits forever. Those initialised under the
// registry lock are covered by it (libdwfl's callbacks, the debug-info settings, the demangled
// names, the coroutine cache); the name index's unlocked reading uses none (dwarf/pages.cpp
// sets its page size when the library loads for this reason). The ones made outside any lock
// (the registry, the users' providers, the standard providers with the providers' own statics,
// which are made inside theirs) prepare() makes now, or waits for while another thread makes
// them, before it takes any lock; none of their initialisations takes a lock of ours. (memory.cpp
// keeps the start of the heap in an atomic rather than a static for this reason.)
//
// fork() by a thread that holds one of these locks itself, which, since no user code runs under
// them, only a signal handler (or a later change) could call: prepare() takes the registry lock
// once more (it is recursive, and RecursiveMutex lets the child release it too). 2-5 are plain
// mutexes, held for a few operations: prepare() would wait forever for one that the forking
// thread's interrupted code holds, as glibc's fork() would for its malloc locks in a multi-
// threaded process. A process with one thread (__libc_single_threaded) has no other thread to
// wait for: there the handlers take no lock and make nothing, so that a fork() from a signal
// handler, which glibc keeps as safe as it can in that case, neither waits for a lock that the
// interrupted code holds nor allocates.
//
// glibc holds its own lock on the list of handlers from the first prepare handler to the last
// parent or child one, and pthread_atfork() takes it: code that registers handlers while holding
// a lock of ours would wait for a fork() that waits for that lock. reflect registers its handlers
// once, with no lock held (install_fork_handlers()). One such case is left: libdwfl dlopen()s
// libdebuginfod under the registry lock the first time it asks a debuginfod server (only with
// DEBUGINFOD_URLS set), and the constructors of GnuTLS and p11-kit, which it loads, register fork
// handlers; a fork() on another thread during that dlopen() would wait forever.

#include "fork.hpp"

#include "memory.hpp"
#include "providers.hpp"
#include "type_node.hpp"

#include <pthread.h>

#include <atomic>

#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define REFLECT_HAVE_SINGLE_THREADED 1
#endif

namespace reflect::detail {

namespace {

// Whether prepare() took the locks, for the parent and child handlers to release. (glibc runs
// one fork's handlers at a time.)
std::atomic<bool> locked{false};

bool single_threaded() noexcept {
#ifdef REFLECT_HAVE_SINGLE_THREADED
  return __libc_single_threaded != 0;
#else
  return false;
#endif
}

void prepare() noexcept {
  if (single_threaded()) return;
  try {
    (void)Registry::self();
    make_providers_for_fork();
  } catch (...) {
    // Out of memory making one: it is left unmade, and its guard free.
  }
  lock_registries_for_fork();
  user_providers_mutex().lock();
  provider_publish_mutex().lock();
  maps_refresh_mutex().lock();
  maps_snapshot_mutex().lock();
  locked.store(true, std::memory_order_relaxed);
}

void release(bool in_child) noexcept {
  if (!locked.exchange(false, std::memory_order_relaxed)) return;
  maps_snapshot_mutex().unlock();
  maps_refresh_mutex().unlock();
  provider_publish_mutex().unlock();
  user_providers_mutex().unlock();
  unlock_registries_after_fork(in_child);
}

void parent() noexcept { release(false); }

void child() noexcept {
  renew_pid_after_fork();
  release(true);
}

// When the library is loaded.
[[maybe_unused]] const bool installed_at_load = (install_fork_handlers(), true);

}  // namespace

void install_fork_handlers() noexcept {
  static const bool installed = pthread_atfork(prepare, parent, child) == 0;
  (void)installed;
}

}  // namespace reflect::detail
