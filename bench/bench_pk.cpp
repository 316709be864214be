// SPDX-License-Identifier: MIT
// Question: how long does one subject of a typical regimen take on the pk engine?
// Job (issue 3): one-compartment oral model (KA 1.5 /h, CL 4.5 L/h, V 200 L, F 0.9), 0.5 mg every 8 h for
// 14 days (one dose record with ADDL = 41), output every 0.5 h for 14 days (673 observation records).
// Three variants: the exact engine, a hand-written exact loop (the floor: precomputed propagator, no event
// machinery), and, when built with the ODE path, CVODES on the same subject.
#include <cmath>
#include <vector>

#include <benchmark/benchmark.h>

#include <benzosim/pk/linear.hpp>
#if __has_include(<benzosim/pk/ode.hpp>)
#include <benzosim/pk/ode.hpp>
#define BENZOSIM_BENCH_HAVE_ODE 1
#endif

namespace {

using namespace benzosim::pk;

constexpr double ka = 1.5, cl = 4.5, v = 200.0, f = 0.9, dose_mg = 0.5, ii = 8.0, step = 0.5;
constexpr int n_doses = 42, n_obs = 673;

linear_model job_model() {
  linear_model m{linear_structure::one_cmt_oral, {cl, v, ka}, {compartment_modifiers{}, compartment_modifiers{}}};
  m.modifiers[0].bioav = {modifier::source::constant, f, 0, "F1"};
  return m;
}

/// Reports the concentration at 336 h (the last record) [ng/mL], so that bench/run_pk.sh can check that
/// every variant and peer computes the same thing.
void report_c336(benchmark::State& state, double central_mg) {
  state.counters["c336_ngml"] = central_mg / v * 1000.0;
}

subject job_subject() {
  subject s;
  s.records.push_back({.time_h = 0.0,
                       .kind = event_kind::dose,
                       .amount = dose_mg,
                       .cmt = 1,
                       .ii_h = ii,
                       .addl = n_doses - 1,
                       .row = 1});
  for (int k = 0; k < n_obs; ++k) s.records.push_back({.time_h = k * step, .row = static_cast<std::size_t>(k + 2)});
  return s;
}

void exact_engine(benchmark::State& state) {
  const auto m = job_model();
  const auto s = job_subject();
  amounts_table a;
  for (auto _ : state) {
    a = simulate(m, s);
    benchmark::DoNotOptimize(a.a.data());
  }
  state.counters["rows"] = n_obs + 1;
  report_c336(state, a.at(n_obs, 2));
}
BENCHMARK(exact_engine)->Unit(benchmark::kMicrosecond);

// Fixed cost per subject: a dose and one observation (set-up, one propagator, output).
void exact_engine_setup_only(benchmark::State& state) {
  const auto m = job_model();
  subject s;
  s.records.push_back({.time_h = 0.0, .kind = event_kind::dose, .amount = dose_mg, .cmt = 1, .row = 1});
  s.records.push_back({.time_h = 0.5, .row = 2});
  for (auto _ : state) {
    auto a = simulate(m, s);
    benchmark::DoNotOptimize(a.a.data());
  }
}
BENCHMARK(exact_engine_setup_only)->Unit(benchmark::kMicrosecond);

// The floor: closed-form propagation with precomputed constants, doses on the grid, nothing else.
void hand_written_loop(benchmark::State& state) {
  const double k = cl / v, eka = std::exp(-ka * step), ek = std::exp(-k * step);
  const double cross = ka / (ka - k) * (ek - eka);
  double last = 0.0;
  for (auto _ : state) {
    std::vector<double> out(2 * n_obs);
    double gut = 0, central = 0;
    for (int i = 0; i < n_obs; ++i) {
      if (i > 0) {
        const double g = gut * eka;
        central = central * ek + gut * cross;
        gut = g;
      }
      if (i % 16 == 0 && i / 16 < n_doses) gut += f * dose_mg;
      out[2 * static_cast<std::size_t>(i)] = gut;
      out[2 * static_cast<std::size_t>(i) + 1] = central;
    }
    benchmark::DoNotOptimize(out.data());
    last = out.back();
  }
  report_c336(state, last);
}
BENCHMARK(hand_written_loop)->Unit(benchmark::kMicrosecond);

#ifdef BENZOSIM_BENCH_HAVE_ODE
void run_cvodes(benchmark::State& state, const ode_options& o) {
  const ode_model m = job_model();
  const auto s = job_subject();
  amounts_table a;
  for (auto _ : state) {
    a = simulate_ode(m, s, o);
    benchmark::DoNotOptimize(a.a.data());
  }
  report_c336(state, a.at(n_obs, 2));
}

// The default settings (BDF, rtol 1e-8, atol 1e-10).
void cvodes_engine(benchmark::State& state) {
  run_cvodes(state, {});
}
BENCHMARK(cvodes_engine)->Unit(benchmark::kMicrosecond);

// mrgsolve's default tolerances (rtol 1e-8, atol 1e-8), for a like-for-like comparison.
void cvodes_engine_rtol8_atol8(benchmark::State& state) {
  run_cvodes(state, {.rtol = 1e-8, .atol = 1e-8});
}
BENCHMARK(cvodes_engine_rtol8_atol8)->Unit(benchmark::kMicrosecond);

// Adams-Moulton (the problem is not stiff), mrgsolve's tolerances.
void cvodes_engine_adams_rtol8_atol8(benchmark::State& state) {
  run_cvodes(state, {.method = ode_method::adams, .rtol = 1e-8, .atol = 1e-8});
}
BENCHMARK(cvodes_engine_adams_rtol8_atol8)->Unit(benchmark::kMicrosecond);
#endif

}  // namespace

BENCHMARK_MAIN();
