// SPDX-License-Identifier: MIT
// One point of the network scaling table (bench/README.md, "bench_network scaling"): the COBA network of
// Brette et al. (2007) grown to N neurons at a fixed in-degree, simulated once; prints one JSON line with the
// time to draw the synapses, to set up the state, and of the step loop, the rates, the process's peak memory
// (reached while the synapses are drawn) and its resident memory after drawing and after the run. One size per process,
// so that the peak memory is that size's (bench/run_network_scaling.sh runs the sizes).
//
// The network: 80 % E and 20 % I neurons, every neuron receives exactly 64 E synapses (AMPA, 6 nS) and 16 I
// synapses (GABA-A fast, 67 nS) drawn without replacement — the mean in-degree of coba's p = 0.02 at 4000
// neurons — so each neuron sees the same input statistics at every size and the activity stays the
// self-sustained ~20 Hz asynchronous state; the initial state and every other number are coba's.
//
// Usage: bench_network_scaling --neurons N [--duration-s T] [--threads K] [--seed S]
#include <malloc.h>
#include <sys/resource.h>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <string>
#include <string_view>

#include <benzosim/circuit/network.hpp>
#include <benzosim/circuit/presets.hpp>

namespace {

using benzosim::circuit::connection_rule;
using benzosim::circuit::network_spec;

constexpr std::size_t e_in_degree = 64;
constexpr std::size_t i_in_degree = 16;

network_spec scaled_coba(std::size_t neurons) {
  network_spec s = benzosim::circuit::coba();
  s.name = "coba_in_degree";
  const std::size_t e = neurons * 4 / 5;
  s.populations[0].size = e;
  s.populations[1].size = neurons - e;
  for (auto& p : s.projections) {
    p.rule = connection_rule::in_degree;
    p.in_degree = p.pre == "E" ? e_in_degree : i_in_degree;
  }
  return s;
}

template <class T>
bool parse(std::string_view text, T& out) {
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && p == text.data() + text.size();
}

/// The resident memory now [MiB] (/proc/self/statm: resident pages), 0 if unreadable.
double resident_mib() {
  std::ifstream statm("/proc/self/statm");
  double size = 0.0;
  double resident = 0.0;
  if (!(statm >> size >> resident)) return 0.0;
  return resident * 4096.0 / 1048576.0;
}

int usage() {
  std::fputs("usage: bench_network_scaling --neurons N [--duration-s T] [--threads K] [--seed S]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t neurons = 0;
  double duration_s = 1.0;
  int threads = 1;
  std::uint64_t seed = 1;
  for (int k = 1; k + 1 < argc; k += 2) {
    const std::string_view flag = argv[k];
    const std::string_view value = argv[k + 1];
    const bool ok = flag == "--neurons"      ? parse(value, neurons)
                    : flag == "--duration-s" ? parse(value, duration_s)
                    : flag == "--threads"    ? parse(value, threads)
                    : flag == "--seed"       ? parse(value, seed)
                                             : false;
    if (!ok) return usage();
  }
  if (argc % 2 == 0 || neurons < 100 || !(duration_s > 0.0) || threads < 1) return usage();
  try {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    const auto net = benzosim::circuit::network::build(scaled_coba(neurons), seed);
    const double build_s = std::chrono::duration<double>(clock::now() - t0).count();
    benzosim::circuit::run_options o;
    o.duration_ms = duration_s * 1000.0;
    o.seed = seed;
    o.threads = threads;
    malloc_trim(0);  // hand the drawing's freed temporaries back, so that the resident size is the network's
    const double after_build = resident_mib();
    const auto r = benzosim::circuit::simulate(net, o);
    const double after_run = resident_mib();
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    std::printf(
        "{\"neurons\": %zu, \"synapses\": %zu, \"threads\": %d, \"duration_s\": %g, \"seed\": %llu, "
        "\"build_s\": %.4f, \"init_s\": %.4f, \"loop_s\": %.4f, \"rate_e_hz\": %.3f, \"rate_i_hz\": %.3f, "
        "\"spikes\": %llu, \"max_rss_mib\": %.1f, \"rss_after_build_mib\": %.1f, \"rss_after_run_mib\": %.1f}\n",
        net.size(), net.synapse_count(), threads, duration_s, static_cast<unsigned long long>(seed), build_s,
        r.wall_s_init, r.wall_s_loop, r.populations[0].rate_hz, r.populations[1].rate_hz,
        static_cast<unsigned long long>(r.spikes_total), static_cast<double>(u.ru_maxrss) / 1024.0, after_build,
        after_run);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_network_scaling: %s\n", e.what());
    return 1;
  }
}
