// SPDX-License-Identifier: MIT
// The CSV files of `benzosim network`: connectivity and initial state in, summary, dose-response and spikes
// out. Formats: docs/network.md#files.
#include <benzosim/io/network_file.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <benzosim/circuit/lfp_analysis.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/io/output.hpp>

#include "csv_line.hpp"
#include "json_number.hpp"
#include "nm_common.hpp"
#include "text_file.hpp"
#include "toml_reader.hpp"

namespace benzosim::io {
namespace {

using json = nlohmann::ordered_json;

int to_int(std::size_t v) {
  return v > static_cast<std::size_t>(std::numeric_limits<int>::max()) ? std::numeric_limits<int>::max()
                                                                       : static_cast<int>(v);
}

struct column_def {
  std::string_view name;
  bool required;
  std::string_view meaning;  // for the message about a missing column
};

/// The reader of one CSV file with a header row naming its columns: the header fixes which column holds what;
/// every later row is a record. Cells are read by column kind.
class csv_reader {
 public:
  csv_reader(std::string file, std::span<const column_def> columns) : file_(std::move(file)), defs_(columns) {}

  [[noreturn]] void fail(std::size_t line, int column, const std::string& message) const {
    throw scenario_error(file_, to_int(line), column, detail::sentence(message));
  }

  /// Reads the header row: every cell must name a known column, once; the required ones must be there.
  void read_header(const std::vector<detail::csv_cell>& cells, std::size_t line_no) {
    header_line_ = line_no;
    index_.assign(defs_.size(), absent);
    for (std::size_t j = 0; j < cells.size(); ++j) {
      const detail::csv_cell& c = cells[j];
      std::size_t known = absent;
      for (std::size_t k = 0; k < defs_.size(); ++k) {
        if (detail::iequals(defs_[k].name, c.text)) known = k;
      }
      if (known == absent) {
        fail(line_no, c.column,
             (c.text.empty() ? "Column " + std::to_string(j + 1) + " of the header has no name"
                             : "Unknown column '" + c.text + "' in the header") +
                 "; the columns are " + column_list());
      }
      if (index_[known] != absent) {
        fail(line_no, c.column,
             "The column '" + std::string{defs_[known].name} + "' appears twice in the header (columns " +
                 std::to_string(index_[known] + 1) + " and " + std::to_string(j + 1) + ")");
      }
      index_[known] = j;
    }
    for (std::size_t k = 0; k < defs_.size(); ++k) {
      if (defs_[k].required && index_[k] == absent) {
        fail(line_no, 1,
             "The header has no column " + std::string{defs_[k].name} + " (required: " + std::string{defs_[k].meaning} +
                 "); the columns are " + column_list());
      }
    }
    width_ = cells.size();
  }

  /// Checks the field count of a row and remembers it for the getters.
  void start_row(const std::vector<detail::csv_cell>& cells, std::size_t line_no, std::size_t line_length) {
    cells_ = &cells;
    line_ = line_no;
    if (cells.size() != width_) {
      const int col = cells.size() > width_ ? cells[width_].column : to_int(line_length + 1);
      fail(line_no, col,
           "The row has " + std::to_string(cells.size()) + " fields but the header (line " +
               std::to_string(header_line_) + ") has " + std::to_string(width_) + " columns");
    }
  }

  [[nodiscard]] bool has(std::size_t k) const { return index_[k] != absent; }
  [[nodiscard]] std::size_t header_line() const { return header_line_; }
  [[nodiscard]] const std::string& file() const { return file_; }

  /// A 0-based neuron index below n.
  std::uint32_t neuron(std::size_t k, std::size_t n) const {
    const detail::csv_cell& c = cell(k);
    const std::string rule = "must be a neuron index, a whole number from 0 to " + std::to_string(n - 1) +
                             " (the network has " + std::to_string(n) + " neurons, numbered from 0)";
    if (c.text.empty()) fail(line_, c.column, "Column " + name(k) + " is empty; " + rule);
    std::uint64_t v = 0;
    const char* end = c.text.data() + c.text.size();
    const auto [p, ec] = std::from_chars(c.text.data(), end, v);
    if (ec == std::errc{} && p == end && v < n) return static_cast<std::uint32_t>(v);
    fail(line_, c.column,
         "Column " + name(k) + " = " + c.text +
             (ec == std::errc{} && p == end ? " is out of range" : " is not a neuron index") + "; " + rule);
  }

  /// A finite number in [lo, hi].
  double number(std::size_t k, double lo, double hi, std::string_view unit) const {
    const detail::csv_cell& c = cell(k);
    const detail::parsed_number p = detail::parse_number(c.text);
    switch (p.status) {
      case detail::number_status::ok:
        break;
      case detail::number_status::missing:
        fail(line_, c.column, "Column " + name(k) + " is empty; every row needs a value");
      case detail::number_status::not_a_number:
        fail(line_, c.column, "Column " + name(k) + " = \"" + c.text + "\" is not a number");
      case detail::number_status::not_finite:
        fail(line_, c.column, "Column " + name(k) + " = " + c.text + " is not a finite number");
    }
    if (!(p.value >= lo && p.value <= hi)) {
      fail(line_, c.column,
           "Column " + name(k) + " = " + c.text + detail::unit_suffix(unit) + "; must be from " + detail::show(lo) +
               " to " + detail::show(hi) + detail::unit_suffix(unit));
    }
    return p.value;
  }

  [[nodiscard]] int column_of(std::size_t k) const { return cell(k).column; }

 private:
  static constexpr std::size_t absent = std::numeric_limits<std::size_t>::max();

  const detail::csv_cell& cell(std::size_t k) const { return (*cells_)[index_[k]]; }
  std::string name(std::size_t k) const { return std::string{defs_[k].name}; }

  std::string column_list() const {
    std::string out;
    for (std::size_t k = 0; k < defs_.size(); ++k) {
      out += k == 0 ? "" : (k + 1 == defs_.size() ? " and " : ", ");
      out += std::string{defs_[k].name} + (defs_[k].required ? "" : " (optional)");
    }
    return out;
  }

  std::string file_;
  std::span<const column_def> defs_;
  std::vector<std::size_t> index_;
  std::size_t width_ = 0;
  std::size_t header_line_ = 0;
  const std::vector<detail::csv_cell>* cells_ = nullptr;
  std::size_t line_ = 0;
};

/// Calls header(cells, line_no) for the first line that is not blank or a comment and row(cells, line_no,
/// line_length) for every later one; returns the number of the last line.
template <class Header, class Row>
std::size_t read_csv(std::string_view text, const std::string& source, Header&& header, Row&& row) {
  bool have_header = false;
  return detail::for_each_line(text, [&](std::string_view line, std::size_t line_no) {
    const std::string_view t = detail::trim(line);
    if (t.empty() || t.front() == '#') return;
    const std::vector<detail::csv_cell> cells = detail::split_csv(line, 0, source, line_no);
    if (!have_header) {
      header(cells, line_no);
      have_header = true;
    } else {
      row(cells, line_no, line.size());
    }
  });
}

constexpr std::array<column_def, 4> connectivity_columns{{
    {"pre", true, "the presynaptic neuron of each synapse"},
    {"post", true, "the postsynaptic neuron"},
    {"weight_ns", false, ""},
    {"delay_ms", false, ""},
}};
constexpr double max_delay_ms = 1000.0;  // as network_spec::validate

constexpr std::array<column_def, 4> initial_columns{{
    {"neuron", true, "the neuron index"},
    {"v_mv", true, "the membrane potential in mV"},
    {"ge_ns", true, "the AMPA conductance in nS"},
    {"gi_ns", true, "the GABA-A conductance in nS"},
}};

[[noreturn]] void no_header(const std::string& source, std::size_t last_line, std::string_view columns) {
  throw scenario_error(source, to_int(last_line == 0 ? 1 : last_line), 1,
                       "The file has no header line (expected the column names " + std::string{columns} + ").");
}

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

detail::file_text read_network_file(const std::filesystem::path& file) {
  detail::file_text f = detail::read_text_file(file, max_network_file_bytes);
  if (!f.problem.empty()) throw scenario_error(file.string(), 0, 0, detail::sentence(capitalised(f.problem)));
  return f;
}

// ---- outputs ----------------------------------------------------------------------------------------------

using detail::rounded;

/// The population read-outs of one run that are reported per population, in output order.
struct per_population_field {
  const char* name;
  double circuit::population_readout::*value;
};
constexpr std::array<per_population_field, 5> population_fields{{
    {"rate_hz", &circuit::population_readout::rate_hz},
    {"cv_isi", &circuit::population_readout::cv_isi},
    {"synchrony", &circuit::population_readout::synchrony},
    {"mean_v_mv", &circuit::population_readout::mean_v_mv},
    {"mean_gaba_current_pa", &circuit::population_readout::mean_gaba_current_pa},
}};

/// Column / key suffix of a rate window: "100_500ms".
std::string window_label(const circuit::time_window& w) {
  return format_number(w.start_ms) + "_" + format_number(w.stop_ms) + "ms";
}

json window_rates_json(const network_run& run, const std::vector<circuit::time_window>& windows) {
  json out = json::array();
  for (std::size_t w = 0; w < windows.size(); ++w) {
    json by_pop = json::object();
    for (std::size_t p = 0; p < run.result.populations.size(); ++p) {
      const std::string& name = run.result.populations[p].name;
      by_pop[name] = rounded(run.window_rate_hz.at(w).at(p), "window rate " + name);
    }
    out.push_back({{"start_ms", rounded(windows[w].start_ms, "start_ms")},
                   {"stop_ms", rounded(windows[w].stop_ms, "stop_ms")},
                   {"rate_hz", std::move(by_pop)}});
  }
  return out;
}

json run_json(const network_run& run, const std::vector<circuit::time_window>& windows) {
  const circuit::network_result& r = run.result;
  json j;
  j["conc_ngml"] = rounded(run.conc_ngml, "conc_ngml");
  j["free_ngml"] = rounded(run.drug.free_ngml, "free_ngml");
  j["occupancy"] = rounded(run.drug.occupancy, "occupancy");
  j["gaba_a_fast"] = {{"amplitude", rounded(run.drug.fast.amplitude, "gaba_a_fast.amplitude")},
                      {"decay", rounded(run.drug.fast.decay, "gaba_a_fast.decay")}};
  j["gaba_a_slow"] = {{"amplitude", rounded(run.drug.slow.amplitude, "gaba_a_slow.amplitude")},
                      {"decay", rounded(run.drug.slow.decay, "gaba_a_slow.decay")}};
  j["tonic_factor"] = rounded(run.drug.tonic, "tonic_factor");
  json e_gaba = json::object();
  for (const circuit::population_readout& p : r.populations) e_gaba[p.name] = rounded(p.e_gaba_mv, "e_gaba_mv");
  j["e_gaba_mv"] = std::move(e_gaba);
  for (const per_population_field& f : population_fields) {
    json by_pop = json::object();
    for (const circuit::population_readout& p : r.populations) {
      by_pop[p.name] = rounded(p.*f.value, std::string{f.name} + "." + p.name);
    }
    j[f.name] = std::move(by_pop);
  }
  json spikes = json::object();
  for (const circuit::population_readout& p : r.populations) spikes[p.name] = p.spikes;
  j["spikes"] = std::move(spikes);
  j["synchrony_all"] = rounded(r.synchrony, "synchrony_all");
  j["seizure_fraction"] = rounded(r.seizure_fraction, "seizure_fraction");
  j["windows"] = r.windows;
  j["spikes_total"] = r.spikes_total;
  const auto bands = [](const circuit::rate_spectrum& sp, const std::string& what) {
    json b = json::object();
    for (std::size_t k = 0; k < circuit::band_count; ++k) {
      const std::string name{circuit::to_string(static_cast<circuit::band>(k))};
      b[name] = rounded(sp.band_fraction[k], what + ".band_fraction." + name);
    }
    return b;
  };
  json peak = json::object();
  json band_fraction = json::object();
  for (const circuit::population_readout& p : r.populations) {
    peak[p.name] = rounded(p.spectrum.peak_hz, "spectrum_peak_hz." + p.name);
    band_fraction[p.name] = bands(p.spectrum, p.name);
  }
  j["spectrum_peak_hz"] = std::move(peak);
  j["spectrum_band_fraction"] = std::move(band_fraction);
  j["spectrum_peak_hz_all"] = rounded(r.spectrum.peak_hz, "spectrum_peak_hz_all");
  j["spectrum_band_fraction_all"] = bands(r.spectrum, "all");
  if (!windows.empty()) j["rate_windows"] = window_rates_json(run, windows);
  j["wall_s_init"] = rounded(r.wall_s_init, "wall_s_init");
  j["wall_s_loop"] = rounded(r.wall_s_loop, "wall_s_loop");
  return j;
}

}  // namespace

circuit::synapse_list parse_connectivity_csv(std::string_view text, const std::string& source_name,
                                             std::size_t n_neurons) {
  csv_reader r(source_name, connectivity_columns);
  circuit::synapse_list out;
  bool weights = false;
  bool delays = false;
  const std::size_t last = read_csv(
      text, source_name,
      [&](const std::vector<detail::csv_cell>& cells, std::size_t line_no) {
        r.read_header(cells, line_no);
        weights = r.has(2);
        delays = r.has(3);
      },
      [&](const std::vector<detail::csv_cell>& cells, std::size_t line_no, std::size_t length) {
        r.start_row(cells, line_no, length);
        out.pre.push_back(r.neuron(0, n_neurons));
        out.post.push_back(r.neuron(1, n_neurons));
        if (weights) out.weight_ns.push_back(r.number(2, 0.0, 1e6, "nS"));
        if (delays) out.delay_ms.push_back(r.number(3, 0.0, max_delay_ms, "ms"));
      });
  if (r.header_line() == 0) no_header(source_name, last, "pre,post (and optionally weight_ns, delay_ms)");
  return out;
}

circuit::synapse_list load_connectivity_csv(const std::filesystem::path& file, std::size_t n_neurons) {
  const detail::file_text f = read_network_file(file);
  return parse_connectivity_csv(f.text, file.string(), n_neurons);
}

circuit::initial_state parse_initial_state_csv(std::string_view text, const std::string& source_name,
                                               std::size_t n_neurons) {
  csv_reader r(source_name, initial_columns);
  circuit::initial_state out;
  out.v_mv.assign(n_neurons, 0.0);
  out.g_ampa_ns.assign(n_neurons, 0.0);
  out.g_gaba_ns.assign(n_neurons, 0.0);
  std::vector<std::size_t> line_of(n_neurons, 0);  // the line of each neuron's row, 0 = none yet
  const std::size_t last = read_csv(
      text, source_name,
      [&](const std::vector<detail::csv_cell>& cells, std::size_t line_no) { r.read_header(cells, line_no); },
      [&](const std::vector<detail::csv_cell>& cells, std::size_t line_no, std::size_t length) {
        r.start_row(cells, line_no, length);
        const std::uint32_t i = r.neuron(0, n_neurons);
        if (line_of[i] != 0) {
          r.fail(line_no, r.column_of(0),
                 "Neuron " + std::to_string(i) + " has a second row (the first is on line " +
                     std::to_string(line_of[i]) + "); give exactly one row per neuron");
        }
        line_of[i] = line_no;
        out.v_mv[i] = r.number(1, -1000.0, 1000.0, "mV");
        out.g_ampa_ns[i] = r.number(2, -1e6, 1e6, "nS");
        out.g_gaba_ns[i] = r.number(3, -1e6, 1e6, "nS");
      });
  if (r.header_line() == 0) no_header(source_name, last, "neuron,v_mv,ge_ns,gi_ns");
  std::size_t missing = 0;
  std::size_t first_missing = 0;
  for (std::size_t i = n_neurons; i-- > 0;) {
    if (line_of[i] == 0) {
      ++missing;
      first_missing = i;
    }
  }
  if (missing > 0) {
    r.fail(last + 1, 1,
           "The file ends without a row for neuron " + std::to_string(first_missing) +
               (missing > 1 ? " (and " + std::to_string(missing - 1) + " more)" : std::string{}) +
               "; give exactly one row for every neuron 0.." + std::to_string(n_neurons - 1));
  }
  return out;
}

circuit::initial_state load_initial_state_csv(const std::filesystem::path& file, std::size_t n_neurons) {
  const detail::file_text f = read_network_file(file);
  return parse_initial_state_csv(f.text, file.string(), n_neurons);
}

std::string network_summary_json(const circuit::network& net, const circuit::run_options& o, const network_command& c,
                                 const std::vector<network_run>& runs) {
  if (runs.empty()) throw internal_error("io::network_summary_json: no runs");
  const circuit::network_spec& s = net.spec();
  json j;
  j["benzosim_version"] = version();
  j["disclaimer"] = "benzosim is a research and teaching simulator, not medical advice.";
  j["command"] = "network";
  j["preset"] = c.network_file.empty() ? json(c.preset) : json(nullptr);
  j["network_file"] = c.network_file.empty() ? json(nullptr) : json(c.network_file);
  json conc = json::array();
  for (const network_run& r : runs) conc.push_back(rounded(r.conc_ngml, "conc_ngml"));
  j["options"] = {{"duration_s", rounded(c.duration_s, "duration_s")},
                  {"seed", c.seed},
                  {"threads", c.threads},
                  {"conc_ngml", std::move(conc)},
                  {"drug", c.drug},
                  {"fu", rounded(c.fu, "fu")},
                  {"connectivity", c.connectivity_file.empty() ? json(nullptr) : json(c.connectivity_file)},
                  {"initial_state", c.initial_state_file.empty() ? json(nullptr) : json(c.initial_state_file)},
                  {"spikes", c.spikes},
                  {"e_gaba_mv", c.e_gaba_mv ? json(rounded(*c.e_gaba_mv, "e_gaba_mv")) : json(nullptr)},
                  {"cl_in_mm", c.cl_in_mm ? json(rounded(*c.cl_in_mm, "cl_in_mm")) : json(nullptr)},
                  {"bicarbonate", c.bicarbonate},
                  {"scheme", std::string{circuit::scheme_name(s.scheme)}},
                  {"dt_ms", rounded(s.dt_ms, "dt_ms")},
                  {"delay_ms", rounded(s.delay_ms, "delay_ms")},
                  {"sample_ms", rounded(o.sample_ms, "sample_ms")},
                  {"detector",
                   {{"window_ms", rounded(o.detector.window_ms, "detector.window_ms")},
                    {"rate_threshold_hz", rounded(o.detector.rate_threshold_hz, "detector.rate_threshold_hz")},
                    {"synchrony_threshold", rounded(o.detector.synchrony_threshold, "detector.synchrony_threshold")}}}};
  json pops = json::array();
  for (std::size_t k = 0; k < s.populations.size(); ++k) {
    const circuit::population_params& p = s.populations[k];
    pops.push_back({{"name", p.name},
                    {"first_neuron", net.first_neuron(k)},
                    {"size", p.size},
                    {"e_gaba_mv", rounded(p.e_gaba_mv, "e_gaba_mv")}});
  }
  json chloride = nullptr;
  if (s.chloride) {
    const circuit::chloride_params& cl = *s.chloride;
    chloride = {{"cl_in_mm", rounded(cl.cl_in_mm, "chloride.cl_in_mm")},
                {"cl_out_mm", rounded(cl.cl_out_mm, "chloride.cl_out_mm")},
                {"temperature_c", rounded(cl.temperature_c, "chloride.temperature_c")},
                {"bicarbonate", nullptr},
                {"e_gaba_mv", rounded(circuit::gaba_reversal_mv(cl), "chloride.e_gaba_mv")}};
    if (cl.bicarbonate) {
      chloride["bicarbonate"] = {{"hco3_in_mm", rounded(cl.bicarbonate->hco3_in_mm, "bicarbonate.hco3_in_mm")},
                                 {"hco3_out_mm", rounded(cl.bicarbonate->hco3_out_mm, "bicarbonate.hco3_out_mm")},
                                 {"relative_permeability",
                                  rounded(cl.bicarbonate->relative_permeability, "bicarbonate.relative_permeability")}};
    }
  }
  j["network"] = {{"name", s.name},
                  {"neurons", net.size()},
                  {"synapses", net.synapse_count()},
                  {"populations", std::move(pops)},
                  {"chloride", std::move(chloride)}};
  double loop = 0.0;
  for (const network_run& r : runs) loop += r.result.wall_s_loop;
  const json first = run_json(runs.front(), c.rate_windows);
  for (const auto& [key, value] : first.items()) {
    if (key != "wall_s_loop" && key != "wall_s_init") j[key] = value;
  }
  j["wall_s_setup"] = rounded(c.wall_s_setup, "wall_s_setup");
  j["wall_s_loop"] = rounded(loop, "wall_s_loop");
  json all = json::array();
  for (const network_run& r : runs) all.push_back(run_json(r, c.rate_windows));
  j["runs"] = std::move(all);
  j["uncertain"] = {
      "seizure_fraction: the detector's thresholds (rate and synchrony per window) are assumptions, not calibrated "
      "on recordings",
      "drug: IPSC amplitude and decay factors are class values (midazolam), applied to drug-naive receptors at a "
      "steady concentration (no tolerance)"};
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string network_dose_response_csv(const circuit::network& net, const std::vector<network_run>& runs,
                                      const std::vector<circuit::time_window>& windows) {
  const circuit::network_spec& s = net.spec();
  std::string out =
      "conc_ngml,free_ngml,occupancy,gaba_a_fast_amplitude,gaba_a_fast_decay,gaba_a_slow_amplitude,"
      "gaba_a_slow_decay";
  for (const per_population_field& f : population_fields) {
    for (const circuit::population_params& p : s.populations) out += "," + std::string{f.name} + "_" + p.name;
  }
  for (const circuit::population_params& p : s.populations) out += ",spectrum_peak_hz_" + p.name;
  out += ",spectrum_peak_hz_all,synchrony_all,seizure_fraction,spikes_total";
  for (const circuit::time_window& w : windows) {
    for (const circuit::population_params& p : s.populations) out += ",rate_hz_" + p.name + "_" + window_label(w);
  }
  out += "\n";
  for (const network_run& run : runs) {
    const circuit::network_result& r = run.result;
    std::string line = format_number(run.conc_ngml);
    for (double v : {run.drug.free_ngml, run.drug.occupancy, run.drug.fast.amplitude, run.drug.fast.decay,
                     run.drug.slow.amplitude, run.drug.slow.decay}) {
      line += "," + format_number(v);
    }
    for (const per_population_field& f : population_fields) {
      for (const circuit::population_readout& p : r.populations) line += "," + format_number(p.*f.value);
    }
    for (const circuit::population_readout& p : r.populations) line += "," + format_number(p.spectrum.peak_hz);
    line += "," + format_number(r.spectrum.peak_hz);
    line += "," + format_number(r.synchrony) + "," + format_number(r.seizure_fraction) + "," +
            std::to_string(r.spikes_total);
    for (std::size_t w = 0; w < windows.size(); ++w) {
      for (std::size_t p = 0; p < r.populations.size(); ++p)
        line += "," + format_number(run.window_rate_hz.at(w).at(p));
    }
    line += "\n";
    out += line;
  }
  return out;
}

std::string network_spectrum_csv(const circuit::network_result& r) {
  std::string out = "frequency_hz";
  for (const circuit::population_readout& p : r.populations) out += ",psd_" + p.name;
  out += ",psd_all\n";
  for (std::size_t k = 0; k < r.frequency_hz.size(); ++k) {
    out += format_number(r.frequency_hz[k]);
    for (const circuit::population_readout& p : r.populations)
      out += "," + format_number(p.spectrum.psd_hz2_per_hz.at(k));
    out += "," + format_number(r.spectrum.psd_hz2_per_hz.at(k)) + "\n";
  }
  return out;
}

std::string network_spikes_csv(const circuit::network_result& r, double dt_ms) {
  std::string out = "time_ms,neuron\n";
  out.reserve(out.size() + r.spikes.size() * 14);
  for (const circuit::spike& s : r.spikes) {
    out += format_number(static_cast<double>(s.step) * dt_ms);
    out += ',';
    out += std::to_string(s.neuron);
    out += '\n';
  }
  return out;
}

}  // namespace benzosim::io
