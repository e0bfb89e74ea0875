#include "file.hpp"

#include "debuginfo.hpp"

#include <reflect/error.hpp>

#include <elfutils/libdwfl.h>

namespace reflect::dwarf {

namespace {
const Dwfl_Callbacks* offline_callbacks() {
  static const Dwfl_Callbacks instance = {
      dwfl_build_id_find_elf,
      dwfl_standard_find_debuginfo,
      dwfl_offline_section_address,
      debuginfo_path_slot(),  // as for the process (process.cpp)
  };
  return &instance;
}
}  // namespace

File::File(const std::string& path) : dwfl_(dwfl_begin(offline_callbacks())) {
  if (dwfl_ == nullptr) throw Error(std::string("reflect: cannot start libdwfl: ") + dwfl_errmsg(-1));
  Dwfl_Module* module = dwfl_report_offline(dwfl_, path.c_str(), path.c_str(), -1);
  dwfl_report_end(dwfl_, nullptr, nullptr);
  if (module == nullptr) {
    std::string message = "reflect: cannot read " + path + " as an ELF file: " + dwfl_errmsg(-1);
    dwfl_end(dwfl_);
    throw Error(message);
  }
  module_ = std::make_unique<Module>(module);
}

File::~File() {
  module_.reset();
  dwfl_end(dwfl_);
}

}  // namespace reflect::dwarf
