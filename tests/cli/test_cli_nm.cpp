// SPDX-License-Identifier: MIT
// End-to-end tests of `benzosim nm`: closed-form answers, the two model forms, outputs, exit codes and
// messages, and NONMEM's own results on the dosing reference dataset.
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

#include "test_support.hpp"

#include "cli_support.hpp"

namespace fs = std::filesystem;

namespace {

using result = benzosim::test::command_result;  // out: stdout and stderr, interleaved

result run(const std::string& args, bool with_stderr = true) {
  const std::string cmd = std::string(BENZOSIM_EXE) + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  return benzosim::test::run_command(cmd);
}

/// A fresh directory, removed at the end of the test.
class scratch {
 public:
  explicit scratch(const std::string& name)
      : dir_(fs::temp_directory_path() / ("benzosim_cli_nm_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path operator/(const std::string& f) const { return dir_ / f; }
  /// Writes a file and returns its path, quoted for the shell.
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    std::string quoted = "'";  // (built step by step: GCC 12 reports a false -Wrestrict for "'" + s)
    quoted += (dir_ / name).string();
    quoted += '\'';
    return quoted;
  }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}));
  }

 private:
  fs::path dir_;
};

std::string read(const fs::path& p) {
  return benzosim::test::read_text(p);
}

struct csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<double> column(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    std::vector<double> v;
    if (it == header.end()) return v;
    const auto k = static_cast<size_t>(it - header.begin());
    for (const auto& r : rows) v.push_back(std::stod(r.at(k)));
    return v;
  }
};

csv parse_csv(const std::string& text) {
  csv c;
  std::istringstream in(text);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream ls(line);
    std::string cell;
    std::vector<std::string> cells;
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    if (first) {
      c.header = cells;
      first = false;
    } else {
      c.rows.push_back(cells);
    }
  }
  return c;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// 100 mg IV bolus at t = 0, CL = 2 L/h, V = 10 L: A1(t) = 100 exp(-0.2 t); a second subject gets 50 mg at t = 2.
const std::string bolus_data =
    "ID,TIME,EVID,AMT,CMT,WT\n"
    "1,0,1,100,1,70\n"
    "1,0.5,0,.,.,.\n"
    "C,this row is a comment and gets no output row\n"
    "1,1,0,0,1,72\n"
    "1,2,2,0,1,.\n"
    "1,6,0,0,1,.\n"
    "1,24,0,0,1,.\n"
    "2,0,0,0,1,60\n"
    "2,2,1,50,1,.\n"
    "2,3,0,0,1,.\n";
const std::string bolus_flags = "--model one_cmt_iv --param CL=2 --param V=10 --output CP=1/V*1000";
const std::string bolus_model_file = R"(schema_version = 1
structure = "one_cmt_iv"
[params]
CL = 2
V = 10
[outputs]
CP = { amount = 1, divide_by = "V", multiply = 1000 }
)";

TEST(cli_nm, help_shows_an_example) {
  const auto h = run("nm --help");
  EXPECT_EQ(h.code, 0);
  EXPECT_TRUE(contains(h.out, "Example")) << h.out;
  EXPECT_TRUE(contains(h.out, "--model one_cmt_oral")) << h.out;
}

TEST(cli_nm, iv_bolus_matches_the_closed_form) {
  const scratch dir("bolus");
  const std::string data = dir.write("data.csv", bolus_data);
  const auto r = run("nm " + data + " " + bolus_flags, false);
  ASSERT_EQ(r.code, 0) << r.out;
  const csv c = parse_csv(r.out);
  EXPECT_EQ(c.header, (std::vector<std::string>{"ID", "TIME", "EVID", "A1", "CP"}));
  ASSERT_EQ(c.rows.size(), 9u);  // every data row, not the comment
  const std::vector<double> id = c.column("ID");
  const std::vector<double> t = c.column("TIME");
  const std::vector<double> evid = c.column("EVID");
  const std::vector<double> a1 = c.column("A1");
  const std::vector<double> cp = c.column("CP");
  EXPECT_EQ(id, (std::vector<double>{1, 1, 1, 1, 1, 1, 2, 2, 2}));
  EXPECT_EQ(t, (std::vector<double>{0, 0.5, 1, 2, 6, 24, 0, 2, 3}));
  EXPECT_EQ(evid, (std::vector<double>{1, 0, 0, 2, 0, 0, 0, 1, 0}));
  for (std::size_t i = 0; i < 6; ++i) {
    const double expected = 100.0 * std::exp(-0.2 * t[i]);
    EXPECT_TRUE(benzosim::test::close_rel(a1[i], expected, 1e-9)) << "row " << i;
    EXPECT_TRUE(benzosim::test::close_rel(cp[i], expected / 10.0 * 1000.0, 1e-9)) << "row " << i;
  }
  EXPECT_EQ(a1[6], 0.0);
  EXPECT_TRUE(benzosim::test::close_rel(a1[7], 50.0, 1e-12));  // a bolus is in the amounts of its own row
  EXPECT_TRUE(benzosim::test::close_rel(a1[8], 50.0 * std::exp(-0.2), 1e-9));
}

TEST(cli_nm, steady_state_constant_infusion_is_at_equilibrium) {
  // RATE 10 mg/h at steady state (AMT 0, SS 1, II 0), CL 2 L/h: A1 = RATE / (CL / V) = 50 mg, then constant.
  const scratch dir("ss_infusion");
  const std::string data =
      dir.write("data.csv", "ID,TIME,EVID,AMT,RATE,II,SS\n1,0,1,0,10,0,1\n1,1,0,.,.,.,.\n1,100,0,.,.,.,.\n");
  const auto r = run("nm " + data + " --model one_cmt_iv --param CL=2 --param V=10", false);
  ASSERT_EQ(r.code, 0) << r.out;
  const std::vector<double> a1 = parse_csv(r.out).column("A1");
  ASSERT_EQ(a1.size(), 3u);
  for (double a : a1) EXPECT_TRUE(benzosim::test::close_rel(a, 50.0, 1e-9));
}

TEST(cli_nm, stdout_and_out_file_are_identical) {
  const scratch dir("out");
  const std::string data = dir.write("data.csv", bolus_data);
  const auto r = run("nm " + data + " " + bolus_flags, false);
  ASSERT_EQ(r.code, 0);
  const auto w = run("nm " + data + " " + bolus_flags + " --out '" + (dir / "result.csv").string() + "'");
  ASSERT_EQ(w.code, 0) << w.out;
  EXPECT_EQ(w.out, "");
  EXPECT_EQ(read(dir / "result.csv"), r.out);
}

TEST(cli_nm, model_file_and_flags_give_identical_output) {
  const scratch dir("model_file");
  const std::string data = dir.write("data.csv", bolus_data);
  const std::string model = dir.write("model.toml", bolus_model_file);
  const auto flags = run("nm " + data + " " + bolus_flags, false);
  const auto file = run("nm " + data + " --model " + model, false);
  ASSERT_EQ(flags.code, 0);
  ASSERT_EQ(file.code, 0) << file.out;
  EXPECT_EQ(file.out, flags.out);
}

TEST(cli_nm, bad_inputs_exit_2_naming_row_and_column_and_write_nothing) {
  const scratch dir("bad");
  const std::string out = " --out '" + (dir / "result.csv").string() + "'";
  struct bad_case {
    std::string data;
    std::string args;
    std::vector<std::string> parts;
  };
  const std::string h = "ID,TIME,AMT,CMT,RATE,II,SS\n";
  const bad_case cases[] = {
      {h + "1,0,100,1,0,0,0\n1,5,0,1,0,0,0\n1,4,0,1,0,0,0\n", bolus_flags, {"data.csv:4:3:", "column TIME = 4 h"}},
      {h + "1,0,100,1,-1,0,0\n", bolus_flags, {"data.csv:2:11:", "column RATE = -1 needs a modeled rate"}},
      {h + "1,0,100,1,-2,0,0\n", bolus_flags, {"data.csv:2:11:", "column RATE = -2 needs a modeled duration"}},
      {h + "1,0,100,2,0,0,0\n", bolus_flags, {"data.csv:2:9:", "column CMT = 2", "one_cmt_iv"}},
      {h + "1,0,100,1,0,0,1\n", bolus_flags, {"data.csv:2:15:", "column SS = 1", "II > 0"}},
      {h + "1,0,1OO,1,0,0,0\n", bolus_flags, {"data.csv:2:5:", "column AMT = \"1OO\" is not a number"}},
      {"ID,TIME,AMT,amt\n1,0,1,1\n", bolus_flags, {"data.csv:1:13:", "'amt' appears twice"}},
      {h + "1,0,100,1,0,0,0\n", "--model one_cmt_iv --param CL=2", {"--param", "parameter V is missing"}},
      {h + "1,0,100,1,0,0,0\n", bolus_flags + " --param Q=1", {"--param Q=1", "CL, V"}},
      {h + "1,0,100,1,0,0,0\n", bolus_flags + " --bioav 1=F", {"--bioav 1=F", "no column 'F'"}},
  };
  for (const bad_case& c : cases) {
    const std::string data = dir.write("data.csv", c.data);
    const auto r = run("nm " + data + " " + c.args + out);
    EXPECT_EQ(r.code, 2) << c.data << r.out;
    for (const std::string& p : c.parts) EXPECT_TRUE(contains(r.out, p)) << "expected '" << p << "' in: " << r.out;
    EXPECT_FALSE(fs::exists(dir / "result.csv")) << r.out;
    EXPECT_EQ(dir.entries(), 1u) << "only data.csv may exist";
  }
  // A model file error names the file and line.
  const std::string data = dir.write("data.csv", bolus_data);
  const std::string model = dir.write("model.toml", bolus_model_file + "[compartment.1]\nlag = -1\n");
  const auto r = run("nm " + data + " --model " + model + out);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.out, "model.toml:9:")) << r.out;
  EXPECT_TRUE(contains(r.out, "compartment.1.lag")) << r.out;
  EXPECT_FALSE(fs::exists(dir / "result.csv"));
  // Flags cannot be mixed with a model file.
  const auto mixed = run("nm " + data + " --model " + model + " --param CL=1" + out);
  EXPECT_EQ(mixed.code, 2);
  EXPECT_TRUE(contains(mixed.out, "--param cannot be combined with a model file")) << mixed.out;
}

TEST(cli_nm, reproduces_nonmem_on_the_dosing_reference) {
  const fs::path ref =
      fs::path{BENZOSIM_SOURCE_DIR} / ".." / "shared" / "validation" / "nonmem-dosing" / "dosing-1-15.csv";
  if (!fs::exists(ref)) GTEST_SKIP() << "reference dataset not found: " << ref;
  const auto r = run("nm '" + ref.string() +
                         "' --model one_cmt_oral --param CL=1.1 --param V=20 --param KA=1.5 --bioav 2=BIOAV "
                         "--lag 2=LAGT --rate 2=RAT2 --duration 2=DUR2 --output 'CP=2/V*1000'",
                     false);
  ASSERT_EQ(r.code, 0);
  const csv out = parse_csv(r.out);
  const csv expected = parse_csv(read(ref));
  const std::vector<double> cp = out.column("CP");
  const std::vector<double> nonmem = expected.column("CP_NONMEM");
  ASSERT_EQ(cp.size(), nonmem.size());
  ASSERT_GT(cp.size(), 1000u);
  // NONMEM prints 5-6 significant digits.
  EXPECT_TRUE(benzosim::test::profiles_close(cp, nonmem, 1e-4, 1e-6));
}

}  // namespace
