// SPDX-License-Identifier: MIT
/// Helpers shared by the end-to-end tests of the benzosim command.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace benzosim::test {

struct command_result {
  int code;         ///< exit code (-1 if the command did not exit normally)
  std::string out;  ///< what it wrote to standard output (append " 2>&1" to the command for standard error)
};

/// Runs a shell command through popen.
command_result run_command(const std::string& command);

/// The whole content of a file ("" if it cannot be read).
std::string read_text(const std::filesystem::path& p);

/// The cells of a simple CSV text (no quoting), one vector per line.
std::vector<std::vector<std::string>> split_csv(const std::string& text);

/// A fresh temporary directory benzosim_<name>_<pid>, removed with the object.
class scratch_dir {
 public:
  explicit scratch_dir(const std::string& name);
  ~scratch_dir();
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return dir_; }
  std::filesystem::path operator/(const std::string& f) const { return dir_ / f; }
  /// Writes a file in the directory and returns its path.
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace benzosim::test
