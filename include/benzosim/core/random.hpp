// SPDX-License-Identifier: MIT
/// Counter-based random numbers for population simulation (issue 4). A stream is named by four numbers
/// (seed, replicate, subject, purpose); its draws are a pure function of those numbers and of the calls made
/// on it, never of which thread or MPI rank makes them or in which order subjects are processed.
/// Layout, guarantees and references: docs/statistics.md.
#pragma once

#include <cstdint>
#include <span>

namespace benzosim {

/// One reproducible random stream, backed by Philox4x64-10 (Salmon et al. 2011):
/// key = (seed, purpose), counter = (replicate, subject, block, tag) with the constant tag "pop-draw"
/// (0x706f702d64726177, which keeps these streams apart from the circuit layer's). Block b holds the words
/// 4b .. 4b+3 of the stream; uniform() uses one word, each Box–Muller pair of normals uses two.
/// A stream is a small value (about 100 bytes, no heap): create one per subject and purpose where needed.
/// `purpose` separates the independent uses within a subject (e.g. inter-individual variability,
/// residual error, dropout); give each use a named constant.
class random_stream {
 public:
  random_stream(std::uint64_t seed, std::uint64_t replicate, std::uint64_t subject, std::uint64_t purpose) noexcept;

  /// Uniform on the open interval (0, 1): (k + 1/2) 2^-52 with k the top 52 bits of the next word, so
  /// 2^-53 <= u <= 1 - 2^-53. Exact integer and power-of-two arithmetic: identical on every IEEE platform.
  double uniform() noexcept;

  /// Standard normal N(0, 1) by the Box–Muller transform of two words; the second normal of each pair is
  /// kept for the next call. |z| <= 8.57 (sqrt(-2 ln 2^-53)).
  double normal() noexcept;

  /// Fills `out` with standard normals: the same values as calling normal() out.size() times, faster.
  void normals(std::span<double> out) noexcept;

 private:
  void refill() noexcept;
  std::uint64_t next_word() noexcept;

  std::uint64_t key_[2];      // (seed, purpose)
  std::uint64_t counter_[4];  // (replicate, subject, next block, tag)
  std::uint64_t words_[4];    // the current block
  unsigned used_ = 4;         // words of the current block already consumed
  bool has_spare_ = false;    // the second normal of the last Box–Muller pair is waiting in spare_
  double spare_ = 0.0;
};

}  // namespace benzosim
