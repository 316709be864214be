// SPDX-License-Identifier: MIT
// The System of the event engine for models solved by CVODES (private to pk): between events it integrates
// dA/dt = f(A) + r with the piecewise-constant zero-order input r the engine hands over. Because the engine
// is the same as the exact path's, dosing semantics (F, ALAG, R, D, ADDL, SS, resets) are identical.
#pragma once

#include <cstddef>
#include <limits>
#include <utility>

#include "cvodes_integrator.hpp"
#include "event_engine.hpp"

namespace benzosim::pk::detail {

template <std::size_t N>
class ode_system {
 public:
  /// Not linear as far as the engine knows: steady state is found by iterating dosing cycles, and SS = 2
  /// (superposition) is rejected. (A linear_model run through CVODES is treated the same way, so the
  /// cross-checks exercise exactly the code path of the non-linear models.)
  static constexpr bool exact_linear = false;

  /// initial: the state at the first record and after a reset (e.g. enzyme 1 at baseline).
  ode_system(rhs_fn f, const state<N>& initial, const ode_options& o)
      : integrator_(N, std::move(f), o), initial_(initial) {}

  state<N> initial() const { return initial_; }

  void advance(state<N>& x, const state<N>& rate, bool any_rate, double t0_h, double dt_h) {
    if (dt_h <= 0.0) return;
    static constexpr state<N> no_input{};
    // t0_h is NaN during a steady-state search; messages then give the time into the step.
    integrator_.integrate(x.data(), any_rate ? rate.data() : no_input.data(), t0_h, dt_h);
  }

  [[nodiscard]] cvodes_integrator::counters work() const { return integrator_.work(); }

 private:
  cvodes_integrator integrator_;
  state<N> initial_;
};

}  // namespace benzosim::pk::detail
