#include "json_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>

namespace reflect_test {
namespace {

using nlohmann::json;

// Floats with no fraction become integers, in place, so that 2.0 and 2 spell alike (they
// compared equal as nlohmann::json values, which the tests compared before).
void integral_floats_to_integers(json& value) {
  if (value.is_structured()) {
    for (json& element : value) integral_floats_to_integers(element);
    return;
  }
  if (!value.is_number_float()) return;
  const double number = value.get<double>();
  if (std::isfinite(number) && std::trunc(number) == number && !(number == 0 && std::signbit(number)) &&
      std::abs(number) < 9.007199254740992e15)
    value = static_cast<std::int64_t>(number);
}

// One spelling for every value; text that is not UTF-8 (only json_string can be given such)
// gets U+FFFD in place of its bad bytes instead of an exception.
std::string spelled(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

std::optional<json> parse(std::string_view text) {
  json value = json::parse(text, nullptr, false);
  if (value.is_discarded()) return std::nullopt;
  integral_floats_to_integers(value);
  return value;
}

std::string not_json(std::string_view text) {
  try {
    const json ignored = json::parse(text);
  } catch (const json::exception& e) {
    return fmt::format("<not JSON ({}): {}>", e.what(), text);
  }
  return fmt::format("<not JSON: {}>", text);
}

std::optional<json> value_at(std::string_view document, std::string_view pointer) {
  std::optional<json> value = parse(document);
  if (!value) return std::nullopt;
  try {
    const json::json_pointer where{std::string(pointer)};
    if (!value->contains(where)) return std::nullopt;
    return value->at(where);
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::string canonical_json(std::string_view text) {
  const std::optional<json> value = parse(text);
  return value ? spelled(*value) : not_json(text);
}

bool is_json(std::string_view text) { return json::accept(text); }

std::string json_at(std::string_view document, std::string_view pointer) {
  const std::optional<json> value = value_at(document, pointer);
  return value ? spelled(*value) : fmt::format("<no {} in: {}>", pointer, document);
}

std::optional<std::size_t> json_size(std::string_view document, std::string_view pointer) {
  const std::optional<json> value = value_at(document, pointer);
  if (!value || !value->is_structured()) return std::nullopt;
  return value->size();
}

std::optional<std::string> json_string_at(std::string_view document, std::string_view pointer) {
  const std::optional<json> value = value_at(document, pointer);
  if (!value || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

std::string json_string(std::string_view text) { return spelled(json(std::string(text))); }

}  // namespace reflect_test
