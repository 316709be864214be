// SPDX-License-Identifier: MIT
// The event machinery shared by the exact linear path and the CVODES path (private to pk).
// It walks a subject's records in time order, keeps a queue of future inputs (lagged boluses, infusion
// starts and ends, additional doses), resolves F/ALAG/R/D per record, builds steady states, and asks the
// System to propagate the state between event times with piecewise-constant zero-order inputs.
// Semantics: docs/dosing.md.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/pk/events.hpp>

namespace benzosim::pk::detail {

template <std::size_t N>
using state = std::array<double, N>;

/// A System propagates the state: `x <- x(t0 + dt)` with constant zero-order input `rate` [mg/h]; t0 is
/// the absolute time [h] (for messages; NaN during a steady-state search, which runs in virtual time).
/// `exact_linear` systems get steady state by solving the periodic linear system; the others by
/// iterating dosing cycles to a fixed point.
template <class S, std::size_t N>
concept pk_system = requires(S s, state<N>& x, const state<N>& r, double dt) {
  { S::exact_linear } -> std::convertible_to<bool>;
  { s.initial() } -> std::same_as<state<N>>;
  s.advance(x, r, true, dt, dt);
};

/// Options of the steady-state search for systems that are not linear.
/// The t0 passed to System::advance while a steady state is being searched (the cycles have no absolute time).
inline constexpr double steady_state_time = std::numeric_limits<double>::quiet_NaN();

struct steady_state_options {
  double rtol = 1e-10;    ///< convergence: max |x_k+1 - x_k| <= rtol * (1 + max |x|)
  int max_cycles = 5000;  ///< dosing cycles before giving up
};

[[noreturn]] inline void fail_row(const record& r, const std::string& column, double value, const std::string& rule) {
  throw invalid_parameter(column, value, "row " + std::to_string(r.row) + ": " + rule);
}

/// A dose after F, ALAG and the input kind are resolved.
struct resolved_dose {
  int cmt;            ///< 1-based
  double amount;      ///< F * AMT [mg]
  double lag_h;       ///< [h]
  double rate;        ///< [mg/h]; 0 for a bolus
  double duration_h;  ///< [h]; 0 for a bolus
  bool bolus() const { return duration_h == 0.0; }
};

template <std::size_t N, pk_system<N> System>
class event_engine {
 public:
  event_engine(System& sys, const subject& s, const std::vector<compartment_modifiers>& mods, int default_cmt,
               steady_state_options ss = {})
      : sys_(sys), s_(s), mods_(mods), default_cmt_(default_cmt), ss_opts_(ss) {}

  amounts_table run() {
    amounts_table out;
    out.n_cmt = N;
    out.a.resize(s_.records.size() * N);
    x_ = sys_.initial();
    if (s_.records.empty()) return out;
    t_ = s_.records.front().time_h;
    const std::size_t n = s_.records.size();
    double* const dst = out.a.data();
    for (std::size_t i = 0; i < n;) {
      const record& r = s_.records[i];
      check_time(r);
      advance_to(r.time_h);
      if (r.kind != event_kind::observation) {
        handle(r, i);
        advance_to(r.time_h);  // a bolus without lag at this time is part of this record's output
      }
      for (std::size_t k = 0; k < N; ++k) {
        if (!std::isfinite(x_[k])) throw internal_error("pk: a compartment amount became non-finite");
        dst[i * N + k] = x_[k];
      }
      ++i;
      // Fast path: a run of observations before the next queued input needs only propagation, with the
      // state kept in registers.
      const double limit = queue_.empty() ? std::numeric_limits<double>::infinity() : queue_.front().time;
      state<N> x = x_;
      double t = t_;
      bool finite = true;
      while (i < n && s_.records[i].kind == event_kind::observation && s_.records[i].time_h < limit) {
        if constexpr (requires { sys_.propagate_run(x, t, s_.records.data(), i, n, limit, dst); }) {
          // Without input, the system walks the run itself in a call-free loop that keeps the state in
          // registers, as far as the step stays the cached one; the general step below takes the rest.
          if (!any_rate_) {
            const auto run = sys_.propagate_run(x, t, s_.records.data(), i, n, limit, dst);
            if (run.next != i) {
              i = run.next;
              x = run.x;
              t = run.t;
              finite &= run.finite;
              continue;
            }
          }
        }
        const double ti = s_.records[i].time_h;
        if (!(ti >= t)) {  // also catches NaN
          t_ = t;
          check_time(s_.records[i]);
        }
        sys_.advance(x, rate_, any_rate_, t, ti - t);
        t = ti;
        for (std::size_t k = 0; k < N; ++k) {
          dst[i * N + k] = x[k];
          finite &= std::isfinite(x[k]);
        }
        ++i;
      }
      if (!finite) throw internal_error("pk: a compartment amount became non-finite");
      x_ = x;
      t_ = t;
    }
    return out;
  }

 private:
  enum class what : std::uint8_t { bolus, infusion_start, infusion_end, train };
  struct queued {
    double time;
    std::uint64_t seq;
    what kind;
    int cmt;
    double value;      // bolus amount or infusion rate
    double end;        // infusion_start: when it ends
    std::uint64_t id;  // infusion_end: the start it ends; train: index into trains_
  };
  /// Additional doses (ADDL) of one record: dose k (1..last) is taken at origin + k ii.
  struct dose_train {
    resolved_dose dose;
    double origin;
    double ii;
    int k;
    int last;
  };
  struct active_infusion {
    std::uint64_t id;
    int cmt;
    double rate;
  };

  void check_time(const record& r) const {
    if (!std::isfinite(r.time_h)) fail_row(r, "TIME", r.time_h, "TIME must be finite");
    if (r.time_h < t_) {
      fail_row(r, "TIME", r.time_h,
               "TIME = " + format_value(r.time_h) + " h is earlier than the record before it (" + format_value(t_) +
                   " h); records of a subject must be in time order");
    }
  }

  /// Heap order: the earliest time on top; at equal times, the first queued. A function object, so that
  /// the heap algorithms inline it.
  struct later {
    bool operator()(const queued& a, const queued& b) const {
      return a.time > b.time || (a.time == b.time && a.seq > b.seq);
    }
  };

  void push(const queued& q) {
    queue_.push_back(q);
    queue_.back().seq = seq_++;
    // A queue of one needs no sifting (the common case: one dose train waiting).
    if (queue_.size() > 1) std::push_heap(queue_.begin(), queue_.end(), later{});
  }

  void recompute_rates() {
    rate_.fill(0.0);
    for (const auto& a : active_) rate_[static_cast<std::size_t>(a.cmt - 1)] += a.rate;
    any_rate_ = !active_.empty();
  }

  void step_to(double t) {
    if (t > t_) {
      sys_.advance(x_, rate_, any_rate_, t_, t - t_);
      t_ = t;
    }
  }

  /// Processes every queued input up to and including time t, then propagates to t.
  void advance_to(double t) {
    while (!queue_.empty() && queue_.front().time <= t) {
      if (queue_.size() > 1) std::pop_heap(queue_.begin(), queue_.end(), later{});
      const queued q = queue_.back();
      queue_.pop_back();
      step_to(q.time);
      switch (q.kind) {
        case what::bolus:
          x_[static_cast<std::size_t>(q.cmt - 1)] += q.value;
          break;
        case what::infusion_start:
          active_.push_back({q.seq, q.cmt, q.value});
          recompute_rates();
          if (std::isfinite(q.end)) push({q.end, 0, what::infusion_end, q.cmt, q.value, 0.0, q.seq});
          break;
        case what::infusion_end:
          std::erase_if(active_, [&](const active_infusion& a) { return a.id == q.id; });
          recompute_rates();
          break;
        case what::train:
          // Additional doses (ADDL) wait in the queue as one entry: the next dose is taken now (TIME + k II;
          // its lag applies from here) and the entry comes back one interval later.
          {
            dose_train& tr = trains_[q.id];
            schedule(tr.dose, q.time);
            if (tr.k < tr.last) {
              ++tr.k;
              push({tr.origin + static_cast<double>(tr.k) * tr.ii, 0, what::train, q.cmt, 0.0, 0.0, q.id});
            }
          }
          break;
      }
    }
    step_to(t);
  }

  void reset() {
    x_ = sys_.initial();
    queue_.clear();
    active_.clear();
    trains_.clear();
    recompute_rates();
  }

  double modifier_value(const modifier& m, std::size_t record_index, double fallback) const {
    switch (m.from) {
      case modifier::source::none:
        return fallback;
      case modifier::source::constant:
        return m.value;
      case modifier::source::covariate: {
        const std::size_t nc = s_.covariate_names.size();
        if (m.column >= nc) throw internal_error("pk: modifier column out of range");
        return s_.covariates[record_index * nc + m.column];
      }
    }
    return fallback;
  }

  const compartment_modifiers* mods_of(int cmt) const {
    const auto k = static_cast<std::size_t>(cmt - 1);
    return k < mods_.size() ? &mods_[k] : nullptr;
  }

  resolved_dose resolve(const record& r, std::size_t i) const {
    const int cmt = r.cmt == 0 ? default_cmt_ : r.cmt;
    if (cmt < 1 || cmt > static_cast<int>(N)) {
      fail_row(r, "CMT", r.cmt,
               "CMT = " + std::to_string(r.cmt) + " is not a compartment of this model (1.." + std::to_string(N) + ")");
    }
    const compartment_modifiers* m = mods_of(cmt);
    const modifier none{};
    const double f = modifier_value(m ? m->bioav : none, i, 1.0);
    const double lag = modifier_value(m ? m->lag : none, i, 0.0);
    const std::string c = std::to_string(cmt);
    if (!std::isfinite(f) || f < 0.0)
      fail_row(r, m ? m->bioav.name : "F", f, "F" + c + " = " + format_value(f) + "; must be >= 0");
    if (!std::isfinite(lag) || lag < 0.0) {
      fail_row(r, m ? m->lag.name : "ALAG", lag, "ALAG" + c + " = " + format_value(lag) + " h; must be >= 0");
    }
    if (!std::isfinite(r.amount) || r.amount < 0.0) fail_row(r, "AMT", r.amount, "AMT must be finite and >= 0");
    resolved_dose d{cmt, f * r.amount, lag, 0.0, 0.0};
    switch (r.input) {
      case input_kind::bolus:
        break;
      case input_kind::given_rate:
        if (!std::isfinite(r.rate_per_h) || r.rate_per_h <= 0.0) fail_row(r, "RATE", r.rate_per_h, "RATE must be > 0");
        d.rate = r.rate_per_h;
        d.duration_h = d.amount / d.rate;
        break;
      case input_kind::modeled_rate: {
        if (!m || m->rate.from == modifier::source::none) {
          fail_row(r, "RATE", -1.0, "RATE = -1 needs a modeled rate R" + c + " for compartment " + c);
        }
        const double rr = modifier_value(m->rate, i, 0.0);
        if (!std::isfinite(rr) || rr <= 0.0)
          fail_row(r, m->rate.name, rr, "R" + c + " = " + format_value(rr) + "; must be > 0");
        d.rate = rr;
        d.duration_h = d.amount / rr;
        break;
      }
      case input_kind::modeled_duration: {
        if (!m || m->duration.from == modifier::source::none) {
          fail_row(r, "RATE", -2.0, "RATE = -2 needs a modeled duration D" + c + " for compartment " + c);
        }
        const double dd = modifier_value(m->duration, i, 0.0);
        if (!std::isfinite(dd) || dd <= 0.0) {
          fail_row(r, m->duration.name, dd, "D" + c + " = " + format_value(dd) + " h; must be > 0");
        }
        d.duration_h = dd;
        d.rate = d.amount / dd;
        break;
      }
    }
    if (r.input != input_kind::bolus && d.amount == 0.0) {
      // An infusion of nothing (AMT 0 or F 0): nothing enters; keep it a no-op.
      d.rate = 0.0;
      d.duration_h = 0.0;
    }
    return d;
  }

  /// Puts one dose (already resolved) into the queue, taken at time t.
  void schedule(const resolved_dose& d, double t) {
    if (d.amount == 0.0 && d.rate == 0.0) return;
    const double start = t + d.lag_h;
    if (d.bolus() && start <= t_) {  // due now: no need to queue it (callers have propagated to t_)
      x_[static_cast<std::size_t>(d.cmt - 1)] += d.amount;
    } else if (d.bolus()) {
      push({start, 0, what::bolus, d.cmt, d.amount, 0.0, 0});
    } else {
      push({start, 0, what::infusion_start, d.cmt, d.rate, start + d.duration_h, 0});
    }
  }

  void handle(const record& r, std::size_t i) {
    switch (r.kind) {
      case event_kind::observation:
      case event_kind::other:
        return;
      case event_kind::reset:
        reset();
        return;
      case event_kind::reset_and_dose:
        reset();
        break;
      case event_kind::dose:
        break;
    }
    if (r.addl < 0) fail_row(r, "ADDL", r.addl, "ADDL must be >= 0");
    if (r.addl > 0 && !(r.ii_h > 0.0)) fail_row(r, "II", r.ii_h, "ADDL > 0 needs II > 0");
    if (!std::isfinite(r.ii_h) || r.ii_h < 0.0) fail_row(r, "II", r.ii_h, "II must be finite and >= 0");
    const resolved_dose d = resolve(r, i);
    const bool constant_infusion =
        r.ss != steady_state_kind::none && r.amount == 0.0 && r.input == input_kind::given_rate && r.ii_h == 0.0;
    if (!constant_infusion && r.input != input_kind::bolus && !constant_infusion && r.amount <= 0.0) {
      fail_row(r, "AMT", r.amount, "an infusion needs AMT > 0");
    }
    if (r.ss != steady_state_kind::none) {
      if (!constant_infusion && !(r.ii_h > 0.0)) fail_row(r, "II", r.ii_h, "SS = 1 or 2 needs II > 0");
      steady_state(r, d, constant_infusion);
      if (constant_infusion) return;  // the infusion runs on; there is no separate dose
    }
    schedule(d, r.time_h);
    if (r.addl > 0) {
      trains_.push_back({d, r.time_h, r.ii_h, 1, r.addl});
      push({r.time_h + r.ii_h, 0, what::train, d.cmt, 0.0, 0.0, trains_.size() - 1});
    }
  }

  // ---- steady state -------------------------------------------------------------------------------

  /// Propagates y over `phase` hours of the periodic input that starts with a pulse at phase 0
  /// (pulse included), for a pulse train of period p. Infusions of earlier pulses that overlap are
  /// counted: in [0, u*) floor(D/p) + 1 infusions run, in [u*, p) floor(D/p), with u* = D mod p.
  void periodic_segment(state<N>& y, const resolved_dose& d, double p, double phase) {
    state<N> r{};
    if (d.bolus()) {
      y[static_cast<std::size_t>(d.cmt - 1)] += d.amount;
      sys_.advance(y, r, false, steady_state_time, phase);
      return;
    }
    const double full = std::floor(d.duration_h / p);
    double u_star = d.duration_h - full * p;
    if (u_star <= 1e-12 * p) u_star = 0.0;
    const double n_hi = u_star > 0.0 ? full + 1.0 : full;
    const double first = std::min(phase, u_star);
    r[static_cast<std::size_t>(d.cmt - 1)] = n_hi * d.rate;
    if (first > 0.0) sys_.advance(y, r, true, steady_state_time, first);
    if (phase > first) {
      r[static_cast<std::size_t>(d.cmt - 1)] = full * d.rate;
      sys_.advance(y, r, full > 0.0, steady_state_time, phase - first);
    }
  }

  /// The pre-pulse periodic state y- with y- = cycle(y-).
  state<N> periodic_state(const record& r, const resolved_dose& d, double p) {
    if constexpr (System::exact_linear) {
      // cycle(y) = Phi y + c is affine: c = cycle(0), Phi e_j = free propagation of e_j over one period.
      state<N> c{};
      periodic_segment(c, d, p, p);
      std::array<state<N>, N> phi{};
      for (std::size_t j = 0; j < N; ++j) {
        state<N> e{};
        e[j] = 1.0;
        const state<N> zero{};
        const double u_star = d.bolus() ? p : std::min(p, std::fmod(d.duration_h, p));
        if (u_star > 0.0 && u_star < p) {  // same sub-steps as the cycle, so rounding matches
          sys_.advance(e, zero, false, steady_state_time, u_star);
          sys_.advance(e, zero, false, steady_state_time, p - u_star);
        } else {
          sys_.advance(e, zero, false, steady_state_time, p);
        }
        phi[j] = e;
      }
      // Solve (I - Phi) y = c by Gaussian elimination with partial pivoting. a[row][col].
      std::array<std::array<double, N + 1>, N> a{};
      for (std::size_t row = 0; row < N; ++row) {
        for (std::size_t col = 0; col < N; ++col) a[row][col] = (row == col ? 1.0 : 0.0) - phi[col][row];
        a[row][N] = c[row];
      }
      for (std::size_t col = 0; col < N; ++col) {
        std::size_t piv = col;
        for (std::size_t row = col + 1; row < N; ++row) {
          if (std::fabs(a[row][col]) > std::fabs(a[piv][col])) piv = row;
        }
        if (std::fabs(a[piv][col]) < 1e-14) {
          fail_row(r, "SS", 1.0,
                   "no steady state exists: the model does not eliminate the drug from every compartment");
        }
        std::swap(a[piv], a[col]);
        for (std::size_t row = col + 1; row < N; ++row) {
          const double f = a[row][col] / a[col][col];
          for (std::size_t k = col; k <= N; ++k) a[row][k] -= f * a[col][k];
        }
      }
      state<N> y{};
      for (std::size_t row = N; row-- > 0;) {
        double sum = a[row][N];
        for (std::size_t k = row + 1; k < N; ++k) sum -= a[row][k] * y[k];
        y[row] = sum / a[row][row];
      }
      return y;
    } else {
      state<N> y = sys_.initial();
      for (int cycle = 0; cycle < ss_opts_.max_cycles; ++cycle) {
        state<N> next = y;
        periodic_segment(next, d, p, p);
        double diff = 0.0;
        double scale = 1.0;
        for (std::size_t k = 0; k < N; ++k) {
          diff = std::max(diff, std::fabs(next[k] - y[k]));
          scale = std::max(scale, std::fabs(next[k]));
        }
        y = next;
        if (diff <= ss_opts_.rtol * scale) return y;
      }
      fail_row(r, "SS", 1.0,
               "steady state not reached after " + std::to_string(ss_opts_.max_cycles) +
                   " dosing cycles; the dosing interval may be far shorter than the slowest process, or the system "
                   "may not have a periodic state");
    }
  }

  void steady_state(const record& r, const resolved_dose& d, bool constant_infusion) {
    if (r.ss == steady_state_kind::add && !System::exact_linear) {
      fail_row(r, "SS", 2.0, "SS = 2 (add a steady state by superposition) needs a linear model");
    }
    const double t = r.time_h;
    state<N> y{};
    if (constant_infusion) {
      // The equilibrium of a constant infusion: the fixed point of any period, here 1 h.
      const resolved_dose inf{d.cmt, r.rate_per_h, 0.0, r.rate_per_h, 1.0};
      y = periodic_state(r, inf, 1.0);
      if (r.ss == steady_state_kind::reset) reset();
      add_state(y, r.ss);
      push({t + d.lag_h, 0, what::infusion_start, d.cmt, r.rate_per_h, std::numeric_limits<double>::infinity(), 0});
      return;
    }
    const double p = r.ii_h;
    if (d.amount == 0.0) {  // F = 0: the steady state of nothing
      if (r.ss == steady_state_kind::reset) reset();
      return;
    }
    y = periodic_state(r, d, p);
    // Pulses of the train are at s_j = t + lag - j p (j >= 1; j = 0 is this record's dose, scheduled as usual).
    // j0 = the first pulse at or before t; propagate the periodic input from s_j0 to t.
    const auto j0 = static_cast<long>(std::max(1.0, std::ceil(d.lag_h / p - 1e-12)));
    const double s_j0 = t + d.lag_h - static_cast<double>(j0) * p;
    periodic_segment(y, d, p, t - s_j0);
    if (r.ss == steady_state_kind::reset) reset();
    add_state(y, r.ss);
    // Infusions of pulses j >= j0 that are still running at t go on after t.
    if (!d.bolus()) {
      for (long j = j0;; ++j) {
        const double s_j = t + d.lag_h - static_cast<double>(j) * p;
        const double end = s_j + d.duration_h;
        if (end <= t) break;
        push({t, 0, what::infusion_start, d.cmt, d.rate, end, 0});
      }
    }
    // Pulses between t and t + lag (lag > p) are still to come.
    for (long j = 1; j < j0; ++j) {
      const double s_j = t + d.lag_h - static_cast<double>(j) * p;
      resolved_dose pending = d;
      pending.lag_h = 0.0;
      schedule(pending, s_j);
    }
  }

  void add_state(const state<N>& y, steady_state_kind how) {
    if (how == steady_state_kind::reset) {
      x_ = y;
    } else {
      for (std::size_t k = 0; k < N; ++k) x_[k] += y[k];
    }
  }

  System& sys_;
  const subject& s_;
  const std::vector<compartment_modifiers>& mods_;
  int default_cmt_;
  steady_state_options ss_opts_;
  state<N> x_{};
  state<N> rate_{};
  bool any_rate_ = false;
  double t_ = 0.0;
  std::vector<queued> queue_;
  std::vector<active_infusion> active_;
  std::vector<dose_train> trains_;
  std::uint64_t seq_ = 1;
};

}  // namespace benzosim::pk::detail
