// SPDX-License-Identifier: MIT
/// Effect functions of the clinical layer: pure functions of concentration and pd state (docs/models.md#clinical).
#pragma once

#include <benzosim/clinical/scenario.hpp>

namespace benzosim::clinical {

/// DSST fall [%]: emax * C^h / (C^h + EC50(t)^h), EC50(t) = ec50 + ec50_shift_max * a_fast (dos Santos 2009).
double dsst_impairment_pct(const dsst_params& p, double c_ngml, double a_fast);

/// Drowsiness probability from the net (sedative) modulation, floored at 0.
double drowsiness_probability(const drowsiness_params& p, double net_modulation);

}  // namespace benzosim::clinical
