// SPDX-License-Identifier: MIT
/// Time grids as configuration: points are computed as start + k*step, never by repeated addition.
#pragma once

#include <vector>

namespace benzosim {

/// The points start_h + k*step_h for k = 0, 1, ... up to and including end_h (within 1e-9 relative).
/// Throws invalid_parameter unless step_h > 0, end_h >= start_h and all are finite.
std::vector<double> time_grid(double start_h, double end_h, double step_h);

}  // namespace benzosim
