// SPDX-License-Identifier: MIT
/// Population simulation: many virtual patients of one scenario, each with their own covariates and
/// between-subject variability, summarised per output time (mean, SD, percentiles) and per patient
/// (Cmax, Cmin, AUC, time above a threshold). Memory does not grow with the number of patients unless
/// per-patient rows are requested; results are bit-identical for any number of threads.
/// Model and statistics: docs/population.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <benzosim/clinical/scenario.hpp>
#include <benzosim/pk/events.hpp>
#include <benzosim/pk/linear.hpp>
#include <benzosim/pk/variability.hpp>

namespace benzosim::clinical {

/// The variability of a population scenario.
struct population_model {
  pk::omega omega;                                    ///< between-subject variability (log-normal etas)
  pk::eta_map etas;                                   ///< which eta acts on which pk parameter
  pk::covariate_distribution covariates;              ///< the virtual population
  pk::clonazepam_covariate_params covariate_effects;  ///< weight, co-medication
  std::optional<pk::residual_error> residual;         ///< if set: an observed-concentration series with residual error
  std::optional<pk::theta_uncertainty> uncertainty;   ///< if set: typical values redrawn per replicate
  /// If set, the covariates of real subjects (io reads them from a CSV file): they replace `covariates`, which
  /// is then not sampled. With draw = in_order a run needs subjects <= rows (checked by simulate_population).
  std::optional<pk::covariate_table> covariate_table;
  /// Throws invalid_parameter naming the first bad field.
  void validate() const;
  /// The clonazepam presets of pk/variability.hpp (sources in docs/variability.md).
  static population_model clonazepam_default();
};

struct population_options {
  std::uint64_t subjects = 100;      ///< virtual patients per replicate (>= 1)
  std::uint64_t seed = 1;            ///< random streams are keyed by (seed, replicate, subject, purpose)
  int replicates = 1;                ///< trials with parameter uncertainty (NONMEM's NSUBPROBLEMS), >= 1
  int threads = 0;                   ///< 0 = all cores
  std::size_t chunk_size = 256;      ///< patients per chunk (fixes the summation order: part of the result)
  std::uint64_t exact_limit = 1000;  ///< exact quantiles when subjects x replicates <= this, sketch otherwise
  double alpha = 0.005;              ///< relative accuracy of the quantile sketch
  double threshold_ngml = 20.0;      ///< concentration for "time above" (lower end of the epilepsy range) [ng/mL]
  int rank = 0;                      ///< this process among `ranks` (MPI); chunk c is computed by rank c % ranks
  int ranks = 1;                     ///< processes sharing the run (> 1 needs a partial_exchange)
  void validate() const;
};

/// One virtual patient.
struct subject_metrics {
  std::uint64_t replicate;
  std::uint64_t subject;
  pk::clonazepam_covariates covariates;
  double cl_lph;        ///< individual clearance [L/h]
  double v1_l;          ///< individual central volume [L]
  double cmax_ngml;     ///< highest concentration on the output grid [ng/mL]
  double cmin_ngml;     ///< lowest concentration in the 24 h before the last dose (trough) [ng/mL]
  double auc_ngml_h;    ///< trapezoidal AUC over the simulated time [ng*h/mL]
  double time_above_h;  ///< time with the concentration above the threshold (linear interpolation) [h]
};

/// Summary statistics of one quantity.
struct statistics {
  double mean, sd, p05, p25, p50, p75, p95;
};

/// One output column summarised at every output time.
struct series_summary {
  std::string name;
  std::vector<statistics> at;  ///< one per output time
};

struct population_result {
  std::vector<double> time_h;
  std::vector<series_summary> series;  ///< the timeline columns (and conc_obs_ngml with residual error)
  std::vector<std::pair<std::string, statistics>> metrics;  ///< cmax_ngml, cmin_ngml, auc_ngml_h, time_above_h
  std::uint64_t n_total;                                    ///< subjects x replicates
  bool quantiles_exact;  ///< exact (R type 7) or the sketch's (relative accuracy alpha)
  double alpha;
  std::vector<std::string> uncertain;  ///< the drug's and the variability model's weak parts
};

/// Moves serialized partial results to rank 0 when a run is split across processes (MPI: cli/mpi_exchange.cpp).
/// The science layers never see the transport. Rank r != 0 sends its chunk partials in increasing chunk order,
/// then its merged sketches once; rank 0 receives the chunks of every rank in global chunk order, then the
/// sketches. The calls come from one thread at a time (not always the same one).
class partial_exchange {
 public:
  virtual ~partial_exchange() = default;
  /// Sends the partial of `chunk` to rank 0 (may block until rank 0 takes it: memory stays bounded).
  virtual void send_chunk(std::size_t chunk, std::vector<std::uint8_t>&& bytes) = 0;
  /// Receives the partial of `chunk` from its owner `from_rank` (blocks).
  virtual std::vector<std::uint8_t> receive_chunk(std::size_t chunk, int from_rank) = 0;
  /// Sends this rank's merged quantile sketches to rank 0.
  virtual void send_sketches(std::vector<std::uint8_t>&& bytes) = 0;
  /// Receives the merged quantile sketches of `from_rank` (blocks).
  virtual std::vector<std::uint8_t> receive_sketches(int from_rank) = 0;
};

/// Receives per-patient rows, in patient order, a chunk at a time (called from one thread at a time).
using subject_sink = std::function<void(std::span<const subject_metrics>)>;
/// Progress: patients done and total (called in order, from one thread at a time).
using progress_sink = std::function<void(std::uint64_t done, std::uint64_t total)>;

/// With o.ranks > 1, `exchange` must be given: every rank computes its chunks, and only rank 0 gets the result
/// (bit-identical to the one-process run with the same options), the rows and the progress; the other ranks
/// return a population_result with n_total only. They never call `rows`, but collect and send the rows only
/// when it is set (set it on every rank or on none).
population_result simulate_population(const scenario& s, const population_model& m, const population_options& o,
                                      const subject_sink& rows = {}, const progress_sink& progress = {},
                                      partial_exchange* exchange = nullptr);

/// A NONMEM-style population job on a linear model, for pure pk questions (the engine's fast path): every
/// patient has the same `records` and the typical parameters of `model`, with log-normal etas on
/// named parameters (P_i = P exp(eta)); the summarised series is the concentration at the observation
/// records, conc = A(output_cmt) / volume x scale.
struct linear_population {
  pk::linear_model model;                   ///< typical values (NONMEM parameter names)
  pk::subject records;                      ///< dose and observation records, the same for every patient
  std::vector<std::string> eta_parameters;  ///< the NONMEM parameter each eta (row of omega) acts on
  pk::omega omega;
  int output_cmt;         ///< compartment whose amount gives the concentration
  std::string volume;     ///< the parameter that divides it (e.g. "V")
  double scale = 1000.0;  ///< mg/L -> ng/mL
  void validate() const;
};

population_result simulate_population(const linear_population& job, const population_options& o,
                                      const subject_sink& rows = {}, const progress_sink& progress = {},
                                      partial_exchange* exchange = nullptr);

/// The names of the summarised series, in output order.
std::vector<std::string> population_series_names(const population_model& m);

}  // namespace benzosim::clinical
