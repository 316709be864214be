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

}  // namespace
