// SPDX-License-Identifier: MIT
// A small owner of one CVODES integrator (private to pk). The SUNDIALS headers stay in
// cvodes_integrator.cpp: nothing that includes this header sees them.
//
// The integrator solves dy/dt = f(y) + rate over one step with a constant zero-order input `rate` [mg/h per
// compartment]; f is autonomous (PK models here have no explicit time dependence). Method: BDF with a
// dense direct linear solver and Newton iteration (stiff-safe; see docs/ode-models.md#solver).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include <benzosim/pk/ode.hpp>

namespace benzosim::pk::detail {

/// The right-hand side without zero-order inputs: dydt = f(y) [amount/h]. It must be a pure function of
/// y. It may throw: the exception is carried across CVODES and rethrown by integrate().
using rhs_fn = std::function<void(const double* y, double* dydt)>;

class cvodes_integrator {
 public:
  /// Work counters, summed over all integrate() calls.
  struct counters {
    long steps = 0;          ///< internal CVODES steps
    long rhs_evals = 0;      ///< right-hand side evaluations (including difference-quotient Jacobians)
    long reinits = 0;        ///< cold starts (CVodeReInit): the state or the input changed
    long continuations = 0;  ///< warm continuations: same state and input as the end of the last call
  };

  /// n: the number of states; o: validated by the caller (o.validate()). Throws solver_error if a
  /// SUNDIALS object cannot be created or configured.
  cvodes_integrator(std::size_t n, rhs_fn f, const ode_options& o);
  ~cvodes_integrator();
  cvodes_integrator(cvodes_integrator&&) noexcept;
  cvodes_integrator& operator=(cvodes_integrator&&) noexcept;
  cvodes_integrator(const cvodes_integrator&) = delete;
  cvodes_integrator& operator=(const cvodes_integrator&) = delete;

  /// y <- y(t0 + dt) for dy/dt = f(y) + rate, integrated to exactly t0 + dt (CVodeSetStopTime).
  /// y and rate have n elements; dt_h <= 0 does nothing. t0_h is the absolute time of y, used only in
  /// error messages; pass NaN when it is unknown (messages then give the time into the step).
  /// A cold start (CVodeReInit) is made unless y and rate are bit-for-bit those at the end of the previous
  /// call: then nothing changed at the boundary and the integration simply continues.
  /// Throws solver_error (flag, time, advice quoting the settings) when CVODES fails.
  void integrate(double* y, const double* rate, double t0_h, double dt_h);

  [[nodiscard]] counters work() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace benzosim::pk::detail
