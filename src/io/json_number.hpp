// SPDX-License-Identifier: MIT
// Numbers for the JSON outputs, rounded exactly as the CSV files write them, so that both agree.
#pragma once

#include <string>

namespace benzosim::io::detail {

/// v rounded to the 10 significant digits of format_number and read back; throws internal_error naming `what` if
/// v is not finite (an output never holds a NaN).
double rounded(double v, const std::string& what);

}  // namespace benzosim::io::detail
