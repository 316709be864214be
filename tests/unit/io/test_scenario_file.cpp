// SPDX-License-Identifier: MIT
#include <cctype>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/circuit/wendling.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/io/scenario_file.hpp>

#include "io_test_util.hpp"

namespace {

using benzosim::clinical::indication;
using benzosim::io_test::line_of;
using benzosim::io_test::read_file;
using benzosim::io_test::replace_once;
using benzosim::io_test::scratch_dir;
using benzosim::io_test::source_file;
using benzosim::io_test::write_file;

/// A small valid scenario; the bad-input cases each change one line of it.
const std::string base_scenario = R"(schema_version = 1
name = "test"
description = "a test scenario"
drug = "clonazepam"
indication = "seizure_disorder"

[patient]
weight_kg = 80.0

[[dosing]]
dose_mg = 0.5
every_h = 8.0
count = 3

[[dosing]]
dose_mg = 1
start_h = 48.0

[simulation]
duration_days = 3.0
output_step_h = 0.5

[circuit]
enabled = false
preset = "wendling_2002"
seed = 7
seeds = 2
)";

TEST(scenario_file, demo_numbers_land_in_their_fields) {
  const auto s = benzosim::io::load_scenario(source_file("data/scenarios/demo.toml"));
  EXPECT_EQ(s.name, "demo");
  EXPECT_NE(s.description.find("0.5 mg three times daily"), std::string::npos);
  EXPECT_EQ(s.drug.name, "clonazepam");
  EXPECT_DOUBLE_EQ(s.drug.pk.cl_lph, 3.105);
  EXPECT_EQ(s.indication, indication::seizure_disorder);
  EXPECT_DOUBLE_EQ(s.person.weight_kg, 70.0);
  ASSERT_EQ(s.regimen.doses.size(), 84u);
  EXPECT_DOUBLE_EQ(s.regimen.doses.front().time_h, 0.0);
  EXPECT_DOUBLE_EQ(s.regimen.doses[1].time_h, 8.0);
  EXPECT_DOUBLE_EQ(s.regimen.doses.back().time_h, 664.0);
  for (const auto& d : s.regimen.doses) EXPECT_DOUBLE_EQ(d.amount_mg, 0.5);
  EXPECT_DOUBLE_EQ(s.duration_h, 42.0 * 24.0);
  EXPECT_DOUBLE_EQ(s.output_step_h, 1.0);
  EXPECT_TRUE(s.circuit.enabled);
  EXPECT_EQ(s.circuit.map.seed, 1u);
  EXPECT_EQ(s.circuit.map.seeds, 4);
  EXPECT_DOUBLE_EQ(s.circuit.model.A_mv, benzosim::circuit::wendling_params::seizure_prone().A_mv);
  EXPECT_DOUBLE_EQ(s.circuit.model.G_mv, benzosim::circuit::wendling_params::seizure_prone().G_mv);
}

TEST(scenario_file, embedded_demo_equals_the_data_file) {
  const auto file = benzosim::io::load_scenario(source_file("data/scenarios/demo.toml"));
  const auto built_in = benzosim::io::demo_scenario();
  EXPECT_EQ(built_in.name, file.name);
  ASSERT_EQ(built_in.regimen.doses.size(), file.regimen.doses.size());
  EXPECT_DOUBLE_EQ(built_in.regimen.doses.back().time_h, file.regimen.doses.back().time_h);
  EXPECT_DOUBLE_EQ(built_in.duration_h, file.duration_h);
}

TEST(scenario_file, panic_titration_merges_its_dosing_tables) {
  const auto s = benzosim::io::load_scenario(source_file("data/scenarios/panic_titration.toml"));
  EXPECT_EQ(s.name, "panic_titration");
  EXPECT_EQ(s.indication, indication::panic_disorder);
  ASSERT_EQ(s.regimen.doses.size(), 6u + 78u + 6u + 6u + 6u);
  EXPECT_DOUBLE_EQ(s.regimen.doses.front().time_h, 8.0);
  EXPECT_DOUBLE_EQ(s.regimen.doses.front().amount_mg, 0.25);
  EXPECT_DOUBLE_EQ(s.regimen.doses[6].time_h, 80.0);
  EXPECT_DOUBLE_EQ(s.regimen.doses[6].amount_mg, 0.5);
  EXPECT_DOUBLE_EQ(s.regimen.doses.back().time_h, 1160.0 + 5 * 12.0);
  EXPECT_DOUBLE_EQ(s.regimen.doses.back().amount_mg, 0.125);
  for (std::size_t i = 1; i < s.regimen.doses.size(); ++i) {
    EXPECT_LT(s.regimen.doses[i - 1].time_h, s.regimen.doses[i].time_h);
  }
  EXPECT_DOUBLE_EQ(s.regimen.total_mg(), 6 * 0.25 + 78 * 0.5 + 6 * 0.375 + 6 * 0.25 + 6 * 0.125);
  EXPECT_DOUBLE_EQ(s.duration_h, 70.0 * 24.0);
}

TEST(scenario_file, every_key_of_the_base_scenario) {
  const auto s = benzosim::io::parse_scenario(base_scenario, "base.toml", ".");
  EXPECT_EQ(s.description, "a test scenario");
  EXPECT_DOUBLE_EQ(s.person.weight_kg, 80.0);
  ASSERT_EQ(s.regimen.doses.size(), 4u);
  EXPECT_DOUBLE_EQ(s.regimen.doses[2].time_h, 16.0);
  EXPECT_DOUBLE_EQ(s.regimen.doses[3].time_h, 48.0);
  EXPECT_DOUBLE_EQ(s.regimen.doses[3].amount_mg, 1.0);
  EXPECT_DOUBLE_EQ(s.duration_h, 72.0);
  EXPECT_DOUBLE_EQ(s.output_step_h, 0.5);
  EXPECT_FALSE(s.circuit.enabled);
  EXPECT_EQ(s.circuit.map.seed, 7u);
  EXPECT_EQ(s.circuit.map.seeds, 2);
  EXPECT_DOUBLE_EQ(s.circuit.model.B_mv, benzosim::circuit::wendling_params::wendling_2002().B_mv);
}

TEST(scenario_file, defaults_of_optional_keys) {
  const std::string text = R"(schema_version = 1
name = "minimal"
drug = "clonazepam"
[[dosing]]
dose_mg = 2.0
[simulation]
duration_h = 48
)";
  const auto s = benzosim::io::parse_scenario(text, "minimal.toml", ".");
  EXPECT_EQ(s.description, "");
  EXPECT_EQ(s.indication, indication::unspecified);
  EXPECT_DOUBLE_EQ(s.person.weight_kg, s.drug.reference_weight_kg);
  ASSERT_EQ(s.regimen.doses.size(), 1u);
  EXPECT_DOUBLE_EQ(s.regimen.doses[0].time_h, 0.0);
  EXPECT_DOUBLE_EQ(s.duration_h, 48.0);
  EXPECT_DOUBLE_EQ(s.output_step_h, 1.0);
  EXPECT_TRUE(s.circuit.enabled);
  EXPECT_EQ(s.circuit.map.seed, 1u);
  EXPECT_EQ(s.circuit.map.seeds, 4);
  EXPECT_DOUBLE_EQ(s.circuit.model.A_mv, benzosim::circuit::wendling_params::seizure_prone().A_mv);
}

TEST(scenario_file, circuit_gain_overrides) {
  const std::string text = base_scenario + "A_mv = 4.5\nG_mv = 12\n";
  const auto s = benzosim::io::parse_scenario(text, "t.toml", ".");
  EXPECT_DOUBLE_EQ(s.circuit.model.A_mv, 4.5);
  EXPECT_DOUBLE_EQ(s.circuit.model.B_mv, benzosim::circuit::wendling_params::wendling_2002().B_mv);
  EXPECT_DOUBLE_EQ(s.circuit.model.G_mv, 12.0);
}

TEST(scenario_file, drug_file_is_relative_to_the_scenario) {
  scratch_dir dir;
  std::filesystem::create_directories(dir / "drugs");
  const std::string drug = replace_once(read_file(source_file("data/drugs/clonazepam.toml")), R"(name = "clonazepam")",
                                        R"(name = "my_clonazepam")");
  write_file(dir / "drugs/my.toml", drug);
  write_file(dir / "s.toml", replace_once(base_scenario, R"(drug = "clonazepam")", R"(drug_file = "drugs/my.toml")"));
  const auto s = benzosim::io::load_scenario(dir / "s.toml");
  EXPECT_EQ(s.drug.name, "my_clonazepam");
  EXPECT_DOUBLE_EQ(s.drug.pk.cl_lph, 3.105);
}

TEST(scenario_file, describe_formats_file_line_column) {
  EXPECT_EQ(benzosim::io::describe(benzosim::scenario_error("a.toml", 3, 7, "Bad.")), "a.toml:3:7: Bad.");
  EXPECT_EQ(benzosim::io::describe(benzosim::scenario_error("a.toml", 3, 0, "Bad.")), "a.toml:3: Bad.");
  EXPECT_EQ(benzosim::io::describe(benzosim::scenario_error("a.toml", 0, 0, "Bad.")), "a.toml: Bad.");
}

// ---------------------------------------------------------------------------------------------------
// Bad inputs: each must throw a scenario_error naming the right file and line, with the key in the message.

enum class setup { scenario_text, no_file, directory };

struct bad_case {
  std::string name;
  setup how = setup::scenario_text;
  std::string scenario;             ///< text of s.toml
  std::string drug;                 ///< if not empty, written to drug.toml next to it
  bool error_in_drug_file = false;  ///< the error names drug.toml rather than s.toml
  std::string line_needle;          ///< the offending line holds this text ("" = line 0)
  std::vector<std::string> message_parts;
};

std::string with(std::string_view from, std::string_view to) {
  return replace_once(base_scenario, from, to);
}

std::string clonazepam_file() {
  return read_file(source_file("data/drugs/clonazepam.toml"));
}

std::string with_drug_file() {
  return with(R"(drug = "clonazepam")", R"(drug_file = "drug.toml")");
}

std::vector<bad_case> bad_cases() {
  std::vector<bad_case> c;
  const auto add = [&](std::string name, std::string text, std::string needle, std::vector<std::string> parts) {
    c.push_back(
        {std::move(name), setup::scenario_text, std::move(text), "", false, std::move(needle), std::move(parts)});
  };
  add("unknown_top_level_key", with("indication", "colour = \"red\"\nindication"), "colour",
      {"Unknown key 'colour'", "at the top level", "'schema_version'", "'dosing'"});
  add("misspelt_key", with("dose_mg = 1", "dos_mg = 1"), "dos_mg",
      {"Unknown key 'dos_mg'", "dosing[2]", "Did you mean 'dose_mg'?", "'every_h'"});
  add("unknown_table", base_scenario + "[output]\nformat = \"csv\"\n", "[output]", {"Unknown key 'output'"});
  add("wrong_type_string_for_number", with("dose_mg = 0.5", "dose_mg = \"0.5\""), "dose_mg = \"0.5\"",
      {"dosing[1].dose_mg must be a number", "found a string"});
  add("wrong_type_float_count", with("count = 3", "count = 3.0"), "count = 3.0",
      {"dosing[1].count must be an integer", "found a floating-point number"});
  add("wrong_type_bool", with("enabled = false", "enabled = \"no\""), "enabled = \"no\"",
      {"circuit.enabled must be a boolean"});
  add("dosing_not_an_array", with("[[dosing]]\ndose_mg = 1\nstart_h = 48.0", "[extra]\ndose_mg = 1\nstart_h = 48.0"),
      "[extra]", {"Unknown key 'extra'"});
  add("dosing_single_table",
      replace_once(with("[[dosing]]\ndose_mg = 1\nstart_h = 48.0\n", ""), "[[dosing]]", "[dosing]"), "[dosing]",
      {"dosing must be an array of tables", "found a table"});
  add("negative_dose", with("dose_mg = 0.5", "dose_mg = -0.5"), "dose_mg = -0.5",
      {"dosing[1].dose_mg = -0.5 mg; must be > 0 and <= 100"});
  add("huge_dose", with("dose_mg = 1", "dose_mg = 1000"), "dose_mg = 1000", {"dosing[2].dose_mg = 1000 mg"});
  add("nan_dose", with("dose_mg = 0.5", "dose_mg = nan"), "dose_mg = nan",
      {"dosing[1].dose_mg = nan mg; must be a finite number"});
  add("inf_duration", with("duration_days = 3.0", "duration_days = inf"), "duration_days = inf",
      {"simulation.duration_days = inf days", "finite"});
  add("negative_inf_start", with("start_h = 48.0", "start_h = -inf"), "start_h = -inf",
      {"dosing[2].start_h", "finite"});
  add("negative_start", with("start_h = 48.0", "start_h = -1"), "start_h = -1",
      {"dosing[2].start_h = -1 h; must be >= 0"});
  add("zero_count", with("count = 3", "count = 0"), "count = 0", {"dosing[1].count = 0", "[1, 100000]"});
  {
    std::string many = base_scenario;
    // 4 doses in the base scenario + 9 x 100000 + 99997 = 1000001.
    for (int i = 0; i < 9; ++i) many += "[[dosing]]\ndose_mg = 0.1\nevery_h = 0.001\ncount = 100000\n";
    many += "[[dosing]]\ndose_mg = 0.1\nevery_h = 0.001\ncount = 99997\n";
    add("too_many_doses", many, "count = 99997", {"dosing[12]", "1000001 doses", "at most 1000000"});
  }
  add("zero_interval", with("every_h = 8.0", "every_h = 0"), "every_h = 0", {"dosing[1].every_h = 0 h; must be > 0"});
  add("missing_interval", with("every_h = 8.0\n", ""), "[[dosing]]",
      {"Missing required key 'dosing[1].every_h'", "count = 3"});
  add("wrong_schema_version", with("schema_version = 1", "schema_version = 2"), "schema_version = 2",
      {"schema_version = 2 is not supported", "schema_version = 1"});
  add("schema_version_as_string", with("schema_version = 1", "schema_version = \"1\""), "schema_version",
      {"schema_version must be an integer", "found a string"});
  add("missing_schema_version", with("schema_version = 1\n", ""), "", {"Missing required key 'schema_version'"});
  add("missing_name", with("name = \"test\"\n", ""), "", {"Missing required key 'name'"});
  add("empty_name", with("name = \"test\"", "name = \"\""), "name = \"\"", {"name must not be empty"});
  add("missing_dose", with("dose_mg = 1\n", ""), "[[dosing]]\nstart_h", {"Missing required key 'dosing[2].dose_mg'"});
  add("missing_duration", with("duration_days = 3.0\n", ""), "[simulation]",
      {"Missing required key 'simulation.duration_days'"});
  add("missing_simulation", with("[simulation]\nduration_days = 3.0\noutput_step_h = 0.5\n", ""), "",
      {"Missing required key 'simulation'"});
  add("both_durations", with("duration_days = 3.0", "duration_days = 3.0\nduration_h = 72"), "duration_h",
      {"duration_days", "duration_h", "not both"});
  add("too_long", with("duration_days = 3.0", "duration_days = 4000"), "duration_days = 4000",
      {"simulation.duration_days = 4000 days; must be > 0 and <= 3650"});
  add("too_many_rows", with("output_step_h = 0.5", "output_step_h = 0.00001"), "output_step_h = 0.00001",
      {"output rows", "2000000", "output_step_h"});
  add("step_longer_than_run", with("output_step_h = 0.5", "output_step_h = 100"), "output_step_h = 100",
      {"simulation.output_step_h = 100 h", "duration"});
  add("missing_drug", with("drug = \"clonazepam\"\n", ""), "", {"'drug' or 'drug_file'"});
  add("unknown_drug", with("drug = \"clonazepam\"", "drug = \"diazepam\""), "drug = \"diazepam\"",
      {"drug = \"diazepam\"", "clonazepam", "drug_file"});
  add("drug_and_drug_file", with("drug = \"clonazepam\"", "drug = \"clonazepam\"\ndrug_file = \"x.toml\""), "drug_file",
      {"not both"});
  add("missing_drug_file", with("drug = \"clonazepam\"", "drug_file = \"nowhere/drug.toml\""), "drug_file",
      {"drug_file = \"nowhere/drug.toml\"", "cannot open", "No such file"});
  add("bad_indication", with("indication = \"seizure_disorder\"", "indication = \"insomnia\""), "insomnia",
      {"indication = \"insomnia\"", "'panic_disorder'"});
  add("light_patient", with("weight_kg = 80.0", "weight_kg = 0.5"), "weight_kg",
      {"patient.weight_kg = 0.5 kg", ">= 1"});
  add("bad_preset", with("preset = \"wendling_2002\"", "preset = \"jansen\""), "jansen",
      {"circuit.preset = \"jansen\"", "'seizure_prone', 'wendling_2002'"});
  add("too_many_seeds", with("seeds = 2", "seeds = 65"), "seeds = 65", {"circuit.seeds = 65", "[1, 64]"});
  add("negative_seed", with("seed = 7", "seed = -1"), "seed = -1", {"circuit.seed = -1", ">= 0"});
  add("gain_out_of_range", base_scenario + "B_mv = 500\n", "B_mv", {"circuit.B_mv = 500 mV; must be > 0 and <= 200"});
  add("duplicate_key", with("count = 3", "count = 3\ncount = 4"), "count = 4", {"not valid TOML"});
  add("toml_syntax_error", with("every_h = 8.0", "every_h = = 8.0"), "every_h = =", {"not valid TOML"});
  add("binary_garbage",
      std::string("\x7f"
                  "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\xc3\x28",
                  22),
      "ELF", {"not valid TOML"});
  add("invalid_utf8_in_string",
      with("name = \"test\"",
           "name = \"te\xff\xfe"
           "st\""),
      "name = ", {"not valid TOML", "utf-8"});
  add("empty_file", "", "", {"file is empty"});

  // [alcohol]: each drink has exactly one amount form, within the simulated time; the patient's sex is needed.
  const std::string alcohol = "sex = \"female\"\n\n[alcohol]\n[[alcohol.drinks]]\ntime_h = 20.0\ngrams = 14.0\n";
  add("alcohol_without_sex", base_scenario + "[alcohol]\n[[alcohol.drinks]]\ntime_h = 20.0\ngrams = 14.0\n",
      "[alcohol]", {"The [alcohol] section needs patient.sex"});
  add("bad_sex", with("weight_kg = 80.0", "weight_kg = 80.0\nsex = \"x\""), "sex = \"x\"",
      {"patient.sex = \"x\"", "'female', 'male'"});
  add("drink_with_two_amounts",
      with("weight_kg = 80.0",
           "weight_kg = 80.0\n" + replace_once(alcohol, "grams = 14.0", "grams = 14.0\nstandard_drinks = 1")),
      "[[alcohol.drinks]]", {"alcohol.drinks[1] must have grams"});
  add("drink_after_the_end",
      with("weight_kg = 80.0", "weight_kg = 80.0\n" + replace_once(alcohol, "time_h = 20.0", "time_h = 100.0")),
      "time_h = 100.0", {"alcohol.drinks[1].time_h = 100 h", "<= 72"});
  add("drink_too_large",
      with("weight_kg = 80.0", "weight_kg = 80.0\n" + replace_once(alcohol, "grams = 14.0", "grams = 500")),
      "grams = 500", {"alcohol.drinks[1].grams = 500 g", "<= 400"});
  add("alcohol_unknown_key",
      with("weight_kg = 80.0", "weight_kg = 80.0\n" + replace_once(alcohol, "[alcohol]", "[alcohol]\nbeer = 1")),
      "beer = 1", {"Unknown key 'beer'"});
  add("alcohol_without_drinks",
      with("weight_kg = 80.0", "weight_kg = 80.0\nsex = \"male\"\n\n[alcohol]\nka_per_h = 4.0\n"), "[alcohol]",
      {"Missing required key 'alcohol.drinks'"});

  // Errors inside a drug file name the drug file and its line.
  const std::string bad_unit =
      replace_once(clonazepam_file(), R"(ka = { value = 2.21, unit = "1/h")", R"(ka = { value = 2.21, unit = "1/min")");
  c.push_back({"wrong_unit_in_drug_file",
               setup::scenario_text,
               with_drug_file(),
               bad_unit,
               true,
               "unit = \"1/min\"",
               {"pk.ka", "expected unit '1/h', found '1/min'"}});
  const std::string bad_version = replace_once(clonazepam_file(), "schema_version = 1", "schema_version = 3");
  c.push_back({"wrong_schema_version_in_drug_file",
               setup::scenario_text,
               with_drug_file(),
               bad_version,
               true,
               "schema_version = 3",
               {"schema_version = 3", "drug file"}});

  c.push_back({"missing_file", setup::no_file, "", "", false, "", {"Cannot open", "No such file"}});
  c.push_back({"directory_as_file", setup::directory, "", "", false, "", {"Cannot open", "directory"}});
  return c;
}

// Shown by GoogleTest instead of the bytes of the struct (the name is GoogleTest's).
// NOLINTNEXTLINE(readability-identifier-naming)
void PrintTo(const bad_case& c, std::ostream* os) {
  *os << c.name;
}

class scenario_file_bad : public ::testing::TestWithParam<bad_case> {};

TEST_P(scenario_file_bad, throws_scenario_error_at_the_right_place) {
  const bad_case& bc = GetParam();
  scratch_dir dir;
  const std::filesystem::path scenario = dir / "s.toml";
  const std::filesystem::path drug = dir / "drug.toml";
  switch (bc.how) {
    case setup::scenario_text:
      write_file(scenario, bc.scenario);
      break;
    case setup::no_file:
      break;
    case setup::directory:
      std::filesystem::create_directory(scenario);
      break;
  }
  if (!bc.drug.empty()) write_file(drug, bc.drug);
  const std::string& offending_text = bc.error_in_drug_file ? bc.drug : bc.scenario;
  const int expected_line = bc.line_needle.empty() ? 0 : line_of(offending_text, bc.line_needle);
  try {
    benzosim::io::load_scenario(scenario);
    ADD_FAILURE() << "no error thrown";
  } catch (const benzosim::scenario_error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.file, (bc.error_in_drug_file ? drug : scenario).string()) << msg;
    EXPECT_EQ(e.line, expected_line) << msg;
    if (e.line > 0) {
      EXPECT_GT(e.column, 0) << msg;
    }
    for (const std::string& p : bc.message_parts)
      EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    // Messages are sentences.
    ASSERT_FALSE(msg.empty());
    EXPECT_TRUE(std::isupper(static_cast<unsigned char>(msg.front())) || msg.find('=') != std::string::npos ||
                msg.find(" must ") != std::string::npos)
        << msg;
    EXPECT_TRUE(msg.back() == '.' || msg.back() == '?') << msg;
  }
}

INSTANTIATE_TEST_SUITE_P(cases, scenario_file_bad, ::testing::ValuesIn(bad_cases()),
                         [](const ::testing::TestParamInfo<bad_case>& param_info) { return param_info.param.name; });

TEST(scenario_file, alcohol_drinks_in_three_forms) {
  // The [alcohol] section goes after [circuit] in the base scenario; the patient's sex is added to [patient].
  const std::string text = replace_once(base_scenario, "weight_kg = 80.0", "weight_kg = 80.0\nsex = \"Male\"") +
                           "[alcohol]\nbeta_g_per_l_per_h = 0.2\n"
                           "[[alcohol.drinks]]\ntime_h = 20.0\ngrams = 10.0\n"
                           "[[alcohol.drinks]]\ntime_h = 21.0\nstandard_drinks = 2\n"
                           "[[alcohol.drinks]]\ntime_h = 22.5\nvolume_ml = 500.0\nabv_percent = 5.0\n";
  try {
    (void)benzosim::io::parse_scenario(text, "s.toml", ".");
    ADD_FAILURE() << "sex = \"Male\" must be spelt in lower case";
  } catch (const benzosim::scenario_error& e) {
    EXPECT_NE(std::string(e.what()).find("patient.sex"), std::string::npos) << e.what();
  }
  const auto s = benzosim::io::parse_scenario(replace_once(text, "\"Male\"", "\"male\""), "s.toml", ".");
  ASSERT_TRUE(s.alcohol.has_value());
  ASSERT_TRUE(s.person.sex.has_value());
  EXPECT_EQ(*s.person.sex, benzosim::pk::biological_sex::male);
  ASSERT_EQ(s.alcohol->drinks.size(), 3u);
  EXPECT_DOUBLE_EQ(s.alcohol->drinks[0].t_h, 20.0);
  EXPECT_DOUBLE_EQ(s.alcohol->drinks[0].ethanol_g, 10.0);
  EXPECT_DOUBLE_EQ(s.alcohol->drinks[1].ethanol_g, 28.0);                    // 2 US standard drinks of 14 g
  EXPECT_NEAR(s.alcohol->drinks[2].ethanol_g, 500.0 * 0.05 * 0.789, 1e-12);  // volume x ABV x density
  EXPECT_DOUBLE_EQ(s.alcohol->beta_g_per_l_per_h, 0.2);
  EXPECT_DOUBLE_EQ(s.alcohol->ka_per_h, 5.0);  // default
  EXPECT_FALSE(benzosim::io::parse_scenario(base_scenario, "s.toml", ".").alcohol.has_value());
}

TEST(scenario_file, prior_benzodiazepine_of_the_patient) {
  const std::string text = replace_once(base_scenario, "weight_kg = 80.0",
                                        "weight_kg = 80.0\n\n[patient.prior_benzodiazepine]\n"
                                        "diazepam_equivalent_mg_per_day = 15\nduration_days = 90\n");
  const auto s = benzosim::io::parse_scenario(text, "s.toml", ".");
  EXPECT_DOUBLE_EQ(s.person.prior_benzodiazepine.diazepam_mg_per_day, 15.0);
  EXPECT_DOUBLE_EQ(s.person.prior_benzodiazepine.duration_days, 90.0);
  EXPECT_DOUBLE_EQ(s.person.prior_benzodiazepine.days_since_last_dose, 0.0);  // default: a direct switch
  EXPECT_DOUBLE_EQ(
      benzosim::io::parse_scenario(base_scenario, "s.toml", ".").person.prior_benzodiazepine.diazepam_mg_per_day, 0.0);
  try {
    (void)benzosim::io::parse_scenario(replace_once(text, "duration_days = 90", "duration_days = -3"), "s.toml", ".");
    ADD_FAILURE() << "a negative duration must be rejected";
  } catch (const benzosim::scenario_error& e) {
    EXPECT_EQ(e.line, line_of(replace_once(text, "duration_days = 90", "duration_days = -3"), "duration_days = -3"));
    EXPECT_NE(std::string(e.what()).find("patient.prior_benzodiazepine.duration_days"), std::string::npos) << e.what();
  }
}

TEST(scenario_file, parse_errors_use_the_source_name) {
  try {
    benzosim::io::parse_scenario("schema_version = 1\nname = 3\n", "<my text>", ".");
    ADD_FAILURE() << "no error thrown";
  } catch (const benzosim::scenario_error& e) {
    EXPECT_EQ(e.file, "<my text>");
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(benzosim::io::describe(e), "<my text>:2:8: name must be a string, found an integer.");
  }
}

}  // namespace
