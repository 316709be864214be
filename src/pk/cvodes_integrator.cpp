// SPDX-License-Identifier: MIT
// The only file of benzosim that includes SUNDIALS (STYLE B4). RAII owners for every SUNDIALS object,
// every return code checked, a noexcept RHS trampoline, solver_error with advice on failure.
#include "cvodes_integrator.hpp"

#include <cmath>
#include <cstring>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include <cstdlib>  // std::free for the string that CVodeGetReturnFlagName allocates with malloc

#include <cvodes/cvodes.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>

namespace benzosim::pk::detail {
namespace {

static_assert(sizeof(realtype) == sizeof(double), "benzosim needs SUNDIALS built in double precision");

// ---- RAII owners ------------------------------------------------------------------------------------

struct context_deleter {
  void operator()(SUNContext c) const noexcept { SUNContext_Free(&c); }
};
struct vector_deleter {
  void operator()(N_Vector v) const noexcept { N_VDestroy(v); }
};
struct matrix_deleter {
  void operator()(SUNMatrix m) const noexcept { SUNMatDestroy(m); }
};
struct linsol_deleter {
  void operator()(SUNLinearSolver s) const noexcept { SUNLinSolFree(s); }
};
struct cvode_deleter {
  void operator()(void* mem) const noexcept { CVodeFree(&mem); }
};

using context_ptr = std::unique_ptr<std::remove_pointer_t<SUNContext>, context_deleter>;
using vector_ptr = std::unique_ptr<std::remove_pointer_t<N_Vector>, vector_deleter>;
using matrix_ptr = std::unique_ptr<std::remove_pointer_t<SUNMatrix>, matrix_deleter>;
using linsol_ptr = std::unique_ptr<std::remove_pointer_t<SUNLinearSolver>, linsol_deleter>;
using cvode_ptr = std::unique_ptr<void, cvode_deleter>;

/// CVODES's name of a return flag ("CV_TOO_MUCH_WORK"); the C string is malloc'd and freed here.
std::string flag_name(int flag) {
  char* s = CVodeGetReturnFlagName(static_cast<long>(flag));
  if (s == nullptr) return "CVODES flag " + std::to_string(flag);
  std::string name(s);
  std::free(s);  // NOLINT(cppcoreguidelines-no-malloc)
  return name;
}

/// Throws solver_error unless a setup call returned CV_SUCCESS (or CVLS_SUCCESS, also 0).
void check(int flag, const char* call) {
  if (flag < 0) throw solver_error(flag, 0.0, std::string("CVODES: ") + call + " failed with " + flag_name(flag));
}

template <class Ptr>
Ptr check_created(Ptr p, const char* call) {
  if (!p) throw solver_error(CV_MEM_FAIL, 0.0, std::string("CVODES: ") + call + " could not allocate its object");
  return p;
}

}  // namespace

struct cvodes_integrator::impl {
  std::size_t n;
  rhs_fn f;
  ode_options opts;

  // Declaration order = construction order; destruction runs backwards, so the CVODE memory goes first
  // and the context, which every other object refers to, last.
  context_ptr ctx;
  vector_ptr y;
  matrix_ptr jac;
  linsol_ptr ls;
  cvode_ptr mem;

  std::vector<double> rate;    // the zero-order input of the current step [mg/h]
  std::vector<double> y_last;  // y at the end of the last call (to detect a warm continuation)
  bool warm = false;           // CVODES holds a valid history ending at t_internal with y_last, rate
  double t_internal = 0.0;     // CVODES's own clock [h]; restarts at 0 on every cold start
  std::exception_ptr pending;  // an exception thrown by f, carried across the C boundary
  std::string last_message;    // CVODES's last error text (kept out of stderr)
  counters work;

  impl(std::size_t n_, rhs_fn f_, const ode_options& o) : n(n_), f(std::move(f_)), opts(o), rate(n_, 0.0), y_last(n_) {
    if (n == 0) throw internal_error("pk: cvodes_integrator needs at least one state");
    const auto len = static_cast<sunindextype>(n);
    SUNContext c = nullptr;
    check(SUNContext_Create(nullptr, &c), "SUNContext_Create");
    ctx.reset(c);
    y.reset(check_created(N_VNew_Serial(len, ctx.get()), "N_VNew_Serial"));
    N_VConst(0.0, y.get());
    jac.reset(check_created(SUNDenseMatrix(len, len, ctx.get()), "SUNDenseMatrix"));
    ls.reset(check_created(SUNLinSol_Dense(y.get(), jac.get(), ctx.get()), "SUNLinSol_Dense"));
    mem.reset(
        check_created(CVodeCreate(opts.method == ode_method::adams ? CV_ADAMS : CV_BDF, ctx.get()), "CVodeCreate"));
    check(CVodeSetErrHandlerFn(mem.get(), &impl::on_error, this), "CVodeSetErrHandlerFn");
    check(CVodeInit(mem.get(), &impl::rhs, 0.0, y.get()), "CVodeInit");
    check(CVodeSStolerances(mem.get(), opts.rtol, opts.atol), "CVodeSStolerances");
    check(CVodeSetUserData(mem.get(), this), "CVodeSetUserData");
    check(CVodeSetMaxNumSteps(mem.get(), opts.max_steps), "CVodeSetMaxNumSteps");
    check(CVodeSetLinearSolver(mem.get(), ls.get(), jac.get()), "CVodeSetLinearSolver");
  }

  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  /// The CVRhsFn trampoline: never lets an exception cross into C. Non-finite output -> 1 (recoverable:
  /// CVODES retries with a smaller step); an exception -> -1 (unrecoverable), rethrown by integrate().
  static int rhs(realtype /*t*/, N_Vector yv, N_Vector dv, void* user_data) noexcept {
    auto* self = static_cast<impl*>(user_data);
    try {
      const double* yp = N_VGetArrayPointer(yv);
      double* dp = N_VGetArrayPointer(dv);
      self->f(yp, dp);
      ++self->work.rhs_evals;
      for (std::size_t i = 0; i < self->n; ++i) {
        dp[i] += self->rate[i];
        if (!std::isfinite(dp[i])) return 1;
      }
      return 0;
    } catch (...) {
      self->pending = std::current_exception();
      return -1;
    }
  }

  /// Keeps CVODES's messages off stderr (STYLE B4: outcomes go into values, not onto a stream).
  static void on_error(int /*code*/, const char* module, const char* function, char* msg, void* user_data) noexcept {
    auto* self = static_cast<impl*>(user_data);
    try {
      self->last_message =
          std::string(module ? module : "") + "::" + (function ? function : "") + ": " + (msg ? msg : "");
    } catch (...) {  // out of memory while keeping a message: drop the message, keep the flag
    }
  }

  [[noreturn]] void fail(int flag, double t0_h, double offset_h, double dt_h) const {
    const std::string name = flag_name(flag);
    const bool absolute = std::isfinite(t0_h);
    const double t_h = absolute ? t0_h + offset_h : offset_h;
    std::string where = absolute ? "at t = " + format_value(t_h) + " h"
                                 : "at " + format_value(offset_h) + " h into a step of " + format_value(dt_h) + " h";
    const std::string rtol = "rtol (now " + format_value(opts.rtol) + ")";
    const std::string atol = "atol (now " + format_value(opts.atol) + " mg)";
    std::string advice;
    switch (flag) {
      case CV_TOO_MUCH_WORK:
        advice = "increase max_steps (now " + std::to_string(opts.max_steps) + ") or loosen " + rtol;
        break;
      case CV_TOO_MUCH_ACC:
        advice = "the tolerances ask for more than double precision gives; loosen " + rtol + " or " + atol;
        break;
      case CV_ERR_FAILURE:
      case CV_CONV_FAILURE:
        advice =
            "the step size fell to its minimum; the model may be ill-posed (check its parameters) or the "
            "tolerances too tight: loosen " +
            rtol + " or " + atol;
        break;
      case CV_RHSFUNC_FAIL:
      case CV_FIRST_RHSFUNC_ERR:
      case CV_REPTD_RHSFUNC_ERR:
      case CV_UNREC_RHSFUNC_ERR:
        advice =
            "the model's right-hand side was not finite; check the parameters and dose amounts for "
            "extreme values";
        break;
      case CV_LSETUP_FAIL:
      case CV_LSOLVE_FAIL:
        advice = "the Newton system could not be solved; check the parameters for extreme values or loosen " + rtol;
        break;
      default:
        advice = "CVODES reported: " + (last_message.empty() ? std::string("no message") : last_message);
        break;
    }
    throw solver_error(flag, t_h, name + " " + where + ": " + advice);
  }

  void integrate(double* y_io, const double* rate_in, double t0_h, double dt_h) {
    if (!(dt_h > 0.0)) {
      if (std::isnan(dt_h)) throw internal_error("pk: cvodes_integrator asked for a step of NaN hours");
      return;
    }
    const std::size_t bytes = n * sizeof(double);
    const bool same =
        warm && std::memcmp(y_io, y_last.data(), bytes) == 0 && std::memcmp(rate_in, rate.data(), bytes) == 0;
    double* yp = N_VGetArrayPointer(y.get());
    if (same) {
      ++work.continuations;
    } else {
      warm = false;
      std::memcpy(rate.data(), rate_in, bytes);
      std::memcpy(yp, y_io, bytes);
      t_internal = 0.0;
      check(CVodeReInit(mem.get(), t_internal, y.get()), "CVodeReInit");
      ++work.reinits;
    }
    const double t_start = t_internal;
    const double t_end = t_start + dt_h;
    // No stop time: CVODES may step past t_end and interpolate y(t_end) (CV_NORMAL), as LSODA-based peers do.
    // That is exact to the tolerances because nothing changes at t_end unless the engine says so, and then
    // the next call re-initialises from y(t_end) with the new input. Stopping at every output instead would
    // cut the steps at every observation.
    long steps_before = 0;
    check(CVodeGetNumSteps(mem.get(), &steps_before), "CVodeGetNumSteps");
    realtype t_ret = t_start;
    const int flag = CVode(mem.get(), t_end, y.get(), &t_ret, CV_NORMAL);
    long steps_after = 0;
    if (CVodeGetNumSteps(mem.get(), &steps_after) == CV_SUCCESS) work.steps += steps_after - steps_before;
    if (pending) {
      warm = false;
      std::exception_ptr e = std::exchange(pending, nullptr);
      std::rethrow_exception(e);
    }
    if (flag < 0) {
      warm = false;
      fail(flag, t0_h, t_ret - t_start, dt_h);
    }
    std::memcpy(y_io, yp, bytes);
    std::memcpy(y_last.data(), yp, bytes);
    t_internal = t_end;
    warm = true;
  }
};

cvodes_integrator::cvodes_integrator(std::size_t n, rhs_fn f, const ode_options& o)
    : impl_(std::make_unique<impl>(n, std::move(f), o)) {}
cvodes_integrator::~cvodes_integrator() = default;
cvodes_integrator::cvodes_integrator(cvodes_integrator&&) noexcept = default;
cvodes_integrator& cvodes_integrator::operator=(cvodes_integrator&&) noexcept = default;

void cvodes_integrator::integrate(double* y, const double* rate, double t0_h, double dt_h) {
  impl_->integrate(y, rate, t0_h, dt_h);
}

cvodes_integrator::counters cvodes_integrator::work() const {
  return impl_->work;
}

}  // namespace benzosim::pk::detail
