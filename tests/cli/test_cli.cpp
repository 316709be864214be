// SPDX-License-Identifier: MIT
// End-to-end tests of the benzosim command: exit codes, outputs, messages, and published PK figures.
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace fs = std::filesystem;

namespace {

using result = benzosim::test::command_result;  // out: stdout and stderr, interleaved

result run(const std::string& args) {
  const std::string cmd = std::string(BENZOSIM_EXE) + " " + args + " 2>&1";
  return benzosim::test::run_command(cmd);
}

fs::path scratch(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("benzosim_cli_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read(const fs::path& p) {
  return benzosim::test::read_text(p);
}

struct csv {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
  std::vector<double> column(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    std::vector<double> v;
    if (it == header.end()) return v;
    const auto k = static_cast<size_t>(it - header.begin());
    for (const auto& r : rows) v.push_back(r.at(k));
    return v;
  }
};

csv parse_csv(const std::string& text) {
  csv c;
  bool first = true;
  for (auto& cells : benzosim::test::split_csv(text)) {
    if (first) {
      c.header = cells;
      first = false;
    } else {
      std::vector<double> r;
      for (const auto& s : cells) r.push_back(std::stod(s));
      c.rows.push_back(r);
    }
  }
  return c;
}

TEST(cli, version_and_help) {
  const auto v = run("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_NE(v.out.find("benzosim 0."), std::string::npos) << v.out;
  for (const std::string sub : {"demo", "run", "pk"}) {
    const auto h = run(sub + " --help");
    EXPECT_EQ(h.code, 0) << sub;
    EXPECT_NE(h.out.find("Example"), std::string::npos) << sub << ": " << h.out;
  }
  EXPECT_EQ(run("").code, 2);
  EXPECT_EQ(run("frobnicate").code, 2);
}

TEST(cli, demo_writes_finite_outputs_and_a_summary) {
  const auto dir = scratch("demo");
  const auto r = run("demo --out " + dir.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("not medical advice"), std::string::npos);
  const auto c = parse_csv(read(dir / "timeseries.csv"));
  for (const std::string col : {"time_h", "conc_ngml", "free_ngml", "occupancy", "net_modulation", "tolerance",
                                "withdrawal", "seizure_activity", "dsst_impairment_pct", "drowsiness_prob"}) {
    EXPECT_NE(std::find(c.header.begin(), c.header.end(), col), c.header.end()) << col;
  }
  ASSERT_EQ(c.rows.size(), 42u * 24u + 1u);
  for (const auto& row : c.rows) {
    for (double x : row) ASSERT_TRUE(std::isfinite(x));
  }
  // Seizure activity: suppressed on treatment, higher than untreated in withdrawal.
  const auto seiz = c.column("seizure_activity");
  const auto w = c.column("withdrawal");
  const auto peak_w = static_cast<size_t>(std::max_element(w.begin(), w.end()) - w.begin());
  EXPECT_GT(peak_w, 664u);
  EXPECT_GT(seiz[peak_w], seiz[0]);
  EXPECT_LT(seiz[600], seiz[0]);
  const auto j = nlohmann::json::parse(read(dir / "summary.json"));
  EXPECT_EQ(j["scenario"]["name"], "demo");
  EXPECT_GT(j["summary"]["peak_withdrawal"].get<double>(), 0.0);
  bool duration_warning = false;
  for (const auto& x : j["warnings"]) duration_warning |= x["code"] == "duration_beyond_short_term";
  EXPECT_TRUE(duration_warning);
  EXPECT_FALSE(j["uncertain"].empty());
  // No temporary files left behind.
  for (const auto& e : fs::directory_iterator(dir)) {
    EXPECT_TRUE(e.path().filename() == "timeseries.csv" || e.path().filename() == "summary.json") << e.path();
  }
  fs::remove_all(dir);
}

TEST(cli, run_scenario_files_from_data) {
  for (const std::string name : {"demo", "panic_titration"}) {
    const auto dir = scratch("run_" + name);
    const auto r =
        run("run " + std::string(BENZOSIM_SOURCE_DIR) + "/data/scenarios/" + name + ".toml --out " + dir.string());
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(fs::exists(dir / "timeseries.csv"));
    EXPECT_TRUE(fs::exists(dir / "summary.json"));
    fs::remove_all(dir);
  }
  // The embedded demo and the file give the same bytes.
  const auto a = scratch("same_a"), b = scratch("same_b");
  ASSERT_EQ(run("demo --out " + a.string()).code, 0);
  ASSERT_EQ(run("run " + std::string(BENZOSIM_SOURCE_DIR) + "/data/scenarios/demo.toml --out " + b.string()).code, 0);
  EXPECT_EQ(read(a / "timeseries.csv"), read(b / "timeseries.csv"));
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(cli, alcohol_scenario_adds_its_columns_summary_and_warning) {
  const auto dir = scratch("run_alcohol");
  const auto r =
      run("run " + std::string(BENZOSIM_SOURCE_DIR) + "/data/scenarios/alcohol_evening.toml --out " + dir.string());
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string csv = read(dir / "timeseries.csv");
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_NE(header.find(",bac_g_per_100ml,ethanol_modulation,combined_modulation"), std::string::npos) << header;
  const auto j = nlohmann::json::parse(read(dir / "summary.json"));
  // 42 g of ethanol in a 60 kg woman (Widmark r 0.55): at most 42 / 33 g/L = 0.127 g/100 mL before elimination.
  const double peak = j["summary"]["peak_bac_g_per_100ml"].get<double>();
  EXPECT_GT(peak, 0.06);
  EXPECT_LT(peak, 0.127);
  EXPECT_EQ(j["alcohol"]["drinks"], 3);
  EXPECT_NEAR(j["alcohol"]["ethanol_g"].get<double>(), 14.0 + 150.0 * 0.125 * 0.789 + 14.0, 1e-9);
  bool warned = false;
  for (const auto& w : j["warnings"]) warned |= w["code"] == "alcohol_with_benzodiazepine";
  EXPECT_TRUE(warned);
  // Without [alcohol] neither the columns nor the object appear.
  const auto plain = scratch("run_plain");
  ASSERT_EQ(
      run("run " + std::string(BENZOSIM_SOURCE_DIR) + "/data/scenarios/panic_titration.toml --out " + plain.string())
          .code,
      0);
  EXPECT_EQ(read(plain / "timeseries.csv").find("bac_g_per_100ml"), std::string::npos);
  EXPECT_FALSE(nlohmann::json::parse(read(plain / "summary.json")).contains("alcohol"));
  fs::remove_all(dir);
  fs::remove_all(plain);
}

TEST(cli, pk_single_2mg_dose_falls_in_published_ranges) {
  const auto r = run("pk --drug clonazepam --dose-mg 2 --until-h 240 --step-h 0.05");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto c = parse_csv(r.out);
  ASSERT_EQ(c.header, (std::vector<std::string>{"time_h", "conc_ngml", "free_ngml"}));
  const auto t = c.column("time_h"), conc = c.column("conc_ngml"), fr = c.column("free_ngml");
  const auto i = static_cast<size_t>(std::max_element(conc.begin(), conc.end()) - conc.begin());
  // Published 2 mg single-dose figures: Crevoisier 2003 Cmax 14.9 ng/mL, tmax 1.7 h (healthy, n = 12);
  // dos Santos 2009 model 12.5 ng/mL at 2.0 h; label tmax 1-4 h.
  EXPECT_GE(conc[i], 12.0);
  EXPECT_LE(conc[i], 15.5);
  EXPECT_GE(t[i], 1.0);
  EXPECT_LE(t[i], 4.0);
  // Terminal half-life from the log-linear slope 96-240 h: label 30-40 h, Crevoisier 39.0 h.
  const size_t a = static_cast<size_t>(96 / 0.05), b = static_cast<size_t>(240 / 0.05);
  const double thalf = std::log(2.0) * (t[b] - t[a]) / std::log(conc[a] / conc[b]);
  EXPECT_GE(thalf, 30.0);
  EXPECT_LE(thalf, 42.0);
  // AUC0-inf: Crevoisier 561 ng*h/mL; trapezoid to 240 h plus the log-linear tail.
  double auc = 0;
  for (size_t k = 1; k < t.size(); ++k) auc += 0.5 * (conc[k] + conc[k - 1]) * (t[k] - t[k - 1]);
  auc += conc.back() * thalf / std::log(2.0);
  EXPECT_NEAR(auc, 561.0, 0.1 * 561.0);
  EXPECT_NEAR(fr[i] / conc[i], 0.15, 1e-9);  // ~85 % protein bound
}

TEST(cli, pk_repeated_doses_reach_the_label_steady_state) {
  // 1 mg/day as 0.5 mg bid for 3 weeks: the time to steady state is 4-6 days (pharmamedix) and the
  // average concentration at steady state is dose rate / CL = 1000 / 24 / 3.45 = 12.1 ng/mL.
  const auto dir = scratch("pkrep");
  const auto out = dir / "cz.csv";
  const auto r = run("pk --dose-mg 0.5 --every-h 12 --count 42 --until-h 504 --step-h 0.25 --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.out;
  const auto c = parse_csv(read(out));
  const auto conc = c.column("conc_ngml");
  double mean = 0;
  const size_t from = static_cast<size_t>(480 / 0.25), to = static_cast<size_t>(492 / 0.25);
  for (size_t k = from; k < to; ++k) mean += conc[k] / static_cast<double>(to - from);
  EXPECT_NEAR(mean, 1000.0 / 24.0 / 3.45, 0.02 * 12.1);
  fs::remove_all(dir);
}

struct bad_case {
  std::string name;
  std::string toml;          // scenario text; empty string = empty file
  std::string args;          // extra args; when set, used instead of a scenario file
  std::string must_mention;  // text the message must contain
  int line;                  // expected line number in the message (0: not checked)
};

const std::string valid_head = "schema_version = 1\nname = \"t\"\ndrug = \"clonazepam\"\n";
const std::string valid_tail =
    "[[dosing]]\ndose_mg = 0.5\nevery_h = 8.0\ncount = 3\n[simulation]\nduration_days = 2.0\n";

TEST(cli, bad_inputs_exit_2_with_a_clear_message_and_no_output) {
  const std::vector<bad_case> cases = {
      {"unknown_key", valid_head + "colour = \"red\"\n" + valid_tail, "", "colour", 4},
      {"negative_dose", valid_head + "[[dosing]]\ndose_mg = -0.5\n[simulation]\nduration_days = 2.0\n", "", "dose_mg",
       5},
      {"nan_dose", valid_head + "[[dosing]]\ndose_mg = nan\n[simulation]\nduration_days = 2.0\n", "", "dose_mg", 5},
      {"wrong_type", valid_head + "[[dosing]]\ndose_mg = \"half\"\n[simulation]\nduration_days = 2.0\n", "", "dose_mg",
       5},
      {"empty_file", "", "", "empty", 0},
      {"bad_schema", "schema_version = 7\nname = \"t\"\n", "", "schema_version", 1},
      {"syntax", valid_head + "[[dosing]\n", "", "", 4},
      {"missing_file", "", "run /nonexistent/dir/none.toml", "none.toml", 0},
      {"pk_negative_dose", "", "pk --dose-mg -1", "dose", 0},
      {"pk_bad_number", "", "pk --dose-mg abc", "dose-mg", 0},
      {"pk_count_without_interval", "", "pk --dose-mg 1 --count 3", "--every-h", 0},
  };
  for (const auto& c : cases) {
    const auto dir = scratch("bad_" + c.name);
    const auto file = dir / (c.name + ".toml");
    { std::ofstream(file) << c.toml; }
    const auto out = dir / "out";
    const std::string args = c.args.empty() ? "run " + file.string() + " --out " + out.string() : c.args;
    const auto r = run(args);
    EXPECT_EQ(r.code, 2) << c.name << ": " << r.out;
    EXPECT_NE(r.out.find("error"), std::string::npos) << c.name << ": " << r.out;
    if (!c.must_mention.empty()) {
      EXPECT_NE(r.out.find(c.must_mention), std::string::npos) << c.name << ": " << r.out;
    }
    if (c.args.empty()) {
      EXPECT_NE(r.out.find(file.filename().string()), std::string::npos) << c.name << ": " << r.out;
    }
    if (c.line > 0) {
      std::string needle = ":";
      needle += std::to_string(c.line);
      needle += ':';
      EXPECT_NE(r.out.find(needle), std::string::npos) << c.name << ": " << r.out;
    }
    EXPECT_FALSE(fs::exists(out)) << c.name << ": output directory created for a failed run";
    fs::remove_all(dir);
  }
}

TEST(cli, unwritable_output_is_an_error_without_partial_files) {
  const auto dir = scratch("unwritable");
  { std::ofstream(dir / "blocker") << "a file where the output directory should be"; }
  const auto r = run("demo --out " + (dir / "blocker").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("blocker"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

}  // namespace
