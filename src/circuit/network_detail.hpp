// SPDX-License-Identifier: MIT
/// Private pieces of the network engine: the random-stream purposes, the exponential used by the
/// exponential membrane scheme, and the fixed-point sums that make population means independent of how the
/// neurons are split between threads.
#pragma once

#include <atomic>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace benzosim::circuit::detail {

/// The widest vector the network update may use, in doubles (8 = AVX-512, 4 = AVX2, 2 = SSE2; the CPU's best
/// when larger). Only for tests, which check that every width gives the same bits; not thread-safe to change
/// during a run.
inline std::atomic<int> max_vector_lanes{8};

/// The `purpose` words of the network's random streams (ASCII, so that they never collide with the small
/// purpose numbers of the population layer).
inline constexpr std::uint64_t stream_connect_probability = 0x6e65742d636f6e70ULL;  // "net-conp"
inline constexpr std::uint64_t stream_connect_in_degree = 0x6e65742d636f6e69ULL;    // "net-coni"
inline constexpr std::uint64_t stream_initial_state = 0x6e65742d696e6974ULL;        // "net-init"
inline constexpr std::uint64_t stream_poisson_drive = 0x6e65742d706f6973ULL;        // "net-pois"

/// W lanes of doubles and of 64-bit integers (GCC/Clang vector extensions; W = 1 is plain scalars). Vector
/// arithmetic rounds every lane exactly like the scalar operation, so scalar and vector code give the same bits.
template <int W>
struct simd;
template <>
struct simd<1> {
  using d = double;
  using i = std::int64_t;
};
template <>
struct simd<2> {
  using d = double __attribute__((vector_size(16)));
  using i = std::int64_t __attribute__((vector_size(16)));
};
template <>
struct simd<4> {
  using d = double __attribute__((vector_size(32)));
  using i = std::int64_t __attribute__((vector_size(32)));
};
template <>
struct simd<8> {
  using d = double __attribute__((vector_size(64)));
  using i = std::int64_t __attribute__((vector_size(64)));
};

/// e^x for -700 <= x <= 700 on W lanes, within 2 ulp, with plain arithmetic and bit operations only (identical
/// bits for every W). Range reduction x = n ln2 + r with |r| <= ln2 / 2 (n by the 1.5 * 2^52 shifter, ln2 in two
/// parts), e^r by its Taylor polynomial of degree 12 (truncation < 2e-16), times 2^n built in the exponent bits.
template <int W>
[[gnu::always_inline]] inline typename simd<W>::d exp_reduced(typename simd<W>::d x) noexcept {
  using D = typename simd<W>::d;
  using I = typename simd<W>::i;
  constexpr double shifter = 0x1.8p52;
  constexpr double log2e = 1.4426950408889634074;
  constexpr double ln2_hi = 0x1.62e42feep-1;        // ln 2 to 32 bits (fdlibm): n * ln2_hi is exact for |n| < 2^21
  constexpr double ln2_lo = 0x1.a39ef35793c76p-33;  // ln 2 - ln2_hi
  const D t = x * log2e + shifter;
  const D n = t - shifter;
  const D r = (x - n * ln2_hi) - n * ln2_lo;
  D p = D{} + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const I biased = std::bit_cast<I>(t) - std::bit_cast<std::int64_t>(shifter) + 1023;
  return p * std::bit_cast<D>(biased << 52);
}

/// e^x for x <= 0 (x below -700 gives e^-700) on W lanes (exp_reduced).
template <int W>
[[gnu::always_inline]] inline typename simd<W>::d exp_nonpositive(typename simd<W>::d x) noexcept {
  using D = typename simd<W>::d;
  const D floor_x = D{} - 700.0;
  x = x < -700.0 ? floor_x : x;
  return exp_reduced<W>(x);
}

/// The largest argument of exp_capped: e^40 = 2.4e17. In the AdEx spike current gL DeltaT e^x, x = 40 means
/// V is 40 slope factors above VT, where the membrane diverges within femtoseconds: the capped current still
/// carries V past v_peak within the step for any sensible parameters, and nothing overflows.
inline constexpr double exp_cap = 40.0;

/// e^min(x, exp_cap) (x below -700 gives e^-700) on W lanes (exp_reduced); NaN stays NaN.
template <int W>
[[gnu::always_inline]] inline typename simd<W>::d exp_capped(typename simd<W>::d x) noexcept {
  using D = typename simd<W>::d;
  const D floor_x = D{} - 700.0;
  const D cap = D{} + exp_cap;
  x = x < -700.0 ? floor_x : x;
  x = x > exp_cap ? cap : x;
  return exp_reduced<W>(x);
}

/// The cache line of the CPUs the engine runs on (x86-64, most ARM64) [bytes].
inline constexpr std::size_t cache_line = 64;

/// An allocator whose blocks start on a cache line and span whole lines, so that no two of them share a line.
/// The network's per-neuron arrays and per-thread buffers use it: a thread writing its part of one must never
/// invalidate a line another thread is using (false sharing costs more than updating a block of neurons).
template <class T>
struct line_allocator {
  using value_type = T;
  line_allocator() noexcept = default;
  template <class U>
  explicit line_allocator(const line_allocator<U>& /*other*/) noexcept {}
  [[nodiscard]] T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new (bytes(n), std::align_val_t{cache_line}));
  }
  void deallocate(T* p, std::size_t n) noexcept { ::operator delete (p, bytes(n), std::align_val_t{cache_line}); }
  friend bool operator==(const line_allocator&, const line_allocator&) noexcept { return true; }

 private:
  static std::size_t bytes(std::size_t n) noexcept {
    return (n * sizeof(T) + cache_line - 1) / cache_line * cache_line;
  }
};
template <class T>
using line_vector = std::vector<T, line_allocator<T>>;

/// Fixed-point sums: each value is converted to a multiple of 2^-20 (truncated towards zero, clamped to
/// +-2^15) and added as an integer. Integer addition is associative, so a population sum comes out the same
/// whichever thread adds which neurons in whichever order (double sums would not). The resolution, 1e-6 mV
/// per neuron, is far below anything the read-outs resolve.
inline constexpr double fixed_scale = 0x1p20;
inline constexpr double fixed_limit = 0x1p15;
[[gnu::always_inline]] inline std::uint64_t to_fixed(double x) noexcept {
  x = x >= -fixed_limit ? x : -fixed_limit;  // also maps NaN to -limit: the conversion is never undefined
  x = x <= fixed_limit ? x : fixed_limit;
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(x * fixed_scale));
}
/// Wrap-around sums of to_fixed values back to a double (exact while the true sum fits in 63 bits).
inline double from_fixed(std::uint64_t sum) noexcept {
  return static_cast<double>(static_cast<std::int64_t>(sum)) / fixed_scale;
}

}  // namespace benzosim::circuit::detail
