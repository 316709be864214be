// SPDX-License-Identifier: MIT
// `benzosim nm`: simulates a NONMEM-style dataset with a linear model (docs/nm.md).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <benzosim/core/error.hpp>
#include <benzosim/io/nm_dataset.hpp>
#include <benzosim/io/nm_model.hpp>
#include <benzosim/io/output.hpp>
#include <benzosim/pk/linear.hpp>

#include "common.hpp"

namespace benzosim::cli {
namespace {

struct nm_args {
  std::string data;
  io::nm_model_flags flags;  // flags.structure holds --model (a structure name or a model file)
  std::string out;
};

bool is_model_file(const std::string& model) {
  if (model.size() < 5) return false;
  std::string ext = model.substr(model.size() - 5);
  for (char& c : ext) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return ext == ".toml";
}

io::nm_model_spec load_model(const nm_args& a, const io::nm_dataset& data) {
  if (!is_model_file(a.flags.structure)) return io::build_nm_model(a.flags, data.covariate_names);
  const std::pair<const std::vector<std::string>*, const char*> flag_lists[] = {
      {&a.flags.params, "--param"}, {&a.flags.bioav, "--bioav"},       {&a.flags.lag, "--lag"},
      {&a.flags.rate, "--rate"},    {&a.flags.duration, "--duration"}, {&a.flags.outputs, "--output"}};
  for (const auto& [list, flag] : flag_lists) {
    if (!list->empty()) {
      throw error(std::string{flag} + " cannot be combined with a model file (--model " + a.flags.structure +
                  "): the file holds the whole model. Give either the file or the flags.");
    }
  }
  return io::load_nm_model(a.flags.structure, data.covariate_names);
}

void run_nm(const nm_args& a) {
  const io::nm_dataset data = io::load_nm_dataset(a.data);
  const io::nm_model_spec spec = load_model(a, data);
  io::check_against_model(data, spec.model, data.source);
  std::vector<pk::amounts_table> amounts;
  amounts.reserve(data.subjects.size());
  for (const pk::subject& s : data.subjects) amounts.push_back(pk::simulate(spec.model, s));
  const std::string csv = io::nm_output_csv(data, spec, amounts);
  if (a.out.empty()) {
    std::fwrite(csv.data(), 1, csv.size(), stdout);
  } else {
    io::atomic_write(a.out, csv);
  }
}

}  // namespace

void add_nm(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "nm", "Simulate a NONMEM-style dataset (ID,TIME,EVID,AMT,CMT,RATE,II,ADDL,SS) with a linear model (CSV)");
  auto a = std::make_shared<nm_args>();
  const auto once_each = [](CLI::Option* o) {
    return o->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  };
  cmd->add_option("data", a->data, "Dataset (CSV with a header line)")->required();
  cmd->add_option("--model", a->flags.structure,
                  "one_cmt_iv, one_cmt_oral, two_cmt_iv, two_cmt_oral, three_cmt_iv, three_cmt_oral, "
                  "or a model file (.toml)")
      ->required();
  once_each(cmd->add_option("--param", a->flags.params, "NAME=VALUE, NONMEM name (repeat for each parameter)"));
  once_each(cmd->add_option("--bioav", a->flags.bioav, "CMT=NUMBER|COLUMN: bioavailability F of doses into CMT"));
  once_each(cmd->add_option("--lag", a->flags.lag, "CMT=NUMBER|COLUMN: lag time ALAG [h] of doses into CMT"));
  once_each(cmd->add_option("--rate", a->flags.rate, "CMT=NUMBER|COLUMN: modeled rate R [mg/h], used when RATE = -1"));
  once_each(cmd->add_option("--duration", a->flags.duration,
                            "CMT=NUMBER|COLUMN: modeled duration D [h], used when RATE = -2"));
  once_each(cmd->add_option("--output", a->flags.outputs,
                            "NAME=CMT[/PARAM][*FACTOR]: an extra column A(CMT) / PARAM * FACTOR"));
  cmd->add_option("--out", a->out, "Output CSV file (default: standard output)");
  cmd->footer(
      "Output: one row per data row (comment rows excluded), in file order: ID,TIME,EVID,A1..An (amounts [mg]) and "
      "the --output columns.\nParameters (all required): one_cmt_iv CL V; one_cmt_oral CL V KA; two_cmt_iv CL V1 Q "
      "V2;\n  two_cmt_oral CL V2 Q V3 KA; three_cmt_iv CL V1 Q2 V2 Q3 V3; three_cmt_oral CL V2 Q3 V3 Q4 V4 KA.\n"
      "A model file (--model FILE.toml) holds the same content as the flags. Reference: docs/nm.md.\n\n"
      "Examples (from the repository root):\n"
      "  benzosim nm ../shared/validation/nonmem-dosing/dosing-1-15.csv --model one_cmt_oral --param CL=1.1 "
      "--param V=20 --param KA=1.5 --bioav 2=BIOAV --lag 2=LAGT --rate 2=RAT2 --duration 2=DUR2 "
      "--output CP=2/V*1000\n"
      "  benzosim nm data.csv --model model.toml --out result.csv\n");
  cmd->callback([a] { run_nm(*a); });
}

}  // namespace benzosim::cli
