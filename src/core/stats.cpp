// SPDX-License-Identifier: MIT
#include <benzosim/core/stats.hpp>

#include <algorithm>
#include <bit>
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
#include <benzosim/core/simd.hpp>

namespace benzosim {
namespace {

/// The bins are built for a relative accuracy smaller than the requested alpha by this factor, so that the
/// rounding of the bin index (at most 3.4e-13 in f, docs/statistics.md) and of the representative (about
/// 1e-15 relative) cannot push an estimate's error past alpha: together they add at most 7e-13 to the
/// relative error, and with alpha >= 1e-6 the margin alpha * 1e-6 >= 1e-12 covers it.
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

void shifted_sums::add_block(const double* x, std::size_t n) {
  if (n == 0) return;
  const double c = count_ == 0 ? x[0] : shift_;
  // Four lanes (two registers of two): lane j takes the values i with i % 4 == j, as the scalar tail does for
  // lane 0; the lanes are added in a fixed order at the end.
  using simd::load2;
  using simd::v2d;
  const v2d cc = simd::splat2(c);
  v2d s1a = {0.0, 0.0}, s1b = s1a, s2a = s1a, s2b = s1a;
  v2d loa = {x[0], x[0]}, lob = loa, hia = loa, hib = loa;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v2d va = load2(x + i);
    const v2d vb = load2(x + i + 2);
    const v2d da = va - cc;
    const v2d db = vb - cc;
    s1a += da;
    s1b += db;
    s2a += da * da;
    s2b += db * db;
    loa = va < loa ? va : loa;
    lob = vb < lob ? vb : lob;
    hia = va > hia ? va : hia;
    hib = vb > hib ? vb : hib;
  }
  double t1 = s1a[0], t2 = s2a[0], lo = std::min({loa[0], loa[1], lob[0], lob[1]});
  double hi = std::max({hia[0], hia[1], hib[0], hib[1]});
  for (; i < n; ++i) {
    const double d = x[i] - c;
    t1 += d;
    t2 += d * d;
    lo = x[i] < lo ? x[i] : lo;
    hi = x[i] > hi ? x[i] : hi;
  }
  const double b1 = (t1 + s1a[1]) + (s1b[0] + s1b[1]);
  const double b2 = (t2 + s2a[1]) + (s2b[0] + s2b[1]);
  if (!std::isfinite(b1) || !std::isfinite(b2)) {  // a NaN or infinity spreads to the sums
    for (std::size_t k = 0; k < n; ++k) require_finite("shifted_sums.x", x[k], "");
  }
  shift_ = c;
  s1_ += b1;
  s2_ += b2;
  lo_ = std::min(lo_, lo);
  hi_ = std::max(hi_, hi);
  count_ += n;
}

running_moments shifted_sums::moments() const noexcept {
  running_moments m;
  if (count_ == 0) return m;
  const double n = static_cast<double>(count_);
  m.count_ = count_;
  m.mean_ = shift_ + s1_ / n;
  m.m2_ = std::max(0.0, s2_ - s1_ * (s1_ / n));
  m.min_ = lo_ == 0.0 ? 0.0 : lo_;  // -0 -> +0, as add()
  m.max_ = hi_ == 0.0 ? 0.0 : hi_;
  return m;
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

bool log_bin_store::add_each(const std::int64_t* index, std::size_t n, std::int64_t lo, std::int64_t hi) {
  if (n == 0) return true;
  const std::int64_t new_lo = total_ == 0 ? lo : std::min(lo, min_index_);
  const std::int64_t new_hi = total_ == 0 ? hi : std::max(hi, max_index_);
  // add() collapses only when a bin extends the span of used bins past max_bins_; if the span after all n adds
  // fits, no prefix of them collapses, and the counts, min, max and total are those of n calls of add().
  if (new_hi - new_lo + 1 > max_bins_) return false;
  min_index_ = new_lo;
  max_index_ = new_hi;
  cover(new_lo, new_hi);
  std::uint64_t* const counts = counts_.data();
  const std::int64_t offset = offset_;  // a local: the stores below could otherwise alias the member
  for (std::size_t j = 0; j < n; ++j) ++counts[static_cast<std::size_t>(index[j] - offset)];
  total_ += n;
  return true;
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

namespace detail {
namespace {

constexpr double two_52 = 0x1p52;
constexpr double min_normal = std::numeric_limits<double>::min();
/// The bit patterns of the positive normal doubles, read as signed integers, are exactly
/// [min_normal_bits, max_finite_bits], in the order of the values; every other double (zeros, negatives,
/// subnormals, infinities, NaNs) has a pattern outside it.
constexpr auto min_normal_bits = std::bit_cast<std::int64_t>(min_normal);
constexpr auto max_finite_bits = std::bit_cast<std::int64_t>(std::numeric_limits<double>::max());

/// floor(k f(x)) for the bits of a positive normal double x: f(x) = bits * 2^-52, so k f = bits * (k 2^-52).
/// The int64 -> double conversion rounds f to 53 bits (error <= 2^-43, since f < 2048), the product once more
/// (<= 2^-53 k f, i.e. 2^-42 in f); both are monotone, and so is the truncation (y >= 0). One conversion each
/// way: a ceiling, or the exact bit arithmetic that SSE2 could vectorize, both cost more (docs/statistics.md).
/// For the bits of any other double the result is meaningless but well defined: |y| < 2^63 k 2^-52 < 2^53.
inline std::int64_t normal_index(std::int64_t bits, double scale) noexcept {
  return static_cast<std::int64_t>(static_cast<double>(bits) * scale);
}

/// floor(a / b) for b > 0.
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  const std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

}  // namespace

log_linear_mapping::log_linear_mapping(double alpha) noexcept {
  const double a = alpha * (1.0 - rounding_margin);
  const double ln_gamma = std::log1p(a) - std::log1p(-a);  // no cancellation: log1p(-a) < 0
  // k = ceil(1 / ln gamma'): 1/k <= ln gamma', so a bin spans a ratio of at most e^(1/k) <= gamma'.
  auto k = static_cast<std::int64_t>(std::ceil(1.0 / ln_gamma));
  if (1.0 / static_cast<double>(k) > ln_gamma) ++k;  // in case 1 / ln_gamma was rounded just below an integer
  k_ = std::max<std::int64_t>(k, 1);
  k_real_ = static_cast<double>(k_);
  scale_ = k_real_ / two_52;
}

std::int64_t log_linear_mapping::index(double magnitude) const noexcept {
  if (magnitude >= min_normal) return normal_index(std::bit_cast<std::int64_t>(magnitude), scale_);
  // Subnormal (rare): x 2^64 is normal and exact, and f(x 2^64) = f(x) + 64 for the interpolated logarithm,
  // so floor(k f(x)) = floor(k f(x 2^64)) - 64 k. This continues the mapping below DBL_MIN monotonically and
  // continuously (f(DBL_MIN) = 1 either way), with smaller rounding errors than in the normal range.
  return normal_index(std::bit_cast<std::int64_t>(magnitude * 0x1p64), scale_) - 64 * k_;
}

namespace {

/// The loop of index_run, compiled twice from one body: for any x86-64 (SSE2 has no int64 <-> double
/// conversion, so it stays scalar) and for AVX-512 DQ/VL, which convert in vector registers, chosen at run time
/// when the CPU has them. Both round the conversion and the product the same way (IEEE round to nearest), so
/// they give the same indices (the tests run whichever the machine has; index_run_matches_index checks both
/// against the one-value index where AVX-512 is present).
struct index_loop_result {
  std::int64_t lo, hi, any_bits;
};

template <int /*isa*/>
[[gnu::always_inline]] inline index_loop_result index_loop_body(const double* x, std::size_t n, double scale,
                                                                std::int64_t* out) noexcept {
  constexpr auto magnitude_mask = std::numeric_limits<std::int64_t>::max();
  std::int64_t lo = std::numeric_limits<std::int64_t>::max();
  std::int64_t hi = std::numeric_limits<std::int64_t>::min();
  std::int64_t any_bits = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const auto bits = std::bit_cast<std::int64_t>(x[j]);
    lo = std::min(lo, bits);
    hi = std::max(hi, bits);
    any_bits |= bits;
    out[j] = normal_index(bits & magnitude_mask, scale);
  }
  return {lo, hi, any_bits};
}

#if defined(__x86_64__) && defined(__GNUC__)
[[gnu::target("avx512f,avx512dq,avx512vl")]] index_loop_result index_loop_avx512(const double* x, std::size_t n,
                                                                                 double scale,
                                                                                 std::int64_t* out) noexcept {
  return index_loop_body<1>(x, n, scale, out);
}
bool has_avx512dq() noexcept {
  static const bool yes = __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  return yes;
}
#endif

index_loop_result index_loop(const double* x, std::size_t n, double scale, std::int64_t* out) noexcept {
#if defined(__x86_64__) && defined(__GNUC__)
  if (has_avx512dq()) return index_loop_avx512(x, n, scale, out);
#endif
  return index_loop_body<0>(x, n, scale, out);
}

}  // namespace

log_linear_mapping::run_summary log_linear_mapping::index_run(const double* x, std::size_t n,
                                                              std::int64_t* out) const noexcept {
  // Branch-free. Read as signed integers, the bit patterns of the positive normal doubles are the interval
  // [min_normal_bits, max_finite_bits] and those of the negative ones the interval shifted by INT64_MIN, each
  // ordered like the magnitudes: so the extreme patterns tell whether all values are normal doubles of one
  // sign, and give the extreme magnitudes. The OR of the magnitudes is 0 only for zeros. (GCC does not
  // vectorize this for SSE2, which converts no int64 <-> double; an exactly equivalent vectorizable form,
  // from masks and the 2^52 trick, was slower than this scalar loop.)
  constexpr auto magnitude_mask = std::numeric_limits<std::int64_t>::max();  // all but the sign bit
  constexpr auto sign_bit = std::numeric_limits<std::int64_t>::min();
  const index_loop_result r = index_loop(x, n, scale_, out);
  const std::int64_t lo = r.lo;
  const std::int64_t hi = r.hi;
  const std::int64_t any_bits = r.any_bits;
  const bool positive = lo >= min_normal_bits && hi <= max_finite_bits;
  const bool negative = lo >= (sign_bit | min_normal_bits) && hi <= (sign_bit | max_finite_bits);
  const std::int64_t lo_magnitude = lo & magnitude_mask;
  const std::int64_t hi_magnitude = hi & magnitude_mask;
  return {std::bit_cast<double>(positive || negative ? lo_magnitude : std::int64_t{0}),
          std::bit_cast<double>(positive || negative ? hi_magnitude : any_bits & magnitude_mask), positive || negative,
          positive, negative};
}

double log_linear_mapping::lower_edge(std::int64_t i) const noexcept {
  // f = i / k = q + r / k with integers q, r (0 <= r < k): x = 2^(q - 1023) (1 + r / k), split exactly so that
  // the only roundings are those of r / k and 1 + r / k (and of ldexp below DBL_MIN).
  const std::int64_t q = floor_div(i, k_);
  const std::int64_t r = i - q * k_;
  return std::ldexp(1.0 + static_cast<double>(r) / k_real_, static_cast<int>(q - 1023));
}

double log_linear_mapping::representative(std::int64_t i) const noexcept {
  // Bin i is [lo, hi) with lo = 2^e (1 + r / k), hi = 2^e (1 + (r + 1) / k), e = q - 1023, i = q k + r (at
  // r + 1 = k, hi = 2^e * 2 = 2^(e + 1), as it should). The harmonic mean 2 lo hi / (lo + hi) is computed on
  // the mantissas (four roundings, < 5e-16 relative) and scaled once, so that a subnormal result is rounded
  // once.
  const std::int64_t q = floor_div(i, k_);
  const std::int64_t r = i - q * k_;
  const double m_lo = 1.0 + static_cast<double>(r) / k_real_;
  const double m_hi = 1.0 + static_cast<double>(r + 1) / k_real_;
  // The top bin, 2047 k, starts at 2^1024 and holds only the doubles within 2^-53 below it that the rounding of
  // the index puts there (docs/statistics.md): DBL_MAX represents them.
  return std::min(std::ldexp(2.0 * m_lo * m_hi / (m_lo + m_hi), static_cast<int>(q - 1023)),
                  std::numeric_limits<double>::max());
}

}  // namespace detail

quantile_sketch::quantile_sketch(double alpha, std::size_t max_bins_per_side)
    : alpha_(checked_alpha(alpha)),
      max_bins_(checked_max_bins(max_bins_per_side)),
      mapping_(alpha),
      positive_(max_bins_per_side),
      negative_(max_bins_per_side) {}

void quantile_sketch::add(double x) {
  if (!std::isfinite(x)) require_finite("quantile_sketch.x", x, "");
  if (x > 0.0) {
    positive_.add(mapping_.index(x), 1);
  } else if (x < 0.0) {
    negative_.add(mapping_.index(-x), 1);
  } else {
    x = 0.0;  // -0 -> +0, so that min and max do not depend on the order of signed zeros
    ++zero_count_;
  }
  min_ = std::min(min_, x);
  max_ = std::max(max_, x);
}

void quantile_sketch::add_block(const double* x, std::size_t n) {
  // Runs of `run` values: their indices fit on the stack and are still in L1 when counted.
  constexpr std::size_t run = 64;
  std::int64_t index[run];
  for (std::size_t begin = 0; begin < n; begin += run) {
    const double* v = x + begin;
    const std::size_t m = std::min(run, n - begin);
    const auto seen = mapping_.index_run(v, m, index);
    if (seen.all_normal) {
      // The index is monotone, so the extreme magnitudes give the extreme bins.
      detail::log_bin_store& side = seen.all_positive ? positive_ : negative_;
      if (side.add_each(index, m, mapping_.index(seen.min_magnitude), mapping_.index(seen.max_magnitude))) {
        min_ = std::min(min_, seen.all_positive ? seen.min_magnitude : -seen.max_magnitude);
        max_ = std::max(max_, seen.all_positive ? seen.max_magnitude : -seen.min_magnitude);
        continue;
      }
    } else if (seen.max_magnitude == 0.0) {  // all +-0 (a NaN's magnitude bits are not those of 0)
      zero_count_ += m;
      min_ = std::min(min_, 0.0);  // as add(): -0 counts as +0
      max_ = std::max(max_, 0.0);
      continue;
    }
    // Mixed signs or zeros, subnormals, non-finite values (add() throws at the first one, as n calls would),
    // or a run that would collapse bins: value by value, with add()'s exact semantics.
    for (std::size_t j = 0; j < m; ++j) add(v[j]);
  }
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
      if (seen > k) return std::clamp(-mapping_.representative(i), min_, max_);
    }
  }
  seen += zero_count_;
  if (seen > k) return 0.0;
  for (std::int64_t i = positive_.min_index(); i <= positive_.max_index(); ++i) {
    seen += positive_.count_at(i);
    if (seen > k) return std::clamp(mapping_.representative(i), min_, max_);
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
