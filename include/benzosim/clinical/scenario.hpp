// SPDX-License-Identifier: MIT
/// The top of the science stack: a validated scenario (drug, patient, regimen, settings) and
/// simulate(scenario) -> results, which runs pk -> pd -> circuit -> clinical. Files never enter here:
/// io parses them into these structs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <benzosim/circuit/wendling.hpp>
#include <benzosim/pd/gabaa.hpp>
#include <benzosim/pk/two_compartment.hpp>

namespace benzosim::clinical {

/// Psychomotor impairment as the fall of the DSST score [%]: sigmoid Emax on the total concentration
/// with acute tolerance, EC50(t) = ec50 + ec50_shift_max * a_fast(t) (dos Santos 2009).
struct dsst_params {
  double emax_pct;               ///< [%]
  double ec50_ngml;              ///< [ng/mL] total concentration
  double hill;                   ///< [-]
  double ec50_shift_max_ngml;    ///< [ng/mL]
  std::string adaptation_state;  ///< name of the pd adaptation state driving the shift (e.g. "fast")
};

/// Probability of drowsiness: p = placebo + (pmax - placebo) * s^h / (s^h + s50^h), with s the net
/// sedative modulation (occupancy minus tolerance, floored at 0). Calibrated; marked uncertain.
struct drowsiness_params {
  double placebo;  ///< probability without drug [0..1]
  double pmax;     ///< probability at full net modulation [0..1]
  double s50;      ///< net modulation giving half the excess [-]
  double hill;     ///< [-]
};

/// Label limits used by the rule checks.
struct label_limits {
  double max_daily_mg_seizure;  ///< [mg/day]
  double max_daily_mg_panic;    ///< [mg/day]
  double short_term_days;       ///< guideline limit of routine use [days]; longer use is flagged
};

/// Everything the drug file provides, lowered to plain numbers.
struct drug_model {
  std::string name;
  double reference_weight_kg;     ///< weight the pk parameters refer to [kg]
  double allometric_exponent_cl;  ///< exponent on clearances (volumes scale linearly) [-]
  pk::two_compartment_oral pk;
  pd::pd_params pd;
  dsst_params dsst;
  drowsiness_params drowsiness;
  label_limits label;
  double withdrawal_notable;           ///< withdrawal drive above which a day counts as a withdrawal day [-]
  std::vector<std::string> uncertain;  ///< names of model parts whose evidence is weak, with the reason
  void validate() const;
};

enum class indication { seizure_disorder, panic_disorder, unspecified };

struct patient {
  double weight_kg;  ///< [kg]
};

struct circuit_settings {
  bool enabled = true;
  circuit::wendling_params model;
  circuit::map_options map;
};

struct scenario {
  std::string name;
  std::string description;
  drug_model drug;
  patient person;
  clinical::indication indication = indication::unspecified;
  pk::regimen regimen;
  double duration_h;     ///< simulated time [h]
  double output_step_h;  ///< output grid step [h]
  circuit_settings circuit;

  /// Throws invalid_parameter naming the first bad field; a scenario that fails never runs.
  void validate() const;
};

/// A warning or a recommendation from the rule checks.
struct finding {
  std::string code;     ///< stable identifier, e.g. "duration_beyond_short_term"
  std::string message;  ///< one sentence for the user
};

/// One row per output time.
struct timeline {
  std::vector<double> time_h, conc_ngml, free_ngml, occupancy, net_modulation, tolerance, withdrawal, seizure_activity,
      dsst_impairment_pct, drowsiness_prob;
};

struct summary {
  double total_dose_mg;
  double treatment_days;     ///< first to last dose + one dosing interval [days]
  double max_daily_dose_mg;  ///< largest amount in any 24 h calendar day [mg]
  double cmax_ngml, tmax_h;
  double css_trough_ngml;  ///< lowest concentration in the last 24 h before the last dose [ng/mL]
  double peak_dsst_impairment_pct, peak_drowsiness_prob;
  double peak_tolerance, peak_withdrawal, peak_withdrawal_time_h;
  double withdrawal_days;                   ///< days with withdrawal above the notable level [days]
  double seizure_activity_baseline;         ///< seizure-like fraction without drug [0..1]
  double seizure_activity_on_treatment;     ///< mean over the treatment period [0..1]
  double seizure_activity_peak_after_stop;  ///< max after the last dose [0..1]
};

struct results {
  timeline series;
  clinical::summary summary;
  std::vector<finding> warnings;
  std::vector<std::string> uncertain;  ///< copied from the drug model: what the outputs cannot vouch for
};

/// Runs the whole chain. Throws on an invalid scenario; every output number is finite (checked).
results simulate(const scenario& s);

/// The typical pk parameters of a drug for a patient's weight: CL and Q x (W/W_ref)^exponent, volumes x W/W_ref.
pk::two_compartment_oral scaled_for_weight(const drug_model& d, double weight_kg);

/// What simulate() does once per scenario (validation, the circuit's excitability map), so that many
/// patients can be run on it: the population simulation runs one timeline per virtual patient.
/// The scenario must outlive this object.
class prepared_scenario {
 public:
  explicit prepared_scenario(const scenario& s);
  ~prepared_scenario();
  prepared_scenario(const prepared_scenario&) = delete;
  prepared_scenario& operator=(const prepared_scenario&) = delete;

  /// The timeline for one patient's pk parameters (pd, circuit and clinical parameters are the scenario's).
  [[nodiscard]] timeline run(const pk::two_compartment_oral& individual) const;
  /// The scenario's patient: the drug's typical values scaled to the patient's weight.
  [[nodiscard]] const pk::two_compartment_oral& typical_pk() const { return typical_; }
  /// Seizure-like fraction without drug (0 when the circuit is disabled).
  [[nodiscard]] double seizure_baseline() const;
  [[nodiscard]] const scenario& source() const { return s_; }
  [[nodiscard]] const circuit::excitability_map* map() const { return map_.get(); }

 private:
  const scenario& s_;
  pk::two_compartment_oral typical_{};
  std::unique_ptr<circuit::excitability_map> map_;
};

/// The rule checks alone (duration beyond short-term use, daily dose above the label maximum).
std::vector<finding> check_rules(const scenario& s);

/// Largest amount taken in any 24 h calendar day (day k = [24k, 24k + 24) h) [mg].
double max_daily_dose_mg(const pk::regimen& r);
/// First to last dose plus the last dosing interval (24 h for a single dose) [days].
double treatment_days(const pk::regimen& r);

std::string to_string(indication i);

}  // namespace benzosim::clinical
