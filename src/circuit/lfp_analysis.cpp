// SPDX-License-Identifier: MIT
#include <benzosim/circuit/lfp_analysis.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <iterator>
#include <numbers>
#include <string>
#include <string_view>
#include <vector>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/fft.hpp>

namespace benzosim::circuit {
namespace {

void require_trace(const lfp_trace& lfp) {
  require_positive("circuit.lfp.dt", lfp.dt_ms, "ms");
  if (lfp.v_mv.size() < 2) {
    throw invalid_parameter(
        "circuit.lfp", static_cast<double>(lfp.v_mv.size()),
        "circuit.lfp: the trace has " + std::to_string(lfp.v_mv.size()) + " samples; the read-outs need at least 2");
  }
  for (const double v : lfp.v_mv) {
    if (!std::isfinite(v))
      throw invalid_parameter("circuit.lfp", v, "circuit.lfp: the trace contains a non-finite value");
  }
}

/// The band of frequency f, or band_count if f lies outside [0.5, 100) Hz.
std::size_t band_of(double f_hz) {
  if (f_hz < band_edges_hz.front() || f_hz >= band_edges_hz.back()) return band_count;
  std::size_t k = 0;
  while (f_hz >= band_edges_hz[k + 1]) ++k;
  return k;
}

}  // namespace

std::string_view to_string(band b) {
  switch (b) {
    case band::delta:
      return "delta";
    case band::theta:
      return "theta";
    case band::alpha:
      return "alpha";
    case band::beta:
      return "beta";
    case band::gamma:
      return "gamma";
  }
  throw internal_error("circuit::to_string(band): unknown band");
}

lfp_spectrum spectrum(const lfp_trace& lfp, const spectrum_params& p) {
  require_trace(lfp);
  require_positive("circuit.spectrum.segment", p.segment_ms, "ms");
  const std::size_t n = lfp.v_mv.size();
  const double want = std::round(p.segment_ms / lfp.dt_ms);
  if (want < 2.0) {
    throw invalid_parameter("circuit.spectrum.segment", p.segment_ms,
                            "circuit.spectrum.segment = " + format_value(p.segment_ms) +
                                " ms; must hold at least 2 samples of " + format_value(lfp.dt_ms) + " ms");
  }
  if (want > 1e8) {
    throw invalid_parameter(
        "circuit.spectrum.segment", p.segment_ms,
        "circuit.spectrum.segment = " + format_value(p.segment_ms) + " ms; must hold at most 1e8 samples");
  }
  const std::size_t len = std::min(n, static_cast<std::size_t>(want));  // samples per segment
  const std::size_t step = std::max<std::size_t>(1, len / 2);           // 50 % overlap
  const std::size_t segments = 1 + (n - len) / step;
  const std::size_t nfft = next_power_of_two(len);
  const double fs_hz = 1000.0 / lfp.dt_ms;

  // Periodic Hann window and its power U = sum w^2.
  std::vector<double> window(len);
  double u = 0.0;
  for (std::size_t i = 0; i < len; ++i) {
    window[i] = 0.5 * (1.0 - std::cos(2.0 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(len)));
    u += window[i] * window[i];
  }

  lfp_spectrum out{};
  out.resolution_hz = fs_hz / static_cast<double>(nfft);
  out.segments = static_cast<int>(segments);
  out.freq_hz.resize(nfft / 2 + 1);
  out.psd_mv2_per_hz.assign(nfft / 2 + 1, 0.0);
  for (std::size_t k = 0; k < out.freq_hz.size(); ++k) out.freq_hz[k] = static_cast<double>(k) * out.resolution_hz;

  std::vector<double> seg(len);
  for (std::size_t s = 0; s < segments; ++s) {
    const std::size_t start = s * step;
    double mean = 0.0;
    for (std::size_t i = 0; i < len; ++i) mean += lfp.v_mv[start + i];
    mean /= static_cast<double>(len);
    for (std::size_t i = 0; i < len; ++i) seg[i] = (lfp.v_mv[start + i] - mean) * window[i];
    const std::vector<std::complex<double>> x = rfft(seg, nfft);
    for (std::size_t k = 0; k < x.size(); ++k) {
      // One-sided density: the bins strictly between 0 and Nyquist carry their negative-frequency twin.
      const double twin = (k == 0 || 2 * k == nfft) ? 1.0 : 2.0;
      out.psd_mv2_per_hz[k] += twin * std::norm(x[k]) / (fs_hz * u);
    }
  }
  for (double& v : out.psd_mv2_per_hz) v /= static_cast<double>(segments);

  out.band_power_mv2.fill(0.0);
  out.band_fraction.fill(0.0);
  out.total_power_mv2 = 0.0;
  out.dominant_hz = 0.0;
  double best = -1.0;
  for (std::size_t k = 0; k < out.freq_hz.size(); ++k) {
    const std::size_t b = band_of(out.freq_hz[k]);
    if (b == band_count) continue;
    const double power = out.psd_mv2_per_hz[k] * out.resolution_hz;
    out.band_power_mv2[b] += power;
    out.total_power_mv2 += power;
    if (out.psd_mv2_per_hz[k] > best) {
      best = out.psd_mv2_per_hz[k];
      out.dominant_hz = out.freq_hz[k];
    }
  }
  if (out.total_power_mv2 > 0.0) {
    for (std::size_t b = 0; b < band_count; ++b) out.band_fraction[b] = out.band_power_mv2[b] / out.total_power_mv2;
  }
  return out;
}

event_readout paroxysmal_events(const lfp_trace& lfp, const event_params& p) {
  require_trace(lfp);
  require_positive("circuit.events.threshold", p.threshold_mv, "mV");
  require_non_negative("circuit.events.refractory", p.refractory_ms, "ms");
  std::vector<double> sorted = lfp.v_mv;
  const std::size_t n = sorted.size();
  const auto mid = sorted.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(sorted.begin(), mid, sorted.end());
  double median = *mid;
  if (n % 2 == 0) median = 0.5 * (median + *std::max_element(sorted.begin(), mid));

  event_readout r{};
  r.median_mv = median;
  r.max_deflection_mv = lfp.v_mv.front() - median;
  const double level = median + p.threshold_mv;
  // Refractory time in whole sampling intervals (an event at sample j may start at sample i >= j + gap).
  const auto gap = static_cast<std::size_t>(std::ceil(p.refractory_ms / lfp.dt_ms - 1e-9));
  bool any = false;
  std::size_t last = 0;
  for (std::size_t i = 1; i < n; ++i) {
    r.max_deflection_mv = std::max(r.max_deflection_mv, lfp.v_mv[i] - median);
    if (lfp.v_mv[i] > level && lfp.v_mv[i - 1] <= level && (!any || i - last >= gap)) {
      ++r.events;
      any = true;
      last = i;
    }
  }
  const double duration_s = static_cast<double>(n - 1) * lfp.dt_ms * 1e-3;
  r.rate_per_s = static_cast<double>(r.events) / duration_s;
  return r;
}

std::string_view to_string(activity_type t) {
  switch (t) {
    case activity_type::background:
      return "background";
    case activity_type::sporadic_spikes:
      return "sporadic_spikes";
    case activity_type::spike_wave:
      return "spike_wave";
    case activity_type::slow_rhythmic:
      return "slow_rhythmic";
    case activity_type::low_voltage_rapid:
      return "low_voltage_rapid";
    case activity_type::quasi_sinusoidal:
      return "quasi_sinusoidal";
  }
  throw internal_error("circuit::to_string(activity_type): unknown type");
}

int wendling_number(activity_type t) {
  return static_cast<int>(t) + 1;
}

wendling_params activity_example(activity_type t) {
  struct gains {
    double b_mv, g_mv;
  };
  constexpr gains sets[] = {{50.0, 15.0}, {40.0, 15.0}, {25.0, 15.0}, {10.0, 15.0}, {5.0, 25.0}, {15.0, 0.0}};
  const auto k = static_cast<std::size_t>(t);
  if (k >= std::size(sets)) throw internal_error("circuit::activity_example: unknown type");
  wendling_params p = wendling_params::wendling_2002();
  p.A_mv = 5.0;
  p.B_mv = sets[k].b_mv;
  p.G_mv = sets[k].g_mv;
  return p;
}

activity_type classify(const lfp_readout& r, const classifier_params& p) {
  if (r.spike_rate_per_s >= p.sustained_spike_rate_per_s) return activity_type::spike_wave;
  if (r.spikes > 0) return activity_type::sporadic_spikes;
  if (r.seizure.sd_mv >= p.large_sd_mv) return activity_type::quasi_sinusoidal;
  const double rapid =
      r.band_fraction[static_cast<std::size_t>(band::beta)] + r.band_fraction[static_cast<std::size_t>(band::gamma)];
  if (rapid >= p.rapid_fraction) return activity_type::low_voltage_rapid;
  if (r.band_fraction[static_cast<std::size_t>(band::alpha)] >= p.rhythmic_alpha_fraction) {
    return activity_type::slow_rhythmic;
  }
  return activity_type::background;
}

lfp_readout analyse(const lfp_trace& lfp, const readout_params& p) {
  require_positive("circuit.classifier.sustained_spike_rate", p.classifier.sustained_spike_rate_per_s, "1/s");
  require_positive("circuit.classifier.large_sd", p.classifier.large_sd_mv, "mV");
  require_in_range("circuit.classifier.rapid_fraction", p.classifier.rapid_fraction, "", 0.0, 1.0);
  require_in_range("circuit.classifier.rhythmic_alpha_fraction", p.classifier.rhythmic_alpha_fraction, "", 0.0, 1.0);
  lfp_readout r{};
  r.seizure = detect(lfp, p.detector);
  const lfp_spectrum s = spectrum(lfp, p.spectrum);
  r.dominant_hz = s.dominant_hz;
  r.band_power_mv2 = s.band_power_mv2;
  r.band_fraction = s.band_fraction;
  const event_readout e = paroxysmal_events(lfp, p.events);
  r.spikes = e.events;
  r.spike_rate_per_s = e.rate_per_s;
  r.type = classify(r, p.classifier);
  return r;
}

}  // namespace benzosim::circuit
