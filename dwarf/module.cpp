// The module itself: its DWARF, loaded on first use, the libdw handles of its split DWARF
// files, and how much of it has been read (laziness is a promise tests check). What it does
// with its units, types and indexes is in the files beside this one (module_internals.hpp).
#include "module.hpp"

#include "module_internals.hpp"

#include <elfutils/libdwfl.h>

namespace reflect::dwarf {

Module::Module(Dwfl_Module* module) : module_(module), symbols_(module) {
  const char* file = nullptr;  // the ELF file libdwfl opened for it, once it has
  const char* name = dwfl_module_info(module, nullptr, nullptr, nullptr, nullptr, nullptr, &file, nullptr);
  // A core's modules are named as its link map names them, the executable by its base name:
  // the file that was read says more.
  if (name != nullptr && name[0] != '/' && file != nullptr) name = file;
  path_ = name ? name : "<unknown module>";
}

Module::~Module() = default;

Dwarf* Module::dwarf() const {
  if (!dwarf_loaded_) {
    dwarf_loaded_ = true;
    Dwarf_Addr bias = 0;
    dwarf_ = dwfl_module_getdwarf(module_, &bias);
    bias_ = bias;
  }
  return dwarf_;
}

bool Module::has_debug_info() const { return dwarf() != nullptr; }

bool Module::lacks_name_index() const { return name_index_ == nullptr && dwarf() != nullptr; }

Dwarf* Module::dwarf_of(std::uint32_t file) const {
  if (file == 0) return dwarf();
  return file <= split_files_.size() ? split_files_[file - 1] : nullptr;
}

std::uint32_t Module::file_of(Dwarf* dw) const {
  if (dw == dwarf_ || dw == nullptr) return 0;  // the common case first, without a lookup
  auto [it, added] = split_file_numbers_.try_emplace(dw, static_cast<std::uint32_t>(split_files_.size() + 1));
  if (added) split_files_.push_back(dw);  // met outside the unit table (libdw opened it itself)
  return it->second;
}

Module::Stats Module::stats() const {
  Stats stats;
  if (units_) {
    stats.units = units_->units.size();
    for (const Unit& unit : units_->units) {
      stats.units_scanned += unit.scanned ? 1 : 0;
      stats.split_units += unit.file != 0 ? 1 : 0;
      if (!unit.missing_dwo.empty()) stats.missing_dwo.push_back(unit.missing_dwo);
    }
  }
  stats.name_index_built = name_index_ != nullptr;
  if (name_index_) {
    stats.units_indexed_by_table = name_index_->units_by_table;
    stats.units_indexed_by_scanner = name_index_->units_by_scanner;
    stats.units_indexed_by_libdw = name_index_->units_by_libdw;
  }
  return stats;
}

}  // namespace reflect::dwarf
