// SPDX-License-Identifier: MIT
// The CSV files of `benzosim network`: connectivity and initial state (good files, and every bad row
// reported at its file, line and column), and the writers (summary.json, dose_response.csv, spikes.csv).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <benzosim/circuit/network.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/io/network_file.hpp>

#include "io_test_util.hpp"

namespace {

using benzosim::scenario_error;
using benzosim::io::parse_connectivity_csv;
using benzosim::io::parse_initial_state_csv;

TEST(network_file, connectivity_rows_with_and_without_weights) {
  const auto plain = parse_connectivity_csv("pre,post\n0,1\n# a comment\n\n3,2\n", "c.csv", 4);
  EXPECT_EQ(plain.pre, (std::vector<std::uint32_t>{0, 3}));
  EXPECT_EQ(plain.post, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_TRUE(plain.weight_ns.empty());
  // Columns in any order and case, CRLF line ends, a byte-order mark, blanks around the fields.
  const auto weighted =
      parse_connectivity_csv("\xEF\xBB\xBFWeight_nS, POST ,pre\r\n6.5, 1 ,0\r\n67,0,3\r\n", "c.csv", 4);
  EXPECT_EQ(weighted.pre, (std::vector<std::uint32_t>{0, 3}));
  EXPECT_EQ(weighted.post, (std::vector<std::uint32_t>{1, 0}));
  EXPECT_EQ(weighted.weight_ns, (std::vector<double>{6.5, 67.0}));
  // A header alone: no synapses.
  EXPECT_TRUE(parse_connectivity_csv("pre,post\n", "c.csv", 4).pre.empty());
}

TEST(network_file, connectivity_rows_with_delays) {
  const auto delayed = parse_connectivity_csv("pre,Delay_ms,post\n0,1.5,1\n3,0,2\n", "c.csv", 4);
  EXPECT_EQ(delayed.pre, (std::vector<std::uint32_t>{0, 3}));
  EXPECT_EQ(delayed.post, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_TRUE(delayed.weight_ns.empty());
  EXPECT_EQ(delayed.delay_ms, (std::vector<double>{1.5, 0.0}));
  const auto both = parse_connectivity_csv("pre,post,weight_ns,delay_ms\n0,1,6,0.2\n", "c.csv", 4);
  EXPECT_EQ(both.weight_ns, (std::vector<double>{6.0}));
  EXPECT_EQ(both.delay_ms, (std::vector<double>{0.2}));
  EXPECT_TRUE(parse_connectivity_csv("pre,post\n0,1\n", "c.csv", 4).delay_ms.empty());
}

TEST(network_file, initial_state_rows_in_any_order) {
  const auto s = parse_initial_state_csv("neuron,v_mv,ge_ns,gi_ns\n1,-61.5,40,200\n0,-70,0,-12.5\n", "i.csv", 2);
  EXPECT_EQ(s.v_mv, (std::vector<double>{-70.0, -61.5}));
  EXPECT_EQ(s.g_ampa_ns, (std::vector<double>{0.0, 40.0}));
  EXPECT_EQ(s.g_gaba_ns, (std::vector<double>{-12.5, 200.0}));  // Brian's COBA.py draws negative values
}

struct bad_case {
  std::string name;
  bool initial;  // initial-state file (else connectivity)
  std::string text;
  int line;
  int column;
  std::vector<std::string> parts;
};

// NOLINTNEXTLINE(readability-identifier-naming)
void PrintTo(const bad_case& c, std::ostream* os) {
  *os << c.name;
}

std::vector<bad_case> bad_cases() {
  std::vector<bad_case> c;
  const auto conn = [&](std::string name, std::string text, int line, int column, std::vector<std::string> parts) {
    c.push_back({std::move(name), false, std::move(text), line, column, std::move(parts)});
  };
  const auto init = [&](std::string name, std::string text, int line, int column, std::vector<std::string> parts) {
    c.push_back({std::move(name), true, std::move(text), line, column, std::move(parts)});
  };
  const std::string ih = "neuron,v_mv,ge_ns,gi_ns\n";
  conn("no_header", "# nothing\n\n", 2, 1, {"The file has no header line", "pre,post"});
  conn("unknown_column", "pre,post,delay\n0,1,1\n", 1, 10,
       {"Unknown column 'delay' in the header", "pre, post, weight_ns (optional) and delay_ms (optional)"});
  conn("missing_post", "pre,weight_ns\n0,1\n", 1, 1, {"The header has no column post"});
  conn("column_twice", "pre,post,PRE\n0,1,0\n", 1, 10, {"The column 'pre' appears twice", "columns 1 and 3"});
  conn("too_few_fields", "pre,post\n0,1\n2\n", 3, 2, {"The row has 1 fields but the header (line 1) has 2 columns"});
  conn("index_out_of_range", "pre,post\n0,1\n3,4\n", 3, 3,
       {"Column post = 4 is out of range", "from 0 to 3 (the network has 4 neurons"});
  conn("index_negative", "pre,post\n-1,1\n", 2, 1, {"Column pre = -1 is not a neuron index"});
  conn("index_fraction", "pre,post\n0,1.5\n", 2, 3, {"Column post = 1.5 is not a neuron index"});
  conn("index_empty", "pre,post\n,1\n", 2, 1, {"Column pre is empty"});
  conn("weight_negative", "pre,post,weight_ns\n0,1,-6\n", 2, 5, {"Column weight_ns = -6 nS; must be from 0 to"});
  conn("weight_text", "pre,post,weight_ns\n0,1,six\n", 2, 5, {"Column weight_ns = \"six\" is not a number"});
  conn("weight_nan", "pre,post,weight_ns\n0,1,nan\n", 2, 5, {"is not a finite number"});
  conn("delay_negative", "pre,post,delay_ms\n0,1,-0.1\n", 2, 5,
       {"Column delay_ms = -0.1 ms; must be from 0 to 1000 ms"});
  conn("delay_too_long", "pre,post,delay_ms\n0,1,2000\n", 2, 5, {"Column delay_ms = 2000 ms; must be from 0 to 1000"});
  conn("delay_infinite", "pre,post,delay_ms\n0,1,inf\n", 2, 5, {"Column delay_ms = inf is not a finite number"});
  conn("delay_empty", "pre,post,delay_ms,weight_ns\n0,1,,6\n", 2, 5, {"Column delay_ms is empty"});
  conn("quote_not_closed", "pre,post\n\"0,1\n", 2, 1, {"A quoted field is not closed"});
  init("no_header_init", "\n", 1, 1, {"The file has no header line", "neuron,v_mv,ge_ns,gi_ns"});
  init("missing_gi", "neuron,v_mv,ge_ns\n0,-60,1\n", 1, 1, {"The header has no column gi_ns"});
  init("neuron_twice", ih + "0,-60,1,1\n1,-60,1,1\n0,-61,1,1\n", 4, 1,
       {"Neuron 0 has a second row (the first is on line 2)"});
  init("neuron_missing", ih + "0,-60,1,1\n2,-60,1,1\n", 4, 1,
       {"The file ends without a row for neuron 1", "one row for every neuron 0..2"});
  init("several_missing", ih + "2,-60,1,1\n", 3, 1, {"without a row for neuron 0 (and 1 more)"});
  init("neuron_out_of_range", ih + "3,-60,1,1\n", 2, 1, {"Column neuron = 3 is out of range"});
  init("v_not_a_number", ih + "0,abc,1,1\n", 2, 3, {"Column v_mv = \"abc\" is not a number"});
  init("v_out_of_range", ih + "0,-2000,1,1\n", 2, 3, {"Column v_mv = -2000 mV; must be from -1000 to 1000 mV"});
  init("g_empty", ih + "0,-60,,1\n", 2, 7, {"Column ge_ns is empty"});
  init("g_infinite", ih + "0,-60,1,inf\n", 2, 9, {"Column gi_ns = inf is not a finite number"});
  init("too_many_fields", ih + "0,-60,1,1,9\n", 2, 11, {"The row has 5 fields but the header (line 1) has 4"});
  return c;
}

class network_file_bad : public ::testing::TestWithParam<bad_case> {};

TEST_P(network_file_bad, throws_scenario_error_at_the_file_line_and_column) {
  const bad_case& bc = GetParam();
  try {
    if (bc.initial) {
      (void)parse_initial_state_csv(bc.text, "f.csv", 3);
    } else {
      (void)parse_connectivity_csv(bc.text, "f.csv", 4);
    }
    ADD_FAILURE() << "no error thrown";
  } catch (const scenario_error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.file, "f.csv");
    EXPECT_EQ(e.line, bc.line) << msg;
    EXPECT_EQ(e.column, bc.column) << msg;
    for (const std::string& p : bc.parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    ASSERT_FALSE(msg.empty());
    EXPECT_EQ(msg.back(), '.') << msg;
  }
}

INSTANTIATE_TEST_SUITE_P(cases, network_file_bad, ::testing::ValuesIn(bad_cases()),
                         [](const ::testing::TestParamInfo<bad_case>& param_info) { return param_info.param.name; });

TEST(network_file, missing_and_empty_files_are_scenario_errors) {
  benzosim::io_test::scratch_dir dir;
  EXPECT_THROW((void)benzosim::io::load_connectivity_csv(dir / "absent.csv", 4), scenario_error);
  benzosim::io_test::write_file(dir / "empty.csv", "");
  try {
    (void)benzosim::io::load_initial_state_csv(dir / "empty.csv", 4);
    FAIL();
  } catch (const scenario_error& e) {
    EXPECT_NE(std::string(e.what()).find("The file is empty"), std::string::npos) << e.what();
  }
  benzosim::io_test::write_file(dir / "ok.csv", "pre,post\n1,2\n");
  EXPECT_EQ(benzosim::io::load_connectivity_csv(dir / "ok.csv", 4).pre.size(), 1u);
}

TEST(network_file, outputs_hold_every_field) {
  using namespace benzosim::circuit;
  network_spec s;
  s.populations = {population_params{.name = "A", .size = 100}, population_params{.name = "B", .size = 50}};
  s.populations[0].drive.constant_pa = 300.0;  // A fires regularly
  s.projections = {
      projection_params{.pre = "A", .post = "B", .kind = receptor::ampa, .weight_ns = 1.0, .probability = 0.1}};
  const network net = network::build(s, 1);
  run_options o;
  o.duration_ms = 100.0;
  o.record_spikes = true;
  std::vector<benzosim::io::network_run> runs(2);
  runs[0].result = simulate(net, o);
  runs[1].conc_ngml = 20.0;
  runs[1].drug.fast = {1.1, 1.3};
  runs[1].result = simulate(net, o);
  benzosim::io::network_command c;
  c.preset = "test";
  c.drug = "clonazepam";
  c.fu = 0.15;
  const auto j = nlohmann::json::parse(benzosim::io::network_summary_json(net, o, c, runs));
  for (const char* key : {"rate_hz", "cv_isi", "synchrony", "mean_v_mv", "mean_gaba_current_pa"}) {
    ASSERT_TRUE(j.contains(key)) << key;
    EXPECT_TRUE(j[key].contains("A")) << key;
    EXPECT_TRUE(j[key].contains("B")) << key;
  }
  for (const char* key : {"seizure_fraction", "spikes_total", "synchrony_all", "wall_s_setup", "wall_s_loop"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["spikes_total"].get<std::uint64_t>(), runs[0].result.spikes_total);
  EXPECT_GT(j["rate_hz"]["A"].get<double>(), 10.0);
  EXPECT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][1]["conc_ngml"].get<double>(), 20.0);
  EXPECT_EQ(j["runs"][1]["gaba_a_fast"]["decay"].get<double>(), 1.3);
  EXPECT_EQ(j["network"]["populations"][1]["first_neuron"].get<int>(), 100);
  EXPECT_TRUE(j["options"]["connectivity"].is_null());

  const std::string csv = benzosim::io::network_dose_response_csv(net, runs);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "conc_ngml,free_ngml,occupancy,gaba_a_fast_amplitude,gaba_a_fast_decay,gaba_a_slow_amplitude,"
            "gaba_a_slow_decay,rate_hz_A,rate_hz_B,cv_isi_A,cv_isi_B,synchrony_A,synchrony_B,mean_v_mv_A,mean_v_mv_B,"
            "mean_gaba_current_pa_A,mean_gaba_current_pa_B,spectrum_peak_hz_A,spectrum_peak_hz_B,spectrum_peak_hz_all,"
            "synchrony_all,seizure_fraction,spikes_total");
  std::size_t lines = 0;
  for (char ch : csv) lines += ch == '\n' ? 1 : 0;
  EXPECT_EQ(lines, 3u);
  EXPECT_NE(csv.find("\n20,0,0,1.1,1.3,1,1,"), std::string::npos) << csv;  // factors given, not from pd

  const std::string spikes = benzosim::io::network_spikes_csv(runs[0].result, s.dt_ms);
  std::size_t rows = 0;
  for (char ch : spikes) rows += ch == '\n' ? 1 : 0;
  EXPECT_EQ(rows, runs[0].result.spikes_total + 1);
  EXPECT_EQ(spikes.substr(0, 15), "time_ms,neuron\n");
}

}  // namespace
