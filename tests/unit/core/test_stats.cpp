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

quantile_sketch sketch_of(const std::vector<double>& x, double alpha = 0.005, std::size_t max_bins = 4096) {
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

TEST(quantile_sketch, bound_holds_at_bin_boundaries_and_extreme_magnitudes) {
  // The value of interest is the middle one of {x / f, x, x f}, f = gamma^4, so clamping to min/max cannot
  // help. x runs over the nominal bin boundaries gamma^i, the boundaries of the bins the sketch really uses
  // (built with alpha (1 - 1e-6), docs/statistics.md), their neighbouring doubles, and log-uniform values
  // over the whole double range (including subnormals): the guarantee must survive the rounding of log and exp.
  for (double alpha : {1e-6, 1e-4, 0.005, 0.1}) {
    const double gamma = (1 + alpha) / (1 - alpha);
    const double f = std::pow(gamma, 4);
    const double a = alpha * (1 - 1e-6);
    const double ln_gamma_used = std::log1p(a) - std::log1p(-a);
    std::vector<double> xs;
    for (int i = -3000; i <= 3000; i += 7) {
      for (double b : {std::pow(gamma, i), std::exp(i * ln_gamma_used)}) {
        if (!std::isfinite(b) || b == 0) continue;
        xs.insert(xs.end(), {b, std::nextafter(b, 0.0), std::nextafter(b, 1e300)});
      }
    }
    random_stream r(5, 0, 0, 0);
    for (int i = 0; i < 3000; ++i) xs.push_back(std::exp(-740 + 1445 * r.uniform()));
    xs.insert(xs.end(), {std::numeric_limits<double>::denorm_min() * 1e3, std::numeric_limits<double>::max() / 1e3});
    for (double x : xs) {
      for (double sign : {1.0, -1.0}) {
        quantile_sketch s(alpha);
        for (double v : {x / f, x, x * f}) s.add(sign * v);
        ASSERT_LE(std::abs(s.quantile(0.5) - sign * x), alpha * x) << "alpha " << alpha << " x " << sign * x;
      }
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
  // sigma = 1 lognormal: |ln x| < 5.5, i.e. about 1100 bins of ln gamma = 0.01; the window holds at most 2x.
  EXPECT_LT(s.memory_bytes(), 20'000u) << s.memory_bytes();
  // Whatever the data, each side holds at most max_bins_per_side counts of 8 bytes.
  quantile_sketch wide;
  random_stream r(6, 0, 0, 0);
  for (int i = 0; i < 100'000; ++i) wide.add((r.uniform() < 0.5 ? -1 : 1) * std::exp(-700 + 1400 * r.uniform()));
  EXPECT_TRUE(wide.collapsed());
  EXPECT_LE(wide.memory_bytes(), sizeof(quantile_sketch) + 2 * 4096 * 8);
}

TEST(quantile_sketch, collapsed_bins_lose_the_guarantee_only_at_small_magnitudes) {
  // 200 bins of alpha = 0.01 span a ratio gamma^200 = e^4 ~ 55 per side: values from 1e-6 to 1e6 collapse the
  // small ones. Quantiles whose target is above the lowest kept bin keep the guarantee.
  const double alpha = 0.01;
  quantile_sketch s(alpha, 200);
  std::vector<double> x;
  random_stream r(7, 0, 0, 0);
  for (int i = 0; i < 10'000; ++i) x.push_back(std::exp(std::log(1e-6) + std::log(1e12) * r.uniform()));
  for (double v : x) s.add(v);
  EXPECT_TRUE(s.collapsed());
  const double max = *std::max_element(x.begin(), x.end());
  const double gamma = (1 + alpha) / (1 - alpha);
  const double lowest_kept = max / std::pow(gamma, 199);  // magnitude of the lowest kept bin (about)
  int checked = 0;
  for (double q = 0; q <= 1; q += 0.001) {
    const double target = benzosim::nearest_rank_quantile(x, q);
    const double estimate = s.quantile(q);
    if (target > lowest_kept * gamma) {
      EXPECT_LE(std::abs(estimate - target), alpha * target) << q;
      ++checked;
    } else {
      EXPECT_LE(estimate, lowest_kept * gamma * gamma) << q;  // collapsed: reported at the lowest kept bin
    }
  }
  EXPECT_GT(checked, 50);
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

TEST(running_moments_block, add_block_matches_add_within_rounding) {
  std::vector<double> x;
  for (int i = 0; i < 1000; ++i) x.push_back(std::exp(std::sin(i * 0.37)) * 1e3 + i * 1e-3);
  benzosim::running_moments one, blocks;
  for (double v : x) one.add(v);
  for (std::size_t b = 0; b < x.size(); b += 32)
    blocks.add_block(x.data() + b, std::min<std::size_t>(32, x.size() - b), 1);
  EXPECT_EQ(blocks.count(), one.count());
  EXPECT_NEAR(blocks.mean(), one.mean(), 1e-12 * std::fabs(one.mean()));
  EXPECT_NEAR(blocks.variance(), one.variance(), 1e-10 * one.variance());
  EXPECT_EQ(blocks.min(), one.min());
  EXPECT_EQ(blocks.max(), one.max());
  // Strided access: every second value.
  benzosim::running_moments even, even_block;
  for (std::size_t i = 0; i < x.size(); i += 2) even.add(x[i]);
  even_block.add_block(x.data(), x.size() / 2, 2);
  EXPECT_NEAR(even_block.mean(), even.mean(), 1e-12 * std::fabs(even.mean()));
  const double bad[] = {1.0, std::nan("")};
  EXPECT_THROW(even_block.add_block(bad, 2, 1), benzosim::invalid_parameter);
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
