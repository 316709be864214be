// SPDX-License-Identifier: MIT
/// Reading scenario and drug files (TOML, with schema_version). Every problem is a scenario_error that
/// names the file, line and key and the rule broken. File formats: docs/file-formats.md.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <benzosim/clinical/scenario.hpp>
#include <benzosim/core/error.hpp>

namespace benzosim::io {

/// The schema version this build reads.
inline constexpr int scenario_schema_version = 1;

/// Parses a drug file. source_name is used in messages (a path, or "<embedded clonazepam>").
clinical::drug_model parse_drug(std::string_view toml_text, const std::string& source_name);
/// The drug built into the binary (data/drugs/<name>.toml at build time); throws error if unknown.
clinical::drug_model embedded_drug(std::string_view name);

/// Parses a scenario. Relative drug_file paths are resolved against base_dir. A [population] section is
/// checked but not returned (io/population_file.hpp reads it for `benzosim population`).
clinical::scenario parse_scenario(std::string_view toml_text, const std::string& source_name,
                                  const std::filesystem::path& base_dir);
/// Reads and parses a scenario file; a missing or unreadable file is a scenario_error too. A file with
/// [[arms]] is refused (parse_scenario too): use load_scenario_arms.
clinical::scenario load_scenario(const std::filesystem::path& file);

/// A scenario file with its dosing arms (docs/file-formats.md#arms). Without [[arms]], `arms` is empty and
/// `scenario` is what parse_scenario returns; with arms, each arm's regimen is the shared [[dosing]] followed
/// by its own [[arms.dosing]], every arm is validated, and scenario.regimen is the first arm's.
struct scenario_arms {
  clinical::scenario scenario;
  std::vector<clinical::arm> arms;
};
scenario_arms parse_scenario_arms(std::string_view toml_text, const std::string& source_name,
                                  const std::filesystem::path& base_dir);
/// Reads and parses a scenario file that may have [[arms]] (what `benzosim run` uses).
scenario_arms load_scenario_arms(const std::filesystem::path& file);
/// The demo scenario built into the binary (data/scenarios/demo.toml at build time).
clinical::scenario demo_scenario();

/// "file:line:column: message" for a scenario_error (line/column omitted when 0).
std::string describe(const scenario_error& e);

}  // namespace benzosim::io
