#pragma once
// A process's memory map as the kernel lists it in /proc/PID/maps: the one reader of that file,
// for module discovery (which file is mapped where) and for the memory reader's fallback (which
// ranges are readable).

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace reflect::dwarf {

struct Mapping {
  std::uint64_t begin = 0, end = 0;  // [begin, end)
  bool readable = false, writable = false, executable = false, shared = false;
  std::uint64_t offset = 0;  // into the file
  std::string path;          // a file's absolute path (" (deleted)" kept), `[heap]`, `[vvar]`, ...; empty: anonymous
};

/// The mappings of process `pid` (0: this process), in address order. nullopt when the file
/// cannot be read (no such process, no permission).
std::optional<std::vector<Mapping>> read_maps(pid_t pid = 0);

/// One line of /proc/PID/maps (without its newline); nullopt when it is not one.
std::optional<Mapping> parse_maps_line(std::string_view line);

}  // namespace reflect::dwarf
