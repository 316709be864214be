// SPDX-License-Identifier: MIT
// `benzosim network`: a spiking network preset, with or without the drug, over one or several concentrations
// (docs/network.md).
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
#include <benzosim/io/output.hpp>

#include "common.hpp"

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
};

struct network_flags {
  std::uint64_t seed;
  int threads;
  std::vector<double> conc_ngml;
};

constexpr double max_duration_s = 100000.0;
constexpr double max_conc_ngml = 100000.0;
constexpr std::size_t max_concentrations = 100;
constexpr std::int64_t max_threads = 256;

std::int64_t integer_flag(const char* flag, const std::string& text, std::int64_t lo, std::int64_t hi,
                          const char* meaning) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec == std::errc{} && p == end && v >= lo && v <= hi) return v;
  throw error(fmt::format("{} {}: {} must be an integer from {} to {}.", flag, text, meaning, lo, hi));
}

/// "0,5,10" -> {0, 5, 10}: finite numbers in [0, max_conc_ngml], at most max_concentrations of them.
std::vector<double> concentration_list(const std::string& text) {
  std::vector<double> out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t comma = text.find(',', pos);
    const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    double v = 0.0;
    const char* end = item.data() + item.size();
    const auto [p, ec] = std::from_chars(item.data(), end, v);
    if (item.empty() || ec != std::errc{} || p != end || !std::isfinite(v) || v < 0.0 || v > max_conc_ngml) {
      throw error(fmt::format(
          "--conc-ngml {}: '{}' is not a concentration; give total plasma concentrations in ng/mL from 0 to {}, "
          "separated by commas (e.g. --conc-ngml 0,5,10,20,40).",
          text, item, max_conc_ngml));
    }
    out.push_back(v);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  if (out.size() > max_concentrations) {
    throw error(fmt::format("--conc-ngml: {} concentrations; at most {} per run.", out.size(), max_concentrations));
  }
  return out;
}

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
  if (a.e_gaba_mv && a.cl_in_mm) {
    throw error("--e-gaba-mv and --cl-in-mm both set the GABA-A reversal potential; give one of them.");
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
  fmt::print("benzosim {}: network {} - {} neurons ({}), {} synapses{}\n", io::version(), c.preset, net.size(), pops,
             net.synapse_count(), c.connectivity_file.empty() ? "" : " from " + c.connectivity_file);
  std::string e_gaba;
  for (const circuit::population_params& p : s.populations) {
    e_gaba += fmt::format("{}{} {:.1f}", e_gaba.empty() ? "" : ", ", p.name, p.e_gaba_mv);
  }
  fmt::print("  {} s of biological time, seed {}, {} steps of {} ms, {} thread{}; E_GABA [mV] {}; drug {} (fu {})\n",
             c.duration_s, c.seed, circuit::scheme_name(s.scheme), s.dt_ms, c.threads, c.threads == 1 ? "" : "s",
             e_gaba, c.drug, c.fu);
  std::string head = pad("  conc ng/mL", 13) + pad("GABA-A fast", 13);
  for (const circuit::population_params& p : s.populations) head += pad("rate " + p.name, 9);
  for (const circuit::population_params& p : s.populations) head += pad("V " + p.name, 9);
  for (const circuit::population_params& p : s.populations) head += pad("I_GABA " + p.name, 10);
  head += pad("CV ISI", 8) + pad("chi", 7) + "seizure";
  fmt::print("{}\n", head);
  for (const io::network_run& r : runs) {
    std::string line = pad(fmt::format("  {:g}", r.conc_ngml), 13) +
                       pad(fmt::format("x{:.2f} {:.2f}", r.drug.fast.amplitude, r.drug.fast.decay), 13);
    for (const circuit::population_readout& p : r.result.populations) line += pad(fmt::format("{:.2f}", p.rate_hz), 9);
    for (const circuit::population_readout& p : r.result.populations) {
      line += pad(fmt::format("{:.2f}", p.mean_v_mv), 9);
    }
    for (const circuit::population_readout& p : r.result.populations) {
      line += pad(fmt::format("{:.0f}", p.mean_gaba_current_pa), 10);
    }
    line += pad(fmt::format("{:.2f}", r.result.populations.front().cv_isi), 8) +
            pad(fmt::format("{:.3f}", r.result.synchrony), 7) + fmt::format("{:.2f}", r.result.seizure_fraction);
    fmt::print("{}\n", line);
  }
  fmt::print(
      "  (rate in Hz; V: mean membrane potential [mV]; I_GABA: mean GABA-A current [pA], positive = outward; CV ISI "
      "of {}; chi: Golomb-Rinzel synchrony; seizure: fraction of {} ms windows flagged)\n",
      s.populations.front().name, o.detector.window_ms);
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

void run_network(const network_args& a) {
  const network_flags f = check_flags(a);
  circuit::network_spec spec = circuit::preset(a.preset);
  if (!a.scheme.empty()) {
    spec.scheme = a.scheme == "euler" ? circuit::membrane_scheme::euler : circuit::membrane_scheme::exponential;
  }
  if (a.e_gaba_mv) circuit::set_gaba_reversal(spec, *a.e_gaba_mv);
  if (a.cl_in_mm) circuit::set_gaba_reversal(spec, circuit::nernst_chloride_mv({.cl_in_mm = *a.cl_in_mm}));

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
  o.record_spikes = a.spikes;
  if (!a.initial_state.empty()) o.initial = io::load_initial_state_csv(a.initial_state, spec.size());
  o.validate(net);
  const auto t1 = std::chrono::steady_clock::now();

  io::network_command c;
  c.preset = a.preset;
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
    c.wall_s_setup += r.result.wall_s_init;
    runs.push_back(std::move(r));
  }

  // Everything is formatted before the first file is written.
  const std::filesystem::path dir =
      a.out.empty() ? std::filesystem::path("out") / (a.preset + "-network") : std::filesystem::path(a.out);
  std::vector<std::pair<std::string, std::string>> files;
  files.emplace_back("summary.json", io::network_summary_json(net, o, c, runs));
  if (runs.size() > 1) files.emplace_back("dose_response.csv", io::network_dose_response_csv(net, runs));
  if (a.spikes) {
    for (const io::network_run& r : runs) {
      const std::string name =
          runs.size() == 1 ? "spikes.csv" : "spikes_conc" + io::format_number(r.conc_ngml) + ".csv";
      files.emplace_back(name, io::network_spikes_csv(r.result, spec.dt_ms));
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    throw error("Cannot create the output directory '" + dir.string() +
                "': " + (ec ? ec.message() : std::string("a file of that name exists")) + ".");
  }
  std::vector<std::string> written;
  for (const auto& [name, text] : files) {
    io::atomic_write(dir / name, text);
    written.push_back(name);
  }
  print_report(net, o, c, runs, dir, written);
}

}  // namespace

void add_network(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "network", "Simulate a spiking network preset with the drug at its GABA-A synapses (rates, synchrony, seizures)");
  auto a = std::make_shared<network_args>();
  std::string presets;
  for (const std::string& p : circuit::preset_names()) presets += (presets.empty() ? "" : ", ") + p;
  cmd->add_option("preset", a->preset, "Network preset: " + presets)->required();
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
                  "Synapses from a CSV file (pre,post[,weight_ns]) instead of the "
                  "preset's rules");
  cmd->add_option("--initial-state", a->initial_state,
                  "Initial state from a CSV file (neuron,v_mv,ge_ns,gi_ns) instead of the preset's rule");
  cmd->add_flag("--spikes", a->spikes, "Also write every spike (spikes.csv: time_ms,neuron)");
  cmd->add_option("--out", a->out, "Output directory (default: out/<preset>-network)");
  cmd->add_option("--scheme", a->scheme, "Membrane integration: euler (the preset's, as Brian2) or exponential")
      ->type_name("NAME");
  cmd->add_option("--e-gaba-mv", a->e_gaba_mv, "GABA-A reversal of every population [mV] (coba: -80)")->type_name("MV");
  cmd->add_option("--cl-in-mm", a->cl_in_mm,
                  "GABA-A reversal from the Nernst equation for this intracellular chloride [mM] ([Cl]o 133 mM, "
                  "37 C; 9.5 mM gives -70.5 mV)")
      ->type_name("MM");
  cmd->add_option("--drug", a->drug, "Built-in drug name or a drug file (.toml) for the concentration's effect")
      ->capture_default_str();
  cmd->footer(
      "Writes DIR/summary.json (rates, CV of ISIs, synchrony, mean V and GABA-A current per population, seizure\n"
      "fraction, spikes, timings), DIR/dose_response.csv for several concentrations, DIR/spikes.csv with --spikes.\n"
      "Model, presets and formats: docs/network.md.\n\n"
      "Examples:\n  benzosim network coba --duration-s 1 --seed 1 --out out/coba\n"
      "  benzosim network coba --conc-ngml 0,5,10,20,40 --out out/coba-dose\n"
      "  benzosim network coba --connectivity conn.csv --initial-state init.csv --spikes --out out/coba-brian\n");
  cmd->callback([a] { run_network(*a); });
}

}  // namespace benzosim::cli
