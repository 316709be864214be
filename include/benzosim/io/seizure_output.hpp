// SPDX-License-Identifier: MIT
/// The outputs of `benzosim seizure`: summary.json, dose_response.csv and lfp.csv of a neural-mass run
/// over one or several concentrations. Formats: docs/circuit.md, "benzosim seizure".
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <benzosim/circuit/lfp_analysis.hpp>
#include <benzosim/circuit/network.hpp>
#include <benzosim/circuit/wendling.hpp>

namespace benzosim::io {

/// The read-outs of one concentration, averaged over its seeds (each field the mean over the replicates).
struct seizure_summary {
  double line_length_per_s = 0.0;                            ///< [mV/s]
  double sd_mv = 0.0;                                        ///< [mV]
  double dominant_hz = 0.0;                                  ///< [Hz]
  std::array<double, circuit::band_count> band_power_mv2{};  ///< [mV^2]
  std::array<double, circuit::band_count> band_fraction{};   ///< [0..1]
  double seizure_fraction = 0.0;                             ///< [0..1]
  double events = 0.0;            ///< seizure-like episodes (runs of flagged windows) per run
  double spikes = 0.0;            ///< paroxysmal events per run
  double spike_rate_per_s = 0.0;  ///< [1/s]
  /// The activity type found most often over the seeds (a tie goes to the lower Wendling number).
  circuit::activity_type activity = circuit::activity_type::background;
};
/// Means over replicates; throws internal_error for an empty list.
seizure_summary summarise(const std::vector<circuit::lfp_readout>& replicates);

/// One concentration of a `benzosim seizure` command.
struct seizure_run {
  double conc_ngml = 0.0;             ///< total plasma concentration [ng/mL]
  circuit::drug_effect drug{};        ///< free concentration, occupancy and the factors on both GABA-A classes
  circuit::wendling_params params{};  ///< the model after the drug (B, b, G, g scaled)
  std::vector<circuit::lfp_readout> replicates;  ///< one per seed, in seed order
  seizure_summary summary;                       ///< summarise(replicates)
  circuit::lfp_trace lfp{};                      ///< the first seed's LFP (empty unless requested)
};

/// What the command was asked to do, for summary.json.
struct seizure_command {
  std::string model;                    ///< parameter set name (wendling, wendling-2005, jansen-rit, seizure-prone)
  circuit::wendling_params baseline{};  ///< the model without drug, after the flags
  circuit::simulation_options sim{};    ///< duration, transient, dt, first seed
  circuit::readout_params readout{};
  int seeds = 1;  ///< replicates per concentration: seeds sim.seed .. sim.seed + seeds - 1
  int threads = 1;
  std::string drug;  ///< drug name or file
  double fu = 0.0;   ///< unbound fraction used for free = fu x conc
  double wall_s = 0.0;
};

/// summary.json (pretty-printed): version, disclaimer, options, the baseline parameters, the first
/// concentration's read-outs at the top level (line_length_per_s, sd_mv, dominant_hz, band_power_mv2,
/// band_fraction, seizure_fraction, events, spikes, spike_rate_per_s, activity_type) and `runs`: the same
/// for every concentration, with the drug's factors and the modulated parameters.
std::string seizure_summary_json(const seizure_command& c, const std::vector<seizure_run>& runs);
/// dose_response.csv: one row per concentration (columns: docs/circuit.md).
std::string seizure_dose_response_csv(const std::vector<seizure_run>& runs);
/// lfp.csv: conc_ngml,time_ms,v_mv for every run holding a trace; time from the end of the transient.
std::string seizure_lfp_csv(const std::vector<seizure_run>& runs);

}  // namespace benzosim::io
