// SPDX-License-Identifier: MIT
#include <benzosim/clinical/population.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <benzosim/core/bytes.hpp>
#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/parallel.hpp>
#include <benzosim/core/random.hpp>
#include <benzosim/core/stats.hpp>

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
  return {&t.conc_ngml,  &t.free_ngml,        &t.occupancy,           &t.net_modulation, &t.tolerance,
          &t.withdrawal, &t.seizure_activity, &t.dsst_impairment_pct, &t.drowsiness_prob};
}
const std::vector<std::string> column_names{"conc_ngml",        "free_ngml",           "occupancy",
                                            "net_modulation",   "tolerance",           "withdrawal",
                                            "seizure_activity", "dsst_impairment_pct", "drowsiness_prob"};

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

/// The shared machinery of every population run. `patient(rep, i, values, row)` fills one patient's series
/// values (values[series * n_times + t]) and per-patient metrics; it is called concurrently from the pool's
/// threads and must only touch its arguments and thread-safe state.
template <class Patient>
population_result run_population(const std::vector<std::string>& names, std::vector<double> time_h,
                                 const population_options& o, const Patient& patient, const subject_sink& rows,
                                 const progress_sink& progress, partial_exchange* exchange) {
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
    std::vector<double> values(n_points);
    // Moments are accumulated per block of `block` patients (two-pass within the block, then one merge):
    // the blocks are fixed by the chunk, so the result does not depend on the thread count.
    constexpr std::size_t block = 32;
    std::vector<double> pending(n_points * block);  // [point][patient in block]
    std::size_t in_block = 0;
    auto flush = [&] {
      for (std::size_t k = 0; k < n_points; ++k) {
        const double* col = &pending[k * block];
        out.series[k].add_block(col, in_block, 1);
        // The block's values of one point go into that point's sketch together: one sketch at a time stays
        // in cache (integer counts: the order of adds does not matter).
        if (sk) {
          for (std::size_t p = 0; p < in_block; ++p) sk->series[k].add(col[p]);
        }
      }
      in_block = 0;
    };
    try {
      for (std::uint64_t i = first; i < last; ++i) {
        subject_metrics row{};
        row.replicate = rep;
        row.subject = i;
        patient(rep, i, values.data(), row);
        for (std::size_t k = 0; k < n_points; ++k) pending[k * block + in_block] = values[k];
        if (++in_block == block) flush();
        if (exact) out.values.insert(out.values.end(), values.begin(), values.end());
        const std::array<double, 4> mv{row.cmax_ngml, row.cmin_ngml, row.auc_ngml_h, row.time_above_h};
        for (std::size_t k = 0; k < mv.size(); ++k) {
          out.metrics[k].add(mv[k]);
          if (sk) sk->metrics[k].add(mv[k]);
          if (exact) out.metric_values.push_back(mv[k]);
        }
        if (rows) out.rows.push_back(row);
      }
      if (in_block > 0) flush();
    } catch (...) {
      if (sk) pool.give_back(sk);
      throw;
    }
    if (sk) pool.give_back(sk);
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

/// Metrics of a concentration series at the given times (see subject_metrics).
void fill_metrics(std::span<const double> time, std::span<const double> c, double last_dose_h, double first_dose_h,
                  double threshold, subject_metrics& m) {
  m.cmax_ngml = *std::max_element(c.begin(), c.end());
  // Cmin: the lowest concentration in the 24 h before the last dose (the steady-state trough of a long
  // regimen, as clinical::summary::css_trough_ngml); 0 for a single dose.
  const double from_h = std::max(first_dose_h, last_dose_h - 24.0);
  double cmin = std::numeric_limits<double>::infinity();
  m.auc_ngml_h = 0.0;
  m.time_above_h = 0.0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (time[i] >= from_h && time[i] <= last_dose_h) cmin = std::min(cmin, c[i]);
    if (i == 0) continue;
    const double dt = time[i] - time[i - 1];
    m.auc_ngml_h += 0.5 * (c[i] + c[i - 1]) * dt;
    const bool a = c[i - 1] > threshold;
    const bool b = c[i] > threshold;
    if (a && b) {
      m.time_above_h += dt;
    } else if (a != b) {  // crossing: linear interpolation
      const double frac = (threshold - c[i - 1]) / (c[i] - c[i - 1]);
      m.time_above_h += a ? frac * dt : (1.0 - frac) * dt;
    }
  }
  m.cmin_ngml = std::isfinite(cmin) && last_dose_h > first_dose_h ? cmin : 0.0;
}

}  // namespace

population_result simulate_population(const scenario& s, const population_model& m, const population_options& o,
                                      const subject_sink& rows, const progress_sink& progress,
                                      partial_exchange* exchange) {
  o.validate();
  m.validate();
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
    row.covariates = pk::sample_covariates(m.covariates, u);
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
    fill_metrics(t.time_h, t.conc_ngml, last_dose, first_dose, o.threshold_ngml, row);
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
  population_result res = run_population(names, std::move(time_h), o, patient, rows, progress, exchange);
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

  auto patient = [&](std::uint64_t rep, std::uint64_t i, double* values, subject_metrics& row) {
    thread_local std::vector<double> z, eta;
    thread_local pk::linear_model m;
    z.resize(sampler.size());
    eta.resize(sampler.size());
    random_stream eta_rs(o.seed, rep, i, etas);
    eta_rs.normals(z);
    sampler.sample(z, eta);
    m = job.model;
    for (std::size_t e = 0; e < eta.size(); ++e) m.params[eta_target[e]] *= std::exp(eta[e]);
    const pk::amounts_table a = pk::simulate(m, job.records);
    const double factor = job.scale / m.params[volume_index];
    for (std::size_t k = 0; k < n_times; ++k) values[k] = a.at(observed[k], job.output_cmt) * factor;
    row.cl_lph = cl_index < m.params.size() ? m.params[cl_index] : 0.0;
    row.v1_l = m.params[volume_index];
    fill_metrics(time_h, std::span<const double>(values, n_times), last_dose, first_dose, o.threshold_ngml, row);
  };
  population_result res = run_population({"conc_ngml"}, time_h, o, patient, rows, progress, exchange);
  for (auto& u : pk::uncertain_parts(job.omega)) res.uncertain.push_back(std::move(u));
  return res;
}

}  // namespace benzosim::clinical
