// SPDX-License-Identifier: MIT
// The seizure and amygdala presets' dose-responses over five seeds and clonazepam's total plasma concentrations
// 0, 10, 20, 40, 80 ng/mL (free = total x fu 0.15), the tables of docs/network-presets.md: the seizure fraction
// and synchrony fall with the concentration (the drug ends the discharges instead of trading them for another
// synchronous state), and the amygdala's threat-window output falls with it. The qualitative claim they check:
// benzodiazepines suppress seizure-like discharges while GABA-A inhibition can still inhibit (Staley 1992,
// Neurosci Lett 146:105) and reduce central-amygdala output under threat. Too long for the unit tests (about
// 35 s); the cheap versions are in tests/unit/circuit/test_presets.cpp.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/circuit/network.hpp>
#include <benzosim/circuit/presets.hpp>
#include <benzosim/io/scenario_file.hpp>

namespace {

using namespace benzosim;
using namespace benzosim::circuit;

const std::vector<double> totals_ngml{0.0, 10.0, 20.0, 40.0, 80.0};
constexpr std::uint64_t seeds = 5;

drug_effect clonazepam_at_total(double total_ngml) {
  const auto drug = io::embedded_drug("clonazepam");
  return drug_effect_at(drug.pd, total_ngml * drug.pk.fu);
}

TEST(network_presets, seizure_dose_response_falls_monotonically_over_five_seeds_of_two_seconds) {
  std::vector<double> sf(totals_ngml.size(), 0.0);
  std::vector<double> chi(totals_ngml.size(), 0.0);
  std::vector<double> rate_e(totals_ngml.size(), 0.0);
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    const network net = network::build(seizure(), seed);
    for (std::size_t k = 0; k < totals_ngml.size(); ++k) {
      run_options o;
      o.duration_ms = 2000.0;
      o.seed = seed;
      o.drug = clonazepam_at_total(totals_ngml[k]);
      const network_result r = simulate(net, o);
      if (k == 0) {
        EXPECT_GT(r.seizure_fraction, 0.6) << "seed " << seed << " without drug";
      }
      if (totals_ngml[k] >= 20.0) {
        EXPECT_LT(r.seizure_fraction, 0.1) << "seed " << seed << " at " << totals_ngml[k];
      }
      sf[k] += r.seizure_fraction / seeds;
      chi[k] += r.synchrony / seeds;
      rate_e[k] += r.populations.front().rate_hz / seeds;
    }
  }
  for (std::size_t k = 0; k < totals_ngml.size(); ++k) {
    std::printf("seizure preset, %g ng/mL total: mean seizure fraction %.2f, chi %.3f, E rate %.1f Hz\n",
                totals_ngml[k], sf[k], chi[k], rate_e[k]);
  }
  // Docs: 1.00, 0.44, 0, 0, 0 (seizure fraction); chi 0.69, 0.52, 0.36, 0.27, 0.19.
  EXPECT_GT(sf.front(), 0.8);
  for (std::size_t k = 1; k < totals_ngml.size(); ++k) {
    EXPECT_LE(sf[k], sf[k - 1] + 0.02) << totals_ngml[k];
    EXPECT_LT(chi[k], chi[k - 1]) << totals_ngml[k];
    EXPECT_LT(rate_e[k], rate_e[k - 1]) << totals_ngml[k];
  }
  EXPECT_LT(sf[3], 0.5 * sf[0]);  // 40 ng/mL, the middle of the therapeutic 20-70 ng/mL
  EXPECT_LT(chi[3], 0.4);
}

TEST(network_presets, amygdala_threat_output_falls_monotonically_over_five_seeds) {
  std::vector<double> threat(totals_ngml.size(), 0.0);
  std::vector<double> base(totals_ngml.size(), 0.0);
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    const network net = network::build(amygdala(), seed);
    for (std::size_t k = 0; k < totals_ngml.size(); ++k) {
      run_options o;
      o.duration_ms = amygdala_threat_window.stop_ms;
      o.seed = seed;
      o.drug = clonazepam_at_total(totals_ngml[k]);
      o.record_spikes = true;
      const network_result r = simulate(net, o);
      const double t = window_rate_hz(net, r, "CeM", amygdala_threat_window);
      const double b = window_rate_hz(net, r, "CeM", amygdala_baseline_window);
      if (k == 0) {
        EXPECT_GT(t, 2.0 * b) << "seed " << seed;
      }
      threat[k] += t / seeds;
      base[k] += b / seeds;
    }
  }
  for (std::size_t k = 0; k < totals_ngml.size(); ++k) {
    std::printf("amygdala preset, %g ng/mL total: CeM %.2f Hz at baseline, %.2f Hz under threat\n", totals_ngml[k],
                base[k], threat[k]);
  }
  // Docs: threat 38.5, 26.7, 20.5, 14.8, 10.9 Hz; baseline 6.1, 2.6, 1.5, 0.8, 0.5 Hz.
  for (std::size_t k = 1; k < totals_ngml.size(); ++k) {
    EXPECT_LT(threat[k], threat[k - 1]) << totals_ngml[k];
    EXPECT_LE(base[k], base[k - 1]) << totals_ngml[k];
  }
  EXPECT_LT(threat[3], 0.6 * threat[0]);
}

}  // namespace
