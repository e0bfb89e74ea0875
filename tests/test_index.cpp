// The name index's fast DIE scanner against libdw's walk, which stays the reference: on this
// test binary (the fixtures, the tests, the libstdc++ types they use) and the shared objects
// it loads, for this build's compiler and the cell's DWARF version, both must file exactly the
// same keys and DIE offsets. And corrupted input must stop the scanner, not crash it.

#include "fixtures/zoo.hpp"
#include "fresh_process.hpp"

#include "dwarf/gdb_index.hpp"
#include "dwarf/name_table.hpp"
#include "dwarf/process.hpp"
#include "dwarf/scanner.hpp"
#include "reflect/type_node.hpp"

#include <doctest/doctest.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

using reflect::dwarf::Module;

std::vector<const Module*> modules_with_debug_info() {
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  registry.process().module_at(reinterpret_cast<std::uintptr_t>(&zoo::fixtures));
  std::vector<const Module*> out;
  for (const Module* module : registry.process().modules())
    if (module->has_debug_info()) out.push_back(module);
  return out;
}

std::string first_difference(const Module::IndexEntries& scanned, const Module::IndexEntries& reference) {
  const auto& a = scanned.entries;
  const auto& b = reference.entries;
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  auto show = [](const auto& entries, std::size_t at) {
    return at < entries.size() ? fmt::format("'{}' at DIE {:#x}", entries[at].first, entries[at].second)
                               : std::string("nothing");
  };
  return fmt::format("entry {}: scanner has {}, libdw has {} ({} vs {} entries)", i, show(a, i), show(b, i),
                     a.size(), b.size());
}

}  // namespace

TEST_CASE("the name index's scanner files exactly what libdw's walk files" * doctest::test_suite("debug info only")) {
  auto modules = modules_with_debug_info();
  REQUIRE(!modules.empty());
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  std::size_t compared = 0;
  for (const Module* module : modules) {
    INFO("module ", module->path());
    Module::IndexEntries reference = module->name_index_entries(Module::IndexMethod::Libdw);
    CHECK(reference.misfiled == 0);
    for (unsigned threads : {1u, 3u}) {
      Module::IndexEntries scanned = module->name_index_entries(Module::IndexMethod::Scanner, threads);
      INFO("threads: ", threads);
      CHECK_MESSAGE(scanned.entries == reference.entries, first_difference(scanned, reference));
      // Not a vacuous pass: the scanner read every unit itself.
      CHECK(scanned.units_by_libdw == 0);
      // Every entry is where a lookup of its key looks.
      CHECK(scanned.misfiled == 0);
      CHECK(scanned.units_by_scanner == reference.units_by_libdw);
    }
    compared += reference.entries.size();
  }
  // The test binary alone holds the fixtures and thousands of libstdc++ names.
  CHECK(compared > 1000);
}

TEST_CASE("the DIE scanner reads each unit's tree exactly as libdw's walk does" *
          doctest::test_suite("debug info only")) {
  auto modules = modules_with_debug_info();
  REQUIRE(!modules.empty());
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  std::size_t compared = 0;
  for (const Module* module : modules) {
    INFO("module ", module->path());
    Module::TreeComparison comparison = module->compare_unit_trees();
    CHECK(comparison.different == 0);
    CHECK(comparison.refused == 0);
    compared += comparison.same;
  }
  CHECK(compared > 10);
}

TEST_CASE("the name index finds types through the scanner") {
  // A name nothing defines: only the whole index can tell, so this builds it (if nothing has yet).
  CHECK_FALSE(reflect::find_type("zoo::NoSuchType").has_value());
  CHECK(reflect::find_type("zoo::Config").has_value());
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  const Module* module = registry.process().module_at(reinterpret_cast<std::uintptr_t>(&zoo::fixtures));
  REQUIRE(module != nullptr);
  auto stats = module->stats();
  CHECK(stats.name_index_built);
  CHECK(stats.units_indexed_by_scanner == stats.units);
  CHECK(stats.units_indexed_by_libdw == 0);
}

TEST_CASE("corrupted debug info stops the scanner cleanly" * doctest::test_suite("debug info only")) {
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  const Module* module = registry.process().module_at(reinterpret_cast<std::uintptr_t>(&zoo::fixtures));
  REQUIRE(module != nullptr);
  auto sections = reflect::dwarf::detail::debug_sections(module->dwarf());
  REQUIRE(sections.has_value());
  auto headers = reflect::dwarf::detail::unit_headers(module->dwarf());
  REQUIRE(!headers.empty());

  std::string info(sections->info), abbrev(sections->abbrev);
  reflect::dwarf::detail::DebugSections copy = *sections;
  copy.info = info;
  copy.abbrev = abbrev;
  reflect::dwarf::detail::UnitTypes found;
  std::size_t accepted = 0, refused = 0;
  for (const auto& header : headers) (reflect::dwarf::detail::scan_unit_types(copy, header, found) ? accepted : refused)++;
  CHECK(refused == 0);

  std::mt19937_64 random(20261123);
  for (int round = 0; round < 300; ++round) {
    info = sections->info;
    abbrev = sections->abbrev;
    copy.info = info;
    copy.abbrev = abbrev;
    const auto& header = headers[random() % headers.size()];
    auto unit = header;
    switch (round % 4) {
      case 0:  // bytes of the unit's DIEs
        for (int i = 0; i < 8; ++i)
          info[header.die_begin + random() % (header.end - header.die_begin)] = static_cast<char>(random());
        break;
      case 1:  // bytes of its abbreviations
        for (int i = 0; i < 4; ++i)
          abbrev[(header.abbrev_offset + random() % 512) % abbrev.size()] = static_cast<char>(random());
        break;
      case 2:  // a unit cut short
        unit.end = header.die_begin + random() % (header.end - header.die_begin);
        break;
      case 3:  // nonsense header facts
        unit.abbrev_offset = random() % (abbrev.size() + 64);
        unit.address_size = static_cast<std::uint8_t>(random() % 9);
        break;
    }
    // Whatever it returns, it returns: ASan and UBSan builds check that it reads nothing
    // outside the sections.
    (reflect::dwarf::detail::scan_unit_types(copy, unit, found) ? accepted : refused)++;
    reflect::dwarf::detail::UnitTree tree;
    (void)reflect::dwarf::detail::scan_unit_tree(copy, unit, tree);
  }
  CHECK(refused > 0);

  // .debug_aranges (GCC writes it; clang does not unless asked): the unit found for a
  // function's address is the unit that holds it, and corrupted sets stop the pass cleanly.
  // A GCC build without it would leave this part unchecked: that fails instead.
#if !defined(__clang__)
  REQUIRE_FALSE(sections->aranges.empty());
#endif
  if (!sections->aranges.empty()) {
    auto fixture_unit = reflect::dwarf::detail::arange_unit_at(
        sections->aranges, reinterpret_cast<std::uintptr_t>(&zoo::fixtures) - module->bias());
    REQUIRE(fixture_unit.has_value());
    auto holder = std::find_if(headers.begin(), headers.end(), [&](const auto& h) { return h.offset == *fixture_unit; });
    CHECK(holder != headers.end());
    CHECK_FALSE(reflect::dwarf::detail::arange_unit_at(sections->aranges, 0).has_value());
    std::string aranges(sections->aranges);
    for (int round = 0; round < 200; ++round) {
      aranges = sections->aranges;
      for (int i = 0; i < 4; ++i) aranges[random() % aranges.size()] = static_cast<char>(random());
      std::string_view cut = std::string_view(aranges).substr(0, random() % (aranges.size() + 1));
      (void)reflect::dwarf::detail::arange_unit_at(cut, random());
    }
  }
}

// .debug_names: tests/names is built by clang with -gpubnames in every build directory.
#ifndef NAMES_FIXTURE
#error "NAMES_FIXTURE must name the clang-built library with name tables"
#endif

namespace {

// A build of the fixture, dlopened once (never closed: other tests may hold its types): its
// module, and the names::Holder it makes.
struct NamesFixture {
  const Module* module = nullptr;
  const void* holder = nullptr;
};

NamesFixture load_names_fixture(const char* path) {
  void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  const char* error = handle == nullptr ? dlerror() : nullptr;
  REQUIRE_MESSAGE(handle != nullptr, std::string(error != nullptr ? error : ""));
  auto anchor = reinterpret_cast<const void* (*)()>(dlsym(handle, "names_fixture_anchor"));
  REQUIRE(reinterpret_cast<void*>(anchor) != nullptr);
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  NamesFixture out{registry.process().module_at(reinterpret_cast<std::uintptr_t>(anchor)), anchor()};
  REQUIRE(out.module != nullptr);
  return out;
}

// The cell's build: loaded before the type-unit build, so that lookups find its types first.
const NamesFixture& names_fixture() {
  static const NamesFixture fixture = load_names_fixture(NAMES_FIXTURE);
  return fixture;
}

}  // namespace

namespace {

// The declaration of names::<name> in names.cpp's unit (the first unit that has one).
reflect::dwarf::DieId declaration_of(const Module& module, std::string_view wanted) {
  reflect::dwarf::DieId found;
  Dwarf_CU* cu = nullptr;
  Dwarf_Die unit_die;
  while (!found && dwarf_get_units(module.dwarf(), cu, &cu, nullptr, nullptr, &unit_die, nullptr) == 0) {
    std::vector<Dwarf_Die> pending{unit_die};
    while (!found && !pending.empty()) {
      Dwarf_Die die = pending.back(), child;
      pending.pop_back();
      if (dwarf_child(&die, &child) != 0) continue;
      do {
        const char* name = dwarf_diename(&child);
        if (dwarf_tag(&child) == DW_TAG_namespace) pending.push_back(child);
        bool is_declaration = false;
        if (Dwarf_Attribute attr; dwarf_attr(&child, DW_AT_declaration, &attr) != nullptr)
          dwarf_formflag(&attr, &is_declaration);
        if (dwarf_tag(&child) == DW_TAG_structure_type && name != nullptr && name == wanted &&
            is_declaration)
          found = {&module, dwarf_dieoffset(&child), false, 0};
      } while (!found && dwarf_siblingof(&child, &child) == 0);
    }
  }
  return found;
}

}  // namespace

// In a process of its own: nothing has read the fixture's units yet.
TEST_CASE("a declaration is completed through the name tables' hash tables, not the whole index") {
  if (!reflect_test::in_fresh_process()) return;
  const Module& module = *names_fixture().module;
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  REQUIRE_FALSE(module.stats().name_index_built);
  // Defined only in names_other.cpp.
  reflect::dwarf::DieId declaration = declaration_of(module, "Elsewhere");
  REQUIRE(declaration);
  reflect::dwarf::TypeRecord record = module.read_type(declaration);
  REQUIRE(record.is_declaration);
  auto definition = module.find_definition(record);
  REQUIRE(definition.has_value());
  CHECK(module.read_type(*definition).name == "Elsewhere");
  CHECK_FALSE(module.read_type(*definition).is_declaration);
  CHECK(module.index_key(module.read_type(*definition)) == "names::Elsewhere");
  auto stats = module.stats();
  CHECK_FALSE(stats.name_index_built);
  // Of its three units: the declaration's (for its scope) and the definition's (to confirm
  // where it is); not the unit in between, whose table lists names::third::Elsewhere.
  CHECK(stats.units == 3);
  CHECK(stats.units_scanned == 2);
}

TEST_CASE("name tables of .debug_names file exactly what libdw's walk files" * doctest::test_suite("debug info only")) {
  const Module& module = *names_fixture().module;
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  Module::IndexEntries reference = module.name_index_entries(Module::IndexMethod::Libdw);
  REQUIRE(reference.units_by_libdw == 3);
  for (unsigned threads : {1u, 3u}) {
    INFO("threads: ", threads);
    Module::IndexEntries tabled = module.name_index_entries(Module::IndexMethod::Tables, threads);
    CHECK_MESSAGE(tabled.entries == reference.entries, first_difference(tabled, reference));
    CHECK(tabled.misfiled == 0);
    // names_other.cpp's and names_third.cpp's types all come from their tables. names.cpp's
    // table lists a type it cannot place (Polymorphic::Nested, inside a class declaration): the
    // scanner reads that unit.
    CHECK(tabled.units_by_table == 2);
    CHECK(tabled.units_by_scanner == 1);
    CHECK(tabled.units_by_libdw == 0);
  }
}

TEST_CASE("a module with name tables finds its types through them") {
  if (!reflect_test::in_fresh_process()) return;
  const Module& module = *names_fixture().module;
  for (const char* name : {"names::Point::Inner", "names::deep::deeper::Box<int>::Lid", "names::deep::deeper::Either",
                           "names::Elsewhere", "(anonymous namespace)::Hidden::InHidden"}) {
    INFO(name);
    auto type = reflect::find_type(name);
    REQUIRE(type.has_value());
    CHECK(type->name() == name);
  }
  {
    // Each found through the tables' hash tables, confirmed from its unit's tree.
    auto& registry = reflect::detail::Registry::self();
    std::lock_guard lock(registry.mutex());
    CHECK_FALSE(module.stats().name_index_built);
  }
  // A type local to a function is no top-level name, whichever way the unit was read (the
  // tables list them: the confirmation turns them down, and the index is built to be sure).
  CHECK_FALSE(reflect::find_type("Local").has_value());
  CHECK_FALSE(reflect::find_type("InLambda").has_value());
  // Nor is a type inside an unnamed class.
  CHECK(reflect::find_type("UnnamedHolder").has_value());
  CHECK_FALSE(reflect::find_type("InUnnamed").has_value());

  // The holder prints through the index: Elsewhere is only a declaration in the holder's
  // unit, its definition comes from the other unit's table.
  auto holder_type = reflect::find_type("names::Holder");
  REQUIRE(holder_type.has_value());
  reflect::Value holder = reflect::Value::at(*holder_type, names_fixture().holder);
  std::string printed = fmt::format("{}", holder);
  INFO(printed);
  CHECK(printed.starts_with("names::Holder{.point = {.x = 1, .inner = {.y = 2}, .color = names::Point::Color::green}, "
                            ".box = {.value = 0}, .lid = {.weight = 0}, .either = {.i = 0, .f = 0}, .alias = 5, "
                            ".real = 6.5, .hidden = {.secret = 4, .in = {.c = 'h'}}, "));
  CHECK(printed.ends_with(".owned = {.x = 1, .inner = {.y = 2}, .color = names::Point::Color::green}, "
                          ".maybe = std::nullopt, .elsewhere = " + fmt::format("{}", holder.as<reflect::Struct>().field("elsewhere")->value()) +
                          ", .nested = {.n = 3}, .unnamed = {.plain = 7, .in = {.z = 8}}}"));
  auto elsewhere = holder.as<reflect::Struct>().field("elsewhere")->value().as<reflect::Pointer>().deref();
  CHECK(fmt::format("{}", elsewhere) == "names::Elsewhere{.label = \"elsewhere\", .nested = {.n = 3}}");

  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  auto stats = module.stats();
  CHECK(stats.name_index_built);
  CHECK(stats.units_indexed_by_table == 2);
  CHECK(stats.units_indexed_by_scanner == 1);
}

TEST_CASE("corrupted name tables are refused cleanly" * doctest::test_suite("debug info only")) {
  const Module& module = *names_fixture().module;
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  auto sections = reflect::dwarf::detail::debug_sections(module.dwarf());
  REQUIRE(sections.has_value());
  auto tables = reflect::dwarf::detail::name_tables(sections->names);
  REQUIRE(tables.size() == 3);  // one per unit: ld concatenates clang's
  reflect::dwarf::detail::TableTypes found;
  std::size_t inner_found = 0;
  for (std::string_view table : tables) {
    CHECK(reflect::dwarf::detail::read_name_table(table, sections->str, found));
    CHECK(found.units.size() == 1);
    std::vector<reflect::dwarf::detail::TableEntry> listed;
    CHECK(reflect::dwarf::detail::find_in_name_table(table, sections->str, "Inner", {"names", "Point"}, listed));
    for (const auto& entry : listed) inner_found += entry.placed_as_asked ? 1 : 0;
  }
  CHECK(inner_found >= 1);  // names::Point::Inner, in names.cpp's table

  std::mt19937_64 random(20261123);
  std::size_t refused = 0;
  for (int round = 0; round < 300; ++round) {
    std::string table(tables[random() % tables.size()]);
    switch (round % 3) {
      case 0:  // anywhere
        for (int i = 0; i < 4; ++i) table[random() % table.size()] = static_cast<char>(random());
        break;
      case 1:  // the header and lists
        for (int i = 0; i < 2; ++i) table[random() % std::min<std::size_t>(64, table.size())] = static_cast<char>(random());
        break;
      case 2:  // cut short
        table.resize(random() % table.size());
        break;
    }
    // Whatever it returns, it returns: ASan and UBSan builds check that it reads nothing
    // outside the table and the strings.
    if (!reflect::dwarf::detail::read_name_table(table, sections->str, found)) ++refused;
    (void)reflect::dwarf::detail::name_tables(table);
    std::vector<reflect::dwarf::detail::TableEntry> listed;
    for (std::string_view name : {"Inner", "Elsewhere", "Hidden"})
      (void)reflect::dwarf::detail::find_in_name_table(table, sections->str, name, {"names", "Point"}, listed);
  }
  CHECK(refused > 0);
}

// Also a regression test. Bug 6 (fixed): the module list was re-read from /proc/self/maps,
// where libelf's private mappings of the files whose debug info had been read count as parts of
// their modules: the executable's range stretched over every object mapped after it, and an
// address in this second fixture (dlopened after a refresh) was looked up in the executable.
// Now the objects come from dl_iterate_phdr, their ranges from their program headers.
TEST_CASE("name tables listing type units file exactly what libdw's walk files" *
          doctest::test_suite("debug info only")) {
  names_fixture();
  const Module& module = *load_names_fixture(NAMES_FIXTURE_TYPE_UNITS).module;
  CHECK(module.path().ends_with("libnames-O0-type-units.so"));
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  Module::IndexEntries reference = module.name_index_entries(Module::IndexMethod::Libdw);
  Module::IndexEntries tabled = module.name_index_entries(Module::IndexMethod::Tables);
  CHECK_MESSAGE(tabled.entries == reference.entries, first_difference(tabled, reference));
  CHECK(tabled.misfiled == 0);
  // Most type units come from the tables.
  INFO("module ", module.path(), " units: ", reference.units_by_libdw, " tabled ", tabled.units_by_table, " scanned ", tabled.units_by_scanner);
  CHECK(reference.units_by_libdw > 10);
  CHECK(tabled.units_by_table > reference.units_by_libdw / 2);
  CHECK(tabled.units_by_table + tabled.units_by_scanner + tabled.units_by_libdw == reference.units_by_libdw);
}

// An object the dynamic linker names by a relative path (dlopen("./lib.so")) is found by its
// mapping: the module list must not depend on the directory the program is in later.
TEST_CASE("a library dlopened by a relative path is a module with its debug info") {
  names_fixture();
  std::string path = NAMES_FIXTURE_OTHER;
  std::string directory = path.substr(0, path.rfind('/'));
  std::string file = "./" + path.substr(path.rfind('/') + 1);
  char previous[4096];
  REQUIRE(getcwd(previous, sizeof previous) != nullptr);
  REQUIRE(chdir(directory.c_str()) == 0);
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  const char* error = handle == nullptr ? dlerror() : nullptr;
  REQUIRE(chdir(previous) == 0);
  REQUIRE_MESSAGE(handle != nullptr, std::string(error != nullptr ? error : ""));
  auto anchor = reinterpret_cast<const void* (*)()>(dlsym(handle, "names_fixture_anchor"));
  REQUIRE(reinterpret_cast<void*>(anchor) != nullptr);
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  const Module* module = registry.process().module_at(reinterpret_cast<std::uintptr_t>(anchor));
  REQUIRE(module != nullptr);
  CHECK(module->path() == path);
  CHECK(module->has_debug_info());
  CHECK(module->find_type("names::Holder").has_value());
}

// Without name tables, a class with a vtable is looked for in the units that hold its member
// functions, found by their mangled names in the symbol table: GCC and clang describe it in
// full only where its vtable is emitted (names_other.cpp, which defines ~Polymorphic), as a
// declaration elsewhere (names.cpp, where Holder has a Polymorphic::Nested).
TEST_CASE("without name tables, a class's definition is found through its member functions' symbols") {
  if (!reflect_test::in_fresh_process()) return;
  names_fixture();
  const Module& module = *load_names_fixture(NAMES_FIXTURE_NO_TABLES).module;
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  REQUIRE(reflect::dwarf::detail::debug_sections(module.dwarf())->names.empty());
  reflect::dwarf::DieId declaration = declaration_of(module, "Polymorphic");
  REQUIRE(declaration);
  reflect::dwarf::TypeRecord record = module.read_type(declaration);
  REQUIRE(record.is_declaration);
  auto definition = module.find_definition(record);
  REQUIRE(definition.has_value());
  reflect::dwarf::TypeRecord found = module.read_type(*definition);
  CHECK_FALSE(found.is_declaration);
  CHECK(module.index_key(found) == "names::Polymorphic");
  CHECK(found.members.size() == 2);  // the vtable pointer and `nested`
  CHECK_FALSE(module.stats().name_index_built);
  // So is a class whose only functions are implicit ones a unit emitted (Elsewhere's
  // constructor and destructor); a union with none is found by the index.
  CHECK(module.find_type("names::Elsewhere").has_value());
  CHECK_FALSE(module.stats().name_index_built);
  CHECK(module.find_type("names::deep::deeper::Either").has_value());
  CHECK(module.stats().name_index_built);
}

// .gdb_index: the O0 fixture built without name tables, indexed by gdb-add-index.
#ifndef NAMES_FIXTURE_GDB_INDEX
#error "NAMES_FIXTURE_GDB_INDEX must name the fixture indexed by gdb-add-index"
#endif

namespace {

const NamesFixture& gdb_index_fixture() {
  names_fixture();  // loaded after the cell's build, as the type-unit build is
  static const NamesFixture fixture = load_names_fixture(NAMES_FIXTURE_GDB_INDEX);
  return fixture;
}

}  // namespace

// In a process of its own: nothing has read the fixture's units yet.
TEST_CASE("a module with a gdb index finds its types through it, not the whole index") {
  if (!reflect_test::in_fresh_process()) return;
  const Module& module = *gdb_index_fixture().module;
  CHECK(module.path().ends_with("libnames-O0-gdb-index.so"));
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  auto sections = reflect::dwarf::detail::debug_sections(module.dwarf());
  REQUIRE(sections.has_value());
  REQUIRE_FALSE(sections->gdb_index.empty());
  CHECK(sections->names.empty());
  REQUIRE_FALSE(module.stats().name_index_built);

  // A declaration completed from the one unit gdb lists for the name.
  reflect::dwarf::DieId declaration = declaration_of(module, "Elsewhere");
  REQUIRE(declaration);
  reflect::dwarf::TypeRecord record = module.read_type(declaration);
  REQUIRE(record.is_declaration);
  auto definition = module.find_definition(record);
  REQUIRE(definition.has_value());
  CHECK_FALSE(module.read_type(*definition).is_declaration);
  CHECK(module.index_key(module.read_type(*definition)) == "names::Elsewhere");

  for (const char* name : {"names::Point::Inner", "names::deep::deeper::Either", "(anonymous namespace)::Hidden"}) {
    INFO(name);
    auto found = module.find_type(name);
    REQUIRE(found.has_value());
    CHECK(module.index_key(module.read_type(*found)) == name);
  }
  auto stats = module.stats();
  CHECK_FALSE(stats.name_index_built);
  // Trees read for scopes (the declaration's, the definitions'), never all three units for
  // an index. names_third.cpp's unit defines none of these types.
  CHECK(stats.units == 3);
  CHECK(stats.units_scanned <= 2);

  // What gdb's index does not lead to a class goes to the whole index: a typedef (this path
  // only takes classes and enums), a name nobody defines.
  CHECK(module.find_type("names::Point::Alias").has_value());
  CHECK_FALSE(module.find_type("no::such::Type").has_value());
  CHECK(module.stats().name_index_built);
}

TEST_CASE("the gdb index lists the units of a type's definitions" * doctest::test_suite("debug info only")) {
  const Module& module = *gdb_index_fixture().module;
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  auto sections = reflect::dwarf::detail::debug_sections(module.dwarf());
  REQUIRE(sections.has_value());
  auto headers = reflect::dwarf::detail::unit_headers(module.dwarf());
  REQUIRE(headers.size() == 3);
  auto is_header = [&](std::uint64_t offset) {
    return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return h.offset == offset; });
  };
  for (const char* name : {"names::Elsewhere", "names::Point::Inner", "names::deep::deeper::Either"}) {
    INFO(name);
    std::vector<std::uint64_t> units;
    REQUIRE(reflect::dwarf::detail::find_in_gdb_index(sections->gdb_index, name, units));
    REQUIRE_FALSE(units.empty());
    for (std::uint64_t unit : units) CHECK(is_header(unit));
  }
  // Elsewhere is defined in names_other.cpp's unit only (the others declare it).
  std::vector<std::uint64_t> units;
  REQUIRE(reflect::dwarf::detail::find_in_gdb_index(sections->gdb_index, "names::Elsewhere", units));
  CHECK(units.size() == 1);
  units.clear();
  CHECK(reflect::dwarf::detail::find_in_gdb_index(sections->gdb_index, "no::such::Type", units));
  CHECK(units.empty());
  // Spelled exactly: the hash folds case, the comparison does not.
  CHECK(reflect::dwarf::detail::find_in_gdb_index(sections->gdb_index, "NAMES::ELSEWHERE", units));
  CHECK(units.empty());
}

TEST_CASE("a corrupted gdb index is refused cleanly" * doctest::test_suite("debug info only")) {
  const Module& module = *gdb_index_fixture().module;
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  auto sections = reflect::dwarf::detail::debug_sections(module.dwarf());
  REQUIRE(sections.has_value());
  const std::string original(sections->gdb_index);
  REQUIRE(original.size() > 64);
  // Symbol and constant pool offsets of the header: corruption there hits the hash table.
  std::uint32_t symbol_table = 0;
  std::memcpy(&symbol_table, original.data() + 16, 4);
  REQUIRE(symbol_table < original.size());

  std::mt19937_64 random(20261124);
  std::size_t refused = 0;
  std::vector<std::uint64_t> units;
  for (int round = 0; round < 300; ++round) {
    std::string index = original;
    switch (round % 4) {
      case 0:  // anywhere
        for (int i = 0; i < 8; ++i) index[random() % index.size()] = static_cast<char>(random());
        break;
      case 1:  // the header
        for (int i = 0; i < 2; ++i) index[random() % 24] = static_cast<char>(random());
        break;
      case 2:  // the symbol table and constant pool
        for (int i = 0; i < 16; ++i)
          index[symbol_table + random() % (index.size() - symbol_table)] = static_cast<char>(random());
        break;
      case 3:  // cut short
        index.resize(random() % index.size());
        break;
    }
    // Whatever it returns, it returns: ASan and UBSan builds check that it reads nothing
    // outside the section.
    for (const char* name : {"names::Elsewhere", "names::Point::Inner", "no::such::Type"}) {
      units.clear();
      if (!reflect::dwarf::detail::find_in_gdb_index(index, name, units)) ++refused;
    }
  }
  CHECK(refused > 0);
  // Versions other than 7 and 8 are refused.
  std::string other = original;
  other[0] = 9;
  CHECK_FALSE(reflect::dwarf::detail::find_in_gdb_index(other, "names::Elsewhere", units));
}
