// SPDX-License-Identifier: MIT
// Spiking networks: the description (validation, presets), chloride, the drug's factors, and the synapses
// (drawn from rules or given). The simulation loop is in network_sim.cpp. Reference: docs/network.md.
#include <benzosim/circuit/network.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/random.hpp>
#include <benzosim/pd/receptors.hpp>

#include "network_detail.hpp"

namespace benzosim::circuit {
namespace {

constexpr double gas_constant = 8.314462618;   // R [J/(mol K)] (CODATA 2018, exact)
constexpr double faraday = 96485.33212;        // F [C/mol] (CODATA 2018, exact)
constexpr double zero_celsius_k = 273.15;      // [K]
constexpr std::size_t max_neurons = 1u << 30;  // indices are 32-bit; leaves room for sentinels
constexpr double max_dt_ms = 1.0;              // larger steps make no sense for 2-5 ms synapses
constexpr double max_delay_ms = 1000.0;        // transmission delays [ms]

[[noreturn]] void fail(const std::string& name, double value, const std::string& message) {
  throw invalid_parameter(name, value, name + " = " + format_value(value) + message);
}

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string names_of(const std::vector<population_params>& pops) {
  std::string out;
  for (const population_params& p : pops) {
    if (!out.empty()) out += ", ";
    out += "'" + p.name + "'";
  }
  return out;
}

/// A whole number of steps of dt in x (x >= 0), or -1 if x is not one (relative tolerance 1e-9).
std::int64_t whole_steps(double x, double dt) {
  const double ratio = x / dt;
  const double whole = std::round(ratio);
  if (std::abs(ratio - whole) > 1e-9 * std::max(1.0, ratio)) return -1;
  return static_cast<std::int64_t>(whole);
}

void validate_population(const population_params& p, std::size_t k) {
  const std::string at = "network.populations[" + std::to_string(k) + "]";
  if (!valid_name(p.name)) {
    throw invalid_parameter(at + ".name", 0.0,
                            at + ".name = '" + p.name + "'; must be 1-64 letters, digits or underscores");
  }
  const std::string n = "network." + p.name;
  if (p.size == 0) fail(n + ".size", 0.0, "; must be >= 1");
  require_positive(n + ".c_pf", p.neuron.c_pf, "pF");
  require_positive(n + ".g_leak_ns", p.neuron.g_leak_ns, "nS");
  require_in_range(n + ".e_leak_mv", p.neuron.e_leak_mv, "mV", -200.0, 100.0);
  require_in_range(n + ".v_threshold_mv", p.neuron.v_threshold_mv, "mV", -200.0, 100.0);
  require_in_range(n + ".v_reset_mv", p.neuron.v_reset_mv, "mV", -200.0, 100.0);
  if (p.model == neuron_model::lif && !(p.neuron.v_reset_mv < p.neuron.v_threshold_mv)) {
    fail(n + ".v_reset_mv", p.neuron.v_reset_mv,
         " mV; must be below " + n + ".v_threshold_mv = " + format_value(p.neuron.v_threshold_mv) +
             " mV (a reset above threshold would fire at every step)");
  }
  require_in_range(n + ".refractory_ms", p.neuron.refractory_ms, "ms", 0.0, 1000.0);
  if (p.model == neuron_model::adex) {
    const adex_params& x = p.adex;
    require_in_range(n + ".adex.delta_t_mv", x.delta_t_mv, "mV", 0.01, 100.0);
    require_in_range(n + ".adex.v_t_mv", x.v_t_mv, "mV", -200.0, 100.0);
    require_in_range(n + ".adex.v_peak_mv", x.v_peak_mv, "mV", -200.0, 100.0);
    require_in_range(n + ".adex.a_ns", x.a_ns, "nS", -1e4, 1e4);
    require_in_range(n + ".adex.b_pa", x.b_pa, "pA", -1e6, 1e6);
    require_in_range(n + ".adex.tau_w_ms", x.tau_w_ms, "ms", 1e-3, 1e6);
    if (!(x.v_peak_mv > x.v_t_mv)) {
      fail(n + ".adex.v_peak_mv", x.v_peak_mv,
           " mV; must be above " + n + ".adex.v_t_mv = " + format_value(x.v_t_mv) + " mV");
    }
    if (!(p.neuron.v_reset_mv < x.v_peak_mv)) {
      fail(n + ".v_reset_mv", p.neuron.v_reset_mv,
           " mV; must be below " + n + ".adex.v_peak_mv = " + format_value(x.v_peak_mv) + " mV");
    }
  }
  require_in_range(n + ".e_gaba_mv", p.e_gaba_mv, "mV", -200.0, 100.0);
  require_in_range(n + ".tonic_gaba_ns", p.tonic_gaba_ns, "nS", 0.0, 1e6);
  require_in_range(n + ".drive.constant_pa", p.drive.constant_pa, "pA", -1e6, 1e6);
  require_in_range(n + ".drive.poisson_rate_hz", p.drive.poisson_rate_hz, "Hz", 0.0, 1e6);
  require_in_range(n + ".drive.poisson_weight_ns", p.drive.poisson_weight_ns, "nS", 0.0, 1e6);
  require_non_negative(n + ".drive.poisson_start_ms", p.drive.poisson_start_ms, "ms");
  if (std::isnan(p.drive.poisson_stop_ms) || !(p.drive.poisson_stop_ms >= p.drive.poisson_start_ms)) {
    fail(n + ".drive.poisson_stop_ms", p.drive.poisson_stop_ms,
         " ms; must be >= " + n + ".drive.poisson_start_ms = " + format_value(p.drive.poisson_start_ms) + " ms");
  }
}

}  // namespace

// ---- names, chloride ------------------------------------------------------------------------------------

std::string_view receptor_name(receptor r) {
  switch (r) {
    case receptor::ampa:
      return "ampa";
    case receptor::gaba_a_fast:
      return "gaba_a_fast";
    case receptor::gaba_a_slow:
      return "gaba_a_slow";
  }
  return "?";
}

std::string_view model_name(neuron_model m) {
  return m == neuron_model::lif ? "lif" : "adex";
}

std::string_view scheme_name(membrane_scheme s) {
  return s == membrane_scheme::euler ? "euler" : "exponential";
}

void chloride_params::validate() const {
  require_in_range("network.chloride.cl_in_mm", cl_in_mm, "mM", 1e-3, 1000.0);
  require_in_range("network.chloride.cl_out_mm", cl_out_mm, "mM", 1e-3, 1000.0);
  require_in_range("network.chloride.temperature_c", temperature_c, "C", -20.0, 60.0);
  if (bicarbonate) {
    require_in_range("network.chloride.bicarbonate.hco3_in_mm", bicarbonate->hco3_in_mm, "mM", 0.0, 1000.0);
    require_in_range("network.chloride.bicarbonate.hco3_out_mm", bicarbonate->hco3_out_mm, "mM", 0.0, 1000.0);
    require_in_range("network.chloride.bicarbonate.relative_permeability", bicarbonate->relative_permeability, "", 0.0,
                     10.0);
  }
}

namespace {
double rt_over_f_mv(const chloride_params& c) {
  return 1000.0 * gas_constant * (c.temperature_c + zero_celsius_k) / faraday;
}
}  // namespace

double nernst_chloride_mv(const chloride_params& c) {
  c.validate();
  return -rt_over_f_mv(c) * std::log(c.cl_out_mm / c.cl_in_mm);
}

double gaba_reversal_mv(const chloride_params& c) {
  if (!c.bicarbonate) return nernst_chloride_mv(c);
  c.validate();
  const bicarbonate_params& b = *c.bicarbonate;
  const double inside = c.cl_in_mm + b.relative_permeability * b.hco3_in_mm;
  const double outside = c.cl_out_mm + b.relative_permeability * b.hco3_out_mm;
  return rt_over_f_mv(c) * std::log(inside / outside);
}

void set_gaba_reversal(network_spec& spec, double e_gaba_mv) {
  require_in_range("network.e_gaba_mv", e_gaba_mv, "mV", -200.0, 100.0);
  for (population_params& p : spec.populations) p.e_gaba_mv = e_gaba_mv;
}

// ---- the description ------------------------------------------------------------------------------------

std::size_t network_spec::size() const {
  std::size_t n = 0;
  for (const population_params& p : populations) n += p.size;
  return n;
}

std::size_t network_spec::population_index(std::string_view wanted) const {
  for (std::size_t k = 0; k < populations.size(); ++k) {
    if (populations[k].name == wanted) return k;
  }
  throw invalid_parameter(
      "network.population", 0.0,
      "network: no population named '" + std::string{wanted} + "'; the populations are " + names_of(populations));
}

void network_spec::validate() const {
  if (populations.empty())
    throw invalid_parameter("network.populations", 0.0, "network: needs at least one population");
  std::size_t total = 0;
  for (std::size_t k = 0; k < populations.size(); ++k) {
    validate_population(populations[k], k);
    for (std::size_t j = 0; j < k; ++j) {
      if (populations[j].name == populations[k].name) {
        throw invalid_parameter("network.populations", 0.0,
                                "network: two populations are named '" + populations[k].name + "'");
      }
    }
    total += populations[k].size;
    if (total > max_neurons) fail("network.size", static_cast<double>(total), "; must be <= 2^30 neurons");
  }
  for (std::size_t k = 0; k < receptor_count; ++k) {
    require_in_range("network.tau_ms." + std::string{receptor_name(static_cast<receptor>(k))}, tau_ms[k], "ms", 1e-3,
                     1e5);
  }
  require_in_range("network.e_ampa_mv", e_ampa_mv, "mV", -200.0, 200.0);
  require_in_range("network.dt_ms", dt_ms, "ms", 1e-4, max_dt_ms);
  const auto check_delay = [&](const std::string& field, double d) {
    require_in_range(field, d, "ms", 0.0, max_delay_ms);
    if (whole_steps(d, dt_ms) < 0) {
      fail(field, d, " ms; must be a whole multiple of network.dt_ms = " + format_value(dt_ms) + " ms");
    }
  };
  check_delay("network.delay_ms", delay_ms);
  if (chloride) chloride->validate();
  require_finite("network.initial.v_mean_mv", initial.v_mean_mv, "mV");
  require_in_range("network.initial.v_sd_mv", initial.v_sd_mv, "mV", 0.0, 1000.0);
  require_finite("network.initial.g_ampa_mean_ns", initial.g_ampa_mean_ns, "nS");
  require_in_range("network.initial.g_ampa_sd_ns", initial.g_ampa_sd_ns, "nS", 0.0, 1e6);
  require_finite("network.initial.g_gaba_mean_ns", initial.g_gaba_mean_ns, "nS");
  require_in_range("network.initial.g_gaba_sd_ns", initial.g_gaba_sd_ns, "nS", 0.0, 1e6);
  for (std::size_t k = 0; k < projections.size(); ++k) {
    const projection_params& p = projections[k];
    const std::string n = "network.projections[" + std::to_string(k) + "]";
    const std::size_t pre = population_index(p.pre);
    const std::size_t post = population_index(p.post);
    require_in_range(n + ".weight_ns", p.weight_ns, "nS", 0.0, 1e6);
    if (p.delay_ms) check_delay(n + ".delay_ms", *p.delay_ms);
    if (p.rule == connection_rule::probability) {
      require_in_range(n + ".probability", p.probability, "", 0.0, 1.0);
    } else {
      const std::size_t available = populations[pre].size - (pre == post && !p.autapses ? 1 : 0);
      if (p.in_degree > available) {
        fail(n + ".in_degree", static_cast<double>(p.in_degree),
             "; must be <= " + std::to_string(available) + " (the distinct neurons of '" + p.pre + "'" +
                 (pre == post && !p.autapses ? " other than the neuron itself)" : ")"));
      }
    }
  }
}

double network_spec::projection_delay_ms(std::size_t k) const {
  return projections.at(k).delay_ms.value_or(delay_ms);
}

// ---- the drug -------------------------------------------------------------------------------------------

void drug_effect::validate() const {
  require_in_range("network.drug.fast.amplitude", fast.amplitude, "", 1e-3, 1e3);
  require_in_range("network.drug.fast.decay", fast.decay, "", 1e-3, 1e3);
  require_in_range("network.drug.slow.amplitude", slow.amplitude, "", 1e-3, 1e3);
  require_in_range("network.drug.slow.decay", slow.decay, "", 1e-3, 1e3);
  require_in_range("network.drug.tonic", tonic, "", 1e-3, 1e3);
}

drug_effect drug_effect_at(const pd::pd_params& p, double free_ngml) {
  require_non_negative("network.drug.free_ngml", free_ngml, "ng/mL");
  const pd::subtype_values occ = pd::subtype_occupancy(free_ngml, p.binding);
  drug_effect d;
  d.fast = pd::synapse_class_effect(p.synapses.fast_somatic, occ, p.modulation).factors;
  d.slow = pd::synapse_class_effect(p.synapses.slow_dendritic, occ, p.modulation).factors;
  d.tonic = pd::tonic_factor(p.synapses.tonic, occ, p.modulation);
  d.free_ngml = free_ngml;
  d.occupancy = pd::occupancy(free_ngml, p.binding);
  return d;
}

// ---- the synapses ---------------------------------------------------------------------------------------

network::network(const network_spec& spec) : spec_(spec) {
  spec_.validate();
  first_.assign(spec_.populations.size() + 1, 0);
  for (std::size_t k = 0; k < spec_.populations.size(); ++k) first_[k + 1] = first_[k] + spec_.populations[k].size;
  population_of_.resize(first_.back());
  for (std::size_t k = 0; k < spec_.populations.size(); ++k) {
    std::fill(population_of_.begin() + static_cast<std::ptrdiff_t>(first_[k]),
              population_of_.begin() + static_cast<std::ptrdiff_t>(first_[k + 1]), static_cast<std::uint32_t>(k));
  }
}

std::size_t network::synapse_count() const {
  std::size_t n = 0;
  for (const rows& r : rows_) n += r.target.size();
  return n;
}

std::span<const std::uint32_t> network::targets(receptor r, std::size_t pre) const {
  const rows& x = rows_[static_cast<std::size_t>(r)];
  return std::span<const std::uint32_t>{x.target}.subspan(x.start[pre], x.start[pre + 1] - x.start[pre]);
}

double network::weight_ns(receptor r, std::size_t pre, std::size_t k) const {
  const rows& x = rows_[static_cast<std::size_t>(r)];
  return x.weight_ns.empty() ? x.row_weight_ns[pre] : x.weight_ns[x.start[pre] + k];
}

double network::delay_ms(receptor r, std::size_t pre, std::size_t k) const {
  const rows& x = rows_[static_cast<std::size_t>(r)];
  const std::uint64_t at = x.start[pre] + k;
  for (std::size_t g = 0; g < x.delay_steps.size(); ++g) {
    if (at < x.group(pre, g).second) return static_cast<double>(x.delay_steps[g]) * spec_.dt_ms;
  }
  throw internal_error("network::delay_ms: synapse " + std::to_string(k) + " of row " + std::to_string(pre) +
                       " does not exist");
}

std::uint64_t network::max_delay_steps() const {
  std::uint64_t d = 0;
  for (const rows& r : rows_) {
    if (!r.delay_steps.empty()) d = std::max(d, r.delay_steps.back());
  }
  return d;
}

namespace {

/// The distinct values of x, increasing (a bitmap over [min, max]: delays are at most 2^24 steps apart).
std::vector<std::uint64_t> distinct(const std::vector<std::uint32_t>& x) {
  std::vector<std::uint64_t> out;
  if (x.empty()) return out;
  const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  std::vector<bool> seen(static_cast<std::size_t>(*hi - *lo) + 1, false);
  for (std::uint32_t v : x) seen[v - *lo] = true;
  for (std::size_t k = 0; k < seen.size(); ++k) {
    if (seen[k]) out.push_back(*lo + k);
  }
  return out;
}

/// Sorts every row by (delay, target) (stable: repeated pairs keep their order, which fixes the order in which
/// their conductance jumps add up), finds the distinct delays and each row's delay groups, and stores one
/// weight per row where all of a row's weights are equal. `delay` holds each synapse's delay in steps.
network::rows finish_rows(std::vector<std::uint64_t> start, std::vector<std::uint32_t> target,
                          std::vector<double> weight, const std::vector<std::uint32_t>& delay) {
  const std::size_t n = start.size() - 1;
  std::vector<std::uint64_t> delays = distinct(delay);
  const std::size_t groups = delays.size();
  // Each synapse's sort key: its delay group above its target. With one delay (the usual case) the key is
  // the target itself and no key array is built.
  std::vector<std::uint64_t> key;
  if (groups > 1) {
    key.resize(target.size());
    for (std::size_t k = 0; k < target.size(); ++k) {
      const auto g =
          static_cast<std::uint64_t>(std::lower_bound(delays.begin(), delays.end(), delay[k]) - delays.begin());
      key[k] = (g << 32) | target[k];
    }
  }
  const auto key_of = [&](std::size_t k) -> std::uint64_t { return groups > 1 ? key[k] : target[k]; };
  std::vector<std::uint64_t> group_start;
  if (groups > 1) group_start.assign(n * groups + 1, 0);
  std::vector<std::tuple<std::uint64_t, std::uint32_t, double>> tmp;
  bool uniform = true;
  std::vector<double> row_weight(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t lo = start[i];
    const std::size_t hi = start[i + 1];
    bool sorted = true;
    for (std::size_t k = lo + 1; k < hi && sorted; ++k) sorted = key_of(k - 1) <= key_of(k);
    if (!sorted) {
      tmp.clear();
      for (std::size_t k = lo; k < hi; ++k) tmp.emplace_back(key_of(k), target[k], weight[k]);
      std::stable_sort(tmp.begin(), tmp.end(),
                       [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
      for (std::size_t k = lo; k < hi; ++k) {
        if (groups > 1) key[k] = std::get<0>(tmp[k - lo]);
        target[k] = std::get<1>(tmp[k - lo]);
        weight[k] = std::get<2>(tmp[k - lo]);
      }
    }
    if (groups > 1) {
      const auto first = key.begin() + static_cast<std::ptrdiff_t>(lo);
      const auto last = key.begin() + static_cast<std::ptrdiff_t>(hi);
      for (std::size_t g = 0; g < groups; ++g) {
        group_start[i * groups + g] = static_cast<std::uint64_t>(
            std::lower_bound(first, last, static_cast<std::uint64_t>(g) << 32) - key.begin());
      }
    }
    if (lo < hi) {
      row_weight[i] = weight[lo];
      for (std::size_t k = lo; k < hi && uniform; ++k) uniform = weight[k] == row_weight[i];
    }
  }
  if (groups > 1) group_start[n * groups] = start[n];
  network::rows r;
  r.start = std::move(start);
  r.target = std::move(target);
  if (uniform) {
    r.row_weight_ns = std::move(row_weight);  // one weight per row: the delivery loop reads no weight array
  } else {
    r.weight_ns = std::move(weight);
  }
  r.delay_steps = std::move(delays);
  r.group_start = std::move(group_start);
  return r;
}

/// A delay in steps of dt (validated by network_spec::validate or the caller: a whole multiple of dt, at most
/// 1000 ms / 1e-4 ms = 1e7 steps).
std::uint32_t delay_steps_of(double delay_ms, double dt_ms) {
  return static_cast<std::uint32_t>(whole_steps(delay_ms, dt_ms));
}

}  // namespace

network network::build(const network_spec& spec, std::uint64_t seed) {
  network net(spec);
  const network_spec& s = net.spec_;
  const std::size_t n = net.size();
  // Rows are filled presynaptic neuron by neuron: projections with the probability rule generate each
  // row directly (their targets come out in increasing order); in-degree projections draw per postsynaptic
  // neuron, so their synapses are first collected in per-neuron lists, appended to the rows and sorted.
  std::vector<std::size_t> pre_of(s.projections.size());
  std::vector<std::size_t> post_of(s.projections.size());
  std::vector<std::uint32_t> delay_of(s.projections.size());
  for (std::size_t k = 0; k < s.projections.size(); ++k) {
    pre_of[k] = s.population_index(s.projections[k].pre);
    post_of[k] = s.population_index(s.projections[k].post);
    delay_of[k] = delay_steps_of(s.projection_delay_ms(k), s.dt_ms);
  }
  struct in_synapse {
    std::uint32_t target;
    double weight_ns;
    std::uint32_t delay_steps;
  };
  std::array<std::vector<std::vector<in_synapse>>, receptor_count> in_degree_rows;
  for (std::size_t k = 0; k < s.projections.size(); ++k) {
    const projection_params& p = s.projections[k];
    if (p.rule != connection_rule::in_degree || p.in_degree == 0) continue;
    auto& rows = in_degree_rows[static_cast<std::size_t>(p.kind)];
    if (rows.empty()) rows.resize(n);
    const std::size_t pre = pre_of[k];
    const std::size_t post = post_of[k];
    const std::size_t pre0 = net.first_[pre];
    const std::size_t n_pre = s.populations[pre].size;
    std::vector<std::uint8_t> taken(n_pre, 0);
    std::vector<std::uint32_t> chosen;
    chosen.reserve(p.in_degree);
    for (std::size_t j = net.first_[post]; j < net.first_[post + 1]; ++j) {
      random_stream rng(seed, k, j, detail::stream_connect_in_degree);
      const bool exclude_self = pre == post && !p.autapses;
      const std::size_t self = j - pre0;  // the neuron's own index within pre (when pre == post)
      const std::size_t pool = n_pre - (exclude_self ? 1 : 0);
      // Floyd's algorithm: in_degree distinct indices of [0, pool) with in_degree draws.
      chosen.clear();
      for (std::size_t t = pool - p.in_degree; t < pool; ++t) {
        auto r = static_cast<std::size_t>(rng.uniform() * static_cast<double>(t + 1));
        r = std::min(r, t);
        const std::size_t pick = taken[r] != 0 ? t : r;
        taken[pick] = 1;
        chosen.push_back(static_cast<std::uint32_t>(pick));
      }
      for (std::uint32_t c : chosen) {
        taken[c] = 0;
        const std::size_t i = exclude_self && c >= self ? c + 1 : c;
        rows[pre0 + i].push_back(in_synapse{static_cast<std::uint32_t>(j), p.weight_ns, delay_of[k]});
      }
    }
  }

  for (std::size_t r = 0; r < receptor_count; ++r) {
    std::vector<std::uint64_t> start(n + 1, 0);
    std::vector<std::uint32_t> target;
    std::vector<double> weight;
    std::vector<std::uint32_t> delay;
    for (std::size_t i = 0; i < n; ++i) {
      start[i] = target.size();
      const std::size_t pre_pop = net.population_of_[i];
      for (std::size_t k = 0; k < s.projections.size(); ++k) {
        const projection_params& p = s.projections[k];
        if (static_cast<std::size_t>(p.kind) != r || p.rule != connection_rule::probability) continue;
        if (pre_of[k] != pre_pop || p.probability <= 0.0) continue;
        const std::size_t post = post_of[k];
        const std::size_t post0 = net.first_[post];
        const std::size_t n_post = s.populations[post].size;
        const bool exclude_self = post == pre_pop && !p.autapses;
        if (p.probability >= 1.0) {
          for (std::size_t j = 0; j < n_post; ++j) {
            if (exclude_self && post0 + j == i) continue;
            target.push_back(static_cast<std::uint32_t>(post0 + j));
            weight.push_back(p.weight_ns);
            delay.push_back(delay_of[k]);
          }
          continue;
        }
        // Bernoulli trials over the post neurons by geometric skips: the gap to the next success is
        // floor(ln u / ln(1 - p)), so the cost is per synapse, not per pair.
        random_stream rng(seed, k, i, detail::stream_connect_probability);
        const double log_q = std::log1p(-p.probability);
        double j = -1.0;
        while (true) {
          j += 1.0 + std::floor(std::log(rng.uniform()) / log_q);
          if (j >= static_cast<double>(n_post)) break;
          const std::size_t t = post0 + static_cast<std::size_t>(j);
          if (exclude_self && t == i) continue;
          target.push_back(static_cast<std::uint32_t>(t));
          weight.push_back(p.weight_ns);
          delay.push_back(delay_of[k]);
        }
      }
      if (!in_degree_rows[r].empty()) {
        for (const in_synapse& x : in_degree_rows[r][i]) {
          target.push_back(x.target);
          weight.push_back(x.weight_ns);
          delay.push_back(x.delay_steps);
        }
        std::vector<in_synapse>().swap(in_degree_rows[r][i]);
      }
    }
    start[n] = target.size();
    net.rows_[r] = finish_rows(std::move(start), std::move(target), std::move(weight), delay);
  }
  return net;
}

network network::from_synapses(const network_spec& spec, const synapse_list& list) {
  network net(spec);
  const network_spec& s = net.spec_;
  const std::size_t n = net.size();
  const std::size_t rows_in = list.pre.size();
  if (list.post.size() != rows_in || (!list.weight_ns.empty() && list.weight_ns.size() != rows_in) ||
      (!list.delay_ms.empty() && list.delay_ms.size() != rows_in)) {
    throw invalid_parameter("network.synapses", static_cast<double>(rows_in),
                            "network.synapses: pre, post, weight_ns (if given) and delay_ms (if given) must have the "
                            "same length");
  }
  // The projection of every (pre population, post population) pair: -1 none, -2 more than one.
  const std::size_t n_pop = s.populations.size();
  std::vector<std::ptrdiff_t> proj(n_pop * n_pop, -1);
  for (std::size_t k = 0; k < s.projections.size(); ++k) {
    const std::size_t a = s.population_index(s.projections[k].pre);
    const std::size_t b = s.population_index(s.projections[k].post);
    std::ptrdiff_t& slot = proj[a * n_pop + b];
    slot = slot == -1 ? static_cast<std::ptrdiff_t>(k) : -2;
  }
  std::array<std::vector<std::uint64_t>, receptor_count> count;
  for (auto& c : count) c.assign(n + 1, 0);
  std::vector<std::uint8_t> kind(rows_in);
  for (std::size_t q = 0; q < rows_in; ++q) {
    const std::size_t i = list.pre[q];
    const std::size_t j = list.post[q];
    const std::string at = "network.synapses[" + std::to_string(q) + "]";
    if (i >= n) fail(at + ".pre", static_cast<double>(i), "; must be < " + std::to_string(n) + " (the neurons)");
    if (j >= n) fail(at + ".post", static_cast<double>(j), "; must be < " + std::to_string(n) + " (the neurons)");
    const std::size_t a = net.population_of_[i];
    const std::size_t b = net.population_of_[j];
    const std::ptrdiff_t k = proj[a * n_pop + b];
    if (k < 0) {
      throw invalid_parameter(at, static_cast<double>(q),
                              at + ": neuron " + std::to_string(i) + " ('" + s.populations[a].name + "') to " +
                                  std::to_string(j) + " ('" + s.populations[b].name + "'): the network has " +
                                  (k == -1 ? "no" : "more than one") + " projection from '" + s.populations[a].name +
                                  "' to '" + s.populations[b].name + "', so the synapse's receptor is " +
                                  (k == -1 ? "unknown" : "ambiguous"));
    }
    if (!list.weight_ns.empty()) require_in_range(at + ".weight_ns", list.weight_ns[q], "nS", 0.0, 1e6);
    if (!list.delay_ms.empty()) {
      require_in_range(at + ".delay_ms", list.delay_ms[q], "ms", 0.0, max_delay_ms);
      if (whole_steps(list.delay_ms[q], s.dt_ms) < 0) {
        fail(at + ".delay_ms", list.delay_ms[q],
             " ms; must be a whole multiple of network.dt_ms = " + format_value(s.dt_ms) + " ms");
      }
    }
    kind[q] = static_cast<std::uint8_t>(s.projections[static_cast<std::size_t>(k)].kind);
    ++count[kind[q]][i + 1];
  }
  for (std::size_t r = 0; r < receptor_count; ++r) {
    std::vector<std::uint64_t>& start = count[r];
    std::partial_sum(start.begin(), start.end(), start.begin());
    std::vector<std::uint32_t> target(start[n]);
    std::vector<double> weight(start[n]);
    std::vector<std::uint32_t> delay(start[n]);
    std::vector<std::uint64_t> fill(start.begin(), start.end() - 1);
    for (std::size_t q = 0; q < rows_in; ++q) {
      if (kind[q] != r) continue;
      const std::size_t i = list.pre[q];
      const std::size_t a = net.population_of_[i];
      const std::size_t b = net.population_of_[list.post[q]];
      const auto k = static_cast<std::size_t>(proj[a * n_pop + b]);
      const std::uint64_t at = fill[i]++;
      target[at] = list.post[q];
      weight[at] = list.weight_ns.empty() ? s.projections[k].weight_ns : list.weight_ns[q];
      delay[at] = delay_steps_of(list.delay_ms.empty() ? s.projection_delay_ms(k) : list.delay_ms[q], s.dt_ms);
    }
    net.rows_[r] = finish_rows(std::move(start), std::move(target), std::move(weight), delay);
  }
  return net;
}

}  // namespace benzosim::circuit
