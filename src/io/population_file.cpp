// SPDX-License-Identifier: MIT
// The [population] section of scenario files. Reference: docs/file-formats.md#population.
#include <benzosim/io/population_file.hpp>

#include <array>
#include <cctype>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <benzosim/core/error.hpp>
#include <benzosim/io/scenario_file.hpp>
#include <benzosim/pk/variability.hpp>

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

pk::covariate_distribution read_covariates(const table_view& pop) {
  pk::covariate_distribution d = pk::adult_outpatient_population();
  const std::optional<table_view> t =
      pop.optional_subtable("covariates", {"weight_mean_kg", "weight_cv_pct", "weight_min_kg", "weight_max_kg",
                                           "age_min_y", "age_max_y", "fraction_male", "fraction_one_inducer",
                                           "fraction_two_plus_inducers", "fraction_cyp3a4_inhibitor"});
  if (!t) return d;
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
  return d;
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

std::optional<clinical::population_model> read_population(const toml::table& doc, const std::string& source_name) {
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
  m.covariates = read_covariates(pop);
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
  out.population = detail::read_population(doc, source_name);
  return out;
}

loaded_scenario load_scenario_with_population(const std::filesystem::path& file) {
  const detail::file_text f = detail::read_text_file(file);
  if (!f.problem.empty()) throw scenario_error(file.string(), 0, 0, sentence(capitalised(f.problem)));
  return parse_scenario_with_population(f.text, file.string(), file.parent_path());
}

}  // namespace benzosim::io
