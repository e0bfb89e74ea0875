// reflect::Target::open_core (issue 12): core files of the target fixture (gcore of the running
// process, the kernel's core of it killed by SIGABRT, a stripped copy whose debug file lies
// elsewhere), of a program that aborted with coroutines suspended, and of one with no debug info
// at all, printed with the strings test_target.cpp expects of the live process; the errors a
// user meets; and damaged cores (truncated; program headers and notes that lie), which throw
// reflect::Error or print, never crash.

#include "dwarf/core.hpp"  // read_elf_facts: the build-ids the messages name
#include "fresh_process.hpp"
#include "json_support.hpp"
#include "skip_case.hpp"
#include "target/expected.hpp"
#include "target/programs.hpp"

#include "fixtures/census_expected.hpp"
#include "fixtures/coro_expected.hpp"
#include "fixtures/tasks_expected.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/census.hpp>
#include <reflect/reflect.hpp>
#include <reflect/tasks.hpp>

#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

using reflect_test::Output;
using reflect_test::run;
using reflect_test::Running;
using reflect_test::TempDir;
using reflect_test::build_id;
using reflect_test::strip_to_build_id_dir;

// Runs gdb or gcore with the size of the files it writes limited to 1 GiB: a core file that
// would be larger (of a process under AddressSanitizer, its shadow memory) fails the test
// instead of filling the disk.
Output run_limited(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"/bin/sh", "-c", "ulimit -f 1048576 && exec \"$0\" \"$@\""});
  return run(std::move(argv));
}

// A core file of the running process, written by gcore into `dir`.
std::string gcore(const Running& process, const TempDir& dir, const std::string& name = "core") {
  const Output out = run_limited({GCORE, "-o", dir / name, std::to_string(process.pid())});
  const std::string core = dir / fmt::format("{}.{}", name, process.pid());
  INFO(out.text());
  REQUIRE(out.status == 0);
  REQUIRE(fs::exists(core));
  return core;
}

// A core file of `program`, run under gdb to where it stops on a signal.
Output core_under_gdb(const std::string& program, const std::string& core) {
  const Output out = run_limited({GDB, "-nx", "-batch", "-iex", "set debuginfod enabled off", "-ex", "run", "-ex",
                          "gcore " + core, "--args", program});
  INFO(out.text());
  REQUIRE(fs::exists(core));
  return out;
}

std::vector<unsigned char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

// The fixture's globals, read from `target`, print as test_target.cpp expects of the live
// process: its heap (the strings, the vector, the map's nodes, the Circle) and its data from the
// core, the Circle's type_info name (read-only data the core leaves out) from the executable.
void check_fixture(const reflect::Target& target, const Running& fixture) {
  const auto config_type = target.find_type("app::Config");
  REQUIRE(config_type);
  const reflect::Value config = target.value_at(*config_type, fixture.address("g_config"));
  const auto s = config.as<reflect::Struct>();
  const auto shape = s.field("shape")->value().as<reflect::Pointer>();
  CHECK(fmt::format("{}", config) ==
        fmt::format("{}{:x}}}", reflect_test::config_up_to_base, reinterpret_cast<std::uintptr_t>(shape.target_address())));
  CHECK(s.field("weights")->value().as<reflect::Map>().find("beta")->as<int>() == 2);
  const reflect::Value base = s.field("base")->value().as<reflect::Pointer>().deref();
  CHECK(base.type().name() == "app::Circle");
  CHECK(fmt::format("{}", base) == "app::Circle{app::Shape{.id = 7}, .radius = 2.5}");
  const auto int_type = target.find_type("int");
  REQUIRE(int_type);
  CHECK(target.value_at(*int_type, fixture.address("g_counter")).as<int>() == 42);
}

// A core file's bytes and where its parts are.
struct CoreLayout {
  std::vector<unsigned char> bytes;
  Elf64_Ehdr ehdr{};
  std::vector<Elf64_Phdr> phdrs;
  struct Note {
    std::size_t at = 0;  // of its header in the file
    Elf64_Nhdr header{};
    std::size_t desc = 0;  // of its description
  };
  std::vector<Note> notes;

  explicit CoreLayout(std::vector<unsigned char> file) : bytes(std::move(file)) {
    REQUIRE(bytes.size() >= sizeof ehdr);
    std::memcpy(&ehdr, bytes.data(), sizeof ehdr);
    phdrs.resize(ehdr.e_phnum);
    REQUIRE(ehdr.e_phoff + phdrs.size() * sizeof(Elf64_Phdr) <= bytes.size());
    std::memcpy(phdrs.data(), bytes.data() + ehdr.e_phoff, phdrs.size() * sizeof(Elf64_Phdr));
    for (const Elf64_Phdr& p : phdrs) {
      if (p.p_type != PT_NOTE) continue;
      for (std::size_t at = p.p_offset; at + sizeof(Elf64_Nhdr) <= p.p_offset + p.p_filesz;) {
        Note note;
        note.at = at;
        std::memcpy(&note.header, bytes.data() + at, sizeof note.header);
        note.desc = at + sizeof(Elf64_Nhdr) + ((note.header.n_namesz + 3) & ~3u);
        notes.push_back(note);
        at = note.desc + ((note.header.n_descsz + 3) & ~3u);
      }
    }
  }
  const Note* note(std::uint32_t type) const {
    for (const Note& n : notes)
      if (n.header.n_type == type) return &n;
    return nullptr;
  }
  // The file offset of a run-time address the core holds.
  std::size_t offset_of(std::uint64_t address) const {
    for (const Elf64_Phdr& p : phdrs)
      if (p.p_type == PT_LOAD && address >= p.p_vaddr && address < p.p_vaddr + p.p_filesz)
        return p.p_offset + (address - p.p_vaddr);
    FAIL("the core does not hold the address");
    return 0;
  }
  // The same core with its notes before the memory, as the kernel writes them (gcore writes
  // them last): then truncating the memory keeps the notes.
  std::vector<unsigned char> notes_first() const {
    std::vector<unsigned char> out(bytes.begin(), bytes.begin() + ehdr.e_phoff + phdrs.size() * sizeof(Elf64_Phdr));
    std::vector<Elf64_Phdr> moved = phdrs;
    for (int pass = 0; pass < 2; ++pass)
      for (Elf64_Phdr& p : moved) {
        if ((p.p_type == PT_NOTE) != (pass == 0) || p.p_filesz == 0) continue;
        const std::size_t from = p.p_offset;
        while (out.size() % 8 != 0) out.push_back(0);
        p.p_offset = out.size();
        out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(from),
                   bytes.begin() + static_cast<std::ptrdiff_t>(from + p.p_filesz));
      }
    std::memcpy(out.data() + ehdr.e_phoff, moved.data(), moved.size() * sizeof(Elf64_Phdr));
    return out;
  }
};

template <class T> void put(std::vector<unsigned char>& bytes, std::size_t at, T value) {
  if (at + sizeof value <= bytes.size()) std::memcpy(bytes.data() + at, &value, sizeof value);
}

}  // namespace

TEST_CASE("core: a gcore of a running process prints as the process did") {
  TempDir dir;
  Running fixture({TARGET_FIXTURE});
  const std::string core = gcore(fixture, dir);
  fixture.exit();  // gone: what prints comes from the core and the files
  const reflect::Target target = reflect::Target::open_core(core);
  CHECK(target.pid() == fixture.pid());
  check_fixture(target, fixture);
  CHECK(target.problems().empty());

  const auto config_type = target.find_type("app::Config");
  REQUIRE(config_type);
  const std::string json = reflect::to_json(target.value_at(*config_type, fixture.address("g_config")));
  CHECK(reflect_test::json_at(json, "/weights") == reflect_test::canonical_json(R"({"alpha": 1, "beta": 2})"));
  CHECK(reflect_test::json_at(json, "/shape") == reflect_test::canonical_json(R"({"id": 7, "radius": 2.5})"));
  // Memory the process did not have is unreadable, as in a live one.
  const auto limits = target.find_type("app::Limits");
  REQUIRE(limits);
  CHECK(fmt::format("{}", target.value_at(*limits, 0x10)) == "<unreadable 0x10>");
  // A type of another target is refused, naming the core.
  CHECK_THROWS_WITH_AS(target.value_at(reflect::type_of<int>(), 0x10),
                       fmt::format("reflect: the type int belongs to another target than the core file {}: look it "
                                   "up with this target's find_type()",
                                   core)
                           .c_str(),
                       reflect::Error);
  // The executable given as the one at the path the core names: the same.
  check_fixture(reflect::Target::open_core(core, TARGET_FIXTURE), fixture);
}

TEST_CASE("core: the kernel's core file of a process killed by SIGABRT") {
  // The kernel writes the core where /proc/sys/kernel/core_pattern says: a name without a '/'
  // is a file in the process's working directory. A pattern that pipes cores to a program
  // (systemd-coredump, apport) or names another directory leaves nothing to read here.
  std::string pattern;
  std::getline(std::ifstream("/proc/sys/kernel/core_pattern"), pattern);
  if (pattern.empty() || pattern[0] == '|' || pattern.find('/') != std::string::npos)
    return reflect_test::skip_case("kernel-core", "/proc/sys/kernel/core_pattern is `" + pattern +
                                                      "`, not a file name in the working directory");
  TempDir dir;
  Running fixture({"/bin/sh", "-c", "cd \"$1\" && { ulimit -c 1048576 2>/dev/null; exec \"$2\"; }", "sh", dir.path(),
                   TARGET_FIXTURE});
  const int status = fixture.kill_with(SIGABRT);
  REQUIRE(WIFSIGNALED(status));
  std::string core;
  for (const auto& entry : fs::directory_iterator(dir.path()))
    if (entry.is_regular_file()) core = entry.path().string();
  if (!WCOREDUMP(status) || core.empty())
    return reflect_test::skip_case("kernel-core", "the kernel wrote no core file (RLIMIT_CORE's hard limit is 0?)");
  // The kernel writes only the first page of a file mapping the process did not change: the
  // rest (code, .rodata with the type_info names) is read from the files.
  const reflect::Target target = reflect::Target::open_core(core);
  CHECK(target.pid() == fixture.pid());
  check_fixture(target, fixture);
  CHECK(target.problems().empty());
}

TEST_CASE("core: what a truncated core lost is unreadable, never zeros") {
  TempDir dir;
  Running fixture({TARGET_FIXTURE});
  const CoreLayout layout(read_file(gcore(fixture, dir)));
  fixture.exit();
  std::vector<unsigned char> bytes = CoreLayout(layout.notes_first()).bytes;
  const CoreLayout reordered(bytes);
  // Cut in g_counter: its first byte is still there, the other three are not.
  bytes.resize(reordered.offset_of(fixture.address("g_counter")) + 1);
  const std::string core = dir / "truncated.core";
  write_file(core, bytes);
  const reflect::Target target = reflect::Target::open_core(core);
  const auto int_type = target.find_type("int");
  const auto char_type = target.find_type("char");
  REQUIRE(int_type);
  REQUIRE(char_type);
  const std::uint64_t counter = fixture.address("g_counter");
  CHECK(fmt::format("{}", target.value_at(*int_type, counter)) == fmt::format("<unreadable {:#x}>", counter));
  CHECK_THROWS_AS(target.value_at(*int_type, counter).as<int>(), reflect::UnreadableMemory);
  CHECK(target.value_at(*char_type, counter).as<char>() == 42);  // the byte before the cut
  // The heap comes after the executable's data in the file: all of it lost; g_config itself
  // where the compiler put it after g_counter.
  const auto config_type = target.find_type("app::Config");
  REQUIRE(config_type);
  const std::uint64_t config_address = fixture.address("g_config");
  const std::string config = fmt::format("{}", target.value_at(*config_type, config_address));
  if (config_address > counter) {
    CHECK(config == fmt::format("<unreadable {:#x}>", config_address));
  } else {
    CHECK(config.find(R"(.name = <unreadable 0x)") != std::string::npos);
    CHECK(config.find(R"(.limits = {.soft = 10, .hard = 20})") != std::string::npos);
  }
}

TEST_CASE("core: a stripped executable, moved since, whose debug file lies elsewhere") {
  if (!reflect_test::in_fresh_process()) return;
  TempDir dir;
  fs::create_directories(dir / "run");
  fs::create_directories(dir / "moved");
  const std::string program = dir / "run/prog";
  const std::string id = build_id(TARGET_FIXTURE);
  strip_to_build_id_dir(TARGET_FIXTURE, program, dir / "debug");
  const std::vector<unsigned char> stripped = read_file(program);
  const std::string debug_info = ".debug_info";
  REQUIRE(std::search(stripped.begin(), stripped.end(), debug_info.begin(), debug_info.end()) == stripped.end());
  CHECK(build_id(program) == id);
  reflect::Options options;
  options.debuginfo_path = dir / "debug";
  reflect::configure(options);

  Running fixture({program});
  const std::string core = gcore(fixture, dir);
  fixture.exit();
  const std::string moved = dir / "moved/prog";
  fs::rename(program, moved);
  CHECK_THROWS_WITH_AS(reflect::Target::open_core(core),
                       fmt::format("reflect: the core file {} was made by {} (build-id {}), which is not there: pass "
                                   "the executable that made it: Target::open_core(core, executable)",
                                   core, program, id)
                           .c_str(),
                       reflect::Error);
  const reflect::Target target = reflect::Target::open_core(core, moved);
  check_fixture(target, fixture);
  CHECK(target.problems().empty());
}

// The tool, as a user runs it on a crash: every global of expected.txt, from the core of a
// stripped copy whose debug file lies elsewhere (REFLECT_DEBUGINFO_PATH).
TEST_CASE("core: reflect print --core prints every global as expected.txt says") {
  TempDir dir;
  const std::string program = dir / "prog";
  strip_to_build_id_dir(TARGET_FIXTURE, program, dir / "debug");
  Running fixture({program});
  const std::string core = gcore(fixture, dir);
  fixture.exit();

  const auto expected = reflect_test::expected_globals();
  std::vector<std::string> args{REFLECT_TOOL, "print", "--core", core, "--exe", program};
  for (const auto& line : expected) args.push_back(line.expression);
  const Output printed = run(args, {"REFLECT_DEBUGINFO_PATH=" + dir / "debug"});
  CHECK(printed.err == "");
  CHECK(printed.exit_code() == 0);
  std::vector<std::string> lines;
  for (std::size_t begin = 0, end; (end = printed.out.find('\n', begin)) != std::string::npos; begin = end + 1)
    lines.push_back(printed.out.substr(begin, end - begin));
  REQUIRE(lines.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK(reflect_test::without_addresses(lines[i]) == expected[i].expression + " = " + expected[i].value);

  // Without the debug file: the error says that the executable has none (not that the
  // variable does not exist), where it was looked for, and what to do.
  const Output without = run({REFLECT_TOOL, "print", "--core", core, "--exe", program, "app::g_counter"});
  INFO(without.err);
  CHECK(without.exit_code() == 1);
  CHECK(without.out == "");
  CHECK(without.err.starts_with("reflect: the module " + program +
                                " has no DWARF debug info (looked in the file itself, by build-id under "
                                "/usr/lib/debug/.build-id,"));
  CHECK(without.err.find("REFLECT_DEBUGINFO_PATH") != std::string::npos);
}

TEST_CASE("core: the async backtrace of a program that aborted with coroutines suspended") {
  TempDir dir;
  const std::string core = dir / "coro.core";
  const Output out = core_under_gdb(CORO_CRASH, core);
  const auto at = out.text().find("frame 0x");
  REQUIRE_MESSAGE(at != std::string::npos, out.text());
  const std::uint64_t frame = std::strtoull(out.text().c_str() + at + 6, nullptr, 16);

  const reflect::Target target = reflect::Target::open_core(core, CORO_CRASH);
  CHECK(target.coroutine_at(frame).function() == "app::leaf(int)");
  const reflect::AsyncBacktrace trace = target.async_backtrace_at(frame);
  REQUIRE(trace.coroutines.size() == 3);
  CHECK(trace.stopped.empty());
  // The tool prints the same chain (whose text is checked below).
  const Output tool = run({REFLECT_TOOL, "async-backtrace", "--core", core, "--exe", CORO_CRASH,
                           fmt::format("{:#x}", frame)});
  CHECK(tool.err == "");
  CHECK(tool.exit_code() == 0);
  CHECK(tool.out == fmt::format("{}\n", trace));
  // The strings test_coro.cpp expects of the same chain in its own process.
  reflect_test::check_chain_backtrace(trace);
}

TEST_CASE("core: a shared object whose file is another build than the core's is named in problems()") {
  // The fixture runs with a copy of libm from a directory of ours, which is then replaced by
  // another file: the core's libm is nowhere.
  std::string libm;
  {
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);)
      if (line.ends_with("/libm.so.6")) libm = line.substr(line.find('/'));
  }
  REQUIRE_MESSAGE(!libm.empty(), "this process has no libm.so.6 mapped");
  TempDir dir;
  const std::string copy = dir / "libm.so.6";
  fs::copy_file(libm, copy);
  Running fixture({TARGET_FIXTURE}, {"LD_LIBRARY_PATH=" + dir.path()});
  const std::string core = gcore(fixture, dir);
  fixture.exit();
  fs::remove(copy);
  // Another build: a file with a dynamic section, as a shared object has (libdw 0.188 leaks
  // the handle of a file without one, where the dynamic linker's list names it).
  fs::copy_file(CORO_CRASH, copy);

  const reflect::Target target = reflect::Target::open_core(core);
  check_fixture(target, fixture);
  REQUIRE(target.problems().size() == 1);
  CHECK(target.problems()[0] ==
        fmt::format("the core's module {0} (build-id {1}) has no file: {0} is another build (build-id {2}); its code "
                    "and read-only data are unreadable, and its debug info unused",
                    copy, build_id(libm), build_id(CORO_CRASH)));
}

TEST_CASE("core: opening fails with a message that says what to do") {
  TempDir dir;
  CHECK_THROWS_WITH_AS(reflect::Target::open_core("/nonexistent/core"), "reflect: there is no core file /nonexistent/core",
                       reflect::Error);
  CHECK_THROWS_WITH_AS(reflect::Target::open_core(""), "reflect: no core file named: pass the path of a core file",
                       reflect::Error);
  CHECK_THROWS_WITH_AS(reflect::Target::open_core(dir.path()),
                       fmt::format("reflect: {} is a directory, not a core file", dir.path()).c_str(), reflect::Error);
  const std::string text = dir / "notes.txt";
  write_file(text, {'h', 'i', '\n'});
  CHECK_THROWS_WITH_AS(reflect::Target::open_core(text),
                       fmt::format("reflect: {} is not a core file (not an ELF file): pass a core dump, as gcore or "
                                   "the kernel (/proc/sys/kernel/core_pattern) writes them",
                                   text)
                           .c_str(),
                       reflect::Error);
  CHECK_THROWS_WITH_AS(reflect::Target::open_core(NODEBUG_CRASH),
                       fmt::format("reflect: {} is not a core file but an executable (ET_EXEC): pass the core file "
                                   "first, then the executable: Target::open_core(core, executable)",
                                   NODEBUG_CRASH)
                           .c_str(),
                       reflect::Error);

  Running fixture({TARGET_FIXTURE});
  const std::string core = gcore(fixture, dir);
  fixture.exit();
  // Only the ELF header: its program headers are past the end of the file.
  const std::string header_only = dir / "header-only.core";
  std::vector<unsigned char> bytes = read_file(core);
  bytes.resize(sizeof(Elf64_Ehdr));
  write_file(header_only, bytes);
  CHECK_THROWS_WITH_AS(reflect::Target::open_core(header_only),
                       doctest::Contains(fmt::format("reflect: the core file {} is damaged: its program headers cannot "
                                                     "be read (",
                                                     header_only)
                                             .c_str()),
                       reflect::Error);

  // Cut inside the fourth program header: libelf reads the first three, libdwfl gives up.
  const std::string cut_headers = dir / "cut-headers.core";
  bytes = read_file(core);
  bytes.resize(sizeof(Elf64_Ehdr) + 3 * sizeof(Elf64_Phdr) + 7);
  write_file(cut_headers, bytes);
  CHECK_THROWS_WITH_AS(reflect::Target::open_core(cut_headers),
                       doctest::Contains(fmt::format("reflect: cannot read the modules of the core file {}: ", cut_headers)
                                             .c_str()),
                       reflect::Error);

  CHECK_THROWS_WITH_AS(reflect::Target::open_core(core, "/nonexistent/prog"),
                       "reflect: there is no executable /nonexistent/prog", reflect::Error);
  CHECK_THROWS_WITH_AS(reflect::Target::open_core(core, core),
                       fmt::format("reflect: {} is a core file, not an executable: pass the core file first, then the "
                                   "executable: Target::open_core(core, executable)",
                                   core)
                           .c_str(),
                       reflect::Error);
  CHECK_THROWS_WITH_AS(reflect::Target::open_core(core, text),
                       fmt::format("reflect: {} is not an executable (not an ELF executable or shared object)", text).c_str(),
                       reflect::Error);
  CHECK_THROWS_WITH_AS(reflect::Target::open_core(core, CORO_CRASH),
                       fmt::format("reflect: the executable {} (build-id {}) is not the program the core file {} was "
                                   "made from: {} (build-id {}); pass the executable that made the core",
                                   CORO_CRASH, build_id(CORO_CRASH), core, TARGET_FIXTURE, build_id(TARGET_FIXTURE))
                           .c_str(),
                       reflect::Error);

  // No module with debug info: a static program without the C library, stripped.
  const std::string nodebug_core = dir / "nodebug.core";
  core_under_gdb(NODEBUG_CRASH, nodebug_core);
  CHECK_THROWS_WITH_AS(reflect::Target::open_core(nodebug_core),
                       fmt::format("reflect: no module of the core file {} has debug info (its executable {} has none "
                                   "in the file, by build-id under /usr/lib/debug/.build-id, nor through "
                                   ".gnu_debuglink): build the program with -g, or put its debug files where reflect "
                                   "looks (REFLECT_DEBUGINFO_PATH or reflect::Options::debuginfo_path: "
                                   "DIR/.build-id/xx/yyyy.debug)",
                                   nodebug_core, NODEBUG_CRASH)
                           .c_str(),
                       reflect::Error);
}

TEST_CASE("core: damaged cores throw reflect::Error or print, never crash") {
  // Debug files only in the modules themselves: a lookup that misses the executable (its
  // module lost to the damage) then does not read the C library's separate debug info (of
  // libc6-dbg, where installed) again for each of the hundreds of cores.
  if (!reflect_test::in_fresh_process()) return;
  TempDir dir;
  reflect::Options options;
  options.debuginfo_path = dir / "no-debug-files";
  reflect::configure(options);
  Running fixture({TARGET_FIXTURE});
  const CoreLayout gcore_layout(read_file(gcore(fixture, dir)));
  fixture.exit();
  // Both layouts: notes last (gcore) and first (the kernel), so that truncations cut the notes
  // in one and the memory in the other.
  const CoreLayout kernel_layout(gcore_layout.notes_first());
  const std::string path = dir / "damaged.core";
  const std::uint64_t config_address = fixture.address("g_config");
  std::size_t opened = 0, refused = 0, cases = 0;

  auto attempt = [&](const std::vector<unsigned char>& bytes, const std::string& what) {
    CAPTURE(what);
    ++cases;
    write_file(path, bytes);
    try {
      const reflect::Target target = reflect::Target::open_core(path);
      ++opened;
      if (const auto type = target.find_type("app::Config")) {
        const std::string printed = fmt::format("{}", target.value_at(*type, config_address));
        CHECK_FALSE(printed.empty());
        (void)reflect::to_json(target.value_at(*type, config_address));
      }
      (void)target.problems();
    } catch (const reflect::Error& e) {
      ++refused;
      CHECK(std::string_view(e.what()).starts_with("reflect: "));
    }
  };

  std::mt19937_64 random(12);  // fixed: the same damage every run, up to where the run's core differs
  for (const CoreLayout* layout : {&gcore_layout, &kernel_layout}) {
    const std::vector<unsigned char>& good = layout->bytes;
    const std::string name = layout == &gcore_layout ? "gcore layout" : "kernel layout";
    // Truncated: in the headers, at and inside each note, inside each segment, and anywhere.
    std::vector<std::size_t> cuts = {0, 4, 20, 63, 64, 64 + 56 * 3 + 7};
    for (const CoreLayout::Note& note : layout->notes) {
      cuts.push_back(note.at + 6);
      cuts.push_back(note.desc + (note.header.n_descsz / 2));
    }
    for (const Elf64_Phdr& p : layout->phdrs)
      if (p.p_filesz > 0) cuts.push_back(p.p_offset + p.p_filesz / 2);
    for (int i = 0; i < 6; ++i) cuts.push_back(random() % good.size());
    for (std::size_t cut : cuts) {
      if (cut >= good.size()) continue;
      attempt(std::vector<unsigned char>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut)),
              fmt::format("{}: truncated at {}", name, cut));
    }

    // Program headers that lie: every field of some, set to values that overflow, overlap or
    // point past the end of the file.
    const std::uint64_t lies[] = {0, 1, 0xfff, good.size(), good.size() - 1, 1ull << 40, ~0ull, ~0ull - 4095};
    for (int i = 0; i < 40; ++i) {
      std::vector<unsigned char> bytes = good;
      const std::size_t phdr = layout->ehdr.e_phoff + (random() % layout->phdrs.size()) * sizeof(Elf64_Phdr);
      const std::size_t field = 8 + 8 * (random() % 6);  // p_offset ... p_align
      put<std::uint64_t>(bytes, phdr + field, lies[random() % std::size(lies)]);
      if (random() % 3 == 0) put<std::uint32_t>(bytes, phdr, static_cast<std::uint32_t>(random() % 8));  // p_type
      attempt(bytes, fmt::format("{}: program header at {} field {}", name, phdr, field));
    }
    for (std::uint16_t phnum : {std::uint16_t(0), std::uint16_t(1), std::uint16_t(0xffff)}) {
      std::vector<unsigned char> bytes = good;
      put(bytes, offsetof(Elf64_Ehdr, e_phnum), phnum);
      attempt(bytes, fmt::format("{}: e_phnum {}", name, phnum));
    }

    // Notes that lie: sizes, and NT_FILE's count, page size, ranges and names.
    for (const CoreLayout::Note& note : layout->notes) {
      for (std::uint32_t size : {0u, 3u, 0x7fffffffu, 0xffffffffu}) {
        std::vector<unsigned char> bytes = good;
        put(bytes, note.at + (random() % 2 == 0 ? 0 : 4), size);
        attempt(bytes, fmt::format("{}: note type {:#x} size {}", name, note.header.n_type, size));
      }
    }
    if (const CoreLayout::Note* file = layout->note(0x46494c45)) {
      std::uint64_t real_count = 0;
      std::memcpy(&real_count, good.data() + file->desc, sizeof real_count);
      for (std::uint64_t lie : {std::uint64_t(0), real_count + 1, real_count * 100, std::uint64_t(1) << 60, ~std::uint64_t(0)}) {
        std::vector<unsigned char> bytes = good;
        put(bytes, file->desc, lie);
        attempt(bytes, fmt::format("{}: NT_FILE count {}", name, lie));
      }
      for (std::uint64_t page : {std::uint64_t(0), std::uint64_t(1), ~std::uint64_t(0)}) {
        std::vector<unsigned char> bytes = good;
        put(bytes, file->desc + 8, page);
        attempt(bytes, fmt::format("{}: NT_FILE page size {}", name, page));
      }
      for (int i = 0; i < 30; ++i) {
        std::vector<unsigned char> bytes = good;
        const std::size_t entry = file->desc + 16 + 24 * (random() % real_count) + 8 * (random() % 3);
        put<std::uint64_t>(bytes, entry, lies[random() % std::size(lies)] + (random() % 2) * config_address);
        attempt(bytes, fmt::format("{}: NT_FILE entry field at {}", name, entry));
      }
      {
        // Names without their terminating NULs, and a name that is not there.
        std::vector<unsigned char> bytes = good;
        const std::size_t names = file->desc + 16 + 24 * real_count;
        for (std::size_t i = names; i < file->desc + file->header.n_descsz; ++i)
          if (bytes[i] == 0) bytes[i] = 'x';
        attempt(bytes, fmt::format("{}: NT_FILE names unterminated", name));
        bytes = good;
        bytes[names + 1] = 'X';
        attempt(bytes, fmt::format("{}: NT_FILE names a file that is not there", name));
      }
    }
    // Anywhere in the notes: bytes flipped.
    for (int i = 0; i < 30; ++i) {
      std::vector<unsigned char> bytes = good;
      const CoreLayout::Note& note = layout->notes[random() % layout->notes.size()];
      const std::size_t end = std::min<std::size_t>(note.desc + note.header.n_descsz, good.size());
      for (int k = 0; k < 4; ++k) bytes[note.at + random() % (end - note.at)] ^= static_cast<unsigned char>(1 + random() % 255);
      attempt(bytes, fmt::format("{}: note type {:#x} bytes flipped", name, note.header.n_type));
    }
  }
  // The memory itself: the printer's checks (fuzzed in test_fuzz.cpp) see the core's garbage.
  for (int i = 0; i < 10; ++i) {
    std::vector<unsigned char> bytes = gcore_layout.bytes;
    const std::size_t config = gcore_layout.offset_of(config_address);
    for (int k = 0; k < 16; ++k) bytes[config + random() % 200] = static_cast<unsigned char>(random());
    attempt(bytes, "g_config's bytes scrambled");
  }
  MESSAGE(cases, " damaged cores: ", opened, " opened and printed, ", refused, " refused with reflect::Error");
  CHECK(opened > 0);
  CHECK(refused > 0);
}

// Issue 13 on a core: the task dump and the census read from the core are those of the live
// process it was taken from; the tool prints them.
TEST_CASE("core: the task dump and the census of a core are the live process's") {
  TempDir dir;
  Running fixture({TARGET_FIXTURE});
  REQUIRE(fixture.ask("tasks") == "started");
  REQUIRE(fixture.ask("census 25") == "made");
  std::string live_dump;
  {
    const reflect::Target live = reflect::Target::attach(fixture.pid());
    live_dump = fmt::format("{}", reflect::task_dump(live));
    CHECK(reflect_test::zoo_rows(reflect::census(live)) == reflect_test::expected_zoo_rows(25));
  }
  const std::string core = gcore(fixture, dir);
  fixture.exit();

  const reflect::Target target = reflect::Target::open_core(core, TARGET_FIXTURE);
  const reflect::TaskDump dump = reflect::task_dump(target);
  CHECK(fmt::format("{}", dump) == live_dump);
  CHECK(reflect_test::describe_tasks(dump) == reflect_test::expected_tasks());
  const reflect::Census census = reflect::census(target);
  CHECK(reflect_test::zoo_rows(census) == reflect_test::expected_zoo_rows(25));

  const Output tasks = run({REFLECT_TOOL, "tasks", "--core", core, "--exe", TARGET_FIXTURE});
  CHECK(tasks.err == "");
  CHECK(tasks.exit_code() == 0);
  CHECK(tasks.out == live_dump + "\n");
  const Output counted = run({REFLECT_TOOL, "census", "--core", core, "--exe", TARGET_FIXTURE, "--top", "2"});
  CHECK(counted.err == "");
  CHECK(counted.exit_code() == 0);
  fmt::memory_buffer expected;
  reflect::detail::format_census(expected, census, 2);
  CHECK(counted.out == fmt::to_string(expected) + "\n");
  const Output json = run({REFLECT_TOOL, "census", "--core", core, "--exe", TARGET_FIXTURE, "--json"});
  CHECK(json.exit_code() == 0);
  CHECK(reflect_test::canonical_json(json.out) == reflect_test::canonical_json(fmt::format("{:j}", census)));
}
