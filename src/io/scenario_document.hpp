// SPDX-License-Identifier: MIT
/// Private: the parts of a scenario document, read from an already parsed TOML table whose schema_version
/// has been checked. scenario_file.cpp reads everything but [population]; population_file.cpp reads
/// [population]. Both parse_scenario and parse_scenario_with_population read both, so a broken [population]
/// section is an error for `benzosim run` too.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <toml++/toml.h>

#include <benzosim/clinical/population.hpp>
#include <benzosim/clinical/scenario.hpp>
#include <benzosim/io/scenario_file.hpp>

#include "toml_reader.hpp"

namespace benzosim::io::detail {

/// The document root, checked against the top-level keys of a scenario file (population included).
table_view scenario_root(const toml::table& doc, const std::string& source_name);

/// The scenario (every top-level key but population, which is allowed and left to read_population).
clinical::scenario read_scenario(const toml::table& doc, const std::string& source_name,
                                 const std::filesystem::path& base_dir);

/// The scenario and its [[arms]] (none if the file has no arms); read_scenario refuses a file with arms.
scenario_arms read_scenario_arms(const toml::table& doc, const std::string& source_name,
                                 const std::filesystem::path& base_dir);

/// The [population] section, or nullopt when the document has none. A covariate file named in it
/// ([population.covariates] file) is read relative to base_dir, the scenario file's directory.
std::optional<clinical::population_model> read_population(const toml::table& doc, const std::string& source_name,
                                                          const std::filesystem::path& base_dir);

}  // namespace benzosim::io::detail
