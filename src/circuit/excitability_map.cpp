// SPDX-License-Identifier: MIT
#include <benzosim/circuit/wendling.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/pd/gabaa.hpp>

#include "stochastic.hpp"

namespace benzosim::circuit {

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
  detail::validate(o.sim);
  detail::validate(o.detector);

  const auto points = static_cast<std::size_t>(o.points);
  excitability_map map;
  map.net_.resize(points);
  map.fraction_.resize(points);
  for (std::size_t i = 0; i < points; ++i) {
    // Computed from the index, never accumulated, so the last point is exactly net_max.
    const double net = i + 1 == points ? o.net_max
                                       : o.net_min + (o.net_max - o.net_min) * static_cast<double>(i) /
                                                         static_cast<double>(points - 1);
    const pd::gabaa_factors f = pd::factors(net, m);
    const wendling_params p = apply_modulation(baseline, f, f);  // same factors on both loops
    double sum = 0.0;
    for (int j = 0; j < o.seeds; ++j) {
      simulation_options sim = o.sim;
      sim.seed = detail::derive_seed(o.seed, i, static_cast<std::uint64_t>(j));
      sum += detect(simulate(p, sim), o.detector).seizure_fraction;
    }
    map.net_[i] = net;
    map.fraction_[i] = sum / static_cast<double>(o.seeds);
  }
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
