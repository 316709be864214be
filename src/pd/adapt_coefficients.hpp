// SPDX-License-Identifier: MIT
/// The exact adaptation step a' = k (u - a) over dt for a drive u linear over the step, split into its
/// coefficients (which depend only on k dt) and their application, so that a run on a uniform grid computes
/// the exponentials once per state instead of once per step. pd::adapt_step uses the same two functions:
/// both paths give bit-identical results.
#pragma once

#include <cmath>

namespace benzosim::pd::detail {

struct adapt_coefficients {
  double decay;      ///< e^{-x}, x = k dt
  double one_minus;  ///< 1 - e^{-x}
  double ramp;       ///< 1 - (1 - e^{-x}) / x: the weight of the drive's change over the step
};

/// Coefficients for x = k dt > 0.
inline adapt_coefficients coefficients(double k_per_h, double dt_h) {
  const double x = k_per_h * dt_h;
  const double one_minus = -std::expm1(-x);  // 1 - e^{-x}, accurate for small x
  // a(t) for a' = k (u - a) with u linear from u0 to u1 over dt (docs/models.md#adaptation):
  // a1 = a0 e^{-x} + u0 (1 - e^{-x}) + (u1 - u0) (1 - (1 - e^{-x}) / x).
  const double ramp = x > 1e-8 ? 1.0 - one_minus / x : 0.5 * x;
  return {std::exp(-x), one_minus, ramp};
}

inline double apply(double a0, double u0, double u1, const adapt_coefficients& c) {
  return a0 * c.decay + u0 * c.one_minus + (u1 - u0) * c.ramp;
}

}  // namespace benzosim::pd::detail
