// SPDX-License-Identifier: MIT
/// Read-outs of a neural-mass LFP beyond line length: the power spectrum (Welch), dominant frequency and
/// band powers, paroxysmal events (spikes) from a threshold on the deflection with a refractory time, all
/// read-outs together, and a documented decision rule that names Wendling et al.'s (2002) six activity types
/// from them. Definitions, thresholds and the measurements behind them: docs/circuit.md, "Read-outs".
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

#include <benzosim/circuit/wendling.hpp>

namespace benzosim::circuit {

/// The EEG bands, in this order. Band k covers [band_edges_hz[k], band_edges_hz[k + 1]) Hz.
enum class band : std::size_t { delta, theta, alpha, beta, gamma };
inline constexpr std::size_t band_count = 5;
/// delta 0.5-4, theta 4-8, alpha 8-13, beta 13-30, gamma 30-100 Hz (half-open intervals).
inline constexpr std::array<double, band_count + 1> band_edges_hz{0.5, 4.0, 8.0, 13.0, 30.0, 100.0};
/// "delta", "theta", "alpha", "beta", "gamma".
std::string_view to_string(band b);

/// Welch's averaged periodogram: segments of segment_ms with 50 % overlap, each with its mean removed,
/// multiplied by a periodic Hann window and zero-padded to the next power of two samples.
struct spectrum_params {
  double segment_ms = 2000.0;  ///< [ms]; a trace shorter than one segment is one (padded) segment
};

struct lfp_spectrum {
  std::vector<double> freq_hz;                    ///< bin k at k fs / nfft [Hz], k = 0..nfft/2
  std::vector<double> psd_mv2_per_hz;             ///< one-sided power spectral density [mV^2/Hz]
  double resolution_hz;                           ///< bin spacing fs / nfft [Hz]
  int segments;                                   ///< segments averaged
  double dominant_hz;                             ///< bin of the largest density in [0.5, 100) Hz (the band range) [Hz]
  double total_power_mv2;                         ///< sum of density x resolution over [0.5, 100) Hz [mV^2]
  std::array<double, band_count> band_power_mv2;  ///< the same sum over each band [mV^2]
  std::array<double, band_count> band_fraction;   ///< band power / total power [0..1] (0 if total is 0)
};
/// Throws invalid_parameter for a bad segment length or a trace of fewer than 2 samples.
lfp_spectrum spectrum(const lfp_trace& lfp, const spectrum_params& p = {});

/// Paroxysmal events ("spikes"): an event starts where the deflection v - median(v) crosses threshold_mv
/// upwards, at least refractory_ms after the previous event's start. Spikes of the Wendling model are
/// positive (the spike of a spike-wave complex peaks 10-14 mV above the median; the wave is negative).
struct event_params {
  double threshold_mv = 8.0;     ///< [mV] above the trace's median
  double refractory_ms = 100.0;  ///< [ms] dead time after an event's start
};
struct event_readout {
  int events;                ///< count
  double rate_per_s;         ///< events per second of trace [1/s]
  double median_mv;          ///< the reference level [mV]
  double max_deflection_mv;  ///< largest v - median [mV]
};
/// Throws invalid_parameter for bad settings or a trace of fewer than 2 samples.
event_readout paroxysmal_events(const lfp_trace& lfp, const event_params& p = {});

/// Wendling et al. 2002, Fig. 3: the six activity types as the synaptic gains change.
enum class activity_type {
  background,         ///< 1: normal background activity
  sporadic_spikes,    ///< 2: isolated spikes on a background
  spike_wave,         ///< 3: sustained spike-wave discharges
  slow_rhythmic,      ///< 4: (relatively) slow rhythmic activity
  low_voltage_rapid,  ///< 5: low-voltage rapid ("fast onset") activity
  quasi_sinusoidal    ///< 6: large, quasi-sinusoidal rhythm
};
/// "background", "sporadic_spikes", "spike_wave", "slow_rhythmic", "low_voltage_rapid", "quasi_sinusoidal".
std::string_view to_string(activity_type t);
/// Wendling's number of the type, 1..6.
int wendling_number(activity_type t);

/// The parameter set at which type t is reproduced: wendling_2002() with A = 5 mV and (B, G) = (50, 15),
/// (40, 15), (25, 15), (10, 15), (5, 25), (15, 0) mV for types 1..6 (the sets tabulated for Wendling 2002,
/// shared/science/circuits.md section B; measured read-outs in docs/circuit.md).
wendling_params activity_example(activity_type t);

/// Thresholds of the decision rule (see classify()).
struct classifier_params {
  double sustained_spike_rate_per_s = 1.0;  ///< spike rate at or above which discharges are sustained [1/s]
  double large_sd_mv = 1.0;                 ///< SD at or above which a spike-free trace is a large rhythm [mV]
  double rapid_fraction = 0.4;              ///< beta + gamma share (>= 13 Hz) at or above which activity is rapid [-]
  double rhythmic_alpha_fraction = 0.35;    ///< alpha-band share at or above which activity is rhythmic [-]
};

/// Every read-out of one trace.
struct readout_params {
  detector_params detector{};
  spectrum_params spectrum{};
  event_params events{};
  classifier_params classifier{};
};
struct lfp_readout {
  seizure_readout seizure;  ///< line length, SD, seizure-like fraction, episodes, windows
  double dominant_hz;       ///< [Hz]
  std::array<double, band_count> band_power_mv2;
  std::array<double, band_count> band_fraction;
  int spikes;               ///< paroxysmal events
  double spike_rate_per_s;  ///< [1/s]
  activity_type type;       ///< classify() of the above
};

/// The decision rule, in order: spike rate >= sustained_spike_rate_per_s -> spike_wave; any spike ->
/// sporadic_spikes; SD >= large_sd_mv -> quasi_sinusoidal; beta + gamma share >= rapid_fraction ->
/// low_voltage_rapid; alpha share >= rhythmic_alpha_fraction -> slow_rhythmic; otherwise background.
/// Band shares rather than the dominant frequency, because a broadband spectrum's peak bin wanders.
activity_type classify(const lfp_readout& r, const classifier_params& p = {});

/// detect() + spectrum() + paroxysmal_events() + classify(). Throws invalid_parameter for bad settings.
lfp_readout analyse(const lfp_trace& lfp, const readout_params& p = {});

}  // namespace benzosim::circuit
