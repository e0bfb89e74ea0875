// libdwarf-facts BINARY: prints what libdwarf reads of BINARY's structs and enums, one fact a
// line, names last (they may hold spaces):
//   struct <die offset> <byte size> <name>
//   member <bit position> <bit size> <name>
//   enum <die offset> <name>
//   enumerator <value> <name>
// A process of its own because libdwarf and libdw export the same symbol names
// (dwarf_offdie, dwarf_tag, ...): in one process, one would call into the other.

#include "libdwarf_facts.hpp"

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: libdwarf-facts BINARY\n");
    return 2;
  }
  try {
    crosscheck::Facts facts = crosscheck::read_facts(argv[1]);
    for (const auto& s : facts.structs) {
      std::printf("struct %llu %llu %s\n", static_cast<unsigned long long>(s.die_offset),
                  static_cast<unsigned long long>(s.byte_size), s.name.c_str());
      for (const auto& m : s.members)
        std::printf("member %llu %llu %s\n", static_cast<unsigned long long>(m.bit_position),
                    static_cast<unsigned long long>(m.bit_size), m.name.c_str());
    }
    for (const auto& e : facts.enums) {
      std::printf("enum %llu %s\n", static_cast<unsigned long long>(e.die_offset), e.name.c_str());
      for (const auto& [name, value] : e.enumerators) std::printf("enumerator %lld %s\n", static_cast<long long>(value), name.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "libdwarf-facts: %s\n", e.what());
    return 1;
  }
  return 0;
}
