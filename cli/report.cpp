// SPDX-License-Identifier: MIT
#include <cstdio>
#include <filesystem>
#include <system_error>

#include <fmt/core.h>

#include <benzosim/core/error.hpp>
#include <benzosim/io/output.hpp>

#include "common.hpp"

namespace benzosim::cli {

void run_and_report(const clinical::scenario& s, const std::filesystem::path& out_dir) {
  const auto r = clinical::simulate(s);
  // Everything is computed and formatted before the first byte is written.
  const auto csv = io::timeseries_csv(r.series);
  const auto json = io::summary_json(s, r);
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec || !std::filesystem::is_directory(out_dir)) {
    throw error("cannot create output directory '" + out_dir.string() +
                "': " + (ec ? ec.message() : std::string("a file of that name exists")));
  }
  io::atomic_write(out_dir / "timeseries.csv", csv);
  io::atomic_write(out_dir / "summary.json", json);

  const auto& m = r.summary;
  fmt::print("benzosim {}: {} - {}\n", io::version(), s.name, s.description);
  fmt::print(
      "  exposure    Cmax {:.1f} ng/mL at day {:.1f}; trough before the last dose {:.1f} ng/mL "
      "(epilepsy range 20-70 ng/mL)\n",
      m.cmax_ngml, m.tmax_h / 24.0, m.css_trough_ngml);
  fmt::print("  dose        {:.4g} mg in all over {:.1f} days; largest daily dose {:.4g} mg\n", m.total_dose_mg,
             m.treatment_days, m.max_daily_dose_mg);
  fmt::print("  tolerance   peak {:.3f} (share of the full drug effect cancelled by adaptation)\n", m.peak_tolerance);
  fmt::print("  effects     peak DSST impairment {:.1f} %; peak drowsiness probability {:.2f}\n",
             m.peak_dsst_impairment_pct, m.peak_drowsiness_prob);
  if (m.peak_withdrawal > 0.0) {
    fmt::print("  withdrawal  peak drive {:.3f} at day {:.1f}; {:.1f} days above the notable level\n",
               m.peak_withdrawal, m.peak_withdrawal_time_h / 24.0, m.withdrawal_days);
  } else {
    fmt::print("  withdrawal  none predicted\n");
  }
  for (const auto& d : m.domains) {  // per effect domain: its own tolerance and its own withdrawal
    if (d.peak_withdrawal > 0.0) {
      fmt::print("  domain      {}: peak net effect {:.3f}; withdrawal peak {:.3f} at day {:.1f}\n", d.name, d.peak_net,
                 d.peak_withdrawal, d.peak_withdrawal_time_h / 24.0);
    } else {
      fmt::print("  domain      {}: peak net effect {:.3f}; no withdrawal\n", d.name, d.peak_net);
    }
  }
  if (s.alcohol) {
    fmt::print("  alcohol     peak BAC {:.3f} g/100 mL; {:.1f} h above 0.08; {:.1f} h together with the drug\n",
               m.peak_bac_g_per_100ml, m.hours_bac_above_0_08, m.hours_alcohol_with_drug);
  }
  if (s.circuit.enabled) {
    fmt::print(
        "  seizures    seizure-like fraction of time: {:.2f} untreated, {:.2f} on treatment, {:.2f} peak after "
        "the last dose\n",
        m.seizure_activity_baseline, m.seizure_activity_on_treatment, m.seizure_activity_peak_after_stop);
  }
  for (const auto& w : r.warnings) fmt::print("  WARNING     {}\n", w.message);
  for (const auto& u : r.uncertain) fmt::print("  uncertain   {}\n", u);
  fmt::print("wrote {} ({} rows) and {}\n", (out_dir / "timeseries.csv").string(), r.series.time_h.size(),
             (out_dir / "summary.json").string());
  fmt::print("benzosim is a research and teaching simulator, not medical advice.\n");
  std::fflush(stdout);
}

}  // namespace benzosim::cli
