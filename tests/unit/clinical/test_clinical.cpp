// SPDX-License-Identifier: MIT
#include <algorithm>
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include <benzosim/clinical/effects.hpp>
#include <benzosim/clinical/scenario.hpp>
#include <benzosim/core/error.hpp>

#include "test_support.hpp"

#include "clonazepam_fixture.hpp"

namespace {

using namespace benzosim;

// The values of data/drugs/clonazepam.toml (the io tests check that the file parses to these).
clinical::drug_model clonazepam() {
  return test::clonazepam_drug();
}

clinical::scenario make(pk::regimen r, double days, clinical::indication ind = clinical::indication::seizure_disorder) {
  clinical::scenario s;
  s.name = "test";
  s.drug = clonazepam();
  s.person = {70.0};
  s.indication = ind;
  s.regimen = std::move(r);
  s.duration_h = days * 24.0;
  s.output_step_h = 1.0;
  s.circuit.enabled = false;
  return s;
}

TEST(dsst, single_4mg_dose_reproduces_dos_santos_2009) {
  // dos Santos 2009 (23 healthy men, 4 mg): maximal DSST fall 72 +- 3.7 % at 1.5-4 h; peak effect and peak
  // concentration coincided.
  const auto r = clinical::simulate(make(pk::regimen::repeated(4.0, 0.0, 0.0, 1), 3.0));
  const auto& d = r.series.dsst_impairment_pct;
  const auto i = static_cast<std::size_t>(std::max_element(d.begin(), d.end()) - d.begin());
  EXPECT_NEAR(d[i], 72.0, 2 * 3.7);
  EXPECT_GE(r.series.time_h[i], 1.0);
  EXPECT_LE(r.series.time_h[i], 4.0);
  // Acute tolerance: at 24 h the effect is smaller than the same concentration would give without it.
  const std::size_t h24 = 24;
  const double without = clinical::dsst_impairment_pct(clonazepam().dsst, r.series.conc_ngml[h24], 0.0);
  EXPECT_LT(d[h24], 0.9 * without);
}

TEST(dsst, sigmoid_emax_closed_form) {
  const auto p = clonazepam().dsst;
  EXPECT_DOUBLE_EQ(clinical::dsst_impairment_pct(p, 9.33, 0.0), 37.0);  // half of Emax at EC50
  EXPECT_DOUBLE_EQ(clinical::dsst_impairment_pct(p, 9.33 + 15.4 * 0.5, 0.5), 37.0);
  EXPECT_EQ(clinical::dsst_impairment_pct(p, 0.0, 0.3), 0.0);
}

TEST(drowsiness, placebo_without_drug_and_label_incidence_at_mid_range) {
  const auto p = clonazepam().drowsiness;
  EXPECT_DOUBLE_EQ(clinical::drowsiness_probability(p, 0.0), 0.05);
  EXPECT_DOUBLE_EQ(clinical::drowsiness_probability(p, -0.2), 0.05);
  // Label: ~50 % drowsiness in seizure disorders. Steady state at 40 ng/mL (middle of 20-70 ng/mL):
  // occupancy = 6 / (6 + 3.75), net = occupancy * (1 - 0.5) after full adaptation.
  const double occ = 40.0 * 0.15 / (40.0 * 0.15 + 3.75);
  EXPECT_NEAR(clinical::drowsiness_probability(p, 0.5 * occ), 0.5, 0.05);
}

TEST(rules, duration_and_label_maximum) {
  // 10 days of 0.5 mg bid for panic: no finding.
  EXPECT_TRUE(
      clinical::check_rules(make(pk::regimen::repeated(0.5, 0.0, 12.0, 20), 12.0, clinical::indication::panic_disorder))
          .empty());
  // 4 weeks: beyond the 14-day limit.
  const auto long_use = clinical::check_rules(make(pk::regimen::repeated(0.5, 0.0, 8.0, 84), 30.0));
  ASSERT_EQ(long_use.size(), 1u);
  EXPECT_EQ(long_use[0].code, "duration_beyond_short_term");
  EXPECT_NE(long_use[0].message.find("28 days"), std::string::npos) << long_use[0].message;
  // 2.5 mg bid = 5 mg/day: above the 4 mg/day panic maximum, below the 20 mg/day seizure maximum.
  const auto panic =
      clinical::check_rules(make(pk::regimen::repeated(2.5, 0.0, 12.0, 4), 3.0, clinical::indication::panic_disorder));
  ASSERT_EQ(panic.size(), 1u);
  EXPECT_EQ(panic[0].code, "daily_dose_above_label_max");
  EXPECT_TRUE(clinical::check_rules(make(pk::regimen::repeated(2.5, 0.0, 12.0, 4), 3.0)).empty());
  EXPECT_DOUBLE_EQ(clinical::max_daily_dose_mg(pk::regimen::repeated(2.5, 20.0, 12.0, 4)), 5.0);
}

TEST(timeline, abrupt_stop_after_four_weeks) {
  auto s = make(pk::regimen::repeated(0.5, 0.0, 8.0, 84), 42.0);
  const auto r = clinical::simulate(s);
  const auto& t = r.series;
  ASSERT_EQ(t.time_h.size(), 42u * 24u + 1u);
  const std::size_t stop = 664;  // last dose at 664 h
  for (std::size_t i = 0; i <= stop; ++i) ASSERT_EQ(t.withdrawal[i], 0.0);
  EXPECT_GT(r.summary.peak_withdrawal, 0.05);
  EXPECT_GT(r.summary.peak_withdrawal_time_h, 664.0);
  EXPECT_GT(r.summary.withdrawal_days, 3.0);
  // Trough before the last dose (1.5 mg/day): average Css = F x 1.5 mg/day / CL = 18.1 ng/mL; the trough is lower.
  EXPECT_GT(r.summary.css_trough_ngml, 15.0);
  EXPECT_LT(r.summary.css_trough_ngml, 0.9 * 1500.0 / 24.0 / 3.105);
  EXPECT_DOUBLE_EQ(r.summary.total_dose_mg, 42.0);
  EXPECT_DOUBLE_EQ(r.summary.treatment_days, 28.0);
  bool has_withdrawal_warning = false;
  for (const auto& w : r.warnings) has_withdrawal_warning |= w.code == "withdrawal_after_stop";
  EXPECT_TRUE(has_withdrawal_warning);
  // Tolerance rises on treatment: drowsiness falls from its early peak.
  EXPECT_LT(t.drowsiness_prob[stop], 0.85 * r.summary.peak_drowsiness_prob);
}

TEST(timeline, weight_scales_exposure_allometrically) {
  auto light = make(pk::regimen::repeated(1.0, 0.0, 24.0, 20), 20.0);
  auto heavy = light;
  light.person.weight_kg = 35.0;
  const auto a = clinical::simulate(light), b = clinical::simulate(heavy);
  // Steady-state average scales as 1/CL: (70/35)^0.75 = 1.68; compare troughs.
  EXPECT_NEAR(a.summary.css_trough_ngml / b.summary.css_trough_ngml, std::pow(2.0, 0.75), 0.1);
}

TEST(scenario, invalid_values_are_rejected_before_running) {
  auto s = make(pk::regimen::repeated(0.5, 0.0, 8.0, 3), 2.0);
  s.person.weight_kg = -3.0;
  EXPECT_THROW(clinical::simulate(s), invalid_parameter);
  s = make(pk::regimen::repeated(0.5, 0.0, 8.0, 3), 2.0);
  s.output_step_h = 0.0;
  EXPECT_THROW(clinical::simulate(s), invalid_parameter);
  s = make({}, 2.0);
  EXPECT_THROW(clinical::simulate(s), invalid_parameter);
  s = make(pk::regimen::repeated(0.5, 0.0, 8.0, 3), 2.0);
  s.drug.dsst.adaptation_state = "nonexistent";
  EXPECT_THROW(clinical::simulate(s), invalid_parameter);
}

}  // namespace
