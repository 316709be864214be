// SPDX-License-Identifier: MIT
/// Private helpers shared by the NONMEM dataset reader, the nm model parser and the nm writer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <benzosim/pk/linear.hpp>

namespace benzosim::io::detail {

/// ASCII upper case (column and parameter names are compared case-insensitively).
std::string upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
/// s without leading and trailing spaces and tabs.
std::string_view trim(std::string_view s);

/// Result of reading a number written in a cell or a flag.
enum class number_status { ok, missing, not_a_number, not_finite };
struct parsed_number {
  number_status status = number_status::missing;
  double value = 0.0;
};
/// Reads a whole decimal number ("1", "-2.5", "+3e-2"); "." and "" are missing; "nan", "inf" and values that
/// overflow a double are not_finite.
parsed_number parse_number(std::string_view text);

/// "1 = depot, 2 = central" for messages.
std::string compartment_list(pk::linear_structure s);
/// "depot", "central" or "peripheral".
std::string compartment_name(pk::linear_structure s, int cmt);

/// items joined with ", ".
std::string join(const std::vector<std::string>& items);

/// "Cannot ..." from "cannot ...".
std::string capitalise(std::string s);

/// The EVID code of an event kind (0..4), for output.
int evid_code(pk::event_kind k);
/// EVID 1 and 4 give a dose.
inline bool is_dose(pk::event_kind k) {
  return k == pk::event_kind::dose || k == pk::event_kind::reset_and_dose;
}

}  // namespace benzosim::io::detail
