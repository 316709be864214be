// SPDX-License-Identifier: MIT
#include <benzosim/clinical/population.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <benzosim/core/bytes.hpp>
#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/parallel.hpp>
#include <benzosim/core/random.hpp>
#include <benzosim/core/simd.hpp>
#include <benzosim/core/stats.hpp>
#include <benzosim/pk/batch.hpp>

namespace benzosim::clinical {
namespace {

/// The independent uses of randomness per subject (the `purpose` of a random_stream).
enum purpose : std::uint64_t { covariates = 1, etas = 2, residual = 3, typical_values = 4 };
/// The `subject` key of the replicate-level stream (parameter uncertainty): no real subject has it.
constexpr std::uint64_t replicate_stream = std::numeric_limits<std::uint64_t>::max();

constexpr std::array<double, 5> probabilities{0.05, 0.25, 0.50, 0.75, 0.95};
const std::array<const char*, 4> metric_names{"cmax_ngml", "cmin_ngml", "auc_ngml_h", "time_above_h"};

/// The timeline columns that are summarised, in order (time_h is the grid itself).
std::vector<const std::vector<double>*> columns(const timeline& t) {
  return {&t.conc_ngml,          &t.free_ngml,        &t.occupancy,           &t.net_modulation,  &t.tolerance,
          &t.withdrawal,         &t.seizure_activity, &t.dsst_impairment_pct, &t.drowsiness_prob, &t.net_sedative,
          &t.net_anticonvulsant, &t.net_anxiolytic,   &t.net_amnesic};
}
const std::vector<std::string> column_names{
    "conc_ngml",          "free_ngml",        "occupancy",           "net_modulation",  "tolerance",
    "withdrawal",         "seizure_activity", "dsst_impairment_pct", "drowsiness_prob", "net_sedative",
    "net_anticonvulsant", "net_anxiolytic",   "net_amnesic"};

/// What a chunk of patients produces: floating-point moments (merged in chunk order), and in exact mode the
/// raw values (concatenated in chunk order); rows for the sink.
struct chunk_result {
  std::vector<running_moments> series;   // [series * n_times + t]
  std::vector<running_moments> metrics;  // [metric]
  std::vector<double> values;            // exact mode: [subject][series][t]
  std::vector<double> metric_values;     // exact mode: [subject][metric]
  std::vector<subject_metrics> rows;
};

/// Quantile sketches: integer counts, so their merge does not depend on order; one set per thread.
struct sketch_set {
  std::vector<quantile_sketch> series;
  std::vector<quantile_sketch> metrics;
};

class sketch_pool {
 public:
  sketch_pool(std::size_t n_series_points, double alpha) : n_(n_series_points), alpha_(alpha) {}
  sketch_set* take() {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      sketch_set* s = free_.back();
      free_.pop_back();
      return s;
    }
    auto s = std::make_unique<sketch_set>();
    s->series.assign(n_, quantile_sketch(alpha_));
    s->metrics.assign(metric_names.size(), quantile_sketch(alpha_));
    all_.push_back(std::move(s));
    return all_.back().get();
  }
  void give_back(sketch_set* s) {
    std::lock_guard lock(mutex_);
    free_.push_back(s);
  }
  /// All sets merged (order-independent: integer counts).
  sketch_set merged() const {
    sketch_set out;
    out.series.assign(n_, quantile_sketch(alpha_));
    out.metrics.assign(metric_names.size(), quantile_sketch(alpha_));
    for (const auto& s : all_) {
      for (std::size_t k = 0; k < n_; ++k) out.series[k].merge(s->series[k]);
      for (std::size_t k = 0; k < out.metrics.size(); ++k) out.metrics[k].merge(s->metrics[k]);
    }
    return out;
  }

 private:
  std::size_t n_;
  double alpha_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<sketch_set>> all_;
  std::vector<sketch_set*> free_;
};

// Serialization of the partials for a run split across ranks (same binary on every rank: native layout).
static_assert(std::is_trivially_copyable_v<subject_metrics>);

std::vector<std::uint8_t> to_bytes(std::size_t c, const chunk_result& r) {
  byte_writer w;
  w.put(static_cast<std::uint64_t>(c));
  w.put(static_cast<std::uint64_t>(r.series.size()));
  for (const auto& m : r.series) m.write(w);
  w.put(static_cast<std::uint64_t>(r.metrics.size()));
  for (const auto& m : r.metrics) m.write(w);
  w.put_span(std::span<const double>(r.values));
  w.put_span(std::span<const double>(r.metric_values));
  w.put_span(std::span<const subject_metrics>(r.rows));
  return std::move(w).take();
}

chunk_result chunk_from_bytes(std::size_t c, const std::vector<std::uint8_t>& bytes) {
  byte_reader in(bytes);
  chunk_result r;
  if (in.get<std::uint64_t>() != c) throw internal_error("population: chunk partials arrived out of order");
  r.series.resize(static_cast<std::size_t>(in.get<std::uint64_t>()));
  for (auto& m : r.series) m = running_moments::read(in);
  r.metrics.resize(static_cast<std::size_t>(in.get<std::uint64_t>()));
  for (auto& m : r.metrics) m = running_moments::read(in);
  r.values = in.get_vector<double>();
  r.metric_values = in.get_vector<double>();
  r.rows = in.get_vector<subject_metrics>();
  if (!in.done()) throw internal_error("population: trailing bytes in a chunk partial");
  return r;
}

std::vector<std::uint8_t> to_bytes(const sketch_set& s) {
  byte_writer w;
  w.put(static_cast<std::uint64_t>(s.series.size()));
  for (const auto& k : s.series) k.write(w);
  w.put(static_cast<std::uint64_t>(s.metrics.size()));
  for (const auto& k : s.metrics) k.write(w);
  return std::move(w).take();
}

sketch_set sketches_from_bytes(const std::vector<std::uint8_t>& bytes) {
  byte_reader in(bytes);
  sketch_set s;
  const auto n_series = static_cast<std::size_t>(in.get<std::uint64_t>());
  s.series.reserve(n_series);
  for (std::size_t k = 0; k < n_series; ++k) s.series.push_back(quantile_sketch::read(in));
  const auto n_metrics = static_cast<std::size_t>(in.get<std::uint64_t>());
  s.metrics.reserve(n_metrics);
  for (std::size_t k = 0; k < n_metrics; ++k) s.metrics.push_back(quantile_sketch::read(in));
  if (!in.done()) throw internal_error("population: trailing bytes in a sketch partial");
  return s;
}

statistics from(const running_moments& m, const std::array<double, 5>& q) {
  return {m.mean(), m.count() > 1 ? m.sd() : 0.0, q[0], q[1], q[2], q[3], q[4]};
}

}  // namespace

void population_model::validate() const {
  omega.validate();
  etas.validate(omega.size());
  covariates.validate();
  covariate_effects.validate();
  if (residual) residual->validate();
  if (uncertainty) uncertainty->validate();
  if (covariate_table) covariate_table->validate();
}

population_model population_model::clonazepam_default() {
  population_model m;
  m.omega = pk::clonazepam_omega_preset();
  m.etas = pk::eta_map::from_names(m.omega);
  m.covariates = pk::adult_outpatient_population();
  m.covariate_effects = pk::clonazepam_covariate_preset();
  return m;
}

void population_options::validate() const {
  require_in_range("population.subjects", static_cast<double>(subjects), "", 1.0, 1e9);
  require_in_range("population.replicates", replicates, "", 1.0, 1e4);
  require_in_range("population.threads", threads, "", 0.0, 1024.0);
  require_in_range("population.chunk_size", static_cast<double>(chunk_size), "", 1.0, 1e6);
  require_in_range("population.alpha", alpha, "", 1e-6, 0.5);
  require_non_negative("population.threshold", threshold_ngml, "ng/mL");
  require_in_range("population.ranks", ranks, "", 1.0, 1e6);
  require_in_range("population.rank", rank, "", 0.0, static_cast<double>(ranks - 1));
}

std::vector<std::string> population_series_names(const population_model& m) {
  auto names = column_names;
  if (m.residual) names.emplace_back("conc_obs_ngml");
  return names;
}

namespace {

/// Patients are simulated and summarised in blocks of this many: the unit of the moment sums (two-pass within
/// a block, then one merge), fixed by the chunk, so it is part of the result and never depends on the threads.
constexpr std::size_t block_size = 32;

/// What the per-patient metrics need to know about the output grid (see subject_metrics).
struct metric_plan {
  std::vector<double> dt;        ///< dt[k] = time[k] - time[k - 1] (dt[0] unused)
  std::size_t trough_first = 0;  ///< the output times of the Cmin window: [trough_first, trough_last)
  std::size_t trough_last = 0;
  bool has_trough = false;  ///< false for a single dose: Cmin is 0
  double threshold = 0.0;   ///< [ng/mL]

  metric_plan(const std::vector<double>& time, double first_dose_h, double last_dose_h, double threshold_ngml)
      : dt(time.size(), 0.0), threshold(threshold_ngml) {
    for (std::size_t k = 1; k < time.size(); ++k) dt[k] = time[k] - time[k - 1];
    // Cmin: the lowest concentration in the 24 h before the last dose (the steady-state trough of a long
    // regimen, as clinical::summary::css_trough_ngml); 0 for a single dose.
    const double from_h = std::max(first_dose_h, last_dose_h - 24.0);
    trough_first = time.size();
    for (std::size_t k = 0; k < time.size(); ++k) {
      if (time[k] >= from_h && time[k] <= last_dose_h) {
        trough_first = std::min(trough_first, k);
        trough_last = k + 1;
      }
    }
    has_trough = trough_last > trough_first && last_dose_h > first_dose_h;
  }

  /// The metrics of `n` patients from their concentrations, point-major: c[k * ld + p] at output time k, with
  /// ld a multiple of 4 and >= n (spare columns are read, not reported). Four patients at a time in two
  /// register pairs, their running values kept in registers over the output times (two independent chains
  /// hide the latency of the additions); per patient the arithmetic is that of a loop over its own series,
  /// in the same order (the tests compare it with such a loop).
  void fill(const double* c, std::size_t n, std::size_t ld, subject_metrics* rows) const {
    using simd::v2d;
    using simd::v2mask;
    const std::size_t n_times = dt.size();
    const v2d thr = simd::splat2(threshold);
    const v2d half = simd::splat2(0.5);
    const v2d zero = simd::splat2(0.0);
    struct lanes {
      v2d prev, cmax, cmin, auc, above;
      v2mask prev_above;  // prev > threshold
      v2mask crossed;     // some interval had one end above the threshold and the other not
    };
    auto start = [&](const double* first) {
      const v2d x = simd::load2(first);
      const bool in_trough = trough_first == 0 && trough_last > 0;
      return lanes{x,           x,    in_trough ? x : simd::splat2(std::numeric_limits<double>::infinity()),
                   zero,        zero, x > thr,
                   v2mask{0, 0}};
    };
    auto step = [&](lanes& l, const v2d cur, const v2d h, bool in_trough) {
      l.cmax = cur > l.cmax ? cur : l.cmax;
      if (in_trough) l.cmin = cur < l.cmin ? cur : l.cmin;
      l.auc += half * (cur + l.prev) * h;
      const v2mask cur_above = cur > thr;
      // Whole intervals above the threshold; the vector casts reinterpret bits (a mask selects h or +0).
      l.above += reinterpret_cast<v2d>(reinterpret_cast<v2mask>(h) & (l.prev_above & cur_above));
      l.crossed |= l.prev_above ^ cur_above;
      l.prev_above = cur_above;
      l.prev = cur;
    };
    // A patient who crossed the threshold: the time above again, interval by interval in order, with the part
    // of each crossed interval by linear interpolation (few patients cross, so this scalar pass is rare).
    auto time_above = [&](std::size_t p) {
      double above = 0.0;
      for (std::size_t k = 1; k < n_times; ++k) {
        const double x0 = c[(k - 1) * ld + p];
        const double x1 = c[k * ld + p];
        const bool a = x0 > threshold;
        const bool b = x1 > threshold;
        if (a && b) {
          above += dt[k];
        } else if (a != b) {
          const double frac = (threshold - x0) / (x1 - x0);
          above += a ? frac * dt[k] : (1.0 - frac) * dt[k];
        }
      }
      return above;
    };
    auto report = [&](const lanes& l, std::size_t p) {
      for (std::size_t j = 0; j < 2 && p + j < n; ++j) {
        rows[p + j].cmax_ngml = l.cmax[j];
        rows[p + j].cmin_ngml = has_trough ? l.cmin[j] : 0.0;
        rows[p + j].auc_ngml_h = l.auc[j];
        rows[p + j].time_above_h = l.crossed[j] != 0 ? time_above(p + j) : l.above[j];
      }
    };
    for (std::size_t p = 0; p < n; p += 4) {
      lanes a = start(c + p);
      lanes b = start(c + p + 2);
      for (std::size_t k = 1; k < n_times; ++k) {
        const double* row = c + k * ld + p;
        const v2d h = simd::splat2(dt[k]);
        const bool in_trough = k >= trough_first && k < trough_last;
        step(a, simd::load2(row), h, in_trough);
        step(b, simd::load2(row + 2), h, in_trough);
      }
      report(a, p);
      report(b, p + 2);
    }
  }
};

/// The shared machinery of every population run. `block(rep, first, n, values, ld, rows)` simulates the
/// patients first .. first + n - 1 (n <= block_size) of replicate rep: values[point * ld + p] for point =
/// series * n_times + t (point-major, so that each output time's statistics read one contiguous column),
/// and rows[p] except the metrics, which are computed here from series 0 (the concentration in ng/mL). It is
/// called concurrently from the pool's threads and must only touch its arguments and thread-safe state.
template <class Block>
population_result run_population(const std::vector<std::string>& names, std::vector<double> time_h,
                                 const metric_plan& plan, const population_options& o, const Block& block,
                                 const subject_sink& rows, const progress_sink& progress, partial_exchange* exchange) {
  if (o.ranks > 1 && exchange == nullptr) {
    throw internal_error("population: a run over " + std::to_string(o.ranks) + " ranks needs a partial_exchange");
  }
  const std::size_t n_series = names.size();
  const std::size_t n_times = time_h.size();
  const std::uint64_t per_rep = o.subjects;
  const std::uint64_t n_total = per_rep * static_cast<std::uint64_t>(o.replicates);
  const bool exact = n_total <= o.exact_limit;
  const std::uint64_t chunk = o.chunk_size;
  const std::uint64_t chunks_per_rep = (per_rep + chunk - 1) / chunk;
  const std::size_t n_chunks = static_cast<std::size_t>(chunks_per_rep) * static_cast<std::size_t>(o.replicates);

  sketch_pool pool(n_series * n_times, o.alpha);
  std::vector<running_moments> total_series(n_series * n_times);
  std::vector<running_moments> total_metrics(metric_names.size());
  std::vector<double> all_values;
  std::vector<double> all_metric_values;
  std::uint64_t done = 0;

  auto make = [&](std::size_t c) {
    const auto rep = static_cast<std::uint64_t>(c) / chunks_per_rep;
    const std::uint64_t first = (static_cast<std::uint64_t>(c) % chunks_per_rep) * chunk;
    const std::uint64_t last = std::min(per_rep, first + chunk);
    chunk_result out;
    out.series.resize(n_series * n_times);
    out.metrics.resize(metric_names.size());
    sketch_set* sk = exact ? nullptr : pool.take();
    const std::size_t n_points = n_series * n_times;
    // Per-thread scratch, reused across chunks: a block of patients' values, point-major, and their rows.
    thread_local std::vector<double> values;
    values.resize(n_points * block_size);
    std::array<subject_metrics, block_size> block_rows{};
    // Mean and SD per point: one pass per block into shifted sums, turned into moments at the end of the chunk.
    thread_local std::vector<shifted_sums> sums;
    sums.assign(n_points, shifted_sums{});
    try {
      for (std::uint64_t i = first; i < last; i += block_size) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(block_size, last - i));
        for (std::size_t p = 0; p < n; ++p) {
          block_rows[p] = subject_metrics{};
          block_rows[p].replicate = rep;
          block_rows[p].subject = i + p;
        }
        block(rep, i, n, values.data(), block_size, block_rows.data());
        plan.fill(values.data(), n, block_size, block_rows.data());
        for (std::size_t k = 0; k < n_points; ++k) {
          const double* col = &values[k * block_size];
          sums[k].add_block(col, n);
          // One point's sketch takes the block's values together, so one sketch at a time is in cache
          // (integer counts: the order of adds does not matter).
          if (sk) sk->series[k].add_block(col, n);
        }
        for (std::size_t p = 0; p < n; ++p) {
          const subject_metrics& row = block_rows[p];
          if (exact) {
            for (std::size_t k = 0; k < n_points; ++k) out.values.push_back(values[k * block_size + p]);
          }
          const std::array<double, 4> mv{row.cmax_ngml, row.cmin_ngml, row.auc_ngml_h, row.time_above_h};
          for (std::size_t k = 0; k < mv.size(); ++k) {
            out.metrics[k].add(mv[k]);
            if (sk) sk->metrics[k].add(mv[k]);
            if (exact) out.metric_values.push_back(mv[k]);
          }
          if (rows) out.rows.push_back(row);
        }
      }
    } catch (...) {
      if (sk) pool.give_back(sk);
      throw;
    }
    if (sk) pool.give_back(sk);
    for (std::size_t k = 0; k < n_points; ++k) out.series[k] = sums[k].moments();
    return out;
  };
  auto consume = [&](std::size_t, chunk_result&& r) {
    for (std::size_t k = 0; k < total_series.size(); ++k) total_series[k].merge(r.series[k]);
    for (std::size_t k = 0; k < total_metrics.size(); ++k) total_metrics[k].merge(r.metrics[k]);
    if (exact) {
      all_values.insert(all_values.end(), r.values.begin(), r.values.end());
      all_metric_values.insert(all_metric_values.end(), r.metric_values.begin(), r.metric_values.end());
    }
    if (rows && !r.rows.empty()) rows(r.rows);
    done += r.metrics.empty() ? 0 : r.metrics[0].count();
    if (progress) progress(done, n_total);
  };
  const auto ranks = static_cast<std::size_t>(o.ranks);
  const auto rank = static_cast<std::size_t>(o.rank);
  // This rank's chunks: rank, rank + ranks, ... (all of them with one rank).
  const std::size_t n_local = rank < n_chunks ? (n_chunks - rank + ranks - 1) / ranks : 0;
  auto make_local = [&](std::size_t j) { return make(rank + j * ranks); };
  if (ranks == 1) {
    run_chunks_ordered(n_chunks, resolve_threads(o.threads), make_local, consume);
  } else if (rank != 0) {
    run_chunks_ordered(n_local, resolve_threads(o.threads), make_local, [&](std::size_t j, chunk_result&& r) {
      exchange->send_chunk(rank + j * ranks, to_bytes(rank + j * ranks, r));
    });
    if (!exact) exchange->send_sketches(to_bytes(pool.merged()));
    population_result res;
    res.n_total = n_total;
    res.quantiles_exact = exact;
    res.alpha = o.alpha;
    res.time_h = std::move(time_h);
    return res;
  } else {
    // Rank 0 consumes every chunk in global order: before its own chunk c, the other ranks' chunks below c.
    std::size_t next = 0;
    auto receive_until = [&](std::size_t end) {
      for (; next < end; ++next) {
        if (next % ranks == 0) continue;
        const int from_rank = static_cast<int>(next % ranks);
        consume(next, chunk_from_bytes(next, exchange->receive_chunk(next, from_rank)));
      }
    };
    run_chunks_ordered(n_local, resolve_threads(o.threads), make_local, [&](std::size_t j, chunk_result&& r) {
      const std::size_t c = j * ranks;
      receive_until(c);
      consume(c, std::move(r));
      next = c + 1;
    });
    receive_until(n_chunks);
  }

  population_result res;
  res.n_total = n_total;
  res.quantiles_exact = exact;
  res.alpha = o.alpha;
  res.time_h = std::move(time_h);

  sketch_set sketches = exact ? sketch_set{} : pool.merged();
  if (!exact) {  // integer counts: the order of these merges does not matter
    for (int from = 1; from < o.ranks; ++from) {
      const sketch_set other = sketches_from_bytes(exchange->receive_sketches(from));
      if (other.series.size() != sketches.series.size() || other.metrics.size() != sketches.metrics.size()) {
        throw internal_error("population: rank " + std::to_string(from) + " sent sketches of another shape");
      }
      for (std::size_t k = 0; k < other.series.size(); ++k) sketches.series[k].merge(other.series[k]);
      for (std::size_t k = 0; k < other.metrics.size(); ++k) sketches.metrics[k].merge(other.metrics[k]);
    }
  }
  std::vector<double> buffer;
  auto exact_q = [&](std::vector<double>& v) {
    std::array<double, 5> q{};
    for (std::size_t j = 0; j < probabilities.size(); ++j) q[j] = exact_quantile(v, probabilities[j]);
    return q;
  };
  auto sketch_q = [&](const quantile_sketch& sk) {
    std::array<double, 5> q{};
    for (std::size_t j = 0; j < probabilities.size(); ++j) q[j] = sk.quantile(probabilities[j]);
    return q;
  };
  const std::size_t per_subject = n_series * n_times;
  for (std::size_t sidx = 0; sidx < n_series; ++sidx) {
    series_summary ss{names[sidx], {}};
    ss.at.reserve(n_times);
    for (std::size_t k = 0; k < n_times; ++k) {
      const std::size_t idx = sidx * n_times + k;
      std::array<double, 5> q{};
      if (exact) {
        buffer.clear();
        for (std::uint64_t subj = 0; subj < n_total; ++subj) buffer.push_back(all_values[subj * per_subject + idx]);
        q = exact_q(buffer);
      } else {
        q = sketch_q(sketches.series[idx]);
      }
      ss.at.push_back(from(total_series[idx], q));
    }
    res.series.push_back(std::move(ss));
  }
  for (std::size_t k = 0; k < metric_names.size(); ++k) {
    std::array<double, 5> q{};
    if (exact) {
      buffer.clear();
      for (std::uint64_t subj = 0; subj < n_total; ++subj) {
        buffer.push_back(all_metric_values[subj * metric_names.size() + k]);
      }
      q = exact_q(buffer);
    } else {
      q = sketch_q(sketches.metrics[k]);
    }
    res.metrics.emplace_back(metric_names[k], from(total_metrics[k], q));
  }
  return res;
}

}  // namespace

population_result simulate_population(const scenario& s, const population_model& m, const population_options& o,
                                      const subject_sink& rows, const progress_sink& progress,
                                      partial_exchange* exchange) {
  o.validate();
  m.validate();
  if (m.covariate_table && m.covariate_table->draw == pk::covariate_draw::in_order &&
      o.subjects > m.covariate_table->size()) {
    // Checked before any patient is simulated, so a run that would fail at patient rows + 1 fails at once.
    const std::string n_rows = std::to_string(m.covariate_table->size());
    throw invalid_parameter("population.subjects", static_cast<double>(o.subjects),
                            "population: " + std::to_string(o.subjects) +
                                " patients per replicate, but the covariate table " + m.covariate_table->source +
                                " has " + n_rows + " rows; with draw = in_order each patient takes its own " +
                                "row, so the run can have at most " + n_rows + " patients (or use draw = resample)");
  }
  const prepared_scenario prep(s);
  // The drug file is the one source of the reference weight and the clearance exponent.
  pk::clonazepam_covariate_params effects = m.covariate_effects;
  effects.ref_weight_kg = s.drug.reference_weight_kg;
  effects.allometric_cl = s.drug.allometric_exponent_cl;
  effects.validate();
  const pk::eta_sampler sampler(m.omega);
  const auto names = population_series_names(m);
  const std::size_t n_series = names.size();
  const auto n_times = static_cast<std::size_t>(std::floor(s.duration_h / s.output_step_h * (1.0 + 1e-12) + 1e-9)) + 1;
  std::vector<double> time_h(n_times);
  for (std::size_t k = 0; k < n_times; ++k) time_h[k] = static_cast<double>(k) * s.output_step_h;

  // Typical values per replicate (parameter uncertainty), drawn once from the replicate's own stream.
  std::vector<pk::two_compartment_oral> typical(static_cast<std::size_t>(o.replicates), s.drug.pk);
  if (m.uncertainty) {
    for (int r = 0; r < o.replicates; ++r) {
      random_stream rs(o.seed, static_cast<std::uint64_t>(r), replicate_stream, typical_values);
      std::array<double, pk::theta_draw_count> z{};
      rs.normals(z);
      typical[static_cast<std::size_t>(r)] = pk::perturb_typical(s.drug.pk, *m.uncertainty, z);
    }
  }
  const double first_dose = s.regimen.doses.front().time_h;
  const double last_dose = s.regimen.doses.back().time_h;

  auto patient = [&](std::uint64_t rep, std::uint64_t i, double* values, subject_metrics& row) {
    std::array<double, pk::covariate_uniform_count> u{};
    random_stream cov_rs(o.seed, rep, i, covariates);
    for (auto& x : u) x = cov_rs.uniform();
    // A table uses u[0] only (resample). The etas and residuals have streams of their own, so a patient's
    // etas are the same whichever source the covariates come from.
    row.covariates = m.covariate_table ? pk::covariates_from_table(*m.covariate_table, i, u[0])
                                       : pk::sample_covariates(m.covariates, u);
    std::vector<double> z(sampler.size()), eta(sampler.size());
    random_stream eta_rs(o.seed, rep, i, etas);
    eta_rs.normals(z);
    sampler.sample(z, eta);
    const auto indiv =
        pk::individual_parameters(typical[static_cast<std::size_t>(rep)], effects, row.covariates, eta, m.etas);
    row.cl_lph = indiv.cl_lph;
    row.v1_l = indiv.v1_l;
    const timeline t = prep.run(indiv);
    if (t.time_h.size() != n_times) throw internal_error("population: unexpected number of output times");
    const auto cols = columns(t);
    for (std::size_t sidx = 0; sidx < cols.size(); ++sidx) {
      std::copy(cols[sidx]->begin(), cols[sidx]->end(), values + sidx * n_times);
    }
    if (m.residual) {
      random_stream res_rs(o.seed, rep, i, residual);
      std::vector<double> eps(2 * n_times);
      res_rs.normals(eps);
      double* obs = values + (n_series - 1) * n_times;
      for (std::size_t k = 0; k < n_times; ++k) obs[k] = m.residual->apply(t.conc_ngml[k], eps[2 * k], eps[2 * k + 1]);
    }
  };
  // The metrics use the timeline's own output times (the same for every patient: one grid).
  const metric_plan plan(prep.run(typical.front()).time_h, first_dose, last_dose, o.threshold_ngml);
  // One patient at a time (a timeline is far costlier than the copy), scattered into the block's columns.
  auto block = [&](std::uint64_t rep, std::uint64_t first, std::size_t n, double* values, std::size_t ld,
                   subject_metrics* block_rows) {
    thread_local std::vector<double> one;
    one.resize(n_series * n_times);
    for (std::size_t p = 0; p < n; ++p) {
      patient(rep, first + p, one.data(), block_rows[p]);
      for (std::size_t k = 0; k < one.size(); ++k) values[k * ld + p] = one[k];
    }
  };
  population_result res = run_population(names, std::move(time_h), plan, o, block, rows, progress, exchange);
  res.uncertain = s.drug.uncertain;
  for (auto& u : pk::uncertain_parts(effects)) res.uncertain.push_back(std::move(u));
  for (auto& u : pk::uncertain_parts(m.omega)) res.uncertain.push_back(std::move(u));
  return res;
}

void linear_population::validate() const {
  model.validate();
  omega.validate();
  if (eta_parameters.size() != omega.size()) {
    throw invalid_parameter("eta_parameters", static_cast<double>(eta_parameters.size()),
                            "population: " + std::to_string(eta_parameters.size()) +
                                " eta parameters for an OMEGA of " + std::to_string(omega.size()) + " rows");
  }
  for (const auto& name : eta_parameters) (void)model.param(name);  // throws for an unknown name
  (void)model.param(volume);
  require_in_range("output_cmt", output_cmt, "", 1.0, pk::compartment_count(model.structure));
  require_positive("scale", scale, "");
  bool any_observation = false;
  for (const auto& r : records.records) any_observation |= r.kind == pk::event_kind::observation;
  if (!any_observation) throw invalid_parameter("records", 0.0, "population: the records have no observation");
}

population_result simulate_population(const linear_population& job, const population_options& o,
                                      const subject_sink& rows, const progress_sink& progress,
                                      partial_exchange* exchange) {
  o.validate();
  job.validate();
  const pk::eta_sampler sampler(job.omega);
  const auto param_names = pk::parameter_names(job.model.structure);
  auto index_of = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(param_names.begin(), param_names.end(), name) - param_names.begin());
  };
  std::vector<std::size_t> eta_target;
  for (const auto& name : job.eta_parameters) eta_target.push_back(index_of(name));
  const std::size_t volume_index = index_of(job.volume);
  const std::size_t cl_index = index_of("CL");

  std::vector<std::size_t> observed;
  std::vector<double> time_h;
  double first_dose = std::numeric_limits<double>::infinity();
  double last_dose = -std::numeric_limits<double>::infinity();
  for (std::size_t r = 0; r < job.records.records.size(); ++r) {
    const auto& rec = job.records.records[r];
    if (rec.kind == pk::event_kind::observation) {
      observed.push_back(r);
      time_h.push_back(rec.time_h);
    } else if (rec.kind == pk::event_kind::dose || rec.kind == pk::event_kind::reset_and_dose) {
      first_dose = std::min(first_dose, rec.time_h);
      last_dose = std::max(last_dose, rec.time_h + static_cast<double>(rec.addl) * rec.ii_h);
    }
  }
  if (!std::isfinite(first_dose)) first_dose = last_dose = 0.0;
  const std::size_t n_times = time_h.size();

  const std::size_t n_params = param_names.size();
  // Each patient's parameters: the typical values times exp(eta) on the named ones.
  auto parameters = [&](std::uint64_t rep, std::uint64_t i, double* p) {
    thread_local std::vector<double> z, eta;
    z.resize(sampler.size());
    eta.resize(sampler.size());
    random_stream eta_rs(o.seed, rep, i, etas);
    eta_rs.normals(z);
    sampler.sample(z, eta);
    std::copy(job.model.params.begin(), job.model.params.end(), p);
    for (std::size_t e = 0; e < eta.size(); ++e) p[eta_target[e]] *= std::exp(eta[e]);
  };
  // The patients share their records, so the batch engine replays one schedule for a block of them side by
  // side (the same results as pk::simulate per patient); records with a reset or a steady state need each
  // patient's own propagators and take the engine per patient.
  std::optional<pk::linear_batch> batch;
  if (pk::linear_batch::supports(job.records)) batch.emplace(job.model.structure, job.model.modifiers, job.records);
  auto block = [&](std::uint64_t rep, std::uint64_t first, std::size_t n, double* values, std::size_t ld,
                   subject_metrics* block_rows) {
    thread_local std::vector<double> params;
    params.resize(n * n_params);
    for (std::size_t p = 0; p < n; ++p) parameters(rep, first + p, &params[p * n_params]);
    if (batch) {
      thread_local pk::linear_batch::workspace ws;
      batch->run(params.data(), n, job.output_cmt, values, ld, ws);
    } else {
      thread_local pk::linear_model m;
      m = job.model;
      for (std::size_t p = 0; p < n; ++p) {
        std::copy_n(&params[p * n_params], n_params, m.params.begin());
        const pk::amounts_table a = pk::simulate(m, job.records);
        for (std::size_t k = 0; k < n_times; ++k) values[k * ld + p] = a.at(observed[k], job.output_cmt);
      }
    }
    // Amount [mg] -> concentration: x scale / V, patient by patient (the same product as per patient).
    std::array<double, block_size> factor{};
    for (std::size_t p = 0; p < n; ++p) {
      const double* pp = &params[p * n_params];
      factor[p] = job.scale / pp[volume_index];
      block_rows[p].cl_lph = cl_index < n_params ? pp[cl_index] : 0.0;
      block_rows[p].v1_l = pp[volume_index];
    }
    for (std::size_t k = 0; k < n_times; ++k) {
      double* col = values + k * ld;
      for (std::size_t p = 0; p < n; ++p) col[p] *= factor[p];
    }
  };
  const metric_plan plan(time_h, first_dose, last_dose, o.threshold_ngml);
  population_result res = run_population({"conc_ngml"}, time_h, plan, o, block, rows, progress, exchange);
  for (auto& u : pk::uncertain_parts(job.omega)) res.uncertain.push_back(std::move(u));
  return res;
}

}  // namespace benzosim::clinical
