// Built once per libstdc++ mode other than the default: -D_GLIBCXX_USE_CXX11_ABI=0 (the old,
// reference-counted std::string and the std::list that records no size) and -D_GLIBCXX_DEBUG
// (std::__debug::vector and the other checked containers, which wrap std::__cxx1998's). Every
// value must print exactly as in a default build.
//
// Only fmt::format_to into a memory buffer is used: reflect's functions that return a
// std::string (to_string, to_json) are compiled for the default mode, and a program in another
// mode cannot call them.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include <compare>
#include <deque>
#include <forward_list>
#include <list>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace modes {

struct Everything {
  std::string name = "a string too long for any small buffer";
  std::string empty;
  std::vector<int> vec{4, 5};
  std::list<int> list{1, 2, 3};
  std::forward_list<int> flist{5, 6};
  std::deque<int> deque{9, 10};
  std::set<int> set{7, 8};
  std::map<std::string, int> map{{"one", 1}, {"two", 2}};
  std::unordered_map<int, int> hashed{{3, 4}};
};

// String streams: in the old ABI, std::basic_ostringstream (outside std::__cxx11) holding the
// reference-counted std::string; in debug mode, the same classes as the default mode. Only
// declared in the debug info either way (libstdc++ instantiates them), so they are read with
// libstdc++'s layout of that ABI.
struct Streams {
  std::ostringstream out;
  std::istringstream in{"one two"};
  std::stringstream both;
  std::wostringstream wide;
  std::stringbuf buf{"a buffer's text, too long for any small buffer"};
  std::ostringstream empty;
  Streams() {
    out << "written " << 42;
    std::string word;
    in >> word;
    both << "hello world";
    both >> word;
    wide << L"wide";
  }
};

#ifdef _GLIBCXX_DEBUG
// Debug mode wraps every container's iterators in __gnu_debug::_Safe_iterator, which knows when
// one has been invalidated.
struct Iterators {
  std::vector<int> vec{4, 5};
  std::vector<int> grown{6};
  std::map<std::string, int> map{{"one", 1}};
  std::vector<bool> bits{false, true};
  std::vector<int>::iterator at = vec.begin() + 1;
  std::map<std::string, int>::iterator entry = map.begin();
  std::map<std::string, int>::iterator end = map.end();
  std::list<int>::iterator singular;
  std::vector<bool>::iterator bit = bits.begin() + 1;
  std::vector<int>::iterator invalidated = grown.begin();  // grown reallocates in iterators()
};
#endif

}  // namespace modes

namespace {

#ifdef _GLIBCXX_DEBUG
const modes::Iterators& iterators() {
  static const modes::Iterators* made = [] {
    auto* i = new modes::Iterators();  // never destroyed: printing may run during exit
    i->grown.resize(100);
    return i;
  }();
  return *made;
}
#endif

std::string_view show(fmt::memory_buffer& out, const reflect::Value& value, std::string_view spec) {
  out.clear();
  fmt::format_to(std::back_inserter(out), fmt::runtime(spec), value);
  return std::string_view(out.data(), out.size());
}

}  // namespace

TEST_CASE("library modes: every container prints as in the default mode") {
  static const modes::Everything e;
  fmt::memory_buffer out;
  CHECK(show(out, reflect::reflect(e.name), "{}") == R"("a string too long for any small buffer")");
  CHECK(show(out, reflect::reflect(e.empty), "{}") == R"("")");
  CHECK(show(out, reflect::reflect(e.vec), "{}") == "std::vector<int>{4, 5}");
  CHECK(show(out, reflect::reflect(e.list), "{}") == "std::list<int>{1, 2, 3}");
  CHECK(show(out, reflect::reflect(e.flist), "{}") == "std::forward_list<int>{5, 6}");
  CHECK(show(out, reflect::reflect(e.deque), "{}") == "std::deque<int>{9, 10}");
  CHECK(show(out, reflect::reflect(e.set), "{}") == "std::set<int>{7, 8}");
  CHECK(show(out, reflect::reflect(e.map), "{}") == R"(std::map<std::string, int>{{"one", 1}, {"two", 2}})");
  CHECK(show(out, reflect::reflect(e.hashed), "{}") == "std::unordered_map<int, int>{{3, 4}}");
  CHECK(show(out, reflect::reflect(e), "{}") ==
        R"(modes::Everything{.name = "a string too long for any small buffer", .empty = "", .vec = {4, 5}, )"
        R"(.list = {1, 2, 3}, .flist = {5, 6}, .deque = {9, 10}, .set = {7, 8}, .map = {{"one", 1}, {"two", 2}}, )"
        R"(.hashed = {{3, 4}}})");
  CHECK(show(out, reflect::reflect(e), "{:j}") ==
        R"({"name":"a string too long for any small buffer","empty":"","vec":[4,5],"list":[1,2,3],"flist":[5,6],)"
        R"("deque":[9,10],"set":[7,8],"map":{"one":1,"two":2},"hashed":[[3,4]]})");
}

TEST_CASE("library modes: string streams print the text written so far") {
  static const modes::Streams s;
  // The layout the streams are read with (reflect/std/streams.cpp): basic_stringbuf ends with
  // a std::string, 32 bytes in the new ABI and one pointer in the old.
#if _GLIBCXX_USE_CXX11_ABI
  CHECK(sizeof(std::stringbuf) == 104);
  CHECK(sizeof(std::ostringstream) == 376);
  CHECK(sizeof(std::stringstream) == 392);
#else
  CHECK(sizeof(std::stringbuf) == 80);
  CHECK(sizeof(std::ostringstream) == 352);
  CHECK(sizeof(std::stringstream) == 368);
#endif
  CHECK(static_cast<const void*>(s.out.rdbuf()) == reinterpret_cast<const char*>(&s.out) + 8);
  CHECK(static_cast<const void*>(s.in.rdbuf()) == reinterpret_cast<const char*>(&s.in) + 16);
  CHECK(static_cast<const void*>(s.both.rdbuf()) == reinterpret_cast<const char*>(&s.both) + 24);
  fmt::memory_buffer out;
  CHECK(show(out, reflect::reflect(s.out), "{}") == R"(std::ostringstream{"written 42"})");
  CHECK(show(out, reflect::reflect(s.in), "{}") == R"(std::istringstream{"one two"})");
  CHECK(show(out, reflect::reflect(s.both), "{}") == R"(std::stringstream{"hello world"})");
  CHECK(show(out, reflect::reflect(s.wide), "{}") == R"(std::wostringstream{L"wide"})");
  CHECK(show(out, reflect::reflect(s.buf), "{}") == R"(std::stringbuf{"a buffer's text, too long for any small buffer"})");
  CHECK(show(out, reflect::reflect(s.empty), "{}") == R"(std::ostringstream{""})");
  CHECK(show(out, reflect::reflect(s), "{}") ==
        R"(modes::Streams{.out = "written 42", .in = "one two", .both = "hello world", .wide = L"wide", )"
        R"(.buf = "a buffer's text, too long for any small buffer", .empty = ""})");
  CHECK(show(out, reflect::reflect(s), "{:j}") ==
        R"({"out":"written 42","in":"one two","both":"hello world","wide":"wide",)"
        R"("buf":"a buffer's text, too long for any small buffer","empty":""})");
  CHECK(reflect::reflect(s.out).as<reflect::String>().size() == 10);
}

#ifdef _GLIBCXX_DEBUG
TEST_CASE("library modes: debug-mode iterators print as the iterators they wrap") {
  const modes::Iterators& i = iterators();
  fmt::memory_buffer out;
  CHECK(show(out, reflect::reflect(i.at), "{}").ends_with(">{5}"));  // __gnu_debug::_Safe_iterator<...>{5}
  CHECK(show(out, reflect::reflect(i.at), "{}").starts_with("__gnu_debug::_Safe_iterator<__gnu_cxx::__normal_iterator<int*, "));
  CHECK(show(out, reflect::reflect(i.end), "{}") == "<end>");
  CHECK(show(out, reflect::reflect(i.invalidated), "{}") == "<invalidated>");
  CHECK(reflect::reflect(i.at).as<reflect::Pointer>().deref().as<int>() == 5);
  CHECK(reflect::reflect(i.invalidated).as<reflect::Pointer>().is_null());
  CHECK(reflect::reflect(i.bit).as<reflect::Optional>().value().as<bool>());
  CHECK(show(out, reflect::reflect(i), "{}") ==
        R"(modes::Iterators{.vec = {4, 5}, .grown = {6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, )"
        R"(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, )"
        R"(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, )"
        R"(0, 0, 0, 0, 0, 0, 0, 0, 0}, .map = {{"one", 1}}, .bits = {false, true}, .at = 5, .entry = {"one", 1}, )"
        R"(.end = <end>, .singular = nullptr, .bit = true, .invalidated = <invalidated>})");
  CHECK(show(out, reflect::reflect(i.entry), "{:j}") == R"(["one",1])");
}
#endif
