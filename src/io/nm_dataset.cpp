// SPDX-License-Identifier: MIT
// The NONMEM dataset reader. Reference: docs/nm.md (columns, comment rows, missing values, errors).
#include <benzosim/io/nm_dataset.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <benzosim/core/error.hpp>

#include "csv_line.hpp"
#include "nm_common.hpp"
#include "text_file.hpp"
#include "toml_reader.hpp"

namespace benzosim::io {
namespace {

using detail::iequals;
using detail::number_status;
using detail::parsed_number;
using detail::sentence;
using detail::show;

constexpr std::size_t absent = std::numeric_limits<std::size_t>::max();

int to_int(std::size_t v) {
  return v > static_cast<std::size_t>(std::numeric_limits<int>::max()) ? std::numeric_limits<int>::max()
                                                                       : static_cast<int>(v);
}

[[noreturn]] void fail(const std::string& file, std::size_t line, int column, const std::string& message) {
  throw scenario_error(file, to_int(line), column, sentence(message));
}

// The splitting of a line is shared with the other CSV readers (csv_line.hpp).
using cell = detail::csv_cell;
using detail::is_blank;
using detail::split_csv;

/// The known NONMEM data items. Everything else is a covariate.
enum class item { id, time, evid, amt, cmt, rate, ii, addl, ss, mdv, dv, comment, covariate };

item classify(std::string_view name, std::size_t index) {
  const std::string u = detail::upper(name);
  if (u == "ID") return item::id;
  if (u == "TIME") return item::time;
  if (u == "EVID") return item::evid;
  if (u == "AMT") return item::amt;
  if (u == "CMT") return item::cmt;
  if (u == "RATE") return item::rate;
  if (u == "II") return item::ii;
  if (u == "ADDL") return item::addl;
  if (u == "SS") return item::ss;
  if (u == "MDV") return item::mdv;
  if (u == "DV") return item::dv;
  if (u == "C" && index == 0) return item::comment;
  return item::covariate;
}

/// Where each known item sits in the header (absent if the column is not there).
struct layout {
  std::size_t id = absent, time = absent, evid = absent, amt = absent, cmt = absent, rate = absent, ii = absent,
              addl = absent, ss = absent;
};

/// A header candidate has an ID and a TIME column (used to tell "#ID,TIME,..." from a "# comment" line).
bool looks_like_header(const std::vector<cell>& cells) {
  bool id = false;
  bool time = false;
  for (const cell& c : cells) {
    id = id || iequals(c.text, "ID");
    time = time || iequals(c.text, "TIME");
  }
  return id && time;
}

/// NONMEM's IGNORE=C: a row whose first field is "C" (or "C" followed by a blank and any text) is a comment.
bool is_comment_row(const cell& first) {
  if (first.quoted || first.text.empty() || (first.text.front() != 'C' && first.text.front() != 'c')) return false;
  return first.text.size() == 1 || is_blank(first.text[1]);
}

/// The reader of the data rows of one file.
class reader {
 public:
  reader(std::string file, nm_dataset& out) : file_(std::move(file)), out_(out) {}

  void read_header(const std::vector<cell>& cells, std::size_t line_no) {
    out_.header_line = line_no;
    for (std::size_t j = 0; j < cells.size(); ++j) {
      const cell& c = cells[j];
      if (c.text.empty()) {
        fail(file_, line_no, c.column,
             "Column " + std::to_string(j + 1) + " of the header has no name; every column needs a name");
      }
      for (std::size_t k = 0; k < j; ++k) {
        if (iequals(cells[k].text, c.text)) {
          fail(file_, line_no, c.column,
               "The column name '" + c.text + "' appears twice in the header (columns " + std::to_string(k + 1) +
                   " and " + std::to_string(j + 1) + "; names are case-insensitive)");
        }
      }
      out_.header.push_back(c.text);
      const item it = classify(c.text, j);
      switch (it) {
        case item::id:
          cols_.id = j;
          break;
        case item::time:
          cols_.time = j;
          break;
        case item::evid:
          cols_.evid = j;
          break;
        case item::amt:
          cols_.amt = j;
          break;
        case item::cmt:
          cols_.cmt = j;
          break;
        case item::rate:
          cols_.rate = j;
          break;
        case item::ii:
          cols_.ii = j;
          break;
        case item::addl:
          cols_.addl = j;
          break;
        case item::ss:
          cols_.ss = j;
          break;
        case item::covariate:
          out_.covariate_names.push_back(c.text);
          out_.covariate_header_index.push_back(j);
          break;
        case item::mdv:
        case item::dv:
        case item::comment:
          break;
      }
    }
    for (const auto& [index, name] : {std::pair{cols_.id, "ID"}, std::pair{cols_.time, "TIME"}}) {
      if (index == absent) {
        fail(file_, line_no, 0,
             std::string{"The header has no "} + name +
                 " column (required: ID and TIME; header: " + detail::join(out_.header) + ")");
      }
    }
    const std::size_t n = out_.header.size();
    out_.id_index = cols_.id;
    out_.cmt_index = cols_.cmt == absent ? n : cols_.cmt;
    out_.rate_index = cols_.rate == absent ? n : cols_.rate;
  }

  void read_row(const std::vector<cell>& cells, std::size_t line_no) {
    cells_ = &cells;
    line_ = line_no;
    const std::size_t n = out_.header.size();
    if (cells.size() != n) {
      const int col = cells.size() > n ? cells[n].column : 0;
      fail(file_, line_no, col,
           "The row has " + std::to_string(cells.size()) + " fields but the header has " + std::to_string(n) +
               " columns");
    }

    // ID: a run of equal IDs is one subject.
    const cell& id_cell = cells[cols_.id];
    const parsed_number id_num = detail::parse_number(id_cell.text);
    if (id_num.status == number_status::missing) {
      fail(file_, line_no, id_cell.column, "column ID is missing; every record needs an ID");
    }
    const std::string key = id_num.status == number_status::ok ? show(id_num.value) : id_cell.text;
    if (out_.subjects.empty() || key != current_key_) start_subject(key, id_cell);
    pk::subject& s = out_.subjects.back();

    pk::record r;
    r.row = line_no;
    const std::optional<double> time = number(cols_.time);
    if (!time) fail(file_, line_no, cells[cols_.time].column, "column TIME is missing; every record needs a time");
    r.time_h = *time;
    if (!s.records.empty() && r.time_h < s.records.back().time_h) {
      fail(file_, line_no, cells[cols_.time].column,
           "column TIME = " + cells[cols_.time].text + " h is earlier than the previous record of ID " + s.id +
               " (TIME = " + show(s.records.back().time_h) + " h at line " + std::to_string(s.records.back().row) +
               "); the records of a subject must be in time order");
    }

    const std::optional<double> amt = number(cols_.amt);
    const std::optional<int> evid = integer(cols_.evid, 0, 4,
                                            "one of 0 (observation), 1 (dose), 2 (other event), 3 (reset) or "
                                            "4 (reset and dose)");
    const int code = evid ? *evid : (amt.value_or(0.0) != 0.0 ? 1 : 0);
    constexpr pk::event_kind kinds[] = {pk::event_kind::observation, pk::event_kind::dose, pk::event_kind::other,
                                        pk::event_kind::reset, pk::event_kind::reset_and_dose};
    r.kind = kinds[static_cast<std::size_t>(code)];

    const std::optional<int> cmt = integer(cols_.cmt, 0, std::numeric_limits<int>::max(),
                                           "a compartment number (>= 1), or 0 for the model's default dose "
                                           "compartment");
    const std::optional<double> rate = number(cols_.rate);
    const std::optional<double> ii = number(cols_.ii);
    const std::optional<int> addl = integer(cols_.addl, 0, std::numeric_limits<int>::max(), "an integer >= 0");
    const std::optional<int> ss =
        integer(cols_.ss, 0, 2, "0 (no steady state), 1 (reset to steady state) or 2 (add steady state)");
    if (ii && *ii < 0.0) bad(cols_.ii, " h; must be >= 0 (the dosing interval)");
    if (rate && *rate < 0.0 && *rate != -1.0 && *rate != -2.0) {
      bad(cols_.rate,
          " mg/h; must be 0 (bolus), > 0 (an infusion at that rate), -1 (the rate the model defines) or -2 (the "
          "duration the model defines)");
    }
    r.cmt = cmt.value_or(0);

    if (detail::is_dose(r.kind)) {
      const double rate_value = rate.value_or(0.0);
      r.ii_h = ii.value_or(0.0);
      r.addl = addl.value_or(0);
      constexpr pk::steady_state_kind ss_kinds[] = {pk::steady_state_kind::none, pk::steady_state_kind::reset,
                                                    pk::steady_state_kind::add};
      r.ss = ss_kinds[static_cast<std::size_t>(ss.value_or(0))];
      // NONMEM's steady-state constant infusion: AMT = 0, RATE > 0, SS = 1 or 2, II = 0 (docs/dosing.md).
      const bool constant_infusion =
          amt.value_or(0.0) == 0.0 && rate_value > 0.0 && r.ss != pk::steady_state_kind::none && r.ii_h == 0.0;
      if (!constant_infusion) {
        const std::string rule =
            "; a dose needs AMT > 0 (or, for a steady-state constant infusion, AMT = 0 with RATE > 0, SS = 1 or 2 "
            "and II = 0)";
        if (cols_.amt == absent) bad(cols_.evid, " is a dose, but the file has no AMT column" + rule);
        if (!amt || *amt <= 0.0) {
          fail(file_, line_no, cells[cols_.amt].column,
               (amt ? "column AMT = " + cells[cols_.amt].text + " mg" : std::string{"column AMT is missing"}) +
                   " on a dose (EVID = " + std::to_string(code) + ")" + rule);
        }
      }
      r.amount = amt.value_or(0.0);
      if (rate_value > 0.0) {
        r.input = pk::input_kind::given_rate;
        r.rate_per_h = rate_value;
      } else if (rate_value == -1.0) {
        r.input = pk::input_kind::modeled_rate;
      } else if (rate_value == -2.0) {
        r.input = pk::input_kind::modeled_duration;
      }
      if (r.ss != pk::steady_state_kind::none && !(r.ii_h > 0.0) && !constant_infusion) {
        bad(cols_.ss, "; a steady-state dose needs II > 0 (the dosing interval), but II = " + show(r.ii_h) + " h");
      }
      if (r.addl > 0 && !(r.ii_h > 0.0)) {
        bad(cols_.addl, "; additional doses need II > 0 (the dosing interval), but II = " + show(r.ii_h) + " h");
      }
    } else if (amt && *amt != 0.0) {
      fail(file_, line_no, cells[cols_.amt].column,
           "column AMT = " + cells[cols_.amt].text + " mg on a record with EVID = " + std::to_string(code) +
               ", which is not a dose; only EVID 1 and 4 give doses (use AMT = 0 or '.')");
    }

    // Covariates: numbers or missing; filled in when the subject is complete.
    for (std::size_t k = 0; k < out_.covariate_header_index.size(); ++k) {
      const std::optional<double> v = number(out_.covariate_header_index[k]);
      covariates_.push_back(v.value_or(0.0));
      missing_.push_back(!v.has_value());
    }
    for (const cell& c : cells) out_.cell_columns.push_back(c.column);
    out_.order.push_back({out_.subjects.size() - 1, s.records.size()});
    s.records.push_back(r);
  }

  void finish(std::size_t last_line) {
    if (out_.subjects.empty()) {
      fail(file_, out_.header_line == 0 ? last_line : out_.header_line, 0,
           out_.header_line == 0 ? "The file has no header line (expected column names such as ID,TIME,AMT)"
                                 : "The file has a header but no data rows");
    }
    finish_subject();
  }

 private:
  void start_subject(const std::string& key, const cell& id_cell) {
    if (const auto it = seen_.find(key); it != seen_.end()) {
      const pk::subject& other = out_.subjects[it->second];
      fail(file_, line_, id_cell.column,
           "ID " + id_cell.text + " appears in two separate blocks (lines " +
               std::to_string(other.records.front().row) + " to " + std::to_string(other.records.back().row) +
               ", and again here); the records of a subject must be consecutive rows");
    }
    if (!out_.subjects.empty()) finish_subject();
    seen_.emplace(key, out_.subjects.size());
    current_key_ = key;
    pk::subject s;
    s.id = id_cell.text;
    s.covariate_names = out_.covariate_names;
    out_.subjects.push_back(std::move(s));
  }

  /// LOCF within the subject; leading missing values take the first non-missing value; a column missing on
  /// every row becomes 0 and is flagged.
  void finish_subject() {
    pk::subject& s = out_.subjects.back();
    const std::size_t nc = out_.covariate_names.size();
    const std::size_t nr = s.records.size();
    std::vector<bool> all_missing(nc, false);
    for (std::size_t k = 0; k < nc; ++k) {
      std::size_t first = nr;
      for (std::size_t i = 0; i < nr; ++i) {
        if (!missing_[i * nc + k]) {
          first = i;
          break;
        }
      }
      if (first == nr) {
        all_missing[k] = true;
        for (std::size_t i = 0; i < nr; ++i) covariates_[i * nc + k] = 0.0;
        continue;
      }
      double last = covariates_[first * nc + k];
      for (std::size_t i = 0; i < nr; ++i) {
        if (missing_[i * nc + k]) {
          covariates_[i * nc + k] = last;
        } else {
          last = covariates_[i * nc + k];
        }
      }
    }
    s.covariates = std::move(covariates_);
    out_.covariate_all_missing.push_back(std::move(all_missing));
    covariates_.clear();
    missing_.clear();
  }

  /// The number in column j of the current row; nullopt when the column is absent or the cell is missing.
  std::optional<double> number(std::size_t j) {
    if (j == absent) return std::nullopt;
    const cell& c = (*cells_)[j];
    const parsed_number p = detail::parse_number(c.text);
    switch (p.status) {
      case number_status::ok:
        return p.value;
      case number_status::missing:
        return std::nullopt;
      case number_status::not_a_number:
        fail(file_, line_, c.column, "column " + out_.header[j] + " = \"" + c.text + "\" is not a number");
      case number_status::not_finite:
        fail(file_, line_, c.column, "column " + out_.header[j] + " = " + c.text + " is not a finite number");
    }
    return std::nullopt;
  }

  std::optional<int> integer(std::size_t j, int lo, int hi, const std::string& rule) {
    const std::optional<double> v = number(j);
    if (!v) return std::nullopt;
    if (*v != std::floor(*v) || *v < lo || *v > hi) bad(j, "; must be " + rule);
    return static_cast<int>(*v);
  }

  /// "column X = <cell><rest>" at the cell of column j.
  [[noreturn]] void bad(std::size_t j, const std::string& rest) {
    const cell& c = (*cells_)[j];
    fail(file_, line_, c.column, "column " + out_.header[j] + " = " + c.text + rest);
  }

  std::string file_;
  nm_dataset& out_;
  layout cols_;
  const std::vector<cell>* cells_ = nullptr;
  std::size_t line_ = 0;
  std::string current_key_;
  std::unordered_map<std::string, std::size_t> seen_;
  std::vector<double> covariates_;  // of the current subject, row-major
  std::vector<bool> missing_;
};

}  // namespace

int nm_dataset::column_of(std::size_t row_in_order, std::size_t header_index) const {
  const std::size_t n = header.size();
  if (header_index >= n) return 0;
  const std::size_t k = row_in_order * n + header_index;
  return k < cell_columns.size() ? cell_columns[k] : 0;
}

nm_dataset read_nm_dataset(std::string_view text, const std::string& source_name) {
  nm_dataset out;
  out.source = source_name;
  reader r(source_name, out);
  bool have_header = false;
  const std::size_t last_line = detail::for_each_line(text, [&](std::string_view line, std::size_t line_no) {
    const std::string_view t = detail::trim(line);
    if (t.empty()) return;
    const bool marked = t.front() == '#' || t.front() == '@';
    if (!have_header) {
      if (marked) {
        // "#ID,TIME,..." is a header (NONMEM's IGNORE=# convention); "# any other text" is a comment.
        const std::size_t from = static_cast<std::size_t>(t.data() - line.data()) + 1;
        std::vector<cell> cells = split_csv(line, from, source_name, line_no);
        if (!looks_like_header(cells)) return;
        r.read_header(cells, line_no);
      } else {
        r.read_header(split_csv(line, 0, source_name, line_no), line_no);
      }
      have_header = true;
      return;
    }
    if (marked) return;
    const std::vector<cell> cells = split_csv(line, 0, source_name, line_no);
    if (is_comment_row(cells.front())) return;
    r.read_row(cells, line_no);
  });
  r.finish(last_line);
  return out;
}

nm_dataset load_nm_dataset(const std::filesystem::path& path) {
  const detail::file_text f = detail::read_text_file(path);
  if (!f.problem.empty()) throw scenario_error(path.string(), 0, 0, sentence(detail::capitalise(f.problem)));
  return read_nm_dataset(f.text, path.string());
}

namespace {

/// Checks the value of a covariate-valued modifier on the dose at data row `row` (no-op for constants).
void check_modifier(const nm_dataset& data, std::size_t row, std::size_t subject, const pk::record& r,
                    const pk::modifier& m, std::string_view what, int cmt, bool strictly_positive,
                    std::string_view unit, const std::string& file) {
  if (m.from != pk::modifier::source::covariate) return;
  const pk::subject& s = data.subjects[subject];
  const std::size_t nc = s.covariate_names.size();
  if (m.column >= nc) throw internal_error("io::check_against_model: modifier column out of range");
  const std::size_t j = data.covariate_header_index[m.column];
  const std::size_t record = data.order[row].record;
  const double v = s.covariates[record * nc + m.column];
  const bool ok = strictly_positive ? v > 0.0 : v >= 0.0;
  if (!ok) {
    fail(file, r.row, data.column_of(row, j),
         "column " + data.header[j] + " = " + show(v) + detail::unit_suffix(unit) + " is used as " + std::string{what} +
             " of compartment " + std::to_string(cmt) + " for this dose; it must be " +
             (strictly_positive ? "> 0" : ">= 0"));
  }
}

}  // namespace

void check_against_model(const nm_dataset& data, const pk::linear_model& model, const std::string& source_name) {
  const int n = pk::compartment_count(model.structure);
  const std::string structure{pk::to_string(model.structure)};
  const bool has_modifiers = !model.modifiers.empty();
  if (has_modifiers && model.modifiers.size() != static_cast<std::size_t>(n)) {
    throw internal_error("io::check_against_model: the model has " + std::to_string(model.modifiers.size()) +
                         " modifier sets for " + std::to_string(n) + " compartments");
  }

  // A covariate column used by a modifier must have a value in every subject.
  if (has_modifiers) {
    for (int c = 1; c <= n; ++c) {
      const pk::compartment_modifiers& cm = model.modifiers[static_cast<std::size_t>(c - 1)];
      const std::pair<const pk::modifier*, const char*> used[] = {{&cm.bioav, "F (bioavailability)"},
                                                                  {&cm.lag, "ALAG (lag time)"},
                                                                  {&cm.rate, "R (modeled rate)"},
                                                                  {&cm.duration, "D (modeled duration)"}};
      for (const auto& [m, what] : used) {
        if (m->from != pk::modifier::source::covariate) continue;
        for (std::size_t s = 0; s < data.subjects.size(); ++s) {
          if (!data.covariate_all_missing[s][m->column]) continue;
          const pk::record& first = data.subjects[s].records.front();
          std::size_t row = 0;
          while (row < data.order.size() && data.order[row].subject != s) ++row;
          const std::size_t j = data.covariate_header_index[m->column];
          fail(source_name, first.row, data.column_of(row, j),
               "column " + data.header[j] + " is missing ('.') on every row of ID " + data.subjects[s].id +
                   ", but the model uses it as " + what + " of compartment " + std::to_string(c));
        }
      }
    }
  }

  for (std::size_t i = 0; i < data.order.size(); ++i) {
    const nm_row_ref ref = data.order[i];
    const pk::record& r = data.subjects[ref.subject].records[ref.record];
    if (r.cmt < 0 || r.cmt > n) {
      fail(source_name, r.row, data.column_of(i, data.cmt_index),
           "column CMT = " + std::to_string(r.cmt) + " is not a compartment of " + structure + " (" +
               detail::compartment_list(model.structure) + "); CMT must be 0 (the default dose compartment, " +
               std::to_string(pk::default_dose_compartment(model.structure)) + ") to " + std::to_string(n));
    }
    if (!detail::is_dose(r.kind)) continue;
    const int c = r.cmt == 0 ? pk::default_dose_compartment(model.structure) : r.cmt;
    const pk::compartment_modifiers none{};
    const pk::compartment_modifiers& cm = has_modifiers ? model.modifiers[static_cast<std::size_t>(c - 1)] : none;
    const std::string cs = std::to_string(c);
    if (r.input == pk::input_kind::modeled_rate && cm.rate.from == pk::modifier::source::none) {
      fail(source_name, r.row, data.column_of(i, data.rate_index),
           "column RATE = -1 needs a modeled rate for compartment " + cs + " (--rate " + cs +
               "=COLUMN or [compartment." + cs + "] rate)");
    }
    if (r.input == pk::input_kind::modeled_duration && cm.duration.from == pk::modifier::source::none) {
      fail(source_name, r.row, data.column_of(i, data.rate_index),
           "column RATE = -2 needs a modeled duration for compartment " + cs + " (--duration " + cs +
               "=COLUMN or [compartment." + cs + "] duration)");
    }
    check_modifier(data, i, ref.subject, r, cm.bioav, "F (bioavailability)", c, false, "", source_name);
    check_modifier(data, i, ref.subject, r, cm.lag, "ALAG (lag time)", c, false, "h", source_name);
    if (r.input == pk::input_kind::modeled_rate) {
      check_modifier(data, i, ref.subject, r, cm.rate, "R (modeled rate)", c, true, "mg/h", source_name);
    }
    if (r.input == pk::input_kind::modeled_duration) {
      check_modifier(data, i, ref.subject, r, cm.duration, "D (modeled duration)", c, true, "h", source_name);
    }
  }
}

}  // namespace benzosim::io
