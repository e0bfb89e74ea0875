#include "maps.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

namespace reflect::dwarf {

namespace {

// A hexadecimal number at the start of `text`, which moves past it; nullopt without digits.
std::optional<std::uint64_t> hex(std::string_view& text) {
  std::uint64_t value = 0;
  std::size_t i = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    unsigned digit = 0;
    if (c >= '0' && c <= '9') digit = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') digit = static_cast<unsigned>(c - 'a' + 10);
    else break;
    if (value >> 60) return std::nullopt;  // more than 64 bits
    value = value << 4 | digit;
  }
  if (i == 0) return std::nullopt;
  text.remove_prefix(i);
  return value;
}

// Moves past one field and the spaces after it; false when there is none.
bool skip_field(std::string_view& text) {
  const std::size_t end = text.find(' ');
  if (end == 0 || end == std::string_view::npos) return false;
  text.remove_prefix(end);
  const std::size_t next = text.find_first_not_of(' ');
  text.remove_prefix(next == std::string_view::npos ? text.size() : next);
  return true;
}

}  // namespace

// `begin-end perms offset dev inode   path`, e.g.
// `7f2c1a000000-7f2c1a021000 r-xp 00002000 fd:01 1234   /usr/lib/x86_64-linux-gnu/libc.so.6`
std::optional<Mapping> parse_maps_line(std::string_view line) {
  Mapping m;
  const auto begin = hex(line);
  if (!begin || line.empty() || line.front() != '-') return std::nullopt;
  line.remove_prefix(1);
  const auto end = hex(line);
  if (!end || *end < *begin || line.size() < 6 || line.front() != ' ') return std::nullopt;
  line.remove_prefix(1);
  const std::string_view perms = line.substr(0, 4);
  m.readable = perms[0] == 'r';
  m.writable = perms[1] == 'w';
  m.executable = perms[2] == 'x';
  m.shared = perms[3] == 's';
  if (!skip_field(line)) return std::nullopt;
  const auto offset = hex(line);
  if (!offset || line.empty() || line.front() != ' ') return std::nullopt;
  line.remove_prefix(1);
  if (!skip_field(line)) return std::nullopt;  // device
  // The inode is the last field before the path, which may be absent or hold spaces.
  const std::size_t inode_end = line.find(' ');
  if (inode_end != std::string_view::npos) {
    line.remove_prefix(inode_end);
    const std::size_t path = line.find_first_not_of(' ');
    m.path = path == std::string_view::npos ? std::string() : std::string(line.substr(path));
  }
  m.begin = *begin;
  m.end = *end;
  m.offset = *offset;
  return m;
}

std::optional<std::vector<Mapping>> read_maps(pid_t pid) {
  const std::string file = pid == 0 ? "/proc/self/maps" : "/proc/" + std::to_string(pid) + "/maps";
  std::unique_ptr<FILE, int (*)(FILE*)> maps(std::fopen(file.c_str(), "re"), &std::fclose);
  if (!maps) return std::nullopt;
  std::vector<Mapping> out;
  char* line = nullptr;
  std::size_t capacity = 0;
  for (ssize_t length; (length = getline(&line, &capacity, maps.get())) > 0;) {
    std::string_view text(line, static_cast<std::size_t>(length));
    if (text.back() == '\n') text.remove_suffix(1);
    if (auto m = parse_maps_line(text)) out.push_back(std::move(*m));
  }
  std::free(line);
  if (std::ferror(maps.get())) return std::nullopt;  // e.g. the process exited while it was read
  return out;
}

}  // namespace reflect::dwarf
