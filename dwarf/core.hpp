#pragma once
// A core file's memory: the bytes the core holds (its PT_LOAD segments, as far as the file
// really extends), and the bytes it left out of file mappings (code, read-only data), read from
// the modules' files once their build-ids have been checked against the core's. Also the few
// facts of its notes that reading it needs: the pid, the entry point, the mapped files.
// read() and readable() are thread-safe; add_module_file() is called before the first read.

#include "maps.hpp"

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct Elf;

namespace reflect::dwarf {

/// What reading the memory of a module needs of its file: its build-id and its PT_LOAD
/// segments. Read with libelf from an open file; nullopt when it is not an ELF file.
struct ElfFacts {
  int type = 0;          // e_type: ET_EXEC, ET_DYN, ET_CORE, ...
  std::string build_id;  // lowercase hex; empty when the file has no build-id note
  struct Load {
    std::uint64_t vaddr = 0, filesz = 0, offset = 0;
  };
  std::vector<Load> loads;
};
std::optional<ElfFacts> read_elf_facts(int fd);

/// A build-id's bytes as lowercase hex, as ElfFacts::build_id and the messages spell it.
std::string build_id_text(const unsigned char* bytes, std::size_t size);

/// Opens `path` read-only as a regular file (never blocking on a FIFO); -1 with errno set when
/// it cannot (EINVAL: not a regular file).
int open_regular_file(const std::string& path);

class CoreFile {
 public:
  /// Opens the core file. Throws reflect::Error, saying what to do, when there is no such file,
  /// it cannot be read, it is not an ELF core file (ET_CORE) of this machine's kind, or its
  /// program headers cannot be read.
  explicit CoreFile(const std::string& path);
  ~CoreFile();
  CoreFile(const CoreFile&) = delete;
  CoreFile& operator=(const CoreFile&) = delete;

  const std::string& path() const noexcept { return path_; }
  /// The core opened with libelf, for libdwfl (dwfl_core_file_report); lives as long as this.
  Elf* elf() const noexcept { return elf_; }
  /// The pid of the first thread (NT_PRSTATUS), 0 when the core has none.
  pid_t pid() const noexcept { return pid_; }
  /// The program's entry point (AT_ENTRY of NT_AUXV): inside the executable's module.
  std::optional<std::uint64_t> entry() const noexcept { return entry_; }

  /// The file mapped at `address` by the core's NT_FILE note; nullptr when none is (or the
  /// core has no such note).
  const std::string* file_mapped_at(std::uint64_t address) const noexcept;

  /// The file of a module mapped at [low, high) with load bias `bias` (run-time address minus
  /// file address), as the source of the bytes of that range the core left out. The caller
  /// has checked that it is the file the core was made with (its build-id); `fd` is owned from
  /// here on.
  void add_module_file(std::uint64_t low, std::uint64_t high, std::uint64_t bias, int fd, const ElfFacts& facts);

  /// The memory the core recorded, as a process's map would list it: each PT_LOAD segment, its
  /// access from p_flags, its file (the NT_FILE note) when one was mapped there. In address order.
  std::vector<Mapping> mappings() const;

  /// Copies [address, address + size); false when not all of it can be read (`out` then holds
  /// unspecified bytes). Never faults, whatever the file holds.
  bool read(std::uint64_t address, void* out, std::size_t size) const noexcept;
  /// Whether read() of the range would succeed.
  bool readable(std::uint64_t address, std::size_t size) const noexcept;

 private:
  struct Segment {
    std::uint64_t vaddr = 0, memsz = 0, filesz = 0, offset = 0;
    std::uint64_t present = 0;  // of filesz, the bytes the file really holds (a truncated core)
    std::uint32_t flags = 0;    // p_flags
  };
  struct FileRange {
    std::uint64_t begin = 0, end = 0;
    std::string path;
  };
  struct ModuleFile {
    std::uint64_t low = 0, high = 0, bias = 0;
    int fd = -1;
    std::uint64_t size = 0;  // of the file
    std::vector<ElfFacts::Load> loads;
  };
  // Where the bytes at `address` come from, for at most `size` bytes: their count (0: they
  // cannot be read), and with `out`, copied there.
  std::size_t piece(std::uint64_t address, unsigned char* out, std::size_t size) const noexcept;
  std::size_t from_module_file(std::uint64_t address, unsigned char* out, std::size_t size) const noexcept;
  bool walk(std::uint64_t address, unsigned char* out, std::size_t size) const noexcept;
  void read_notes();

  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  Elf* elf_ = nullptr;
  pid_t pid_ = 0;
  std::optional<std::uint64_t> entry_;
  std::vector<Segment> segments_;     // by vaddr
  std::vector<FileRange> files_;      // by begin
  std::vector<ModuleFile> modules_;   // by low
};

}  // namespace reflect::dwarf
