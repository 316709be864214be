// SPDX-License-Identifier: MIT
#include <benzosim/core/time_grid.hpp>

#include <cmath>
#include <cstddef>

#include <benzosim/core/check.hpp>

namespace benzosim {

std::vector<double> time_grid(double start_h, double end_h, double step_h) {
  require_finite("start", start_h, "h");
  require_finite("end", end_h, "h");
  require_positive("step", step_h, "h");
  require_non_negative("end - start", end_h - start_h, "h");
  const double span = end_h - start_h;
  const auto n = static_cast<std::size_t>(std::floor(span / step_h * (1.0 + 1e-12) + 1e-9));
  require_in_range("number of grid points", static_cast<double>(n) + 1.0, "", 1.0, 1e8);
  std::vector<double> t(n + 1);
  for (std::size_t k = 0; k <= n; ++k) t[k] = start_h + static_cast<double>(k) * step_h;
  return t;
}

}  // namespace benzosim
