// SPDX-License-Identifier: MIT
#include "csv_line.hpp"

#include <limits>
#include <utility>

#include <benzosim/core/error.hpp>

#include "nm_common.hpp"
#include "toml_reader.hpp"

namespace benzosim::io::detail {
namespace {

int to_int(std::size_t v) {
  return v > static_cast<std::size_t>(std::numeric_limits<int>::max()) ? std::numeric_limits<int>::max()
                                                                       : static_cast<int>(v);
}

[[noreturn]] void fail(const std::string& file, std::size_t line, int column, const std::string& message) {
  throw scenario_error(file, to_int(line), column, sentence(message));
}

}  // namespace

std::vector<csv_cell> split_csv(std::string_view line, std::size_t from, const std::string& file, std::size_t line_no) {
  std::vector<csv_cell> out;
  std::size_t i = from;
  for (;;) {
    while (i < line.size() && is_blank(line[i])) ++i;
    csv_cell c;
    c.column = to_int(i + 1);
    if (i < line.size() && line[i] == '"') {
      c.quoted = true;
      ++i;
      for (;;) {
        if (i >= line.size()) fail(file, line_no, c.column, "A quoted field is not closed (a '\"' is missing)");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            c.text += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        c.text += line[i++];
      }
      while (i < line.size() && is_blank(line[i])) ++i;
      if (i < line.size() && line[i] != ',') {
        fail(file, line_no, to_int(i + 1), "Unexpected text after a quoted field; fields are separated by commas");
      }
    } else {
      std::size_t end = line.find(',', i);
      if (end == std::string_view::npos) end = line.size();
      c.text = std::string{trim(line.substr(i, end - i))};
      i = end;
    }
    out.push_back(std::move(c));
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return out;
}

}  // namespace benzosim::io::detail
