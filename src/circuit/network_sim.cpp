// SPDX-License-Identifier: MIT
// The simulation loop of the spiking network engine and its read-outs. Reference: docs/network.md.
//
// One step n (from t = n dt to (n + 1) dt), for every thread on its own block of neurons:
//   1. deliver, for every delay d of a receptor class, the spikes of step n - 1 - d: each spiking neuron's
//      synapses of that delay, restricted to the block's targets, add their weight (x the drug's amplitude
//      factor for GABA-A) to the targets' conductances;
//   2. Poisson drive events that fall in the step;
//   3. update V (and the AdEx w), the refractory counter and the conductances (decay) of every neuron, with
//      the kernel of its population's model; V above the threshold (LIF) or v_peak (AdEx) is a spike;
//   4. every sample_ms: accumulate V and the GABA-A current for the read-outs;
//   5. tell the other threads the step is done (before step n + 1 each thread waits for all to finish step n).
// A neuron's conductances change only in steps 1-3 of its own block's thread, and the spikes are delivered
// delay group by delay group, each in increasing presynaptic order, whatever the thread count, so every
// number is the same for 1 or N threads. The population-rate spectra come from integer spike counts per
// sample bin. Delivery at the start of step n + 1 equals Brian's delivery at the end of step n (no delay).
#include <benzosim/circuit/network.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/random.hpp>

// The vector helpers (here and in network_detail.hpp) take and return AVX/AVX-512 vectors; they are always
// inlined into the functions compiled for those instruction sets, so no call crosses the ABI difference GCC
// warns about.
#pragma GCC diagnostic ignored "-Wpsabi"
#include "network_detail.hpp"

namespace benzosim::circuit {
namespace {

using detail::exp_nonpositive;
using detail::line_vector;
using detail::simd;

constexpr int max_threads = 256;
constexpr double max_steps = 2e9;
constexpr double max_samples = 1e8;
/// Each thread gets at least this many neurons (more threads than that only add waits).
constexpr std::size_t min_neurons_per_thread = 64;
/// Threads' blocks start at multiples of this many neurons: 64 doubles (or 64-bit integers) are 8 cache lines.
constexpr std::size_t block_align = 64;
static_assert(block_align <= min_neurons_per_thread, "every thread's block must keep at least one neuron");

[[noreturn]] void fail(const std::string& name, double value, const std::string& message) {
  throw invalid_parameter(name, value, name + " = " + format_value(value) + message);
}

/// x / unit as a whole number, or -1 if it is not one (relative tolerance 1e-9).
std::int64_t whole_multiple(double x, double unit) {
  const double ratio = x / unit;
  const double whole = std::round(ratio);
  if (!(std::abs(ratio - whole) <= 1e-9 * std::max(1.0, ratio))) return -1;
  return static_cast<std::int64_t>(whole);
}

/// What the update of one population needs, with the drug applied.
struct pop_const {
  double k;          // dt / C [ms/pF]
  double g_leak;     // [nS]
  double gl_el;      // g_leak * e_leak [pA]
  double e_leak;     // [mV]
  double v_th;       // spike when V exceeds this: the LIF threshold, or the AdEx v_peak [mV]
  double v_reset;    // [mV]
  double e_ampa;     // [mV]
  double e_gaba;     // [mV]
  double tonic;      // tonic GABA-A conductance x the drug's tonic factor [nS]
  double i_const;    // [pA]
  double ref_steps;  // steps V stays clamped after the step of a spike
  double v_floor;    // below this V the integration has gone unstable (the lowest reversal or V_inf - 100 mV)
  // AdEx only.
  double gl_dt;        // g_leak * DeltaT [pA]
  double v_t;          // VT [mV]
  double inv_delta_t;  // 1 / DeltaT [1/mV]
  double a;            // [nS]
  double b;            // [pA]
  double w_k;          // dt / tau_w (euler)
  double w_decay;      // e^{-dt / tau_w} (exponential)
};

/// Conductance decay per step, e^{-dt/tau}, and per half step (the exponential scheme's mid-step values).
struct decay_const {
  double full[receptor_count];
  double half[receptor_count];
};

/// The per-neuron arrays the kernels work on.
struct arrays {
  double* v;
  double* ref;           // steps V stays clamped (a whole number; double so that the update loop has one lane width)
  double* g0;            // AMPA
  double* g1;            // GABA-A fast
  double* g2;            // GABA-A slow
  double* w;             // AdEx adaptation current [pA] (0 for LIF neurons)
  std::int64_t* spiked;  // 1 if the neuron fired in this step
  double* wsum;          // sampled V - EL, summed over the current detector window
  double* wsum2;         // its square
  double* isum;          // sampled GABA-A current, summed over the run
};

/// The spikes of one thread's block in one step (a slot of the ring of recent steps), on a cache line of its
/// own: the count is written every step by one thread and read by the others, so it must not share its line
/// with what another thread writes (false sharing costs more than a block's update). The list grows when a
/// step has more spikes than it holds (only its owner writes it, and never while another thread reads it:
/// the ring is longer than the longest delay + 1).
struct alignas(64) spike_slot {
  line_vector<std::uint32_t> list;  // neurons, increasing
  std::size_t n = 0;                // entries of list in use
};

/// Neurons per chunk of the spike scan: the update reports which chunks hold a spike, and only those are
/// scanned neuron by neuron.
constexpr std::size_t chunk = 64;
/// Spike lists (per thread, per step of the ring) are allocated for every neuron of the block up front when
/// they need at most this many entries in all, else grown as spikes come.
constexpr std::size_t preallocated_spike_entries = std::size_t{1} << 22;
/// The longest delay the ring of spike lists may hold [steps] (64 bytes per step and thread).
constexpr std::uint64_t max_delay_steps = std::uint64_t{1} << 20;

template <class T, class E>
[[gnu::always_inline]] inline T load_lanes(const E* p, std::size_t i) noexcept {
  T x;
  std::memcpy(&x, p + i, sizeof x);
  return x;
}
template <class T, class E>
[[gnu::always_inline]] inline void store_lanes(E* p, std::size_t i, const T& x) noexcept {
  std::memcpy(p + i, &x, sizeof x);
}

/// What the update needs, copied into locals (so that the compiler knows the stores to the state arrays never
/// change them).
struct step_const {
  pop_const c;
  decay_const d;
};

/// V, refractory counter and conductances of neurons i..i+W-1 over one step; spiked = 1 for a spike, else 0,
/// and `any` collects the flags. The same code for W lanes and for one neuron (W = 1): vector lanes round
/// exactly like scalars, and -ffp-contract=off (src/CMakeLists.txt) keeps GCC from fusing a * b + c in one
/// variant but not another, so a neuron's result does not depend on the CPU or on where a thread's block of
/// neurons starts. Slow = false skips the GABA-A slow conductance (no synapse or drive uses it: it stays 0).
/// M = adex adds the exponential spike current and the adaptation current w (docs/network.md, "AdEx").
template <membrane_scheme S, neuron_model M, bool Slow, int W>
[[gnu::always_inline]] inline void neuron_step(const step_const& k, const arrays& a, std::size_t i,
                                               typename simd<W>::i& any) noexcept {
  using D = typename simd<W>::d;
  using I = typename simd<W>::i;
  constexpr bool adex = M == neuron_model::adex;
  const pop_const& c = k.c;
  const decay_const& d = k.d;
  const D vi = load_lanes<D>(a.v, i);
  const D ge = load_lanes<D>(a.g0, i);
  const D gf = load_lanes<D>(a.g1, i);
  const D gs = Slow ? load_lanes<D>(a.g2, i) : D{};
  // AdEx: gL DeltaT exp((V - VT) / DeltaT) - w at the start of the step (the argument capped at
  // detail::exp_cap: V that far above VT reaches v_peak within the step anyway).
  D wi{};
  D i_adex{};
  if constexpr (adex) {
    wi = load_lanes<D>(a.w, i);
    i_adex = c.gl_dt * detail::exp_capped<W>((vi - c.v_t) * c.inv_delta_t) - wi;
  }
  D vn;
  D wn{};
  if constexpr (S == membrane_scheme::euler) {
    const D gi = (gf + gs) + c.tonic;
    D current = ((c.g_leak * (c.e_leak - vi) + ge * (c.e_ampa - vi)) + gi * (c.e_gaba - vi)) + c.i_const;
    if constexpr (adex) {
      current = current + i_adex;
      wn = wi + c.w_k * (c.a * (vi - c.e_leak) - wi);
    }
    vn = vi + c.k * current;
  } else {
    // Exact for conductances frozen at their mid-step values: V relaxes towards V_inf at the rate g_tot / C.
    // AdEx: the spike and adaptation currents frozen at their start-of-step values (exponential Euler), and w
    // exact for V frozen at its start-of-step value.
    const D ge_m = ge * d.half[0];
    const D gi_m = (gf * d.half[1] + gs * d.half[2]) + c.tonic;
    const D g_tot = (c.g_leak + ge_m) + gi_m;
    D drive = ((c.gl_el + ge_m * c.e_ampa) + gi_m * c.e_gaba) + c.i_const;
    if constexpr (adex) {
      drive = drive + i_adex;
      const D w_inf = c.a * (vi - c.e_leak);
      wn = w_inf + (wi - w_inf) * c.w_decay;
    }
    const D v_inf = drive / g_tot;
    const D e = exp_nonpositive<W>(D{} - c.k * g_tot);
    vn = v_inf + (vi - v_inf) * e;
  }
  const D v_reset = D{} + c.v_reset;
  const D r = load_lanes<D>(a.ref, i);
  const auto refractory = r > 0.0;
  vn = refractory ? v_reset : vn;
  const auto fire = vn > c.v_th;  // never while refractory: v_reset < v_th
  store_lanes(a.v, i, fire ? v_reset : vn);
  if constexpr (adex) store_lanes(a.w, i, fire ? wn + c.b : wn);
  const D r_next = refractory ? r - 1.0 : r;
  store_lanes(a.ref, i, fire ? D{} + c.ref_steps : r_next);
  const I flag = fire ? I{} + 1 : I{};
  store_lanes(a.spiked, i, flag);
  any |= flag;
  store_lanes(a.g0, i, ge * d.full[0]);
  store_lanes(a.g1, i, gf * d.full[1]);
  if constexpr (Slow) store_lanes(a.g2, i, gs * d.full[2]);
}

/// Updates neurons lo..hi-1 with W lanes, chunk by chunk; writes the start of every chunk holding a spike to
/// `flagged` and returns how many it wrote.
template <membrane_scheme S, neuron_model M, bool Slow, int W>
[[gnu::always_inline]] inline std::size_t update_body(const pop_const& c, const decay_const& d, std::size_t lo,
                                                      std::size_t hi, const arrays& arr, std::uint32_t* flagged) {
  const step_const k{c, d};
  const arrays a = arr;
  std::size_t m = 0;
  for (std::size_t start = lo; start < hi; start += chunk) {
    const std::size_t end = std::min(start + chunk, hi);
    typename simd<W>::i any{};
    std::size_t i = start;
    for (; i + W <= end; i += W) neuron_step<S, M, Slow, W>(k, a, i, any);
    std::int64_t any1 = 0;
    for (; i < end; ++i) neuron_step<S, M, Slow, 1>(k, a, i, any1);
    if constexpr (W > 1) {
      for (int l = 0; l < W; ++l) any1 |= any[l];
    }
    if (any1 != 0) flagged[m++] = static_cast<std::uint32_t>(start);
  }
  return m;
}

/// Adds V - EL and the GABA-A current of neurons lo..hi-1 to their sums; returns the fixed-point sum of V - EL
/// and adds the number of neurons below the population's v_floor (or NaN) to `unstable`.
[[gnu::always_inline]] inline std::uint64_t sample_body(const pop_const& c, std::size_t lo, std::size_t hi,
                                                        const arrays& a, std::uint64_t& unstable) {
  const double* __restrict__ v = a.v;
  const double* __restrict__ g1 = a.g1;
  const double* __restrict__ g2 = a.g2;
  double* __restrict__ wsum = a.wsum;
  double* __restrict__ wsum2 = a.wsum2;
  double* __restrict__ isum = a.isum;
  const double el = c.e_leak;
  const double eg = c.e_gaba;
  const double tonic = c.tonic;
  const double floor = c.v_floor;
  std::uint64_t acc = 0;
  std::uint64_t bad = 0;
  for (std::size_t i = lo; i < hi; ++i) {
    bad += v[i] >= floor ? 0u : 1u;
    const double x = v[i] - el;
    wsum[i] += x;
    wsum2[i] += x * x;
    isum[i] += ((g1[i] + g2[i]) + tonic) * (v[i] - eg);
    acc += detail::to_fixed(x);
  }
  unstable += bad;
  return acc;
}

using update_fn = std::size_t (*)(const pop_const&, const decay_const&, std::size_t, std::size_t, const arrays&,
                                  std::uint32_t*);
using sample_fn = std::uint64_t (*)(const pop_const&, std::size_t, std::size_t, const arrays&, std::uint64_t&);

template <membrane_scheme S, neuron_model M, bool Slow>
std::size_t update_generic(const pop_const& c, const decay_const& d, std::size_t lo, std::size_t hi, const arrays& a,
                           std::uint32_t* flagged) {
  return update_body<S, M, Slow, 2>(c, d, lo, hi, a, flagged);
}
std::uint64_t sample_generic(const pop_const& c, std::size_t lo, std::size_t hi, const arrays& a,
                             std::uint64_t& unstable) {
  return sample_body(c, lo, hi, a, unstable);
}

#if defined(__x86_64__) && defined(__GNUC__)
// The same loops for CPUs with AVX2 and AVX-512 (4 or 8 lanes instead of SSE2's 2), chosen at run time. FMA
// is not enabled: it would round differently from the generic variant.
#define BENZOSIM_AVX2 gnu::target("avx2")
#define BENZOSIM_AVX512 gnu::target("avx512f,avx512dq,avx512vl,avx512bw,prefer-vector-width=512")
template <membrane_scheme S, neuron_model M, bool Slow>
[[BENZOSIM_AVX2]] std::size_t update_avx2(const pop_const& c, const decay_const& d, std::size_t lo, std::size_t hi,
                                          const arrays& a, std::uint32_t* flagged) {
  return update_body<S, M, Slow, 4>(c, d, lo, hi, a, flagged);
}
template <membrane_scheme S, neuron_model M, bool Slow>
[[BENZOSIM_AVX512]] std::size_t update_avx512(const pop_const& c, const decay_const& d, std::size_t lo, std::size_t hi,
                                              const arrays& a, std::uint32_t* flagged) {
  return update_body<S, M, Slow, 8>(c, d, lo, hi, a, flagged);
}
[[BENZOSIM_AVX2]] std::uint64_t sample_avx2(const pop_const& c, std::size_t lo, std::size_t hi, const arrays& a,
                                            std::uint64_t& unstable) {
  return sample_body(c, lo, hi, a, unstable);
}
[[BENZOSIM_AVX512]] std::uint64_t sample_avx512(const pop_const& c, std::size_t lo, std::size_t hi, const arrays& a,
                                                std::uint64_t& unstable) {
  return sample_body(c, lo, hi, a, unstable);
}
#undef BENZOSIM_AVX2
#undef BENZOSIM_AVX512

enum class isa { generic, avx2, avx512 };
isa best_isa() {
  static const isa best = [] {
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw")) {
      return isa::avx512;
    }
    return __builtin_cpu_supports("avx2") ? isa::avx2 : isa::generic;
  }();
  const int cap = detail::max_vector_lanes.load(std::memory_order_relaxed);
  if (cap < 4) return isa::generic;
  if (cap < 8 && best == isa::avx512) return isa::avx2;
  return best;
}
template <membrane_scheme S, neuron_model M, bool Slow>
update_fn pick_update() {
  switch (best_isa()) {
    case isa::avx512:
      return &update_avx512<S, M, Slow>;
    case isa::avx2:
      return &update_avx2<S, M, Slow>;
    case isa::generic:
      break;
  }
  return &update_generic<S, M, Slow>;
}
sample_fn pick_sample() {
  switch (best_isa()) {
    case isa::avx512:
      return &sample_avx512;
    case isa::avx2:
      return &sample_avx2;
    case isa::generic:
      break;
  }
  return &sample_generic;
}
#else
template <membrane_scheme S, neuron_model M, bool Slow>
update_fn pick_update() {
  return &update_generic<S, M, Slow>;
}
sample_fn pick_sample() {
  return &sample_generic;
}
#endif

template <membrane_scheme S, neuron_model M>
update_fn pick_update(bool slow) {
  return slow ? pick_update<S, M, true>() : pick_update<S, M, false>();
}
update_fn pick_update(membrane_scheme s, neuron_model m, bool slow) {
  if (s == membrane_scheme::euler) {
    return m == neuron_model::lif ? pick_update<membrane_scheme::euler, neuron_model::lif>(slow)
                                  : pick_update<membrane_scheme::euler, neuron_model::adex>(slow);
  }
  return m == neuron_model::lif ? pick_update<membrane_scheme::exponential, neuron_model::lif>(slow)
                                : pick_update<membrane_scheme::exponential, neuron_model::adex>(slow);
}

/// How far a thread has got: the number of steps it has finished, on a cache line of its own. Threads
/// synchronise point to point instead of at a central barrier: before step n a thread waits until every
/// other thread has finished step n - 1 (its spike list of that step is complete, and it has read everything
/// this thread will overwrite), which costs one cache-line transfer per peer instead of the serialised
/// read-modify-writes of a barrier. A step takes a few microseconds, far less than waking a sleeping thread,
/// so a waiting thread spins first; if a peer is late (a busy machine has descheduled it) it sleeps on the
/// counter (futex) so as not to steal the core the late thread needs.
struct alignas(64) step_flag {
  std::atomic<std::uint32_t> done{0};  // 32 bits: the futex width (steps are limited to 2e9)

  void publish(std::uint32_t finished) noexcept {
    done.store(finished, std::memory_order_release);
    done.notify_all();  // a load of the waiter count unless someone sleeps
  }
  void wait_for(std::uint32_t target) const noexcept {
    for (int spins = 0; spins < spin_limit; ++spins) {
      if (done.load(std::memory_order_acquire) >= target) return;
#if defined(__x86_64__) && defined(__GNUC__)
      __builtin_ia32_pause();
#endif
    }
    for (std::uint32_t seen = done.load(std::memory_order_acquire); seen < target;
         seen = done.load(std::memory_order_acquire)) {
      done.wait(seen, std::memory_order_acquire);
    }
  }

  static constexpr int spin_limit = 2000;  // about 20-50 microseconds
};

/// A contiguous part of one population inside a thread's block.
struct segment {
  std::size_t pop;
  std::size_t lo;
  std::size_t hi;
};

/// What one thread owns, aligned to two cache lines so that two threads' states never share one (false
/// sharing costs more than the update of a whole block of neurons). Its heap arrays are either large (spike
/// lists) or written rarely (window_spikes, at the end of a window).
struct alignas(128) thread_state {
  std::size_t lo = 0;
  std::size_t hi = 0;
  std::vector<segment> segments;
  line_vector<std::uint64_t> segment_spikes;  // [segment] spikes in the current sample bin
  std::vector<spike_slot> slots;              // [ring slot] spikes of one step
  line_vector<std::uint64_t> window_spikes;   // [window]
  std::uint64_t spikes_this_window = 0;       // spikes of the current window, added to window_spikes at its end
  line_vector<std::uint32_t> flagged;         // chunks with a spike in the current step
  line_vector<spike> recorded;
  std::vector<std::pair<std::size_t, std::size_t>> traces;  // (trace index, neuron) in this block
  std::uint64_t unstable = 0;                               // samples of a V below v_floor
  std::exception_ptr failure;
};

class engine {
 public:
  engine(const network& net, const run_options& o) : net_(net), o_(o), spec_(net.spec()) {}

  network_result run();

 private:
  void set_up();
  void initial_state();
  void step(std::size_t tid, std::uint64_t n);
  void deliver(std::size_t tid, std::uint64_t n);
  void drive(std::size_t tid, std::uint64_t n);
  void on_spike(std::size_t i, std::uint64_t n);
  void sample(thread_state& t, std::uint64_t s);
  network_result read_out() const;

  const network& net_;
  const run_options& o_;
  const network_spec& spec_;

  std::size_t n_ = 0;        // neurons
  std::size_t n_pop_ = 0;    // populations
  std::size_t threads_ = 1;  // effective
  std::uint64_t steps_ = 0;
  std::uint64_t ring_ = 2;          // steps of spikes kept: the longest delay + 2
  std::uint64_t sample_every_ = 1;  // steps per sample
  std::uint64_t samples_ = 0;
  std::uint64_t per_window_ = 1;  // samples per detector window
  std::uint64_t windows_ = 0;
  std::vector<update_fn> update_;  // [population]: its model's kernel
  sample_fn sample_ = nullptr;
  arrays a_{};

  std::vector<pop_const> pops_;
  decay_const decay_{};
  double amplitude_[receptor_count] = {1.0, 1.0, 1.0};  // the drug's factor on each class's jumps

  // State, one entry per neuron.
  // Every per-neuron array starts on a cache line and the threads' blocks start at multiples of 64 neurons,
  // so no two threads ever write to one cache line.
  line_vector<double> v_, ref_, w_;
  line_vector<double> g_[receptor_count];
  line_vector<std::int64_t> spiked_;
  // Spike statistics per neuron (integers: exact).
  line_vector<std::uint64_t> count_, isi_sum_, isi_sum2_;
  line_vector<std::int64_t> last_;
  // Sampled V (relative to EL) and GABA-A current per neuron: sums over the current detector window, folded
  // into the sums over the run at the end of each window.
  line_vector<double> tsum_, tsum2_, wsum_, wsum2_, isum_;
  // Poisson drive.
  bool has_drive_ = false;
  line_vector<double> next_event_ms_;
  line_vector<random_stream> drive_rng_;
  // Delivery: per receptor, per row and delay group, the start of each thread's part (threads_ + 1 entries
  // per row and group).
  std::vector<std::uint64_t> block_start_[receptor_count];

  std::vector<thread_state> threads_state_;
  std::vector<std::atomic<std::uint64_t>> vbar_;    // [sample * n_pop + pop], fixed point
  std::vector<std::atomic<std::uint64_t>> winvar_;  // [window], fixed point
  std::vector<std::atomic<std::uint64_t>> bins_;    // [sample * n_pop + pop]: spikes in the sample bin
  std::vector<neuron_trace> traces_;
};

void engine::set_up() {
  n_ = net_.size();
  n_pop_ = spec_.populations.size();
  const double dt = spec_.dt_ms;
  steps_ = static_cast<std::uint64_t>(whole_multiple(o_.duration_ms, dt));
  ring_ = net_.max_delay_steps() + 2;
  sample_every_ = static_cast<std::uint64_t>(whole_multiple(o_.sample_ms, dt));
  samples_ = steps_ / sample_every_;
  per_window_ = static_cast<std::uint64_t>(whole_multiple(o_.detector.window_ms, o_.sample_ms));
  windows_ = samples_ / per_window_;
  threads_ = static_cast<std::size_t>(o_.threads);
  threads_ = std::max<std::size_t>(1, std::min(threads_, n_ / min_neurons_per_thread));

  amplitude_[1] = o_.drug.fast.amplitude;
  amplitude_[2] = o_.drug.slow.amplitude;
  const double tau[receptor_count] = {spec_.tau_ms[0], spec_.tau_ms[1] * o_.drug.fast.decay,
                                      spec_.tau_ms[2] * o_.drug.slow.decay};
  for (std::size_t r = 0; r < receptor_count; ++r) {
    decay_.full[r] = std::exp(-dt / tau[r]);
    decay_.half[r] = std::exp(-0.5 * dt / tau[r]);
  }
  for (const population_params& p : spec_.populations) {
    const lif_params& c = p.neuron;
    const adex_params& x = p.adex;
    const bool adex = p.model == neuron_model::adex;
    // V can only approach the reversals, EL, or V_inf of a negative current; an exponential scheme never
    // leaves that range, Euler only when it is unstable. AdEx: the adaptation current can hold V far lower
    // (1000 mV x gL would be tens of nA): only a diverging integration goes below.
    const double v_floor = std::min({p.e_gaba_mv, spec_.e_ampa_mv, c.v_reset_mv,
                                     c.e_leak_mv + std::min(0.0, p.drive.constant_pa) / c.g_leak_ns}) -
                           (adex ? 1000.0 : 100.0);
    pops_.push_back(pop_const{.k = dt / c.c_pf,
                              .g_leak = c.g_leak_ns,
                              .gl_el = c.g_leak_ns * c.e_leak_mv,
                              .e_leak = c.e_leak_mv,
                              .v_th = adex ? x.v_peak_mv : c.v_threshold_mv,
                              .v_reset = c.v_reset_mv,
                              .e_ampa = spec_.e_ampa_mv,
                              .e_gaba = p.e_gaba_mv,
                              .tonic = p.tonic_gaba_ns * o_.drug.tonic,
                              .i_const = p.drive.constant_pa,
                              // Brian: integration resumes once t - t_spike >= refractory, i.e. V is held
                              // during the ref - 1 steps after the step of the spike.
                              .ref_steps = std::max(0.0, std::round(c.refractory_ms / dt) - 1.0),
                              .v_floor = v_floor,
                              .gl_dt = c.g_leak_ns * x.delta_t_mv,
                              .v_t = x.v_t_mv,
                              .inv_delta_t = 1.0 / x.delta_t_mv,
                              .a = x.a_ns,
                              .b = x.b_pa,
                              .w_k = dt / x.tau_w_ms,
                              .w_decay = std::exp(-dt / x.tau_w_ms)});
    has_drive_ = has_drive_ || (p.drive.poisson_rate_hz > 0.0 && p.drive.poisson_weight_ns > 0.0);
  }
  bool slow_used = !net_.synapses(receptor::gaba_a_slow).target.empty();
  for (const population_params& p : spec_.populations) {
    slow_used = slow_used || (p.drive.poisson_receptor == receptor::gaba_a_slow && p.drive.poisson_rate_hz > 0.0);
  }
  update_.clear();
  for (const population_params& p : spec_.populations) update_.push_back(pick_update(spec_.scheme, p.model, slow_used));
  sample_ = pick_sample();

  v_.assign(n_, 0.0);
  ref_.assign(n_, 0.0);
  w_.assign(n_, 0.0);
  for (auto& g : g_) g.assign(n_, 0.0);
  spiked_.assign(n_, 0);
  count_.assign(n_, 0);
  isi_sum_.assign(n_, 0);
  isi_sum2_.assign(n_, 0);
  last_.assign(n_, 0);
  tsum_.assign(n_, 0.0);
  tsum2_.assign(n_, 0.0);
  wsum_.assign(n_, 0.0);
  wsum2_.assign(n_, 0.0);
  isum_.assign(n_, 0.0);
  vbar_ = std::vector<std::atomic<std::uint64_t>>(static_cast<std::size_t>(samples_) * n_pop_);
  winvar_ = std::vector<std::atomic<std::uint64_t>>(static_cast<std::size_t>(windows_));
  bins_ = std::vector<std::atomic<std::uint64_t>>(static_cast<std::size_t>(samples_) * n_pop_);

  // Blocks of neurons per thread, and each row's part per block (rows are sorted by target).
  threads_state_.resize(threads_);
  for (std::size_t t = 0; t < threads_; ++t) {
    thread_state& ts = threads_state_[t];
    // Blocks of about n / threads neurons, cut at multiples of 64 (each block keeps >= 1 neuron: there are at
    // least 64 neurons per thread).
    ts.lo = n_ * t / threads_ / block_align * block_align;
    ts.hi = t + 1 == threads_ ? n_ : n_ * (t + 1) / threads_ / block_align * block_align;
    for (std::size_t p = 0; p < n_pop_; ++p) {
      const std::size_t lo = std::max(ts.lo, net_.first_neuron(p));
      const std::size_t hi = std::min(ts.hi, net_.first_neuron(p + 1));
      if (lo < hi) ts.segments.push_back({p, lo, hi});
    }
    ts.segment_spikes.assign(ts.segments.size(), 0);
    // Spike lists that can hold every neuron of the block when that costs little (short delays), else
    // grown on demand.
    ts.slots = std::vector<spike_slot>(static_cast<std::size_t>(ring_));
    if (static_cast<std::size_t>(ring_) * (ts.hi - ts.lo) <= preallocated_spike_entries) {
      for (spike_slot& sl : ts.slots) sl.list.resize(ts.hi - ts.lo);
    }
    ts.window_spikes.assign(windows_, 0);
    ts.flagged.assign((ts.hi - ts.lo) / chunk + n_pop_ + 1, 0);
  }
  a_ = arrays{v_.data(), ref_.data(),    g_[0].data(), g_[1].data(),  g_[2].data(),
              w_.data(), spiked_.data(), wsum_.data(), wsum2_.data(), isum_.data()};
  if (threads_ > 1) {
    for (std::size_t r = 0; r < receptor_count; ++r) {
      const network::rows& rows = net_.synapses(static_cast<receptor>(r));
      if (rows.target.empty()) continue;
      const std::size_t groups = rows.delay_steps.size();
      std::vector<std::uint64_t>& bs = block_start_[r];
      bs.resize(n_ * groups * (threads_ + 1));
      for (std::size_t i = 0; i < n_; ++i) {
        for (std::size_t g = 0; g < groups; ++g) {
          const auto [lo, hi] = rows.group(i, g);
          const auto first = rows.target.begin() + static_cast<std::ptrdiff_t>(lo);
          const auto last = rows.target.begin() + static_cast<std::ptrdiff_t>(hi);
          const std::size_t at = (i * groups + g) * (threads_ + 1);
          for (std::size_t t = 0; t < threads_; ++t) {
            const auto it = std::lower_bound(first, last, static_cast<std::uint32_t>(threads_state_[t].lo));
            bs[at + t] = static_cast<std::uint64_t>(it - rows.target.begin());
          }
          bs[at + threads_] = hi;
        }
      }
    }
  }

  traces_.clear();
  for (std::size_t k = 0; k < o_.trace_neurons.size(); ++k) {
    const std::size_t i = o_.trace_neurons[k];
    const auto m = static_cast<std::size_t>(samples_);
    traces_.push_back(neuron_trace{i, std::vector<double>(m), std::vector<double>(m), std::vector<double>(m),
                                   std::vector<double>(m), std::vector<double>(m)});
    for (thread_state& ts : threads_state_) {
      if (i >= ts.lo && i < ts.hi) ts.traces.emplace_back(k, i);
    }
  }
}

void engine::initial_state() {
  if (o_.initial) {
    v_.assign(o_.initial->v_mv.begin(), o_.initial->v_mv.end());
    g_[0].assign(o_.initial->g_ampa_ns.begin(), o_.initial->g_ampa_ns.end());
    g_[1].assign(o_.initial->g_gaba_ns.begin(), o_.initial->g_gaba_ns.end());
  } else {
    const initial_rule& r = spec_.initial;
    for (std::size_t i = 0; i < n_; ++i) {
      random_stream rng(o_.seed, 0, i, detail::stream_initial_state);
      v_[i] = r.v_mean_mv + r.v_sd_mv * rng.normal();
      const double ge = r.g_ampa_mean_ns + r.g_ampa_sd_ns * rng.normal();
      const double gi = r.g_gaba_mean_ns + r.g_gaba_sd_ns * rng.normal();
      g_[0][i] = r.clip_negative ? std::max(0.0, ge) : ge;
      g_[1][i] = r.clip_negative ? std::max(0.0, gi) : gi;
    }
  }
  if (has_drive_) {
    next_event_ms_.assign(n_, std::numeric_limits<double>::infinity());
    drive_rng_.reserve(n_);
    for (std::size_t i = 0; i < n_; ++i) {
      drive_rng_.emplace_back(o_.seed, 0, i, detail::stream_poisson_drive);
      const neuron_drive& d = spec_.populations[net_.population_of(i)].drive;
      if (d.poisson_rate_hz > 0.0 && d.poisson_weight_ns > 0.0) {
        next_event_ms_[i] = d.poisson_start_ms - std::log(drive_rng_[i].uniform()) / (d.poisson_rate_hz * 1e-3);
      }
    }
  }
}

void engine::deliver(std::size_t tid, std::uint64_t n) {
  for (std::size_t r = 0; r < receptor_count; ++r) {
    const network::rows& rows = net_.synapses(static_cast<receptor>(r));
    if (rows.target.empty()) continue;
    double* __restrict__ g = g_[r].data();
    const std::uint32_t* target = rows.target.data();
    const double amp = amplitude_[r];
    const bool uniform = rows.weight_ns.empty();
    const std::size_t groups = rows.delay_steps.size();
    // Row i's group k spans [bounds[i G + k], bounds[i G + k + 1]) (with one group, the row: start).
    const std::uint64_t* bounds = groups > 1 ? rows.group_start.data() : rows.start.data();
    const std::uint64_t* bs = threads_ > 1 ? block_start_[r].data() : nullptr;
    const std::size_t stride = threads_ + 1;
    for (std::size_t k = 0; k < groups; ++k) {
      const std::uint64_t d = rows.delay_steps[k];
      if (n < 1 + d) continue;  // the spikes of step n - 1 - d arrive now
      const auto slot = static_cast<std::size_t>((n - 1 - d) % ring_);
      for (std::size_t src = 0; src < threads_; ++src) {
        const spike_slot& sl = threads_state_[src].slots[slot];
        const std::uint32_t* list = sl.list.data();
        const std::size_t m = sl.n;
        for (std::size_t q = 0; q < m; ++q) {
          const std::size_t pre = list[q];
          const std::size_t at = pre * groups + k;
          std::uint64_t lo = bounds[at];
          std::uint64_t hi = bounds[at + 1];
          if (bs != nullptr) {
            lo = bs[at * stride + tid];
            hi = bs[at * stride + tid + 1];
          }
          if (uniform) {
            const double w = rows.row_weight_ns[pre] * amp;
            for (std::uint64_t j = lo; j < hi; ++j) g[target[j]] += w;
          } else {
            const double* weight = rows.weight_ns.data();
            for (std::uint64_t j = lo; j < hi; ++j) g[target[j]] += weight[j] * amp;
          }
        }
      }
    }
  }
}

void engine::drive(std::size_t tid, std::uint64_t n) {
  const thread_state& t = threads_state_[tid];
  const double t_end = static_cast<double>(n + 1) * spec_.dt_ms;
  for (const segment& s : t.segments) {
    const neuron_drive& d = spec_.populations[s.pop].drive;
    if (!(d.poisson_rate_hz > 0.0 && d.poisson_weight_ns > 0.0)) continue;
    const auto r = static_cast<std::size_t>(d.poisson_receptor);
    const double w = d.poisson_weight_ns * amplitude_[r];
    const double rate_per_ms = d.poisson_rate_hz * 1e-3;
    double* g = g_[r].data();
    for (std::size_t i = s.lo; i < s.hi; ++i) {
      while (next_event_ms_[i] < t_end) {
        if (next_event_ms_[i] >= d.poisson_stop_ms) {
          next_event_ms_[i] = std::numeric_limits<double>::infinity();
          break;
        }
        g[i] += w;
        next_event_ms_[i] -= std::log(drive_rng_[i].uniform()) / rate_per_ms;
      }
    }
  }
}

void engine::on_spike(std::size_t i, std::uint64_t n) {
  const auto step = static_cast<std::int64_t>(n);
  if (count_[i] > 0) {
    const auto isi = static_cast<std::uint64_t>(step - last_[i]);
    isi_sum_[i] += isi;
    isi_sum2_[i] += isi * isi;
  }
  ++count_[i];
  last_[i] = step;
}

void engine::sample(thread_state& t, std::uint64_t s) {
  for (std::size_t k = 0; k < t.segments.size(); ++k) {
    const segment& seg = t.segments[k];
    const std::uint64_t acc = sample_(pops_[seg.pop], seg.lo, seg.hi, a_, t.unstable);
    const std::size_t at = static_cast<std::size_t>(s) * n_pop_ + seg.pop;
    vbar_[at].fetch_add(acc, std::memory_order_relaxed);
    bins_[at].fetch_add(t.segment_spikes[k], std::memory_order_relaxed);
    t.segment_spikes[k] = 0;
  }
  for (const auto& [k, i] : t.traces) {
    neuron_trace& tr = traces_[k];
    const auto at = static_cast<std::size_t>(s);
    tr.v_mv[at] = v_[i];
    tr.g_ampa_ns[at] = g_[0][i];
    tr.g_gaba_fast_ns[at] = g_[1][i];
    tr.g_gaba_slow_ns[at] = g_[2][i];
    tr.w_pa[at] = w_[i];
  }
  if ((s + 1) % per_window_ == 0 && s / per_window_ < windows_) {
    const auto m = static_cast<double>(per_window_);
    std::uint64_t acc = 0;
    for (std::size_t i = t.lo; i < t.hi; ++i) {
      const double mean = wsum_[i] / m;
      acc += detail::to_fixed(wsum2_[i] / m - mean * mean);
      tsum_[i] += wsum_[i];
      tsum2_[i] += wsum2_[i];
      wsum_[i] = 0.0;
      wsum2_[i] = 0.0;
    }
    winvar_[static_cast<std::size_t>(s / per_window_)].fetch_add(acc, std::memory_order_relaxed);
  }
}

void engine::step(std::size_t tid, std::uint64_t n) {
  thread_state& t = threads_state_[tid];
  deliver(tid, n);
  if (has_drive_) drive(tid, n);
  spike_slot& sl = t.slots[static_cast<std::size_t>(n % ring_)];
  std::size_t m = 0;
  const std::uint64_t window = n / (sample_every_ * per_window_);
  for (std::size_t k = 0; k < t.segments.size(); ++k) {
    const segment& s = t.segments[k];
    const std::size_t before = m;
    const std::size_t flagged = update_[s.pop](pops_[s.pop], decay_, s.lo, s.hi, a_, t.flagged.data());
    if (sl.list.size() < m + flagged * chunk) sl.list.resize(m + flagged * chunk);  // (long rings only)
    std::uint32_t* list = sl.list.data();
    for (std::size_t f = 0; f < flagged; ++f) {
      const std::size_t lo = t.flagged[f];
      const std::size_t hi = std::min(lo + chunk, s.hi);
      for (std::size_t j = lo; j < hi; ++j) {
        if (spiked_[j] == 0) continue;
        list[m++] = static_cast<std::uint32_t>(j);
        on_spike(j, n);
        ++t.spikes_this_window;
        if (o_.record_spikes) t.recorded.push_back(spike{n, static_cast<std::uint32_t>(j)});
      }
    }
    t.segment_spikes[k] += m - before;
  }
  sl.n = m;
  if ((n + 1) % (sample_every_ * per_window_) == 0) {  // the last step of a window
    if (window < windows_) t.window_spikes[static_cast<std::size_t>(window)] = t.spikes_this_window;
    t.spikes_this_window = 0;
  }
  if ((n + 1) % sample_every_ == 0) sample(t, (n + 1) / sample_every_ - 1);
}

/// Variance of x over samples (two passes).
double variance(const std::vector<double>& x) {
  if (x.empty()) return 0.0;
  double mean = 0.0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double ss = 0.0;
  for (double v : x) ss += (v - mean) * (v - mean);
  return ss / static_cast<double>(x.size());
}

/// The read-outs of a rate spectrum: the density, the highest peak above 0 Hz (the lowest frequency of equal
/// ones), the power in [0.5, 100) Hz and the band shares.
rate_spectrum rate_spectrum_of(const lfp_spectrum& x) {
  rate_spectrum out;
  out.psd_hz2_per_hz = x.psd_mv2_per_hz;
  double best = 0.0;
  for (std::size_t k = 1; k < x.psd_mv2_per_hz.size(); ++k) {
    if (x.psd_mv2_per_hz[k] > best) {
      best = x.psd_mv2_per_hz[k];
      out.peak_hz = x.freq_hz[k];
    }
  }
  out.total_power_hz2 = x.total_power_mv2;
  out.band_fraction = x.band_fraction;
  return out;
}

/// Golomb-Rinzel chi = sqrt(var_t(mean V) / mean_i var_t(V_i)), in [0, 1]; 0 without variance.
double chi(double var_of_mean, double mean_of_var) {
  if (!(mean_of_var > 0.0) || !(var_of_mean > 0.0)) return 0.0;
  return std::min(1.0, std::sqrt(var_of_mean / mean_of_var));
}

network_result engine::read_out() const {
  network_result r;
  r.steps = steps_;
  r.samples = static_cast<std::size_t>(samples_);
  const double duration_s = static_cast<double>(steps_) * spec_.dt_ms * 1e-3;
  const auto m = static_cast<double>(samples_);
  double all_var = 0.0;  // sum over all neurons of var_t(V_i)
  for (std::size_t p = 0; p < n_pop_; ++p) {
    const population_params& pp = spec_.populations[p];
    population_readout out;
    out.name = pp.name;
    out.size = pp.size;
    out.e_gaba_mv = pp.e_gaba_mv;
    double v_sum = 0.0;
    double i_sum = 0.0;
    double var_sum = 0.0;
    double cv_sum = 0.0;
    for (std::size_t i = net_.first_neuron(p); i < net_.first_neuron(p + 1); ++i) {
      out.spikes += count_[i];
      if (count_[i] >= 3) {
        const auto k = static_cast<double>(count_[i] - 1);
        const double mean = static_cast<double>(isi_sum_[i]) / k;
        const double var = std::max(0.0, static_cast<double>(isi_sum2_[i]) / k - mean * mean);
        cv_sum += std::sqrt(var) / mean;
        ++out.cv_neurons;
      }
      v_sum += tsum_[i];
      i_sum += isum_[i];
      const double mean = tsum_[i] / m;
      var_sum += std::max(0.0, tsum2_[i] / m - mean * mean);
    }
    const auto size = static_cast<double>(pp.size);
    out.rate_hz = static_cast<double>(out.spikes) / (size * duration_s);
    out.cv_isi = out.cv_neurons > 0 ? cv_sum / static_cast<double>(out.cv_neurons) : 0.0;
    out.mean_v_mv = v_sum / (size * m) + pops_[p].e_leak;
    out.mean_gaba_current_pa = i_sum / (size * m);
    std::vector<double> series(static_cast<std::size_t>(samples_));
    for (std::size_t s = 0; s < series.size(); ++s) {
      series[s] = detail::from_fixed(vbar_[s * n_pop_ + p].load(std::memory_order_relaxed)) / size;
    }
    out.synchrony = chi(variance(series), var_sum / size);
    all_var += var_sum;
    r.spikes_total += out.spikes;
    r.populations.push_back(std::move(out));
  }
  // The whole network: population sums are relative to each population's EL; a constant offset does not
  // change a variance over time.
  const auto n = static_cast<double>(n_);
  std::vector<double> all(static_cast<std::size_t>(samples_));
  for (std::size_t s = 0; s < all.size(); ++s) {
    std::uint64_t sum = 0;
    for (std::size_t p = 0; p < n_pop_; ++p) sum += vbar_[s * n_pop_ + p].load(std::memory_order_relaxed);
    all[s] = detail::from_fixed(sum) / n;
  }
  r.synchrony = chi(variance(all), all_var / n);

  r.windows = static_cast<std::size_t>(windows_);
  const double window_s = o_.detector.window_ms * 1e-3;
  std::size_t flagged = 0;
  for (std::size_t w = 0; w < r.windows; ++w) {
    std::uint64_t spikes = 0;
    for (const thread_state& t : threads_state_) spikes += t.window_spikes[w];
    const double rate = static_cast<double>(spikes) / (n * window_s);
    const auto first = all.begin() + static_cast<std::ptrdiff_t>(w * per_window_);
    const std::vector<double> part(first, first + static_cast<std::ptrdiff_t>(per_window_));
    const double sync = chi(variance(part), detail::from_fixed(winvar_[w].load(std::memory_order_relaxed)) / n);
    r.window_rate_hz.push_back(rate);
    r.window_synchrony.push_back(sync);
    if (rate > o_.detector.rate_threshold_hz && sync > o_.detector.synchrony_threshold) ++flagged;
  }
  r.seizure_fraction = r.windows > 0 ? static_cast<double>(flagged) / static_cast<double>(r.windows) : 0.0;

  // Population-rate spectra (integer counts: the same for every thread count).
  if (samples_ >= 2) {
    const auto n_samples = static_cast<std::size_t>(samples_);
    const double bin_s = o_.sample_ms * 1e-3;
    const double segment_samples = std::max(2.0, std::round(o_.spectrum_segment_ms / o_.sample_ms));
    const spectrum_params sp{.segment_ms = segment_samples * o_.sample_ms};
    std::vector<std::uint64_t> all_counts(n_samples, 0);
    lfp_trace rate{.dt_ms = o_.sample_ms, .v_mv = std::vector<double>(n_samples)};
    for (std::size_t p = 0; p < n_pop_; ++p) {
      const double scale = 1.0 / (static_cast<double>(spec_.populations[p].size) * bin_s);
      for (std::size_t s = 0; s < n_samples; ++s) {
        const std::uint64_t c = bins_[s * n_pop_ + p].load(std::memory_order_relaxed);
        all_counts[s] += c;
        rate.v_mv[s] = static_cast<double>(c) * scale;
      }
      r.populations[p].spectrum = rate_spectrum_of(spectrum(rate, sp));
    }
    const double scale = 1.0 / (n * bin_s);
    for (std::size_t s = 0; s < n_samples; ++s) rate.v_mv[s] = static_cast<double>(all_counts[s]) * scale;
    const lfp_spectrum x = spectrum(rate, sp);
    r.frequency_hz = x.freq_hz;
    r.spectrum_segments = static_cast<std::size_t>(x.segments);
    r.spectrum = rate_spectrum_of(x);
  }

  if (o_.record_spikes) {
    for (const thread_state& t : threads_state_) r.spikes.insert(r.spikes.end(), t.recorded.begin(), t.recorded.end());
    std::sort(r.spikes.begin(), r.spikes.end(),
              [](const spike& a, const spike& b) { return a.step != b.step ? a.step < b.step : a.neuron < b.neuron; });
  }
  r.traces = traces_;
  return r;
}

network_result engine::run() {
  const auto t0 = std::chrono::steady_clock::now();
  set_up();
  initial_state();
  const auto t1 = std::chrono::steady_clock::now();
  if (threads_ == 1) {
    for (std::uint64_t n = 0; n < steps_; ++n) step(0, n);
  } else {
    const std::unique_ptr<step_flag[]> flags(new step_flag[threads_]);
    auto work = [&](std::size_t tid) {
      bool failed = false;
      for (std::uint64_t n = 0; n < steps_; ++n) {
        const auto previous = static_cast<std::uint32_t>(n);
        for (std::size_t u = 0; u < threads_; ++u) {
          if (u != tid) flags[u].wait_for(previous);
        }
        if (!failed) {
          try {
            step(tid, n);
          } catch (...) {  // (only a failed allocation while recording spikes) keep the others going
            threads_state_[tid].failure = std::current_exception();
            failed = true;
          }
        }
        flags[tid].publish(previous + 1);
      }
    };
    std::vector<std::thread> pool;
    pool.reserve(threads_ - 1);
    for (std::size_t t = 1; t < threads_; ++t) pool.emplace_back(work, t);
    work(0);
    for (std::thread& t : pool) t.join();
    for (const thread_state& t : threads_state_) {
      if (t.failure) std::rethrow_exception(t.failure);
    }
  }
  const auto t2 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < n_; ++i) {  // the samples after the last full window
    tsum_[i] += wsum_[i];
    tsum2_[i] += wsum2_[i];
  }
  std::uint64_t unstable = 0;
  for (const thread_state& t : threads_state_) unstable += t.unstable;
  for (std::size_t i = 0; i < n_; ++i) unstable += std::isfinite(v_[i]) ? 0u : 1u;
  if (unstable > 0) {
    throw invalid_parameter(
        "network.dt_ms", spec_.dt_ms,
        "network: the membrane potential left its physical range (" + std::to_string(unstable) +
            " samples more than 100 mV, or 1000 mV for AdEx, below the lowest reversal potential, or "
            "not finite): the Euler step is "
            "unstable when dt x (total conductance) / C exceeds 2; use the exponential scheme or "
            "a smaller network.dt_ms = " +
            format_value(spec_.dt_ms) + " ms");
  }
  network_result r = read_out();
  r.wall_s_init = std::chrono::duration<double>(t1 - t0).count();
  r.wall_s_loop = std::chrono::duration<double>(t2 - t1).count();
  return r;
}

}  // namespace

void run_options::validate(const network& net) const {
  const network_spec& s = net.spec();
  require_positive("network.duration_ms", duration_ms, "ms");
  if (whole_multiple(duration_ms, s.dt_ms) < 1) {
    fail("network.duration_ms", duration_ms,
         " ms; must be a whole multiple of network.dt_ms = " + format_value(s.dt_ms) + " ms");
  }
  if (duration_ms / s.dt_ms > max_steps) {
    fail("network.duration_ms", duration_ms, " ms; must give at most 2e9 steps of " + format_value(s.dt_ms) + " ms");
  }
  if (threads < 1 || threads > max_threads) {
    fail("network.threads", threads, "; must be from 1 to " + std::to_string(max_threads));
  }
  drug.validate();
  require_positive("network.sample_ms", sample_ms, "ms");
  if (whole_multiple(sample_ms, s.dt_ms) < 1) {
    fail("network.sample_ms", sample_ms,
         " ms; must be a whole multiple of network.dt_ms = " + format_value(s.dt_ms) + " ms");
  }
  if (sample_ms > duration_ms) {
    fail("network.sample_ms", sample_ms,
         " ms; must be <= network.duration_ms = " + format_value(duration_ms) + " ms (at least one sample)");
  }
  if (duration_ms / sample_ms > max_samples) {
    fail("network.sample_ms", sample_ms, " ms; must give at most 1e8 samples");
  }
  require_positive("network.detector.window_ms", detector.window_ms, "ms");
  if (whole_multiple(detector.window_ms, sample_ms) < 1) {
    fail("network.detector.window_ms", detector.window_ms,
         " ms; must be a whole multiple of network.sample_ms = " + format_value(sample_ms) + " ms");
  }
  if (net.max_delay_steps() > max_delay_steps) {
    fail("network.delay_ms", static_cast<double>(net.max_delay_steps()) * s.dt_ms,
         " ms (the longest synaptic delay); must be at most 2^20 steps of network.dt_ms = " + format_value(s.dt_ms) +
             " ms");
  }
  require_positive("network.spectrum_segment_ms", spectrum_segment_ms, "ms");
  if (spectrum_segment_ms / sample_ms > max_samples) {
    fail("network.spectrum_segment_ms", spectrum_segment_ms,
         " ms; must hold at most 1e8 samples of network.sample_ms = " + format_value(sample_ms) + " ms");
  }
  require_non_negative("network.detector.rate_threshold_hz", detector.rate_threshold_hz, "Hz");
  require_in_range("network.detector.synchrony_threshold", detector.synchrony_threshold, "", 0.0, 1.0);
  const std::size_t n = net.size();
  for (std::size_t i : trace_neurons) {
    if (i >= n) fail("network.trace_neurons", static_cast<double>(i), "; must be < " + std::to_string(n));
  }
  if (initial) {
    const auto check = [&](const std::vector<double>& x, const char* name, double lo, double hi, const char* unit) {
      if (x.size() != n) {
        fail(std::string{"network.initial."} + name, static_cast<double>(x.size()),
             " values; must be one per neuron (" + std::to_string(n) + ")");
      }
      for (std::size_t i = 0; i < n; ++i) {
        require_in_range("network.initial." + std::string{name} + "[" + std::to_string(i) + "]", x[i], unit, lo, hi);
      }
    };
    check(initial->v_mv, "v_mv", -1000.0, 1000.0, "mV");
    check(initial->g_ampa_ns, "g_ampa_ns", -1e6, 1e6, "nS");
    check(initial->g_gaba_ns, "g_gaba_ns", -1e6, 1e6, "nS");
  }
}

network_result simulate(const network& net, const run_options& o) {
  o.validate(net);
  engine e(net, o);
  return e.run();
}

}  // namespace benzosim::circuit
