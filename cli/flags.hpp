// SPDX-License-Identifier: MIT
// Flag values that several commands read the same way (checked, with messages that name the flag and its rule).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace benzosim::cli {

inline constexpr double max_conc_ngml = 100000.0;
inline constexpr std::size_t max_concentrations = 100;

/// A whole number in [lo, hi]; otherwise throws error "FLAG TEXT: MEANING must be an integer from LO to HI.".
std::int64_t integer_flag(const char* flag, const std::string& text, std::int64_t lo, std::int64_t hi,
                          const char* meaning);

/// "0,5,10" -> {0, 5, 10}: total plasma concentrations for --conc-ngml, finite numbers in [0, max_conc_ngml], at
/// most max_concentrations of them; otherwise throws error naming the flag and the bad item.
std::vector<double> concentration_list(const std::string& text);

/// Creates `dir` and writes every (name, text) file in it atomically (temporary name, then rename); returns the
/// names in order. Throws error naming the directory if it cannot be created.
std::vector<std::string> write_files(const std::filesystem::path& dir,
                                     const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace benzosim::cli
