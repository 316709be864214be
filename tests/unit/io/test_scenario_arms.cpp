// SPDX-License-Identifier: MIT
// Scenario files with [[arms]] and the [circuit] keys of the seizure timeline (docs/file-formats.md).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/circuit/wendling.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/io/population_file.hpp>
#include <benzosim/io/scenario_file.hpp>

#include "io_test_util.hpp"

namespace {

using benzosim::io_test::line_of;
using benzosim::io_test::replace_once;
using benzosim::io_test::source_file;

const std::string two_arms = R"(schema_version = 1
name = "arms"
drug = "clonazepam"

[[dosing]]
dose_mg = 1
every_h = 12.0
count = 4

[simulation]
duration_days = 5.0

[circuit]
enabled = false

[[arms]]
name = "abrupt"

[[arms]]
name = "taper-1"
description = "half for a day"
[[arms.dosing]]
dose_mg = 0.5
start_h = 48.0
every_h = 12.0
count = 2
)";

/// The scenario_error of parsing `text` with arms (fails the test if there is none).
benzosim::scenario_error arms_error(const std::string& text) {
  try {
    (void)benzosim::io::parse_scenario_arms(text, "a.toml", ".");
  } catch (const benzosim::scenario_error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return {"", 0, 0, ""};
}

TEST(scenario_arms, each_arm_is_the_shared_dosing_and_its_own) {
  const auto s = benzosim::io::parse_scenario_arms(two_arms, "a.toml", ".");
  ASSERT_EQ(s.arms.size(), 2u);
  EXPECT_EQ(s.arms[0].name, "abrupt");
  EXPECT_EQ(s.arms[0].description, "");
  ASSERT_EQ(s.arms[0].regimen.doses.size(), 4u);
  EXPECT_EQ(s.arms[1].name, "taper-1");
  EXPECT_EQ(s.arms[1].description, "half for a day");
  ASSERT_EQ(s.arms[1].regimen.doses.size(), 6u);
  EXPECT_DOUBLE_EQ(s.arms[1].regimen.doses[4].time_h, 48.0);
  EXPECT_DOUBLE_EQ(s.arms[1].regimen.doses[5].amount_mg, 0.5);
  // The scenario itself carries the first arm's regimen.
  EXPECT_EQ(s.scenario.regimen.doses.size(), 4u);
  // Without [[arms]]: no arms, the same scenario as parse_scenario.
  const std::string plain = two_arms.substr(0, two_arms.find("[[arms]]"));
  const auto p = benzosim::io::parse_scenario_arms(plain, "p.toml", ".");
  EXPECT_TRUE(p.arms.empty());
  EXPECT_EQ(p.scenario.regimen.doses.size(), benzosim::io::parse_scenario(plain, "p.toml", ".").regimen.doses.size());
}

TEST(scenario_arms, every_dose_may_sit_in_the_arms) {
  std::string text = replace_once(two_arms, "[[dosing]]\ndose_mg = 1\nevery_h = 12.0\ncount = 4\n", "");
  text = replace_once(text, "name = \"abrupt\"\n", "name = \"abrupt\"\n[[arms.dosing]]\ndose_mg = 2\n");
  const auto s = benzosim::io::parse_scenario_arms(text, "a.toml", ".");
  ASSERT_EQ(s.arms.size(), 2u);
  EXPECT_EQ(s.arms[0].regimen.doses.size(), 1u);
  EXPECT_EQ(s.arms[1].regimen.doses.size(), 2u);
}

TEST(scenario_arms, bad_arms_are_located) {
  const auto expect = [](const std::string& text, const std::string& needle, const std::vector<std::string>& parts) {
    const benzosim::scenario_error e = arms_error(text);
    EXPECT_EQ(e.file, "a.toml");
    EXPECT_EQ(e.line, needle.empty() ? 0 : line_of(text, needle)) << e.what();
    for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  };
  expect(replace_once(two_arms, "name = \"taper-1\"", "name = \"abrupt\""), "name = \"abrupt\"\ndescription",
         {"Two arms are named \"abrupt\""});
  expect(replace_once(two_arms, "name = \"taper-1\"", "name = \"a b\""), "name = \"a b\"",
         {"arms[2].name = \"a b\"", "letters, digits"});
  expect(replace_once(two_arms, "name = \"taper-1\"", "name = \"\""), "name = \"\"", {"arms[2].name"});
  expect(replace_once(two_arms, "name = \"abrupt\"", "nam = \"abrupt\""), "nam = ", {"Unknown key 'nam'"});
  expect(replace_once(two_arms, "dose_mg = 0.5", "dose_mg = -0.5"), "dose_mg = -0.5",
         {"arms[2].dosing[1].dose_mg = -0.5 mg"});
  const std::string no_shared = replace_once(two_arms, "[[dosing]]\ndose_mg = 1\nevery_h = 12.0\ncount = 4\n", "");
  expect(no_shared, "[[arms]]\nname = \"abrupt\"", {"arms[1] (\"abrupt\") has no doses"});
  expect(replace_once(two_arms.substr(0, two_arms.find("[[arms]]")), "drug = \"clonazepam\"\n",
                      "drug = \"clonazepam\"\narms = []\n"),
         "arms = []", {"arms must contain at least one table"});
}

TEST(scenario_arms, single_regimen_readers_refuse_arms) {
  try {
    (void)benzosim::io::parse_scenario(two_arms, "a.toml", ".");
    ADD_FAILURE() << "parse_scenario accepted [[arms]]";
  } catch (const benzosim::scenario_error& e) {
    EXPECT_EQ(e.line, line_of(two_arms, "[[arms]]")) << e.what();
    EXPECT_NE(std::string(e.what()).find("only `benzosim run` runs arms"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)benzosim::io::parse_scenario_with_population(two_arms, "a.toml", "."), benzosim::scenario_error);
}

TEST(scenario_arms, the_epilepsy_scenario_loads) {
  const auto s = benzosim::io::load_scenario_arms(source_file("data/scenarios/epilepsy-abrupt-vs-taper.toml"));
  ASSERT_EQ(s.arms.size(), 2u);
  EXPECT_EQ(s.arms[0].regimen.doses.size(), 9u + 9u + 528u);
  EXPECT_EQ(s.arms[1].regimen.doses.size(), 546u + 63u + 63u + 3u * 21u + 63u + 2u * 21u + 21u + 21u);
  EXPECT_DOUBLE_EQ(s.arms[1].regimen.total_mg() - s.arms[0].regimen.total_mg(),
                   21.0 * (2.25 + 1.5 + 1.0 + 0.75 + 0.5 + 0.25 + 0.125));
  const auto& c = s.scenario.circuit;
  EXPECT_DOUBLE_EQ(c.model.B_mv, 46.5);
  EXPECT_DOUBLE_EQ(c.model.A_mv, benzosim::circuit::wendling_params::seizure_prone().A_mv);
  EXPECT_DOUBLE_EQ(c.map.spread.B_log_sd, 0.43);
  EXPECT_EQ(c.map.spread.columns, 25);
  EXPECT_DOUBLE_EQ(c.map.sim.duration_ms, 10000.0);
  EXPECT_DOUBLE_EQ(c.map.net_min, -0.5);
  EXPECT_DOUBLE_EQ(c.map.net_max, 0.8);
  EXPECT_EQ(c.map.points, 27);
  EXPECT_EQ(c.map.seeds, 1);
  EXPECT_DOUBLE_EQ(c.checkpoint_h, 6.0);
}

// ---------------------------------------------------------------------------------------------------
// [circuit]: the model, the spread, the map and the checkpoints.

const std::string with_circuit = R"(schema_version = 1
name = "c"
drug = "clonazepam"
[[dosing]]
dose_mg = 1
[simulation]
duration_days = 2.0
[circuit]
)";

TEST(scenario_circuit, defaults_and_every_key) {
  auto s = benzosim::io::parse_scenario(with_circuit, "c.toml", ".");
  EXPECT_DOUBLE_EQ(s.circuit.checkpoint_h, 6.0);
  EXPECT_EQ(s.circuit.map.spread.columns, 1);
  EXPECT_DOUBLE_EQ(s.circuit.map.spread.B_log_sd, 0.0);
  EXPECT_EQ(s.circuit.map.points, 33);
  EXPECT_DOUBLE_EQ(s.circuit.map.sim.duration_ms, 20000.0);
  s = benzosim::io::parse_scenario(with_circuit + R"(preset = "wendling_2005_hippocampal"
A_mv = 4
B_mv = 30
G_mv = 0
a_per_s = 90
b_per_s = 40
g_per_s = 300
checkpoint_h = 2.5
B_log_sd = 0.3
columns = 9
net_min = -0.3
net_max = 0.9
points = 13
duration_s = 5
)",
                                   "c.toml", ".");
  const auto& c = s.circuit;
  EXPECT_DOUBLE_EQ(c.model.A_mv, 4.0);
  EXPECT_DOUBLE_EQ(c.model.B_mv, 30.0);
  EXPECT_DOUBLE_EQ(c.model.G_mv, 0.0);
  EXPECT_DOUBLE_EQ(c.model.a_per_s, 90.0);
  EXPECT_DOUBLE_EQ(c.model.b_per_s, 40.0);
  EXPECT_DOUBLE_EQ(c.model.g_per_s, 300.0);
  EXPECT_DOUBLE_EQ(c.model.p_mean, benzosim::circuit::wendling_params::wendling_2005_hippocampal().p_mean);
  EXPECT_DOUBLE_EQ(c.checkpoint_h, 2.5);
  EXPECT_DOUBLE_EQ(c.map.spread.B_log_sd, 0.3);
  EXPECT_EQ(c.map.spread.columns, 9);
  EXPECT_DOUBLE_EQ(c.map.net_min, -0.3);
  EXPECT_DOUBLE_EQ(c.map.net_max, 0.9);
  EXPECT_EQ(c.map.points, 13);
  EXPECT_DOUBLE_EQ(c.map.sim.duration_ms, 5000.0);
  s = benzosim::io::parse_scenario(with_circuit + "preset = \"jansen_rit_1995\"\n", "c.toml", ".");
  EXPECT_DOUBLE_EQ(s.circuit.model.G_mv, 0.0);
  EXPECT_DOUBLE_EQ(s.circuit.model.p_mean, benzosim::circuit::wendling_params::jansen_rit_1995().p_mean);
}

TEST(scenario_circuit, bad_keys_are_located) {
  const auto expect = [](const std::string& extra, const std::string& needle, const std::string& part) {
    const std::string text = with_circuit + extra;
    try {
      (void)benzosim::io::parse_scenario(text, "c.toml", ".");
      ADD_FAILURE() << extra << " accepted";
    } catch (const benzosim::scenario_error& e) {
      EXPECT_EQ(e.line, line_of(text, needle)) << e.what();
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expect("checkpoint_h = 0\n", "checkpoint_h", "circuit.checkpoint_h = 0 h");
  expect("checkpoint_h = 200\n", "checkpoint_h", "circuit.checkpoint_h = 200 h");
  expect("B_log_sd = -0.1\n", "B_log_sd", "circuit.B_log_sd = -0.1");
  expect("columns = 0\n", "columns", "circuit.columns = 0");
  expect("columns = 201\n", "columns", "circuit.columns = 201");
  expect("points = 1\n", "points", "circuit.points = 1");
  expect("duration_s = 0.5\n", "duration_s", "circuit.duration_s = 0.5 s");
  expect("net_min = 0.5\nnet_max = 0.2\n", "net_max", "must be greater than circuit.net_min");
  expect("b_per_s = 0\n", "b_per_s", "circuit.b_per_s = 0 1/s");
  expect("G_mv = -1\n", "G_mv", "circuit.G_mv = -1 mV");
  expect("preset = \"jansen_rit_1995\"\nG_mv = 10\n", "G_mv", "cannot be set with preset = \"jansen_rit_1995\"");
  expect("preset = \"jansen_rit_1995\"\ng_per_s = 300\n", "g_per_s", "Jansen-Rit is the case G = 0");
  expect("checkpoints = 6\n", "checkpoints", "Unknown key 'checkpoints'");
}

}  // namespace
