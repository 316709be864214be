// SPDX-License-Identifier: MIT
// Many subjects at once (docs/dosing.md, "Many subjects at once"). The event engine runs once on the
// shared records with a recording system in place of the linear one; what it records is a tape of
// "add these doses", "propagate by dt (under this zero-order input)" and "report observation k". The tape
// is then replayed for groups of subjects side by side, the state of a group stored lane by lane
// (structure of arrays), so that every operation is a call-free loop over the lanes that the compiler
// vectorizes.
#include <benzosim/pk/batch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>

#include "event_engine.hpp"
#include "linear_system.hpp"

namespace benzosim::pk {
namespace {

/// Subjects run side by side: the state of a group (N x lanes) and its propagators stay in L1.
constexpr std::size_t lanes = 16;
/// At most this many distinct step lengths, and inputs, per chunk of the tape (bounds the workspace: a
/// tape with more is cut into chunks, each with its own propagators).
constexpr std::size_t max_slots = 64;
constexpr std::size_t max_inputs = 64;

/// The system the engine drives while the schedule is recorded. Its "state" is the doses given since the
/// previous propagation: advance() writes them down with the step and sets them back to zero, so the
/// engine's table of amounts then holds, for each record, the doses given since the last propagation.
template <std::size_t N>
struct recorder {
  static constexpr bool exact_linear = true;  // never asked for a steady state (see linear_batch::supports)

  struct propagation {
    detail::state<N> x;  ///< doses given since the previous propagation [mg]
    detail::state<N> r;  ///< zero-order input [mg/h]
    bool any_rate;
    double t0;  ///< [h]
    double dt;  ///< [h]
  };
  std::vector<propagation> log;

  detail::state<N> initial() const { return {}; }

  void advance(detail::state<N>& x, const detail::state<N>& r, bool any_rate, double t0, double dt) {
    if (dt <= 0.0) return;  // as linear_system::propagated: a zero step leaves the state as it is
    if (std::isnan(t0)) throw internal_error("pk::linear_batch: a steady state was requested while recording");
    log.push_back({x, r, any_rate, t0, dt});
    x = {};
  }
};

/// The rate matrix of rate_matrix() (linear.cpp) without allocation or validation: the same flows in the
/// same order, so that K, and with it every propagator, is bit-identical.
template <std::size_t N>
void fill_rate_matrix(linear_structure s, const double* p, detail::rate_matrix_n<N>& k) {
  k.setZero();
  auto flow = [&](int from, int to, double r) {
    k(from - 1, from - 1) -= r;
    if (to > 0) k(to - 1, from - 1) += r;
  };
  // Only the structures with N compartments are compiled for each N.
  if constexpr (N == 1) {  // one_cmt_iv
    flow(1, 0, p[0] / p[1]);
  } else if constexpr (N == 2) {
    if (s == linear_structure::one_cmt_oral) {
      flow(1, 2, p[2]);
      flow(2, 0, p[0] / p[1]);
    } else {  // two_cmt_iv: CL, V1, Q, V2
      flow(1, 0, p[0] / p[1]);
      flow(1, 2, p[2] / p[1]);
      flow(2, 1, p[2] / p[3]);
    }
  } else if constexpr (N == 3) {
    if (s == linear_structure::two_cmt_oral) {  // CL, V2, Q, V3, KA
      flow(1, 2, p[4]);
      flow(2, 0, p[0] / p[1]);
      flow(2, 3, p[2] / p[1]);
      flow(3, 2, p[2] / p[3]);
    } else {  // three_cmt_iv: CL, V1, Q2, V2, Q3, V3
      flow(1, 0, p[0] / p[1]);
      flow(1, 2, p[2] / p[1]);
      flow(2, 1, p[2] / p[3]);
      flow(1, 3, p[4] / p[1]);
      flow(3, 1, p[4] / p[5]);
    }
  } else {  // three_cmt_oral: CL, V2, Q3, V3, Q4, V4, KA
    static_assert(N == 4);
    flow(1, 2, p[6]);
    flow(2, 0, p[0] / p[1]);
    flow(2, 3, p[2] / p[1]);
    flow(3, 2, p[2] / p[3]);
    flow(2, 4, p[4] / p[1]);
    flow(4, 2, p[4] / p[5]);
  }
}

// ---- the lane kernels ---------------------------------------------------------------------------------
// Layout: a group's state is s[a * lanes + l] (compartment a, lane l); the propagator of a slot is
// phi[(a * N + b) * lanes + l]; the input term of an input slot is g[a * lanes + l] = (Gamma r)_a. The
// arithmetic per lane is that of linear_system::propagated, in the same order.

/// s <- Phi (s + d) + g, with d (shared by the lanes) and g optional.
template <std::size_t N, bool Delta, bool Input>
[[gnu::always_inline]] inline void propagate(double* __restrict s, const double* __restrict phi,
                                             const double* __restrict g, const double* __restrict d) {
  for (std::size_t l = 0; l < lanes; ++l) {
    double x[N];
#pragma GCC unroll 4
    for (std::size_t b = 0; b < N; ++b) {
      x[b] = s[b * lanes + l];
      if constexpr (Delta) x[b] += d[b];
    }
    double y[N];
#pragma GCC unroll 4
    for (std::size_t a = 0; a < N; ++a) {
      double sum = phi[(a * N) * lanes + l] * x[0];
#pragma GCC unroll 4
      for (std::size_t b = 1; b < N; ++b) sum += phi[(a * N + b) * lanes + l] * x[b];
      if constexpr (Input) sum += g[a * lanes + l];
      y[a] = sum;
    }
#pragma GCC unroll 4
    for (std::size_t a = 0; a < N; ++a) s[a * lanes + l] = y[a];
  }
}

template <std::size_t N>
[[gnu::always_inline]] inline void propagate(double* s, const double* phi, const double* g, const double* d) {
  if (d != nullptr) {
    g != nullptr ? propagate<N, true, true>(s, phi, g, d) : propagate<N, true, false>(s, phi, g, d);
  } else {
    g != nullptr ? propagate<N, false, true>(s, phi, g, d) : propagate<N, false, false>(s, phi, g, d);
  }
}

/// `count` pairs of (s <- Phi s + g; dst[m * ld + l] = s[C][l]) for all lanes, the state of a few lanes at a
/// time kept in registers through the whole run (the propagator is reloaded from L1 at each step).
template <std::size_t N, std::size_t C, bool Input>
[[gnu::always_inline]] inline void run_pairs(double* __restrict s, const double* __restrict phi,
                                             const double* __restrict g, double* __restrict dst, std::size_t ld,
                                             std::size_t count) {
  constexpr std::size_t w = 8;  // lanes whose state stays in registers
  static_assert(lanes % w == 0);
  for (std::size_t l0 = 0; l0 < lanes; l0 += w) {
    double x[N][w];
#pragma GCC unroll 4
    for (std::size_t b = 0; b < N; ++b) {
#pragma GCC unroll 8
      for (std::size_t l = 0; l < w; ++l) x[b][l] = s[b * lanes + l0 + l];
    }
    for (std::size_t m = 0; m < count; ++m) {
      double* const o = dst + m * ld + l0;
#pragma GCC unroll 8
      for (std::size_t l = 0; l < w; ++l) {
        double y[N];
#pragma GCC unroll 4
        for (std::size_t a = 0; a < N; ++a) {
          double sum = phi[(a * N) * lanes + l0 + l] * x[0][l];
#pragma GCC unroll 4
          for (std::size_t b = 1; b < N; ++b) sum += phi[(a * N + b) * lanes + l0 + l] * x[b][l];
          if constexpr (Input) sum += g[a * lanes + l0 + l];
          y[a] = sum;
        }
#pragma GCC unroll 4
        for (std::size_t a = 0; a < N; ++a) x[a][l] = y[a];
        o[l] = y[C];
      }
    }
#pragma GCC unroll 4
    for (std::size_t b = 0; b < N; ++b) {
#pragma GCC unroll 8
      for (std::size_t l = 0; l < w; ++l) s[b * lanes + l0 + l] = x[b][l];
    }
  }
}

template <std::size_t N, std::size_t C = 0>
[[gnu::always_inline]] inline void run_pairs(std::size_t c, double* s, const double* phi, const double* g, double* dst,
                                             std::size_t ld, std::size_t count) {
  if constexpr (C + 1 < N) {
    if (c != C) return run_pairs<N, C + 1>(c, s, phi, g, dst, ld, count);
  }
  g != nullptr ? run_pairs<N, C, true>(s, phi, g, dst, ld, count) : run_pairs<N, C, false>(s, phi, g, dst, ld, count);
}

/// dst[l] = v[l] + d for the first n lanes.
[[gnu::always_inline]] inline void report(double* __restrict dst, const double* __restrict v, double d, std::size_t n) {
  if (d != 0.0) {
    for (std::size_t l = 0; l < n; ++l) dst[l] = v[l] + d;
  } else if (n == lanes) {
    for (std::size_t l = 0; l < lanes; ++l) dst[l] = v[l];
  } else {
    for (std::size_t l = 0; l < n; ++l) dst[l] = v[l];
  }
}

/// What execute() works on: a stretch of the tape, and one group of lanes.
template <class Step>
struct execute_args {
  const Step* steps;
  std::size_t n_steps;
  const double* deltas;  ///< rows of N [mg]
  double* state;         ///< N x lanes
  const double* phi;     ///< per propagator slot: N x N x lanes
  const double* g;       ///< per input slot: N x lanes
  double* out;           ///< column of the group's first lane
  std::size_t ld;
  std::size_t c;  ///< the reported compartment, 0-based
  std::size_t n;  ///< lanes in use (the others are idle)
};

/// Runs the steps for one group (the tape's step type is a template parameter, so that this needs no
/// access to linear_batch's private names).
template <std::size_t N, class Step>
[[gnu::always_inline]] inline void execute(const execute_args<Step>& a) {
  for (std::size_t i = 0; i < a.n_steps; ++i) {
    const Step& st = a.steps[i];
    const double* d = st.delta >= 0 ? a.deltas + static_cast<std::size_t>(st.delta) * N : nullptr;
    const double* ph = a.phi + static_cast<std::size_t>(std::max(st.slot, 0)) * N * N * lanes;
    const double* in = st.input >= 0 ? a.g + static_cast<std::size_t>(st.input) * N * lanes : nullptr;
    double* const o = a.out + static_cast<std::size_t>(std::max(st.obs, 0)) * a.ld;
    switch (st.kind) {
      case Step::what::propagation:
        propagate<N>(a.state, ph, in, d);
        break;
      case Step::what::output:
        report(o, a.state + a.c * lanes, d != nullptr ? d[a.c] : 0.0, a.n);
        break;
      case Step::what::run:
        if (a.n == lanes) {
          run_pairs<N>(a.c, a.state, ph, in, o, a.ld, static_cast<std::size_t>(st.count));
        } else {  // a partial group: its idle lanes must not be written
          for (std::size_t m = 0; m < static_cast<std::size_t>(st.count); ++m) {
            propagate<N>(a.state, ph, in, nullptr);
            report(o + m * a.ld, a.state + a.c * lanes, 0.0, a.n);
          }
        }
        break;
    }
  }
}

// The same code for generic x86-64 (SSE2) and, chosen at run time, for CPUs with AVX (four lanes per
// instruction instead of two: about 20 % faster on the benchmark job). The AVX variant is not given FMA,
// which would round a * b + c differently from the scalar engine (and was not faster), so both variants
// give the scalar engine's results bit for bit.
template <std::size_t N, class Step>
void execute_generic(const execute_args<Step>& a) {
  execute<N>(a);
}

#if defined(__x86_64__) && defined(__GNUC__)
template <std::size_t N, class Step>
[[gnu::target("avx")]] void execute_avx(const execute_args<Step>& a) {
  execute<N>(a);
}
bool use_avx() {
  static const bool avx = __builtin_cpu_supports("avx");
  return avx;
}
#else
template <std::size_t N, class Step>
void execute_avx(const execute_args<Step>& a) {
  execute<N>(a);
}
bool use_avx() {
  return false;
}
#endif

}  // namespace

// ---- recording --------------------------------------------------------------------------------------

namespace {
/// A reset or a steady-state dose: its state depends on each subject's own propagators.
bool needs_own_state(const record& r) {
  return r.kind == event_kind::reset || r.kind == event_kind::reset_and_dose || r.ss != steady_state_kind::none;
}
}  // namespace

bool linear_batch::supports(const subject& records) {
  return std::none_of(records.records.begin(), records.records.end(), needs_own_state);
}

linear_batch::linear_batch(linear_structure structure, std::vector<compartment_modifiers> modifiers,
                           const subject& records)
    : structure_(structure),
      n_cmt_(static_cast<std::size_t>(compartment_count(structure))),
      n_params_(parameter_names(structure).size()) {
  // The modifiers are checked as simulate() checks them (the parameters here are placeholders).
  const linear_model model{structure, std::vector<double>(n_params_, 1.0), std::move(modifiers)};
  model.validate();
  for (const record& r : records.records) {
    if (needs_own_state(r)) {
      throw error("pk::linear_batch: row " + std::to_string(r.row) +
                  " is a reset or a steady-state dose, whose state depends on each subject's own parameters; "
                  "check linear_batch::supports() and call simulate() per subject for such records");
    }
  }
  switch (n_cmt_) {
    case 1:
      record_schedule<1>(model.modifiers, records);
      break;
    case 2:
      record_schedule<2>(model.modifiers, records);
      break;
    case 3:
      record_schedule<3>(model.modifiers, records);
      break;
    case 4:
      record_schedule<4>(model.modifiers, records);
      break;
    default:
      throw internal_error("pk: unsupported compartment count");
  }
}

template <std::size_t N>
void linear_batch::record_schedule(const std::vector<compartment_modifiers>& modifiers, const subject& records) {
  recorder<N> rec;
  detail::event_engine<N, recorder<N>> engine(rec, records, modifiers, default_dose_compartment(structure_));
  const amounts_table doses = engine.run();  // per record: the doses given since the last propagation

  auto add_delta = [&](const double* x) -> std::int32_t {
    if (std::all_of(x, x + N, [](double v) { return v == 0.0; })) return -1;
    deltas_.insert(deltas_.end(), x, x + N);
    return static_cast<std::int32_t>(deltas_.size() / N - 1);
  };
  chunks_.push_back({0, 0, {}, {}, {}});
  // Each propagation gets its chunk's slot for its step length and, under zero-order input, the chunk's
  // input slot for (step length, rate vector); a new chunk starts when either list is full.
  auto add_propagation = [&](const typename recorder<N>::propagation& p) {
    chunk* c = &chunks_.back();
    auto find_slot = [&]() -> std::int32_t {
      const auto it = std::find(c->dts.begin(), c->dts.end(), p.dt);
      return it == c->dts.end() ? -1 : static_cast<std::int32_t>(it - c->dts.begin());
    };
    auto find_input = [&](std::int32_t slot) -> std::int32_t {
      for (std::size_t m = 0; m < c->input_dt.size(); ++m) {
        const auto row = rates_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(c->input_rate[m]) * N);
        if (c->input_dt[m] == slot && std::equal(p.r.begin(), p.r.end(), row)) return static_cast<std::int32_t>(m);
      }
      return -1;
    };
    std::int32_t slot = find_slot();
    std::int32_t input = p.any_rate && slot >= 0 ? find_input(slot) : -1;
    if ((slot < 0 && c->dts.size() == max_slots) || (p.any_rate && input < 0 && c->input_dt.size() == max_inputs)) {
      c->last = steps_.size();
      chunks_.push_back({steps_.size(), 0, {}, {}, {}});
      c = &chunks_.back();
      slot = -1;
      input = -1;
    }
    if (slot < 0) {
      slot = static_cast<std::int32_t>(c->dts.size());
      c->dts.push_back(p.dt);
    }
    if (p.any_rate && input < 0) {
      input = static_cast<std::int32_t>(c->input_dt.size());
      c->input_dt.push_back(slot);
      c->input_rate.push_back(static_cast<std::int32_t>(rates_.size() / N));
      rates_.insert(rates_.end(), p.r.begin(), p.r.end());
    }
    steps_.push_back({step::what::propagation, add_delta(p.x.data()), slot, input, -1, 0});
  };

  // Merge the propagations with the records. The engine propagates only while it works on a record, from
  // its current time (that of the previous record or later) to at most the record's time, so a propagation
  // belongs before record i's output exactly when it starts before t_i (start times are exact; end times
  // t0 + dt would be rounded).
  std::size_t k = 0;
  const auto& log = rec.log;
  for (std::size_t i = 0; i < records.records.size(); ++i) {
    const record& r = records.records[i];
    for (; k < log.size() && log[k].t0 < r.time_h; ++k) add_propagation(log[k]);
    if (r.kind == event_kind::observation) {
      steps_.push_back(
          {step::what::output, add_delta(doses.a.data() + i * N), -1, -1, static_cast<std::int32_t>(n_obs_), 0});
      ++n_obs_;
    }
  }
  if (k != log.size()) throw internal_error("pk::linear_batch: a propagation after the last record");
  chunks_.back().last = steps_.size();
  if (!records.records.empty()) final_delta_ = add_delta(doses.a.data() + (records.records.size() - 1) * N);

  // Runs: (propagation, output) pairs without doses, with one propagator and input and consecutive
  // observations, become one operation that keeps the state in registers (a regular output grid).
  std::vector<step> merged;
  merged.reserve(steps_.size());
  for (chunk& c : chunks_) {
    const std::size_t first = merged.size();
    auto plain_pair = [&](std::size_t i) {
      return i + 1 < c.last && steps_[i].kind == step::what::propagation && steps_[i].delta < 0 &&
             steps_[i + 1].kind == step::what::output && steps_[i + 1].delta < 0;
    };
    for (std::size_t i = c.first; i < c.last;) {
      if (!plain_pair(i)) {
        merged.push_back(steps_[i++]);
        continue;
      }
      step run{step::what::run, -1, steps_[i].slot, steps_[i].input, steps_[i + 1].obs, 1};
      std::size_t j = i + 2;
      for (; plain_pair(j) && steps_[j].slot == run.slot && steps_[j].input == run.input &&
             steps_[j + 1].obs == run.obs + run.count;
           j += 2) {
        ++run.count;
      }
      if (run.count == 1) {
        merged.push_back(steps_[i]);
        merged.push_back(steps_[i + 1]);
      } else {
        merged.push_back(run);
      }
      i = j;
    }
    c.first = first;
    c.last = merged.size();
  }
  steps_ = std::move(merged);
}

// ---- running ----------------------------------------------------------------------------------------

void linear_batch::run(const double* params, std::size_t count, int cmt, double* out, std::size_t ld,
                       workspace& ws) const {
  if (cmt < 1 || static_cast<std::size_t>(cmt) > n_cmt_) {
    throw invalid_parameter("cmt", cmt,
                            "pk::linear_batch: cmt = " + std::to_string(cmt) + " is not a compartment of " +
                                std::string(to_string(structure_)) + " (1.." + std::to_string(n_cmt_) + ")");
  }
  if (ld < count) {
    throw invalid_parameter("ld", static_cast<double>(ld),
                            "pk::linear_batch: ld = " + std::to_string(ld) +
                                " is less than count = " + std::to_string(count) + "; the output needs ld >= count");
  }
  if (count == 0) return;
  // Every row is checked before anything is computed (names are looked up only for a message: no allocation).
  for (std::size_t s = 0; s < count; ++s) {
    for (std::size_t p = 0; p < n_params_; ++p) {
      const double v = params[s * n_params_ + p];
      if (std::isfinite(v) && v > 0.0) continue;
      try {
        require_positive(parameter_names(structure_)[p], v, "");
      } catch (const invalid_parameter& e) {
        throw invalid_parameter(e.name, e.value, "subject " + std::to_string(s) + ": " + e.what());
      }
    }
  }
  const auto c = static_cast<std::size_t>(cmt - 1);
  switch (n_cmt_) {
    case 1:
      return run_n<1>(params, count, c, out, ld, ws);
    case 2:
      return run_n<2>(params, count, c, out, ld, ws);
    case 3:
      return run_n<3>(params, count, c, out, ld, ws);
    case 4:
      return run_n<4>(params, count, c, out, ld, ws);
    default:
      throw internal_error("pk: unsupported compartment count");
  }
}

template <std::size_t N>
void linear_batch::run_n(const double* params, std::size_t count, std::size_t c, double* out, std::size_t ld,
                         workspace& ws) const {
  std::size_t n_slots = 0;
  std::size_t n_inputs = 0;
  for (const chunk& ch : chunks_) {
    n_slots = std::max(n_slots, ch.dts.size());
    n_inputs = std::max(n_inputs, ch.input_dt.size());
  }
  // Workspace: the group's state, its propagators and input terms; 64-byte aligned.
  constexpr std::size_t align = 8;  // doubles
  const std::size_t need = N * lanes + n_slots * N * N * lanes + n_inputs * N * lanes + align;
  if (ws.buffer_.size() < need) ws.buffer_.resize(need);
  double* base = ws.buffer_.data();
  base += (align - (reinterpret_cast<std::uintptr_t>(base) / sizeof(double)) % align) % align;
  double* const state = base;
  double* const phi = state + N * lanes;
  double* const g = phi + n_slots * N * N * lanes;

  const double* final_delta = final_delta_ >= 0 ? deltas_.data() + static_cast<std::size_t>(final_delta_) * N : nullptr;
  std::array<double, N * N> phi1{};
  std::array<double, N * N> gamma1{};
  detail::rate_matrix_n<N> k;

  for (std::size_t first = 0; first < count; first += lanes) {
    const std::size_t n = std::min(lanes, count - first);
    std::fill(state, state + N * lanes, 0.0);
    for (const chunk& ch : chunks_) {
      // Every lane's propagators for the chunk's step lengths, and its input terms Gamma r.
      for (std::size_t l = 0; l < n; ++l) {
        fill_rate_matrix<N>(structure_, params + (first + l) * n_params_, k);
        for (std::size_t j = 0; j < ch.dts.size(); ++j) {
          detail::van_loan_propagators<N>(k, ch.dts[j], phi1.data(), gamma1.data());
          for (std::size_t ab = 0; ab < N * N; ++ab) phi[(j * N * N + ab) * lanes + l] = phi1[ab];
          for (std::size_t m = 0; m < ch.input_dt.size(); ++m) {
            if (static_cast<std::size_t>(ch.input_dt[m]) != j) continue;
            const double* r = rates_.data() + static_cast<std::size_t>(ch.input_rate[m]) * N;
            for (std::size_t a = 0; a < N; ++a) {
              double sum = 0.0;  // as linear_system::propagated
              for (std::size_t b = 0; b < N; ++b) sum += gamma1[a * N + b] * r[b];
              g[(m * N + a) * lanes + l] = sum;
            }
          }
        }
      }
      for (std::size_t l = n; l < lanes; ++l) {  // idle lanes: keep them finite and cheap
        for (std::size_t j = 0; j < ch.dts.size() * N * N; ++j) phi[j * lanes + l] = 0.0;
        for (std::size_t j = 0; j < ch.input_dt.size() * N; ++j) g[j * lanes + l] = 0.0;
      }
      const execute_args<step> a{
          steps_.data() + ch.first, ch.last - ch.first, deltas_.data(), state, phi, g, out + first, ld, c, n};
      if (use_avx()) {
        execute_avx<N>(a);
      } else {
        execute_generic<N>(a);
      }
    }
    // A non-finite amount stays non-finite through every later step (each step mixes all compartments, and
    // 0 * inf is NaN), so the state after the last record tells whether any reported amount was.
    for (std::size_t l = 0; l < n; ++l) {
      for (std::size_t a = 0; a < N; ++a) {
        const double v = state[a * lanes + l] + (final_delta != nullptr ? final_delta[a] : 0.0);
        if (!std::isfinite(v)) {
          throw internal_error("pk: a compartment amount became non-finite (linear_batch, subject " +
                               std::to_string(first + l) + ")");
        }
      }
    }
  }
}

}  // namespace benzosim::pk
