// SPDX-License-Identifier: MIT
/// Private helpers shared by the CSV readers of io (the NONMEM dataset, the covariate table of real subjects):
/// one line split into fields that remember their column, for messages located at file:line:column.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace benzosim::io::detail {

/// One field of a CSV line: its text (trimmed, quotes removed) and the 1-based character column where it
/// starts.
struct csv_cell {
  std::string text;
  int column = 0;
  bool quoted = false;
};

/// A space or a tab.
inline bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

/// Splits line[from..] into comma-separated fields. A field may be wrapped in double quotes (then it may hold
/// commas, and "" is a quote). A quoted field that is not closed, or text after its closing quote, is a
/// scenario_error at file:line_no and the column.
std::vector<csv_cell> split_csv(std::string_view line, std::size_t from, const std::string& file, std::size_t line_no);

/// Calls f(line, line_no) for every line of a text file's content (1-based numbers), without a leading UTF-8
/// byte-order mark (spreadsheet exports) and without the '\r' of CRLF line ends. Returns the number of the
/// last line, for messages about the end of the file.
template <class F>
std::size_t for_each_line(std::string_view text, F&& f) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(line, line_no);
  }
  return line_no;
}

}  // namespace benzosim::io::detail
