// SPDX-License-Identifier: MIT
#include "flags.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

#include <fmt/core.h>

#include <benzosim/core/error.hpp>
#include <benzosim/io/output.hpp>

namespace benzosim::cli {

std::int64_t integer_flag(const char* flag, const std::string& text, std::int64_t lo, std::int64_t hi,
                          const char* meaning) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec == std::errc{} && p == end && v >= lo && v <= hi) return v;
  throw error(fmt::format("{} {}: {} must be an integer from {} to {}.", flag, text, meaning, lo, hi));
}

/// "0,5,10" -> {0, 5, 10}: finite numbers in [0, max_conc_ngml], at most max_concentrations of them.
std::vector<double> concentration_list(const std::string& text) {
  std::vector<double> out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t comma = text.find(',', pos);
    const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    double v = 0.0;
    const char* end = item.data() + item.size();
    const auto [p, ec] = std::from_chars(item.data(), end, v);
    if (item.empty() || ec != std::errc{} || p != end || !std::isfinite(v) || v < 0.0 || v > max_conc_ngml) {
      throw error(fmt::format(
          "--conc-ngml {}: '{}' is not a concentration; give total plasma concentrations in ng/mL from 0 to {}, "
          "separated by commas (e.g. --conc-ngml 0,5,10,20,40).",
          text, item, max_conc_ngml));
    }
    out.push_back(v);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  if (out.size() > max_concentrations) {
    throw error(fmt::format("--conc-ngml: {} concentrations; at most {} per run.", out.size(), max_concentrations));
  }
  return out;
}

std::vector<std::string> write_files(const std::filesystem::path& dir,
                                     const std::vector<std::pair<std::string, std::string>>& files) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    throw error("Cannot create the output directory '" + dir.string() +
                "': " + (ec ? ec.message() : std::string("a file of that name exists")) + ".");
  }
  std::vector<std::string> written;
  for (const auto& [name, text] : files) {
    io::atomic_write(dir / name, text);
    written.push_back(name);
  }
  return written;
}

}  // namespace benzosim::cli
