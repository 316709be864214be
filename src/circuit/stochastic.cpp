// SPDX-License-Identifier: MIT
#include "stochastic.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include <Random123/philox.h>
#include <Random123/boxmuller.hpp>

namespace benzosim::circuit::detail {
namespace {

using philox = r123::Philox4x64;

/// Second key word of the map's seed derivation, so that derived seeds never coincide with a stream key.
constexpr std::uint64_t map_stream_tag = 0x6d61702d73656564ULL;  // "map-seed"

}  // namespace

double exp_moment(int n, double c_per_s, double h_s) {
  const double x = c_per_s * h_s;  // [-]
  if (x < 1.0) {
    // h^{n+1} sum_k (-x)^k / (k! (n + k + 1)); |terms| <= 1/k!, so 25 terms reach double precision.
    double sum = 0.0;
    double term = 1.0;  // (-x)^k / k!
    for (int k = 0; k < 25; ++k) {
      sum += term / static_cast<double>(n + k + 1);
      term *= -x / static_cast<double>(k + 1);
    }
    return std::pow(h_s, n + 1) * sum;
  }
  const double e = std::exp(-x);
  switch (n) {
    case 0:
      return -std::expm1(-x) / c_per_s;
    case 1:
      return (1.0 - e * (1.0 + x)) / (c_per_s * c_per_s);
    default:
      return (2.0 - e * (2.0 + 2.0 * x + x * x)) / (c_per_s * c_per_s * c_per_s);
  }
}

psp_propagator make_psp_propagator(double gain_mv, double rate_per_s, double step_s, double noise_intensity) {
  const double w = rate_per_s;
  const double h = step_s;
  const double e = std::exp(-w * h);
  psp_propagator p{};
  p.phi_yy = e * (1.0 + w * h);
  p.phi_yv = h * e;
  p.phi_vy = -w * w * h * e;
  p.phi_vv = e * (1.0 - w * h);
  // Input W w u held over the step: integral_0^h e^{M s} ds (0, 1)^T = (I1(w), h e^{-wh}).
  p.in_y = gain_mv * w * exp_moment(1, w, h);
  p.in_v = gain_mv * w * h * e;
  // Noise: covariance sigma^2 integral_0^h k k^T ds with k(s) = e^{-ws} (s, 1 - ws).
  const double s2 = noise_intensity * noise_intensity;
  const double i0 = exp_moment(0, 2.0 * w, h);
  const double i1 = exp_moment(1, 2.0 * w, h);
  const double i2 = exp_moment(2, 2.0 * w, h);
  const double cov_yy = s2 * i2;
  const double cov_yv = s2 * (i1 - w * i2);
  const double cov_vv = s2 * (i0 - 2.0 * w * i1 + w * w * i2);
  p.l_yy = std::sqrt(cov_yy);
  p.l_vy = p.l_yy > 0.0 ? cov_yv / p.l_yy : 0.0;
  p.l_vv = std::sqrt(std::max(0.0, cov_vv - p.l_vy * p.l_vy));
  return p;
}

normal_stream::normal_stream(std::uint64_t seed, std::uint64_t stream) : seed_(seed), stream_(stream) {}

double normal_stream::next() {
  if (used_ == 4) {
    const philox::key_type key = {{seed_, stream_}};
    const philox::ctr_type ctr = {{counter_, 0, 0, 0}};
    ++counter_;
    const philox::ctr_type bits = philox{}(ctr, key);
    const r123::double2 a = r123::boxmuller(bits[0], bits[1]);
    const r123::double2 b = r123::boxmuller(bits[2], bits[3]);
    buffer_[0] = a.x;
    buffer_[1] = a.y;
    buffer_[2] = b.x;
    buffer_[3] = b.y;
    used_ = 0;
  }
  return buffer_[used_++];
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t i, std::uint64_t j) {
  const philox::key_type key = {{seed, map_stream_tag}};
  const philox::ctr_type ctr = {{i, j, 0, 0}};
  return philox{}(ctr, key)[0];
}

}  // namespace benzosim::circuit::detail
