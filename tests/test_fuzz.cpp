// Memory that never faults: every fixture type laid over random bytes must print and walk
// without crashing, with bounded output, and with no exception but reflect::Error.
//
// The object lives in an arena of its own, not on the heap:
//
//   [PROT_NONE guard][kRwPages read-write pages][PROT_NONE guard][munmap'ed hole][PROT_NONE guard]
//
// so that a pointer in the garbage points only into the arena itself (read-write, filled with
// the same garbage), at PROT_NONE pages, into the hole (memory that was mapped and is gone), at
// low unmapped addresses, or nowhere at all (non-canonical or kernel addresses: a random word
// that would be a user-space address gets its top bit set). Never into another live heap
// object: reflect checks /proc/self/maps, not ASan's shadow memory, so reading a live but
// unrelated object is "allowed" by design and would be an ASan report about the test, not the
// library. The arena's pages are anonymous mmap memory, which ASan never poisons.
//
// Fills, in turn: random bytes, all 0xff, all zeros, small integers, a mix of everything, and
// mostly pointers into the object itself (vectors and strings that lie in the arena, loops).
//
// Library bugs this found are reproduced by the regression test cases at the end of the file;
// the fuzzer feeds their inputs too.
// REFLECT_FUZZ_ROUNDS=N overrides the number of rounds per type (the default keeps each cell
// within 1-2 seconds at -O0 and under ASan); REFLECT_FUZZ_SEED=N changes the fixed seed.

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <reflect/reflect.hpp>

#include "fixtures/plugin.hpp"
#include "fixtures/poly.hpp"
#include "fixtures/std_sequences.hpp"
#include "fixtures/std_iterators.hpp"
#include "fixtures/std_legacy.hpp"
#include "fixtures/std_nodes.hpp"
#include "fixtures/std_values.hpp"
#include "fixtures/zoo.hpp"
#include "json_support.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <typeinfo>
#include <utility>
#include <vector>

namespace {

// Generous: the printer stops at max_elements (100) per sequence, max_string (1000) characters
// per string (at most ~10 output characters each, `\U0001f600`) and max_depth (12) levels, and
// the largest fixture (poly::Fixtures, zoo::Fixtures) has a few dozen members; a real printout
// of garbage stays far below this. A runaway printer (a missed limit, a loop) goes far above.
constexpr std::size_t kMaxOutput = 2u << 20;  // 2 MiB

constexpr std::size_t kRwPages = 8;

// One type to fuzz: its DWARF type and the layout the garbage must respect. A class the debug
// info only declares has no size there (Type::size() is 0): `size` is sizeof.
struct Subject {
  std::string label;
  reflect::Type type;
  std::size_t size;
  std::size_t align;
  // A live object whose vtable pointers are copied over the garbage: a declared string stream
  // is read only once its vtable pointers are libstdc++'s (reflect/std/streams.cpp), so random
  // bytes alone never get past that check.
  const void* vtables_of = nullptr;
};

template <class T> Subject subject(std::string label) {
  return Subject{std::move(label), reflect::type_of<T>(), sizeof(T), alignof(T)};
}

Subject subject_of(std::string label, const reflect::Value& value) {
  return Subject{std::move(label), value.type(), value.type().size(), 16};
}

#define SUBJECT(...) subject<__VA_ARGS__>(#__VA_ARGS__)

template <class T> Subject with_vtables_of(const T& live, std::string label) {
  Subject s = subject<T>(std::move(label) + " (its vtable pointers kept)");
  s.vtables_of = &live;
  return s;
}

// Copies the words of `live` that point into a vtable (a symbol `_ZTV...`) over `object`.
void keep_vtable_pointers(const void* live, unsigned char* object, std::size_t size) {
  for (std::size_t at = 0; at + sizeof(void*) <= size; at += sizeof(void*)) {
    void* word = nullptr;
    std::memcpy(&word, static_cast<const unsigned char*>(live) + at, sizeof word);
    Dl_info info{};
    if (dladdr(word, &info) != 0 && info.dli_sname != nullptr && std::string_view(info.dli_sname).starts_with("_ZTV"))
      std::memcpy(object + at, &word, sizeof word);
  }
}

std::vector<Subject> subjects() {
  std::vector<Subject> all = {
      // zoo: aggregates, access, inheritance (the diamond), bitfields, unions
      SUBJECT(zoo::Point), SUBJECT(zoo::Line), SUBJECT(zoo::Empty), SUBJECT(zoo::HasEmpty),
      SUBJECT(zoo::Account), SUBJECT(zoo::Derived), SUBJECT(zoo::Both), SUBJECT(zoo::Bat),
      SUBJECT(zoo::Mammal), SUBJECT(zoo::Bits), SUBJECT(zoo::Tagged), SUBJECT(zoo::Number),
      // enums
      SUBJECT(zoo::Color), SUBJECT(zoo::Shade), SUBJECT(zoo::Perm), SUBJECT(zoo::Level),
      SUBJECT(zoo::Palette),
      // scalars
      SUBJECT(int), SUBJECT(short), SUBJECT(long), SUBJECT(unsigned long), SUBJECT(reflect::detail::int128),
      SUBJECT(reflect::detail::uint128), SUBJECT(bool), SUBJECT(char), SUBJECT(signed char),
      SUBJECT(unsigned char), SUBJECT(char8_t), SUBJECT(char16_t), SUBJECT(char32_t),
      SUBJECT(wchar_t), SUBJECT(float), SUBJECT(double), SUBJECT(long double),
      // arrays and text
      SUBJECT(int[3]), SUBJECT(int[2][3]), SUBJECT(char[8]), SUBJECT(char[4]),
      SUBJECT(signed char[3]), SUBJECT(unsigned char[3]), SUBJECT(zoo::Blob),
      SUBJECT(const char*), SUBJECT(zoo::Labels), SUBJECT(wchar_t[4]), SUBJECT(char16_t[4]),
      // pointers, references, member pointers
      SUBJECT(int*), SUBJECT(const int*), SUBJECT(int (*)(int)), SUBJECT(int zoo::Point::*),
      SUBJECT(int (zoo::Widget::*)() const), SUBJECT(zoo::Widget), SUBJECT(zoo::Handlers),
      SUBJECT(zoo::WithRef), SUBJECT(zoo::Node), SUBJECT(zoo::Node*), SUBJECT(void*),
      // aliases, qualifiers, templates
      SUBJECT(zoo::Measure), SUBJECT(zoo::Qualified), SUBJECT(zoo::Pair<int, double>),
      SUBJECT(zoo::Buf<4>),
      // the standard library
      SUBJECT(std::string), SUBJECT(std::string_view), SUBJECT(std::wstring),
      SUBJECT(std::u16string), SUBJECT(std::vector<int>), SUBJECT(std::vector<zoo::Point>),
      SUBJECT(std::vector<std::string>), SUBJECT(std::array<int, 3>),
      SUBJECT(std::unique_ptr<zoo::Point>), SUBJECT(std::shared_ptr<int>),
      SUBJECT(std::optional<int>), SUBJECT(std::pair<int, double>),
      SUBJECT(std::tuple<int, std::string, double>), SUBJECT(zoo::Config), SUBJECT(zoo::Stats),
      SUBJECT(zoo::Fixtures),
      // poly: dynamic types through garbage vtables, std::any, std::function
      SUBJECT(poly::Shape), SUBJECT(poly::Circle), SUBJECT(poly::Square), SUBJECT(poly::Multi),
      SUBJECT(poly::Gem), SUBJECT(poly::Solid), SUBJECT(poly::Rect), SUBJECT(poly::Tagged<int>),
      SUBJECT(poly::Tagged<std::string>), SUBJECT(poly::Scene), SUBJECT(std::any),
      SUBJECT(poly::Boxes), SUBJECT(std::function<int(int)>), SUBJECT(poly::Callbacks),
      SUBJECT(std::vector<std::unique_ptr<poly::Shape>>), SUBJECT(poly::Entry),
      SUBJECT(std::vector<poly::Entry>), SUBJECT(poly::Big), SUBJECT(poly::Fixtures),
      SUBJECT(plugin::Device),
      // std_sequences: deque, vector<bool>, bitset, span, initializer_list, adaptors, weak_ptr,
      // smart pointers to arrays, atomic, reference_wrapper
      SUBJECT(std::deque<int>), SUBJECT(std::deque<stdseq::Crate>), SUBJECT(std::deque<long double>),
      SUBJECT(std::vector<bool>), SUBJECT(std::bitset<8>), SUBJECT(std::bitset<64>), SUBJECT(std::bitset<65>),
      SUBJECT(std::bitset<0>), SUBJECT(std::span<int>), SUBJECT(std::span<int, 3>),
      SUBJECT(std::initializer_list<int>), SUBJECT(std::stack<int>), SUBJECT(std::queue<int>),
      SUBJECT(std::priority_queue<int>), SUBJECT(std::weak_ptr<stdseq::Crate>), SUBJECT(std::unique_ptr<int[]>),
      SUBJECT(std::shared_ptr<int[]>), SUBJECT(std::atomic<int>), SUBJECT(std::atomic<bool>),
      SUBJECT(std::atomic<stdseq::Crate*>), SUBJECT(std::atomic<stdseq::Pair2>),
      SUBJECT(std::reference_wrapper<int>), SUBJECT(stdseq::Holder), SUBJECT(stdseq::Fixtures),
      // std nodes: lists, red-black trees, hash tables (tests/fixtures/std_nodes.hpp)
      SUBJECT(std::list<int>), SUBJECT(std::list<std::string>), SUBJECT(std::forward_list<int>),
      SUBJECT(std::set<int>), SUBJECT(std::multiset<int>), SUBJECT(std::set<std::string>),
      SUBJECT(std::map<std::string, int>), SUBJECT(std::multimap<int, std::string>),
      SUBJECT(std::map<int, std::string>), SUBJECT(std::map<int, int, std::greater<int>>),
      SUBJECT(std::unordered_set<int>), SUBJECT(std::unordered_multiset<int>),
      SUBJECT(std::unordered_map<std::string, int>), SUBJECT(std::unordered_multimap<int, int>),
      SUBJECT(std::unordered_set<long double>), SUBJECT(std_nodes::Inventory), SUBJECT(std_nodes::Fixtures),
      // types no test can name
      subject_of("zoo::(anonymous namespace)::Hidden", zoo::anon_value()),
      subject_of("zoo::local_value()::Local", zoo::local_value()),
      subject_of("<lambda at zoo.cpp>", zoo::lambda_value()),
      subject_of("poly::(anonymous namespace)::Secret", reflect::reflect(poly::secret_shape())),
  };
  // std values (tests/fixtures/std_values.hpp): variant, complex, chrono, path, error_code,
  // mutexes, string streams (declared only: see Subject)
  for (Subject s : {SUBJECT(std::variant<int, std::string, double>), SUBJECT(std::variant<int, std::string, std_values::Fragile>),
                    SUBJECT(std::variant<std_values::Circle, std_values::Square>), SUBJECT(std::variant<std::monostate, int>),
                    SUBJECT(std::monostate), SUBJECT(std::complex<double>), SUBJECT(std::complex<float>),
                    SUBJECT(std::complex<long double>), SUBJECT(std_values::ComplexDouble),
                    SUBJECT(std::chrono::nanoseconds), SUBJECT(std::chrono::milliseconds), SUBJECT(std::chrono::hours),
                    SUBJECT(std::chrono::days), SUBJECT(std::chrono::duration<double>), SUBJECT(std_values::Thirds),
                    SUBJECT(std::chrono::system_clock::time_point),
                    SUBJECT(std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>),
                    SUBJECT(std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>),
                    SUBJECT(std::chrono::steady_clock::time_point), SUBJECT(std::filesystem::path),
                    SUBJECT(std::error_code), SUBJECT(std::error_condition), SUBJECT(std::mutex),
                    SUBJECT(std::recursive_mutex), SUBJECT(std::timed_mutex), SUBJECT(std_values::Record),
                    SUBJECT(std::ostringstream), SUBJECT(std::istringstream), SUBJECT(std::stringstream),
                    SUBJECT(std::stringbuf), SUBJECT(std::wostringstream), SUBJECT(std_values::TracedStream),
                    SUBJECT(std_values::Journal), SUBJECT(std_values::Fixtures)})
    all.push_back(s);
  const std_values::Fixtures& values = std_values::fixtures();
  for (Subject s : {with_vtables_of(values.out, "std::ostringstream"), with_vtables_of(values.in, "std::istringstream"),
                    with_vtables_of(values.both, "std::stringstream"), with_vtables_of(values.buf, "std::stringbuf"),
                    with_vtables_of(values.wide, "std::wostringstream")})
    all.push_back(s);
  // std iterators (tests/fixtures/std_iterators.hpp): iterators, node handles, orderings, regex
  // NFA states, slist
  for (Subject s : {SUBJECT(std::list<int>::iterator), SUBJECT(std::list<int>::const_iterator),
                    SUBJECT(std::forward_list<int>::iterator), SUBJECT(std::forward_list<int>::const_iterator),
                    SUBJECT(std::set<int>::iterator), SUBJECT(std::set<int>::const_iterator),
                    SUBJECT(std::map<std::string, std::string>::iterator),
                    SUBJECT(std::map<std::string, std::string>::const_iterator), SUBJECT(std::map<int, int>::iterator),
                    SUBJECT(std::vector<int>::iterator), SUBJECT(std::vector<int>::const_iterator),
                    SUBJECT(std::vector<std_iterators::Point>::iterator), SUBJECT(std::string::iterator),
                    SUBJECT(std::string::const_iterator), SUBJECT(std::deque<int>::iterator),
                    SUBJECT(std::deque<int>::const_iterator), SUBJECT(std::unordered_set<int>::iterator),
                    SUBJECT(std::unordered_map<std::string, int>::iterator),
                    SUBJECT(std::unordered_map<std::string, int>::const_iterator), SUBJECT(std::vector<bool>::iterator),
                    SUBJECT(std::vector<bool>::const_iterator), SUBJECT(std::vector<bool>::reference),
                    SUBJECT(__gnu_cxx::slist<int>), SUBJECT(__gnu_cxx::slist<std::string>),
                    SUBJECT(__gnu_cxx::slist<int>::iterator), SUBJECT(std::set<int>::node_type),
                    SUBJECT(std::map<std::string, int>::node_type), SUBJECT(std::unordered_map<int, std::string>::node_type),
                    SUBJECT(std::unordered_set<std::string>::node_type), SUBJECT(std::strong_ordering),
                    SUBJECT(std::weak_ordering), SUBJECT(std::partial_ordering), SUBJECT(std::__detail::_State<char>),
                    SUBJECT(std_iterators::Cursor), SUBJECT(std_iterators::Fixtures)})
    all.push_back(s);
  // TR1 and TS forms (tests/fixtures/std_legacy.hpp)
  for (Subject s : {SUBJECT(std::tr1::unordered_map<std::string, int>), SUBJECT(std::tr1::unordered_multimap<int, int>),
                    SUBJECT(std::tr1::unordered_set<int>), SUBJECT(std::tr1::unordered_multiset<int>),
                    SUBJECT(std::tr1::shared_ptr<std_legacy::Crate>), SUBJECT(std::tr1::weak_ptr<std_legacy::Crate>),
                    SUBJECT(std::experimental::optional<int>), SUBJECT(std::experimental::optional<std::string>),
                    SUBJECT(std::experimental::any), SUBJECT(std::experimental::string_view),
                    SUBJECT(std::experimental::filesystem::path), SUBJECT(std_legacy::Legacy),
                    SUBJECT(std_legacy::Fixtures)})
    all.push_back(s);
  // Defined only in the plugin library (tests/fixtures/plugin.cpp).
  for (const char* name : {"plugin::Gadget", "plugin::Settings"})
    if (auto type = reflect::find_type(name)) all.push_back(Subject{name, *type, type->size(), 16});
  return all;
}

#undef SUBJECT

// Makes reflect re-read /proc/self/maps now: a read at a non-canonical address always misses
// its snapshot of the readable mappings, and a miss refreshes it.
void refresh_reflects_mappings() {
  (void)fmt::format("{}", reflect::Value::at(reflect::type_of<int>(), reinterpret_cast<const void*>(0x8000'0000'0000'0000ull)));
}

// The arena described at the top of the file.
class Arena {
 public:
  Arena() : page_(static_cast<std::size_t>(sysconf(_SC_PAGESIZE))) {
    const std::size_t total = (kRwPages + 4) * page_;
    void* base = mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(base != MAP_FAILED);
    base_ = static_cast<unsigned char*>(base);
    REQUIRE(mprotect(rw(), kRwPages * page_, PROT_READ | PROT_WRITE) == 0);
    hole_ = base_ + (kRwPages + 2) * page_;
    // The hole is readable memory when reflect first sees it, and unmapped before any read: a
    // reader that trusted what it saw (bug 5) would fault on it.
    REQUIRE(mprotect(hole_, page_, PROT_READ) == 0);
    refresh_reflects_mappings();
    (void)fmt::format("{}", reflect::Value::at(reflect::type_of<int>(), hole_));
    REQUIRE(munmap(hole_, page_) == 0);
  }
  ~Arena() {
    munmap(base_, (kRwPages + 2) * page_);
    munmap(hole_ + page_, page_);
  }
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  std::size_t page() const { return page_; }
  unsigned char* rw() const { return base_ + page_; }
  std::size_t rw_size() const { return kRwPages * page_; }
  const unsigned char* guard() const { return base_; }
  const unsigned char* hole() const { return hole_; }
  // The hole is a one-page gap between our own PROT_NONE pages; the kernel could still hand it
  // to a later one-page mmap. Checked every round so that a "freed" pointer never becomes live.
  bool hole_unmapped() const {
    unsigned char vec = 0;
    return mincore(hole_, page_, &vec) == -1 && errno == ENOMEM;
  }

 private:
  std::size_t page_;
  unsigned char* base_ = nullptr;
  unsigned char* hole_ = nullptr;
};

enum class Fill { Random, Ones, Zeros, SmallIntegers, Mixed, SelfReferential, Count };

// Fills the whole read-write part of the arena, word by word.
class Filler {
 public:
  Filler(const Arena& arena, std::uint64_t seed) : arena_(arena), rng_(seed) {}

  void fill(Fill how, const unsigned char* object, std::size_t object_size, bool use_hole) {
    object_ = object;
    object_size_ = std::max<std::size_t>(object_size, 1);
    use_hole_ = use_hole;
    auto* words = reinterpret_cast<std::uint64_t*>(arena_.rw());
    const std::size_t count = arena_.rw_size() / sizeof(std::uint64_t);
    for (std::size_t i = 0; i < count; ++i) words[i] = word(how);
  }

 private:
  std::uint64_t below(std::uint64_t n) { return rng_() % n; }

  std::uint64_t small_integer() {
    std::uint64_t v = below(17);
    return below(4) == 0 ? ~v : v;  // 0..16 or -1..-17
  }

  // A random word that, read as a pointer, points nowhere: a user-space value at or above
  // 0x10000 becomes non-canonical (bit 63 set). A random user-space address could land in a
  // live heap object, a library, or a sanitizer's shadow memory (see pointer()).
  std::uint64_t garbage() {
    std::uint64_t w = rng_();
    return w >= 0x10000 && w < (1ull << 47) ? w | (1ull << 63) : w;
  }

  std::uint64_t pointer() {
    auto at = [](const void* p) { return reinterpret_cast<std::uint64_t>(p); };
    // Now and then unaligned: the library then reads words straddling two of ours, and a small
    // integer next to anything reads as an arbitrary user-space address, e.g. inside a
    // sanitizer's shadow memory (mapped readable, but faulting on a plain load; the reader's
    // process_vm_readv reports it unreadable instead).
    const std::uint64_t mask = below(4) == 0 ? ~0ull : ~7ull;
    switch (below(use_hole_ ? 9 : 8)) {
      case 0: case 1: case 2:  // into the object, usually at a word boundary
        return (at(object_) + below(object_size_)) & mask;
      case 3:  // anywhere in the arena's read-write pages
        return (at(arena_.rw()) + below(arena_.rw_size())) & mask;
      case 4:  // just past the object, or into the last bytes of the read-write pages
        return below(2) ? (at(object_) + object_size_ + below(16)) & mask
                        : (at(arena_.rw()) + arena_.rw_size() - 1 - below(16)) & mask;
      case 5:  // a PROT_NONE page (mapped, not readable)
        return at(arena_.guard()) + (below(arena_.page()) & mask);
      case 6:  // low unmapped addresses: 0x10, the first page, just above it
        return std::array<std::uint64_t, 4>{0x10, 0x1000, below(0x10000), 8}[below(4)];
      case 7:  // nowhere: non-canonical, or the kernel's half
        return below(2) ? garbage() | (1ull << 63) : 0xffff'8000'0000'0000ull | rng_();
      default:  // memory that was mapped and is gone
        return at(arena_.hole()) + (below(arena_.page()) & mask);
    }
  }

  std::uint64_t word(Fill how) {
    switch (how) {
      case Fill::Random: return garbage();
      case Fill::Ones: return ~0ull;
      case Fill::Zeros: return 0;
      case Fill::SmallIntegers: return small_integer();
      case Fill::Mixed:
        switch (below(6)) {
          case 0: return garbage();
          case 1: return 0;
          case 2: return ~0ull;
          case 3: return small_integer();
          default: return pointer();
        }
      case Fill::SelfReferential:
      case Fill::Count:
        break;
    }
    // Mostly pointers into the object with small integers between them: vectors and strings
    // whose ends lie in the arena, lists that loop, shared_ptr control blocks in the garbage.
    return below(10) < 7 ? pointer() : small_integer();
  }

  const Arena& arena_;
  std::mt19937_64 rng_;
  const unsigned char* object_ = nullptr;
  std::size_t object_size_ = 1;
  bool use_hole_ = true;
};

// What a round saw; failures are reported through doctest with the subject and round.
struct Tally {
  std::size_t formats = 0;
  std::size_t walked = 0;
  std::size_t errors = 0;      // reflect::Error (not UnreadableMemory) while walking
  std::size_t unreadable = 0;  // reflect::UnreadableMemory while walking
  std::size_t longest = 0;
  std::string longest_label;
  double format_seconds = 0;
  double walk_seconds = 0;
};

class Walker {
 public:
  Walker(Tally& tally, std::string context) : tally_(tally), context_(std::move(context)) {}

  void walk(const reflect::Value& value, int depth) {
    if (depth > 3 || steps_ >= 200) return;
    ++steps_;
    ++tally_.walked;
    guarded("type", [&] {
      reflect::Type type = value.type();
      (void)type.name();
      (void)type.strip().kind();
      (void)type.size();
    });
    guarded("dynamic", [&] { (void)value.dynamic(); });
    guarded("Struct", [&] {
      if (auto s = value.try_as<reflect::Struct>()) {
        for (reflect::Field field : s->fields()) {
          (void)field.name();
          (void)field.offset();
          (void)field.type();
          guarded("Field::value", [&] { walk(field.value(), depth + 1); });
        }
        for (reflect::Base base : s->bases()) {
          (void)base.type();
          (void)base.is_virtual();
          guarded("Base::value", [&] { walk(base.value(), depth + 1); });
        }
      }
    });
    guarded("Union", [&] {
      if (auto u = value.try_as<reflect::Union>())
        for (reflect::Field field : u->fields()) guarded("Union field", [&] { walk(field.value(), depth + 1); });
    });
    guarded("Array", [&] {
      if (auto a = value.try_as<reflect::Array>()) {
        const std::size_t size = a->size();
        (void)a->element_type();
        for (std::size_t i = 0; i < std::min<std::size_t>(size, 3); ++i)
          guarded("Array::at", [&] { walk(a->at(i), depth + 1); });
        if (size > 3) guarded("Array::at(last)", [&] { walk(a->at(size - 1), depth + 1); });
        bool threw = false;
        try {
          (void)a->at(size);
        } catch (const reflect::Error&) {
          threw = true;
        }
        if (!threw) fail("Array::at(size()) did not throw reflect::Error");
      }
    });
    guarded("Map", [&] {
      if (auto m = value.try_as<reflect::Map>()) {
        (void)m->key_type();
        (void)m->mapped_type();
        std::size_t shown = 0;
        for (auto it = m->begin(); it != m->end() && shown < 3; ++it, ++shown) {
          guarded("Map key", [&] { walk((*it).key(), depth + 1); });
          guarded("Map value", [&] { walk((*it).value(), depth + 1); });
        }
        const reflect::Kind key = m->key_type().strip().kind();
        if (key == reflect::Kind::Integer || key == reflect::Kind::Enum) guarded("Map::find", [&] { (void)m->find(7); });
        else guarded("Map::find", [&] { (void)m->find("key"); });
      }
    });
    guarded("Pointer", [&] {
      if (auto p = value.try_as<reflect::Pointer>()) {
        (void)p->pointee_type();
        (void)p->target_address();
        if (!p->is_null()) {
          guarded("Pointer::deref", [&] { walk(p->deref(), depth + 1); });
          guarded("Pointer::deref_static", [&] { walk(p->deref_static(), depth + 1); });
        }
      }
    });
    guarded("Optional", [&] {
      if (auto o = value.try_as<reflect::Optional>())
        if (o->has_value()) guarded("Optional::value", [&] { walk(o->value(), depth + 1); });
    });
    guarded("String", [&] {
      if (auto s = value.try_as<reflect::String>()) {
        (void)s->size();
        (void)s->char_type();
        guarded("String::text", [&] { (void)s->text(64); });
      }
    });
    guarded("Tuple", [&] {
      if (auto t = value.try_as<reflect::Tuple>())
        for (std::size_t i = 0; i < t->size(); ++i) guarded("Tuple::at", [&] { walk(t->at(i), depth + 1); });
    });
    guarded("Enum", [&] {
      if (auto e = value.try_as<reflect::Enum>()) {
        (void)e->value();
        (void)e->name();
        (void)e->flags();
      }
    });
    guarded("scalar", [&] {
      (void)value.try_as<int>();
      (void)value.try_as<bool>();
      (void)value.try_as<char>();
      (void)value.try_as<unsigned long>();
      (void)value.try_as<double>();
      (void)value.try_as<long double>();
    });
  }

 private:
  template <class F> void guarded(const char* what, F&& f) {
    try {
      f();
    } catch (const reflect::UnreadableMemory&) {
      ++tally_.unreadable;
    } catch (const reflect::Error&) {
      ++tally_.errors;
    } catch (const std::exception& e) {
      fail(fmt::format("{} threw a {} that is not a reflect::Error: {}", what, typeid(e).name(), e.what()));
    } catch (...) {
      fail(fmt::format("{} threw something that is not a std::exception", what));
    }
  }

  void fail(const std::string& message) { FAIL_CHECK(context_, ": ", message); }

  Tally& tally_;
  std::string context_;
  int steps_ = 0;
};

int rounds_per_type() {
  if (const char* env = std::getenv("REFLECT_FUZZ_ROUNDS")) return std::max(1, std::atoi(env));
  return 5;  // each type sees five of the six fills; every fill is used for every sixth type
}

void check_output(Tally& tally, const std::string& context, const char* spec, const std::string& out) {
  ++tally.formats;
  if (out.size() > tally.longest) {
    tally.longest = out.size();
    tally.longest_label = fmt::format("{} {}", context, spec);
  }
  if (out.size() >= kMaxOutput) FAIL_CHECK(context, " ", spec, ": ", out.size(), " bytes of output");
  if (out.empty()) FAIL_CHECK(context, " ", spec, ": empty output");
}

// Formats one value every way; formatting must never throw.
void format_all(Tally& tally, const std::string& context, const reflect::Value& value) {
  try {
    check_output(tally, context, "{}", fmt::format("{}", value));
    check_output(tally, context, "{:#}", fmt::format("{:#}", value));
    check_output(tally, context, "follow_pointers",
                 fmt::format("{}", reflect::formatted(value, {.follow_pointers = true})));
    check_output(tally, context, "to_string with small limits",
                 reflect::to_string(value, {.multiline = true, .show_type = false, .follow_pointers = true,
                                            .dynamic_types = false, .max_elements = 3, .max_depth = 4,
                                            .max_string = 10}));
    // JSON stays a valid document whatever the memory holds.
    for (const auto& [spec, json] :
         {std::pair<const char*, std::string>{"{:j}", fmt::format("{:j}", value)},
          {"{:#j} follow_pointers", reflect::to_json(value, {.pretty = true, .follow_pointers = true})}}) {
      check_output(tally, context, spec, json);
      if (!reflect_test::is_json(json)) FAIL_CHECK(context, " ", spec, ": not valid JSON: ", json);
    }
  } catch (const std::exception& e) {
    FAIL_CHECK(context, ": formatting threw ", typeid(e).name(), ": ", e.what());
  }
}

}  // namespace

TEST_CASE("fuzz: every fixture type over garbage memory prints and walks without faulting") {
  const std::vector<Subject> all = subjects();
  REQUIRE(all.size() >= 30);
  Arena arena;
  const char* seed = std::getenv("REFLECT_FUZZ_SEED");
  Filler filler(arena, seed ? std::strtoull(seed, nullptr, 0) : 0x5eed'f00d'cafe'b0baull);
  Tally tally;
  const int rounds = rounds_per_type();
  // The /proc/self/maps fallback reader cannot see memory unmapped since its last look: with
  // it, no pointer leads into the hole (see the Memory safety section of the README).
  const char* reader = std::getenv("REFLECT_MEMORY_READER");
  bool hole_ok = reader == nullptr || std::string_view(reader) != "maps";
  for (std::size_t index = 0; index < all.size(); ++index) {
    const Subject& subject = all[index];
    REQUIRE_MESSAGE(subject.size <= arena.rw_size() / 2, subject.label, " is too large for the arena");
    CHECK_MESSAGE(subject.type.size() == (subject.type.is_complete() ? subject.size : 0), subject.label);
    const std::size_t align = std::max<std::size_t>(subject.align, 1);
    for (int round = 0; round < rounds; ++round) {
      // The object at the start of the read-write pages, or flush against their end (aligned
      // down), so that any read past it meets the PROT_NONE guard page after it.
      const std::size_t end_offset = (arena.rw_size() - subject.size) / align * align;
      const std::size_t offset = round % 2 == 0 ? 0 : end_offset;
      unsigned char* object = arena.rw() + offset;
      // Every type sees every fill within six rounds, and each round mixes all fills over types.
      const auto fill = static_cast<Fill>((static_cast<std::size_t>(round) + index) % static_cast<int>(Fill::Count));
      if (hole_ok && !arena.hole_unmapped()) {
        hole_ok = false;
        MESSAGE("the munmap'ed page was mapped again by someone else; no more pointers into it");
      }
      filler.fill(fill, object, subject.size, hole_ok);
      if (subject.vtables_of != nullptr) keep_vtable_pointers(subject.vtables_of, object, subject.size);
      const std::string context = fmt::format("{} (round {}, fill {})", subject.label, round, static_cast<int>(fill));
      const reflect::Value value = reflect::Value::at(subject.type, object);
      const auto start = std::chrono::steady_clock::now();
      format_all(tally, context, value);
      const auto formatted = std::chrono::steady_clock::now();
      Walker(tally, context).walk(value, 0);
      tally.format_seconds += std::chrono::duration<double>(formatted - start).count();
      tally.walk_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - formatted).count();
    }
  }
  MESSAGE(all.size(), " types, ", tally.formats, " formats, ", tally.walked, " values walked (",
          tally.unreadable, " unreadable, ", tally.errors, " other reflect::Error); longest output ", tally.longest,
          " bytes (", tally.longest_label, "); ", fmt::format("{:.2f} s formatting, {:.2f} s walking", tally.format_seconds,
          tally.walk_seconds));
  CHECK(tally.formats == all.size() * static_cast<std::size_t>(rounds) * 6);  // 3000+ by default
  CHECK(tally.longest < kMaxOutput);
}

// ---- regressions --------------------------------------------------------------------------
// Each test case below reproduces a bug the fuzzer found (the fuzzer above feeds their inputs
// too). The ones that used to crash run in a child process, so that a regression fails the
// case instead of killing the test program.

namespace {

// Runs `body` in a child process, its output discarded: true if the child finished normally
// with status 0 (a crash, an abort or a sanitizer report is false).
template <class Body> bool survives(Body&& body) {
  std::fflush(nullptr);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Quietly: no doctest crash report from the child (its handlers are doctest's, inherited).
    for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE}) std::signal(sig, SIG_DFL);
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    bool ok = false;
    try {
      ok = body();
    } catch (...) {
    }
    std::_Exit(ok ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

// Bug 1: c_string_length checked `at + char_size > checked_until`, which wraps to 0 when a
// character pointer lies within one character of 2^64, so the page was never checked and
// memcpy read 0xffffffffffffffff: SIGSEGV.
TEST_CASE("fuzz: bug 1: a character pointer at the top of the address space prints as unreadable") {
  CHECK(survives([] {
    const char* top = reinterpret_cast<const char*>(~std::uintptr_t{0});
    return fmt::format("{}", reflect::reflect(top)) == "<unreadable 0xffffffffffffffff>";
  }));
  CHECK(survives([] {
    const char32_t* top = reinterpret_cast<const char32_t*>(~std::uintptr_t{0} - 3);
    return fmt::format("{}", reflect::reflect(top)) == "<unreadable 0xfffffffffffffffc>";
  }));
}

// Bug 2: a pointer-to-member type had size 0 (DW_TAG_ptr_to_member_type carries no
// DW_AT_byte_size, and nothing supplied 8 or 16), so an array of them had stride 0: every
// element read the first.
TEST_CASE("fuzz: bug 2: pointer-to-member types have their size") {
  CHECK(reflect::type_of<int zoo::Point::*>().size() == sizeof(int zoo::Point::*));
  CHECK(reflect::type_of<int (zoo::Widget::*)() const>().size() == sizeof(int (zoo::Widget::*)() const));
  const int zoo::Point::* members[2] = {&zoo::Point::x, &zoo::Point::y};
  CHECK(fmt::format("{}", reflect::reflect(members)) == "const int zoo::Point::*[2]{&zoo::Point::x, &zoo::Point::y}");
  CHECK(reflect::reflect(members).as<reflect::Array>().at(1).address() == &members[1]);
}

// Bug 3: Array::at(i) computed `data + i * stride` as a pointer: undefined behaviour (UBSan:
// "pointer index expression ... overflowed") when the array lies near the top of the address
// space or a garbage sequence's size is huge. Now an integer computation that reports overflow
// as unreadable memory.
TEST_CASE("fuzz: bug 3: an element past the end of the address space is unreadable, not undefined behaviour") {
  const std::uintptr_t base = ~std::uintptr_t{0} - 4095;
  const reflect::Value top = reflect::Value::at(reflect::type_of<int[2048]>(), reinterpret_cast<const void*>(base));
  const auto array = top.as<reflect::Array>();
  CHECK(array.at(0).address() == reinterpret_cast<const void*>(base));
  CHECK(array.at(1023).address() == reinterpret_cast<const void*>(base + 1023 * sizeof(int)));
  CHECK_THROWS_AS((void)array.at(1024), reflect::UnreadableMemory);
  CHECK_THROWS_AS((void)array.at(2047), reflect::UnreadableMemory);
  CHECK(fmt::format("{}", top) == "<unreadable 0xfffffffffffff000>");
}

// Bug 5: reflect re-read /proc/self/maps only when an address missed its snapshot of the
// readable mappings; a hit was never re-checked. Memory that was mapped at the last re-read and
// has been unmapped since (a freed large buffer: glibc returns those with munmap) still counted
// as readable, and reading it faulted.
TEST_CASE("fuzz: bug 5: memory unmapped since reflect last read the mappings is unreadable") {
  CHECK(survives([] {
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    auto* p = static_cast<long*>(mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    *p = 42;
    const reflect::Value value = reflect::Value::at(reflect::type_of<long>(), p);
    if (fmt::format("{}", value) != "42") return false;  // reflect has seen the page
    munmap(p, page);
    return fmt::format("{}", value) == fmt::format("<unreadable {}>", static_cast<const void*>(p));
  }));
}

namespace {
struct Pointers {
  const char* text;
  long* number;
};
}  // namespace

TEST_CASE("fuzz: bug 5: a struct pointing into memory unmapped since it was first printed") {
  CHECK(survives([] {
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    auto* p = static_cast<char*>(mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    std::strcpy(p, "text");
    auto* number = reinterpret_cast<long*>(p + 64);
    *number = 42;
    const Pointers pointers{p, number};
    const reflect::FormatOptions follow{.follow_pointers = true};
    const std::string before = fmt::format("{}", reflect::formatted(reflect::reflect(pointers), follow));
    if (before != fmt::format("(anonymous namespace)::Pointers{{.text = \"text\", .number = {} -> 42}}",
                              static_cast<const void*>(number)))
      return false;
    munmap(p, page);
    const std::string after = fmt::format("{}", reflect::formatted(reflect::reflect(pointers), follow));
    return after == fmt::format("(anonymous namespace)::Pointers{{.text = <unreadable {}>, .number = {} -> <unreadable {}>}}",
                                static_cast<const void*>(p), static_cast<const void*>(number),
                                static_cast<const void*>(number));
  }));
}

// A file mapping past the end of its file: mapped readable, listed readable in /proc/self/maps,
// and a plain load raises SIGBUS.
TEST_CASE("fuzz: bug 5: a file mapping past the end of its file is unreadable") {
  CHECK(survives([] {
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    char path[] = "/tmp/reflect-fuzz-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0) return false;
    unlink(path);
    const std::string text(page, 'a');  // no NUL in the first page: a scan runs into the second
    if (ftruncate(fd, static_cast<off_t>(2 * page)) != 0 || pwrite(fd, text.data(), page, 0) != static_cast<ssize_t>(page))
      return false;
    auto* mapped = static_cast<char*>(mmap(nullptr, 2 * page, PROT_READ, MAP_SHARED, fd, 0));
    if (mapped == MAP_FAILED) return false;
    const reflect::Value second = reflect::Value::at(reflect::type_of<long>(), mapped + page);
    if (fmt::format("{}", second) != "0") return false;  // readable while the file is long enough
    if (ftruncate(fd, static_cast<off_t>(page)) != 0) return false;  // the second page is now past EOF
    const char* first = mapped;
    return fmt::format("{}", second) == fmt::format("<unreadable {}>", static_cast<const void*>(mapped + page)) &&
           fmt::format("{}", reflect::reflect(first)) == fmt::format("<unreadable {}>", static_cast<const void*>(first));
  }));
}

// The reader copies ranges below the program break with memcpy (no system call: see
// reflect/memory.cpp); memory given back to the system by moving the break down, as free() does
// when it trims the top of the heap, must not be. The break is moved by hand (sbrk), not through
// malloc and free: where malloc puts a block, and whether free() can trim it, depends on what
// the tests before left in the heap.
TEST_CASE("fuzz: bug 5: heap memory given back to the system (the break moved down) is unreadable") {
  CHECK(survives([] {
    // The same print once before: what reflect allocates on a first print comes from malloc's
    // heap as it is now, not from above the break moved by hand.
    long warm = 1;
    if (fmt::format("{}", reflect::Value::at(reflect::type_of<long>(), &warm)) != "1") return false;
    const auto size = static_cast<std::intptr_t>(16 * sysconf(_SC_PAGESIZE));
    void* const grown = sbrk(size);
    if (grown == reinterpret_cast<void*>(-1)) return false;
    auto* words = static_cast<long*>(grown);
    const std::size_t count = static_cast<std::size_t>(size) / sizeof(long);
    words[count - 1] = 42;
    const auto last = reinterpret_cast<std::uintptr_t>(&words[count - 1]);  // kept as a number
    const reflect::Value value = reflect::Value::at(reflect::type_of<long>(), reinterpret_cast<const void*>(last));
    if (fmt::format("{}", value) != "42") return false;
    if (sbrk(-size) == reinterpret_cast<void*>(-1)) return false;
    return fmt::format("{}", value) == fmt::format("<unreadable {:#x}>", last);
  }));
}
