// SPDX-License-Identifier: MIT
// Writers for the output files. Reference: docs/file-formats.md#outputs.
#include <benzosim/io/output.hpp>

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <benzosim/clinical/side_effects.hpp>
#include <benzosim/core/error.hpp>

namespace benzosim::io {
namespace {

std::string errno_text(int err) {
  return err != 0 ? std::strerror(err) : "unknown error";
}

/// A number rounded to the 10 significant digits written to CSV, for JSON.
double rounded(double v) {
  const std::string s = format_number(v);
  double out = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc{} || end != s.data() + s.size()) throw internal_error("io: cannot read back number '" + s + "'");
  return out;
}

struct named_column {
  const char* name;
  const std::vector<double>* values;
};

std::string csv(const std::vector<named_column>& columns, const char* what) {
  const std::size_t n = columns.front().values->size();
  for (const named_column& c : columns) {
    if (c.values->size() != n) {
      throw internal_error(std::string{what} + ": column " + c.name + " has " + std::to_string(c.values->size()) +
                           " rows but " + columns.front().name + " has " + std::to_string(n));
    }
  }
  std::string out;
  out.reserve((n + 1) * columns.size() * 12);
  for (std::size_t j = 0; j < columns.size(); ++j) {
    if (j > 0) out += ',';
    out += columns[j].name;
  }
  out += '\n';
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < columns.size(); ++j) {
      if (j > 0) out += ',';
      const double v = (*columns[j].values)[i];
      if (!std::isfinite(v)) {
        throw internal_error(std::string{what} + ": non-finite value in column " + columns[j].name + " at row " +
                             std::to_string(i + 1));
      }
      out += format_number(v);
    }
    out += '\n';
  }
  return out;
}

}  // namespace

void atomic_write(const std::filesystem::path& path, std::string_view content) {
  static std::atomic<unsigned long> counter{0};
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  const std::string target = path.string();

  // "x": never reuse an existing file; a name clash is an error, not a clobbered file.
  std::FILE* f = std::fopen(tmp.c_str(), "wbx");
  if (f == nullptr) {
    throw error("Cannot write '" + target + "': cannot create the temporary file '" + tmp.string() +
                "': " + errno_text(errno) + ".");
  }
  const auto fail = [&](const std::string& reason, std::FILE* open_file) {
    if (open_file != nullptr) std::fclose(open_file);
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw error("Cannot write '" + target + "': " + reason + ".");
  };
  if (!content.empty() && std::fwrite(content.data(), 1, content.size(), f) != content.size()) {
    fail(errno_text(errno), f);
  }
  if (std::fflush(f) != 0) fail(errno_text(errno), f);
  if (::fsync(::fileno(f)) != 0) fail(errno_text(errno), f);
  if (std::fclose(f) != 0) fail(errno_text(errno), nullptr);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) fail("cannot rename the temporary file into place: " + ec.message(), nullptr);
}

std::string format_number(double v) {
  if (!std::isfinite(v)) throw internal_error("io::format_number: refusing to write a non-finite number");
  if (v == 0.0) v = 0.0;  // no "-0"
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 10);
  if (ec != std::errc{}) throw internal_error("io::format_number: buffer too small");
  return {buf, end};
}

std::string timeseries_csv(const clinical::timeline& t) {
  std::vector<named_column> columns{{"time_h", &t.time_h},
                                    {"conc_ngml", &t.conc_ngml},
                                    {"free_ngml", &t.free_ngml},
                                    {"occupancy", &t.occupancy},
                                    {"net_modulation", &t.net_modulation},
                                    {"tolerance", &t.tolerance},
                                    {"withdrawal", &t.withdrawal},
                                    {"seizure_activity", &t.seizure_activity},
                                    {"dsst_impairment_pct", &t.dsst_impairment_pct},
                                    {"drowsiness_prob", &t.drowsiness_prob},
                                    {"net_sedative", &t.net_sedative},
                                    {"net_anticonvulsant", &t.net_anticonvulsant},
                                    {"net_anxiolytic", &t.net_anxiolytic},
                                    {"net_amnesic", &t.net_amnesic},
                                    {"seizure_burden_24h", &t.seizure_burden_24h}};
  if (!t.bac_g_per_100ml.empty()) {  // with alcohol only
    columns.emplace_back("bac_g_per_100ml", &t.bac_g_per_100ml);
    columns.emplace_back("ethanol_modulation", &t.ethanol_modulation);
    columns.emplace_back("combined_modulation", &t.combined_modulation);
  }
  // One probability column per side effect, p_<name> (docs/models.md#side-effects).
  const auto effects = clinical::side_effect_table();
  if (t.side_effect_prob.size() != effects.size() && !t.side_effect_prob.empty()) {
    throw internal_error("io::timeseries_csv: side-effect columns do not match the side-effect table");
  }
  std::vector<std::string> names;
  names.reserve(t.side_effect_prob.size());
  for (std::size_t e = 0; e < t.side_effect_prob.size(); ++e) names.push_back("p_" + std::string(effects[e].name));
  for (std::size_t e = 0; e < t.side_effect_prob.size(); ++e) {
    columns.emplace_back(names[e].c_str(), &t.side_effect_prob[e]);
  }
  return csv(columns, "io::timeseries_csv");
}

std::string concentration_csv(const pk::concentration_profile& c) {
  return csv({{"time_h", &c.t_h}, {"conc_ngml", &c.c_ngml}, {"free_ngml", &c.free_ngml}}, "io::concentration_csv");
}

std::string summary_json(const clinical::scenario& s, const clinical::results& r, const clinical::arm* arm) {
  using json = nlohmann::ordered_json;
  const auto number = [](const char* name, double v) {
    if (!std::isfinite(v)) throw internal_error(std::string{"io::summary_json: summary."} + name + " is not finite");
    return rounded(v);
  };
  const clinical::summary& m = r.summary;
  json j;
  j["benzosim_version"] = version();
  j["disclaimer"] = "benzosim is a research and teaching simulator, not medical advice.";
  j["scenario"] = {{"name", s.name},
                   {"description", s.description},
                   {"indication", clinical::to_string(s.indication)},
                   {"drug", s.drug.name}};
  if (arm != nullptr) j["scenario"]["arm"] = {{"name", arm->name}, {"description", arm->description}};
  json summary;
  summary["total_dose_mg"] = number("total_dose_mg", m.total_dose_mg);
  summary["treatment_days"] = number("treatment_days", m.treatment_days);
  summary["max_daily_dose_mg"] = number("max_daily_dose_mg", m.max_daily_dose_mg);
  summary["cmax_ngml"] = number("cmax_ngml", m.cmax_ngml);
  summary["tmax_h"] = number("tmax_h", m.tmax_h);
  summary["css_trough_ngml"] = number("css_trough_ngml", m.css_trough_ngml);
  summary["peak_dsst_impairment_pct"] = number("peak_dsst_impairment_pct", m.peak_dsst_impairment_pct);
  summary["peak_drowsiness_prob"] = number("peak_drowsiness_prob", m.peak_drowsiness_prob);
  summary["peak_tolerance"] = number("peak_tolerance", m.peak_tolerance);
  summary["peak_withdrawal"] = number("peak_withdrawal", m.peak_withdrawal);
  summary["peak_withdrawal_time_h"] = number("peak_withdrawal_time_h", m.peak_withdrawal_time_h);
  summary["withdrawal_days"] = number("withdrawal_days", m.withdrawal_days);
  summary["seizure_activity_baseline"] = number("seizure_activity_baseline", m.seizure_activity_baseline);
  summary["seizure_activity_on_treatment"] = number("seizure_activity_on_treatment", m.seizure_activity_on_treatment);
  summary["seizure_activity_peak_after_stop"] =
      number("seizure_activity_peak_after_stop", m.seizure_activity_peak_after_stop);
  json domains = json::object();
  for (const clinical::summary::domain_summary& d : m.domains) {
    domains[d.name] = {{"peak_net", number("domains.peak_net", d.peak_net)},
                       {"peak_withdrawal", number("domains.peak_withdrawal", d.peak_withdrawal)},
                       {"peak_withdrawal_time_h", number("domains.peak_withdrawal_time_h", d.peak_withdrawal_time_h)}};
  }
  summary["domains"] = std::move(domains);
  if (!m.side_effects.empty()) {  // docs/models.md#side-effects
    const auto effects = clinical::side_effect_table();
    if (m.side_effects.size() != effects.size()) {
      throw internal_error("io::summary_json: side effects do not match the side-effect table");
    }
    json side = json::object();
    for (std::size_t e = 0; e < effects.size(); ++e) {
      const clinical::side_effect& d = effects[e];
      const clinical::summary::side_effect_summary& v = m.side_effects[e];
      side[std::string(d.name)] = {
          {"label", std::string(d.label)},
          {"domain", std::string(d.domain)},
          {"peak_probability", number("side_effects.peak", v.peak)},
          {"peak_time_h", number("side_effects.peak_time_h", v.peak_time_h)},
          {"final_probability", number("side_effects.final", v.final_value)},
          {"label_value", number("side_effects.label_value", d.label_rate)},
          {"placebo_value", number("side_effects.placebo_value", d.placebo_rate)},
          {"calibrated_on",
           d.regimen == clinical::calibration_regimen::seizure_disorder ? "seizure_disorder" : "panic_disorder"},
          {"source", std::string(d.source)},
          {"status", d.status == clinical::evidence::calibrated ? "calibrated" : "uncertain"}};
    }
    json missing = json::array();
    for (const std::string_view name : clinical::side_effects_without_incidence()) missing.push_back(std::string(name));
    summary["side_effects"] = std::move(side);
    summary["side_effects_not_modelled"] = std::move(missing);  // named by the article, no incidence found
  }
  if (s.circuit.enabled) {  // the seizure timeline: the circuit, its checkpoints and the burden per day and week
    const clinical::seizure_timeline& c = r.seizures;
    const circuit::wendling_params& p = s.circuit.model;
    const circuit::map_options& o = s.circuit.map;
    const auto numbers = [&](const char* name, const std::vector<double>& v) {
      json a = json::array();
      for (const double x : v) a.push_back(number(name, x));
      return a;
    };
    json seizure;
    seizure["model"] = {{"A_mv", number("A_mv", p.A_mv)},
                        {"B_mv", number("B_mv", p.B_mv)},
                        {"G_mv", number("G_mv", p.G_mv)},
                        {"a_per_s", number("a_per_s", p.a_per_s)},
                        {"b_per_s", number("b_per_s", p.b_per_s)},
                        {"g_per_s", number("g_per_s", p.g_per_s)},
                        {"B_log_sd", number("B_log_sd", o.spread.B_log_sd)},
                        {"columns", o.spread.columns}};
    seizure["checkpoint_h"] = number("checkpoint_h", c.checkpoint_h);
    seizure["checkpoints"] = c.time_h.size();
    seizure["baseline_burden"] = number("baseline_burden", c.baseline_fraction);
    seizure["lowest_daily_burden_on_treatment"] =
        number("lowest_daily_burden_on_treatment", c.lowest_daily_burden_on_treatment);
    seizure["lowest_daily_burden_day"] = number("lowest_daily_burden_day", c.lowest_daily_burden_day);
    seizure["last_week_of_treatment_burden"] = number("last_week_of_treatment_burden", c.last_week_of_treatment_burden);
    seizure["peak_daily_burden_after_stop"] = number("peak_daily_burden_after_stop", c.peak_daily_burden_after_stop);
    seizure["peak_daily_burden_after_stop_day"] =
        number("peak_daily_burden_after_stop_day", c.peak_daily_burden_after_stop_day);
    seizure["days_above_baseline_after_stop"] =
        number("days_above_baseline_after_stop", c.days_above_baseline_after_stop);
    seizure["daily_burden"] = numbers("daily_burden", c.daily_burden);
    seizure["weekly_burden"] = numbers("weekly_burden", c.weekly_burden);
    summary["seizure"] = std::move(seizure);
  }
  if (s.person.prior_benzodiazepine.diazepam_mg_per_day > 0.0) {
    const pd::prior_exposure& e = s.person.prior_benzodiazepine;
    j["prior_benzodiazepine"] = {
        {"diazepam_equivalent_mg_per_day", number("prior.diazepam_mg_per_day", e.diazepam_mg_per_day)},
        {"duration_days", number("prior.duration_days", e.duration_days)},
        {"days_since_last_dose", number("prior.days_since_last_dose", e.days_since_last_dose)}};
  }
  if (s.alcohol) {  // the alcohol part of the run: what was drunk, the ethanol parameters and the results
    summary["peak_bac_g_per_100ml"] = number("peak_bac_g_per_100ml", m.peak_bac_g_per_100ml);
    summary["hours_bac_above_0_08"] = number("hours_bac_above_0_08", m.hours_bac_above_0_08);
    summary["hours_alcohol_with_drug"] = number("hours_alcohol_with_drug", m.hours_alcohol_with_drug);
    double grams = 0.0;
    for (const pd::drink& d : s.alcohol->drinks) grams += d.ethanol_g;
    const pd::ethanol_pk_params e = s.alcohol->pk_for(s.person);
    j["alcohol"] = {{"drinks", s.alcohol->drinks.size()},
                    {"ethanol_g", number("alcohol.ethanol_g", grams)},
                    {"widmark_r_l_per_kg", number("alcohol.widmark_r", e.r())},
                    {"beta_g_per_l_per_h", number("alcohol.beta", e.beta_g_per_l_per_h)},
                    {"combination", s.alcohol->combine.synergy == 0.0 ? "additive" : "additive with synergy term"}};
  }
  j["summary"] = std::move(summary);
  json warnings = json::array();
  for (const clinical::finding& f : r.warnings) warnings.push_back({{"code", f.code}, {"message", f.message}});
  j["warnings"] = std::move(warnings);
  j["uncertain"] = r.uncertain;
  // Strings come from UTF-8 checked TOML or from benzosim itself; replace rather than throw just in case.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string version() {
  return BENZOSIM_VERSION;
}

}  // namespace benzosim::io
