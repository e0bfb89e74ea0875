#pragma once
// The pages of the module files libdwfl maps: which bytes lie in such a mapping, and how to fault
// a range in at once or hand it back to the page cache once read.

#include <string_view>

namespace reflect::dwarf::detail {

/// Whether `bytes` lie in one private mapping of a file (not in memory libelf allocated, where
/// MADV_DONTNEED would zero them). Reads /proc/self/maps.
bool in_file_mapping(std::string_view bytes);

/// Maps the pages of `bytes` in one system call (where the kernel can) rather than a page
/// fault per few pages.
void populate_pages(std::string_view bytes);

/// Hands the whole pages inside `bytes` back to the page cache. Only for clean pages of a
/// private file mapping (in_file_mapping()): they read back from the file on the next access,
/// so pointers into them stay valid.
void release_pages(std::string_view bytes);

}  // namespace reflect::dwarf::detail
