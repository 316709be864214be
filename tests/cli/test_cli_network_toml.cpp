// SPDX-License-Identifier: MIT
// End-to-end tests of network files with `benzosim network`: running a FILE.toml, errors in one (exit 2 with
// file:line and the key), --write-network and its round trip, --bicarbonate (the Goldman-Hodgkin-Katz
// reversal against a hand calculation), the delay_ms column of the connectivity file, and --help.
#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace fs = std::filesystem;

namespace {

using result = benzosim::test::command_result;  // out: stdout and stderr, interleaved
using scratch = benzosim::test::scratch_dir;

result run(const std::string& args) {
  return benzosim::test::run_command(std::string(BENZOSIM_EXE) + " network " + args + " 2>&1");
}

nlohmann::json summary(const fs::path& dir) {
  return nlohmann::json::parse(benzosim::test::read_text(dir / "summary.json"));
}

std::string coba_file() {
  return std::string(BENZOSIM_SOURCE_DIR) + "/data/networks/coba.toml";
}

/// The text without its '#' comment lines (the header names the command that wrote it).
std::string without_comments(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() != '#') out += line + "\n";
  }
  return out;
}

/// E = (R T / F) ln(([Cl]i + r [HCO3]i) / ([Cl]o + r [HCO3]o)) [mV], by hand with CODATA 2018 constants.
double ghk_mv(double cl_in_mm, double cl_out_mm, double temperature_c) {
  const double rt_over_f_mv = 1000.0 * 8.314462618 * (temperature_c + 273.15) / 96485.33212;
  return rt_over_f_mv * std::log((cl_in_mm + 0.2 * 16.0) / (cl_out_mm + 0.2 * 26.0));
}

TEST(cli_network_toml, a_network_file_runs_like_its_preset) {
  const scratch dir("network_toml_run");
  const result file = run(coba_file() + " --duration-s 0.1 --seed 3 --out " + (dir / "file").string());
  ASSERT_EQ(file.code, 0) << file.out;
  EXPECT_NE(file.out.find("network coba (" + coba_file() + ") - 4000 neurons (E 3200, I 800)"), std::string::npos)
      << file.out;
  const result preset = run("coba --duration-s 0.1 --seed 3 --out " + (dir / "preset").string());
  ASSERT_EQ(preset.code, 0) << preset.out;
  const nlohmann::json f = summary(dir / "file");
  const nlohmann::json p = summary(dir / "preset");
  EXPECT_TRUE(f["preset"].is_null());
  EXPECT_EQ(f["network_file"].get<std::string>(), coba_file());
  EXPECT_EQ(f["network"]["name"].get<std::string>(), "coba");
  EXPECT_EQ(p["preset"].get<std::string>(), "coba");
  EXPECT_TRUE(p["network_file"].is_null());
  // The same description: the same synapses and the same spikes.
  EXPECT_EQ(f["network"]["synapses"], p["network"]["synapses"]);
  EXPECT_EQ(f["spikes_total"], p["spikes_total"]);
  EXPECT_EQ(f["rate_hz"], p["rate_hz"]);

  // A small network written by hand: the keys not given take their defaults; "net.toml" is a file, not a preset.
  const fs::path net = dir.write("net.toml", R"(schema_version = 1
[network]
name = "two_cells"
[initial]
v_sd_mv = 0
g_ampa_mean_ns = 0
g_ampa_sd_ns = 0
g_gaba_mean_ns = 0
g_gaba_sd_ns = 0
[[populations]]
name = "driven"
size = 2
[populations.drive]
constant_pa = 300.0
[[populations]]
name = "target"
size = 1
[[projections]]
pre = "driven"
post = "target"
receptor = "gaba_a_fast"
weight_ns = 5.0
probability = 1.0
)");
  const result own = benzosim::test::run_command("cd " + dir.path().string() + " && " + BENZOSIM_EXE +
                                                 " network net.toml --duration-s 0.2 2>&1");
  ASSERT_EQ(own.code, 0) << own.out;
  const nlohmann::json j = summary(dir / "out" / "two_cells-network");  // the default output directory
  EXPECT_GT(j["rate_hz"]["driven"].get<double>(), 10.0);
  EXPECT_EQ(j["rate_hz"]["target"].get<double>(), 0.0);
  EXPECT_EQ(j["network"]["synapses"].get<int>(), 2);
}

TEST(cli_network_toml, a_bad_network_file_exits_2_naming_file_line_and_key) {
  const scratch dir("network_toml_bad");
  std::string text = benzosim::test::read_text(coba_file());
  const std::string from = "weight_ns = 67.0";
  text.replace(text.find(from), from.size(), "weight_ns = \"67\"");
  int line = 1;
  for (std::size_t i = 0; i < text.find("weight_ns = \"67\""); ++i) line += text[i] == '\n' ? 1 : 0;
  const fs::path bad = dir.write("bad.toml", text);
  result r = run(bad.string() + " --out " + (dir / "o").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find(bad.string() + ":" + std::to_string(line) +
                       ":13: projections[3].weight_ns must be a number, found a string."),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(dir / "o"));

  // A rule of the network itself, at the line of the key.
  const fs::path fast = dir.write("fast.toml", benzosim::test::read_text(coba_file()) + "delay_ms = 0.05\n");
  r = run(fast.string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("fast.toml:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("The network is invalid at projections[4].delay_ms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("multiple of network.dt_ms"), std::string::npos) << r.out;

  r = run((dir / "absent.toml").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("absent.toml: Cannot open the file"), std::string::npos) << r.out;
  r = run("cobaa");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("Unknown network preset 'cobaa'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("a path ending in .toml"), std::string::npos) << r.out;
}

TEST(cli_network_toml, write_network_round_trips) {
  const scratch dir("network_toml_write");
  const fs::path first = dir / "sub" / "coba.toml";  // the directory is created
  result r = run("coba --write-network " + first.string() + " --out " + (dir / "o").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("wrote " + first.string()), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir / "o"));  // written, not simulated
  const std::string text = benzosim::test::read_text(first);
  EXPECT_NE(text.find("# Generated by: benzosim network coba --write-network " + first.string()), std::string::npos)
      << text;
  // The data file is this output (apart from the header naming the command).
  EXPECT_EQ(without_comments(text), without_comments(benzosim::test::read_text(coba_file())));
  // Read and written again: the same description.
  const fs::path second = dir / "again.toml";
  r = run(first.string() + " --write-network " + second.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(without_comments(benzosim::test::read_text(second)), without_comments(text));

  // The flags that change the description are written with it.
  const fs::path ghk = dir / "ghk.toml";
  r = run("coba --scheme exponential --cl-in-mm 12 --bicarbonate --write-network " + ghk.string());
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string g = benzosim::test::read_text(ghk);
  EXPECT_NE(g.find("scheme = \"exponential\""), std::string::npos) << g;
  EXPECT_NE(g.find("[chloride]\ncl_in_mm = 12.0\ncl_out_mm = 133.0\ntemperature_c = 37.0\n"), std::string::npos) << g;
  EXPECT_NE(g.find("[chloride.bicarbonate]"), std::string::npos) << g;
  EXPECT_EQ(g.find("e_gaba_mv ="), std::string::npos) << g;  // from [chloride]
  r = run(ghk.string() + " --duration-s 0.05 --out " + (dir / "ghk").string());
  ASSERT_EQ(r.code, 0) << r.out;
  const nlohmann::json j = summary(dir / "ghk");
  EXPECT_NEAR(j["e_gaba_mv"]["E"].get<double>(), ghk_mv(12.0, 133.0, 37.0), 1e-6);
  EXPECT_EQ(j["options"]["scheme"].get<std::string>(), "exponential");
  EXPECT_EQ(j["network"]["chloride"]["cl_in_mm"].get<double>(), 12.0);

  const fs::path plain = dir.write("plain", "a file, not a directory");
  r = run("coba --write-network " + (plain / "net.toml").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("Cannot create the directory"), std::string::npos) << r.out;
}

TEST(cli_network_toml, bicarbonate_gives_the_goldman_hodgkin_katz_reversal) {
  const scratch dir("network_toml_ghk");
  // Defaults: [Cl]i 9.5, [Cl]o 133 mM, 37 C; P_HCO3/P_Cl 0.2, [HCO3]i 16, [HCO3]o 26 mM.
  const double expected = ghk_mv(9.5, 133.0, 37.0);
  EXPECT_NEAR(expected, -63.799, 1e-3);  // (R T / F) ln(12.7 / 138.2), 7 mV above chloride's Nernst -70.5 mV
  result r = run("coba --duration-s 0.05 --bicarbonate --out " + (dir / "ghk").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("E_GABA [mV] E -63.8, I -63.8"), std::string::npos) << r.out;
  nlohmann::json j = summary(dir / "ghk");
  for (const char* pop : {"E", "I"}) EXPECT_NEAR(j["e_gaba_mv"][pop].get<double>(), expected, 1e-6) << pop;
  EXPECT_TRUE(j["options"]["bicarbonate"].get<bool>());
  EXPECT_NEAR(j["network"]["chloride"]["e_gaba_mv"].get<double>(), expected, 1e-6);
  EXPECT_EQ(j["network"]["chloride"]["bicarbonate"]["relative_permeability"].get<double>(), 0.2);

  // With --cl-in-mm: the same equation at that [Cl]i.
  r = run("coba --duration-s 0.05 --bicarbonate --cl-in-mm 20 --out " + (dir / "cl20").string());
  ASSERT_EQ(r.code, 0) << r.out;
  j = summary(dir / "cl20");
  EXPECT_NEAR(j["e_gaba_mv"]["I"].get<double>(), ghk_mv(20.0, 133.0, 37.0), 1e-6);

  // Without it, --cl-in-mm stays chloride's Nernst potential.
  r = run("coba --duration-s 0.05 --cl-in-mm 20 --out " + (dir / "nernst").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NEAR(summary(dir / "nernst")["e_gaba_mv"]["E"].get<double>(),
              -1000.0 * 8.314462618 * 310.15 / 96485.33212 * std::log(133.0 / 20.0), 1e-6);

  r = run("coba --bicarbonate --e-gaba-mv -70 --out " + (dir / "both").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("--e-gaba-mv gives the GABA-A reversal potential directly, --bicarbonate computes it"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("give one of them"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir / "both"));
}

TEST(cli_network_toml, connectivity_delays_are_checked) {
  const scratch dir("network_toml_delay");
  const fs::path bad = dir.write("conn.csv", "pre,post,delay_ms\n0,1,0.5\n0,2,-1\n");
  const result r = run("coba --connectivity " + bad.string() + " --out " + (dir / "o").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find(bad.string() + ":3:5: Column delay_ms = -1 ms; must be from 0 to 1000 ms."), std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(dir / "o"));
}

TEST(cli_network_toml, help_shows_files_and_the_new_flags) {
  const result r = run("--help");
  EXPECT_EQ(r.code, 0);
  for (const char* s : {"PRESET|FILE.toml", "--write-network", "--bicarbonate", "delay_ms",
                        "benzosim network data/networks/coba.toml --bicarbonate",
                        "benzosim network coba --write-network my_net.toml"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  }
}

}  // namespace
