// SPDX-License-Identifier: MIT
#include <array>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/error.hpp>
#include <benzosim/core/time_grid.hpp>
#include <benzosim/pk/two_compartment.hpp>

#include "test_support.hpp"

namespace {

using benzosim::pk::regimen;
using benzosim::pk::two_compartment_oral;

// Clonazepam-like values (data/drugs/clonazepam.toml) and a second, faster set with a different shape.
const two_compartment_oral clonazepam{2.21, 3.105, 117.0, 13.5, 54.0, 0.9, 0.369, 0.15};
const two_compartment_oral fast_set{0.8, 10.0, 20.0, 5.0, 40.0, 0.7, 0.0, 0.5};

// Reference 1: the ODEs integrated numerically in the test with classical RK4, piecewise between doses.
std::vector<double> rk4_reference(const two_compartment_oral& p, const regimen& r, const std::vector<double>& t_out,
                                  double h) {
  auto rhs = [&](const std::array<double, 3>& y) {
    const double k10 = p.cl_lph / p.v1_l, k12 = p.q_lph / p.v1_l, k21 = p.q_lph / p.v2_l;
    return std::array<double, 3>{-p.ka_per_h * y[0], p.ka_per_h * y[0] - (k10 + k12) * y[1] + k21 * y[2],
                                 k12 * y[1] - k21 * y[2]};
  };
  auto step = [&](std::array<double, 3>& y, double dt) {
    auto add = [](const std::array<double, 3>& a, const std::array<double, 3>& b, double s) {
      return std::array<double, 3>{a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]};
    };
    const auto k1 = rhs(y), k2 = rhs(add(y, k1, dt / 2)), k3 = rhs(add(y, k2, dt / 2)), k4 = rhs(add(y, k3, dt));
    for (int i = 0; i < 3; ++i) y[i] += dt / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  };
  auto integrate = [&](std::array<double, 3>& y, double from, double to) {
    const int n = static_cast<int>(std::ceil((to - from) / h));
    for (int i = 0; i < n; ++i) step(y, (to - from) / n);
  };
  std::array<double, 3> y{0, 0, 0};
  double t = 0;
  std::size_t d = 0;
  std::vector<double> c;
  for (double to : t_out) {
    while (d < r.doses.size() && r.doses[d].time_h + p.tlag_h <= to) {
      integrate(y, t, r.doses[d].time_h + p.tlag_h);
      t = r.doses[d].time_h + p.tlag_h;
      y[0] += p.f * r.doses[d].amount_mg;
      ++d;
    }
    integrate(y, t, to);
    t = to;
    c.push_back(y[1] / p.v1_l * 1000.0);
  }
  return c;
}

// Reference 2: the textbook single-dose closed form (macro-constants) of the oral two-compartment model,
// C(t) = F D ka / V1 * sum_i coefficient_i e^{-lambda_i t}, t measured from the end of the lag.
std::array<std::array<double, 2>, 3> macro_constants(const two_compartment_oral& p, double dose_mg) {
  const double k10 = p.cl_lph / p.v1_l, k12 = p.q_lph / p.v1_l, k21 = p.q_lph / p.v2_l, ka = p.ka_per_h;
  const double s = k10 + k12 + k21, disc = std::sqrt(s * s - 4 * k10 * k21);
  const double a = (s + disc) / 2, b = (s - disc) / 2;
  const double scale = p.f * dose_mg * ka / p.v1_l * 1000.0;  // ng/mL
  return {{{scale * (k21 - a) / ((ka - a) * (b - a)), a},
           {scale * (k21 - b) / ((ka - b) * (a - b)), b},
           {scale * (k21 - ka) / ((a - ka) * (b - ka)), ka}}};
}

TEST(two_compartment, single_dose_matches_textbook_closed_form) {
  const auto r = regimen::repeated(2.0, 0.0, 0.0, 1);
  const auto t = benzosim::time_grid(0.0, 96.0, 0.25);
  const auto c = benzosim::pk::simulate(clonazepam, r, t);
  const auto m = macro_constants(clonazepam, 2.0);
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double tau = t[i] - clonazepam.tlag_h;
    double expected = 0;
    if (tau > 0)
      for (const auto& [coef, lambda] : m) expected += coef * std::exp(-lambda * tau);
    EXPECT_TRUE(benzosim::test::close_rel(c.c_ngml[i], expected, 1e-9, 1e-12)) << "t = " << t[i];
    EXPECT_DOUBLE_EQ(c.free_ngml[i], clonazepam.fu * c.c_ngml[i]);
  }
}

TEST(two_compartment, repeated_doses_match_numerical_integration) {
  for (const auto& p : {clonazepam, fast_set}) {
    auto r = regimen::repeated(0.5, 0.0, 8.0, 21);
    r.append(regimen::repeated(1.0, 171.3, 12.0, 4));  // off-grid dose times, larger doses
    const auto t = benzosim::time_grid(0.0, 300.0, 0.7);
    const auto exact = benzosim::pk::simulate(p, r, t);
    const auto ref = rk4_reference(p, r, t, 1e-3);
    EXPECT_TRUE(benzosim::test::profiles_close(exact.c_ngml, ref, 1e-6, 1e-9));
  }
}

TEST(two_compartment, steady_state_matches_geometric_series) {
  // After n doses every tau, each exponential term of the single-dose curve is multiplied by
  // (1 - e^{-n lambda tau}) / (1 - e^{-lambda tau}); for large n the steady-state limit 1 / (1 - e^{-lambda tau}).
  const double tau = 8.0, dose = 0.5;
  const int n = 60;  // 20 days, ~12 half-lives
  const auto r = regimen::repeated(dose, 0.0, tau, n);
  const auto m = macro_constants(clonazepam, dose);
  for (double within : {0.2, 1.0, 2.5, 5.0, 7.9}) {
    const double t_obs = (n - 1) * tau + clonazepam.tlag_h + within;
    const std::vector<double> t{t_obs};
    const double c = benzosim::pk::simulate(clonazepam, r, t).c_ngml[0];
    double finite_series = 0, limit = 0;
    for (const auto& [coef, lambda] : m) {
      finite_series +=
          coef * std::exp(-lambda * within) * (1 - std::exp(-n * lambda * tau)) / (1 - std::exp(-lambda * tau));
      limit += coef * std::exp(-lambda * within) / (1 - std::exp(-lambda * tau));
    }
    EXPECT_TRUE(benzosim::test::close_rel(c, finite_series, 1e-9)) << "within " << within;
    EXPECT_TRUE(benzosim::test::close_rel(c, limit, 0.01)) << "near steady state";
  }
  // Accumulation ratio of the trough for tid dosing: Swiss Fachinformation predicts ~7 (bid 5, once daily 3).
  const std::vector<double> t_first{tau}, t_ss{n * tau};
  auto trough_ratio = [&](double interval, int count) {
    const auto rr = regimen::repeated(dose, 0.0, interval, count);
    const std::vector<double> t1{interval}, tn{count * interval};
    return benzosim::pk::simulate(clonazepam, rr, tn).c_ngml[0] / benzosim::pk::simulate(clonazepam, rr, t1).c_ngml[0];
  };
  EXPECT_NEAR(trough_ratio(24.0, 30), 3.0, 0.8);
  EXPECT_NEAR(trough_ratio(12.0, 60), 5.0, 1.2);
  EXPECT_NEAR(trough_ratio(8.0, 90), 7.0, 1.8);
}

TEST(two_compartment, equal_rate_constants_use_the_limit) {
  // ka equal to beta (and nearly equal): the closed form must stay finite and continuous.
  auto p = fast_set;
  const auto d = benzosim::pk::disposition_constants(p);
  const auto r = regimen::repeated(1.0, 0.0, 0.0, 1);
  const std::vector<double> t{0.5, 3.0, 10.0};
  p.ka_per_h = d.beta_per_h;
  const auto exact = benzosim::pk::simulate(p, r, t);
  auto near = p;
  near.ka_per_h = d.beta_per_h * (1 + 1e-7);
  const auto nearly = benzosim::pk::simulate(near, r, t);
  EXPECT_TRUE(benzosim::test::profiles_close(exact.c_ngml, nearly.c_ngml, 1e-6));
  EXPECT_TRUE(benzosim::test::profiles_close(exact.c_ngml, rk4_reference(p, r, t, 1e-3), 1e-6));
  p.ka_per_h = d.alpha_per_h;
  EXPECT_TRUE(
      benzosim::test::profiles_close(benzosim::pk::simulate(p, r, t).c_ngml, rk4_reference(p, r, t, 1e-3), 1e-6));
}

TEST(two_compartment, lag_delays_the_whole_curve) {
  const auto r = regimen::repeated(1.0, 0.0, 0.0, 1);
  auto no_lag = clonazepam;
  no_lag.tlag_h = 0.0;
  const std::vector<double> t_lag{0.1, 0.369, 1.369, 10.369}, t_nolag{0.0, 0.0, 1.0, 10.0};
  const auto with = benzosim::pk::simulate(clonazepam, r, t_lag);
  const auto without = benzosim::pk::simulate(no_lag, r, t_nolag);
  EXPECT_EQ(with.c_ngml[0], 0.0);
  for (std::size_t i = 1; i < t_lag.size(); ++i)
    EXPECT_TRUE(benzosim::test::close_rel(with.c_ngml[i], without.c_ngml[i], 1e-12, 1e-15));
}

TEST(two_compartment, mass_balance_and_bioavailability) {
  // The amount eliminated equals F * dose: integral of CL * C over time (AUC = F D / CL).
  const auto r = regimen::repeated(2.0, 0.0, 0.0, 1);
  const auto t = benzosim::time_grid(0.0, 2000.0, 0.05);
  const auto c = benzosim::pk::simulate(clonazepam, r, t);
  double auc = 0;  // ng*h/mL, trapezoid
  for (std::size_t i = 1; i < t.size(); ++i) auc += 0.5 * (c.c_ngml[i] + c.c_ngml[i - 1]) * (t[i] - t[i - 1]);
  EXPECT_TRUE(benzosim::test::close_rel(auc, clonazepam.f * 2000.0 / clonazepam.cl_lph, 1e-4));
}

TEST(regimen, repeated_computes_times_without_accumulation) {
  const auto r = regimen::repeated(0.5, 1.0, 0.1, 1001);
  EXPECT_EQ(r.doses.back().time_h, 1.0 + 1000 * 0.1);
  EXPECT_DOUBLE_EQ(r.total_mg(), 500.5);
}

TEST(two_compartment, invalid_parameters_name_the_field) {
  auto p = clonazepam;
  p.cl_lph = -1.0;
  const auto r = regimen::repeated(1.0, 0.0, 0.0, 1);
  const std::vector<double> t{1.0};
  try {
    benzosim::pk::simulate(p, r, t);
    FAIL() << "expected invalid_parameter";
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_EQ(e.name, "pk.cl");
    EXPECT_NE(std::string(e.what()).find("must be"), std::string::npos) << e.what();
  }
  p = clonazepam;
  p.f = std::nan("");
  EXPECT_THROW(benzosim::pk::simulate(p, r, t), benzosim::invalid_parameter);
  EXPECT_THROW(regimen::repeated(-0.5, 0.0, 8.0, 3), benzosim::invalid_parameter);
  EXPECT_THROW(regimen::repeated(0.5, 0.0, 0.0, 3), benzosim::invalid_parameter);
  const std::vector<double> backwards{2.0, 1.0};
  EXPECT_THROW(benzosim::pk::simulate(clonazepam, r, backwards), benzosim::invalid_parameter);
}

}  // namespace
