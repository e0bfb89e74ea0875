// The names printed next to pointers come from each module's table of symbols by address
// (dwarf/symbols.hpp), which replaced libdwfl's dwfl_module_addrinfo: checked here against
// addrinfo itself, on this test program and the plugin library it loads, at a sample of
// symbols' starts, last bytes, one-past-ends and gaps, and at random addresses; on symbols laid
// out as only assembly lays them out (nested, aliased, of size 0); and through the printer.

#include "fixtures/plugin.hpp"
#include "fixtures/zoo.hpp"

#include "dwarf/process.hpp"
#include "reflect/type_node.hpp"

#include <doctest/doctest.h>
#include <elfutils/libdwfl.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <typeinfo>
#include <vector>

// What compilers never emit and the table must still rank as addrinfo does. Each symbol's
// offset from symtest_outer is in the comment.
asm(R"(
  .pushsection .data.symtest, "aw"
  .balign 64
  .globl symtest_outer
  .type symtest_outer, @object
  .size symtest_outer, 64
symtest_outer:                 # +0: global, 64 bytes, around the next two
  .zero 16
  .globl symtest_inner
  .type symtest_inner, @object
  .size symtest_inner, 8
symtest_inner:                 # +16: global: the closer start wins
  .zero 16
  .type symtest_inner_local, @object
  .size symtest_inner_local, 8
symtest_inner_local:           # +32: local: the global around it wins
  .zero 32
  .globl symtest_mark
  .type symtest_mark, @object
symtest_mark:                  # +64: global, size 0, at the start of a local one
  .type symtest_after_mark, @object
  .size symtest_after_mark, 8
symtest_after_mark:            # +64: local, 8 bytes
  .zero 8
  .globl symtest_short
  .type symtest_short, @object
  .size symtest_short, 4
  .globl symtest_long
  .type symtest_long, @object
  .size symtest_long, 16
symtest_short:                 # +72: two globals at one address: the shorter, then the longer
symtest_long:
  .zero 16
  .weak symtest_weak
  .type symtest_weak, @object
  .size symtest_weak, 8
  .globl symtest_strong
  .type symtest_strong, @object
  .size symtest_strong, 8
symtest_weak:                  # +88: aliases: the global one
symtest_strong:
  .zero 8
  .globl symtest_label
  .type symtest_label, @object
symtest_label:                 # +96: size 0, then 16 bytes no symbol covers
  .zero 16
  .popsection
)");

extern "C" const char symtest_outer[];

namespace symtest {

int table[4] = {1, 2, 3, 4};
int twice(int n) { return 2 * n + table[0]; }

namespace {
int counters[3];
int bump(int n) { return ++counters[n % 3]; }
}  // namespace

struct Pointers {
  int (*twice_fn)(int);
  int (*bump_fn)(int);
  std::unique_ptr<plugin::Device> (*gadget_fn)();
  const int* table;
  const int* third;
  const int* counter;
  const std::type_info* settings;
  int count;
};

}  // namespace symtest

namespace {

using reflect::dwarf::Module;
using reflect::dwarf::Symbol;

// A libdwfl session of the test's own over this process: the reference the table is
// compared with.
struct Reference {
  Dwfl* dwfl = nullptr;
  Reference() {
    static const Dwfl_Callbacks callbacks = {dwfl_linux_proc_find_elf, dwfl_standard_find_debuginfo, nullptr, nullptr};
    dwfl = dwfl_begin(&callbacks);
    REQUIRE(dwfl != nullptr);
    REQUIRE(dwfl_linux_proc_report(dwfl, getpid()) == 0);
    REQUIRE(dwfl_report_end(dwfl, nullptr, nullptr) == 0);
  }
  ~Reference() { dwfl_end(dwfl); }
  Reference(const Reference&) = delete;
  Reference& operator=(const Reference&) = delete;
};

struct ReferenceSymbol {
  std::uint64_t start = 0;
  std::uint64_t size = 0;
  std::string name;
};

// The defined function and object symbols of a module, as libdwfl hands them out.
std::vector<ReferenceSymbol> symbols_of(Dwfl_Module* module) {
  std::vector<ReferenceSymbol> out;
  const int count = dwfl_module_getsymtab(module);
  for (int i = 1; i < count; ++i) {
    GElf_Sym sym;
    GElf_Addr address = 0;
    GElf_Word shndx = 0;
    const char* name = dwfl_module_getsym_info(module, i, &sym, &address, &shndx, nullptr, nullptr);
    const int type = GELF_ST_TYPE(sym.st_info);
    if (name != nullptr && *name != '\0' && (type == STT_FUNC || type == STT_OBJECT) && sym.st_shndx != SHN_UNDEF &&
        sym.st_shndx < SHN_LORESERVE && shndx != static_cast<GElf_Word>(-1) && sym.st_value != 0)
      out.push_back({address, sym.st_size, name});
  }
  return out;
}

std::string show(const std::optional<Symbol>& symbol) {
  if (!symbol) return "nothing";
  return fmt::format("{}+{}{}", symbol->name, symbol->offset, symbol->is_function ? " (function)" : "");
}

// Compares the module's symbol_at with dwfl_module_addrinfo at every address of `addresses`.
// They must agree wherever addrinfo names a function or object symbol that covers the address
// (its size > offset, or size 0 at its start) or names nothing. Elsewhere addrinfo names what
// the table leaves out by design (dwarf/symbols.hpp): the closest size-0 symbol below an
// address nothing covers, a label (STT_NOTYPE) or another type of symbol. There the table must
// name nothing or a function or object symbol that covers the address.
void compare_with_addrinfo(const Module& module, Dwfl_Module* reference, const std::vector<std::uint64_t>& addresses,
                           std::size_t symbols) {
  std::multimap<std::uint64_t, ReferenceSymbol> by_start;
  for (ReferenceSymbol& symbol : symbols_of(reference)) by_start.emplace(symbol.start, symbol);
  std::size_t agreed = 0, left_out = 0, named_by_both = 0;
  std::vector<std::string> examples;
  for (std::uint64_t address : addresses) {
    GElf_Off offset = 0;
    GElf_Sym sym;
    const char* name = dwfl_module_addrinfo(reference, address, &offset, &sym, nullptr, nullptr, nullptr);
    const std::optional<Symbol> ours = module.symbol_at(address);
    const int type = name ? GELF_ST_TYPE(sym.st_info) : STT_NOTYPE;
    const bool covers = sym.st_size != 0 ? offset < sym.st_size : offset == 0;
    const bool comparable = name == nullptr || ((type == STT_FUNC || type == STT_OBJECT) && covers);
    INFO(fmt::format("{:#x}: addrinfo {}+{} (size {}, type {}), table {}", address, name ? name : "nothing", offset,
                     name ? sym.st_size : 0, type, show(ours)));
    if (comparable) {
      const std::optional<Symbol> expected =
          name ? std::optional<Symbol>(Symbol{name, offset, type == STT_FUNC}) : std::nullopt;
      CHECK(show(ours) == show(expected));
      agreed += show(ours) == show(expected);
      named_by_both += name != nullptr;
      continue;
    }
    ++left_out;
    if (examples.size() < 5)
      examples.push_back(fmt::format("{:#x}: addrinfo {}+{}, table {}", address, name, offset, show(ours)));
    if (!ours) continue;
    bool real = false;
    auto [first, last] = by_start.equal_range(address - ours->offset);
    for (auto it = first; it != last; ++it) {
      const ReferenceSymbol& symbol = it->second;
      real = real || (symbol.name == ours->name && (symbol.size > ours->offset || (symbol.size == 0 && ours->offset == 0)));
    }
    CHECK(real);
  }
  MESSAGE(fmt::format("{}: {} addresses, {} answered as addrinfo does ({} named), {} where addrinfo names what the "
                      "table leaves out{}{}",
                      module.path(), addresses.size(), agreed, named_by_both, left_out,
                      examples.empty() ? "" : ", e.g. ", fmt::join(examples, "; ")));
  CHECK(named_by_both >= symbols);  // at least the sampled symbols' starts
}

// Addresses to ask about in a module: for each function and object symbol of a sample, its
// start, its last byte, one past its end and a byte in the gap before it; and random addresses
// in the module. addrinfo searches the whole symbol table for each address: asking about every
// symbol of this program (27,000 at -O0) took 49 s a run. The sample is every `stride`-th
// symbol (at most 1,200) and the hand-made ones above.
struct Sample {
  std::vector<std::uint64_t> addresses;
  std::size_t symbols = 0;  // how many symbols' starts are among them
};

Sample sample_of(Dwfl_Module* module) {
  constexpr std::size_t max_symbols = 1200;
  std::vector<ReferenceSymbol> symbols = symbols_of(module);
  std::sort(symbols.begin(), symbols.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  const std::size_t stride = std::max<std::size_t>(1, symbols.size() / max_symbols);
  Sample out;
  std::uint64_t end = 0;
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    const ReferenceSymbol& s = symbols[i];
    if (i % stride == 0 || s.name.starts_with("symtest_")) {
      ++out.symbols;
      out.addresses.push_back(s.start);
      if (s.size > 1) out.addresses.push_back(s.start + s.size - 1);
      out.addresses.push_back(s.start + s.size);
      if (end != 0 && s.start > end + 1) out.addresses.push_back(end + (s.start - end) / 2);
    }
    end = std::max(end, s.start + s.size);
  }
  Dwarf_Addr low = 0, high = 0;
  dwfl_module_info(module, nullptr, &low, &high, nullptr, nullptr, nullptr, nullptr);
  std::mt19937_64 random(20261124);
  for (int i = 0; i < 500 && high > low; ++i) out.addresses.push_back(low + random() % (high - low));
  return out;
}

const Module& module_of(const void* address) {
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  const Module* module = registry.process().module_at(reinterpret_cast<std::uintptr_t>(address));
  REQUIRE(module != nullptr);
  return *module;
}

std::optional<Symbol> symbol_at(const void* address) {
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  return module_of(address).symbol_at(reinterpret_cast<std::uintptr_t>(address));
}

std::string address(const void* p) { return fmt::format("{}", p); }

}  // namespace

TEST_CASE("symbols: the table answers as dwfl_module_addrinfo does, in this program and in a library" *
          doctest::test_suite("debug info only")) {
  Reference reference;
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  const void* program = reinterpret_cast<const void*>(&zoo::handler);
  const void* library = reinterpret_cast<const void*>(&plugin::make_gadget);
  for (const void* anchor : {program, library}) {
    Dwfl_Module* module = dwfl_addrmodule(reference.dwfl, reinterpret_cast<Dwarf_Addr>(anchor));
    REQUIRE(module != nullptr);
    const Sample sample = sample_of(module);
    compare_with_addrinfo(module_of(anchor), module, sample.addresses, sample.symbols);
  }
}

TEST_CASE("symbols: nested, aliased and size-0 symbols") {
  const char* outer = symtest_outer;
  auto at = [&](int offset) { return show(symbol_at(outer + offset)); };
  CHECK(at(0) == "symtest_outer+0");
  CHECK(at(15) == "symtest_outer+15");
  CHECK(at(16) == "symtest_inner+0");  // the closer start
  CHECK(at(23) == "symtest_inner+7");
  CHECK(at(24) == "symtest_outer+24");  // past the inner one: the outer one again
  CHECK(at(32) == "symtest_outer+32");  // a global symbol over a local one
  CHECK(at(63) == "symtest_outer+63");
  CHECK(at(64) == "symtest_mark+0");  // a global of size 0 over a local sized one, at its start
  CHECK(at(65) == "symtest_after_mark+1");
  CHECK(at(72) == "symtest_short+0");  // of two at one address, the shorter
  CHECK(at(76) == "symtest_long+4");
  CHECK(at(88) == "symtest_strong+0");  // global over weak
  CHECK(at(96) == "symtest_label+0");
  CHECK(at(97) == "nothing");  // addrinfo: symtest_label+1
  CHECK(at(111) == "nothing");
}

TEST_CASE("symbols: pointers print with the names of the functions and objects they point at") {
  const symtest::Pointers pointers{&symtest::twice, &symtest::bump, &plugin::make_gadget, &symtest::table[0],
                                   &symtest::table[2], &symtest::counters[1], plugin::settings_entry().second, 3};
  CHECK(fmt::format("{}", reflect::reflect(pointers)) ==
        fmt::format("symtest::Pointers{{.twice_fn = {} <symtest::twice(int)>, "
                    ".bump_fn = {} <symtest::(anonymous namespace)::bump(int)>, "
                    ".gadget_fn = {} <plugin::make_gadget()>, "
                    ".table = {} <symtest::table>, .third = {} <symtest::table+8>, "
                    ".counter = {} <symtest::(anonymous namespace)::counters+4>, "
                    ".settings = {} <typeinfo for plugin::Settings>, .count = 3}}",
                    address(reinterpret_cast<const void*>(&symtest::twice)),
                    address(reinterpret_cast<const void*>(&symtest::bump)),
                    address(reinterpret_cast<const void*>(&plugin::make_gadget)), address(&symtest::table[0]),
                    address(&symtest::table[2]), address(&symtest::counters[1]),
                    address(plugin::settings_entry().second)));
  CHECK(symtest::twice(1) == 3);
  CHECK(symtest::bump(1) == 1);
}
