// SPDX-License-Identifier: MIT
// The [population] section of scenario files. Reference: docs/file-formats.md#population.
#include <benzosim/io/population_file.hpp>

#include <array>
#include <cctype>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <benzosim/core/error.hpp>
#include <benzosim/io/scenario_file.hpp>
#include <benzosim/pk/variability.hpp>

#include "csv_line.hpp"
#include "nm_common.hpp"
#include "scenario_document.hpp"
#include "text_file.hpp"
#include "toml_reader.hpp"

namespace benzosim::io {
namespace {

using detail::sentence;
using detail::table_view;

struct named_parameter {
  std::string_view key;
  pk::pk_parameter parameter;
};

// The drug-file keys (pk::to_string), in two_compartment_oral field order, which is also the order of the etas:
// a file's key order never changes the random draws.
constexpr std::array<named_parameter, 7> parameters{{{"ka", pk::pk_parameter::ka},
                                                     {"cl", pk::pk_parameter::cl},
                                                     {"v1", pk::pk_parameter::v1},
                                                     {"q", pk::pk_parameter::q},
                                                     {"v2", pk::pk_parameter::v2},
                                                     {"f", pk::pk_parameter::f},
                                                     {"tlag", pk::pk_parameter::tlag}}};

constexpr double max_cv_pct = 1000.0;  // [%] the limit of pk::variance_from_cv
constexpr double max_rse_pct = 200.0;  // [%] the limit of pk::theta_uncertainty

std::string parameter_list() {
  std::string out;
  for (const named_parameter& p : parameters) {
    if (!out.empty()) out += ", ";
    out += '\'';
    out += p.key;
    out += '\'';
  }
  return out;
}

std::optional<pk::pk_parameter> find_parameter(std::string_view key) {
  for (const named_parameter& p : parameters) {
    if (p.key == key) return p.parameter;
  }
  return std::nullopt;
}

std::string lower(std::string_view s) {
  std::string out{s};
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string capitalised(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

/// A hint for a name that is not a parameter but looks like one written the NONMEM way ("CL", "V3"), else "".
std::string case_hint(std::string_view name) {
  static const std::string volumes =
      "v1 is the central volume and v2 the peripheral one (NONMEM's ADVAN4 calls them V2 and V3)";
  const std::string l = lower(name);
  if (l == "v3") return " The volumes are named as in the drug file: " + volumes + ".";
  if (l == name || !find_parameter(l)) return {};
  std::string hint = " Parameter names are the drug-file keys, in lower case: write '" + l + "'";
  if (l == "v1" || l == "v2") hint += "; " + volumes;
  return hint + ".";
}

/// A table of parameter keys (variability, uncertainty): a NONMEM-style key ("CL", "V3") gets a hint before the
/// generic unknown-key message (which could not suggest 'cl': the edit distance of short keys is too large).
void reject_wrong_case(const table_view& parent, std::string_view key) {
  const toml::node* n = parent.find(key);
  if (n == nullptr || !n->is_table()) return;
  for (auto&& [k, v] : *n->as_table()) {
    if (const std::string hint = case_hint(k.str()); !hint.empty()) {
      detail::fail(parent.file(), detail::where(k.source()),
                   "Unknown key '" + std::string{k.str()} + "' in '" + parent.key_path(key) + "'." + hint +
                       " Allowed keys: " + parameter_list() + ".");
    }
  }
}

/// The parameters of [population.variability], in eta order.
struct variability {
  std::vector<std::string> names;  // "cl": the drug-file keys, which are also the omega's names
  std::vector<double> cv_pct;      // [%]

  [[nodiscard]] bool has(std::string_view key) const {
    for (const std::string& n : names) {
      if (n == key) return true;
    }
    return false;
  }
};

variability read_variability(const table_view& pop) {
  reject_wrong_case(pop, "variability");
  const table_view t = pop.subtable("variability", {"ka", "cl", "v1", "q", "v2", "f", "tlag"});
  variability v;
  for (const named_parameter& p : parameters) {
    if (t.find(p.key) == nullptr) continue;
    v.names.emplace_back(p.key);
    v.cv_pct.push_back(t.number_in(p.key, detail::closed(0.0, max_cv_pct), "%"));
  }
  return v;
}

struct correlation {
  table_view table;
  pk::eta_correlation value;
};

std::vector<correlation> read_correlations(const table_view& pop, const variability& var) {
  std::vector<correlation> out;
  if (pop.find("correlation") == nullptr) return out;
  for (const table_view& t : pop.table_array("correlation", {"between", "rho"})) {
    const std::vector<std::string> between = t.string_array("between");
    const std::string between_path = t.key_path("between");
    if (between.size() != 2) {
      t.fail_at("between",
                between_path + " must name exactly two parameters, found " + std::to_string(between.size()) + ".");
    }
    for (const std::string& name : between) {
      if (!find_parameter(name)) {
        t.fail_at("between", between_path + " names '" + name + "', which is not a parameter; must be one of " +
                                 parameter_list() + "." + case_hint(name));
      }
      if (!var.has(name)) {
        t.fail_at("between", between_path + " names '" + name + "', which has no CV in [population.variability]; add " +
                                 name + " = <CV %> there, or remove this correlation.");
      }
    }
    if (between[0] == between[1]) {
      t.fail_at("between",
                between_path + " names '" + between[0] + "' twice; a correlation is between two parameters.");
    }
    for (const correlation& c : out) {
      const bool same = (c.value.first == between[0] && c.value.second == between[1]) ||
                        (c.value.first == between[1] && c.value.second == between[0]);
      if (same) {
        t.fail_at("between", between_path + " correlates '" + between[0] + "' and '" + between[1] + "', which " +
                                 c.table.path() + " already correlates; give each pair once.");
      }
    }
    const double rho = t.number_in("rho", detail::range{-1.0, 1.0, true, true}, "");
    out.push_back({t, {between[0], between[1], rho}});
  }
  return out;
}

/// OMEGA from the CVs and correlations. The correlations are added one at a time, so that a set that is not
/// positive semi-definite is reported at the correlation that makes it so.
pk::omega build_omega(const table_view& pop, const variability& var, const std::vector<correlation>& corr,
                      pk::cv_convention convention) {
  std::vector<pk::eta_correlation> values;
  values.reserve(corr.size());
  for (const correlation& c : corr) values.push_back(c.value);
  pk::omega om;
  for (std::size_t k = 0; k <= values.size(); ++k) {
    try {
      om = pk::omega_from_cv(var.names, var.cv_pct, std::span<const pk::eta_correlation>{values}.first(k), convention);
    } catch (const error& e) {
      if (k == 0) pop.fail_at("variability", "population.variability: " + sentence(e.what()));
      const correlation& c = corr[k - 1];
      c.table.fail_at("rho", c.table.path() + " (" + c.value.first + ", " + c.value.second +
                                 ", rho = " + detail::show(c.value.rho) +
                                 "): with the correlations up to this one the correlation matrix is not positive "
                                 "semi-definite, so no population can have it (" +
                                 std::string{e.what()} + "). Make |rho| smaller here or in the other correlations.");
    }
  }
  return om;
}

/// A cross-field rule broken by (a, b): reported at b if the file gives it, else at a, else at the table.
[[noreturn]] void fail_pair(const table_view& t, std::string_view a, std::string_view b, const std::string& message) {
  t.fail_at(t.find(b) != nullptr ? b : a, message);
}

// --- The CSV of real subjects ([population.covariates] file) -------------------------------------------

enum class csv_column { id, weight_kg, age_y, sex, inducing_aeds, cyp3a4_inhibitor };

struct csv_column_name {
  std::string_view name;
  csv_column column;
};

constexpr std::array<csv_column_name, 6> csv_columns{{{"id", csv_column::id},
                                                      {"weight_kg", csv_column::weight_kg},
                                                      {"age_y", csv_column::age_y},
                                                      {"sex", csv_column::sex},
                                                      {"inducing_aeds", csv_column::inducing_aeds},
                                                      {"cyp3a4_inhibitor", csv_column::cyp3a4_inhibitor}}};

constexpr std::string_view csv_column_list =
    "weight_kg (required), id, age_y, sex, inducing_aeds and cyp3a4_inhibitor (optional)";

int csv_int(std::size_t v) {
  return v > static_cast<std::size_t>(std::numeric_limits<int>::max()) ? std::numeric_limits<int>::max()
                                                                       : static_cast<int>(v);
}

/// The reader of one covariate CSV: the header fixes which column holds what; each row is one subject.
class covariate_csv_reader {
 public:
  covariate_csv_reader(std::string file, pk::covariate_draw draw) : file_(std::move(file)) {
    table_.source = file_;
    table_.draw = draw;
  }

  void read_header(const std::vector<detail::csv_cell>& cells, std::size_t line_no) {
    header_line_ = line_no;
    for (std::size_t j = 0; j < cells.size(); ++j) {
      const detail::csv_cell& c = cells[j];
      if (c.text.empty()) {
        fail(line_no, c.column,
             "Column " + std::to_string(j + 1) + " of the header has no name; the columns are " +
                 std::string{csv_column_list});
      }
      const csv_column_name* known = nullptr;
      for (const csv_column_name& k : csv_columns) {
        if (detail::iequals(k.name, c.text)) known = &k;
      }
      if (known == nullptr) {
        fail(line_no, c.column,
             "Unknown column '" + c.text + "' in the header; the columns are " + std::string{csv_column_list} +
                 column_hint(c.text));
      }
      for (std::size_t k = 0; k < j; ++k) {
        if (detail::iequals(cells[k].text, c.text)) {
          fail(line_no, c.column,
               "The column '" + std::string{known->name} + "' appears twice in the header (columns " +
                   std::to_string(k + 1) + " and " + std::to_string(j + 1) + "; names are case-insensitive)");
        }
      }
      columns_.push_back(known->column);
      names_.emplace_back(known->name);
    }
    if (index_of(csv_column::weight_kg) == absent) {
      fail(line_no, 1,
           "The header has no weight_kg column (required: the body weight in kg of every subject; header: " +
               detail::join(names_) + ")");
    }
  }

  void read_row(const std::vector<detail::csv_cell>& cells, std::size_t line_no, std::size_t line_length) {
    cells_ = &cells;
    line_ = line_no;
    const std::size_t n = columns_.size();
    if (cells.size() != n) {
      // Too many: at the first extra field; too few: just past the end of the line, where the next one is due.
      const int col = cells.size() > n ? cells[n].column : csv_int(line_length + 1);
      fail(line_no, col,
           "The row has " + std::to_string(cells.size()) + " fields but the header (line " +
               std::to_string(header_line_) + ") has " + std::to_string(n) + " columns");
    }
    pk::covariate_row r;
    r.covariates = {0.0, covariate_csv_default_age_y, covariate_csv_default_sex, covariate_csv_default_inducing_aeds,
                    covariate_csv_default_cyp3a4_inhibitor};
    for (std::size_t j = 0; j < n; ++j) {
      switch (columns_[j]) {
        case csv_column::id:
          r.id = read_id(j);
          break;
        case csv_column::weight_kg:
          r.covariates.weight_kg = number(j, detail::closed(1.0, 400.0), "kg", "every subject needs a weight");
          break;
        case csv_column::age_y:
          r.covariates.age_y = number(j, detail::closed(0.0, 120.0), "years",
                                      optional_rule("age_y", "aged " + detail::show(covariate_csv_default_age_y)));
          break;
        case csv_column::sex:
          r.covariates.sex = read_sex(j);
          break;
        case csv_column::inducing_aeds:
          r.covariates.inducing_aeds = read_inducers(j);
          break;
        case csv_column::cyp3a4_inhibitor:
          r.covariates.cyp3a4_inhibitor = read_flag(j);
          break;
      }
    }
    table_.rows.push_back(std::move(r));
  }

  pk::covariate_table finish(std::size_t last_line) {
    if (header_line_ == 0) {
      fail(last_line == 0 ? 1 : last_line, 1,
           "The file has no header line (expected column names: " + std::string{csv_column_list} +
               ", e.g. id,weight_kg,age_y,sex)");
    }
    if (table_.rows.empty()) fail(header_line_, 1, "The file has a header but no subjects (no data rows)");
    return std::move(table_);
  }

 private:
  static constexpr std::size_t absent = std::numeric_limits<std::size_t>::max();

  [[noreturn]] void fail(std::size_t line, int column, const std::string& message) const {
    // A message ending in a question (a "did you mean") keeps its question mark.
    throw scenario_error(file_, csv_int(line), column,
                         !message.empty() && message.back() == '?' ? message : sentence(message));
  }

  /// ". Did you mean 'weight_kg'?" for a name that starts a column name ("weight", "age", "CYP3A4"), else "".
  static std::string column_hint(std::string_view name) {
    const std::string l = lower(name);
    if (l.empty()) return {};
    for (const csv_column_name& k : csv_columns) {
      if (k.name.substr(0, l.size()) == l) return ". Did you mean '" + std::string{k.name} + "'?";
    }
    return {};
  }

  /// The rule for an empty cell in an optional column.
  static std::string optional_rule(std::string_view column, std::string_view default_text) {
    return "give every subject a value, or leave out the column " + std::string{column} + " (then every subject is " +
           std::string{default_text} + ")";
  }

  std::size_t index_of(csv_column c) const {
    for (std::size_t j = 0; j < columns_.size(); ++j) {
      if (columns_[j] == c) return j;
    }
    return absent;
  }

  const detail::csv_cell& cell(std::size_t j) const { return (*cells_)[j]; }

  /// "Column X = <text>" (numbers as written, other text quoted).
  std::string shown(std::size_t j, bool quote) const {
    const std::string& t = cell(j).text;
    return "Column " + names_[j] + " = " + (quote ? "\"" + t + "\"" : t);
  }

  [[noreturn]] void fail_cell(std::size_t j, const std::string& message) const { fail(line_, cell(j).column, message); }

  [[noreturn]] void fail_empty(std::size_t j, const std::string& rule) const {
    fail_cell(j, "Column " + names_[j] + " is empty; " + rule);
  }

  double number(std::size_t j, const detail::range& r, std::string_view unit, const std::string& empty_rule) const {
    const detail::parsed_number p = detail::parse_number(cell(j).text);
    switch (p.status) {
      case detail::number_status::ok:
        break;
      case detail::number_status::missing:
        fail_empty(j, empty_rule);
      case detail::number_status::not_a_number:
        fail_cell(j, shown(j, true) + " is not a number");
      case detail::number_status::not_finite:
        fail_cell(j, shown(j, false) + " is not a finite number");
    }
    if (!r.contains(p.value)) {
      fail_cell(j, shown(j, false) + detail::unit_suffix(unit) + "; must be " + r.describe());
    }
    return p.value;
  }

  std::string read_id(std::size_t j) {
    const std::string& id = cell(j).text;
    if (id.empty()) {
      fail_empty(j, "the column id is optional, but when it is given every subject needs an id");
    }
    if (const auto [it, added] = ids_.emplace(id, line_); !added) {
      fail_cell(j, "The id " + id + " appears twice (lines " + std::to_string(it->second) + " and " +
                       std::to_string(line_) + "); every subject needs its own id");
    }
    return id;
  }

  pk::biological_sex read_sex(std::size_t j) const {
    const std::string l = lower(cell(j).text);
    if (l.empty()) fail_empty(j, optional_rule("sex", "female"));
    if (l == "female" || l == "f") return pk::biological_sex::female;
    if (l == "male" || l == "m") return pk::biological_sex::male;
    fail_cell(j, shown(j, true) + " is not a sex; must be female, male, F or M (any case)");
  }

  int read_inducers(std::size_t j) const {
    const std::string rule =
        "must be 0, 1 or 2 (the number of co-medicated enzyme-inducing antiepileptic drugs; 2 "
        "means two or more)";
    const detail::parsed_number p = detail::parse_number(cell(j).text);
    if (p.status == detail::number_status::missing) fail_empty(j, optional_rule("inducing_aeds", "without one"));
    if (p.status != detail::number_status::ok) fail_cell(j, shown(j, true) + " is not a number; " + rule);
    if (!(p.value == 0.0 || p.value == 1.0 || p.value == 2.0)) fail_cell(j, shown(j, false) + "; " + rule);
    return static_cast<int>(p.value);
  }

  bool read_flag(std::size_t j) const {
    const std::string l = lower(cell(j).text);
    if (l.empty()) fail_empty(j, optional_rule("cyp3a4_inhibitor", "without one"));
    if (l == "1" || l == "true") return true;
    if (l == "0" || l == "false") return false;
    fail_cell(j, shown(j, true) + "; must be 1 or true (takes a CYP3A4 inhibitor), 0 or false (does not)");
  }

  std::string file_;
  pk::covariate_table table_;
  std::vector<csv_column> columns_;  // the meaning of each header column
  std::vector<std::string> names_;   // the canonical name of each header column
  std::size_t header_line_ = 0;
  const std::vector<detail::csv_cell>* cells_ = nullptr;
  std::size_t line_ = 0;
  std::unordered_map<std::string, std::size_t> ids_;  // id -> line
};

// The keys of the virtual-population distribution in [population.covariates].
constexpr std::array<std::string_view, 10> distribution_keys{"weight_mean_kg",
                                                             "weight_cv_pct",
                                                             "weight_min_kg",
                                                             "weight_max_kg",
                                                             "age_min_y",
                                                             "age_max_y",
                                                             "fraction_male",
                                                             "fraction_one_inducer",
                                                             "fraction_two_plus_inducers",
                                                             "fraction_cyp3a4_inhibitor"};

/// [population.covariates] with file = "...": the subjects of a CSV file, relative to the scenario's directory.
pk::covariate_table read_covariate_file(const table_view& t, const std::filesystem::path& base_dir) {
  for (const std::string_view key : distribution_keys) {
    if (t.find(key) != nullptr) {
      t.fail_at(key, t.key_path("file") + " and " + t.key_path(key) +
                         " cannot be combined: with a file the covariates are the subjects' own, not drawn from a "
                         "distribution. Remove " +
                         std::string{key} + " (or file).");
    }
  }
  const std::string rel = t.string("file");
  if (rel.empty()) t.fail_at("file", t.key_path("file") + " must not be empty.");
  const pk::covariate_draw draw = t.find("draw") != nullptr
                                      ? pk::parse_covariate_draw(t.choice("draw", {"in_order", "resample"}))
                                      : pk::covariate_draw::in_order;
  const std::filesystem::path path = (base_dir / std::filesystem::path{rel}).lexically_normal();
  const detail::file_text f = detail::read_text_file(path);
  if (!f.problem.empty()) {
    t.fail_at("file", t.key_path("file") + " = \"" + rel + "\": " + f.problem + " (looked for '" + path.string() +
                          "'; a relative path is relative to the scenario file's directory).");
  }
  try {
    return parse_covariate_csv(f.text, path.string(), draw);
  } catch (const scenario_error& e) {
    // Located in the CSV; say which scenario key brought it in, for a user who did not know it was read.
    const detail::location at = t.loc_of("file");
    throw scenario_error(e.file, e.line, e.column,
                         std::string{e.what()} + " The file is read as " + t.key_path("file") + " of " + t.file() +
                             ", line " + std::to_string(at.line) + ".");
  }
}

/// Where the virtual patients' covariates come from: the distribution, or (if set) the table of a CSV file.
struct covariate_source {
  pk::covariate_distribution distribution;
  std::optional<pk::covariate_table> table;
};

covariate_source read_covariates(const table_view& pop, const std::filesystem::path& base_dir) {
  covariate_source out{pk::adult_outpatient_population(), std::nullopt};
  pk::covariate_distribution& d = out.distribution;
  const std::optional<table_view> t =
      pop.optional_subtable("covariates", {"weight_mean_kg", "weight_cv_pct", "weight_min_kg", "weight_max_kg",
                                           "age_min_y", "age_max_y", "fraction_male", "fraction_one_inducer",
                                           "fraction_two_plus_inducers", "fraction_cyp3a4_inhibitor", "file", "draw"});
  if (!t) return out;
  if (t->find("file") != nullptr) {
    out.table = read_covariate_file(*t, base_dir);
    return out;
  }
  if (t->find("draw") != nullptr) {
    t->fail_at("draw", t->key_path("draw") + " says how the patients take the rows of a covariate file; it needs " +
                           t->key_path("file") + " = \"subjects.csv\" (or remove draw).");
  }
  const detail::range weight = detail::closed(1.0, 400.0);
  const detail::range age = detail::closed(0.0, 120.0);
  const detail::range fraction = detail::closed(0.0, 1.0);
  const auto set = [&](std::string_view key, double& field, const detail::range& r, std::string_view unit,
                       double scale = 1.0) {
    if (const std::optional<double> v = t->optional_number_in(key, r, unit)) field = *v * scale;
  };
  set("weight_mean_kg", d.weight_mean_kg, weight, "kg");
  set("weight_cv_pct", d.weight_cv, detail::closed(0.0, 200.0), "%", 0.01);
  set("weight_min_kg", d.weight_min_kg, weight, "kg");
  set("weight_max_kg", d.weight_max_kg, weight, "kg");
  set("age_min_y", d.age_min_y, age, "years");
  set("age_max_y", d.age_max_y, age, "years");
  set("fraction_male", d.fraction_male, fraction, "");
  set("fraction_one_inducer", d.fraction_one_inducer, fraction, "");
  set("fraction_two_plus_inducers", d.fraction_two_plus_inducers, fraction, "");
  set("fraction_cyp3a4_inhibitor", d.fraction_cyp3a4_inhibitor, fraction, "");
  const std::string p = t->path() + ".";
  if (!(d.weight_min_kg <= d.weight_max_kg)) {
    fail_pair(*t, "weight_min_kg", "weight_max_kg",
              p + "weight_min_kg = " + detail::show(d.weight_min_kg) + " kg must be <= " + p +
                  "weight_max_kg = " + detail::show(d.weight_max_kg) + " kg (unset keys take the defaults).");
  }
  if (!(d.age_min_y <= d.age_max_y)) {
    fail_pair(*t, "age_min_y", "age_max_y",
              p + "age_min_y = " + detail::show(d.age_min_y) + " years must be <= " + p +
                  "age_max_y = " + detail::show(d.age_max_y) + " years (unset keys take the defaults).");
  }
  if (d.fraction_one_inducer + d.fraction_two_plus_inducers > 1.0) {
    fail_pair(*t, "fraction_one_inducer", "fraction_two_plus_inducers",
              p + "fraction_one_inducer + " + p + "fraction_two_plus_inducers = " +
                  detail::show(d.fraction_one_inducer + d.fraction_two_plus_inducers) +
                  "; must be <= 1 (unset keys take the defaults).");
  }
  try {
    d.validate();
  } catch (const error& e) {
    detail::fail(t->file(), t->loc(), t->path() + ": " + sentence(e.what()));
  }
  return out;
}

pk::clonazepam_covariate_params read_covariate_effects(const table_view& pop) {
  pk::clonazepam_covariate_params c = pk::clonazepam_covariate_preset();
  const std::optional<table_view> t = pop.optional_subtable(
      "covariate_effects", {"ref_weight_kg", "allometric_cl", "allometric_v", "inducer_one_factor",
                            "inducer_two_plus_factor", "inducer_two_plus_weight_exponent", "cyp3a4_inhibitor_factor"});
  if (!t) return c;
  const detail::range allometry = detail::closed(0.0, 2.0);
  const detail::range factor = detail::closed(0.01, 100.0);
  const auto set = [&](std::string_view key, double& field, const detail::range& r, std::string_view unit) {
    if (const std::optional<double> v = t->optional_number_in(key, r, unit)) field = *v;
  };
  set("ref_weight_kg", c.ref_weight_kg, detail::closed(1.0, 400.0), "kg");
  set("allometric_cl", c.allometric_cl, allometry, "");
  set("allometric_v", c.allometric_v, allometry, "");
  set("inducer_one_factor", c.inducer_one_factor, factor, "");
  set("inducer_two_plus_factor", c.inducer_two_plus_factor, factor, "");
  set("inducer_two_plus_weight_exponent", c.inducer_two_plus_weight_exponent, detail::closed(-2.0, 2.0), "");
  set("cyp3a4_inhibitor_factor", c.cyp3a4_inhibitor_factor, factor, "");
  try {
    c.validate();
  } catch (const error& e) {
    detail::fail(t->file(), t->loc(), t->path() + ": " + sentence(e.what()));
  }
  return c;
}

std::optional<pk::residual_error> read_residual(const table_view& pop) {
  const std::optional<table_view> t = pop.optional_subtable("residual", {"model", "sd_add", "sd_prop"});
  if (!t) return std::nullopt;
  const std::string model = t->choice("model", {"additive", "proportional", "combined", "combined_sum", "exponential"});
  const pk::residual_kind kind = pk::parse_residual_kind(model);
  const bool uses_add = kind == pk::residual_kind::additive || kind == pk::residual_kind::combined ||
                        kind == pk::residual_kind::combined_sum;
  const bool uses_prop = kind != pk::residual_kind::additive;
  const auto sd = [&](std::string_view key, bool used, std::string_view unit) {
    if (used) return t->number_in(key, detail::non_negative(), unit);
    if (t->find(key) != nullptr) {
      t->fail_at(key, t->key_path(key) + " is not used by " + t->key_path("model") + " = \"" + model +
                          "\"; remove it (a value that would be ignored is an error).");
    }
    return 0.0;
  };
  pk::residual_error r{kind, sd("sd_add", uses_add, "ng/mL"), sd("sd_prop", uses_prop, "")};
  try {
    r.validate();
  } catch (const error& e) {
    t->fail_at("model", t->path() + ": " + sentence(e.what()));
  }
  return r;
}

std::optional<pk::theta_uncertainty> read_uncertainty(const table_view& pop) {
  reject_wrong_case(pop, "uncertainty");
  const std::optional<table_view> t = pop.optional_subtable("uncertainty", {"ka", "cl", "v1", "q", "v2", "f", "tlag"});
  if (!t) return std::nullopt;
  const auto rse = [&](std::string_view key) {
    return t->optional_number_in(key, detail::closed(0.0, max_rse_pct), "%").value_or(0.0);
  };
  pk::theta_uncertainty u{rse("ka"), rse("cl"), rse("v1"), rse("q"), rse("v2"), rse("f"), rse("tlag")};
  try {
    u.validate();
  } catch (const error& e) {
    detail::fail(t->file(), t->loc(), t->path() + ": " + sentence(e.what()));
  }
  return u;
}

}  // namespace

namespace detail {

std::optional<clinical::population_model> read_population(const toml::table& doc, const std::string& source_name,
                                                          const std::filesystem::path& base_dir) {
  if (doc.get("population") == nullptr) return std::nullopt;
  const table_view root = scenario_root(doc, source_name);
  const table_view pop = root.subtable("population", {"cv_convention", "variability", "correlation", "covariates",
                                                      "covariate_effects", "residual", "uncertainty"});
  const pk::cv_convention convention =
      pk::parse_cv_convention(pop.choice("cv_convention", {"exact_lognormal", "sqrt_omega"}));
  const variability var = read_variability(pop);
  const std::vector<correlation> corr = read_correlations(pop, var);

  clinical::population_model m{};
  m.omega = build_omega(pop, var, corr, convention);
  m.etas = pk::eta_map::from_names(m.omega);
  covariate_source covariates = read_covariates(pop, base_dir);
  m.covariates = covariates.distribution;
  m.covariate_table = std::move(covariates.table);
  m.covariate_effects = read_covariate_effects(pop);
  m.residual = read_residual(pop);
  m.uncertainty = read_uncertainty(pop);
  try {
    m.validate();
  } catch (const error& e) {
    fail(source_name, pop.loc(), sentence(std::string{"The population model is invalid: "} + e.what()));
  }
  return m;
}

}  // namespace detail

loaded_scenario parse_scenario_with_population(std::string_view toml_text, const std::string& source_name,
                                               const std::filesystem::path& base_dir) {
  const toml::table doc = detail::parse_toml(toml_text, source_name);
  detail::check_schema_version(doc, source_name, "scenario file", scenario_schema_version);
  loaded_scenario out{detail::read_scenario(doc, source_name, base_dir), std::nullopt};
  out.population = detail::read_population(doc, source_name, base_dir);
  return out;
}

loaded_scenario load_scenario_with_population(const std::filesystem::path& file) {
  const detail::file_text f = detail::read_text_file(file);
  if (!f.problem.empty()) throw scenario_error(file.string(), 0, 0, sentence(capitalised(f.problem)));
  return parse_scenario_with_population(f.text, file.string(), file.parent_path());
}

pk::covariate_table parse_covariate_csv(std::string_view text, const std::string& source_name,
                                        pk::covariate_draw draw) {
  covariate_csv_reader r(source_name, draw);
  bool have_header = false;
  const std::size_t last_line = detail::for_each_line(text, [&](std::string_view line, std::size_t line_no) {
    const std::string_view t = detail::trim(line);
    if (t.empty() || t.front() == '#') return;  // blank lines and comments
    const std::vector<detail::csv_cell> cells = detail::split_csv(line, 0, source_name, line_no);
    if (!have_header) {
      r.read_header(cells, line_no);
      have_header = true;
    } else {
      r.read_row(cells, line_no, line.size());
    }
  });
  return r.finish(last_line);
}

pk::covariate_table load_covariate_csv(const std::filesystem::path& file, pk::covariate_draw draw) {
  const detail::file_text f = detail::read_text_file(file);
  if (!f.problem.empty()) throw scenario_error(file.string(), 0, 0, sentence(capitalised(f.problem)));
  return parse_covariate_csv(f.text, file.string(), draw);
}

}  // namespace benzosim::io
