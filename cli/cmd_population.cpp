// SPDX-License-Identifier: MIT
// `benzosim population`: many virtual patients of one scenario, summarised (docs/population.md).
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/core.h>

#include <benzosim/clinical/population.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/io/output.hpp>
#include <benzosim/io/population_file.hpp>
#include <benzosim/io/population_output.hpp>

#include "common.hpp"
#include "process_group.hpp"

namespace benzosim::cli {
namespace {

/// The flags as given; the integers are parsed and range-checked by check_flags (for messages that name the
/// flag, its value and its range, and so that -n 1e6 works).
struct population_args {
  std::string scenario;
  std::string subjects;
  std::string seed = "1";
  std::string threads = "0";
  std::string replicates = "1";
  bool rows = false;
  std::string out;
  std::string chunk = "256";
  double threshold_ngml = 20.0;
};

/// The checked flags.
struct population_flags {
  std::uint64_t subjects;
  std::uint64_t seed;
  int threads;
  int replicates;
  std::size_t chunk;
};

constexpr std::int64_t max_subjects = 1'000'000'000;
constexpr std::int64_t max_threads = 1024;
constexpr std::int64_t max_replicates = 10'000;
constexpr std::int64_t max_chunk = 1'000'000;

/// An integer flag in [lo, hi]. With allow_exponent, a whole number in floating-point notation is accepted too
/// (-n 1e6); hi must then be exactly representable as a double (it is: at most 1e9).
std::int64_t integer_flag(const char* flag, const std::string& text, std::int64_t lo, std::int64_t hi,
                          const char* meaning, bool allow_exponent) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(begin, end, v);
  if (ec == std::errc{} && p == end && v >= lo && v <= hi) return v;
  if (allow_exponent && (ec != std::errc{} || p != end)) {
    double d = 0.0;
    const auto [pd, ecd] = std::from_chars(begin, end, d);
    if (ecd == std::errc{} && pd == end && std::isfinite(d) && d == std::floor(d) && d >= static_cast<double>(lo) &&
        d <= static_cast<double>(hi)) {
      return static_cast<std::int64_t>(d);
    }
  }
  throw error(fmt::format("{} {}: {} must be an integer from {} to {}.", flag, text, meaning, lo, hi));
}

/// Checks every flag before anything is read or created.
population_flags check_flags(const population_args& a) {
  population_flags f{};
  f.subjects = static_cast<std::uint64_t>(
      integer_flag("-n", a.subjects, 1, max_subjects, "the number of virtual patients per replicate", true));
  f.seed = static_cast<std::uint64_t>(
      integer_flag("--seed", a.seed, 0, std::numeric_limits<std::int64_t>::max(), "the seed", false));
  f.threads = static_cast<int>(
      integer_flag("--threads", a.threads, 0, max_threads, "the number of threads (0 = all cores)", false));
  f.replicates =
      static_cast<int>(integer_flag("--replicates", a.replicates, 1, max_replicates, "the number of replicates", true));
  f.chunk = static_cast<std::size_t>(
      integer_flag("--chunk", a.chunk, 1, max_chunk, "the number of patients per chunk", true));
  if (!std::isfinite(a.threshold_ngml) || a.threshold_ngml < 0.0) {
    throw error(fmt::format("--threshold-ngml {}: the concentration threshold must be a finite number >= 0 ng/mL.",
                            a.threshold_ngml));
  }
  return f;
}

/// The output directory, created if missing. If this run created it and the run fails, it is removed again
/// (only when empty: files of earlier runs are never touched).
class output_directory {
 public:
  explicit output_directory(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    created_ = std::filesystem::create_directories(dir_, ec);
    if (ec || !std::filesystem::is_directory(dir_)) {
      throw error("Cannot create the output directory '" + dir_.string() +
                  "': " + (ec ? ec.message() : std::string("a file of that name exists")) + ".");
    }
  }
  ~output_directory() {
    if (created_ && !kept_) {
      std::error_code ignored;
      std::filesystem::remove(dir_, ignored);  // fails, harmlessly, if anything is inside
    }
  }
  output_directory(const output_directory&) = delete;
  output_directory& operator=(const output_directory&) = delete;

  const std::filesystem::path& path() const { return dir_; }
  void keep() { kept_ = true; }

 private:
  std::filesystem::path dir_;
  bool created_ = false;
  bool kept_ = false;
};

/// A one-line progress bar on stderr, redrawn at most 10 times a second; silent when disabled (stderr not a
/// terminal). If the run stops early, the destructor ends the line so that the error message starts on its own.
class progress_bar {
 public:
  explicit progress_bar(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  ~progress_bar() {
    if (drawn_ && !finished_) std::fputs("\n", stderr);
  }
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;

  void update(std::uint64_t done, std::uint64_t total) {
    if (!enabled_ || finished_) return;
    const auto now = std::chrono::steady_clock::now();
    const bool last = done >= total;
    if (!last && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    drawn_ = true;
    const double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    constexpr int width = 30;
    const int filled = static_cast<int>(fraction * width);
    const double elapsed_s = std::chrono::duration<double>(now - start_).count();
    std::string eta;
    if (!last && done > 0) {
      eta = fmt::format(", about {:.0f} s left", elapsed_s * (1.0 - fraction) / fraction);
    }
    fmt::print(
        stderr, "\r[{}{}] {:5.1f} %  {}/{} patients, {:.0f} s{}   ", std::string(static_cast<std::size_t>(filled), '='),
        std::string(static_cast<std::size_t>(width - filled), ' '), 100.0 * fraction, done, total, elapsed_s, eta);
    if (last) {
      std::fputs("\n", stderr);
      finished_ = true;
    }
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
};

void print_report(const clinical::scenario& s, const clinical::population_options& o,
                  const clinical::population_result& r, io::population_model_source source,
                  const std::filesystem::path& dir, bool rows, bool has_uncertainty) {
  fmt::print("benzosim {}: {} - {}\n", io::version(), s.name, s.description);
  fmt::print("  population  {} virtual patients x {} replicate{} = {} (seed {}); variability model: {}\n", o.subjects,
             o.replicates, o.replicates == 1 ? "" : "s", r.n_total, o.seed,
             source == io::population_model_source::scenario_file ? "the scenario's [population]"
                                                                  : "built-in clonazepam default");
  if (r.quantiles_exact) {
    fmt::print("  quantiles   exact\n");
  } else {
    fmt::print("  quantiles   from a sketch with relative accuracy {:g} %\n", 100.0 * r.alpha);
  }
  for (const auto& [name, st] : r.metrics) {
    fmt::print("  {:<13} median {:.4g}; 90 % of patients between {:.4g} and {:.4g}; mean {:.4g}, SD {:.4g}\n", name,
               st.p50, st.p05, st.p95, st.mean, st.sd);
  }
  fmt::print("  (time_above_h: hours above {:g} ng/mL)\n", o.threshold_ngml);
  for (const auto& u : r.uncertain) fmt::print("  uncertain   {}\n", u);
  fmt::print("wrote {} ({} rows), {}", (dir / "summary.csv").string(), r.time_h.size(),
             (dir / "summary.json").string());
  if (rows) fmt::print(" and {} ({} rows)", (dir / "subjects.csv").string(), r.n_total);
  fmt::print("\n");
  if (o.replicates > 1 && !has_uncertainty) {
    fmt::print(
        "note: without [population.uncertainty] every replicate has the same typical values, so the {} "
        "replicates are simply {} patients of one population\n",
        o.replicates, r.n_total);
  }
  if (!rows && std::filesystem::exists(dir / "subjects.csv")) {
    fmt::print("note: {} is from an earlier run (this run was without --rows)\n", (dir / "subjects.csv").string());
  }
  fmt::print("benzosim is a research and teaching simulator, not medical advice.\n");
  std::fflush(stdout);
}

/// Ranks other than 0 compute their chunks and send them to rank 0; they write nothing and print nothing.
void run_population_worker(const clinical::scenario& s, const clinical::population_model& model,
                           const clinical::population_options& o, bool rows, clinical::partial_exchange& exchange) {
  clinical::subject_sink sink;
  if (rows) sink = [](std::span<const clinical::subject_metrics>) {};  // rows are collected and sent to rank 0
  (void)clinical::simulate_population(s, model, o, sink, {}, &exchange);
}

void run_population(const population_args& a, process_group& group) {
  const population_flags f = check_flags(a);
  const io::loaded_scenario loaded = io::load_scenario_with_population(a.scenario);
  const clinical::scenario& s = loaded.scenario;
  const io::population_model_source source =
      loaded.population ? io::population_model_source::scenario_file : io::population_model_source::built_in_default;
  const clinical::population_model model =
      loaded.population ? *loaded.population : clinical::population_model::clonazepam_default();

  clinical::population_options o;
  o.subjects = f.subjects;
  o.seed = f.seed;
  o.replicates = f.replicates;
  o.threads = f.threads;
  o.chunk_size = f.chunk;
  o.threshold_ngml = a.threshold_ngml;
  o.rank = group.rank();
  o.ranks = group.size();
  o.validate();
  model.validate();
  const std::unique_ptr<clinical::partial_exchange> exchange = group.exchange();
  if (o.rank != 0) {
    run_population_worker(s, model, o, a.rows, *exchange);
    return;
  }

  output_directory dir(a.out.empty() ? std::filesystem::path("out") / (s.name + "-population")
                                     : std::filesystem::path(a.out));
  std::optional<io::streamed_file> subjects;
  clinical::subject_sink sink;
  if (a.rows) {
    subjects.emplace(dir.path() / "subjects.csv");
    subjects->write(io::subjects_csv_header());
    sink = [&subjects](std::span<const clinical::subject_metrics> rows) {
      subjects->write(io::subjects_csv_rows(rows));
    };
  }
  progress_bar bar(::isatty(STDERR_FILENO) == 1);
  const clinical::population_result r = clinical::simulate_population(
      s, model, o, sink, [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); }, exchange.get());

  // Everything is formatted before the first file is renamed into place.
  const std::string csv = io::population_summary_csv(r);
  const std::string json = io::population_json(s, model, source, o, r);
  io::atomic_write(dir.path() / "summary.csv", csv);
  io::atomic_write(dir.path() / "summary.json", json);
  if (subjects) subjects->commit();
  dir.keep();
  print_report(s, o, r, source, dir.path(), a.rows, model.uncertainty.has_value());
}

}  // namespace

void add_population(CLI::App& app, process_group& group) {
  auto* cmd = app.add_subcommand(
      "population",
      "Simulate many virtual patients of a scenario (between-subject variability, covariates) and summarise them");
  auto a = std::make_shared<population_args>();
  cmd->add_option("scenario", a->scenario,
                  "Scenario file (.toml); its optional [population] section is the "
                  "variability model (default: the built-in clonazepam model)")
      ->required();
  cmd->add_option("-n,--subjects", a->subjects, "Virtual patients per replicate (1 to 1e9)")
      ->required()
      ->type_name("INT");
  cmd->add_option("--seed", a->seed, "Seed of the random streams, 0 to 2^63-1 (same seed, same result)")
      ->capture_default_str()
      ->type_name("INT");
  cmd->add_option("--threads", a->threads, "Threads, 0 = all cores (0 to 1024; never changes the results)")
      ->capture_default_str()
      ->type_name("INT");
  cmd->add_option("--replicates", a->replicates,
                  "Replicates: trials with the typical values redrawn from [population.uncertainty] (1 to 10000)")
      ->capture_default_str()
      ->type_name("INT");
  cmd->add_flag("--rows", a->rows, "Also write subjects.csv, one row per virtual patient");
  cmd->add_option("--out", a->out, "Output directory (default: out/<scenario name>-population)");
  cmd->add_option("--chunk", a->chunk,
                  "Patients per chunk (1 to 1e6); fixes the summation order, so it is part of the result")
      ->capture_default_str()
      ->type_name("INT");
  cmd->add_option("--threshold-ngml", a->threshold_ngml, "Concentration for time_above_h [ng/mL]")
      ->capture_default_str();
  cmd->footer(
      "Writes DIR/summary.csv (mean, SD and percentiles of every output column at every time), DIR/summary.json\n"
      "(options, per-patient metrics, uncertain parts) and, with --rows, DIR/subjects.csv. Format: "
      "docs/file-formats.md.\n\n"
      "Example:\n  benzosim population data/scenarios/demo.toml -n 1000 --seed 7 --rows --out out/demo-population\n");
  cmd->callback([a, &group] { run_population(*a, group); });
}

}  // namespace benzosim::cli
