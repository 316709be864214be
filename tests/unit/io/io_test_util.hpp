// SPDX-License-Identifier: MIT
/// Helpers for the io tests: scratch directories and file contents.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace benzosim::io_test {

/// A fresh, empty directory under the system temp directory, removed with its contents on destruction.
class scratch_dir {
 public:
  scratch_dir() {
    static std::atomic<unsigned> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("benzosim_io_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1)));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  /// Names of all entries in the directory.
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_)) out.push_back(e.path().filename().string());
    return out;
  }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& p, std::string_view content) {
  std::ofstream out(p, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("test: cannot write " + p.string());
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("test: cannot read " + p.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// A file of the source tree (data/...).
inline std::filesystem::path source_file(std::string_view rel) {
  return std::filesystem::path{BENZOSIM_SOURCE_DIR} / rel;
}

/// text with the first occurrence of from replaced by to; throws if from is absent (a stale test).
inline std::string replace_once(std::string text, std::string_view from, std::string_view to) {
  const auto pos = text.find(from);
  if (pos == std::string::npos) throw std::runtime_error("test: '" + std::string{from} + "' not found");
  text.replace(pos, from.size(), to);
  return text;
}

/// 1-based number of the line holding the first occurrence of needle; throws if absent.
inline int line_of(std::string_view text, std::string_view needle) {
  const auto pos = text.find(needle);
  if (pos == std::string_view::npos) throw std::runtime_error("test: '" + std::string{needle} + "' not found");
  int line = 1;
  for (std::size_t i = 0; i < pos; ++i) {
    if (text[i] == '\n') ++line;
  }
  return line;
}

}  // namespace benzosim::io_test
