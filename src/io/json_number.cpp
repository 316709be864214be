// SPDX-License-Identifier: MIT
#include "json_number.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

#include <benzosim/core/error.hpp>
#include <benzosim/io/output.hpp>

namespace benzosim::io::detail {

double rounded(double v, const std::string& what) {
  if (!std::isfinite(v)) throw internal_error("io: the output value " + what + " is not finite");
  const std::string s = format_number(v);
  double out = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc{} || end != s.data() + s.size()) throw internal_error("io: cannot read back number '" + s + "'");
  return out;
}

}  // namespace benzosim::io::detail
