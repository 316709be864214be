// SPDX-License-Identifier: MIT
/// Linear compartment models with NONMEM's numbering and parameter names, solved exactly: the state is
/// propagated between events by the matrix exponential of the rate matrix (with zero-order inputs), and
/// steady state is the solution of the periodic linear system. Equations: docs/dosing.md.
#pragma once

#include <string_view>
#include <vector>

#include <benzosim/pk/events.hpp>

namespace benzosim::pk {

/// The six linear structures (NONMEM ADVAN1/2/3/4/11/12, TRANS2/TRANS4 parameters).
///  one_cmt_iv     ADVAN1:  1 central                                   CL, V
///  one_cmt_oral   ADVAN2:  1 depot, 2 central                          CL, V, KA
///  two_cmt_iv     ADVAN3:  1 central, 2 peripheral                     CL, V1, Q, V2
///  two_cmt_oral   ADVAN4:  1 depot, 2 central, 3 peripheral            CL, V2, Q, V3, KA
///  three_cmt_iv   ADVAN11: 1 central, 2 and 3 peripheral               CL, V1, Q2, V2, Q3, V3
///  three_cmt_oral ADVAN12: 1 depot, 2 central, 3 and 4 peripheral      CL, V2, Q3, V3, Q4, V4, KA
enum class linear_structure { one_cmt_iv, one_cmt_oral, two_cmt_iv, two_cmt_oral, three_cmt_iv, three_cmt_oral };

std::string_view to_string(linear_structure s);
/// Throws error for an unknown name (listing the valid ones).
linear_structure parse_linear_structure(std::string_view name);
/// NONMEM parameter names of a structure, in the order above.
std::vector<std::string_view> parameter_names(linear_structure s);
/// Number of compartments (depot included, output compartment excluded).
int compartment_count(linear_structure s);
/// The compartment a dose goes to when CMT is 0 or absent (the depot, or the central compartment).
int default_dose_compartment(linear_structure s);
/// The central (observation) compartment.
int central_compartment(linear_structure s);

/// A linear model: a structure, its parameter values (NONMEM names, in parameter_names order) and the
/// per-compartment dose modifiers (size compartment_count; empty = all defaults).
struct linear_model {
  linear_structure structure;
  std::vector<double> params;
  std::vector<compartment_modifiers> modifiers;

  /// Throws invalid_parameter naming the parameter ("CL = -1; must be finite and > 0").
  void validate() const;
  /// The value of a parameter by NONMEM name; throws error if the structure has no such parameter.
  double param(std::string_view name) const;
};

/// The rate matrix K (row-major, n x n) with dA/dt = K A + inputs; elimination leaves the system.
std::vector<double> rate_matrix(const linear_model& m);

/// Simulates one subject. Records must be in time order (checked: an error names the row). Exact: no ODE
/// solver is involved.
amounts_table simulate(const linear_model& m, const subject& s);

}  // namespace benzosim::pk
