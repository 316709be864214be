// SPDX-License-Identifier: MIT
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/clinical/population.hpp>
#include <benzosim/core/error.hpp>

#include "clonazepam_fixture.hpp"
#include "test_support.hpp"

namespace {

using namespace benzosim;

clinical::drug_model clonazepam() {
  return test::clonazepam_drug();
}

clinical::scenario week_of_bid() {
  clinical::scenario s;
  s.name = "pop";
  s.drug = clonazepam();
  s.person.weight_kg = 70.0;
  s.regimen = pk::regimen::repeated(0.5, 0.0, 12.0, 14);
  s.duration_h = 24.0 * 8;
  s.output_step_h = 2.0;
  s.circuit.enabled = false;
  return s;
}

struct run_result {
  clinical::population_result summary;
  std::vector<clinical::subject_metrics> rows;
};

run_result run(const clinical::population_model& m, clinical::population_options o) {
  run_result r;
  r.summary = clinical::simulate_population(week_of_bid(), m, o, [&](std::span<const clinical::subject_metrics> c) {
    r.rows.insert(r.rows.end(), c.begin(), c.end());
  });
  return r;
}

void expect_identical(const run_result& a, const run_result& b) {
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    EXPECT_EQ(a.rows[i].subject, b.rows[i].subject);
    EXPECT_EQ(a.rows[i].cl_lph, b.rows[i].cl_lph);
    EXPECT_EQ(a.rows[i].auc_ngml_h, b.rows[i].auc_ngml_h);
  }
  ASSERT_EQ(a.summary.series.size(), b.summary.series.size());
  for (std::size_t s = 0; s < a.summary.series.size(); ++s) {
    for (std::size_t k = 0; k < a.summary.series[s].at.size(); ++k) {
      const auto& x = a.summary.series[s].at[k];
      const auto& y = b.summary.series[s].at[k];
      ASSERT_EQ(x.mean, y.mean);
      ASSERT_EQ(x.sd, y.sd);
      ASSERT_EQ(x.p05, y.p05);
      ASSERT_EQ(x.p50, y.p50);
      ASSERT_EQ(x.p95, y.p95);
    }
  }
}

TEST(population, bit_identical_for_1_2_and_4_threads) {
  const auto m = clinical::population_model::clonazepam_default();
  for (const std::uint64_t exact_limit : {0ull, 100000ull}) {  // sketch and exact quantiles
    clinical::population_options o;
    o.subjects = 150;
    o.replicates = 2;
    o.chunk_size = 16;
    o.exact_limit = exact_limit;
    o.threads = 1;
    const auto one = run(m, o);
    o.threads = 2;
    const auto two = run(m, o);
    o.threads = 4;
    const auto four = run(m, o);
    expect_identical(one, two);
    expect_identical(one, four);
    EXPECT_EQ(one.summary.quantiles_exact, exact_limit > 0);
    EXPECT_EQ(one.rows.size(), 300u);
  }
}

TEST(population, sampled_clearance_and_volume_match_omega) {
  // Weight fixed at the reference and no co-medication: log(CL_i / CL_typ) is the CL eta itself, so its
  // sample variance must match OMEGA within sampling error (SE of a variance = omega^2 sqrt(2 / (n - 1))).
  auto m = clinical::population_model::clonazepam_default();
  m.covariates.weight_cv = 0.0;
  m.covariates.weight_mean_kg = 70.0;
  m.covariates.fraction_one_inducer = 0.0;
  m.covariates.fraction_two_plus_inducers = 0.0;
  m.covariates.fraction_cyp3a4_inhibitor = 0.0;
  clinical::population_options o;
  o.subjects = 3000;
  o.chunk_size = 256;
  const auto r = run(m, o);
  const auto typical = week_of_bid().drug.pk;
  int checked = 0;  // the eta names are the drug-file keys, lower case
  for (std::size_t e = 0; e < m.omega.size(); ++e) {
    const auto& name = m.omega.names[e];
    if (name != "cl" && name != "v1") continue;
    ++checked;
    double sum = 0, sum2 = 0;
    for (const auto& row : r.rows) {
      const double x = name == "cl" ? std::log(row.cl_lph / typical.cl_lph) : std::log(row.v1_l / typical.v1_l);
      sum += x;
      sum2 += x * x;
    }
    const double n = static_cast<double>(r.rows.size());
    const double mean = sum / n, var = (sum2 - n * mean * mean) / (n - 1);
    const double omega2 = m.omega.at(e, e);
    EXPECT_NEAR(mean, 0.0, 4 * std::sqrt(omega2 / n)) << name;
    EXPECT_NEAR(var, omega2, 4 * omega2 * std::sqrt(2 / (n - 1))) << name;
  }
  EXPECT_EQ(checked, 1) << "the default OMEGA has an eta on cl only";
}

TEST(population, median_follows_the_typical_patient_and_sketch_agrees_with_exact) {
  const auto m = clinical::population_model::clonazepam_default();
  clinical::population_options o;
  o.subjects = 800;
  o.exact_limit = 100000;
  const auto exact = run(m, o).summary;
  o.exact_limit = 0;
  const auto sketch = run(m, o).summary;
  const auto typical = clinical::simulate(week_of_bid());
  const std::size_t day7 = 7 * 12;  // 168 h at a 2 h step
  const double c_typ = typical.series.conc_ngml[day7];
  const auto& conc_exact = exact.series[0].at[day7];
  EXPECT_EQ(exact.series[0].name, "conc_ngml");
  EXPECT_NEAR(conc_exact.p50, c_typ, 0.25 * c_typ);
  EXPECT_LT(conc_exact.p05, conc_exact.p50);
  EXPECT_LT(conc_exact.p50, conc_exact.p95);
  // The sketch targets the nearest-rank order statistic with relative accuracy alpha; with 800 subjects the
  // nearest rank and R's type 7 differ by at most one order-statistic spacing (a few per cent here).
  const auto& conc_sketch = sketch.series[0].at[day7];
  EXPECT_NEAR(conc_sketch.p50, conc_exact.p50, 0.03 * conc_exact.p50);
  EXPECT_NEAR(conc_sketch.p95, conc_exact.p95, 0.03 * conc_exact.p95);
  EXPECT_EQ(conc_sketch.mean, conc_exact.mean);  // moments do not depend on the quantile method
}

pk::covariate_table five_subjects(pk::covariate_draw draw) {
  pk::covariate_table t;
  t.source = "subjects.csv";
  t.draw = draw;
  using enum pk::biological_sex;
  t.rows = {{"S1", {52.0, 20.0, female, 0, false}},
            {"S2", {97.5, 30.0, male, 0, false}},
            {"S3", {64.0, 40.0, female, 0, false}},
            {"S4", {120.0, 50.0, male, 1, false}},
            {"S5", {71.25, 60.0, female, 0, true}}};
  return t;
}

TEST(population, covariate_table_in_order_gives_patient_i_row_i_in_every_replicate) {
  auto m = clinical::population_model::clonazepam_default();
  m.covariate_table = five_subjects(pk::covariate_draw::in_order);
  clinical::population_options o;
  o.subjects = 5;
  o.replicates = 2;
  o.chunk_size = 2;  // rows cross chunk boundaries
  const auto r = run(m, o);
  ASSERT_EQ(r.rows.size(), 10u);
  const auto& t = *m.covariate_table;
  for (const auto& row : r.rows) {
    const auto& want = t.rows[row.subject].covariates;
    EXPECT_EQ(row.covariates.weight_kg, want.weight_kg) << row.replicate << "/" << row.subject;
    EXPECT_EQ(row.covariates.age_y, want.age_y) << row.subject;
    EXPECT_EQ(row.covariates.sex, want.sex) << row.subject;
    EXPECT_EQ(row.covariates.inducing_aeds, want.inducing_aeds) << row.subject;
    EXPECT_EQ(row.covariates.cyp3a4_inhibitor, want.cyp3a4_inhibitor) << row.subject;
  }
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(r.rows[i].subject, i);
  // Fewer patients than rows: the first rows.
  o.subjects = 3;
  o.replicates = 1;
  const auto three = run(m, o);
  ASSERT_EQ(three.rows.size(), 3u);
  EXPECT_EQ(three.rows[2].covariates.weight_kg, 64.0);
  // The table's covariates act on the parameters. Without etas, CL of S4 (120 kg, one inducer) over CL of S1
  // (52 kg, none) is exactly (120 / 52)^a_cl x the one-inducer factor.
  m.omega = pk::omega{};
  m.etas = pk::eta_map{};
  o.subjects = 5;
  const auto no_eta = run(m, o);
  ASSERT_EQ(no_eta.rows.size(), 5u);
  const double expected =
      std::pow(120.0 / 52.0, week_of_bid().drug.allometric_exponent_cl) * m.covariate_effects.inducer_one_factor;
  EXPECT_TRUE(test::close_rel(no_eta.rows[3].cl_lph / no_eta.rows[0].cl_lph, expected, 1e-12));
  EXPECT_DOUBLE_EQ(no_eta.rows[2].cl_lph / no_eta.rows[0].cl_lph,
                   std::pow(64.0 / 52.0, week_of_bid().drug.allometric_exponent_cl));
}

TEST(population, covariate_table_in_order_with_more_patients_than_rows_fails) {
  auto m = clinical::population_model::clonazepam_default();
  m.covariate_table = five_subjects(pk::covariate_draw::in_order);
  clinical::population_options o;
  o.subjects = 6;
  try {
    (void)clinical::simulate_population(week_of_bid(), m, o);
    ADD_FAILURE() << "no error thrown";
  } catch (const invalid_parameter& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.name, "population.subjects");
    EXPECT_NE(msg.find("6 patients per replicate, but the covariate table subjects.csv has 5 rows"), std::string::npos)
        << msg;
    EXPECT_NE(msg.find("draw = resample"), std::string::npos) << msg;
  }
  // resample has no such limit.
  m.covariate_table->draw = pk::covariate_draw::resample;
  EXPECT_NO_THROW((void)clinical::simulate_population(week_of_bid(), m, o));
}

TEST(population, covariate_table_resample_draws_rows_of_the_table) {
  auto m = clinical::population_model::clonazepam_default();
  m.covariate_table = five_subjects(pk::covariate_draw::resample);
  clinical::population_options o;
  o.subjects = 60;
  o.chunk_size = 16;
  const auto r = run(m, o);
  ASSERT_EQ(r.rows.size(), 60u);
  std::vector<int> seen(5, 0);
  for (const auto& row : r.rows) {
    std::size_t k = 0;
    while (k < 5 && m.covariate_table->rows[k].covariates.weight_kg != row.covariates.weight_kg) ++k;
    ASSERT_LT(k, 5u) << row.covariates.weight_kg << " kg is not a row of the table";
    EXPECT_EQ(row.covariates.age_y, m.covariate_table->rows[k].covariates.age_y);
    ++seen[k];
  }
  // 60 draws from 5 rows: a row is missed with probability 5 x 0.8^60 = 7e-6 (fixed seed: deterministic).
  for (std::size_t k = 0; k < 5; ++k) EXPECT_GT(seen[k], 0) << "row " << k + 1 << " never drawn";
  // Bit-identical for any thread count, like the sampled population.
  o.threads = 1;
  const auto one = run(m, o);
  o.threads = 2;
  expect_identical(one, run(m, o));
}

TEST(population, invalid_covariate_table_is_rejected) {
  auto m = clinical::population_model::clonazepam_default();
  m.covariate_table = five_subjects(pk::covariate_draw::in_order);
  m.covariate_table->rows[2].covariates.weight_kg = -1.0;
  clinical::population_options o;
  o.subjects = 5;
  EXPECT_THROW((void)clinical::simulate_population(week_of_bid(), m, o), invalid_parameter);
  m.covariate_table->rows.clear();
  EXPECT_THROW(m.validate(), invalid_parameter);
}

TEST(population, invalid_options_are_rejected) {
  const auto m = clinical::population_model::clonazepam_default();
  clinical::population_options o;
  o.subjects = 0;
  EXPECT_THROW(clinical::simulate_population(week_of_bid(), m, o), invalid_parameter);
  o.subjects = 10;
  o.replicates = 0;
  EXPECT_THROW(clinical::simulate_population(week_of_bid(), m, o), invalid_parameter);
}

}  // namespace
