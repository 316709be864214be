// SPDX-License-Identifier: MIT
// The excitability map: the seizure-prone baseline's seizure fraction against net GABA-A modulation,
// its trend, its interpolation and clamping, its seeding contract, and validation.
#include <cmath>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include <benzosim/circuit/wendling.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/pd/gabaa.hpp>

#include "../../../src/circuit/stochastic.hpp"
#include "test_support.hpp"

namespace {

using benzosim::invalid_parameter;
using benzosim::circuit::excitability_map;
using benzosim::circuit::map_options;
using benzosim::circuit::wendling_params;

const benzosim::pd::modulation_params clonazepam_mod{0.23, 0.45};

/// The default map (33 points on [-0.6, 1], 4 seeds x 20 s), built once for the whole suite.
const excitability_map& default_map() {
  static const excitability_map map = excitability_map::build(wendling_params::seizure_prone(), clonazepam_mod, {});
  return map;
}

TEST(excitability_map, grid_is_uniform_with_exact_ends) {
  const excitability_map& m = default_map();
  ASSERT_EQ(m.grid().size(), 33u);
  ASSERT_EQ(m.values().size(), 33u);
  EXPECT_EQ(m.grid().front(), -0.6);
  EXPECT_EQ(m.grid().back(), 1.0);
  for (std::size_t i = 0; i < 33; ++i) EXPECT_NEAR(m.grid()[i], -0.6 + 0.05 * static_cast<double>(i), 1e-12);
}

TEST(excitability_map, seizures_fall_with_modulation) {
  const excitability_map& m = default_map();
  EXPECT_LT(m.seizure_fraction(0.5), m.seizure_fraction(0.0));
  EXPECT_LT(m.seizure_fraction(0.0), m.seizure_fraction(-0.4));
  // Withdrawal: continuous spike-wave; untreated: a good part of the time; clinical potentiation: none.
  EXPECT_GE(m.seizure_fraction(-0.6), 0.95);
  EXPECT_GE(m.seizure_fraction(-0.3), 0.95);
  EXPECT_GT(m.seizure_fraction(0.0), 0.2);
  EXPECT_LT(m.seizure_fraction(0.0), 0.8);
  for (const double net : {0.3, 0.5, 0.8, 1.0}) EXPECT_LE(m.seizure_fraction(net), 0.02) << net;
  // Non-increasing along the grid, up to seed noise.
  for (std::size_t i = 1; i < m.values().size(); ++i) EXPECT_LE(m.values()[i], m.values()[i - 1] + 0.05) << i;
}

TEST(excitability_map, interpolates_exactly_and_clamps) {
  const excitability_map& m = default_map();
  const auto& g = m.grid();
  const auto& v = m.values();
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_EQ(m.seizure_fraction(g[i]), v[i]) << i;
  for (std::size_t i = 0; i + 1 < g.size(); ++i) {
    const double mid = 0.5 * (g[i] + g[i + 1]);
    EXPECT_NEAR(m.seizure_fraction(mid), 0.5 * (v[i] + v[i + 1]), 1e-12) << i;
    const double quarter = g[i] + 0.25 * (g[i + 1] - g[i]);
    EXPECT_NEAR(m.seizure_fraction(quarter), 0.75 * v[i] + 0.25 * v[i + 1], 1e-12) << i;
  }
  EXPECT_EQ(m.seizure_fraction(-5.0), v.front());
  EXPECT_EQ(m.seizure_fraction(-0.6000001), v.front());
  EXPECT_EQ(m.seizure_fraction(7.0), v.back());
  EXPECT_THROW((void)m.seizure_fraction(std::nan("")), invalid_parameter);
  EXPECT_THROW((void)excitability_map{}.seizure_fraction(0.0), benzosim::error);
}

TEST(excitability_map, point_i_replicate_j_is_one_keyed_run) {
  // Contract: point i, replicate j = simulate(apply_modulation(baseline, factors(m_i)), seed derived from
  // (seed, i, j)). Rebuild one small map by hand.
  map_options o;
  o.net_min = -0.1;
  o.net_max = 0.1;
  o.points = 3;
  o.seeds = 2;
  o.seed = 11;
  o.sim.duration_ms = 5000.0;
  const excitability_map m = excitability_map::build(wendling_params::seizure_prone(), clonazepam_mod, o);
  for (std::size_t i = 0; i < 3; ++i) {
    const double net = m.grid()[i];
    const auto f = benzosim::pd::factors(net, clonazepam_mod);
    const auto p = benzosim::circuit::apply_modulation(wendling_params::seizure_prone(), f, f);
    double sum = 0.0;
    for (std::uint64_t j = 0; j < 2; ++j) {
      auto sim = o.sim;
      sim.seed = benzosim::circuit::detail::derive_seed(11, i, j);
      sum += benzosim::circuit::detect(benzosim::circuit::simulate(p, sim), o.detector).seizure_fraction;
    }
    EXPECT_EQ(m.values()[i], sum / 2.0) << i;
  }
  // Rebuilding gives the same map.
  EXPECT_EQ(excitability_map::build(wendling_params::seizure_prone(), clonazepam_mod, o).values(), m.values());
}

TEST(excitability_map, validation_names_the_field) {
  const wendling_params p = wendling_params::seizure_prone();
  auto expect_bad = [&](const map_options& o, const std::string& name) {
    try {
      excitability_map::build(p, clonazepam_mod, o);
      ADD_FAILURE() << name << " accepted";
    } catch (const invalid_parameter& e) {
      EXPECT_EQ(e.name, name) << e.what();
    }
  };
  map_options o;
  o.points = 1;
  expect_bad(o, "circuit.map.points");
  o = {};
  o.seeds = 0;
  expect_bad(o, "circuit.map.seeds");
  o = {};
  o.net_max = -0.6;
  expect_bad(o, "circuit.map.net_max");
  o = {};
  o.net_min = std::nan("");
  expect_bad(o, "circuit.map.net_min");
  o = {};
  o.sim.dt_ms = 0.0;
  expect_bad(o, "circuit.dt");
  o = {};
  o.detector.window_ms = -1.0;
  expect_bad(o, "circuit.detector.window");
  wendling_params bad = p;
  bad.B_mv = -3.0;
  EXPECT_THROW(excitability_map::build(bad, clonazepam_mod, {}), invalid_parameter);
  EXPECT_THROW(excitability_map::build(p, {std::nan(""), 0.45}, {}), invalid_parameter);
}

}  // namespace
