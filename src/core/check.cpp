// SPDX-License-Identifier: MIT
#include <benzosim/core/check.hpp>

#include <cmath>
#include <cstdio>
#include <string>

#include <benzosim/core/error.hpp>

namespace benzosim {
namespace {

[[noreturn]] void fail(std::string_view name, double value, std::string_view unit, const std::string& rule) {
  std::string msg{name};
  msg += " = " + format_value(value);
  if (!unit.empty()) {
    msg += ' ';
    msg += unit;
  }
  msg += "; must be " + rule;
  throw invalid_parameter(std::string{name}, value, msg);
}

}  // namespace

std::string format_value(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void require_finite(std::string_view name, double value, std::string_view unit) {
  if (!std::isfinite(value)) fail(name, value, unit, "a finite number");
}

void require_positive(std::string_view name, double value, std::string_view unit) {
  if (!std::isfinite(value) || value <= 0.0) fail(name, value, unit, "finite and > 0");
}

void require_non_negative(std::string_view name, double value, std::string_view unit) {
  if (!std::isfinite(value) || value < 0.0) fail(name, value, unit, "finite and >= 0");
}

void require_in_range(std::string_view name, double value, std::string_view unit, double lo, double hi) {
  if (!std::isfinite(value) || value < lo || value > hi) {
    fail(name, value, unit, "in [" + format_value(lo) + ", " + format_value(hi) + "]");
  }
}

}  // namespace benzosim
