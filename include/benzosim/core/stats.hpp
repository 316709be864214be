// SPDX-License-Identifier: MIT
/// Streaming, mergeable summaries for population simulation (issue 4): running moments (Welford, merged
/// with the formula of Chan, Golub & LeVeque 1983) and a relative-error quantile sketch (DDSketch, Masson,
/// Rim & Lee 2019), plus exact quantiles to compare them with. Guarantees and references: docs/statistics.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace benzosim {

class byte_writer;
class byte_reader;

/// Count, mean, sum of squared deviations (M2), min and max of a stream of finite values, in O(1) memory.
/// add() is Welford's update; merge() is Chan et al.'s pairwise formula. Floating-point addition is not
/// associative, so the result depends on how values were grouped: it is bit-identical when the same chunks
/// are added in the same order and merged in the same order (the population runner merges fixed-size
/// chunks of subjects in chunk order, whatever the number of threads or ranks).
class running_moments {
 public:
  /// Adds one value; throws invalid_parameter if x is not finite.
  void add(double x);
  /// Adds all values summarised by `other`, as if they had been added here (up to rounding).
  void merge(const running_moments& other) noexcept;
  /// Adds n values x[0], x[stride], ... as one block: two-pass mean and sum of squares of the block, then
  /// one merge. Several times faster than n calls of add() and at least as accurate; like merge, the result
  /// depends on how values are grouped into blocks (fixed groups give bit-identical results).
  void add_block(const double* x, std::size_t n, std::size_t stride);

  std::uint64_t count() const noexcept { return count_; }
  /// Arithmetic mean; throws invalid_parameter when count() == 0.
  double mean() const;
  /// Sample variance M2 / (n - 1); throws invalid_parameter when count() < 2.
  double variance() const;
  /// Sample standard deviation sqrt(variance()); throws invalid_parameter when count() < 2.
  double sd() const;
  /// Sum of squared deviations from the mean, sum (x - mean)^2 (0 when empty).
  double m2() const noexcept { return m2_; }
  /// Smallest and largest value added; throw invalid_parameter when count() == 0.
  double min() const;
  double max() const;

  /// Appends the exact state (bit for bit) to `out`; read() restores it (MPI partials, docs/population.md).
  void write(byte_writer& out) const;
  static running_moments read(byte_reader& in);
  /// Same count and bit-identical mean, M2, min and max.
  friend bool operator==(const running_moments& a, const running_moments& b) noexcept;

 private:
  std::uint64_t count_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

namespace detail {

/// Integer counts in consecutive logarithmic bins, held in one contiguous window counts_[i] = count of bin
/// offset_ + i. At most max_bins bins are in use: a count of bin i sits in bin max(i, max_index - max_bins + 1),
/// so the lowest bins collapse into the lowest kept one. That rule depends only on the multiset of indices,
/// which makes add and merge order-independent.
class log_bin_store {
 public:
  explicit log_bin_store(std::size_t max_bins) noexcept : max_bins_(static_cast<std::int64_t>(max_bins)) {}

  void add(std::int64_t index, std::uint64_t n);
  void merge(const log_bin_store& other);

  std::uint64_t total() const noexcept { return total_; }
  /// Lowest and highest non-empty bin; meaningful only when total() > 0.
  std::int64_t min_index() const noexcept { return min_index_; }
  std::int64_t max_index() const noexcept { return max_index_; }
  std::uint64_t count_at(std::int64_t index) const noexcept;
  /// Whether any count sits above its own bin because lower bins were collapsed.
  bool collapsed() const noexcept { return collapsed_; }
  std::size_t heap_bytes() const noexcept { return counts_.capacity() * sizeof(std::uint64_t); }

  /// Same counts in the same bins (the window and its spare capacity may differ).
  friend bool operator==(const log_bin_store& a, const log_bin_store& b) noexcept;

  /// The counts of [min_index, max_index] and the state (not the window's spare capacity).
  void write(byte_writer& out) const;
  static log_bin_store read(byte_reader& in);

 private:
  void cover(std::int64_t lo, std::int64_t hi);
  void collapse_below(std::int64_t threshold);

  std::vector<std::uint64_t> counts_;
  std::int64_t offset_ = 0;
  std::int64_t min_index_ = 0;
  std::int64_t max_index_ = 0;
  std::uint64_t total_ = 0;
  std::int64_t max_bins_;
  bool collapsed_ = false;
};

}  // namespace detail

/// A bounded-memory, mergeable quantile estimator with a relative-error guarantee (DDSketch).
/// A value x != 0 falls in bin i = ceil(log_gamma |x|), gamma = (1 + alpha) / (1 - alpha), which covers
/// (gamma^(i-1), gamma^i] and is represented by 2 gamma^i / (gamma + 1); positive and negative values have
/// separate stores, zeros a count of their own. Guarantee: quantile(q) estimates the order statistic
/// x_(k), k = nearest_rank_index(q, count()), with |estimate - x_(k)| <= alpha |x_(k)|, unless x_(k) falls
/// in a collapsed bin (see max_bins_per_side). Counts are integers, so merging is exact: any grouping and
/// order of add() and merge() over the same values gives the same sketch (operator==) and the same quantiles.
class quantile_sketch {
 public:
  /// alpha: relative accuracy, in [1e-6, 1). max_bins_per_side: >= 1; when the values on one side span more
  /// bins, the bins of smallest magnitude are collapsed into the lowest kept one, and only quantiles that
  /// fall there lose the guarantee (their estimate is that bin's value, or min()/max()). With the defaults,
  /// 4096 bins cover a ratio of gamma^4096 ~ 6e17 between the largest and smallest magnitude per side.
  explicit quantile_sketch(double alpha = 0.005, std::size_t max_bins_per_side = 4096);

  /// Adds one value; throws invalid_parameter if x is not finite.
  void add(double x);
  /// Adds all values summarised by `other`; throws invalid_parameter if alpha or the bin bound differ.
  void merge(const quantile_sketch& other);

  std::uint64_t count() const noexcept;
  /// Estimate of x_(k), k = nearest_rank_index(q, count()); q = 0 and q = 1 give min() and max() exactly.
  /// Throws invalid_parameter if q is outside [0, 1] or the sketch is empty.
  double quantile(double q) const;
  /// Exact smallest and largest value added; throw invalid_parameter when empty.
  double min() const;
  double max() const;

  double alpha() const noexcept { return alpha_; }
  std::size_t max_bins_per_side() const noexcept { return max_bins_; }
  /// Whether bins were collapsed on either side (some quantiles then lack the guarantee).
  bool collapsed() const noexcept { return positive_.collapsed() || negative_.collapsed(); }
  /// Bytes held: the object plus the heap capacity of both bin windows.
  std::size_t memory_bytes() const noexcept;

  /// Same parameters, the same counts in the same bins, the same zero count, min and max.
  friend bool operator==(const quantile_sketch& a, const quantile_sketch& b) noexcept;

  /// Appends the exact state to `out`; read() restores a sketch equal to this one (operator==) that gives the
  /// same quantiles and merges the same way.
  void write(byte_writer& out) const;
  static quantile_sketch read(byte_reader& in);

 private:
  std::int64_t index_of(double magnitude) const noexcept;
  double value_of(std::int64_t index) const noexcept;

  double alpha_;
  std::size_t max_bins_;
  double ln_gamma_;           // ln gamma of the bins actually used (see docs/statistics.md, rounding margin)
  double inv_ln_gamma_;       // 1 / ln_gamma_
  double ln_representative_;  // ln(2 / (gamma + 1)): the representative of bin i is exp(i ln gamma + this)
  detail::log_bin_store positive_;
  detail::log_bin_store negative_;  // bins of |x| for x < 0
  std::uint64_t zero_count_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

/// The 0-based rank k = round(q (n - 1)) (halves up) that quantile_sketch::quantile and
/// nearest_rank_quantile target: the order statistic nearest to R type 7's position, so k = 0 for q = 0 and
/// k = n - 1 for q = 1. Throws invalid_parameter if q is outside [0, 1] or n == 0.
std::uint64_t nearest_rank_index(double q, std::uint64_t n);

/// The order statistic x_(k), k = nearest_rank_index(q, values.size()) (0-based): what the sketch estimates.
/// Throws invalid_parameter if values is empty or holds a non-finite value, or q is outside [0, 1].
double nearest_rank_quantile(std::vector<double> values, double q);

/// R's type 7 quantile (R's default, also numpy's "linear"): h = 1 + (n - 1) q, interpolating linearly
/// between the order statistics floor(h) and ceil(h) (1-based) exactly as R's quantile.default computes it.
/// Throws invalid_parameter if values is empty or holds a non-finite value, or q is outside [0, 1].
double exact_quantile(std::vector<double> values, double q);

}  // namespace benzosim
