// SPDX-License-Identifier: MIT
// Issue 8 item 1: side-effect incidence over time, calibrated to the label (docs/models.md#side-effects).
// The label regimens: seizure disorders, the label titration (0.5 mg tid, +0.75 mg/day every 3 days) to 1 mg tid;
// panic disorder, the label titration (0.25 mg bid, +0.25 mg bid every 3 days) to 1.125 mg bid = 2.25 mg/day,
// close to the mean dose of the flexible-dose panic Study 2 (2.3 mg/day). Both over a 6-week trial period, the
// length of the panic trials (6-9 weeks; the seizure-disorder incidences give no duration).
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/clinical/scenario.hpp>
#include <benzosim/clinical/side_effects.hpp>
#include <benzosim/io/scenario_file.hpp>

namespace {

using namespace benzosim;

constexpr double trial_h = 42.0 * 24.0;  // 6 weeks

clinical::scenario base() {
  clinical::scenario s = io::load_scenario(BENZOSIM_SOURCE_DIR "/data/scenarios/panic_titration.toml");
  s.circuit.enabled = false;  // the side effects do not read the circuit
  s.output_step_h = 0.25;     // output grid = internal grid
  s.duration_h = trial_h;
  return s;
}

pk::regimen seizure_label_regimen() {
  pk::regimen r = pk::regimen::repeated(0.5, 0.0, 8.0, 9);  // days 0-2: 1.5 mg/day
  r.append(pk::regimen::repeated(0.75, 72.0, 8.0, 9));      // days 3-5: 2.25 mg/day
  r.append(pk::regimen::repeated(1.0, 144.0, 8.0, 108));    // days 6-41: 3 mg/day
  return r;
}

pk::regimen panic_label_regimen() {
  pk::regimen r = pk::regimen::repeated(0.25, 0.0, 12.0, 6);  // days 0-2: 0.5 mg/day
  r.append(pk::regimen::repeated(0.5, 72.0, 12.0, 6));        // days 3-5: 1 mg/day
  r.append(pk::regimen::repeated(0.75, 144.0, 12.0, 6));      // days 6-8: 1.5 mg/day
  r.append(pk::regimen::repeated(1.0, 216.0, 12.0, 6));       // days 9-11: 2 mg/day
  r.append(pk::regimen::repeated(1.125, 288.0, 12.0, 60));    // days 12-41: 2.25 mg/day
  return r;
}

clinical::results run(const pk::regimen& r, clinical::indication ind, double duration_h = trial_h) {
  clinical::scenario s = base();
  s.regimen = r;
  s.indication = ind;
  s.duration_h = duration_h;
  return clinical::simulate(s);
}

const clinical::results& seizure_run() {
  static const clinical::results r = run(seizure_label_regimen(), clinical::indication::seizure_disorder);
  return r;
}
const clinical::results& panic_run() {
  static const clinical::results r = run(panic_label_regimen(), clinical::indication::panic_disorder);
  return r;
}

std::size_t index_of(std::string_view name) {
  const auto t = clinical::side_effect_table();
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].name == name) return i;
  }
  ADD_FAILURE() << "no side effect " << name;
  return 0;
}

/// Mean of a timeline column over the trial period [0, trial_h).
double trial_mean(const clinical::timeline& t, const std::vector<double>& v) {
  double s = 0.0;
  double n = 0.0;
  for (std::size_t i = 0; i < t.time_h.size(); ++i) {
    if (t.time_h[i] < trial_h) {
      s += v[i];
      n += 1.0;
    }
  }
  return s / n;
}

double mean_incidence(const clinical::results& r, std::string_view name) {
  return trial_mean(r.series, r.series.side_effect_prob[index_of(name)]);
}

std::vector<double> on_trial(const clinical::timeline& t, const std::vector<double>& v) {
  std::vector<double> out;
  for (std::size_t i = 0; i < t.time_h.size(); ++i) {
    if (t.time_h[i] < trial_h) out.push_back(v[i]);
  }
  return out;
}

TEST(side_effect_calibration, table_x50_reproduce_the_label_regimens) {
  const auto& ts = seizure_run().series;
  const auto& tp = panic_run().series;
  const double sed_seizure = clinical::calibrate_x50(on_trial(ts, ts.net_sedative));
  const double sed_panic = clinical::calibrate_x50(on_trial(tp, tp.net_sedative));
  const double amn_panic = clinical::calibrate_x50(on_trial(tp, tp.net_amnesic));
  for (const auto& e : clinical::side_effect_table()) {
    const bool seizure = e.regimen == clinical::calibration_regimen::seizure_disorder;
    const double expected = seizure ? sed_seizure : (e.domain == "amnesic" ? amn_panic : sed_panic);
    EXPECT_NEAR(e.x50, expected, 1e-3 * expected)
        << e.name << ": sedative/seizure " << sed_seizure << ", sedative/panic " << sed_panic << ", amnesic/panic "
        << amn_panic;
  }
}

TEST(side_effect_calibration, calibrate_x50_solves_the_mean) {
  const std::vector<double> net = {0.0, 0.1, 0.2, 0.4, -0.1};
  const double x50 = clinical::calibrate_x50(net, 0.3);
  double m = 0.0;
  for (double n : net) m += std::max(0.0, n) / (std::max(0.0, n) + x50);
  EXPECT_NEAR(m / 5.0, 0.3, 1e-9);
  EXPECT_THROW((void)clinical::calibrate_x50(std::vector<double>{0.0, -0.1}), invalid_parameter);
}

// Seizure disorders: label adverse reactions, "drowsiness ~50 %, ataxia ~30 %" (clonazepam.md §7).
TEST(side_effects_seizure_label, drowsiness_averages_the_label_50_percent) {
  EXPECT_NEAR(mean_incidence(seizure_run(), "drowsiness"), 0.50, 0.02);
}
TEST(side_effects_seizure_label, ataxia_averages_the_label_30_percent) {
  EXPECT_NEAR(mean_incidence(seizure_run(), "ataxia"), 0.30, 0.02);
}
TEST(side_effects_seizure_label, drowsiness_diminishes_with_time_as_the_label_says) {
  // "may diminish with time": sedative tolerance; day 6 (titration done) vs day 41 on the same dose.
  const auto& t = seizure_run().series;
  const auto& p = t.side_effect_prob[index_of("drowsiness")];
  const auto at = [&](double h) { return p[static_cast<std::size_t>(h / 0.25)]; };
  EXPECT_GT(at(7.0 * 24.0), at(41.0 * 24.0));
}

// Panic disorder: SIDER aggregation of the label panic-trial tables (clonazepam.md §7); calibrated to the
// midpoint of each range, tolerance: 0.5 percentage points, and always inside the published range.
struct panic_case {
  std::string_view name;
  double lo, hi;  // published drug-arm range
};
class side_effects_panic_label : public ::testing::TestWithParam<panic_case> {};
TEST_P(side_effects_panic_label, trial_average_is_the_label_value_within_the_published_range) {
  const panic_case c = GetParam();
  const double label = clinical::side_effect_table()[index_of(c.name)].label_rate;
  const double m = mean_incidence(panic_run(), c.name);
  EXPECT_NEAR(m, label, 0.005) << c.name;
  EXPECT_GE(m, c.lo) << c.name;
  EXPECT_LE(m, c.hi) << c.name;
}
INSTANTIATE_TEST_SUITE_P(sider, side_effects_panic_label,
                         ::testing::Values(panic_case{"fatigue", 0.06, 0.09},        // fatigue 6-9 % (placebo 4)
                                           panic_case{"memory", 0.02, 0.05},         // memory impairment 2-5 % (2)
                                           panic_case{"slurred_speech", 0.0, 0.04},  // dysarthria 0-4 % (0)
                                           panic_case{"stuffy_nose", 0.02, 0.04},    // rhinitis 2-4 % (1)
                                           panic_case{"constipation", 0.0, 0.05}),   // constipation 0-5 % (2)
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// The uncertain effects, anchored to label panic Table 2 (discontinuation 1 vs <1 %, 4 vs 1 %).
TEST(side_effects_panic_label, uncertain_effects_average_their_table2_anchor) {
  EXPECT_NEAR(mean_incidence(panic_run(), "dizziness"), 0.01, 0.002);
  EXPECT_NEAR(mean_incidence(panic_run(), "depression"), 0.04, 0.005);
  for (const auto& e : clinical::side_effect_table()) {
    const bool anchored_only = e.name == "dizziness" || e.name == "depression";
    EXPECT_EQ(e.status == clinical::evidence::uncertain, anchored_only) << e.name;
  }
}

TEST(side_effects, placebo_rate_without_drug) {
  for (const auto& e : clinical::side_effect_table()) {
    EXPECT_DOUBLE_EQ(clinical::side_effect_probability(e, 0.0), e.placebo_rate) << e.name;
    EXPECT_DOUBLE_EQ(clinical::side_effect_probability(e, -0.3), e.placebo_rate) << e.name;  // withdrawal
  }
  // A run whose first dose is on day 3: before it, every column is the placebo rate.
  const clinical::results r =
      run(pk::regimen::repeated(1.0, 72.0, 12.0, 4), clinical::indication::panic_disorder, 96.0);
  const auto t = clinical::side_effect_table();
  for (std::size_t i = 0; i < r.series.time_h.size() && r.series.time_h[i] <= 72.0; ++i) {
    for (std::size_t e = 0; e < t.size(); ++e) {
      EXPECT_DOUBLE_EQ(r.series.side_effect_prob[e][i], t[e].placebo_rate) << t[e].name;
    }
  }
}

TEST(side_effects, every_probability_is_in_0_1) {
  // The label regimens, 20 mg/day (the seizure label maximum) and an abrupt stop (withdrawal).
  const clinical::results high =
      run(pk::regimen::repeated(20.0 / 3.0, 0.0, 8.0, 42), clinical::indication::seizure_disorder, 28.0 * 24.0);
  for (const clinical::results* r : {&seizure_run(), &panic_run(), &high}) {
    ASSERT_EQ(r->series.side_effect_prob.size(), clinical::side_effect_table().size());
    for (const auto& col : r->series.side_effect_prob) {
      ASSERT_EQ(col.size(), r->series.time_h.size());
      for (double p : col) {
        EXPECT_GE(p, 0.0);
        EXPECT_LE(p, 1.0);
      }
    }
    for (const auto& e : r->summary.side_effects) {
      EXPECT_GE(e.peak, e.final_value);
      EXPECT_LE(e.peak, 1.0);
    }
  }
  for (const auto& e : clinical::side_effect_table()) EXPECT_LE(clinical::side_effect_pmax(e), 1.0) << e.name;
}

TEST(side_effects, monotone_in_dose_at_day_14) {
  const auto t = clinical::side_effect_table();
  std::vector<double> previous(t.size(), -1.0);
  for (double mg_per_day : {0.5, 1.0, 2.0, 4.0}) {
    const clinical::results r =
        run(pk::regimen::repeated(mg_per_day / 2.0, 0.0, 12.0, 28), clinical::indication::panic_disorder, 14.0 * 24.0);
    for (std::size_t e = 0; e < t.size(); ++e) {
      const double p = r.series.side_effect_prob[e].back();  // t = 14 days
      EXPECT_GT(p, previous[e]) << t[e].name << " at " << mg_per_day << " mg/day";
      previous[e] = p;
    }
  }
}

}  // namespace
