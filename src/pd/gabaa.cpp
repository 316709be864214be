// SPDX-License-Identifier: MIT
#include <benzosim/pd/gabaa.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>

namespace benzosim::pd {

double occupancy(double free_ngml, const binding_params& p) {
  if (!(free_ngml >= 0.0) || !std::isfinite(free_ngml)) {
    throw invalid_parameter("free concentration", free_ngml,
                            "pd.occupancy: free concentration must be finite and >= 0");
  }
  return free_ngml / (free_ngml + p.kd_free_ngml);
}

gabaa_factors factors(double net_modulation, const modulation_params& p) {
  require_finite("net modulation", net_modulation, "");
  // A strongly negative modulation cannot remove inhibition entirely or reverse it: floor at 5 %.
  constexpr double floor = 0.05;
  return {std::max(floor, 1.0 + p.amplitude_max * net_modulation), std::max(floor, 1.0 + p.decay_max * net_modulation)};
}

void pd_params::validate() const {
  require_positive("pd.binding.kd_free", binding.kd_free_ngml, "ng/mL");
  require_in_range("pd.modulation.amplitude_max", modulation.amplitude_max, "", 0.0, 5.0);
  require_in_range("pd.modulation.decay_max", modulation.decay_max, "", 0.0, 5.0);
  if (adaptation.empty())
    throw invalid_parameter("pd.adaptation", 0.0, "pd.adaptation: at least one adaptation state is required");
  double total = 0.0;
  for (std::size_t i = 0; i < adaptation.size(); ++i) {
    const std::string where = "pd.adaptation[" + std::to_string(i) + "]";
    require_positive(where + ".half_life", adaptation[i].half_life_h, "h");
    require_in_range(where + ".weight", adaptation[i].weight, "", 0.0, 1.0);
    total += adaptation[i].weight;
  }
  require_in_range("sum of pd.adaptation weights", total, "", 0.0, 1.0);
}

double adapt_step(double a0, double u0, double u1, double k_per_h, double dt_h) {
  if (dt_h <= 0.0) return a0;
  const double x = k_per_h * dt_h;
  const double decay = std::exp(-x);
  const double one_minus = -std::expm1(-x);  // 1 - e^{-x}, accurate for small x
  // a(t) for a' = k (u - a) with u linear from u0 to u1 over dt (docs/models.md#adaptation):
  // a1 = a0 e^{-x} + u0 (1 - e^{-x}) + (u1 - u0) (1 - (1 - e^{-x}) / x).
  const double ramp = x > 1e-8 ? 1.0 - one_minus / x : 0.5 * x;
  return a0 * decay + u0 * one_minus + (u1 - u0) * ramp;
}

pd_profile simulate(const pd_params& p, const pk::concentration_profile& c) {
  p.validate();
  const std::size_t n = c.t_h.size();
  if (c.free_ngml.size() != n) throw internal_error("pd::simulate: profile columns differ in length");
  pd_profile out;
  out.t_h = c.t_h;
  out.occupancy.resize(n);
  out.tolerance.assign(n, 0.0);
  out.net_modulation.resize(n);
  out.withdrawal.resize(n);
  out.adaptation.assign(p.adaptation.size(), std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) out.occupancy[i] = occupancy(c.free_ngml[i], p.binding);
  for (std::size_t s = 0; s < p.adaptation.size(); ++s) {
    const double k = std::log(2.0) / p.adaptation[s].half_life_h;
    auto& a = out.adaptation[s];
    for (std::size_t i = 1; i < n; ++i) {
      a[i] = adapt_step(a[i - 1], out.occupancy[i - 1], out.occupancy[i], k, c.t_h[i] - c.t_h[i - 1]);
    }
    for (std::size_t i = 0; i < n; ++i) out.tolerance[i] += p.adaptation[s].weight * a[i];
  }
  for (std::size_t i = 0; i < n; ++i) {
    out.net_modulation[i] = out.occupancy[i] - out.tolerance[i];
    out.withdrawal[i] = std::max(0.0, -out.net_modulation[i]);
  }
  return out;
}

}  // namespace benzosim::pd
