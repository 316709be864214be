// SPDX-License-Identifier: MIT
#include <benzosim/core/stats.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <benzosim/core/bytes.hpp>
#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>

namespace benzosim {
namespace {

/// The bins are built for a relative accuracy smaller than the requested alpha by this factor, so that the
/// rounding of log and exp (about 1e-13 relative for any double) cannot push an estimate's error past alpha.
/// With alpha >= 1e-6 the margin alpha * 1e-6 >= 1e-12 covers it (docs/statistics.md).
constexpr double rounding_margin = 1e-6;
constexpr double min_alpha = 1e-6;
constexpr std::size_t max_max_bins = std::size_t{1} << 24;

/// A bin window grows by at least this many bins at a time.
constexpr std::int64_t min_window = 64;

[[noreturn]] void throw_empty(const std::string& name, const std::string& what) {
  throw invalid_parameter(name, 0.0, name + " = 0; must be >= 1 " + what);
}

void require_all_finite(const std::vector<double>& values, const char* function) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      require_finite(std::string(function) + ".values[" + std::to_string(i) + "]", values[i], "");
    }
  }
}

/// nearest_rank_index without validation: round(q (n - 1)), halves up, clamped to n - 1.
std::uint64_t rank_of(double q, std::uint64_t n) noexcept {
  const double h = q * static_cast<double>(n - 1);
  const auto k = static_cast<std::uint64_t>(std::round(h));
  return std::min(k, n - 1);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// running_moments

void running_moments::add(double x) {
  if (!std::isfinite(x)) require_finite("running_moments.x", x, "");
  if (x == 0.0) x = 0.0;  // -0 -> +0, so that min and max do not depend on the order of signed zeros
  ++count_;
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(count_);
  m2_ += delta * (x - mean_);
  min_ = std::min(min_, x);
  max_ = std::max(max_, x);
}

void running_moments::merge(const running_moments& other) noexcept {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  const double na = static_cast<double>(count_);
  const double nb = static_cast<double>(other.count_);
  const double n = na + nb;
  const double delta = other.mean_ - mean_;
  mean_ += delta * (nb / n);
  m2_ += other.m2_ + delta * delta * (na * nb / n);
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void running_moments::add_block(const double* x, std::size_t n, std::size_t stride) {
  if (n == 0) return;
  double sum = 0.0;
  double lo = x[0];
  double hi = x[0];
  for (std::size_t i = 0; i < n; ++i) {
    const double v = x[i * stride];
    sum += v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!std::isfinite(sum) || !std::isfinite(lo) || !std::isfinite(hi)) {
    for (std::size_t i = 0; i < n; ++i) require_finite("running_moments.x", x[i * stride], "");
  }
  running_moments b;
  b.count_ = n;
  b.mean_ = sum / static_cast<double>(n);
  double m2 = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = x[i * stride] - b.mean_;
    m2 += d * d;
  }
  b.m2_ = m2;
  b.min_ = lo == 0.0 ? 0.0 : lo;  // -0 -> +0, as add()
  b.max_ = hi == 0.0 ? 0.0 : hi;
  merge(b);
}

double running_moments::mean() const {
  if (count_ == 0) throw_empty("running_moments.count", "for a mean");
  return mean_;
}

double running_moments::variance() const {
  if (count_ < 2) {
    const std::string name = "running_moments.count";
    throw invalid_parameter(name, static_cast<double>(count_),
                            name + " = " + std::to_string(count_) + "; must be >= 2 for a sample variance");
  }
  return m2_ / static_cast<double>(count_ - 1);
}

double running_moments::sd() const {
  return std::sqrt(variance());
}

double running_moments::min() const {
  if (count_ == 0) throw_empty("running_moments.count", "for a minimum");
  return min_;
}

double running_moments::max() const {
  if (count_ == 0) throw_empty("running_moments.count", "for a maximum");
  return max_;
}

void running_moments::write(byte_writer& out) const {
  out.put(count_);
  out.put(mean_);
  out.put(m2_);
  out.put(min_);
  out.put(max_);
}

running_moments running_moments::read(byte_reader& in) {
  running_moments m;
  m.count_ = in.get<std::uint64_t>();
  m.mean_ = in.get<double>();
  m.m2_ = in.get<double>();
  m.min_ = in.get<double>();
  m.max_ = in.get<double>();
  return m;
}

bool operator==(const running_moments& a, const running_moments& b) noexcept {
  auto same = [](double x, double y) { return std::memcmp(&x, &y, sizeof(double)) == 0; };
  return a.count_ == b.count_ && same(a.mean_, b.mean_) && same(a.m2_, b.m2_) && same(a.min_, b.min_) &&
         same(a.max_, b.max_);
}

// ---------------------------------------------------------------------------------------------------------
// detail::log_bin_store

namespace detail {

std::uint64_t log_bin_store::count_at(std::int64_t index) const noexcept {
  const std::int64_t i = index - offset_;
  if (i < 0 || i >= static_cast<std::int64_t>(counts_.size())) return 0;
  return counts_[static_cast<std::size_t>(i)];
}

void log_bin_store::cover(std::int64_t lo, std::int64_t hi) {
  // Precondition: every non-empty bin lies in [lo, hi], and hi - lo + 1 <= max_bins_.
  const auto size = static_cast<std::int64_t>(counts_.size());
  const bool below = size == 0 || lo < offset_;
  const bool above = size == 0 || hi >= offset_ + size;
  if (!below && !above) return;
  // The new window keeps the old one, adds what is missing and a quarter more (at least min_window bins) on the
  // side that grew, so that k extensions cost O(final window) copies; it never exceeds max_bins_.
  std::int64_t new_lo = size == 0 ? lo : std::min(lo, offset_);
  std::int64_t new_hi = size == 0 ? hi : std::max(hi, offset_ + size - 1);
  const std::int64_t slack = std::max(min_window, (new_hi - new_lo + 1) / 4);
  if (below && above) {
    new_lo -= slack / 2;
    new_hi += slack - slack / 2;
  } else if (below) {
    new_lo -= slack;
  } else {
    new_hi += slack;
  }
  if (new_hi - new_lo + 1 > max_bins_) {
    // Every window of max_bins_ bins holding [lo, hi] lies in [hi - max_bins_ + 1, lo + max_bins_ - 1].
    new_lo = std::max(new_lo, hi - max_bins_ + 1);
    new_hi = std::min(new_hi, lo + max_bins_ - 1);
    if (new_hi - new_lo + 1 > max_bins_) {
      if (below && !above) {
        new_hi = new_lo + max_bins_ - 1;
      } else {
        new_lo = new_hi - max_bins_ + 1;
      }
    }
  }
  std::vector<std::uint64_t> grown(static_cast<std::size_t>(new_hi - new_lo + 1), 0);
  if (total_ > 0) {
    for (std::int64_t i = lo; i <= hi; ++i) grown[static_cast<std::size_t>(i - new_lo)] = count_at(i);
  }
  counts_ = std::move(grown);
  offset_ = new_lo;
}

void log_bin_store::collapse_below(std::int64_t threshold) {
  // Called after max_index_ was raised: move the counts of [min_index_, threshold) into bin `threshold`.
  std::uint64_t moved = 0;
  const std::int64_t top = std::min(threshold - 1, max_index_);
  for (std::int64_t i = min_index_; i <= top; ++i) {
    const std::int64_t j = i - offset_;
    if (j >= 0 && j < static_cast<std::int64_t>(counts_.size())) {
      moved += counts_[static_cast<std::size_t>(j)];
      counts_[static_cast<std::size_t>(j)] = 0;
    }
  }
  min_index_ = threshold;
  cover(min_index_, max_index_);
  counts_[static_cast<std::size_t>(threshold - offset_)] += moved;
  if (moved > 0) collapsed_ = true;
}

void log_bin_store::add(std::int64_t index, std::uint64_t n) {
  if (n == 0) return;
  // Fast path: a bin inside the current window (min_index_ already respects the bin limit, see below).
  if (total_ != 0 && index >= min_index_ && index <= max_index_) {
    counts_[static_cast<std::size_t>(index - offset_)] += n;
    total_ += n;
    return;
  }
  if (total_ == 0) {
    min_index_ = index;
    max_index_ = index;
  } else if (index > max_index_) {
    max_index_ = index;
    const std::int64_t threshold = index - max_bins_ + 1;
    if (threshold > min_index_) collapse_below(threshold);
  }
  const std::int64_t target = std::max(index, max_index_ - max_bins_ + 1);
  if (target != index) collapsed_ = true;
  min_index_ = std::min(min_index_, target);
  cover(min_index_, max_index_);
  counts_[static_cast<std::size_t>(target - offset_)] += n;
  total_ += n;
}

void log_bin_store::merge(const log_bin_store& other) {
  if (other.total_ == 0) return;
  // Highest bin first, so the window is extended upwards at most once.
  for (std::int64_t i = other.max_index_; i >= other.min_index_; --i) add(i, other.count_at(i));
  collapsed_ = collapsed_ || other.collapsed_;
}

bool operator==(const log_bin_store& a, const log_bin_store& b) noexcept {
  if (a.max_bins_ != b.max_bins_ || a.total_ != b.total_ || a.collapsed_ != b.collapsed_) return false;
  if (a.total_ == 0) return true;
  if (a.min_index_ != b.min_index_ || a.max_index_ != b.max_index_) return false;
  for (std::int64_t i = a.min_index_; i <= a.max_index_; ++i) {
    if (a.count_at(i) != b.count_at(i)) return false;
  }
  return true;
}

void log_bin_store::write(byte_writer& out) const {
  out.put(max_bins_);
  out.put(total_);
  out.put(collapsed_);
  if (total_ == 0) return;
  out.put(min_index_);
  out.put(max_index_);
  const std::span<const std::uint64_t> used(counts_.data() + (min_index_ - offset_),
                                            static_cast<std::size_t>(max_index_ - min_index_ + 1));
  out.put_span(used);
}

log_bin_store log_bin_store::read(byte_reader& in) {
  const auto max_bins = in.get<std::int64_t>();
  if (max_bins < 1) throw internal_error("log_bin_store::read: bad bin bound");
  log_bin_store s(static_cast<std::size_t>(max_bins));
  s.total_ = in.get<std::uint64_t>();
  s.collapsed_ = in.get<bool>();
  if (s.total_ == 0) return s;
  s.min_index_ = in.get<std::int64_t>();
  s.max_index_ = in.get<std::int64_t>();
  s.counts_ = in.get_vector<std::uint64_t>();
  s.offset_ = s.min_index_;
  if (s.max_index_ < s.min_index_ || static_cast<std::int64_t>(s.counts_.size()) != s.max_index_ - s.min_index_ + 1) {
    throw internal_error("log_bin_store::read: inconsistent bin window");
  }
  return s;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------------------
// quantile_sketch

namespace {

double checked_alpha(double alpha) {
  if (!(alpha >= min_alpha && alpha < 1.0)) {
    const std::string name = "quantile_sketch.alpha";
    throw invalid_parameter(
        name, alpha,
        name + " = " + format_value(alpha) + "; must be in [" + format_value(min_alpha) + ", 1) (relative accuracy)");
  }
  return alpha;
}

std::size_t checked_max_bins(std::size_t max_bins) {
  if (max_bins < 1 || max_bins > max_max_bins) {
    const std::string name = "quantile_sketch.max_bins_per_side";
    throw invalid_parameter(
        name, static_cast<double>(max_bins),
        name + " = " + std::to_string(max_bins) + "; must be in [1, " + std::to_string(max_max_bins) + "]");
  }
  return max_bins;
}

}  // namespace

quantile_sketch::quantile_sketch(double alpha, std::size_t max_bins_per_side)
    : alpha_(checked_alpha(alpha)),
      max_bins_(checked_max_bins(max_bins_per_side)),
      ln_gamma_(std::log1p(alpha * (1.0 - rounding_margin)) - std::log1p(-alpha * (1.0 - rounding_margin))),
      inv_ln_gamma_(1.0 / ln_gamma_),
      ln_representative_(std::log(2.0 / (std::exp(ln_gamma_) + 1.0))),
      positive_(max_bins_per_side),
      negative_(max_bins_per_side) {}

std::int64_t quantile_sketch::index_of(double magnitude) const noexcept {
  return static_cast<std::int64_t>(std::ceil(std::log(magnitude) * inv_ln_gamma_));
}

double quantile_sketch::value_of(std::int64_t index) const noexcept {
  return std::exp(static_cast<double>(index) * ln_gamma_ + ln_representative_);
}

void quantile_sketch::add(double x) {
  if (!std::isfinite(x)) require_finite("quantile_sketch.x", x, "");
  if (x > 0.0) {
    positive_.add(index_of(x), 1);
  } else if (x < 0.0) {
    negative_.add(index_of(-x), 1);
  } else {
    x = 0.0;  // -0 -> +0, so that min and max do not depend on the order of signed zeros
    ++zero_count_;
  }
  min_ = std::min(min_, x);
  max_ = std::max(max_, x);
}

void quantile_sketch::merge(const quantile_sketch& other) {
  if (&other == this) {
    const quantile_sketch copy = other;
    merge(copy);
    return;
  }
  if (other.alpha_ != alpha_) {
    const std::string name = "quantile_sketch.alpha";
    throw invalid_parameter(name, other.alpha_,
                            name + " = " + format_value(other.alpha_) + " in the merged sketch; must equal " +
                                format_value(alpha_) + " as in this sketch");
  }
  if (other.max_bins_ != max_bins_) {
    const std::string name = "quantile_sketch.max_bins_per_side";
    throw invalid_parameter(name, static_cast<double>(other.max_bins_),
                            name + " = " + std::to_string(other.max_bins_) + " in the merged sketch; must equal " +
                                std::to_string(max_bins_) + " as in this sketch");
  }
  positive_.merge(other.positive_);
  negative_.merge(other.negative_);
  zero_count_ += other.zero_count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

std::uint64_t quantile_sketch::count() const noexcept {
  return positive_.total() + negative_.total() + zero_count_;
}

double quantile_sketch::min() const {
  if (count() == 0) throw_empty("quantile_sketch.count", "for a minimum");
  return min_;
}

double quantile_sketch::max() const {
  if (count() == 0) throw_empty("quantile_sketch.count", "for a maximum");
  return max_;
}

double quantile_sketch::quantile(double q) const {
  require_in_range("quantile_sketch.q", q, "", 0.0, 1.0);
  const std::uint64_t n = count();
  if (n == 0) throw_empty("quantile_sketch.count", "for a quantile");
  const std::uint64_t k = rank_of(q, n);
  if (k == 0) return min_;
  if (k == n - 1) return max_;
  // Walk the bins in increasing value: negative side from the largest magnitude down, zeros, positive side.
  // The answer is the bin holding the k-th (0-based) value, clamped to [min, max], which only reduces error.
  std::uint64_t seen = 0;
  if (negative_.total() > 0) {
    for (std::int64_t i = negative_.max_index(); i >= negative_.min_index(); --i) {
      seen += negative_.count_at(i);
      if (seen > k) return std::clamp(-value_of(i), min_, max_);
    }
  }
  seen += zero_count_;
  if (seen > k) return 0.0;
  for (std::int64_t i = positive_.min_index(); i <= positive_.max_index(); ++i) {
    seen += positive_.count_at(i);
    if (seen > k) return std::clamp(value_of(i), min_, max_);
  }
  throw internal_error("quantile_sketch::quantile: rank " + std::to_string(k) + " not found among " +
                       std::to_string(n) + " counted values");
}

std::size_t quantile_sketch::memory_bytes() const noexcept {
  return sizeof(*this) + positive_.heap_bytes() + negative_.heap_bytes();
}

bool operator==(const quantile_sketch& a, const quantile_sketch& b) noexcept {
  return a.alpha_ == b.alpha_ && a.max_bins_ == b.max_bins_ && a.zero_count_ == b.zero_count_ && a.min_ == b.min_ &&
         a.max_ == b.max_ && a.positive_ == b.positive_ && a.negative_ == b.negative_;
}

void quantile_sketch::write(byte_writer& out) const {
  out.put(alpha_);
  out.put(static_cast<std::uint64_t>(max_bins_));
  positive_.write(out);
  negative_.write(out);
  out.put(zero_count_);
  out.put(min_);
  out.put(max_);
}

quantile_sketch quantile_sketch::read(byte_reader& in) {
  const auto alpha = in.get<double>();
  const auto max_bins = in.get<std::uint64_t>();
  quantile_sketch s(alpha, static_cast<std::size_t>(max_bins));
  s.positive_ = detail::log_bin_store::read(in);
  s.negative_ = detail::log_bin_store::read(in);
  s.zero_count_ = in.get<std::uint64_t>();
  s.min_ = in.get<double>();
  s.max_ = in.get<double>();
  return s;
}

// ---------------------------------------------------------------------------------------------------------
// exact quantiles

std::uint64_t nearest_rank_index(double q, std::uint64_t n) {
  require_in_range("nearest_rank_index.q", q, "", 0.0, 1.0);
  if (n == 0) throw_empty("nearest_rank_index.n", "(number of values)");
  return rank_of(q, n);
}

double nearest_rank_quantile(std::vector<double> values, double q) {
  require_in_range("nearest_rank_quantile.q", q, "", 0.0, 1.0);
  if (values.empty()) throw_empty("nearest_rank_quantile.values.size", "(number of values)");
  require_all_finite(values, "nearest_rank_quantile");
  const auto k = static_cast<std::ptrdiff_t>(rank_of(q, values.size()));
  std::nth_element(values.begin(), values.begin() + k, values.end());
  return values[static_cast<std::size_t>(k)];
}

double exact_quantile(std::vector<double> values, double q) {
  require_in_range("exact_quantile.q", q, "", 0.0, 1.0);
  if (values.empty()) throw_empty("exact_quantile.values.size", "(number of values)");
  require_all_finite(values, "exact_quantile");
  // R's quantile.default, type 7: index = 1 + (n - 1) q; lo = floor(index), hi = ceiling(index) (1-based);
  // qs = x[lo]; if index > lo and x[hi] != qs: qs = (1 - h) qs + h x[hi], h = index - lo.
  const double index = 1.0 + static_cast<double>(values.size() - 1) * q;
  const double lo = std::floor(index);
  const auto lo0 = static_cast<std::ptrdiff_t>(lo) - 1;  // 0-based
  std::nth_element(values.begin(), values.begin() + lo0, values.end());
  double qs = values[static_cast<std::size_t>(lo0)];
  if (index > lo) {
    const double x_hi = *std::min_element(values.begin() + lo0 + 1, values.end());
    if (x_hi != qs) {
      const double h = index - lo;
      qs = (1.0 - h) * qs + h * x_hi;
    }
  }
  return qs;
}

}  // namespace benzosim
