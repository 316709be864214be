// SPDX-License-Identifier: MIT
// The line-length detector on synthetic signals whose line length, SD, flagged windows and episodes are
// known in closed form: a sine of amplitude a and frequency f has line length 4 a f per second.
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/circuit/wendling.hpp>
#include <benzosim/core/error.hpp>

#include "test_support.hpp"

namespace {

using benzosim::invalid_parameter;
using benzosim::circuit::detect;
using benzosim::circuit::detector_params;
using benzosim::circuit::lfp_trace;
using benzosim::circuit::seizure_readout;
using benzosim::test::close_rel;

/// amp sin(2 pi f t) sampled every dt_ms for duration_ms (samples at t = 0, dt, ..., duration).
lfp_trace sine(double amp_mv, double freq_hz, double duration_ms, double dt_ms = 1.0) {
  lfp_trace t{dt_ms, {}};
  const auto n = static_cast<int>(std::lround(duration_ms / dt_ms));
  for (int k = 0; k <= n; ++k) t.v_mv.push_back(amp_mv * std::sin(2.0 * std::numbers::pi * freq_hz * k * dt_ms * 1e-3));
  return t;
}

TEST(detector, sine_line_length_is_four_amplitude_frequency) {
  // 5 Hz, 2 mV, sampled at 1 ms: the samples hit the extremes, so the discrete line length is exact.
  const seizure_readout r =
      detect(sine(2.0, 5.0, 10000.0), {.window_ms = 1000.0, .line_length_threshold_mv_per_s = 39.0});
  EXPECT_TRUE(close_rel(r.line_length_mv_per_s, 4.0 * 2.0 * 5.0, 1e-12));
  // Population SD over 50 whole periods (mean square a^2/2 over 10000 samples) plus the final zero sample.
  EXPECT_TRUE(close_rel(r.sd_mv, 2.0 * std::sqrt(10000.0 / (2.0 * 10001.0)), 1e-12));
  EXPECT_EQ(r.windows, 10);
  EXPECT_EQ(r.seizure_fraction, 1.0);
  EXPECT_EQ(r.episodes, 1);
  // Just above 40 mV/s nothing is flagged.
  const seizure_readout quiet =
      detect(sine(2.0, 5.0, 10000.0), {.window_ms = 1000.0, .line_length_threshold_mv_per_s = 40.5});
  EXPECT_EQ(quiet.seizure_fraction, 0.0);
  EXPECT_EQ(quiet.episodes, 0);
  // Per second, so independent of the window: 500 ms windows hold 2.5 periods.
  const seizure_readout half = detect(sine(2.0, 5.0, 10000.0), {.window_ms = 500.0});
  EXPECT_TRUE(close_rel(half.line_length_mv_per_s, 40.0, 1e-12));
  EXPECT_EQ(half.windows, 20);
  // Other amplitude/frequency pairs, including a 0.1 ms sampling interval.
  EXPECT_TRUE(close_rel(detect(sine(5.0, 2.5, 5000.0), {}).line_length_mv_per_s, 50.0, 1e-12));
  EXPECT_TRUE(close_rel(detect(sine(0.5, 10.0, 3000.0, 0.1), {}).line_length_mv_per_s, 20.0, 1e-12));
}

TEST(detector, fraction_and_episodes_of_bursts) {
  // Ten 1 s windows: a 1 Hz, 1 mV sine (4 mV/s) except windows 2-4 and 7, which hold a 10 Hz, 3 mV sine
  // (120 mV/s). Each window starts and ends at a zero crossing, so the pieces join without jumps.
  lfp_trace t{1.0, {0.0}};
  const std::vector<int> burst{0, 0, 1, 1, 1, 0, 0, 1, 0, 0};
  for (int w = 0; w < 10; ++w) {
    const double amp = burst[static_cast<std::size_t>(w)] ? 3.0 : 1.0;
    const double f = burst[static_cast<std::size_t>(w)] ? 10.0 : 1.0;
    for (int k = 1; k <= 1000; ++k) t.v_mv.push_back(amp * std::sin(2.0 * std::numbers::pi * f * k * 1e-3));
  }
  const seizure_readout r = detect(t, {});
  EXPECT_EQ(r.windows, 10);
  EXPECT_DOUBLE_EQ(r.seizure_fraction, 0.4);
  EXPECT_EQ(r.episodes, 2);
  EXPECT_TRUE(close_rel(r.line_length_mv_per_s, (4 * 120.0 + 6 * 4.0) / 10.0, 1e-12));
}

TEST(detector, flat_trace_and_trailing_partial_window) {
  const seizure_readout flat = detect({1.0, std::vector<double>(3001, -2.5)}, {});
  EXPECT_EQ(flat.line_length_mv_per_s, 0.0);
  EXPECT_EQ(flat.sd_mv, 0.0);
  EXPECT_EQ(flat.seizure_fraction, 0.0);
  EXPECT_EQ(flat.episodes, 0);
  EXPECT_EQ(flat.windows, 3);
  // 2.5 s of sine: two full windows; the last half window is ignored.
  const seizure_readout r = detect(sine(1.0, 2.0, 2500.0), {});
  EXPECT_EQ(r.windows, 2);
  EXPECT_TRUE(close_rel(r.line_length_mv_per_s, 8.0, 1e-12));
}

TEST(detector, validation_names_the_field) {
  const lfp_trace t = sine(1.0, 5.0, 2000.0);
  auto expect_bad = [](const lfp_trace& x, const detector_params& d, const std::string& name) {
    try {
      detect(x, d);
      ADD_FAILURE() << name << " accepted";
    } catch (const invalid_parameter& e) {
      EXPECT_EQ(e.name, name) << e.what();
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  };
  expect_bad(t, {.window_ms = 0.0}, "circuit.detector.window");
  expect_bad(t, {.window_ms = 2.5e3 + 0.5}, "circuit.detector.window");  // not a multiple of 1 ms
  expect_bad(t, {.window_ms = 3000.0}, "circuit.detector.window");       // longer than the trace
  expect_bad(t, {.line_length_threshold_mv_per_s = -1.0}, "circuit.detector.threshold");
  expect_bad(t, {.line_length_threshold_mv_per_s = std::nan("")}, "circuit.detector.threshold");
  expect_bad({0.0, t.v_mv}, {}, "circuit.lfp.dt");
  lfp_trace bad = t;
  bad.v_mv[100] = std::nan("");
  expect_bad(bad, {}, "circuit.lfp");
}

}  // namespace
