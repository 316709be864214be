// SPDX-License-Identifier: MIT
#include <benzosim/circuit/wendling.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>

#include "stochastic.hpp"

namespace benzosim::circuit {
namespace {

/// The input SD p_sd is defined for p(t) redrawn every 1 ms (as in the reference codes): the white-noise
/// intensity is p_sd * sqrt(1 ms).
constexpr double noise_reference_step_s = 1e-3;  // [s]
/// Key word of the simulation stream (the seed is the other key word).
constexpr std::uint64_t wendling_stream_tag = 0x77656e646c696e67ULL;  // "wendling"
/// Upper bounds for one run (~70 s of CPU, 800 MB of trace), so that a typo in dt or in the sampling
/// interval fails fast instead of hanging or exhausting memory.
constexpr double max_steps = 1e9;
constexpr double max_samples = 1e8;

/// The five PSP blocks; y_i is the PSP, v_i = y_i' (the states y0..y4 and y5..y9 of circuits.md).
enum block : std::size_t {
  pyramidal = 0,    ///< y0: pyramidal output onto the interneurons (A, a), input S(y1 - y2 - y3)
  excitatory = 1,   ///< y1: EPSP on pyramidal cells (A, a), input p(t) + C2 S(C1 y0)
  slow = 2,         ///< y2: slow dendritic IPSP (B, b), input C4 S(C3 y0)
  fast = 3,         ///< y3: fast somatic IPSP (G, g), input C7 S(C5 y0 - C6 y4)
  slow_to_fast = 4  ///< y4: slow IPSP onto the fast interneurons (B, b), input S(C3 y0)
};
constexpr std::size_t n_blocks = 5;

[[noreturn]] void fail(const std::string& name, double value, const std::string& message) {
  throw invalid_parameter(name, value, message);
}

inline void advance(const detail::psp_propagator& p, double& y, double& v, double u) {
  const double y_new = p.phi_yy * y + p.phi_yv * v + p.in_y * u;
  const double v_new = p.phi_vy * y + p.phi_vv * v + p.in_v * u;
  y = y_new;
  v = v_new;
}

}  // namespace

wendling_params wendling_params::wendling_2002() {
  return wendling_params{.A_mv = 3.25,
                         .B_mv = 22.0,
                         .G_mv = 10.0,
                         .a_per_s = 100.0,
                         .b_per_s = 50.0,
                         .g_per_s = 500.0,
                         .C = 135.0,
                         .e0_per_s = 2.5,
                         .v0_mv = 6.0,
                         .r_per_mv = 0.56,
                         .p_mean = 90.0,
                         .p_sd = 30.0};
}

wendling_params wendling_params::wendling_2005_hippocampal() {
  // ModelDB 97983, wendling_model_C_code/EEGmodel.c: A 3.5, B 20, G 15, a 100, b 30, g 350, the same C,
  // C1..C7, sigmoid and input (coefMultP 30 x N(3, 1) = 90 +- 30 pulses/s).
  wendling_params p = wendling_2002();
  p.A_mv = 3.5;
  p.B_mv = 20.0;
  p.G_mv = 15.0;
  p.b_per_s = 30.0;
  p.g_per_s = 350.0;
  return p;
}

wendling_params wendling_params::jansen_rit_1995() {
  // Jansen & Rit 1995 (Biol Cybern 73:357): A 3.25, B 22, a 100, b 50, C 135, C1..C4 as here, e0 2.5,
  // v0 6, r 0.56; p(t) uniform on [120, 320] pulses/s, i.e. mean 220 and SD 200 / sqrt(12).
  wendling_params p = wendling_2002();
  p.G_mv = 0.0;
  p.p_mean = 220.0;
  p.p_sd = 200.0 / std::sqrt(12.0);
  return p;
}

wendling_params wendling_params::seizure_prone() {
  // A = 5 mV, G = 15 mV and B = 39.5 mV: at the edge of the spike-wave region, where the noise switches
  // the circuit between background and spike-wave episodes (about 40 % of the time flagged, ~5 episodes
  // per 20 s). How it was chosen: docs/circuit.md, "Seizure-prone baseline".
  wendling_params p = wendling_2002();
  p.A_mv = 5.0;
  p.B_mv = 39.5;
  p.G_mv = 15.0;
  return p;
}

void wendling_params::validate() const {
  require_non_negative("circuit.A", A_mv, "mV");
  require_non_negative("circuit.B", B_mv, "mV");
  require_non_negative("circuit.G", G_mv, "mV");
  require_positive("circuit.a", a_per_s, "1/s");
  require_positive("circuit.b", b_per_s, "1/s");
  require_positive("circuit.g", g_per_s, "1/s");
  require_positive("circuit.C", C, "");
  require_positive("circuit.e0", e0_per_s, "1/s");
  require_finite("circuit.v0", v0_mv, "mV");
  require_positive("circuit.r", r_per_mv, "1/mV");
  require_non_negative("circuit.p_mean", p_mean, "pulses/s");
  require_non_negative("circuit.p_sd", p_sd, "pulses/s");
}

wendling_params apply_modulation(const wendling_params& p, const pd::gabaa_factors& slow_f,
                                 const pd::gabaa_factors& fast_f) {
  require_positive("circuit.slow.amplitude", slow_f.amplitude, "");
  require_positive("circuit.slow.decay", slow_f.decay, "");
  require_positive("circuit.fast.amplitude", fast_f.amplitude, "");
  require_positive("circuit.fast.decay", fast_f.decay, "");
  wendling_params q = p;
  // Amplitude scales the kernel gain W; a longer decay is a smaller rate w (the kernel peak W/e stays,
  // its integral W/w grows by the decay factor).
  q.B_mv = p.B_mv * slow_f.amplitude;
  q.b_per_s = p.b_per_s / slow_f.decay;
  q.G_mv = p.G_mv * fast_f.amplitude;
  q.g_per_s = p.g_per_s / fast_f.decay;
  return q;
}

namespace detail {

void validate(const simulation_options& o) {
  require_positive("circuit.dt", o.dt_ms, "ms");
  require_positive("circuit.duration", o.duration_ms, "ms");
  require_non_negative("circuit.transient", o.transient_ms, "ms");
  require_positive("circuit.record_every", o.record_every_ms, "ms");
  const double ratio = o.record_every_ms / o.dt_ms;
  const double whole = std::round(ratio);
  if (whole < 1.0 || std::abs(ratio - whole) > 1e-9 * ratio) {
    fail("circuit.record_every", o.record_every_ms,
         "circuit.record_every = " + format_value(o.record_every_ms) +
             " ms; must be a whole multiple of circuit.dt = " + format_value(o.dt_ms) + " ms");
  }
  if (o.duration_ms < o.record_every_ms) {
    fail("circuit.duration", o.duration_ms,
         "circuit.duration = " + format_value(o.duration_ms) +
             " ms; must be >= circuit.record_every = " + format_value(o.record_every_ms) + " ms");
  }
  if ((o.duration_ms + o.transient_ms) / o.dt_ms > max_steps) {
    fail("circuit.dt", o.dt_ms,
         "circuit.dt = " + format_value(o.dt_ms) + " ms; must give at most 1e9 steps for " +
             "circuit.transient + circuit.duration = " + format_value(o.duration_ms + o.transient_ms) + " ms");
  }
  if (o.duration_ms / o.record_every_ms > max_samples) {
    fail("circuit.record_every", o.record_every_ms,
         "circuit.record_every = " + format_value(o.record_every_ms) +
             " ms; must give at most 1e8 samples for circuit.duration = " + format_value(o.duration_ms) + " ms");
  }
}

}  // namespace detail

lfp_trace simulate(const wendling_params& p, const simulation_options& o) {
  p.validate();
  detail::validate(o);

  const double h_s = o.dt_ms * 1e-3;  // the one ms -> s conversion of the circuit layer [s]
  const auto steps_per_record = static_cast<std::int64_t>(std::llround(o.record_every_ms / o.dt_ms));
  const auto n_transient = static_cast<std::int64_t>(std::llround(o.transient_ms / o.dt_ms));
  const auto n_records = static_cast<std::int64_t>(std::floor(o.duration_ms / o.record_every_ms + 1e-9));

  // White noise of intensity p_sd * sqrt(1 ms) on p(t), entering the EPSP block through A a.
  const double noise = p.A_mv * p.a_per_s * p.p_sd * std::sqrt(noise_reference_step_s);  // [mV/s^1.5]
  const detail::psp_propagator prop_a = detail::make_psp_propagator(p.A_mv, p.a_per_s, h_s, 0.0);
  const detail::psp_propagator prop_in = detail::make_psp_propagator(p.A_mv, p.a_per_s, h_s, noise);
  const detail::psp_propagator prop_b = detail::make_psp_propagator(p.B_mv, p.b_per_s, h_s, 0.0);
  const detail::psp_propagator prop_g = detail::make_psp_propagator(p.G_mv, p.g_per_s, h_s, 0.0);

  const double c1 = p.C;
  const double c2 = 0.8 * p.C;
  const double c3 = 0.25 * p.C;
  const double c4 = 0.25 * p.C;
  const double c5 = 0.3 * p.C;
  const double c6 = 0.1 * p.C;
  const double c7 = 0.8 * p.C;
  const double two_e0 = 2.0 * p.e0_per_s;
  const auto sigmoid = [&](double v_mv) { return two_e0 / (1.0 + std::exp(p.r_per_mv * (p.v0_mv - v_mv))); };

  double y[n_blocks] = {0.0, 0.0, 0.0, 0.0, 0.0};  // [mV]
  double v[n_blocks] = {0.0, 0.0, 0.0, 0.0, 0.0};  // [mV/s]
  detail::normal_stream rng(o.seed, wendling_stream_tag);

  const auto step = [&] {
    // Firing rates [1/s] from the state at the start of the step, held over the step.
    const double s_c3 = sigmoid(c3 * y[pyramidal]);
    const double u_pyramidal = sigmoid(y[excitatory] - y[slow] - y[fast]);
    const double u_excitatory = p.p_mean + c2 * sigmoid(c1 * y[pyramidal]);
    const double u_slow = c4 * s_c3;
    const double u_fast = c7 * sigmoid(c5 * y[pyramidal] - c6 * y[slow_to_fast]);
    const double u_slow_to_fast = s_c3;
    const double z1 = rng.next();
    const double z2 = rng.next();
    advance(prop_a, y[pyramidal], v[pyramidal], u_pyramidal);
    advance(prop_in, y[excitatory], v[excitatory], u_excitatory);
    y[excitatory] += prop_in.l_yy * z1;
    v[excitatory] += prop_in.l_vy * z1 + prop_in.l_vv * z2;
    advance(prop_b, y[slow], v[slow], u_slow);
    advance(prop_g, y[fast], v[fast], u_fast);
    advance(prop_b, y[slow_to_fast], v[slow_to_fast], u_slow_to_fast);
  };
  const auto lfp_mv = [&] {
    const double value = y[excitatory] - y[slow] - y[fast];
    if (!std::isfinite(value)) throw internal_error("circuit.simulate: the LFP became non-finite");
    return value;
  };

  for (std::int64_t n = 0; n < n_transient; ++n) step();
  lfp_trace out{.dt_ms = o.record_every_ms, .v_mv = {}};
  out.v_mv.reserve(static_cast<std::size_t>(n_records) + 1);
  out.v_mv.push_back(lfp_mv());
  for (std::int64_t k = 0; k < n_records; ++k) {
    for (std::int64_t s = 0; s < steps_per_record; ++s) step();
    out.v_mv.push_back(lfp_mv());
  }
  return out;
}

}  // namespace benzosim::circuit
