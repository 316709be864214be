// SPDX-License-Identifier: MIT
// The ready-made networks (circuit/presets.hpp). Sources: docs/network.md.
#include <benzosim/circuit/presets.hpp>

#include <string>
#include <string_view>
#include <vector>

#include <benzosim/core/error.hpp>

namespace benzosim::circuit {

network_spec coba() {
  // Brian's COBA.py (ModelDB 83319) and NEST's coba.sli; numbers and sources in
  // ../shared/science/circuits.md section A and docs/network.md.
  lif_params cell{.c_pf = 200.0,
                  .g_leak_ns = 10.0,
                  .e_leak_mv = -60.0,
                  .v_threshold_mv = -50.0,
                  .v_reset_mv = -60.0,
                  .refractory_ms = 5.0};
  network_spec s;
  s.name = "coba";
  s.populations = {population_params{.name = "E", .size = 3200, .neuron = cell, .e_gaba_mv = -80.0},
                   population_params{.name = "I", .size = 800, .neuron = cell, .e_gaba_mv = -80.0}};
  for (const char* pre : {"E", "I"}) {
    for (const char* post : {"E", "I"}) {
      const bool exc = std::string_view{pre} == "E";
      s.projections.push_back(projection_params{.pre = pre,
                                                .post = post,
                                                .kind = exc ? receptor::ampa : receptor::gaba_a_fast,
                                                .weight_ns = exc ? 6.0 : 67.0,
                                                .rule = connection_rule::probability,
                                                .probability = 0.02});
    }
  }
  s.tau_ms = {5.0, 10.0, 40.0};  // the slow class is not used by coba
  s.e_ampa_mv = 0.0;
  // COBA.py: v = (randn * 5 - 5) mV relative to EL; ge = randn * 1.5 + 4, gi = randn * 12 + 20 in units of gL.
  s.initial = initial_rule{.v_mean_mv = -65.0,
                           .v_sd_mv = 5.0,
                           .g_ampa_mean_ns = 40.0,
                           .g_ampa_sd_ns = 15.0,
                           .g_gaba_mean_ns = 200.0,
                           .g_gaba_sd_ns = 120.0,
                           .clip_negative = true};
  s.dt_ms = 0.1;
  s.delay_ms = 0.0;
  s.scheme = membrane_scheme::euler;
  return s;
}

std::vector<std::string> preset_names() {
  return {"coba"};
}

network_spec preset(std::string_view name) {
  if (name == "coba") return coba();
  std::string list;
  for (const std::string& n : preset_names()) list += (list.empty() ? "" : ", ") + n;
  throw invalid_parameter("network.preset", 0.0,
                          "Unknown network preset '" + std::string{name} + "'; the presets are: " + list + "");
}

}  // namespace benzosim::circuit
