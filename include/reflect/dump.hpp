#pragma once
// A dump on demand, as `kill -3` gives a Java heap's threads or SIGQUIT a Go program's
// goroutines: a signal the program's operator sends writes the task dump and the census.
//
//   reflect::install_dump_handler(SIGUSR1);                        // dumps to stderr
//   reflect::install_dump_handler(SIGUSR2, "/var/log/app/dump.txt"); // appended to a file
//   $ kill -USR1 $(pidof app)

#include <reflect/export.hpp>

#include <string>

namespace reflect {

/// From now on, `signal` makes this process write (to `path`, appended, or to stderr when
/// `path` is empty): a header line (`reflect dump: process PID, signal N, UTC time`), the
/// task dump and the census, each as printed by `{}`, then an empty line. The signal
/// handler only wakes a thread of reflect's own, which does the work while the program runs
/// on: a dump never stops it. Signals that arrive during a dump are answered by one more dump.
/// Calling it again for the same signal changes the destination. Throws reflect::Error when the
/// signal cannot be handled (SIGKILL, SIGSTOP, a number that is no signal) or the file cannot
/// be opened for appending; errors during a dump are written where the dump would have gone.
REFLECT_API void install_dump_handler(int signal, std::string path = {});

}  // namespace reflect
