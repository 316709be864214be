// SPDX-License-Identifier: MIT
#include "toml_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace benzosim::io::detail {
namespace {

int to_int(toml::source_index i) {
  return i > static_cast<toml::source_index>(std::numeric_limits<int>::max()) ? std::numeric_limits<int>::max()
                                                                              : static_cast<int>(i);
}

bool contains_key(std::initializer_list<std::string_view> allowed, std::string_view key) {
  return std::find(allowed.begin(), allowed.end(), key) != allowed.end();
}

std::string join_quoted(std::initializer_list<std::string_view> items) {
  std::string out;
  for (std::string_view s : items) {
    if (!out.empty()) out += ", ";
    out += '\'';
    out += s;
    out += '\'';
  }
  return out;
}

/// Edit distance counting insertions, deletions, substitutions and swaps of neighbours (optimal string
/// alignment), for "did you mean" hints on misspelt keys.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t w = b.size() + 1;
  std::vector<std::size_t> d((a.size() + 1) * w);
  for (std::size_t i = 0; i <= a.size(); ++i) d[i * w] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t v = std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = std::min(v, d[(i - 2) * w + j - 2] + 1);
      d[i * w + j] = v;
    }
  }
  return d[a.size() * w + b.size()];
}

std::string closest(std::string_view key, std::initializer_list<std::string_view> allowed) {
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (std::string_view a : allowed) {
    const std::size_t d = edit_distance(key, a);
    if (d < best_d) {
      best_d = d;
      best = std::string{a};
    }
  }
  // Only suggest a near miss: at most 2 edits, and fewer than half the key.
  if (best_d == 0 || best_d > 2 || 2 * best_d >= key.size()) return {};
  return best;
}

std::string where_text(const std::string& path) {
  return path.empty() ? "at the top level" : "in '" + path + "'";
}

}  // namespace

std::string unit_suffix(std::string_view unit) {
  std::string out;
  if (unit.empty() || unit == "1") return out;
  out += ' ';
  out += unit;
  return out;
}

location where(const toml::source_region& r) {
  return {to_int(r.begin.line), to_int(r.begin.column)};
}

void fail(const std::string& file, location loc, const std::string& message) {
  throw scenario_error(file, loc.line, loc.column, message);
}

toml::table parse_toml(std::string_view text, const std::string& file) {
  try {
    return toml::parse(text, std::string_view{file});
  } catch (const toml::parse_error& e) {
    std::string d{e.description()};
    if (!d.empty() && d.back() != '.') d += '.';
    fail(file, where(e.source()), "The file is not valid TOML: " + d);
  }
}

void check_schema_version(const toml::table& root, const std::string& file, std::string_view kind, int supported) {
  const std::string hint = "this version of benzosim reads " + std::string{kind} +
                           "s with schema_version = " + std::to_string(supported) + ".";
  const toml::node* n = root.get("schema_version");
  if (n == nullptr) fail(file, {}, "Missing required key 'schema_version' at the top level; " + hint);
  const auto* i = n->as_integer();
  if (i == nullptr) {
    fail(file, where(*n), "schema_version must be an integer, found " + type_name(n->type()) + "; " + hint);
  }
  if (i->get() != supported) {
    fail(file, where(*n), "schema_version = " + std::to_string(i->get()) + " is not supported; " + hint);
  }
}

std::string type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string sentence(std::string msg) {
  if (msg.empty() || msg.back() != '.') msg += '.';
  return msg;
}

std::string show(double v) {
  return fmt::format("{}", v);
}

bool range::contains(double v) const {
  if (!std::isfinite(v)) return false;
  if (lo_open ? !(v > lo) : !(v >= lo)) return false;
  if (hi_open ? !(v < hi) : !(v <= hi)) return false;
  return true;
}

std::string range::describe() const {
  const bool has_lo = std::isfinite(lo);
  const bool has_hi = std::isfinite(hi);
  std::string lo_text = (lo_open ? "> " : ">= ") + show(lo);
  std::string hi_text = (hi_open ? "< " : "<= ") + show(hi);
  if (has_lo && has_hi) return lo_text + " and " + hi_text;
  if (has_lo) return lo_text;
  if (has_hi) return hi_text;
  return "a finite number";
}

range positive() {
  return {0.0, std::numeric_limits<double>::infinity(), true, false};
}
range non_negative() {
  return {0.0, std::numeric_limits<double>::infinity(), false, false};
}
range closed(double lo, double hi) {
  return {lo, hi, false, false};
}
range open_closed(double lo, double hi) {
  return {lo, hi, true, false};
}
range unbounded() {
  return {};
}

table_view::table_view(const toml::table& t, std::string path, std::string file,
                       std::initializer_list<std::string_view> allowed, std::vector<std::string_view> top_keys)
    : table_(&t), path_(std::move(path)), file_(std::move(file)), top_keys_(std::move(top_keys)) {
  if (path_.empty()) top_keys_.assign(allowed.begin(), allowed.end());
  // Report the first unknown key in file order, and name all of them.
  std::vector<std::pair<location, std::string>> unknown;
  for (auto&& [k, v] : t) {
    if (!contains_key(allowed, k.str())) unknown.emplace_back(where(k.source()), std::string{k.str()});
  }
  if (unknown.empty()) return;
  std::sort(unknown.begin(), unknown.end(), [](const auto& a, const auto& b) {
    return std::pair{a.first.line, a.first.column} < std::pair{b.first.line, b.first.column};
  });
  std::string msg = unknown.size() == 1 ? "Unknown key '" : "Unknown keys '";
  for (std::size_t i = 0; i < unknown.size(); ++i) {
    if (i > 0) msg += "', '";
    msg += unknown[i].second;
  }
  msg += "' " + where_text(path_) + ".";
  if (const std::string hint = closest(unknown.front().second, allowed); !hint.empty()) {
    msg += " Did you mean '" + hint + "'?";
  }
  msg += " Allowed keys: " + join_quoted(allowed) + ".";
  const std::string& first = unknown.front().second;
  if (!path_.empty() && std::find(top_keys_.begin(), top_keys_.end(), first) != top_keys_.end()) {
    msg += " '" + first + "' is a top-level key: in TOML every key after a [table] header belongs to that table, so ";
    msg += "write it before the first [table] header.";
  }
  fail(file_, unknown.front().first, msg);
}

location table_view::loc() const {
  if (path_.empty()) return {};  // the document root has no line of its own
  return where(*table_);
}

std::string table_view::key_path(std::string_view key) const {
  if (path_.empty()) return std::string{key};
  return path_ + "." + std::string{key};
}

const toml::node* table_view::find(std::string_view key) const {
  return table_->get(key);
}

const toml::node& table_view::require(std::string_view key) const {
  const toml::node* n = find(key);
  if (n == nullptr) {
    fail(file_, loc(), "Missing required key '" + key_path(key) + (path_.empty() ? "' at the top level." : "'."));
  }
  return *n;
}

location table_view::loc_of(std::string_view key) const {
  const toml::node* n = find(key);
  return n != nullptr ? where(*n) : loc();
}

void table_view::fail_at(std::string_view key, const std::string& message) const {
  fail(file_, loc_of(key), message);
}

void table_view::fail_value(std::string_view key, double value, std::string_view unit, const std::string& rule) const {
  fail_at(key, key_path(key) + " = " + show(value) + unit_suffix(unit) + "; must be " + rule + ".");
}

void table_view::fail_type(std::string_view key, std::string_view expected, const toml::node& found) const {
  fail(file_, where(found),
       key_path(key) + " must be " + std::string{expected} + ", found " + type_name(found.type()) + ".");
}

double table_view::number(std::string_view key) const {
  return number_in(key, unbounded(), "");
}

std::optional<double> table_view::optional_number(std::string_view key) const {
  if (find(key) == nullptr) return std::nullopt;
  return number(key);
}

double table_view::number_in(std::string_view key, const range& r, std::string_view unit) const {
  const toml::node& n = require(key);
  double v = 0.0;
  if (const auto* i = n.as_integer()) {
    v = static_cast<double>(i->get());
  } else if (const auto* f = n.as_floating_point()) {
    v = f->get();
  } else {
    fail_type(key, "a number", n);
  }
  if (!std::isfinite(v)) fail_value(key, v, unit, "a finite number");
  if (!r.contains(v)) fail_value(key, v, unit, r.describe());
  return v;
}

std::optional<double> table_view::optional_number_in(std::string_view key, const range& r,
                                                     std::string_view unit) const {
  if (find(key) == nullptr) return std::nullopt;
  return number_in(key, r, unit);
}

std::int64_t table_view::integer(std::string_view key) const {
  return integer_in(key, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
}

std::optional<std::int64_t> table_view::optional_integer(std::string_view key) const {
  if (find(key) == nullptr) return std::nullopt;
  return integer(key);
}

std::int64_t table_view::integer_in(std::string_view key, std::int64_t lo, std::int64_t hi) const {
  const toml::node& n = require(key);
  const auto* i = n.as_integer();
  if (i == nullptr) fail_type(key, "an integer", n);
  const std::int64_t v = i->get();
  if (v < lo || v > hi) {
    std::string rule;
    if (hi == std::numeric_limits<std::int64_t>::max()) {
      rule = "an integer >= " + std::to_string(lo);
    } else {
      rule = "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    }
    fail_at(key, key_path(key) + " = " + std::to_string(v) + "; must be " + rule + ".");
  }
  return v;
}

std::optional<std::int64_t> table_view::optional_integer_in(std::string_view key, std::int64_t lo,
                                                            std::int64_t hi) const {
  if (find(key) == nullptr) return std::nullopt;
  return integer_in(key, lo, hi);
}

std::string table_view::string(std::string_view key) const {
  const toml::node& n = require(key);
  const auto* s = n.as_string();
  if (s == nullptr) fail_type(key, "a string", n);
  return s->get();
}

std::optional<std::string> table_view::optional_string(std::string_view key) const {
  if (find(key) == nullptr) return std::nullopt;
  return string(key);
}

std::string table_view::choice(std::string_view key, std::initializer_list<std::string_view> choices) const {
  std::string s = string(key);
  if (!contains_key(choices, s)) {
    fail_at(key, key_path(key) + " = \"" + s + "\" is not allowed; must be one of " + join_quoted(choices) + ".");
  }
  return s;
}

std::optional<bool> table_view::optional_boolean(std::string_view key) const {
  const toml::node* n = find(key);
  if (n == nullptr) return std::nullopt;
  const auto* b = n->as_boolean();
  if (b == nullptr) fail_type(key, "a boolean (true or false)", *n);
  return b->get();
}

table_view table_view::subtable(std::string_view key, std::initializer_list<std::string_view> allowed) const {
  const toml::node& n = require(key);
  const auto* t = n.as_table();
  if (t == nullptr) fail_type(key, "a table", n);
  return {*t, key_path(key), file_, allowed, top_keys_};
}

std::optional<table_view> table_view::optional_subtable(std::string_view key,
                                                        std::initializer_list<std::string_view> allowed) const {
  if (find(key) == nullptr) return std::nullopt;
  return subtable(key, allowed);
}

std::vector<table_view> table_view::table_array(std::string_view key,
                                                std::initializer_list<std::string_view> allowed) const {
  const toml::node& n = require(key);
  const auto* a = n.as_array();
  if (a == nullptr) fail_type(key, "an array of tables ([[" + key_path(key) + "]])", n);
  if (a->empty()) fail_at(key, key_path(key) + " must contain at least one table.");
  std::vector<table_view> out;
  out.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    const std::string name = key_path(key) + "[" + std::to_string(i + 1) + "]";
    const auto* t = e.as_table();
    if (t == nullptr) fail(file_, where(e), name + " must be a table, found " + type_name(e.type()) + ".");
    out.emplace_back(*t, name, file_, allowed, top_keys_);
  }
  return out;
}

std::vector<std::string> table_view::string_array(std::string_view key) const {
  const toml::node& n = require(key);
  const auto* a = n.as_array();
  if (a == nullptr) fail_type(key, "an array of strings", n);
  std::vector<std::string> out;
  out.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    const auto* s = e.as_string();
    if (s == nullptr) {
      fail(file_, where(e),
           key_path(key) + "[" + std::to_string(i + 1) + "] must be a string, found " + type_name(e.type()) + ".");
    }
    out.push_back(s->get());
  }
  return out;
}

}  // namespace benzosim::io::detail
