// SPDX-License-Identifier: MIT
/// Pharmacodynamics at the GABA-A receptor: benzodiazepine-site occupancy from the free concentration,
/// modulation of inhibitory synapses, adaptation (tolerance) states and the withdrawal drive.
/// Equations and sources: docs/models.md#pd.
#pragma once

#include <string>
#include <vector>

#include <benzosim/pk/two_compartment.hpp>

namespace benzosim::pd {

/// Occupancy of the benzodiazepine site: occ = C_free / (C_free + Kd).
struct binding_params {
  double kd_free_ngml;  ///< in-vivo dissociation constant on the free concentration [ng/mL]
};
double occupancy(double free_ngml, const binding_params& p);

/// How a net modulation m (fraction of the maximal drug effect; negative in withdrawal) scales an
/// inhibitory synapse: IPSC peak conductance x (1 + amplitude_max*m), decay time x (1 + decay_max*m).
struct modulation_params {
  double amplitude_max;  ///< fractional increase of IPSC peak conductance at full modulation [-]
  double decay_max;      ///< fractional increase of IPSC decay time at full modulation [-]
};

/// Multiplicative factors on an inhibitory synapse; 1 = no drug.
struct gabaa_factors {
  double amplitude = 1.0;  ///< factor on IPSC peak conductance (or PSP gain) [-]
  double decay = 1.0;      ///< factor on IPSC decay time constant [-]
};
/// Factors for net modulation m; m must be finite, factors are kept >= 0.05 for strongly negative m.
gabaa_factors factors(double net_modulation, const modulation_params& p);

/// One adaptation (tolerance) state: a_i' = (occ - a_i) * ln2 / half_life_h; it contributes weight*a_i.
struct adaptation_state_params {
  std::string name;    ///< e.g. "fast", "slow"
  double half_life_h;  ///< [h]
  double weight;       ///< share of the drug effect this state cancels at full adaptation [0..1]
};

struct pd_params {
  binding_params binding;
  modulation_params modulation;
  std::vector<adaptation_state_params> adaptation;  ///< at least one state; weights sum to <= 1

  /// Throws invalid_parameter naming the first bad field.
  void validate() const;
};

/// The pd state over time, on the grid of the concentration profile it was computed from.
struct pd_profile {
  std::vector<double> t_h;                      ///< [h]
  std::vector<double> occupancy;                ///< benzodiazepine-site occupancy [0..1]
  std::vector<std::vector<double>> adaptation;  ///< [state][time], each in [0..1]
  std::vector<double> tolerance;                ///< sum_i weight_i * a_i [-]
  std::vector<double> net_modulation;           ///< occupancy - tolerance [-1..1]
  std::vector<double> withdrawal;               ///< max(0, -net_modulation): adaptation left unopposed [-]
};

/// Runs occupancy and adaptation over the profile's grid. The adaptation update is exact for an
/// occupancy that is linear between grid points, so a fine grid (<= 0.5 h) is accurate to < 1e-4.
/// All adaptation states start at 0 (drug-naive patient).
pd_profile simulate(const pd_params& p, const pk::concentration_profile& c);

/// One step of an adaptation state: exact solution of a' = k (u(t) - a) over dt_h for u linear from u0 to u1.
double adapt_step(double a0, double u0, double u1, double k_per_h, double dt_h);

}  // namespace benzosim::pd
