// SPDX-License-Identifier: MIT
#include <benzosim/clinical/scenario.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/time_grid.hpp>

#include <benzosim/clinical/effects.hpp>
#include <benzosim/clinical/side_effects.hpp>

namespace benzosim::clinical {
namespace {

/// Finer than this the pd adaptation grid need not go (error < 1e-4, see pd::simulate).
constexpr double max_internal_step_h = 0.25;

std::size_t state_index(const pd::pd_params& p, const std::string& name) {
  for (std::size_t i = 0; i < p.adaptation.size(); ++i) {
    if (p.adaptation[i].name == name) return i;
  }
  throw invalid_parameter("clinical.dsst.adaptation_state", 0.0,
                          "clinical.dsst.adaptation_state = '" + name + "'; must name one of the pd.adaptation states");
}

void check_finite(const std::vector<double>& v, const char* column) {
  for (double x : v) {
    if (!std::isfinite(x)) throw internal_error(std::string("clinical::simulate produced a non-finite ") + column);
  }
}

}  // namespace

std::string to_string(indication i) {
  switch (i) {
    case indication::seizure_disorder:
      return "seizure_disorder";
    case indication::panic_disorder:
      return "panic_disorder";
    case indication::unspecified:
      return "unspecified";
  }
  throw internal_error("unknown indication");
}

void drug_model::validate() const {
  require_positive("pk.reference_weight_kg", reference_weight_kg, "kg");
  require_in_range("pk.allometric_exponent_cl", allometric_exponent_cl, "", 0.0, 2.0);
  pk.validate();
  pd.validate();
  require_in_range("clinical.dsst.emax", dsst.emax_pct, "%", 0.0, 100.0);
  require_positive("clinical.dsst.ec50", dsst.ec50_ngml, "ng/mL");
  require_positive("clinical.dsst.hill", dsst.hill, "");
  require_non_negative("clinical.dsst.ec50_shift_max", dsst.ec50_shift_max_ngml, "ng/mL");
  state_index(pd, dsst.adaptation_state);
  require_in_range("clinical.drowsiness.placebo", drowsiness.placebo, "", 0.0, 1.0);
  require_in_range("clinical.drowsiness.pmax", drowsiness.pmax, "", drowsiness.placebo, 1.0);
  require_positive("clinical.drowsiness.s50", drowsiness.s50, "");
  require_positive("clinical.drowsiness.hill", drowsiness.hill, "");
  require_positive("label.max_daily_seizure", label.max_daily_mg_seizure, "mg/day");
  require_positive("label.max_daily_panic", label.max_daily_mg_panic, "mg/day");
  require_positive("label.short_term", label.short_term_days, "day");
  require_non_negative("clinical.withdrawal.notable", withdrawal_notable, "");
}

void scenario::validate() const {
  drug.validate();
  require_in_range("patient.weight_kg", person.weight_kg, "kg", 1.0, 400.0);
  regimen.validate();
  if (regimen.doses.empty()) throw invalid_parameter("dosing", 0.0, "dosing: at least one dose is required");
  require_in_range("simulation.duration", duration_h, "h", 1e-6, 3650.0 * 24.0);
  require_positive("simulation.output_step_h", output_step_h, "h");
  require_in_range("number of output rows", duration_h / output_step_h, "", 0.0, 2e6);
  if (circuit.enabled) {
    circuit.model.validate();
    require_in_range("circuit.seeds", circuit.map.seeds, "", 1.0, 64.0);
    require_in_range("circuit.checkpoint_h", circuit.checkpoint_h, "h", 0.01, 24.0 * 7.0);
    require_in_range("number of circuit checkpoints", duration_h / circuit.checkpoint_h, "", 0.0, 2e6);
  }
  person.prior_benzodiazepine.validate();
  for (const char* domain : {"sedative", "anticonvulsant", "anxiolytic", "amnesic"}) (void)drug.pd.domain_index(domain);
  if (alcohol) {
    if (!person.sex) {
      throw invalid_parameter(
          "patient.sex", 0.0,
          "patient.sex is missing; alcohol needs it (Widmark's distribution factor differs by sex)");
    }
    (void)alcohol->pk_for(person);
    pd::validate_drinks(alcohol->drinks);
    if (alcohol->drinks.empty())
      throw invalid_parameter("alcohol.drinks", 0.0, "alcohol: at least one drink is required");
    for (std::size_t i = 0; i < alcohol->drinks.size(); ++i) {
      require_in_range("alcohol.drinks[" + std::to_string(i + 1) + "].time_h", alcohol->drinks[i].t_h, "h", 0.0,
                       duration_h);
    }
    alcohol->gabaa.validate();
    alcohol->combine.validate();
  }
}

pd::ethanol_pk_params alcohol_settings::pk_for(const patient& p) const {
  pd::ethanol_pk_params e(p.weight_kg, p.sex.value_or(pk::biological_sex::female));
  e.r_override = widmark_r;
  e.ka_per_h = ka_per_h;
  e.beta_g_per_l_per_h = beta_g_per_l_per_h;
  e.bioavailability = bioavailability;
  e.validate();
  return e;
}

double treatment_days(const pk::regimen& r) {
  const auto& d = r.doses;
  if (d.empty()) return 0.0;
  const double last_interval_h = d.size() > 1 ? d.back().time_h - d[d.size() - 2].time_h : 24.0;
  return (d.back().time_h - d.front().time_h + last_interval_h) / 24.0;
}

double max_daily_dose_mg(const pk::regimen& r) {
  std::map<long, double> per_day;
  for (const auto& d : r.doses) per_day[static_cast<long>(std::floor(d.time_h / 24.0))] += d.amount_mg;
  double max = 0.0;
  for (const auto& [day, mg] : per_day) max = std::max(max, mg);
  return max;
}

std::vector<finding> check_rules(const scenario& s) {
  std::vector<finding> out;
  const double days = treatment_days(s.regimen);
  if (days > s.drug.label.short_term_days + 1e-9) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "Treatment lasts %.0f days, beyond the %.0f days of routine use that guidelines allow (2-4 weeks); "
                  "physical dependence grows with duration and dose.",
                  days, s.drug.label.short_term_days);
    out.push_back({"duration_beyond_short_term", buf});
  }
  const double max_daily = max_daily_dose_mg(s.regimen);
  const double limit =
      s.indication == indication::panic_disorder ? s.drug.label.max_daily_mg_panic : s.drug.label.max_daily_mg_seizure;
  const std::string which = s.indication == indication::panic_disorder ? "panic disorder" : "seizure disorders";
  if (max_daily > limit + 1e-9) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "The largest daily dose, %.4g mg, exceeds the label maximum of %.4g mg/day for %s.",
                  max_daily, limit, which.c_str());
    out.push_back({"daily_dose_above_label_max", buf});
  }
  return out;
}

namespace {

/// Everything of one run on the fine grid.
struct fine_run {
  std::size_t sub = 1;  // fine steps per output step
  std::vector<double> t;
  pk::concentration_profile conc;
  pd::pd_profile pdp;
  std::vector<double> seizure, dsst, drowsy;
  std::vector<double> burden_24h;                      // trailing 24 h of checkpoints (0 without the circuit)
  seizure_timeline checkpoints;                        // time_h, net, fraction only (empty without)
  std::vector<double> bac_g_per_l, ethanol, combined;  // with alcohol only
  std::vector<std::vector<double>> side;               // per side_effect_table() entry
};

/// v on the grid t (uniform or not), linearly interpolated at x, clamped to the ends.
double interpolate_at(const std::vector<double>& t, const std::vector<double>& v, double x) {
  if (x <= t.front()) return v.front();
  if (x >= t.back()) return v.back();
  const auto upper = std::upper_bound(t.begin(), t.end(), x);
  const auto k = static_cast<std::size_t>(upper - t.begin()) - 1;
  const double w = (x - t[k]) / (t[k + 1] - t[k]);
  return v[k] + w * (v[k + 1] - v[k]);
}

/// The index of the last checkpoint at or before t (checkpoints at k * every_h; 1e-9 absorbs rounding).
std::size_t checkpoint_at_or_before(double t_h, double every_h) {
  return t_h < 0.0 ? 0 : static_cast<std::size_t>(std::floor(t_h / every_h + 1e-9));
}

/// The circuit at the checkpoints 0, h, 2h, ... (up to the end of the grid): the net modulation it is handed
/// (interpolated on the fine grid) and the map's read-outs there; then, on the fine grid, the latest
/// checkpoint's fraction and the means over the checkpoints of the trailing 24 h.
void run_checkpoints(fine_run& f, const std::vector<double>& net, const circuit::excitability_map& map,
                     double every_h) {
  seizure_timeline& c = f.checkpoints;
  c.checkpoint_h = every_h;
  const std::size_t n = checkpoint_at_or_before(f.t.back(), every_h) + 1;
  for (std::size_t k = 0; k < n; ++k) {
    const double t = std::min(static_cast<double>(k) * every_h, f.t.back());  // from k, never accumulated
    const double m = interpolate_at(f.t, net, t);
    c.time_h.push_back(t);
    c.net_anticonvulsant.push_back(m);
    c.fraction.push_back(map.seizure_fraction(m));
  }
  // Prefix sums: the mean over checkpoints lo..hi is (P[hi + 1] - P[lo]) / (hi - lo + 1).
  std::vector<double> fraction_sum(n + 1, 0.0);
  for (std::size_t k = 0; k < n; ++k) fraction_sum[k + 1] = fraction_sum[k] + c.fraction[k];
  const std::size_t points = f.t.size();
  f.burden_24h.resize(points);
  for (std::size_t i = 0; i < points; ++i) {
    const std::size_t hi = std::min(n - 1, checkpoint_at_or_before(f.t[i], every_h));
    // The first checkpoint after t - 24 h (the one at exactly t - 24 h belongs to the previous window).
    const std::size_t lo = f.t[i] < 24.0 ? 0 : std::min(hi, checkpoint_at_or_before(f.t[i] - 24.0, every_h) + 1);
    const auto count = static_cast<double>(hi - lo + 1);
    f.seizure[i] = c.fraction[hi];
    f.burden_24h[i] = (fraction_sum[hi + 1] - fraction_sum[lo]) / count;
  }
}

fine_run compute(const scenario& s, const circuit::excitability_map* map, const pk::two_compartment_oral& pk_params) {
  fine_run f;
  // Internal grid: a whole number of sub-steps per output step, so every output time is a grid point.
  f.sub = static_cast<std::size_t>(std::ceil(s.output_step_h / max_internal_step_h - 1e-9));
  const double fine_step = s.output_step_h / static_cast<double>(f.sub);
  f.t = time_grid(0.0, s.duration_h, fine_step);
  f.conc = pk::simulate(pk_params, s.regimen, f.t);
  // A patient who took a benzodiazepine before starts partly adapted (cross-tolerance).
  const bool prior = s.person.prior_benzodiazepine.diazepam_mg_per_day > 0.0;
  f.pdp = pd::simulate(
      s.drug.pd, f.conc,
      prior ? pd::cross_tolerance(s.drug.pd, pk_params, s.person.prior_benzodiazepine) : pd::initial_adaptation{});
  const std::size_t n = f.t.size();
  // What the synapses see: the seizure circuit reads the anticonvulsant domain's net effect (its own, slower
  // tolerance), drowsiness the global net modulation it is calibrated on (docs/models.md); with alcohol, each
  // plus ethanol's modulation (additive on the modulation scale, capped: docs/alcohol.md).
  const std::vector<double>& anticonvulsant = f.pdp.domain("anticonvulsant").net;
  const std::vector<double>* sedating = &f.pdp.net_modulation;
  const std::vector<double>* seizure_input = &anticonvulsant;
  std::vector<double> anticonvulsant_with_ethanol;
  if (s.alcohol) {
    const pd::bac_profile bac = pd::simulate_bac(s.alcohol->pk_for(s.person), s.alcohol->drinks, f.t);
    f.bac_g_per_l = bac.bac_g_per_l;
    f.ethanol.resize(n);
    f.combined.resize(n);
    anticonvulsant_with_ethanol.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      f.ethanol[i] = pd::ethanol_modulation(f.bac_g_per_l[i], s.alcohol->gabaa);
      f.combined[i] = pd::combine_modulation(f.pdp.net_modulation[i], f.ethanol[i], s.alcohol->combine).net;
      anticonvulsant_with_ethanol[i] = pd::combine_modulation(anticonvulsant[i], f.ethanol[i], s.alcohol->combine).net;
    }
    sedating = &f.combined;
    seizure_input = &anticonvulsant_with_ethanol;
  }
  f.seizure.assign(n, 0.0);
  f.burden_24h.assign(n, 0.0);
  if (map != nullptr) run_checkpoints(f, *seizure_input, *map, s.circuit.checkpoint_h);
  const auto& fast = f.pdp.adaptation[state_index(s.drug.pd, s.drug.dsst.adaptation_state)];
  f.dsst.resize(n);
  f.drowsy.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    f.dsst[i] = dsst_impairment_pct(s.drug.dsst, f.conc.c_ngml[i], fast[i]);
    f.drowsy[i] = drowsiness_probability(s.drug.drowsiness, (*sedating)[i]);
  }
  // Side effects read their domain's net effect of the drug alone (docs/models.md#side-effects).
  for (const side_effect& e : side_effect_table()) {
    const std::vector<double>& net = f.pdp.domain(e.domain).net;
    std::vector<double> p(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = side_effect_probability(e, net[i]);
    f.side.push_back(std::move(p));
  }
  return f;
}

/// Output rows: every sub-th point of the fine grid.
timeline to_timeline(const fine_run& f) {
  timeline ts;
  ts.side_effect_prob.resize(f.side.size());
  for (std::size_t i = 0; i < f.t.size(); i += f.sub) {
    for (std::size_t e = 0; e < f.side.size(); ++e) ts.side_effect_prob[e].push_back(f.side[e][i]);
    ts.time_h.push_back(f.t[i]);
    ts.conc_ngml.push_back(f.conc.c_ngml[i]);
    ts.free_ngml.push_back(f.conc.free_ngml[i]);
    ts.occupancy.push_back(f.pdp.occupancy[i]);
    ts.net_modulation.push_back(f.pdp.net_modulation[i]);
    ts.tolerance.push_back(f.pdp.tolerance[i]);
    ts.withdrawal.push_back(f.pdp.withdrawal[i]);
    ts.seizure_activity.push_back(f.seizure[i]);
    ts.dsst_impairment_pct.push_back(f.dsst[i]);
    ts.drowsiness_prob.push_back(f.drowsy[i]);
    ts.net_sedative.push_back(f.pdp.domain("sedative").net[i]);
    ts.net_anticonvulsant.push_back(f.pdp.domain("anticonvulsant").net[i]);
    ts.net_anxiolytic.push_back(f.pdp.domain("anxiolytic").net[i]);
    ts.net_amnesic.push_back(f.pdp.domain("amnesic").net[i]);
    ts.seizure_burden_24h.push_back(f.burden_24h[i]);
    if (!f.bac_g_per_l.empty()) {
      ts.bac_g_per_100ml.push_back(pd::bac_percent(f.bac_g_per_l[i]));
      ts.ethanol_modulation.push_back(f.ethanol[i]);
      ts.combined_modulation.push_back(f.combined[i]);
    }
  }
  for (const auto* col :
       {&ts.time_h, &ts.conc_ngml, &ts.free_ngml, &ts.occupancy, &ts.net_modulation, &ts.tolerance, &ts.withdrawal,
        &ts.seizure_activity, &ts.dsst_impairment_pct, &ts.drowsiness_prob, &ts.net_sedative, &ts.net_anticonvulsant,
        &ts.net_anxiolytic, &ts.net_amnesic, &ts.seizure_burden_24h, &ts.bac_g_per_100ml, &ts.ethanol_modulation,
        &ts.combined_modulation}) {
    check_finite(*col, "timeline value");
  }
  for (const auto& col : ts.side_effect_prob) check_finite(col, "side-effect probability");
  return ts;
}

}  // namespace

prepared_scenario::prepared_scenario(const scenario& s) : s_(s) {
  s_.validate();
  typical_ = scaled_for_weight(s_.drug, s_.person.weight_kg);
  typical_.validate();
  if (s_.circuit.enabled) {
    map_ = std::make_unique<circuit::excitability_map>(
        circuit::excitability_map::build(s_.circuit.model, s_.drug.pd.modulation, s_.circuit.map));
  }
}

prepared_scenario::~prepared_scenario() = default;

double prepared_scenario::seizure_baseline() const {
  return map_ ? map_->seizure_fraction(0.0) : 0.0;
}

timeline prepared_scenario::run(const pk::two_compartment_oral& individual) const {
  individual.validate();
  return to_timeline(compute(s_, map_.get(), individual));
}

pk::two_compartment_oral scaled_for_weight(const drug_model& d, double weight_kg) {
  auto p = d.pk;
  const double ratio = weight_kg / d.reference_weight_kg;
  const double cl_factor = std::pow(ratio, d.allometric_exponent_cl);
  p.cl_lph *= cl_factor;
  p.q_lph *= cl_factor;
  p.v1_l *= ratio;
  p.v2_l *= ratio;
  return p;
}

namespace {

/// Means of the checkpoint values per period of `period_h` hours ([p period, (p + 1) period)).
std::vector<double> period_means(const std::vector<double>& t_h, const std::vector<double>& v, double period_h) {
  std::vector<double> sum, count;
  for (std::size_t k = 0; k < t_h.size(); ++k) {
    const auto p = static_cast<std::size_t>(std::floor(t_h[k] / period_h + 1e-9));
    if (p >= sum.size()) {
      sum.resize(p + 1, 0.0);
      count.resize(p + 1, 0.0);
    }
    sum[p] += v[k];
    count[p] += 1.0;
  }
  for (std::size_t p = 0; p < sum.size(); ++p) sum[p] = count[p] > 0.0 ? sum[p] / count[p] : 0.0;
  return sum;
}

/// The burden per day and week and its landmarks (docs/models.md#seizure-timeline).
seizure_timeline seizure_summary(seizure_timeline c, const circuit::excitability_map& map, double first_h,
                                 double last_h, double end_of_treatment_h) {
  c.baseline_fraction = map.seizure_fraction(0.0);
  c.daily_burden = period_means(c.time_h, c.fraction, 24.0);
  c.weekly_burden = period_means(c.time_h, c.fraction, 168.0);

  bool any_treatment_day = false;
  bool any_day_after = false;
  for (std::size_t d = 0; d < c.daily_burden.size(); ++d) {
    const double start_h = 24.0 * static_cast<double>(d);
    if (start_h >= first_h - 1e-9 && start_h + 24.0 <= end_of_treatment_h + 1e-9) {
      if (!any_treatment_day || c.daily_burden[d] < c.lowest_daily_burden_on_treatment) {
        c.lowest_daily_burden_on_treatment = c.daily_burden[d];
        c.lowest_daily_burden_day = static_cast<double>(d);
      }
      any_treatment_day = true;
    }
    if (start_h >= last_h) {
      if (!any_day_after || c.daily_burden[d] > c.peak_daily_burden_after_stop) {
        c.peak_daily_burden_after_stop = c.daily_burden[d];
        c.peak_daily_burden_after_stop_day = (start_h - last_h) / 24.0;
      }
      any_day_after = true;
      if (c.daily_burden[d] > 1.1 * c.baseline_fraction) c.days_above_baseline_after_stop += 1.0;
    }
  }
  double sum = 0.0;
  double count = 0.0;
  for (std::size_t k = 0; k < c.time_h.size(); ++k) {
    if (c.time_h[k] > std::max(first_h, last_h - 168.0) - 1e-9 && c.time_h[k] <= last_h + 1e-9) {
      sum += c.fraction[k];
      count += 1.0;
    }
  }
  c.last_week_of_treatment_burden = count > 0.0 ? sum / count : 0.0;
  for (const auto* v : {&c.net_anticonvulsant, &c.fraction, &c.daily_burden, &c.weekly_burden}) {
    check_finite(*v, "seizure timeline value");
  }
  return c;
}

/// simulate() for a validated scenario with the circuit's map already built (nullptr without the circuit).
results simulate_with(const scenario& s, const circuit::excitability_map* map, const pk::two_compartment_oral& pk) {
  const fine_run f = compute(s, map, pk);
  const auto& t_fine = f.t;
  const auto& conc = f.conc;
  const auto& pdp = f.pdp;
  const auto& dsst = f.dsst;
  const auto& drowsy = f.drowsy;
  const double fine_step = s.output_step_h / static_cast<double>(f.sub);
  const double seizure_baseline = map != nullptr ? map->seizure_fraction(0.0) : 0.0;

  results r;
  r.uncertain = s.drug.uncertain;
  if (!s.circuit.enabled) {
    r.uncertain.emplace_back("seizure activity: not computed ([circuit] enabled = false); the column is 0");
  } else if (s.circuit.map.spread.columns > 1 && s.circuit.map.spread.B_log_sd > 0.0) {
    r.uncertain.emplace_back(
        "seizure burden: the patient's network is uncoupled Wendling columns with a log-normal spread of the slow "
        "inhibitory gain B, calibrated so that clinical concentrations suppress seizures partly (Aarli 1973; "
        "Epilepsia 1976); not fitted to seizure counts (docs/models.md#seizure-timeline)");
  }
  r.series = to_timeline(f);

  // Summary over the fine grid.
  auto& sm = r.summary;
  const auto& doses = s.regimen.doses;
  const double first_h = doses.front().time_h;
  const double last_h = doses.back().time_h;
  const double last_interval_h = doses.size() > 1 ? last_h - doses[doses.size() - 2].time_h : 24.0;
  sm.total_dose_mg = s.regimen.total_mg();
  sm.treatment_days = treatment_days(s.regimen);
  sm.max_daily_dose_mg = max_daily_dose_mg(s.regimen);
  const auto imax =
      static_cast<std::size_t>(std::max_element(conc.c_ngml.begin(), conc.c_ngml.end()) - conc.c_ngml.begin());
  sm.cmax_ngml = conc.c_ngml[imax];
  sm.tmax_h = t_fine[imax];
  sm.css_trough_ngml = 0.0;
  sm.peak_dsst_impairment_pct = *std::max_element(dsst.begin(), dsst.end());
  sm.peak_drowsiness_prob = *std::max_element(drowsy.begin(), drowsy.end());
  sm.peak_tolerance = *std::max_element(pdp.tolerance.begin(), pdp.tolerance.end());
  const auto iw =
      static_cast<std::size_t>(std::max_element(pdp.withdrawal.begin(), pdp.withdrawal.end()) - pdp.withdrawal.begin());
  sm.peak_withdrawal = pdp.withdrawal[iw];
  sm.peak_withdrawal_time_h = sm.peak_withdrawal > 0.0 ? t_fine[iw] : 0.0;
  sm.withdrawal_days = 0.0;
  sm.seizure_activity_baseline = seizure_baseline;
  double trough = -1.0;
  for (std::size_t i = 0; i < t_fine.size(); ++i) {
    const double t = t_fine[i];
    if (pdp.withdrawal[i] > s.drug.withdrawal_notable) sm.withdrawal_days += fine_step / 24.0;
    if (last_h - first_h >= 24.0 && t >= last_h - 24.0 && t <= last_h) {
      trough = trough < 0.0 ? conc.c_ngml[i] : std::min(trough, conc.c_ngml[i]);
    }
  }
  // The seizure read-outs come from the checkpoints (the circuit is consulted there only).
  double on_sum = 0.0;
  std::size_t on_n = 0;
  sm.seizure_activity_peak_after_stop = 0.0;
  const seizure_timeline& cp = f.checkpoints;
  for (std::size_t k = 0; k < cp.time_h.size(); ++k) {
    const double t = cp.time_h[k];
    if (t >= first_h && t <= last_h + last_interval_h) {
      on_sum += cp.fraction[k];
      ++on_n;
    }
    if (t > last_h) sm.seizure_activity_peak_after_stop = std::max(sm.seizure_activity_peak_after_stop, cp.fraction[k]);
  }
  sm.seizure_activity_on_treatment = on_n > 0 ? on_sum / static_cast<double>(on_n) : 0.0;
  sm.css_trough_ngml = std::max(trough, 0.0);
  for (const pd::domain_profile& d : pdp.domains) {
    summary::domain_summary ds{d.name, *std::max_element(d.net.begin(), d.net.end()), 0.0, 0.0};
    const auto iwd =
        static_cast<std::size_t>(std::max_element(d.withdrawal.begin(), d.withdrawal.end()) - d.withdrawal.begin());
    ds.peak_withdrawal = d.withdrawal[iwd];
    ds.peak_withdrawal_time_h = ds.peak_withdrawal > 0.0 ? t_fine[iwd] : 0.0;
    sm.domains.push_back(std::move(ds));
  }
  const auto effects = side_effect_table();
  for (std::size_t e = 0; e < effects.size(); ++e) {
    const std::vector<double>& p = f.side[e];
    const auto ip = static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
    sm.side_effects.push_back({std::string(effects[e].name), p[ip], t_fine[ip], p.back()});
  }
  sm.peak_bac_g_per_100ml = 0.0;
  sm.hours_bac_above_0_08 = 0.0;
  sm.hours_alcohol_with_drug = 0.0;
  for (std::size_t i = 0; i < f.bac_g_per_l.size(); ++i) {
    const double bac_pct = pd::bac_percent(f.bac_g_per_l[i]);
    sm.peak_bac_g_per_100ml = std::max(sm.peak_bac_g_per_100ml, bac_pct);
    if (bac_pct > 0.08) sm.hours_bac_above_0_08 += fine_step;
    if (bac_pct > 0.0 && conc.c_ngml[i] > 1.0) sm.hours_alcohol_with_drug += fine_step;
  }

  r.warnings = check_rules(s);
  if (sm.peak_withdrawal > s.drug.withdrawal_notable && sm.peak_withdrawal_time_h > last_h) {
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "Predicted withdrawal peaks %.1f days after the last dose and stays notable for %.1f days; reduce "
                  "the dose gradually instead of stopping abruptly (label: abrupt withdrawal may precipitate seizures "
                  "or status epilepticus).",
                  (sm.peak_withdrawal_time_h - last_h) / 24.0, sm.withdrawal_days);
    r.warnings.push_back({"withdrawal_after_stop", buf});
  }
  if (sm.hours_alcohol_with_drug > 0.0) {
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "Alcohol is in the blood for %.1f h while clonazepam is present (peak %.3f g/100 mL); the label "
                  "says to avoid alcohol: it adds to the sedation and impairment (mostly additive in studies).",
                  sm.hours_alcohol_with_drug, sm.peak_bac_g_per_100ml);
    r.warnings.push_back({"alcohol_with_benzodiazepine", buf});
  }

  if (map != nullptr) r.seizures = seizure_summary(f.checkpoints, *map, first_h, last_h, last_h + last_interval_h);
  return r;
}

}  // namespace

results simulate(const scenario& s) {
  const prepared_scenario prep(s);
  return simulate_with(s, prep.map(), prep.typical_pk());
}

std::vector<results> simulate_arms(const scenario& s, const std::vector<arm>& arms) {
  if (arms.empty()) throw invalid_parameter("arms", 0.0, "arms: at least one arm is required");
  // Every arm is checked before the (costly) map is built.
  std::vector<scenario> runs(arms.size(), s);
  for (std::size_t i = 0; i < arms.size(); ++i) {
    runs[i].regimen = arms[i].regimen;
    try {
      runs[i].validate();
    } catch (const invalid_parameter& e) {
      throw invalid_parameter(e.name, e.value, "arm '" + arms[i].name + "': " + e.what());
    }
  }
  const prepared_scenario prep(runs.front());
  std::vector<results> out;
  out.reserve(arms.size());
  for (const scenario& run : runs) out.push_back(simulate_with(run, prep.map(), prep.typical_pk()));
  return out;
}

}  // namespace benzosim::clinical
