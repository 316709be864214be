// SPDX-License-Identifier: MIT
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/clinical/population.hpp>
#include <benzosim/core/error.hpp>

namespace {

using namespace benzosim;

// One-compartment i.v. bolus of 100 mg, CL 2 L/h, V 10 L, 30 % log-normal variability on CL:
// C_i(t) = 100 / 10 * exp(-CL_i / V t) * 1000 ng/mL. The median over patients is the typical curve (the
// median eta is 0 and C is monotone in eta); the mean is E[C(t)] = integral of C over the normal density.
clinical::linear_population iv_job(const std::vector<double>& times) {
  clinical::linear_population job;
  job.model = {pk::linear_structure::one_cmt_iv, {2.0, 10.0}, {}};
  job.records.records.push_back({.time_h = 0.0, .kind = pk::event_kind::dose, .amount = 100.0, .cmt = 1, .row = 1});
  for (double t : times) job.records.records.push_back({.time_h = t, .row = job.records.records.size() + 1});
  job.eta_parameters = {"CL"};
  job.omega = {{"CL"}, {std::log(1.0 + 0.3 * 0.3)}};
  job.output_cmt = 1;
  job.volume = "V";
  return job;
}

double expected_mean(double t, double omega2) {
  // Gauss-Hermite-free: trapezoid over eta in [-8 sd, 8 sd], fine enough for 1e-9.
  const double sd = std::sqrt(omega2);
  double sum = 0;
  const int n = 20000;
  const double h = 16.0 * sd / n;
  for (int k = 0; k <= n; ++k) {
    const double eta = -8.0 * sd + k * h;
    const double w = (k == 0 || k == n) ? 0.5 : 1.0;
    sum += w * 1e4 * std::exp(-0.2 * std::exp(eta) * t) * std::exp(-eta * eta / (2 * omega2));
  }
  return sum * h / std::sqrt(2 * M_PI * omega2);
}

TEST(population_linear, median_and_mean_match_closed_forms) {
  const std::vector<double> times{1, 2, 4, 8, 12};
  auto job = iv_job(times);
  clinical::population_options o;
  o.subjects = 20000;
  o.exact_limit = 0;  // the sketch
  const auto r = clinical::simulate_population(job, o);
  ASSERT_EQ(r.series.size(), 1u);
  ASSERT_EQ(r.time_h, times);
  const double omega2 = job.omega.at(0, 0);
  for (std::size_t k = 0; k < times.size(); ++k) {
    const double t = times[k];
    const auto& s = r.series[0].at[k];
    const double typical = 1e4 * std::exp(-0.2 * t);
    // Median: sketch accuracy (0.5 %) plus the sampling error of a median (about 1.25 sd / sqrt(n) in eta).
    EXPECT_NEAR(s.p50, typical, 0.02 * typical) << t;
    const double mean = expected_mean(t, omega2);
    EXPECT_NEAR(s.mean, mean, 4 * s.sd / std::sqrt(20000.0)) << t;
    EXPECT_LT(s.p05, s.p25);
    EXPECT_LT(s.p75, s.p95);
  }
}

// The per-patient metrics, checked patient by patient against the closed form: one-compartment oral,
// 0.45 mg every 8 h x 6 (one record with ADDL = 5), outputs every 0.5 h to 60 h; each patient's CL and V
// come back in its row, and its Bateman curve gives the reference series. The threshold lies between the
// troughs and peaks, so most patients cross it several times (the interpolated intervals are exercised).
TEST(population_linear, per_patient_metrics_match_the_closed_form_series) {
  clinical::linear_population job;
  const double ka = 1.5;
  job.model = {pk::linear_structure::one_cmt_oral, {4.5, 200.0, ka}, {}};
  job.records.records.push_back(
      {.time_h = 0.0, .kind = pk::event_kind::dose, .amount = 0.45, .cmt = 1, .ii_h = 8.0, .addl = 5, .row = 1});
  std::vector<double> times;
  for (int k = 0; k <= 120; ++k) times.push_back(0.5 * k);
  for (double t : times) job.records.records.push_back({.time_h = t, .row = job.records.records.size() + 1});
  job.eta_parameters = {"CL", "V"};
  job.omega = {{"CL", "V"}, {0.09, 0.02, 0.02, 0.09}};
  job.output_cmt = 2;
  job.volume = "V";
  clinical::population_options o;
  o.subjects = 300;
  o.chunk_size = 100;  // blocks of 32 that do not divide the chunk: partial blocks are exercised
  o.threshold_ngml = 1.6;
  o.threads = 2;
  std::vector<clinical::subject_metrics> rows;
  (void)clinical::simulate_population(
      job, o, [&](std::span<const clinical::subject_metrics> r) { rows.insert(rows.end(), r.begin(), r.end()); });
  ASSERT_EQ(rows.size(), 300u);
  int crossing_patients = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    ASSERT_EQ(row.subject, i);
    const double k = row.cl_lph / row.v1_l;
    std::vector<double> c;
    for (double t : times) {
      double sum = 0;
      for (int d = 0; d <= 5 && 8.0 * d <= t; ++d) {
        const double u = t - 8.0 * d;
        sum += 0.45 * ka / (row.v1_l * (ka - k)) * (std::exp(-k * u) - std::exp(-ka * u));
      }
      c.push_back(1000.0 * sum);
    }
    double cmax = 0, cmin = 1e300, auc = 0, above = 0;
    int crossings = 0;
    for (std::size_t j = 0; j < c.size(); ++j) {
      cmax = std::max(cmax, c[j]);
      if (times[j] >= 16.0 && times[j] <= 40.0) cmin = std::min(cmin, c[j]);  // 24 h before the last dose
      if (j == 0) continue;
      auc += 0.25 * (c[j] + c[j - 1]);
      const double lo = std::min(c[j - 1], c[j]), hi = std::max(c[j - 1], c[j]);
      if (lo > 1.6) {
        above += 0.5;
      } else if (hi > 1.6) {  // the part of the interval above the threshold, on the chord
        ++crossings;
        above += 0.5 * (hi - 1.6) / (hi - lo);
      }
    }
    crossing_patients += crossings > 0;
    EXPECT_NEAR(row.cmax_ngml, cmax, 1e-9 * cmax) << i;
    EXPECT_NEAR(row.cmin_ngml, cmin, 1e-9 * cmin) << i;
    EXPECT_NEAR(row.auc_ngml_h, auc, 1e-9 * auc) << i;
    EXPECT_NEAR(row.time_above_h, above, 1e-9) << i;
  }
  EXPECT_GT(crossing_patients, 100);

  // Threshold 0 with the outputs from 0.5 h on: every patient is above it the whole time, no interval is
  // crossed, and the time above is the simulated span.
  job.records.records.erase(job.records.records.begin() + 1);  // the output at 0 h
  o.threshold_ngml = 0.0;
  rows.clear();
  (void)clinical::simulate_population(
      job, o, [&](std::span<const clinical::subject_metrics> r) { rows.insert(rows.end(), r.begin(), r.end()); });
  ASSERT_EQ(rows.size(), 300u);
  for (const auto& row : rows) EXPECT_NEAR(row.time_above_h, 59.5, 1e-12) << row.subject;
}

TEST(population_linear, identical_for_any_thread_count) {
  auto job = iv_job({1, 6, 24});
  clinical::population_options o;
  o.subjects = 5000;
  o.chunk_size = 100;
  o.exact_limit = 0;
  o.threads = 1;
  const auto a = clinical::simulate_population(job, o);
  o.threads = 2;
  const auto b = clinical::simulate_population(job, o);
  o.threads = 4;
  const auto c = clinical::simulate_population(job, o);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(a.series[0].at[k].mean, b.series[0].at[k].mean);
    EXPECT_EQ(a.series[0].at[k].sd, c.series[0].at[k].sd);
    EXPECT_EQ(a.series[0].at[k].p95, c.series[0].at[k].p95);
  }
  EXPECT_EQ(a.metrics[2].second.mean, c.metrics[2].second.mean);
}

TEST(population_linear, a_million_patients_stay_within_a_fixed_memory_cap) {
  // Summary only: memory must not grow with N. Peak RSS of this test process (ctest runs each test alone).
  auto job = iv_job({0.5, 1, 2, 4, 8, 12, 24});
  clinical::population_options o;
  o.subjects = 1000000;
  o.chunk_size = 4096;
  const auto r = clinical::simulate_population(job, o);
  EXPECT_EQ(r.n_total, 1000000u);
  EXPECT_FALSE(r.quantiles_exact);
  rusage usage{};
  ASSERT_EQ(getrusage(RUSAGE_SELF, &usage), 0);
  const double peak_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
  RecordProperty("peak_rss_mib", std::to_string(peak_mib));
  EXPECT_LT(peak_mib, 512.0);
  std::printf("[ measured ] 10^6 patients, summary only: peak RSS %.1f MiB\n", peak_mib);
}

TEST(population_linear, invalid_jobs_name_the_field) {
  auto job = iv_job({1});
  job.eta_parameters = {"KA"};  // one_cmt_iv has no KA
  EXPECT_THROW(clinical::simulate_population(job, {}), error);
  job = iv_job({1});
  job.output_cmt = 3;
  EXPECT_THROW(clinical::simulate_population(job, {}), invalid_parameter);
}

}  // namespace
