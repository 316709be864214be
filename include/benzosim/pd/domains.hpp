// SPDX-License-Identifier: MIT
/// Adaptation (tolerance) per effect domain: each domain (sedative, anticonvulsant, anxiolytic, amnesic) is
/// driven by the occupancy of the subtypes that mediate it and has its own turnover-type adaptation states;
/// its net effect is the drive minus the adaptation, its withdrawal drive the adaptation left unopposed.
/// Prior benzodiazepine exposure starts the states partly adapted (cross-tolerance).
/// Equations, numbers and their sources: docs/models.md#pd.
#pragma once

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <benzosim/pd/receptors.hpp>
#include <benzosim/pk/two_compartment.hpp>

namespace benzosim::pd {

/// One adaptation (tolerance) state: a' = (u - a) ln2 / half_life_h for a drive u; it cancels weight * a.
struct adaptation_state_params {
  std::string name;    ///< e.g. "fast", "sedative"
  double half_life_h;  ///< [h]
  double weight;       ///< share of the drug effect this state cancels at full adaptation [0..1]
};

/// One step of an adaptation state: exact solution of a' = k (u(t) - a) over dt_h for u linear from u0 to u1.
double adapt_step(double a0, double u0, double u1, double k_per_h, double dt_h);

/// An effect domain. drive = sum_s drive_weights_s occ_s; each state follows the drive; net = drive -
/// sum_j weight_j a_j, in [-1, 1]; withdrawal = max(0, -net).
struct domain_params {
  std::string name;                                 ///< "sedative", "anticonvulsant", "anxiolytic", "amnesic", ...
  subtype_values drive_weights;                     ///< share of the domain's drug effect per subtype; adds up to 1
  std::vector<adaptation_state_params> adaptation;  ///< may be empty (no tolerance); weights add up to <= 1

  /// Throws invalid_parameter naming the first bad field as `where`.name (e.g. "pd.domains[2].half_life").
  void validate(std::string_view where) const;
};

/// The domain's drive at the given subtype occupancies, in [0, 1].
double domain_drive(const domain_params& d, const subtype_values& occ);
/// Net effect of a domain: drive - sum_j weight_j a_j, for the states a (one per adaptation state).
double domain_net(const domain_params& d, double drive, std::span<const double> states);
/// The adaptation left unopposed: max(0, -net).
inline double withdrawal_drive(double net) {
  return std::max(0.0, -net);
}

/// Benzodiazepine use before t = 0, in diazepam equivalents.
struct prior_exposure {
  double diazepam_mg_per_day = 0.0;   ///< daily dose in diazepam equivalents [mg/day]; 0 = drug-naive
  double duration_days = 0.0;         ///< how long it was taken [days]
  double days_since_last_dose = 0.0;  ///< time between its last dose and t = 0 [days]; 0 = a direct switch

  /// Throws invalid_parameter naming the first bad field.
  void validate() const;
};

/// Average steady-state total plasma concentration of a daily dose: F D / (CL 24 h), in ng/mL.
double average_css_ngml(const pk::two_compartment_oral& pk, double mg_per_day);

/// An adaptation state that starts at 0, follows a constant drive for on_h hours and then decays for off_h
/// hours without drive: u (1 - e^{-k on}) e^{-k off}, k = ln2 / half_life_h.
double adapted_after(double drive, double half_life_h, double on_h, double off_h);

}  // namespace benzosim::pd
