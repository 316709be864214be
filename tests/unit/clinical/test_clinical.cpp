// SPDX-License-Identifier: MIT
#include <algorithm>
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include <benzosim/clinical/effects.hpp>
#include <benzosim/clinical/scenario.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/pd/alcohol.hpp>

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
  s.person.weight_kg = 70.0;
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

TEST(alcohol, evening_drinks_add_to_the_drug_and_raise_a_warning) {
  // 0.5 mg twice a day for 3 days; on day 3 a woman of 60 kg drinks 3 US standard drinks at 19-21 h.
  auto s = make(pk::regimen::repeated(0.5, 0.0, 12.0, 6), 4.0);
  s.person.weight_kg = 60.0;
  s.person.sex = pk::biological_sex::female;
  s.alcohol = clinical::alcohol_settings{};
  for (double t : {67.0, 68.0, 69.0}) s.alcohol->drinks.push_back({t, 14.0});
  const auto with = clinical::simulate(s);
  auto plain = s;
  plain.alcohol.reset();
  const auto without = clinical::simulate(plain);
  const auto& w = with.series;
  ASSERT_EQ(w.bac_g_per_100ml.size(), w.time_h.size());
  EXPECT_TRUE(without.series.bac_g_per_100ml.empty());
  // The BAC column is pd::simulate_bac at the output times (the same exact solution).
  const auto bac = pd::simulate_bac(s.alcohol->pk_for(s.person), s.alcohol->drinks, w.time_h);
  bool drank = false;
  for (std::size_t i = 0; i < w.time_h.size(); ++i) {
    EXPECT_NEAR(w.bac_g_per_100ml[i], bac.bac_g_per_l[i] / 10.0, 1e-15);
    const double m_eth = pd::ethanol_modulation(bac.bac_g_per_l[i], s.alcohol->gabaa);
    EXPECT_NEAR(w.ethanol_modulation[i], m_eth, 1e-15);
    EXPECT_NEAR(w.combined_modulation[i], std::min(1.0, w.net_modulation[i] + m_eth), 1e-15);
    if (bac.bac_g_per_l[i] > 0.0) {
      drank = true;
      EXPECT_GT(w.drowsiness_prob[i], without.series.drowsiness_prob[i]) << w.time_h[i];
    } else {
      EXPECT_EQ(w.drowsiness_prob[i], without.series.drowsiness_prob[i]) << w.time_h[i];
    }
    EXPECT_EQ(w.conc_ngml[i], without.series.conc_ngml[i]);  // no pk interaction is modelled
  }
  EXPECT_TRUE(drank);
  // Widmark: 42 g in a 60 kg woman (r 0.55) is at most 42 / 33 = 1.27 g/L before elimination; peak below that.
  EXPECT_GT(with.summary.peak_bac_g_per_100ml, 0.08);
  EXPECT_LT(with.summary.peak_bac_g_per_100ml, 0.127);
  EXPECT_GT(with.summary.hours_alcohol_with_drug, 3.0);
  const bool warned = std::any_of(with.warnings.begin(), with.warnings.end(),
                                  [](const clinical::finding& f) { return f.code == "alcohol_with_benzodiazepine"; });
  EXPECT_TRUE(warned);
  EXPECT_EQ(without.summary.peak_bac_g_per_100ml, 0.0);
  // Without the patient's sex the scenario is invalid.
  s.person.sex.reset();
  EXPECT_THROW(clinical::simulate(s), invalid_parameter);
}

TEST(domains, timeline_carries_each_domain_and_prior_use_starts_adapted) {
  // 0.5 mg three times a day for 4 weeks, then an abrupt stop; 6 weeks simulated (the demo's regimen).
  auto s = make(pk::regimen::repeated(0.5, 0.0, 8.0, 84), 42.0);
  const auto r = clinical::simulate(s);
  const auto& t = r.series;
  ASSERT_EQ(t.net_sedative.size(), t.time_h.size());
  auto at = [&](const std::vector<double>& v, double h) { return v[static_cast<std::size_t>(h / s.output_step_h)]; };
  // Sedation fades within days, anxiety relief barely (docs/models.md): on day 21 (at a trough time), the
  // sedative net effect is well below the anxiolytic one, though both have the same drive for clonazepam.
  EXPECT_LT(at(t.net_sedative, 21 * 24.0), 0.5 * at(t.net_anxiolytic, 21 * 24.0));
  EXPECT_GT(at(t.net_amnesic, 21 * 24.0), at(t.net_anxiolytic, 21 * 24.0));  // no amnesic tolerance
  // After the stop every adapted domain goes into withdrawal (negative net); the amnesic one cannot.
  ASSERT_EQ(r.summary.domains.size(), 4u);
  for (const auto& d : r.summary.domains) {
    if (d.name == "amnesic") {
      EXPECT_EQ(d.peak_withdrawal, 0.0);
    } else {
      EXPECT_GT(d.peak_withdrawal, 0.0) << d.name;
      EXPECT_GT(d.peak_withdrawal_time_h, 28 * 24.0) << d.name;
    }
  }
  // The sedative rebound comes first, the anxiolytic one last (its adaptation is the slowest).
  auto peak_time = [&](const char* name) {
    for (const auto& d : r.summary.domains) {
      if (d.name == name) return d.peak_withdrawal_time_h;
    }
    return -1.0;
  };
  EXPECT_LT(peak_time("sedative"), peak_time("anticonvulsant"));
  EXPECT_LT(peak_time("anticonvulsant"), peak_time("anxiolytic"));
  // A year of diazepam 20 mg/day until the day before: day 1 starts adapted, so every adapted domain's net
  // effect is lower than in a drug-naive patient.
  auto switched = s;
  switched.person.prior_benzodiazepine = {20.0, 365.0, 1.0};
  const auto p = clinical::simulate(switched);
  for (const double h : {6.0, 12.0, 20.0}) {
    EXPECT_LT(at(p.series.net_sedative, h), at(t.net_sedative, h)) << h;
    EXPECT_LT(at(p.series.net_anticonvulsant, h), at(t.net_anticonvulsant, h)) << h;
    EXPECT_EQ(at(p.series.net_amnesic, h), at(t.net_amnesic, h)) << h;  // nothing to adapt
  }
  switched.person.prior_benzodiazepine.duration_days = -1.0;
  EXPECT_THROW(clinical::simulate(switched), invalid_parameter);
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
