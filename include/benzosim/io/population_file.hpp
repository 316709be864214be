// SPDX-License-Identifier: MIT
/// Reading a scenario file together with its optional [population] section (the variability model of
/// `benzosim population`). Every problem is a scenario_error naming the file, line and key.
/// Format: docs/file-formats.md#population.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <benzosim/clinical/population.hpp>
#include <benzosim/clinical/scenario.hpp>
#include <benzosim/pk/variability.hpp>

namespace benzosim::io {

/// A scenario and, if the file has a [population] section, the population model it describes.
struct loaded_scenario {
  clinical::scenario scenario;
  std::optional<clinical::population_model> population;  ///< nullopt: the file has no [population]
};

/// Parses a scenario with its [population] section. Relative drug_file and [population.covariates] file paths
/// are resolved against base_dir.
loaded_scenario parse_scenario_with_population(std::string_view toml_text, const std::string& source_name,
                                               const std::filesystem::path& base_dir);
/// Reads and parses a scenario file; a missing or unreadable file is a scenario_error too.
loaded_scenario load_scenario_with_population(const std::filesystem::path& file);

/// The values a covariate CSV's subjects take for an optional column the file leaves out
/// (docs/file-formats.md#covariate-csv). None changes a pk parameter except the co-medication ones.
inline constexpr double covariate_csv_default_age_y = 40.0;  ///< [years] no published effect on clonazepam pk
inline constexpr pk::biological_sex covariate_csv_default_sex = pk::biological_sex::female;  ///< most users are women
inline constexpr int covariate_csv_default_inducing_aeds = 0;          ///< no co-medication: the typical patient
inline constexpr bool covariate_csv_default_cyp3a4_inhibitor = false;  ///< no co-medication: the typical patient

/// Parses a CSV of real subjects' covariates ([population.covariates] file): a header row with weight_kg and
/// optionally id, age_y, sex, inducing_aeds, cyp3a4_inhibitor, then one row per subject. Every problem is a
/// scenario_error at source_name, the line and the column, naming the rule.
pk::covariate_table parse_covariate_csv(std::string_view text, const std::string& source_name, pk::covariate_draw draw);
/// Reads and parses a covariate CSV; a missing, empty or unreadable file is a scenario_error too.
pk::covariate_table load_covariate_csv(const std::filesystem::path& file, pk::covariate_draw draw);

}  // namespace benzosim::io
