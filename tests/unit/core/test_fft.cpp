// SPDX-License-Identifier: MIT
// The radix-2 FFT against a direct DFT evaluated in long double, the inverse round trip, the real-input
// transform, Parseval's identity and the size checks.
#include <cmath>
#include <complex>
#include <cstddef>
#include <numbers>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/error.hpp>
#include <benzosim/core/fft.hpp>

namespace {

using cd = std::complex<double>;

/// X[k] = sum_n x[n] e^{-2 pi i k n / N}, summed in long double with exactly reduced angles.
std::vector<cd> direct_dft(const std::vector<cd>& x) {
  const std::size_t n = x.size();
  std::vector<cd> out(n);
  for (std::size_t k = 0; k < n; ++k) {
    long double re = 0.0L, im = 0.0L;
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t kj = (k * j) % n;  // exact angle reduction
      const long double a =
          -2.0L * std::numbers::pi_v<long double> * static_cast<long double>(kj) / static_cast<long double>(n);
      const long double c = std::cos(a), s = std::sin(a);
      re += static_cast<long double>(x[j].real()) * c - static_cast<long double>(x[j].imag()) * s;
      im += static_cast<long double>(x[j].real()) * s + static_cast<long double>(x[j].imag()) * c;
    }
    out[k] = {static_cast<double>(re), static_cast<double>(im)};
  }
  return out;
}

std::vector<cd> random_signal(std::size_t n, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  std::vector<cd> x(n);
  for (cd& v : x) v = {z(gen), z(gen)};
  return x;
}

double max_abs(const std::vector<cd>& x) {
  double m = 0.0;
  for (const cd& v : x) m = std::max(m, std::abs(v));
  return m;
}

TEST(fft, matches_a_direct_dft_for_every_power_of_two_to_1024) {
  for (std::size_t n = 1; n <= 1024; n *= 2) {
    const std::vector<cd> x = random_signal(n, static_cast<unsigned>(n));
    std::vector<cd> y = x;
    benzosim::fft_in_place(y);
    const std::vector<cd> ref = direct_dft(x);
    const double scale = max_abs(ref);
    for (std::size_t k = 0; k < n; ++k) {
      EXPECT_LT(std::abs(y[k] - ref[k]), 1e-14 * scale * (1.0 + std::log2(static_cast<double>(n))))
          << "n " << n << " k " << k;
    }
  }
}

TEST(fft, inverse_round_trip_and_parseval) {
  const std::size_t n = 4096;
  const std::vector<cd> x = random_signal(n, 7);
  std::vector<cd> y = x;
  benzosim::fft_in_place(y);
  // Parseval: sum |X|^2 = N sum |x|^2.
  double ex = 0.0, ey = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    ex += std::norm(x[i]);
    ey += std::norm(y[i]);
  }
  EXPECT_NEAR(ey / (static_cast<double>(n) * ex), 1.0, 1e-13);
  benzosim::fft_in_place(y, true);
  for (std::size_t i = 0; i < n; ++i) EXPECT_LT(std::abs(y[i] / static_cast<double>(n) - x[i]), 1e-13);
}

TEST(fft, a_pure_tone_lands_in_its_bin) {
  // cos(2 pi 5 t / N) has X[5] = X[N-5] = N/2 and nothing else.
  const std::size_t n = 64;
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = std::cos(2.0 * std::numbers::pi * 5.0 * static_cast<double>(i) / 64.0);
  const std::vector<cd> X = benzosim::rfft(x, n);
  ASSERT_EQ(X.size(), n / 2 + 1);
  for (std::size_t k = 0; k < X.size(); ++k) EXPECT_NEAR(std::abs(X[k]), k == 5 ? 32.0 : 0.0, 1e-12) << k;
}

TEST(fft, real_transform_zero_pads_and_matches_the_complex_one) {
  const std::vector<cd> z = random_signal(100, 3);
  std::vector<double> x(100);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = z[i].real();
  const std::vector<cd> X = benzosim::rfft(x, 128);
  std::vector<cd> padded(128, {0.0, 0.0});
  for (std::size_t i = 0; i < x.size(); ++i) padded[i] = {x[i], 0.0};
  const std::vector<cd> ref = direct_dft(padded);
  ASSERT_EQ(X.size(), 65u);
  for (std::size_t k = 0; k < X.size(); ++k) EXPECT_LT(std::abs(X[k] - ref[k]), 1e-12) << k;
}

TEST(fft, sizes_are_checked) {
  EXPECT_TRUE(benzosim::is_power_of_two(1));
  EXPECT_TRUE(benzosim::is_power_of_two(1024));
  EXPECT_FALSE(benzosim::is_power_of_two(0));
  EXPECT_FALSE(benzosim::is_power_of_two(1000));
  EXPECT_EQ(benzosim::next_power_of_two(0), 1u);
  EXPECT_EQ(benzosim::next_power_of_two(1), 1u);
  EXPECT_EQ(benzosim::next_power_of_two(2000), 2048u);
  EXPECT_EQ(benzosim::next_power_of_two(2048), 2048u);
  std::vector<cd> three(3);
  EXPECT_THROW(benzosim::fft_in_place(three), benzosim::invalid_parameter);
  std::vector<cd> none;
  EXPECT_THROW(benzosim::fft_in_place(none), benzosim::invalid_parameter);
  const std::vector<double> x(100, 1.0);
  EXPECT_THROW((void)benzosim::rfft(x, 64), benzosim::invalid_parameter);   // shorter than the data
  EXPECT_THROW((void)benzosim::rfft(x, 200), benzosim::invalid_parameter);  // not a power of two
}

}  // namespace
