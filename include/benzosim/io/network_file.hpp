// SPDX-License-Identifier: MIT
/// Reading a network's synapses and initial state from CSV files (for example written by another simulator,
/// so that both run the same network from the same state), and writing the outputs of `benzosim network`.
/// Every problem in an input file is a scenario_error naming the file, line, column and rule.
/// Formats: docs/network.md#files.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <benzosim/circuit/network.hpp>
#include <benzosim/circuit/presets.hpp>

namespace benzosim::io {

/// Network CSV files may be much larger than scenario files: 20 million synapses are about 250 MB.
inline constexpr std::uintmax_t max_network_file_bytes = std::uintmax_t{1} << 30;

/// Connectivity CSV: a header with the columns pre and post and optionally weight_ns and delay_ms (any order,
/// names case-insensitive), then one synapse per row: 0-based global neuron indices below n_neurons, weight in
/// nS (finite, >= 0; without the column every synapse has its projection's weight), delay in ms (finite, 0 to
/// 1000; without the column, the projection's delay; being a multiple of the time step is checked when the
/// network is built). Blank lines and lines starting with # are skipped. A header without rows is a network
/// without synapses.
circuit::synapse_list parse_connectivity_csv(std::string_view text, const std::string& source_name,
                                             std::size_t n_neurons);
circuit::synapse_list load_connectivity_csv(const std::filesystem::path& file, std::size_t n_neurons);

/// Initial-state CSV: a header with the columns neuron, v_mv, ge_ns and gi_ns (any order), then exactly one row
/// per neuron 0..n_neurons-1 (in any order): V in mV in [-1000, 1000], the AMPA and GABA-A (fast)
/// conductances in nS (finite, |g| <= 1e6; negative values are accepted because Brian's COBA.py draws them).
circuit::initial_state parse_initial_state_csv(std::string_view text, const std::string& source_name,
                                               std::size_t n_neurons);
circuit::initial_state load_initial_state_csv(const std::filesystem::path& file, std::size_t n_neurons);

/// One run of a `benzosim network` command: the concentration, the drug's factors and the read-outs.
struct network_run {
  double conc_ngml = 0.0;  ///< total plasma concentration [ng/mL]
  circuit::drug_effect drug{};
  circuit::network_result result{};
  /// Rate of each population in each of network_command::rate_windows [window][population] [Hz].
  std::vector<std::vector<double>> window_rate_hz{};
};

/// What the command was asked to do, for summary.json.
struct network_command {
  std::string preset;        ///< the preset's name, or the network's name when read from network_file
  std::string network_file;  ///< the network file (TOML) it was read from; "" = a preset
  double duration_s = 1.0;
  std::uint64_t seed = 1;
  int threads = 1;
  std::string connectivity_file;   ///< "" = drawn from the preset's rules with the seed
  std::string initial_state_file;  ///< "" = drawn from the preset's rule with the seed
  bool spikes = false;
  std::string drug;                                  ///< drug name or file
  double fu = 0.0;                                   ///< unbound fraction used for free = fu x conc
  std::optional<double> e_gaba_mv;                   ///< --e-gaba-mv, if given
  std::optional<double> cl_in_mm;                    ///< --cl-in-mm, if given
  bool bicarbonate = false;                          ///< --bicarbonate
  std::vector<circuit::time_window> rate_windows{};  ///< --rate-window (or the preset's read-out windows)
  double wall_s_setup = 0.0;                         ///< drug, network, files and every run's state initialisation [s]
};

/// summary.json (pretty-printed): the options, the network, then the read-outs of the first concentration at
/// the top level (rate_hz, cv_isi, synchrony, mean_v_mv, mean_gaba_current_pa keyed by population;
/// synchrony_all, seizure_fraction, windows, spikes_total), wall_s_setup and wall_s_loop (summed over the
/// runs), `rate_windows` (the windows' rates keyed by population, when windows were asked for) and `runs`: the
/// same read-outs for every concentration.
std::string network_summary_json(const circuit::network& net, const circuit::run_options& o, const network_command& c,
                                 const std::vector<network_run>& runs);
/// dose_response.csv: one row per run (columns: docs/network.md#outputs); then, per rate window and population,
/// rate_hz_<population>_<start>_<stop>ms.
std::string network_dose_response_csv(const circuit::network& net, const std::vector<network_run>& runs,
                                      const std::vector<circuit::time_window>& windows = {});
/// spectrum.csv: frequency_hz, then psd_<population> for every population and psd_all: the one-sided power
/// spectral density of each population's rate and of all neurons' [Hz^2/Hz] (circuit::rate_spectrum).
std::string network_spectrum_csv(const circuit::network_result& r);
/// spikes.csv: time_ms,neuron, one row per spike in time order (time = step x dt, the start of the step).
std::string network_spikes_csv(const circuit::network_result& r, double dt_ms);

}  // namespace benzosim::io
