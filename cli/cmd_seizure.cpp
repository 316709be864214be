// SPDX-License-Identifier: MIT
// `benzosim seizure`: the Wendling (or Jansen-Rit) neural mass model with the drug on its inhibitory kernels,
// over one or several concentrations (docs/circuit.md, "benzosim seizure").
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include <benzosim/circuit/lfp_analysis.hpp>
#include <benzosim/circuit/network.hpp>
#include <benzosim/circuit/wendling.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/parallel.hpp>
#include <benzosim/io/output.hpp>
#include <benzosim/io/seizure_output.hpp>

#include "common.hpp"
#include "flags.hpp"

namespace benzosim::cli {
namespace {

/// The flags as given; numbers are checked by check_flags, for messages that name the flag and its rule.
struct seizure_args {
  std::string model = "seizure-prone";
  std::optional<double> A, B, G, a, b, g;
  double duration_s = 20.0;
  double transient_s = 2.0;
  double dt_ms = 0.5;
  std::string seed = "1";
  std::string seeds = "1";
  std::string conc = "0";
  std::string threads = "0";
  std::string drug = "clonazepam";
  bool lfp = false;
  std::string out;
};

struct seizure_flags {
  circuit::wendling_params baseline;
  circuit::simulation_options sim;
  int seeds;
  int threads;
  std::vector<double> conc_ngml;
};

constexpr double max_duration_s = 3600.0;
constexpr std::int64_t max_seeds = 1000;
constexpr std::int64_t max_threads = 256;
constexpr double max_lfp_rows = 1e7;
constexpr double sample_ms = 1.0;  // LFP sampling interval [ms]

/// A model parameter flag: finite, within [lo, hi] (lo itself allowed only when allow_lo).
void parameter_flag(const char* flag, const std::optional<double>& v, double& target, bool allow_lo, double lo,
                    double hi, const char* meaning, const char* unit) {
  if (!v) return;
  const bool ok = std::isfinite(*v) && (allow_lo ? *v >= lo : *v > lo) && *v <= hi;
  if (!ok) {
    throw error(fmt::format("{} {}: the {} must be {} {} and <= {} {}.", flag, *v, meaning, allow_lo ? ">=" : ">", lo,
                            hi, unit));
  }
  target = *v;
}

circuit::wendling_params model_set(const std::string& name) {
  if (name == "seizure-prone") return circuit::wendling_params::seizure_prone();
  if (name == "wendling") return circuit::wendling_params::wendling_2002();
  if (name == "wendling-2005") return circuit::wendling_params::wendling_2005_hippocampal();
  if (name == "jansen-rit") return circuit::wendling_params::jansen_rit_1995();
  throw error("--model " + name + ": must be seizure-prone, wendling, wendling-2005 or jansen-rit.");
}

seizure_flags check_flags(const seizure_args& a) {
  seizure_flags f{};
  f.baseline = model_set(a.model);
  if (a.model == "jansen-rit" && (a.G || a.g)) {
    throw error(std::string(a.G ? "--G" : "--g") +
                ": the jansen-rit model has no fast somatic inhibition (it is the Wendling model with G = 0); use "
                "--model wendling to set G and g.");
  }
  parameter_flag("--A", a.A, f.baseline.A_mv, true, 0.0, 1000.0, "excitatory gain A", "mV");
  parameter_flag("--B", a.B, f.baseline.B_mv, true, 0.0, 1000.0, "slow dendritic inhibitory gain B", "mV");
  parameter_flag("--G", a.G, f.baseline.G_mv, true, 0.0, 1000.0, "fast somatic inhibitory gain G", "mV");
  parameter_flag("--a", a.a, f.baseline.a_per_s, false, 0.0, 1e5, "excitatory rate constant a", "1/s");
  parameter_flag("--b", a.b, f.baseline.b_per_s, false, 0.0, 1e5, "slow inhibitory rate constant b", "1/s");
  parameter_flag("--g", a.g, f.baseline.g_per_s, false, 0.0, 1e5, "fast inhibitory rate constant g", "1/s");
  f.baseline.validate();

  if (!std::isfinite(a.duration_s) || a.duration_s < 1.0 || a.duration_s > max_duration_s) {
    throw error(fmt::format("--duration-s {}: the recorded time must be from 1 s (one detector window) to {} s.",
                            a.duration_s, max_duration_s));
  }
  if (!std::isfinite(a.transient_s) || a.transient_s < 0.0 || a.transient_s > max_duration_s) {
    throw error(fmt::format("--transient-s {}: the discarded start-up time must be from 0 to {} s.", a.transient_s,
                            max_duration_s));
  }
  const double per_ms = 1.0 / a.dt_ms;  // steps per LFP sample
  if (!std::isfinite(a.dt_ms) || a.dt_ms <= 0.0 || a.dt_ms > 1.0 || per_ms > 1000.0 ||
      std::abs(per_ms - std::round(per_ms)) > 1e-9 * per_ms) {
    throw error(fmt::format(
        "--dt-ms {}: the step must divide the 1 ms LFP sampling interval, from 0.001 to 1 ms (e.g. 1, 0.5, 0.25, "
        "0.125, 0.1).",
        a.dt_ms));
  }
  f.sim.duration_ms = a.duration_s * 1000.0;
  f.sim.transient_ms = a.transient_s * 1000.0;
  f.sim.dt_ms = a.dt_ms;
  f.sim.record_every_ms = sample_ms;
  f.sim.seed = static_cast<std::uint64_t>(
      integer_flag("--seed", a.seed, 0, std::numeric_limits<std::int64_t>::max(), "the seed"));  // + seeds fits
  f.seeds = static_cast<int>(
      integer_flag("--seeds", a.seeds, 1, max_seeds, "the number of seeds (replicates) per concentration"));
  f.threads = resolve_threads(
      static_cast<int>(integer_flag("--threads", a.threads, 0, max_threads, "the number of threads (0 = all cores)")));
  f.conc_ngml = concentration_list(a.conc);
  if (a.lfp) {
    const double rows = static_cast<double>(f.conc_ngml.size()) * (f.sim.duration_ms / sample_ms + 1.0);
    if (rows > max_lfp_rows) {
      throw error(fmt::format("--lfp: {} concentration(s) x {} s would write {:.3g} rows to lfp.csv; at most {:.0e}.",
                              f.conc_ngml.size(), a.duration_s, rows, max_lfp_rows));
    }
  }
  return f;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

void print_report(const io::seizure_command& c, const std::vector<io::seizure_run>& runs,
                  const std::filesystem::path& dir, const std::vector<std::string>& written) {
  const circuit::wendling_params& p = c.baseline;
  fmt::print("benzosim {}: seizure - {} neural mass (A {:g}, B {:g}, G {:g} mV; a {:g}, b {:g}, g {:g} 1/s)\n",
             io::version(), c.model, p.A_mv, p.B_mv, p.G_mv, p.a_per_s, p.b_per_s, p.g_per_s);
  fmt::print("  {:g} s recorded after {:g} s, dt {:g} ms, seed {}{}, {} thread{}; drug {} (fu {:g})\n",
             c.sim.duration_ms / 1000.0, c.sim.transient_ms / 1000.0, c.sim.dt_ms, c.sim.seed,
             c.seeds > 1 ? fmt::format(" (+{} more, means shown)", c.seeds - 1) : std::string(), c.threads,
             c.threads == 1 ? "" : "s", c.drug, c.fu);
  fmt::print("{}\n", pad("  conc ng/mL", 13) + pad("slow amp/decay", 16) + pad("LL mV/s", 10) + pad("SD mV", 8) +
                         pad("dom Hz", 8) + pad("spikes/s", 10) + pad("seizure", 9) + pad("events", 8) + "activity");
  for (const io::seizure_run& r : runs) {
    const io::seizure_summary& s = r.summary;
    fmt::print("{}\n",
               pad(fmt::format("  {:g}", r.conc_ngml), 13) +
                   pad(fmt::format("x{:.2f} x{:.2f}", r.drug.slow.amplitude, r.drug.slow.decay), 16) +
                   pad(fmt::format("{:.1f}", s.line_length_per_s), 10) + pad(fmt::format("{:.2f}", s.sd_mv), 8) +
                   pad(fmt::format("{:.1f}", s.dominant_hz), 8) + pad(fmt::format("{:.2f}", s.spike_rate_per_s), 10) +
                   pad(fmt::format("{:.2f}", s.seizure_fraction), 9) + pad(fmt::format("{:g}", s.events), 8) +
                   fmt::format("{} ({})", circuit::to_string(s.activity), circuit::wendling_number(s.activity)));
  }
  fmt::print(
      "  (LL: line length; dom: dominant frequency; spikes: paroxysmal events; seizure: fraction of {:g} ms windows "
      "above {:g} mV/s; events: seizure-like episodes; activity: Wendling 2002 type)\n",
      c.readout.detector.window_ms, c.readout.detector.line_length_threshold_mv_per_s);
  fmt::print("  {:.3f} s\n", c.wall_s);
  std::string files;
  for (const std::string& w : written) files += (files.empty() ? "" : ", ") + (dir / w).string();
  fmt::print("wrote {}\n", files);
  fmt::print("benzosim is a research and teaching simulator, not medical advice.\n");
  std::fflush(stdout);
}

/// One chunk of work: concentration i, replicate j.
struct replicate_result {
  circuit::lfp_readout readout;
  circuit::lfp_trace lfp;  ///< kept only for replicate 0 with --lfp
};

void run_seizure(const seizure_args& a) {
  const auto t0 = std::chrono::steady_clock::now();
  const seizure_flags f = check_flags(a);
  const clinical::drug_model drug = load_drug(a.drug);

  io::seizure_command c;
  c.model = a.model;
  c.baseline = f.baseline;
  c.sim = f.sim;
  c.seeds = f.seeds;
  c.threads = f.threads;
  c.drug = a.drug;
  c.fu = drug.pk.fu;

  // The drug's factors at each concentration (drug-naive receptors), applied to both inhibitory kernels.
  std::vector<io::seizure_run> runs(f.conc_ngml.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    runs[i].conc_ngml = f.conc_ngml[i];
    runs[i].drug = circuit::drug_effect_at(drug.pd, f.conc_ngml[i] * drug.pk.fu);
    runs[i].params = circuit::apply_modulation(f.baseline, runs[i].drug.slow, runs[i].drug.fast);
    runs[i].params.validate();
    runs[i].replicates.resize(static_cast<std::size_t>(f.seeds));
  }

  // Every concentration uses the same seeds (common random numbers), so the differences between rows are the
  // drug's. Chunks run on any number of threads; results land in their slots, so the output is the same.
  const auto seeds = static_cast<std::size_t>(f.seeds);
  run_chunks_ordered(
      runs.size() * seeds, f.threads,
      [&](std::size_t chunk) {
        const std::size_t i = chunk / seeds, j = chunk % seeds;
        circuit::simulation_options o = f.sim;
        o.seed = f.sim.seed + j;
        replicate_result r;
        r.lfp = circuit::simulate(runs[i].params, o);
        r.readout = circuit::analyse(r.lfp, c.readout);
        if (!(a.lfp && j == 0)) r.lfp = {};
        return r;
      },
      [&](std::size_t chunk, replicate_result&& r) {
        const std::size_t i = chunk / seeds, j = chunk % seeds;
        runs[i].replicates[j] = r.readout;
        if (a.lfp && j == 0) runs[i].lfp = std::move(r.lfp);
      });
  for (io::seizure_run& r : runs) r.summary = io::summarise(r.replicates);
  c.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Everything is formatted before the first file is written.
  const std::filesystem::path dir =
      a.out.empty() ? std::filesystem::path("out") / (a.model + "-seizure") : std::filesystem::path(a.out);
  std::vector<std::pair<std::string, std::string>> files;
  files.emplace_back("summary.json", io::seizure_summary_json(c, runs));
  if (runs.size() > 1) files.emplace_back("dose_response.csv", io::seizure_dose_response_csv(runs));
  if (a.lfp) files.emplace_back("lfp.csv", io::seizure_lfp_csv(runs));
  const std::vector<std::string> written = write_files(dir, files);
  print_report(c, runs, dir, written);
}

}  // namespace

void add_seizure(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "seizure",
      "Neural mass model of a seizure-prone cortical column (Wendling 2002 / Jansen-Rit) with the drug on its "
      "GABA-A kernels: LFP read-outs, seizure burden, dose-response");
  auto a = std::make_shared<seizure_args>();
  cmd->add_option("--model", a->model,
                  "Parameter set: seizure-prone (Wendling model, A 5, B 39.5, G 15 mV), wendling (Wendling 2002 "
                  "standard set), wendling-2005 (hippocampal variant) or jansen-rit (Wendling with G = 0)")
      ->capture_default_str()
      ->type_name("NAME");
  cmd->add_option("--A", a->A, "Excitatory gain A [mV]")->type_name("MV");
  cmd->add_option("--B", a->B, "Slow dendritic inhibitory gain B (GABA-A slow) [mV]")->type_name("MV");
  cmd->add_option("--G", a->G, "Fast somatic inhibitory gain G (GABA-A fast) [mV]")->type_name("MV");
  cmd->add_option("--a", a->a, "Excitatory rate constant a [1/s]")->type_name("PER_S");
  cmd->add_option("--b", a->b, "Slow inhibitory rate constant b [1/s]")->type_name("PER_S");
  cmd->add_option("--g", a->g, "Fast inhibitory rate constant g [1/s]")->type_name("PER_S");
  cmd->add_option("--duration-s", a->duration_s, "Recorded time [s] (1 to 3600)")->capture_default_str();
  cmd->add_option("--transient-s", a->transient_s, "Discarded start-up time [s]")->capture_default_str();
  cmd->add_option("--dt-ms", a->dt_ms, "Integration step [ms]; divides the 1 ms LFP sampling interval")
      ->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed of the input noise")->capture_default_str()->type_name("INT");
  cmd->add_option("--seeds", a->seeds,
                  "Replicates per concentration (seeds S, S+1, ...; the outputs give their means, 1 to 1000)")
      ->capture_default_str()
      ->type_name("INT");
  cmd->add_option("--conc-ngml", a->conc,
                  "Total plasma concentration(s) [ng/mL]; a comma-separated list sweeps and writes dose_response.csv")
      ->capture_default_str()
      ->type_name("C[,C...]");
  cmd->add_option("--drug", a->drug, "Built-in drug name or a drug file (.toml) for the concentration's effect")
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "Threads, 0 = all cores (0 to 256; never changes the results)")
      ->capture_default_str()
      ->type_name("INT");
  cmd->add_flag("--lfp", a->lfp, "Also write the LFP of the first seed (lfp.csv: conc_ngml,time_ms,v_mv)");
  cmd->add_option("--out", a->out, "Output directory (default: out/<model>-seizure)");
  cmd->footer(
      "Writes DIR/summary.json (line length, SD, dominant frequency, band powers, seizure fraction, episodes,\n"
      "spike rate, Wendling activity type), DIR/dose_response.csv for several concentrations, DIR/lfp.csv with\n"
      "--lfp. Model, read-outs and formats: docs/circuit.md.\n\n"
      "Examples:\n  benzosim seizure --out out/seizure\n"
      "  benzosim seizure --conc-ngml 0,5,10,20,40 --seeds 8 --out out/seizure-dose\n"
      "  benzosim seizure --model wendling --A 5 --B 25 --G 15 --duration-s 10 --lfp --out out/swd\n"
      "  benzosim seizure --model jansen-rit --lfp --out out/alpha\n");
  cmd->callback([a] { run_seizure(*a); });
}

}  // namespace benzosim::cli
