// SPDX-License-Identifier: MIT
/// Writers for `benzosim population`: the per-time summary (CSV), the per-patient rows (CSV, streamed to
/// disk a chunk at a time) and the run summary (JSON). Numbers as io::format_number; non-finite numbers
/// throw internal_error. Formats: docs/file-formats.md#population-outputs.
#pragma once

#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include <benzosim/clinical/population.hpp>
#include <benzosim/clinical/scenario.hpp>

namespace benzosim::io {

/// summary.csv: time_h, then for each series NAME of r.series, in order: NAME_mean, NAME_sd, NAME_p05,
/// NAME_p25, NAME_p50, NAME_p75, NAME_p95; one row per output time.
std::string population_summary_csv(const clinical::population_result& r);

/// subjects.csv header line (ends in "\n"): replicate,subject,weight_kg,age_y,sex,inducing_aeds,
/// cyp3a4_inhibitor,cl_lph,v1_l,cmax_ngml,cmin_ngml,auc_ngml_h,time_above_h.
std::string subjects_csv_header();
/// One line per subject, in the order given (sex is "female" or "male", cyp3a4_inhibitor 0 or 1).
std::string subjects_csv_rows(std::span<const clinical::subject_metrics> rows);

/// Where the population model of a run came from, for the JSON summary.
enum class population_model_source { scenario_file, built_in_default };

/// summary.json (pretty-printed): scenario, model, options, n_total, quantiles_exact, alpha, metrics,
/// uncertain, disclaimer, benzosim_version. Threads are not recorded: they never change the results.
std::string population_json(const clinical::scenario& s, const clinical::population_model& m,
                            population_model_source source, const clinical::population_options& o,
                            const clinical::population_result& r);

/// A file written a piece at a time, invisible under its name until commit(): the pieces go to
/// "<path>.tmp.<pid>" (created exclusively), and commit() flushes, fsyncs, closes and renames it over path.
/// Destroyed without commit() (an exception, a failed run), the temporary file is removed. Errors throw
/// benzosim::error naming the path and the reason.
class streamed_file {
 public:
  explicit streamed_file(std::filesystem::path path);
  ~streamed_file();
  streamed_file(const streamed_file&) = delete;
  streamed_file& operator=(const streamed_file&) = delete;

  void write(std::string_view text);
  void commit();

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] const std::filesystem::path& temporary_path() const { return tmp_; }

 private:
  [[noreturn]] void fail(const std::string& reason);
  void discard() noexcept;

  std::filesystem::path path_;
  std::filesystem::path tmp_;
  std::FILE* file_ = nullptr;
};

}  // namespace benzosim::io
