// SPDX-License-Identifier: MIT
// Shared pieces of the benzosim subcommands: running a scenario and writing its outputs.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <benzosim/clinical/scenario.hpp>

namespace benzosim::cli {

/// Exit codes: 0 success, 2 bad input (any benzosim::error or bad arguments), 3 internal error (a bug).
inline constexpr int exit_bad_input = 2;
inline constexpr int exit_internal = 3;

/// Runs the scenario, writes DIR/timeseries.csv and DIR/summary.json (atomically) and prints a summary.
void run_and_report(const clinical::scenario& s, const std::filesystem::path& out_dir);
/// Runs every arm (clinical::simulate_arms), writes DIR/<arm>/timeseries.csv and DIR/<arm>/summary.json and
/// prints each arm's summary.
void run_arms_and_report(const clinical::scenario& s, const std::vector<clinical::arm>& arms,
                         const std::filesystem::path& out_dir);

/// A built-in drug by name ("clonazepam") or a drug file (a path, or a name ending in .toml).
clinical::drug_model load_drug(const std::string& name_or_file);

/// Each subcommand registers itself; the callback it sets runs after parsing.
void add_demo(CLI::App& app);
void add_run(CLI::App& app);
void add_pk(CLI::App& app);
void add_nm(CLI::App& app);
void add_network(CLI::App& app);
void add_seizure(CLI::App& app);
class process_group;
/// `benzosim population`; with several processes in `group` (mpirun), the patients are split across them.
void add_population(CLI::App& app, process_group& group);

}  // namespace benzosim::cli
