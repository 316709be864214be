// SPDX-License-Identifier: MIT
// Question: how fast is a population on one and two cores, and does the cost per patient stay flat with N?
// Job (issue 4): one-compartment oral (KA 1.5 /h, CL 4.5 L/h, V 200 L, F 0.9), 0.5 mg every 8 h for 14 days,
// output every 0.5 h (673 times), 30 % log-normal variability on CL and V; N = 10^3 .. 10^6 patients,
// summary only (per-time mean, SD, 5/25/50/75/95th percentiles) or also per-patient metrics (rows).
#include <cmath>
#include <cstdint>

#include <benchmark/benchmark.h>

#include <benzosim/clinical/population.hpp>

namespace {

using namespace benzosim;

clinical::linear_population job() {
  clinical::linear_population j;
  j.model = {pk::linear_structure::one_cmt_oral, {4.5, 200.0, 1.5}, {pk::compartment_modifiers{}, {}}};
  j.model.modifiers[0].bioav = {pk::modifier::source::constant, 0.9, 0, "F1"};
  j.records.records.push_back(
      {.time_h = 0.0, .kind = pk::event_kind::dose, .amount = 0.5, .cmt = 1, .ii_h = 8.0, .addl = 41, .row = 1});
  for (int k = 0; k < 673; ++k) {
    j.records.records.push_back({.time_h = 0.5 * k, .row = static_cast<std::size_t>(k + 2)});
  }
  const double w = std::log(1.0 + 0.3 * 0.3);  // 30 % CV, exact log-normal
  j.eta_parameters = {"CL", "V"};
  j.omega = {{"CL", "V"}, {w, 0.0, 0.0, w}};
  j.output_cmt = 2;
  j.volume = "V";
  return j;
}

void population(benchmark::State& state) {
  const auto j = job();
  clinical::population_options o;
  o.subjects = static_cast<std::uint64_t>(state.range(0));
  o.threads = static_cast<int>(state.range(1));
  o.exact_limit = 0;  // the bounded-memory path at every N, so that the cost per patient is comparable
  const bool rows = state.range(2) != 0;
  std::uint64_t rows_seen = 0;
  double p50 = 0.0;
  for (auto _ : state) {
    const auto r = clinical::simulate_population(
        j, o,
        rows ? clinical::subject_sink([&](std::span<const clinical::subject_metrics> c) { rows_seen += c.size(); })
             : clinical::subject_sink{});
    p50 = r.series[0].at.back().p50;
    benchmark::DoNotOptimize(
        r.series.data());  // (DoNotOptimize on a double lvalue corrupts it with GCC 12 and benchmark 1.7)
  }
  state.counters["us_per_patient"] =
      benchmark::Counter(static_cast<double>(o.subjects) * 1e-6,
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["c336_p50_ngml"] = benchmark::Counter(p50);
}
// Args: N, threads, rows (0 = summary only, 1 = also per-patient metrics).
BENCHMARK(population)
    ->ArgsProduct({{1000, 10000, 100000, 1000000}, {1, 2}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
