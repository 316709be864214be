// SPDX-License-Identifier: MIT
/// Validation helpers used when lowering parameter structs: each throws invalid_parameter with a message
/// "<name> = <value> <unit>; must be <rule>".
#pragma once

#include <string>
#include <string_view>

namespace benzosim {

/// A number as messages show it: up to 6 significant digits (%.6g).
std::string format_value(double v);

/// value must be finite.
void require_finite(std::string_view name, double value, std::string_view unit);
/// value must be finite and > 0.
void require_positive(std::string_view name, double value, std::string_view unit);
/// value must be finite and >= 0.
void require_non_negative(std::string_view name, double value, std::string_view unit);
/// value must be finite and lo <= value <= hi.
void require_in_range(std::string_view name, double value, std::string_view unit, double lo, double hi);

}  // namespace benzosim
