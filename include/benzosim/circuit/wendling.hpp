// SPDX-License-Identifier: MIT
/// The Wendling et al. (2002) neural mass model of epileptic activity (10 ODEs, stochastic input; its 2005
/// hippocampal variant and Jansen-Rit 1995 as the case G = 0 are parameter sets), the
/// drug's scaling of its inhibitory kernels, a line-length seizure detector, and a cached map of seizure
/// activity against net GABA-A modulation. Equations, sources and measured numbers: docs/circuit.md.
#pragma once

#include <cstdint>
#include <vector>

#include <benzosim/pd/gabaa.hpp>

namespace benzosim::circuit {

/// Parameters of the Wendling 2002 model. Gains in mV, rate constants in 1/s, input in pulses/s.
struct wendling_params {
  double A_mv;      ///< excitatory gain
  double B_mv;      ///< slow dendritic inhibitory gain (GABA-A slow)
  double G_mv;      ///< fast somatic inhibitory gain (GABA-A fast)
  double a_per_s;   ///< excitatory rate constant
  double b_per_s;   ///< slow inhibitory rate constant
  double g_per_s;   ///< fast inhibitory rate constant
  double C;         ///< connectivity constant [-]; C1..C7 = C*(1, 0.8, 0.25, 0.25, 0.3, 0.1, 0.8)
  double e0_per_s;  ///< half of the maximal firing rate of the sigmoid
  double v0_mv;     ///< sigmoid midpoint
  double r_per_mv;  ///< sigmoid steepness
  double p_mean;    ///< mean afferent input [pulses/s]
  double p_sd;      ///< SD of the afferent input sampled at 1 ms [pulses/s] (white-noise intensity p_sd*sqrt(1 ms))

  /// The published standard set: A 3.25, B 22, G 10 mV; a/b/g 100/50/500 1/s; C 135; p 90 +- 30.
  static wendling_params wendling_2002();
  /// The hippocampal (CA1) variant of Wendling et al. 2005 (J Clin Neurophysiol 22:343; ModelDB 97983
  /// EEGmodel.c defaults): A 3.5, B 20, G 15 mV; a/b/g 100/30/350 1/s; the rest as wendling_2002(), p_sd 30
  /// as published (that code redraws p every 1/512 s: 41.9 in this 1-ms convention; docs/circuit.md).
  static wendling_params wendling_2005_hippocampal();
  /// Jansen & Rit 1995 as the special case G = 0 of this model: the fast somatic loop y3 then stays 0, the
  /// LFP is y1 - y2, and y0..y2 obey exactly Jansen-Rit's three-population equations (y4 still evolves but
  /// feeds nothing). A 3.25, B 22 mV, a/b 100/50 1/s, C 135, the 2002 sigmoid; input mean 220 pulses/s and
  /// SD 57.7 pulses/s (the mean and SD of Jansen-Rit's uniform 120-320 pulses/s, white at 1 ms).
  static wendling_params jansen_rit_1995();
  /// benzosim's seizure-prone baseline (docs/circuit.md): A 5, B 39.5, G 15 mV, the rest as wendling_2002().
  /// Without drug ~40 % of the time in spike-wave episodes; net modulation >= 0.1 suppresses them,
  /// withdrawal (m <= -0.05) makes them continuous.
  static wendling_params seizure_prone();
  /// Throws invalid_parameter naming the first bad field.
  void validate() const;
};

/// The drug on both inhibitory loops: B x slow.amplitude, b / slow.decay; G x fast.amplitude, g / fast.decay.
wendling_params apply_modulation(const wendling_params& p, const pd::gabaa_factors& slow,
                                 const pd::gabaa_factors& fast);

struct simulation_options {
  double duration_ms = 20000.0;  ///< recorded time [ms]
  double transient_ms = 2000.0;  ///< discarded start-up time [ms]
  double dt_ms = 0.5;            ///< integration step (exponential Euler-Maruyama) [ms]
  std::uint64_t seed = 1;        ///< random stream key
  double record_every_ms = 1.0;  ///< LFP sampling interval [ms]; a multiple of dt_ms
};

/// LFP = y1 - y2 - y3 [mV], sampled every dt_ms: v_mv[k] at transient + k*dt_ms, k = 0..duration/dt_ms.
struct lfp_trace {
  double dt_ms;              ///< sampling interval [ms] (simulation_options::record_every_ms)
  std::vector<double> v_mv;  ///< [mV]
};

/// Integrates the model as an SDE with an exponential Euler-Maruyama scheme: each linear PSP block and the
/// additive input noise are propagated exactly over a step, the sigmoid coupling is held over the step.
/// The noise enters with sqrt(dt), so the statistics do not depend on dt_ms. Deterministic for a seed.
/// Starts from rest (all states 0). Throws invalid_parameter for bad parameters or options.
lfp_trace simulate(const wendling_params& p, const simulation_options& o);

/// Detector settings. A window is seizure-like when its line length exceeds the threshold. 40 mV/s lies in
/// the empty gap between background windows (15-30 mV/s) and windows holding at least one spike-wave
/// complex (>= 45 mV/s); see docs/circuit.md.
struct detector_params {
  double window_ms = 1000.0;                     ///< [ms]; a whole multiple of the LFP sampling interval
  double line_length_threshold_mv_per_s = 40.0;  ///< [mV/s]
};

struct seizure_readout {
  double line_length_mv_per_s;  ///< mean line length per second [mV/s]
  double sd_mv;                 ///< SD of the LFP [mV]
  double seizure_fraction;      ///< fraction of windows flagged [0..1]
  int episodes;                 ///< runs of consecutive flagged windows
  int windows;                  ///< full windows analysed (a trailing partial window is ignored)
};
/// Line length per window = sum |v[i+1] - v[i]| over the window / window length [mV/s]; windows tile the
/// trace without overlap. Throws invalid_parameter for bad settings or a trace shorter than one window.
seizure_readout detect(const lfp_trace& lfp, const detector_params& d);

/// A patient's epileptic network as several columns whose slow dendritic inhibition differs (docs/circuit.md
/// §5): ln B is normal with median ln B (the baseline's) and SD B_log_sd, represented by `columns` nodes at
/// equal steps of z = ln(B_c / B) / B_log_sd over [-2, 2] (95 % of the distribution), each weighted by the
/// normal density at its z (weights add up to 1). One column is the baseline itself; with B_log_sd = 0 every
/// column is, with equal weights (replicates).
struct column_spread {
  double B_log_sd = 0.0;  ///< SD of ln B across the columns [-]
  int columns = 1;        ///< number of columns (>= 1)
};

/// One column of a spread: its slow dendritic gain and its share of the network.
struct column {
  double B_mv;    ///< [mV]
  double weight;  ///< [0..1]
};
/// The columns of a spread in increasing B. Throws invalid_parameter for a bad spread.
std::vector<column> columns_of(const wendling_params& baseline, const column_spread& s);

/// Options for the cached excitability map.
struct map_options {
  double net_min = -0.6;     ///< lowest net modulation on the grid [-]
  double net_max = 1.0;      ///< highest [-]
  int points = 33;           ///< grid points (>= 2)
  int seeds = 4;             ///< seeds averaged per point and column (>= 1)
  std::uint64_t seed = 1;    ///< base seed; point i, column c, seed r uses a stream keyed by (seed, i, c*seeds + r)
  simulation_options sim{};  ///< per-run settings (seed ignored)
  detector_params detector{};
  column_spread spread{};  ///< heterogeneity of the baseline across columns (default: one column)
  int threads = 0;         ///< grid points built in parallel (0 = all cores); the map does not depend on it
};

/// Seizure-like fraction of time (mean over the columns and seeds) as a function of net GABA-A modulation,
/// computed once on a grid and linearly interpolated (clamped at the ends) so that a months-long timeline
/// stays fast.
class excitability_map {
 public:
  /// Grid point i has net modulation m_i; both inhibitory loops of every column get pd::factors(m_i, m).
  static excitability_map build(const wendling_params& baseline, const pd::modulation_params& m, const map_options& o);
  /// Linear interpolation on the grid, clamped at the ends; exact at grid points.
  [[nodiscard]] double seizure_fraction(double net_modulation) const;
  [[nodiscard]] const std::vector<double>& grid() const { return net_; }
  [[nodiscard]] const std::vector<double>& values() const { return fraction_; }

 private:
  std::vector<double> net_;
  std::vector<double> fraction_;
};

}  // namespace benzosim::circuit
