// SPDX-License-Identifier: MIT
#include "text_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

namespace benzosim::io::detail {

file_text read_text_file(const std::filesystem::path& path, std::uintmax_t max_bytes) {
  namespace fs = std::filesystem;
  file_text out;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec) {
    out.problem = "cannot open the file: " + ec.message();
    return out;
  }
  if (fs::is_directory(st)) {
    out.problem = "cannot open the file: it is a directory";
    return out;
  }
  if (!fs::exists(st)) {
    out.problem = "cannot open the file: No such file or directory";
    return out;
  }
  if (fs::is_regular_file(st)) {
    const std::uintmax_t size = fs::file_size(path, ec);
    if (!ec && size > max_bytes) {
      out.problem = "the file is too large (" + std::to_string(size) + " bytes; input files are limited to " +
                    std::to_string(max_bytes) + " bytes)";
      return out;
    }
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    out.problem = std::string{"cannot open the file: "} + (err != 0 ? std::strerror(err) : "unknown error");
    return out;
  }
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      out.problem = "the file is too large (input files are limited to " + std::to_string(max_bytes) + " bytes)";
      return out;
    }
  }
  if (in.bad()) {
    const int err = errno;
    out.problem = std::string{"cannot read the file: "} + (err != 0 ? std::strerror(err) : "read error");
    return out;
  }
  if (text.empty()) {
    out.problem = "the file is empty";
    return out;
  }
  out.text = std::move(text);
  return out;
}

}  // namespace benzosim::io::detail
