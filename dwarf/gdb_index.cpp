#include "gdb_index.hpp"

#include "bytes.hpp"

namespace reflect::dwarf::detail {

namespace {

constexpr std::uint64_t header_size = 6 * 4;
constexpr std::uint32_t kind_type = 1;  // GDB_INDEX_SYMBOL_KIND_TYPE

// gdb's mapped_index_string_hash for versions 5 and later: ASCII folded to lower case.
std::uint32_t gdb_hash(std::string_view name) {
  std::uint32_t r = 0;
  for (char c : name) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 'A' && byte <= 'Z') byte = static_cast<unsigned char>(byte - 'A' + 'a');
    r = r * 67 + byte - 113;
  }
  return r;
}

}  // namespace

bool find_in_gdb_index(std::string_view section, std::string_view name, std::vector<std::uint64_t>& unit_offsets) {
  const auto* begin = reinterpret_cast<const Byte*>(section.data());
  const std::uint64_t size = section.size();
  if (size < header_size) return false;
  std::uint64_t version = read_le(begin, 4), cu_list = read_le(begin + 4, 4), types_list = read_le(begin + 8, 4),
                address_area = read_le(begin + 12, 4), symbol_table = read_le(begin + 16, 4),
                constant_pool = read_le(begin + 20, 4);
  if (version != 7 && version != 8) return false;
  // The areas are laid out in order; each count follows from where the next one starts.
  if (cu_list < header_size || types_list < cu_list || address_area < types_list || symbol_table < address_area ||
      constant_pool < symbol_table || constant_pool > size)
    return false;
  if ((types_list - cu_list) % 16 != 0 || (address_area - types_list) % 24 != 0 ||
      (constant_pool - symbol_table) % 8 != 0)
    return false;
  const std::uint64_t cu_count = (types_list - cu_list) / 16;
  const std::uint64_t slots = (constant_pool - symbol_table) / 8;
  if (slots == 0) return true;
  if ((slots & (slots - 1)) != 0) return false;  // gdb's tables are powers of 2
  const Byte* table = begin + symbol_table;
  const std::string_view pool = section.substr(constant_pool);

  const std::uint32_t hash = gdb_hash(name);
  const std::uint64_t mask = slots - 1;
  std::uint64_t index = hash & mask;
  const std::uint64_t step = ((std::uint64_t{hash} * 17) & mask) | 1;
  for (std::uint64_t probe = 0; probe < slots; ++probe, index = (index + step) & mask) {
    std::uint64_t name_offset = read_le(table + 8 * index, 4), vector_offset = read_le(table + 8 * index + 4, 4);
    if (name_offset == 0 && vector_offset == 0) return true;  // an empty slot: not listed
    std::string_view spelled;
    if (!string_at(pool, name_offset, spelled)) return false;
    if (spelled != name) continue;
    // The CU vector: a count, then as many entries.
    if (vector_offset > pool.size() || pool.size() - vector_offset < 4) return false;
    const Byte* vector = reinterpret_cast<const Byte*>(pool.data()) + vector_offset;
    std::uint64_t count = read_le(vector, 4);
    if (count > (pool.size() - vector_offset - 4) / 4) return false;
    for (std::uint64_t i = 0; i < count; ++i) {
      auto entry = static_cast<std::uint32_t>(read_le(vector + 4 + 4 * i, 4));
      std::uint64_t cu = entry & 0xffffffu;
      std::uint32_t kind = (entry >> 28) & 7u;
      // An index past the CUs is a type unit's (.debug_types): not read here.
      if (kind != kind_type || cu >= cu_count) continue;
      unit_offsets.push_back(read_le(begin + cu_list + 16 * cu, 8));
    }
    return true;  // a name has one slot
  }
  return true;  // a full table without the name
}

}  // namespace reflect::dwarf::detail
