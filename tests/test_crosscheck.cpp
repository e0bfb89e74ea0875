// Our DWARF reader against an independent one: libdwarf walks this very test binary (in its own
// process, tests/crosscheck/libdwarf_facts_main.cpp), and for every struct, class, union and
// enum definition it finds, reflect must report the same size, member names and offsets
// (bitfields to the bit), and enumerators.

#include "crosscheck/libdwarf_facts.hpp"
#include "fixtures/zoo.hpp"

#include "dwarf/process.hpp"
#include "reflect/type_node.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include <climits>
#include <cstdio>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

crosscheck::Facts libdwarf_facts(const std::string& binary) {
  std::string command = fmt::format("'{}' '{}'", LIBDWARF_FACTS, binary);
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  crosscheck::Facts facts;
  char line[8192];
  while (std::fgets(line, sizeof line, pipe)) {
    std::istringstream in(line);
    std::string kind;
    in >> kind;
    auto rest = [&] {
      std::string name;
      std::getline(in >> std::ws, name);
      return name;
    };
    if (kind == "struct") {
      crosscheck::StructFact s;
      in >> s.die_offset >> s.byte_size;
      s.name = rest();
      facts.structs.push_back(std::move(s));
    } else if (kind == "member") {
      crosscheck::MemberFact m;
      in >> m.bit_position >> m.bit_size;
      m.name = rest();
      REQUIRE(!facts.structs.empty());
      facts.structs.back().members.push_back(std::move(m));
    } else if (kind == "enum") {
      crosscheck::EnumFact e;
      in >> e.die_offset;
      e.name = rest();
      facts.enums.push_back(std::move(e));
    } else if (kind == "enumerator") {
      std::int64_t value = 0;
      in >> value;
      REQUIRE(!facts.enums.empty());
      facts.enums.back().enumerators.emplace_back(rest(), value);
    }
  }
  REQUIRE_MESSAGE(pclose(pipe) == 0, "libdwarf-facts failed on ", binary);
  return facts;
}

std::string self_path() {
  char buffer[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  REQUIRE(n > 0);
  return std::string(buffer, static_cast<std::size_t>(n));
}

const reflect::dwarf::Module& main_module() {
  auto& registry = reflect::detail::Registry::self();
  std::lock_guard lock(registry.mutex());
  const auto* module = registry.process().module_at(reinterpret_cast<std::uintptr_t>(&zoo::fixtures));
  REQUIRE(module != nullptr);
  return *module;
}

reflect::Type type_at(const reflect::dwarf::Module& module, std::uint64_t offset) {
  return reflect::Type(reflect::detail::Registry::self().node_for({&module, offset, false}));
}

}  // namespace

TEST_CASE("every struct, class and union in this binary matches libdwarf's reading" *
          doctest::test_suite("debug info only")) {
  crosscheck::Facts facts = libdwarf_facts(self_path());
  const auto& module = main_module();
  REQUIRE(facts.structs.size() > 100);  // the fixtures and the standard library: not a vacuous pass

  std::string mismatches;
  std::size_t members_checked = 0;
  for (const auto& expected : facts.structs) {
    reflect::Type type = type_at(module, expected.die_offset);
    std::string where = fmt::format("struct '{}' at DIE {:#x}", expected.name, expected.die_offset);
    if (type.size() != expected.byte_size)
      mismatches += fmt::format("{}: size {} != {}\n", where, type.size(), expected.byte_size);
    auto members = type.members();
    if (members.size() != expected.members.size()) {
      mismatches += fmt::format("{}: {} members != {}\n", where, members.size(), expected.members.size());
      continue;
    }
    for (std::size_t i = 0; i < members.size(); ++i) {
      const auto& m = members[i];
      const auto& e = expected.members[i];
      std::uint64_t bit_position = m.offset * 8 + m.bit_offset;
      if (m.name != e.name || bit_position != e.bit_position || m.bit_size != e.bit_size)
        mismatches += fmt::format("{}: member {} '{}' @bit {} size {} != '{}' @bit {} size {}\n", where, i, m.name,
                                  bit_position, m.bit_size, e.name, e.bit_position, e.bit_size);
      ++members_checked;
    }
  }
  INFO("checked ", facts.structs.size(), " structs and ", members_checked, " members");
  CHECK_MESSAGE(mismatches.empty(), mismatches.substr(0, 4000));
}

TEST_CASE("every enum in this binary matches libdwarf's reading" * doctest::test_suite("debug info only")) {
  crosscheck::Facts facts = libdwarf_facts(self_path());
  const auto& module = main_module();
  REQUIRE(facts.enums.size() > 10);

  std::string mismatches;
  for (const auto& expected : facts.enums) {
    reflect::Type type = type_at(module, expected.die_offset);
    auto enumerators = type.enumerators();
    std::string where = fmt::format("enum '{}' at DIE {:#x}", expected.name, expected.die_offset);
    if (enumerators.size() != expected.enumerators.size()) {
      mismatches += fmt::format("{}: {} enumerators != {}\n", where, enumerators.size(), expected.enumerators.size());
      continue;
    }
    for (std::size_t i = 0; i < enumerators.size(); ++i)
      if (enumerators[i].name != expected.enumerators[i].first || enumerators[i].value != expected.enumerators[i].second)
        mismatches += fmt::format("{}: {}={} != {}={}\n", where, enumerators[i].name, enumerators[i].value,
                                  expected.enumerators[i].first, expected.enumerators[i].second);
  }
  CHECK_MESSAGE(mismatches.empty(), mismatches.substr(0, 4000));
}
