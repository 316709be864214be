// SPDX-License-Identifier: MIT
// The seizure timeline (docs/models.md#seizure-timeline): the circuit consulted at checkpoints, the held and
// trailing-24-h columns, the burden per day and week and its landmarks, and arms sharing one map.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/circuit/wendling.hpp>
#include <benzosim/clinical/scenario.hpp>
#include <benzosim/core/error.hpp>

#include "clonazepam_fixture.hpp"

namespace {

using namespace benzosim;

/// 1 mg twice daily for 6 days, then an abrupt stop; 10 days; a small heterogeneous circuit (fast to build).
clinical::scenario small_scenario() {
  clinical::scenario s;
  s.name = "seizure-timeline";
  s.drug = test::clonazepam_drug();
  s.person.weight_kg = 70.0;
  s.indication = clinical::indication::seizure_disorder;
  s.regimen = pk::regimen::repeated(1.0, 7.0, 12.0, 12);
  s.duration_h = 10.0 * 24.0;
  s.output_step_h = 1.0;
  s.circuit.model = circuit::wendling_params::seizure_prone();
  s.circuit.model.B_mv = 46.5;
  s.circuit.map.spread = {0.43, 5};
  s.circuit.map.net_min = -0.4;
  s.circuit.map.net_max = 0.6;
  s.circuit.map.points = 11;
  s.circuit.map.seeds = 1;
  s.circuit.map.sim.duration_ms = 3000.0;
  s.circuit.map.sim.transient_ms = 1000.0;
  s.circuit.checkpoint_h = 6.0;
  return s;
}

TEST(seizure_timeline, checkpoints_read_the_map_and_the_columns_hold_and_average_them) {
  const clinical::scenario s = small_scenario();
  const clinical::results r = clinical::simulate(s);
  const auto map = circuit::excitability_map::build(s.circuit.model, s.drug.pd.modulation, s.circuit.map);
  const clinical::seizure_timeline& c = r.seizures;
  const clinical::timeline& t = r.series;
  // Checkpoints at 0, 6, ..., 240 h: the anticonvulsant domain's net effect there, and the map's value at it.
  ASSERT_EQ(c.time_h.size(), 41u);
  EXPECT_EQ(c.checkpoint_h, 6.0);
  for (std::size_t k = 0; k < c.time_h.size(); ++k) {
    EXPECT_EQ(c.time_h[k], 6.0 * static_cast<double>(k));
    const auto row = static_cast<std::size_t>(6 * k);  // output step 1 h
    EXPECT_EQ(c.net_anticonvulsant[k], t.net_anticonvulsant[row]) << k;
    EXPECT_EQ(c.fraction[k], map.seizure_fraction(c.net_anticonvulsant[k])) << k;
  }
  // Rows: the latest checkpoint's read-out, and the mean over the checkpoints in (t - 24 h, t].
  for (std::size_t i = 0; i < t.time_h.size(); ++i) {
    const auto hi = i / 6;
    EXPECT_EQ(t.seizure_activity[i], c.fraction[hi]) << i;
    const std::size_t lo = i < 24 ? 0 : (i - 24) / 6 + 1;
    double sum = 0.0;
    for (std::size_t k = lo; k <= hi; ++k) sum += c.fraction[k];
    EXPECT_NEAR(t.seizure_burden_24h[i], sum / static_cast<double>(hi - lo + 1), 1e-15) << i;
  }
  // Days: 4 checkpoints each (day 10 holds the last one only); weeks: 28 and 13.
  ASSERT_EQ(c.daily_burden.size(), 11u);
  for (std::size_t d = 0; d < 10; ++d) {
    const double mean = (c.fraction[4 * d] + c.fraction[4 * d + 1] + c.fraction[4 * d + 2] + c.fraction[4 * d + 3]) / 4;
    EXPECT_NEAR(c.daily_burden[d], mean, 1e-15) << d;
  }
  EXPECT_EQ(c.daily_burden[10], c.fraction[40]);
  ASSERT_EQ(c.weekly_burden.size(), 2u);
  double week0 = 0.0;
  for (std::size_t k = 0; k < 28; ++k) week0 += c.fraction[k];
  EXPECT_NEAR(c.weekly_burden[0], week0 / 28.0, 1e-15);
  // Landmarks. Treatment: first dose 7 h, last 139 h, + 12 h -> days 1..5 lie wholly inside it.
  EXPECT_EQ(c.baseline_fraction, map.seizure_fraction(0.0));
  EXPECT_EQ(r.summary.seizure_activity_baseline, c.baseline_fraction);
  const auto lowest = std::min_element(c.daily_burden.begin() + 1, c.daily_burden.begin() + 6);
  EXPECT_EQ(c.lowest_daily_burden_on_treatment, *lowest);
  EXPECT_EQ(c.lowest_daily_burden_day, static_cast<double>(lowest - c.daily_burden.begin()));
  double last_week = 0.0;
  for (std::size_t k = 2; k <= 23; ++k) last_week += c.fraction[k];  // checkpoints in (7 h, 139 h]
  EXPECT_NEAR(c.last_week_of_treatment_burden, last_week / 22.0, 1e-15);
  // After the stop (days starting at or after 139 h: days 6..10): the peak and the days above baseline.
  const auto peak = std::max_element(c.daily_burden.begin() + 6, c.daily_burden.end());
  EXPECT_EQ(c.peak_daily_burden_after_stop, *peak);
  EXPECT_NEAR(c.peak_daily_burden_after_stop_day,
              (24.0 * static_cast<double>(peak - c.daily_burden.begin()) - 139.0) / 24.0, 1e-12);
  const auto above = std::count_if(c.daily_burden.begin() + 6, c.daily_burden.end(),
                                   [&](double b) { return b > 1.1 * c.baseline_fraction; });
  EXPECT_EQ(c.days_above_baseline_after_stop, static_cast<double>(above));
  // The drug suppresses; after the stop the burden returns (to baseline: this 5-column map is coarse and a
  // 6-day course adapts the anticonvulsant domain only a little).
  EXPECT_LT(c.lowest_daily_burden_on_treatment, 0.6 * c.baseline_fraction);
  EXPECT_GT(c.peak_daily_burden_after_stop, c.last_week_of_treatment_burden);
  EXPECT_GE(c.peak_daily_burden_after_stop, c.baseline_fraction);
  // The summary's seizure fields come from the checkpoints too.
  double on = 0.0;
  double n_on = 0.0;
  double after = 0.0;
  for (std::size_t k = 0; k < c.time_h.size(); ++k) {
    if (c.time_h[k] >= 7.0 && c.time_h[k] <= 151.0) {
      on += c.fraction[k];
      n_on += 1.0;
    }
    if (c.time_h[k] > 139.0) after = std::max(after, c.fraction[k]);
  }
  EXPECT_NEAR(r.summary.seizure_activity_on_treatment, on / n_on, 1e-15);
  EXPECT_EQ(r.summary.seizure_activity_peak_after_stop, after);
}

TEST(seizure_timeline, checkpoint_interval_that_does_not_divide_a_day) {
  clinical::scenario s = small_scenario();
  s.duration_h = 50.0;
  s.circuit.checkpoint_h = 7.0;  // 0, 7, ..., 49 h: the days hold 4, 3 and 1 checkpoints
  const clinical::results r = clinical::simulate(s);
  const auto& c = r.seizures;
  ASSERT_EQ(c.time_h.size(), 8u);
  EXPECT_EQ(c.time_h.back(), 49.0);
  ASSERT_EQ(c.daily_burden.size(), 3u);
  EXPECT_NEAR(c.daily_burden[1], (c.fraction[4] + c.fraction[5] + c.fraction[6]) / 3.0, 1e-15);  // 28, 35, 42 h
  EXPECT_EQ(c.daily_burden[2], c.fraction[7]);
  // At 50 h the window (26 h, 50 h] holds the checkpoints at 28, 35, 42, 49 h.
  EXPECT_NEAR(r.series.seizure_burden_24h.back(), (c.fraction[4] + c.fraction[5] + c.fraction[6] + c.fraction[7]) / 4,
              1e-15);
}

TEST(seizure_timeline, without_the_circuit_everything_is_zero) {
  clinical::scenario s = small_scenario();
  s.circuit.enabled = false;
  const clinical::results r = clinical::simulate(s);
  EXPECT_TRUE(r.seizures.time_h.empty());
  EXPECT_TRUE(r.seizures.daily_burden.empty());
  for (const double x : r.series.seizure_burden_24h) EXPECT_EQ(x, 0.0);
  for (const double x : r.series.seizure_activity) EXPECT_EQ(x, 0.0);
}

TEST(seizure_timeline, arms_share_one_map_and_equal_separate_runs) {
  const clinical::scenario s = small_scenario();
  const clinical::arm abrupt{"abrupt", "", s.regimen};
  clinical::arm taper{"taper", "half the dose for 2 more days", s.regimen};
  taper.regimen.append(pk::regimen::repeated(0.5, 151.0, 12.0, 4));
  const std::vector<clinical::results> arms = clinical::simulate_arms(s, {abrupt, taper});
  ASSERT_EQ(arms.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    clinical::scenario alone = s;
    alone.regimen = i == 0 ? abrupt.regimen : taper.regimen;
    const clinical::results r = clinical::simulate(alone);
    EXPECT_EQ(arms[i].series.conc_ngml, r.series.conc_ngml) << i;
    EXPECT_EQ(arms[i].series.seizure_activity, r.series.seizure_activity) << i;
    EXPECT_EQ(arms[i].seizures.daily_burden, r.seizures.daily_burden) << i;
    EXPECT_EQ(arms[i].summary.total_dose_mg, r.summary.total_dose_mg) << i;
  }
  EXPECT_GT(arms[1].summary.total_dose_mg, arms[0].summary.total_dose_mg);
  // An invalid arm is named, and nothing runs.
  clinical::arm bad{"broken", "", {}};
  try {
    (void)clinical::simulate_arms(s, {abrupt, bad});
    ADD_FAILURE() << "an arm without doses was accepted";
  } catch (const invalid_parameter& e) {
    EXPECT_NE(std::string(e.what()).find("arm 'broken'"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)clinical::simulate_arms(s, {}), invalid_parameter);
}

TEST(seizure_timeline, checkpoint_interval_is_validated) {
  clinical::scenario s = small_scenario();
  for (const double bad : {0.0, -6.0, 200.0, std::nan("")}) {
    s.circuit.checkpoint_h = bad;
    try {
      (void)clinical::simulate(s);
      ADD_FAILURE() << bad << " accepted";
    } catch (const invalid_parameter& e) {
      EXPECT_EQ(e.name, "circuit.checkpoint_h") << e.what();
    }
  }
  s.circuit.checkpoint_h = 6.0;
  s.circuit.map.spread.columns = 0;
  EXPECT_THROW((void)clinical::simulate(s), invalid_parameter);
}

}  // namespace
