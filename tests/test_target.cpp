// reflect::Target::attach: another live process (tests/target/fixture.cpp, started here) read
// through the same API as this one, printed with exact strings; and the errors a user meets.

#include "target/expected.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <reflect/reflect.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

extern char** environ;

namespace {

// The fixture program, running: its globals' addresses as it wrote them; it exits when this
// object closes its stdin.
class Fixture {
 public:
  Fixture() {
    int to_child[2], from_child[2];
    REQUIRE(pipe(to_child) == 0);
    REQUIRE(pipe(from_child) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
    posix_spawn_file_actions_addclose(&actions, to_child[1]);
    posix_spawn_file_actions_addclose(&actions, from_child[0]);
    char path[] = TARGET_FIXTURE;
    char* argv[] = {path, nullptr};
    REQUIRE(posix_spawn(&pid_, path, &actions, nullptr, argv, environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(to_child[0]);
    close(from_child[1]);
    stdin_ = to_child[1];
    FILE* out = fdopen(from_child[0], "r");
    REQUIRE(out != nullptr);
    char line[256];
    while (std::fgets(line, sizeof line, out)) {
      std::string text(line);
      if (text == "ready\n") break;
      const auto space = text.find(' ');
      globals_[text.substr(0, space)] = std::strtoull(text.c_str() + space + 1, nullptr, 16);
    }
    std::fclose(out);
    REQUIRE(globals_.size() == 2);
  }
  ~Fixture() { exit(); }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  pid_t pid() const { return pid_; }
  std::uint64_t address(const std::string& global) const { return globals_.at(global); }
  // Lets the process exit and waits for it.
  void exit() {
    if (stdin_ < 0) return;
    close(stdin_);
    stdin_ = -1;
    int status = 0;
    waitpid(pid_, &status, 0);
  }

 private:
  pid_t pid_ = 0;
  int stdin_ = -1;
  std::map<std::string, std::uint64_t> globals_;
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

constexpr const char* kConfig =
    R"(app::Config{.name = "a name too long for the small-string buffer", .limits = {.soft = 10, .hard = 20}, )"
    R"(.ports = {80, 443}, .weights = {{"alpha", 1}, {"beta", 2}}, .note = std::nullopt, )"
    R"(.shape = app::Circle{app::Shape{.id = 7}, .radius = 2.5}, .base = 0x)";

}  // namespace

TEST_CASE("target: another process prints as this one would, from its own memory and debug info") {
  Fixture fixture;
  const reflect::Target target = reflect::Target::attach(fixture.pid());
  CHECK(target.pid() == fixture.pid());
  const reflect::Value config = global(target, fixture, "app::Config", "g_config");
  CHECK(config.type().name() == "app::Config");
  // `base` points at the Circle that `shape` owns.
  const auto shape = config.as<reflect::Struct>().field("shape")->value().as<reflect::Pointer>();
  CHECK(fmt::format("{}", config) == fmt::format("{}{:x}}}", kConfig, reinterpret_cast<std::uintptr_t>(shape.target_address())));
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

  const nlohmann::json json = nlohmann::json::parse(reflect::to_json(config));
  CHECK(json["ports"] == nlohmann::json::parse("[80, 443]"));
  CHECK(json["weights"] == nlohmann::json::parse(R"({"alpha": 1, "beta": 2})"));
  CHECK(json["shape"] == nlohmann::json::parse(R"({"id": 7, "radius": 2.5})"));

  // Types are the target's: this process's own are refused, with a message.
  CHECK_THROWS_WITH_AS(target.value_at(reflect::type_of<int>(), fixture.address("g_counter")),
                       doctest::Contains("belongs to another target"), reflect::Error);
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
  CHECK(checked == 8);
  const auto counter = target.find_variable("app::g_counter");
  REQUIRE(counter.has_value());
  CHECK(reinterpret_cast<std::uintptr_t>(counter->address()) == fixture.address("g_counter"));
  CHECK_FALSE(target.find_variable("app::no_such_global").has_value());
}

TEST_CASE("target: a process stopped for a snapshot resumes when the target is released") {
  Fixture fixture;
  {
    const reflect::Target target = reflect::Target::attach(fixture.pid(), {.stop = true});
    CHECK(process_state(fixture.pid()).find("t (tracing stop)") != std::string::npos);
    CHECK(global(target, fixture, "int", "g_counter").as<int>() == 42);
  }
  CHECK(process_state(fixture.pid()).find("t (tracing stop)") == std::string::npos);
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
