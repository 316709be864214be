// SPDX-License-Identifier: MIT
// Exact propagation of a linear compartment system dA/dt = K A + r (private to pk): over a step dt,
// A(t + dt) = Phi A(t) + Gamma r with Phi = e^{K dt} and Gamma = int_0^dt e^{K s} ds, both read from the
// exponential of the block matrix [[K, I], [0, 0]] dt (Van Loan). The exponential is Eigen's scaling-and-
// squaring Pade algorithm, which needs no eigen-decomposition and so has no singular case for equal rate
// constants. Propagators are cached by step length: regular output grids reuse a handful of them.
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <vector>

#include <Eigen/Dense>
#include <unsupported/Eigen/MatrixFunctions>

#include "event_engine.hpp"

namespace benzosim::pk::detail {

template <std::size_t N>
using rate_matrix_n = Eigen::Matrix<double, static_cast<int>(N), static_cast<int>(N)>;

/// The propagators of a step dt for dA/dt = K A + r: phi = e^{K dt} and gamma = int_0^dt e^{K s} ds, both
/// N x N row-major, read from the exponential of [[K, I], [0, 0]] dt. The one place they are computed: the
/// scalar engine (linear_system) and the batch (batch.cpp) share it, so their propagators are bit-identical.
template <std::size_t N>
void van_loan_propagators(const rate_matrix_n<N>& k, double dt, double* phi, double* gamma) {
  constexpr int n = static_cast<int>(N);
  Eigen::Matrix<double, 2 * n, 2 * n> block = Eigen::Matrix<double, 2 * n, 2 * n>::Zero();
  block.template topLeftCorner<n, n>() = k * dt;
  block.template topRightCorner<n, n>() = Eigen::Matrix<double, n, n>::Identity() * dt;
  const Eigen::Matrix<double, 2 * n, 2 * n> ex = block.exp();
  for (std::size_t i = 0; i < N; ++i) {
    for (std::size_t j = 0; j < N; ++j) {
      const auto ii = static_cast<Eigen::Index>(i);
      const auto jj = static_cast<Eigen::Index>(j);
      phi[i * N + j] = ex(ii, jj);
      gamma[i * N + j] = ex(ii, jj + n);
    }
  }
}

template <std::size_t N>
class linear_system {
 public:
  static constexpr bool exact_linear = true;

  /// k_rowmajor: the N x N rate matrix, row-major.
  explicit linear_system(const std::vector<double>& k_rowmajor) {
    for (std::size_t i = 0; i < N; ++i) {
      for (std::size_t j = 0; j < N; ++j)
        k_(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = k_rowmajor[i * N + j];
    }
  }

  state<N> initial() const { return {}; }

  // Small enough to inline into the engine's loops: the cache hit is one comparison; the rest is a
  // matrix-vector product. Returns the state after dt (by value, so that it can stay in registers).
  state<N> propagated(const state<N>& x, const state<N>& r, bool any_rate, double dt) {
    if (dt <= 0.0) return x;
    const entry& e = cache_[last_].dt == dt ? cache_[last_] : lookup(dt);
    state<N> y{};
    for (std::size_t i = 0; i < N; ++i) {
      double sum = 0.0;
      for (std::size_t j = 0; j < N; ++j) sum += e.phi[i * N + j] * x[j];
      y[i] = sum;
    }
    if (any_rate) {
      for (std::size_t i = 0; i < N; ++i) {
        double sum = 0.0;
        for (std::size_t j = 0; j < N; ++j) sum += e.gamma[i * N + j] * r[j];
        y[i] += sum;
      }
    }
    return y;
  }

  void advance(state<N>& x, const state<N>& r, bool any_rate, double /*t0_h*/, double dt) {
    x = propagated(x, r, any_rate, dt);
  }

  /// Where propagate_run stopped.
  struct run_result {
    std::size_t next;  ///< the first record not handled
    state<N> x;        ///< the state at time t
    double t;          ///< the time of the last record handled
    bool finite;       ///< every amount written was finite
  };

  /// The engine's fast path (no zero-order input running): propagates through consecutive observation
  /// records from index i while their step equals the cached step and their time is below `limit`,
  /// writing the state after each to dst[i*N ..]. Everything is passed by value and the loop makes no
  /// calls, so that the state stays in registers.
  run_result propagate_run(const state<N> x0, const double t0, const record* recs, std::size_t i, const std::size_t n,
                           const double limit, double* const dst) const {
    const entry& e = cache_[last_];
    const double step = e.dt;
    double y[N];
    double phi[N * N];
#pragma GCC unroll 16
    for (std::size_t a = 0; a < N * N; ++a) phi[a] = e.phi[a];
#pragma GCC unroll 4
    for (std::size_t a = 0; a < N; ++a) y[a] = x0[a];
    double tt = t0;
    bool ok = true;
    for (; i < n; ++i) {
      const record& r = recs[i];
      if (r.kind != event_kind::observation || !(r.time_h < limit) || r.time_h - tt != step) break;
      double z[N];
#pragma GCC unroll 4
      for (std::size_t a = 0; a < N; ++a) {
        double sum = phi[a * N] * y[0];
#pragma GCC unroll 4
        for (std::size_t b = 1; b < N; ++b) sum += phi[a * N + b] * y[b];
        z[a] = sum;
      }
      tt = r.time_h;
#pragma GCC unroll 4
      for (std::size_t a = 0; a < N; ++a) {
        y[a] = z[a];
        dst[i * N + a] = z[a];
        ok &= std::isfinite(z[a]);
      }
    }
    run_result out{i, {}, tt, ok};
#pragma GCC unroll 4
    for (std::size_t a = 0; a < N; ++a) out.x[a] = y[a];
    return out;
  }

 private:
  struct entry {
    // NaN, not a sentinel like -1: no step length equals it, so an empty entry is never taken for a cached
    // one (a record going back by exactly the sentinel must still be reported by the engine).
    double dt = std::numeric_limits<double>::quiet_NaN();
    std::array<double, N * N> phi{};
    std::array<double, N * N> gamma{};
  };
  static constexpr std::size_t cache_size = 8;

  [[gnu::noinline]] const entry& lookup(double dt) {
    for (std::size_t k = 0; k < cache_size; ++k) {
      if (cache_[k].dt == dt) {
        last_ = k;
        return cache_[k];
      }
    }
    entry& e = cache_[next_];
    last_ = next_;
    next_ = (next_ + 1) % cache_size;
    compute(dt, e);
    return e;
  }

  void compute(double dt, entry& e) const {
    van_loan_propagators<N>(k_, dt, e.phi.data(), e.gamma.data());
    e.dt = dt;
  }

  rate_matrix_n<N> k_;
  std::array<entry, cache_size> cache_{};
  std::size_t next_ = 0;
  std::size_t last_ = 0;
};

}  // namespace benzosim::pk::detail
