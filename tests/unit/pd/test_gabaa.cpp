// SPDX-License-Identifier: MIT
#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/error.hpp>
#include <benzosim/core/time_grid.hpp>
#include <benzosim/pd/gabaa.hpp>
#include <benzosim/pk/two_compartment.hpp>

#include "test_support.hpp"

namespace {

using benzosim::pd::pd_params;

const benzosim::pk::two_compartment_oral clonazepam_pk{2.21, 3.105, 117.0, 13.5, 54.0, 0.9, 0.369, 0.15};
const pd_params clonazepam_pd{{3.75}, {0.23, 0.45}, {{"fast", 21.5, 0.15}, {"slow", 120.0, 0.35}}};

benzosim::pd::pd_profile run(const benzosim::pk::regimen& r, double until_h, double step_h = 0.25) {
  const auto t = benzosim::time_grid(0.0, until_h, step_h);
  return benzosim::pd::simulate(clonazepam_pd, benzosim::pk::simulate(clonazepam_pk, r, t));
}

TEST(occupancy, hyperbolic_binding) {
  EXPECT_DOUBLE_EQ(benzosim::pd::occupancy(3.75, {3.75}), 0.5);
  EXPECT_DOUBLE_EQ(benzosim::pd::occupancy(0.0, {3.75}), 0.0);
  EXPECT_TRUE(benzosim::test::close_rel(benzosim::pd::occupancy(33.75, {3.75}), 0.9, 1e-14));
  EXPECT_THROW(benzosim::pd::occupancy(std::nan(""), {3.75}), benzosim::invalid_parameter);
}

TEST(factors, linear_in_net_modulation_with_floor) {
  const auto f = benzosim::pd::factors(0.5, {0.23, 0.45});
  EXPECT_DOUBLE_EQ(f.amplitude, 1.115);
  EXPECT_DOUBLE_EQ(f.decay, 1.225);
  const auto w = benzosim::pd::factors(-0.2, {0.23, 0.45});
  EXPECT_DOUBLE_EQ(w.decay, 0.91);
  EXPECT_DOUBLE_EQ(benzosim::pd::factors(-10.0, {0.23, 0.45}).amplitude, 0.05);
}

TEST(adaptation, step_matches_numerical_integration) {
  // a' = k (u - a), u linear from u0 to u1: compare the exact step with fine RK4 in the test.
  const double k = 0.05, dt = 6.0, u0 = 0.2, u1 = 0.7, a0 = 0.1;
  double a = a0;
  const int n = 6000;
  const double h = dt / n;
  auto f = [&](double t, double y) { return k * (u0 + (u1 - u0) * t / dt - y); };
  for (int i = 0; i < n; ++i) {
    const double t = i * h;
    const double k1 = f(t, a), k2 = f(t + h / 2, a + h / 2 * k1), k3 = f(t + h / 2, a + h / 2 * k2),
                 k4 = f(t + h, a + h * k3);
    a += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  EXPECT_TRUE(benzosim::test::close_rel(benzosim::pd::adapt_step(a0, u0, u1, k, dt), a, 1e-12));
  // Constant input: the familiar exponential approach.
  EXPECT_TRUE(benzosim::test::close_rel(benzosim::pd::adapt_step(0.0, 1.0, 1.0, k, dt), 1 - std::exp(-k * dt), 1e-14));
}

TEST(adaptation, returns_to_zero_without_drug) {
  // 4 weeks of 0.5 mg tid, then nothing for 10 weeks: every adaptation state decays back towards 0.
  const auto p = run(benzosim::pk::regimen::repeated(0.5, 0.0, 8.0, 84), 24.0 * 98);
  const std::size_t stop = static_cast<std::size_t>(28 * 24 / 0.25);
  for (const auto& a : p.adaptation) {
    EXPECT_GT(a[stop], 0.1);
    EXPECT_LT(a.back(), 1e-3 * a[stop]);
    EXPECT_GE(*std::min_element(a.begin(), a.end()), 0.0);
  }
  // And a drug-naive patient never adapts.
  const auto none = benzosim::pd::simulate(
      clonazepam_pd, benzosim::pk::simulate(clonazepam_pk, {}, benzosim::time_grid(0.0, 500.0, 1.0)));
  for (const auto& a : none.adaptation) EXPECT_EQ(*std::max_element(a.begin(), a.end()), 0.0);
}

TEST(adaptation, withdrawal_only_after_exposure) {
  const auto p = run(benzosim::pk::regimen::repeated(0.5, 0.0, 8.0, 84), 24.0 * 42);
  const std::size_t stop = static_cast<std::size_t>(28 * 24 / 0.25);
  // On treatment the drug outweighs the adaptation (weights sum to 0.5 < 1): no withdrawal.
  for (std::size_t i = 0; i <= stop; ++i) ASSERT_EQ(p.withdrawal[i], 0.0) << "t = " << p.t_h[i];
  // After the abrupt stop the adaptation outlasts the drug: withdrawal appears and peaks days later.
  const auto peak = std::max_element(p.withdrawal.begin() + static_cast<long>(stop), p.withdrawal.end());
  EXPECT_GT(*peak, 0.02);
  const double peak_day = (p.t_h[static_cast<std::size_t>(peak - p.withdrawal.begin())] - 28 * 24) / 24;
  EXPECT_GT(peak_day, 2.0);
  EXPECT_LT(peak_day, 14.0);  // class pattern: full syndrome usually within 10-14 days
  // Net modulation identity.
  for (std::size_t i = 0; i < p.t_h.size(); i += 97) {
    EXPECT_DOUBLE_EQ(p.net_modulation[i], p.occupancy[i] - p.tolerance[i]);
  }
}

TEST(adaptation, fast_state_follows_dos_santos_half_time) {
  // Constant occupancy from t = 0 (an artificial profile): the fast state reaches half of it at 21.5 h.
  benzosim::pk::concentration_profile c;
  c.t_h = benzosim::time_grid(0.0, 21.5, 0.5);
  c.free_ngml.assign(c.t_h.size(), 3.75);
  c.c_ngml.assign(c.t_h.size(), 25.0);
  const auto p = benzosim::pd::simulate(clonazepam_pd, c);
  EXPECT_TRUE(benzosim::test::close_rel(p.adaptation[0].back(), 0.25, 1e-12));
}

TEST(pd_params, validation_names_the_field) {
  auto bad = clonazepam_pd;
  bad.adaptation[1].weight = 0.9;  // sum 1.05 > 1
  EXPECT_THROW(bad.validate(), benzosim::invalid_parameter);
  bad = clonazepam_pd;
  bad.binding.kd_free_ngml = 0.0;
  try {
    bad.validate();
    FAIL();
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_EQ(e.name, "pd.binding.kd_free");
  }
}

}  // namespace
