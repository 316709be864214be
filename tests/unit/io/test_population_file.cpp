// SPDX-License-Identifier: MIT
// The [population] section of scenario files (io::parse_scenario_with_population).
#include <cctype>
#include <cmath>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/error.hpp>
#include <benzosim/io/population_file.hpp>
#include <benzosim/io/scenario_file.hpp>
#include <benzosim/pk/variability.hpp>

#include "io_test_util.hpp"

namespace {

using benzosim::io::parse_scenario_with_population;
using benzosim::io_test::line_of;
using benzosim::io_test::replace_once;
using benzosim::io_test::scratch_dir;
using benzosim::io_test::write_file;
namespace pk = benzosim::pk;

const std::string scenario_part = R"(schema_version = 1
name = "pop"
drug = "clonazepam"

[[dosing]]
dose_mg = 0.5
every_h = 12.0
count = 4

[simulation]
duration_days = 3.0
)";

/// Every key of [population], with values that differ from the defaults.
const std::string full_population = R"(
[population]
cv_convention = "sqrt_omega"

[population.variability]
v1 = 30.0
cl = 20.0
ka = 50
tlag = 0

[[population.correlation]]
between = ["cl", "v1"]
rho = 0.3

[[population.correlation]]
between = ["ka", "cl"]
rho = -0.2

[population.covariates]
weight_mean_kg = 80.0
weight_cv_pct = 25.0
weight_min_kg = 45.0
weight_max_kg = 160.0
age_min_y = 20.0
age_max_y = 70.0
fraction_male = 0.5
fraction_one_inducer = 0.1
fraction_two_plus_inducers = 0.05
fraction_cyp3a4_inhibitor = 0.2

[population.covariate_effects]
ref_weight_kg = 75.0
allometric_cl = 0.8
allometric_v = 0.9
inducer_one_factor = 1.3
inducer_two_plus_factor = 1.5
inducer_two_plus_weight_exponent = -0.1
cyp3a4_inhibitor_factor = 0.6

[population.residual]
model = "combined"
sd_add = 0.5
sd_prop = 0.15

[population.uncertainty]
ka = 21.0
cl = 10.0
v1 = 11
q = 12
v2 = 13
f = 5
tlag = 8
)";

/// A minimal [population]: the cases below each change one line of it.
const std::string small_population = R"(
[population]
cv_convention = "exact_lognormal"

[population.variability]
cl = 20.0
v1 = 30.0
q = 10.0

[[population.correlation]]
between = ["cl", "v1"]
rho = 0.3

[population.residual]
model = "proportional"
sd_prop = 0.186
)";

benzosim::io::loaded_scenario parse(const std::string& text) {
  return parse_scenario_with_population(text, "p.toml", ".");
}

std::size_t index_of(const pk::omega& om, const std::string& name) {
  for (std::size_t i = 0; i < om.size(); ++i) {
    if (om.names[i] == name) return i;
  }
  ADD_FAILURE() << "no eta named " << name;
  return 0;
}

TEST(population_file, no_section_gives_no_model) {
  const auto l = parse(scenario_part);
  EXPECT_EQ(l.scenario.name, "pop");
  EXPECT_FALSE(l.population.has_value());
}

TEST(population_file, every_key_lands_in_its_field) {
  const auto l = parse(scenario_part + full_population);
  ASSERT_TRUE(l.population.has_value());
  const auto& m = *l.population;
  // Etas in two_compartment_oral field order (ka, cl, v1, ..., tlag), whatever the order in the file.
  ASSERT_EQ(m.omega.names, (std::vector<std::string>{"ka", "cl", "v1", "tlag"}));
  const std::size_t ka = index_of(m.omega, "ka"), cl = index_of(m.omega, "cl"), v1 = index_of(m.omega, "v1"),
                    tlag = index_of(m.omega, "tlag");
  // sqrt_omega: omega^2 = CV^2.
  EXPECT_DOUBLE_EQ(m.omega.at(cl, cl), 0.2 * 0.2);
  EXPECT_DOUBLE_EQ(m.omega.at(v1, v1), 0.3 * 0.3);
  EXPECT_DOUBLE_EQ(m.omega.at(ka, ka), 0.5 * 0.5);
  EXPECT_DOUBLE_EQ(m.omega.at(tlag, tlag), 0.0);
  EXPECT_NEAR(m.omega.at(cl, v1), 0.3 * 0.2 * 0.3, 1e-15);
  EXPECT_NEAR(m.omega.at(v1, cl), 0.3 * 0.2 * 0.3, 1e-15);
  EXPECT_NEAR(m.omega.at(ka, cl), -0.2 * 0.5 * 0.2, 1e-15);
  EXPECT_DOUBLE_EQ(m.omega.at(v1, tlag), 0.0);
  // Each eta acts on its parameter.
  ASSERT_EQ(m.etas.links.size(), 4u);
  for (const auto& link : m.etas.links) EXPECT_EQ(std::string{pk::to_string(link.parameter)}, m.omega.names[link.eta]);

  EXPECT_DOUBLE_EQ(m.covariates.weight_mean_kg, 80.0);
  EXPECT_DOUBLE_EQ(m.covariates.weight_cv, 0.25);
  EXPECT_DOUBLE_EQ(m.covariates.weight_min_kg, 45.0);
  EXPECT_DOUBLE_EQ(m.covariates.weight_max_kg, 160.0);
  EXPECT_DOUBLE_EQ(m.covariates.age_min_y, 20.0);
  EXPECT_DOUBLE_EQ(m.covariates.age_max_y, 70.0);
  EXPECT_DOUBLE_EQ(m.covariates.fraction_male, 0.5);
  EXPECT_DOUBLE_EQ(m.covariates.fraction_one_inducer, 0.1);
  EXPECT_DOUBLE_EQ(m.covariates.fraction_two_plus_inducers, 0.05);
  EXPECT_DOUBLE_EQ(m.covariates.fraction_cyp3a4_inhibitor, 0.2);

  EXPECT_DOUBLE_EQ(m.covariate_effects.ref_weight_kg, 75.0);
  EXPECT_DOUBLE_EQ(m.covariate_effects.allometric_cl, 0.8);
  EXPECT_DOUBLE_EQ(m.covariate_effects.allometric_v, 0.9);
  EXPECT_DOUBLE_EQ(m.covariate_effects.inducer_one_factor, 1.3);
  EXPECT_DOUBLE_EQ(m.covariate_effects.inducer_two_plus_factor, 1.5);
  EXPECT_DOUBLE_EQ(m.covariate_effects.inducer_two_plus_weight_exponent, -0.1);
  EXPECT_DOUBLE_EQ(m.covariate_effects.cyp3a4_inhibitor_factor, 0.6);

  ASSERT_TRUE(m.residual.has_value());
  EXPECT_EQ(m.residual->kind, pk::residual_kind::combined);
  EXPECT_DOUBLE_EQ(m.residual->sd_add, 0.5);
  EXPECT_DOUBLE_EQ(m.residual->sd_prop, 0.15);

  ASSERT_TRUE(m.uncertainty.has_value());
  EXPECT_DOUBLE_EQ(m.uncertainty->ka_rse_pct, 21.0);
  EXPECT_DOUBLE_EQ(m.uncertainty->cl_rse_pct, 10.0);
  EXPECT_DOUBLE_EQ(m.uncertainty->v1_rse_pct, 11.0);
  EXPECT_DOUBLE_EQ(m.uncertainty->q_rse_pct, 12.0);
  EXPECT_DOUBLE_EQ(m.uncertainty->v2_rse_pct, 13.0);
  EXPECT_DOUBLE_EQ(m.uncertainty->f_rse_pct, 5.0);
  EXPECT_DOUBLE_EQ(m.uncertainty->tlag_rse_pct, 8.0);
}

TEST(population_file, optional_tables_take_the_presets_or_stay_off) {
  const auto l = parse(scenario_part +
                       "[population]\ncv_convention = \"exact_lognormal\"\n"
                       "[population.variability]\ncl = 20.1\n");
  ASSERT_TRUE(l.population.has_value());
  const auto& m = *l.population;
  ASSERT_EQ(m.omega.names, std::vector<std::string>{"cl"});
  EXPECT_DOUBLE_EQ(m.omega.at(0, 0), std::log1p(0.201 * 0.201));  // exact_lognormal: ln(1 + CV^2)
  const auto adult = pk::adult_outpatient_population();
  EXPECT_DOUBLE_EQ(m.covariates.weight_mean_kg, adult.weight_mean_kg);
  EXPECT_DOUBLE_EQ(m.covariates.weight_cv, adult.weight_cv);
  EXPECT_DOUBLE_EQ(m.covariates.fraction_male, adult.fraction_male);
  EXPECT_DOUBLE_EQ(m.covariates.fraction_cyp3a4_inhibitor, adult.fraction_cyp3a4_inhibitor);
  const auto effects = pk::clonazepam_covariate_preset();
  EXPECT_DOUBLE_EQ(m.covariate_effects.inducer_two_plus_factor, effects.inducer_two_plus_factor);
  EXPECT_DOUBLE_EQ(m.covariate_effects.cyp3a4_inhibitor_factor, effects.cyp3a4_inhibitor_factor);
  EXPECT_FALSE(m.residual.has_value());
  EXPECT_FALSE(m.uncertainty.has_value());
}

TEST(population_file, single_keys_override_the_presets) {
  const auto l = parse(scenario_part + small_population + "[population.covariates]\nfraction_male = 0.9\n" +
                       "[population.uncertainty]\ncl = 15\n");
  const auto& m = *l.population;
  EXPECT_DOUBLE_EQ(m.covariates.fraction_male, 0.9);
  EXPECT_DOUBLE_EQ(m.covariates.weight_mean_kg, pk::adult_outpatient_population().weight_mean_kg);
  ASSERT_TRUE(m.uncertainty.has_value());
  EXPECT_DOUBLE_EQ(m.uncertainty->cl_rse_pct, 15.0);
  EXPECT_DOUBLE_EQ(m.uncertainty->ka_rse_pct, 0.0);  // unlisted: fixed
  ASSERT_TRUE(m.residual.has_value());
  EXPECT_EQ(m.residual->kind, pk::residual_kind::proportional);
  EXPECT_DOUBLE_EQ(m.residual->sd_add, 0.0);
  EXPECT_DOUBLE_EQ(m.residual->sd_prop, 0.186);
}

TEST(population_file, every_residual_model_and_its_sds) {
  struct c {
    const char* text;
    pk::residual_kind kind;
    double sd_add, sd_prop;
  };
  for (const c& x :
       {c{"model = \"additive\"\nsd_add = 1.5", pk::residual_kind::additive, 1.5, 0.0},
        c{"model = \"proportional\"\nsd_prop = 0.1", pk::residual_kind::proportional, 0.0, 0.1},
        c{"model = \"combined\"\nsd_add = 1\nsd_prop = 0.1", pk::residual_kind::combined, 1.0, 0.1},
        c{"model = \"combined_sum\"\nsd_add = 2\nsd_prop = 0.2", pk::residual_kind::combined_sum, 2.0, 0.2},
        c{"model = \"exponential\"\nsd_prop = 0.3", pk::residual_kind::exponential, 0.0, 0.3}}) {
    const std::string text =
        replace_once(scenario_part + small_population, "model = \"proportional\"\nsd_prop = 0.186", x.text);
    const auto l = parse(text);
    ASSERT_TRUE(l.population->residual.has_value()) << x.text;
    EXPECT_EQ(l.population->residual->kind, x.kind) << x.text;
    EXPECT_DOUBLE_EQ(l.population->residual->sd_add, x.sd_add) << x.text;
    EXPECT_DOUBLE_EQ(l.population->residual->sd_prop, x.sd_prop) << x.text;
  }
}

TEST(population_file, empty_variability_means_covariates_only) {
  const auto l = parse(scenario_part + "[population]\ncv_convention = \"sqrt_omega\"\n[population.variability]\n");
  ASSERT_TRUE(l.population.has_value());
  EXPECT_EQ(l.population->omega.size(), 0u);
  EXPECT_TRUE(l.population->etas.links.empty());
}

TEST(population_file, run_reads_the_same_file_and_checks_the_section) {
  // `benzosim run` (parse_scenario) accepts a scenario with [population] and gives the same scenario...
  const std::string text = scenario_part + full_population;
  const auto plain = benzosim::io::parse_scenario(text, "p.toml", ".");
  const auto with = parse(text);
  EXPECT_EQ(plain.name, with.scenario.name);
  EXPECT_EQ(plain.regimen.doses.size(), with.scenario.regimen.doses.size());
  EXPECT_DOUBLE_EQ(plain.duration_h, with.scenario.duration_h);
  // ... and rejects a broken one.
  const std::string broken = replace_once(text, "rho = 0.3", "rho = 3");
  EXPECT_THROW(benzosim::io::parse_scenario(broken, "p.toml", "."), benzosim::scenario_error);
}

TEST(population_file, load_reads_a_file_and_reports_a_missing_one) {
  scratch_dir dir;
  write_file(dir / "s.toml", scenario_part + small_population);
  const auto l = benzosim::io::load_scenario_with_population(dir / "s.toml");
  EXPECT_EQ(l.scenario.name, "pop");
  ASSERT_TRUE(l.population.has_value());
  EXPECT_EQ(l.population->omega.size(), 3u);
  try {
    benzosim::io::load_scenario_with_population(dir / "missing.toml");
    ADD_FAILURE() << "no error thrown";
  } catch (const benzosim::scenario_error& e) {
    EXPECT_EQ(e.file, (dir / "missing.toml").string());
    EXPECT_NE(std::string{e.what()}.find("Cannot open"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------------------------------------------
// Bad inputs: each throws a scenario_error at the right line, with the key in the message.

struct bad_case {
  std::string name;
  std::string text;                        ///< the whole file
  std::string line_needle;                 ///< the offending line holds this text (searched in text)
  std::vector<std::string> message_parts;  ///< each must appear in the message
};

// NOLINTNEXTLINE(readability-identifier-naming)
void PrintTo(const bad_case& c, std::ostream* os) {
  *os << c.name;
}

std::string with(std::string_view from, std::string_view to) {
  return replace_once(scenario_part + small_population, from, to);
}

std::string appended(std::string_view extra) {
  return scenario_part + small_population + std::string{extra};
}

std::vector<bad_case> bad_cases() {
  std::vector<bad_case> c;
  const auto add = [&](std::string name, std::string text, std::string needle, std::vector<std::string> parts) {
    c.push_back({std::move(name), std::move(text), std::move(needle), std::move(parts)});
  };
  add("unknown_key_in_population", with("cv_convention", "colour = 1\ncv_convention"), "colour",
      {"Unknown key 'colour'", "in 'population'", "'variability'", "'uncertainty'"});
  add("cv_directly_in_population", with("cv_convention", "cl = 20\ncv_convention"), "cl = 20",
      {"Unknown key 'cl'", "in 'population'"});
  add("misspelt_table", with("[population.residual]", "[population.residuals]"), "[population.residuals]",
      {"Unknown key 'residuals'", "Did you mean 'residual'?"});
  add("unknown_parameter_in_variability", with("q = 10.0", "vmax = 10.0"), "vmax",
      {"Unknown key 'vmax'", "population.variability", "'cl'", "'tlag'"});
  add("upper_case_parameter", with("q = 10.0", "Q = 10.0"), "Q = 10.0",
      {"Unknown key 'Q'", "drug-file keys, in lower case: write 'q'", "'tlag'"});
  add("nonmem_central_volume", with("v1 = 30.0", "V2 = 30.0"), "V2 = 30.0",
      {"Unknown key 'V2'", "write 'v2'", "v1 is the central volume", "ADVAN4"});
  add("nonmem_peripheral_volume", with("q = 10.0", "V3 = 10.0"), "V3 = 10.0",
      {"Unknown key 'V3'", "v2 the peripheral one"});
  add("negative_cv", with("cl = 20.0", "cl = -5.0"), "cl = -5.0",
      {"population.variability.cl = -5 %; must be >= 0 and <= 1000"});
  add("huge_cv", with("cl = 20.0", "cl = 2000"), "cl = 2000", {"population.variability.cl = 2000 %"});
  add("cv_as_string", with("cl = 20.0", "cl = \"20\""), "cl = \"20\"", {"population.variability.cl must be a number"});
  add("missing_cv_convention", with("cv_convention = \"exact_lognormal\"\n", ""), "[population]",
      {"Missing required key 'population.cv_convention'"});
  add("bad_cv_convention", with("\"exact_lognormal\"", "\"lognormal\""), "\"lognormal\"",
      {"population.cv_convention = \"lognormal\"", "'exact_lognormal', 'sqrt_omega'"});
  add("missing_variability", with("[population.variability]\ncl = 20.0\nv1 = 30.0\nq = 10.0\n\n", ""), "[population]",
      {"Missing required key 'population.variability'"});
  add("rho_one", with("rho = 0.3", "rho = 1.0"), "rho = 1.0",
      {"population.correlation[1].rho = 1; must be > -1 and < 1"});
  add("rho_below_minus_one", with("rho = 0.3", "rho = -1.5"), "rho = -1.5", {"population.correlation[1].rho = -1.5"});
  add("missing_rho", with("rho = 0.3\n", ""), "[[population.correlation]]",
      {"Missing required key 'population.correlation[1].rho'"});
  add("correlation_unknown_parameter", with("between = [\"cl\", \"v1\"]", "between = [\"cl\", \"vmax\"]"), "vmax",
      {"population.correlation[1].between names 'vmax', which is not a parameter", "'ka', 'cl'"});
  add("correlation_upper_case", with("between = [\"cl\", \"v1\"]", "between = [\"CL\", \"v1\"]"), "\"CL\"",
      {"names 'CL'", "write 'cl'"});
  add("correlation_without_cv", with("between = [\"cl\", \"v1\"]", "between = [\"cl\", \"v2\"]"), "\"v2\"",
      {"names 'v2', which has no CV in [population.variability]"});
  add("correlation_with_itself", with("between = [\"cl\", \"v1\"]", "between = [\"cl\", \"cl\"]"), "between",
      {"names 'cl' twice"});
  add("correlation_three_names", with("between = [\"cl\", \"v1\"]", "between = [\"cl\", \"v1\", \"q\"]"), "between",
      {"must name exactly two parameters, found 3"});
  add("correlation_pair_twice", appended("[[population.correlation]]\nbetween = [\"v1\", \"cl\"]\nrho = 0.1\n"),
      "between = [\"v1\", \"cl\"]", {"population.correlation[2].between", "population.correlation[1] already"});
  add("correlation_not_a_table_array", with("[[population.correlation]]", "[population.correlation]"),
      "[population.correlation]", {"population.correlation must be an array of tables"});
  {
    // cl-v1 0.9 and v1-q 0.95 cannot both hold with cl-q uncorrelated: the matrix is not positive
    // semi-definite. Reported at the second correlation, the one that breaks it.
    std::string t = with("rho = 0.3", "rho = 0.9");
    t += "[[population.correlation]]\nbetween = [\"v1\", \"q\"]\nrho = 0.95\n";
    add("not_positive_semi_definite", t, "rho = 0.95", {"population.correlation[2]", "not positive semi-definite"});
  }
  add("unknown_residual_model", with("model = \"proportional\"", "model = \"power\""), "model = \"power\"",
      {"population.residual.model = \"power\"",
       "'additive', 'proportional', 'combined', 'combined_sum', "
       "'exponential'"});
  add("missing_residual_model", with("model = \"proportional\"\n", ""), "[population.residual]",
      {"Missing required key 'population.residual.model'"});
  add("residual_sd_not_used", with("sd_prop = 0.186", "sd_prop = 0.186\nsd_add = 1.0"), "sd_add",
      {"population.residual.sd_add is not used by population.residual.model = \"proportional\""});
  add("residual_sd_missing", with("sd_prop = 0.186\n", ""), "[population.residual]",
      {"Missing required key 'population.residual.sd_prop'"});
  add("residual_sd_negative", with("sd_prop = 0.186", "sd_prop = -0.1"), "sd_prop = -0.1",
      {"population.residual.sd_prop = -0.1; must be >= 0"});
  add("covariate_weights_reversed", appended("[population.covariates]\nweight_min_kg = 90\nweight_max_kg = 60\n"),
      "weight_max_kg = 60", {"weight_min_kg = 90 kg must be <= population.covariates.weight_max_kg = 60 kg"});
  add("covariate_max_below_default_min", appended("[population.covariates]\nweight_max_kg = 30\n"),
      "weight_max_kg = 30", {"weight_max_kg = 30 kg", "defaults"});
  add("covariate_fraction_above_one", appended("[population.covariates]\nfraction_male = 1.5\n"), "fraction_male = 1.5",
      {"population.covariates.fraction_male = 1.5; must be >= 0 and <= 1"});
  add("inducer_fractions_add_above_one",
      appended("[population.covariates]\nfraction_one_inducer = 0.7\nfraction_two_plus_inducers = 0.4\n"),
      "fraction_two_plus_inducers = 0.4", {"fraction_two_plus_inducers = 1.1", "must be <= 1"});
  add("covariate_weight_bounds_hold_nothing",
      appended("[population.covariates]\nweight_mean_kg = 50\nweight_cv_pct = 1\nweight_min_kg = 300\n"
               "weight_max_kg = 400\n"),
      "[population.covariates]", {"population.covariates", "1e-6"});
  add("covariate_effect_out_of_range", appended("[population.covariate_effects]\ncyp3a4_inhibitor_factor = 0\n"),
      "cyp3a4_inhibitor_factor = 0", {"population.covariate_effects.cyp3a4_inhibitor_factor = 0"});
  add("unknown_covariate_effect", appended("[population.covariate_effects]\nage_factor = 1\n"), "age_factor",
      {"Unknown key 'age_factor'", "population.covariate_effects"});
  add("rse_too_large", appended("[population.uncertainty]\ncl = 250\n"), "cl = 250",
      {"population.uncertainty.cl = 250 %; must be >= 0 and <= 200"});
  add("rse_upper_case", appended("[population.uncertainty]\nCL = 10\n"), "CL = 10", {"Unknown key 'CL'", "write 'cl'"});
  add("covariate_file_with_distribution_key",
      appended("[population.covariates]\nfile = \"subjects.csv\"\nweight_mean_kg = 80\n"), "weight_mean_kg = 80",
      {"population.covariates.file and population.covariates.weight_mean_kg cannot be combined",
       "Remove weight_mean_kg (or file)"});
  add("covariate_file_with_fraction_key",
      appended("[population.covariates]\nfraction_male = 0.5\nfile = \"subjects.csv\"\n"), "fraction_male = 0.5",
      {"population.covariates.file and population.covariates.fraction_male cannot be combined"});
  add("covariate_draw_without_file", appended("[population.covariates]\ndraw = \"resample\"\n"),
      "draw = ", {"population.covariates.draw", "needs population.covariates.file"});
  add("covariate_draw_unknown", appended("[population.covariates]\nfile = \"s.csv\"\ndraw = \"bootstrap\"\n"),
      "\"bootstrap\"", {"population.covariates.draw = \"bootstrap\"", "'in_order', 'resample'"});
  add("covariate_file_missing", appended("[population.covariates]\nfile = \"no_such_subjects.csv\"\n"),
      "no_such_subjects",
      {"population.covariates.file = \"no_such_subjects.csv\"", "cannot open the file",
       "looked for 'no_such_subjects.csv'", "relative to the scenario file's directory"});
  add("covariate_file_empty_string", appended("[population.covariates]\nfile = \"\"\n"), "file = \"\"",
      {"population.covariates.file must not be empty"});
  add("covariate_file_not_a_string", appended("[population.covariates]\nfile = 3\n"), "file = 3",
      {"population.covariates.file must be a string"});
  add("population_not_a_table", replace_once(scenario_part, "[[dosing]]", "population = 3\n\n[[dosing]]"),
      "population = 3", {"population must be a table, found an integer"});
  add("top_level_key_after_population", appended("description = \"late\"\n"), "description = \"late\"",
      {"Unknown key 'description'", "is a top-level key"});
  return c;
}

class population_file_bad : public ::testing::TestWithParam<bad_case> {};

TEST_P(population_file_bad, throws_scenario_error_at_the_right_line) {
  const bad_case& bc = GetParam();
  const int expected_line = line_of(bc.text, bc.line_needle);
  for (const bool with_population : {true, false}) {
    try {
      if (with_population) {
        parse(bc.text);
      } else {
        benzosim::io::parse_scenario(bc.text, "p.toml", ".");  // `benzosim run` rejects it too
      }
      ADD_FAILURE() << "no error thrown";
    } catch (const benzosim::scenario_error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(e.file, "p.toml");
      EXPECT_EQ(e.line, expected_line) << msg;
      EXPECT_GT(e.column, 0) << msg;
      for (const std::string& p : bc.message_parts) {
        EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
      }
      ASSERT_FALSE(msg.empty());
      EXPECT_TRUE(msg.back() == '.' || msg.back() == '?') << msg;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(cases, population_file_bad, ::testing::ValuesIn(bad_cases()),
                         [](const ::testing::TestParamInfo<bad_case>& param_info) { return param_info.param.name; });

// ---------------------------------------------------------------------------------------------------
// [population.covariates] file: the covariates of real subjects from a CSV file.

using benzosim::io::parse_covariate_csv;

pk::covariate_table csv(const std::string& text, pk::covariate_draw draw = pk::covariate_draw::in_order) {
  return parse_covariate_csv(text, "s.csv", draw);
}

TEST(covariate_csv, every_column_lands_in_its_field) {
  const auto t =
      csv("# invented subjects\n"
          "id,weight_kg,age_y,sex,inducing_aeds,cyp3a4_inhibitor\n"
          "P1,62.5,34,female,0,0\n"
          "\n"
          "P2, 81 ,52,M,1,true\n"
          "  # a comment between rows\n"
          "\"P 3, quoted\",95.25,70.5,F,2,FALSE\n",
          pk::covariate_draw::resample);
  EXPECT_EQ(t.source, "s.csv");
  EXPECT_EQ(t.draw, pk::covariate_draw::resample);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.rows[0].id, "P1");
  EXPECT_EQ(t.rows[0].covariates.weight_kg, 62.5);
  EXPECT_EQ(t.rows[0].covariates.age_y, 34.0);
  EXPECT_EQ(t.rows[0].covariates.sex, pk::biological_sex::female);
  EXPECT_EQ(t.rows[0].covariates.inducing_aeds, 0);
  EXPECT_FALSE(t.rows[0].covariates.cyp3a4_inhibitor);
  EXPECT_EQ(t.rows[1].id, "P2");
  EXPECT_EQ(t.rows[1].covariates.weight_kg, 81.0);
  EXPECT_EQ(t.rows[1].covariates.sex, pk::biological_sex::male);
  EXPECT_EQ(t.rows[1].covariates.inducing_aeds, 1);
  EXPECT_TRUE(t.rows[1].covariates.cyp3a4_inhibitor);
  EXPECT_EQ(t.rows[2].id, "P 3, quoted");
  EXPECT_EQ(t.rows[2].covariates.weight_kg, 95.25);
  EXPECT_EQ(t.rows[2].covariates.age_y, 70.5);
  EXPECT_EQ(t.rows[2].covariates.sex, pk::biological_sex::female);
  EXPECT_EQ(t.rows[2].covariates.inducing_aeds, 2);
  EXPECT_FALSE(t.rows[2].covariates.cyp3a4_inhibitor);
  EXPECT_NO_THROW(t.validate());
}

TEST(covariate_csv, columns_in_any_order_and_case_and_missing_ones_take_the_defaults) {
  const auto t = csv("Sex,WEIGHT_KG\nmale,70\nFemale,60\n");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.rows[0].covariates.sex, pk::biological_sex::male);
  EXPECT_EQ(t.rows[1].covariates.sex, pk::biological_sex::female);
  EXPECT_EQ(t.rows[1].covariates.weight_kg, 60.0);
  for (const auto& r : t.rows) {
    EXPECT_EQ(r.id, "");
    EXPECT_EQ(r.covariates.age_y, benzosim::io::covariate_csv_default_age_y);
    EXPECT_EQ(r.covariates.inducing_aeds, benzosim::io::covariate_csv_default_inducing_aeds);
    EXPECT_EQ(r.covariates.cyp3a4_inhibitor, benzosim::io::covariate_csv_default_cyp3a4_inhibitor);
  }
  const auto w = csv("weight_kg\n70\n");
  EXPECT_EQ(w.rows[0].covariates.sex, benzosim::io::covariate_csv_default_sex);
  // The documented values (docs/file-formats.md#covariate-csv).
  EXPECT_EQ(benzosim::io::covariate_csv_default_age_y, 40.0);
  EXPECT_EQ(benzosim::io::covariate_csv_default_sex, pk::biological_sex::female);
  EXPECT_EQ(benzosim::io::covariate_csv_default_inducing_aeds, 0);
  EXPECT_FALSE(benzosim::io::covariate_csv_default_cyp3a4_inhibitor);
}

TEST(covariate_csv, byte_order_mark_and_crlf_line_ends_change_nothing) {
  const std::string unix_text = "id,weight_kg,age_y\nA,60,30\n\nB,70,40\n";
  std::string dos_text = "\xEF\xBB\xBF";
  for (const char c : unix_text) dos_text += c == '\n' ? std::string{"\r\n"} : std::string(1, c);
  const auto a = csv(unix_text);
  const auto b = csv(dos_text);
  ASSERT_EQ(b.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(a.rows[i].id, b.rows[i].id);
    EXPECT_EQ(a.rows[i].covariates.weight_kg, b.rows[i].covariates.weight_kg);
    EXPECT_EQ(a.rows[i].covariates.age_y, b.rows[i].covariates.age_y);
  }
  // The header is recognised after the mark, and errors keep their lines and columns with CR LF.
  try {
    csv("\xEF\xBB\xBFid,weight_kg\r\nA,60\r\n\r\nB,0.5\r\n");
    ADD_FAILURE() << "no error thrown";
  } catch (const benzosim::scenario_error& e) {
    EXPECT_EQ(e.line, 4) << e.what();
    EXPECT_EQ(e.column, 3) << e.what();
    EXPECT_NE(std::string{e.what()}.find("Column weight_kg = 0.5 kg; must be >= 1 and <= 400."), std::string::npos)
        << e.what();
  }
}

struct csv_bad_case {
  std::string name;
  std::string text;
  int line;
  int column;
  std::vector<std::string> message_parts;
};

// NOLINTNEXTLINE(readability-identifier-naming)
void PrintTo(const csv_bad_case& c, std::ostream* os) {
  *os << c.name;
}

const std::string csv_header = "id,weight_kg,age_y,sex,inducing_aeds,cyp3a4_inhibitor\n";

std::vector<csv_bad_case> csv_bad_cases() {
  std::vector<csv_bad_case> c;
  const auto add = [&](std::string name, std::string text, int line, int column, std::vector<std::string> parts) {
    c.push_back({std::move(name), std::move(text), line, column, std::move(parts)});
  };
  // The header.
  add("no_header", "# only a comment\n\n", 2, 1, {"The file has no header line", "weight_kg (required)"});
  add("header_without_rows", "# c\n" + csv_header + "\n", 2, 1, {"The file has a header but no subjects"});
  add("unknown_column", "id,weight_kg,height_cm\nA,70,170\n", 1, 14,
      {"Unknown column 'height_cm' in the header", "weight_kg (required), id, age_y, sex"});
  add("unknown_column_with_hint", "id,weight\nA,70\n", 1, 4, {"Unknown column 'weight'", "Did you mean 'weight_kg'?"});
  add("unnamed_column", "id,,weight_kg\nA,1,70\n", 1, 4, {"Column 2 of the header has no name"});
  add("column_twice", "weight_kg,age_y,Weight_KG\n70,30,70\n", 1, 17,
      {"The column 'weight_kg' appears twice in the header (columns 1 and 3"});
  add("no_weight_column", "id,age_y\nA,30\n", 1, 1,
      {"The header has no weight_kg column (required", "header: id, age_y"});
  // The rows.
  add("too_many_fields", csv_header + "A,70,30,female,0,0,extra\n", 2, 20,
      {"The row has 7 fields but the header (line 1) has 6 columns"});
  add("too_few_fields", csv_header + "A,70,30,female\n", 2, 15,
      {"The row has 4 fields but the header (line 1) has 6 columns"});
  add("weight_too_low", csv_header + "A,70,30,female,0,0\nB,0.5,30,female,0,0\n", 3, 3,
      {"Column weight_kg = 0.5 kg; must be >= 1 and <= 400"});
  add("weight_too_high", csv_header + "A,401,30,female,0,0\n", 2, 3, {"Column weight_kg = 401 kg; must be >= 1"});
  add("weight_not_a_number", csv_header + "A,seventy,30,female,0,0\n", 2, 3,
      {"Column weight_kg = \"seventy\" is not a number"});
  add("weight_not_finite", csv_header + "A,inf,30,female,0,0\n", 2, 3,
      {"Column weight_kg = inf is not a finite number"});
  add("weight_empty", csv_header + "A,,30,female,0,0\n", 2, 3,
      {"Column weight_kg is empty", "every subject needs a weight"});
  add("weight_dot", csv_header + "A, . ,30,female,0,0\n", 2, 4, {"Column weight_kg is empty"});
  add("age_out_of_range", csv_header + "A,70,121,female,0,0\n", 2, 6,
      {"Column age_y = 121 years; must be >= 0 and <= 120"});
  add("age_empty", csv_header + "A,70,,female,0,0\n", 2, 6,
      {"Column age_y is empty", "leave out the column age_y (then every subject is aged 40)"});
  add("sex_unknown", csv_header + "A,70,30,x,0,0\n", 2, 9,
      {"Column sex = \"x\" is not a sex; must be female, male, F or M"});
  add("sex_empty", csv_header + "A,70,30,,0,0\n", 2, 9, {"Column sex is empty", "every subject is female"});
  add("inducers_three", csv_header + "A,70,30,male,3,0\n", 2, 14,
      {"Column inducing_aeds = 3; must be 0, 1 or 2", "2 means two or more"});
  add("inducers_fraction", csv_header + "A,70,30,male,0.5,0\n", 2, 14,
      {"Column inducing_aeds = 0.5; must be 0, 1 or 2"});
  add("inducers_text", csv_header + "A,70,30,male,one,0\n", 2, 14,
      {"Column inducing_aeds = \"one\" is not a number; must be 0, 1 or 2"});
  add("inhibitor_yes", csv_header + "A,70,30,male,0,yes\n", 2, 16,
      {"Column cyp3a4_inhibitor = \"yes\"; must be 1 or true", "0 or false"});
  add("inhibitor_two", csv_header + "A,70,30,male,0,2\n", 2, 16, {"Column cyp3a4_inhibitor = \"2\""});
  add("id_empty", csv_header + ",70,30,male,0,0\n", 2, 1, {"Column id is empty", "every subject needs an id"});
  add("id_twice", csv_header + "A,70,30,male,0,0\nB,60,30,male,0,0\n\nA,80,30,male,0,0\n", 5, 1,
      {"The id A appears twice (lines 2 and 5)"});
  add("quote_not_closed", csv_header + "\"A,70,30,male,0,0\n", 2, 1, {"A quoted field is not closed"});
  return c;
}

class covariate_csv_bad : public ::testing::TestWithParam<csv_bad_case> {};

TEST_P(covariate_csv_bad, throws_scenario_error_at_the_file_line_and_column) {
  const csv_bad_case& bc = GetParam();
  try {
    csv(bc.text);
    ADD_FAILURE() << "no error thrown";
  } catch (const benzosim::scenario_error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.file, "s.csv");
    EXPECT_EQ(e.line, bc.line) << msg;
    EXPECT_EQ(e.column, bc.column) << msg;
    for (const std::string& p : bc.message_parts) {
      EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    }
    ASSERT_FALSE(msg.empty());
    EXPECT_TRUE(msg.back() == '.' || msg.back() == '?') << msg;
  }
}

INSTANTIATE_TEST_SUITE_P(cases, covariate_csv_bad, ::testing::ValuesIn(csv_bad_cases()),
                         [](const ::testing::TestParamInfo<csv_bad_case>& param_info) {
                           return param_info.param.name;
                         });

TEST(covariate_csv, scenario_file_reads_it_relative_to_its_directory) {
  scratch_dir dir;
  std::filesystem::create_directories(dir / "scenarios");
  std::filesystem::create_directories(dir / "populations");
  write_file(dir / "populations" / "real.csv", "id,weight_kg\nR1,58\nR2,91\n");
  const std::string text = scenario_part + small_population +
                           "[population.covariates]\nfile = \"../populations/real.csv\"\ndraw = \"resample\"\n";
  write_file(dir / "scenarios" / "s.toml", text);
  const auto l = benzosim::io::load_scenario_with_population(dir / "scenarios" / "s.toml");
  ASSERT_TRUE(l.population.has_value());
  ASSERT_TRUE(l.population->covariate_table.has_value());
  const pk::covariate_table& t = *l.population->covariate_table;
  EXPECT_EQ(t.draw, pk::covariate_draw::resample);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.rows[1].id, "R2");
  EXPECT_EQ(t.rows[1].covariates.weight_kg, 91.0);
  EXPECT_EQ(t.source, (dir / "populations" / "real.csv").lexically_normal().string());
  // The distribution stays at the preset (unused).
  EXPECT_EQ(l.population->covariates.weight_mean_kg, pk::adult_outpatient_population().weight_mean_kg);
  // `benzosim run` reads the same file, relative to the same directory; the working directory plays no part.
  EXPECT_NO_THROW(benzosim::io::parse_scenario(text, "s.toml", dir / "scenarios"));
  EXPECT_THROW(benzosim::io::parse_scenario(text, "s.toml", dir.path()), benzosim::scenario_error);
  // draw defaults to in_order.
  const auto in_order = parse_scenario_with_population(
      scenario_part + small_population + "[population.covariates]\nfile = \"populations/real.csv\"\n", "s.toml",
      dir.path());
  EXPECT_EQ(in_order.population->covariate_table->draw, pk::covariate_draw::in_order);
  // No file: no table.
  EXPECT_FALSE(parse(scenario_part + small_population).population->covariate_table.has_value());
}

TEST(covariate_csv, an_error_in_the_csv_is_located_there_and_names_the_scenario_key) {
  scratch_dir dir;
  write_file(dir / "bad.csv", "weight_kg,sex\n70,female\n65,unknown\n");
  const std::string text = scenario_part + small_population + "[population.covariates]\nfile = \"bad.csv\"\n";
  for (const bool with_population : {true, false}) {
    try {
      if (with_population) {
        parse_scenario_with_population(text, "s.toml", dir.path());
      } else {
        benzosim::io::parse_scenario(text, "s.toml", dir.path());
      }
      ADD_FAILURE() << "no error thrown";
    } catch (const benzosim::scenario_error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(e.file, (dir / "bad.csv").lexically_normal().string());
      EXPECT_EQ(e.line, 3) << msg;
      EXPECT_EQ(e.column, 4) << msg;
      EXPECT_NE(msg.find("Column sex = \"unknown\" is not a sex"), std::string::npos) << msg;
      const std::string key_line = std::to_string(line_of(text, "file = \"bad.csv\""));
      EXPECT_NE(msg.find("The file is read as population.covariates.file of s.toml, line " + key_line + "."),
                std::string::npos)
          << msg;
    }
  }
}

TEST(covariate_csv, load_reports_a_missing_or_empty_file) {
  scratch_dir dir;
  write_file(dir / "empty.csv", "");
  for (const char* name : {"missing.csv", "empty.csv"}) {
    try {
      benzosim::io::load_covariate_csv(dir / name, pk::covariate_draw::in_order);
      ADD_FAILURE() << "no error thrown for " << name;
    } catch (const benzosim::scenario_error& e) {
      EXPECT_EQ(e.file, (dir / name).string());
      EXPECT_FALSE(std::string{e.what()}.empty());
    }
  }
  write_file(dir / "ok.csv", "weight_kg\n70\n");
  EXPECT_EQ(benzosim::io::load_covariate_csv(dir / "ok.csv", pk::covariate_draw::resample).size(), 1u);
}

TEST(covariate_csv, the_example_scenario_reads_the_example_subjects) {
  const auto l = benzosim::io::load_scenario_with_population(
      benzosim::io_test::source_file("data/scenarios/population_from_csv.toml"));
  ASSERT_TRUE(l.population.has_value());
  ASSERT_TRUE(l.population->covariate_table.has_value());
  const pk::covariate_table& t = *l.population->covariate_table;
  EXPECT_EQ(t.draw, pk::covariate_draw::in_order);
  ASSERT_EQ(t.size(), 20u);
  EXPECT_EQ(t.rows.front().id, "S01");
  EXPECT_EQ(t.rows.front().covariates.weight_kg, 62.5);
  EXPECT_EQ(t.rows.back().id, "S20");
  EXPECT_NO_THROW(t.validate());
}

}  // namespace
