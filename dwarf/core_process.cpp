// The modules of a core file: reported by libdwfl from the core's notes and the dynamic
// linker's list in its memory, then each checked against the build-id the core recorded for it
// (read here from the module's ELF header and notes in the core's memory, not from the file
// libdwfl found), before the core's memory may read the bytes it left out from that file.
#include "core.hpp"
#include "debuginfo.hpp"
#include "process.hpp"

#include <reflect/error.hpp>

#include <elfutils/libdwfl.h>
#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace reflect::dwarf {

namespace {

const Dwfl_Callbacks* core_callbacks() {
  static const Dwfl_Callbacks instance = {
      // By build-id in the debug directories; failing that libdwfl opens the path the core
      // names (checking the build-id); the executable: the one passed to dwfl_core_file_report.
      dwfl_build_id_find_elf,
      dwfl_standard_find_debuginfo,  // as for a process (process.cpp)
      dwfl_offline_section_address,
      debuginfo_path_slot(),
  };
  return &instance;
}

std::string or_none(const std::string& build_id) { return build_id.empty() ? "none" : build_id; }

struct Listed {
  Dwfl_Module* module = nullptr;
  std::string name;  // the path the core names, where it names one
  Dwarf_Addr low = 0, high = 0;
  std::string build_id;               // as the core recorded it; empty when it holds none
  std::optional<std::uint64_t> bias;  // from the ELF header in the core's memory
};

// The build-id and load bias of the module whose ELF header the core holds at `low`: what the
// core recorded, whatever file libdwfl finds for the module.
void identify(const CoreFile& core, Listed& m) {
  ElfW(Ehdr) ehdr;
  if (!core.read(m.low, &ehdr, sizeof ehdr) || std::memcmp(ehdr.e_ident, ELFMAG, SELFMAG) != 0 ||
      ehdr.e_phentsize != sizeof(ElfW(Phdr)) || ehdr.e_phnum == 0 || ehdr.e_phnum > 256)
    return;
  std::vector<ElfW(Phdr)> phdrs(ehdr.e_phnum);
  std::uint64_t at = 0;
  if (__builtin_add_overflow(m.low, ehdr.e_phoff, &at) || !core.read(at, phdrs.data(), phdrs.size() * sizeof phdrs[0]))
    return;
  for (const ElfW(Phdr)& p : phdrs)
    if (p.p_type == PT_LOAD && p.p_offset == 0) {
      m.bias = m.low - p.p_vaddr;  // where file offset 0, the header, is mapped
      break;
    }
  if (!m.bias) return;
  for (const ElfW(Phdr)& p : phdrs) {
    if (p.p_type != PT_NOTE) continue;
    const std::size_t size = static_cast<std::size_t>(std::min<std::uint64_t>(p.p_filesz, 1 << 16));
    std::vector<unsigned char> notes(size);
    if (!core.read(*m.bias + p.p_vaddr, notes.data(), size)) continue;
    const std::uint64_t align = p.p_align == 8 ? 8 : 4;
    auto pad = [align](std::uint64_t n) { return (n + align - 1) & ~(align - 1); };
    for (std::uint64_t off = 0; off + 12 <= size;) {
      std::uint32_t header[3];
      std::memcpy(header, notes.data() + off, sizeof header);
      const std::uint64_t name = off + 12, desc = name + pad(header[0]), next = desc + pad(header[1]);
      if (desc > size || desc + header[1] > size) break;
      if (header[2] == NT_GNU_BUILD_ID && header[0] == 4 && std::memcmp(notes.data() + name, "GNU", 4) == 0 &&
          header[1] > 0) {
        m.build_id = build_id_text(notes.data() + desc, header[1]);
        return;
      }
      off = next;
    }
  }
}

// The ELF facts of the file at `path`, or why there are none.
struct Found {
  int fd = -1;
  std::optional<ElfFacts> facts;
  int error = 0;
};
Found examine(const std::string& path) {
  Found found;
  found.fd = open_regular_file(path);
  if (found.fd < 0) {
    found.error = errno;
    return found;
  }
  found.facts = read_elf_facts(found.fd);
  return found;
}

// What is at the path a module's name gives, in words: "is not there", "has build-id X", ...
std::string what_is_at(const std::string& path) {
  if (path.empty() || path[0] != '/') return "is not a file the core names";
  Found found = examine(path);
  if (found.fd < 0) return found.error == ENOENT ? "is not there" : std::string("cannot be opened (") + std::strerror(found.error) + ")";
  close(found.fd);
  if (!found.facts) return "is not an ELF file";
  return "is another build (build-id " + or_none(found.facts->build_id) + ")";
}

}  // namespace

Process::Process(std::shared_ptr<CoreFile> core, const std::string& executable)
    : fixed_(true), entry_(core->entry()), core_(std::move(core)), dwfl_(dwfl_begin(core_callbacks())) {
  if (dwfl_ == nullptr) throw Error(std::string("reflect: cannot start libdwfl: ") + dwfl_errmsg(-1));
  try {
    report_core(executable);
  } catch (...) {
    modules_.clear();
    dwfl_end(dwfl_);
    throw;
  }
}

void Process::report_core(const std::string& executable) {
  const std::string& core_path = core_->path();
  std::optional<ElfFacts> exe;
  if (!executable.empty()) {
    Found found = examine(executable);
    if (found.fd < 0) {
      if (found.error == ENOENT) throw Error("reflect: there is no executable " + executable);
      throw Error("reflect: cannot open the executable " + executable + ": " + std::strerror(found.error));
    }
    close(found.fd);
    if (found.facts && found.facts->type == ET_CORE)
      throw Error("reflect: " + executable + " is a core file, not an executable: pass the core file first, then the "
                  "executable: Target::open_core(core, executable)");
    if (!found.facts || (found.facts->type != ET_EXEC && found.facts->type != ET_DYN))
      throw Error("reflect: " + executable + " is not an executable (not an ELF executable or shared object)");
    exe = std::move(found.facts);
  }

  dwfl_report_begin(dwfl_);
  const int reported = dwfl_core_file_report(dwfl_, core_->elf(), executable.empty() ? nullptr : executable.c_str());
  if (reported < 0 || dwfl_report_end(dwfl_, nullptr, nullptr) != 0)
    throw Error("reflect: cannot read the modules of the core file " + core_path + ": " + dwfl_errmsg(-1) +
                " (is it damaged or truncated?)");

  // The build-ids the core recorded, before libdwfl opens any file (it forgets the recorded
  // one when it takes a file without checking it: the executable passed to it).
  std::vector<Listed> listed;
  dwfl_getmodules(
      dwfl_,
      [](Dwfl_Module* module, void**, const char* name, Dwarf_Addr, void* arg) {
        Listed m;
        m.module = module;
        dwfl_module_info(module, nullptr, &m.low, &m.high, nullptr, nullptr, nullptr, nullptr);
        m.name = name ? name : "";
        static_cast<std::vector<Listed>*>(arg)->push_back(std::move(m));
        return int(DWARF_CB_OK);
      },
      &listed, 0);
  Listed* main = nullptr;
  for (Listed& m : listed) {
    if (const std::string* file = core_->file_mapped_at(m.low)) m.name = *file;
    identify(*core_, m);
    if (core_->entry() && *core_->entry() >= m.low && *core_->entry() < m.high) main = &m;
  }
  if (listed.empty()) throw Error("reflect: the core file " + core_path + " names no module (is it damaged?)");

  if (exe && main != nullptr && !main->build_id.empty() && exe->build_id != main->build_id)
    throw Error("reflect: the executable " + executable + " (build-id " + or_none(exe->build_id) +
                ") is not the program the core file " + core_path + " was made from: " + main->name + " (build-id " +
                main->build_id + "); pass the executable that made the core");

  for (Listed& m : listed) {
    Dwarf_Addr ignored = 0;
    Elf* elf = dwfl_module_getelf(m.module, &ignored);
    const char* file = nullptr;
    dwfl_module_info(m.module, nullptr, nullptr, nullptr, nullptr, nullptr, &file, nullptr);
    const std::string described = m.name + " (build-id " + or_none(m.build_id) + ")";
    if (elf == nullptr) {
      if (&m == main)
        throw Error("reflect: the core file " + core_path + " was made by " + described + ", which " +
                    what_is_at(m.name) + ": pass the executable that made it: Target::open_core(core, executable)");
      problems_.push_back("the core's module " + described + " has no file: " + m.name + " " + what_is_at(m.name) +
                          "; its code and read-only data are unreadable, and its debug info unused");
      continue;
    }
    // libdwfl names no file for one it opened itself at the path the core names (NT_FILE).
    const std::string path = file != nullptr ? file : core_->file_mapped_at(m.low) != nullptr ? m.name : "";
    if (path.empty()) continue;  // an image in the core itself (the vDSO): nothing left out
    if (m.build_id.empty() || !m.bias) {
      problems_.push_back("the core holds no build-id for its module " + m.name + ", so its file " + path +
                          " cannot be checked: the module's code and read-only data are unreadable");
      continue;
    }
    Found found = examine(path);
    if (found.fd < 0 || !found.facts || found.facts->build_id != m.build_id) {
      if (found.fd >= 0) close(found.fd);
      const std::string theirs = found.facts ? "build-id " + or_none(found.facts->build_id) : "unreadable";
      if (&m == main)
        throw Error("reflect: the file " + path + " (" + theirs + ") is not the executable the core file " +
                    core_path + " was made from: " + described + "; pass the executable that made the core");
      problems_.push_back("the core's module " + described + " is not the file " + path + " (" + theirs +
                          "): the module's code and read-only data are unreadable");
      continue;
    }
    core_->add_module_file(m.low, m.high, *m.bias, found.fd, *found.facts);
  }

  // A core no module of which has debug info shows no type: say so now (the executable first:
  // the usual one with debug info, and the one whose lack matters).
  if (main != nullptr && wrap(main->module).has_debug_info()) return;
  for (const Listed& m : listed)
    if (wrap(m.module).has_debug_info()) return;
  const std::string program = main != nullptr ? "its executable " + main->name : "its executable";
  throw Error("reflect: no module of the core file " + core_path + " has debug info (" + program +
              " has none in the file, by build-id under /usr/lib/debug/.build-id, nor through .gnu_debuglink): build "
              "the program with -g, or put its debug files where reflect looks (REFLECT_DEBUGINFO_PATH or "
              "reflect::Options::debuginfo_path: DIR/.build-id/xx/yyyy.debug)");
}

}  // namespace reflect::dwarf
