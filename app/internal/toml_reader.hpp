#pragma once
// A reader over one TOML table that records every problem instead of stopping at the first.
//
// Why: toml++ parses the syntax; the meaning (which keys exist, their types and ranges) is ours.
// Each read marks its key as known, and finish() reports every key nobody read as unknown, so a
// typo in an operator's config ("dialbak = false") is an error with its line, not a silently
// ignored setting.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "app/config.hpp"

namespace fedgate::app::internal {

class toml_reader {
 public:
  toml_reader(const toml::table& table, std::string path, std::vector<config_error>& errors);

  // Each read leaves `out` untouched when the key is absent, and records an error (and leaves it
  // untouched) when the value has the wrong type or range. They return true when a valid value
  // was read.
  bool read(std::string_view key, std::string& out);
  bool read(std::string_view key, bool& out);
  bool read(std::string_view key, std::vector<std::string>& out);
  bool read_integer(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max);

  template <class Int>
  bool read_unsigned(std::string_view key, Int& out, std::int64_t min, std::int64_t max) {
    std::int64_t v = 0;
    if (!read_integer(key, v, min, max)) return false;
    out = static_cast<Int>(v);
    return true;
  }

  template <class Enum>
  bool read_enum(std::string_view key, Enum& out,
                 std::initializer_list<std::pair<std::string_view, Enum>> choices) {
    std::string s;
    if (!read(key, s)) return false;
    for (const auto& [name, value] : choices) {
      if (name == s) {
        out = value;
        return true;
      }
    }
    std::string names;
    for (const auto& [name, value] : choices)
      names += (names.empty() ? "" : ", ") + std::string(name);
    error(key, "expected one of " + names + ", got \"" + s + "\"");
    return false;
  }

  // A nested table; nullopt when absent (or not a table: then an error is recorded).
  std::optional<toml_reader> table(std::string_view key);
  // An array of tables ([[key]]); empty when absent.
  std::vector<toml_reader> tables(std::string_view key);

  // Records an error at the key's position (or the table's when the key is absent).
  void error(std::string_view key, std::string message);
  const std::string& path() const { return path_; }
  std::string key_path(std::string_view key) const;

  // Reports every key that no read asked for. Call once, after all reads.
  void finish();

 private:
  const toml::node* lookup(std::string_view key);
  void type_error(std::string_view key, const toml::node& node, std::string_view expected);

  const toml::table* table_;
  std::string path_;
  std::vector<config_error>* errors_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace fedgate::app::internal
