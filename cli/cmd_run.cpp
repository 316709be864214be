// SPDX-License-Identifier: MIT
#include <memory>
#include <string>

#include <benzosim/io/scenario_file.hpp>

#include "common.hpp"

namespace benzosim::cli {

void add_run(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Run a scenario file (TOML; format in docs/file-formats.md)");
  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("scenario", *file, "Scenario file (.toml)")->required();
  cmd->add_option("--out", *out, "Output directory (default: out/<scenario name>)");
  cmd->footer(
      "Example:\n  benzosim run data/scenarios/panic_titration.toml --out out/panic\n"
      "A scenario with [[arms]] (e.g. data/scenarios/epilepsy-abrupt-vs-taper.toml) writes DIR/<arm>/ per arm.\n");
  cmd->callback([file, out] {
    const auto loaded = io::load_scenario_arms(*file);
    const auto& s = loaded.scenario;
    const auto dir = out->empty() ? std::filesystem::path("out") / s.name : std::filesystem::path(*out);
    if (loaded.arms.empty()) {
      run_and_report(s, dir);
    } else {
      run_arms_and_report(s, loaded.arms, dir);
    }
  });
}

}  // namespace benzosim::cli
