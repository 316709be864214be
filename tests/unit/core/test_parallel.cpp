// SPDX-License-Identifier: MIT
#include <cmath>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/parallel.hpp>

namespace {

// A floating-point reduction whose result depends on the order of its terms: identical for any thread count
// only if the chunks are consumed in order.
double ordered_sum(int threads) {
  double total = 0.0;
  std::vector<std::size_t> order;
  benzosim::run_chunks_ordered(
      500, threads,
      [](std::size_t c) {
        double s = 0.0;
        for (int k = 1; k <= 1000; ++k) s += std::sin(static_cast<double>(c * 1000 + static_cast<std::size_t>(k))) / k;
        return s;
      },
      [&](std::size_t c, double s) {
        order.push_back(c);
        total = total * (1.0 + 1e-12) + s;  // order-sensitive on purpose
      });
  for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], i);
  return total;
}

TEST(parallel, results_are_identical_for_any_thread_count) {
  const double one = ordered_sum(1);
  EXPECT_EQ(ordered_sum(2), one);
  EXPECT_EQ(ordered_sum(4), one);
  EXPECT_EQ(ordered_sum(7), one);
}

TEST(parallel, an_exception_in_a_chunk_is_rethrown) {
  for (int threads : {1, 3}) {
    EXPECT_THROW(benzosim::run_chunks_ordered(
                     100, threads,
                     [](std::size_t c) {
                       if (c == 37) throw std::runtime_error("chunk 37");
                       return c;
                     },
                     [](std::size_t, std::size_t) {}),
                 std::runtime_error);
  }
}

TEST(parallel, resolve_threads_defaults_to_the_cores) {
  EXPECT_GE(benzosim::resolve_threads(0), 1);
  EXPECT_EQ(benzosim::resolve_threads(3), 3);
}

}  // namespace
