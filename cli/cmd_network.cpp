// SPDX-License-Identifier: MIT
// `benzosim network`: a spiking network preset, with or without the drug, over one or several concentrations
// (docs/network.md).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include <benzosim/circuit/network.hpp>
#include <benzosim/circuit/presets.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/parallel.hpp>
#include <benzosim/io/network_file.hpp>
#include <benzosim/io/network_toml.hpp>
#include <benzosim/io/output.hpp>

#include "common.hpp"
#include "flags.hpp"

namespace benzosim::cli {
namespace {

/// The flags as given; numbers are checked by check_flags, for messages that name the flag and its rule.
struct network_args {
  std::string preset;
  double duration_s = 1.0;
  std::string seed = "1";
  std::string conc = "0";
  std::string threads = "1";
  std::string connectivity;
  std::string initial_state;
  bool spikes = false;
  std::string out;
  std::string scheme;
  std::string drug = "clonazepam";
  std::optional<double> e_gaba_mv;
  std::optional<double> cl_in_mm;
  bool bicarbonate = false;
  std::string write_network;
  std::vector<std::string> rate_windows;
};

struct network_flags {
  std::uint64_t seed;
  int threads;
  std::vector<double> conc_ngml;
  std::vector<circuit::time_window> rate_windows;
};

constexpr std::size_t max_rate_windows = 16;

/// "100:500" -> [100, 500) ms, inside [0, duration].
circuit::time_window rate_window(const std::string& text, double duration_ms) {
  const std::size_t colon = text.find(':');
  double start = 0.0;
  double stop = 0.0;
  bool ok = colon != std::string::npos;
  if (ok) {
    const char* b = text.data();
    const char* mid = b + colon;
    const char* end = b + text.size();
    const auto r1 = std::from_chars(b, mid, start);
    const auto r2 = std::from_chars(mid + 1, end, stop);
    ok = colon > 0 && r1.ec == std::errc{} && r1.ptr == mid && r2.ec == std::errc{} && r2.ptr == end;
  }
  if (!ok || !std::isfinite(start) || !std::isfinite(stop) || start < 0.0 || !(stop > start) || stop > duration_ms) {
    throw error(fmt::format("--rate-window {}: must be START_MS:STOP_MS with 0 <= start < stop <= the run's {} ms.",
                            text, duration_ms));
  }
  return {start, stop};
}

constexpr double max_duration_s = 100000.0;
constexpr std::int64_t max_threads = 256;

network_flags check_flags(const network_args& a) {
  network_flags f{};
  f.seed = static_cast<std::uint64_t>(
      integer_flag("--seed", a.seed, 0, std::numeric_limits<std::int64_t>::max(), "the seed"));
  f.threads = resolve_threads(
      static_cast<int>(integer_flag("--threads", a.threads, 0, max_threads, "the number of threads (0 = all cores)")));
  if (!std::isfinite(a.duration_s) || a.duration_s <= 0.0 || a.duration_s > max_duration_s) {
    throw error(
        fmt::format("--duration-s {}: the biological time must be > 0 and <= {} s.", a.duration_s, max_duration_s));
  }
  f.conc_ngml = concentration_list(a.conc);
  if (a.rate_windows.size() > max_rate_windows) {
    throw error(fmt::format("--rate-window: at most {} windows.", max_rate_windows));
  }
  for (const std::string& w : a.rate_windows) f.rate_windows.push_back(rate_window(w, a.duration_s * 1000.0));
  if (a.e_gaba_mv && a.cl_in_mm) {
    throw error("--e-gaba-mv and --cl-in-mm both set the GABA-A reversal potential; give one of them.");
  }
  if (a.e_gaba_mv && a.bicarbonate) {
    throw error(
        "--e-gaba-mv gives the GABA-A reversal potential directly, --bicarbonate computes it from chloride and "
        "bicarbonate (Goldman-Hodgkin-Katz); give one of them.");
  }
  if (a.e_gaba_mv && (!std::isfinite(*a.e_gaba_mv) || *a.e_gaba_mv < -200.0 || *a.e_gaba_mv > 100.0)) {
    throw error(fmt::format("--e-gaba-mv {}: must be from -200 to 100 mV.", *a.e_gaba_mv));
  }
  if (a.cl_in_mm && (!std::isfinite(*a.cl_in_mm) || *a.cl_in_mm < 0.001 || *a.cl_in_mm > 1000.0)) {
    throw error(fmt::format("--cl-in-mm {}: the intracellular chloride must be from 0.001 to 1000 mM.", *a.cl_in_mm));
  }
  if (!a.scheme.empty() && a.scheme != "euler" && a.scheme != "exponential") {
    throw error(fmt::format("--scheme {}: must be euler or exponential.", a.scheme));
  }
  return f;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

void print_report(const circuit::network& net, const circuit::run_options& o, const io::network_command& c,
                  const std::vector<io::network_run>& runs, const std::filesystem::path& dir,
                  const std::vector<std::string>& written) {
  const circuit::network_spec& s = net.spec();
  std::string pops;
  for (const circuit::population_params& p : s.populations) {
    pops += fmt::format("{}{} {}", pops.empty() ? "" : ", ", p.name, p.size);
  }
  fmt::print("benzosim {}: network {}{} - {} neurons ({}), {} synapses{}\n", io::version(), c.preset,
             c.network_file.empty() ? "" : " (" + c.network_file + ")", net.size(), pops, net.synapse_count(),
             c.connectivity_file.empty() ? "" : " from " + c.connectivity_file);
  std::string e_gaba;
  for (const circuit::population_params& p : s.populations) {
    e_gaba += fmt::format("{}{} {:.1f}", e_gaba.empty() ? "" : ", ", p.name, p.e_gaba_mv);
  }
  fmt::print("  {} s of biological time, seed {}, {} steps of {} ms, {} thread{}; E_GABA [mV] {}; drug {} (fu {})\n",
             c.duration_s, c.seed, circuit::scheme_name(s.scheme), s.dt_ms, c.threads, c.threads == 1 ? "" : "s",
             e_gaba, c.drug, c.fu);
  std::size_t name_width = 12;
  for (const circuit::population_params& p : s.populations) name_width = std::max(name_width, p.name.size() + 2);
  std::string head = pad("  conc ng/mL", 13) + pad("GABA-A fast", 13) + pad("population", name_width) + pad("rate", 9) +
                     pad("CV ISI", 8) + pad("V", 9) + pad("I_GABA", 9) + pad("peak Hz", 9);
  for (const circuit::time_window& w : c.rate_windows) {
    head += pad(fmt::format("[{:g},{:g})", w.start_ms, w.stop_ms), 13);
  }
  head += pad("chi", 7) + "seizure";
  fmt::print("{}\n", head);
  for (const io::network_run& r : runs) {
    for (std::size_t k = 0; k < r.result.populations.size(); ++k) {
      const circuit::population_readout& p = r.result.populations[k];
      std::string line = k == 0 ? pad(fmt::format("  {:g}", r.conc_ngml), 13) +
                                      pad(fmt::format("x{:.2f} {:.2f}", r.drug.fast.amplitude, r.drug.fast.decay), 13)
                                : std::string(26, ' ');
      line += pad(p.name, name_width) + pad(fmt::format("{:.2f}", p.rate_hz), 9) +
              pad(fmt::format("{:.2f}", p.cv_isi), 8) + pad(fmt::format("{:.2f}", p.mean_v_mv), 9) +
              pad(fmt::format("{:.0f}", p.mean_gaba_current_pa), 9) + pad(fmt::format("{:.1f}", p.spectrum.peak_hz), 9);
      for (std::size_t w = 0; w < c.rate_windows.size(); ++w) {
        line += pad(fmt::format("{:.2f}", r.window_rate_hz[w][k]), 13);
      }
      if (k == 0) {
        line += pad(fmt::format("{:.3f}", r.result.synchrony), 7) + fmt::format("{:.2f}", r.result.seizure_fraction);
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      fmt::print("{}\n", line);
    }
  }
  fmt::print(
      "  (rate in Hz, [a,b): rate in that window of time [ms]; V: mean membrane potential [mV]; I_GABA: mean GABA-A "
      "current [pA], positive = outward; peak Hz: peak of the population rate's spectrum (spectrum.csv); chi: "
      "Golomb-Rinzel synchrony of all neurons; seizure: fraction of {} ms "
      "windows flagged)\n",
      o.detector.window_ms);
  double loop = 0.0;
  for (const io::network_run& r : runs) loop += r.result.wall_s_loop;
  fmt::print("  set-up {:.3f} s, simulation {:.3f} s ({:.4f} s per biological second)\n", c.wall_s_setup, loop,
             loop / (c.duration_s * static_cast<double>(runs.size())));
  std::string files;
  for (const std::string& w : written) files += (files.empty() ? "" : ", ") + (dir / w).string();
  fmt::print("wrote {}\n", files);
  fmt::print("benzosim is a research and teaching simulator, not medical advice.\n");
  std::fflush(stdout);
}

/// The network argument names a file (a path, or a name ending in .toml) rather than a preset.
bool is_network_file(const std::string& arg) {
  return arg.find('/') != std::string::npos || arg.ends_with(".toml");
}

/// The preset or network file, with the flags that change the description applied: --scheme, and the GABA-A
/// reversal of every population from --e-gaba-mv, or from chloride (the network's [chloride] or the defaults)
/// with --cl-in-mm as [Cl]i and, with --bicarbonate, the Goldman-Hodgkin-Katz form.
circuit::network_spec network_description(const network_args& a) {
  circuit::network_spec spec;
  if (is_network_file(a.preset)) {
    spec = io::load_network_toml(a.preset);
  } else {
    try {
      spec = circuit::preset(a.preset);
    } catch (const invalid_parameter& e) {
      throw error(std::string{e.what()} + "; or give a network file (a path ending in .toml, e.g. " +
                  "data/networks/coba.toml).");
    }
  }
  if (!a.scheme.empty()) {
    spec.scheme = a.scheme == "euler" ? circuit::membrane_scheme::euler : circuit::membrane_scheme::exponential;
  }
  if (a.e_gaba_mv) {
    circuit::set_gaba_reversal(spec, *a.e_gaba_mv);
    spec.chloride.reset();
  }
  if (a.cl_in_mm || a.bicarbonate) {
    circuit::chloride_params c = spec.chloride.value_or(circuit::chloride_params{});
    if (a.cl_in_mm) c.cl_in_mm = *a.cl_in_mm;
    if (a.bicarbonate && !c.bicarbonate) c.bicarbonate = circuit::bicarbonate_params{};
    circuit::set_gaba_reversal(spec, circuit::gaba_reversal_mv(c));
    spec.chloride = c;
  }
  return spec;
}

/// --write-network: the description as a network file (atomically), with a header saying where it came from.
void write_network_file(const network_args& a, const circuit::network_spec& spec) {
  std::string command = "benzosim network " + a.preset;
  if (!a.scheme.empty()) command += " --scheme " + a.scheme;
  if (a.e_gaba_mv) command += fmt::format(" --e-gaba-mv {}", *a.e_gaba_mv);
  if (a.cl_in_mm) command += fmt::format(" --cl-in-mm {}", *a.cl_in_mm);
  if (a.bicarbonate) command += " --bicarbonate";
  command += " --write-network " + a.write_network;
  const std::string source =
      is_network_file(a.preset)
          ? "the network file " + a.preset
          : "the built-in preset '" + a.preset +
                "' (circuit/presets.hpp; sources of its numbers: docs/network.md, docs/network-presets.md)";
  const std::string text =
      io::network_toml(spec, "Network '" + spec.name + "': " + source + ".\nGenerated by: " + command);
  const std::filesystem::path path{a.write_network};
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) throw error("Cannot create the directory '" + path.parent_path().string() + "': " + ec.message() + ".");
  }
  io::atomic_write(path, text);
  fmt::print("benzosim {}: network {} - {} neurons in {} population{}, {} projection{}\nwrote {}\n", io::version(),
             spec.name, spec.size(), spec.populations.size(), spec.populations.size() == 1 ? "" : "s",
             spec.projections.size(), spec.projections.size() == 1 ? "" : "s", path.string());
  std::fflush(stdout);
}

void run_network(const network_args& a) {
  const network_flags f = check_flags(a);
  const circuit::network_spec spec = network_description(a);
  if (!a.write_network.empty()) {
    write_network_file(a, spec);
    return;
  }
  const bool from_file = is_network_file(a.preset);

  const auto t0 = std::chrono::steady_clock::now();
  const clinical::drug_model drug = load_drug(a.drug);
  const circuit::network net =
      a.connectivity.empty()
          ? circuit::network::build(spec, f.seed)
          : circuit::network::from_synapses(spec, io::load_connectivity_csv(a.connectivity, spec.size()));
  circuit::run_options o;
  o.duration_ms = a.duration_s * 1000.0;
  o.seed = f.seed;
  o.threads = f.threads;
  // The rate windows: as asked, else the preset's read-out windows (amygdala: baseline and threat).
  std::vector<circuit::time_window> windows = f.rate_windows;
  if (windows.empty() && spec.name == "amygdala" && a.duration_s * 1000.0 >= circuit::amygdala_threat_window.stop_ms) {
    windows = {circuit::amygdala_baseline_window, circuit::amygdala_threat_window};
  }
  o.record_spikes = a.spikes || !windows.empty();
  if (!a.initial_state.empty()) o.initial = io::load_initial_state_csv(a.initial_state, spec.size());
  o.validate(net);
  const auto t1 = std::chrono::steady_clock::now();

  io::network_command c;
  c.preset = from_file ? spec.name : a.preset;
  if (from_file) c.network_file = a.preset;
  c.duration_s = a.duration_s;
  c.seed = f.seed;
  c.threads = f.threads;
  c.connectivity_file = a.connectivity;
  c.initial_state_file = a.initial_state;
  c.spikes = a.spikes;
  c.drug = a.drug;
  c.fu = drug.pk.fu;
  c.e_gaba_mv = a.e_gaba_mv;
  c.cl_in_mm = a.cl_in_mm;
  c.bicarbonate = a.bicarbonate;
  c.rate_windows = windows;
  c.wall_s_setup = std::chrono::duration<double>(t1 - t0).count();

  // Every concentration runs on the same synapses from the same initial state (common random numbers), so
  // the differences between the rows are the drug's.
  std::vector<io::network_run> runs;
  for (double conc : f.conc_ngml) {
    io::network_run r;
    r.conc_ngml = conc;
    r.drug = circuit::drug_effect_at(drug.pd, conc * drug.pk.fu);
    o.drug = r.drug;
    r.result = circuit::simulate(net, o);
    for (const circuit::time_window& w : windows) {
      std::vector<double> rates;
      for (const circuit::population_params& p : spec.populations) {
        rates.push_back(circuit::window_rate_hz(net, r.result, p.name, w));
      }
      r.window_rate_hz.push_back(std::move(rates));
    }
    if (!a.spikes) r.result.spikes = {};  // recorded only for the windows
    c.wall_s_setup += r.result.wall_s_init;
    runs.push_back(std::move(r));
  }

  // Everything is formatted before the first file is written.
  const std::filesystem::path dir =
      a.out.empty() ? std::filesystem::path("out") / (c.preset + "-network") : std::filesystem::path(a.out);
  std::vector<std::pair<std::string, std::string>> files;
  files.emplace_back("summary.json", io::network_summary_json(net, o, c, runs));
  if (runs.size() > 1) files.emplace_back("dose_response.csv", io::network_dose_response_csv(net, runs, windows));
  for (const io::network_run& r : runs) {
    const std::string name =
        runs.size() == 1 ? "spectrum.csv" : "spectrum_conc" + io::format_number(r.conc_ngml) + ".csv";
    files.emplace_back(name, io::network_spectrum_csv(r.result));
  }
  if (a.spikes) {
    for (const io::network_run& r : runs) {
      const std::string name =
          runs.size() == 1 ? "spikes.csv" : "spikes_conc" + io::format_number(r.conc_ngml) + ".csv";
      files.emplace_back(name, io::network_spikes_csv(r.result, spec.dt_ms));
    }
  }
  const std::vector<std::string> written = write_files(dir, files);
  print_report(net, o, c, runs, dir, written);
}

}  // namespace

void add_network(CLI::App& app) {
  auto* cmd = app.add_subcommand("network",
                                 "Simulate a spiking network (a preset or a network file) with the drug at its GABA-A "
                                 "synapses (rates, synchrony, seizures)");
  auto a = std::make_shared<network_args>();
  std::string presets;
  for (const std::string& p : circuit::preset_names()) presets += (presets.empty() ? "" : ", ") + p;
  cmd->add_option("network", a->preset,
                  "Network preset (" + presets +
                      ") or network file (a path ending in .toml or containing '/'; docs/file-formats.md)")
      ->required()
      ->type_name("PRESET|FILE.toml");
  cmd->add_option("--duration-s", a->duration_s, "Biological time [s]")->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed of the synapses, initial state and drive (0 to 2^63-1)")
      ->capture_default_str()
      ->type_name("INT");
  cmd->add_option("--conc-ngml", a->conc,
                  "Total plasma concentration(s) [ng/mL]; a comma-separated list sweeps and writes dose_response.csv")
      ->capture_default_str()
      ->type_name("C[,C...]");
  cmd->add_option("--threads", a->threads, "Threads, 0 = all cores (0 to 256; never changes the results)")
      ->capture_default_str()
      ->type_name("INT");
  cmd->add_option("--connectivity", a->connectivity,
                  "Synapses from a CSV file (pre,post[,weight_ns][,delay_ms]) instead of the network's rules");
  cmd->add_option("--initial-state", a->initial_state,
                  "Initial state from a CSV file (neuron,v_mv,ge_ns,gi_ns) instead of the network's rule");
  cmd->add_flag("--spikes", a->spikes, "Also write every spike (spikes.csv: time_ms,neuron)");
  cmd->add_option("--rate-window", a->rate_windows,
                  "Also report each population's rate in this window of time, START_MS:STOP_MS (repeatable; "
                  "default for amygdala: its baseline 100:500 and threat 500:1000 windows)")
      ->type_name("START:STOP")
      ->take_all();
  cmd->add_option("--out", a->out,
                  "Output directory (default: out/<name>-network, the preset's or network file's name)");
  cmd->add_option("--scheme", a->scheme,
                  "Membrane integration: euler or exponential (default: the network's; coba: euler, as Brian2)")
      ->type_name("NAME");
  cmd->add_option("--e-gaba-mv", a->e_gaba_mv, "GABA-A reversal of every population [mV] (coba: -80)")->type_name("MV");
  cmd->add_option("--cl-in-mm", a->cl_in_mm,
                  "GABA-A reversal of every population from the Nernst equation for this intracellular chloride [mM] "
                  "(the network's [chloride] or [Cl]o 133 mM, 37 C; 9.5 mM gives -70.5 mV)")
      ->type_name("MM");
  cmd->add_flag("--bicarbonate", a->bicarbonate,
                "GABA-A reversal of every population from the Goldman-Hodgkin-Katz equation with bicarbonate "
                "(P_HCO3/P_Cl 0.2, [HCO3]i 16, [HCO3]o 26 mM; with the default chloride -63.8 mV); combines with "
                "--cl-in-mm");
  cmd->add_option("--write-network", a->write_network,
                  "Write the network (after --scheme, --e-gaba-mv, --cl-in-mm, --bicarbonate) to this TOML file and "
                  "exit without simulating")
      ->type_name("FILE.toml");
  cmd->add_option("--drug", a->drug, "Built-in drug name or a drug file (.toml) for the concentration's effect")
      ->capture_default_str();
  cmd->footer(
      "Writes DIR/summary.json (rates, CV of ISIs, synchrony, mean V and GABA-A current per population, seizure\n"
      "fraction, spikes, timings), DIR/dose_response.csv for several concentrations, DIR/spikes.csv with --spikes.\n"
      "Model, presets and formats: docs/network.md; network files: docs/file-formats.md#network-files-toml.\n\n"
      "Examples:\n  benzosim network coba --duration-s 1 --seed 1 --out out/coba\n"
      "  benzosim network coba --conc-ngml 0,5,10,20,40 --out out/coba-dose\n"
      "  benzosim network coba --connectivity conn.csv --initial-state init.csv --spikes --out out/coba-brian\n"
      "  benzosim network data/networks/coba.toml --bicarbonate --cl-in-mm 12 --out out/coba-ghk\n"
      "  benzosim network coba --write-network my_net.toml     (then edit my_net.toml and run it)\n");
  cmd->callback([a] { run_network(*a); });
}

}  // namespace benzosim::cli
