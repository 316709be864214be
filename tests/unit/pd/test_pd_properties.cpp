// SPDX-License-Identifier: MIT
// Property test: for many random regimens, every pd output is finite and within its physical range.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/time_grid.hpp>
#include <benzosim/pd/gabaa.hpp>
#include <benzosim/pk/two_compartment.hpp>

#include "clonazepam_pd_fixture.hpp"

namespace {

namespace pd = benzosim::pd;
namespace pk = benzosim::pk;

/// A random regimen: 1-60 doses of 0-4 mg (a drawn 0 is a skipped dose), intervals of 1-48 h, starting at
/// 0-48 h; the simulation runs 0-40 days past the last dose (an abrupt stop at a random time).
struct random_case {
  pk::regimen regimen;
  double first_dose_h = 0.0;
  double until_h = 0.0;
};

random_case draw(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  random_case c;
  c.first_dose_h = 48.0 * u(rng);
  const int n = 1 + static_cast<int>(60.0 * u(rng));
  double t = c.first_dose_h;
  bool first = true;
  for (int i = 0; i < n; ++i) {
    const double mg = 4.0 * u(rng);
    if (mg > 0.01 || first) c.regimen.doses.push_back({t, std::max(mg, 0.01)});
    first = false;
    t += 1.0 + 47.0 * u(rng);
  }
  c.until_h = c.regimen.doses.back().time_h + 24.0 * 40.0 * u(rng) + 1.0;
  return c;
}

/// An ASSERT inside a helper returns from the helper only; the caller stops on HasFatalFailure().
void check_ranges(const pd::pd_params& p, const pk::concentration_profile& c, const pd::pd_profile& q, bool drug_naive,
                  double first_dose_h, const std::string& label) {
  const std::size_t n = c.t_h.size();
  ASSERT_EQ(q.t_h.size(), n) << label;
  const double s_max = p.modulation.potency_shift_max;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = q.t_h[i];
    const bool drug_present = c.free_ngml[i] > 0.0;
    ASSERT_TRUE(q.occupancy[i] >= 0.0 && q.occupancy[i] <= 1.0) << label << " t=" << t;
    for (const double o : q.subtype_occupancy[i].to_array()) ASSERT_TRUE(o >= 0.0 && o <= 1.0) << label;
    ASSERT_TRUE(std::isfinite(q.tolerance[i]) && std::isfinite(q.net_modulation[i])) << label;
    ASSERT_TRUE(q.net_modulation[i] >= -1.0 && q.net_modulation[i] <= 1.0) << label;
    ASSERT_GE(q.withdrawal[i], 0.0) << label;
    for (const auto& a : q.adaptation) ASSERT_TRUE(a[i] >= -1e-12 && a[i] <= 1.0 + 1e-12) << label;
    for (const auto* s : {&q.fast_somatic, &q.slow_dendritic}) {
      ASSERT_TRUE(s->modulation[i] >= 0.0 && s->modulation[i] <= 1.0) << label;
      ASSERT_TRUE(s->potency_shift[i] >= 1.0 && s->potency_shift[i] <= s_max) << label;
      ASSERT_TRUE(std::isfinite(s->amplitude[i]) && std::isfinite(s->decay[i])) << label;
      if (drug_present) {
        // The synapse classes describe the drug on drug-naive receptors: never below 1 while drug is there.
        ASSERT_GE(s->amplitude[i], 1.0) << label << " t=" << t;
        ASSERT_GE(s->decay[i], 1.0) << label << " t=" << t;
      } else {
        ASSERT_EQ(s->amplitude[i], 1.0) << label;
        ASSERT_EQ(s->decay[i], 1.0) << label;
        ASSERT_EQ(s->potency_shift[i], 1.0) << label;
      }
    }
    ASSERT_TRUE(q.tonic[i] >= 1.0 && q.tonic[i] <= 1.0 + p.modulation.tonic_max) << label;
    for (const auto& d : q.domains) {
      ASSERT_TRUE(d.drive[i] >= 0.0 && d.drive[i] <= 1.0) << label << " " << d.name;
      ASSERT_TRUE(d.net[i] >= -1.0 && d.net[i] <= 1.0) << label << " " << d.name << " t=" << t;
      ASSERT_TRUE(d.withdrawal[i] >= 0.0 && d.withdrawal[i] <= 1.0) << label << " " << d.name;
      for (const auto& a : d.adaptation) ASSERT_TRUE(a[i] >= -1e-12 && a[i] <= 1.0 + 1e-12) << label << d.name;
      if (drug_naive && t <= first_dose_h) {
        ASSERT_EQ(d.withdrawal[i], 0.0) << label << " " << d.name << " before the first dose";
        ASSERT_EQ(d.net[i], 0.0) << label << " " << d.name << " before the first dose";
      }
    }
    if (drug_naive && t <= first_dose_h) {
      ASSERT_EQ(q.withdrawal[i], 0.0) << label;
    }
  }
}

TEST(pd_properties, random_regimens_keep_every_output_finite_and_in_range) {
  std::mt19937_64 rng(20240605);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto k = benzosim::test::clonazepam_pk();
  for (int trial = 0; trial < 150; ++trial) {
    auto p = benzosim::test::clonazepam_pd();
    // Every other trial: a subtype-selective drug (random Kd per subtype over 3 decades).
    if (trial % 2 == 1) {
      p.binding.kd_free_a1_ngml = std::pow(10.0, -0.5 + 3.0 * u(rng));
      p.binding.kd_free_a2_ngml = std::pow(10.0, -0.5 + 3.0 * u(rng));
      p.binding.kd_free_a3_ngml = std::pow(10.0, -0.5 + 3.0 * u(rng));
      p.binding.kd_free_a5_ngml = std::pow(10.0, -0.5 + 3.0 * u(rng));
    }
    const random_case rc = draw(rng);
    const double step = 0.25 + 1.75 * u(rng);  // 0.25-2 h: also coarse grids
    const auto t = benzosim::time_grid(0.0, rc.until_h, step);
    const auto c = pk::simulate(k, rc.regimen, t);
    const std::string label = "trial " + std::to_string(trial);
    check_ranges(p, c, pd::simulate(p, c), true, rc.first_dose_h, label);
    if (HasFatalFailure()) return;
    // The same regimen after a random prior exposure (0-60 mg/day diazepam for up to a year): the ranges hold,
    // only the drug-naive property does not apply.
    const pd::prior_exposure e{60.0 * u(rng), 365.0 * u(rng), 30.0 * u(rng)};
    check_ranges(p, c, pd::simulate(p, c, pd::cross_tolerance(p, k, e)), false, rc.first_dose_h,
                 label + " (cross-tolerant)");
    if (HasFatalFailure()) return;
  }
}

}  // namespace
