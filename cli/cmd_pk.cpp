// SPDX-License-Identifier: MIT
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/time_grid.hpp>
#include <benzosim/io/output.hpp>
#include <benzosim/io/scenario_file.hpp>
#include <benzosim/pk/two_compartment.hpp>

#include "common.hpp"

namespace benzosim::cli {
namespace {

struct pk_args {
  std::string drug = "clonazepam";
  double dose_mg = 0.0;
  std::optional<double> every_h;
  std::optional<int> count;
  std::optional<double> until_h;
  double step_h = 0.5;
  std::string out;
};

void run_pk(const pk_args& a) {
  const auto drug = load_drug(a.drug);
  require_in_range("--dose-mg", a.dose_mg, "mg", 1e-6, 1000.0);
  if (a.every_h && !a.count) throw invalid_parameter("--count", 0.0, "--every-h needs --count (the number of doses)");
  if (a.count && !a.every_h && *a.count > 1) {
    throw invalid_parameter("--every-h", 0.0, "--count > 1 needs --every-h (the dosing interval in hours)");
  }
  const int count = a.count.value_or(1);
  require_in_range("--count", count, "", 1.0, 100000.0);
  const double every = a.every_h.value_or(0.0);
  const auto r = pk::regimen::repeated(a.dose_mg, 0.0, every, count);
  const double last = r.doses.back().time_h;
  const double until = a.until_h.value_or(last + 72.0);
  require_in_range("--until-h", until, "h", 0.0, 24.0 * 3650.0);
  require_positive("--step-h", a.step_h, "h");
  require_in_range("number of output rows (--until-h / --step-h)", until / a.step_h, "", 0.0, 2e6);
  const auto t = time_grid(0.0, until, a.step_h);
  const auto csv = io::concentration_csv(pk::simulate(drug.pk, r, t));
  if (a.out.empty()) {
    std::fwrite(csv.data(), 1, csv.size(), stdout);
  } else {
    io::atomic_write(a.out, csv);
  }
}

}  // namespace

clinical::drug_model load_drug(const std::string& name_or_file) {
  if (name_or_file.find('/') == std::string::npos && name_or_file.find(".toml") == std::string::npos) {
    return io::embedded_drug(name_or_file);
  }
  std::ifstream in(name_or_file, std::ios::binary);
  if (!in) throw scenario_error(name_or_file, 0, 0, "cannot open drug file '" + name_or_file + "'");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return io::parse_drug(text, name_or_file);
}

void add_pk(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("pk", "Plasma concentration (total and free) of a regimen for the typical adult (CSV)");
  auto a = std::make_shared<pk_args>();
  cmd->add_option("--drug", a->drug, "Built-in drug name or a drug file (.toml)")->capture_default_str();
  cmd->add_option("--dose-mg", a->dose_mg, "Dose [mg]")->required();
  cmd->add_option("--every-h", a->every_h, "Dosing interval [h] (with --count)");
  cmd->add_option("--count", a->count, "Number of doses (default 1)");
  cmd->add_option("--until-h", a->until_h, "Last output time [h] (default: last dose + 72 h)");
  cmd->add_option("--step-h", a->step_h, "Output step [h]")->capture_default_str();
  cmd->add_option("--out", a->out, "Output CSV file (default: standard output)");
  cmd->footer(
      "Columns: time_h,conc_ngml,free_ngml.\n\nExamples:\n  benzosim pk --drug clonazepam --dose-mg 2\n"
      "  benzosim pk --drug clonazepam --dose-mg 0.5 --every-h 8 --count 21 --until-h 240 --step-h 1 "
      "--out cz.csv\n");
  cmd->callback([a] { run_pk(*a); });
}

}  // namespace benzosim::cli
