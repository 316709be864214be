// SPDX-License-Identifier: MIT
/// Two-compartment model with first-order absorption, lag time and bioavailability (NONMEM ADVAN4 with
/// F1 and ALAG1), solved exactly on the event engine of pk/linear.hpp.
/// Equations: docs/models.md#pk.
#pragma once

#include <span>
#include <vector>

namespace benzosim::pk {

/// One oral dose: the time the tablet is taken and the amount it contains (before bioavailability).
struct dose {
  double time_h;     ///< [h]
  double amount_mg;  ///< [mg]
};

/// A dosing regimen: oral doses in time order.
struct regimen {
  std::vector<dose> doses;

  /// count doses of amount_mg at start_h + k*every_h (times computed, never accumulated).
  static regimen repeated(double amount_mg, double start_h, double every_h, int count);
  /// Adds doses and keeps the list sorted by time.
  void append(const regimen& other);
  /// Throws invalid_parameter if a dose time is negative or non-finite or an amount is not > 0.
  void validate() const;
  /// Total amount of all doses [mg].
  [[nodiscard]] double total_mg() const;
};

/// Parameters of the oral two-compartment model (true, not apparent /F, values). No defaults: every
/// value comes from a drug file that names its source.
struct two_compartment_oral {
  double ka_per_h;  ///< absorption rate constant [1/h]
  double cl_lph;    ///< clearance from the central compartment [L/h]
  double v1_l;      ///< central volume [L]
  double q_lph;     ///< inter-compartmental clearance [L/h]
  double v2_l;      ///< peripheral volume [L]
  double f;         ///< oral bioavailability [0..1]
  double tlag_h;    ///< absorption lag time [h]
  double fu;        ///< unbound (free) fraction in plasma [0..1]

  /// Throws invalid_parameter naming the first field that is non-finite or out of range.
  void validate() const;
};

/// Disposition rate constants: alpha > beta > 0 [1/h], the two eigenvalues of the central/peripheral system.
struct disposition {
  double alpha_per_h;
  double beta_per_h;
};
disposition disposition_constants(const two_compartment_oral& p);

/// Total and free plasma concentration at the requested times.
struct concentration_profile {
  std::vector<double> t_h;        ///< [h]
  std::vector<double> c_ngml;     ///< total plasma concentration [ng/mL]
  std::vector<double> free_ngml;  ///< unbound plasma concentration [ng/mL]
};

/// Concentrations at times_h (non-decreasing, finite) for the regimen. Doses enter the gut at
/// time + tlag with amount * f. Exact to rounding: no ODE solver is involved.
concentration_profile simulate(const two_compartment_oral& p, const regimen& r, std::span<const double> times_h);

}  // namespace benzosim::pk
