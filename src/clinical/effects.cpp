// SPDX-License-Identifier: MIT
#include <benzosim/clinical/effects.hpp>

#include <algorithm>
#include <cmath>

namespace benzosim::clinical {

double dsst_impairment_pct(const dsst_params& p, double c_ngml, double a_fast) {
  if (c_ngml <= 0.0) return 0.0;
  const double ec50 = p.ec50_ngml + p.ec50_shift_max_ngml * a_fast;
  // Ratio form avoids overflow of C^h for large C: E = emax / (1 + (EC50/C)^h).
  return p.emax_pct / (1.0 + std::pow(ec50 / c_ngml, p.hill));
}

double drowsiness_probability(const drowsiness_params& p, double net_modulation) {
  const double s = std::max(0.0, net_modulation);
  if (s == 0.0) return p.placebo;
  return p.placebo + (p.pmax - p.placebo) / (1.0 + std::pow(p.s50 / s, p.hill));
}

}  // namespace benzosim::clinical
