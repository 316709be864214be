// SPDX-License-Identifier: MIT
// Drug files: every number is an inline table { value, unit, status, source }, checked against the unit the
// model expects. Reference: docs/file-formats.md#drug-file.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <benzosim/core/error.hpp>
#include <benzosim/io/scenario_file.hpp>

#include "embedded_data.hpp"
#include "toml_reader.hpp"

namespace benzosim::io {
namespace {

using detail::range;
using detail::table_view;

/// Reads one documented parameter { value, unit, status, source } and checks its unit and range.
double param(const table_view& t, std::string_view key, std::string_view unit, const range& r) {
  const toml::node& n = t.require(key);
  if (!n.is_table()) t.fail_type(key, "an inline table { value, unit, status, source }", n);
  const table_view p = t.subtable(key, {"value", "unit", "status", "source"});
  const std::string name = t.key_path(key);

  const std::string found_unit = p.string("unit");
  if (found_unit != unit) {
    p.fail_at("unit",
              "Wrong unit for " + name + ": expected unit '" + std::string{unit} + "', found '" + found_unit + "'.");
  }
  p.choice("status", {"measured", "derived", "calibrated", "assumed"});
  const std::string source = p.string("source");
  if (source.find_first_not_of(" \t\r\n") == std::string::npos) {
    p.fail_at("source", p.key_path("source") + " must not be empty: every number needs its source.");
  }
  const double v = p.number_in("value", detail::unbounded(), unit);
  if (!r.contains(v)) {
    std::string msg = name;
    msg += " = ";
    msg += detail::show(v);
    msg += detail::unit_suffix(unit);
    msg += "; must be ";
    msg += r.describe();
    msg += '.';
    p.fail_at("value", msg);
  }
  return v;
}

std::string non_empty_string(const table_view& t, std::string_view key) {
  std::string s = t.string(key);
  if (s.empty()) t.fail_at(key, t.key_path(key) + " must not be empty.");
  return s;
}

/// An optional documented parameter: absent means "not given".
std::optional<double> optional_param(const table_view& t, std::string_view key, std::string_view unit, const range& r) {
  if (t.find(key) == nullptr) return std::nullopt;
  return param(t, key, unit, r);
}

/// The adaptation states of `key` (an array of tables): unique names, weights adding up to <= 1.
std::vector<pd::adaptation_state_params> adaptation_states(const table_view& parent, std::string_view key) {
  std::vector<pd::adaptation_state_params> out;
  double weight_sum = 0.0;
  for (const table_view& s : parent.table_array(key, {"name", "half_life", "weight"})) {
    pd::adaptation_state_params a;
    a.name = non_empty_string(s, "name");
    for (const auto& earlier : out) {
      if (earlier.name == a.name) s.fail_at("name", s.key_path("name") + " = \"" + a.name + "\" is used twice.");
    }
    a.half_life_h = param(s, "half_life", "h", detail::positive());
    a.weight = param(s, "weight", "1", detail::closed(0.0, 1.0));
    weight_sum += a.weight;
    if (weight_sum > 1.0) {
      s.fail_at("weight", "The " + parent.key_path(key) + " weights add up to " + detail::show(weight_sum) + " at " +
                              s.key_path("weight") + "; their sum must be <= 1.");
    }
    out.push_back(std::move(a));
  }
  return out;
}

/// One effect domain: its subtype shares (adding up to 1) and its adaptation states; `adaptation = []`
/// states that the domain has no tolerance.
pd::domain_params effect_domain(const table_view& domains, std::string_view name) {
  const table_view t = domains.subtable(name, {"drive_a1", "drive_a2", "drive_a3", "drive_a5", "adaptation"});
  pd::domain_params d;
  d.name = std::string{name};
  d.drive_weights.a1 = param(t, "drive_a1", "1", detail::closed(0.0, 1.0));
  d.drive_weights.a2 = param(t, "drive_a2", "1", detail::closed(0.0, 1.0));
  d.drive_weights.a3 = param(t, "drive_a3", "1", detail::closed(0.0, 1.0));
  d.drive_weights.a5 = param(t, "drive_a5", "1", detail::closed(0.0, 1.0));
  const double total = d.drive_weights.sum();
  if (std::abs(total - 1.0) > 1e-9) {
    detail::fail(t.file(), t.loc(),
                 "The drive shares of " + t.path() + " (drive_a1 + drive_a2 + drive_a3 + drive_a5) add up to " +
                     detail::show(total) + "; they must add up to 1.");
  }
  const toml::node& states = t.require("adaptation");
  const toml::array* list = states.as_array();
  if (list == nullptr || !list->empty()) d.adaptation = adaptation_states(t, "adaptation");
  return d;
}

}  // namespace

clinical::drug_model parse_drug(std::string_view toml_text, const std::string& source_name) {
  const toml::table doc = detail::parse_toml(toml_text, source_name);
  detail::check_schema_version(doc, source_name, "drug file", scenario_schema_version);
  const table_view root(doc, "", source_name, {"schema_version", "name", "pk", "pd", "clinical", "label", "uncertain"});

  clinical::drug_model d{};
  d.name = non_empty_string(root, "name");

  const table_view pk = root.subtable(
      "pk", {"model", "reference_weight_kg", "allometric_exponent_cl", "f", "ka", "tlag", "cl", "v1", "q", "v2", "fu"});
  pk.choice("model", {"two_compartment_oral"});
  d.reference_weight_kg = param(pk, "reference_weight_kg", "kg", detail::positive());
  d.allometric_exponent_cl = param(pk, "allometric_exponent_cl", "1", detail::closed(0.0, 2.0));
  d.pk.f = param(pk, "f", "1", detail::open_closed(0.0, 1.0));
  d.pk.ka_per_h = param(pk, "ka", "1/h", detail::positive());
  d.pk.tlag_h = param(pk, "tlag", "h", detail::non_negative());
  d.pk.cl_lph = param(pk, "cl", "L/h", detail::positive());
  d.pk.v1_l = param(pk, "v1", "L", detail::positive());
  d.pk.q_lph = param(pk, "q", "L/h", detail::positive());
  d.pk.v2_l = param(pk, "v2", "L", detail::positive());
  d.pk.fu = param(pk, "fu", "1", detail::open_closed(0.0, 1.0));

  const table_view pd = root.subtable("pd", {"binding", "modulation", "adaptation", "cross_tolerance", "domains"});
  // kd_free: the whole-brain Kd and that of every subtype without its own kd_free_aX (a non-selective drug
  // gives only kd_free).
  const table_view binding =
      pd.subtable("binding", {"kd_free", "kd_free_a1", "kd_free_a2", "kd_free_a3", "kd_free_a5"});
  d.pd.binding.kd_free_ngml = param(binding, "kd_free", "ng/mL", detail::positive());
  d.pd.binding.kd_free_a1_ngml = optional_param(binding, "kd_free_a1", "ng/mL", detail::positive());
  d.pd.binding.kd_free_a2_ngml = optional_param(binding, "kd_free_a2", "ng/mL", detail::positive());
  d.pd.binding.kd_free_a3_ngml = optional_param(binding, "kd_free_a3", "ng/mL", detail::positive());
  d.pd.binding.kd_free_a5_ngml = optional_param(binding, "kd_free_a5", "ng/mL", detail::positive());
  const table_view modulation =
      pd.subtable("modulation", {"amplitude_max", "decay_max", "potency_shift_max", "tonic_max"});
  d.pd.modulation.amplitude_max = param(modulation, "amplitude_max", "1", detail::closed(0.0, 5.0));
  d.pd.modulation.decay_max = param(modulation, "decay_max", "1", detail::closed(0.0, 5.0));
  d.pd.modulation.potency_shift_max = param(modulation, "potency_shift_max", "1", detail::closed(1.0, 100.0));
  d.pd.modulation.tonic_max = param(modulation, "tonic_max", "1", detail::closed(0.0, 10.0));
  d.pd.adaptation = adaptation_states(pd, "adaptation");
  const table_view cross = pd.subtable("cross_tolerance", {"diazepam_equivalent"});
  d.pd.diazepam_mg_per_mg = param(cross, "diazepam_equivalent", "mg/mg", detail::open_closed(0.0, 1e4));
  // The four domains the outputs name (net_sedative, ...); all required.
  const table_view domains = pd.subtable("domains", {"sedative", "anticonvulsant", "anxiolytic", "amnesic"});
  for (const std::string_view name : {"sedative", "anticonvulsant", "anxiolytic", "amnesic"}) {
    d.pd.domains.push_back(effect_domain(domains, name));
  }

  const table_view clinical = root.subtable("clinical", {"dsst", "drowsiness", "withdrawal"});
  const table_view dsst = clinical.subtable("dsst", {"emax", "ec50", "hill", "ec50_shift_max", "adaptation_state"});
  d.dsst.emax_pct = param(dsst, "emax", "%", detail::open_closed(0.0, 100.0));
  d.dsst.ec50_ngml = param(dsst, "ec50", "ng/mL", detail::positive());
  d.dsst.hill = param(dsst, "hill", "1", detail::positive());
  d.dsst.ec50_shift_max_ngml = param(dsst, "ec50_shift_max", "ng/mL", detail::non_negative());
  d.dsst.adaptation_state = dsst.string("adaptation_state");
  const bool known_state =
      std::any_of(d.pd.adaptation.begin(), d.pd.adaptation.end(),
                  [&](const pd::adaptation_state_params& a) { return a.name == d.dsst.adaptation_state; });
  if (!known_state) {
    std::string names;
    for (const auto& a : d.pd.adaptation) names += (names.empty() ? "'" : ", '") + a.name + "'";
    dsst.fail_at("adaptation_state", dsst.key_path("adaptation_state") + " = \"" + d.dsst.adaptation_state +
                                         "\" is not a pd.adaptation state; must be one of " + names + ".");
  }

  const table_view drowsiness = clinical.subtable("drowsiness", {"placebo", "pmax", "s50", "hill"});
  d.drowsiness.placebo = param(drowsiness, "placebo", "1", detail::closed(0.0, 1.0));
  d.drowsiness.pmax = param(drowsiness, "pmax", "1", detail::closed(0.0, 1.0));
  if (d.drowsiness.pmax < d.drowsiness.placebo) {
    drowsiness.fail_at("pmax", "clinical.drowsiness.pmax = " + detail::show(d.drowsiness.pmax) +
                                   "; must be >= clinical.drowsiness.placebo (" + detail::show(d.drowsiness.placebo) +
                                   ") and <= 1.");
  }
  d.drowsiness.s50 = param(drowsiness, "s50", "1", detail::positive());
  d.drowsiness.hill = param(drowsiness, "hill", "1", detail::positive());

  const table_view withdrawal = clinical.subtable("withdrawal", {"notable"});
  d.withdrawal_notable = param(withdrawal, "notable", "1", detail::non_negative());

  const table_view label = root.subtable("label", {"max_daily_seizure", "max_daily_panic", "short_term"});
  d.label.max_daily_mg_seizure = param(label, "max_daily_seizure", "mg/day", detail::positive());
  d.label.max_daily_mg_panic = param(label, "max_daily_panic", "mg/day", detail::positive());
  d.label.short_term_days = param(label, "short_term", "day", detail::positive());

  d.uncertain = root.string_array("uncertain");

  // The per-key checks above should catch everything with a line; this is the model's own check.
  try {
    d.validate();
  } catch (const error& e) {
    throw scenario_error(source_name, 0, 0, detail::sentence(std::string{"The drug model is invalid: "} + e.what()));
  }
  return d;
}

clinical::drug_model embedded_drug(std::string_view name) {
  if (name == "clonazepam") return parse_drug(embedded::clonazepam_toml, "<embedded clonazepam>");
  throw error("Unknown built-in drug '" + std::string{name} + "'; the built-in drugs are: clonazepam.");
}

}  // namespace benzosim::io
