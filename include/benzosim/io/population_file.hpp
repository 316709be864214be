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

namespace benzosim::io {

/// A scenario and, if the file has a [population] section, the population model it describes.
struct loaded_scenario {
  clinical::scenario scenario;
  std::optional<clinical::population_model> population;  ///< nullopt: the file has no [population]
};

/// Parses a scenario with its [population] section. Relative drug_file paths are resolved against base_dir.
loaded_scenario parse_scenario_with_population(std::string_view toml_text, const std::string& source_name,
                                               const std::filesystem::path& base_dir);
/// Reads and parses a scenario file; a missing or unreadable file is a scenario_error too.
loaded_scenario load_scenario_with_population(const std::filesystem::path& file);

}  // namespace benzosim::io
