// SPDX-License-Identifier: MIT
// Exact propagation of a linear compartment system dA/dt = K A + r (private to pk): over a step dt,
// A(t + dt) = Phi A(t) + Gamma r with Phi = e^{K dt} and Gamma = int_0^dt e^{K s} ds, both read from the
// exponential of the block matrix [[K, I], [0, 0]] dt (Van Loan). The exponential is Eigen's scaling-and-
// squaring Pade algorithm, which needs no eigen-decomposition and so has no singular case for equal rate
// constants. Propagators are cached by step length: regular output grids reuse a handful of them.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include <Eigen/Dense>
#include <unsupported/Eigen/MatrixFunctions>

#include "event_engine.hpp"

namespace benzosim::pk::detail {

template <std::size_t N>
class linear_system {
 public:
  static constexpr bool exact_linear = true;

  /// k_rowmajor: the N x N rate matrix, row-major.
  explicit linear_system(const std::vector<double>& k_rowmajor) {
    for (std::size_t i = 0; i < N; ++i) {
      for (std::size_t j = 0; j < N; ++j) k_(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = k_rowmajor[i * N + j];
    }
  }

  state<N> initial() const { return {}; }

  void advance(state<N>& x, const state<N>& r, bool any_rate, double dt) {
    if (dt <= 0.0) return;
    const entry& e = lookup(dt);
    state<N> y{};
    for (std::size_t i = 0; i < N; ++i) {
      double s = 0.0;
      for (std::size_t j = 0; j < N; ++j) s += e.phi[i * N + j] * x[j];
      y[i] = s;
    }
    if (any_rate) {
      for (std::size_t i = 0; i < N; ++i) {
        double s = 0.0;
        for (std::size_t j = 0; j < N; ++j) s += e.gamma[i * N + j] * r[j];
        y[i] += s;
      }
    }
    x = y;
  }

 private:
  struct entry {
    double dt = -1.0;
    std::array<double, N * N> phi{};
    std::array<double, N * N> gamma{};
  };
  static constexpr std::size_t cache_size = 8;

  const entry& lookup(double dt) {
    if (cache_[last_].dt == dt) return cache_[last_];
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
    constexpr int n = static_cast<int>(N);
    Eigen::Matrix<double, 2 * n, 2 * n> block = Eigen::Matrix<double, 2 * n, 2 * n>::Zero();
    block.template topLeftCorner<n, n>() = k_ * dt;
    block.template topRightCorner<n, n>() = Eigen::Matrix<double, n, n>::Identity() * dt;
    const Eigen::Matrix<double, 2 * n, 2 * n> ex = block.exp();
    for (std::size_t i = 0; i < N; ++i) {
      for (std::size_t j = 0; j < N; ++j) {
        const auto ii = static_cast<Eigen::Index>(i);
        const auto jj = static_cast<Eigen::Index>(j);
        e.phi[i * N + j] = ex(ii, jj);
        e.gamma[i * N + j] = ex(ii, jj + n);
      }
    }
    e.dt = dt;
  }

  Eigen::Matrix<double, static_cast<int>(N), static_cast<int>(N)> k_;
  std::array<entry, cache_size> cache_{};
  std::size_t next_ = 0;
  std::size_t last_ = 0;
};

}  // namespace benzosim::pk::detail
