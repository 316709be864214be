// SPDX-License-Identifier: MIT
/// The model of `benzosim nm`: a linear structure, its parameters, per-compartment dose modifiers (F, ALAG,
/// R, D: a number or a covariate column) and derived output columns. It comes either from command-line
/// flags or from a TOML model file; the two forms map one to one onto nm_model_spec. Reference: docs/nm.md.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <benzosim/io/nm_dataset.hpp>
#include <benzosim/pk/events.hpp>
#include <benzosim/pk/linear.hpp>

namespace benzosim::io {

/// The schema version of model files this build reads.
inline constexpr int nm_model_schema_version = 1;

/// A derived output column: name = A(cmt) / param(divide_by) * multiply. divide_by empty = no division.
struct nm_output {
  std::string name;       ///< column name, e.g. "CP"
  int cmt = 0;            ///< 1-based compartment whose amount is used
  std::string divide_by;  ///< NONMEM parameter name (canonical spelling), or empty
  double multiply = 1.0;  ///< factor (> 0)

  bool operator==(const nm_output&) const = default;
};

/// A validated model and its outputs.
struct nm_model_spec {
  pk::linear_model model;
  std::vector<nm_output> outputs;
};

/// The flag form, as strings from the command line (each entry of a vector is one occurrence of the flag).
struct nm_model_flags {
  std::string structure;              ///< --model one_cmt_oral|...
  std::vector<std::string> params;    ///< --param NAME=VALUE
  std::vector<std::string> bioav;     ///< --bioav CMT=NUMBER|COLUMN
  std::vector<std::string> lag;       ///< --lag CMT=NUMBER|COLUMN
  std::vector<std::string> rate;      ///< --rate CMT=NUMBER|COLUMN
  std::vector<std::string> duration;  ///< --duration CMT=NUMBER|COLUMN
  std::vector<std::string> outputs;   ///< --output NAME=CMT[/PARAM][*FACTOR]
};

/// Builds the model from flags. Column names are resolved case-insensitively against covariate_names.
/// Throws error (invalid_parameter for a bad parameter value) naming the flag.
nm_model_spec build_nm_model(const nm_model_flags& flags, const std::vector<std::string>& covariate_names);

/// Parses a model file (TOML, schema_version = 1). Throws scenario_error with the file line.
nm_model_spec parse_nm_model(std::string_view toml_text, const std::string& source_name,
                             const std::vector<std::string>& covariate_names);
/// Reads and parses a model file.
nm_model_spec load_nm_model(const std::filesystem::path& path, const std::vector<std::string>& covariate_names);

/// The value of an output at one record of a subject's amounts.
double output_value(const nm_output& o, const pk::linear_model& m, const pk::amounts_table& a, std::size_t record);

/// The result CSV: one row per data row of the dataset in file order, columns ID,TIME,EVID,A1..An and the
/// outputs. per_subject[i] is pk::simulate of data.subjects[i]. Numbers via format_number.
std::string nm_output_csv(const nm_dataset& data, const nm_model_spec& spec,
                          const std::vector<pk::amounts_table>& per_subject);

}  // namespace benzosim::io
