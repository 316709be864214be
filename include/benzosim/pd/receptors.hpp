// SPDX-License-Identifier: MIT
/// GABA-A receptor subtypes: benzodiazepine-site binding per subtype, and what the bound drug does to the
/// synapse classes the circuit layer knows (fast somatic, slow dendritic, tonic). Pure functions of one
/// time point. Equations, numbers and their sources: docs/models.md#pd.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace benzosim::pd {

/// One number per benzodiazepine-sensitive GABA-A receptor subtype: alpha 1, 2, 3 or 5, each with gamma2
/// (alpha4/alpha6-delta receptors have no benzodiazepine site and are left out). Used for occupancies, Kd
/// values and the subtype shares of a synapse class or an effect domain.
struct subtype_values {
  double a1 = 0.0;
  double a2 = 0.0;
  double a3 = 0.0;
  double a5 = 0.0;

  [[nodiscard]] double sum() const { return a1 + a2 + a3 + a5; }
  /// The values in the order of subtype_names.
  [[nodiscard]] std::array<double, 4> to_array() const { return {a1, a2, a3, a5}; }
};
/// Names in the order of subtype_values::to_array(), as used in the drug file ("kd_free_a1", "drive_a5").
inline constexpr std::array<std::string_view, 4> subtype_names{"a1", "a2", "a3", "a5"};

/// sum_s w_s x_s.
inline double weighted(const subtype_values& w, const subtype_values& x) {
  return w.a1 * x.a1 + w.a2 * x.a2 + w.a3 * x.a3 + w.a5 * x.a5;
}

/// Checks shares: each finite and in [0, 1], adding up to 1 (within 1e-9). Throws invalid_parameter
/// naming `name` (e.g. "pd.domains.sedative.drive").
void require_shares(std::string_view name, const subtype_values& shares);

/// Benzodiazepine-site binding: occ = C_free / (C_free + Kd).
struct binding_params {
  /// In-vivo dissociation constant on the free concentration [ng/mL]: the whole-brain benzodiazepine-site
  /// value (what a [11C]flumazenil PET would measure), and the Kd of every subtype without its own value.
  double kd_free_ngml;
  /// Subtype-specific Kd [ng/mL] of a subtype-selective drug; empty means kd_free_ngml.
  std::optional<double> kd_free_a1_ngml{};
  std::optional<double> kd_free_a2_ngml{};
  std::optional<double> kd_free_a3_ngml{};
  std::optional<double> kd_free_a5_ngml{};

  /// The Kd of each subtype, kd_free_ngml where no own value is given.
  [[nodiscard]] subtype_values kd_by_subtype() const;
  /// Throws invalid_parameter naming the first bad field.
  void validate() const;
};

/// Whole-brain occupancy at kd_free_ngml. Throws invalid_parameter for a negative or non-finite concentration.
double occupancy(double free_ngml, const binding_params& p);
/// Occupancy of each subtype, each in [0, 1).
subtype_values subtype_occupancy(double free_ngml, const binding_params& p);

/// How a modulation m (share of the maximal drug effect; negative in withdrawal) scales an inhibitory
/// synapse: IPSC peak conductance x (1 + amplitude_max m), decay time x (1 + decay_max m); and the GABA
/// potency shift and tonic current it implies.
struct modulation_params {
  double amplitude_max;  ///< fractional increase of IPSC peak conductance at full modulation [-]
  double decay_max;      ///< fractional increase of IPSC decay time at full modulation [-]
  /// Factor by which full modulation lowers GABA's EC50 (>= 1); 1 = not given (no shift reported).
  double potency_shift_max = 1.0;
  /// Fractional increase of the tonic (extrasynaptic, alpha5) GABA-A current at full modulation [-];
  /// 0 switches the tonic option off (factor 1).
  double tonic_max = 0.0;

  /// Throws invalid_parameter naming the first bad field.
  void validate() const;
};

/// Multiplicative factors on an inhibitory synapse; 1 = no drug.
struct gabaa_factors {
  double amplitude = 1.0;  ///< factor on IPSC peak conductance (or PSP gain) [-]
  double decay = 1.0;      ///< factor on IPSC decay time constant [-]
};
/// Factors for net modulation m; m must be finite, factors are kept >= 0.05 for strongly negative m.
gabaa_factors factors(double net_modulation, const modulation_params& p);

/// GABA EC50 shift factor for a modulation m in [0, 1]: 1 + (potency_shift_max - 1) m. Linear in m because
/// with a share m of receptors potentiated, the response to low GABA is (1 - m) + m S times the unpotentiated
/// one, the same as one receptor population with its EC50 divided by 1 + (S - 1) m (for Hill slope 1).
double potency_shift(double modulation, const modulation_params& p);

/// Subtype composition of the benzodiazepine-sensitive receptors of each synapse class (shares adding up
/// to 1). Assumed, not measured: see docs/models.md#synapse-classes for the reasons behind each share.
struct synapse_classes {
  /// Perisomatic, fast-decaying IPSCs (Wendling's G/g loop): alpha1-rich.
  subtype_values fast_somatic{0.6, 0.3, 0.1, 0.0};
  /// Dendritic GABA-A,slow IPSCs (Wendling's B/b loop): alpha5 and alpha2.
  subtype_values slow_dendritic{0.2, 0.3, 0.0, 0.5};
  /// Tonic extrasynaptic current of benzodiazepine-sensitive receptors: alpha5.
  subtype_values tonic{0.0, 0.0, 0.0, 1.0};

  /// Throws invalid_parameter naming the first class whose shares are not valid.
  void validate() const;
};

/// What the bound drug does to one synapse class (drug-naive receptors: no adaptation is included).
struct synapse_effect {
  double modulation = 0.0;     ///< occupancy-weighted modulation m = sum_s share_s occ_s [0..1]
  double potency_shift = 1.0;  ///< GABA EC50 shift factor [1..potency_shift_max]
  gabaa_factors factors{};     ///< IPSC amplitude and decay factors [>= 1]
};
/// The effect on a synapse class of the given composition at the given subtype occupancies.
synapse_effect synapse_class_effect(const subtype_values& composition, const subtype_values& occ,
                                    const modulation_params& p);
/// Factor on the tonic current: 1 + tonic_max * sum_s tonic_s occ_s.
double tonic_factor(const subtype_values& tonic_composition, const subtype_values& occ, const modulation_params& p);

}  // namespace benzosim::pd
