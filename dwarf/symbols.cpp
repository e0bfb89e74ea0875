#include "symbols.hpp"

#include "pages.hpp"

#include <elfutils/libdwfl.h>
#include <gelf.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

namespace reflect::dwarf {

std::optional<detail::SymbolSection> detail::own_symbol_section(Dwfl_Module* module) {
  Dwarf_Addr bias = 0;
  Elf* elf = dwfl_module_getelf(module, &bias);
  GElf_Ehdr ehdr;
  if (elf == nullptr || gelf_getehdr(elf, &ehdr) == nullptr || ehdr.e_ident[EI_CLASS] != ELFCLASS64 ||
      ehdr.e_ident[EI_DATA] != ELFDATA2LSB || ehdr.e_type == ET_REL)
    return std::nullopt;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr, link_shdr;
    Elf_Scn* link = nullptr;
    if (gelf_getshdr(scn, &shdr) == nullptr || shdr.sh_type != SHT_SYMTAB ||
        (link = elf_getscn(elf, shdr.sh_link)) == nullptr || gelf_getshdr(link, &link_shdr) == nullptr ||
        (shdr.sh_flags & SHF_COMPRESSED) != 0 || (link_shdr.sh_flags & SHF_COMPRESSED) != 0)
      continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    Elf_Data* strings = elf_getdata(link, nullptr);
    if (data == nullptr || strings == nullptr || data->d_buf == nullptr || strings->d_buf == nullptr) continue;
    SymbolSection out;
    out.elf = elf;
    out.symbols = std::string_view(static_cast<const char*>(data->d_buf), data->d_size);
    out.names = std::string_view(static_cast<const char*>(strings->d_buf), strings->d_size);
    out.bias = bias;
    out.first_global = shdr.sh_info;
    out.releasable = in_file_mapping(out.symbols) && in_file_mapping(out.names);
    return out;
  }
  return std::nullopt;
}

namespace {

// GELF_ST_BIND as addrinfo ranks it, higher is better.
unsigned binding_rank(unsigned char info) {
  switch (GELF_ST_BIND(info)) {
    case STB_GLOBAL: return 3;
    case STB_WEAK: return 2;
    case STB_LOCAL: return 1;
    default: return 0;
  }
}

constexpr unsigned address_bits = 56;  // Linux user space ends below 2^56 (x86-64 LA57, AArch64, RISC-V Sv57)

}  // namespace

// One symbol in 16 bytes: a big program has millions. Its run-time address and what ranks it
// share one word; the name is an offset into the .strtab, which is not copied.
struct SymbolTable::Table {
  struct Entry {
    std::uint64_t address_kind;  // address << 8 | tier << 3 | binding << 1 | is_function
    std::uint32_t size;
    std::uint32_t name;  // into .strtab, or into `names`

    std::uint64_t address() const { return address_kind >> 8; }
    unsigned rank() const { return static_cast<unsigned>(address_kind & 0xff) >> 1; }  // tier, then binding
    bool is_function() const { return (address_kind & 1) != 0; }
    std::uint64_t reach() const { return size != 0 ? size : 1; }  // a size-0 symbol covers its start
    bool covers(std::uint64_t at) const { return at >= address() && at - address() < reach(); }
  };
  static_assert(sizeof(Entry) == 16);
  // Sorted by address, and the symbols at one address from the preferred one down, each
  // reaching further than those before it (a symbol that loses everywhere it reaches is left
  // out).
  std::vector<Entry> entries;
  // The entries that reach past the start of the next address's entries (few: symbols
  // rarely overlap), in the same order, and for each the furthest end of it and those before.
  std::vector<std::uint32_t> spanning;
  std::vector<std::uint64_t> spanning_end;
  std::string_view strtab;  // the names when read in place
  std::vector<const char*> names;  // else libdwfl's

  std::string_view name_of(const Entry& entry) const {
    if (!names.empty()) return names[entry.name];
    std::string_view rest = strtab.substr(entry.name);
    return rest.substr(0, rest.find('\0'));
  }

  // Whether `a` wins over `b` at an address both cover.
  bool prefers(const Entry& a, const Entry& b) const {
    if (a.rank() != b.rank()) return a.rank() > b.rank();
    if (a.address() != b.address()) return a.address() > b.address();
    if (a.size != b.size) return a.size < b.size;
    return &a < &b;  // the order the build chose
  }

  const Entry* find(std::uint64_t address) const;
  void add(std::uint64_t address, std::uint64_t size, std::uint64_t name, unsigned char info, bool global_part);
  void sort();
};

void SymbolTable::Table::add(std::uint64_t address, std::uint64_t size, std::uint64_t name, unsigned char info,
                             bool global_part) {
  if (address == 0 || address >> address_bits != 0 || size > std::numeric_limits<std::uint32_t>::max() ||
      name > std::numeric_limits<std::uint32_t>::max())
    return;
  // addrinfo reads the global part of the table first and the locals only when no global
  // symbol with a size covers the address and none of size 0 starts at it; within each part a
  // sized symbol beats one of size 0.
  const unsigned tier = (global_part ? 2 : 0) + (size != 0 ? 1 : 0);
  const unsigned binding = size != 0 ? binding_rank(info) : 0;  // size-0 ones: the last in the table
  const unsigned kind = tier << 3 | binding << 1 | (GELF_ST_TYPE(info) == STT_FUNC ? 1 : 0);
  entries.push_back({address << 8 | kind, static_cast<std::uint32_t>(size), static_cast<std::uint32_t>(name)});
}

void SymbolTable::Table::sort() {
  // By address, stably (the table's order decides the last ties): a radix sort on the offset
  // from the lowest address, 11 bits a pass, three passes for a module under 8 GiB. It halves
  // what building the table costs against std::stable_sort, which was half of it (the first
  // pointer printed pays for it; the benchmark program at full scale has millions of symbols).
  if (!entries.empty()) {
    auto by_address = [](const Entry& a, const Entry& b) { return a.address() < b.address(); };
    auto [lowest, highest] = std::minmax_element(entries.begin(), entries.end(), by_address);
    const std::uint64_t low = lowest->address(), span = highest->address() - low;
    constexpr unsigned digit_bits = 11;
    std::vector<Entry> sorted(entries.size());
    std::vector<std::size_t> starts(std::size_t{1} << digit_bits);
    for (unsigned shift = 0; shift < 64 && (shift == 0 || (span >> shift) != 0); shift += digit_bits) {
      auto digit = [&](const Entry& entry) { return ((entry.address() - low) >> shift) & (starts.size() - 1); };
      std::fill(starts.begin(), starts.end(), 0);
      for (const Entry& entry : entries) ++starts[digit(entry)];
      std::size_t next = 0;
      for (std::size_t& start : starts) next += std::exchange(start, next);
      for (const Entry& entry : entries) sorted[starts[digit(entry)]++] = entry;
      entries.swap(sorted);
    }
  }
  // Then the symbols at one address from the preferred down (few: an insertion sort, stable).
  auto before = [](const Entry& a, const Entry& b) {
    return a.rank() != b.rank() ? a.rank() > b.rank() : a.size < b.size;
  };
  for (std::size_t group = 0; group < entries.size();) {
    std::size_t end = group + 1;
    while (end < entries.size() && entries[end].address() == entries[group].address()) ++end;
    for (std::size_t i = group + 1; i < end; ++i)
      for (std::size_t j = i; j > group && before(entries[j], entries[j - 1]); --j)
        std::swap(entries[j], entries[j - 1]);
    group = end;
  }
  // Per address, keep the symbols some address prefers: each must reach further than the
  // preferred ones before it. Of size-0 symbols of one rank, addrinfo takes the last.
  std::size_t kept = 0;
  for (std::size_t group = 0; group < entries.size();) {
    std::size_t end = group;
    while (end < entries.size() && entries[end].address() == entries[group].address()) ++end;
    std::uint64_t reached = 0;
    for (std::size_t i = group; i < end; ++i) {
      const Entry& entry = entries[i];
      if (entry.size == 0 && i + 1 < end && entries[i + 1].size == 0 && entries[i + 1].rank() == entry.rank()) continue;
      if (entry.reach() <= reached) continue;
      reached = entry.reach();
      entries[kept++] = entry;
    }
    group = end;
  }
  entries.resize(kept);
  if (entries.capacity() - entries.size() > entries.size() / 8) entries.shrink_to_fit();

  std::uint64_t furthest = 0;
  for (std::size_t group = 0; group < entries.size();) {
    std::size_t end = group;
    while (end < entries.size() && entries[end].address() == entries[group].address()) ++end;
    for (std::size_t i = group; i < end && end < entries.size(); ++i) {
      if (entries[i].address() + entries[i].reach() <= entries[end].address()) continue;
      spanning.push_back(static_cast<std::uint32_t>(i));
      furthest = std::max(furthest, entries[i].address() + entries[i].reach());
      spanning_end.push_back(furthest);
    }
    group = end;
  }
}

const SymbolTable::Table::Entry* SymbolTable::Table::find(std::uint64_t address) const {
  auto after = std::upper_bound(entries.begin(), entries.end(), address,
                                [](std::uint64_t at, const Entry& entry) { return at < entry.address(); });
  if (after == entries.begin()) return nullptr;
  // The symbols starting closest below: the first that covers the address is the one preferred
  // (those after it in the group reach further and lose to it).
  const Entry* best = nullptr;
  const std::uint64_t start = (after - 1)->address();
  for (auto it = after; it != entries.begin() && (it - 1)->address() == start && (it - 1)->covers(address); --it)
    best = &*(it - 1);
  // Symbols starting further below that reach this far.
  auto first_after = std::lower_bound(spanning.begin(), spanning.end(), start,
                                      [&](std::uint32_t i, std::uint64_t at) { return entries[i].address() < at; });
  for (auto k = static_cast<std::size_t>(first_after - spanning.begin()); k-- > 0 && spanning_end[k] > address;) {
    const Entry& entry = entries[spanning[k]];
    if (entry.covers(address) && (best == nullptr || prefers(entry, *best))) best = &entry;
  }
  return best;
}

void SymbolTable::for_each(const std::function<void(const Entry&)>& visit) const {
  const Table& symbols = table();
  for (const Table::Entry& entry : symbols.entries)
    visit(Entry{symbols.name_of(entry), entry.address(), entry.size, entry.is_function(), (entry.rank() >> 2) >= 2});
}

SymbolTable::SymbolTable(Dwfl_Module* module) noexcept : module_(module) {}

SymbolTable::~SymbolTable() = default;

const SymbolTable::Table& SymbolTable::table() const {
  if (const Table* table = table_.load(std::memory_order_acquire)) return *table;
  std::call_once(built_, [this] {
    auto table = std::make_unique<Table>();
    if (auto section = detail::own_symbol_section(module_)) {
      // The file's own table, read in place: at the benchmark's full scale, millions of symbols,
      // which libdwfl's accessor takes a tenth of a second to hand out one by one.
      std::size_t sections = 0;
      std::vector<bool> allocated;
      if (elf_getshdrnum(section->elf, &sections) == 0) allocated.resize(sections);
      for (Elf_Scn* scn = elf_nextscn(section->elf, nullptr); scn != nullptr; scn = elf_nextscn(section->elf, scn)) {
        GElf_Shdr shdr;
        if (gelf_getshdr(scn, &shdr) != nullptr && elf_ndxscn(scn) < allocated.size())
          allocated[elf_ndxscn(scn)] = (shdr.sh_flags & SHF_ALLOC) != 0;
      }
      const std::string_view symbols = section->symbols;
      table->entries.reserve(symbols.size() / sizeof(Elf64_Sym));  // most are functions and objects
      for (std::size_t at = sizeof(Elf64_Sym), index = 1; at + sizeof(Elf64_Sym) <= symbols.size();
           at += sizeof(Elf64_Sym), ++index) {
        Elf64_Sym sym;
        std::memcpy(&sym, symbols.data() + at, sizeof sym);
        const unsigned type = ELF64_ST_TYPE(sym.st_info);
        // (A symbol whose name is empty has st_name 0; the names themselves are not read here.)
        if ((type != STT_FUNC && type != STT_OBJECT) || sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE ||
            sym.st_shndx >= allocated.size() || !allocated[sym.st_shndx] || sym.st_name == 0 ||
            sym.st_name >= section->names.size() || sym.st_value == 0)
          continue;
        table->add(sym.st_value + section->bias, sym.st_size, sym.st_name, sym.st_info, index >= section->first_global);
      }
      table->strtab = section->names;
      if (section->releasable) detail::release_pages(symbols);
    } else {  // no .symtab of its own: libdwfl's (the debug file's, .dynsym, .gnu_debugdata)
      const int count = dwfl_module_getsymtab(module_);
      const int first_global = dwfl_module_getsymtab_first_global(module_);
      table->entries.reserve(static_cast<std::size_t>(std::max(count, 0)));
      for (int i = 1; i < count; ++i) {
        GElf_Sym sym;
        GElf_Addr address = 0;
        GElf_Word shndx = SHN_UNDEF;
        const char* name = dwfl_module_getsym_info(module_, i, &sym, &address, &shndx, nullptr, nullptr);
        const unsigned type = GELF_ST_TYPE(sym.st_info);
        // shndx is -1 for a symbol in a section that is not allocated.
        if (name == nullptr || name[0] == '\0' || (type != STT_FUNC && type != STT_OBJECT) ||
            sym.st_shndx == SHN_UNDEF || (sym.st_shndx >= SHN_LORESERVE && sym.st_shndx != SHN_XINDEX) ||
            shndx == static_cast<GElf_Word>(-1) || sym.st_value == 0)
          continue;
        table->names.push_back(name);
        table->add(address, sym.st_size, table->names.size() - 1, sym.st_info, i >= first_global);
      }
    }
    table->sort();
    owned_ = std::move(table);
    table_.store(owned_.get(), std::memory_order_release);
  });
  return *table_.load(std::memory_order_acquire);
}

std::optional<Symbol> SymbolTable::at(std::uintptr_t address) const {
  const Table& symbols = table();
  const Table::Entry* entry = symbols.find(address);
  if (entry == nullptr) return std::nullopt;
  return Symbol{symbols.name_of(*entry), address - entry->address(), entry->is_function()};
}

}  // namespace reflect::dwarf
