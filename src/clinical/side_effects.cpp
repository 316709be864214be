// SPDX-License-Identifier: MIT
#include <benzosim/clinical/side_effects.hpp>

#include <algorithm>
#include <array>
#include <cmath>

#include <benzosim/core/error.hpp>

namespace benzosim::clinical {
namespace {

// x50: calibrate_x50 over the label regimen's trial period (tests/unit/clinical/test_side_effects.cpp,
// calibration.reproduces_table_x50 recomputes them): seizure-disorder regimen, sedative domain; panic regimen,
// sedative and amnesic domains.
constexpr double x50_sedative_seizure = 0.07325372;
constexpr double x50_sedative_panic = 0.06182958;
constexpr double x50_amnesic_panic = 0.4260958;

constexpr std::array<side_effect, 9> table{{
    {"drowsiness", "drowsiness/somnolence", "sedative", 0.50, 0.10, calibration_regimen::seizure_disorder,
     "drowsiness ~50 %: label, seizure disorders (globalrph.com; medlibrary.org clonazepam-56 p.4); placebo 10 %: "
     "upper end of the somnolence placebo range 1-10 % in panic trials (SIDER, sideeffects.embl.de/drugs/2802)",
     evidence::calibrated, x50_sedative_seizure},
    {"ataxia", "unsteadiness/ataxia", "sedative", 0.30, 0.0, calibration_regimen::seizure_disorder,
     "ataxia ~30 %: label, seizure disorders (globalrph.com; medlibrary.org clonazepam-56 p.4); placebo 0 %: "
     "ataxia placebo in panic trials (SIDER, sideeffects.embl.de/drugs/2802)",
     evidence::calibrated, x50_sedative_seizure},
    {"fatigue", "weakness/fatigue", "sedative", 0.075, 0.04, calibration_regimen::panic_disorder,
     "fatigue 6-9 % (midpoint 7.5 %) vs placebo 4 %: panic trials, SIDER aggregation of labels "
     "(sideeffects.embl.de/drugs/2802)",
     evidence::calibrated, x50_sedative_panic},
    {"memory", "memory problems", "amnesic", 0.035, 0.02, calibration_regimen::panic_disorder,
     "memory impairment 2-5 % (midpoint 3.5 %) vs placebo 2 %: panic trials, SIDER aggregation of labels "
     "(sideeffects.embl.de/drugs/2802)",
     evidence::calibrated, x50_amnesic_panic},
    {"slurred_speech", "slurred speech (dysarthria)", "sedative", 0.02, 0.0, calibration_regimen::panic_disorder,
     "dysarthria 0-4 % (midpoint 2 %) vs placebo 0 %: panic trials, SIDER aggregation of labels "
     "(sideeffects.embl.de/drugs/2802)",
     evidence::calibrated, x50_sedative_panic},
    {"stuffy_nose", "stuffy nose (rhinitis)", "sedative", 0.03, 0.01, calibration_regimen::panic_disorder,
     "rhinitis 2-4 % (midpoint 3 %) vs placebo 1 %: panic trials, SIDER aggregation of labels "
     "(sideeffects.embl.de/drugs/2802); no mechanism known, the sedative domain is an exposure proxy",
     evidence::calibrated, x50_sedative_panic},
    {"constipation", "constipation", "sedative", 0.025, 0.02, calibration_regimen::panic_disorder,
     "constipation 0-5 % (midpoint 2.5 %) vs placebo 2 %: panic trials, SIDER aggregation of labels "
     "(sideeffects.embl.de/drugs/2802); no mechanism known, the sedative domain is an exposure proxy",
     evidence::calibrated, x50_sedative_panic},
    {"dizziness", "dizziness", "sedative", 0.01, 0.0, calibration_regimen::panic_disorder,
     "no incidence found: anchored to discontinuation for dizziness, 1 % vs <1 % (placebo taken as 0), label panic "
     "Table 2 (medlibrary.org clonazepam-19 p.4); a lower bound of the incidence",
     evidence::uncertain, x50_sedative_panic},
    {"depression", "depression", "sedative", 0.04, 0.01, calibration_regimen::panic_disorder,
     "no incidence found: anchored to discontinuation for depression, 4 % vs 1 %, label panic Table 2 "
     "(medlibrary.org clonazepam-19 p.4); a lower bound of the incidence; driver (sedative domain) unproven",
     evidence::uncertain, x50_sedative_panic},
}};

constexpr std::array<std::string_view, 6> without_incidence{"headache",  "disturbed sleep", "loss of appetite",
                                                            "diarrhoea", "blurred vision",  "anxiety"};

}  // namespace

std::span<const side_effect> side_effect_table() {
  return table;
}

std::span<const std::string_view> side_effects_without_incidence() {
  return without_incidence;
}

double side_effect_pmax(const side_effect& e) {
  return std::min(1.0, e.placebo_rate + 2.0 * (e.label_rate - e.placebo_rate));
}

double side_effect_probability(const side_effect& e, double net) {
  const double x = std::max(0.0, net);
  if (x == 0.0) return e.placebo_rate;
  return e.placebo_rate + (side_effect_pmax(e) - e.placebo_rate) * x / (x + e.x50);
}

double calibrate_x50(std::span<const double> net, double fraction) {
  if (net.empty() || !(fraction > 0.0 && fraction < 1.0)) {
    throw invalid_parameter("side_effects.calibration", fraction,
                            "calibrate_x50: empty series or fraction not in (0, 1)");
  }
  const auto mean_at = [&](double x50) {
    double s = 0.0;
    for (const double n : net) {
      const double x = std::max(0.0, n);
      s += x / (x + x50);
    }
    return s / static_cast<double>(net.size());
  };
  // The mean falls from (fraction of positive points) at x50 -> 0 to 0 at x50 -> infinity.
  double lo = 1e-12;
  double hi = 10.0;
  if (mean_at(lo) < fraction) {
    throw invalid_parameter("side_effects.calibration", fraction,
                            "calibrate_x50: the net effect is too rarely positive to reach the target mean");
  }
  for (int i = 0; i < 200; ++i) {
    const double mid = std::sqrt(lo * hi);
    (mean_at(mid) > fraction ? lo : hi) = mid;
  }
  return std::sqrt(lo * hi);
}

}  // namespace benzosim::clinical
