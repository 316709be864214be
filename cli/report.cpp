// SPDX-License-Identifier: MIT
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include <benzosim/core/error.hpp>
#include <benzosim/io/output.hpp>

#include "common.hpp"

namespace benzosim::cli {

namespace {

void make_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    throw error("cannot create output directory '" + dir.string() +
                "': " + (ec ? ec.message() : std::string("a file of that name exists")));
  }
}

/// The seizure timeline in a few lines (docs/models.md#seizure-timeline).
void print_seizures(const clinical::results& r) {
  const auto& m = r.summary;
  const auto& c = r.seizures;
  fmt::print(
      "  seizures    seizure-like fraction of time: {:.2f} untreated, {:.2f} on treatment, {:.2f} peak after "
      "the last dose (checkpoints every {:g} h)\n",
      m.seizure_activity_baseline, m.seizure_activity_on_treatment, m.seizure_activity_peak_after_stop, c.checkpoint_h);
  const double base = c.baseline_fraction;
  const auto relative = [base](double x) {
    return base > 0.0 ? fmt::format(" ({:.0f} % of baseline)", 100.0 * x / base) : std::string{};
  };
  fmt::print("  burden      lowest day on treatment {:.3f}{} on day {:.0f}; last week of treatment {:.3f}{}\n",
             c.lowest_daily_burden_on_treatment, relative(c.lowest_daily_burden_on_treatment),
             c.lowest_daily_burden_day, c.last_week_of_treatment_burden, relative(c.last_week_of_treatment_burden));
  fmt::print(
      "  after stop  peak day {:.3f}{} {:.0f} days after the last dose; {:.0f} days more than 10 % above baseline\n",
      c.peak_daily_burden_after_stop, relative(c.peak_daily_burden_after_stop), c.peak_daily_burden_after_stop_day,
      c.days_above_baseline_after_stop);
}

/// Computes every output text first, then writes DIR/timeseries.csv and DIR/summary.json.
void write_outputs(const clinical::scenario& s, const clinical::results& r, const clinical::arm* arm,
                   const std::filesystem::path& out_dir) {
  const auto csv = io::timeseries_csv(r.series);
  const auto json = io::summary_json(s, r, arm);
  make_directory(out_dir);
  io::atomic_write(out_dir / "timeseries.csv", csv);
  io::atomic_write(out_dir / "summary.json", json);
}

void print_report(const clinical::scenario& s, const clinical::results& r) {
  const auto& m = r.summary;
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
  if (s.circuit.enabled) print_seizures(r);
  for (const auto& w : r.warnings) fmt::print("  WARNING     {}\n", w.message);
}

}  // namespace

void run_and_report(const clinical::scenario& s, const std::filesystem::path& out_dir) {
  const auto r = clinical::simulate(s);
  // Everything is computed and formatted before the first byte is written.
  write_outputs(s, r, nullptr, out_dir);
  fmt::print("benzosim {}: {} - {}\n", io::version(), s.name, s.description);
  print_report(s, r);
  for (const auto& u : r.uncertain) fmt::print("  uncertain   {}\n", u);
  fmt::print("wrote {} ({} rows) and {}\n", (out_dir / "timeseries.csv").string(), r.series.time_h.size(),
             (out_dir / "summary.json").string());
  fmt::print("benzosim is a research and teaching simulator, not medical advice.\n");
  std::fflush(stdout);
}

void run_arms_and_report(const clinical::scenario& s, const std::vector<clinical::arm>& arms,
                         const std::filesystem::path& out_dir) {
  const auto results = clinical::simulate_arms(s, arms);
  // Every arm's files are formatted before the first is written; each arm gets DIR/<arm>/.
  std::vector<std::pair<std::string, std::string>> texts;
  for (std::size_t i = 0; i < arms.size(); ++i) {
    clinical::scenario run = s;
    run.regimen = arms[i].regimen;
    texts.emplace_back(io::timeseries_csv(results[i].series), io::summary_json(run, results[i], &arms[i]));
  }
  make_directory(out_dir);
  for (std::size_t i = 0; i < arms.size(); ++i) {
    make_directory(out_dir / arms[i].name);
    io::atomic_write(out_dir / arms[i].name / "timeseries.csv", texts[i].first);
    io::atomic_write(out_dir / arms[i].name / "summary.json", texts[i].second);
  }
  fmt::print("benzosim {}: {} - {}\n", io::version(), s.name, s.description);
  for (std::size_t i = 0; i < arms.size(); ++i) {
    clinical::scenario run = s;
    run.regimen = arms[i].regimen;
    fmt::print("arm {} - {}\n", arms[i].name, arms[i].description);
    print_report(run, results[i]);
  }
  for (const auto& u : results.front().uncertain) fmt::print("  uncertain   {}\n", u);
  fmt::print("wrote {}/<arm>/timeseries.csv and summary.json for {} arms\n", out_dir.string(), arms.size());
  fmt::print("benzosim is a research and teaching simulator, not medical advice.\n");
  std::fflush(stdout);
}

}  // namespace benzosim::cli
