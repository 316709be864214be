// SPDX-License-Identifier: MIT
// The result CSV of `benzosim nm`: one row per data row, in file order. Reference: docs/nm.md#output.
#include <string>
#include <string_view>
#include <vector>

#include <benzosim/core/error.hpp>
#include <benzosim/io/nm_model.hpp>
#include <benzosim/io/output.hpp>

#include "nm_common.hpp"

namespace benzosim::io {
namespace {

/// An ID as a CSV field: quoted when it holds a comma, a quote or leading/trailing blanks.
void append_id(std::string& out, std::string_view id) {
  const bool quote =
      id.find_first_of(",\"\r\n") != std::string_view::npos || (!id.empty() && (id.front() == ' ' || id.back() == ' '));
  if (!quote) {
    out += id;
    return;
  }
  out += '"';
  for (char c : id) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string nm_output_csv(const nm_dataset& data, const nm_model_spec& spec,
                          const std::vector<pk::amounts_table>& per_subject) {
  if (per_subject.size() != data.subjects.size()) {
    throw internal_error("io::nm_output_csv: " + std::to_string(per_subject.size()) + " result tables for " +
                         std::to_string(data.subjects.size()) + " subjects");
  }
  const int n = pk::compartment_count(spec.model.structure);
  for (std::size_t s = 0; s < per_subject.size(); ++s) {
    const pk::amounts_table& t = per_subject[s];
    if (t.n_cmt != static_cast<std::size_t>(n) || t.a.size() != data.subjects[s].records.size() * t.n_cmt) {
      throw internal_error("io::nm_output_csv: the amounts of subject " + data.subjects[s].id + " have " +
                           std::to_string(t.a.size()) + " values for " +
                           std::to_string(data.subjects[s].records.size()) + " records and " + std::to_string(n) +
                           " compartments");
    }
  }
  std::string out = "ID,TIME,EVID";
  for (int c = 1; c <= n; ++c) {
    out += ",A";
    out += std::to_string(c);
  }
  for (const nm_output& o : spec.outputs) out += "," + o.name;
  out += '\n';
  out.reserve(out.size() +
              data.order.size() * static_cast<std::size_t>(3 + n + static_cast<int>(spec.outputs.size())) * 12);
  for (const nm_row_ref ref : data.order) {
    const pk::subject& s = data.subjects[ref.subject];
    const pk::record& r = s.records[ref.record];
    const pk::amounts_table& t = per_subject[ref.subject];
    append_id(out, s.id);
    out += ',';
    out += format_number(r.time_h);
    out += ',';
    out += std::to_string(detail::evid_code(r.kind));
    for (int c = 1; c <= n; ++c) {
      out += ',';
      out += format_number(t.at(ref.record, c));
    }
    for (const nm_output& o : spec.outputs) {
      out += ',';
      out += format_number(output_value(o, spec.model, t, ref.record));
    }
    out += '\n';
  }
  return out;
}

}  // namespace benzosim::io
