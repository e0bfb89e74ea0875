#include "pages.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

namespace reflect::dwarf::detail {

bool in_file_mapping(std::string_view bytes) {
  if (bytes.empty()) return false;
  auto begin = reinterpret_cast<std::uintptr_t>(bytes.data());
  auto end = begin + bytes.size();
  FILE* maps = std::fopen("/proc/self/maps", "re");
  if (maps == nullptr) return false;
  bool found = false;
  char line[4096];
  while (!found && std::fgets(line, sizeof line, maps)) {
    unsigned long low = 0, high = 0, inode = 0;
    char perms[8] = {};
    if (std::sscanf(line, "%lx-%lx %7s %*s %*s %lu", &low, &high, perms, &inode) == 4 && begin >= low && end <= high)
      found = perms[3] == 'p' && inode != 0;
  }
  std::fclose(maps);
  return found;
}

// One system call rather than a page fault per few pages: two threads faulting on one mapping
// contend for its locks. (Linux 5.14; older kernels refuse the advice, and the pages fault in
// as before.)
void populate_pages(std::string_view bytes) {
#ifdef MADV_POPULATE_READ
  static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  auto begin = reinterpret_cast<std::uintptr_t>(bytes.data()) & ~(page - 1);
  auto end = reinterpret_cast<std::uintptr_t>(bytes.data()) + bytes.size();
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_READ);
#else
  (void)bytes;
#endif
}

// What a pass over a big program's .debug_info, .debug_str or .symtab read would otherwise stay
// in the process's RSS. MADV_DONTNEED drops a private mapping's pages; the clean ones fault
// back in from the file.
void release_pages(std::string_view bytes) {
  static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  auto begin = (reinterpret_cast<std::uintptr_t>(bytes.data()) + page - 1) & ~(page - 1);
  auto end = (reinterpret_cast<std::uintptr_t>(bytes.data()) + bytes.size()) & ~(page - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace reflect::dwarf::detail
