// SPDX-License-Identifier: MIT
/// Private building blocks of the Wendling model: the exact one-step propagator of a PSP block, the
/// counter-based normal stream, and the option checks shared by simulate(), detect() and the map.
#pragma once

#include <cstdint>
#include <string>

#include <benzosim/circuit/wendling.hpp>

namespace benzosim::circuit::detail {

/// One PSP block y'' = W w u - 2 w y' - w^2 y + sigma xi(t) (xi white noise), advanced over a step h with
/// the input u held constant: (y, v)(t + h) = Phi (y, v)(t) + in * u + L (z1, z2), z1, z2 ~ N(0, 1).
/// Phi and `in` are exact for the linear part; L is the Cholesky factor of the exact covariance of the
/// noise integrated over the step. y in mV, v = y' in mV/s, u in 1/s, sigma in mV/s^1.5.
struct psp_propagator {
  double phi_yy, phi_yv, phi_vy, phi_vv;  ///< e^{M h} with M = [[0, 1], [-w^2, -2w]] [-, s, 1/s^2, -]
  double in_y, in_v;                      ///< response to a unit input held over the step [mV s, mV]
  double l_yy, l_vy, l_vv;                ///< Cholesky factor of the step noise covariance [mV, mV/s, mV/s]
};

/// gain_mv = W, rate_per_s = w, step_s = h, noise_intensity = sigma (0 for a noise-free block).
psp_propagator make_psp_propagator(double gain_mv, double rate_per_s, double step_s, double noise_intensity);

/// I_n = integral_0^h t^n e^{-c t} dt for n = 0, 1, 2, accurate also when c h is small.
double exp_moment(int n, double c_per_s, double h_s);

/// Standard normal numbers from Random123 Philox4x64 keyed by (seed, stream), Box-Muller. Deterministic:
/// the k-th number depends only on (seed, stream, k).
class normal_stream {
 public:
  normal_stream(std::uint64_t seed, std::uint64_t stream);
  double next();

 private:
  std::uint64_t seed_;
  std::uint64_t stream_;
  std::uint64_t counter_ = 0;
  double buffer_[4] = {0.0, 0.0, 0.0, 0.0};
  int used_ = 4;
};

/// A per-run seed derived from (seed, i, j) by one Philox evaluation (used for the map's replicates).
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t i, std::uint64_t j);

/// Checks simulation options (throws invalid_parameter naming the field).
void validate(const simulation_options& o);
/// Checks detector settings (throws invalid_parameter naming the field).
void validate(const detector_params& d);

}  // namespace benzosim::circuit::detail
