// SPDX-License-Identifier: MIT
#include <benzosim/circuit/wendling.hpp>

#include <cmath>
#include <cstddef>
#include <string>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>

#include "stochastic.hpp"

namespace benzosim::circuit {

void detail::validate(const detector_params& d) {
  require_positive("circuit.detector.window", d.window_ms, "ms");
  require_positive("circuit.detector.threshold", d.line_length_threshold_mv_per_s, "mV/s");
}

seizure_readout detect(const lfp_trace& lfp, const detector_params& d) {
  detail::validate(d);
  require_positive("circuit.lfp.dt", lfp.dt_ms, "ms");
  const double ratio = d.window_ms / lfp.dt_ms;
  const double whole = std::round(ratio);
  if (whole < 1.0 || std::abs(ratio - whole) > 1e-9 * ratio) {
    throw invalid_parameter("circuit.detector.window", d.window_ms,
                            "circuit.detector.window = " + format_value(d.window_ms) +
                                " ms; must be a whole multiple of the LFP sampling interval " +
                                format_value(lfp.dt_ms) + " ms");
  }
  const auto per_window = static_cast<std::size_t>(whole);  // sample intervals per window
  const std::size_t intervals = lfp.v_mv.empty() ? 0 : lfp.v_mv.size() - 1;
  const std::size_t windows = intervals / per_window;
  if (windows == 0) {
    throw invalid_parameter("circuit.detector.window", d.window_ms,
                            "circuit.detector.window = " + format_value(d.window_ms) +
                                " ms; must not be longer than the LFP trace (" +
                                format_value(static_cast<double>(intervals) * lfp.dt_ms) + " ms)");
  }

  const double window_s = static_cast<double>(per_window) * lfp.dt_ms * 1e-3;  // [s]
  double total_line_length = 0.0;                                              // [mV/s] summed over windows
  std::size_t flagged = 0;
  int episodes = 0;
  bool previous = false;
  for (std::size_t k = 0; k < windows; ++k) {
    // Window k owns the sample intervals [k n, (k + 1) n): the windows tile the trace without overlap.
    double sum_mv = 0.0;
    for (std::size_t i = k * per_window; i < (k + 1) * per_window; ++i)
      sum_mv += std::abs(lfp.v_mv[i + 1] - lfp.v_mv[i]);
    const double line_length = sum_mv / window_s;  // [mV/s]
    total_line_length += line_length;
    const bool seizure_like = line_length > d.line_length_threshold_mv_per_s;
    if (seizure_like) {
      ++flagged;
      if (!previous) ++episodes;
    }
    previous = seizure_like;
  }

  // SD over every sample of the trace (population SD, two-pass for accuracy).
  double mean = 0.0;
  for (const double x : lfp.v_mv) mean += x;
  mean /= static_cast<double>(lfp.v_mv.size());
  double ss = 0.0;
  for (const double x : lfp.v_mv) ss += (x - mean) * (x - mean);
  const double sd = std::sqrt(ss / static_cast<double>(lfp.v_mv.size()));
  if (!std::isfinite(sd) || !std::isfinite(total_line_length)) {
    throw invalid_parameter("circuit.lfp", sd, "circuit.lfp: the LFP trace contains a non-finite value");
  }

  seizure_readout r{};
  r.line_length_mv_per_s = total_line_length / static_cast<double>(windows);
  r.sd_mv = sd;
  r.seizure_fraction = static_cast<double>(flagged) / static_cast<double>(windows);
  r.episodes = episodes;
  r.windows = static_cast<int>(windows);
  return r;
}

}  // namespace benzosim::circuit
