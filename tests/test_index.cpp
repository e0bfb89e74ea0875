// The name index's fast DIE scanner against libdw's walk, which stays the reference: on this
// test binary (the fixtures, the tests, the libstdc++ types they use) and the shared objects
// it loads, for this build's compiler and the cell's DWARF version, both must file exactly the
// same keys and DIE offsets. And corrupted input must stop the scanner, not crash it.

#include "fixtures/zoo.hpp"

#include "dwarf/process.hpp"
#include "dwarf/scanner.hpp"
#include "reflect/type_node.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

using reflect::dwarf::Module;

std::vector<const Module*> modules_with_debug_info() {
  auto& registry = reflect::detail::Registry::instance();
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

TEST_CASE("the name index's scanner files exactly what libdw's walk files") {
  auto modules = modules_with_debug_info();
  REQUIRE(!modules.empty());
  auto& registry = reflect::detail::Registry::instance();
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

TEST_CASE("the DIE scanner reads each unit's tree exactly as libdw's walk does") {
  auto modules = modules_with_debug_info();
  REQUIRE(!modules.empty());
  auto& registry = reflect::detail::Registry::instance();
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
  CHECK(reflect::find_type("zoo::Config").has_value());
  auto& registry = reflect::detail::Registry::instance();
  std::lock_guard lock(registry.mutex());
  const Module* module = registry.process().module_at(reinterpret_cast<std::uintptr_t>(&zoo::fixtures));
  REQUIRE(module != nullptr);
  auto stats = module->stats();
  CHECK(stats.name_index_built);
  CHECK(stats.units_indexed_by_scanner == stats.units);
  CHECK(stats.units_indexed_by_libdw == 0);
}

TEST_CASE("corrupted debug info stops the scanner cleanly") {
  auto& registry = reflect::detail::Registry::instance();
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
