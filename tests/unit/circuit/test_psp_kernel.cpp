// SPDX-License-Identifier: MIT
// The building blocks of the Wendling integrator against closed forms: the exact PSP propagator, the
// step noise covariance, and the Philox normal stream.
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "../../../src/circuit/stochastic.hpp"
#include "test_support.hpp"

namespace {

using benzosim::circuit::detail::exp_moment;
using benzosim::circuit::detail::make_psp_propagator;
using benzosim::circuit::detail::normal_stream;
using benzosim::circuit::detail::psp_propagator;
using benzosim::test::close_rel;

struct kernel_case {
  double gain_mv;
  double rate_per_s;
};
// The three kernels of the model: (A, a), (B, b), (G, g) of the 2002 set, and a drug-prolonged fast one.
const std::vector<kernel_case> kernels{{3.25, 100.0}, {22.0, 50.0}, {10.0, 500.0}, {12.0, 350.0}};

TEST(psp_kernel, impulse_response_matches_closed_form) {
  // A unit impulse of input at t = 0 sets y' = W w; afterwards y(t) = h(t) = W w t e^{-wt}.
  for (const auto& k : kernels) {
    for (const double h_s : {1e-4, 5e-4, 1e-3}) {
      const psp_propagator p = make_psp_propagator(k.gain_mv, k.rate_per_s, h_s, 0.0);
      double y = 0.0;
      double v = k.gain_mv * k.rate_per_s;
      for (int n = 1; n <= 200; ++n) {
        const double y_new = p.phi_yy * y + p.phi_yv * v;
        v = p.phi_vy * y + p.phi_vv * v;
        y = y_new;
        const double t = n * h_s;
        const double w = k.rate_per_s;
        ASSERT_TRUE(close_rel(y, k.gain_mv * w * t * std::exp(-w * t), 1e-11, 1e-14)) << "w " << w << " n " << n;
        ASSERT_TRUE(close_rel(v, k.gain_mv * w * std::exp(-w * t) * (1.0 - w * t), 1e-11, 1e-11 * k.gain_mv * w));
      }
    }
  }
}

TEST(psp_kernel, step_response_matches_closed_form) {
  // Constant input u from rest: y(t) = (W u / w) (1 - e^{-wt} (1 + wt)), y'(t) = W w u t e^{-wt}; the
  // plateau W u / w is the kernel integral W / w times u.
  const double u = 90.0;  // [1/s]
  for (const auto& k : kernels) {
    const double h_s = 5e-4;
    const psp_propagator p = make_psp_propagator(k.gain_mv, k.rate_per_s, h_s, 0.0);
    double y = 0.0;
    double v = 0.0;
    const double w = k.rate_per_s;
    for (int n = 1; n <= 400; ++n) {
      const double y_new = p.phi_yy * y + p.phi_yv * v + p.in_y * u;
      v = p.phi_vy * y + p.phi_vv * v + p.in_v * u;
      y = y_new;
      const double t = n * h_s;
      ASSERT_TRUE(close_rel(y, k.gain_mv * u / w * (1.0 - std::exp(-w * t) * (1.0 + w * t)), 1e-11, 1e-13));
      ASSERT_TRUE(close_rel(v, k.gain_mv * w * u * t * std::exp(-w * t), 1e-11, 1e-10));
    }
  }
}

TEST(psp_kernel, exp_moments_match_closed_form_and_quadrature) {
  // Both branches (series for c h < 1, closed form above) against the closed forms evaluated in long
  // double, and a composite Simpson rule.
  for (const double c : {1.0, 100.0, 1000.0, 5000.0}) {
    for (const double h : {1e-5, 1e-4, 5e-4, 2e-3}) {
      const long double x = static_cast<long double>(c) * h;
      const long double e = std::exp(-x);
      const long double cl = c;
      const long double ref[3] = {(1.0L - e) / cl, (1.0L - e * (1.0L + x)) / (cl * cl),
                                  (2.0L - e * (2.0L + 2.0L * x + x * x)) / (cl * cl * cl)};
      for (int n = 0; n <= 2; ++n) {
        // The closed form cancels catastrophically for tiny c h even in long double; there the series
        // branch is checked against Simpson only.
        if (x >= 1e-3L) {
          EXPECT_TRUE(close_rel(exp_moment(n, c, h), static_cast<double>(ref[n]), 1e-9))
              << "n " << n << " ch " << c * h;
        }
        const int m = 2000;
        double simpson = 0.0;
        for (int i = 0; i <= m; ++i) {
          const double t = h * i / m;
          const double wgt = (i == 0 || i == m) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
          simpson += wgt * std::pow(t, n) * std::exp(-c * t);
        }
        simpson *= h / m / 3.0;
        EXPECT_TRUE(close_rel(exp_moment(n, c, h), simpson, 1e-10)) << "n " << n << " c h " << c * h;
      }
    }
  }
}

TEST(psp_kernel, step_noise_covariance_matches_quadrature) {
  // L L^T must equal sigma^2 integral_0^h k k^T ds, k(s) = e^{-ws} (s, 1 - ws) (Simpson in the test).
  const double sigma = 3.25 * 100.0 * 30.0 * std::sqrt(1e-3);  // the model's input noise [mV/s^1.5]
  for (const auto& k : kernels) {
    for (const double h : {1e-4, 5e-4, 2e-3}) {
      const psp_propagator p = make_psp_propagator(k.gain_mv, k.rate_per_s, h, sigma);
      const double w = k.rate_per_s;
      const int m = 4000;
      double syy = 0.0, syv = 0.0, svv = 0.0;
      for (int i = 0; i <= m; ++i) {
        const double s = h * i / m;
        const double wgt = (i == 0 || i == m) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
        const double k1 = std::exp(-w * s) * s;
        const double k2 = std::exp(-w * s) * (1.0 - w * s);
        syy += wgt * k1 * k1;
        syv += wgt * k1 * k2;
        svv += wgt * k2 * k2;
      }
      const double f = sigma * sigma * h / m / 3.0;
      EXPECT_TRUE(close_rel(p.l_yy * p.l_yy, f * syy, 1e-9));
      EXPECT_TRUE(close_rel(p.l_yy * p.l_vy, f * syv, 1e-9));
      EXPECT_TRUE(close_rel(p.l_vy * p.l_vy + p.l_vv * p.l_vv, f * svv, 1e-9));
    }
  }
  // Small-step limit: the velocity variance tends to sigma^2 h, the Euler-Maruyama increment.
  const psp_propagator tiny = make_psp_propagator(3.25, 100.0, 1e-7, sigma);
  EXPECT_TRUE(close_rel(tiny.l_vy * tiny.l_vy + tiny.l_vv * tiny.l_vv, sigma * sigma * 1e-7, 1e-4));
}

TEST(psp_kernel, stationary_variance_matches_closed_form) {
  // y'' + 2w y' + w^2 y = sigma xi has Var(y) = sigma^2 / (4 w^3) and Var(y') = sigma^2 / (4 w). Driving
  // the propagator with the Philox stream checks the noise factor and the normality of the numbers.
  const double w = 100.0, sigma = 3.25 * 100.0 * 30.0 * std::sqrt(1e-3), h = 1e-3;
  const psp_propagator p = make_psp_propagator(3.25, w, h, sigma);
  normal_stream rng(42, 7);
  double y = 0.0, v = 0.0, syy = 0.0, svv = 0.0;
  const int burn_in = 1000, n = 400000;
  for (int i = 0; i < burn_in + n; ++i) {
    const double z1 = rng.next(), z2 = rng.next();
    const double y_new = p.phi_yy * y + p.phi_yv * v + p.l_yy * z1;
    v = p.phi_vy * y + p.phi_vv * v + p.l_vy * z1 + p.l_vv * z2;
    y = y_new;
    if (i >= burn_in) {
      syy += y * y;
      svv += v * v;
    }
  }
  // About 400 s / (correlation time ~ 2/w = 20 ms) = 20 000 independent samples: SE of a variance ~ 1 %.
  EXPECT_TRUE(close_rel(syy / n, sigma * sigma / (4.0 * w * w * w), 0.05));
  EXPECT_TRUE(close_rel(svv / n, sigma * sigma / (4.0 * w), 0.05));
}

TEST(normal_stream, deterministic_standard_normal_and_keyed) {
  normal_stream a(1, 2), b(1, 2), c(2, 2), d(1, 3);
  double sum = 0.0, sum2 = 0.0, sum4 = 0.0;
  int differ_c = 0, differ_d = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = a.next();
    ASSERT_EQ(x, b.next());
    if (x != c.next()) ++differ_c;
    if (x != d.next()) ++differ_d;
    sum += x;
    sum2 += x * x;
    sum4 += x * x * x * x;
  }
  EXPECT_EQ(differ_c, n);
  EXPECT_EQ(differ_d, n);
  // Mean 0 (SE 0.0022), variance 1 (SE 0.0032), fourth moment 3 (SE 0.022): 5-SE bounds.
  EXPECT_NEAR(sum / n, 0.0, 0.011);
  EXPECT_NEAR(sum2 / n, 1.0, 0.016);
  EXPECT_NEAR(sum4 / n, 3.0, 0.11);
}

TEST(normal_stream, derived_seeds_are_distinct) {
  using benzosim::circuit::detail::derive_seed;
  std::set<std::uint64_t> seen;
  for (std::uint64_t s = 0; s < 4; ++s)
    for (std::uint64_t i = 0; i < 20; ++i)
      for (std::uint64_t j = 0; j < 8; ++j) seen.insert(derive_seed(s, i, j));
  EXPECT_EQ(seen.size(), 4u * 20u * 8u);
  EXPECT_EQ(derive_seed(5, 3, 1), derive_seed(5, 3, 1));
}

}  // namespace
