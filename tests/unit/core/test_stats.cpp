// SPDX-License-Identifier: MIT
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/bytes.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/random.hpp>
#include <benzosim/core/stats.hpp>

#include "test_support.hpp"

namespace {

using benzosim::quantile_sketch;
using benzosim::random_stream;
using benzosim::running_moments;

const std::vector<double> test_qs = {0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0};

// ---------------------------------------------------------------------------------------------------------
// Test data, drawn from benzosim's own reproducible streams.

std::vector<double> lognormal(std::size_t n, std::uint64_t subject = 0) {
  random_stream r(1, 0, subject, 0);
  std::vector<double> x(n);
  r.normals(x);
  for (double& v : x) v = std::exp(v);
  return x;
}

std::vector<double> normal_with_negatives(std::size_t n) {
  random_stream r(2, 0, 0, 0);
  std::vector<double> x(n);
  r.normals(x);
  for (double& v : x) v = 1.0 + 3.0 * v;
  return x;
}

std::vector<double> uniform(std::size_t n) {
  random_stream r(3, 0, 0, 0);
  std::vector<double> x(n);
  for (double& v : x) v = 10.0 * r.uniform();
  return x;
}

std::vector<double> constant(std::size_t n) {
  return std::vector<double>(n, 42.5);
}

/// 30 % exact zeros (both signs), the rest lognormal with random sign: zeros sit inside the quantile range.
std::vector<double> with_zeros(std::size_t n) {
  random_stream r(4, 0, 0, 0);
  std::vector<double> x(n);
  for (double& v : x) {
    const double u = r.uniform();
    const double z = std::exp(r.normal());
    v = u < 0.15 ? 0.0 : u < 0.3 ? -0.0 : u < 0.5 ? -z : z;
  }
  return x;
}

quantile_sketch sketch_of(const std::vector<double>& x, double alpha = 0.005,
                          std::size_t max_bins = quantile_sketch().max_bins_per_side()) {
  quantile_sketch s(alpha, max_bins);
  for (double v : x) s.add(v);
  return s;
}

// ---------------------------------------------------------------------------------------------------------
// running_moments

TEST(running_moments, matches_two_pass_formulas) {
  const std::vector<double> x = normal_with_negatives(100'000);
  running_moments m;
  for (double v : x) m.add(v);
  long double sum = 0;
  for (double v : x) sum += v;
  const long double mean = sum / x.size();
  long double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  ASSERT_EQ(m.count(), x.size());
  EXPECT_CLOSE_REL(m.mean(), static_cast<double>(mean), 1e-12);
  EXPECT_CLOSE_REL(m.variance(), static_cast<double>(ss / (x.size() - 1)), 1e-12);
  EXPECT_CLOSE_REL(m.sd(), std::sqrt(static_cast<double>(ss / (x.size() - 1))), 1e-12);
  EXPECT_EQ(m.min(), *std::min_element(x.begin(), x.end()));
  EXPECT_EQ(m.max(), *std::max_element(x.begin(), x.end()));
}

TEST(running_moments, merge_matches_a_single_pass) {
  const std::vector<double> x = lognormal(100'003);
  running_moments whole;
  for (double v : x) whole.add(v);
  for (std::size_t chunk : {1, 7, 1000, 65536, 200'000}) {
    running_moments merged;
    merged.merge(running_moments{});  // empty merges are no-ops
    for (std::size_t begin = 0; begin < x.size(); begin += chunk) {
      running_moments part;
      for (std::size_t i = begin; i < std::min(begin + chunk, x.size()); ++i) part.add(x[i]);
      merged.merge(part);
    }
    merged.merge(running_moments{});
    EXPECT_EQ(merged.count(), whole.count());
    EXPECT_CLOSE_REL(merged.mean(), whole.mean(), 1e-12);
    EXPECT_CLOSE_REL(merged.variance(), whole.variance(), 1e-12);
    EXPECT_EQ(merged.min(), whole.min());
    EXPECT_EQ(merged.max(), whole.max());
  }
}

TEST(running_moments, same_chunks_merged_in_the_same_order_are_bit_identical) {
  // What the population runner relies on: chunk c is always the same subjects, whichever thread computes it;
  // the partial results are merged in chunk order. Here the chunks are computed in two different orders.
  const std::vector<double> x = lognormal(50'000);
  constexpr std::size_t chunk = 1024;
  const std::size_t n_chunks = (x.size() + chunk - 1) / chunk;
  const auto run = [&](bool reverse) {
    std::vector<running_moments> parts(n_chunks);
    for (std::size_t k = 0; k < n_chunks; ++k) {
      const std::size_t c = reverse ? n_chunks - 1 - k : k;
      for (std::size_t i = c * chunk; i < std::min((c + 1) * chunk, x.size()); ++i) parts[c].add(x[i]);
    }
    running_moments total;
    for (const running_moments& p : parts) total.merge(p);
    return total;
  };
  const running_moments a = run(false), b = run(true);
  EXPECT_EQ(a.mean(), b.mean());
  EXPECT_EQ(a.m2(), b.m2());
  EXPECT_EQ(a.count(), b.count());
}

TEST(running_moments, undefined_statistics_throw_and_name_the_count) {
  running_moments m;
  EXPECT_EQ(m.count(), 0u);
  EXPECT_THROW(m.mean(), benzosim::invalid_parameter);
  EXPECT_THROW(m.min(), benzosim::invalid_parameter);
  m.add(2.5);
  EXPECT_EQ(m.mean(), 2.5);
  EXPECT_EQ(m.m2(), 0.0);
  try {
    (void)m.sd();
    FAIL();
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_EQ(e.name, "running_moments.count");
    EXPECT_NE(std::string(e.what()).find("must be >= 2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(m.add(std::nan("")), benzosim::invalid_parameter);
  EXPECT_THROW(m.add(std::numeric_limits<double>::infinity()), benzosim::invalid_parameter);
  EXPECT_EQ(m.count(), 1u);  // rejected values change nothing
}

// ---------------------------------------------------------------------------------------------------------
// exact quantiles

TEST(exact_quantile, matches_r_type_7_bit_for_bit) {
  // Reference: R 4.2.2, sprintf("%.17g", quantile(x, p, type = 7, names = FALSE)).
  const std::vector<double> x = {3.1, -2, 7.25, 0, 1e-3, 5, 5, 12.5, -7.75, 2.2, 0.1, 0.7};
  const std::vector<double> p = {0, 0.05, 0.1, 0.25, 1.0 / 3.0, 0.5, 0.75, 0.9, 0.95, 0.99, 1};
  const std::vector<double> r = {-7.75,
                                 -4.5875000000000004,
                                 -1.7999999999999998,
                                 0.00075000000000000002,
                                 0.066999999999999948,
                                 1.4500000000000002,
                                 5,
                                 7.0250000000000004,
                                 9.6124999999999972,
                                 11.922500000000003,
                                 12.5};
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_EQ(benzosim::exact_quantile(x, p[i]), r[i]) << "p = " << p[i];
  const std::vector<double> y = {0.3, 0.1, 0.2};
  EXPECT_EQ(benzosim::exact_quantile(y, 0.3), 0.16000000000000003);
  EXPECT_EQ(benzosim::exact_quantile(y, 0.7), 0.23999999999999999);
  EXPECT_EQ(benzosim::exact_quantile(y, 0.1), 0.12000000000000001);
  EXPECT_EQ(benzosim::exact_quantile({4.0}, 0.37), 4.0);
}

TEST(nearest_rank_quantile, is_the_order_statistic_nearest_to_type_7) {
  const std::vector<double> x = {50, 10, 40, 20, 30};  // sorted: 10 20 30 40 50; type 7 position h = 4 q
  EXPECT_EQ(benzosim::nearest_rank_quantile(x, 0.0), 10);
  EXPECT_EQ(benzosim::nearest_rank_quantile(x, 0.1), 10);    // h = 0.4
  EXPECT_EQ(benzosim::nearest_rank_quantile(x, 0.125), 20);  // h = 0.5, halves up
  EXPECT_EQ(benzosim::nearest_rank_quantile(x, 0.5), 30);
  EXPECT_EQ(benzosim::nearest_rank_quantile(x, 0.9), 50);  // h = 3.6
  EXPECT_EQ(benzosim::nearest_rank_quantile(x, 1.0), 50);
  EXPECT_EQ(benzosim::nearest_rank_index(0.95, 1000), 949u);  // h = 949.05
  EXPECT_EQ(benzosim::nearest_rank_index(1.0, 1), 0u);
  // Always one of the two order statistics that type 7 interpolates between.
  const std::vector<double> y = uniform(1001);
  std::vector<double> sorted = y;
  std::sort(sorted.begin(), sorted.end());
  for (double q = 0; q <= 1.0; q += 0.0137) {
    const double t7 = benzosim::exact_quantile(y, q);
    const double nr = benzosim::nearest_rank_quantile(y, q);
    const auto h = static_cast<std::size_t>(std::floor(1000 * q));
    EXPECT_TRUE(nr == sorted[h] || nr == sorted[std::min<std::size_t>(h + 1, 1000)]) << q;
    EXPECT_LE(std::abs(nr - t7), sorted[std::min<std::size_t>(h + 1, 1000)] - sorted[h]) << q;
  }
}

TEST(exact_quantile, rejects_bad_input_naming_the_field) {
  try {
    (void)benzosim::exact_quantile({1, 2, 3}, 1.5);
    FAIL();
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_EQ(e.name, "exact_quantile.q");
    EXPECT_EQ(std::string(e.what()), "exact_quantile.q = 1.5; must be in [0, 1]");
  }
  EXPECT_THROW((void)benzosim::exact_quantile({}, 0.5), benzosim::invalid_parameter);
  try {
    (void)benzosim::nearest_rank_quantile({1, std::nan(""), 3}, 0.5);
    FAIL();
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_EQ(e.name, "nearest_rank_quantile.values[1]");
  }
  EXPECT_THROW((void)benzosim::nearest_rank_quantile({1, 2}, -0.1), benzosim::invalid_parameter);
  EXPECT_THROW((void)benzosim::nearest_rank_index(0.5, 0), benzosim::invalid_parameter);
}

// ---------------------------------------------------------------------------------------------------------
// quantile_sketch

struct dataset {
  const char* name;
  std::function<std::vector<double>(std::size_t)> make;
};

const std::vector<dataset> datasets = {{"lognormal", [](std::size_t n) { return lognormal(n); }},
                                       {"normal", normal_with_negatives},
                                       {"uniform", uniform},
                                       {"constant", constant},
                                       {"with_zeros", with_zeros}};

TEST(quantile_sketch, relative_error_is_within_alpha_of_the_targeted_order_statistic) {
  for (const dataset& d : datasets) {
    for (std::size_t n : {1'000, 10'000, 100'000, 1'000'000}) {
      const std::vector<double> x = d.make(n);
      const quantile_sketch s = sketch_of(x);
      ASSERT_EQ(s.count(), n);
      EXPECT_FALSE(s.collapsed());
      for (double q : test_qs) {
        const double target = benzosim::nearest_rank_quantile(x, q);
        const double estimate = s.quantile(q);
        EXPECT_LE(std::abs(estimate - target), s.alpha() * std::abs(target))
            << d.name << " n = " << n << " q = " << q << ": estimate " << estimate << ", x_(k) " << target;
      }
      EXPECT_EQ(s.quantile(0), *std::min_element(x.begin(), x.end()));
      EXPECT_EQ(s.quantile(1), *std::max_element(x.begin(), x.end()));
    }
  }
}

TEST(quantile_sketch, bound_holds_at_every_rank_and_for_other_alphas) {
  // Enough bins that nothing collapses: with alpha = 1e-4, |ln x| < 6 needs 6 / 2e-4 = 30000 bins per side.
  for (double alpha : {1e-4, 0.001, 0.01, 0.05, 0.3}) {
    const std::vector<double> x = with_zeros(20'000);
    const quantile_sketch s = sketch_of(x, alpha, 1 << 16);
    ASSERT_FALSE(s.collapsed());
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i <= 2000; ++i) {
      const double q = static_cast<double>(i) / 2000.0;
      const double target = sorted[benzosim::nearest_rank_index(q, sorted.size())];
      ASSERT_LE(std::abs(s.quantile(q) - target), alpha * std::abs(target)) << "alpha " << alpha << " q " << q;
    }
  }
}

/// Whether the sketch's estimate of the middle value of {x / f, x, x f}, f = gamma^4, is within alpha |x| (plus
/// half the spacing of the subnormal grid below DBL_MIN, docs/statistics.md). The bins of x / f and x f lie at
/// least 4 bins away, so clamping to [min, max] cannot hide an error: this fails if the bin of x or its
/// representative is wrong.
::testing::AssertionResult middle_estimate_within_alpha(double alpha, double x) {
  const double f = std::pow((1 + alpha) / (1 - alpha), 4);
  const double tolerance =
      alpha * std::abs(x) + (std::abs(x) < std::numeric_limits<double>::min() ? 0.5 * 4.9406564584124654e-324 : 0.0);
  quantile_sketch s(alpha);
  for (double v : {x / f, x, x * f}) s.add(v);
  const double estimate = s.quantile(0.5);
  if (std::abs(estimate - x) <= tolerance) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "alpha " << alpha << " x " << x << ": estimate " << estimate
                                       << ", relative error " << std::abs(estimate - x) / std::abs(x);
}

TEST(quantile_sketch, bound_holds_at_bin_boundaries_and_extreme_magnitudes) {
  // x runs over the real bin edges (where the error of the representative is largest, up to alpha (1 - 1e-6)),
  // in bins at the start of an octave (the widest, ratio e^(1/k)) and at its end, their neighbouring doubles,
  // the powers of two and DBL_MIN with neighbours, and the nominal edges gamma^i of the exact logarithm: the
  // guarantee must survive the rounding of the index and of the representative.
  for (double alpha : {1e-6, 1e-4, 0.005, 0.1}) {
    const benzosim::detail::log_linear_mapping bins(alpha);
    const std::int64_t k = bins.bins_per_octave();
    const double gamma = (1 + alpha) / (1 - alpha);
    std::vector<double> xs;
    const auto with_neighbours = [&](double b) {
      if (!std::isfinite(b) || b == 0) return;
      xs.insert(xs.end(), {b, std::nextafter(b, 0.0), std::nextafter(b, 1e300)});
    };
    for (int octave = -1070; octave <= 1015; octave += 17) {
      const std::int64_t first = (octave + 1023) * k;
      for (std::int64_t i : {first, first + 1, first + k / 2, first + k - 1}) with_neighbours(bins.lower_edge(i));
      with_neighbours(std::ldexp(1.0, octave));
    }
    with_neighbours(std::numeric_limits<double>::min());
    for (int i = -3000; i <= 3000; i += 7) with_neighbours(std::pow(gamma, i));
    for (double x : xs) {
      ASSERT_TRUE(middle_estimate_within_alpha(alpha, x));
      ASSERT_TRUE(middle_estimate_within_alpha(alpha, -x));
    }
  }
}

TEST(quantile_sketch, every_value_is_within_alpha_of_its_estimate) {
  // A wide random sample: log-uniform from 1e-300 to 1e300, and subnormals (log-uniform from 2^-1074 to
  // DBL_MIN), both signs, for alphas from the smallest allowed to 0.5 (k = 1: whole octaves).
  random_stream r(12, 0, 0, 0);
  for (double alpha : {1e-6, 0.001, 0.005, 0.05, 0.5}) {
    for (int i = 0; i < 4000; ++i) {
      const double normal = std::exp(std::log(1e-300) + 2 * std::log(1e300) * r.uniform());
      const double subnormal = std::exp2(-1074.0 + 52.0 * r.uniform());
      for (double x : {normal, -normal, subnormal, -subnormal}) ASSERT_TRUE(middle_estimate_within_alpha(alpha, x));
    }
  }
}

TEST(quantile_sketch, merging_parts_equals_the_sketch_of_all_values) {
  for (std::size_t max_bins : {std::size_t{4096}, std::size_t{40}}) {  // 40: also when bins collapse
    std::vector<double> x = with_zeros(100'000);
    const std::vector<double> extra = normal_with_negatives(20'000);
    x.insert(x.end(), extra.begin(), extra.end());
    const quantile_sketch whole = sketch_of(x, 0.005, max_bins);
    EXPECT_EQ(whole.collapsed(), max_bins == 40);
    for (std::size_t parts : {2, 4, 7}) {
      // Uneven contiguous parts, and round-robin parts: two different groupings.
      std::vector<quantile_sketch> contiguous(parts, quantile_sketch(0.005, max_bins));
      std::vector<quantile_sketch> strided(parts, quantile_sketch(0.005, max_bins));
      for (std::size_t i = 0; i < x.size(); ++i) {
        contiguous[std::min(parts - 1, i * i / (x.size() * x.size() / parts))].add(x[i]);
        strided[i % parts].add(x[i]);
      }
      quantile_sketch in_order(0.005, max_bins), reversed(0.005, max_bins);
      for (std::size_t p = 0; p < parts; ++p) {
        in_order.merge(contiguous[p]);
        reversed.merge(strided[parts - 1 - p]);
      }
      // A pairwise tree, as MPI_Reduce might combine ranks.
      std::vector<quantile_sketch> level = strided;
      while (level.size() > 1) {
        std::vector<quantile_sketch> next;
        for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
          next.push_back(level[i + 1]);
          next.back().merge(level[i]);
        }
        if (level.size() % 2 == 1) next.push_back(level.back());
        level = next;
      }
      EXPECT_TRUE(in_order == whole) << parts << " parts, max_bins " << max_bins;
      EXPECT_TRUE(reversed == whole) << parts << " parts, max_bins " << max_bins;
      EXPECT_TRUE(level.front() == whole) << parts << " parts, max_bins " << max_bins;
      for (double q = 0; q <= 1; q += 0.01) {
        EXPECT_EQ(in_order.quantile(q), whole.quantile(q));
        EXPECT_EQ(reversed.quantile(q), whole.quantile(q));
        EXPECT_EQ(level.front().quantile(q), whole.quantile(q));
      }
    }
  }
  quantile_sketch a;
  a.add(1.0);
  a.merge(a);  // self-merge doubles the counts
  EXPECT_EQ(a.count(), 2u);
  EXPECT_FALSE(a == quantile_sketch{});
}

TEST(quantile_sketch, memory_of_a_million_lognormal_values_is_small) {
  const quantile_sketch s = sketch_of(lognormal(1'000'000));
  // sigma = 1 lognormal: |ln x| < 5.5, i.e. 16 octaves, 1600 bins of k = 100 per octave (12.8 KB); the window
  // holds at most a quarter more, and 64 bins.
  EXPECT_LT(s.memory_bytes(), 20'000u) << s.memory_bytes();
  // Whatever the data, each side holds at most max_bins_per_side counts of 8 bytes.
  quantile_sketch wide;
  random_stream r(6, 0, 0, 0);
  for (int i = 0; i < 100'000; ++i) wide.add((r.uniform() < 0.5 ? -1 : 1) * std::exp(-700 + 1400 * r.uniform()));
  EXPECT_TRUE(wide.collapsed());
  EXPECT_LE(wide.memory_bytes(), sizeof(quantile_sketch) + 2 * wide.max_bins_per_side() * 8);
}

TEST(quantile_sketch, collapsed_bins_lose_the_guarantee_only_at_small_magnitudes) {
  // 200 bins of alpha = 0.01 (k = 50 per octave) span 4 octaves, a ratio of 16 per side: values from 1e-6 to 1e6
  // collapse the small ones. Quantiles whose target lies in a kept bin keep the guarantee; the others are
  // reported at the lowest kept bin.
  const double alpha = 0.01;
  quantile_sketch s(alpha, 200);
  std::vector<double> x;
  random_stream r(7, 0, 0, 0);
  for (int i = 0; i < 10'000; ++i) x.push_back(std::exp(std::log(1e-6) + std::log(1e12) * r.uniform()));
  for (double v : x) s.add(v);
  EXPECT_TRUE(s.collapsed());
  const benzosim::detail::log_linear_mapping bins(alpha);
  ASSERT_EQ(bins.bins_per_octave(), 50);
  const std::int64_t lowest_kept = bins.index(*std::max_element(x.begin(), x.end())) - 199;
  int checked = 0;
  for (double q = 0; q <= 1; q += 0.001) {
    const double target = benzosim::nearest_rank_quantile(x, q);
    const double estimate = s.quantile(q);
    if (q == 0 || bins.index(target) >= lowest_kept) {  // q = 0: min(), exact
      EXPECT_LE(std::abs(estimate - target), alpha * target) << q;
      ++checked;
    } else {
      EXPECT_GE(estimate, bins.lower_edge(lowest_kept)) << q;
      EXPECT_LT(estimate, bins.lower_edge(lowest_kept + 1)) << q;
    }
  }
  EXPECT_GT(checked, 50);
  EXPECT_LT(checked, 900);  // most targets were collapsed
}

// ---------------------------------------------------------------------------------------------------------
// The bin index (detail::log_linear_mapping) and add_block

TEST(log_linear_mapping, bins_per_octave_are_ceil_of_one_over_ln_gamma) {
  // k = ceil(1 / ln gamma'), gamma' = (1 + alpha')/(1 - alpha'), alpha' = alpha (1 - 1e-6).
  EXPECT_EQ(benzosim::detail::log_linear_mapping(0.005).bins_per_octave(), 100);  // 1 / ln gamma' = 99.9992
  EXPECT_EQ(benzosim::detail::log_linear_mapping(0.001).bins_per_octave(), 501);  // 500.0003: the margin
  EXPECT_EQ(benzosim::detail::log_linear_mapping(0.05).bins_per_octave(), 10);
  EXPECT_EQ(benzosim::detail::log_linear_mapping(1e-6).bins_per_octave(), 500'001);
  EXPECT_EQ(benzosim::detail::log_linear_mapping(0.5).bins_per_octave(), 1);
  for (double alpha : {1e-6, 3e-5, 0.001, 0.005, 0.0123, 0.05, 0.3, 0.9}) {
    const double a = alpha * (1 - 1e-6);
    const double ln_gamma = std::log1p(a) - std::log1p(-a);
    const std::int64_t k = benzosim::detail::log_linear_mapping(alpha).bins_per_octave();
    EXPECT_LE(1.0 / static_cast<double>(k), ln_gamma) << alpha;  // a bin spans at most gamma'
    if (k > 1) {
      EXPECT_GT(1.0 / static_cast<double>(k - 1), ln_gamma) << alpha;  // and k is the smallest such
    }
  }
}

TEST(log_linear_mapping, index_is_monotone_exact_at_powers_of_two_and_inverted_by_the_edges) {
  const benzosim::detail::log_linear_mapping bins(0.005);
  const std::int64_t k = bins.bins_per_octave();
  constexpr double dbl_min = std::numeric_limits<double>::min();
  std::vector<double> xs;
  const auto with_neighbours = [&](double b) {
    double lo = b, hi = b;
    for (int i = 0; i < 3; ++i) {
      lo = std::nextafter(lo, 0.0);
      hi = std::nextafter(hi, 1e300);
      xs.insert(xs.end(), {lo, hi});
    }
    xs.push_back(b);
  };
  for (int e = -1074; e <= 1023; ++e) with_neighbours(std::ldexp(1.0, e));
  with_neighbours(dbl_min);
  with_neighbours(std::numeric_limits<double>::max());
  xs.push_back(std::numeric_limits<double>::denorm_min());
  random_stream r(13, 0, 0, 0);
  for (int i = 0; i < 20'000; ++i) {
    xs.push_back(std::exp2(-1074.0 + 2098.0 * r.uniform()));
    xs.push_back(std::exp2(-1030.0 + 16.0 * r.uniform()));  // around DBL_MIN
  }
  xs.erase(std::remove_if(xs.begin(), xs.end(), [](double x) { return !(x > 0) || !std::isfinite(x); }), xs.end());
  std::sort(xs.begin(), xs.end());
  for (std::size_t i = 1; i < xs.size(); ++i) {
    ASSERT_LE(bins.index(xs[i - 1]), bins.index(xs[i])) << xs[i - 1] << " " << xs[i];
  }
  // Continuous at DBL_MIN, and a power of two 2^e starts bin k (e + 1023), subnormal or not. Its predecessor
  // belongs to the bin below, except that the conversion of the bits to double (53 of up to 63 significant
  // bits) may round it up onto the power of two; below DBL_MIN the predecessor may lie octaves lower.
  EXPECT_EQ(bins.index(dbl_min), k);
  const std::int64_t largest_subnormal = bins.index(std::nextafter(dbl_min, 0.0));
  EXPECT_TRUE(largest_subnormal == k - 1 || largest_subnormal == k) << largest_subnormal;
  for (int e = -1074; e <= 1023; ++e) {
    const double p = std::ldexp(1.0, e);
    const std::int64_t first = k * (e + 1023);
    ASSERT_EQ(bins.index(p), first) << e;
    ASSERT_EQ(bins.lower_edge(first), p) << e;
    if (e >= -1022) {
      const std::int64_t below = bins.index(std::nextafter(p, 0.0));
      ASSERT_TRUE(below == first - 1 || below == first) << e << ": " << below;
    }
  }
  // Every value lies in [lower_edge(i), lower_edge(i + 1)) of its bin i, up to the rounding of k f(x) (at most
  // 3.4e-13 in f, so as much relative in x) and, below DBL_MIN, of the edges to the subnormal grid.
  // The top bin starts at 2^1024 (+inf): it holds only the doubles next to DBL_MAX that this rounding puts there.
  for (double x : xs) {
    const std::int64_t i = bins.index(x);
    const double slack = 4e-13 * x + (x < dbl_min ? 4.9406564584124654e-324 : 0.0);
    if (i < 2047 * k) {
      ASSERT_GE(x, bins.lower_edge(i) - slack) << x;
    } else {
      ASSERT_EQ(i, 2047 * k) << x;
      ASSERT_GE(x, std::numeric_limits<double>::max() * (1 - 1e-15)) << x;
    }
    ASSERT_LT(x, bins.lower_edge(i + 1) + slack) << x;
  }
  // Its representative is DBL_MAX, not +inf.
  EXPECT_EQ(bins.representative(2047 * k), std::numeric_limits<double>::max());
}

TEST(log_linear_mapping, index_run_matches_index_and_detects_other_values) {
  const benzosim::detail::log_linear_mapping bins(0.001);
  random_stream r(14, 0, 0, 0);
  std::int64_t out[64];
  const std::vector<double> others = {0.0,
                                      -0.0,
                                      1e-310,
                                      -1e-310,
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(),
                                      std::nan(""),
                                      -std::nan("")};
  for (int trial = 0; trial < 3000; ++trial) {
    const std::size_t n = 1 + static_cast<std::size_t>(63.999 * r.uniform());
    std::vector<double> x(n);
    const int kind = trial % 4;  // positive, negative, mixed signs, with another value
    for (double& v : x) {
      v = std::exp(-700 + 1400 * r.uniform());
      if (kind == 1 || (kind == 2 && r.uniform() < 0.5)) v = -v;
    }
    if (kind == 3)
      x[static_cast<std::size_t>(r.uniform() * static_cast<double>(n))] = others[trial / 4 % others.size()];
    const auto seen = bins.index_run(x.data(), n, out);
    const auto normal = [](double v) {
      return std::abs(v) >= std::numeric_limits<double>::min() && std::abs(v) <= std::numeric_limits<double>::max();
    };
    const bool all_normal = std::all_of(x.begin(), x.end(), normal);
    const bool no_sign = std::none_of(x.begin(), x.end(), [](double v) { return std::signbit(v); });
    const bool all_sign = std::all_of(x.begin(), x.end(), [](double v) { return std::signbit(v); });
    ASSERT_EQ(seen.all_positive, all_normal && no_sign) << trial;
    ASSERT_EQ(seen.all_negative, all_normal && all_sign) << trial;
    ASSERT_EQ(seen.all_normal, seen.all_positive || seen.all_negative) << trial;
    const bool all_zero = std::all_of(x.begin(), x.end(), [](double v) { return v == 0; });
    ASSERT_EQ(seen.max_magnitude == 0.0, all_zero) << trial;
    if (!seen.all_normal) continue;
    std::vector<double> magnitudes;
    for (double v : x) magnitudes.push_back(std::abs(v));
    for (std::size_t j = 0; j < n; ++j) ASSERT_EQ(out[j], bins.index(magnitudes[j])) << trial << " " << j;
    EXPECT_EQ(seen.min_magnitude, *std::min_element(magnitudes.begin(), magnitudes.end()));
    EXPECT_EQ(seen.max_magnitude, *std::max_element(magnitudes.begin(), magnitudes.end()));
  }
  const std::vector<double> zeros = {0.0, -0.0, 0.0};
  EXPECT_EQ(bins.index_run(zeros.data(), zeros.size(), out).max_magnitude, 0.0);
}

namespace {

/// Values of every kind, in blocks of random length (0 to 150, so runs of 64 are cut anywhere): lognormal
/// blocks of one sign, blocks of +-0, and with probability p_special per value the other sign, +-0, tiny and
/// huge magnitudes, subnormals.
std::vector<std::vector<double>> random_blocks(std::uint64_t seed, std::size_t n_blocks, double p_special) {
  random_stream r(15, 0, seed, 0);
  std::vector<std::vector<double>> blocks(n_blocks);
  for (auto& b : blocks) {
    b.resize(static_cast<std::size_t>(150.999 * r.uniform()));
    // A block of one sign or of zeros only, as a series of effects or the concentrations at time 0 give.
    const double u_block = r.uniform();
    const double sign = u_block < 0.3 ? -1.0 : 1.0;
    const bool zeros = u_block > 0.9;
    for (double& v : b) {
      v = zeros ? (r.uniform() < 0.5 ? 0.0 : -0.0) : sign * std::exp(0.3 * r.normal() + 2.0);
      const double u = r.uniform();
      if (u < p_special) {
        const double w = r.uniform();
        v = w < 0.2   ? 0.0
            : w < 0.3 ? -0.0
            : w < 0.6 ? -v
            : w < 0.8 ? std::exp(-700 + 1400 * r.uniform())
                      : std::exp2(-1074.0 + 52.0 * r.uniform());  // subnormal
      }
    }
  }
  return blocks;
}

}  // namespace

TEST(quantile_sketch, add_block_gives_the_same_sketch_as_add) {
  struct setting {
    double alpha;
    std::size_t max_bins;
    double p_special;
  };
  // Pure lognormal blocks (the fast path), mixed blocks, and few bins, which collapse inside and across runs.
  for (const setting& c :
       {setting{0.005, 8192, 0.0}, setting{0.005, 8192, 0.01}, setting{0.005, 8192, 0.3}, setting{0.001, 1 << 16, 0.05},
        setting{0.05, 16, 0.0}, setting{0.005, 40, 0.01}, setting{1e-6, 1 << 20, 0.0}}) {
    for (std::uint64_t seed = 0; seed < 3; ++seed) {
      const auto blocks = random_blocks(seed, 400, c.p_special);
      quantile_sketch one_by_one(c.alpha, c.max_bins), in_blocks(c.alpha, c.max_bins);
      for (const auto& b : blocks) {
        for (double v : b) one_by_one.add(v);
        in_blocks.add_block(b.data(), b.size());
      }
      ASSERT_TRUE(in_blocks == one_by_one) << "alpha " << c.alpha << " bins " << c.max_bins << " p " << c.p_special;
      EXPECT_EQ(in_blocks.collapsed(), one_by_one.collapsed());
      EXPECT_EQ(in_blocks.min(), one_by_one.min());
      EXPECT_EQ(in_blocks.max(), one_by_one.max());
      for (double q = 0; q <= 1; q += 0.01) EXPECT_EQ(in_blocks.quantile(q), one_by_one.quantile(q));
      if (c.max_bins <= 40) {
        EXPECT_TRUE(in_blocks.collapsed());
      }
    }
  }
  // One block of 10^4 values, and the same values added in the opposite order.
  std::vector<double> x = lognormal(10'000);
  quantile_sketch a, b;
  a.add_block(x.data(), x.size());
  std::reverse(x.begin(), x.end());
  for (double v : x) b.add(v);
  EXPECT_TRUE(a == b);
  a.add_block(nullptr, 0);  // an empty block changes nothing
  EXPECT_TRUE(a == b);
}

TEST(quantile_sketch, add_block_rejects_non_finite_values_like_add) {
  // n calls of add() throw at the first non-finite value, after the values before it were added; so must
  // add_block, wherever that value lies in its run of 64.
  const std::vector<double> x = lognormal(200);
  for (std::size_t bad_at : {0, 1, 63, 64, 70, 199}) {
    for (double bad : {std::nan(""), std::numeric_limits<double>::infinity()}) {
      std::vector<double> y = x;
      y[bad_at] = bad;
      // Enough bins that even the far bin a NaN or inf would get does not force the per-value path.
      quantile_sketch blocks(0.005, std::size_t{1} << 20), expected(0.005, std::size_t{1} << 20);
      blocks.add(-1.0);
      expected.add(-1.0);
      for (std::size_t i = 0; i < bad_at; ++i) expected.add(y[i]);
      try {
        blocks.add_block(y.data(), y.size());
        FAIL() << bad_at;
      } catch (const benzosim::invalid_parameter& e) {
        EXPECT_EQ(e.name, "quantile_sketch.x");
      }
      EXPECT_TRUE(blocks == expected) << bad_at;
      EXPECT_EQ(blocks.count(), bad_at + 1);
    }
  }
}

TEST(quantile_sketch, bound_holds_for_several_alphas_filled_by_blocks) {
  // The guarantee against the exact order statistic, with sketches filled by add_block. alpha = 1e-6 has 500001
  // bins per octave, so its data span little (about one octave per side) to keep the test small.
  const auto narrow_lognormal = [](std::size_t n) {
    std::vector<double> x = lognormal(n, 3);
    for (double& v : x) v = 50 * std::pow(v, 0.1);
    return x;
  };
  const auto signed_uniform = [](std::size_t n) {
    random_stream r(16, 0, 0, 0);
    std::vector<double> x(n);
    for (double& v : x) v = (r.uniform() < 0.4 ? -1 : 1) * (10 + 10 * r.uniform());
    return x;
  };
  const auto wide = [](std::size_t n) {  // log-uniform from 1e-300 to 1e300, both signs
    random_stream r(17, 0, 0, 0);
    std::vector<double> x(n);
    for (double& v : x)
      v = (r.uniform() < 0.5 ? -1 : 1) * std::exp(std::log(1e-300) + 2 * std::log(1e300) * r.uniform());
    return x;
  };
  const std::vector<dataset> tight = {
      {"narrow_lognormal", narrow_lognormal}, {"signed_uniform", signed_uniform}, {"constant", constant}};
  std::vector<dataset> all = datasets;
  all.push_back({"wide", wide});
  std::vector<double> qs;
  for (int i = 0; i <= 100; ++i) qs.push_back(i / 100.0);
  qs.insert(qs.end(), {0.001, 0.025, 0.975, 0.999});
  for (double alpha : {1e-6, 0.001, 0.005, 0.05}) {
    for (const dataset& d : alpha == 1e-6 ? tight : all) {
      const std::vector<double> x = d.make(20'000);
      quantile_sketch s(alpha, std::size_t{1} << 21);
      for (std::size_t i = 0; i < x.size(); i += 32) s.add_block(x.data() + i, std::min<std::size_t>(32, x.size() - i));
      ASSERT_EQ(s.count(), x.size());
      ASSERT_FALSE(s.collapsed()) << d.name << " alpha " << alpha;
      for (double q : qs) {
        const double target = benzosim::nearest_rank_quantile(x, q);
        ASSERT_LE(std::abs(s.quantile(q) - target), alpha * std::abs(target))
            << d.name << " alpha " << alpha << " q " << q << ": estimate " << s.quantile(q) << ", x_(k) " << target;
      }
    }
  }
}

TEST(quantile_sketch, default_bins_cover_the_documented_ratio) {
  // Documented (stats.hpp): with alpha = 0.005 (k = 100) the default 8192 bins per side hold any magnitudes
  // within a ratio of 4.4e24, wherever they lie, and a ratio of 2^82 always collapses. The worst placement puts
  // the larger value on a power of two and the smaller at 2^j * 2 / rho, rho = 4.4e24 / 2^81: that uses all
  // 8192 bins (a ratio of 4.5e24 there would need 8194).
  const quantile_sketch defaults;
  ASSERT_EQ(defaults.alpha(), 0.005);
  ASSERT_EQ(defaults.max_bins_per_side(), 8192u);
  const double ratio = 4.4e24;
  const double rho = ratio / std::ldexp(1.0, 81);
  std::vector<double> lows;
  for (int j = -1000; j <= 900; j += 50) lows.push_back(std::ldexp(2.0 / rho, j));  // worst placements
  random_stream r(18, 0, 0, 0);
  for (int i = 0; i < 200; ++i) lows.push_back(std::exp2(-1000.0 + 1900.0 * r.uniform()));
  for (double low : lows) {
    quantile_sketch s;
    for (double t = 0; t <= 1.0; t += 0.125) s.add(low * std::pow(ratio, t));  // the top is t = 1
    s.add(-low);
    s.add(-low * ratio);
    ASSERT_FALSE(s.collapsed()) << low;
    quantile_sketch wider;
    wider.add(low);
    wider.add(low * std::ldexp(1.0, 82));
    ASSERT_TRUE(wider.collapsed()) << low;
  }
  quantile_sketch beyond;  // the documented worst placement is tight
  beyond.add(std::ldexp(2.0 / (4.5e24 / std::ldexp(1.0, 81)), 0));
  beyond.add(std::ldexp(1.0, 82));
  EXPECT_TRUE(beyond.collapsed());
}

TEST(quantile_sketch, errors_name_the_field) {
  for (double bad : {0.0, -0.1, 1.0, 1.5, std::nan("")}) {
    try {
      quantile_sketch s(bad);
      FAIL() << bad;
    } catch (const benzosim::invalid_parameter& e) {
      EXPECT_EQ(e.name, "quantile_sketch.alpha");
      EXPECT_NE(std::string(e.what()).find("quantile_sketch.alpha = "), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(quantile_sketch(0.01, 0), benzosim::invalid_parameter);
  quantile_sketch s;
  try {
    (void)s.quantile(0.5);
    FAIL();
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_EQ(e.name, "quantile_sketch.count");
  }
  s.add(1.0);
  for (double bad : {-0.01, 1.01, std::nan("")}) {
    try {
      (void)s.quantile(bad);
      FAIL() << bad;
    } catch (const benzosim::invalid_parameter& e) {
      EXPECT_EQ(e.name, "quantile_sketch.q");
      EXPECT_NE(std::string(e.what()).find("must be in [0, 1]"), std::string::npos) << e.what();
    }
  }
  for (double bad : {std::nan(""), std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    try {
      s.add(bad);
      FAIL() << bad;
    } catch (const benzosim::invalid_parameter& e) {
      EXPECT_EQ(e.name, "quantile_sketch.x");
    }
  }
  EXPECT_EQ(s.count(), 1u);
  try {
    s.merge(quantile_sketch(0.01));
    FAIL();
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_EQ(e.name, "quantile_sketch.alpha");
  }
  EXPECT_THROW(s.merge(quantile_sketch(0.005, 100)), benzosim::invalid_parameter);
}

TEST(quantile_sketch, signed_zeros_and_small_sketches) {
  quantile_sketch a, b;
  a.add(-0.0);
  a.add(0.0);
  b.add(0.0);
  b.add(-0.0);
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(std::signbit(a.min()));
  EXPECT_EQ(a.quantile(0.5), 0.0);
  quantile_sketch one;
  one.add(-3.25);
  EXPECT_EQ(one.quantile(0.0), -3.25);
  EXPECT_EQ(one.quantile(0.5), -3.25);
  EXPECT_EQ(one.quantile(1.0), -3.25);
}

}  // namespace

namespace {

TEST(shifted_sums, match_welford_including_far_from_zero) {
  // Values near 1e6 with SD about 1: sums of x^2 would lose every digit of the variance, the shift keeps them.
  for (const double offset : {0.0, 1e6}) {
    std::vector<double> x;
    for (int i = 0; i < 1000; ++i) x.push_back(offset + std::sin(i * 0.37) + 1e-3 * i);
    benzosim::running_moments one;
    for (double v : x) one.add(v);
    benzosim::shifted_sums sums;
    for (std::size_t b = 0; b < x.size(); b += 32)
      sums.add_block(x.data() + b, std::min<std::size_t>(32, x.size() - b));
    const benzosim::running_moments m = sums.moments();
    EXPECT_EQ(sums.count(), 1000u);
    EXPECT_EQ(m.count(), one.count());
    EXPECT_NEAR(m.mean(), one.mean(), 1e-13 * std::fabs(one.mean()) + 1e-15);
    EXPECT_NEAR(m.variance(), one.variance(), 1e-9 * one.variance()) << offset;
    EXPECT_EQ(m.min(), one.min());
    EXPECT_EQ(m.max(), one.max());
  }
}

TEST(shifted_sums, blocks_of_any_length_and_bad_values) {
  // Lengths 1..9 cover the tails after the groups of four; -0 counts as +0 as in add().
  benzosim::running_moments one;
  benzosim::shifted_sums sums;
  std::vector<double> all;
  for (std::size_t n = 1; n <= 9; ++n) {
    std::vector<double> b;
    for (std::size_t i = 0; i < n; ++i)
      b.push_back(n == 5 && i == 0 ? -0.0 : std::cos(static_cast<double>(n * 10 + i)));
    for (double v : b) one.add(v);
    sums.add_block(b.data(), b.size());
  }
  sums.add_block(nullptr, 0);
  const auto m = sums.moments();
  EXPECT_EQ(m.count(), one.count());
  EXPECT_NEAR(m.mean(), one.mean(), 1e-14);
  EXPECT_NEAR(m.variance(), one.variance(), 1e-13);
  EXPECT_EQ(m.min(), one.min());
  EXPECT_EQ(m.max(), one.max());
  EXPECT_EQ(benzosim::shifted_sums{}.moments().count(), 0u);
  const double bad[] = {1.0, 2.0, 3.0, 4.0, std::numeric_limits<double>::infinity()};
  EXPECT_THROW(sums.add_block(bad, 5), benzosim::invalid_parameter);
  EXPECT_EQ(sums.count(), one.count());  // nothing was added
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// serialization (partials sent between MPI ranks)

namespace {

template <class T>
T round_trip(const T& x) {
  benzosim::byte_writer w;
  x.write(w);
  const std::vector<std::uint8_t> bytes = std::move(w).take();
  benzosim::byte_reader r(bytes);
  T y = T::read(r);
  EXPECT_TRUE(r.done());
  return y;
}

}  // namespace

TEST(running_moments, bytes_round_trip_is_bit_identical) {
  benzosim::running_moments empty;
  EXPECT_TRUE(round_trip(empty) == empty);
  benzosim::random_stream rs(7, 0, 0, 1);
  benzosim::running_moments m;
  for (int i = 0; i < 1000; ++i) m.add(std::exp(rs.uniform() * 10.0) - 50.0);
  const auto back = round_trip(m);
  EXPECT_TRUE(back == m);
  EXPECT_EQ(back.count(), m.count());
  EXPECT_EQ(back.mean(), m.mean());
  EXPECT_EQ(back.sd(), m.sd());
  EXPECT_EQ(back.min(), m.min());
  EXPECT_EQ(back.max(), m.max());
  benzosim::running_moments a = m, b = m;  // further merges behave the same
  a.merge(m);
  b.merge(back);
  EXPECT_TRUE(a == b);
}

TEST(quantile_sketch, bytes_round_trip_is_identical_and_merges_the_same) {
  benzosim::quantile_sketch empty(0.01);
  EXPECT_TRUE(round_trip(empty) == empty);
  benzosim::random_stream rs(11, 0, 0, 1);
  benzosim::quantile_sketch s(0.005, 64);  // few bins: exercises collapsing
  for (int i = 0; i < 5000; ++i) {
    const double u = rs.uniform();
    s.add(u < 0.1 ? 0.0 : (u < 0.3 ? -std::exp(u * 30.0) : std::exp(u * 40.0 - 20.0)));
  }
  ASSERT_TRUE(s.collapsed());
  const auto back = round_trip(s);
  EXPECT_TRUE(back == s);
  EXPECT_EQ(back.count(), s.count());
  EXPECT_EQ(back.alpha(), s.alpha());
  EXPECT_EQ(back.max_bins_per_side(), s.max_bins_per_side());
  for (const double q : {0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0}) EXPECT_EQ(back.quantile(q), s.quantile(q));
  benzosim::quantile_sketch a = s, b = s;
  a.merge(s);
  b.merge(back);
  EXPECT_TRUE(a == b);
}

TEST(byte_reader, throws_when_the_bytes_run_out) {
  benzosim::byte_writer w;
  w.put(std::uint32_t{7});
  const auto bytes = std::move(w).take();
  benzosim::byte_reader r(bytes);
  EXPECT_THROW((void)r.get<std::uint64_t>(), benzosim::internal_error);
}
