// SPDX-License-Identifier: MIT
// Issue 7, "Done when" on the timeline: data/scenarios/epilepsy-abrupt-vs-taper.toml, read through io as
// `benzosim run` reads it. Seizure burden falls under treatment, rises again in part with anticonvulsant
// tolerance, exceeds the pre-treatment baseline within days after an abrupt stop, and stays near baseline
// with the taper. The numbers and why: docs/models.md#seizure-timeline.
#include <algorithm>
#include <cstddef>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/clinical/scenario.hpp>
#include <benzosim/io/scenario_file.hpp>

namespace {

using namespace benzosim;

struct epilepsy_run {
  io::scenario_arms loaded;
  std::vector<clinical::results> arms;  // abrupt, taper
};

/// Loaded and run once for the whole suite (about 1 s).
const epilepsy_run& run() {
  static const epilepsy_run r = [] {
    epilepsy_run out{io::load_scenario_arms(BENZOSIM_SOURCE_DIR "/data/scenarios/epilepsy-abrupt-vs-taper.toml"), {}};
    out.arms = clinical::simulate_arms(out.loaded.scenario, out.loaded.arms);
    return out;
  }();
  return r;
}

constexpr double last_dose_h = 181.0 * 24.0 + 23.0;  // abrupt arm: day 181, 23:00
constexpr std::size_t stop_day = 182;                // the first day without a dose (abrupt arm)

TEST(epilepsy_scenario, is_the_label_regimen_for_six_months_with_two_arms) {
  const epilepsy_run& r = run();
  ASSERT_EQ(r.loaded.arms.size(), 2u);
  EXPECT_EQ(r.loaded.arms[0].name, "abrupt");
  EXPECT_EQ(r.loaded.arms[1].name, "taper");
  const auto& s = r.loaded.scenario;
  EXPECT_EQ(s.indication, clinical::indication::seizure_disorder);
  EXPECT_EQ(s.circuit.checkpoint_h, 6.0);
  EXPECT_EQ(s.circuit.map.spread.columns, 25);
  const auto& abrupt = r.arms[0].summary;
  // Label start 1.5 mg/day, maintenance 3 mg/day; 26 weeks; the trough lies in the 20-70 ng/mL range.
  EXPECT_DOUBLE_EQ(abrupt.max_daily_dose_mg, 3.0);
  EXPECT_NEAR(abrupt.treatment_days, 182.0, 1e-9);
  EXPECT_EQ(r.loaded.arms[0].regimen.doses.back().time_h, last_dose_h);
  EXPECT_GT(abrupt.css_trough_ngml, 20.0);
  EXPECT_LT(abrupt.css_trough_ngml, 70.0);
  // The taper: 21 weeks more, last dose (0.125 mg) on day 328.
  EXPECT_EQ(r.loaded.arms[1].regimen.doses.back().time_h, 328.0 * 24.0 + 23.0);
  EXPECT_EQ(r.loaded.arms[1].regimen.doses.back().amount_mg, 0.125);
  // Until the stop the two arms are the same run.
  const auto& a = r.arms[0].seizures.daily_burden;
  const auto& t = r.arms[1].seizures.daily_burden;
  ASSERT_EQ(a.size(), 365u);
  ASSERT_EQ(t.size(), 365u);
  for (std::size_t d = 0; d < stop_day; ++d) EXPECT_EQ(a[d], t[d]) << d;
}

TEST(epilepsy_scenario, untreated_patient_is_intermittently_seizing) {
  // About a third of the network's time in spike-wave activity: room to fall and to rise (measured 0.332).
  const double b0 = run().arms[0].seizures.baseline_fraction;
  EXPECT_GT(b0, 0.25);
  EXPECT_LT(b0, 0.42);
}

TEST(epilepsy_scenario, burden_falls_under_treatment_partly_not_totally) {
  const auto& c = run().arms[0].seizures;
  const double b0 = c.baseline_fraction;
  // Lowest day: day 9, 0.096 = 29 % of baseline (a 71 % reduction): partial, not total.
  EXPECT_LT(c.lowest_daily_burden_on_treatment, 0.35 * b0);
  EXPECT_GT(c.lowest_daily_burden_on_treatment, 0.15 * b0);
  EXPECT_GE(c.lowest_daily_burden_day, 6.0);  // once the maintenance dose is reached
  EXPECT_LE(c.lowest_daily_burden_day, 14.0);
}

TEST(epilepsy_scenario, burden_rises_again_in_part_with_anticonvulsant_tolerance) {
  const epilepsy_run& r = run();
  const auto& c = r.arms[0].seizures;
  const double b0 = c.baseline_fraction;
  // The last week of treatment: 0.150 = 45 % of baseline, 1.57 x the lowest day, still a 55 % reduction.
  EXPECT_GT(c.last_week_of_treatment_burden, 1.3 * c.lowest_daily_burden_on_treatment);
  EXPECT_GT(c.last_week_of_treatment_burden, 0.35 * b0);
  EXPECT_LT(c.last_week_of_treatment_burden, 0.6 * b0);
  // It creeps back week by week (weeks 2..25 never fall) at the same dose ...
  for (std::size_t w = 2; w < 26; ++w) EXPECT_GE(c.weekly_burden[w], c.weekly_burden[w - 1] - 1e-12) << w;
  // ... because the anticonvulsant domain adapts: its net effect at day 181 is well below that of day 9
  // (0.28 against 0.46 at a similar concentration).
  const auto at_day = [&](double day) {
    const auto k = static_cast<std::size_t>(day * 24.0 / c.checkpoint_h);
    return c.net_anticonvulsant[k];
  };
  EXPECT_LT(at_day(181.0), 0.7 * at_day(9.0));
  EXPECT_GT(at_day(181.0), 0.2);
}

TEST(epilepsy_scenario, abrupt_stop_exceeds_the_baseline_within_days) {
  const auto& c = run().arms[0].seizures;
  const double b0 = c.baseline_fraction;
  // The first day above baseline: day 185 (3 days after the last dose, 1.02 x); above 1.1 x from day 186.
  std::size_t first = 0;
  for (std::size_t d = stop_day; d < c.daily_burden.size() && first == 0; ++d) {
    if (c.daily_burden[d] > b0) first = d;
  }
  ASSERT_GT(first, 0u);
  EXPECT_LE(first - stop_day, 4u);
  // The rebound peaks at 1.44 x baseline 9 days after the last dose and stays > 10 % above it for 40 days.
  EXPECT_GT(c.peak_daily_burden_after_stop, 1.3 * b0);
  EXPECT_LE(c.peak_daily_burden_after_stop_day, 14.0);
  EXPECT_GE(c.days_above_baseline_after_stop, 20.0);
  // Then it returns to baseline as the adaptation fades (the last week: within 1 %).
  EXPECT_NEAR(c.weekly_burden.back(), b0, 0.01 * b0);
}

TEST(epilepsy_scenario, taper_stays_near_the_baseline) {
  const epilepsy_run& r = run();
  const auto& a = r.arms[0].seizures;
  const auto& t = r.arms[1].seizures;
  const double b0 = t.baseline_fraction;
  // Over the whole run the taper's daily burden never exceeds baseline by more than 12 % (peak 1.087 x,
  // 6 days after its last dose), and no day after its stop is > 10 % above it.
  const double peak = *std::max_element(t.daily_burden.begin(), t.daily_burden.end());
  EXPECT_LT(peak, 1.12 * b0);
  EXPECT_EQ(t.days_above_baseline_after_stop, 0.0);
  // Its excess over baseline is a fifth of the abrupt stop's (0.029 against 0.146).
  EXPECT_LT(t.peak_daily_burden_after_stop - b0, 0.3 * (a.peak_daily_burden_after_stop - b0));
  // During the taper the burden climbs from the treated level back to baseline (the drug goes, the tolerance
  // with it): the last full week before its last dose is within 10 % of baseline.
  EXPECT_NEAR(t.last_week_of_treatment_burden, b0, 0.1 * b0);
}

}  // namespace
