// SPDX-License-Identifier: MIT
// Network files (TOML): the data files equal the presets, the writer's output parses back to an equal spec,
// defaults and inferred keys, and every bad input reported as a scenario_error at its file, line and key.
#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/circuit/network.hpp>
#include <benzosim/circuit/presets.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/io/network_toml.hpp>
#include <benzosim/io/scenario_file.hpp>

#include "io_test_util.hpp"

namespace benzosim::circuit {
// A failed comparison shows both specs as network files (the name is GoogleTest's).
// NOLINTNEXTLINE(readability-identifier-naming)
void PrintTo(const network_spec& s, std::ostream* os) {
  try {
    *os << "\n" << io::network_toml(s);
  } catch (const std::exception& e) {
    *os << "<network_spec '" << s.name << "' (invalid: " << e.what() << ")>";
  }
}
}  // namespace benzosim::circuit

namespace {

namespace circuit = benzosim::circuit;
using benzosim::scenario_error;
using benzosim::io::load_network_toml;
using benzosim::io::network_toml;
using benzosim::io::parse_network_toml;
using benzosim::io_test::line_of;
using benzosim::io_test::replace_once;
using benzosim::io_test::scratch_dir;
using benzosim::io_test::source_file;
using benzosim::io_test::write_file;

TEST(network_toml, coba_data_file_equals_the_preset) {
  EXPECT_EQ(load_network_toml(source_file("data/networks/coba.toml")), circuit::coba());
}

TEST(network_toml, every_preset_has_a_data_file_equal_to_it) {
  std::string missing;
  for (const std::string& name : circuit::preset_names()) {
    const std::filesystem::path file = source_file("data/networks/" + name + ".toml");
    if (!std::filesystem::exists(file)) {
      missing += "  benzosim network " + name + " --write-network data/networks/" + name + ".toml\n";
      continue;
    }
    EXPECT_EQ(load_network_toml(file), circuit::preset(name))
        << "data/networks/" << name << ".toml differs from the preset; regenerate it (from the source directory):\n"
        << "  benzosim network " << name << " --write-network data/networks/" << name << ".toml";
  }
  EXPECT_TRUE(missing.empty()) << "Presets without a network file in data/networks/. Generate them, from the source "
                                  "directory, with:\n"
                               << missing;
}

TEST(network_toml, coba_round_trips_through_the_writer) {
  const circuit::network_spec s = circuit::coba();
  const std::string text = network_toml(s, "a comment\n\nover three lines");
  EXPECT_EQ(parse_network_toml(text, "coba.toml"), s);
  EXPECT_NE(text.find("# a comment\n#\n# over three lines\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("[chloride]"), std::string::npos) << text;
}

/// A spec that uses every field of the format.
circuit::network_spec everything() {
  circuit::network_spec s;
  s.name = "every-field_1.0";
  s.dt_ms = 0.05;
  s.delay_ms = 0.5;
  s.scheme = circuit::membrane_scheme::exponential;
  s.e_ampa_mv = 5.0;
  s.tau_ms = {2.5, 7.25, 55.0};
  s.initial = {.v_mean_mv = -70.0,
               .v_sd_mv = 2.0,
               .g_ampa_mean_ns = 1.0,
               .g_ampa_sd_ns = 0.5,
               .g_gaba_mean_ns = 3.0,
               .g_gaba_sd_ns = 1.5,
               .clip_negative = false};
  s.chloride = circuit::chloride_params{.cl_in_mm = 12.0,
                                        .cl_out_mm = 130.0,
                                        .temperature_c = 34.0,
                                        .bicarbonate = circuit::bicarbonate_params{
                                            .hco3_in_mm = 15.0, .hco3_out_mm = 25.0, .relative_permeability = 0.3}};
  const double e_cl = circuit::gaba_reversal_mv(*s.chloride);
  circuit::population_params pn{
      .name = "PN",
      .size = 40,
      .model = circuit::neuron_model::adex,
      .neuron = {.c_pf = 281.0,
                 .g_leak_ns = 30.0,
                 .e_leak_mv = -70.6,
                 .v_threshold_mv = -50.4,
                 .v_reset_mv = -70.6,
                 .refractory_ms = 2.0},
      .adex = {.delta_t_mv = 2.0, .v_t_mv = -50.4, .v_peak_mv = 20.0, .a_ns = 4.0, .b_pa = 80.5, .tau_w_ms = 144.0},
      .e_gaba_mv = e_cl,
      .tonic_gaba_ns = 0.3,
      .drive = {.constant_pa = 120.0,
                .poisson_rate_hz = 800.0,
                .poisson_weight_ns = 0.7,
                .poisson_receptor = circuit::receptor::ampa,
                .poisson_start_ms = 100.0,
                .poisson_stop_ms = 300.0}};
  circuit::population_params pv{.name = "PV", .size = 10};
  pv.e_gaba_mv = -75.0;  // its own, not the chloride's
  pv.adex.b_pa = 0.0;    // not used by a LIF population, but kept
  pv.drive = {.poisson_rate_hz = 50.0, .poisson_weight_ns = 2.0, .poisson_receptor = circuit::receptor::gaba_a_slow};
  circuit::population_params ce{.name = "CeM", .size = 5, .model = circuit::neuron_model::adex, .e_gaba_mv = e_cl};
  ce.neuron.v_threshold_mv = -45.0;  // not used by AdEx, but kept
  s.populations = {pn, pv, ce};
  s.projections = {
      {.pre = "PN",
       .post = "PN",
       .kind = circuit::receptor::ampa,
       .weight_ns = 1.5,
       .probability = 0.1,
       .autapses = false},
      {.pre = "PN",
       .post = "PV",
       .kind = circuit::receptor::ampa,
       .weight_ns = 2.0,
       .rule = circuit::connection_rule::in_degree,
       .in_degree = 8,
       .delay_ms = 1.5},
      {.pre = "PV",
       .post = "PN",
       .kind = circuit::receptor::gaba_a_fast,
       .weight_ns = 6.0,
       .rule = circuit::connection_rule::in_degree,
       .probability = 0.25,  // not used by the in-degree rule, but kept
       .in_degree = 10,
       .delay_ms = 0.0},
      {.pre = "PV", .post = "CeM", .kind = circuit::receptor::gaba_a_slow, .weight_ns = 3.0, .probability = 1.0}};
  s.validate();
  return s;
}

TEST(network_toml, a_spec_using_every_field_round_trips) {
  const circuit::network_spec s = everything();
  const std::string text = network_toml(s);
  const circuit::network_spec back = parse_network_toml(text, "every.toml");
  EXPECT_EQ(back, s);
  // And the writer is a fixed point.
  EXPECT_EQ(network_toml(back), text);
  // What a reader of the file sees.
  EXPECT_NE(text.find("[chloride.bicarbonate]\nhco3_in_mm = 15.0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# e_gaba_mv: from [chloride]"), std::string::npos) << text;
  EXPECT_NE(text.find("e_gaba_mv = -75.0"), std::string::npos) << text;
  EXPECT_NE(text.find("rule = \"in_degree\"\nprobability = 0.25\nin_degree = 10\n"), std::string::npos) << text;
  EXPECT_NE(text.find("poisson_stop_ms = 300.0"), std::string::npos) << text;
  EXPECT_EQ(text.find("inf"), std::string::npos) << text;  // an open-ended drive has no poisson_stop_ms
  EXPECT_NE(text.find("tau_ms = { ampa = 2.5, gaba_a_fast = 7.25, gaba_a_slow = 55.0 }"), std::string::npos) << text;
}

TEST(network_toml, numbers_that_need_every_digit_round_trip) {
  circuit::network_spec s = circuit::coba();
  s.populations[0].neuron.c_pf = 0.1 + 0.2;  // 0.30000000000000004
  s.populations[0].neuron.g_leak_ns = 1e-7;
  s.populations[1].tonic_gaba_ns = 123456.789012345678;
  s.projections[0].weight_ns = 1.0 / 3.0;
  s.initial.v_mean_mv = -2e-300;
  EXPECT_EQ(parse_network_toml(network_toml(s), "n.toml"), s);
}

TEST(network_toml, keys_not_given_take_the_struct_defaults) {
  const std::string text = R"(schema_version = 1
[network]
name = "minimal"

[[populations]]
name = "A"
size = 10
)";
  circuit::network_spec expected;
  expected.name = "minimal";
  expected.populations = {circuit::population_params{.name = "A", .size = 10}};
  const circuit::network_spec s = parse_network_toml(text, "minimal.toml");
  EXPECT_EQ(s, expected);
  EXPECT_DOUBLE_EQ(s.populations[0].e_gaba_mv, -80.0);
  EXPECT_FALSE(s.chloride.has_value());
  EXPECT_TRUE(s.projections.empty());
}

TEST(network_toml, rule_and_model_follow_from_the_keys_given) {
  const std::string text = R"(schema_version = 1
[network]
name = "inferred"
[chloride]
[[populations]]
name = "A"
size = 10
[populations.adex]
b_pa = 0.0
[[populations]]
name = "B"
size = 10
e_gaba_mv = -90
[[projections]]
pre = "A"
post = "B"
receptor = "ampa"
weight_ns = 1
in_degree = 3
[[projections]]
pre = "B"
post = "A"
receptor = "gaba_a_fast"
weight_ns = 1
probability = 0.5
)";
  const circuit::network_spec s = parse_network_toml(text, "inferred.toml");
  EXPECT_EQ(s.populations[0].model, circuit::neuron_model::adex);
  EXPECT_EQ(s.populations[0].adex.b_pa, 0.0);
  EXPECT_EQ(s.populations[0].adex.tau_w_ms, circuit::adex_params{}.tau_w_ms);
  EXPECT_EQ(s.populations[1].model, circuit::neuron_model::lif);
  EXPECT_EQ(s.projections[0].rule, circuit::connection_rule::in_degree);
  EXPECT_EQ(s.projections[0].in_degree, 3u);
  EXPECT_EQ(s.projections[1].rule, circuit::connection_rule::probability);
  // An empty [chloride] is the default chloride: A gets its Nernst reversal, B keeps its own.
  ASSERT_TRUE(s.chloride.has_value());
  EXPECT_EQ(*s.chloride, circuit::chloride_params{});
  EXPECT_NEAR(s.populations[0].e_gaba_mv, -70.533, 1e-3);
  EXPECT_EQ(s.populations[1].e_gaba_mv, -90.0);
}

TEST(network_toml, the_annotated_example_of_the_docs_is_valid) {
  const std::string doc = benzosim::io_test::read_file(source_file("docs/file-formats.md"));
  const auto section = doc.find("## Network files (TOML)");
  ASSERT_NE(section, std::string::npos);
  const auto begin = doc.find("```toml\n", section);
  ASSERT_NE(begin, std::string::npos);
  const auto end = doc.find("```\n", begin + 8);
  ASSERT_NE(end, std::string::npos);
  const circuit::network_spec s = parse_network_toml(doc.substr(begin + 8, end - begin - 8), "file-formats.md");
  EXPECT_EQ(s.name, "example");
  ASSERT_EQ(s.populations.size(), 3u);
  EXPECT_NEAR(s.populations[0].e_gaba_mv, -63.799, 1e-3);  // the GHK reversal of [chloride]
  EXPECT_EQ(s.populations[1].e_gaba_mv, -75.0);
  EXPECT_EQ(s.populations[2].model, circuit::neuron_model::adex);
  ASSERT_EQ(s.projections.size(), 4u);
  EXPECT_EQ(s.projections[3].rule, circuit::connection_rule::in_degree);
  EXPECT_EQ(s.projections[3].delay_ms, 1.0);
  EXPECT_EQ(parse_network_toml(network_toml(s), "written.toml"), s);
}

TEST(network_toml, load_reports_file_problems_and_uses_the_path) {
  scratch_dir dir;
  try {
    (void)load_network_toml(dir / "absent.toml");
    ADD_FAILURE() << "no error thrown";
  } catch (const scenario_error& e) {
    EXPECT_EQ(e.file, (dir / "absent.toml").string());
    EXPECT_NE(std::string(e.what()).find("Cannot open"), std::string::npos) << e.what();
  }
  write_file(dir / "empty.toml", "");
  EXPECT_THROW((void)load_network_toml(dir / "empty.toml"), scenario_error);
  write_file(dir / "coba.toml", network_toml(circuit::coba()));
  EXPECT_EQ(load_network_toml(dir / "coba.toml"), circuit::coba());
  try {
    (void)parse_network_toml("schema_version = 1\n[network]\nname = 3\n", "<text>");
    ADD_FAILURE() << "no error thrown";
  } catch (const scenario_error& e) {
    EXPECT_EQ(benzosim::io::describe(e), "<text>:3:8: network.name must be a string, found an integer.");
  }
}

TEST(network_toml, the_writer_validates_the_spec) {
  circuit::network_spec s = circuit::coba();
  s.dt_ms = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW((void)network_toml(s), benzosim::invalid_parameter);
}

// ---------------------------------------------------------------------------------------------------
// Bad inputs: each throws a scenario_error naming the file, the line (of the key, or of the table that would
// hold it) and the key path.

const std::string base = R"(schema_version = 1

[network]
name = "base"
dt_ms = 0.1
tau_ms = { ampa = 5.0, gaba_a_fast = 10.0 }

[chloride]
cl_in_mm = 9.5

[chloride.bicarbonate]
relative_permeability = 0.2

[initial]
v_sd_mv = 5.0

[[populations]]
name = "E"
size = 80
v_threshold_mv = -50.0
v_reset_mv = -60.0

[populations.drive]
poisson_rate_hz = 100.0
poisson_weight_ns = 1.0
poisson_start_ms = 10.0

[[populations]]
name = "I"
size = 20
model = "adex"
e_gaba_mv = -75.0

[populations.adex]
v_peak_mv = 0.0

[[projections]]
pre = "E"
post = "I"
receptor = "ampa"
weight_ns = 6.0
probability = 0.1

[[projections]]
pre = "I"
post = "E"
receptor = "gaba_a_fast"
weight_ns = 67.0
rule = "in_degree"
in_degree = 5
delay_ms = 0.2
)";

struct bad_case {
  std::string name;
  std::string text;
  std::string line_needle;  ///< the offending line holds this text ("" = line 0)
  std::vector<std::string> parts;
};

// NOLINTNEXTLINE(readability-identifier-naming)
void PrintTo(const bad_case& c, std::ostream* os) {
  *os << c.name;
}

std::string with(std::string_view from, std::string_view to) {
  return replace_once(base, from, to);
}

std::vector<bad_case> bad_cases() {
  std::vector<bad_case> c;
  const auto add = [&](std::string name, std::string text, std::string needle, std::vector<std::string> parts) {
    c.push_back({std::move(name), std::move(text), std::move(needle), std::move(parts)});
  };
  // Keys and tables.
  add("misspelt_key", with("v_reset_mv = -60.0", "v_rest_mv = -60.0"), "v_rest_mv",
      {"Unknown key 'v_rest_mv' in 'populations[1]'", "Did you mean 'v_reset_mv'?", "'refractory_ms'"});
  add("unknown_table", base + "[output]\nformat = \"csv\"\n", "[output]",
      {"Unknown key 'output' at the top level", "'populations'"});
  add("unknown_adex_key", with("v_peak_mv = 0.0", "v_peek_mv = 0.0"), "v_peek_mv",
      {"Unknown key 'v_peek_mv' in 'populations[2].adex'", "Did you mean 'v_peak_mv'?"});
  add("unknown_tau", with("gaba_a_fast = 10.0 }", "gaba_b = 10.0 }"), "gaba_b",
      {"Unknown key 'gaba_b' in 'network.tau_ms'"});
  add("unknown_chloride_key", with("cl_in_mm = 9.5", "cl_in_mM = 9.5"), "cl_in_mM",
      {"Unknown key 'cl_in_mM' in 'chloride'", "Did you mean 'cl_in_mm'?"});
  add("missing_network",
      with("[network]\nname = \"base\"\ndt_ms = 0.1\ntau_ms = { ampa = 5.0, gaba_a_fast = 10.0 }\n", ""), "",
      {"Missing required key 'network' at the top level"});
  add("missing_name", with("name = \"base\"\n", ""), "[network]", {"Missing required key 'network.name'"});
  add("bad_network_name", with("name = \"base\"", "name = \"a/b\""), "a/b",
      {"network.name = \"a/b\"", "letters, digits"});
  add("missing_populations", base.substr(0, base.find("[[populations]]")) + "[[projections]]\npre = \"E\"\n", "",
      {"Missing required key 'populations'"});
  add("missing_size", with("size = 20\n", ""), "[[populations]]\nname = \"I\"",
      {"Missing required key 'populations[2].size'"});
  add("zero_size", with("size = 20", "size = 0"), "size = 0", {"populations[2].size = 0; must be an integer in [1,"});
  add("fractional_size", with("size = 20", "size = 20.5"), "size = 20.5",
      {"populations[2].size must be an integer, found a floating-point number"});
  add("missing_population_name", with("name = \"I\"\n", ""), "[[populations]]\nsize = 20",
      {"Missing required key 'populations[2].name'"});
  add("duplicate_population", with("name = \"I\"", "name = \"E\""), "name = \"E\"\nsize = 20",
      {"populations[2].name = \"E\" is also the name of populations[1]", "unique"});
  add("bad_model", with("model = \"adex\"", "model = \"hh\""), "model = \"hh\"",
      {"populations[2].model = \"hh\" is not allowed", "'lif', 'adex'"});
  add("drive_as_number",
      with("[populations.drive]\npoisson_rate_hz = 100.0\npoisson_weight_ns = 1.0\npoisson_start_ms = 10.0\n",
           "drive = 3\n"),
      "drive = 3", {"populations[1].drive must be a table, found an integer"});
  add("bad_poisson_receptor", with("poisson_rate_hz = 100.0", "poisson_rate_hz = 100.0\npoisson_receptor = \"nmda\""),
      "nmda", {"populations[1].drive.poisson_receptor = \"nmda\"", "'ampa', 'gaba_a_fast', 'gaba_a_slow'"});
  add("weight_as_string", with("weight_ns = 6.0", "weight_ns = \"6\""), "weight_ns = \"6\"",
      {"projections[1].weight_ns must be a number, found a string"});
  add("missing_weight", with("weight_ns = 6.0\n", ""), "[[projections]]\npre = \"E\"",
      {"Missing required key 'projections[1].weight_ns'"});
  add("missing_receptor", with("receptor = \"ampa\"\n", ""), "[[projections]]\npre = \"E\"",
      {"Missing required key 'projections[1].receptor'"});
  add("bad_receptor", with("receptor = \"ampa\"", "receptor = \"gaba\""), "receptor = \"gaba\"",
      {"projections[1].receptor = \"gaba\" is not allowed", "'gaba_a_fast'"});
  add("unknown_pre", with("pre = \"I\"", "pre = \"PV\""), "pre = \"PV\"",
      {"projections[2].pre = \"PV\" is not a population; the populations are 'E', 'I'"});
  add("missing_probability", with("probability = 0.1\n", ""), "[[projections]]\npre = \"E\"",
      {"Missing required key 'projections[1].probability'", "in_degree"});
  add("missing_in_degree", with("in_degree = 5\n", ""), "[[projections]]\npre = \"I\"",
      {"Missing required key 'projections[2].in_degree'", "rule = \"in_degree\""});
  add("probability_and_in_degree_without_rule", with("probability = 0.1", "probability = 0.1\nin_degree = 4"),
      "in_degree = 4", {"Both projections[1].probability and projections[1].in_degree", "add rule ="});
  add("bad_rule", with("rule = \"in_degree\"", "rule = \"fixed\""), "rule = \"fixed\"",
      {"projections[2].rule = \"fixed\" is not allowed", "'probability', 'in_degree'"});
  add("autapses_as_number", with("delay_ms = 0.2", "delay_ms = 0.2\nautapses = 1"), "autapses = 1",
      {"projections[2].autapses must be a boolean"});
  add("negative_in_degree", with("in_degree = 5", "in_degree = -5"), "in_degree = -5",
      {"projections[2].in_degree = -5; must be an integer in [0,"});
  add("nan_weight", with("weight_ns = 6.0", "weight_ns = nan"), "weight_ns = nan",
      {"projections[1].weight_ns = nan; must be a finite number"});
  add("projections_not_an_array", base.substr(0, base.find("[[projections]]")) + "[projections]\npre = \"E\"\n",
      "[projections]", {"projections must be an array of tables ([[projections]]), found a table"});
  // The spec's own rules (network_spec::validate), at the line of the key.
  add("reset_above_threshold", with("v_reset_mv = -60.0", "v_reset_mv = -40.0"), "v_reset_mv = -40.0",
      {"The network is invalid at populations[1].v_reset_mv: network.E.v_reset_mv = -40 mV", "must be below"});
  add("default_reset_above_a_given_threshold",
      with("v_threshold_mv = -50.0\nv_reset_mv = -60.0\n", "v_threshold_mv = -65.0\n"), "[[populations]]\nname = \"E\"",
      {"at populations[1].v_reset_mv", "must be below"});
  add("probability_above_one", with("probability = 0.1", "probability = 1.5"), "probability = 1.5",
      {"at projections[1].probability: network.projections[0].probability = 1.5"});
  add("delay_not_a_multiple_of_dt", with("delay_ms = 0.2", "delay_ms = 0.25"), "delay_ms = 0.25",
      {"at projections[2].delay_ms", "multiple of network.dt_ms"});
  add("in_degree_above_the_population", with("in_degree = 5", "in_degree = 25"), "in_degree = 25",
      {"at projections[2].in_degree", "must be <= 20"});
  add("dt_too_large", with("dt_ms = 0.1", "dt_ms = 5"), "dt_ms = 5", {"at network.dt_ms: network.dt_ms = 5 ms"});
  add("zero_tau", with("ampa = 5.0", "ampa = 0"), "ampa = 0", {"at network.tau_ms.ampa"});
  add("zero_chloride", with("cl_in_mm = 9.5", "cl_in_mm = 0"), "cl_in_mm = 0", {"at chloride.cl_in_mm"});
  add("negative_permeability", with("relative_permeability = 0.2", "relative_permeability = -1"),
      "relative_permeability = -1", {"at chloride.bicarbonate.relative_permeability"});
  add("negative_sd", with("v_sd_mv = 5.0", "v_sd_mv = -1"), "v_sd_mv = -1", {"at initial.v_sd_mv"});
  add("peak_below_vt", with("v_peak_mv = 0.0", "v_peak_mv = -60.0"), "v_peak_mv = -60.0",
      {"at populations[2].adex.v_peak_mv: network.I.adex.v_peak_mv = -60 mV"});
  add("stop_before_start", with("poisson_start_ms = 10.0", "poisson_start_ms = 10.0\npoisson_stop_ms = 5"),
      "poisson_stop_ms = 5", {"at populations[1].drive.poisson_stop_ms"});
  add("bad_population_name",
      replace_once(replace_once(with("name = \"I\"", "name = \"I-cells\""), "pre = \"I\"", "pre = \"I-cells\""),
                   "post = \"I\"", "post = \"I-cells\""),
      "name = \"I-cells\"", {"at populations[2].name", "letters, digits or underscores"});
  add("e_gaba_out_of_range", with("e_gaba_mv = -75.0", "e_gaba_mv = -750.0"), "e_gaba_mv = -750.0",
      {"at populations[2].e_gaba_mv"});
  // The document.
  add("wrong_schema_version", with("schema_version = 1", "schema_version = 2"), "schema_version = 2",
      {"schema_version = 2 is not supported", "network files with schema_version = 1"});
  add("missing_schema_version", with("schema_version = 1\n", ""), "", {"Missing required key 'schema_version'"});
  add("toml_syntax_error", with("dt_ms = 0.1", "dt_ms = = 0.1"), "dt_ms = =", {"not valid TOML"});
  return c;
}

class network_toml_bad : public ::testing::TestWithParam<bad_case> {};

TEST_P(network_toml_bad, throws_scenario_error_at_the_key) {
  const bad_case& bc = GetParam();
  const int expected_line = bc.line_needle.empty() ? 0 : line_of(bc.text, bc.line_needle);
  scratch_dir dir;
  write_file(dir / "net.toml", bc.text);
  try {
    (void)load_network_toml(dir / "net.toml");
    ADD_FAILURE() << "no error thrown";
  } catch (const scenario_error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.file, (dir / "net.toml").string()) << msg;
    EXPECT_EQ(e.line, expected_line) << msg;
    if (e.line > 0) {
      EXPECT_GT(e.column, 0) << msg;
    }
    for (const std::string& p : bc.parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    ASSERT_FALSE(msg.empty());
    EXPECT_TRUE(msg.back() == '.' || msg.back() == '?') << msg;
  }
}

INSTANTIATE_TEST_SUITE_P(cases, network_toml_bad, ::testing::ValuesIn(bad_cases()),
                         [](const ::testing::TestParamInfo<bad_case>& param_info) { return param_info.param.name; });

TEST(network_toml, the_base_of_the_bad_cases_is_valid) {
  const circuit::network_spec s = parse_network_toml(base, "base.toml");
  ASSERT_EQ(s.populations.size(), 2u);
  ASSERT_TRUE(s.chloride.has_value());
  ASSERT_TRUE(s.chloride->bicarbonate.has_value());
  EXPECT_DOUBLE_EQ(s.populations[0].e_gaba_mv, circuit::gaba_reversal_mv(*s.chloride));
  EXPECT_EQ(s.populations[1].e_gaba_mv, -75.0);
  EXPECT_EQ(s.populations[1].model, circuit::neuron_model::adex);
  EXPECT_EQ(s.projections[1].delay_ms, 0.2);
  EXPECT_FALSE(s.projections[0].delay_ms.has_value());
  EXPECT_EQ(s.tau_ms[2], 40.0);  // not given: the default
}

}  // namespace
