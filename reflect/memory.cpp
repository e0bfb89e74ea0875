#include "memory.hpp"

#include <reflect/error.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

namespace reflect::detail {

namespace {

struct Range {
  std::uintptr_t begin, end;
};

// A snapshot of the readable mappings; replaced whole on refresh, so readers never lock.
struct Mappings {
  std::vector<Range> ranges;  // sorted, merged
};

std::atomic<const Mappings*> current{nullptr};
std::mutex refresh_mutex;

const Mappings* load_mappings() {
  auto mappings = std::make_unique<Mappings>();
  if (FILE* maps = std::fopen("/proc/self/maps", "re")) {
    char line[4096];
    while (std::fgets(line, sizeof line, maps)) {
      unsigned long begin = 0, end = 0;
      char perms[5] = {};
      int name_at = 0;
      if (std::sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &begin, &end, perms, &name_at) < 3) continue;
      if (perms[0] != 'r') continue;
      // [vvar] pages can fault on read even though they are mapped readable.
      if (std::strstr(line + name_at, "[vvar")) continue;
      if (!mappings->ranges.empty() && mappings->ranges.back().end == begin)
        mappings->ranges.back().end = end;
      else
        mappings->ranges.push_back({begin, end});
    }
    std::fclose(maps);
  }
  return mappings.release();
}

bool covered(const Mappings& m, std::uintptr_t address, std::size_t size) {
  if (size == 0) return true;
  if (address + size < address) return false;
  auto it = std::upper_bound(m.ranges.begin(), m.ranges.end(), address,
                             [](std::uintptr_t a, const Range& r) { return a < r.begin; });
  if (it == m.ranges.begin()) return false;
  --it;
  return address >= it->begin && address + size <= it->end;
}

bool same(const Mappings& a, const Mappings& b) {
  return a.ranges.size() == b.ranges.size() &&
         std::equal(a.ranges.begin(), a.ranges.end(), b.ranges.begin(),
                    [](const Range& x, const Range& y) { return x.begin == y.begin && x.end == y.end; });
}

}  // namespace

bool readable(std::uintptr_t address, std::size_t size) {
  if (address < 4096) return false;
  const Mappings* m = current.load(std::memory_order_acquire);
  if (m && covered(*m, address, size)) return true;
  std::lock_guard lock(refresh_mutex);
  // Old snapshots are kept (a reader may still hold one); refreshes happen only on misses.
  static std::vector<std::unique_ptr<const Mappings>> retired;
  std::unique_ptr<const Mappings> fresh(load_mappings());
  m = current.load(std::memory_order_acquire);
  if (m && same(*m, *fresh)) return covered(*m, address, size);  // a garbage pointer, not new memory
  retired.push_back(std::move(fresh));
  current.store(retired.back().get(), std::memory_order_release);
  return covered(*retired.back(), address, size);
}

void read_memory(std::uintptr_t address, void* out, std::size_t size) {
  if (size == 0) return;
  if (!readable(address, size)) throw UnreadableMemory(address);
  std::memcpy(out, reinterpret_cast<const void*>(address), size);
}

}  // namespace reflect::detail
