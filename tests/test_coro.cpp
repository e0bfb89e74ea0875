// Coroutine frames and async backtraces (issue 5), on the chains of fixtures/coro.cpp. What each
// cell of the matrix promises (README, "Coroutines"):
//   g++-12 -O0, clang-19 -O0, clang-14 -O0: everything, suspend points with their source lines;
//   g++-12 -O2: everything but the source line (the index is stored from a register);
//   clang-19 -O2: no frame type in the debug info (LLVM issue 121092): function, state,
//                 promise and backtraces work; locals and the suspend point are unavailable;
//   clang-14 -O2: everything but the int and double locals, which the frame does not name
//                 (coro_expected.hpp).
#include "fixtures/coro.hpp"

#include <reflect/reflect.hpp>

#include "fixtures/coro_expected.hpp"
#include "json_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <fstream>
#include <string>

namespace {

constexpr bool has_frames = reflect_test::coro_has_frames;
constexpr bool has_lines = reflect_test::coro_has_lines;
constexpr bool names_scalars = reflect_test::coro_names_scalars;
#if defined(__clang__)
constexpr bool is_clang = true;
#else
constexpr bool is_clang = false;
#endif

// The chain top -> middle -> leaf, leaf suspended on leaf_event; destroyed at the end.
struct Chain {
  app::Task top = app::top();
  Chain() { top.handle.resume(); }
  std::coroutine_handle<> leaf() const { return app::leaf_event.waiter; }
};

std::string source_line(const reflect::SourceLocation& where) {
  std::ifstream in(where.file);
  std::string text;
  for (std::uint32_t i = 0; i < where.line && std::getline(in, text);) ++i;
  return text;
}

}  // namespace

TEST_CASE("coroutine: function, state and promise of each coroutine in a suspended chain") {
  Chain chain;
  reflect::Coroutine leaf = reflect::coroutine(chain.leaf());
  CHECK(leaf.address() == chain.leaf().address());
  CHECK(leaf.function() == "app::leaf(int)");
  CHECK(leaf.state() == reflect::Coroutine::State::Suspended);

  std::optional<reflect::Value> promise = leaf.promise();
  REQUIRE(promise);
  CHECK(promise->type().name() == "app::Task::promise_type");
  auto continuation = promise->as<reflect::Struct>().field("continuation");
  REQUIRE(continuation);
  CHECK(reflect::to_string(continuation->value(), {.show_type = false}).ends_with("<coroutine app::middle(int)>"));

  // The typed promise reads back like any value.
  reflect::Coroutine top = reflect::coroutine(chain.top.handle);
  CHECK(top.function() == "app::top()");
  CHECK(top.promise()->as<reflect::Struct>().field("result")->value().as<int>() == 0);
  CHECK(fmt::format("{}", top.state()) == "suspended");
}

TEST_CASE("coroutine: the suspend point and its source line") {
  Chain chain;
  for (auto [handle, marker_text] : {std::pair{chain.leaf(), "suspend: leaf"}, {chain.top.handle, "suspend: top"}}) {
    reflect::Coroutine c = reflect::coroutine(handle);
    const char* marker = marker_text;  // CAPTURE's lambda: clang before 16 cannot capture a structured binding
    CAPTURE(marker);
    if (!has_frames) {
      CHECK_FALSE(c.suspend_point());
      CHECK_FALSE(c.location());
      continue;
    }
    CHECK(c.suspend_point() == 1);
    std::optional<reflect::SourceLocation> where = c.location();
    if (!has_lines) {
      CHECK_FALSE(where);
      continue;
    }
    REQUIRE(where);
    CHECK(where->file.ends_with("coro.cpp"));
    CHECK(source_line(*where).find(marker) != std::string::npos);
  }
}

TEST_CASE("coroutine: parameters and locals by name, compiler-made members hidden") {
  Chain chain;
  reflect::Coroutine leaf = reflect::coroutine(chain.leaf());
  if (!has_frames) {
    CHECK_FALSE(leaf.has_frame());
    CHECK(leaf.frame_unavailable_reason().find("121092") != std::string::npos);
    CHECK_THROWS_WITH_AS(leaf.frame(), doctest::Contains("no frame for the coroutine app::leaf(int)"), reflect::Error);
    return;
  }
  REQUIRE(leaf.has_frame());
  CHECK(leaf.frame_unavailable_reason().empty());
  reflect::CoroutineFrame frame = leaf.frame();
  if (names_scalars) {
    CHECK(frame.field("x")->as<int>() == 9);
    CHECK(frame.field("local_leaf")->as<int>() == 90);
    CHECK(frame.field("ratio")->as<double>() == 3.5);
  } else {
    CHECK_FALSE(frame.field("x"));
  }
  CHECK_FALSE(frame.field("nonexistent"));
  for (const auto& variable : frame.variables()) {
    CAPTURE(variable.name);
    CHECK_FALSE(variable.name.starts_with("_Coro"));
    CHECK_FALSE(variable.name.starts_with("__"));
    CHECK(variable.name.find_first_of("0123456789") == std::string_view::npos);
  }
  // GCC keeps every local in the frame, clang only those alive across a suspend point (and
  // clang 14 -O2 names no int or double).
  CHECK(frame.variables().size() == (!names_scalars ? 0 : is_clang ? 3 : 4));

  reflect::CoroutineFrame middle = reflect::coroutine(chain.leaf()).frame();
  (void)middle;
  auto mid = reflect::coroutine_at(
      reinterpret_cast<const void*>(reflect::coroutine(chain.leaf()).promise()->as<reflect::Struct>()
                                        .field("continuation")->value().as<reflect::Struct>()
                                        .field("_M_fr_ptr")->value().as<reflect::Pointer>().target_address()));
  CHECK(mid.function() == "app::middle(int)");
  CHECK(mid.frame().field("label")->as<reflect::String>().text() == "middle-string");
  if (names_scalars) {
    CHECK(mid.frame().field("y")->as<int>() == 7);
  } else {
    CHECK(mid.frame().variables().size() == 1);
  }
  // The raw frame keeps what the compiler put there.
  CHECK(mid.frame().raw().as<reflect::Struct>().field(is_clang ? "__promise" : "_Coro_promise"));
}

TEST_CASE("coroutine: which locals are in scope at each suspend point") {
  app::Task task = app::stepper(5);
  auto scope = [&] {
    std::string out;
    reflect::CoroutineFrame frame = reflect::coroutine(task.handle).frame();
    for (const auto& v : frame.variables())
      out += fmt::format("{}{} ", v.name, v.in_scope ? "" : "(out)");
    return out;
  };
  if (!has_frames) {
    CHECK_FALSE(reflect::coroutine(task.handle).has_frame());
    return;
  }
  // clang keeps only what lives across a suspend point in the frame: no `after`. Without the
  // suspend point's line (GCC -O2) every variable counts as in scope until the final suspend.
  // (clang 14 -O2 names none of these ints.)
  auto named = [](std::string variables) { return names_scalars ? variables : std::string(); };
  std::string after = is_clang ? "" : has_lines ? "after(out) " : "after ";
  std::string out = has_lines ? "(out)" : "";
  CHECK(reflect::coroutine(task.handle).state() == reflect::Coroutine::State::NotStarted);
  CHECK_FALSE(reflect::coroutine(task.handle).location());
  CHECK(scope() == named(std::string("n before(out) between(out) ") + (is_clang ? "" : "after(out) ")));
  task.handle.resume();
  CHECK(reflect::coroutine(task.handle).suspend_point() == 1);
  CHECK(scope() == named("n before between" + out + " " + after));
  app::step_event.waiter.resume();
  CHECK(reflect::coroutine(task.handle).suspend_point() == 2);
  CHECK(scope() == named("n before between " + after));
  if (has_lines) CHECK(source_line(*reflect::coroutine(task.handle).location()).find("suspend: stepper 2") != std::string::npos);
  app::step_event.waiter.resume();
  CHECK(reflect::coroutine(task.handle).state() == reflect::Coroutine::State::Done);
  CHECK(task.handle.promise().result == 16);
  CHECK(scope() == named(std::string("n before(out) between(out) ") + (is_clang ? "" : "after(out) ")));
  // Out of scope prints as such.
  if (names_scalars)
    CHECK(fmt::format("{}", reflect::coroutine(task.handle)).find("before = <not in scope>") != std::string::npos);
}

TEST_CASE("coroutine: async backtrace through a promise's `continuation`") {
  Chain chain;
  reflect::AsyncBacktrace trace = reflect::async_backtrace(chain.leaf());
  REQUIRE(trace.coroutines.size() == 3);
  CHECK(trace.coroutines[0].function() == "app::leaf(int)");
  CHECK(trace.coroutines[1].function() == "app::middle(int)");
  CHECK(trace.coroutines[2].function() == "app::top()");
  CHECK(trace.stopped.empty());
  reflect_test::check_chain_backtrace(trace);
}

TEST_CASE("coroutine: a coroutine and a backtrace as JSON") {
  Chain chain;
  const std::string compact = fmt::format("{:j}", reflect::async_backtrace(chain.leaf()));
  INFO(compact);
  REQUIRE(reflect_test::is_json(compact));
  using reflect_test::json_at;
  using reflect_test::json_string_at;
  REQUIRE(reflect_test::json_size(compact, "/coroutines") == 3u);
  CHECK(json_at(compact, "/stopped") == "null");
  CHECK(json_string_at(compact, "/coroutines/0/function") == "app::leaf(int)");
  CHECK(json_string_at(compact, "/coroutines/1/function") == "app::middle(int)");
  CHECK(json_string_at(compact, "/coroutines/2/function") == "app::top()");
  CHECK(json_string_at(compact, "/coroutines/0/state") == "suspended");
  CHECK(json_at(compact, "/coroutines/0/promise").starts_with("{"));
  if (has_frames) {
    CHECK(json_at(compact, "/coroutines/0/suspend_point") == "1");
    if (names_scalars) {
      CHECK(json_at(compact, "/coroutines/0/variables/x") == "9");
      CHECK(json_at(compact, "/coroutines/0/variables/local_leaf") == "90");
      CHECK(json_at(compact, "/coroutines/0/variables/ratio") == "3.5");
    } else {
      CHECK(json_at(compact, "/coroutines/0/variables") == "{}");
    }
    CHECK(json_string_at(compact, "/coroutines/1/variables/label") == "middle-string");
  } else {
    CHECK(json_at(compact, "/coroutines/0/variables") == "null");
    CHECK(json_string_at(compact, "/coroutines/0/frame_unavailable").value_or("").find("LLVM issue 121092") !=
          std::string::npos);
  }
  if (has_lines) {
    CHECK(json_at(compact, "/coroutines/0/location/line") == "12");
    CHECK(json_string_at(compact, "/coroutines/0/location/file").value_or("").ends_with("coro.cpp"));
    if (!is_clang) CHECK(json_string_at(compact, "/coroutines/0/variables/after") == "<not in scope>");
  } else {
    CHECK(json_at(compact, "/coroutines/0/location") == "null");
  }
  // {:#j}: the same document, indented.
  const std::string pretty = fmt::format("{:#j}", reflect::coroutine(chain.leaf()));
  REQUIRE(reflect_test::is_json(pretty));
  CHECK(pretty.starts_with("{\n  \"function\": \"app::leaf(int)\",\n  \"state\": \"suspended\",\n"));
  CHECK(reflect_test::canonical_json(pretty) == json_at(compact, "/coroutines/0"));
}

TEST_CASE("coroutine: async backtrace through a parent handle nested in the promise under another name") {
  app::Job<int> root = app::job_root(3);
  root.coro.resume();
  reflect::AsyncBacktrace trace = reflect::async_backtrace(app::job_event.waiter);
  REQUIRE(trace.coroutines.size() == 2);
  CHECK(trace.coroutines[0].function() == "app::job_leaf(std::string)");
  CHECK(trace.coroutines[1].function() == "app::job_root(int)");
  CHECK(trace.coroutines[1].address() == root.coro.address());
  CHECK(trace.stopped.empty());
  if (has_frames) {
    CHECK(trace.coroutines[0].frame().field("name")->as<reflect::String>().text() == "job-3");
    if (names_scalars) {
      CHECK(trace.coroutines[1].frame().field("n")->as<int>() == 3);
    } else {
      CHECK_FALSE(trace.coroutines[1].frame().field("n"));
    }
    // A member named after a parameter of a function inlined into the coroutine is none of its
    // variables: clang 14 -O2 keeps job_leaf's `name` in job_root's frame (whose frame holds
    // job_leaf's), and promise_type::return_value's `v` in job_leaf's.
    CHECK_FALSE(trace.coroutines[1].frame().field("name"));
    CHECK_FALSE(trace.coroutines[0].frame().field("v"));
  }
  app::job_event.waiter.resume();  // runs both to their final suspend
  CHECK(root.coro.done());
  CHECK(root.coro.promise().value == 9);
  CHECK(reflect::coroutine(root.coro).state() == reflect::Coroutine::State::Done);
}

TEST_CASE("coroutine: async backtrace through a promise that points at the awaiter holding the parent") {
  app::Linked root = app::linked_root();
  root.handle.resume();
  reflect::AsyncBacktrace trace = reflect::async_backtrace(app::leaf_event.waiter);
  REQUIRE(trace.coroutines.size() == 2);
  CHECK(trace.coroutines[0].function() == "app::linked_leaf(int)");
  CHECK(trace.coroutines[1].function() == "app::linked_root()");
  CHECK(trace.coroutines[1].address() == root.handle.address());
  CHECK(trace.stopped.empty());
  app::leaf_event.waiter.resume();
  CHECK(root.handle.done());
  CHECK(root.handle.promise().value == 2);
}

TEST_CASE("coroutine: a chain ending at std::noop_coroutine() ends there") {
  app::Task task = app::middle(1);
  task.handle.promise().continuation = std::noop_coroutine();
  reflect::AsyncBacktrace trace = reflect::async_backtrace(task.handle);
  CHECK(trace.coroutines.size() == 1);
  CHECK(trace.stopped.empty());
}

TEST_CASE("coroutine: a chain that loops ends") {
  app::Task a = app::middle(1);
  app::Task b = app::middle(2);
  a.handle.promise().continuation = b.handle;
  b.handle.promise().continuation = a.handle;
  reflect::AsyncBacktrace trace = reflect::async_backtrace(a.handle);
  CHECK(trace.coroutines.size() == 2);
  CHECK(trace.stopped.find("loops") != std::string::npos);
  CHECK(fmt::format("{}", trace).ends_with("(stopped: the chain loops: " + fmt::format("{}", a.handle.address()) + " is already in it)"));
}

TEST_CASE("coroutine: a generator's state and yielded value") {
  app::Generator gen = app::counter(5);
  reflect::Coroutine fresh = reflect::coroutine(gen.handle);
  CHECK(fresh.function() == "app::counter(int)");
  // Without a frame type the resume index cannot be read: not started looks suspended.
  CHECK(fresh.state() == (has_frames ? reflect::Coroutine::State::NotStarted : reflect::Coroutine::State::Suspended));
  gen.handle.resume();
  gen.handle.resume();
  reflect::Coroutine c = reflect::coroutine(gen.handle);
  CHECK(c.state() == reflect::Coroutine::State::Suspended);
  CHECK(c.promise()->as<reflect::Struct>().field("current")->value().as<int>() == 4);
  if (has_frames) {
    CHECK(c.suspend_point() == 1);
    if (names_scalars) {
      CHECK(c.frame().field("i")->as<int>() == 2);
      CHECK(c.frame().field("limit")->as<int>() == 5);
    } else {
      CHECK(c.frame().variables().empty());
    }
  }
  if (has_lines) CHECK(source_line(*c.location()).find("suspend: counter") != std::string::npos);
  for (int i = 0; i < 4; ++i) gen.handle.resume();
  CHECK(gen.handle.done());
  reflect::Coroutine done = reflect::coroutine(gen.handle);
  CHECK(done.state() == reflect::Coroutine::State::Done);
  CHECK_FALSE(done.location());
  CHECK(done.promise()->as<reflect::Struct>().field("current")->value().as<int>() == 25);
}

TEST_CASE("coroutine: printed with {} and {:#}") {
  app::Task finished = app::finished();
  finished.handle.resume();
  std::string locals = has_frames ? "" : ", <locals unavailable: the compiler described no frame (LLVM issue 121092)>";
  CHECK(fmt::format("{}", reflect::coroutine(finished.handle)) ==
        "app::finished() done {promise = {.continuation = nullptr, .result = 42}" + locals + "}");

  app::Generator gen = app::counter(3);
  gen.handle.resume();
  if (has_frames && has_lines) {
    CHECK(fmt::format("{:#}", reflect::coroutine(gen.handle)) ==
          "app::counter(int) suspended at coro.cpp:42\n"
          "  promise = app::Generator::promise_type{\n"
          "    .current = 1,\n"
          "  }" +
              std::string(names_scalars ? "\n  limit = 3\n  i = 1" : ""));
  }
}

TEST_CASE("coroutine: a handle in a struct prints with its coroutine") {
  Chain chain;
  struct Holder {
    std::coroutine_handle<> h;
    std::coroutine_handle<> none;
  } holder{chain.top.handle, {}};
  CHECK(reflect::to_string(reflect::reflect(holder), {.show_type = false}) ==
        fmt::format("{{.h = {} <coroutine app::top()>, .none = nullptr}}", chain.top.handle.address()));
}

TEST_CASE("coroutine: an erased handle, and addresses that are no coroutine frame") {
  Chain chain;
  const void* erased = chain.leaf().address();
  CHECK(reflect::coroutine_at(erased).function() == "app::leaf(int)");

  CHECK_THROWS_WITH_AS(reflect::coroutine_at(nullptr), doctest::Contains("null coroutine handle"), reflect::Error);
  long not_a_frame[2] = {42, 7};
  CHECK_THROWS_WITH_AS(reflect::coroutine_at(not_a_frame), doctest::Contains("is not a coroutine frame"), reflect::Error);
  // Looks like a frame (two function pointers) but the functions are not a coroutine's.
  void (*functions[2])() = {+[] {}, +[] {}};
  CHECK_THROWS_WITH_AS(reflect::coroutine_at(functions), doctest::Contains("is not a coroutine frame"), reflect::Error);
  CHECK_THROWS_AS(reflect::coroutine_at(reinterpret_cast<const void*>(0x10)), reflect::UnreadableMemory);
}
