// SPDX-License-Identifier: MIT
// End-to-end: `benzosim run` on a scenario with [[arms]] (data/scenarios/epilepsy-abrupt-vs-taper.toml) writes
// one directory per arm with the seizure timeline; commands that run one regimen refuse arms (exit code 2).
#include <algorithm>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace fs = std::filesystem;

namespace {

using result = benzosim::test::command_result;
using scratch = benzosim::test::scratch_dir;

const std::string epilepsy = std::string(BENZOSIM_SOURCE_DIR) + "/data/scenarios/epilepsy-abrupt-vs-taper.toml";

result run(const std::string& args) {
  return benzosim::test::run_command(std::string(BENZOSIM_EXE) + " " + args + " 2>&1");
}

TEST(cli_arms, run_writes_one_directory_per_arm_with_the_seizure_timeline) {
  const scratch dir("arms_epilepsy");
  const result r = run("run " + epilepsy + " --out " + (dir / "out").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("arm abrupt"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("arm taper"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("burden      lowest day on treatment"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("not medical advice"), std::string::npos) << r.out;
  for (const std::string arm : {"abrupt", "taper"}) {
    const fs::path d = dir / "out" / arm;
    const auto rows = benzosim::test::split_csv(benzosim::test::read_text(d / "timeseries.csv"));
    ASSERT_EQ(rows.size(), 364u * 4u + 2u) << arm;  // header + every 6 h from 0 to 364 days
    // seizure_burden_24h, then the side-effect columns p_<effect> (docs/models.md#side-effects), p_depression last.
    const auto& header = rows.front();
    EXPECT_NE(std::find(header.begin(), header.end(), "seizure_burden_24h"), header.end());
    EXPECT_EQ(header.back(), "p_depression");
    const auto j = nlohmann::json::parse(benzosim::test::read_text(d / "summary.json"));
    EXPECT_EQ(j["scenario"]["name"], "epilepsy-abrupt-vs-taper");
    EXPECT_EQ(j["scenario"]["arm"]["name"], arm);
    const auto& z = j["summary"]["seizure"];
    EXPECT_EQ(z["checkpoint_h"].get<double>(), 6.0);
    EXPECT_EQ(z["checkpoints"].get<int>(), 364 * 4 + 1);
    EXPECT_EQ(z["daily_burden"].size(), 365u);
    EXPECT_EQ(z["weekly_burden"].size(), 53u);
    EXPECT_EQ(z["model"]["columns"].get<int>(), 25);
    EXPECT_GT(z["baseline_burden"].get<double>(), 0.0);
  }
  const auto abrupt = nlohmann::json::parse(benzosim::test::read_text(dir / "out/abrupt/summary.json"));
  const auto taper = nlohmann::json::parse(benzosim::test::read_text(dir / "out/taper/summary.json"));
  EXPECT_GT(abrupt["summary"]["seizure"]["peak_daily_burden_after_stop"].get<double>(),
            taper["summary"]["seizure"]["peak_daily_burden_after_stop"].get<double>());
  // Only the arm directories, no temporary files.
  for (const auto& e : fs::directory_iterator(dir / "out")) {
    EXPECT_TRUE(e.path().filename() == "abrupt" || e.path().filename() == "taper") << e.path();
  }
}

TEST(cli_arms, single_regimen_commands_refuse_arms) {
  const scratch dir("arms_refused");
  const result r = run("population " + epilepsy + " -n 10 --out " + (dir / "out").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("[[arms]]"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

}  // namespace
