// SPDX-License-Identifier: MIT
// End-to-end tests of `benzosim population`: outputs and their formats, agreement with `benzosim run`,
// independence of the thread count, and exit codes for bad flags.
#include <sys/wait.h>
#include <unistd.h>

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

/// Runs benzosim with args in directory cwd (the test's working directory if empty).
result run(const std::string& args, const fs::path& cwd = {}) {
  std::string cmd;
  if (!cwd.empty()) cmd = "cd '" + cwd.string() + "' && ";
  cmd += std::string(BENZOSIM_EXE) + " " + args + " 2>&1";
  return benzosim::test::run_command(cmd);
}

using scratch = benzosim::test::scratch_dir;

std::string read(const fs::path& p) {
  return benzosim::test::read_text(p);
}

void write(const fs::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary) << content;
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  if (pos == std::string::npos) throw std::runtime_error("test: '" + from + "' not found");
  return text.replace(pos, from.size(), to);
}

/// The demo scenario without the circuit model (fast), written to dir/s.toml; extra is appended.
fs::path demo_without_circuit(const scratch& dir, const std::string& extra = "") {
  const std::string demo = read(fs::path(BENZOSIM_SOURCE_DIR) / "data/scenarios/demo.toml");
  const fs::path p = dir / "s.toml";
  write(p, replace_once(demo, "enabled = true", "enabled = false") + extra);
  return p;
}

struct table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  std::size_t index(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw std::runtime_error("test: no column " + name);
    return static_cast<std::size_t>(it - header.begin());
  }
  double number(std::size_t row, const std::string& column) const { return std::stod(rows.at(row).at(index(column))); }
};

table parse_csv(const std::string& text) {
  table t;
  bool first = true;
  for (auto& cells : benzosim::test::split_csv(text)) {
    if (first) {
      t.header = cells;
      first = false;
    } else {
      t.rows.push_back(cells);
    }
  }
  return t;
}

bool is_finite_number(const std::string& s) {
  try {
    std::size_t used = 0;
    const double v = std::stod(s, &used);
    return used == s.size() && std::isfinite(v);
  } catch (const std::exception&) {
    return false;
  }
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

const std::vector<std::string> series{"conc_ngml",       "free_ngml",    "occupancy",          "net_modulation",
                                      "tolerance",       "withdrawal",   "seizure_activity",   "dsst_impairment_pct",
                                      "drowsiness_prob", "net_sedative", "net_anticonvulsant", "net_anxiolytic",
                                      "net_amnesic"};
const std::vector<std::string> statistics{"mean", "sd", "p05", "p25", "p50", "p75", "p95"};

std::vector<std::string> summary_header(const std::vector<std::string>& names) {
  std::vector<std::string> h{"time_h"};
  for (const auto& s : names) {
    for (const auto& st : statistics) h.push_back(s + "_" + st);
  }
  return h;
}

TEST(cli_population, writes_summary_subjects_and_json) {
  const scratch dir("outputs");
  const fs::path scenario = demo_without_circuit(dir);
  const fs::path out = dir / "out";
  const auto r = run("population " + scenario.string() + " -n 200 --rows --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("not medical advice"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\r'), std::string::npos) << "no progress bar when stderr is not a terminal";
  EXPECT_EQ(entries(out), (std::vector<std::string>{"subjects.csv", "summary.csv", "summary.json"}));

  const table summary = parse_csv(read(out / "summary.csv"));
  EXPECT_EQ(summary.header, summary_header(series));
  ASSERT_EQ(summary.rows.size(), 42u * 24u + 1u);
  for (const auto& row : summary.rows) {
    ASSERT_EQ(row.size(), summary.header.size());
    for (const auto& cell : row) ASSERT_TRUE(is_finite_number(cell)) << cell;
  }
  for (std::size_t i = 0; i < summary.rows.size(); i += 97) {
    const double p05 = summary.number(i, "conc_ngml_p05"), p50 = summary.number(i, "conc_ngml_p50"),
                 p95 = summary.number(i, "conc_ngml_p95");
    EXPECT_LE(p05, p50);
    EXPECT_LE(p50, p95);
    EXPECT_GE(summary.number(i, "conc_ngml_sd"), 0.0);
  }

  const table subjects = parse_csv(read(out / "subjects.csv"));
  EXPECT_EQ(subjects.header, (std::vector<std::string>{"replicate", "subject", "weight_kg", "age_y", "sex",
                                                       "inducing_aeds", "cyp3a4_inhibitor", "cl_lph", "v1_l",
                                                       "cmax_ngml", "cmin_ngml", "auc_ngml_h", "time_above_h"}));
  ASSERT_EQ(subjects.rows.size(), 200u);
  for (std::size_t i = 0; i < subjects.rows.size(); ++i) {
    const auto& row = subjects.rows[i];
    ASSERT_EQ(row.size(), subjects.header.size());
    EXPECT_EQ(row[0], "0");
    EXPECT_EQ(row[1], std::to_string(i));
    EXPECT_TRUE(row[4] == "female" || row[4] == "male") << row[4];
    EXPECT_TRUE(row[6] == "0" || row[6] == "1") << row[6];
    for (std::size_t k : {2u, 3u, 5u, 7u, 8u, 9u, 10u, 11u, 12u}) EXPECT_TRUE(is_finite_number(row[k])) << row[k];
    EXPECT_GT(subjects.number(i, "cl_lph"), 0.0);
    EXPECT_GE(subjects.number(i, "cmax_ngml"), subjects.number(i, "cmin_ngml"));
  }

  const auto j = nlohmann::json::parse(read(out / "summary.json"));
  EXPECT_EQ(j["scenario"]["name"], "demo");
  EXPECT_EQ(j["model"]["source"], "built-in default (clonazepam presets)");
  EXPECT_EQ(j["options"]["subjects"], 200);
  EXPECT_EQ(j["n_total"], 200);
  EXPECT_EQ(j["quantiles_exact"], true);
  EXPECT_TRUE(j["alpha"].is_number());
  for (const char* m : {"cmax_ngml", "cmin_ngml", "auc_ngml_h", "time_above_h"}) {
    for (const auto& st : statistics) EXPECT_TRUE(j["metrics"][m][st].is_number()) << m << "." << st;
  }
  EXPECT_FALSE(j["uncertain"].empty());
  EXPECT_NE(j["disclaimer"].get<std::string>().find("not medical advice"), std::string::npos);
  EXPECT_FALSE(j["benzosim_version"].get<std::string>().empty());

  // The median patient at steady state (day 25, before the abrupt stop on day 28) is close to the typical
  // patient of `benzosim run` (70 kg, no co-medication): the population is centred on the typical values.
  const fs::path run_out = dir / "run";
  const auto rr = run("run " + scenario.string() + " --out " + run_out.string());
  ASSERT_EQ(rr.code, 0) << rr.out;
  const table timeline = parse_csv(read(run_out / "timeseries.csv"));
  const std::size_t row = 600;  // t = 600 h
  ASSERT_DOUBLE_EQ(summary.number(row, "time_h"), 600.0);
  ASSERT_DOUBLE_EQ(timeline.number(row, "time_h"), 600.0);
  const double typical = timeline.number(row, "conc_ngml");
  const double median = summary.number(row, "conc_ngml_p50");
  EXPECT_GT(typical, 5.0);
  EXPECT_NEAR(median, typical, 0.3 * typical);
}

TEST(cli_population, thread_count_does_not_change_a_byte) {
  const scratch dir("threads");
  const fs::path scenario = demo_without_circuit(dir);
  for (const char* threads : {"1", "2"}) {
    const auto r = run("population " + scenario.string() + " -n 200 --chunk 16 --seed 5 --rows --threads " + threads +
                       " --out " + (dir / threads).string());
    ASSERT_EQ(r.code, 0) << r.out;
  }
  for (const char* file : {"summary.csv", "subjects.csv", "summary.json"}) {
    const std::string a = read(dir / "1" / file);
    EXPECT_FALSE(a.empty()) << file;
    EXPECT_TRUE(a == read(dir / "2" / file)) << file << " differs between --threads 1 and --threads 2";
  }
  // Another seed gives other patients.
  const auto r =
      run("population " + scenario.string() + " -n 200 --chunk 16 --seed 6 --rows --out " + (dir / "seed6").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(read(dir / "1" / "subjects.csv"), read(dir / "seed6" / "subjects.csv"));
}

TEST(cli_population, population_section_of_the_scenario) {
  const scratch dir("section");
  const fs::path scenario = demo_without_circuit(dir, R"(
[population]
cv_convention = "sqrt_omega"

[population.variability]
cl = 20.1
v1 = 25

[[population.correlation]]
between = ["cl", "v1"]
rho = 0.4

[population.residual]
model = "proportional"
sd_prop = 0.186

[population.uncertainty]
cl = 10
)");
  const fs::path out = dir / "out";
  const auto r = run("population " + scenario.string() + " -n 30 --replicates 3 --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(entries(out), (std::vector<std::string>{"summary.csv", "summary.json"}));  // no --rows
  auto names = series;
  names.emplace_back("conc_obs_ngml");  // the residual error adds the observed concentration
  const table summary = parse_csv(read(out / "summary.csv"));
  EXPECT_EQ(summary.header, summary_header(names));
  const auto j = nlohmann::json::parse(read(out / "summary.json"));
  EXPECT_EQ(j["model"]["source"], "scenario file [population]");
  EXPECT_EQ(j["model"]["omega"]["parameters"], nlohmann::json::array({"cl", "v1"}));
  EXPECT_EQ(j["model"]["residual"]["model"], "proportional");
  EXPECT_DOUBLE_EQ(j["model"]["uncertainty"]["cl"].get<double>(), 10.0);
  EXPECT_EQ(j["options"]["replicates"], 3);
  EXPECT_EQ(j["n_total"], 90);
  // `benzosim run` reads the same file.
  EXPECT_EQ(run("run " + scenario.string() + " --out " + (dir / "run").string()).code, 0);
}

TEST(cli_population, default_output_directory_is_named_after_the_scenario) {
  const scratch dir("default_out");
  const fs::path scenario = demo_without_circuit(dir);
  const auto r = run("population s.toml -n 5", dir.path());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir / "out" / "demo-population" / "summary.csv")) << r.out;
  EXPECT_TRUE(fs::exists(dir / "out" / "demo-population" / "summary.json")) << r.out;
}

TEST(cli_population, bad_flags_exit_2_and_create_nothing) {
  const scratch dir("bad");
  const fs::path scenario = demo_without_circuit(dir);
  const fs::path broken = dir / "broken.toml";
  write(broken, read(scenario) + "\n[population]\ncv_convention = \"sqrt_omega\"\n[population.variability]\ncl = -1\n");
  const fs::path out = dir / "out";
  struct bad {
    std::string args;
    std::string message;
  };
  const std::string s = scenario.string();
  for (const bad& b :
       {bad{s + " -n 0", "-n 0"}, bad{s + " -n 1000000001", "-n 1000000001"}, bad{s + " -n -3", "-n -3"},
        bad{s + " -n 2.5", "-n 2.5"}, bad{s + " -n many", "-n many"}, bad{s, "--subjects is required"},
        bad{s + " -n 10 --threads 1025", "--threads 1025"}, bad{s + " -n 10 --threads -1", "--threads -1"},
        bad{s + " -n 10 --replicates 0", "--replicates 0"}, bad{s + " -n 10 --replicates 10001", "--replicates 10001"},
        bad{s + " -n 10 --chunk 0", "--chunk 0"}, bad{s + " -n 10 --chunk 1000001", "--chunk 1000001"},
        bad{s + " -n 10 --seed -1", "--seed -1"}, bad{s + " -n 10 --threshold-ngml -5", "--threshold-ngml -5"},
        bad{s + " -n 10 --frobnicate", "frobnicate"}, bad{(dir / "missing.toml").string() + " -n 10", "Cannot open"},
        bad{broken.string() + " -n 10", "population.variability.cl = -1 %"}}) {
    const auto r = run("population " + b.args + " --out " + out.string());
    EXPECT_EQ(r.code, 2) << b.args << ": " << r.out;
    EXPECT_NE(r.out.find(b.message), std::string::npos) << b.args << ": " << r.out;
    EXPECT_FALSE(fs::exists(out)) << b.args;
  }
  // A scenario error names the file and the line.
  const auto r = run("population " + broken.string() + " -n 10 --out " + out.string());
  EXPECT_NE(r.out.find(broken.string() + ":"), std::string::npos) << r.out;
}

/// The data rows of a covariate CSV without comment lines (the example file has a comment header).
table covariate_csv(const fs::path& p) {
  std::string text;
  std::istringstream in(read(p));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') text += line + "\n";
  }
  return parse_csv(text);
}

TEST(cli_population, covariates_from_the_example_csv_of_subjects) {
  const scratch dir("from_csv");
  const fs::path out = dir / "out";
  // Run from the source tree with the relative path of the docs: the CSV is found relative to the scenario.
  const auto r = run("population data/scenarios/population_from_csv.toml -n 20 --rows --out " + out.string(),
                     fs::path(BENZOSIM_SOURCE_DIR));
  ASSERT_EQ(r.code, 0) << r.out;
  const table subjects = parse_csv(read(out / "subjects.csv"));
  const table input = covariate_csv(fs::path(BENZOSIM_SOURCE_DIR) / "data/populations/example_subjects.csv");
  ASSERT_EQ(input.rows.size(), 20u);
  ASSERT_EQ(subjects.rows.size(), 20u);
  for (std::size_t i = 0; i < 20; ++i) {
    // in_order: patient i is subject i of the file, covariates unchanged.
    EXPECT_EQ(subjects.number(i, "weight_kg"), input.number(i, "weight_kg")) << "row " << i;
    EXPECT_EQ(subjects.number(i, "age_y"), input.number(i, "age_y")) << "row " << i;
    EXPECT_EQ(subjects.rows[i][subjects.index("sex")], input.rows[i][input.index("sex")]) << "row " << i;
    EXPECT_EQ(subjects.rows[i][subjects.index("inducing_aeds")], input.rows[i][input.index("inducing_aeds")]);
    EXPECT_EQ(subjects.rows[i][subjects.index("cyp3a4_inhibitor")], input.rows[i][input.index("cyp3a4_inhibitor")]);
  }
  // More patients than subjects with draw = "in_order": bad input, exit 2, nothing created.
  const fs::path out21 = dir / "out21";
  const auto too_many = run("population data/scenarios/population_from_csv.toml -n 21 --out " + out21.string(),
                            fs::path(BENZOSIM_SOURCE_DIR));
  EXPECT_EQ(too_many.code, 2) << too_many.out;
  EXPECT_NE(too_many.out.find("21 patients per replicate"), std::string::npos) << too_many.out;
  EXPECT_NE(too_many.out.find("has 20 rows"), std::string::npos) << too_many.out;
  EXPECT_FALSE(fs::exists(out21));
}

TEST(cli_population, a_bad_covariate_csv_exits_2_naming_the_file_and_line) {
  const scratch dir("bad_csv");
  write(dir / "bad.csv", "id,weight_kg\nA,70\nB,0.5\n");
  const fs::path scenario = demo_without_circuit(dir, R"(
[population]
cv_convention = "sqrt_omega"
[population.variability]
cl = 20.1
[population.covariates]
file = "bad.csv"
)");
  const fs::path out = dir / "out";
  // Run from another directory: the file is found next to the scenario, not in the working directory.
  const auto r = run("population " + scenario.string() + " -n 2 --out " + out.string(), fs::temp_directory_path());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find((dir / "bad.csv").lexically_normal().string() + ":3:3:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("weight_kg = 0.5 kg; must be >= 1 and <= 400"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("population.covariates.file of " + scenario.string()), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out));
}

TEST(cli_population, help_has_an_example) {
  const auto h = run("population --help");
  EXPECT_EQ(h.code, 0);
  EXPECT_NE(h.out.find("Example"), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("benzosim population data/scenarios/demo.toml"), std::string::npos) << h.out;
  const auto top = run("--help");
  EXPECT_NE(top.out.find("population"), std::string::npos) << top.out;
}

}  // namespace
