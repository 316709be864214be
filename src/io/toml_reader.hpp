// SPDX-License-Identifier: MIT
/// Private helpers for reading TOML documents into structs: a view of one table that rejects unknown keys,
/// reads typed values and reports every problem as a scenario_error with the file, line and key path.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include <benzosim/core/error.hpp>

namespace benzosim::io::detail {

/// A place in a file; 0 means unknown.
struct location {
  int line = 0;
  int column = 0;
};

location where(const toml::source_region& r);
inline location where(const toml::node& n) {
  return where(n.source());
}

/// Throws scenario_error(file, loc, message).
[[noreturn]] void fail(const std::string& file, location loc, const std::string& message);

/// Parses TOML text; a syntax error becomes a scenario_error at the reported position.
toml::table parse_toml(std::string_view text, const std::string& file);

/// Checks the top-level schema_version before anything else (so that a file written for another version
/// is reported as such rather than as unknown keys). kind is "scenario file" or "drug file".
void check_schema_version(const toml::table& root, const std::string& file, std::string_view kind, int supported);

/// "an integer", "a string", ... for messages.
std::string type_name(toml::node_type t);

/// msg as a sentence: ends with a full stop.
std::string sentence(std::string msg);

/// " mg" for a unit, "" for none ("" or "1").
std::string unit_suffix(std::string_view unit);

/// Formats a number for messages (shortest exact representation).
std::string show(double v);

/// An allowed interval of values, e.g. "> 0 and <= 100".
struct range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;

  bool contains(double v) const;
  std::string describe() const;
};
range positive();                         ///< > 0
range non_negative();                     ///< >= 0
range closed(double lo, double hi);       ///< [lo, hi]
range open_closed(double lo, double hi);  ///< (lo, hi]
range unbounded();                        ///< any finite number

/// One TOML table at a key path ("" for the document root, "pk", "dosing[2]"). Construction rejects keys
/// that are not in `allowed`. Getters throw scenario_error naming the key path, the line and the rule.
class table_view {
 public:
  /// top_keys are the keys allowed at the document root (taken from `allowed` when path is empty); an unknown
  /// key deeper down that is one of them gets a hint about TOML's table scoping.
  table_view(const toml::table& t, std::string path, std::string file, std::initializer_list<std::string_view> allowed,
             std::vector<std::string_view> top_keys = {});

  const toml::table& table() const { return *table_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  location loc() const;

  /// "pk.cl" for key "cl" in table "pk"; "cl" at the root.
  std::string key_path(std::string_view key) const;
  /// The node of a key, or nullptr.
  const toml::node* find(std::string_view key) const;
  /// The node of a key; throws if the key is missing (located at this table).
  const toml::node& require(std::string_view key) const;
  /// Location of a key (its value) or of the table if the key is absent.
  location loc_of(std::string_view key) const;

  /// A number (TOML integer or float), finite.
  double number(std::string_view key) const;
  std::optional<double> optional_number(std::string_view key) const;
  /// A number that must lie in r; unit is used in messages ("" or "1" for none).
  double number_in(std::string_view key, const range& r, std::string_view unit) const;
  std::optional<double> optional_number_in(std::string_view key, const range& r, std::string_view unit) const;

  std::int64_t integer(std::string_view key) const;
  std::optional<std::int64_t> optional_integer(std::string_view key) const;
  std::int64_t integer_in(std::string_view key, std::int64_t lo, std::int64_t hi) const;
  std::optional<std::int64_t> optional_integer_in(std::string_view key, std::int64_t lo, std::int64_t hi) const;

  std::string string(std::string_view key) const;
  std::optional<std::string> optional_string(std::string_view key) const;
  /// A string that must be one of choices.
  std::string choice(std::string_view key, std::initializer_list<std::string_view> choices) const;

  std::optional<bool> optional_boolean(std::string_view key) const;

  /// A sub-table, checked against its allowed keys.
  table_view subtable(std::string_view key, std::initializer_list<std::string_view> allowed) const;
  std::optional<table_view> optional_subtable(std::string_view key,
                                              std::initializer_list<std::string_view> allowed) const;
  /// An array of tables ([[key]] or [{...}, ...]); each element is checked against allowed. Elements are
  /// named key[1], key[2], ... (numbered from 1).
  std::vector<table_view> table_array(std::string_view key, std::initializer_list<std::string_view> allowed) const;
  /// An array of strings.
  std::vector<std::string> string_array(std::string_view key) const;

  /// Throws a scenario_error located at the key (or this table if absent).
  [[noreturn]] void fail_at(std::string_view key, const std::string& message) const;
  /// Throws "<path> = <value> <unit>; must be <rule>." at the key.
  [[noreturn]] void fail_value(std::string_view key, double value, std::string_view unit,
                               const std::string& rule) const;
  [[noreturn]] void fail_type(std::string_view key, std::string_view expected, const toml::node& found) const;

 private:
  const toml::table* table_;
  std::string path_;
  std::string file_;
  std::vector<std::string_view> top_keys_;  // views of string literals
};

}  // namespace benzosim::io::detail
