// SPDX-License-Identifier: MIT
/// Reading NONMEM-style datasets (CSV: ID, TIME, EVID, AMT, CMT, RATE, II, ADDL, SS, covariates) into typed
/// pk::subject records. Every problem is a scenario_error naming the file, the line, the column and the rule.
/// Format and rules: docs/nm.md; event semantics: docs/dosing.md.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <benzosim/core/error.hpp>
#include <benzosim/pk/events.hpp>
#include <benzosim/pk/linear.hpp>

namespace benzosim::io {

/// Where one data row of the file went: subjects[subject].records[record].
struct nm_row_ref {
  std::size_t subject = 0;
  std::size_t record = 0;
};

/// A dataset, typed. Comment and blank lines are dropped; every other line after the header is one record.
struct nm_dataset {
  std::string source;               ///< the file name used in messages
  std::size_t header_line = 0;      ///< 1-based line of the header
  std::vector<std::string> header;  ///< column names as written (trimmed, quotes removed)
  std::vector<pk::subject> subjects;
  /// One entry per data row, in file order (for writing results back row by row).
  std::vector<nm_row_ref> order;
  /// Per data row (same order as `order`), the 1-based character column where each header field starts:
  /// cell_columns[i * header.size() + j]. Used to locate errors found later (check_against_model).
  std::vector<int> cell_columns;
  /// The covariate columns (every column that is not a known NONMEM item), in file order; the same as
  /// pk::subject::covariate_names of every subject.
  std::vector<std::string> covariate_names;
  /// Header index of each covariate (parallel to covariate_names).
  std::vector<std::size_t> covariate_header_index;
  /// covariate_all_missing[subject][covariate]: the column is '.' on every row of that subject (its
  /// values were set to 0). A model that uses such a column is refused by check_against_model.
  std::vector<std::vector<bool>> covariate_all_missing;
  /// Header index of ID, CMT and RATE (CMT and RATE: header.size() when the column is absent).
  std::size_t cmt_index = 0;
  std::size_t rate_index = 0;
  std::size_t id_index = 0;

  /// The 1-based character column of header field j on data row i (0 when unknown).
  int column_of(std::size_t row_in_order, std::size_t header_index) const;
};

/// Parses dataset text. source_name is used in messages. Checks everything that does not need the model:
/// required columns, numbers, integer codes, time order within a subject, SS/ADDL with II, AMT > 0 on doses
/// (AMT = 0 only for a steady-state constant infusion), contiguous subjects. Covariates: '.' (or an empty cell) is
/// carried forward within the subject; leading missing values take the subject's first non-missing value.
nm_dataset read_nm_dataset(std::string_view text, const std::string& source_name);
/// Reads and parses a dataset file; a missing or unreadable file is a scenario_error too.
nm_dataset load_nm_dataset(const std::filesystem::path& path);

/// Checks the records against a model: CMT within 1..compartment_count (0 = default), RATE = -1 / -2 only
/// where the model defines a rate / duration for the dose compartment, covariate-valued modifiers present
/// and in range (F >= 0, ALAG >= 0, R > 0, D > 0) on every dose that uses them. Throws scenario_error.
void check_against_model(const nm_dataset& data, const pk::linear_model& model, const std::string& source_name);

}  // namespace benzosim::io
