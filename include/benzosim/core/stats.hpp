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
  friend class shifted_sums;
  std::uint64_t count_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

/// The moments of many blocks of values in one pass and without a merge per block: the sums of x - c and
/// (x - c)^2 with a fixed shift c (the first value added), and the min and max. With c near the mean, the
/// variance s2 - s1^2 / n loses no more precision than Welford's update (the "shifted data" algorithm; Chan,
/// Golub & LeVeque 1983); the population runner uses it per chunk and point, where c is one patient's value.
/// The result depends on how values are grouped into blocks and blocks into runs (fixed groups: bit-identical).
class shifted_sums {
 public:
  /// Adds x[0 .. n); throws invalid_parameter if a value is not finite (nothing is added then).
  void add_block(const double* x, std::size_t n);
  std::uint64_t count() const noexcept { return count_; }
  /// The same statistics as a running_moments that had the values added (up to rounding).
  running_moments moments() const noexcept;

 private:
  std::uint64_t count_ = 0;
  double shift_ = 0.0;
  double s1_ = 0.0;  // sum of (x - shift)
  double s2_ = 0.0;  // sum of (x - shift)^2
  double lo_ = std::numeric_limits<double>::infinity();
  double hi_ = -std::numeric_limits<double>::infinity();
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
  /// Adds one count to each bin index[0], ..., index[n - 1], whose smallest and largest are lo and hi, if that
  /// needs no collapsing; then the result equals n calls of add(index[j], 1), but the window is extended once
  /// and the counts are incremented without a branch. Returns false, changing nothing, if it would collapse.
  bool add_each(const std::int64_t* index, std::size_t n, std::int64_t lo, std::int64_t hi);
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

/// The bins of quantile_sketch: a "linearly interpolated" logarithm (docs/statistics.md §3), computed from the
/// bits of a double instead of with std::log. For x = 2^E (1 + s), s in [0, 1), let f(x) = E + 1023 + s: the
/// piecewise-linear interpolation of log2(x) + 1023 between powers of two, continuous, increasing and exact at
/// powers of two. For a positive normal double, f(x) is its IEEE-754 bit pattern read as an integer, times
/// 2^-52; below DBL_MIN, f(x) = f(x 2^64) - 64 continues it. Bin i covers f in [i/k, (i + 1)/k), so
/// index(x) = floor(k f(x)), with k bins per octave. Since d(ln x) = df / (1 + s) <= df, a bin spans a ratio of
/// at most e^(1/k); k = ceil(1 / ln gamma'), gamma' = (1 + alpha')/(1 - alpha'), makes that at most gamma', so
/// the representative 2 lo hi / (lo + hi) of a bin [lo, hi) is within alpha' of each of its values.
/// alpha' = alpha (1 - 1e-6): the margin absorbs the rounding of k f(x) (at most 3.4e-13 in f, because
/// f < 2048) and of the representative (< 5e-16), which add at most 7e-13 < 1e-6 alpha to the relative error
/// (alpha >= 1e-6). k is about 1/ln gamma (100 for alpha = 0.005): 1.44 times the ln 2 / ln gamma bins per
/// octave of the exact logarithm, the price of an index made of one multiplication and two conversions.
class log_linear_mapping {
 public:
  /// alpha: the requested relative accuracy, in [1e-6, 1) (not checked here).
  explicit log_linear_mapping(double alpha) noexcept;

  /// Bins per octave, k (a power of two 2^j starts bin k (j + 1023)).
  std::int64_t bins_per_octave() const noexcept { return k_; }
  /// Bin of a finite magnitude > 0: floor(k f(magnitude)), non-decreasing in the magnitude.
  std::int64_t index(double magnitude) const noexcept;
  /// What index_run saw in a run of values.
  struct run_summary {
    double min_magnitude;  // smallest and largest |x[j]| if all_normal; else max_magnitude is 0 only if all
    double max_magnitude;  // values are +-0
    bool all_normal;       // every x[j] is a normal double (no zero, subnormal, infinity or NaN), all of one sign
    bool all_positive;     // all_normal, and positive
    bool all_negative;     // all_normal, and negative
  };
  /// index(|x[j]|) into out[j] for j < n in one branch-free pass, assuming that every x[j] is a normal double
  /// of one sign; out[j] is meaningless for the other values, which the summary reveals.
  run_summary index_run(const double* x, std::size_t n, std::int64_t* out) const noexcept;
  /// The lower edge f^-1(i / k) of bin i (the upper edge of bin i - 1): overflows to +inf above DBL_MAX, and is
  /// rounded to the subnormal grid below DBL_MIN.
  double lower_edge(std::int64_t i) const noexcept;
  /// The value reported for bin i: 2 lo hi / (lo + hi), lo and hi its edges, computed with one final scaling so
  /// that a subnormal result is rounded only once.
  double representative(std::int64_t i) const noexcept;

 private:
  std::int64_t k_;
  double k_real_;  // k as a double (exact)
  double scale_;   // k 2^-52 (exact): index(x) = floor(bits(x) * scale_) for a normal x
};

}  // namespace detail

/// A bounded-memory, mergeable quantile estimator with a relative-error guarantee (DDSketch, with the bin
/// index of detail::log_linear_mapping instead of a logarithm). A value x != 0 falls in bin
/// i = floor(k f(|x|)), f the linearly interpolated log2 of that class; bin i spans a ratio of at most
/// gamma = (1 + alpha)/(1 - alpha) and is represented by 2 lo hi / (lo + hi), lo and hi its edges. Positive and
/// negative values have separate stores, zeros a count of their own. Guarantee: quantile(q) estimates the
/// order statistic x_(k), k = nearest_rank_index(q, count()), with |estimate - x_(k)| <= alpha |x_(k)|, unless
/// x_(k) falls in a collapsed bin (see max_bins_per_side) or is subnormal (|x_(k)| < 2.2e-308, where the
/// estimate, a double, may be off by a further half spacing of the subnormal grid, 2.5e-324). Counts are
/// integers, so merging is exact: any grouping and order of add(), add_block() and merge() over the same
/// values gives the same sketch (operator==) and the same quantiles.
class quantile_sketch {
 public:
  /// alpha: relative accuracy, in [1e-6, 1). max_bins_per_side: >= 1; when the values on one side span more
  /// bins, the bins of smallest magnitude are collapsed into the lowest kept one, and only quantiles that
  /// fall there lose the guarantee (their estimate is that bin's value, or min()/max()). B bins of k per octave
  /// hold, wherever they lie, any magnitudes within a ratio 2^n rho (rho in [1, 2)) with
  /// n + 2 - 2/rho <= (B - 1)/k. With the defaults (k = 100): 8192 bins, any ratio up to 4.4e24 per side, and a
  /// ratio of 2^82 = 4.8e24 always collapses. (4096 would hold only 2.1e12, less than the 6e17 of the former
  /// logarithmic bins.) The memory bound becomes 2 x 64 KiB, reached only by data that wide.
  explicit quantile_sketch(double alpha = 0.005, std::size_t max_bins_per_side = 8192);

  /// Adds one value; throws invalid_parameter if x is not finite.
  void add(double x);
  /// Adds x[0], ..., x[n - 1]: the same sketch (operator==) as n calls of add(), several times faster. A run of
  /// up to 64 values that are all positive normal doubles, or all negative normal doubles, takes a branch-free
  /// path (indices, then counts, the window extended once); a run of zeros is counted at once. A run that mixes
  /// signs or zeros, holds a subnormal or non-finite value, or would collapse bins, goes through add() one
  /// value at a time: a non-finite x[j] throws invalid_parameter after x[0], ..., x[j - 1] were added.
  void add_block(const double* x, std::size_t n);
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
  double alpha_;
  std::size_t max_bins_;
  detail::log_linear_mapping mapping_;  // built for alpha (1 - 1e-6): see docs/statistics.md, rounding
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
