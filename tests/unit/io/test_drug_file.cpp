// SPDX-License-Identifier: MIT
#include <string>

#include <gtest/gtest.h>

#include <benzosim/core/error.hpp>
#include <benzosim/io/scenario_file.hpp>

#include "io_test_util.hpp"

namespace {

using benzosim::io_test::line_of;
using benzosim::io_test::read_file;
using benzosim::io_test::replace_once;
using benzosim::io_test::source_file;

std::string clonazepam_text() {
  return read_file(source_file("data/drugs/clonazepam.toml"));
}

/// parse_drug must throw a scenario_error at `line` whose message contains every part.
void expect_drug_error(const std::string& text, int line, std::initializer_list<std::string> parts) {
  try {
    benzosim::io::parse_drug(text, "test_drug.toml");
    ADD_FAILURE() << "no error thrown";
  } catch (const benzosim::scenario_error& e) {
    EXPECT_EQ(e.file, "test_drug.toml");
    EXPECT_EQ(e.line, line) << e.what();
    for (const std::string& p : parts) EXPECT_NE(std::string{e.what()}.find(p), std::string::npos) << e.what();
  }
}

TEST(drug_file, clonazepam_numbers_land_in_their_fields) {
  const auto d = benzosim::io::parse_drug(clonazepam_text(), "clonazepam.toml");
  EXPECT_EQ(d.name, "clonazepam");
  EXPECT_DOUBLE_EQ(d.reference_weight_kg, 70.0);
  EXPECT_DOUBLE_EQ(d.allometric_exponent_cl, 0.75);
  EXPECT_DOUBLE_EQ(d.pk.f, 0.90);
  EXPECT_DOUBLE_EQ(d.pk.ka_per_h, 2.21);
  EXPECT_DOUBLE_EQ(d.pk.tlag_h, 0.369);
  EXPECT_DOUBLE_EQ(d.pk.cl_lph, 3.105);
  EXPECT_DOUBLE_EQ(d.pk.v1_l, 117.0);
  EXPECT_DOUBLE_EQ(d.pk.q_lph, 13.5);
  EXPECT_DOUBLE_EQ(d.pk.v2_l, 54.0);
  EXPECT_DOUBLE_EQ(d.pk.fu, 0.15);
  EXPECT_DOUBLE_EQ(d.pd.binding.kd_free_ngml, 3.75);
  EXPECT_DOUBLE_EQ(d.pd.modulation.amplitude_max, 0.23);
  EXPECT_DOUBLE_EQ(d.pd.modulation.decay_max, 0.45);
  ASSERT_EQ(d.pd.adaptation.size(), 2u);
  EXPECT_EQ(d.pd.adaptation[0].name, "fast");
  EXPECT_DOUBLE_EQ(d.pd.adaptation[0].half_life_h, 21.5);
  EXPECT_DOUBLE_EQ(d.pd.adaptation[0].weight, 0.15);
  EXPECT_EQ(d.pd.adaptation[1].name, "slow");
  EXPECT_DOUBLE_EQ(d.pd.adaptation[1].half_life_h, 120.0);
  EXPECT_DOUBLE_EQ(d.pd.adaptation[1].weight, 0.35);
  EXPECT_DOUBLE_EQ(d.dsst.emax_pct, 74.0);
  EXPECT_DOUBLE_EQ(d.dsst.ec50_ngml, 9.33);
  EXPECT_DOUBLE_EQ(d.dsst.hill, 3.57);
  EXPECT_DOUBLE_EQ(d.dsst.ec50_shift_max_ngml, 15.4);
  EXPECT_EQ(d.dsst.adaptation_state, "fast");
  EXPECT_DOUBLE_EQ(d.drowsiness.placebo, 0.05);
  EXPECT_DOUBLE_EQ(d.drowsiness.pmax, 0.90);
  EXPECT_DOUBLE_EQ(d.drowsiness.s50, 0.30);
  EXPECT_DOUBLE_EQ(d.drowsiness.hill, 2.0);
  EXPECT_DOUBLE_EQ(d.withdrawal_notable, 0.05);
  EXPECT_DOUBLE_EQ(d.label.max_daily_mg_seizure, 20.0);
  EXPECT_DOUBLE_EQ(d.label.max_daily_mg_panic, 4.0);
  EXPECT_DOUBLE_EQ(d.label.short_term_days, 14.0);
  // The list is edited as the science moves: count its entries in the file (one string per line).
  const std::string text = clonazepam_text();
  const auto begin = text.find("uncertain = [");
  const auto end = text.find("\n]", begin);
  std::size_t entries = 0;
  for (auto pos = text.find("\n  \"", begin); pos < end; pos = text.find("\n  \"", pos + 1)) ++entries;
  ASSERT_GT(entries, 0u);
  ASSERT_EQ(d.uncertain.size(), entries);
  EXPECT_NE(d.uncertain[0].find("occupancy"), std::string::npos);
}

TEST(drug_file, embedded_clonazepam_equals_the_data_file) {
  const auto file = benzosim::io::parse_drug(clonazepam_text(), "clonazepam.toml");
  const auto built_in = benzosim::io::embedded_drug("clonazepam");
  EXPECT_EQ(built_in.name, file.name);
  EXPECT_EQ(built_in.pk.cl_lph, file.pk.cl_lph);
  EXPECT_EQ(built_in.pd.adaptation.size(), file.pd.adaptation.size());
  EXPECT_EQ(built_in.uncertain, file.uncertain);
}

TEST(drug_file, unknown_embedded_drug_is_an_error) {
  EXPECT_THROW(benzosim::io::embedded_drug("diazepam"), benzosim::error);
}

TEST(drug_file, integer_values_are_accepted) {
  const std::string text = replace_once(clonazepam_text(), "value = 117.0,", "value = 117,");
  EXPECT_DOUBLE_EQ(benzosim::io::parse_drug(text, "d.toml").pk.v1_l, 117.0);
}

TEST(drug_file, wrong_unit_names_expected_and_found) {
  const std::string text = replace_once(clonazepam_text(), R"(cl = { value = 3.105, unit = "L/h")",
                                        R"(cl = { value = 51.75, unit = "mL/min")");
  expect_drug_error(text, line_of(text, "cl = { value = 51.75"), {"pk.cl", "expected unit 'L/h', found 'mL/min'"});
}

TEST(drug_file, wrong_schema_version_names_both_versions) {
  const std::string text = replace_once(clonazepam_text(), "schema_version = 1", "schema_version = 7");
  expect_drug_error(text, line_of(text, "schema_version = 7"), {"schema_version = 7", "schema_version = 1"});
}

TEST(drug_file, missing_parameter_is_located_at_its_table) {
  std::string text = clonazepam_text();
  const auto start = text.find("\ncl = {");
  const auto end = text.find('\n', start + 1);
  text.erase(start, end - start);
  expect_drug_error(text, line_of(text, "[pk]"), {"Missing required key 'pk.cl'"});
}

TEST(drug_file, unknown_key_in_a_parameter_lists_allowed_keys) {
  const std::string text =
      replace_once(clonazepam_text(), R"(fu = { value = 0.15,)", R"(fu = { note = "x", value = 0.15,)");
  expect_drug_error(text, line_of(text, "fu = { note"), {"'note'", "pk.fu", "'value', 'unit', 'status', 'source'"});
}

TEST(drug_file, unknown_section_key_suggests_the_near_miss) {
  const std::string text = replace_once(clonazepam_text(), "tlag = {", "tlga = {");
  expect_drug_error(text, line_of(text, "tlga = {"), {"Unknown key 'tlga'", "Did you mean 'tlag'?"});
}

TEST(drug_file, top_level_key_after_a_table_header_gets_a_hint) {
  // TOML scoping: a key written after the last [table] header belongs to that table.
  std::string text = clonazepam_text();
  const auto start = text.find("uncertain = [");
  ASSERT_NE(start, std::string::npos);
  text.erase(start, text.find("]\n", start) + 2 - start);
  text += "\nuncertain = [\"x\"]\n";
  expect_drug_error(text, line_of(text, "uncertain = [\"x\"]"), {"Unknown key 'uncertain'", "is a top-level key"});
}

TEST(drug_file, bare_number_instead_of_a_documented_value) {
  std::string text = clonazepam_text();
  const auto start = text.find("\nka = {");
  const auto end = text.find('\n', start + 1);
  text.replace(start, end - start, "\nka = 2.21");
  expect_drug_error(text, line_of(text, "ka = 2.21"), {"pk.ka must be an inline table", "found a floating-point"});
}

TEST(drug_file, bad_status_and_empty_source) {
  const std::string tlag = R"x(status = "measured", source = "dos Santos 2009, Table 1 (RSE 8 %)")x";
  const std::string t1 = replace_once(clonazepam_text(), tlag, R"x(status = "guessed", source = "x")x");
  expect_drug_error(t1, line_of(t1, "guessed"), {"pk.tlag.status", "guessed", "'measured'"});
  const std::string t2 = replace_once(clonazepam_text(), tlag, R"x(status = "measured", source = "  ")x");
  expect_drug_error(t2, line_of(t2, R"x(source = "  ")x"), {"pk.tlag.source", "must not be empty"});
}

TEST(drug_file, out_of_range_values_name_key_value_and_rule) {
  const std::string t1 = replace_once(clonazepam_text(), "f = { value = 0.90,", "f = { value = 1.5,");
  expect_drug_error(t1, line_of(t1, "f = { value = 1.5"), {"pk.f = 1.5; must be > 0 and <= 1"});
  const std::string t2 = replace_once(clonazepam_text(), "v2 = { value = 54.0,", "v2 = { value = -nan,");
  expect_drug_error(t2, line_of(t2, "v2 = { value = -nan"), {"pk.v2", "nan", "finite"});
  const std::string t3 = replace_once(clonazepam_text(), "weight = { value = 0.35,", "weight = { value = 0.95,");
  expect_drug_error(t3, line_of(t3, "weight = { value = 0.95"), {"pd.adaptation[2].weight", "sum must be <= 1"});
  const std::string t4 = replace_once(clonazepam_text(), "pmax = { value = 0.90,", "pmax = { value = 0.01,");
  expect_drug_error(t4, line_of(t4, "pmax = { value = 0.01"), {"clinical.drowsiness.pmax = 0.01", "placebo"});
}

TEST(drug_file, adaptation_state_must_name_a_state) {
  const std::string text =
      replace_once(clonazepam_text(), R"(adaptation_state = "fast")", R"(adaptation_state = "rapid")");
  expect_drug_error(text, line_of(text, "adaptation_state = \"rapid\""),
                    {"clinical.dsst.adaptation_state", "rapid", "'fast', 'slow'"});
}

TEST(drug_file, pk_model_must_be_two_compartment_oral) {
  const std::string text =
      replace_once(clonazepam_text(), R"(model = "two_compartment_oral")", R"(model = "one_compartment")");
  expect_drug_error(text, line_of(text, "one_compartment"), {"pk.model", "one_compartment", "two_compartment_oral"});
}

}  // namespace
