// SPDX-License-Identifier: MIT
#include <benzosim/core/fft.hpp>

#include <cmath>
#include <complex>
#include <cstddef>
#include <limits>
#include <numbers>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <benzosim/core/error.hpp>

namespace benzosim {

std::size_t next_power_of_two(std::size_t n) {
  std::size_t p = 1;
  while (p < n) {
    if (p > std::numeric_limits<std::size_t>::max() / 2) {
      throw invalid_parameter("fft.n", static_cast<double>(n),
                              "fft: n = " + std::to_string(n) + " has no power of two >= it in a size_t");
    }
    p *= 2;
  }
  return p;
}

void fft_in_place(std::span<std::complex<double>> x, bool inverse) {
  const std::size_t n = x.size();
  if (!is_power_of_two(n)) {
    throw invalid_parameter("fft.n", static_cast<double>(n),
                            "fft: n = " + std::to_string(n) + "; must be a power of two (1, 2, 4, ...)");
  }
  if (n == 1) return;
  // Bit-reversal permutation.
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; (j & bit) != 0; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(x[i], x[j]);
  }
  // Twiddles w^k = e^{-+2 pi i k / n}, k < n/2, each from its own angle (no recurrence, so no drift).
  const double sign = inverse ? 1.0 : -1.0;
  std::vector<std::complex<double>> w(n / 2);
  for (std::size_t k = 0; k < n / 2; ++k) {
    const double angle = sign * 2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n);
    w[k] = {std::cos(angle), std::sin(angle)};
  }
  // Butterflies: blocks of length len combine two halves with the twiddles of stride n / len.
  for (std::size_t len = 2; len <= n; len *= 2) {
    const std::size_t half = len / 2;
    const std::size_t stride = n / len;
    for (std::size_t start = 0; start < n; start += len) {
      for (std::size_t k = 0; k < half; ++k) {
        const std::complex<double> t = w[k * stride] * x[start + k + half];
        const std::complex<double> u = x[start + k];
        x[start + k] = u + t;
        x[start + k + half] = u - t;
      }
    }
  }
}

std::vector<std::complex<double>> rfft(std::span<const double> x, std::size_t n) {
  if (!is_power_of_two(n) || n < x.size()) {
    throw invalid_parameter(
        "fft.n", static_cast<double>(n),
        "fft: n = " + std::to_string(n) + "; must be a power of two >= the " + std::to_string(x.size()) + " samples");
  }
  std::vector<std::complex<double>> z(n, {0.0, 0.0});
  for (std::size_t i = 0; i < x.size(); ++i) z[i] = {x[i], 0.0};
  fft_in_place(z);
  z.resize(n / 2 + 1);
  return z;
}

}  // namespace benzosim
