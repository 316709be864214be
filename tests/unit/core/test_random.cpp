// SPDX-License-Identifier: MIT
#include <cmath>
#include <cstdint>
#include <vector>

#include <Random123/philox.h>
#include <gtest/gtest.h>

#include <benzosim/core/random.hpp>

namespace {

using benzosim::random_stream;

constexpr std::uint64_t seed = 20240611;
constexpr std::uint64_t purpose_iiv = 1;
constexpr std::uint64_t pop_draw = 0x706f702d64726177;  // the documented fourth counter word

struct moments {
  double mean, var, skew, kurt;
};

/// Two-pass central moments in long double.
moments central_moments(const std::vector<double>& x) {
  const auto n = static_cast<long double>(x.size());
  long double sum = 0;
  for (double v : x) sum += v;
  const long double m = sum / n;
  long double s2 = 0, s3 = 0, s4 = 0;
  for (double v : x) {
    const long double d = v - m;
    s2 += d * d;
    s3 += d * d * d;
    s4 += d * d * d * d;
  }
  const long double m2 = s2 / n;
  return {static_cast<double>(m), static_cast<double>(s2 / (n - 1)), static_cast<double>(s3 / n / std::pow(m2, 1.5L)),
          static_cast<double>(s4 / n / (m2 * m2))};
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const auto n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

TEST(random_stream, same_key_gives_the_same_draws) {
  random_stream a(seed, 3, 17, purpose_iiv);
  random_stream b(seed, 3, 17, purpose_iiv);
  for (int i = 0; i < 1000; ++i) {
    // Interleave the kinds of draw: the sequence depends only on the key and the calls.
    ASSERT_EQ(a.uniform(), b.uniform());
    ASSERT_EQ(a.normal(), b.normal());
    ASSERT_EQ(a.normal(), b.normal());
    ASSERT_EQ(a.normal(), b.normal());
  }
}

TEST(random_stream, draws_do_not_depend_on_the_order_subjects_are_processed) {
  constexpr std::uint64_t n_subjects = 64;
  std::vector<std::vector<double>> forward(n_subjects), backward(n_subjects), interleaved(n_subjects);
  for (std::uint64_t s = 0; s < n_subjects; ++s) {
    random_stream r(seed, 0, s, purpose_iiv);
    for (int i = 0; i < 7; ++i) forward[s].push_back(r.normal());
  }
  for (std::uint64_t s = n_subjects; s-- > 0;) {
    random_stream r(seed, 0, s, purpose_iiv);
    for (int i = 0; i < 7; ++i) backward[s].push_back(r.normal());
  }
  // Round-robin, as a scheduler might hand out work: one draw of each subject in turn.
  std::vector<random_stream> streams;
  for (std::uint64_t s = 0; s < n_subjects; ++s) streams.emplace_back(seed, 0, s, purpose_iiv);
  for (int i = 0; i < 7; ++i) {
    for (std::uint64_t s = n_subjects; s-- > 0;) interleaved[s].push_back(streams[s].normal());
  }
  EXPECT_EQ(forward, backward);
  EXPECT_EQ(forward, interleaved);
}

TEST(random_stream, each_key_field_changes_the_draws) {
  const double base = random_stream(seed, 1, 2, 3).uniform();
  EXPECT_NE(base, random_stream(seed + 1, 1, 2, 3).uniform());
  EXPECT_NE(base, random_stream(seed, 2, 2, 3).uniform());
  EXPECT_NE(base, random_stream(seed, 1, 3, 3).uniform());
  EXPECT_NE(base, random_stream(seed, 1, 2, 4).uniform());
  // Swapping fields is a different stream too (key and counter words are not interchangeable).
  EXPECT_NE(base, random_stream(seed, 2, 1, 3).uniform());
  EXPECT_NE(random_stream(5, 0, 0, 7).uniform(), random_stream(7, 0, 0, 5).uniform());
}

TEST(random_stream, follows_the_documented_philox_layout) {
  // key = (seed, purpose), counter = (replicate, subject, block, "pop-draw"); word j of the stream is word
  // j % 4 of block j / 4; uniform = ((word >> 12) + 1/2) 2^-52.
  const std::uint64_t replicate = 9, subject = 123456789, purpose = 42;
  random_stream r(seed, replicate, subject, purpose);
  for (std::uint64_t j = 0; j < 40; ++j) {
    const r123::Philox4x64::ctr_type ctr = {{replicate, subject, j / 4, pop_draw}};
    const r123::Philox4x64::key_type key = {{seed, purpose}};
    const std::uint64_t word = r123::Philox4x64{}(ctr, key)[j % 4];
    ASSERT_EQ(r.uniform(), (static_cast<double>(word >> 12) + 0.5) * 0x1p-52) << "word " << j;
  }
}

TEST(random_stream, known_answers) {
  // The generator itself: Random123's published known-answer vector for Philox4x64-10 at counter 0, key 0.
  const r123::Philox4x64::ctr_type zero_ctr = {{0, 0, 0, 0}};
  const r123::Philox4x64::key_type zero_key = {{0, 0}};
  const r123::Philox4x64::ctr_type kat = r123::Philox4x64{}(zero_ctr, zero_key);
  EXPECT_EQ(kat[0], 0x16554d9eca36314cULL);
  EXPECT_EQ(kat[1], 0xdb20fe9d672d0fdcULL);
  EXPECT_EQ(kat[2], 0xd7e772cee186176bULL);
  EXPECT_EQ(kat[3], 0x7e68b68aec7ba23bULL);
  // The first uniforms of stream (0, 0, 0, 0), pinned so that a change of layout (which would change every
  // population result) cannot go unnoticed. Exact integer arithmetic: these hold on every platform.
  random_stream r(0, 0, 0, 0);
  const std::vector<double> expected = {0x1.f610d7be09803p-1, 0x1.87521a510a1e5p-1, 0x1.27ebbbfa959efp-1,
                                        0x1.fce43c0d6910bp-1, 0x1.0f6a3f44d8f0dp-1};
  for (double e : expected) EXPECT_EQ(r.uniform(), e);
  // Normals go through libm's log, sin and cos, which may differ in the last bit between platforms (never
  // between threads or ranks of one build): compared to 1e-14 relative.
  random_stream z(0, 0, 0, 0);
  for (double e : {0x1.22fbf5ce8e569p-6, -0x1.93c7d8660799fp-3, 0x1.0bde4a177635p+0, -0x1.47247f7bf7876p-5}) {
    EXPECT_NEAR(z.normal(), e, 1e-14 * std::abs(e));
  }
}

TEST(random_stream, uniform_is_open_and_has_uniform_moments) {
  constexpr std::size_t n = 1'000'000;
  random_stream r(seed, 0, 0, purpose_iiv);
  std::vector<double> u(n);
  for (double& v : u) v = r.uniform();
  for (double v : u) ASSERT_TRUE(v > 0.0 && v < 1.0) << v;
  const moments m = central_moments(u);
  // Tolerance: 5 standard errors. SE(mean) = sqrt(1/12 / n) = 2.9e-4; SE(var) = sqrt((1/80 - 1/144) / n) = 7.5e-5.
  EXPECT_NEAR(m.mean, 0.5, 5 * std::sqrt(1.0 / 12.0 / n));
  EXPECT_NEAR(m.var, 1.0 / 12.0, 5 * std::sqrt((1.0 / 80.0 - 1.0 / 144.0) / n));
  // Chi-square over 100 equal bins: 99 degrees of freedom, mean 99, sd 14; accept below 99 + 5 * 14.
  std::vector<double> bins(100, 0.0);
  for (double v : u) bins[static_cast<std::size_t>(v * 100)] += 1;
  double chi2 = 0;
  for (double b : bins) chi2 += (b - n / 100.0) * (b - n / 100.0) / (n / 100.0);
  EXPECT_LT(chi2, 99 + 5 * std::sqrt(2 * 99.0));
}

TEST(random_stream, normal_has_standard_normal_moments) {
  constexpr std::size_t n = 1'000'000;
  random_stream r(seed, 0, 0, purpose_iiv);
  std::vector<double> z(n);
  r.normals(z);
  const moments m = central_moments(z);
  // Tolerance: 5 standard errors of each sample moment under N(0, 1):
  // SE(mean) = 1/sqrt(n), SE(var) = sqrt(2/n), SE(skew) = sqrt(6/n), SE(kurtosis) = sqrt(24/n).
  const double rn = std::sqrt(static_cast<double>(n));
  EXPECT_NEAR(m.mean, 0.0, 5 / rn);
  EXPECT_NEAR(m.var, 1.0, 5 * std::sqrt(2.0) / rn);
  EXPECT_NEAR(m.skew, 0.0, 5 * std::sqrt(6.0) / rn);
  EXPECT_NEAR(m.kurt, 3.0, 5 * std::sqrt(24.0) / rn);
  // Tail mass: P(|Z| > 1.96) = 0.05, SE = sqrt(0.05 * 0.95 / n).
  double tail = 0;
  for (double v : z) tail += std::abs(v) > 1.959963984540054 ? 1 : 0;
  EXPECT_NEAR(tail / n, 0.05, 5 * std::sqrt(0.05 * 0.95 / n));
}

TEST(random_stream, normals_equals_repeated_normal) {
  for (int prefix_uniforms = 0; prefix_uniforms < 3; ++prefix_uniforms) {
    for (int prefix_normals = 0; prefix_normals < 3; ++prefix_normals) {
      for (std::size_t len : {0, 1, 2, 3, 4, 5, 7, 8, 13, 64}) {
        random_stream a(seed, 1, 2, 3), b(seed, 1, 2, 3);
        for (int i = 0; i < prefix_uniforms; ++i) EXPECT_EQ(a.uniform(), b.uniform());
        for (int i = 0; i < prefix_normals; ++i) EXPECT_EQ(a.normal(), b.normal());
        std::vector<double> bulk(len);
        a.normals(bulk);
        for (std::size_t i = 0; i < len; ++i) ASSERT_EQ(bulk[i], b.normal()) << len << " " << i;
        // And the streams stay in step afterwards.
        EXPECT_EQ(a.uniform(), b.uniform());
        EXPECT_EQ(a.normal(), b.normal());
      }
    }
  }
}

TEST(random_stream, neighbouring_subjects_are_uncorrelated) {
  // Correlation of the first draws of subjects s and s + 1 (and of neighbouring replicates, purposes and
  // seeds): |r| < 4 / sqrt(n), i.e. 4 standard errors of a correlation under independence.
  constexpr std::uint64_t n = 100'000;
  const double bound = 4 / std::sqrt(static_cast<double>(n));
  std::vector<double> first(n + 1), first_normal(n + 1);
  for (std::uint64_t s = 0; s <= n; ++s) {
    first[s] = random_stream(seed, 0, s, purpose_iiv).uniform();
    first_normal[s] = random_stream(seed, 0, s, purpose_iiv).normal();
  }
  const std::vector<double> a(first.begin(), first.end() - 1), b(first.begin() + 1, first.end());
  EXPECT_LT(std::abs(correlation(a, b)), bound);
  const std::vector<double> za(first_normal.begin(), first_normal.end() - 1);
  const std::vector<double> zb(first_normal.begin() + 1, first_normal.end());
  EXPECT_LT(std::abs(correlation(za, zb)), bound);

  std::vector<double> other_replicate(n), other_purpose(n), other_seed(n);
  for (std::uint64_t s = 0; s < n; ++s) {
    other_replicate[s] = random_stream(seed, 1, s, purpose_iiv).uniform();
    other_purpose[s] = random_stream(seed, 0, s, purpose_iiv + 1).uniform();
    other_seed[s] = random_stream(seed + 1, 0, s, purpose_iiv).uniform();
  }
  EXPECT_LT(std::abs(correlation(a, other_replicate)), bound);
  EXPECT_LT(std::abs(correlation(a, other_purpose)), bound);
  EXPECT_LT(std::abs(correlation(a, other_seed)), bound);
}

TEST(random_stream, successive_draws_are_uncorrelated) {
  constexpr std::size_t n = 100'000;
  random_stream r(seed, 0, 0, purpose_iiv);
  std::vector<double> z(n + 1);
  r.normals(z);
  const std::vector<double> a(z.begin(), z.end() - 1), b(z.begin() + 1, z.end());
  EXPECT_LT(std::abs(correlation(a, b)), 4 / std::sqrt(static_cast<double>(n)));
}

}  // namespace
