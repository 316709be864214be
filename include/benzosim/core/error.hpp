// SPDX-License-Identifier: MIT
/// The exception types of benzosim (STYLE B4). User and input problems derive from `error`; a bug in
/// benzosim itself is an `internal_error`. Messages name the parameter, its value and unit, and the rule.
#pragma once

#include <stdexcept>
#include <string>

namespace benzosim {

/// A problem with what the user asked for (input, parameters, files).
struct error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A parameter value that breaks its rule, e.g. "pk: CL = -1 L/h; must be > 0".
struct invalid_parameter : error {
  invalid_parameter(std::string name_, double value_, const std::string& message)
      : error(message), name(std::move(name_)), value(value_) {}
  std::string name;
  double value;
};

/// A problem in an input file, located at file:line:column (line and column 0 when unknown).
struct scenario_error : error {
  scenario_error(std::string file_, int line_, int column_, const std::string& message)
      : error(message), file(std::move(file_)), line(line_), column(column_) {}
  std::string file;
  int line;
  int column;
};

/// A numerical solver failed at time t_h.
struct solver_error : error {
  solver_error(int flag_, double t_h_, const std::string& message) : error(message), flag(flag_), t_h(t_h_) {}
  int flag;
  double t_h;
};

/// A broken internal invariant: a bug in benzosim, never the user's fault.
struct internal_error : std::logic_error {
  using std::logic_error::logic_error;
};

}  // namespace benzosim
