// reflect::Target::attach: another live process (tests/target/fixture.cpp, started here) read
// through the same API as this one, printed with exact strings; and the errors a user meets.

#include "fresh_process.hpp"
#include "json_support.hpp"
#include "target/expected.hpp"
#include "target/programs.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using reflect_test::Output;
using reflect_test::run;
using reflect_test::Running;
using reflect_test::TempDir;

// The fixture program, running: its globals' addresses as it wrote them; it exits when this
// object closes its stdin.
struct Fixture : Running {
  Fixture() : Running({TARGET_FIXTURE}) {}
};

reflect::Value global(const reflect::Target& target, const Fixture& fixture, const char* type, const char* name) {
  const auto found = target.find_type(type);
  REQUIRE(found);
  return target.value_at(*found, fixture.address(name));
}

std::string process_state(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("State:")) return line;
  return {};
}

}  // namespace

TEST_CASE("target: another process prints as this one would, from its own memory and debug info") {
  Fixture fixture;
  const reflect::Target target = reflect::Target::attach(fixture.pid());
  CHECK(target.pid() == fixture.pid());
  const reflect::Value config = global(target, fixture, "app::Config", "g_config");
  CHECK(config.type().name() == "app::Config");
  // `base` points at the Circle that `shape` owns.
  const auto shape = config.as<reflect::Struct>().field("shape")->value().as<reflect::Pointer>();
  CHECK(fmt::format("{}", config) == fmt::format("{}{:x}}}", reflect_test::config_up_to_base, reinterpret_cast<std::uintptr_t>(shape.target_address())));
  CHECK(fmt::format("{}", global(target, fixture, "int", "g_counter")) == "42");
  CHECK(global(target, fixture, "int", "g_counter").as<int>() == 42);

  // Walked: members by name, the map by key, the dynamic type behind a base pointer.
  const auto s = config.as<reflect::Struct>();
  CHECK(s.field("limits")->value().as<reflect::Struct>().field("hard")->value().as<int>() == 20);
  CHECK(s.field("weights")->value().as<reflect::Map>().find("beta")->as<int>() == 2);
  const reflect::Value base = s.field("base")->value().as<reflect::Pointer>().deref();
  CHECK(base.type().name() == "app::Circle");
  CHECK(fmt::format("{}", base) == "app::Circle{app::Shape{.id = 7}, .radius = 2.5}");
  CHECK(s.field("name")->value().as<reflect::String>().text() == "a name too long for the small-string buffer");

  const std::string json = reflect::to_json(config);
  CHECK(reflect_test::json_at(json, "/ports") == "[80,443]");
  CHECK(reflect_test::json_at(json, "/weights") == reflect_test::canonical_json(R"({"alpha": 1, "beta": 2})"));
  CHECK(reflect_test::json_at(json, "/shape") == reflect_test::canonical_json(R"({"id": 7, "radius": 2.5})"));

  // Types are the target's: this process's own are refused, with a message.
  CHECK_THROWS_WITH_AS(target.value_at(reflect::type_of<int>(), fixture.address("g_counter")),
                       fmt::format("reflect: the type int belongs to another target than process {}: look it up "
                                   "with this target's find_type()",
                                   fixture.pid())
                           .c_str(),
                       reflect::Error);
  // What is not mapped there is unreadable, as here.
  const auto limits = target.find_type("app::Limits");
  REQUIRE(limits);
  CHECK(fmt::format("{}", target.value_at(*limits, 0x10)) == "<unreadable 0x10>");
}

TEST_CASE("target: another process's globals, found by name, print as expected.txt says") {
  Fixture fixture;
  const reflect::Target target = reflect::Target::attach(fixture.pid());
  std::size_t checked = 0;
  for (const reflect_test::ExpectedLine& line : reflect_test::expected_globals()) {
    if (!line.is_plain_name) continue;
    INFO(line.expression);
    const auto value = target.find_variable(line.expression);
    REQUIRE(value.has_value());
    CHECK(reflect_test::without_addresses(fmt::format("{}", reflect::formatted(*value, {.show_type = false}))) ==
          line.value);
    ++checked;
  }
  CHECK(checked == 9);
  const auto counter = target.find_variable("app::g_counter");
  REQUIRE(counter.has_value());
  CHECK(reinterpret_cast<std::uintptr_t>(counter->address()) == fixture.address("g_counter"));
  CHECK_FALSE(target.find_variable("app::no_such_global").has_value());
}

TEST_CASE("target: a library the process loads after the attach is found by name") {
  Fixture fixture;
  const reflect::Target target = reflect::Target::attach(fixture.pid());
  // Read the debug info of what is loaded now, and miss what is not.
  CHECK(target.find_variable("app::g_counter")->as<int>() == 42);
  CHECK_FALSE(target.find_variable("late::g_settings").has_value());
  CHECK_FALSE(target.find_type("late::Settings").has_value());

  REQUIRE(fixture.ask(std::string("dlopen ") + LATE_PLUGIN) == "loaded");
  const auto settings = target.find_variable("late::g_settings");
  REQUIRE(settings.has_value());
  CHECK(fmt::format("{}", *settings) == R"(late::Settings{.level = 5, .name = "loaded late"})");
  CHECK(target.find_type("late::Settings")->size() == settings->type().size());
  // What was known before stays as it was.
  CHECK(target.find_variable("app::g_counter")->as<int>() == 42);
}

// Another process's separate debug files are found as this process's are: by build-id in the
// debug directories, and by the name its .gnu_debuglink gives.
TEST_CASE("target: a stripped program's debug info, found by build-id or .gnu_debuglink") {
  if (!reflect_test::in_fresh_process()) return;  // (configure() applies to the whole process)
  TempDir dir;
  // The test's directory first, then the default places (next to the file, .debug/, /usr/lib/debug).
  const std::string path = dir / "debug" + "::.debug:/usr/lib/debug";
  reflect::Options options;
  options.debuginfo_path = path;
  reflect::configure(options);

  // Neither: the error names the executable, and where it looked.
  const std::string bare = dir / "bare";
  REQUIRE(run({OBJCOPY, "--strip-debug", TARGET_FIXTURE, bare}).status == 0);
  {
    Running fixture({bare});
    const reflect::Target target = reflect::Target::attach(fixture.pid());
    CHECK_THROWS_WITH_AS(target.find_variable("app::g_counter"),
                         doctest::Contains(fmt::format("reflect: the module {} has no DWARF debug info (looked in the "
                                                       "file itself, and by build-id and .gnu_debuglink along the "
                                                       "debuginfo path `{}`, which REFLECT_DEBUGINFO_PATH",
                                                       bare, path)
                                               .c_str()),
                         reflect::Error);
  }
  // .gnu_debuglink: the debug file next to the copy (the build-id directory is still empty).
  const std::string linked = dir / "linked";
  REQUIRE(run({OBJCOPY, "--only-keep-debug", TARGET_FIXTURE, dir / "linked.debug"}).status == 0);
  REQUIRE(run({OBJCOPY, "--strip-debug", "--add-gnu-debuglink=" + dir / "linked.debug", TARGET_FIXTURE, linked}).status == 0);
  {
    Running fixture({linked});
    const reflect::Target target = reflect::Target::attach(fixture.pid());
    CHECK(target.find_variable("app::g_counter")->as<int>() == 42);
  }
  // By build-id, in the directory the options add.
  const std::string by_id = dir / "by-id";
  reflect_test::strip_to_build_id_dir(TARGET_FIXTURE, by_id, dir / "debug");
  {
    Running fixture({by_id});
    const reflect::Target target = reflect::Target::attach(fixture.pid());
    CHECK(target.find_variable("app::g_counter")->as<int>() == 42);
    CHECK(target.find_variable("app::g_config")->type().name() == "app::Config");
  }
}

TEST_CASE("target: a process stopped for a snapshot resumes when the target is released") {
  Fixture fixture;
  {
    const reflect::Target target = reflect::Target::attach(fixture.pid(), {.stop = true});
    CHECK(process_state(fixture.pid()).find("t (tracing stop)") != std::string::npos);
    CHECK(global(target, fixture, "int", "g_counter").as<int>() == 42);
  }
  CHECK(process_state(fixture.pid()).find("t (tracing stop)") == std::string::npos);

  // Attached on one thread, released on another: the process resumes all the same.
  std::optional<reflect::Target> moved;
  std::thread([&] { moved.emplace(reflect::Target::attach(fixture.pid(), {.stop = true})); }).join();
  CHECK(process_state(fixture.pid()).find("t (tracing stop)") != std::string::npos);
  CHECK(global(*moved, fixture, "int", "g_counter").as<int>() == 42);
  moved.reset();
  CHECK(process_state(fixture.pid()).find("t (tracing stop)") == std::string::npos);
  CHECK(fixture.ask("dlopen /nonexistent.so").find("/nonexistent.so") != std::string::npos);  // it runs
}

TEST_CASE("target: a process that exits while it is read prints as unreadable") {
  Fixture fixture;
  const reflect::Target target = reflect::Target::attach(fixture.pid());
  const reflect::Value counter = global(target, fixture, "int", "g_counter");
  const auto config_type = target.find_type("app::Config");
  REQUIRE(config_type);
  fixture.exit();
  CHECK(fmt::format("{}", counter) == fmt::format("<unreadable {:#x}>", fixture.address("g_counter")));
  CHECK_THROWS_AS(counter.as<int>(), reflect::UnreadableMemory);
}

TEST_CASE("target: attaching fails with a message that says why") {
  CHECK_THROWS_WITH_AS(reflect::Target::attach(INT_MAX), "reflect: there is no process 2147483647", reflect::Error);
  CHECK_THROWS_WITH_AS(reflect::Target::attach(0), "reflect: 0 is not a process id", reflect::Error);
  CHECK_THROWS_WITH_AS(reflect::Target::attach(-5), "reflect: -5 is not a process id", reflect::Error);
  // pid 1 belongs to root (or, in a container, to whoever started it): when it is not ours,
  // the message names the cause.
  if (geteuid() != 0) {
    try {
      reflect::Target::attach(1);
    } catch (const reflect::Error& e) {
      const std::string what = e.what();
      CAPTURE(what);
      CHECK((what.find("belongs to another user") != std::string::npos || what.find("ptrace_scope") != std::string::npos));
    }
  }
}

TEST_CASE("target: self is this process") {
  const reflect::Target& self = reflect::Target::self();
  CHECK(self.pid() == getpid());
  const auto type = self.find_type("int");
  REQUIRE(type);
  const int local = 5;
  CHECK(fmt::format("{}", self.value_at(*type, reinterpret_cast<std::uintptr_t>(&local))) == "5");
}

namespace {

// The `reflect` tool run with `args`.
Output run_tool(std::vector<std::string> args) {
  args.insert(args.begin(), REFLECT_TOOL);
  return run(args);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  for (std::size_t end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1)
    out.push_back(text.substr(begin, end - begin));
  if (begin < text.size()) out.push_back(text.substr(begin));
  return out;
}

}  // namespace

TEST_CASE("reflect print --pid: every global of the fixture prints as expected.txt says") {
  Fixture fixture;
  const auto expected = reflect_test::expected_globals();
  std::vector<std::string> args{"print", "--pid", std::to_string(fixture.pid())};
  for (const auto& line : expected) args.push_back(line.expression);
  const Output run = run_tool(args);
  CHECK(run.err == "");
  CHECK(run.exit_code() == 0);
  const std::vector<std::string> printed = lines_of(run.out);
  REQUIRE(printed.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK(reflect_test::without_addresses(printed[i]) == expected[i].expression + " = " + expected[i].value);
}

TEST_CASE("reflect print --json: one object, a member per expression") {
  Fixture fixture;
  for (const bool pretty : {false, true}) {
    CAPTURE(pretty);
    std::vector<std::string> args{"print", "--pid", std::to_string(fixture.pid()), "--json"};
    if (pretty) args.push_back("--pretty");
    for (const char* expression : {"app::g_counter", "app::g_table", "app::Cache::instance", "*app::g_shape", "app::g_mode"})
      args.push_back(expression);
    const Output run = run_tool(args);
    CHECK(run.exit_code() == 0);
    CHECK(run.err == "");
    CHECK(std::count(run.out.begin(), run.out.end(), '\n') == (pretty ? 24 : 1));
    CHECK(reflect_test::canonical_json(run.out) == reflect_test::canonical_json(R"({"app::g_counter": 42, "app::g_table": [1, 2, 3],
        "app::Cache::instance": {"entries": {"groups": [], "users": [1, 2, 3]}, "hits": 12},
        "*app::g_shape": {"id": 9, "radius": 1.0}, "app::g_mode": "Serving"})"));
  }
}

TEST_CASE("reflect print: each failure is one line on stderr and a non-zero exit status") {
  Fixture fixture;
  const std::string pid = std::to_string(fixture.pid());
  // What can be printed is; what cannot is said, in order; the status is 1.
  Output run = run_tool({"print", "--pid", pid, "app::g_counter", "app::nope", "app::g_config.nope", "app::g_table[5]",
                          "app::t_requests", "app::g_counter[1]", "app::g_config.limits[\"x\"]", "*app::g_counter"});
  CHECK(run.exit_code() == 1);
  CHECK(run.out == "app::g_counter = 42\n");
  CHECK(lines_of(run.err) ==
        std::vector<std::string>{
            "reflect: no global variable or static data member named app::nope in the debug info",
            "reflect: app::g_config (of type app::Config) has no member 'nope' (its members: name, limits, ports, "
            "weights, note, shape, base)",
            "reflect: app::g_table[5] is out of range: app::g_table has 3 elements",
            "reflect: app::t_requests is thread-local, and reflect cannot read thread-local variables yet",
            "reflect: app::g_counter (of type int) cannot be indexed: it is not a sequence or a map",
            "reflect: app::g_config.limits (of type app::Limits) is not a map: it has no keys",
            "reflect: app::g_counter is not a pointer (its type is int)"});

  // A program that is not there.
  run = run_tool({"print", "--pid", "2147483647", "app::g_counter"});
  CHECK(run.exit_code() == 1);
  CHECK(run.out == "");
  CHECK(run.err == "reflect: there is no process 2147483647\n");

  // Command lines to fix: status 2, the message and the usage.
  run = run_tool({"print", "--pid", pid});
  CHECK(run.exit_code() == 2);
  CHECK(run.err.starts_with("reflect print: say what to print: one or more EXPR\nusage: reflect print "));
  run = run_tool({"print", "--pid", "twelve", "app::g_counter"});
  CHECK(run.exit_code() == 2);
  CHECK(run.err.starts_with("reflect print: --pid must be a number, not 'twelve'\n"));
  run = run_tool({"print", "app::g_counter"});
  CHECK(run.exit_code() == 2);
  CHECK(run.err.starts_with("reflect print: say which program: --pid PID or --core CORE\n"));
  run = run_tool({"print", "--pid", pid, "app::g_config.[1]"});
  CHECK(run.exit_code() == 1);
  CHECK(run.err == "reflect: cannot read the expression 'app::g_config.[1]' at column 15: a member's name must follow\n");
  run = run_tool({"frobnicate"});
  CHECK(run.exit_code() == 2);
  CHECK(run.err.starts_with("reflect: no command 'frobnicate'\nusage: reflect COMMAND"));

  // --help, for the tool and each command: stdout, status 0.
  for (const char* command : {"print", "globals", "types", "coro-frames", "async-backtrace"}) {
    CAPTURE(command);
    run = run_tool({command, "--help"});
    CHECK(run.exit_code() == 0);
    CHECK(run.out.starts_with(std::string("usage: reflect ") + command + " "));
  }
  run = run_tool({"--help"});
  CHECK(run.exit_code() == 0);
  CHECK(run.out.starts_with("usage: reflect COMMAND"));
}

TEST_CASE("reflect globals and reflect types: what the debug info describes") {
  Fixture fixture;
  Output run = run_tool({"globals", "--pid", std::to_string(fixture.pid()), "app::g_"});
  CHECK(run.exit_code() == 0);
  CHECK(run.err == "");
  CHECK(run.out ==
        "app::g_config: app::Config\napp::g_counter: int\napp::g_mode: app::Mode\napp::g_shape: app::Shape*\n"
        "app::g_table: int[3]\napp::g_waiting: std::coroutine_handle<void>\n");
  // The binary on disk, not running: the same.
  run = run_tool({"globals", TARGET_FIXTURE, "app::g_"});
  CHECK(run.exit_code() == 0);
  CHECK(lines_of(run.out).size() == 6);
  run = run_tool({"globals", TARGET_FIXTURE, "t_requests"});
  CHECK(run.out == "app::t_requests: int (no address)\n");
  run = run_tool({"types", TARGET_FIXTURE, "app::Limits"});
  CHECK(run.exit_code() == 0);
  CHECK(run.out == "app::Limits: 8 bytes\n");
  run = run_tool({"types", "--pid", std::to_string(fixture.pid()), "app::C"});
  CHECK(run.exit_code() == 0);
  CHECK(run.out.find("app::Circle: 24 bytes\n") != std::string::npos);
  CHECK(run.out.find("app::Config: ") != std::string::npos);
  run = run_tool({"types", "/nonexistent/binary"});
  CHECK(run.exit_code() == 1);
  CHECK(run.err.starts_with("reflect: cannot read /nonexistent/binary as an ELF executable or shared object"));
}

TEST_CASE("reflect async-backtrace --pid: the chain of coroutines awaiting a suspended one") {
  Fixture fixture;
  const std::string pid = std::to_string(fixture.pid());
  Output run = run_tool({"async-backtrace", "--pid", pid, fmt::format("{:#x}", fixture.address("g_waiting"))});
  CHECK(run.exit_code() == 0);
  CHECK(run.err == "");
  const std::vector<std::string> lines = lines_of(run.out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].starts_with("#0 app::fetch_page(int) suspended"));
  CHECK(lines[1].starts_with("#1 app::serve(int) suspended"));
  run = run_tool({"async-backtrace", "--pid", pid, "0x10"});
  CHECK(run.exit_code() == 1);
  CHECK(run.err == "reflect: memory at 0x10 is not readable (a dangling or garbage pointer?)\n");
  run = run_tool({"async-backtrace", "--pid", pid, "frame"});
  CHECK(run.exit_code() == 2);
  CHECK(run.err.starts_with("reflect async-backtrace: FRAME must be a number, not 'frame'\n"));
}
