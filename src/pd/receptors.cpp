// SPDX-License-Identifier: MIT
#include <benzosim/pd/receptors.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>

namespace benzosim::pd {

void require_shares(std::string_view name, const subtype_values& shares) {
  const auto v = shares.to_array();
  for (std::size_t i = 0; i < v.size(); ++i) {
    require_in_range(std::string{name} + "_" + std::string{subtype_names[i]}, v[i], "", 0.0, 1.0);
  }
  // Shares of one whole: a drive or composition that adds up to 1 keeps the weighted occupancy in [0, 1]
  // and equal to the occupancy for a drug with the same Kd at every subtype.
  const double total = shares.sum();
  if (std::abs(total - 1.0) > 1e-9) {
    throw invalid_parameter(std::string{name}, total,
                            std::string{name} + ": the shares a1 + a2 + a3 + a5 add up to " + format_value(total) +
                                "; they must add up to 1");
  }
}

subtype_values binding_params::kd_by_subtype() const {
  return {kd_free_a1_ngml.value_or(kd_free_ngml), kd_free_a2_ngml.value_or(kd_free_ngml),
          kd_free_a3_ngml.value_or(kd_free_ngml), kd_free_a5_ngml.value_or(kd_free_ngml)};
}

void binding_params::validate() const {
  require_positive("pd.binding.kd_free", kd_free_ngml, "ng/mL");
  const std::array<const std::optional<double>*, 4> own{&kd_free_a1_ngml, &kd_free_a2_ngml, &kd_free_a3_ngml,
                                                        &kd_free_a5_ngml};
  for (std::size_t i = 0; i < own.size(); ++i) {
    if (own[i]->has_value()) {
      require_positive("pd.binding.kd_free_" + std::string{subtype_names[i]}, **own[i], "ng/mL");
    }
  }
}

namespace {

void require_concentration(double free_ngml) {
  if (!(free_ngml >= 0.0) || !std::isfinite(free_ngml)) {
    throw invalid_parameter("free concentration", free_ngml,
                            "pd.occupancy: free concentration must be finite and >= 0");
  }
}

double bound(double free_ngml, double kd) {
  return free_ngml / (free_ngml + kd);
}

// The formulas behind factors() and potency_shift(), without the argument checks, for synapse_class_effect
// whose modulation is already a weighted occupancy in [0, 1] (called for every grid point).
gabaa_factors linear_factors(double m, const modulation_params& p) {
  // A strongly negative modulation cannot remove inhibition entirely or reverse it: floor at 5 %.
  constexpr double floor = 0.05;
  return {std::max(floor, 1.0 + p.amplitude_max * m), std::max(floor, 1.0 + p.decay_max * m)};
}

double linear_shift(double m, const modulation_params& p) {
  return 1.0 + (p.potency_shift_max - 1.0) * m;
}

}  // namespace

double occupancy(double free_ngml, const binding_params& p) {
  require_concentration(free_ngml);
  return bound(free_ngml, p.kd_free_ngml);
}

subtype_values subtype_occupancy(double free_ngml, const binding_params& p) {
  require_concentration(free_ngml);
  const subtype_values kd = p.kd_by_subtype();
  return {bound(free_ngml, kd.a1), bound(free_ngml, kd.a2), bound(free_ngml, kd.a3), bound(free_ngml, kd.a5)};
}

void modulation_params::validate() const {
  require_in_range("pd.modulation.amplitude_max", amplitude_max, "", 0.0, 5.0);
  require_in_range("pd.modulation.decay_max", decay_max, "", 0.0, 5.0);
  require_in_range("pd.modulation.potency_shift_max", potency_shift_max, "", 1.0, 100.0);
  require_in_range("pd.modulation.tonic_max", tonic_max, "", 0.0, 10.0);
}

gabaa_factors factors(double net_modulation, const modulation_params& p) {
  require_finite("net modulation", net_modulation, "");
  return linear_factors(net_modulation, p);
}

double potency_shift(double modulation, const modulation_params& p) {
  require_in_range("synapse modulation", modulation, "", 0.0, 1.0);
  return linear_shift(modulation, p);
}

void synapse_classes::validate() const {
  require_shares("pd.synapses.fast_somatic", fast_somatic);
  require_shares("pd.synapses.slow_dendritic", slow_dendritic);
  require_shares("pd.synapses.tonic", tonic);
}

synapse_effect synapse_class_effect(const subtype_values& composition, const subtype_values& occ,
                                    const modulation_params& p) {
  synapse_effect e;
  // Shares add up to 1 and occupancies lie in [0, 1]; the clamp only removes rounding above 1.
  e.modulation = std::clamp(weighted(composition, occ), 0.0, 1.0);
  e.potency_shift = linear_shift(e.modulation, p);
  e.factors = linear_factors(e.modulation, p);
  return e;
}

double tonic_factor(const subtype_values& tonic_composition, const subtype_values& occ, const modulation_params& p) {
  return 1.0 + p.tonic_max * std::clamp(weighted(tonic_composition, occ), 0.0, 1.0);
}

}  // namespace benzosim::pd
