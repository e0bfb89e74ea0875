// std::chrono::duration and time_point: chrono literals (`1500ms`), and for a system_clock time
// point its UTC date, computed here (no time zone database: UTC needs none).

#include "layout.hpp"

#include <fmt/format.h>

#include <cmath>

namespace reflect::detail {
namespace {

struct Period {
  std::int64_t num = 1;
  std::int64_t den = 1;
};

Period period_of(const TypeNode& duration) {
  const TypeNode& ratio = template_type(duration, 1).concrete();
  const std::optional<std::int64_t> num = template_value(ratio, 0);
  // std::ratio<N> may leave its defaulted denominator out of the debug info.
  const std::optional<std::int64_t> den = ratio.template_args.size() < 2 ? std::optional<std::int64_t>(1) : template_value(ratio, 1);
  if (!num || !den || *den <= 0) throw LayoutMismatch(fmt::format("{} has no std::ratio period in its debug info", duration.name()));
  return {*num, *den};
}

// The suffixes C++ has literals for. (`d` is not one: `3d` is a std::chrono::day of the
// calendar, not std::chrono::days{3}.)
std::optional<std::string_view> suffix_of(Period p) {
  if (p.num == 1 && p.den == 1'000'000'000) return "ns";
  if (p.num == 1 && p.den == 1'000'000) return "us";
  if (p.num == 1 && p.den == 1'000) return "ms";
  if (p.num == 1 && p.den == 1) return "s";
  if (p.num == 60 && p.den == 1) return "min";
  if (p.num == 3600 && p.den == 1) return "h";
  return std::nullopt;
}

// A duration's count: an integer, or a finite floating-point number.
struct Count {
  std::optional<int128> integer;
  std::string text;
};

std::optional<Count> count_of(const Value& duration) {
  const Value rep = member(duration, "__r");
  const TypeNode& type = concrete_of(rep);
  if (type.kind == Kind::Integer && type.size <= 8) {
    const auto bits = static_cast<int128>(read_raw_bits(rep));
    const auto value = type.is_signed ? bits : static_cast<int128>(static_cast<std::uint64_t>(bits));
    if (type.is_signed) return Count{value, fmt::format("{}", static_cast<std::int64_t>(value))};
    return Count{value, fmt::format("{}", static_cast<std::uint64_t>(value))};
  }
  if (type.kind == Kind::Floating) {
    const std::uintptr_t at = address_of(rep);
    std::string text;
    bool finite = false;
    if (type.size == sizeof(float)) {
      const auto x = read_as<float>(memory_of(rep), at);
      finite = std::isfinite(x), text = fmt::format("{}", x);
    } else if (type.size == sizeof(double)) {
      const auto x = read_as<double>(memory_of(rep), at);
      finite = std::isfinite(x), text = fmt::format("{}", x);
    } else if (type.size == sizeof(long double)) {
      const auto x = read_as<long double>(memory_of(rep), at);
      finite = std::isfinite(x), text = fmt::format("{}", x);
    }
    if (finite) return Count{std::nullopt, std::move(text)};
  }
  return std::nullopt;  // no literal to write: the count prints as itself
}

std::optional<std::string> literal_of(const Value& duration) {
  const auto suffix = suffix_of(period_of(concrete_of(duration)));
  if (!suffix) return std::nullopt;
  auto count = count_of(duration);
  if (!count) return std::nullopt;
  return count->text + std::string(*suffix);
}

class Duration final : public OptionalProvider {
 public:
  // Every duration holds its count: walking one gives the count, whatever the period.
  std::optional<Value> held(const Value& value) const override { return member(value, "__r"); }
  std::optional<Presentation> present(const Value& value) const override {
    auto literal = literal_of(value);
    if (!literal) return std::nullopt;
    Presentation shown;
    shown.shape = Presentation::Shape::Bare;
    shown.token = std::move(*literal);
    return shown;
  }
};

int128 floor_div(int128 a, int128 b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

// Howard Hinnant's civil_from_days: the proleptic Gregorian date `days` after 1970-01-01.
struct Date {
  std::int64_t year;
  unsigned month, day;
};
Date civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// `2023-11-14 22:13:20.123456789 UTC`: as many fraction digits as the period has (none for
// seconds and coarser); nullopt for a period that is not a power of ten of a second.
std::optional<std::string> utc_of(int128 count, Period period) {
  int digits = 0;
  for (std::int64_t den = period.den; den > 1; den /= 10) {
    if (den % 10 != 0) return std::nullopt;
    ++digits;
  }
  const int128 total = count * period.num;  // in 1/den seconds; |count| < 2^64, num < 2^63: fits
  const int128 seconds = floor_div(total, period.den);
  const int128 fraction = total - seconds * period.den;
  const int128 days = floor_div(seconds, 86400);
  constexpr int128 far = int128{1} << 40;  // some three billion years: past that, no date
  if (days > far || days < -far) return std::nullopt;
  const auto of_day = static_cast<std::int64_t>(seconds - days * 86400);
  const Date date = civil_from_days(static_cast<std::int64_t>(days));
  std::string text = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", date.year, date.month, date.day, of_day / 3600,
                                 of_day / 60 % 60, of_day % 60);
  if (digits > 0) text += fmt::format(".{:0{}}", static_cast<std::int64_t>(fraction), digits);
  return text + " UTC";
}

bool is_system_clock(const TypeNode& clock) {
  const std::string_view name = clock.name();
  return name == "std::chrono::system_clock" || name == "std::chrono::_V2::system_clock";
}

class TimePoint final : public OptionalProvider {
 public:
  // Walked as the duration since its clock's epoch.
  std::optional<Value> held(const Value& value) const override { return member(value, "__d"); }
  std::optional<Presentation> present(const Value& value) const override {
    const Value since_epoch = member(value, "__d");
    auto literal = literal_of(since_epoch);
    if (!literal) return std::nullopt;
    Presentation shown;
    shown.token = std::move(*literal);
    if (is_system_clock(template_type(concrete_of(value), 0).concrete()))
      if (auto count = count_of(since_epoch); count && count->integer)
        if (auto utc = utc_of(*count->integer, period_of(concrete_of(since_epoch)))) shown.comment = std::move(*utc);
    return shown;
  }
};

}  // namespace

void libstdcxx_chrono(std::vector<StandardProvider>& out) {
  static const Duration duration;
  static const TimePoint time_point;
  out.push_back({Library::LibStdCxx, "chrono::duration", &duration});
  out.push_back({Library::LibStdCxx, "chrono::time_point", &time_point});
}

}  // namespace reflect::detail
