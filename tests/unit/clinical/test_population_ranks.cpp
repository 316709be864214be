// SPDX-License-Identifier: MIT
// simulate_population split across "ranks" (threads here, MPI processes in the cli) through an in-memory
// partial_exchange: rank 0's result and rows are bit-identical to the one-process run.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/clinical/population.hpp>

#include "clonazepam_fixture.hpp"

namespace {

using namespace benzosim;

clinical::scenario week_of_bid() {
  clinical::scenario s;
  s.name = "pop";
  s.drug = test::clonazepam_drug();
  s.person.weight_kg = 70.0;
  s.regimen = pk::regimen::repeated(0.5, 0.0, 12.0, 6);
  s.duration_h = 24.0 * 4;
  s.output_step_h = 4.0;
  s.circuit.enabled = false;
  return s;
}

/// Per-sender FIFO queues of messages to rank 0, one for chunks and one for sketches; sends do not block.
class memory_exchange {
 public:
  class endpoint : public clinical::partial_exchange {
   public:
    endpoint(memory_exchange& x, int rank) : x_(x), rank_(rank) {}
    void send_chunk(std::size_t, std::vector<std::uint8_t>&& b) override { x_.push(x_.chunks_, rank_, std::move(b)); }
    std::vector<std::uint8_t> receive_chunk(std::size_t, int from) override { return x_.pop(x_.chunks_, from); }
    void send_sketches(std::vector<std::uint8_t>&& b) override { x_.push(x_.sketches_, rank_, std::move(b)); }
    std::vector<std::uint8_t> receive_sketches(int from) override { return x_.pop(x_.sketches_, from); }

   private:
    memory_exchange& x_;
    int rank_;
  };

 private:
  using queues = std::map<int, std::deque<std::vector<std::uint8_t>>>;
  void push(queues& q, int rank, std::vector<std::uint8_t>&& b) {
    std::lock_guard lock(mutex_);
    q[rank].push_back(std::move(b));
    cv_.notify_all();
  }
  std::vector<std::uint8_t> pop(queues& q, int rank) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !q[rank].empty(); });
    auto b = std::move(q[rank].front());
    q[rank].pop_front();
    return b;
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  queues chunks_, sketches_;
};

struct run_result {
  clinical::population_result summary;
  std::vector<clinical::subject_metrics> rows;
};

run_result run_on_ranks(const clinical::population_model& m, clinical::population_options o, int ranks) {
  run_result r;
  auto collect = [&](std::span<const clinical::subject_metrics> c) { r.rows.insert(r.rows.end(), c.begin(), c.end()); };
  if (ranks == 1) {
    r.summary = clinical::simulate_population(week_of_bid(), m, o, collect);
    return r;
  }
  memory_exchange x;
  std::vector<std::thread> others;
  std::vector<std::exception_ptr> failures(static_cast<std::size_t>(ranks));
  o.ranks = ranks;
  for (int k = 1; k < ranks; ++k) {
    others.emplace_back([&, k, o]() mutable {
      try {
        o.rank = k;
        memory_exchange::endpoint e(x, k);
        (void)clinical::simulate_population(
            week_of_bid(), m, o, [](std::span<const clinical::subject_metrics>) {}, {}, &e);
      } catch (...) {
        failures[static_cast<std::size_t>(k)] = std::current_exception();
      }
    });
  }
  o.rank = 0;
  memory_exchange::endpoint e(x, 0);
  r.summary = clinical::simulate_population(week_of_bid(), m, o, collect, {}, &e);
  for (auto& t : others) t.join();
  for (auto& f : failures) {
    if (f) std::rethrow_exception(f);
  }
  return r;
}

void expect_bit_identical(const run_result& a, const run_result& b) {
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    EXPECT_EQ(a.rows[i].replicate, b.rows[i].replicate);
    EXPECT_EQ(a.rows[i].subject, b.rows[i].subject);
    EXPECT_EQ(a.rows[i].cl_lph, b.rows[i].cl_lph);
    EXPECT_EQ(a.rows[i].auc_ngml_h, b.rows[i].auc_ngml_h);
    EXPECT_EQ(a.rows[i].time_above_h, b.rows[i].time_above_h);
  }
  EXPECT_EQ(a.summary.n_total, b.summary.n_total);
  EXPECT_EQ(a.summary.quantiles_exact, b.summary.quantiles_exact);
  auto same = [](const clinical::statistics& x, const clinical::statistics& y) {
    EXPECT_EQ(x.mean, y.mean);
    EXPECT_EQ(x.sd, y.sd);
    EXPECT_EQ(x.p05, y.p05);
    EXPECT_EQ(x.p25, y.p25);
    EXPECT_EQ(x.p50, y.p50);
    EXPECT_EQ(x.p75, y.p75);
    EXPECT_EQ(x.p95, y.p95);
  };
  ASSERT_EQ(a.summary.series.size(), b.summary.series.size());
  for (std::size_t s = 0; s < a.summary.series.size(); ++s) {
    ASSERT_EQ(a.summary.series[s].at.size(), b.summary.series[s].at.size());
    for (std::size_t k = 0; k < a.summary.series[s].at.size(); ++k)
      same(a.summary.series[s].at[k], b.summary.series[s].at[k]);
  }
  ASSERT_EQ(a.summary.metrics.size(), b.summary.metrics.size());
  for (std::size_t k = 0; k < a.summary.metrics.size(); ++k)
    same(a.summary.metrics[k].second, b.summary.metrics[k].second);
}

TEST(population_ranks, rank_0_result_is_bit_identical_to_one_process) {
  const auto m = clinical::population_model::clonazepam_default();
  for (const std::uint64_t exact_limit : {0ull, 100000ull}) {  // sketch and exact quantiles
    clinical::population_options o;
    o.subjects = 101;
    o.replicates = 2;
    o.chunk_size = 8;
    o.exact_limit = exact_limit;
    o.threads = 1;
    const auto one = run_on_ranks(m, o, 1);
    for (const int ranks : {2, 3, 5}) {
      for (const int threads : {1, 2}) {
        o.threads = threads;
        SCOPED_TRACE(testing::Message() << "ranks " << ranks << ", threads " << threads << ", exact_limit "
                                        << exact_limit);
        expect_bit_identical(one, run_on_ranks(m, o, ranks));
      }
    }
    EXPECT_EQ(one.rows.size(), 202u);
  }
}

TEST(population_ranks, more_ranks_than_chunks_and_missing_exchange) {
  const auto m = clinical::population_model::clonazepam_default();
  clinical::population_options o;
  o.subjects = 10;
  o.chunk_size = 4;  // 3 chunks over 5 ranks
  o.threads = 1;
  o.exact_limit = 0;
  expect_bit_identical(run_on_ranks(m, o, 1), run_on_ranks(m, o, 5));
  o.ranks = 2;
  EXPECT_ANY_THROW(clinical::simulate_population(week_of_bid(), m, o));  // ranks > 1 without an exchange
  o.rank = 2;
  EXPECT_ANY_THROW(o.validate());
}

}  // namespace
