// SPDX-License-Identifier: MIT
// Writers of `benzosim population`: summary CSV, subjects CSV, summary JSON, and the streamed file.
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <benzosim/clinical/population.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/io/population_output.hpp>
#include <benzosim/io/scenario_file.hpp>

#include "io_test_util.hpp"

namespace {

namespace clinical = benzosim::clinical;
namespace io = benzosim::io;
using benzosim::io_test::read_file;
using benzosim::io_test::scratch_dir;
using benzosim::io_test::write_file;

clinical::population_result small_result() {
  clinical::population_result r{};
  r.time_h = {0.0, 0.5};
  r.series = {{"conc_ngml", {{1, 2, 3, 4, 5, 6, 7}, {1.5, 0.25, 0.1, 0.2, 0.3, 0.4, 0.5}}},
              {"occupancy", {{0, 0, 0, 0, 0, 0, 0}, {0.1, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06}}}};
  r.metrics = {{"cmax_ngml", {10, 2, 7, 8, 9, 11, 14}},
               {"cmin_ngml", {1, 0.5, 0.2, 0.7, 1, 1.2, 1.9}},
               {"auc_ngml_h", {100, 20, 70, 80, 90, 110, 140}},
               {"time_above_h", {0, 0, 0, 0, 0, 0, 0}}};
  r.n_total = 40;
  r.quantiles_exact = true;
  r.alpha = 0.005;
  r.uncertain = {"weight: assumed allometry"};
  return r;
}

clinical::subject_metrics subject(std::uint64_t rep, std::uint64_t id) {
  clinical::subject_metrics m{};
  m.replicate = rep;
  m.subject = id;
  m.covariates = {72.5, 41.25, benzosim::pk::biological_sex::male, 2, true};
  m.cl_lph = 3.25;
  m.v1_l = 100.0 / 3.0;
  m.cmax_ngml = 21.5;
  m.cmin_ngml = 6.0;
  m.auc_ngml_h = 12345.5;
  m.time_above_h = 0.0;
  return m;
}

TEST(population_summary_csv, header_names_every_statistic_of_every_series) {
  const std::string csv = io::population_summary_csv(small_result());
  EXPECT_EQ(csv,
            "time_h,conc_ngml_mean,conc_ngml_sd,conc_ngml_p05,conc_ngml_p25,conc_ngml_p50,conc_ngml_p75,conc_ngml_p95,"
            "occupancy_mean,occupancy_sd,occupancy_p05,occupancy_p25,occupancy_p50,occupancy_p75,occupancy_p95\n"
            "0,1,2,3,4,5,6,7,0,0,0,0,0,0,0\n"
            "0.5,1.5,0.25,0.1,0.2,0.3,0.4,0.5,0.1,0.01,0.02,0.03,0.04,0.05,0.06\n");
}

TEST(population_summary_csv, bad_results_are_bugs) {
  auto r = small_result();
  r.series[1].at.pop_back();
  EXPECT_THROW(io::population_summary_csv(r), benzosim::internal_error);
  r = small_result();
  r.series[0].at[1].sd = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(io::population_summary_csv(r), benzosim::internal_error);
}

TEST(subjects_csv, header_and_rows) {
  EXPECT_EQ(io::subjects_csv_header(),
            "replicate,subject,weight_kg,age_y,sex,inducing_aeds,cyp3a4_inhibitor,cl_lph,v1_l,cmax_ngml,cmin_ngml,"
            "auc_ngml_h,time_above_h\n");
  std::vector<clinical::subject_metrics> rows{subject(0, 0), subject(1, 41)};
  rows[1].covariates.sex = benzosim::pk::biological_sex::female;
  rows[1].covariates.cyp3a4_inhibitor = false;
  rows[1].covariates.inducing_aeds = 0;
  EXPECT_EQ(io::subjects_csv_rows(rows),
            "0,0,72.5,41.25,male,2,1,3.25,33.33333333,21.5,6,12345.5,0\n"
            "1,41,72.5,41.25,female,0,0,3.25,33.33333333,21.5,6,12345.5,0\n");
  EXPECT_EQ(io::subjects_csv_rows({}), "");
  rows[0].auc_ngml_h = std::numeric_limits<double>::infinity();
  EXPECT_THROW(io::subjects_csv_rows(rows), benzosim::internal_error);
}

TEST(population_json, has_every_documented_field) {
  const auto s = io::demo_scenario();
  auto m = clinical::population_model::clonazepam_default();
  m.residual = benzosim::pk::clonazepam_residual_preset();
  clinical::population_options o;
  o.subjects = 20;
  o.replicates = 2;
  o.seed = 9;
  o.threads = 3;
  const auto j = nlohmann::json::parse(
      io::population_json(s, m, io::population_model_source::built_in_default, o, small_result()));
  EXPECT_FALSE(j["benzosim_version"].get<std::string>().empty());
  EXPECT_NE(j["disclaimer"].get<std::string>().find("not medical advice"), std::string::npos);
  EXPECT_EQ(j["scenario"]["name"], "demo");
  EXPECT_EQ(j["scenario"]["drug"], "clonazepam");
  EXPECT_EQ(j["scenario"]["indication"], "seizure_disorder");
  EXPECT_EQ(j["model"]["source"], "built-in default (clonazepam presets)");
  EXPECT_EQ(j["model"]["omega"]["parameters"], nlohmann::json::array({"cl"}));
  EXPECT_NEAR(j["model"]["omega"]["matrix"][0][0].get<double>(), 0.201 * 0.201, 1e-12);
  EXPECT_DOUBLE_EQ(j["model"]["covariates"]["weight_cv_pct"].get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(j["model"]["covariate_effects"]["cyp3a4_inhibitor_factor"].get<double>(), 0.7);
  EXPECT_EQ(j["model"]["residual"]["model"], "proportional");
  EXPECT_DOUBLE_EQ(j["model"]["residual"]["sd_prop"].get<double>(), 0.186);
  EXPECT_TRUE(j["model"]["uncertainty"].is_null());
  EXPECT_EQ(j["options"]["subjects"], 20);
  EXPECT_EQ(j["options"]["replicates"], 2);
  EXPECT_EQ(j["options"]["seed"], 9);
  EXPECT_EQ(j["options"]["chunk_size"], 256);
  EXPECT_FALSE(j["options"].contains("threads"));  // never changes the results
  EXPECT_DOUBLE_EQ(j["options"]["threshold_ngml"].get<double>(), 20.0);
  EXPECT_EQ(j["n_total"], 40);
  EXPECT_EQ(j["quantiles_exact"], true);
  EXPECT_DOUBLE_EQ(j["alpha"].get<double>(), 0.005);
  for (const char* name : {"cmax_ngml", "cmin_ngml", "auc_ngml_h", "time_above_h"}) {
    for (const char* stat : {"mean", "sd", "p05", "p25", "p50", "p75", "p95"}) {
      EXPECT_TRUE(j["metrics"][name][stat].is_number()) << name << "." << stat;
    }
  }
  EXPECT_DOUBLE_EQ(j["metrics"]["cmax_ngml"]["p95"].get<double>(), 14.0);
  EXPECT_EQ(j["uncertain"], nlohmann::json::array({"weight: assumed allometry"}));

  auto bad = small_result();
  bad.metrics[0].second.mean = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(io::population_json(s, m, io::population_model_source::scenario_file, o, bad), benzosim::internal_error);

  // Real subjects from a file: the JSON names the file, not the (unused) distribution.
  m.covariate_table = benzosim::pk::covariate_table{};
  m.covariate_table->rows.push_back({"a", {70.0, 40.0, benzosim::pk::biological_sex::female, 0, false}});
  m.covariate_table->source = "subjects.csv";
  m.covariate_table->draw = benzosim::pk::covariate_draw::resample;
  const auto jt =
      nlohmann::json::parse(io::population_json(s, m, io::population_model_source::scenario_file, o, small_result()));
  EXPECT_EQ(jt["model"]["covariates"]["file"], "subjects.csv");
  EXPECT_EQ(jt["model"]["covariates"]["rows"], 1);
  EXPECT_EQ(jt["model"]["covariates"]["draw"], "resample");
  EXPECT_FALSE(jt["model"]["covariates"].contains("weight_cv_pct"));
}

TEST(streamed_file, appears_only_at_commit) {
  scratch_dir dir;
  const auto path = dir / "rows.csv";
  {
    io::streamed_file f(path);
    f.write("a,b\n");
    f.write("");
    f.write("1,2\n");
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_TRUE(std::filesystem::exists(f.temporary_path()));
    EXPECT_NE(f.temporary_path().string().find("rows.csv.tmp."), std::string::npos);
    f.commit();
    EXPECT_THROW(f.write("x"), benzosim::internal_error);
  }
  EXPECT_EQ(read_file(path), "a,b\n1,2\n");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"rows.csv"});
}

TEST(streamed_file, replaces_an_old_file_at_commit_and_keeps_it_on_failure) {
  scratch_dir dir;
  const auto path = dir / "rows.csv";
  write_file(path, "old\n");
  {
    io::streamed_file f(path);
    f.write("new\n");
    // Destroyed without commit (a failed run): the old file stays, the temporary file goes.
  }
  EXPECT_EQ(read_file(path), "old\n");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"rows.csv"});
  {
    io::streamed_file f(path);
    f.write("new\n");
    f.commit();
  }
  EXPECT_EQ(read_file(path), "new\n");
}

TEST(streamed_file, missing_directory_throws_and_creates_nothing) {
  scratch_dir dir;
  try {
    io::streamed_file f(dir / "nowhere" / "rows.csv");
    ADD_FAILURE() << "no error thrown";
  } catch (const benzosim::error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("rows.csv"), std::string::npos) << msg;
    EXPECT_NE(msg.find("No such file or directory"), std::string::npos) << msg;
  }
  EXPECT_TRUE(dir.entries().empty());
}

TEST(streamed_file, failed_rename_removes_the_temporary_file) {
  scratch_dir dir;
  std::filesystem::create_directories(dir / "rows.csv" / "inside");  // a non-empty directory in the way
  {
    io::streamed_file f(dir / "rows.csv");
    f.write("1\n");
    EXPECT_THROW(f.commit(), benzosim::error);
  }
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"rows.csv"});
  EXPECT_TRUE(std::filesystem::is_directory(dir / "rows.csv"));
}

}  // namespace
