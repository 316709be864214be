// SPDX-License-Identifier: MIT
#include <memory>
#include <string>

#include <benzosim/io/scenario_file.hpp>

#include "common.hpp"

namespace benzosim::cli {

void add_demo(CLI::App& app) {
  auto* cmd = app.add_subcommand("demo",
                                 "Run the built-in scenario: clonazepam 0.5 mg three times daily for 4 weeks, "
                                 "then an abrupt stop; 6 weeks simulated");
  auto out = std::make_shared<std::string>("out/demo");
  cmd->add_option("--out", *out, "Output directory for timeseries.csv and summary.json")->capture_default_str();
  cmd->footer(
      "Example:\n  benzosim demo --out out/demo\n\nThe scenario is data/scenarios/demo.toml, built into the "
      "binary.\n");
  cmd->callback([out] { run_and_report(io::demo_scenario(), *out); });
}

}  // namespace benzosim::cli
