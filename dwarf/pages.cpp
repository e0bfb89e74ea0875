#include "pages.hpp"

#include "maps.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace reflect::dwarf::detail {

bool in_file_mapping(std::string_view bytes) {
  if (bytes.empty()) return false;
  const auto begin = reinterpret_cast<std::uintptr_t>(bytes.data());
  const auto end = begin + bytes.size();
  const auto maps = read_maps();
  if (!maps) return false;
  for (const Mapping& mapping : *maps)
    if (begin >= mapping.begin && end <= mapping.end) return !mapping.shared && mapping.path.starts_with('/');
  return false;
}

namespace {
const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
}

// One system call rather than a page fault per few pages: two threads faulting on one mapping
// contend for its locks. (Linux 5.14; older kernels refuse the advice, and the pages fault in
// as before.)
void populate_pages(std::string_view bytes) {
#ifdef MADV_POPULATE_READ
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
  auto begin = (reinterpret_cast<std::uintptr_t>(bytes.data()) + page - 1) & ~(page - 1);
  auto end = (reinterpret_cast<std::uintptr_t>(bytes.data()) + bytes.size()) & ~(page - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace reflect::dwarf::detail
