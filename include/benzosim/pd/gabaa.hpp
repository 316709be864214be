// SPDX-License-Identifier: MIT
/// Pharmacodynamics at the GABA-A receptor: benzodiazepine-site occupancy (whole brain and per subtype) from
/// the free concentration, modulation of the synapse classes, adaptation (tolerance) states, the net effect
/// and withdrawal drive of each effect domain, and cross-tolerance from prior benzodiazepine use.
/// Equations and sources: docs/models.md#pd.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <benzosim/pd/domains.hpp>
#include <benzosim/pd/receptors.hpp>
#include <benzosim/pk/two_compartment.hpp>

namespace benzosim::pd {

struct pd_params {
  binding_params binding;
  modulation_params modulation;
  /// Global adaptation states driven by the whole-brain occupancy; they give net_modulation, tolerance and
  /// withdrawal of pd_profile (read by the clinical timeline and the circuit map). At least one state;
  /// weights add up to <= 1.
  std::vector<adaptation_state_params> adaptation;
  /// Subtype composition of the synapse classes (assumed; not drug-specific).
  synapse_classes synapses{};
  /// Effect domains with their own drive and adaptation; empty = no domain outputs. Names are unique.
  std::vector<domain_params> domains{};
  /// Diazepam dose [mg] equivalent to 1 mg of this drug, for cross-tolerance; 0 = not given.
  double diazepam_mg_per_mg = 0.0;

  /// Throws invalid_parameter naming the first bad field.
  void validate() const;
  /// Index of the domain with this name; throws invalid_parameter naming the known domains if absent.
  [[nodiscard]] std::size_t domain_index(std::string_view name) const;
};

/// Adaptation states at t = 0. An empty vector means every state of that group starts at 0 (drug-naive);
/// otherwise the sizes must match pd_params (global: one value per adaptation state; domains: one vector per
/// domain with one value per state), each value in [0, 1].
struct initial_adaptation {
  std::vector<double> global;
  std::vector<std::vector<double>> domains;
};

/// The state after a prior benzodiazepine exposure: its diazepam-equivalent dose is converted to this
/// drug's dose (D = diazepam_mg_per_day / diazepam_mg_per_mg), whose average steady-state free concentration
/// (average_css_ngml x fu) gives the subtype occupancies and so each domain's drive; every state then starts
/// at adapted_after(drive, its half-life, duration, days since the last dose). The prior drug's own remaining
/// effect is not modelled. Throws invalid_parameter if exposure is given and diazepam_mg_per_mg is 0.
initial_adaptation cross_tolerance(const pd_params& p, const pk::two_compartment_oral& pk, const prior_exposure& e);

/// One synapse class over time (drug-naive receptors: occupancy only, no adaptation).
struct synapse_class_profile {
  std::vector<double> modulation;     ///< occupancy-weighted modulation [0..1]
  std::vector<double> potency_shift;  ///< GABA EC50 shift factor [1..potency_shift_max]
  std::vector<double> amplitude;      ///< factor on IPSC peak conductance [>= 1]
  std::vector<double> decay;          ///< factor on IPSC decay time [>= 1]
};

/// One effect domain over time.
struct domain_profile {
  std::string name;
  std::vector<double> drive;                    ///< occupancy of the mediating subtypes, weighted [0..1]
  std::vector<std::vector<double>> adaptation;  ///< [state][time], each in [0..1]
  std::vector<double> net;                      ///< drive - sum_j weight_j a_j [-1..1]
  std::vector<double> withdrawal;               ///< max(0, -net) [0..1]
};

/// The pd state over time, on the grid of the concentration profile it was computed from.
struct pd_profile {
  std::vector<double> t_h;                      ///< [h]
  std::vector<double> occupancy;                ///< whole-brain benzodiazepine-site occupancy [0..1]
  std::vector<std::vector<double>> adaptation;  ///< global states [state][time], each in [0..1]
  std::vector<double> tolerance;                ///< sum_i weight_i * a_i [-]
  std::vector<double> net_modulation;           ///< occupancy - tolerance [-1..1]
  std::vector<double> withdrawal;               ///< max(0, -net_modulation): adaptation left unopposed [-]

  std::vector<subtype_values> subtype_occupancy;  ///< [time]
  synapse_class_profile fast_somatic;             ///< perisomatic fast IPSCs
  synapse_class_profile slow_dendritic;           ///< dendritic GABA-A,slow IPSCs
  std::vector<double> tonic;                      ///< factor on the tonic current [>= 1]; 1 if tonic_max is 0
  std::vector<domain_profile> domains;            ///< in the order of pd_params::domains

  /// The domain with this name; throws invalid_parameter naming the known domains if absent.
  [[nodiscard]] const domain_profile& domain(std::string_view name) const;
};

/// Runs occupancy, synapse effects and adaptation over the profile's grid. The adaptation update is exact for
/// a drive that is linear between grid points, so a fine grid (<= 0.5 h) is accurate to < 1e-4. Adaptation
/// states start at `start` (default: 0, a drug-naive patient).
pd_profile simulate(const pd_params& p, const pk::concentration_profile& c, const initial_adaptation& start = {});

}  // namespace benzosim::pd
