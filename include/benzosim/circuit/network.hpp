// SPDX-License-Identifier: MIT
/// Spiking networks of conductance-based integrate-and-fire neurons (leaky or adaptive exponential) with exponential
/// synaptic conductances per receptor class (AMPA, GABA-A fast, GABA-A slow), the drug at every GABA-A synapse (from
/// the pd layer), the chloride gradient behind GABA-A inhibition, and the read-outs (rates, ISI CV,
/// Golomb-Rinzel synchrony, membrane potential, GABA-A current, seizure-like windows). Ready-made networks are
/// in circuit/presets.hpp. Equations, integration scheme, sources and measured numbers:
/// docs/network.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <benzosim/circuit/lfp_analysis.hpp>
#include <benzosim/pd/gabaa.hpp>

namespace benzosim::circuit {

/// The receptor classes. Each neuron has one conductance per class, which jumps by the synaptic weight at
/// every presynaptic spike and decays exponentially with the class's time constant.
enum class receptor : std::uint8_t { ampa = 0, gaba_a_fast = 1, gaba_a_slow = 2 };
inline constexpr std::size_t receptor_count = 3;
/// "ampa", "gaba_a_fast", "gaba_a_slow".
std::string_view receptor_name(receptor r);
/// True for both GABA-A classes (the ones the drug and the chloride gradient act on).
constexpr bool is_gaba(receptor r) {
  return r != receptor::ampa;
}

/// Bicarbonate, the other anion GABA-A channels pass (for the Goldman-Hodgkin-Katz reversal). Defaults: the
/// permeability ratio P_HCO3 / P_Cl = 0.2 (0.18 in mouse spinal neurons, Bormann, Hamill & Sakmann 1987,
/// J Physiol 385:243; 0.2-0.4 in the review of Kaila 1994, Prog Neurobiol 42:489), [HCO3]o 26 mM (saline
/// gassed with 5 % CO2 at pH 7.4) and [HCO3]i 16 mM (pHi 7.2 at the same pCO2, Henderson-Hasselbalch; Kaila
/// 1994). Literature values, not yet in ../shared/science.
struct bicarbonate_params {
  double hco3_in_mm = 16.0;            ///< intracellular bicarbonate [mM]
  double hco3_out_mm = 26.0;           ///< extracellular bicarbonate [mM]
  double relative_permeability = 0.2;  ///< P_HCO3 / P_Cl
  friend bool operator==(const bicarbonate_params&, const bicarbonate_params&) = default;
};

/// Chloride concentrations and temperature for the reversal potential of GABA-A (a chloride channel). Defaults
/// (../shared/science/clonazepam.md section 4): [Cl]o 133 mM (slice saline, Thompson, Deisz & Prince 1988),
/// [Cl]i 9.5 mM (mean of gramicidin-patch measurements, Ebihara et al. 1995), 37 C: E = -70.5 mV, next to the
/// measured adult cortical E_IPSP of -70.1 mV. With `bicarbonate` set, the reversal is the Goldman-Hodgkin-Katz
/// potential of both anions instead of chloride's Nernst potential.
struct chloride_params {
  double cl_in_mm = 9.5;                            ///< intracellular chloride [mM]
  double cl_out_mm = 133.0;                         ///< extracellular chloride [mM]
  double temperature_c = 37.0;                      ///< [degrees C]
  std::optional<bicarbonate_params> bicarbonate{};  ///< unset: chloride only (Nernst)

  /// Throws invalid_parameter naming the first bad field.
  void validate() const;
  friend bool operator==(const chloride_params&, const chloride_params&) = default;
};
/// E_Cl = -(R T / F) ln([Cl]o / [Cl]i) [mV] (chloride has charge -1; bicarbonate ignored).
double nernst_chloride_mv(const chloride_params& c);
/// The GABA-A reversal [mV]: nernst_chloride_mv without bicarbonate, else the Goldman-Hodgkin-Katz voltage
/// equation for two monovalent anions, E = (R T / F) ln(([Cl]i + r [HCO3]i) / ([Cl]o + r [HCO3]o)), r the
/// permeability ratio (defaults: -63.8 mV at 37 C).
double gaba_reversal_mv(const chloride_params& c);

/// A conductance-based LIF neuron: C dV/dt = gL (EL - V) + sum_r g_r (E_r - V) + I; at V > Vth a spike,
/// V = Vreset, and V is held there for the refractory period.
struct lif_params {
  double c_pf = 200.0;            ///< membrane capacitance [pF]
  double g_leak_ns = 10.0;        ///< leak conductance [nS]
  double e_leak_mv = -60.0;       ///< leak reversal [mV]
  double v_threshold_mv = -50.0;  ///< spike threshold [mV]
  double v_reset_mv = -60.0;      ///< reset potential [mV]
  double refractory_ms = 5.0;     ///< V held at v_reset for this long after a spike [ms]
  friend bool operator==(const lif_params&, const lif_params&) = default;
};

/// How a population's membrane potential evolves.
enum class neuron_model : std::uint8_t {
  lif,  ///< leaky integrate-and-fire (lif_params): spike when V crosses v_threshold_mv
  adex  ///< adaptive exponential integrate-and-fire (Brette & Gerstner 2005): lif_params plus adex_params
};
/// "lif", "adex".
std::string_view model_name(neuron_model m);

/// The adaptive exponential integrate-and-fire terms (Brette & Gerstner 2005, J Neurophysiol 94:3637):
///   C dV/dt = gL (EL - V) + gL DeltaT exp((V - VT) / DeltaT) - w + synaptic and drive currents,
///   tau_w dw/dt = a (V - EL) - w;
/// a spike when V crosses v_peak_mv, then V = v_reset_mv (held for the refractory period) and w += b. The
/// LIF's v_threshold_mv is not used. Defaults: the paper's Table 1 (DeltaT 2 mV, VT -50.4 mV, a 4 nS, b 80.5
/// pA, tau_w 144 ms); the paper's C 281 pF, gL 30 nS, EL -70.6 mV go in lif_params.
struct adex_params {
  double delta_t_mv = 2.0;  ///< slope factor DeltaT [mV] (> 0)
  double v_t_mv = -50.4;    ///< exponential threshold VT [mV]
  double v_peak_mv = 0.0;   ///< spike detection and cut-off [mV] (> VT)
  double a_ns = 4.0;        ///< subthreshold adaptation [nS]
  double b_pa = 80.5;       ///< spike-triggered adaptation increment [pA]
  double tau_w_ms = 144.0;  ///< adaptation time constant [ms]
  friend bool operator==(const adex_params&, const adex_params&) = default;
};

/// External input to every neuron of a population (both parts optional; 0 = off).
struct neuron_drive {
  double constant_pa = 0.0;        ///< constant current [pA] (positive depolarises)
  double poisson_rate_hz = 0.0;    ///< rate of independent Poisson input events per neuron [Hz]
  double poisson_weight_ns = 0.0;  ///< conductance jump per event [nS]
  receptor poisson_receptor = receptor::ampa;
  double poisson_start_ms = 0.0;  ///< events only in [start, stop) [ms]
  double poisson_stop_ms = std::numeric_limits<double>::infinity();
  friend bool operator==(const neuron_drive&, const neuron_drive&) = default;
};

/// A population: `size` identical neurons with consecutive indices (populations are numbered in order).
struct population_params {
  std::string name;
  std::size_t size = 0;
  neuron_model model = neuron_model::lif;
  lif_params neuron{};
  adex_params adex{};          ///< used when model == adex
  double e_gaba_mv = -80.0;    ///< GABA-A reversal of these neurons [mV] (nernst_chloride_mv, or given)
  double tonic_gaba_ns = 0.0;  ///< constant extrasynaptic GABA-A conductance [nS] (scaled by the drug's tonic factor)
  neuron_drive drive{};
  friend bool operator==(const population_params&, const population_params&) = default;
};

/// How a projection's synapses are drawn.
enum class connection_rule : std::uint8_t {
  probability,  ///< every (pre, post) pair independently with probability p (Brian's connect(p=...))
  in_degree     ///< every post neuron gets exactly in_degree distinct pre neurons
};

/// Synapses from every neuron of population `pre` onto population `post`, all of one receptor class.
struct projection_params {
  std::string pre;
  std::string post;
  receptor kind = receptor::ampa;
  double weight_ns = 0.0;  ///< conductance jump per spike [nS] (before the drug)
  connection_rule rule = connection_rule::probability;
  double probability = 0.0;   ///< for connection_rule::probability
  std::size_t in_degree = 0;  ///< for connection_rule::in_degree
  bool autapses = true;       ///< whether a neuron may connect to itself when pre == post (Brian allows it)
  /// Transmission delay of these synapses [ms], a multiple of dt_ms; unset: the spec's delay_ms.
  std::optional<double> delay_ms{};
  friend bool operator==(const projection_params&, const projection_params&) = default;
};

/// Initial state drawn per neuron: V ~ N(v_mean, v_sd), g_AMPA ~ N(.), g_GABA-A fast ~ N(.); GABA-A slow 0.
struct initial_rule {
  double v_mean_mv = -65.0;
  double v_sd_mv = 5.0;
  double g_ampa_mean_ns = 40.0;
  double g_ampa_sd_ns = 15.0;
  double g_gaba_mean_ns = 200.0;  ///< initial GABA-A fast conductance
  double g_gaba_sd_ns = 120.0;
  bool clip_negative = true;  ///< negative conductance draws become 0
  friend bool operator==(const initial_rule&, const initial_rule&) = default;
};

/// How V is advanced over one step (docs/network.md, "Integration").
enum class membrane_scheme : std::uint8_t {
  euler,       ///< forward Euler with the conductances at the start of the step (Brian2's COBA)
  exponential  ///< exact for conductances frozen at their mid-step values (second order; one exp per neuron)
};
/// "euler", "exponential".
std::string_view scheme_name(membrane_scheme s);

/// A whole network description. Populations, then projections between them by name.
struct network_spec {
  std::string name;
  std::vector<population_params> populations;
  std::vector<projection_params> projections;
  /// Decay time constants of the conductances, indexed by receptor [ms].
  std::array<double, receptor_count> tau_ms{5.0, 10.0, 40.0};
  double e_ampa_mv = 0.0;  ///< AMPA reversal [mV]
  initial_rule initial{};
  double dt_ms = 0.1;  ///< fixed time step [ms]
  /// Transmission delay of every projection that does not give its own, a multiple of dt_ms [ms]. A spike
  /// in the step from t to t + dt reaches its targets at the start of the step from t + dt + delay_ms.
  double delay_ms = 0.0;
  membrane_scheme scheme = membrane_scheme::euler;
  /// Where the populations' e_gaba_mv came from, when it was computed (documentation for the outputs and
  /// network files; the engine reads e_gaba_mv).
  std::optional<chloride_params> chloride{};

  /// Neurons in all populations.
  [[nodiscard]] std::size_t size() const;
  /// Index of the population with this name; throws invalid_parameter listing the names if absent.
  [[nodiscard]] std::size_t population_index(std::string_view name) const;
  /// Throws invalid_parameter naming the first bad field.
  void validate() const;
  /// The delay of projection k [ms] (its own, or delay_ms).
  [[nodiscard]] double projection_delay_ms(std::size_t k) const;
  friend bool operator==(const network_spec&, const network_spec&) = default;
};

/// Sets the GABA-A reversal of every population (a given value, or nernst_chloride_mv(...)).
void set_gaba_reversal(network_spec& spec, double e_gaba_mv);

/// Synapses given explicitly, one per row, with 0-based global neuron indices. The receptor and (unless
/// weight_ns is given) the weight are those of the spec's projection from pre's to post's population.
struct synapse_list {
  std::vector<std::uint32_t> pre;
  std::vector<std::uint32_t> post;
  std::vector<double> weight_ns;  ///< empty, or one weight per row [nS]
  std::vector<double> delay_ms;   ///< empty (the projection's delay), or one delay per row [ms]
};

/// An initial state given per neuron (indexed by neuron). g_gaba_ns goes to the GABA-A fast class.
struct initial_state {
  std::vector<double> v_mv;
  std::vector<double> g_ampa_ns;
  std::vector<double> g_gaba_ns;
};

/// A network with its synapses drawn or given: compressed rows per receptor class (for each presynaptic
/// neuron, its targets grouped by transmission delay and in increasing order within a delay, with their
/// weights). Immutable once built; one network serves any number of runs (a dose-response sweep runs every
/// concentration on the same synapses).
class network {
 public:
  /// Draws the synapses of every projection; deterministic for a seed (one Philox stream per presynaptic
  /// neuron (probability) or postsynaptic neuron (in-degree) and projection).
  static network build(const network_spec& spec, std::uint64_t seed);
  /// Uses the given synapses instead of the projections' rules. Throws invalid_parameter for an index out of
  /// range, a non-finite or negative weight, a delay that is not a whole multiple of dt_ms in [0, 1000] ms,
  /// or a pair of populations without a projection (naming the row).
  static network from_synapses(const network_spec& spec, const synapse_list& synapses);

  [[nodiscard]] const network_spec& spec() const { return spec_; }
  [[nodiscard]] std::size_t size() const { return population_of_.size(); }
  [[nodiscard]] std::size_t synapse_count() const;
  [[nodiscard]] std::size_t population_of(std::size_t neuron) const { return population_of_[neuron]; }
  /// Index of the first neuron of a population; first_neuron(populations.size()) == size().
  [[nodiscard]] std::size_t first_neuron(std::size_t population) const { return first_[population]; }
  /// The targets of a presynaptic neuron on one receptor class: by delay (shortest first), and in increasing
  /// order within one delay (so in increasing order when the class has one delay).
  [[nodiscard]] std::span<const std::uint32_t> targets(receptor r, std::size_t pre) const;
  /// The weight of the k-th synapse of that row [nS].
  [[nodiscard]] double weight_ns(receptor r, std::size_t pre, std::size_t k) const;
  /// The transmission delay of the k-th synapse of that row [ms] (a whole number of steps of dt_ms).
  [[nodiscard]] double delay_ms(receptor r, std::size_t pre, std::size_t k) const;
  /// The longest delay of any synapse [steps of dt_ms] (0 without synapses).
  [[nodiscard]] std::uint64_t max_delay_steps() const;

  /// Compressed sparse rows of one receptor class. Within a row the synapses are grouped by delay: group g
  /// holds the synapses of delay delay_steps[g], in increasing target order (repeated pairs keep their given
  /// order).
  struct rows {
    std::vector<std::uint64_t> start;   ///< size() + 1 offsets into target
    std::vector<std::uint32_t> target;  ///< the targets, row by row, group by group
    std::vector<double> weight_ns;      ///< one weight per synapse, or empty when every row has one weight:
    std::vector<double> row_weight_ns;  ///< then the weight of each row (per presynaptic neuron)
    /// The distinct delays of the class's synapses, increasing [steps of dt_ms]; empty without synapses.
    std::vector<std::uint64_t> delay_steps;
    /// With two or more delays (G of them): group g of row i is [group_start[i G + g], group_start[i G + g + 1])
    /// (group_start[i G] == start[i]). Empty with one delay: then the group is the whole row.
    std::vector<std::uint64_t> group_start;

    /// The synapses of row `pre` in delay group g, as offsets into target: [first, second).
    [[nodiscard]] std::pair<std::uint64_t, std::uint64_t> group(std::size_t pre, std::size_t g) const {
      if (group_start.empty()) return {start[pre], start[pre + 1]};
      const std::size_t at = pre * delay_steps.size() + g;
      return {group_start[at], group_start[at + 1]};
    }
  };
  [[nodiscard]] const rows& synapses(receptor r) const { return rows_[static_cast<std::size_t>(r)]; }

 private:
  explicit network(const network_spec& spec);

  network_spec spec_;
  std::vector<std::size_t> first_;
  std::vector<std::uint32_t> population_of_;
  std::array<rows, receptor_count> rows_;
};

/// The drug at the network's synapses: factors on the GABA-A jump (amplitude) and decay time (decay) of
/// each class, and on the tonic conductance. All 1 without drug.
struct drug_effect {
  pd::gabaa_factors fast{};  ///< GABA-A fast (pd's fast somatic synapse class)
  pd::gabaa_factors slow{};  ///< GABA-A slow (pd's slow dendritic synapse class)
  double tonic = 1.0;
  double free_ngml = 0.0;  ///< the free concentration the factors were computed for (0 if given directly)
  double occupancy = 0.0;  ///< whole-brain benzodiazepine-site occupancy at free_ngml [0..1]

  /// Throws invalid_parameter naming the first bad factor (each must be finite and > 0).
  void validate() const;
};
/// The effect of a steady free concentration on drug-naive receptors: subtype occupancies from pd's binding,
/// then pd::synapse_class_effect for the fast somatic and slow dendritic classes and pd::tonic_factor.
/// Tolerance is not included (a single concentration, not a history).
drug_effect drug_effect_at(const pd::pd_params& p, double free_ngml);

/// The seizure-like window detector (docs/network.md, "Seizure-like windows"; thresholds are assumptions).
/// A window is seizure-like when the whole network's rate exceeds rate_threshold_hz and its Golomb-Rinzel
/// synchrony exceeds synchrony_threshold.
struct seizure_detector_params {
  double window_ms = 50.0;
  double rate_threshold_hz = 50.0;
  double synchrony_threshold = 0.5;
};

/// What one run does.
struct run_options {
  double duration_ms = 1000.0;
  std::uint64_t seed = 1;  ///< initial state (by the spec's rule) and Poisson drive
  int threads = 1;         ///< 1..256; never changes the results
  drug_effect drug{};
  std::optional<initial_state> initial{};  ///< given state instead of the spec's rule
  double sample_ms = 1.0;                  ///< V and GABA-A current sampled this often for the read-outs [ms]
  bool record_spikes = false;
  std::vector<std::size_t> trace_neurons{};  ///< V and conductances of these neurons at every sample
  seizure_detector_params detector{};
  /// Welch segment of the population-rate spectra [ms]: round(spectrum_segment_ms / sample_ms) samples (at
  /// least 2; 256 at the default 1 ms samples: 3.9 Hz resolution). A shorter run is one segment (zero-padded
  /// to a power of two).
  double spectrum_segment_ms = 256.0;

  /// Throws invalid_parameter naming the first bad field.
  void validate(const network& net) const;
};

/// One spike: the step index k (the spike belongs to the step from k dt to (k + 1) dt and is reported at
/// time k dt, as Brian does) and the neuron.
struct spike {
  std::uint64_t step;
  std::uint32_t neuron;
};

/// The state of one neuron at every sample time (s + 1) * sample_ms, s = 0, 1, ...
struct neuron_trace {
  std::size_t neuron;
  std::vector<double> v_mv;
  std::vector<double> g_ampa_ns;
  std::vector<double> g_gaba_fast_ns;
  std::vector<double> g_gaba_slow_ns;
  std::vector<double> w_pa;  ///< the AdEx adaptation current (0 for LIF neurons) [pA]
};

/// The power spectrum of a population's rate (docs/network.md, "Population-rate spectrum"). The rate is the
/// spike count of every sample bin (run_options::sample_ms) over neurons x bin width [Hz]; Welch's method
/// (circuit::spectrum of lfp_analysis.hpp: segments of run_options::spectrum_segment_ms with 50 % overlap,
/// each with its mean removed and a periodic Hann window; one-sided density). Empty with fewer than 2 samples.
struct rate_spectrum {
  std::vector<double> psd_hz2_per_hz;  ///< one-sided density at network_result::frequency_hz [Hz^2/Hz]
  double peak_hz = 0.0;                ///< the frequency above 0 Hz of the largest density [Hz] (0: none)
  double total_power_hz2 = 0.0;        ///< density x resolution over [0.5, 100) Hz [Hz^2]
  /// Each EEG band's share of total_power_hz2 (bands and edges: band_edges_hz in lfp_analysis.hpp) [0..1].
  std::array<double, band_count> band_fraction{};
};

/// Read-outs of one population.
struct population_readout {
  std::string name;
  std::size_t size = 0;
  std::uint64_t spikes = 0;
  double rate_hz = 0.0;
  /// Mean over neurons with >= 3 spikes of SD/mean of their inter-spike intervals (SD with divisor n);
  /// 0 if no neuron has 3 spikes.
  double cv_isi = 0.0;
  std::size_t cv_neurons = 0;         ///< neurons that entered cv_isi
  double synchrony = 0.0;             ///< Golomb-Rinzel chi of the population's sampled V [0..1]
  double mean_v_mv = 0.0;             ///< time and population mean of V [mV]
  double mean_gaba_current_pa = 0.0;  ///< mean of g_GABA (V - E_GABA) [pA]; positive = outward (hyperpolarising)
  double e_gaba_mv = 0.0;
  rate_spectrum spectrum;  ///< of the population's rate
};

struct network_result {
  std::vector<population_readout> populations;
  std::uint64_t spikes_total = 0;
  double synchrony = 0.0;                ///< chi over all neurons
  double seizure_fraction = 0.0;         ///< seizure-like windows / windows
  std::size_t windows = 0;               ///< full detector windows
  std::vector<double> window_rate_hz;    ///< per window, all neurons
  std::vector<double> window_synchrony;  ///< per window, chi over all neurons
  std::vector<double> frequency_hz;      ///< the frequencies of every rate_spectrum, 0 to 1 / (2 sample_ms) [Hz]
  std::size_t spectrum_segments = 0;     ///< Welch segments averaged
  rate_spectrum spectrum;                ///< of the rate of all neurons
  std::vector<spike> spikes;             ///< by step, then neuron (with run_options::record_spikes)
  std::vector<neuron_trace> traces;      ///< in the order of run_options::trace_neurons
  std::uint64_t steps = 0;
  std::size_t samples = 0;
  /// Wall-clock seconds for allocating and initialising the state, and for the step loop (the only
  /// numbers that differ between identical runs).
  double wall_s_init = 0.0;
  double wall_s_loop = 0.0;
};

/// Runs the network. Deterministic for (network, options); threads only change the speed.
network_result simulate(const network& net, const run_options& o);

}  // namespace benzosim::circuit
