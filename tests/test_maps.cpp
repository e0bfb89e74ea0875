// The one reader of /proc/PID/maps (dwarf/maps.hpp): lines as the kernel writes them, lines it
// does not, and this process's own map.

#include <doctest/doctest.h>

#include "dwarf/maps.hpp"

#include <climits>
#include <cstdint>
#include <string>
#include <unistd.h>

using reflect::dwarf::Mapping;
using reflect::dwarf::parse_maps_line;
using reflect::dwarf::read_maps;

TEST_CASE("maps: a line of each kind the kernel writes") {
  const auto file = parse_maps_line("7f2c1a000000-7f2c1a021000 r-xp 00002000 fd:01 1234    /usr/lib/libc.so.6");
  REQUIRE(file);
  CHECK(file->begin == 0x7f2c1a000000);
  CHECK(file->end == 0x7f2c1a021000);
  CHECK(file->readable);
  CHECK_FALSE(file->writable);
  CHECK(file->executable);
  CHECK_FALSE(file->shared);
  CHECK(file->offset == 0x2000);
  CHECK(file->path == "/usr/lib/libc.so.6");

  const auto anonymous = parse_maps_line("7ffd1000-7ffd3000 rw-s 00000000 00:00 0 ");
  REQUIRE(anonymous);
  CHECK(anonymous->writable);
  CHECK(anonymous->shared);
  CHECK(anonymous->path.empty());
  const auto bare = parse_maps_line("7ffd1000-7ffd3000 ---p 00000000 00:00 0");
  REQUIRE(bare);
  CHECK_FALSE(bare->readable);
  CHECK(bare->path.empty());

  // Paths keep their spaces and the kernel's suffix.
  CHECK(parse_maps_line("1000-2000 r--p 00000000 fd:01 77  /tmp/my lib.so (deleted)")->path == "/tmp/my lib.so (deleted)");
  CHECK(parse_maps_line("1000-2000 rw-p 00000000 00:00 0   [heap]")->path == "[heap]");
  CHECK(parse_maps_line("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]")->end == 0xffffffffff601000);
}

TEST_CASE("maps: what is not a line of the map is refused") {
  for (const char* line : {"", "garbage", "1000", "1000-", "2000-1000 r--p 00000000 00:00 0", "1000-2000",
                           "1000-2000 r--p", "1000-2000 r--p zz 00:00 0", "10000000000000000-10000000000000001 r--p 0 0:0 0",
                           "-1000 r--p 00000000 00:00 0"}) {
    CAPTURE(line);
    CHECK_FALSE(parse_maps_line(line));
  }
}

TEST_CASE("maps: this process's map holds its stack and its executable") {
  const auto maps = read_maps();
  REQUIRE(maps);
  int local = 0;
  const auto here = reinterpret_cast<std::uintptr_t>(&local);
  bool stack = false, executable = false;
  char self[PATH_MAX] = {};
  REQUIRE(readlink("/proc/self/exe", self, sizeof self - 1) > 0);
  std::uint64_t previous_end = 0;
  for (const Mapping& m : *maps) {
    CHECK(m.begin >= previous_end);  // in address order, not overlapping
    previous_end = m.end;
    if (here >= m.begin && here < m.end) stack = m.readable && m.writable;
    if (m.path == self && m.executable) executable = true;
  }
  CHECK(stack);
  CHECK(executable);
  CHECK(read_maps(getpid()));
  CHECK_FALSE(read_maps(INT_MAX));  // no such process
}
