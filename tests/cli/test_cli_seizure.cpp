// SPDX-License-Identifier: MIT
// End-to-end tests of `benzosim seizure`: summary.json and its fields, lfp.csv, the dose-response sweep on
// the seizure-prone baseline, thread-independence, the model choices, and exit code 2 for bad flags.
#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace fs = std::filesystem;

namespace {

using result = benzosim::test::command_result;  // out: stdout and stderr, interleaved
using scratch = benzosim::test::scratch_dir;

result run(const std::string& args) {
  return benzosim::test::run_command(std::string(BENZOSIM_EXE) + " seizure " + args + " 2>&1");
}

nlohmann::json summary(const fs::path& dir) {
  return nlohmann::json::parse(benzosim::test::read_text(dir / "summary.json"));
}

TEST(cli_seizure, writes_summary_json_with_every_read_out) {
  const scratch dir("seizure_one");
  const result r = run("--duration-s 10 --seed 3 --threads 1 --out " + (dir / "out").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("seizure - seizure-prone neural mass (A 5, B 39.5, G 15 mV"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("not medical advice"), std::string::npos) << r.out;
  const nlohmann::json j = summary(dir / "out");
  EXPECT_EQ(j["command"].get<std::string>(), "seizure");
  EXPECT_EQ(j["model"].get<std::string>(), "seizure-prone");
  for (const char* key :
       {"line_length_per_s", "sd_mv", "dominant_hz", "seizure_fraction", "events", "spikes", "spike_rate_per_s"}) {
    ASSERT_TRUE(j.contains(key)) << key;
    EXPECT_TRUE(j[key].is_number()) << key;
    EXPECT_GE(j[key].get<double>(), 0.0) << key;
  }
  double share = 0.0;
  for (const char* b : {"delta", "theta", "alpha", "beta", "gamma"}) {
    EXPECT_GT(j["band_power_mv2"][b].get<double>(), 0.0) << b;
    share += j["band_fraction"][b].get<double>();
  }
  EXPECT_NEAR(share, 1.0, 1e-8);
  EXPECT_TRUE(j["activity_type"].is_string());
  EXPECT_GT(j["line_length_per_s"].get<double>(), 10.0);
  EXPECT_EQ(j["options"]["duration_s"].get<double>(), 10.0);
  EXPECT_EQ(j["options"]["seed"].get<int>(), 3);
  EXPECT_EQ(j["options"]["drug"].get<std::string>(), "clonazepam");
  EXPECT_EQ(j["baseline"]["B_mv"].get<double>(), 39.5);
  ASSERT_EQ(j["runs"].size(), 1u);
  EXPECT_EQ(j["runs"][0]["conc_ngml"].get<double>(), 0.0);
  EXPECT_EQ(j["runs"][0]["gaba_a_slow"]["decay"].get<double>(), 1.0);
  EXPECT_FALSE(fs::exists(dir / "out" / "dose_response.csv"));
  EXPECT_FALSE(fs::exists(dir / "out" / "lfp.csv"));
}

TEST(cli_seizure, lfp_csv_holds_one_row_per_millisecond) {
  const scratch dir("seizure_lfp");
  const result r = run("--model wendling --A 5 --B 25 --G 15 --duration-s 2 --lfp --out " + dir.path().string());
  ASSERT_EQ(r.code, 0) << r.out;
  const auto rows = benzosim::test::split_csv(benzosim::test::read_text(dir / "lfp.csv"));
  ASSERT_EQ(rows.size(), 2002u);  // header + samples at 0, 1, ..., 2000 ms
  EXPECT_EQ(rows[0], (std::vector<std::string>{"conc_ngml", "time_ms", "v_mv"}));
  EXPECT_EQ(rows[1][1], "0");
  EXPECT_EQ(rows[2001][1], "2000");
  // Sustained spike-wave discharges (Wendling type 3): ~4.4 spikes per second.
  const nlohmann::json j = summary(dir.path());
  EXPECT_EQ(j["activity_type"].get<std::string>(), "spike_wave");
  EXPECT_EQ(j["wendling_type"].get<int>(), 3);
  EXPECT_EQ(j["seizure_fraction"].get<double>(), 1.0);
  EXPECT_NEAR(j["spike_rate_per_s"].get<double>(), 4.4, 0.6);
}

TEST(cli_seizure, dose_response_on_the_seizure_prone_baseline) {
  // One row per concentration; seizure fraction never rises from 0 to the therapeutic range (20-70 ng/mL).
  const scratch dir("seizure_sweep");
  const result r = run("--conc-ngml 0,0.5,1,2,5,20,40,70 --seeds 4 --duration-s 20 --out " + dir.path().string());
  ASSERT_EQ(r.code, 0) << r.out;
  const auto rows = benzosim::test::split_csv(benzosim::test::read_text(dir / "dose_response.csv"));
  ASSERT_EQ(rows.size(), 9u);
  const std::vector<std::string>& head = rows[0];
  const auto col = [&](const std::string& name) {
    const auto it = std::find(head.begin(), head.end(), name);
    EXPECT_NE(it, head.end()) << name;
    return static_cast<std::size_t>(it - head.begin());
  };
  for (const char* c :
       {"conc_ngml", "line_length_per_s", "sd_mv", "dominant_hz", "alpha_power_mv2", "beta_fraction",
        "seizure_fraction", "events", "spike_rate_per_s", "activity_type", "gaba_a_slow_decay", "B_mv", "b_per_s"}) {
    (void)col(c);
  }
  const std::size_t fraction = col("seizure_fraction"), conc = col("conc_ngml");
  EXPECT_EQ(rows[1][conc], "0");
  EXPECT_EQ(rows[8][conc], "70");
  double previous = 1.0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const double f = std::stod(rows[i][fraction]);
    EXPECT_LE(f, previous) << "conc " << rows[i][conc];
    previous = f;
  }
  EXPECT_GT(std::stod(rows[1][fraction]), 0.2);  // untreated: ~40 % of the time in spike-wave episodes
  EXPECT_EQ(std::stod(rows[6][fraction]), 0.0);  // 20 ng/mL: none
  // The drug lengthens the slow kernel (b falls) and the line length falls to background.
  EXPECT_LT(std::stod(rows[6][col("b_per_s")]), std::stod(rows[1][col("b_per_s")]));
  EXPECT_LT(std::stod(rows[6][col("line_length_per_s")]), 25.0);
  const nlohmann::json j = summary(dir.path());
  ASSERT_EQ(j["runs"].size(), 8u);
  ASSERT_EQ(j["runs"][0]["replicates"].size(), 4u);
  EXPECT_GT(j["runs"][6]["free_ngml"].get<double>(), 0.0);
}

TEST(cli_seizure, results_do_not_depend_on_the_thread_count) {
  const scratch dir("seizure_threads");
  const std::string common = "--conc-ngml 0,1,3 --seeds 3 --duration-s 5 --out ";
  ASSERT_EQ(run(common + (dir / "one").string() + " --threads 1").code, 0);
  ASSERT_EQ(run(common + (dir / "two").string() + " --threads 2").code, 0);
  const std::string a = benzosim::test::read_text(dir / "one" / "dose_response.csv");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, benzosim::test::read_text(dir / "two" / "dose_response.csv"));
}

TEST(cli_seizure, jansen_rit_gives_the_alpha_rhythm) {
  const scratch dir("seizure_jr");
  const result r = run("--model jansen-rit --duration-s 10 --out " + dir.path().string());
  ASSERT_EQ(r.code, 0) << r.out;
  const nlohmann::json j = summary(dir.path());
  EXPECT_EQ(j["baseline"]["G_mv"].get<double>(), 0.0);
  EXPECT_NEAR(j["dominant_hz"].get<double>(), 10.7, 0.6);
  EXPECT_GT(j["band_fraction"]["alpha"].get<double>(), 0.9);
}

TEST(cli_seizure, bad_flags_exit_2_naming_the_flag) {
  const scratch dir("seizure_bad");
  const std::string out = " --out " + dir.path().string();
  const std::vector<std::pair<std::string, std::string>> cases{
      {"--B -1", "--B -1"},
      {"--a 0", "--a 0"},
      {"--A nan", "--A"},
      {"--dt-ms 0.3", "--dt-ms 0.3"},
      {"--duration-s 0.5", "--duration-s 0.5"},
      {"--conc-ngml 0,x", "--conc-ngml 0,x"},
      {"--conc-ngml -5", "--conc-ngml -5"},
      {"--seeds 0", "--seeds 0"},
      {"--seed -1", "--seed -1"},
      {"--threads 1000", "--threads 1000"},
      {"--model foo", "--model foo"},
      {"--model jansen-rit --G 5", "--G"},
      {"--drug nosuchdrug", "nosuchdrug"},
      {"--lfp --duration-s 3600 --conc-ngml 0,1,2,3", "--lfp"},
      {"--Q 1", "--Q"},
  };
  for (const auto& [args, expect] : cases) {
    const result r = run(args + out);
    EXPECT_EQ(r.code, 2) << args << ": " << r.out;
    EXPECT_NE(r.out.find(expect), std::string::npos) << args << ": " << r.out;
    EXPECT_NE(r.out.find("error"), std::string::npos) << args << ": " << r.out;
  }
  EXPECT_FALSE(fs::exists(dir / "summary.json"));
}

}  // namespace
