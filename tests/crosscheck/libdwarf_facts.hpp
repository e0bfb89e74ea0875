// Independent second DWARF reader, built on libdwarf (20210528 API) only.
// Used by the cross-check test to validate the libdw-based reader; it must
// never include or link anything from libdw/elfutils.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace crosscheck {

struct MemberFact {
  std::string name;            // "" for an anonymous struct/union member
  std::uint64_t bit_position;  // data_member_location*8 (+ bit offset for bitfields,
                               // DWARF5 convention: bits from the start of the object,
                               // LSB-based as in DW_AT_data_bit_offset)
  std::uint64_t bit_size;      // 0 unless bitfield
};

struct StructFact {            // DW_TAG_structure_type / class_type / union_type DEFINITIONS only
                               // (skip DW_AT_declaration), those having DW_AT_byte_size
  std::uint64_t die_offset;    // section-global offset of the DIE in .debug_info
                               // (what libdw's dwarf_dieoffset returns)
  std::string name;            // DW_AT_name, "" if none
  std::uint64_t byte_size;
  std::vector<MemberFact> members;  // non-static data members (DW_TAG_member that are not
                                    // DW_AT_external/DW_AT_declaration), in DIE order
};

struct EnumFact {
  std::uint64_t die_offset;
  std::string name;
  std::vector<std::pair<std::string, std::int64_t>> enumerators;  // in DIE order; unsigned values
                                                                  // reinterpret the bits as int64
};

struct Facts {
  std::vector<StructFact> structs;
  std::vector<EnumFact> enums;
};

// Reads every compilation unit of the ELF file at `path`. Throws std::runtime_error with a
// clear message on failure.
Facts read_facts(const std::string& path);

}  // namespace crosscheck
