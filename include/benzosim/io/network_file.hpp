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

namespace benzosim::io {

/// Network CSV files may be much larger than scenario files: 20 million synapses are about 250 MB.
inline constexpr std::uintmax_t max_network_file_bytes = std::uintmax_t{1} << 30;

/// Connectivity CSV: a header with the columns pre and post and optionally weight_ns (any order, names
/// case-insensitive), then one synapse per row: 0-based global neuron indices below n_neurons, weight in nS
/// (finite, >= 0; without the column every synapse has its projection's weight). Blank lines and lines
/// starting with # are skipped. A header without rows is a network without synapses.
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
};

/// What the command was asked to do, for summary.json.
struct network_command {
  std::string preset;
  double duration_s = 1.0;
  std::uint64_t seed = 1;
  int threads = 1;
  std::string connectivity_file;   ///< "" = drawn from the preset's rules with the seed
  std::string initial_state_file;  ///< "" = drawn from the preset's rule with the seed
  bool spikes = false;
  std::string drug;                 ///< drug name or file
  double fu = 0.0;                  ///< unbound fraction used for free = fu x conc
  std::optional<double> e_gaba_mv;  ///< --e-gaba-mv, if given
  std::optional<double> cl_in_mm;   ///< --cl-in-mm, if given
  double wall_s_setup = 0.0;        ///< drug, network, files and every run's state initialisation [s]
};

/// summary.json (pretty-printed): the options, the network, then the read-outs of the first concentration at
/// the top level (rate_hz, cv_isi, synchrony, mean_v_mv, mean_gaba_current_pa keyed by population;
/// synchrony_all, seizure_fraction, windows, spikes_total), wall_s_setup and wall_s_loop (summed over the
/// runs), and `runs`: the same read-outs for every concentration.
std::string network_summary_json(const circuit::network& net, const circuit::run_options& o, const network_command& c,
                                 const std::vector<network_run>& runs);
/// dose_response.csv: one row per run (columns: docs/network.md#outputs).
std::string network_dose_response_csv(const circuit::network& net, const std::vector<network_run>& runs);
/// spikes.csv: time_ms,neuron, one row per spike in time order (time = step x dt, the start of the step).
std::string network_spikes_csv(const circuit::network_result& r, double dt_ms);

}  // namespace benzosim::io
