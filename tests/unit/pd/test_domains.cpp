// SPDX-License-Identifier: MIT
// Adaptation per effect domain, withdrawal and cross-tolerance with the default (drug-file) parameters
// (docs/models.md#effect-domains). The numbers each test demands, and why, are in its comments.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/error.hpp>
#include <benzosim/core/time_grid.hpp>
#include <benzosim/pd/gabaa.hpp>
#include <benzosim/pk/two_compartment.hpp>

#include "clonazepam_pd_fixture.hpp"
#include "test_support.hpp"

namespace {

namespace pd = benzosim::pd;
namespace pk = benzosim::pk;

constexpr double step_h = 0.25;

pd::pd_profile run(const pk::regimen& r, double until_h, const pd::initial_adaptation& start = {}) {
  const auto t = benzosim::time_grid(0.0, until_h, step_h);
  return pd::simulate(benzosim::test::clonazepam_pd(), pk::simulate(benzosim::test::clonazepam_pk(), r, t), start);
}

/// Mean of v over day d (hours 24 d .. 24 d + 24, end excluded) on the step_h grid.
double day_mean(const std::vector<double>& v, int day) {
  const auto per_day = static_cast<std::size_t>(24.0 / step_h);
  const auto from = static_cast<std::size_t>(day) * per_day;
  double sum = 0.0;
  for (std::size_t i = from; i < from + per_day; ++i) sum += v.at(i);
  return sum / static_cast<double>(per_day);
}

std::size_t index_at(double t_h) {
  return static_cast<std::size_t>(std::lround(t_h / step_h));
}

double peak_after(const std::vector<double>& v, double t_h) {
  return *std::max_element(v.begin() + static_cast<long>(index_at(t_h)), v.end());
}

/// 0.5 mg three times daily, the label's starting dose for seizure disorders and the demo's regimen.
pk::regimen tid(double mg, int days) {
  return pk::regimen::repeated(mg, 0.0, 8.0, 3 * days);
}

TEST(domains, sedative_tolerance_halves_the_effect_within_a_week) {
  // File 1984: sedative tolerance within 3-5 days of daily dosing. Demanded for 0.5 mg tid and for 1 mg bid:
  // (a) the mean sedative net effect of day 7 (hours 144-168) is at most half of the largest daily mean of
  //     days 1-7 (the net effect peaks on day 2, while the drug still accumulates towards steady state);
  // (b) on day 7 the net effect is at most 30 % of the drive, i.e. of what the same occupancy does in a
  //     drug-naive patient (the defaults give 20 %).
  for (const auto& r : {tid(0.5, 42), pk::regimen::repeated(1.0, 0.0, 12.0, 84)}) {
    const auto p = run(r, 24.0 * 8);
    const auto& sed = p.domain("sedative");
    double peak = 0.0;
    for (int d = 0; d < 7; ++d) peak = std::max(peak, day_mean(sed.net, d));
    EXPECT_LE(day_mean(sed.net, 6), 0.5 * peak);
    EXPECT_LE(day_mean(sed.net, 6), 0.3 * day_mean(sed.drive, 6));
    EXPECT_GT(day_mean(sed.net, 6), 0.0);  // tolerance is large but not complete on treatment
  }
}

TEST(domains, anxiolytic_effect_persists_over_six_weeks) {
  // Vinkers & Olivier 2012: anxiolytic tolerance "probably does not develop at all"; File 1984 (rat): after
  // 10-20 days. Demanded over 6 weeks of 0.5 mg tid:
  // (a) every daily mean of the anxiolytic net effect (days 2-42) stays >= 80 % of its day-1 mean;
  // (b) at every time point at least 80 % of the drive remains (the effect per occupancy, which does not grow
  //     with accumulation and so is the stricter test; the defaults keep >= 86 %).
  const auto p = run(tid(0.5, 42), 24.0 * 42);
  const auto& anx = p.domain("anxiolytic");
  const double day1 = day_mean(anx.net, 0);
  for (int d = 1; d < 42; ++d) EXPECT_GE(day_mean(anx.net, d), 0.8 * day1) << "day " << d + 1;
  for (std::size_t i = 0; i < anx.net.size(); ++i) {
    if (anx.drive[i] > 0.01) {
      ASSERT_GE(anx.net[i], 0.8 * anx.drive[i]) << "t = " << p.t_h[i];
    }
  }
}

TEST(domains, time_scales_order_sedative_then_anticonvulsant_then_anxiolytic) {
  // Share of the drive cancelled (1 - net/drive): sedative fastest (days), anticonvulsant over weeks (Aarli
  // 1973: recurrence after 1-3 months), anxiolytic least; amnesic none.
  const auto p = run(tid(0.5, 42), 24.0 * 42);
  const auto lost = [&](const char* name, int day) {
    const auto& d = p.domain(name);
    return 1.0 - day_mean(d.net, day) / day_mean(d.drive, day);
  };
  EXPECT_GT(lost("sedative", 6), lost("anticonvulsant", 6));
  EXPECT_GT(lost("anticonvulsant", 6), lost("anxiolytic", 6));
  // By day 7 the sedative loss has reached >= 85 % of its week-6 value (the defaults: 0.80 of 0.90); the
  // anticonvulsant loss has reached < 50 % of it (0.20 of 0.45) and keeps growing over the weeks.
  EXPECT_GE(lost("sedative", 6), 0.85 * lost("sedative", 41));
  EXPECT_LT(lost("anticonvulsant", 6), 0.5 * lost("anticonvulsant", 41));
  EXPECT_GT(lost("anticonvulsant", 41), 0.3);
  EXPECT_LT(lost("anticonvulsant", 41), 0.5);  // bounded by the weights, 0.15 + 0.35
  const auto& amnesic = p.domain("amnesic");
  for (std::size_t i = 0; i < amnesic.net.size(); ++i) ASSERT_EQ(amnesic.net[i], amnesic.drive[i]);
}

TEST(domains, acute_state_is_the_dsst_state) {
  // The sedative domain's acute state and the global "fast" state (which drives the DSST EC50 shift in the
  // clinical layer, dos Santos 2009) have the same half-life and, for clonazepam, the same drive: they agree.
  const auto p = run(tid(0.5, 14), 24.0 * 20);
  const auto& acute = p.domain("sedative").adaptation[0];
  ASSERT_TRUE(benzosim::test::profiles_close(acute, p.adaptation[0], 1e-12, 1e-15));
  // Half-time 21.5 h under a constant drive (dos Santos 2009).
  pk::concentration_profile c;
  c.t_h = benzosim::time_grid(0.0, 21.5, 0.5);
  c.free_ngml.assign(c.t_h.size(), 3.75);
  c.c_ngml.assign(c.t_h.size(), 25.0);
  const auto q = pd::simulate(benzosim::test::clonazepam_pd(), c);
  EXPECT_TRUE(benzosim::test::close_rel(q.domain("sedative").adaptation[0].back(), 0.25, 1e-12));
}

TEST(withdrawal, zero_for_a_drug_naive_patient_before_dosing) {
  // First dose at 72 h: until then, and with no dose at all, every domain has net 0 and withdrawal 0.
  const auto p = run(pk::regimen::repeated(2.0, 72.0, 12.0, 10), 24.0 * 10);
  for (const auto& d : p.domains) {
    for (std::size_t i = 0; p.t_h[i] <= 72.0; ++i) {
      ASSERT_EQ(d.withdrawal[i], 0.0) << d.name;
      ASSERT_EQ(d.net[i], 0.0) << d.name;
    }
  }
  const auto none = run({}, 24.0 * 30);
  for (const auto& d : none.domains) EXPECT_EQ(*std::max_element(d.withdrawal.begin(), d.withdrawal.end()), 0.0);
}

TEST(withdrawal, after_chronic_use_grows_with_duration_and_dose) {
  // Abrupt stop after 0.5 mg tid. Every domain with adaptation shows a withdrawal drive; it is larger after
  // 6 weeks than after 2 weeks (the anticonvulsant "weeks" and anxiolytic states are still growing at 2 weeks),
  // and larger after 1 mg tid than after 0.5 mg tid (more occupancy, more adaptation). The amnesic domain
  // has no adaptation and so no withdrawal.
  const auto peak = [](int days, double mg, const char* domain) {
    const auto p = run(tid(mg, days), 24.0 * (days + 42));
    return peak_after(p.domain(domain).withdrawal, 24.0 * days);
  };
  for (const char* name : {"sedative", "anticonvulsant", "anxiolytic"}) {
    const double short_use = peak(14, 0.5, name);
    const double long_use = peak(42, 0.5, name);
    const double high_dose = peak(42, 1.0, name);
    EXPECT_GT(short_use, 0.0) << name;
    EXPECT_GT(long_use, short_use) << name;
    EXPECT_GT(high_dose, long_use) << name;
  }
  EXPECT_GT(peak(42, 0.5, "anticonvulsant"), 1.5 * peak(14, 0.5, "anticonvulsant"));
  EXPECT_EQ(peak(42, 1.0, "amnesic"), 0.0);
  // On treatment there is none (weights < 1: the drug outweighs its adaptation at steady dosing).
  const auto p = run(tid(0.5, 42), 24.0 * 42 - 8.0);
  for (const auto& d : p.domains) {
    EXPECT_EQ(*std::max_element(d.withdrawal.begin(), d.withdrawal.end()), 0.0) << d.name;
  }
}

TEST(withdrawal, sedative_rebound_peaks_within_days_and_fades_with_the_adaptation) {
  // Class pattern: rebound anxiety/insomnia within 1-4 days of stopping (pbod.org, §5 of the science notes);
  // the full syndrome usually within 10-14 days. After 6 weeks of 0.5 mg tid the sedative domain's withdrawal
  // (half-lives 21.5 h and 36 h) peaks 1-4 days after the stop (defaults: 3.2 days), the anticonvulsant one
  // (48 h and 14 days) later (8.2), the anxiolytic one (15 days) latest (12.1) and longest. Each fades with
  // its adaptation: 20 days after the stop the sedative rebound is below 2 % of its peak while the
  // anxiolytic withdrawal is still above half of its peak; 16 weeks after the stop all are below 5 %.
  const double stop_h = 24.0 * 42;
  const auto p = run(tid(0.5, 42), stop_h + 24.0 * 112);
  const auto peak_day = [&](const char* name) {
    const auto& w = p.domain(name).withdrawal;
    const auto it = std::max_element(w.begin() + static_cast<long>(index_at(stop_h)), w.end());
    return (p.t_h[static_cast<std::size_t>(it - w.begin())] - stop_h) / 24.0;
  };
  EXPECT_GE(peak_day("sedative"), 1.0);
  EXPECT_LE(peak_day("sedative"), 4.0);
  EXPECT_GT(peak_day("anticonvulsant"), peak_day("sedative"));
  EXPECT_LE(peak_day("anticonvulsant"), 14.0);
  EXPECT_GT(peak_day("anxiolytic"), peak_day("anticonvulsant"));
  const auto& sed = p.domain("sedative").withdrawal;
  const auto& anx = p.domain("anxiolytic").withdrawal;
  const std::size_t day20 = index_at(stop_h + 24.0 * 20);
  EXPECT_LT(sed[day20], 0.02 * peak_after(sed, stop_h));
  EXPECT_GT(anx[day20], 0.5 * peak_after(anx, stop_h));
  for (const char* name : {"sedative", "anticonvulsant", "anxiolytic"}) {
    const auto& w = p.domain(name).withdrawal;
    EXPECT_LT(w.back(), 0.05 * peak_after(w, stop_h)) << name;
  }
}

TEST(cross_tolerance, converts_diazepam_equivalents_and_starts_the_states_adapted) {
  // 20 mg/day of diazepam for 3 months, stopped the day before: 1 mg/day clonazepam by the Ashton table
  // (20 mg diazepam per mg), average Css = 0.9 x 1 mg / (3.105 L/h x 24 h) = 12.08 ng/mL total, 1.81 ng/mL free,
  // occupancy 0.326 at Kd 3.75.
  const auto p = benzosim::test::clonazepam_pd();
  const auto k = benzosim::test::clonazepam_pk();
  const pd::prior_exposure e{20.0, 90.0, 1.0};
  EXPECT_TRUE(benzosim::test::close_rel(pd::average_css_ngml(k, 1.0), 900.0 / (3.105 * 24.0), 1e-14));
  const double free = 0.15 * 900.0 / (3.105 * 24.0);
  const double occ = free / (free + 3.75);
  EXPECT_NEAR(occ, 0.326, 5e-4);
  const auto a0 = pd::cross_tolerance(p, k, e);
  ASSERT_EQ(a0.global.size(), 2u);
  ASSERT_EQ(a0.domains.size(), 4u);
  for (std::size_t d = 0; d < p.domains.size(); ++d) {
    ASSERT_EQ(a0.domains[d].size(), p.domains[d].adaptation.size());
    for (std::size_t s = 0; s < a0.domains[d].size(); ++s) {
      const double t_half = p.domains[d].adaptation[s].half_life_h;
      const double expected =
          occ * (1.0 - std::exp(-std::log(2.0) * 90.0 * 24.0 / t_half)) * std::exp(-std::log(2.0) * 24.0 / t_half);
      EXPECT_TRUE(benzosim::test::close_rel(a0.domains[d][s], expected, 1e-12)) << p.domains[d].name << s;
      EXPECT_GT(a0.domains[d][s], 0.0);
    }
  }
  EXPECT_GT(a0.global[0], 0.0);  // the DSST state too: the acute tolerance is already partly there

  // Day 1 of 0.5 mg tid: lower net effect in every adapting domain than in a drug-naive patient; the amnesic
  // domain (no adaptation) is unchanged.
  const auto naive = run(tid(0.5, 7), 24.0 * 3);
  const auto switched = run(tid(0.5, 7), 24.0 * 3, a0);
  for (const char* name : {"sedative", "anticonvulsant", "anxiolytic"}) {
    EXPECT_LT(day_mean(switched.domain(name).net, 0), day_mean(naive.domain(name).net, 0) - 0.02) << name;
  }
  EXPECT_EQ(day_mean(switched.domain("amnesic").net, 0), day_mean(naive.domain("amnesic").net, 0));
  // Before the first tablet is absorbed the adapted patient is in withdrawal (the prior drug's own remaining
  // effect is not modelled: docs/models.md).
  EXPECT_GT(switched.domain("sedative").withdrawal[0], 0.0);
}

TEST(cross_tolerance, fades_with_time_since_the_prior_drug_and_needs_an_equivalence) {
  const auto p = benzosim::test::clonazepam_pd();
  const auto k = benzosim::test::clonazepam_pk();
  const auto recent = pd::cross_tolerance(p, k, {20.0, 90.0, 0.0});
  const auto later = pd::cross_tolerance(p, k, {20.0, 90.0, 30.0});
  const auto naive = pd::cross_tolerance(p, k, {});
  for (std::size_t d = 0; d < p.domains.size(); ++d) {
    for (std::size_t s = 0; s < p.domains[d].adaptation.size(); ++s) {
      EXPECT_LT(later.domains[d][s], recent.domains[d][s]);
      EXPECT_EQ(naive.domains[d][s], 0.0);
    }
  }
  // After 30 days only the slow states remain: the sedative ones (36 h) are gone, the anxiolytic (15 days) not.
  EXPECT_LT(later.domains[p.domain_index("sedative")][1], 1e-5);
  EXPECT_GT(later.domains[p.domain_index("anxiolytic")][0], 0.05);
  auto no_table = p;
  no_table.diazepam_mg_per_mg = 0.0;
  EXPECT_THROW(pd::cross_tolerance(no_table, k, {20.0, 90.0, 0.0}), benzosim::invalid_parameter);
  EXPECT_NO_THROW(pd::cross_tolerance(no_table, k, {}));
  EXPECT_THROW(pd::cross_tolerance(p, k, {-5.0, 90.0, 0.0}), benzosim::invalid_parameter);
}

TEST(domains, initial_state_must_fit_the_parameters) {
  const auto p = benzosim::test::clonazepam_pd();
  const auto c = pk::simulate(benzosim::test::clonazepam_pk(), tid(0.5, 1), benzosim::time_grid(0.0, 24.0, 1.0));
  pd::initial_adaptation bad;
  bad.domains = {{0.1}};  // one domain for four
  EXPECT_THROW(pd::simulate(p, c, bad), benzosim::invalid_parameter);
  bad.domains = {{0.1, 0.1}, {0.1, 0.1}, {0.1}, {}};
  bad.global = {0.1, 1.5};  // out of [0, 1]
  EXPECT_THROW(pd::simulate(p, c, bad), benzosim::invalid_parameter);
  bad.global = {0.1, 0.2};
  EXPECT_NO_THROW(pd::simulate(p, c, bad));
}

TEST(domains, validation_names_the_field) {
  auto p = benzosim::test::clonazepam_pd();
  p.domains[1].drive_weights.a2 = 0.5;  // shares add up to 1.2
  try {
    p.validate();
    FAIL();
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_EQ(e.name, "pd.domains.anticonvulsant.drive");
  }
  p = benzosim::test::clonazepam_pd();
  p.domains[0].adaptation[1].weight = 0.9;  // 0.15 + 0.9 > 1
  try {
    p.validate();
    FAIL();
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_EQ(e.name, "sum of pd.domains.sedative.adaptation weights");
  }
  p = benzosim::test::clonazepam_pd();
  p.domains[3].name = "sedative";
  EXPECT_THROW(p.validate(), benzosim::invalid_parameter);
  p = benzosim::test::clonazepam_pd();
  EXPECT_EQ(p.domain_index("anxiolytic"), 2u);
  try {
    static_cast<void>(p.domain_index("sedation"));
    FAIL();
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_NE(std::string{e.what()}.find("'sedative', 'anticonvulsant', 'anxiolytic', 'amnesic'"), std::string::npos);
  }
}

}  // namespace
