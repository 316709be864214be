// SPDX-License-Identifier: MIT
// Network files (TOML): reading into a circuit::network_spec with located errors, and writing one back.
// Reference: docs/file-formats.md#network-files-toml.
#include <benzosim/io/network_toml.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <benzosim/core/error.hpp>

#include "text_file.hpp"
#include "toml_reader.hpp"

namespace benzosim::io {
namespace {

using detail::table_view;

constexpr std::int64_t max_population_size = std::int64_t{1} << 30;  // circuit's limit on all neurons
constexpr std::size_t max_name_length = 64;

constexpr std::array<circuit::receptor, circuit::receptor_count> all_receptors{
    circuit::receptor::ampa, circuit::receptor::gaba_a_fast, circuit::receptor::gaba_a_slow};

// ---- reading --------------------------------------------------------------------------------------------

/// Sets field from the key if the file gives it (any finite number; the ranges are checked by validate()).
void read_number(const table_view& t, std::string_view key, double& field) {
  if (const std::optional<double> v = t.optional_number(key)) field = *v;
}

circuit::receptor read_receptor(const table_view& t, std::string_view key) {
  const std::string s = t.choice(key, {"ampa", "gaba_a_fast", "gaba_a_slow"});
  for (circuit::receptor r : all_receptors) {
    if (circuit::receptor_name(r) == s) return r;
  }
  throw internal_error("io::read_receptor: no receptor named '" + s + "'");
}

std::string quoted_list(const std::vector<circuit::population_params>& pops) {
  std::string out;
  for (const circuit::population_params& p : pops) out += (out.empty() ? "'" : ", '") + p.name + "'";
  return out;
}

void read_network_table(const table_view& root, circuit::network_spec& s) {
  const table_view t = root.subtable("network", {"name", "dt_ms", "delay_ms", "scheme", "e_ampa_mv", "tau_ms"});
  s.name = t.string("name");
  const bool name_ok =
      !s.name.empty() && s.name.size() <= max_name_length && std::all_of(s.name.begin(), s.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
      });
  if (!name_ok) {
    t.fail_at("name", "network.name = \"" + s.name +
                          "\"; must be 1-64 letters, digits, '_', '-' or '.' (it names the output directory).");
  }
  read_number(t, "dt_ms", s.dt_ms);
  read_number(t, "delay_ms", s.delay_ms);
  read_number(t, "e_ampa_mv", s.e_ampa_mv);
  if (t.find("scheme") != nullptr) {
    s.scheme = t.choice("scheme", {"euler", "exponential"}) == "euler" ? circuit::membrane_scheme::euler
                                                                       : circuit::membrane_scheme::exponential;
  }
  if (const std::optional<table_view> tau = t.optional_subtable("tau_ms", {"ampa", "gaba_a_fast", "gaba_a_slow"})) {
    for (circuit::receptor r : all_receptors)
      read_number(*tau, circuit::receptor_name(r), s.tau_ms[static_cast<std::size_t>(r)]);
  }
}

std::optional<circuit::chloride_params> read_chloride(const table_view& root) {
  const std::optional<table_view> t =
      root.optional_subtable("chloride", {"cl_in_mm", "cl_out_mm", "temperature_c", "bicarbonate"});
  if (!t) return std::nullopt;
  circuit::chloride_params c;
  read_number(*t, "cl_in_mm", c.cl_in_mm);
  read_number(*t, "cl_out_mm", c.cl_out_mm);
  read_number(*t, "temperature_c", c.temperature_c);
  if (const std::optional<table_view> b =
          t->optional_subtable("bicarbonate", {"hco3_in_mm", "hco3_out_mm", "relative_permeability"})) {
    circuit::bicarbonate_params h;
    read_number(*b, "hco3_in_mm", h.hco3_in_mm);
    read_number(*b, "hco3_out_mm", h.hco3_out_mm);
    read_number(*b, "relative_permeability", h.relative_permeability);
    c.bicarbonate = h;
  }
  return c;
}

void read_initial(const table_view& root, circuit::initial_rule& r) {
  const std::optional<table_view> t = root.optional_subtable(
      "initial",
      {"v_mean_mv", "v_sd_mv", "g_ampa_mean_ns", "g_ampa_sd_ns", "g_gaba_mean_ns", "g_gaba_sd_ns", "clip_negative"});
  if (!t) return;
  read_number(*t, "v_mean_mv", r.v_mean_mv);
  read_number(*t, "v_sd_mv", r.v_sd_mv);
  read_number(*t, "g_ampa_mean_ns", r.g_ampa_mean_ns);
  read_number(*t, "g_ampa_sd_ns", r.g_ampa_sd_ns);
  read_number(*t, "g_gaba_mean_ns", r.g_gaba_mean_ns);
  read_number(*t, "g_gaba_sd_ns", r.g_gaba_sd_ns);
  r.clip_negative = t->optional_boolean("clip_negative").value_or(r.clip_negative);
}

/// One [[populations]] table. has_e_gaba: whether the file gives e_gaba_mv (else [chloride] or -80 mV).
circuit::population_params read_population(const table_view& t, bool& has_e_gaba) {
  circuit::population_params p;
  p.name = t.string("name");
  p.size = static_cast<std::size_t>(t.integer_in("size", 1, max_population_size));
  const std::optional<table_view> adex =
      t.optional_subtable("adex", {"delta_t_mv", "v_t_mv", "v_peak_mv", "a_ns", "b_pa", "tau_w_ms"});
  if (t.find("model") != nullptr) {
    p.model = t.choice("model", {"lif", "adex"}) == "lif" ? circuit::neuron_model::lif : circuit::neuron_model::adex;
  } else {
    p.model = adex ? circuit::neuron_model::adex : circuit::neuron_model::lif;
  }
  read_number(t, "c_pf", p.neuron.c_pf);
  read_number(t, "g_leak_ns", p.neuron.g_leak_ns);
  read_number(t, "e_leak_mv", p.neuron.e_leak_mv);
  read_number(t, "v_threshold_mv", p.neuron.v_threshold_mv);
  read_number(t, "v_reset_mv", p.neuron.v_reset_mv);
  read_number(t, "refractory_ms", p.neuron.refractory_ms);
  if (adex) {
    read_number(*adex, "delta_t_mv", p.adex.delta_t_mv);
    read_number(*adex, "v_t_mv", p.adex.v_t_mv);
    read_number(*adex, "v_peak_mv", p.adex.v_peak_mv);
    read_number(*adex, "a_ns", p.adex.a_ns);
    read_number(*adex, "b_pa", p.adex.b_pa);
    read_number(*adex, "tau_w_ms", p.adex.tau_w_ms);
  }
  has_e_gaba = t.find("e_gaba_mv") != nullptr;
  read_number(t, "e_gaba_mv", p.e_gaba_mv);
  read_number(t, "tonic_gaba_ns", p.tonic_gaba_ns);
  if (const std::optional<table_view> d =
          t.optional_subtable("drive", {"constant_pa", "poisson_rate_hz", "poisson_weight_ns", "poisson_receptor",
                                        "poisson_start_ms", "poisson_stop_ms"})) {
    read_number(*d, "constant_pa", p.drive.constant_pa);
    read_number(*d, "poisson_rate_hz", p.drive.poisson_rate_hz);
    read_number(*d, "poisson_weight_ns", p.drive.poisson_weight_ns);
    if (d->find("poisson_receptor") != nullptr) p.drive.poisson_receptor = read_receptor(*d, "poisson_receptor");
    read_number(*d, "poisson_start_ms", p.drive.poisson_start_ms);
    read_number(*d, "poisson_stop_ms", p.drive.poisson_stop_ms);
  }
  return p;
}

/// pre or post of a projection: the name of a population.
std::string read_population_name(const table_view& t, std::string_view key,
                                 const std::vector<circuit::population_params>& pops) {
  std::string name = t.string(key);
  for (const circuit::population_params& p : pops) {
    if (p.name == name) return name;
  }
  t.fail_at(
      key, t.key_path(key) + " = \"" + name + "\" is not a population; the populations are " + quoted_list(pops) + ".");
}

circuit::projection_params read_projection(const table_view& t, const std::vector<circuit::population_params>& pops) {
  circuit::projection_params p;
  p.pre = read_population_name(t, "pre", pops);
  p.post = read_population_name(t, "post", pops);
  p.kind = read_receptor(t, "receptor");
  p.weight_ns = t.number("weight_ns");
  const bool has_probability = t.find("probability") != nullptr;
  const bool has_in_degree = t.find("in_degree") != nullptr;
  if (t.find("rule") != nullptr) {
    p.rule = t.choice("rule", {"probability", "in_degree"}) == "probability" ? circuit::connection_rule::probability
                                                                             : circuit::connection_rule::in_degree;
  } else if (has_probability && has_in_degree) {
    t.fail_at("in_degree",
              "Both " + t.key_path("probability") + " and " + t.key_path("in_degree") +
                  " are given: add rule = \"probability\" or rule = \"in_degree\" to say which one applies.");
  } else {
    p.rule = has_in_degree ? circuit::connection_rule::in_degree : circuit::connection_rule::probability;
  }
  if (p.rule == circuit::connection_rule::probability && !has_probability) {
    detail::fail(t.file(), t.loc(),
                 "Missing required key '" + t.key_path("probability") +
                     "': the probability of each (pre, post) pair (or give in_degree = K for a fixed in-degree).");
  }
  if (p.rule == circuit::connection_rule::in_degree && !has_in_degree) {
    detail::fail(t.file(), t.loc(),
                 "Missing required key '" + t.key_path("in_degree") +
                     "': the number of pre neurons of every post "
                     "neuron, required by rule = \"in_degree\".");
  }
  read_number(t, "probability", p.probability);
  if (has_in_degree) p.in_degree = static_cast<std::size_t>(t.integer_in("in_degree", 0, max_population_size));
  p.autapses = t.optional_boolean("autapses").value_or(p.autapses);
  p.delay_ms = t.optional_number("delay_ms");
  return p;
}

// ---- locating the errors of network_spec::validate() ----------------------------------------------------

/// Where a field named by circuit validation ("network.E.v_reset_mv", "network.projections[2].delay_ms") is in
/// the file: the key path in the file's terms ("populations[1].v_reset_mv", numbered from 1) and the line of
/// the key, or of the nearest enclosing table the file has when the key takes its default.
struct file_place {
  std::string path;
  detail::location loc;
};

std::vector<std::string> split_dots(std::string_view s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t dot = s.find('.', pos);
    out.emplace_back(s.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos));
    if (dot == std::string_view::npos) return out;
    pos = dot + 1;
  }
}

/// "populations[3]" -> 3 (0-based, as validation numbers them); nullopt if not of that form.
std::optional<std::size_t> index_in(std::string_view part, std::string_view array) {
  if (part.size() < array.size() + 3 || part.substr(0, array.size()) != array || part[array.size()] != '[' ||
      part.back() != ']') {
    return std::nullopt;
  }
  std::size_t k = 0;
  for (char c : part.substr(array.size() + 1, part.size() - array.size() - 2)) {
    if (c < '0' || c > '9') return std::nullopt;
    k = 10 * k + static_cast<std::size_t>(c - '0');
  }
  return k;
}

file_place place_of(const toml::table& doc, const circuit::network_spec& s, std::string_view name) {
  if (name.substr(0, 8) == "network.") name.remove_prefix(8);
  std::vector<std::string> parts = split_dots(name);
  // The steps into the document: a key, then (for the arrays of tables) an index.
  struct step {
    std::string key;
    std::optional<std::size_t> index;
  };
  std::vector<step> steps;
  const std::string& first = parts.front();
  std::size_t rest = 1;  // parts[rest..] follow the first step(s) unchanged
  if (const auto k = index_in(first, "populations")) {
    steps.push_back({"populations", k});
  } else if (const auto j = index_in(first, "projections")) {
    steps.push_back({"projections", j});
  } else if (first == "populations" || first == "size") {
    steps.push_back({"populations", std::nullopt});
    rest = parts.size();
  } else if (first == "population") {  // a projection names no population (checked when reading)
    steps.push_back({"projections", std::nullopt});
    rest = parts.size();
  } else if (first == "tau_ms" || first == "e_ampa_mv" || first == "dt_ms" || first == "delay_ms" ||
             first == "scheme" || first == "name") {
    steps.push_back({"network", std::nullopt});
    rest = 0;
  } else if (first == "chloride" || first == "initial") {
    rest = 0;
  } else {
    const auto it = std::find_if(s.populations.begin(), s.populations.end(),
                                 [&](const circuit::population_params& p) { return p.name == first; });
    if (it == s.populations.end()) return {};
    steps.push_back({"populations", static_cast<std::size_t>(it - s.populations.begin())});
  }
  for (std::size_t i = rest; i < parts.size(); ++i) steps.push_back({parts[i], std::nullopt});

  file_place out;
  bool found = true;
  const toml::node* node = &doc;
  for (const step& st : steps) {
    out.path += (out.path.empty() ? "" : ".") + st.key;
    if (st.index) out.path += "[" + std::to_string(*st.index + 1) + "]";
    if (!found) continue;
    const toml::table* t = node->as_table();
    const toml::node* next = t != nullptr ? t->get(st.key) : nullptr;
    if (next != nullptr && st.index) {
      const toml::array* a = next->as_array();
      next = a != nullptr ? a->get(*st.index) : nullptr;
    }
    if (next == nullptr) {
      found = false;
      continue;
    }
    node = next;
    out.loc = detail::where(*node);
  }
  return out;
}

// ---- writing --------------------------------------------------------------------------------------------

/// A TOML float that reads back to the same double (shortest round-trip digits; "6.0", not "6").
std::string num(double v) {
  if (!std::isfinite(v)) throw internal_error("io::network_toml: a non-finite number passed validation");
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string toml_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned>(u));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void line(std::string& out, std::string_view key, const std::string& value) {
  out += key;
  out += " = ";
  out += value;
  out += '\n';
}

void comment_block(std::string& out, std::string_view text) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::string_view l = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    out += l.empty() ? "#\n" : "# " + std::string{l} + "\n";
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
}

void write_population(std::string& out, const circuit::population_params& p,
                      const std::optional<double>& chloride_e_gaba_mv) {
  const circuit::lif_params lif_default{};
  out += "\n[[populations]]\n";
  line(out, "name", toml_string(p.name));
  line(out, "size", std::to_string(p.size));
  line(out, "model", toml_string(circuit::model_name(p.model)));
  line(out, "c_pf", num(p.neuron.c_pf));
  line(out, "g_leak_ns", num(p.neuron.g_leak_ns));
  line(out, "e_leak_mv", num(p.neuron.e_leak_mv));
  if (p.model == circuit::neuron_model::lif || p.neuron.v_threshold_mv != lif_default.v_threshold_mv) {
    line(out, "v_threshold_mv", num(p.neuron.v_threshold_mv));
  }
  line(out, "v_reset_mv", num(p.neuron.v_reset_mv));
  line(out, "refractory_ms", num(p.neuron.refractory_ms));
  if (chloride_e_gaba_mv && p.e_gaba_mv == *chloride_e_gaba_mv) {
    out += "# e_gaba_mv: from [chloride], " + fmt::format("{:.2f}", p.e_gaba_mv) + " mV\n";
  } else {
    line(out, "e_gaba_mv", num(p.e_gaba_mv));
  }
  line(out, "tonic_gaba_ns", num(p.tonic_gaba_ns));
  if (p.model == circuit::neuron_model::adex || p.adex != circuit::adex_params{}) {
    out += "\n[populations.adex]\n";
    line(out, "delta_t_mv", num(p.adex.delta_t_mv));
    line(out, "v_t_mv", num(p.adex.v_t_mv));
    line(out, "v_peak_mv", num(p.adex.v_peak_mv));
    line(out, "a_ns", num(p.adex.a_ns));
    line(out, "b_pa", num(p.adex.b_pa));
    line(out, "tau_w_ms", num(p.adex.tau_w_ms));
  }
  if (p.drive != circuit::neuron_drive{}) {
    out += "\n[populations.drive]\n";
    line(out, "constant_pa", num(p.drive.constant_pa));
    line(out, "poisson_rate_hz", num(p.drive.poisson_rate_hz));
    line(out, "poisson_weight_ns", num(p.drive.poisson_weight_ns));
    line(out, "poisson_receptor", toml_string(circuit::receptor_name(p.drive.poisson_receptor)));
    line(out, "poisson_start_ms", num(p.drive.poisson_start_ms));
    if (std::isfinite(p.drive.poisson_stop_ms)) line(out, "poisson_stop_ms", num(p.drive.poisson_stop_ms));
  }
}

void write_projection(std::string& out, const circuit::projection_params& p) {
  const bool by_probability = p.rule == circuit::connection_rule::probability;
  out += "\n[[projections]]\n";
  line(out, "pre", toml_string(p.pre));
  line(out, "post", toml_string(p.post));
  line(out, "receptor", toml_string(circuit::receptor_name(p.kind)));
  line(out, "weight_ns", num(p.weight_ns));
  line(out, "rule", toml_string(by_probability ? "probability" : "in_degree"));
  if (by_probability || p.probability != 0.0) line(out, "probability", num(p.probability));
  if (!by_probability || p.in_degree != 0) line(out, "in_degree", std::to_string(p.in_degree));
  line(out, "autapses", p.autapses ? "true" : "false");
  if (p.delay_ms) line(out, "delay_ms", num(*p.delay_ms));
}

}  // namespace

circuit::network_spec parse_network_toml(std::string_view text, const std::string& source_name) {
  const toml::table doc = detail::parse_toml(text, source_name);
  detail::check_schema_version(doc, source_name, "network file", network_schema_version);
  const table_view root(doc, "", source_name,
                        {"schema_version", "network", "chloride", "initial", "populations", "projections"});

  circuit::network_spec s;
  read_network_table(root, s);
  s.chloride = read_chloride(root);
  read_initial(root, s.initial);

  const std::vector<table_view> pops =
      root.table_array("populations", {"name", "size", "model", "c_pf", "g_leak_ns", "e_leak_mv", "v_threshold_mv",
                                       "v_reset_mv", "refractory_ms", "e_gaba_mv", "tonic_gaba_ns", "adex", "drive"});
  std::vector<bool> has_e_gaba;
  for (std::size_t k = 0; k < pops.size(); ++k) {
    bool given = false;
    s.populations.push_back(read_population(pops[k], given));
    has_e_gaba.push_back(given);
    for (std::size_t j = 0; j < k; ++j) {
      if (s.populations[j].name == s.populations[k].name) {
        pops[k].fail_at("name", pops[k].key_path("name") + " = \"" + s.populations[k].name + "\" is also the name of " +
                                    pops[j].path() + "; population names must be unique.");
      }
    }
  }
  if (root.find("projections") != nullptr) {
    for (const table_view& t : root.table_array("projections", {"pre", "post", "receptor", "weight_ns", "rule",
                                                                "probability", "in_degree", "autapses", "delay_ms"})) {
      s.projections.push_back(read_projection(t, s.populations));
    }
  }

  try {
    if (s.chloride) {
      const double e_gaba_mv = circuit::gaba_reversal_mv(*s.chloride);
      for (std::size_t k = 0; k < s.populations.size(); ++k) {
        if (!has_e_gaba[k]) s.populations[k].e_gaba_mv = e_gaba_mv;
      }
    }
    s.validate();
  } catch (const invalid_parameter& e) {
    const file_place at = place_of(doc, s, e.name);
    throw scenario_error(
        source_name, at.loc.line, at.loc.column,
        detail::sentence("The network is invalid" + (at.path.empty() ? "" : " at " + at.path) + ": " + e.what()));
  }
  return s;
}

circuit::network_spec load_network_toml(const std::filesystem::path& file) {
  const detail::file_text f = detail::read_text_file(file);
  if (!f.problem.empty()) {
    std::string msg = f.problem;
    if (!msg.empty()) msg[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(msg[0])));
    throw scenario_error(file.string(), 0, 0, detail::sentence(msg));
  }
  return parse_network_toml(f.text, file.string());
}

std::string network_toml(const circuit::network_spec& spec, std::string_view header_comment) {
  spec.validate();
  std::string out;
  comment_block(out, "benzosim network file. Every key, its unit and default: docs/file-formats.md#network-files-toml");
  if (!header_comment.empty()) comment_block(out, header_comment);
  out += "\n";
  line(out, "schema_version", std::to_string(network_schema_version));

  out += "\n[network]\n";
  line(out, "name", toml_string(spec.name));
  line(out, "dt_ms", num(spec.dt_ms));
  line(out, "delay_ms", num(spec.delay_ms));
  line(out, "scheme", toml_string(circuit::scheme_name(spec.scheme)));
  line(out, "e_ampa_mv", num(spec.e_ampa_mv));
  std::string tau = "{ ";
  for (circuit::receptor r : all_receptors) {
    tau += std::string{r == all_receptors.front() ? "" : ", "} + std::string{circuit::receptor_name(r)} + " = " +
           num(spec.tau_ms[static_cast<std::size_t>(r)]);
  }
  line(out, "tau_ms", tau + " }");

  std::optional<double> chloride_e_gaba_mv;
  if (spec.chloride) {
    const circuit::chloride_params& c = *spec.chloride;
    chloride_e_gaba_mv = circuit::gaba_reversal_mv(c);
    out += "\n# The GABA-A reversal of the populations without e_gaba_mv: " +
           std::string{c.bicarbonate ? "Goldman-Hodgkin-Katz with bicarbonate" : "Nernst for chloride"} + ", " +
           fmt::format("{:.2f}", *chloride_e_gaba_mv) + " mV.\n";
    out += "[chloride]\n";
    line(out, "cl_in_mm", num(c.cl_in_mm));
    line(out, "cl_out_mm", num(c.cl_out_mm));
    line(out, "temperature_c", num(c.temperature_c));
    if (c.bicarbonate) {
      out += "\n[chloride.bicarbonate]\n";
      line(out, "hco3_in_mm", num(c.bicarbonate->hco3_in_mm));
      line(out, "hco3_out_mm", num(c.bicarbonate->hco3_out_mm));
      line(out, "relative_permeability", num(c.bicarbonate->relative_permeability));
    }
  }

  const circuit::initial_rule& i = spec.initial;
  out += "\n[initial]\n";
  line(out, "v_mean_mv", num(i.v_mean_mv));
  line(out, "v_sd_mv", num(i.v_sd_mv));
  line(out, "g_ampa_mean_ns", num(i.g_ampa_mean_ns));
  line(out, "g_ampa_sd_ns", num(i.g_ampa_sd_ns));
  line(out, "g_gaba_mean_ns", num(i.g_gaba_mean_ns));
  line(out, "g_gaba_sd_ns", num(i.g_gaba_sd_ns));
  line(out, "clip_negative", i.clip_negative ? "true" : "false");

  for (const circuit::population_params& p : spec.populations) write_population(out, p, chloride_e_gaba_mv);
  for (const circuit::projection_params& p : spec.projections) write_projection(out, p);
  return out;
}

}  // namespace benzosim::io
