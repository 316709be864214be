// SPDX-License-Identifier: MIT
#include <benzosim/circuit/wendling.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <vector>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/parallel.hpp>
#include <benzosim/pd/gabaa.hpp>

#include "stochastic.hpp"

namespace benzosim::circuit {

std::vector<column> columns_of(const wendling_params& baseline, const column_spread& s) {
  require_in_range("circuit.map.B_log_sd", s.B_log_sd, "", 0.0, 2.0);
  require_in_range("circuit.map.columns", static_cast<double>(s.columns), "", 1.0, 1000.0);
  constexpr double z_max = 2.0;  // the nodes cover +-2 SD of ln B
  const auto n = static_cast<std::size_t>(s.columns);
  std::vector<column> out(n);
  double total = 0.0;
  for (std::size_t c = 0; c < n; ++c) {
    // From the index (never accumulated); the middle node of an odd count is exactly the baseline. Without a
    // spread the columns are replicates of the baseline with equal weights.
    const double z = n == 1 || 2 * c + 1 == n || s.B_log_sd == 0.0
                         ? 0.0
                         : -z_max + 2.0 * z_max * static_cast<double>(c) / static_cast<double>(n - 1);
    out[c] = {baseline.B_mv * std::exp(s.B_log_sd * z), std::exp(-0.5 * z * z)};
    total += out[c].weight;
  }
  for (column& c : out) c.weight /= total;
  return out;
}

excitability_map excitability_map::build(const wendling_params& baseline, const pd::modulation_params& m,
                                         const map_options& o) {
  // Check everything before the first run (a run with invalid settings never starts).
  baseline.validate();
  require_non_negative("circuit.map.amplitude_max", m.amplitude_max, "");
  require_non_negative("circuit.map.decay_max", m.decay_max, "");
  require_finite("circuit.map.net_min", o.net_min, "");
  require_finite("circuit.map.net_max", o.net_max, "");
  if (!(o.net_max > o.net_min)) {
    throw invalid_parameter("circuit.map.net_max", o.net_max,
                            "circuit.map.net_max must be greater than circuit.map.net_min");
  }
  require_in_range("circuit.map.points", static_cast<double>(o.points), "", 2.0, 100000.0);
  require_in_range("circuit.map.seeds", static_cast<double>(o.seeds), "", 1.0, 100000.0);
  require_in_range("circuit.map.threads", static_cast<double>(o.threads), "", 0.0, 1024.0);
  detail::validate(o.sim);
  detail::validate(o.detector);
  const std::vector<column> cols = columns_of(baseline, o.spread);
  for (const column& c : cols) {
    wendling_params p = baseline;
    p.B_mv = c.B_mv;
    p.validate();
  }

  const auto points = static_cast<std::size_t>(o.points);
  const auto seeds = static_cast<std::size_t>(o.seeds);
  excitability_map map;
  map.net_.resize(points);
  map.fraction_.resize(points);
  for (std::size_t i = 0; i < points; ++i) {
    // Computed from the index, never accumulated, so the last point is exactly net_max.
    map.net_[i] = i + 1 == points
                      ? o.net_max
                      : o.net_min + (o.net_max - o.net_min) * static_cast<double>(i) / static_cast<double>(points - 1);
  }
  // Each grid point is one chunk; its runs are summed in a fixed order, so the map does not depend on threads.
  const auto make = [&](std::size_t i) {
    const pd::gabaa_factors f = pd::factors(map.net_[i], m);
    double fraction = 0.0;
    for (std::size_t c = 0; c < cols.size(); ++c) {
      wendling_params unmodulated = baseline;
      unmodulated.B_mv = cols[c].B_mv;
      const wendling_params p = apply_modulation(unmodulated, f, f);  // same factors on both loops
      double column_fraction = 0.0;
      for (std::size_t r = 0; r < seeds; ++r) {
        simulation_options sim = o.sim;
        sim.seed = detail::derive_seed(o.seed, i, static_cast<std::uint64_t>(c * seeds + r));
        column_fraction += detect(simulate(p, sim), o.detector).seizure_fraction;
      }
      fraction += cols[c].weight * column_fraction / static_cast<double>(seeds);
    }
    return fraction;
  };
  run_chunks_ordered(points, resolve_threads(o.threads), make,
                     [&](std::size_t i, double&& fraction) { map.fraction_[i] = fraction; });
  return map;
}

double excitability_map::seizure_fraction(double net_modulation) const {
  require_finite("circuit.map net modulation", net_modulation, "");
  if (net_.empty()) throw error("circuit.excitability_map: the map is empty; build it with excitability_map::build");
  if (net_modulation <= net_.front()) return fraction_.front();
  if (net_modulation >= net_.back()) return fraction_.back();
  // net_[k] <= m < net_[k+1]; at a grid point t = 0, so the grid value is returned exactly.
  const auto upper = std::upper_bound(net_.begin(), net_.end(), net_modulation);
  const auto k = static_cast<std::size_t>(std::distance(net_.begin(), upper)) - 1;
  const double t = (net_modulation - net_[k]) / (net_[k + 1] - net_[k]);
  return fraction_[k] + t * (fraction_[k + 1] - fraction_[k]);
}

}  // namespace benzosim::circuit
