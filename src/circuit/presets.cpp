// SPDX-License-Identifier: MIT
// The ready-made networks (circuit/presets.hpp). Sources: docs/network.md (coba), docs/network-presets.md
// (seizure, amygdala).
#include <benzosim/circuit/presets.hpp>

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <benzosim/core/check.hpp>
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

network_spec seizure() {
  // Brunel (2000) model A with conductances: identical thresholds for E and I, theta 20 mV and reset 10 mV
  // above rest, 2 ms refractory, delay 1.5 ms; membrane tau 20 ms (E) as Vogels & Abbott (2005), 10 ms and
  // 1 ms refractory for fast-spiking I cells (Brunel & Wang 2001; Wang 2002).
  const lif_params e_cell{.c_pf = 200.0,
                          .g_leak_ns = 10.0,
                          .e_leak_mv = -70.0,
                          .v_threshold_mv = -50.0,
                          .v_reset_mv = -60.0,
                          .refractory_ms = 2.0};
  const lif_params i_cell{.c_pf = 100.0,
                          .g_leak_ns = 10.0,
                          .e_leak_mv = -70.0,
                          .v_threshold_mv = -50.0,
                          .v_reset_mv = -60.0,
                          .refractory_ms = 1.0};
  // Chloride loading (calibration within the measured range, docs/network-presets.md): [Cl]i 17 mM instead of
  // the healthy 9.5 mM puts E_GABA at -55 mV, the value of immature neurons (Zhang et al. 1990) and depolarised
  // GABA-A responses in epileptic tissue (Huberfeld et al. 2007; Kaila et al. 2014).
  const chloride_params cl{.cl_in_mm = 17.0};
  const double e_gaba = nernst_chloride_mv(cl);
  // Background: independent Poisson AMPA events, 2500/s x 0.6 nS (mean 7.5 nS, about twice the threshold
  // input in Brunel's units; calibration).
  const neuron_drive drive{.poisson_rate_hz = 2500.0, .poisson_weight_ns = 0.6, .poisson_receptor = receptor::ampa};
  network_spec s;
  s.name = "seizure";
  s.populations = {population_params{.name = "E", .size = 3200, .neuron = e_cell, .e_gaba_mv = e_gaba, .drive = drive},
                   population_params{.name = "I", .size = 800, .neuron = i_cell, .e_gaba_mv = e_gaba, .drive = drive}};
  // Fixed in-degree, 5 % of each population (Brunel uses 10 %; halved for cost): 160 E inputs of 0.5 nS and
  // 40 I inputs of 8 nS per neuron (calibration: asynchronous at ~5 Hz with healthy chloride).
  for (const char* pre : {"E", "I"}) {
    for (const char* post : {"E", "I"}) {
      const bool exc = std::string_view{pre} == "E";
      s.projections.push_back(projection_params{.pre = pre,
                                                .post = post,
                                                .kind = exc ? receptor::ampa : receptor::gaba_a_fast,
                                                .weight_ns = exc ? 0.5 : 8.0,
                                                .rule = connection_rule::in_degree,
                                                .in_degree = exc ? std::size_t{160} : std::size_t{40},
                                                .autapses = false});
    }
  }
  s.tau_ms = {5.0, 10.0, 40.0};  // Vogels & Abbott (2005); the slow class is not used
  s.e_ampa_mv = 0.0;
  // Start near the driven state: V ~ N(-60, 4) mV, g_AMPA ~ N(7.5, 2.25) nS (the drive's mean), no GABA.
  s.initial = initial_rule{.v_mean_mv = -60.0,
                           .v_sd_mv = 4.0,
                           .g_ampa_mean_ns = 7.5,
                           .g_ampa_sd_ns = 2.25,
                           .g_gaba_mean_ns = 0.0,
                           .g_gaba_sd_ns = 0.0,
                           .clip_negative = true};
  s.dt_ms = 0.1;
  s.delay_ms = 1.5;
  s.scheme = membrane_scheme::exponential;
  s.chloride = cl;
  return s;
}

network_spec amygdala() {
  // LIF parameters of the basal-amygdala network of Vlachos et al. (2011), from Kumar et al. (2008): C 250 pF,
  // gL 16.7 nS (15 ms), EL -70, Vth -50, reset -70 mV, 2 ms refractory. Fast-spiking PV cells: 10 ms
  // membrane (calibration, as the seizure preset's I cells). Central-amygdala cells: the same LIF (uncertain).
  const lif_params cell{.c_pf = 250.0,
                        .g_leak_ns = 16.7,
                        .e_leak_mv = -70.0,
                        .v_threshold_mv = -50.0,
                        .v_reset_mv = -70.0,
                        .refractory_ms = 2.0};
  lif_params fs = cell;
  fs.c_pf = 100.0;
  fs.g_leak_ns = 10.0;
  const chloride_params cl{};  // healthy adult chloride: E_GABA -70.5 mV
  const double e_gaba = nernst_chloride_mv(cl);
  auto background = [](double rate_hz, double weight_ns) {
    return neuron_drive{.poisson_rate_hz = rate_hz, .poisson_weight_ns = weight_ns, .poisson_receptor = receptor::ampa};
  };
  // The threat-like input: sensory afferents (auditory thalamus / cortex) driven only during the threat window.
  neuron_drive threat = background(3000.0, 0.55);
  threat.poisson_start_ms = amygdala_threat_window.start_ms;
  threat.poisson_stop_ms = amygdala_threat_window.stop_ms;
  network_spec s;
  s.name = "amygdala";
  // Background event rates of BLA cells as Vlachos et al. (2011): 1000 inputs at 5 Hz (PN) and 6 Hz (PV);
  // weights, and the central-nucleus drives, are calibrations (docs/network-presets.md).
  s.populations = {
      population_params{
          .name = "BLA_PN", .size = 800, .neuron = cell, .e_gaba_mv = e_gaba, .drive = background(5000.0, 0.28)},
      population_params{
          .name = "BLA_PV", .size = 100, .neuron = fs, .e_gaba_mv = e_gaba, .drive = background(6000.0, 0.14)},
      population_params{
          .name = "CeL", .size = 200, .neuron = cell, .e_gaba_mv = e_gaba, .drive = background(3000.0, 0.4)},
      population_params{
          .name = "CeM", .size = 100, .neuron = cell, .e_gaba_mv = e_gaba, .drive = background(3000.0, 0.5)},
      population_params{.name = "input", .size = 200, .neuron = cell, .e_gaba_mv = e_gaba, .drive = threat},
  };
  auto add = [&s](const char* pre, const char* post, receptor kind, double weight_ns, double probability) {
    s.projections.push_back(projection_params{.pre = pre,
                                              .post = post,
                                              .kind = kind,
                                              .weight_ns = weight_ns,
                                              .rule = connection_rule::probability,
                                              .probability = probability,
                                              .autapses = false});
  };
  // BLA: connection probabilities of Vlachos et al. (2011) (E->E 0.01, E->I 0.15, I->E 0.15, I->I 0.10);
  // afferents reach both principal cells and interneurons (feed-forward inhibition).
  add("input", "BLA_PN", receptor::ampa, 2.0, 0.1);
  add("input", "BLA_PV", receptor::ampa, 0.4, 0.1);
  add("BLA_PN", "BLA_PN", receptor::ampa, 1.0, 0.01);
  add("BLA_PN", "BLA_PV", receptor::ampa, 1.0, 0.15);
  add("BLA_PV", "BLA_PN", receptor::gaba_a_fast, 4.0, 0.15);
  add("BLA_PV", "BLA_PV", receptor::gaba_a_fast, 4.0, 0.10);
  // BLA -> CeM excitation and tonic CeL -> CeM inhibition (Ciocchi et al. 2010; Duvarci & Pare 2014).
  add("BLA_PN", "CeM", receptor::ampa, 0.5, 0.1);
  add("CeL", "CeM", receptor::gaba_a_fast, 2.0, 0.2);
  s.tau_ms = {5.0, 10.0, 40.0};
  s.e_ampa_mv = 0.0;
  s.initial = initial_rule{.v_mean_mv = -65.0,
                           .v_sd_mv = 3.0,
                           .g_ampa_mean_ns = 0.0,
                           .g_ampa_sd_ns = 0.0,
                           .g_gaba_mean_ns = 0.0,
                           .g_gaba_sd_ns = 0.0,
                           .clip_negative = true};
  s.dt_ms = 0.1;
  s.delay_ms = 2.0;  // Vlachos et al. (2011): 2 ms
  s.scheme = membrane_scheme::exponential;
  s.chloride = cl;
  return s;
}

double window_rate_hz(const network& net, const network_result& r, std::string_view population, time_window w) {
  const std::size_t p = net.spec().population_index(population);
  if (!(w.start_ms >= 0.0) || !(w.stop_ms > w.start_ms) || !std::isfinite(w.stop_ms)) {
    throw invalid_parameter("window_rate_hz.window", w.stop_ms - w.start_ms,
                            "window_rate_hz: window [" + format_value(w.start_ms) + ", " + format_value(w.stop_ms) +
                                ") ms; must start at >= 0 ms, end later and be finite");
  }
  const std::size_t first = net.first_neuron(p);
  const std::size_t last = net.first_neuron(p + 1);
  const double dt = net.spec().dt_ms;
  std::size_t count = 0;
  for (const spike& s : r.spikes) {
    const double t = static_cast<double>(s.step) * dt;
    if (s.neuron >= first && s.neuron < last && t >= w.start_ms && t < w.stop_ms) ++count;
  }
  const double size = static_cast<double>(last - first);
  return static_cast<double>(count) / (size * (w.stop_ms - w.start_ms) * 1e-3);
}

std::vector<std::string> preset_names() {
  return {"coba", "seizure", "amygdala"};
}

network_spec preset(std::string_view name) {
  if (name == "coba") return coba();
  if (name == "seizure") return seizure();
  if (name == "amygdala") return amygdala();
  std::string list;
  for (const std::string& n : preset_names()) list += (list.empty() ? "" : ", ") + n;
  throw invalid_parameter("network.preset", 0.0,
                          "Unknown network preset '" + std::string{name} + "'; the presets are: " + list + "");
}

}  // namespace benzosim::circuit
