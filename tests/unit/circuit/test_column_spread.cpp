// SPDX-License-Identifier: MIT
// A heterogeneous baseline (docs/circuit.md §5): the columns of a log-normal spread of the slow dendritic
// gain, the map's contract for point i, column c, seed r, thread-independence, and the graded response that
// a spread gives where one column has a step.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/circuit/wendling.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/pd/gabaa.hpp>

#include "../../../src/circuit/stochastic.hpp"

namespace {

using benzosim::invalid_parameter;
using benzosim::circuit::column_spread;
using benzosim::circuit::columns_of;
using benzosim::circuit::excitability_map;
using benzosim::circuit::map_options;
using benzosim::circuit::wendling_params;

const benzosim::pd::modulation_params clonazepam_mod{0.23, 0.677};

TEST(column_spread, nodes_cover_two_sd_of_ln_b_weighted_by_the_normal_density) {
  wendling_params p = wendling_params::seizure_prone();
  p.B_mv = 46.5;
  const auto one = columns_of(p, {});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].B_mv, 46.5);
  EXPECT_EQ(one[0].weight, 1.0);
  const auto cols = columns_of(p, {0.43, 5});
  ASSERT_EQ(cols.size(), 5u);
  const double z[] = {-2.0, -1.0, 0.0, 1.0, 2.0};
  double total = 0.0;
  for (const double zi : z) total += std::exp(-0.5 * zi * zi);
  for (std::size_t c = 0; c < 5; ++c) {
    EXPECT_NEAR(cols[c].B_mv, 46.5 * std::exp(0.43 * z[c]), 1e-12) << c;
    EXPECT_NEAR(cols[c].weight, std::exp(-0.5 * z[c] * z[c]) / total, 1e-15) << c;
  }
  EXPECT_EQ(cols[2].B_mv, 46.5);  // the middle node is the baseline exactly
  const auto even = columns_of(p, {0.43, 4});
  EXPECT_NEAR(even.front().B_mv, 46.5 * std::exp(-0.86), 1e-12);
  EXPECT_NEAR(even.back().B_mv, 46.5 * std::exp(0.86), 1e-12);
  double sum = 0.0;
  for (const auto& c : even) sum += c.weight;
  EXPECT_NEAR(sum, 1.0, 1e-15);
  // No spread: every column is the baseline, with equal weights (more seeds, in effect).
  for (const auto& c : columns_of(p, {0.0, 3})) {
    EXPECT_EQ(c.B_mv, 46.5);
    EXPECT_NEAR(c.weight, 1.0 / 3.0, 1e-15);
  }
  for (const column_spread bad :
       {column_spread{-0.1, 3}, column_spread{2.5, 3}, column_spread{0.4, 0}, column_spread{std::nan(""), 3}}) {
    try {
      (void)columns_of(p, bad);
      ADD_FAILURE() << bad.B_log_sd << " " << bad.columns << " accepted";
    } catch (const invalid_parameter& e) {
      EXPECT_TRUE(e.name == "circuit.map.B_log_sd" || e.name == "circuit.map.columns") << e.name;
    }
  }
}

TEST(column_spread, point_i_column_c_seed_r_is_one_keyed_run_and_threads_do_not_matter) {
  wendling_params p = wendling_params::seizure_prone();
  p.B_mv = 46.5;
  map_options o;
  o.net_min = -0.2;
  o.net_max = 0.4;
  o.points = 3;
  o.seeds = 2;
  o.seed = 5;
  o.spread = {0.43, 3};
  o.sim.duration_ms = 3000.0;
  o.threads = 1;
  const excitability_map m = excitability_map::build(p, clonazepam_mod, o);
  const auto cols = columns_of(p, o.spread);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto f = benzosim::pd::factors(m.grid()[i], clonazepam_mod);
    double expected = 0.0;
    for (std::size_t c = 0; c < cols.size(); ++c) {
      wendling_params column = p;
      column.B_mv = cols[c].B_mv;
      const auto modulated = benzosim::circuit::apply_modulation(column, f, f);
      double sum = 0.0;
      for (std::uint64_t r = 0; r < 2; ++r) {
        auto sim = o.sim;
        sim.seed = benzosim::circuit::detail::derive_seed(5, i, c * 2 + r);
        sum += benzosim::circuit::detect(benzosim::circuit::simulate(modulated, sim), o.detector).seizure_fraction;
      }
      expected += cols[c].weight * sum / 2.0;
    }
    EXPECT_EQ(m.values()[i], expected) << i;
  }
  o.threads = 2;
  EXPECT_EQ(excitability_map::build(p, clonazepam_mod, o).values(), m.values());
  o.threads = -1;
  EXPECT_THROW(excitability_map::build(p, clonazepam_mod, o), invalid_parameter);
}

TEST(column_spread, a_spread_turns_the_step_into_a_graded_response) {
  // One column (B 39.5): seizure fraction ~0.36 at m = 0 and 0 from m = 0.1, a step. The spread of the
  // epilepsy scenario (median 46.5 mV, SD of ln B 0.43, 25 columns): ~1/3 at m = 0, partial suppression
  // across the therapeutic net modulations (0.3-0.5), more than baseline in withdrawal (m < 0).
  wendling_params p = wendling_params::seizure_prone();
  p.B_mv = 46.5;
  map_options o;
  o.net_min = -0.2;
  o.net_max = 0.6;
  o.points = 5;  // -0.2, 0, 0.2, 0.4, 0.6
  o.seeds = 1;
  o.spread = {0.43, 25};
  o.sim.duration_ms = 10000.0;
  const excitability_map m = excitability_map::build(p, clonazepam_mod, o);
  const auto& v = m.values();
  EXPECT_GT(v[1], 0.25);
  EXPECT_LT(v[1], 0.42);
  EXPECT_GT(v[0], 1.3 * v[1]);
  for (std::size_t i = 2; i < 5; ++i) {
    EXPECT_LT(v[i], v[i - 1]) << i;
    EXPECT_GT(v[i], 0.05 * v[1]) << i;  // partial, not total
  }
  EXPECT_LT(v[3], 0.5 * v[1]);
}

}  // namespace
