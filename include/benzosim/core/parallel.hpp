// SPDX-License-Identifier: MIT
/// Deterministic parallel work over chunks: the chunks run on any number of threads, but their results are
/// consumed one at a time in chunk order. Whatever depends only on the chunks' results and that order is
/// therefore bit-identical for 1, 2 or 64 threads (and, with the same chunking, across MPI ranks).
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace benzosim {

/// The number of threads to use for a request of `requested` (0 = all cores), at least 1.
inline int resolve_threads(int requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

/// Runs `make(chunk)` for chunk = 0 .. n_chunks-1 on `threads` threads (make must be thread-safe and
/// return a Partial), and calls `consume(chunk, Partial&&)` exactly once per chunk, in increasing chunk
/// order, never concurrently. At most about 4 x threads finished chunks wait for their turn (bounded
/// memory). The first exception thrown by make or consume stops the work and is rethrown here.
template <class Make, class Consume>
void run_chunks_ordered(std::size_t n_chunks, int threads, Make&& make, Consume&& consume) {
  using partial = decltype(make(std::size_t{0}));
  const auto n_threads = static_cast<std::size_t>(std::max(1, threads));
  if (n_threads == 1 || n_chunks <= 1) {
    for (std::size_t c = 0; c < n_chunks; ++c) consume(c, make(c));
    return;
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable turn;
  std::map<std::size_t, partial> waiting;
  std::size_t next_to_consume = 0;
  std::exception_ptr failure;
  const std::size_t max_waiting = 4 * n_threads;

  auto worker = [&] {
    try {
      while (!stop.load()) {
        const std::size_t c = next.fetch_add(1);
        if (c >= n_chunks) break;
        {  // keep memory bounded: do not run far ahead of the chunk being consumed
          std::unique_lock lock(mutex);
          turn.wait(lock, [&] { return stop.load() || c < next_to_consume + max_waiting; });
          if (stop.load()) break;
        }
        partial p = make(c);
        std::unique_lock lock(mutex);
        waiting.emplace(c, std::move(p));
        while (!waiting.empty() && waiting.begin()->first == next_to_consume) {
          auto node = waiting.extract(waiting.begin());
          consume(node.key(), std::move(node.mapped()));
          ++next_to_consume;
        }
        turn.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!failure) failure = std::current_exception();
      stop.store(true);
      turn.notify_all();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(n_threads);
  for (std::size_t t = 0; t < n_threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace benzosim
