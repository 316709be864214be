// SPDX-License-Identifier: MIT
/// Two doubles per register, portably: the vector extension of GCC and Clang, which compiles to SSE2 on any
/// x86-64 (and to the matching instructions elsewhere) with the same IEEE arithmetic per lane as scalar code,
/// so results do not depend on whether a loop is written with it. For the short, hot loops of population runs
/// (blocks of 32 patients) that GCC's auto-vectoriser leaves scalar.
#pragma once

#include <cstdint>
#include <cstring>

namespace benzosim::simd {

using v2d = double __attribute__((vector_size(16)));
/// A comparison of two v2d gives a lane mask: all bits set (-1) where true, 0 where false.
using v2mask = std::int64_t __attribute__((vector_size(16)));

inline v2d load2(const double* p) noexcept {
  v2d v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline v2d splat2(double x) noexcept {
  return v2d{x, x};
}

}  // namespace benzosim::simd
