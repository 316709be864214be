// SPDX-License-Identifier: MIT
/// Ready-made networks. Each is a plain network_spec (the same description a network file gives; the files
/// in data/networks/ are these presets written out). Sources of every number: docs/network.md (coba) and
/// docs/network-presets.md (seizure, amygdala).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <benzosim/circuit/network.hpp>

namespace benzosim::circuit {

/// Brette et al. (2007) benchmark 1 as in Brian's COBA.py: 3200 E + 800 I (neurons 0..3199 are "E",
/// 3200..3999 "I"), p = 0.02 on all four pathways, C 200 pF, gL 10 nS, EL -60, Vth -50, Vreset -60 mV,
/// refractory 5 ms, E_AMPA 0, E_GABA -80 mV, tau 5 / 10 ms, jumps 6 / 67 nS (inhibition on GABA-A fast),
/// no delay, no drive; V = -60 + 5 N(0,1) - 5 mV, g_e = 10 N(4, 1.5) nS, g_i = 10 N(20, 12) nS (negative
/// draws set to 0, as in the peer runs of ../shared/science/circuits.md); Euler steps of 0.1 ms.
network_spec coba();

/// An E/I network with chloride-loaded neurons that falls into synchronous high-rate discharges
/// (seizure-like windows) without drug and leaves them as the drug strengthens GABA-A inhibition: 3200 "E"
/// + 800 "I" LIF neurons (EL -70, Vth -50, Vreset -60 mV; E: 20 ms, 2 ms refractory; I: 10 ms, 1 ms),
/// fixed in-degree 160 E (0.5 nS AMPA) + 40 I (8 nS GABA-A fast), delay 1.5 ms, independent Poisson drive
/// 2500/s x 0.6 nS to every neuron, [Cl]i 17 mM so E_GABA = -55 mV (healthy [Cl]i 9.5 mM gives -70.5 mV, at
/// which the same network is asynchronous at ~5 Hz). Exponential integration (Euler is unstable at the
/// conductances of the discharges). Sources, calibration and measured dose-response: docs/network-presets.md.
network_spec seizure();

/// A basolateral / central amygdala circuit whose central-medial output under a threat-like input is the
/// anxiety read-out: "BLA_PN" (800 principal cells), "BLA_PV" (100 parvalbumin fast-spiking interneurons,
/// perisomatic GABA-A fast inhibition), "CeL" (200 tonically active central-lateral GABAergic cells), "CeM" (100
/// GABAergic output cells: excited by BLA_PN, inhibited by CeL) and "input" (200 sensory afferents onto BLA,
/// Poisson-driven only in [500, 1000) ms). E_GABA -70.5 mV (Nernst, [Cl]i 9.5 mM). Read the output with
/// window_rate_hz over amygdala_baseline_window / amygdala_threat_window (run with record_spikes). Sources and
/// calibration: docs/network-presets.md.
network_spec amygdala();

/// A time window [start_ms, stop_ms) of a run.
struct time_window {
  double start_ms;
  double stop_ms;
};
/// The amygdala preset's read-out windows: baseline after the start-up transient, and the threat input's window
/// (the "input" population's Poisson drive is on exactly then). A run needs duration >= threat stop (1 s).
inline constexpr time_window amygdala_baseline_window{100.0, 500.0};
inline constexpr time_window amygdala_threat_window{500.0, 1000.0};

/// The firing rate of one population in a window, from the recorded spikes (run_options::record_spikes) [Hz]:
/// spikes of its neurons with step time in the window / (size x window length). Throws invalid_parameter for an
/// unknown population or an empty or negative window.
double window_rate_hz(const network& net, const network_result& r, std::string_view population, time_window w);

/// The names of the presets ("coba", "seizure", "amygdala").
std::vector<std::string> preset_names();
/// The preset of this name; throws invalid_parameter listing the valid names.
network_spec preset(std::string_view name);

}  // namespace benzosim::circuit
