// SPDX-License-Identifier: MIT
// The outputs of `benzosim seizure`. Formats: docs/circuit.md, "benzosim seizure".
#include <benzosim/io/seizure_output.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include <benzosim/core/error.hpp>
#include <benzosim/io/output.hpp>

#include "json_number.hpp"

namespace benzosim::io {
namespace {

using json = nlohmann::ordered_json;

using detail::rounded;

json params_json(const circuit::wendling_params& p) {
  return {{"A_mv", rounded(p.A_mv, "A")},
          {"B_mv", rounded(p.B_mv, "B")},
          {"G_mv", rounded(p.G_mv, "G")},
          {"a_per_s", rounded(p.a_per_s, "a")},
          {"b_per_s", rounded(p.b_per_s, "b")},
          {"g_per_s", rounded(p.g_per_s, "g")},
          {"C", rounded(p.C, "C")},
          {"e0_per_s", rounded(p.e0_per_s, "e0")},
          {"v0_mv", rounded(p.v0_mv, "v0")},
          {"r_per_mv", rounded(p.r_per_mv, "r")},
          {"p_mean", rounded(p.p_mean, "p_mean")},
          {"p_sd", rounded(p.p_sd, "p_sd")}};
}

json bands_json(const std::array<double, circuit::band_count>& v, const std::string& what) {
  json j = json::object();
  for (std::size_t b = 0; b < circuit::band_count; ++b) {
    const std::string name{circuit::to_string(static_cast<circuit::band>(b))};
    j[name] = rounded(v[b], what + "." + name);
  }
  return j;
}

/// The read-out fields, in output order (the top level of summary.json, each run, and the CSV columns).
json readout_json(const seizure_summary& s) {
  json j;
  j["line_length_per_s"] = rounded(s.line_length_per_s, "line_length_per_s");
  j["sd_mv"] = rounded(s.sd_mv, "sd_mv");
  j["dominant_hz"] = rounded(s.dominant_hz, "dominant_hz");
  j["band_power_mv2"] = bands_json(s.band_power_mv2, "band_power_mv2");
  j["band_fraction"] = bands_json(s.band_fraction, "band_fraction");
  j["seizure_fraction"] = rounded(s.seizure_fraction, "seizure_fraction");
  j["events"] = rounded(s.events, "events");
  j["spikes"] = rounded(s.spikes, "spikes");
  j["spike_rate_per_s"] = rounded(s.spike_rate_per_s, "spike_rate_per_s");
  j["activity_type"] = std::string{circuit::to_string(s.activity)};
  j["wendling_type"] = circuit::wendling_number(s.activity);
  return j;
}

json run_json(const seizure_run& r) {
  json j;
  j["conc_ngml"] = rounded(r.conc_ngml, "conc_ngml");
  j["free_ngml"] = rounded(r.drug.free_ngml, "free_ngml");
  j["occupancy"] = rounded(r.drug.occupancy, "occupancy");
  j["gaba_a_slow"] = {{"amplitude", rounded(r.drug.slow.amplitude, "gaba_a_slow.amplitude")},
                      {"decay", rounded(r.drug.slow.decay, "gaba_a_slow.decay")}};
  j["gaba_a_fast"] = {{"amplitude", rounded(r.drug.fast.amplitude, "gaba_a_fast.amplitude")},
                      {"decay", rounded(r.drug.fast.decay, "gaba_a_fast.decay")}};
  j["params"] = params_json(r.params);
  const json fields = readout_json(r.summary);  // named: items() of a temporary would dangle in the loop
  for (const auto& [key, value] : fields.items()) j[key] = value;
  if (r.replicates.size() > 1) {
    json reps = json::array();
    for (const circuit::lfp_readout& x : r.replicates) {
      reps.push_back({{"line_length_per_s", rounded(x.seizure.line_length_mv_per_s, "replicate line length")},
                      {"sd_mv", rounded(x.seizure.sd_mv, "replicate sd")},
                      {"dominant_hz", rounded(x.dominant_hz, "replicate dominant")},
                      {"seizure_fraction", rounded(x.seizure.seizure_fraction, "replicate seizure fraction")},
                      {"events", x.seizure.episodes},
                      {"spikes", x.spikes},
                      {"activity_type", std::string{circuit::to_string(x.type)}}});
    }
    j["replicates"] = std::move(reps);
  }
  return j;
}

}  // namespace

seizure_summary summarise(const std::vector<circuit::lfp_readout>& replicates) {
  if (replicates.empty()) throw internal_error("io::summarise: no replicates");
  seizure_summary s;
  const auto n = static_cast<double>(replicates.size());
  std::array<int, 6> votes{};
  for (const circuit::lfp_readout& r : replicates) {
    s.line_length_per_s += r.seizure.line_length_mv_per_s / n;
    s.sd_mv += r.seizure.sd_mv / n;
    s.dominant_hz += r.dominant_hz / n;
    for (std::size_t b = 0; b < circuit::band_count; ++b) {
      s.band_power_mv2[b] += r.band_power_mv2[b] / n;
      s.band_fraction[b] += r.band_fraction[b] / n;
    }
    s.seizure_fraction += r.seizure.seizure_fraction / n;
    s.events += static_cast<double>(r.seizure.episodes) / n;
    s.spikes += static_cast<double>(r.spikes) / n;
    s.spike_rate_per_s += r.spike_rate_per_s / n;
    ++votes.at(static_cast<std::size_t>(circuit::wendling_number(r.type) - 1));
  }
  std::size_t best = 0;
  for (std::size_t k = 1; k < votes.size(); ++k) {
    if (votes[k] > votes[best]) best = k;
  }
  s.activity = static_cast<circuit::activity_type>(best);
  return s;
}

std::string seizure_summary_json(const seizure_command& c, const std::vector<seizure_run>& runs) {
  if (runs.empty()) throw internal_error("io::seizure_summary_json: no runs");
  json j;
  j["benzosim_version"] = version();
  j["disclaimer"] = "benzosim is a research and teaching simulator, not medical advice.";
  j["command"] = "seizure";
  j["model"] = c.model;
  json conc = json::array();
  for (const seizure_run& r : runs) conc.push_back(rounded(r.conc_ngml, "conc_ngml"));
  const circuit::readout_params& o = c.readout;
  j["options"] = {{"duration_s", rounded(c.sim.duration_ms / 1000.0, "duration_s")},
                  {"transient_s", rounded(c.sim.transient_ms / 1000.0, "transient_s")},
                  {"dt_ms", rounded(c.sim.dt_ms, "dt_ms")},
                  {"sample_ms", rounded(c.sim.record_every_ms, "sample_ms")},
                  {"seed", c.sim.seed},
                  {"seeds", c.seeds},
                  {"threads", c.threads},
                  {"conc_ngml", std::move(conc)},
                  {"drug", c.drug},
                  {"fu", rounded(c.fu, "fu")},
                  {"scheme", "exponential Euler-Maruyama"},
                  {"detector",
                   {{"window_ms", rounded(o.detector.window_ms, "detector.window_ms")},
                    {"line_length_threshold_mv_per_s",
                     rounded(o.detector.line_length_threshold_mv_per_s, "detector.line_length_threshold")}}},
                  {"spectrum",
                   {{"method", "Welch, periodic Hann, 50 % overlap"},
                    {"segment_ms", rounded(o.spectrum.segment_ms, "spectrum.segment_ms")},
                    {"band_edges_hz", circuit::band_edges_hz}}},
                  {"events",
                   {{"threshold_mv", rounded(o.events.threshold_mv, "events.threshold_mv")},
                    {"refractory_ms", rounded(o.events.refractory_ms, "events.refractory_ms")}}},
                  {"classifier",
                   {{"sustained_spike_rate_per_s", rounded(o.classifier.sustained_spike_rate_per_s, "classifier")},
                    {"large_sd_mv", rounded(o.classifier.large_sd_mv, "classifier")},
                    {"rapid_fraction", rounded(o.classifier.rapid_fraction, "classifier")},
                    {"rhythmic_alpha_fraction", rounded(o.classifier.rhythmic_alpha_fraction, "classifier")}}}};
  j["baseline"] = params_json(c.baseline);
  const json first = readout_json(runs.front().summary);
  for (const auto& [key, value] : first.items()) j[key] = value;
  j["wall_s"] = rounded(c.wall_s, "wall_s");
  json all = json::array();
  for (const seizure_run& r : runs) all.push_back(run_json(r));
  j["runs"] = std::move(all);
  j["uncertain"] = {
      "seizure_fraction and the activity type: the detector's thresholds were chosen on this model's own "
      "activity types (docs/circuit.md), not calibrated on recordings",
      "drug: IPSC amplitude and decay factors are class values (midazolam), applied to drug-naive receptors at a "
      "steady concentration (no tolerance); the mapping onto the model's kernels is a modelling assumption"};
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string seizure_dose_response_csv(const std::vector<seizure_run>& runs) {
  std::string out =
      "conc_ngml,free_ngml,occupancy,gaba_a_slow_amplitude,gaba_a_slow_decay,gaba_a_fast_amplitude,"
      "gaba_a_fast_decay,B_mv,b_per_s,G_mv,g_per_s,line_length_per_s,sd_mv,dominant_hz";
  for (const char* kind : {"power_mv2", "fraction"}) {
    for (std::size_t b = 0; b < circuit::band_count; ++b) {
      out += "," + std::string{circuit::to_string(static_cast<circuit::band>(b))} + "_" + kind;
    }
  }
  out += ",seizure_fraction,events,spikes,spike_rate_per_s,activity_type\n";
  for (const seizure_run& r : runs) {
    const seizure_summary& s = r.summary;
    std::string line = format_number(r.conc_ngml);
    for (const double v : {r.drug.free_ngml, r.drug.occupancy, r.drug.slow.amplitude, r.drug.slow.decay,
                           r.drug.fast.amplitude, r.drug.fast.decay, r.params.B_mv, r.params.b_per_s, r.params.G_mv,
                           r.params.g_per_s, s.line_length_per_s, s.sd_mv, s.dominant_hz}) {
      line += "," + format_number(v);
    }
    for (const double v : s.band_power_mv2) line += "," + format_number(v);
    for (const double v : s.band_fraction) line += "," + format_number(v);
    for (const double v : {s.seizure_fraction, s.events, s.spikes, s.spike_rate_per_s}) line += "," + format_number(v);
    line += "," + std::string{circuit::to_string(s.activity)} + "\n";
    out += line;
  }
  return out;
}

std::string seizure_lfp_csv(const std::vector<seizure_run>& runs) {
  std::string out = "conc_ngml,time_ms,v_mv\n";
  for (const seizure_run& r : runs) {
    const std::string conc = format_number(r.conc_ngml) + ",";
    for (std::size_t k = 0; k < r.lfp.v_mv.size(); ++k) {
      out += conc;
      out += format_number(static_cast<double>(k) * r.lfp.dt_ms);
      out += ',';
      out += format_number(r.lfp.v_mv[k]);
      out += '\n';
    }
  }
  return out;
}

}  // namespace benzosim::io
