// The standard library's value types: std::variant, std::complex, std::chrono durations and
// time points, std::filesystem::path, std::error_code/error_condition, the mutexes and the
// string streams, printed
// (exact strings from ARCHITECTURE.md §9), walked and written as JSON.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "fixtures/std_values.hpp"
#include "json_support.hpp"

#include <cstdint>
#include <cstring>
#include <ios>
#include <sstream>
#include <string>
#include <string_view>

namespace {

const std_values::Fixtures& F = std_values::fixtures();

std::string show(const reflect::Value& value) { return fmt::format("{}", value); }
std::string show_multiline(const reflect::Value& value) { return fmt::format("{:#}", value); }
std::string json(const reflect::Value& value) { return reflect_test::canonical_json(reflect::to_json(value)); }

std::string text_of(const reflect::Value& value) { return value.as<reflect::String>().text(); }

}  // namespace

// ---- std::variant ------------------------------------------------------------------------------

TEST_CASE("std values: a variant prints its active alternative") {
  CHECK(show(reflect::reflect(F.v_int)) == "std::variant<int, std::string, double>{7}");
  CHECK(show(reflect::reflect(F.v_text)) == R"(std::variant<int, std::string, double>{"in-variant"})");
  CHECK(show(reflect::reflect(F.v_double)) == "std::variant<int, std::string, double>{2.5}");
  CHECK(show(reflect::reflect(F.shape)) == "std::variant<std_values::Circle, std_values::Square>{{.radius = 3}}");
  CHECK(show(reflect::reflect(F.valueless)) == "std::variant<int, std::string, std_values::Fragile>{<valueless>}");
  CHECK(show(reflect::reflect(F.v_mono)) == "std::variant<std::monostate, int>{{}}");
  CHECK(show(reflect::reflect(F.mono)) == "std::monostate{}");
  CHECK(reflect::reflect(F.mono).as<reflect::Struct>().fields().empty());  // std::monostate has no members
  // A holder's braces stay on the line of what it holds, and count as a level of indentation
  // (the text sink does this for every holder: optionals, smart pointers).
  CHECK(show_multiline(reflect::reflect(F.shape)) ==
        "std::variant<std_values::Circle, std_values::Square>{{\n"
        "    .radius = 3,\n"
        "  }}");
}

TEST_CASE("std values: a variant walks through reflect::Variant") {
  const auto text = reflect::reflect(F.v_text).as<reflect::Variant>();
  CHECK(text.index() == 1);
  CHECK_FALSE(text.valueless());
  CHECK(text.value().type().name() == "std::string");
  CHECK(text_of(text.value()) == "in-variant");

  const auto number = reflect::reflect(F.v_int).as<reflect::Variant>();
  CHECK(number.index() == 0);
  CHECK(number.value().as<int>() == 7);
  CHECK(reflect::reflect(F.v_double).as<reflect::Variant>().value().as<double>() == 2.5);

  const auto shape = reflect::reflect(F.shape).as<reflect::Variant>();
  CHECK(shape.index() == 0);
  CHECK(shape.value().type().name() == "std_values::Circle");
  CHECK(shape.value().as<reflect::Struct>().field("radius")->value().as<int>() == 3);

  const auto valueless = reflect::reflect(F.valueless).as<reflect::Variant>();
  CHECK(valueless.valueless());
  CHECK_THROWS_AS(valueless.value(), reflect::Error);

  CHECK(reflect::reflect(F.v_mono).as<reflect::Variant>().value().type().name() == "std::monostate");
}

// ---- std::complex --------------------------------------------------------------------------

TEST_CASE("std values: complex numbers print as {real, imaginary}") {
  CHECK(show(reflect::reflect(F.z)) == "std::complex<double>{1.5, -2}");
  CHECK(show(reflect::reflect(F.zf)) == "std::complex<float>{0.5, 3}");
  CHECK(show(reflect::reflect(F.zl)) == "std::complex<long double>{-1, 0.25}");
  // The core's _Complex double; its name is the compiler's (g++: `complex double`, clang: `complex`).
  CHECK(show(reflect::reflect(F.raw_z)).ends_with("{1.5, -2}"));
  CHECK(show_multiline(reflect::reflect(F.z)) == "std::complex<double>{\n  1.5,\n  -2,\n}");

  const auto parts = reflect::reflect(F.z).as<reflect::Tuple>();
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].as<double>() == 1.5);
  CHECK(parts[1].as<double>() == -2);
  const auto floats = reflect::reflect(F.zf).as<reflect::Tuple>();
  CHECK(floats[1].as<float>() == 3.0f);
  CHECK(reflect::reflect(F.zl).as<reflect::Tuple>()[1].as<long double>() == 0.25L);
  CHECK(reflect::reflect(F.raw_z).as<reflect::Tuple>()[0].as<double>() == 1.5);
}

// ---- std::chrono ---------------------------------------------------------------------------

TEST_CASE("std values: durations print as chrono literals") {
  CHECK(show(reflect::reflect(F.ns)) == "250ns");
  CHECK(show(reflect::reflect(F.us)) == "7us");
  CHECK(show(reflect::reflect(F.ms)) == "1500ms");
  CHECK(show(reflect::reflect(F.s)) == "90s");
  CHECK(show(reflect::reflect(F.min)) == "5min");
  CHECK(show(reflect::reflect(F.h)) == "2h");
  CHECK(show(reflect::reflect(F.fractional)) == "1.5s");
  CHECK(show_multiline(reflect::reflect(F.ms)) == "1500ms");
  // No literal: `3d` would be a calendar day, not std::chrono::days{3}.
  CHECK(show(reflect::reflect(F.days)) == "std::chrono::duration<long, std::ratio<86400>>{3}");
  CHECK(show(reflect::reflect(F.thirds)) == "std::chrono::duration<long, std::ratio<1, 3>>{1500}");
}

TEST_CASE("std values: a duration walks through reflect::Optional to its count") {
  for (const reflect::Value& duration : {reflect::reflect(F.ms), reflect::reflect(F.thirds)}) {
    const auto count = duration.as<reflect::Optional>();
    REQUIRE(count.has_value());
    CHECK(count.value().as<long>() == 1500);
  }
  CHECK(reflect::reflect(F.days).as<reflect::Optional>().value().as<long>() == 3);
  CHECK(reflect::reflect(F.fractional).as<reflect::Optional>().value().as<double>() == 1.5);
}

TEST_CASE("std values: time points print their duration and, on the system clock, the UTC date") {
  const std::string system_ns =
      "std::chrono::time_point<std::chrono::system_clock, std::chrono::duration<long, std::ratio<1, 1000000000>>>";
  CHECK(show(reflect::reflect(F.tp_ns)) ==
        system_ns + "{1700000000123456789ns /* 2023-11-14 22:13:20.123456789 UTC */}");
  CHECK(show(reflect::reflect(F.tp_s)) ==
        "std::chrono::time_point<std::chrono::system_clock, std::chrono::duration<long>>"
        "{1700000000s /* 2023-11-14 22:13:20 UTC */}");
  CHECK(show(reflect::reflect(F.tp_ms)) ==
        "std::chrono::time_point<std::chrono::system_clock, std::chrono::duration<long, std::ratio<1, 1000>>>"
        "{-1ms /* 1969-12-31 23:59:59.999 UTC */}");
  CHECK(show(reflect::reflect(F.tp_leap)) ==
        "std::chrono::time_point<std::chrono::system_clock, std::chrono::duration<long, std::ratio<1, 1000000>>>"
        "{951782400000001us /* 2000-02-29 00:00:00.000001 UTC */}");
  CHECK(show(reflect::reflect(F.steady)) ==
        "std::chrono::time_point<std::chrono::steady_clock, std::chrono::duration<long, std::ratio<1, 1000000000>>>{42ns}");
  CHECK(show_multiline(reflect::reflect(F.tp_s)) ==
        "std::chrono::time_point<std::chrono::system_clock, std::chrono::duration<long>>"
        "{1700000000s /* 2023-11-14 22:13:20 UTC */}");

  const auto since_epoch = reflect::reflect(F.tp_ns).as<reflect::Optional>();
  REQUIRE(since_epoch.has_value());
  CHECK(show(since_epoch.value()) == "1700000000123456789ns");
  CHECK(since_epoch.value().as<reflect::Optional>().value().as<long>() == 1700000000123456789);
}

// ---- std::filesystem::path -----------------------------------------------------------------

TEST_CASE("std values: a path prints as its text") {
  CHECK(show(reflect::reflect(F.path)) == R"(std::filesystem::path{"/usr/lib/debug"})");
  CHECK(show(reflect::reflect(F.empty_path)) == R"(std::filesystem::path{""})");
  CHECK(show_multiline(reflect::reflect(F.path)) == R"(std::filesystem::path{"/usr/lib/debug"})");
  CHECK(text_of(reflect::reflect(F.path)) == "/usr/lib/debug");
  CHECK(json(reflect::reflect(F.path)) == reflect_test::json_string("/usr/lib/debug"));
}

// ---- std::error_code, std::error_condition -------------------------------------------------

TEST_CASE("std values: error codes print their value and category") {
  CHECK(show(reflect::reflect(F.generic)) == "std::error_code{2, std::generic_category()}");
  CHECK(show(reflect::reflect(F.system)) == "std::error_code{5, std::system_category()}");
  CHECK(show(reflect::reflect(F.success)) == "std::error_code{0, std::system_category()}");
  CHECK(show(reflect::reflect(F.http)) == "std::error_code{404 /* std_values::HttpCategory */}");
  CHECK(show(reflect::reflect(F.condition)) == "std::error_condition{13, std::generic_category()}");

  const auto http = reflect::reflect(F.http).as<reflect::Tuple>();
  REQUIRE(http.size() == 2);
  CHECK(http[0].as<int>() == 404);
  CHECK(http[1].type().name() == "std_values::HttpCategory");  // the category object, of its dynamic type
  CHECK(http[1].address() == &std_values::http_category());
  CHECK(reflect::reflect(F.generic).as<reflect::Tuple>()[0].as<int>() == 2);
}

// ---- mutexes -------------------------------------------------------------------------------

TEST_CASE("std values: a free mutex prints empty; a held one names its owner") {
  CHECK(show(reflect::reflect(F.mutex)) == "std::mutex{}");
  CHECK(show(reflect::reflect(F.recursive)) == "std::recursive_mutex{}");
  CHECK(show(reflect::reflect(F.timed)) == "std::timed_mutex{}");
  CHECK(reflect::to_json(reflect::reflect(F.mutex)) == "null");
  {
    std_values::Holder held(std_values::mutable_fixtures().mutex);
    const std::string comment = fmt::format("locked by thread {}", held.tid());
    CHECK(show(reflect::reflect(F.mutex)) == "std::mutex{/* " + comment + " */}");
    CHECK(json(reflect::reflect(F.mutex)) == reflect_test::json_string(comment));
  }
  {
    std_values::Holder held(std_values::mutable_fixtures().recursive, 2);
    CHECK(show(reflect::reflect(F.recursive)) ==
          fmt::format("std::recursive_mutex{{/* locked by thread {}, 2 levels */}}", held.tid()));
  }
  {
    std_values::Holder held(std_values::mutable_fixtures().record.lock);
    CHECK(show(reflect::reflect(F.record.lock)) == fmt::format("std::mutex{{/* locked by thread {} */}}", held.tid()));
    const std::string record = show(reflect::reflect(F.record));
    CHECK(record.ends_with(fmt::format(".lock = {{/* locked by thread {} */}}}}", held.tid())));
  }
  CHECK(show(reflect::reflect(F.mutex)) == "std::mutex{}");
  // Walked as its raw members.
  const auto raw = reflect::reflect(F.mutex).as<reflect::Struct>();
  CHECK(raw.bases().size() == 1);
}

// ---- string streams ------------------------------------------------------------------------
// What basic_stringbuf::str() returns: the text written so far (all of it after seekp() moved
// the put position back), or for a stream opened for input only, the whole text it was given,
// however much was read.

TEST_CASE("std values: the fixtures' streams hold the text the tests expect") {
  CHECK(F.out.str() == "abc");
  CHECK(F.both.str() == "hello world");
  CHECK(F.in.str() == "one two");
  CHECK(F.out_empty.str().empty());
  CHECK(F.out_seeked.str() == "abcdef");
  CHECK(F.buf.str() == "buffered");
  CHECK(F.wide.str() == L"wide 7");
  CHECK(F.traced.str() == "traced");
  CHECK(F.journal.log.str() == "started; ready");
}

TEST_CASE("std values: libstdc++'s layout of the string streams, which a declared stream is read with") {
  // reflect/std/streams.cpp: basic_stringbuf is 104 bytes (80 with the old ABI: see
  // tests/stdlib_modes/test_modes.cpp); the stream's own non-virtual part comes first (basic_istream
  // {vptr, _M_gcount}, basic_ostream {vptr}, basic_iostream both), then _M_stringbuf, then the
  // virtual basic_ios.
  const auto offset = [](const auto& stream, const void* part) {
    return static_cast<const char*>(part) - reinterpret_cast<const char*>(&stream);
  };
  CHECK(sizeof(std::stringbuf) == 104);
  CHECK(sizeof(std::wstringbuf) == 104);
  CHECK(offset(F.out, F.out.rdbuf()) == 8);
  CHECK(offset(F.in, F.in.rdbuf()) == 16);
  CHECK(offset(F.both, F.both.rdbuf()) == 24);
  CHECK(offset(F.wide, F.wide.rdbuf()) == 8);
  CHECK(offset(F.out, static_cast<const std::ios_base*>(&F.out)) == 8 + 104);
  CHECK(offset(F.in, static_cast<const std::ios_base*>(&F.in)) == 16 + 104);
  CHECK(offset(F.both, static_cast<const std::ios_base*>(&F.both)) == 24 + 104);
  CHECK(sizeof(std::ostringstream) == 376);
  CHECK(sizeof(std::istringstream) == 384);
  CHECK(sizeof(std::stringstream) == 392);
  CHECK(sizeof(std::wostringstream) == 376);
  // Without libstdc++'s own debug info, these are only declared: the layout above is what is
  // read. (With it installed, they are read by their members' names and print the same.)
  WARN_FALSE(reflect::type_of<std::ostringstream>().is_complete());
  WARN_FALSE(reflect::type_of<std::stringbuf>().is_complete());
}

TEST_CASE("std values: a string stream prints the text written so far") {
  CHECK(show(reflect::reflect(F.out)) == R"(std::ostringstream{"abc"})");
  CHECK(show(reflect::reflect(F.both)) == R"(std::stringstream{"hello world"})");
  CHECK(show(reflect::reflect(F.in)) == R"(std::istringstream{"one two"})");
  CHECK(show(reflect::reflect(F.out_empty)) == R"(std::ostringstream{""})");
  CHECK(show(reflect::reflect(F.out_seeked)) == R"(std::ostringstream{"abcdef"})");
  CHECK(show(reflect::reflect(F.buf)) == R"(std::stringbuf{"buffered"})");
  CHECK(show(reflect::reflect(F.wide)) == R"(std::wostringstream{L"wide 7"})");
  CHECK(show(reflect::reflect(F.wide_buf)) == R"(std::wstringbuf{L"w"})");
  CHECK(show(reflect::reflect(F.traced)) == R"(std::basic_ostringstream<char, std_values::Traits>{"traced"})");
  CHECK(show_multiline(reflect::reflect(F.out)) == R"(std::ostringstream{"abc"})");
  CHECK(reflect::reflect(F.out).type().name() == "std::ostringstream");
  // By name, as users write it or spelled out: the same class.
  for (const char* name : {"std::ostringstream", "std::basic_ostringstream<char>",
                           "std::__cxx11::basic_ostringstream<char, std::char_traits<char>, std::allocator<char> >"}) {
    INFO(name);
    const auto type = reflect::find_type(name);
    REQUIRE(type.has_value());
    CHECK(type->name() == "std::ostringstream");
    CHECK(show(reflect::Value::at(*type, &F.out)) == R"(std::ostringstream{"abc"})");
  }
}

TEST_CASE("std values: a string stream walks through reflect::String") {
  CHECK(text_of(reflect::reflect(F.out)) == "abc");
  CHECK(text_of(reflect::reflect(F.both)) == "hello world");
  CHECK(text_of(reflect::reflect(F.in)) == "one two");
  CHECK(text_of(reflect::reflect(F.out_empty)).empty());
  CHECK(text_of(reflect::reflect(F.out_seeked)) == "abcdef");
  CHECK(text_of(reflect::reflect(F.buf)) == "buffered");
  CHECK(text_of(reflect::reflect(F.traced)) == "traced");
  const auto out = reflect::reflect(F.out).as<reflect::String>();
  CHECK(out.size() == 3);
  CHECK(out.char_type().name() == "char");
  CHECK(out.data() == F.out.view().data());
  const auto wide = reflect::reflect(F.wide).as<reflect::String>();
  CHECK(wide.char_type().name() == "wchar_t");
  REQUIRE(wide.size() == 6);
  CHECK(std::wstring_view(static_cast<const wchar_t*>(wide.data()), wide.size()) == L"wide 7");
  CHECK_THROWS_AS(wide.text(), reflect::Error);  // text() reads 8-bit text
  const auto log = reflect::reflect(F.journal).as<reflect::Struct>().field("log");
  REQUIRE(log);
  CHECK(text_of(log->value()) == "started; ready");
}

TEST_CASE("std values: string streams nested in a struct, and as JSON") {
  CHECK(show(reflect::reflect(F.journal)) ==
        R"(std_values::Journal{.entries = 2, .log = "started; ready", .input = L"wide input", .buffer = "in a buffer"})");
  CHECK(show_multiline(reflect::reflect(F.journal)) ==
        "std_values::Journal{\n"
        "  .entries = 2,\n"
        "  .log = \"started; ready\",\n"
        "  .input = L\"wide input\",\n"
        "  .buffer = \"in a buffer\",\n"
        "}");
  CHECK(json(reflect::reflect(F.journal)) ==
        reflect_test::canonical_json(
            R"({"entries": 2, "log": "started; ready", "input": "wide input", "buffer": "in a buffer"})"));
  CHECK(json(reflect::reflect(F.out)) == reflect_test::json_string("abc"));
  CHECK(json(reflect::reflect(F.in)) == reflect_test::json_string("one two"));
  CHECK(json(reflect::reflect(F.out_empty)) == reflect_test::json_string(""));
  CHECK(json(reflect::reflect(F.wide)) == reflect_test::json_string("wide 7"));
  CHECK(json(reflect::reflect(F.traced)) == reflect_test::json_string("traced"));
}

TEST_CASE("std values: a declared stream whose vtable pointers are not libstdc++'s is not read") {
  // Zeros typed as std::ostringstream: no vtable pointer to trust, so it prints as before the
  // view, with why.
  alignas(std::ostringstream) static const unsigned char zeros[sizeof(std::ostringstream)] = {};
  const reflect::Value value = reflect::Value::at(reflect::type_of<std::ostringstream>(), zeros);
  if (reflect::type_of<std::ostringstream>().is_complete()) return;  // libstdc++'s debug info is installed
  CHECK(show(value) ==
        "<incomplete std::ostringstream> /* reflect: std::ostringstream is only declared in the debug info, and the "
        "object's vtable pointer 0x0 points into no symbol, not into libstdc++'s vtable "
        "_ZTVNSt7__cxx1119basic_ostringstreamIcSt11char_traitsIcESaIcEEE: its layout is not trusted */");
  CHECK(json(value) == reflect_test::json_string("<incomplete std::ostringstream>"));
  CHECK_THROWS_AS(value.as<reflect::String>(), reflect::Error);
}

TEST_CASE("std values: a declared stream whose put area is garbage says so, and reads no more than memory holds") {
  if (reflect::type_of<std::ostringstream>().is_complete()) return;  // libstdc++'s debug info is installed
  // A copy of a live stream's bytes, whose vtable pointers pass the check, with the put area
  // replaced: basic_streambuf's _M_in_end, _M_out_beg, _M_out_cur, _M_out_end lie 24, 32, 40 and
  // 48 bytes into the stringbuf, which lies 8 bytes into an ostringstream.
  alignas(std::ostringstream) static unsigned char copy[sizeof(std::ostringstream)];
  std::memcpy(copy, static_cast<const void*>(&F.out), sizeof copy);
  const auto set = [](std::size_t offset, std::uintptr_t word) { std::memcpy(copy + 8 + offset, &word, sizeof word); };
  const auto areas = [&](std::uintptr_t egptr, std::uintptr_t pbase, std::uintptr_t pptr, std::uintptr_t epptr) {
    set(24, egptr);
    set(32, pbase);
    set(40, pptr);
    set(48, epptr);
  };
  const reflect::Value value = reflect::Value::at(reflect::type_of<std::ostringstream>(), copy);
  const auto text = reinterpret_cast<std::uintptr_t>(F.out.view().data());

  areas(0, text, text + 2, text + 8);  // sane: the first two characters
  CHECK(show(value) == R"(std::ostringstream{"ab"})");
  areas(text + 3, text, text + 2, text + 8);  // egptr() past pptr(): what seekp() moved back over
  CHECK(show(value) == R"(std::ostringstream{"abc"})");

  areas(0, text + 2, text, text + 8);  // pptr() before pbase()
  CHECK(show(value) == fmt::format("<incomplete std::ostringstream> /* reflect: the stream's put area is not one: pbase "
                                   "{:#x}, pptr {:#x}, egptr 0x0, epptr {:#x} */",
                                   text + 2, text, text + 8));
  CHECK_THROWS_AS(value.as<reflect::String>(), reflect::Error);

  areas(0, 0x10, 0x20, 0x20);  // unreadable
  CHECK(show(value) == "<unreadable 0x10>");
  CHECK_THROWS_AS(value.as<reflect::String>(), reflect::UnreadableMemory);

  const std::uintptr_t far = std::uintptr_t{1} << 40;  // more than any stream: not allocated, not probed
  areas(0, text, text + far, text + far);
  CHECK(show(value) == "<incomplete std::ostringstream> /* reflect: the stream's text would be 1099511627776 "
                       "characters long, more than the 268435456 bytes a stream view reads: its memory is not a "
                       "stream's */");
  CHECK(json(value) == reflect_test::json_string("<incomplete std::ostringstream>"));
}

// ---- nested, and JSON ----------------------------------------------------------------------

const char* const RECORD =
    R"(std_values::Record{.choice = "nested", .shape = {.side = 4}, .z = {1.5, -2}, .raw_z = {1.5, -2}, )"
    R"(.timeout = 1500ms, .thirds = 7, .when = {1700000000123456789ns /* 2023-11-14 22:13:20.123456789 UTC */}, )"
    R"(.where = "/usr/lib/debug", .error = {2, std::generic_category()}, .lock = {}})";

TEST_CASE("std values: nested in a struct, the members print without their types") {
  CHECK(show(reflect::reflect(F.record)) == RECORD);
  CHECK(show_multiline(reflect::reflect(F.record)) ==
        "std_values::Record{\n"
        "  .choice = \"nested\",\n"
        "  .shape = {\n"
        "    .side = 4,\n"
        "  },\n"
        "  .z = {\n"
        "    1.5,\n"
        "    -2,\n"
        "  },\n"
        "  .raw_z = {\n"
        "    1.5,\n"
        "    -2,\n"
        "  },\n"
        "  .timeout = 1500ms,\n"
        "  .thirds = 7,\n"
        "  .when = {1700000000123456789ns /* 2023-11-14 22:13:20.123456789 UTC */},\n"
        "  .where = \"/usr/lib/debug\",\n"
        "  .error = {2, std::generic_category()},\n"
        "  .lock = {},\n"
        "}");
}

TEST_CASE("std values: JSON") {
  CHECK(json(reflect::reflect(F.record)) == reflect_test::canonical_json(R"json({
      "choice": "nested",
      "shape": {"side": 4},
      "z": [1.5, -2],
      "raw_z": [1.5, -2],
      "timeout": "1500ms",
      "thirds": 7,
      "when": "1700000000123456789ns",
      "where": "/usr/lib/debug",
      "error": "2, std::generic_category()",
      "lock": null})json"));

  CHECK(json(reflect::reflect(F.v_int)) == "7");
  CHECK(json(reflect::reflect(F.v_text)) == reflect_test::json_string("in-variant"));
  CHECK(json(reflect::reflect(F.v_double)) == "2.5");
  CHECK(json(reflect::reflect(F.valueless)) == "null");
  CHECK(json(reflect::reflect(F.shape)) == reflect_test::canonical_json(R"({"radius": 3})"));
  CHECK(json(reflect::reflect(F.mono)) == "{}");
  CHECK(json(reflect::reflect(F.zl)) == "[-1,0.25]");
  CHECK(json(reflect::reflect(F.h)) == reflect_test::json_string("2h"));
  CHECK(json(reflect::reflect(F.thirds)) == "1500");
  CHECK(json(reflect::reflect(F.steady)) == reflect_test::json_string("42ns"));
  CHECK(json(reflect::reflect(F.http)) == reflect_test::json_string("404"));
  CHECK(json(reflect::reflect(F.condition)) == reflect_test::json_string("13, std::generic_category()"));
}
