// SPDX-License-Identifier: MIT
// The exact linear path against hand-derived closed forms (1 and 2 compartments) and against sums over
// single-dose curves (superposition) for steady states, lags and overlapping infusions.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/error.hpp>
#include <benzosim/pk/linear.hpp>

#include "test_support.hpp"

namespace {

using namespace benzosim::pk;
using benzosim::test::close_rel;

record obs(double t) {
  return record{.time_h = t};
}
record dose(double t, double amt, int cmt = 0) {
  return record{.time_h = t, .kind = event_kind::dose, .amount = amt, .cmt = cmt};
}

subject with_observations(std::vector<record> doses, const std::vector<double>& times) {
  subject s;
  s.records = std::move(doses);
  for (double t : times) s.records.push_back(obs(t));
  std::stable_sort(s.records.begin(), s.records.end(),
                   [](const record& a, const record& b) { return a.time_h < b.time_h; });
  for (std::size_t i = 0; i < s.records.size(); ++i) s.records[i].row = i + 1;
  return s;
}

std::vector<double> grid(double to, double step) {
  std::vector<double> t;
  for (int k = 0; k * step <= to + 1e-12; ++k) t.push_back(k * step);
  return t;
}

/// Checks every observation record of s against f(t).
void expect_observations(const subject& s, const amounts_table& a, int cmt, const std::function<double(double)>& f,
                         double rtol = 1e-10, double atol = 1e-12) {
  for (std::size_t i = 0; i < s.records.size(); ++i) {
    if (s.records[i].kind != event_kind::observation) continue;
    EXPECT_TRUE(close_rel(a.at(i, cmt), f(s.records[i].time_h), rtol, atol)) << "t = " << s.records[i].time_h;
  }
}

const double cl = 2.0, v = 10.0, k = cl / v, ka = 1.3;

TEST(linear_one_cmt, iv_bolus) {
  const linear_model m{linear_structure::one_cmt_iv, {cl, v}, {}};
  const auto s = with_observations({dose(0, 100)}, grid(48, 0.5));
  expect_observations(s, simulate(m, s), 1, [](double t) { return 100 * std::exp(-k * t); });
}

TEST(linear_one_cmt, iv_infusion_given_rate_with_bioavailability) {
  // RATE 20 mg/h, AMT 100, F 0.6: 60 mg over 3 h (F shortens the infusion, the rate stays).
  linear_model m{linear_structure::one_cmt_iv, {cl, v}, {compartment_modifiers{}}};
  m.modifiers[0].bioav = {modifier::source::constant, 0.6, 0, "F1"};
  auto d = dose(1, 100, 1);
  d.input = input_kind::given_rate;
  d.rate_per_h = 20;
  const auto s = with_observations({d}, grid(24, 0.25));
  const double r = 20, tinf = 3;
  expect_observations(s, simulate(m, s), 1, [&](double t) {
    if (t <= 1) return 0.0;
    if (t <= 1 + tinf) return r / k * (1 - std::exp(-k * (t - 1)));
    return r / k * (1 - std::exp(-k * tinf)) * std::exp(-k * (t - 1 - tinf));
  });
}

TEST(linear_one_cmt, modeled_rate_and_duration_match_given_rate) {
  linear_model m{linear_structure::one_cmt_iv, {cl, v}, {compartment_modifiers{}}};
  m.modifiers[0].rate = {modifier::source::constant, 25.0, 0, "R1"};
  m.modifiers[0].duration = {modifier::source::constant, 4.0, 0, "D1"};
  auto given = dose(0, 100, 1), by_rate = given, by_duration = given;
  given.input = input_kind::given_rate;
  given.rate_per_h = 25;
  by_rate.input = input_kind::modeled_rate;
  by_duration.input = input_kind::modeled_duration;  // 100 mg over 4 h = 25 mg/h as well
  const auto t = grid(12, 0.5);
  const auto a = simulate(m, with_observations({given}, t));
  const auto b = simulate(m, with_observations({by_rate}, t));
  const auto c = simulate(m, with_observations({by_duration}, t));
  EXPECT_TRUE(benzosim::test::profiles_close(b.a, a.a, 1e-14, 1e-14));
  EXPECT_TRUE(benzosim::test::profiles_close(c.a, a.a, 1e-14, 1e-14));
}

TEST(linear_one_cmt, oral_bateman_with_lag_and_bioavailability) {
  linear_model m{linear_structure::one_cmt_oral, {cl, v, ka}, {compartment_modifiers{}, compartment_modifiers{}}};
  m.modifiers[0].bioav = {modifier::source::constant, 0.8, 0, "F1"};
  m.modifiers[0].lag = {modifier::source::constant, 0.75, 0, "ALAG1"};
  const auto s = with_observations({dose(0, 50)}, grid(36, 0.25));
  const auto a = simulate(m, s);
  expect_observations(s, a, 2, [](double t) {
    const double u = t - 0.75;
    return u <= 0 ? 0.0 : 0.8 * 50 * ka / (ka - k) * (std::exp(-k * u) - std::exp(-ka * u));
  });
  expect_observations(s, a, 1, [](double t) { return t < 0.75 ? 0.0 : 40 * std::exp(-ka * (t - 0.75)); });
}

TEST(linear_one_cmt, oral_with_ka_equal_to_k_uses_the_limit) {
  const linear_model m{linear_structure::one_cmt_oral, {cl, v, k}, {}};
  const auto s = with_observations({dose(0, 50)}, grid(48, 1.0));
  expect_observations(
      s, simulate(m, s), 2, [](double t) { return 50 * k * t * std::exp(-k * t); }, 1e-9);
}

TEST(linear_two_cmt, iv_bolus_biexponential) {
  const double v1 = 10, q = 3, v2 = 25, k10 = cl / v1, k12 = q / v1, k21 = q / v2;
  const double sum = k10 + k12 + k21, disc = std::sqrt(sum * sum - 4 * k10 * k21);
  const double alpha = (sum + disc) / 2, beta = (sum - disc) / 2;
  const linear_model m{linear_structure::two_cmt_iv, {cl, v1, q, v2}, {}};
  const auto s = with_observations({dose(0, 100)}, grid(72, 0.5));
  const auto a = simulate(m, s);
  expect_observations(s, a, 1, [&](double t) {
    return 100 * ((alpha - k21) * std::exp(-alpha * t) + (k21 - beta) * std::exp(-beta * t)) / (alpha - beta);
  });
  expect_observations(
      s, a, 2, [&](double t) { return 100 * k12 * (std::exp(-beta * t) - std::exp(-alpha * t)) / (alpha - beta); });
}

TEST(linear_steady_state, bolus_ss1_equals_geometric_series) {
  const linear_model m{linear_structure::one_cmt_iv, {cl, v}, {}};
  auto d = dose(10, 100);
  d.ss = steady_state_kind::reset;
  d.ii_h = 12;
  d.addl = 3;
  const auto s = with_observations({d}, {10, 11, 16, 21.9, 22, 30, 45});
  const auto a = simulate(m, s);
  const double acc = 1 / (1 - std::exp(-k * 12));
  expect_observations(s, a, 1, [&](double t) {
    const double since = std::fmod(t - 10, 12);
    return 100 * std::exp(-k * since) * acc;
  });
}

/// The steady state of a pulse train, by summing single-dose curves over 400 past pulses.
double pulse_train(const std::function<double(double)>& single, double t, double first_pulse, double ii) {
  double sum = 0;
  for (int j = 0; j < 400; ++j) {
    const double since = t - (first_pulse - j * ii);
    if (since > 0) sum += single(since);
  }
  return sum;
}

TEST(linear_steady_state, infusion_with_ii_shorter_than_duration_and_lag) {
  // RATE 10, AMT 100 (10 h infusions) every 6 h, lag 2.5 h: infusions overlap; the lag shifts the train.
  linear_model m{linear_structure::one_cmt_iv, {cl, v}, {compartment_modifiers{}}};
  m.modifiers[0].lag = {modifier::source::constant, 2.5, 0, "ALAG1"};
  auto d = dose(0, 100, 1);
  d.input = input_kind::given_rate;
  d.rate_per_h = 10;
  d.ss = steady_state_kind::reset;
  d.ii_h = 6;
  d.addl = 4;
  const auto s = with_observations({d}, grid(60, 0.5));
  const auto a = simulate(m, s);
  auto single = [](double u) {
    return u <= 10 ? 10 / k * (1 - std::exp(-k * u)) : 10 / k * (1 - std::exp(-k * 10)) * std::exp(-k * (u - 10));
  };
  // Pulses at 2.5 + 6 j for j <= 4 (dose + ADDL) and the steady-state past before them.
  expect_observations(
      s, a, 1,
      [&](double t) { return pulse_train(single, t, std::min(2.5 + 24, 2.5 + 6 * std::floor((t - 2.5) / 6)), 6); },
      1e-9);
}

TEST(linear_steady_state, ii_equal_to_duration_is_a_constant_infusion) {
  linear_model m{linear_structure::one_cmt_iv, {cl, v}, {}};
  auto d = dose(0, 100, 1);
  d.input = input_kind::given_rate;
  d.rate_per_h = 10;  // 10 h infusions every 10 h
  d.ss = steady_state_kind::reset;
  d.ii_h = 10;
  d.addl = 5;
  const auto s = with_observations({d}, grid(50, 1.0));
  expect_observations(
      s, simulate(m, s), 1, [](double) { return 10 / k; }, 1e-10);
}

TEST(linear_steady_state, bolus_with_lag_longer_than_interval) {
  linear_model m{linear_structure::one_cmt_oral, {cl, v, ka}, {compartment_modifiers{}, compartment_modifiers{}}};
  m.modifiers[0].lag = {modifier::source::constant, 30.0, 0, "ALAG1"};  // lag 30 h > II 12 h
  auto d = dose(0, 10);
  d.ss = steady_state_kind::reset;
  d.ii_h = 12;
  const auto s = with_observations({d}, grid(80, 1.0));
  auto single = [](double u) { return 10 * ka / (ka - k) * (std::exp(-k * u) - std::exp(-ka * u)); };
  // The train: pulses at 30 - 12 j for all j >= 0 (the dose itself at 30); no pulses after 30.
  expect_observations(
      s, simulate(m, s), 2, [&](double t) { return pulse_train(single, t, 30, 12); }, 1e-9);
}

TEST(linear_steady_state, constant_infusion_equilibrium_and_ss2_superposition) {
  linear_model m{linear_structure::one_cmt_iv, {cl, v}, {}};
  auto inf = dose(0, 0, 1);
  inf.input = input_kind::given_rate;
  inf.rate_per_h = 3;
  inf.ss = steady_state_kind::reset;  // AMT 0, RATE 3, SS 1: the equilibrium of a constant infusion
  const auto s = with_observations({inf}, {0, 5, 100});
  expect_observations(
      s, simulate(m, s), 1, [](double) { return 3 / k; }, 1e-12);
  // SS = 2 adds the steady state of a bolus train to what is there.
  auto bolus = dose(0, 50, 1);
  auto ss2 = dose(4, 100, 1);
  ss2.ss = steady_state_kind::add;
  ss2.ii_h = 24;
  const auto t = std::vector<double>{4, 5, 10, 27};
  const auto a = simulate(m, with_observations({bolus, ss2}, t));
  auto s2 = with_observations({bolus, ss2}, t);
  expect_observations(s2, a, 1, [](double tt) {
    return 50 * std::exp(-k * tt) + 100 * std::exp(-k * (tt - 4)) / (1 - std::exp(-k * 24));
  });
}

TEST(linear_events, addl_equals_explicit_doses_and_reset_clears_everything) {
  const linear_model m{linear_structure::two_cmt_oral, {cl, 10, 3, 25, ka}, {}};
  auto d = dose(0, 5);
  d.ii_h = 8;
  d.addl = 5;
  const auto t = grid(72, 1.0);
  const auto sa = with_observations({d}, t);
  const auto a = simulate(m, sa);
  std::vector<record> explicit_doses;
  for (int j = 0; j <= 5; ++j) explicit_doses.push_back(dose(8.0 * j, 5));
  const auto sb = with_observations(explicit_doses, t);
  const auto b = simulate(m, sb);
  auto observed = [](const subject& s, const amounts_table& x) {
    std::vector<double> out;
    for (std::size_t i = 0; i < s.records.size(); ++i) {
      if (s.records[i].kind == event_kind::observation) out.push_back(x.at(i, 2));
    }
    return out;
  };
  EXPECT_TRUE(benzosim::test::profiles_close(observed(sa, a), observed(sb, b), 1e-12, 1e-15));
  // EVID 3 at 20 h: everything (amounts and pending ADDL doses) is gone; EVID 4 at 30 h doses afresh.
  auto reset = obs(20);
  reset.kind = event_kind::reset;
  auto redose = dose(30, 5);
  redose.kind = event_kind::reset_and_dose;
  const auto s = with_observations({d, reset, redose}, t);
  const auto c = simulate(m, s);
  const auto fresh = simulate(m, with_observations({dose(0, 5)}, t));
  for (std::size_t i = 0; i < s.records.size(); ++i) {
    const double tt = s.records[i].time_h;
    if (s.records[i].kind != event_kind::observation) continue;
    if (tt >= 20 && tt < 30) {
      for (int cmt = 1; cmt <= 3; ++cmt) EXPECT_EQ(c.at(i, cmt), 0.0) << tt;
    }
    if (tt >= 30) {
      const auto j = static_cast<std::size_t>(tt - 30) + 1;  // fresh: the dose, then observations at 0, 1, ...
      EXPECT_TRUE(close_rel(c.at(i, 2), fresh.at(j, 2), 1e-12, 1e-15)) << tt;
    }
  }
}

TEST(linear_events, three_compartments_reduce_to_two_when_a_peripheral_is_cut_off) {
  const linear_model three{linear_structure::three_cmt_iv, {cl, 10, 3, 25, 1e-12, 40}, {}};
  const linear_model two{linear_structure::two_cmt_iv, {cl, 10, 3, 25}, {}};
  const auto t = grid(48, 2.0);
  const auto a = simulate(three, with_observations({dose(0, 100)}, t));
  const auto b = simulate(two, with_observations({dose(0, 100)}, t));
  for (std::size_t i = 0; i < t.size() + 1; ++i) EXPECT_TRUE(close_rel(a.at(i, 1), b.at(i, 1), 1e-9));
}

TEST(linear_events, semantic_errors_name_the_row) {
  const linear_model m{linear_structure::one_cmt_iv, {cl, v}, {}};
  auto expect_row_error = [&](subject s, const std::string& needle) {
    try {
      (void)simulate(m, s);
      FAIL() << "expected an error mentioning " << needle;
    } catch (const benzosim::invalid_parameter& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  subject backwards;
  backwards.records = {obs(5), obs(3)};
  backwards.records[0].row = 2;
  backwards.records[1].row = 3;
  expect_row_error(backwards, "row 3");
  // Back by exactly 1 h in the first run of observations: once taken for a cached step (the empty cache's
  // step length was -1 h), it returned zeros instead of the error.
  backwards.records = {obs(3), obs(2)};
  backwards.records[0].row = 2;
  backwards.records[1].row = 3;
  expect_row_error(backwards, "row 3");
  auto no_ii = dose(0, 10);
  no_ii.ss = steady_state_kind::reset;
  no_ii.row = 7;
  expect_row_error(subject{"1", {no_ii}, {}, {}}, "row 7: SS");
  auto no_r = dose(0, 10);
  no_r.input = input_kind::modeled_rate;
  no_r.row = 4;
  expect_row_error(subject{"1", {no_r}, {}, {}}, "needs a modeled rate");
  auto bad_cmt = dose(0, 10, 3);
  bad_cmt.row = 9;
  expect_row_error(subject{"1", {bad_cmt}, {}, {}}, "CMT = 3");
  EXPECT_THROW(simulate(linear_model{linear_structure::one_cmt_iv, {-1, v}, {}}, subject{}),
               benzosim::invalid_parameter);
}

}  // namespace
