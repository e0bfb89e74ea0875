#include "core.hpp"

#include <reflect/error.hpp>

#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

namespace reflect::dwarf {

namespace {

// The kind of core this build of reflect can read: its own machine's (values are read with the
// host's sizes and byte order).
#if defined(__x86_64__)
constexpr int kMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr int kMachine = EM_AARCH64;
#elif defined(__riscv)
constexpr int kMachine = EM_RISCV;
#else
constexpr int kMachine = EM_NONE;  // not checked
#endif
constexpr int kClass = sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32;
constexpr int kData = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;

constexpr std::uint32_t kNtFile = 0x46494c45;  // NT_FILE, which older <elf.h> lack

std::string kind_of(int type) {
  switch (type) {
    case ET_EXEC: return "an executable (ET_EXEC)";
    case ET_DYN: return "a shared object or position-independent executable (ET_DYN)";
    case ET_REL: return "an object file (ET_REL)";
    default: return "an ELF file of type " + std::to_string(type);
  }
}

// All of [offset, offset + size) of the file; false if it cannot be read whole.
bool pread_all(int fd, unsigned char* out, std::size_t size, std::uint64_t offset) noexcept {
  while (size > 0) {
    if (offset > static_cast<std::uint64_t>(INT64_MAX)) return false;
    const ssize_t n = pread(fd, out, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

template <class T> T load(const unsigned char* p) noexcept {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

}  // namespace

int open_regular_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO named by a (damaged) note must not wait for a writer.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return -1;
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const bool directory = S_ISDIR(st.st_mode);
    close(fd);
    errno = directory ? EISDIR : EINVAL;
    return -1;
  }
  return fd;
}

std::string build_id_text(const unsigned char* bytes, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

std::optional<ElfFacts> read_elf_facts(int fd) {
  elf_version(EV_CURRENT);
  // ELF_C_READ, not a mapping: a file truncated while it is read must not raise SIGBUS.
  Elf* elf = elf_begin(fd, ELF_C_READ, nullptr);
  if (elf == nullptr) return std::nullopt;
  std::optional<ElfFacts> facts;
  GElf_Ehdr ehdr;
  if (elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &ehdr) != nullptr) {
    facts.emplace();
    facts->type = ehdr.e_type;
    const void* id = nullptr;
    const ssize_t id_size = dwelf_elf_gnu_build_id(elf, &id);
    if (id_size > 0)
      facts->build_id = build_id_text(static_cast<const unsigned char*>(id), static_cast<std::size_t>(id_size));
    std::size_t count = 0;
    if (elf_getphdrnum(elf, &count) == 0)
      for (std::size_t i = 0; i < count; ++i) {
        GElf_Phdr phdr;
        if (gelf_getphdr(elf, static_cast<int>(i), &phdr) != nullptr && phdr.p_type == PT_LOAD)
          facts->loads.push_back({phdr.p_vaddr, phdr.p_filesz, phdr.p_offset});
      }
  }
  elf_end(elf);
  return facts;
}

CoreFile::CoreFile(const std::string& path) : path_(path) {
  if (path.empty()) throw Error("reflect: no core file named: pass the path of a core file");
  fd_ = open_regular_file(path);
  if (fd_ < 0) {
    const int error = errno;
    if (error == ENOENT) throw Error("reflect: there is no core file " + path);
    if (error == EISDIR) throw Error("reflect: " + path + " is a directory, not a core file");
    if (error == EINVAL) throw Error("reflect: " + path + " is not a regular file, so not a core file");
    if (error == EACCES || error == EPERM)
      throw Error("reflect: not allowed to read the core file " + path + " (" + std::strerror(error) +
                  "): run reflect as a user who may read it");
    throw Error("reflect: cannot open the core file " + path + ": " + std::strerror(error));
  }
  try {
    struct stat st {};
    if (fstat(fd_, &st) != 0) throw Error("reflect: cannot read the core file " + path + ": " + std::strerror(errno));
    size_ = static_cast<std::uint64_t>(st.st_size);
    elf_version(EV_CURRENT);
    elf_ = elf_begin(fd_, ELF_C_READ_MMAP, nullptr);
    GElf_Ehdr ehdr;
    if (elf_ == nullptr || elf_kind(elf_) != ELF_K_ELF || gelf_getehdr(elf_, &ehdr) == nullptr)
      throw Error("reflect: " + path + " is not a core file (not an ELF file): pass a core dump, as gcore or the kernel "
                  "(/proc/sys/kernel/core_pattern) writes them");
    if (ehdr.e_type != ET_CORE)
      throw Error("reflect: " + path + " is not a core file but " + kind_of(ehdr.e_type) +
                  ": pass the core file first, then the executable: Target::open_core(core, executable)");
    if (ehdr.e_ident[EI_CLASS] != kClass || ehdr.e_ident[EI_DATA] != kData ||
        (kMachine != EM_NONE && ehdr.e_machine != kMachine))
      throw Error("reflect: the core file " + path + " comes from another kind of machine (ELF machine " +
                  std::to_string(ehdr.e_machine) + ", class " + std::to_string(ehdr.e_ident[EI_CLASS]) +
                  "): read it with reflect built for that machine");
    std::size_t count = 0;
    if (elf_getphdrnum(elf_, &count) != 0)
      throw Error("reflect: the core file " + path + " is damaged: its program headers cannot be read (" +
                  elf_errmsg(-1) + ")");
    for (std::size_t i = 0; i < count; ++i) {
      GElf_Phdr phdr;
      if (gelf_getphdr(elf_, static_cast<int>(i), &phdr) == nullptr || phdr.p_type != PT_LOAD || phdr.p_memsz == 0)
        continue;
      Segment s{phdr.p_vaddr, phdr.p_memsz, std::min(phdr.p_filesz, phdr.p_memsz), phdr.p_offset, 0, phdr.p_flags};
      // What a truncated core still holds of the segment; the rest is unreadable, not zero.
      if (s.offset < size_) s.present = std::min(s.filesz, size_ - s.offset);
      segments_.push_back(s);
    }
    std::sort(segments_.begin(), segments_.end(), [](const Segment& a, const Segment& b) { return a.vaddr < b.vaddr; });
    read_notes();
  } catch (...) {
    if (elf_ != nullptr) elf_end(elf_);
    close(fd_);
    throw;
  }
}

CoreFile::~CoreFile() {
  for (const ModuleFile& m : modules_) close(m.fd);
  elf_end(elf_);
  close(fd_);
}

void CoreFile::read_notes() {
  std::size_t count = 0;
  if (elf_getphdrnum(elf_, &count) != 0) return;
  for (std::size_t i = 0; i < count; ++i) {
    GElf_Phdr phdr;
    if (gelf_getphdr(elf_, static_cast<int>(i), &phdr) == nullptr || phdr.p_type != PT_NOTE) continue;
    // libelf checks the chunk against the file's size: a truncated note segment is skipped.
    Elf_Data* data = elf_getdata_rawchunk(elf_, static_cast<int64_t>(phdr.p_offset), phdr.p_filesz,
                                          phdr.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
    if (data == nullptr) continue;
    const auto* bytes = static_cast<const unsigned char*>(data->d_buf);
    GElf_Nhdr note;
    std::size_t name_at = 0, desc_at = 0;
    // gelf_getnote checks every note's sizes against the data: a note that lies ends the walk.
    for (std::size_t at = 0; (at = gelf_getnote(data, at, &note, &name_at, &desc_at)) != 0;) {
      if (note.n_namesz != 5 || std::memcmp(bytes + name_at, "CORE", 5) != 0) continue;
      const unsigned char* desc = bytes + desc_at;
      const std::size_t size = note.n_descsz;
      if (note.n_type == NT_PRSTATUS && pid_ == 0) {
        if (size >= offsetof(elf_prstatus, pr_pid) + sizeof(pid_t)) pid_ = load<pid_t>(desc + offsetof(elf_prstatus, pr_pid));
      } else if (note.n_type == NT_AUXV) {
        for (std::size_t k = 0; k + 16 <= size; k += 16)
          if (load<std::uint64_t>(desc + k) == AT_ENTRY) entry_ = load<std::uint64_t>(desc + k + 8);
      } else if (note.n_type == kNtFile && files_.empty() && size >= 16) {
        // count, page size, count x (start, end, page offset), then count file names.
        const auto entries = load<std::uint64_t>(desc);
        if (entries > (size - 16) / 24) continue;  // a count the note cannot hold
        const char* name = reinterpret_cast<const char*>(desc) + 16 + entries * 24;
        const char* end = reinterpret_cast<const char*>(desc) + size;
        for (std::uint64_t k = 0; k < entries && name < end; ++k) {
          const void* nul = std::memchr(name, 0, static_cast<std::size_t>(end - name));
          if (nul == nullptr) break;
          const auto begin = load<std::uint64_t>(desc + 16 + k * 24);
          const auto stop = load<std::uint64_t>(desc + 16 + k * 24 + 8);
          if (begin < stop) files_.push_back({begin, stop, std::string(name)});
          name = static_cast<const char*>(nul) + 1;
        }
      }
    }
  }
  std::sort(files_.begin(), files_.end(), [](const FileRange& a, const FileRange& b) { return a.begin < b.begin; });
}

std::vector<Mapping> CoreFile::mappings() const {
  std::vector<Mapping> out;
  out.reserve(segments_.size());
  for (const Segment& s : segments_) {
    Mapping m;
    m.begin = s.vaddr;
    m.end = s.vaddr + s.memsz;
    m.readable = (s.flags & PF_R) != 0;
    m.writable = (s.flags & PF_W) != 0;
    m.executable = (s.flags & PF_X) != 0;
    if (const std::string* file = file_mapped_at(s.vaddr)) m.path = *file;
    out.push_back(std::move(m));
  }
  return out;
}

const std::string* CoreFile::file_mapped_at(std::uint64_t address) const noexcept {
  auto it = std::upper_bound(files_.begin(), files_.end(), address,
                             [](std::uint64_t a, const FileRange& r) { return a < r.begin; });
  if (it == files_.begin()) return nullptr;
  --it;
  return address < it->end ? &it->path : nullptr;
}

void CoreFile::add_module_file(std::uint64_t low, std::uint64_t high, std::uint64_t bias, int fd, const ElfFacts& facts) {
  struct stat st {};
  const std::uint64_t size = fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  ModuleFile m{low, high, bias, fd, size, facts.loads};
  auto at = std::upper_bound(modules_.begin(), modules_.end(), low,
                             [](std::uint64_t a, const ModuleFile& x) { return a < x.low; });
  modules_.insert(at, std::move(m));
}

std::size_t CoreFile::from_module_file(std::uint64_t address, unsigned char* out, std::size_t size) const noexcept {
  auto it = std::upper_bound(modules_.begin(), modules_.end(), address,
                             [](std::uint64_t a, const ModuleFile& m) { return a < m.low; });
  if (it == modules_.begin()) return 0;
  --it;
  if (address >= it->high) return 0;
  const std::uint64_t vaddr = address - it->bias;  // the address in the file's terms
  for (const ElfFacts::Load& load : it->loads) {
    if (vaddr < load.vaddr || vaddr - load.vaddr >= load.filesz) continue;  // past p_filesz: not the file's bytes
    const std::uint64_t into = vaddr - load.vaddr;
    std::uint64_t offset = 0;
    if (__builtin_add_overflow(load.offset, into, &offset) || offset >= it->size) return 0;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>({size, load.filesz - into, it->size - offset}));
    if (out != nullptr && !pread_all(it->fd, out, n, offset)) return 0;
    return n;
  }
  return 0;
}

std::size_t CoreFile::piece(std::uint64_t address, unsigned char* out, std::size_t size) const noexcept {
  auto next = std::upper_bound(segments_.begin(), segments_.end(), address,
                               [](std::uint64_t a, const Segment& s) { return a < s.vaddr; });
  if (next != segments_.begin()) {
    const Segment& s = *(next - 1);
    const std::uint64_t into = address - s.vaddr;
    if (into < s.memsz) {
      if (into < s.filesz) {
        if (into >= s.present) return 0;  // cut off with the file
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, s.present - into));
        if (out != nullptr && !pread_all(fd_, out, n, s.offset + into)) return 0;
        return n;
      }
      // Bytes the core left out. Of a file mapping (the kernel writes only the first page of
      // an unmodified one, for its ELF header): the module's file holds them. Of anonymous
      // memory: the kernel leaves out pages never touched, which are zeros.
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, s.memsz - into));
      const bool file_backed = files_.empty() ? from_module_file(address, nullptr, 1) != 0 : file_mapped_at(address) != nullptr;
      if (file_backed) return from_module_file(address, out, n);
      if (out != nullptr) std::memset(out, 0, n);
      return n;
    }
  }
  // In no segment: gcore leaves unmodified file mappings (code, read-only data) out altogether,
  // and names them only in NT_FILE.
  std::size_t n = size;
  if (next != segments_.end()) n = static_cast<std::size_t>(std::min<std::uint64_t>(n, next->vaddr - address));
  if (file_mapped_at(address) == nullptr) return 0;
  return from_module_file(address, out, n);
}

bool CoreFile::walk(std::uint64_t address, unsigned char* out, std::size_t size) const noexcept {
  while (size > 0) {
    const std::size_t n = piece(address, out, size);
    if (n == 0) return false;
    size -= n;
    if (out != nullptr) out += n;
    if (size > 0 && __builtin_add_overflow(address, n, &address)) return false;
  }
  return true;
}

bool CoreFile::read(std::uint64_t address, void* out, std::size_t size) const noexcept {
  return walk(address, static_cast<unsigned char*>(out), size);
}

bool CoreFile::readable(std::uint64_t address, std::size_t size) const noexcept { return walk(address, nullptr, size); }

}  // namespace reflect::dwarf
