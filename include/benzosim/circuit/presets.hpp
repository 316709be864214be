// SPDX-License-Identifier: MIT
/// Ready-made networks. Each is a plain network_spec (the same description a network file gives; the files
/// in data/networks/ are these presets written out). Sources of every number: docs/network.md.
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
/// The names of the presets ("coba", ...).
std::vector<std::string> preset_names();
/// The preset of this name; throws invalid_parameter listing the valid names.
network_spec preset(std::string_view name);

}  // namespace benzosim::circuit
