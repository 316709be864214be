// SPDX-License-Identifier: MIT
/// Private helper: reads a whole input file (scenario or drug file) into memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace benzosim::io::detail {

/// Input files larger than this are refused: scenario and drug files are a few kB.
inline constexpr std::uintmax_t max_input_bytes = 16u * 1024u * 1024u;

struct file_text {
  std::string text;
  std::string problem;  ///< empty on success, else a sentence fragment: "cannot open the file: ..."
};

/// Reads path. Never throws for file problems (missing, a directory, unreadable, empty, larger than
/// max_bytes): they come back in problem so that the caller can locate the error (a scenario file, or the
/// drug_file key).
file_text read_text_file(const std::filesystem::path& path, std::uintmax_t max_bytes = max_input_bytes);

}  // namespace benzosim::io::detail
