// SPDX-License-Identifier: MIT
#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/error.hpp>
#include <benzosim/io/nm_dataset.hpp>
#include <benzosim/io/nm_model.hpp>
#include <benzosim/pk/events.hpp>
#include <benzosim/pk/linear.hpp>

#include "io_test_util.hpp"

namespace {

using benzosim::io::build_nm_model;
using benzosim::io::nm_model_flags;
using benzosim::io::nm_model_spec;
using benzosim::io::parse_nm_model;
using benzosim::pk::linear_structure;
using source = benzosim::pk::modifier::source;

const std::vector<std::string> covariates = {"LAGT", "MODE", "DUR2", "RAT2", "BIOAV"};

/// The model of the NONMEM dosing reference (validation/nonmem-dosing), in both forms.
nm_model_flags reference_flags() {
  nm_model_flags f;
  f.structure = "one_cmt_oral";
  f.params = {"CL=1.1", "V=20", "KA=1.5"};
  f.bioav = {"2=BIOAV"};
  f.lag = {"2=LAGT"};
  f.rate = {"2=RAT2"};
  f.duration = {"2=DUR2"};
  f.outputs = {"CP=2/V*1000"};
  return f;
}

const std::string reference_toml = R"(schema_version = 1
structure = "one_cmt_oral"

[params]
CL = 1.1
V = 20
KA = 1.5

[compartment.2]
bioav = "BIOAV"
lag = "LAGT"
rate = "RAT2"
duration = "DUR2"

[outputs]
CP = { amount = 2, divide_by = "V", multiply = 1000.0 }
)";

void expect_same_modifier(const benzosim::pk::modifier& a, const benzosim::pk::modifier& b, const std::string& what) {
  EXPECT_EQ(a.from, b.from) << what;
  EXPECT_EQ(a.value, b.value) << what;
  EXPECT_EQ(a.column, b.column) << what;
  EXPECT_EQ(a.name, b.name) << what;
}

void expect_same_spec(const nm_model_spec& a, const nm_model_spec& b) {
  EXPECT_EQ(a.model.structure, b.model.structure);
  EXPECT_EQ(a.model.params, b.model.params);
  ASSERT_EQ(a.model.modifiers.size(), b.model.modifiers.size());
  for (std::size_t c = 0; c < a.model.modifiers.size(); ++c) {
    const std::string n = "compartment " + std::to_string(c + 1);
    expect_same_modifier(a.model.modifiers[c].bioav, b.model.modifiers[c].bioav, n + " bioav");
    expect_same_modifier(a.model.modifiers[c].lag, b.model.modifiers[c].lag, n + " lag");
    expect_same_modifier(a.model.modifiers[c].rate, b.model.modifiers[c].rate, n + " rate");
    expect_same_modifier(a.model.modifiers[c].duration, b.model.modifiers[c].duration, n + " duration");
  }
  EXPECT_EQ(a.outputs, b.outputs);
}

/// build_nm_model must throw an error whose message contains every part.
void expect_flag_error(const nm_model_flags& f, std::initializer_list<std::string> parts) {
  try {
    build_nm_model(f, covariates);
    ADD_FAILURE() << "no error thrown";
  } catch (const benzosim::scenario_error& e) {
    ADD_FAILURE() << "a flag error must not be a scenario_error: " << e.what();
  } catch (const benzosim::error& e) {
    for (const std::string& p : parts) EXPECT_NE(std::string{e.what()}.find(p), std::string::npos) << e.what();
  }
}

/// parse_nm_model must throw a scenario_error at `line` whose message contains every part.
void expect_file_error(const std::string& text, int line, std::initializer_list<std::string> parts) {
  try {
    parse_nm_model(text, "model.toml", covariates);
    ADD_FAILURE() << "no error thrown for:\n" << text;
  } catch (const benzosim::scenario_error& e) {
    EXPECT_EQ(e.file, "model.toml");
    EXPECT_EQ(e.line, line) << e.what();
    for (const std::string& p : parts) EXPECT_NE(std::string{e.what()}.find(p), std::string::npos) << e.what();
  }
}

TEST(nm_model, flags_build_the_typed_model) {
  const auto spec = build_nm_model(reference_flags(), covariates);
  EXPECT_EQ(spec.model.structure, linear_structure::one_cmt_oral);
  EXPECT_EQ(spec.model.params, (std::vector<double>{1.1, 20.0, 1.5}));
  ASSERT_EQ(spec.model.modifiers.size(), 2u);
  const auto& depot = spec.model.modifiers[0];
  EXPECT_EQ(depot.bioav.from, source::none);
  EXPECT_EQ(depot.lag.from, source::none);
  const auto& central = spec.model.modifiers[1];
  EXPECT_EQ(central.bioav.from, source::covariate);
  EXPECT_EQ(central.bioav.column, 4u);
  EXPECT_EQ(central.bioav.name, "BIOAV");
  EXPECT_EQ(central.lag.column, 0u);
  EXPECT_EQ(central.rate.column, 3u);
  EXPECT_EQ(central.duration.column, 2u);
  ASSERT_EQ(spec.outputs.size(), 1u);
  EXPECT_EQ(spec.outputs[0], (benzosim::io::nm_output{"CP", 2, "V", 1000.0}));
}

TEST(nm_model, flag_form_and_file_form_give_identical_specs) {
  expect_same_spec(build_nm_model(reference_flags(), covariates),
                   parse_nm_model(reference_toml, "model.toml", covariates));

  // Constants, several compartments, outputs in their written order, case-insensitive names.
  nm_model_flags f;
  f.structure = "two_cmt_oral";
  f.params = {"ka=0.8", "CL=3", "V2=50", "q=4", "V3=80"};
  f.bioav = {"1=0.7", "2=bioav"};
  f.lag = {"1=0.25"};
  f.duration = {"2=1.5"};
  f.outputs = {"CP=2/V2*1000", "AMT_GUT=1", "CPER=3/v3"};
  const std::string toml = R"(schema_version = 1
structure = "two_cmt_oral"
[params]
ka = 0.8
CL = 3
V2 = 50
q = 4
V3 = 80
[compartment.1]
bioav = 0.7
lag = 0.25
[compartment.2]
bioav = "bioav"
duration = 1.5
[outputs]
CP = { amount = 2, divide_by = "V2", multiply = 1000 }
AMT_GUT = { amount = 1 }
CPER = { amount = 3, divide_by = "v3" }
)";
  const auto a = build_nm_model(f, covariates);
  const auto b = parse_nm_model(toml, "model.toml", covariates);
  expect_same_spec(a, b);
  EXPECT_EQ(a.model.params, (std::vector<double>{3, 50, 4, 80, 0.8}));  // CL, V2, Q, V3, KA
  ASSERT_EQ(b.outputs.size(), 3u);
  EXPECT_EQ(b.outputs[0].name, "CP");
  EXPECT_EQ(b.outputs[1].name, "AMT_GUT");
  EXPECT_EQ(b.outputs[2].divide_by, "V3");
  EXPECT_EQ(b.model.modifiers[1].bioav.name, "BIOAV");
  EXPECT_EQ(b.model.modifiers[0].bioav.from, source::constant);
  EXPECT_DOUBLE_EQ(b.model.modifiers[0].bioav.value, 0.7);
}

TEST(nm_model, the_documented_model_file_matches_the_documented_flags) {
  // docs/nm.md: the first ```toml block is the file form of the flags in its examples.
  const std::string doc = benzosim::io_test::read_file(benzosim::io_test::source_file("docs/nm.md"));
  const auto begin = doc.find("```toml\n");
  ASSERT_NE(begin, std::string::npos);
  const auto end = doc.find("```", begin + 8);
  ASSERT_NE(end, std::string::npos);
  expect_same_spec(parse_nm_model(doc.substr(begin + 8, end - begin - 8), "docs/nm.md", covariates),
                   build_nm_model(reference_flags(), covariates));
  EXPECT_NE(doc.find("--bioav 2=BIOAV --lag 2=LAGT --rate 2=RAT2 --duration 2=DUR2 --output CP=2/V*1000"),
            std::string::npos);
}

TEST(nm_model, every_structure_takes_its_nonmem_parameters) {
  const std::pair<const char*, std::vector<std::string>> cases[] = {
      {"one_cmt_iv", {"CL=1", "V=2"}},
      {"one_cmt_oral", {"CL=1", "V=2", "KA=3"}},
      {"two_cmt_iv", {"CL=1", "V1=2", "Q=3", "V2=4"}},
      {"two_cmt_oral", {"CL=1", "V2=2", "Q=3", "V3=4", "KA=5"}},
      {"three_cmt_iv", {"CL=1", "V1=2", "Q2=3", "V2=4", "Q3=5", "V3=6"}},
      {"three_cmt_oral", {"CL=1", "V2=2", "Q3=3", "V3=4", "Q4=5", "V4=6", "KA=7"}},
  };
  for (const auto& [structure, params] : cases) {
    nm_model_flags f;
    f.structure = structure;
    f.params = params;
    const auto spec = build_nm_model(f, {});
    EXPECT_EQ(spec.model.params.size(), params.size()) << structure;
    EXPECT_EQ(static_cast<int>(spec.model.modifiers.size()), benzosim::pk::compartment_count(spec.model.structure));
    for (std::size_t k = 0; k < params.size(); ++k) EXPECT_EQ(spec.model.params[k], double(k + 1)) << structure;
  }
}

TEST(nm_model, flag_errors_name_the_flag_and_the_rule) {
  auto f = reference_flags();
  f.structure = "one_cmt_oarl";
  expect_flag_error(f, {"--model one_cmt_oarl", "one_cmt_oral", "model file"});

  f = reference_flags();
  f.params = {"CL=1.1", "V=20", "KA=1.5", "Q=3"};
  expect_flag_error(f, {"--param Q=3", "'Q' is not a parameter of one_cmt_oral", "CL, V, KA"});
  f.params = {"CL=1.1", "V=20"};
  expect_flag_error(f, {"--param", "parameter KA is missing", "CL, V, KA"});
  f.params = {"CL=1.1", "V=20", "KA=1.5", "cl=2"};
  expect_flag_error(f, {"--param cl=2", "CL is given twice"});
  f.params = {"CL=abc", "V=20", "KA=1.5"};
  expect_flag_error(f, {"--param CL=abc", "'abc' is not a number"});
  f.params = {"CL", "V=20", "KA=1.5"};
  expect_flag_error(f, {"--param CL", "NAME=VALUE"});
  f.params = {"CL=inf", "V=20", "KA=1.5"};
  expect_flag_error(f, {"--param CL=inf", "not a finite number"});

  f = reference_flags();
  f.bioav = {"3=BIOAV"};
  expect_flag_error(f, {"--bioav 3=BIOAV", "compartment 3 does not exist in one_cmt_oral", "1 = depot, 2 = central"});
  f.bioav = {"x=BIOAV"};
  expect_flag_error(f, {"--bioav x=BIOAV", "not a compartment number"});
  f.bioav = {"2=WEIGHT"};
  expect_flag_error(f, {"--bioav 2=WEIGHT", "no covariate column 'WEIGHT'", "LAGT, MODE, DUR2, RAT2, BIOAV"});
  f.bioav = {"2=AMT"};
  expect_flag_error(f, {"--bioav 2=AMT", "no covariate column 'AMT'"});
  f.bioav = {"2=-0.5"};
  expect_flag_error(f, {"--bioav 2=-0.5", "F (bioavailability) = -0.5", ">= 0"});
  f.bioav = {"2=BIOAV", "2=0.5"};
  expect_flag_error(f, {"--bioav 2=0.5", "given twice"});
  f = reference_flags();
  f.rate = {"2=0"};
  expect_flag_error(f, {"--rate 2=0", "R (modeled rate) = 0 mg/h", "> 0"});
  f = reference_flags();
  f.duration = {"2=-1"};
  expect_flag_error(f, {"--duration 2=-1", "D (modeled duration) = -1 h", "> 0"});

  f = reference_flags();
  f.outputs = {"CP=2/VC*1000"};
  expect_flag_error(f, {"--output CP=2/VC*1000", "'VC'", "CL, V, KA"});
  f.outputs = {"CP=5/V"};
  expect_flag_error(f, {"--output CP=5/V", "compartment 5 does not exist"});
  f.outputs = {"A2=2"};
  expect_flag_error(f, {"--output A2=2", "already a column"});
  f.outputs = {"CP=2", "cp=2/V"};
  expect_flag_error(f, {"--output cp=2/V", "already a column"});
  f.outputs = {"C P=2"};
  expect_flag_error(f, {"--output C P=2", "not a valid column name"});
  f.outputs = {"CP=2/V*"};
  expect_flag_error(f, {"--output CP=2/V*", "NAME=CMT[/PARAM][*FACTOR]"});
  f.outputs = {"CP=2/V*-1"};
  expect_flag_error(f, {"--output CP=2/V*-1", "must be > 0"});
}

TEST(nm_model, an_invalid_parameter_value_names_the_flag) {
  auto f = reference_flags();
  f.params = {"CL=-1", "V=20", "KA=1.5"};
  try {
    build_nm_model(f, covariates);
    ADD_FAILURE() << "no error thrown";
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_EQ(e.name, "CL");
    EXPECT_EQ(e.value, -1.0);
    EXPECT_NE(std::string{e.what()}.find("--param CL=-1"), std::string::npos) << e.what();
  }
}

TEST(nm_model, file_errors_are_located_at_their_line) {
  using benzosim::io_test::line_of;
  using benzosim::io_test::replace_once;
  const std::string& t = reference_toml;
  expect_file_error(replace_once(t, "schema_version = 1", "schema_version = 2"), 1, {"schema_version = 2"});
  expect_file_error(replace_once(t, "schema_version = 1\n", ""), 0, {"schema_version"});
  expect_file_error(replace_once(t, "one_cmt_oral", "one_cmt"), 2, {"unknown model 'one_cmt'", "one_cmt_oral"});
  expect_file_error(replace_once(t, "CL = 1.1", "CL = -1"), line_of(t, "CL = 1.1"), {"params.CL", "CL"});
  expect_file_error(replace_once(t, "CL = 1.1", "CL = \"fast\""), line_of(t, "CL = 1.1"),
                    {"params.CL must be a number"});
  expect_file_error(replace_once(t, "KA = 1.5", "KAA = 1.5"), line_of(t, "KA = 1.5"),
                    {"params.KAA", "'KAA' is not a parameter of one_cmt_oral", "CL, V, KA"});
  expect_file_error(replace_once(t, "KA = 1.5\n", ""), line_of(t, "[params]"), {"parameter KA is missing"});
  expect_file_error(replace_once(t, "bioav = \"BIOAV\"", "bioa = \"BIOAV\""), line_of(t, "bioav"),
                    {"Unknown key 'bioa'", "Did you mean 'bioav'?"});
  expect_file_error(replace_once(t, "bioav = \"BIOAV\"", "bioav = \"F1\""), line_of(t, "bioav"),
                    {"compartment.2.bioav", "no covariate column 'F1'"});
  expect_file_error(replace_once(t, "bioav = \"BIOAV\"", "bioav = -1"), line_of(t, "bioav"),
                    {"compartment.2.bioav", ">= 0"});
  expect_file_error(replace_once(t, "bioav = \"BIOAV\"", "bioav = true"), line_of(t, "bioav"),
                    {"compartment.2.bioav must be a number or a column name"});
  expect_file_error(replace_once(t, "[compartment.2]", "[compartment.central]"), line_of(t, "[compartment.2]"),
                    {"compartment.central", "compartment numbers"});
  expect_file_error(replace_once(t, "[compartment.2]", "[compartment.3]"), line_of(t, "[compartment.2]") + 1,
                    {"compartment 3 does not exist"});
  expect_file_error(replace_once(t, "amount = 2", "amount = 9"), line_of(t, "CP ="), {"outputs.CP", "compartment 9"});
  expect_file_error(replace_once(t, "amount = 2", "amout = 2"), line_of(t, "CP ="), {"Unknown key 'amout'"});
  expect_file_error(replace_once(t, "divide_by = \"V\"", "divide_by = \"VC\""), line_of(t, "CP ="),
                    {"outputs.CP", "cannot divide by 'VC'"});
  expect_file_error(replace_once(t, "structure", "seed = 3\nstructure"), 2, {"Unknown key 'seed'"});
  expect_file_error("schema_version = 1\nstructure = \"one_cmt_iv\"\n", 0, {"Missing required key 'params'"});
  expect_file_error("schema_version = 1\nstructure = \"one_cmt_iv\"\n[params\n", 3, {"not valid TOML"});
}

TEST(nm_model, load_reads_a_model_file) {
  benzosim::io_test::scratch_dir dir;
  benzosim::io_test::write_file(dir / "m.toml", reference_toml);
  expect_same_spec(benzosim::io::load_nm_model(dir / "m.toml", covariates),
                   build_nm_model(reference_flags(), covariates));
  try {
    benzosim::io::load_nm_model(dir / "missing.toml", covariates);
    ADD_FAILURE() << "no error thrown";
  } catch (const benzosim::scenario_error& e) {
    EXPECT_NE(std::string{e.what()}.find("Cannot open the file"), std::string::npos) << e.what();
  }
}

TEST(nm_output_csv, writes_one_row_per_data_row_with_amounts_and_outputs) {
  const auto data = benzosim::io::read_nm_dataset(
      "ID,TIME,AMT,CMT\n"
      "\"a,b\",0,100,1\n"
      "C comment\n"
      "\"a,b\",1.5,0,2\n"
      "7,0,10,2\n",
      "data.csv");
  nm_model_flags f;
  f.structure = "one_cmt_oral";
  f.params = {"CL=1", "V=20", "KA=1"};
  f.outputs = {"CP=2/V*1000", "GUT=1"};
  const auto spec = build_nm_model(f, data.covariate_names);
  std::vector<benzosim::pk::amounts_table> amounts(2);
  amounts[0] = {2, {100, 0, 40, 50.5}};
  amounts[1] = {2, {0, 10}};
  EXPECT_EQ(benzosim::io::nm_output_csv(data, spec, amounts),
            "ID,TIME,EVID,A1,A2,CP,GUT\n"
            "\"a,b\",0,1,100,0,0,100\n"
            "\"a,b\",1.5,0,40,50.5,2525,40\n"
            "7,0,1,0,10,500,0\n");
  amounts.pop_back();
  EXPECT_THROW(benzosim::io::nm_output_csv(data, spec, amounts), benzosim::internal_error);
}

TEST(nm_output_csv, one_compartment_bolus_matches_the_closed_form) {
  // 100 mg IV bolus, CL 2 L/h, V 10 L: A1(t) = 100 exp(-0.2 t).
  const auto data = benzosim::io::read_nm_dataset("ID,TIME,AMT\n1,0,100\n1,1,.\n1,5,.\n1,10,.\n", "data.csv");
  nm_model_flags f;
  f.structure = "one_cmt_iv";
  f.params = {"CL=2", "V=10"};
  const auto spec = build_nm_model(f, {});
  benzosim::io::check_against_model(data, spec.model, "data.csv");
  const auto a = benzosim::pk::simulate(spec.model, data.subjects.at(0));
  for (std::size_t i = 0; i < data.subjects[0].records.size(); ++i) {
    const double t = data.subjects[0].records[i].time_h;
    EXPECT_NEAR(a.at(i, 1), 100.0 * std::exp(-0.2 * t), 1e-9) << "t = " << t;
  }
}

}  // namespace
