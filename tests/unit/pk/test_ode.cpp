// SPDX-License-Identifier: MIT
// The CVODES path of pk: cross-checks against the exact linear path on the same event engine, the enzyme
// turnover and parent-metabolite models against closed forms, solver failures and parameter validation.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/error.hpp>
#include <benzosim/pk/events.hpp>
#include <benzosim/pk/linear.hpp>
#include <benzosim/pk/ode.hpp>

// The integrator itself is private to pk; its unit tests reach it by path (tests are not a layer).
#include "../../../src/pk/cvodes_integrator.hpp"
#include "test_support.hpp"

namespace {

using namespace benzosim::pk;
using benzosim::invalid_parameter;
using benzosim::solver_error;

// ---- building subjects ------------------------------------------------------------------------------

record dose(double t, double amt, int addl = 0, double ii = 0.0) {
  record r;
  r.time_h = t;
  r.kind = event_kind::dose;
  r.amount = amt;
  r.addl = addl;
  r.ii_h = ii;
  return r;
}

record infusion(double t, double amt, double rate, int addl = 0, double ii = 0.0) {
  record r = dose(t, amt, addl, ii);
  r.input = input_kind::given_rate;
  r.rate_per_h = rate;
  return r;
}

record modeled(double t, double amt, input_kind k) {
  record r = dose(t, amt);
  r.input = k;
  return r;
}

record steady(record r) {
  r.ss = steady_state_kind::reset;
  return r;
}

record event(double t, event_kind k) {
  record r;
  r.time_h = t;
  r.kind = k;
  return r;
}

/// The events plus observations every dt_h from 0 to t_end_h, in time order (events first at equal times).
subject make_subject(std::vector<record> events, double t_end_h, double dt_h = 0.75) {
  subject s;
  s.id = "test";
  for (int k = 0; k * dt_h <= t_end_h + 1e-9; ++k) events.push_back(event(k * dt_h, event_kind::observation));
  std::stable_sort(events.begin(), events.end(), [](const record& a, const record& b) { return a.time_h < b.time_h; });
  for (std::size_t i = 0; i < events.size(); ++i) events[i].row = i + 1;
  s.records = std::move(events);
  return s;
}

modifier constant(double v) {
  return {modifier::source::constant, v, 0, ""};
}

// ---- CVODES against the exact path ----------------------------------------------------------------------

struct scenario {
  const char* name;
  std::vector<record> events;
  bool lag_and_f;
};

std::vector<scenario> scenarios() {
  return {
      {"bolus_addl", {dose(0, 10, 5, 12)}, false},
      {"infusion_rate", {infusion(0, 10, 4), infusion(6, 5, 10, 3, 12)}, false},
      {"modeled_rate_and_duration",
       {modeled(0, 10, input_kind::modeled_rate), modeled(24, 10, input_kind::modeled_duration)},
       false},
      {"lag_and_f", {dose(0, 10), infusion(12, 10, 5, 2, 12)}, true},
      {"ss_bolus", {steady(dose(0, 10, 3, 12))}, false},
      {"ss_infusion_shorter_than_ii", {steady(infusion(0, 10, 2, 3, 12))}, false},
      {"ss_infusion_longer_than_ii", {steady(infusion(0, 10, 0.625, 2, 12))}, false},
      {"ss_infusion_equal_to_ii", {steady(infusion(0, 12, 1, 2, 12))}, false},
      {"ss_bolus_with_lag_and_f", {steady(dose(0, 10, 2, 12))}, true},
      {"ss_constant_infusion", {steady(infusion(0, 0, 2))}, false},
      {"reset_evid3_and_evid4",
       {dose(0, 10), event(30, event_kind::reset), dose(40, 10),
        [] {
          record r = dose(60, 7);
          r.kind = event_kind::reset_and_dose;
          return r;
        }()},
       false},
  };
}

/// Modifiers on the default dose compartment: R and D always (used by RATE -1/-2), F and ALAG on request.
linear_model with_modifiers(linear_model m, bool lag_and_f) {
  const int n = compartment_count(m.structure);
  m.modifiers.assign(static_cast<std::size_t>(n), compartment_modifiers{});
  auto& d = m.modifiers[static_cast<std::size_t>(default_dose_compartment(m.structure) - 1)];
  d.rate = constant(3.0);
  d.duration = constant(5.0);
  if (lag_and_f) {
    d.bioav = constant(0.8);
    d.lag = constant(0.5);
  }
  return m;
}

/// max over records and compartments first_cmt..n of |ode - exact| / max(|exact|, floor_mg); floor_mg < 0 means
/// 1e-6 x the largest amount of the run. The floor keeps amounts that have decayed to the order of the
/// solver's atol (a depot hours after absorption) from dominating a relative measure.
double max_relative_difference(const amounts_table& ode, const amounts_table& exact, double floor_mg = -1.0,
                               int first_cmt = 1) {
  double scale = 0.0;
  for (double v : exact.a) scale = std::max(scale, std::fabs(v));
  const double floor = floor_mg < 0.0 ? 1e-6 * scale : floor_mg;
  double worst = 0.0;
  for (std::size_t i = 0; i < exact.a.size() / exact.n_cmt; ++i) {
    for (int c = first_cmt; c <= static_cast<int>(exact.n_cmt); ++c) {
      worst = std::max(worst, std::fabs(ode.at(i, c) - exact.at(i, c)) / std::max(std::fabs(exact.at(i, c)), floor));
    }
  }
  return worst;
}

const ode_options tight{.rtol = 1e-10, .atol = 1e-14, .max_steps = 100000, .ss_rtol = 1e-12, .ss_max_cycles = 5000};

void expect_cvodes_matches_exact(const linear_model& base) {
  double worst = 0.0;
  for (const auto& sc : scenarios()) {
    const linear_model m = with_modifiers(base, sc.lag_and_f);
    const subject s = make_subject(sc.events, 96.0);
    const amounts_table exact = simulate(m, s);
    const amounts_table ode = simulate_ode(m, s, tight);
    ASSERT_EQ(ode.n_cmt, exact.n_cmt);
    ASSERT_EQ(ode.a.size(), exact.a.size());
    const double d = max_relative_difference(ode, exact);
    EXPECT_LE(d, 1e-6) << to_string(base.structure) << " / " << sc.name;
    worst = std::max(worst, d);
  }
  std::printf("[ measured ] %s: max relative difference CVODES vs exact = %.2e\n",
              std::string(to_string(base.structure)).c_str(), worst);
}

TEST(ode_linear, one_cmt_oral_matches_exact_path) {
  expect_cvodes_matches_exact({linear_structure::one_cmt_oral, {2.0, 30.0, 1.2}, {}});
}

TEST(ode_linear, two_cmt_oral_matches_exact_path) {
  expect_cvodes_matches_exact({linear_structure::two_cmt_oral, {3.105, 117.0, 13.5, 54.0, 2.21}, {}});
}

TEST(ode_linear, three_cmt_iv_matches_exact_path) {
  expect_cvodes_matches_exact({linear_structure::three_cmt_iv, {5.0, 10.0, 8.0, 20.0, 1.0, 50.0}, {}});
}

TEST(ode_linear, default_settings_agree_with_exact_to_solver_tolerance) {
  const linear_model m{linear_structure::two_cmt_oral, {3.105, 117.0, 13.5, 54.0, 2.21}, {}};
  const subject s = make_subject({dose(0, 2, 13, 12)}, 168.0);
  // Default rtol 1e-8, atol 1e-10 mg. Central and peripheral amounts (what concentrations are made of) within
  // 1e-6 relative; the depot (a fast-decaying mode, ~1e-6 mg between doses) within 1e-5 relative or 100 x atol.
  const amounts_table ode = simulate_ode(m, s), exact = simulate(m, s);
  const double d = max_relative_difference(ode, exact, 0.0, 2);
  EXPECT_LE(d, 1e-6);
  for (std::size_t i = 0; i < s.records.size(); ++i) {
    EXPECT_TRUE(benzosim::test::close_rel(ode.at(i, 1), exact.at(i, 1), 1e-5, 1e-8));
  }
  std::printf("[ measured ] default settings: max relative difference CVODES vs exact = %.2e (central, peripheral)\n",
              d);
}

TEST(ode_linear, ss_add_is_rejected_on_the_ode_path) {
  const linear_model m{linear_structure::one_cmt_oral, {2.0, 30.0, 1.2}, {}};
  record r = dose(0, 10, 0, 12);
  r.ss = steady_state_kind::add;
  EXPECT_THROW(simulate_ode(m, make_subject({r}, 24.0)), invalid_parameter);
}

// ---- enzyme turnover ---------------------------------------------------------------------------------

// Clonazepam's two-compartment parameters (data/drugs/clonazepam.toml; ADVAN4 naming: V2 central, V3 peripheral).
enzyme_turnover_model clonazepam_induced(double ind, double emax = 0.0) {
  return {.cl = 3.105,
          .v2 = 117.0,
          .q = 13.5,
          .v3 = 54.0,
          .ka = 2.21,
          .kenz = 0.0193,
          .ind = ind,
          .emax = emax,
          .ec50 = 20.0,
          .e0 = 1.0,
          .modifiers = {}};
}

TEST(enzyme_turnover, enzyme_rises_after_an_inducer_as_the_closed_form) {
  const auto m = clonazepam_induced(0.43);
  const subject s = make_subject({}, 400.0, 2.0);  // no clonazepam: the inducer alone from t = 0
  const amounts_table a = simulate_ode(m, s, tight);
  double worst = 0.0;
  for (std::size_t i = 0; i < s.records.size(); ++i) {
    const double t = s.records[i].time_h;
    const double expected = 1.0 + 0.43 * (1.0 - std::exp(-0.0193 * t));
    EXPECT_TRUE(benzosim::test::close_rel(a.at(i, 4), expected, 1e-8)) << "t = " << t;
    worst = std::max(worst, std::fabs(a.at(i, 4) - expected) / expected);
  }
  std::printf("[ measured ] enzyme E(t) vs 1 + IND (1 - exp(-KENZ t)): max relative difference %.2e\n", worst);
}

TEST(enzyme_turnover, settled_inducer_lowers_average_concentration_by_30_percent) {
  // IND = 0.43: E settles at 1.43, CL rises 1.43-fold and the steady-state average falls by 1 - 1/1.43 = 30 %
  // (label: ~30 % lower plasma clonazepam with phenytoin, carbamazepine or phenobarbital).
  const auto m = clonazepam_induced(0.43);
  const double tau = 24.0, dose_mg = 1.0;
  const subject s = make_subject({steady(dose(0, dose_mg, 0, tau))}, tau, 0.05);
  const amounts_table induced = simulate_ode(m, s, tight);

  // The same at steady state as the exact linear model with CL x 1.43.
  const linear_model fast{linear_structure::two_cmt_oral, {3.105 * 1.43, 117.0, 13.5, 54.0, 2.21}, {}};
  const linear_model base{linear_structure::two_cmt_oral, {3.105, 117.0, 13.5, 54.0, 2.21}, {}};
  const amounts_table exact_fast = simulate(fast, s);
  const amounts_table exact_base = simulate(base, s);
  double worst = 0.0;
  for (std::size_t i = 0; i < s.records.size(); ++i) {
    EXPECT_TRUE(benzosim::test::close_rel(induced.at(i, 4), 1.43, 1e-8));
    for (int c = 1; c <= 3; ++c) {
      EXPECT_TRUE(benzosim::test::close_rel(induced.at(i, c), exact_fast.at(i, c), 1e-6, 1e-8)) << "cmt " << c;
      const double e = exact_fast.at(i, c);
      worst = std::max(worst, std::fabs(induced.at(i, c) - e) / std::max(std::fabs(e), 1e-6 * dose_mg));
    }
  }
  // Average concentrations over one interval (Simpson's rule on the 0.05 h grid; records are all observations
  // but the first, which is the dose, at the same time as the first observation).
  auto average_ngml = [&](const amounts_table& a) {
    std::vector<double> c;
    for (std::size_t i = 0; i < s.records.size(); ++i) {
      if (s.records[i].kind == event_kind::observation) c.push_back(a.at(i, 2) / 117.0 * 1000.0);
    }
    const double h = 0.05;
    double sum = c.front() + c.back();
    for (std::size_t k = 1; k + 1 < c.size(); ++k) sum += (k % 2 ? 4.0 : 2.0) * c[k];
    return sum * h / 3.0 / tau;
  };
  const double c_induced = average_ngml(induced), c_base = average_ngml(exact_base);
  EXPECT_TRUE(benzosim::test::close_rel(c_induced, dose_mg * 1000.0 / (3.105 * 1.43 * tau), 1e-6));
  EXPECT_TRUE(benzosim::test::close_rel(c_base, dose_mg * 1000.0 / (3.105 * tau), 1e-6));
  const double fall = 1.0 - c_induced / c_base;
  EXPECT_NEAR(fall, 1.0 - 1.0 / 1.43, 1e-6);
  std::printf(
      "[ measured ] induced steady state vs exact CL x 1.43: max relative difference %.2e; average falls "
      "by %.4f %% (1 - 1/1.43 = %.4f %%)\n",
      worst, 100.0 * fall, 100.0 * (1.0 - 1.0 / 1.43));
}

TEST(enzyme_turnover, baseline_enzyme_reproduces_the_linear_model) {
  const auto m = clonazepam_induced(0.0);
  const linear_model lin{linear_structure::two_cmt_oral, {3.105, 117.0, 13.5, 54.0, 2.21}, {}};
  const subject s = make_subject({dose(0, 2, 6, 24)}, 200.0, 1.0);
  const amounts_table a = simulate_ode(m, s, tight), b = simulate(lin, s);
  for (std::size_t i = 0; i < s.records.size(); ++i) {
    EXPECT_DOUBLE_EQ(a.at(i, 4), 1.0);
    for (int c = 1; c <= 3; ++c) EXPECT_TRUE(benzosim::test::close_rel(a.at(i, c), b.at(i, c), 1e-6, 1e-12));
  }
}

TEST(enzyme_turnover, autoinduction_is_converged_tight_against_loose_settings) {
  // EMAX > 0 (not clonazepam: a drug that induces its own metabolism) makes the model non-linear.
  const auto m = clonazepam_induced(0.0, 1.0);
  const subject s = make_subject({dose(0, 4, 20, 12)}, 300.0, 3.0);
  const amounts_table loose = simulate_ode(m, s, {.rtol = 1e-6, .atol = 1e-9});
  const amounts_table tight_run = simulate_ode(m, s, tight);
  const double d = max_relative_difference(loose, tight_run, 0.0, 2);
  EXPECT_LE(d, 1e-5);
  std::printf(
      "[ measured ] autoinduction rtol 1e-6 vs 1e-10: max relative difference %.2e (central, peripheral, "
      "enzyme)\n",
      d);
  // The enzyme rose, and the rise is bounded by the maximal synthesis 1 + EMAX.
  const std::size_t last = s.records.size() - 1;
  EXPECT_GT(tight_run.at(last, 4), 1.01);
  EXPECT_LT(tight_run.at(last, 4), 2.0);
}

TEST(enzyme_turnover, steady_state_of_autoinduction_is_a_fixed_point_of_one_cycle) {
  const auto m = clonazepam_induced(0.2, 1.0);
  const subject s = make_subject({steady(dose(0, 4, 1, 12))}, 24.0, 12.0);  // records at 0 (dose), 0, 12, 24
  const amounts_table a = simulate_ode(m, s, tight);
  // The cycle is periodic: central, peripheral and enzyme (which a depot bolus does not change at once) are
  // the same at 12 h (second dose) and at 24 h (a third dose would be due).
  const std::size_t at0 = 1, at12 = 2, at24 = 3;  // observations
  for (int c = 2; c <= 4; ++c) {
    EXPECT_TRUE(benzosim::test::close_rel(a.at(at24, c), a.at(at12, c), 1e-7, 1e-12)) << "cmt " << c;
  }
  EXPECT_GT(a.at(at0, 4), 1.2);  // induced beyond the external inducer alone
}

TEST(enzyme_turnover, the_enzyme_cannot_be_dosed) {
  record r = dose(0, 1);
  r.cmt = 4;
  try {
    simulate_ode(clonazepam_induced(0.43), make_subject({r}, 1.0));
    FAIL() << "expected invalid_parameter";
  } catch (const invalid_parameter& e) {
    EXPECT_EQ(e.name, "CMT");
    EXPECT_NE(std::string(e.what()).find("enzyme"), std::string::npos) << e.what();
  }
}

TEST(enzyme_turnover, e0_starts_the_inducer_at_steady_state) {
  auto m = clonazepam_induced(0.43);
  m.e0 = 1.43;
  const amounts_table a = simulate_ode(m, make_subject({}, 100.0, 10.0));
  for (std::size_t i = 0; i < a.a.size() / 4; ++i) EXPECT_TRUE(benzosim::test::close_rel(a.at(i, 4), 1.43, 1e-9));
}

// ---- parent -> metabolite ----------------------------------------------------------------------------

parent_metabolite_model metabolite_model(double fm, double clm, double mw_ratio, double q = 13.5) {
  return {.cl = 3.105,
          .v2 = 117.0,
          .q = q,
          .v3 = 54.0,
          .ka = 2.21,
          .fm = fm,
          .clm = clm,
          .vm = 85.0,
          .mw_ratio = mw_ratio,
          .modifiers = {}};
}

TEST(parent_metabolite, all_parent_cleared_becomes_metabolite_when_fm_is_1) {
  // CLM ~ 0: nothing leaves the system, so parent + metabolite (as parent mass) = dose at all times.
  const double r = 285.73 / 315.71;
  const auto m = metabolite_model(1.0, 1e-12, r);
  const subject s = make_subject({dose(0, 2, 3, 24)}, 200.0, 1.0);
  const amounts_table a = simulate_ode(m, s, tight);
  for (std::size_t i = 0; i < s.records.size(); ++i) {
    const double given = 2.0 * (1 + std::min(3.0, std::floor(s.records[i].time_h / 24.0)));
    const double total = a.at(i, 1) + a.at(i, 2) + a.at(i, 3) + a.at(i, 4) / r;
    EXPECT_TRUE(benzosim::test::close_rel(total, given, 1e-8)) << "t = " << s.records[i].time_h;
  }
}

TEST(parent_metabolite, eliminated_plus_remaining_equals_dose_when_fm_is_1) {
  // FM = 1, MW_RATIO = 1: the only exit is metabolite clearance, so dose = remaining + KM * integral of A4.
  const auto m = metabolite_model(1.0, 1.967, 1.0);
  const double km = 1.967 / 85.0, h = 0.1, dose_mg = 2.0;
  const subject s = make_subject({dose(0, dose_mg)}, 2000.0, h);
  const amounts_table a = simulate_ode(m, s, tight);
  double integral = 0.0;  // trapezoid on A4 with an end correction is not needed: Simpson in pairs of intervals
  double worst = 0.0;
  // records: [dose at 0, obs at 0, obs at h, ...]; observation k is record k + 1.
  for (std::size_t k = 2; k + 1 < s.records.size(); k += 2) {
    integral += h / 3.0 * (a.at(k - 1, 4) + 4.0 * a.at(k, 4) + a.at(k + 1, 4));
    const double remaining = a.at(k + 1, 1) + a.at(k + 1, 2) + a.at(k + 1, 3) + a.at(k + 1, 4);
    const double balance = remaining + km * integral;
    EXPECT_TRUE(benzosim::test::close_rel(balance, dose_mg, 1e-6)) << "t = " << s.records[k + 1].time_h;
    worst = std::max(worst, std::fabs(balance - dose_mg) / dose_mg);
  }
  // After 2000 h (about 30 parent half-lives) everything has been eliminated.
  EXPECT_NEAR(km * integral, dose_mg, 1e-6);
  std::printf("[ measured ] parent-metabolite mass balance: max relative error %.2e\n", worst);
}

TEST(parent_metabolite, metabolite_matches_the_closed_form_of_the_one_compartment_chain) {
  // Q -> 0: depot -> parent (one compartment) -> metabolite is a chain of three first-order steps with rates
  // ka, k = CL/V2, km = CLM/VM; A4(t) = r FM k ka D sum_i e^{-l_i t} / prod_{j != i} (l_j - l_i).
  const double fm = 0.7, r = 285.73 / 315.71, clm = 1.967, dose_mg = 2.0;
  const auto m = metabolite_model(fm, clm, r, 1e-12);
  const subject s = make_subject({dose(0, dose_mg)}, 240.0, 0.5);
  const amounts_table a = simulate_ode(m, s, tight);
  const double l[3] = {2.21, 3.105 / 117.0, clm / 85.0};
  double worst = 0.0;
  for (std::size_t i = 0; i < s.records.size(); ++i) {
    const double t = s.records[i].time_h;
    double sum = 0.0;
    for (int p = 0; p < 3; ++p) {
      double prod = 1.0;
      for (int q = 0; q < 3; ++q) {
        if (q != p) prod *= l[q] - l[p];
      }
      sum += std::exp(-l[p] * t) / prod;
    }
    const double expected = r * fm * l[1] * l[0] * dose_mg * sum;
    if (t < 0.5) continue;  // at t = 0 the expected value is 0 up to rounding
    EXPECT_TRUE(benzosim::test::close_rel(a.at(i, 4), expected, 1e-6)) << "t = " << t;
    worst = std::max(worst, std::fabs(a.at(i, 4) - expected) / expected);
    // The parent follows the one-compartment Bateman function.
    const double parent = dose_mg * l[0] / (l[0] - l[1]) * (std::exp(-l[1] * t) - std::exp(-l[0] * t));
    EXPECT_TRUE(benzosim::test::close_rel(a.at(i, 2), parent, 1e-6)) << "t = " << t;
  }
  std::printf("[ measured ] metabolite vs three-exponential closed form: max relative difference %.2e\n", worst);
}

// ---- solver failures ---------------------------------------------------------------------------------

TEST(ode_solver, too_much_work_names_the_flag_the_time_and_the_setting) {
  // Stiff: absorption 1000 /h against a 39 h half-life; one internal step cannot reach the next event.
  const linear_model m{linear_structure::two_cmt_oral, {3.105, 117.0, 13.5, 54.0, 1000.0}, {}};
  const subject s = make_subject({dose(0, 2)}, 24.0, 24.0);
  try {
    simulate_ode(m, s, {.rtol = 1e-8, .atol = 1e-10, .max_steps = 1});
    FAIL() << "expected solver_error";
  } catch (const solver_error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.flag, -1) << msg;  // CV_TOO_MUCH_WORK
    EXPECT_NE(msg.find("CV_TOO_MUCH_WORK"), std::string::npos) << msg;
    EXPECT_NE(msg.find("max_steps (now 1)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("rtol (now 1e-08)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("CV_TOO_MUCH_WORK at t = "), std::string::npos) << msg;  // the engine passes absolute time
    EXPECT_NE(msg.find("subject test"), std::string::npos) << msg;
    EXPECT_GE(e.t_h, 0.0);
    EXPECT_LT(e.t_h, 24.0);
  }
}

TEST(cvodes_integrator, absolute_time_is_quoted_when_known) {
  detail::cvodes_integrator in(1, [](const double* y, double* d) { d[0] = -1e4 * y[0]; },
                               {.rtol = 1e-8, .atol = 1e-10, .max_steps = 2});
  double y = 1.0, rate = 0.0;
  try {
    in.integrate(&y, &rate, 30.0, 5.0);
    FAIL() << "expected solver_error";
  } catch (const solver_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("CV_TOO_MUCH_WORK at t = 30"), std::string::npos) << msg;
    EXPECT_NE(msg.find("increase max_steps (now 2) or loosen rtol (now 1e-08)"), std::string::npos) << msg;
    EXPECT_GE(e.t_h, 30.0);
  }
  // The integrator stays usable after a failure.
  y = 1.0;
  detail::cvodes_integrator ok(1, [](const double* yy, double* d) { d[0] = -yy[0]; }, {});
  ok.integrate(&y, &rate, 0.0, 1.0);
  EXPECT_NEAR(y, std::exp(-1.0), 1e-7);
}

TEST(cvodes_integrator, non_finite_rhs_is_recoverable_then_reported) {
  // NaN everywhere: CVODES retries (the trampoline returns 1) and finally gives up with a named flag.
  detail::cvodes_integrator in(1, [](const double*, double* d) { d[0] = std::nan(""); }, {});
  double y = 1.0, rate = 0.0;
  try {
    in.integrate(&y, &rate, 0.0, 1.0);
    FAIL() << "expected solver_error";
  } catch (const solver_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("RHSFUNC"), std::string::npos) << msg;
    EXPECT_NE(msg.find("not finite"), std::string::npos) << msg;
  }
  // NaN only for large steps' trial values (y < 0): recovered, the solution is right.
  detail::cvodes_integrator guarded(
      1, [](const double* yy, double* d) { d[0] = yy[0] < 0.0 ? std::nan("") : -2.0 * yy[0]; },
      {.rtol = 1e-9, .atol = 1e-14});
  y = 1.0;
  guarded.integrate(&y, &rate, 0.0, 10.0);
  EXPECT_TRUE(benzosim::test::close_rel(y, std::exp(-20.0), 1e-5));
}

TEST(cvodes_integrator, exceptions_in_the_rhs_cross_the_c_boundary_intact) {
  detail::cvodes_integrator in(1, [](const double*, double*) { throw std::domain_error("model blew up"); }, {});
  double y = 1.0, rate = 0.0;
  EXPECT_THROW(
      {
        try {
          in.integrate(&y, &rate, 0.0, 1.0);
        } catch (const std::domain_error& e) {
          EXPECT_STREQ(e.what(), "model blew up");
          throw;
        }
      },
      std::domain_error);
}

TEST(cvodes_integrator, zero_order_input_and_warm_continuation) {
  // dy/dt = -k y + r: y(t) = r/k + (y0 - r/k) e^{-kt}. Two steps with nothing changed continue without a
  // cold start; a changed state restarts.
  detail::cvodes_integrator in(1, [](const double* y, double* d) { d[0] = -0.5 * y[0]; },
                               {.rtol = 1e-10, .atol = 1e-14});
  double y = 0.0;
  const double r = 2.0;
  in.integrate(&y, &r, 0.0, 1.0);
  in.integrate(&y, &r, 1.0, 2.0);
  EXPECT_TRUE(benzosim::test::close_rel(y, 4.0 * (1.0 - std::exp(-1.5)), 1e-8));
  EXPECT_EQ(in.work().reinits, 1);
  EXPECT_EQ(in.work().continuations, 1);
  y += 1.0;  // a bolus: the next step must restart
  in.integrate(&y, &r, 3.0, 1.0);
  EXPECT_EQ(in.work().reinits, 2);
}

// ---- validation --------------------------------------------------------------------------------------

template <class F>
void expect_invalid(F&& f, const std::string& name) {
  try {
    f();
    FAIL() << "expected invalid_parameter " << name;
  } catch (const invalid_parameter& e) {
    EXPECT_EQ(e.name, name) << e.what();
    EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
  }
}

TEST(ode_validation, invalid_parameters_name_the_field) {
  const subject s = make_subject({dose(0, 1)}, 1.0);
  auto bad_enzyme = [&](auto edit, const std::string& name) {
    auto m = clonazepam_induced(0.43);
    edit(m);
    expect_invalid([&] { simulate_ode(m, s); }, name);
  };
  bad_enzyme([](auto& m) { m.cl = -1.0; }, "CL");
  bad_enzyme([](auto& m) { m.v2 = std::nan(""); }, "V2");
  bad_enzyme([](auto& m) { m.kenz = 0.0; }, "KENZ");
  bad_enzyme([](auto& m) { m.ind = -0.1; }, "IND");
  bad_enzyme([](auto& m) { m.emax = -1.0; }, "EMAX");
  bad_enzyme([](auto& m) { m.ec50 = 0.0; }, "EC50");
  bad_enzyme([](auto& m) { m.e0 = 0.0; }, "E0");
  bad_enzyme([](auto& m) { m.modifiers.resize(2); }, "modifiers");
  bad_enzyme(
      [](auto& m) {
        m.modifiers.resize(4);
        m.modifiers[0].bioav = constant(-0.5);
      },
      "F1");

  auto bad_metabolite = [&](auto edit, const std::string& name) {
    auto m = metabolite_model(0.7, 1.967, 0.905);
    edit(m);
    expect_invalid([&] { simulate_ode(m, s); }, name);
  };
  bad_metabolite([](auto& m) { m.fm = 1.5; }, "FM");
  bad_metabolite([](auto& m) { m.clm = 0.0; }, "CLM");
  bad_metabolite([](auto& m) { m.vm = INFINITY; }, "VM");
  bad_metabolite([](auto& m) { m.mw_ratio = 0.0; }, "MW_RATIO");
  bad_metabolite([](auto& m) { m.ka = -2.0; }, "KA");

  const linear_model lin{linear_structure::one_cmt_oral, {2.0, -30.0, 1.2}, {}};
  expect_invalid([&] { simulate_ode(lin, s); }, "V");

  auto bad_options = [&](ode_options o, const std::string& name) {
    expect_invalid([&] { simulate_ode(clonazepam_induced(0.43), s, o); }, name);
  };
  bad_options({.rtol = -1.0}, "rtol");
  bad_options({.atol = 0.0}, "atol");
  bad_options({.max_steps = 0}, "max_steps");
  bad_options({.ss_rtol = std::nan("")}, "ss_rtol");
  bad_options({.ss_max_cycles = 0}, "ss_max_cycles");
}

TEST(ode_validation, a_parent_metabolite_model_without_mw_ratio_is_rejected) {
  // MW_RATIO is a drug parameter without a default: a value-initialised model (or one built from a file
  // that lacks it) has 0, and -Wextra already flags a designated initialiser that leaves it out.
  parent_metabolite_model m{};
  m.cl = 3.1, m.v2 = 117, m.q = 13.5, m.v3 = 54, m.ka = 2.2, m.fm = 0.7, m.clm = 2, m.vm = 85;
  expect_invalid([&] { simulate_ode(m, make_subject({dose(0, 1)}, 1.0)); }, "MW_RATIO");
}

}  // namespace
