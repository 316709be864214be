// SPDX-License-Identifier: MIT
/// A small radix-2 fast Fourier transform (iterative Cooley-Tukey, decimation in time) for the circuit
/// layer's spectra. No dependency: FFTW is GPL and a power-of-two length is all the read-outs need
/// (a segment is zero-padded to the next power of two). Accuracy: ~1e-15 x sqrt(log2 n) relative to the
/// largest coefficient, checked against a direct DFT in tests/unit/core/test_fft.cpp.
#pragma once

#include <complex>
#include <cstddef>
#include <span>
#include <vector>

namespace benzosim {

/// True for 1, 2, 4, 8, ...
[[nodiscard]] constexpr bool is_power_of_two(std::size_t n) noexcept {
  return n != 0 && (n & (n - 1)) == 0;
}

/// The smallest power of two >= n (1 for n = 0). Throws invalid_parameter if that does not fit a size_t.
[[nodiscard]] std::size_t next_power_of_two(std::size_t n);

/// In place, unnormalised: X[k] = sum_n x[n] e^{-2 pi i k n / N} (forward) or with e^{+...} (inverse; apply
/// 1/N yourself). x.size() must be a power of two (1 included); throws invalid_parameter otherwise.
void fft_in_place(std::span<std::complex<double>> x, bool inverse = false);

/// The forward transform of real samples, zero-padded to `n` (a power of two >= x.size()): the n/2 + 1
/// coefficients X[0..n/2] (the rest are their conjugates). Throws invalid_parameter for a bad n.
[[nodiscard]] std::vector<std::complex<double>> rfft(std::span<const double> x, std::size_t n);

}  // namespace benzosim
