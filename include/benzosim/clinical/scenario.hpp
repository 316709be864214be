// SPDX-License-Identifier: MIT
/// The top of the science stack: a validated scenario (drug, patient, regimen, settings) and
/// simulate(scenario) -> results, which runs pk -> pd -> circuit -> clinical. Files never enter here:
/// io parses them into these structs.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <benzosim/circuit/wendling.hpp>
#include <benzosim/pd/alcohol.hpp>
#include <benzosim/pd/domains.hpp>
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
  double weight_kg;                       ///< [kg]
  std::optional<pk::biological_sex> sex;  ///< needed for alcohol (Widmark's r); unused otherwise
  /// Benzodiazepine taken before t = 0 (diazepam equivalents): the adaptation states start partly adapted
  /// (cross-tolerance, pd::cross_tolerance). Default: drug-naive.
  pd::prior_exposure prior_benzodiazepine;
};

/// Alcohol taken during the scenario (docs/alcohol.md): the drinks, the person's ethanol pharmacokinetics
/// (weight and sex come from the patient), ethanol's own GABA-A modulation and how it adds to the drug's.
struct alcohol_settings {
  std::vector<pd::drink> drinks;     ///< on the scenario clock [h]
  double widmark_r = 0.0;            ///< [L/kg]; 0 = by sex (Widmark)
  double ka_per_h = 5.0;             ///< [1/h] absorption
  double beta_g_per_l_per_h = 0.15;  ///< [g/L/h] zero-order elimination
  double bioavailability = 1.0;      ///< [0..1]
  pd::ethanol_gabaa_params gabaa;
  pd::combination_params combine;
  /// The pd parameters for this patient (validated).
  [[nodiscard]] pd::ethanol_pk_params pk_for(const patient& p) const;
};

/// The seizure circuit of the timeline (docs/models.md#seizure-timeline): the Wendling model (a named set or
/// explicit gains and rates; with map.spread, the median column of a heterogeneous network), its excitability
/// map, and the checkpoints at which the timeline reads the anticonvulsant domain's net modulation and asks
/// the map for the seizure-like fraction of time.
struct circuit_settings {
  bool enabled = true;
  circuit::wendling_params model;
  circuit::map_options map;
  double checkpoint_h = 6.0;  ///< checkpoint interval [h]: checkpoints at 0, h, 2h, ... up to the duration
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
  std::optional<alcohol_settings> alcohol;  ///< drinks during the scenario (needs person.sex)

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
  /// Net effect per domain: the domain's drive minus its own adaptation (negative in withdrawal) [-1..1].
  std::vector<double> net_sedative, net_anticonvulsant, net_anxiolytic, net_amnesic;
  /// The seizure circuit (0 without it): seizure_activity is the read-out of the latest checkpoint and
  /// seizure_burden_24h the mean read-out of the checkpoints in (t - 24 h, t], both seizure-like fractions of
  /// time [0..1].
  std::vector<double> seizure_burden_24h;
  /// With alcohol only (empty otherwise): blood alcohol [g/100 mL], ethanol's own modulation and the drug's net
  /// modulation plus ethanol's (capped; what the seizure circuit and drowsiness then read) [-].
  std::vector<double> bac_g_per_100ml, ethanol_modulation, combined_modulation;
  /// Side-effect probabilities [0..1], one column per side_effect_table() entry in its order (CSV p_<name>;
  /// docs/models.md#side-effects).
  std::vector<std::vector<double>> side_effect_prob;
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
  double seizure_activity_on_treatment;     ///< mean over the checkpoints of the treatment period [0..1]
  double seizure_activity_peak_after_stop;  ///< max over the checkpoints after the last dose [0..1]
  /// Per effect domain (pd_params::domains order): the extreme net effects and the withdrawal peak.
  struct domain_summary {
    std::string name;
    double peak_net;                ///< highest net effect [-]
    double peak_withdrawal;         ///< highest withdrawal drive max(0, -net) [-]
    double peak_withdrawal_time_h;  ///< its time (0 if never in withdrawal) [h]
  };
  std::vector<domain_summary> domains;
  /// Per side effect (side_effect_table() order): peak probability and its time, the final value [0..1].
  struct side_effect_summary {
    std::string name;
    double peak;         ///< [0..1]
    double peak_time_h;  ///< first time of the peak [h]
    double final_value;  ///< at the end of the simulation [0..1]
  };
  std::vector<side_effect_summary> side_effects;
  // With alcohol only (0 otherwise):
  double peak_bac_g_per_100ml;     ///< [g/100 mL]
  double hours_bac_above_0_08;     ///< time with BAC above 0.08 g/100 mL (a common legal driving limit) [h]
  double hours_alcohol_with_drug;  ///< time with BAC > 0 while the drug is above 1 ng/mL [h]
};

/// The seizure circuit at its checkpoints and the burden per day and week (docs/models.md#seizure-timeline).
/// Day d is [24d, 24d + 24) h, week w is [168w, 168w + 168) h on the scenario clock; each value is the mean
/// over the checkpoints inside (a last partial day or week has fewer). Empty without the circuit.
struct seizure_timeline {
  double checkpoint_h = 0.0;               ///< [h]
  std::vector<double> time_h;              ///< checkpoint times [h]
  std::vector<double> net_anticonvulsant;  ///< the net modulation handed to the circuit (with ethanol if any) [-]
  std::vector<double> fraction;            ///< seizure-like fraction of time [0..1]
  double baseline_fraction = 0.0;          ///< without drug (net 0) [0..1]
  std::vector<double> daily_burden;        ///< per day: mean seizure-like fraction [0..1]
  std::vector<double> weekly_burden;       ///< per week: mean seizure-like fraction [0..1]
  /// Lowest daily burden among the days that lie wholly in the treatment period, and that day (0 if none).
  double lowest_daily_burden_on_treatment = 0.0;
  double lowest_daily_burden_day = 0.0;  ///< [day]
  /// Mean over the checkpoints of the last 7 days before the last dose [0..1].
  double last_week_of_treatment_burden = 0.0;
  /// Highest daily burden among the days that start after the last dose, and when (days after the last dose).
  double peak_daily_burden_after_stop = 0.0;
  double peak_daily_burden_after_stop_day = 0.0;  ///< [day] after the last dose
  /// Days that start after the last dose whose burden exceeds the pre-treatment baseline by more than 10 %.
  double days_above_baseline_after_stop = 0.0;  ///< [day]
};

struct results {
  timeline series;
  clinical::summary summary;
  seizure_timeline seizures;
  std::vector<finding> warnings;
  std::vector<std::string> uncertain;  ///< copied from the drug model: what the outputs cannot vouch for
};

/// Runs the whole chain. Throws on an invalid scenario; every output number is finite (checked).
results simulate(const scenario& s);

/// One dosing arm of a comparison: the scenario run with this regimen instead of its own.
struct arm {
  std::string name;
  std::string description;
  pk::regimen regimen;
};

/// Runs every arm on the scenario's patient, drug, circuit and simulation settings (the arm's regimen replaces
/// the scenario's); the circuit's excitability map is built once for all. Results in arm order, each equal to
/// simulate() of the scenario with that regimen. Throws on an invalid scenario or arm (naming the arm).
std::vector<results> simulate_arms(const scenario& s, const std::vector<arm>& arms);

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
