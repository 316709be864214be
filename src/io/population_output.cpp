// SPDX-License-Identifier: MIT
// Writers for `benzosim population`. Reference: docs/file-formats.md#population-outputs.
#include <benzosim/io/population_output.hpp>

#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include <benzosim/core/error.hpp>
#include <benzosim/io/output.hpp>
#include <benzosim/pk/variability.hpp>

#include "json_number.hpp"

namespace benzosim::io {
namespace {

using json = nlohmann::ordered_json;

std::string errno_text(int err) {
  return err != 0 ? std::strerror(err) : "unknown error";
}

using detail::rounded;

constexpr const char* statistic_names[] = {"mean", "sd", "p05", "p25", "p50", "p75", "p95"};

std::array<double, 7> values(const clinical::statistics& s) {
  return {s.mean, s.sd, s.p05, s.p25, s.p50, s.p75, s.p95};
}

json statistics_json(const clinical::statistics& s, const std::string& what) {
  json j;
  const std::array<double, 7> v = values(s);
  for (std::size_t i = 0; i < v.size(); ++i) j[statistic_names[i]] = rounded(v[i], what + "." + statistic_names[i]);
  return j;
}

json model_json(const clinical::population_model& m, population_model_source source) {
  json j;
  j["source"] = source == population_model_source::scenario_file ? "scenario file [population]"
                                                                 : "built-in default (clonazepam presets)";
  json names = json::array();
  for (const std::string& n : m.omega.names) names.push_back(n);
  json matrix = json::array();
  for (std::size_t i = 0; i < m.omega.size(); ++i) {
    json row = json::array();
    for (std::size_t k = 0; k < m.omega.size(); ++k) row.push_back(rounded(m.omega.at(i, k), "model.omega"));
    matrix.push_back(std::move(row));
  }
  j["omega"] = {{"parameters", std::move(names)}, {"matrix", std::move(matrix)}};
  const pk::covariate_distribution& d = m.covariates;
  if (m.covariate_table) {  // real subjects: the distribution is not used, so it is not shown
    const pk::covariate_table& t = *m.covariate_table;
    j["covariates"] = {{"file", t.source}, {"rows", t.size()}, {"draw", std::string(pk::to_string(t.draw))}};
  } else {
    j["covariates"] = {{"weight_mean_kg", rounded(d.weight_mean_kg, "weight_mean_kg")},
                       {"weight_cv_pct", rounded(100.0 * d.weight_cv, "weight_cv")},
                       {"weight_min_kg", rounded(d.weight_min_kg, "weight_min_kg")},
                       {"weight_max_kg", rounded(d.weight_max_kg, "weight_max_kg")},
                       {"age_min_y", rounded(d.age_min_y, "age_min_y")},
                       {"age_max_y", rounded(d.age_max_y, "age_max_y")},
                       {"fraction_male", rounded(d.fraction_male, "fraction_male")},
                       {"fraction_one_inducer", rounded(d.fraction_one_inducer, "fraction_one_inducer")},
                       {"fraction_two_plus_inducers", rounded(d.fraction_two_plus_inducers, "fraction_two_plus")},
                       {"fraction_cyp3a4_inhibitor", rounded(d.fraction_cyp3a4_inhibitor, "fraction_cyp3a4")}};
  }
  const pk::clonazepam_covariate_params& c = m.covariate_effects;
  j["covariate_effects"] = {
      {"ref_weight_kg", rounded(c.ref_weight_kg, "ref_weight_kg")},
      {"allometric_cl", rounded(c.allometric_cl, "allometric_cl")},
      {"allometric_v", rounded(c.allometric_v, "allometric_v")},
      {"inducer_one_factor", rounded(c.inducer_one_factor, "inducer_one_factor")},
      {"inducer_two_plus_factor", rounded(c.inducer_two_plus_factor, "inducer_two_plus_factor")},
      {"inducer_two_plus_weight_exponent", rounded(c.inducer_two_plus_weight_exponent, "inducer_exponent")},
      {"cyp3a4_inhibitor_factor", rounded(c.cyp3a4_inhibitor_factor, "cyp3a4_inhibitor_factor")}};
  if (m.residual) {
    j["residual"] = {{"model", std::string{pk::to_string(m.residual->kind)}},
                     {"sd_add", rounded(m.residual->sd_add, "sd_add")},
                     {"sd_prop", rounded(m.residual->sd_prop, "sd_prop")}};
  } else {
    j["residual"] = nullptr;
  }
  if (m.uncertainty) {
    const pk::theta_uncertainty& u = *m.uncertainty;
    j["uncertainty"] = {{"ka", rounded(u.ka_rse_pct, "ka_rse")},      {"cl", rounded(u.cl_rse_pct, "cl_rse")},
                        {"v1", rounded(u.v1_rse_pct, "v1_rse")},      {"q", rounded(u.q_rse_pct, "q_rse")},
                        {"v2", rounded(u.v2_rse_pct, "v2_rse")},      {"f", rounded(u.f_rse_pct, "f_rse")},
                        {"tlag", rounded(u.tlag_rse_pct, "tlag_rse")}};
  } else {
    j["uncertainty"] = nullptr;
  }
  return j;
}

}  // namespace

std::string population_summary_csv(const clinical::population_result& r) {
  const std::size_t n = r.time_h.size();
  for (const clinical::series_summary& s : r.series) {
    if (s.at.size() != n) {
      throw internal_error("io::population_summary_csv: series " + s.name + " has " + std::to_string(s.at.size()) +
                           " rows but time_h has " + std::to_string(n));
    }
  }
  std::string out = "time_h";
  for (const clinical::series_summary& s : r.series) {
    for (const char* stat : statistic_names) {
      out += ',';
      out += s.name;
      out += '_';
      out += stat;
    }
  }
  out += '\n';
  out.reserve(out.size() + n * (1 + 7 * r.series.size()) * 12);
  for (std::size_t i = 0; i < n; ++i) {
    out += format_number(r.time_h[i]);
    for (const clinical::series_summary& s : r.series) {
      for (double v : values(s.at[i])) {
        out += ',';
        out += format_number(v);
      }
    }
    out += '\n';
  }
  return out;
}

std::string subjects_csv_header() {
  return "replicate,subject,weight_kg,age_y,sex,inducing_aeds,cyp3a4_inhibitor,cl_lph,v1_l,cmax_ngml,cmin_ngml,"
         "auc_ngml_h,time_above_h\n";
}

std::string subjects_csv_rows(std::span<const clinical::subject_metrics> rows) {
  std::string out;
  out.reserve(rows.size() * 128);
  for (const clinical::subject_metrics& m : rows) {
    out += std::to_string(m.replicate);
    out += ',';
    out += std::to_string(m.subject);
    out += ',';
    out += format_number(m.covariates.weight_kg);
    out += ',';
    out += format_number(m.covariates.age_y);
    out += ',';
    out += pk::to_string(m.covariates.sex);
    out += ',';
    out += std::to_string(m.covariates.inducing_aeds);
    out += ',';
    out += m.covariates.cyp3a4_inhibitor ? '1' : '0';
    for (double v : {m.cl_lph, m.v1_l, m.cmax_ngml, m.cmin_ngml, m.auc_ngml_h, m.time_above_h}) {
      out += ',';
      out += format_number(v);
    }
    out += '\n';
  }
  return out;
}

std::string population_json(const clinical::scenario& s, const clinical::population_model& m,
                            population_model_source source, const clinical::population_options& o,
                            const clinical::population_result& r) {
  json j;
  j["benzosim_version"] = version();
  j["disclaimer"] = "benzosim is a research and teaching simulator, not medical advice.";
  j["scenario"] = {{"name", s.name},
                   {"description", s.description},
                   {"indication", clinical::to_string(s.indication)},
                   {"drug", s.drug.name}};
  j["model"] = model_json(m, source);
  j["options"] = {{"subjects", o.subjects},
                  {"replicates", o.replicates},
                  {"seed", o.seed},
                  {"chunk_size", o.chunk_size},
                  {"exact_limit", o.exact_limit},
                  {"alpha", rounded(o.alpha, "options.alpha")},
                  {"threshold_ngml", rounded(o.threshold_ngml, "options.threshold_ngml")}};
  j["n_total"] = r.n_total;
  j["quantiles_exact"] = r.quantiles_exact;
  j["alpha"] = rounded(r.alpha, "alpha");
  json metrics = json::object();
  for (const auto& [name, stats] : r.metrics) metrics[name] = statistics_json(stats, "metrics." + name);
  j["metrics"] = std::move(metrics);
  j["uncertain"] = r.uncertain;
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

streamed_file::streamed_file(std::filesystem::path path) : path_(std::move(path)) {
  tmp_ = path_;
  tmp_ += ".tmp." + std::to_string(::getpid());
  // "x": never reuse an existing file; a name clash is an error, not a clobbered file.
  file_ = std::fopen(tmp_.c_str(), "wbx");
  if (file_ == nullptr) {
    throw error("Cannot write '" + path_.string() + "': cannot create the temporary file '" + tmp_.string() +
                "': " + errno_text(errno) + ".");
  }
}

streamed_file::~streamed_file() {
  discard();
}

void streamed_file::discard() noexcept {
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
  if (!tmp_.empty()) {
    std::error_code ignored;
    std::filesystem::remove(tmp_, ignored);
    tmp_.clear();
  }
}

void streamed_file::fail(const std::string& reason) {
  const std::string target = path_.string();
  discard();
  throw error("Cannot write '" + target + "': " + reason + ".");
}

void streamed_file::write(std::string_view text) {
  if (file_ == nullptr) throw internal_error("io::streamed_file::write after commit or failure");
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), file_) != text.size()) fail(errno_text(errno));
}

void streamed_file::commit() {
  if (file_ == nullptr) throw internal_error("io::streamed_file::commit after commit or failure");
  if (std::fflush(file_) != 0) fail(errno_text(errno));
  if (::fsync(::fileno(file_)) != 0) fail(errno_text(errno));
  std::FILE* f = std::exchange(file_, nullptr);
  if (std::fclose(f) != 0) fail(errno_text(errno));
  std::error_code ec;
  std::filesystem::rename(tmp_, path_, ec);
  if (ec) fail("cannot rename the temporary file into place: " + ec.message());
  tmp_.clear();  // committed: nothing to remove
}

}  // namespace benzosim::io
