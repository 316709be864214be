// SPDX-License-Identifier: MIT
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/error.hpp>
#include <benzosim/core/time_grid.hpp>
#include <benzosim/pd/alcohol.hpp>

#include "test_support.hpp"

namespace {

using benzosim::pd::drink;
using benzosim::pd::ethanol_pk_params;
using benzosim::pk::biological_sex;

// The typical man of the Widmark examples: 70 kg, r 0.68 -> V = 47.6 L, E = 0.15 x 47.6 = 7.14 g/h.
const ethanol_pk_params man{70.0, biological_sex::male};

/// The field named by the invalid_parameter that fn throws ("" if it throws nothing).
std::string thrown_name(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const benzosim::invalid_parameter& e) {
    return e.name;
  }
  return "";
}

/// Single drink of a grams at t = 0, first-order absorption, zero-order elimination (docs/alcohol.md):
/// body(t) = A (1 - e^{-ka t}) - E t while > 0.
double single_drink_body(double a, double ka, double e, double t) {
  return a * (1.0 - std::exp(-ka * t)) - e * t;
}

TEST(alcohol_units, conversions) {
  EXPECT_DOUBLE_EQ(benzosim::pd::bac_percent(0.8), 0.08);
  EXPECT_DOUBLE_EQ(benzosim::pd::bac_g_per_l_from_percent(0.03), 0.3);
  // 0.10 % = 21.7 mmol/L (the usual clinical conversion).
  EXPECT_NEAR(benzosim::pd::bac_mmol_per_l(1.0), 21.7, 0.01);
  EXPECT_DOUBLE_EQ(benzosim::pd::grams_from_standard_drinks(3.0), 42.0);
  EXPECT_DOUBLE_EQ(benzosim::pd::grams_from_standard_drinks(2.0, 8.0), 16.0);  // two UK units
  // 12 US fl oz (355 mL) of 5 % beer is one US standard drink of 14 g.
  EXPECT_NEAR(benzosim::pd::grams_from_beverage(355.0, 5.0), 14.0, 0.05);
  EXPECT_THROW(benzosim::pd::grams_from_standard_drinks(-1.0), benzosim::invalid_parameter);
  EXPECT_THROW(benzosim::pd::grams_from_beverage(500.0, 140.0), benzosim::invalid_parameter);
}

TEST(alcohol_pk, widmark_distribution) {
  EXPECT_DOUBLE_EQ(benzosim::pd::widmark_r(biological_sex::male), 0.68);
  EXPECT_DOUBLE_EQ(benzosim::pd::widmark_r(biological_sex::female), 0.55);
  EXPECT_DOUBLE_EQ(man.volume_l(), 47.6);
  EXPECT_DOUBLE_EQ(man.elimination_g_per_h(), 0.15 * 47.6);
  ethanol_pk_params lean = man;
  lean.r_override = 0.75;
  EXPECT_DOUBLE_EQ(lean.volume_l(), 52.5);
}

TEST(alcohol_pk, single_drink_peak_matches_closed_form) {
  const double a = 14.0, ka = man.ka_per_h, e = man.elimination_g_per_h(), v = man.volume_l();
  // Peak where inflow ka A e^{-ka t} equals E; there body = A - E/ka - E t_peak.
  const double t_peak = std::log(ka * a / e) / ka;
  const double peak = (a - e / ka - e * t_peak) / v;
  const auto p = benzosim::pd::simulate_bac(man, {{0.0, a}}, {0.0, t_peak - 1e-3, t_peak, t_peak + 1e-3});
  EXPECT_TRUE(benzosim::test::close_rel(p.bac_g_per_l[2], peak, 1e-12));
  EXPECT_LT(p.bac_g_per_l[1], p.bac_g_per_l[2]);
  EXPECT_LT(p.bac_g_per_l[3], p.bac_g_per_l[2]);
  // Widmark's formula at the peak time, less what is still in the stomach (E/ka, i.e. beta/ka of BAC).
  const double widmark = a / (man.r() * man.weight_kg) - man.beta_g_per_l_per_h * t_peak;
  EXPECT_TRUE(benzosim::test::close_rel(peak, widmark - man.beta_g_per_l_per_h / ka, 1e-12));
  // With the defaults (ka 5/h): peak 0.196 g/L (0.0196 %) at 27 min for one US drink in a 70 kg man.
  EXPECT_NEAR(peak, 0.1956, 5e-4);
  EXPECT_NEAR(t_peak * 60.0, 27.4, 0.1);
}

TEST(alcohol_pk, widmark_is_the_limit_of_fast_absorption) {
  const double a = 28.0;
  const double c0 = a / man.volume_l();  // Widmark's A / (r W)
  double previous_gap = 1e9;
  for (double ka : {2.0, 5.0, 20.0, 60.0}) {
    ethanol_pk_params p = man;
    p.ka_per_h = ka;
    const auto t = benzosim::time_grid(0.0, 6.0, 1e-3);
    const auto prof = benzosim::pd::simulate_bac(p, {{0.0, a}}, t);
    const double peak = *std::max_element(prof.bac_g_per_l.begin(), prof.bac_g_per_l.end());
    // Peak deficit from Widmark's A/(rW): exactly (beta/ka)(1 + ln(ka A / E)); it shrinks as 1/ka.
    const double gap = c0 - peak;
    const double predicted = p.beta_g_per_l_per_h / ka * (1.0 + std::log(ka * a / p.elimination_g_per_h()));
    // The 1e-3 h grid misses the peak by <= 5e-4 h, i.e. by <= 0.5 ka beta (5e-4)^2 = 1.1e-6 g/L at ka 60.
    EXPECT_NEAR(gap, predicted, 0.5 * ka * p.beta_g_per_l_per_h * 2.5e-7 + 1e-12) << "ka = " << ka;
    EXPECT_LT(gap, previous_gap);
    previous_gap = gap;
    // Time to zero: Widmark's A / (r W beta), less the share still unabsorbed then:
    // t0 = t0_widmark (1 - e^{-ka t0}), so t0 -> t0_widmark as ka grows (ka 5: 5e-5 relative).
    const double t0_widmark = c0 / p.beta_g_per_l_per_h;
    const double t0 = benzosim::pd::sober_time_h(p, {{0.0, a}});
    EXPECT_NEAR(t0, t0_widmark * (1.0 - std::exp(-ka * t0)), 1e-12) << "ka = " << ka;
    EXPECT_LE(t0_widmark - t0, t0_widmark * 1.01 * std::exp(-ka * t0_widmark)) << "ka = " << ka;
    EXPECT_GE(t0_widmark - t0, 0.0);
    EXPECT_NEAR(single_drink_body(a, ka, p.elimination_g_per_h(), t0), 0.0, 1e-12);
  }
  // Fast absorption (ka 60/h, half-life 42 s): after half an hour BAC is Widmark's line A/(rW) - beta t.
  ethanol_pk_params fast = man;
  fast.ka_per_h = 60.0;
  const auto t = benzosim::time_grid(0.5, 3.5, 0.25);
  const auto prof = benzosim::pd::simulate_bac(fast, {{0.0, a}}, t);
  for (std::size_t i = 0; i < t.size(); ++i) {
    EXPECT_NEAR(prof.bac_g_per_l[i], c0 - fast.beta_g_per_l_per_h * t[i], 1e-12) << "t = " << t[i];
  }
}

TEST(alcohol_pk, zero_order_elimination_slope) {
  // 60 g at t = 0: by 3 h absorption is complete (e^{-15}); BAC then falls by exactly beta per hour.
  const auto p = benzosim::pd::simulate_bac(man, {{0.0, 60.0}}, {3.0, 3.5, 4.0});
  ASSERT_GT(p.bac_g_per_l[2], 0.3);
  EXPECT_NEAR((p.bac_g_per_l[2] - p.bac_g_per_l[0]) / 1.0, -0.15, 1e-6);
  EXPECT_NEAR((p.bac_g_per_l[1] - p.bac_g_per_l[0]) / 0.5, -0.15, 1e-6);
}

TEST(alcohol_pk, step_cases_by_hand) {
  using benzosim::pd::ethanol_step;
  // Nothing in the gut: the body empties linearly at E and stops at 0.
  const auto half = ethanol_step({0.0, 10.0, 0.0, 0.0}, 1.0, 5.0, 7.0);
  EXPECT_DOUBLE_EQ(half.body_g, 3.0);
  EXPECT_DOUBLE_EQ(half.eliminated_g, 7.0);
  const auto empty = ethanol_step({0.0, 10.0, 0.0, 0.0}, 2.0, 5.0, 7.0);
  EXPECT_EQ(empty.body_g, 0.0);
  EXPECT_TRUE(benzosim::test::close_rel(empty.eliminated_g, 10.0, 1e-14));
  // A zero step changes nothing.
  const benzosim::pd::ethanol_state s{3.0, 2.0, 1.0, 0.5};
  const auto same = ethanol_step(s, 0.0, 5.0, 7.0);
  EXPECT_EQ(same.gut_g, 3.0);
  EXPECT_EQ(same.body_g, 2.0);
  EXPECT_THROW(ethanol_step(s, -1.0, 5.0, 7.0), benzosim::invalid_parameter);
}

TEST(alcohol_pk, mass_balance_and_non_negative_for_random_drinking) {
  std::mt19937 rng(20240605);
  std::uniform_real_distribution<double> when(0.0, 12.0), grams(2.0, 60.0), ka(0.5, 20.0), beta(0.08, 0.3);
  for (int trial = 0; trial < 40; ++trial) {
    ethanol_pk_params p = man;
    p.sex = trial % 2 == 0 ? biological_sex::male : biological_sex::female;
    p.weight_kg = 50.0 + trial;
    p.ka_per_h = ka(rng);
    p.beta_g_per_l_per_h = beta(rng);
    p.bioavailability = trial % 3 == 0 ? 0.8 : 1.0;
    std::vector<drink> drinks;
    for (int i = 0; i < 1 + trial % 7; ++i) drinks.push_back({when(rng), grams(rng)});
    const auto t = benzosim::time_grid(0.0, 30.0, 0.1);
    const auto prof = benzosim::pd::simulate_bac(p, drinks, t);
    double total = 0.0;
    for (const auto& d : drinks) total += d.ethanol_g;
    for (std::size_t i = 0; i < t.size(); ++i) {
      ASSERT_TRUE(std::isfinite(prof.bac_g_per_l[i]));
      ASSERT_GE(prof.bac_g_per_l[i], 0.0) << "trial " << trial << ", t = " << t[i];
      double taken = 0.0;
      for (const auto& d : drinks) taken += d.t_h <= t[i] ? p.bioavailability * d.ethanol_g : 0.0;
      // Drunk (x F) = gut + absorbed; absorbed = eliminated + body. The second uses the root of the
      // zero crossing for the eliminated amount, so it checks the exact solution, not bookkeeping.
      ASSERT_NEAR(prof.gut_g[i] + prof.absorbed_g[i], taken, 1e-12 * total) << "trial " << trial;
      ASSERT_NEAR(prof.absorbed_g[i], prof.eliminated_g[i] + prof.body_g[i], 1e-10 * total)
          << "trial " << trial << ", t = " << t[i];
      if (i > 0) {
        ASSERT_GE(prof.eliminated_g[i], prof.eliminated_g[i - 1]);
      }
    }
    // BAC is 0 for good after sober_time_h and positive just before it.
    const double t0 = benzosim::pd::sober_time_h(p, drinks);
    const auto after = benzosim::pd::simulate_bac(p, drinks, {t0 - 1e-4, t0 + 1e-9, t0 + 1.0, t0 + 24.0});
    double last = drinks.front().t_h;
    for (const auto& d : drinks) last = std::max(last, d.t_h);
    if (t0 > last) {
      EXPECT_GT(after.bac_g_per_l[0], 0.0) << "trial " << trial;
    }
    EXPECT_EQ(after.bac_g_per_l[1], 0.0) << "trial " << trial;
    EXPECT_EQ(after.bac_g_per_l[2], 0.0);
    EXPECT_EQ(after.bac_g_per_l[3], 0.0);
  }
}

TEST(alcohol_pk, drinks_superpose_while_bac_is_positive) {
  // Three US drinks at 0, 0.5 and 1.5 h: BAC never touches 0 in between, so the body amount is the sum
  // of each drink's absorbed share minus E t.
  const std::vector<drink> drinks{{0.0, 14.0}, {0.5, 14.0}, {1.5, 14.0}};
  const double ka = man.ka_per_h, e = man.elimination_g_per_h();
  const auto t = benzosim::time_grid(0.05, 4.0, 0.05);
  const auto prof = benzosim::pd::simulate_bac(man, drinks, t);
  for (std::size_t i = 0; i < t.size(); ++i) {
    double body = -e * t[i];
    for (const auto& d : drinks) body += t[i] >= d.t_h ? d.ethanol_g * (1.0 - std::exp(-ka * (t[i] - d.t_h))) : 0.0;
    ASSERT_GT(body, 0.0) << "t = " << t[i];
    EXPECT_TRUE(benzosim::test::close_rel(prof.bac_g_per_l[i], body / man.volume_l(), 1e-11)) << "t = " << t[i];
  }
}

TEST(alcohol_pk, grid_order_and_start_do_not_matter) {
  const std::vector<drink> drinks{{2.0, 20.0}, {-1.0, 14.0}, {0.25, 30.0}};
  std::vector<drink> reversed(drinks.rbegin(), drinks.rend());
  const auto coarse = benzosim::pd::simulate_bac(man, drinks, benzosim::time_grid(0.0, 8.0, 1.0));
  const auto fine = benzosim::pd::simulate_bac(man, reversed, benzosim::time_grid(0.0, 8.0, 0.01));
  for (std::size_t i = 0; i < coarse.t_h.size(); ++i) {
    const std::size_t j = i * 100;
    EXPECT_NEAR(coarse.bac_g_per_l[i], fine.bac_g_per_l[j], 1e-12) << "t = " << coarse.t_h[i];
  }
  // The drink at -1 h, before the grid, counts: at 0 h BAC is already positive.
  EXPECT_GT(coarse.bac_g_per_l[0], 0.0);
  // A drink exactly at a grid time is in the stomach then, not yet in the blood.
  const auto at = benzosim::pd::simulate_bac(man, {{1.0, 14.0}}, {0.0, 1.0});
  EXPECT_EQ(at.bac_g_per_l[1], 0.0);
  EXPECT_EQ(at.gut_g[1], 14.0);
}

TEST(alcohol_pk, a_drink_below_the_livers_capacity_never_shows) {
  // Zero-order artefact, documented: 1 g with ka 5/h enters at most at 5 g/h < E = 7.14 g/h, so the
  // saturated-liver model removes it as it arrives and BAC stays 0 (real BAC would be ~0.001 g/L).
  const auto p = benzosim::pd::simulate_bac(man, {{0.0, 1.0}}, benzosim::time_grid(0.0, 3.0, 0.1));
  for (double b : p.bac_g_per_l) EXPECT_EQ(b, 0.0);
  EXPECT_NEAR(p.eliminated_g.back(), p.absorbed_g.back(), 1e-15);
  EXPECT_EQ(benzosim::pd::sober_time_h(man, {{0.5, 1.0}}), 0.5);
}

TEST(alcohol_pk, invalid_inputs_name_the_field) {
  const auto grid = benzosim::time_grid(0.0, 1.0, 0.5);
  EXPECT_EQ(thrown_name([&] {
              benzosim::pd::simulate_bac(man, {{0.0, 14.0}, {1.0, -5.0}}, grid);
            }),
            "alcohol.drinks[1].ethanol_g");
  EXPECT_EQ(thrown_name([&] { benzosim::pd::simulate_bac(man, {{0.0, 0.0}}, grid); }), "alcohol.drinks[0].ethanol_g");
  EXPECT_EQ(thrown_name([&] { benzosim::pd::simulate_bac(man, {{0.0, 500.0}}, grid); }), "alcohol.drinks[0].ethanol_g");
  EXPECT_EQ(thrown_name([&] {
              benzosim::pd::simulate_bac(man, {{std::nan(""), 14.0}}, grid);
            }),
            "alcohol.drinks[0].t_h");
  ethanol_pk_params p = man;
  p.weight_kg = 0.0;
  EXPECT_EQ(thrown_name([&] { p.validate(); }), "alcohol.weight_kg");
  p = man;
  p.sex = static_cast<biological_sex>(7);
  EXPECT_EQ(thrown_name([&] { p.validate(); }), "alcohol.sex");
  EXPECT_EQ(thrown_name([&] { benzosim::pd::simulate_bac(p, {}, grid); }), "alcohol.sex");
  p = man;
  p.beta_g_per_l_per_h = 0.015;  // g/100 mL/h entered as g/L/h
  EXPECT_EQ(thrown_name([&] { p.validate(); }), "alcohol.beta_g_per_l_per_h");
  p = man;
  p.r_override = 68.0;
  EXPECT_EQ(thrown_name([&] { p.validate(); }), "alcohol.widmark_r");
  p = man;
  p.ka_per_h = 0.0;
  EXPECT_EQ(thrown_name([&] { p.validate(); }), "alcohol.ka_per_h");
  p = man;
  p.bioavailability = 1.2;
  EXPECT_EQ(thrown_name([&] { p.validate(); }), "alcohol.bioavailability");
  EXPECT_EQ(thrown_name([&] { benzosim::pd::simulate_bac(man, {}, {0.0, 2.0, 1.0}); }), "alcohol time grid");
}

TEST(ethanol_modulation, zero_monotone_bounded) {
  const benzosim::pd::ethanol_gabaa_params g{};
  EXPECT_EQ(benzosim::pd::ethanol_modulation(0.0, g), 0.0);
  double previous = 0.0;
  for (double bac = 0.01; bac <= 6.0; bac += 0.01) {
    const double m = benzosim::pd::ethanol_modulation(bac, g);
    ASSERT_GT(m, previous) << "BAC " << bac;
    ASSERT_LT(m, g.max_modulation);
    previous = m;
  }
  EXPECT_LT(benzosim::pd::ethanol_modulation(1e6, g), 1.0 + 1e-15);
  EXPECT_THROW(benzosim::pd::ethanol_modulation(-0.1, g), benzosim::invalid_parameter);
}

TEST(ethanol_modulation, default_meets_the_maxwell_equivalence) {
  // Maxwell 2010: a benzodiazepine user at BAC 0.03 % has the crash risk of BAC 0.08 % alone. Additively,
  // m_drug + m_eth(0.03 %) = m_eth(0.08 %), with m_drug = 0.31 (benzosim's mid-range steady state).
  const benzosim::pd::ethanol_gabaa_params g{};
  const double at_003 = benzosim::pd::ethanol_modulation(0.3, g);
  const double at_008 = benzosim::pd::ethanol_modulation(0.8, g);
  EXPECT_NEAR(0.31 + at_003, at_008, 1e-4);
  EXPECT_NEAR(at_008, 0.394, 1e-3);
  EXPECT_NEAR(at_003, 0.084, 1e-3);
  // Consistency with a second, independent observation (not used to calibrate): lorazepam 2 mg alone raised
  // lane-keeping variability more than BAC > 0.05 % (Daurat 2013), i.e. a therapeutic benzodiazepine
  // effect exceeds m_eth(0.05 %); here 0.31 > 0.20.
  EXPECT_LT(benzosim::pd::ethanol_modulation(0.5, g), 0.31);
  // The default EC50 is what the calibration gives (so the number and its derivation cannot drift apart).
  const double ec50 = benzosim::pd::calibrate_ethanol_ec50(0.31, 0.3, 0.8, 1.0, 2.0);
  EXPECT_TRUE(benzosim::test::close_rel(ec50, g.ec50_g_per_l, 1e-4));
  // The calibration inverts what it claims for another shape too.
  const double ec50_h3 = benzosim::pd::calibrate_ethanol_ec50(0.2, 0.3, 0.8, 0.9, 3.0);
  const benzosim::pd::ethanol_gabaa_params h3{0.9, ec50_h3, 3.0};
  EXPECT_NEAR(benzosim::pd::ethanol_modulation(0.8, h3) - benzosim::pd::ethanol_modulation(0.3, h3), 0.2, 1e-12);
  EXPECT_GT(ec50_h3, std::sqrt(0.3 * 0.8));  // the larger of the two solutions
  // A hyperbola (n = 1) can never separate 0.03 % and 0.08 % by 0.31: the anchor needs n > 1.
  EXPECT_THROW(benzosim::pd::calibrate_ethanol_ec50(0.31, 0.3, 0.8, 1.0, 1.0), benzosim::invalid_parameter);
}

TEST(ethanol_modulation, invalid_parameters_name_the_field) {
  EXPECT_EQ(thrown_name([] {
              benzosim::pd::ethanol_gabaa_params{1.0, 0.0, 2.0}.validate();
            }),
            "alcohol.gabaa.ec50_g_per_l");
  EXPECT_EQ(thrown_name([] {
              benzosim::pd::ethanol_gabaa_params{1.5, 1.0, 2.0}.validate();
            }),
            "alcohol.gabaa.max_modulation");
  EXPECT_EQ(thrown_name([] { benzosim::pd::ethanol_gabaa_params{1.0, 1.0, 0.0}.validate(); }), "alcohol.gabaa.hill");
}

TEST(combine_modulation, additive_and_capped) {
  using benzosim::pd::combine_modulation;
  const auto sum = combine_modulation(0.31, 0.2);
  EXPECT_DOUBLE_EQ(sum.net, 0.51);
  EXPECT_DOUBLE_EQ(sum.uncapped, 0.51);
  const auto capped = combine_modulation(0.8, 0.5);
  EXPECT_DOUBLE_EQ(capped.net, 1.0);
  EXPECT_DOUBLE_EQ(capped.uncapped, 1.3);
  // Withdrawal (negative drug modulation) is offset by alcohol, additively.
  EXPECT_DOUBLE_EQ(combine_modulation(-0.2, 0.15).net, -0.2 + 0.15);
  EXPECT_DOUBLE_EQ(combine_modulation(-0.2, 0.0).net, -0.2);
  EXPECT_DOUBLE_EQ(combine_modulation(0.0, 0.4).net, 0.4);
  // Optional interaction (off by default): only on a positive drug effect.
  const benzosim::pd::combination_params syn{1.0, 1.0};
  EXPECT_DOUBLE_EQ(combine_modulation(0.3, 0.2, syn).net, 0.3 + 0.2 + 0.06);
  EXPECT_DOUBLE_EQ(combine_modulation(-0.3, 0.2, syn).net, -0.1);
  const benzosim::pd::combination_params high_cap{1.5, 0.0};
  EXPECT_DOUBLE_EQ(combine_modulation(0.8, 0.5, high_cap).net, 1.3);
  // Bad inputs.
  EXPECT_THROW(combine_modulation(std::nan(""), 0.1), benzosim::invalid_parameter);
  EXPECT_EQ(thrown_name([] { combine_modulation(0.1, 1.2); }), "ethanol modulation");
  EXPECT_EQ(thrown_name([] { combine_modulation(0.1, 0.1, {0.5, 0.0}); }), "alcohol.combination.cap");
  EXPECT_EQ(thrown_name([] { combine_modulation(0.1, 0.1, {1.0, -1.0}); }), "alcohol.combination.synergy");
}

TEST(combine_modulation, end_to_end_drinks_to_combined_modulation) {
  // Two US drinks at 20:00 and 21:00 in a 60 kg woman on a steady drug modulation of 0.31: the combined
  // modulation rises above the drug's while BAC > 0 and returns to it once she is sober.
  ethanol_pk_params woman = man;
  woman.sex = biological_sex::female;
  woman.weight_kg = 60.0;
  const std::vector<drink> drinks{{20.0, benzosim::pd::us_standard_drink_g}, {21.0, benzosim::pd::us_standard_drink_g}};
  const auto t = benzosim::time_grid(19.0, 26.0, 0.25);
  const auto bac = benzosim::pd::simulate_bac(woman, drinks, t);
  const double sober = benzosim::pd::sober_time_h(woman, drinks);
  double max_combined = 0.0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double m_eth = benzosim::pd::ethanol_modulation(bac.bac_g_per_l[i]);
    const auto c = benzosim::pd::combine_modulation(0.31, m_eth);
    max_combined = std::max(max_combined, c.net);
    if (t[i] <= 20.0 || t[i] >= sober) {
      EXPECT_EQ(c.net, 0.31) << "t = " << t[i];
    }
  }
  EXPECT_GT(max_combined, 0.35);
  EXPECT_LT(max_combined, 1.0);
  // Peak BAC of two drinks an hour apart in a 60 kg woman: Widmark's 28 g / 33 L = 0.85 g/L less what
  // was eliminated (about 1.4 h x 0.15) and not yet absorbed: 0.0589 % (the closed-form superposition).
  const auto fine = benzosim::pd::simulate_bac(woman, drinks, benzosim::time_grid(20.0, 23.0, 1e-3));
  const double peak = *std::max_element(fine.bac_g_per_l.begin(), fine.bac_g_per_l.end());
  EXPECT_NEAR(benzosim::pd::bac_percent(peak), 0.0589, 2e-4);
}

}  // namespace
