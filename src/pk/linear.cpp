// SPDX-License-Identifier: MIT
#include <benzosim/pk/linear.hpp>

#include <cstddef>
#include <string>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>

#include "event_engine.hpp"
#include "linear_system.hpp"

namespace benzosim::pk {
namespace {

struct structure_info {
  linear_structure s;
  std::string_view name;
  int n_cmt;
  int depot;  // 0 = none
  int central;
  std::vector<std::string_view> params;
};

const std::vector<structure_info>& structures() {
  static const std::vector<structure_info> table = {
      {linear_structure::one_cmt_iv, "one_cmt_iv", 1, 0, 1, {"CL", "V"}},
      {linear_structure::one_cmt_oral, "one_cmt_oral", 2, 1, 2, {"CL", "V", "KA"}},
      {linear_structure::two_cmt_iv, "two_cmt_iv", 2, 0, 1, {"CL", "V1", "Q", "V2"}},
      {linear_structure::two_cmt_oral, "two_cmt_oral", 3, 1, 2, {"CL", "V2", "Q", "V3", "KA"}},
      {linear_structure::three_cmt_iv, "three_cmt_iv", 3, 0, 1, {"CL", "V1", "Q2", "V2", "Q3", "V3"}},
      {linear_structure::three_cmt_oral, "three_cmt_oral", 4, 1, 2, {"CL", "V2", "Q3", "V3", "Q4", "V4", "KA"}},
  };
  return table;
}

const structure_info& info(linear_structure s) {
  for (const auto& i : structures()) {
    if (i.s == s) return i;
  }
  throw internal_error("pk: unknown linear structure");
}

template <std::size_t N>
amounts_table run(const linear_model& m, const subject& s) {
  detail::linear_system<N> sys(rate_matrix(m));
  detail::event_engine<N, detail::linear_system<N>> engine(sys, s, m.modifiers, default_dose_compartment(m.structure));
  return engine.run();
}

}  // namespace

std::string_view to_string(linear_structure s) {
  return info(s).name;
}

linear_structure parse_linear_structure(std::string_view name) {
  std::string valid;
  for (const auto& i : structures()) {
    if (i.name == name) return i.s;
    valid += (valid.empty() ? "" : ", ") + std::string(i.name);
  }
  throw error("unknown model '" + std::string(name) + "'; valid models: " + valid);
}

std::vector<std::string_view> parameter_names(linear_structure s) {
  return info(s).params;
}
int compartment_count(linear_structure s) {
  return info(s).n_cmt;
}
int default_dose_compartment(linear_structure s) {
  return info(s).depot != 0 ? info(s).depot : info(s).central;
}
int central_compartment(linear_structure s) {
  return info(s).central;
}

void linear_model::validate() const {
  const auto& i = info(structure);
  if (params.size() != i.params.size()) {
    throw invalid_parameter("params", static_cast<double>(params.size()),
                            std::string(i.name) + " needs " + std::to_string(i.params.size()) + " parameters, got " +
                                std::to_string(params.size()));
  }
  for (std::size_t k = 0; k < params.size(); ++k) require_positive(i.params[k], params[k], "");
  if (!modifiers.empty() && modifiers.size() != static_cast<std::size_t>(i.n_cmt)) {
    throw invalid_parameter("modifiers", static_cast<double>(modifiers.size()),
                            std::string(i.name) + " has " + std::to_string(i.n_cmt) +
                                " compartments; the dose modifiers list has " + std::to_string(modifiers.size()));
  }
  for (std::size_t c = 0; c < modifiers.size(); ++c) {
    const auto& mm = modifiers[c];
    const std::string n = std::to_string(c + 1);
    if (mm.bioav.from == modifier::source::constant) require_non_negative("F" + n, mm.bioav.value, "");
    if (mm.lag.from == modifier::source::constant) require_non_negative("ALAG" + n, mm.lag.value, "h");
    if (mm.rate.from == modifier::source::constant) require_positive("R" + n, mm.rate.value, "mg/h");
    if (mm.duration.from == modifier::source::constant) require_positive("D" + n, mm.duration.value, "h");
  }
}

double linear_model::param(std::string_view name) const {
  const auto& i = info(structure);
  for (std::size_t k = 0; k < i.params.size() && k < params.size(); ++k) {
    if (i.params[k] == name) return params[k];
  }
  throw error("model " + std::string(i.name) + " has no parameter '" + std::string(name) + "'");
}

std::vector<double> rate_matrix(const linear_model& m) {
  m.validate();
  const auto& i = info(m.structure);
  const auto n = static_cast<std::size_t>(i.n_cmt);
  std::vector<double> k(n * n, 0.0);
  auto at = [&](int row, int col) -> double& {
    return k[static_cast<std::size_t>(row - 1) * n + static_cast<std::size_t>(col - 1)];
  };
  // Transfer from compartment `from` to `to` at rate constant r (per h).
  auto flow = [&](int from, int to, double r) {
    at(from, from) -= r;
    if (to > 0) at(to, from) += r;
  };
  const auto& p = m.params;
  const int c = i.central;
  switch (m.structure) {
    case linear_structure::one_cmt_iv:
      flow(c, 0, p[0] / p[1]);
      break;
    case linear_structure::one_cmt_oral:
      flow(1, c, p[2]);
      flow(c, 0, p[0] / p[1]);
      break;
    case linear_structure::two_cmt_iv:  // CL, V1, Q, V2
      flow(c, 0, p[0] / p[1]);
      flow(c, 2, p[2] / p[1]);
      flow(2, c, p[2] / p[3]);
      break;
    case linear_structure::two_cmt_oral:  // CL, V2, Q, V3, KA
      flow(1, c, p[4]);
      flow(c, 0, p[0] / p[1]);
      flow(c, 3, p[2] / p[1]);
      flow(3, c, p[2] / p[3]);
      break;
    case linear_structure::three_cmt_iv:  // CL, V1, Q2, V2, Q3, V3
      flow(c, 0, p[0] / p[1]);
      flow(c, 2, p[2] / p[1]);
      flow(2, c, p[2] / p[3]);
      flow(c, 3, p[4] / p[1]);
      flow(3, c, p[4] / p[5]);
      break;
    case linear_structure::three_cmt_oral:  // CL, V2, Q3, V3, Q4, V4, KA
      flow(1, c, p[6]);
      flow(c, 0, p[0] / p[1]);
      flow(c, 3, p[2] / p[1]);
      flow(3, c, p[2] / p[3]);
      flow(c, 4, p[4] / p[1]);
      flow(4, c, p[4] / p[5]);
      break;
  }
  return k;
}

amounts_table simulate(const linear_model& m, const subject& s) {
  m.validate();
  switch (compartment_count(m.structure)) {
    case 1:
      return run<1>(m, s);
    case 2:
      return run<2>(m, s);
    case 3:
      return run<3>(m, s);
    case 4:
      return run<4>(m, s);
    default:
      throw internal_error("pk: unsupported compartment count");
  }
}

}  // namespace benzosim::pk
