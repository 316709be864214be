// SPDX-License-Identifier: MIT
// End-to-end tests of `benzosim network`: summary.json and its fields, the dose-response sweep, spikes.csv,
// networks and initial states from files, the thread count, and exit code 2 for bad flags and bad files.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
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
  return benzosim::test::run_command(std::string(BENZOSIM_EXE) + " network " + args + " 2>&1");
}

nlohmann::json summary(const fs::path& dir) {
  return nlohmann::json::parse(benzosim::test::read_text(dir / "summary.json"));
}

TEST(cli_network, coba_writes_summary_json_with_every_field_and_a_table) {
  const scratch dir("network_coba");
  const result r = run("coba --duration-s 0.5 --seed 1 --out " + (dir / "out").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("network coba - 4000 neurons (E 3200, I 800)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("population  rate"), std::string::npos) << r.out;
  // one table row per population, the second without the concentration
  EXPECT_NE(r.out.find("\n                          I "), std::string::npos) << r.out;
  const nlohmann::json j = summary(dir / "out");
  {  // spectrum.csv: 256-sample Welch segments at 1 ms give 129 frequencies, 0 to 500 Hz; the summary's peak is
     // the frequency of the file's largest density above 0 Hz
    std::ifstream in(dir / "out" / "spectrum.csv");
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "frequency_hz,psd_E,psd_I,psd_all");
    std::size_t rows = 0;
    double best = -1.0;
    double best_f = 0.0;
    double last_f = 0.0;
    while (std::getline(in, line)) {
      const double f = std::stod(line.substr(0, line.find(',')));
      const double e = std::stod(line.substr(line.find(',') + 1));
      if (rows > 0 && e > best) {
        best = e;
        best_f = f;
      }
      last_f = f;
      ++rows;
    }
    EXPECT_EQ(rows, 129u);
    EXPECT_DOUBLE_EQ(last_f, 500.0);
    EXPECT_NEAR(j["spectrum_peak_hz"]["E"].get<double>(), best_f, 1e-6);
    double sum = 0.0;
    for (const auto& [band, fraction] : j["spectrum_band_fraction"]["E"].items()) sum += fraction.get<double>();
    EXPECT_GT(sum, 0.0);
    EXPECT_LE(sum, 1.0 + 1e-9);
  }
  for (const char* pop : {"E", "I"}) {
    EXPECT_GT(j["rate_hz"][pop].get<double>(), 10.0) << pop;
    EXPECT_LT(j["rate_hz"][pop].get<double>(), 35.0) << pop;
    EXPECT_GT(j["cv_isi"][pop].get<double>(), 0.0) << pop;
    EXPECT_TRUE(j["synchrony"][pop].is_number()) << pop;
    EXPECT_LT(j["mean_v_mv"][pop].get<double>(), -50.0) << pop;
    EXPECT_GT(j["mean_gaba_current_pa"][pop].get<double>(), 0.0) << pop;
  }
  EXPECT_EQ(j["seizure_fraction"].get<double>(), 0.0);
  EXPECT_GT(j["spikes_total"].get<std::uint64_t>(), 20000u);
  EXPECT_GE(j["wall_s_setup"].get<double>(), 0.0);
  EXPECT_GT(j["wall_s_loop"].get<double>(), 0.0);
  EXPECT_EQ(j["options"]["seed"].get<int>(), 1);
  EXPECT_EQ(j["options"]["duration_s"].get<double>(), 0.5);
  EXPECT_EQ(j["options"]["scheme"].get<std::string>(), "euler");
  EXPECT_EQ(j["network"]["neurons"].get<int>(), 4000);
  EXPECT_EQ(j["runs"].size(), 1u);
  EXPECT_FALSE(fs::exists(dir / "out" / "dose_response.csv"));
}

TEST(cli_network, concentration_sweep_writes_dose_response_csv) {
  const scratch dir("network_sweep");
  const result r = run("coba --duration-s 0.2 --conc-ngml 0,10,40 --out " + dir.path().string());
  ASSERT_EQ(r.code, 0) << r.out;
  const auto rows = benzosim::test::split_csv(benzosim::test::read_text(dir / "dose_response.csv"));
  ASSERT_EQ(rows.size(), 4u);
  ASSERT_GE(rows[0].size(), 3u);
  EXPECT_EQ(rows[0][0], "conc_ngml");
  EXPECT_EQ(rows[1][0], "0");
  EXPECT_EQ(rows[2][0], "10");
  EXPECT_EQ(rows[3][0], "40");
  for (const char* col : {"rate_hz_E", "rate_hz_I", "seizure_fraction", "mean_v_mv_E", "gaba_a_fast_decay"}) {
    EXPECT_NE(std::find(rows[0].begin(), rows[0].end(), col), rows[0].end()) << col;
  }
  const nlohmann::json j = summary(dir.path());
  ASSERT_EQ(j["runs"].size(), 3u);
  // The drug: larger and longer IPSCs at 40 ng/mL than at 10, none at 0; inhibition hyperpolarises.
  EXPECT_EQ(j["runs"][0]["gaba_a_fast"]["decay"].get<double>(), 1.0);
  EXPECT_GT(j["runs"][2]["gaba_a_fast"]["decay"].get<double>(), j["runs"][1]["gaba_a_fast"]["decay"].get<double>());
  EXPECT_GT(j["runs"][1]["gaba_a_fast"]["decay"].get<double>(), 1.1);
  EXPECT_LT(j["runs"][1]["rate_hz"]["E"].get<double>(), j["runs"][0]["rate_hz"]["E"].get<double>());
  EXPECT_LT(j["runs"][1]["mean_v_mv"]["E"].get<double>(), j["runs"][0]["mean_v_mv"]["E"].get<double>());
  EXPECT_EQ(j["conc_ngml"].get<double>(), 0.0);  // the top level is the first concentration
}

TEST(cli_network, spikes_file_threads_and_files_from_another_simulator) {
  const scratch dir("network_files");
  // 2 threads give the same spikes as 1.
  ASSERT_EQ(run("coba --duration-s 0.1 --spikes --out " + (dir / "one").string()).code, 0);
  const result two = run("coba --duration-s 0.1 --spikes --threads 2 --out " + (dir / "two").string());
  ASSERT_EQ(two.code, 0) << two.out;
  const std::string spikes = benzosim::test::read_text(dir / "one" / "spikes.csv");
  EXPECT_EQ(spikes, benzosim::test::read_text(dir / "two" / "spikes.csv"));
  EXPECT_EQ(spikes.substr(0, 15), "time_ms,neuron\n");
  std::size_t lines = 0;
  for (char c : spikes) lines += c == '\n' ? 1 : 0;
  EXPECT_EQ(lines - 1, summary(dir / "one")["spikes_total"].get<std::size_t>());

  // A network and an initial state written by another program: every neuron at -65 mV, I -> E synapses only.
  std::string init = "neuron,v_mv,ge_ns,gi_ns\n";
  for (int i = 0; i < 4000; ++i) init += std::to_string(i) + (i == 3200 ? ",-40,0,0\n" : ",-65,0,0\n");
  std::string conn = "pre,post,weight_ns\n";
  for (int i = 0; i < 100; ++i) conn += "3200," + std::to_string(i) + ",67\n";
  const fs::path ci = dir.write("init.csv", init);
  const fs::path cc = dir.write("conn.csv", conn);
  const result r = run("coba --duration-s 0.1 --connectivity " + cc.string() + " --initial-state " + ci.string() +
                       " --out " + (dir / "files").string());
  ASSERT_EQ(r.code, 0) << r.out;
  const nlohmann::json j = summary(dir / "files");
  EXPECT_EQ(j["network"]["synapses"].get<int>(), 100);
  EXPECT_EQ(j["spikes_total"].get<int>(), 1);  // only neuron 3200 starts above threshold; nothing else fires
  EXPECT_EQ(j["options"]["connectivity"].get<std::string>(), cc.string());
}

TEST(cli_network, bad_files_and_flags_exit_2_with_a_clear_message) {
  const scratch dir("network_bad");
  const fs::path bad = dir.write("conn.csv", "pre,post\n0,1\n0,x\n");
  result r = run("coba --connectivity " + bad.string() + " --out " + (dir / "o").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find(bad.string() + ":3:3: Column post = x is not a neuron index"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir / "o" / "summary.json"));
  r = run("coba --initial-state " + (dir / "missing.csv").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("No such file"), std::string::npos) << r.out;
  r = run("no_such_preset");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("the presets are: coba, seizure, amygdala"), std::string::npos) << r.out;
  for (const char* flags : {"coba --threads two", "coba --threads 999", "coba --seed -1", "coba --duration-s 0",
                            "coba --duration-s 1.00005", "coba --conc-ngml 5,,10", "coba --conc-ngml -5",
                            "coba --scheme rk4", "coba --no-such-flag", ""}) {
    r = run(flags);
    EXPECT_EQ(r.code, 2) << flags << "\n" << r.out;
    EXPECT_NE(r.out.find("error"), std::string::npos) << flags << "\n" << r.out;
  }
}

TEST(cli_network, chloride_sets_the_gaba_reversal_by_nernst) {
  const scratch dir("network_chloride");
  const result r = run("coba --duration-s 0.1 --cl-in-mm 9.5 --out " + dir.path().string());
  ASSERT_EQ(r.code, 0) << r.out;
  const nlohmann::json j = summary(dir.path());
  for (const auto& p : j["network"]["populations"]) EXPECT_NEAR(p["e_gaba_mv"].get<double>(), -70.533, 1e-3);
  EXPECT_NEAR(j["e_gaba_mv"]["E"].get<double>(), -70.533, 1e-3);
  EXPECT_EQ(j["options"]["cl_in_mm"].get<double>(), 9.5);
  const result given = run("coba --duration-s 0.1 --e-gaba-mv -75 --out " + (dir / "given").string());
  ASSERT_EQ(given.code, 0) << given.out;
  EXPECT_EQ(summary(dir / "given")["e_gaba_mv"]["I"].get<double>(), -75.0);
  const result both = run("coba --e-gaba-mv -75 --cl-in-mm 9.5 --out " + (dir / "both").string());
  EXPECT_EQ(both.code, 2);
  EXPECT_NE(both.out.find("give one of them"), std::string::npos) << both.out;
}

TEST(cli_network, help_shows_an_example) {
  const result r = run("--help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("benzosim network coba --conc-ngml 0,5,10,20,40"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--initial-state"), std::string::npos) << r.out;
}

// Rate windows: the amygdala preset reports its baseline and threat windows by default; the window rates equal
// those counted in the test from the run's own spikes.csv; dose_response.csv gets one column per window and
// population; bad windows exit 2 naming the flag.
TEST(cli_network, rate_windows_match_the_spikes_and_default_to_the_amygdala_windows) {
  const scratch dir("network_rate_windows");
  const result r = run("amygdala --duration-s 1 --seed 2 --spikes --conc-ngml 0,40 --out " + (dir / "out").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("[500,1000)"), std::string::npos) << r.out;
  const nlohmann::json j = nlohmann::json::parse(benzosim::test::read_text(dir / "out" / "summary.json"));
  ASSERT_EQ(j["rate_windows"].size(), 2u) << j.dump(1);
  EXPECT_EQ(j["rate_windows"][0]["start_ms"], 100.0);
  EXPECT_EQ(j["rate_windows"][1]["stop_ms"], 1000.0);
  // CeM: neurons 1100..1199 (BLA_PN 800, BLA_PV 100, CeL 200 come first).
  const std::size_t first = j["network"]["populations"][3]["first_neuron"].get<std::size_t>();
  ASSERT_EQ(j["network"]["populations"][3]["name"], "CeM");
  std::ifstream spikes(dir / "out" / "spikes_conc0.csv");
  std::string line;
  std::getline(spikes, line);
  double baseline = 0.0;
  double threat = 0.0;
  while (std::getline(spikes, line)) {
    const double t = std::stod(line.substr(0, line.find(',')));
    const std::size_t neuron = std::stoul(line.substr(line.find(',') + 1));
    if (neuron < first || neuron >= first + 100) continue;
    if (t >= 100.0 && t < 500.0) baseline += 1.0;
    if (t >= 500.0 && t < 1000.0) threat += 1.0;
  }
  baseline /= 100 * 0.4;
  threat /= 100 * 0.5;
  EXPECT_NEAR(j["rate_windows"][0]["rate_hz"]["CeM"].get<double>(), baseline, 1e-9);
  EXPECT_NEAR(j["rate_windows"][1]["rate_hz"]["CeM"].get<double>(), threat, 1e-9);
  EXPECT_GT(threat, 2.0 * baseline);  // the threat input drives the output
  const double threat_drug = j["runs"][1]["rate_windows"][1]["rate_hz"]["CeM"].get<double>();
  EXPECT_LT(threat_drug, threat);  // and the drug lowers it
  const std::string csv = benzosim::test::read_text(dir / "out" / "dose_response.csv");
  EXPECT_NE(csv.find(",rate_hz_CeM_500_1000ms"), std::string::npos) << csv.substr(0, 400);

  for (const char* bad : {"100", "500:100", "0:2000", "a:b", "-1:5"}) {
    const result e = run(std::string("coba --duration-s 1 --rate-window ") + bad + " --out " + (dir / "bad").string());
    EXPECT_EQ(e.code, 2) << bad << ": " << e.out;
    EXPECT_NE(e.out.find("--rate-window"), std::string::npos) << e.out;
  }
}

}  // namespace
