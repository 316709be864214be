// SPDX-License-Identifier: MIT
#include <benzosim/pk/ode.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/units.hpp>

#include "event_engine.hpp"
#include "ode_system.hpp"

namespace benzosim::pk {
namespace {

// Named state indices (0-based; NONMEM compartment = index + 1).
namespace enzyme_cmt {
enum : std::size_t { depot, central, peripheral, enzyme };
}
namespace metabolite_cmt {
enum : std::size_t { depot, central, peripheral, metabolite };
}
constexpr int depot_cmt = 1;  // the default dose compartment of both non-linear models (NONMEM numbering)

/// Same rules as linear_model::validate for the per-compartment F/ALAG/R/D constants.
void validate_modifiers(const std::vector<compartment_modifiers>& mods, std::size_t n_cmt, const char* model) {
  if (!mods.empty() && mods.size() != n_cmt) {
    throw invalid_parameter("modifiers", static_cast<double>(mods.size()),
                            std::string(model) + " has " + std::to_string(n_cmt) +
                                " compartments; the dose modifiers list has " + std::to_string(mods.size()));
  }
  for (std::size_t c = 0; c < mods.size(); ++c) {
    const auto& m = mods[c];
    const std::string k = std::to_string(c + 1);
    if (m.bioav.from == modifier::source::constant) require_non_negative("F" + k, m.bioav.value, "");
    if (m.lag.from == modifier::source::constant) require_non_negative("ALAG" + k, m.lag.value, "h");
    if (m.rate.from == modifier::source::constant) require_positive("R" + k, m.rate.value, "mg/h");
    if (m.duration.from == modifier::source::constant) require_positive("D" + k, m.duration.value, "h");
  }
}

/// Central concentration [ng/mL] from an amount [mg] and a volume [L]; tiny negative amounts that the
/// solver may produce near zero count as 0.
double conc_ngml(double amount_mg_, double volume_l_) {
  return from_amount(amount_mg{std::max(amount_mg_, 0.0)}, volume_l{volume_l_}).value;
}

template <std::size_t N>
amounts_table run(detail::rhs_fn f, const detail::state<N>& initial, const std::vector<compartment_modifiers>& mods,
                  int default_cmt, const subject& s, const ode_options& o) {
  detail::ode_system<N> sys(std::move(f), initial, o);
  detail::event_engine<N, detail::ode_system<N>> engine(sys, s, mods, default_cmt,
                                                        detail::steady_state_options{o.ss_rtol, o.ss_max_cycles});
  return engine.run();
}

amounts_table run_model(const linear_model& m, const subject& s, const ode_options& o) {
  m.validate();
  const std::vector<double> k = rate_matrix(m);  // row-major, n x n
  const auto n = static_cast<std::size_t>(compartment_count(m.structure));
  detail::rhs_fn f = [k, n](const double* y, double* dydt) {
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0.0;
      for (std::size_t j = 0; j < n; ++j) sum += k[i * n + j] * y[j];
      dydt[i] = sum;
    }
  };
  const int cmt = default_dose_compartment(m.structure);
  switch (n) {
    case 1:
      return run<1>(std::move(f), {}, m.modifiers, cmt, s, o);
    case 2:
      return run<2>(std::move(f), {}, m.modifiers, cmt, s, o);
    case 3:
      return run<3>(std::move(f), {}, m.modifiers, cmt, s, o);
    case 4:
      return run<4>(std::move(f), {}, m.modifiers, cmt, s, o);
    default:
      throw internal_error("pk: unsupported compartment count");
  }
}

amounts_table run_model(const enzyme_turnover_model& m, const subject& s, const ode_options& o) {
  m.validate();
  // The enzyme is a relative amount, not drug: a dose into it has no meaning.
  for (const record& r : s.records) {
    const bool dose = r.kind == event_kind::dose || r.kind == event_kind::reset_and_dose;
    if (dose && r.cmt == static_cast<int>(enzyme_cmt::enzyme) + 1) {
      throw invalid_parameter("CMT", r.cmt,
                              "row " + std::to_string(r.row) +
                                  ": CMT = 4 is the enzyme of enzyme_turnover (a relative amount); it cannot be dosed");
    }
  }
  const double k10 = m.cl / m.v2, k12 = m.q / m.v2, k21 = m.q / m.v3;  // [1/h]
  detail::rhs_fn f = [m, k10, k12, k21](const double* y, double* dydt) {
    using namespace enzyme_cmt;
    const double c = conc_ngml(y[central], m.v2);
    const double e = y[enzyme];
    dydt[depot] = -m.ka * y[depot];
    dydt[central] = m.ka * y[depot] - (k10 * e + k12) * y[central] + k21 * y[peripheral];
    dydt[peripheral] = k12 * y[central] - k21 * y[peripheral];
    dydt[enzyme] = m.kenz * (1.0 + m.ind + m.emax * c / (m.ec50 + c)) - m.kenz * e;
  };
  detail::state<4> initial{};
  initial[enzyme_cmt::enzyme] = m.e0;
  return run<4>(std::move(f), initial, m.modifiers, depot_cmt, s, o);
}

amounts_table run_model(const parent_metabolite_model& m, const subject& s, const ode_options& o) {
  m.validate();
  const double k10 = m.cl / m.v2, k12 = m.q / m.v2, k21 = m.q / m.v3, km = m.clm / m.vm;  // [1/h]
  const double formation = m.mw_ratio * m.fm * k10;  // metabolite mass formed per parent mass in A2 [1/h]
  detail::rhs_fn f = [ka = m.ka, k10, k12, k21, km, formation](const double* y, double* dydt) {
    using namespace metabolite_cmt;
    dydt[depot] = -ka * y[depot];
    dydt[central] = ka * y[depot] - (k10 + k12) * y[central] + k21 * y[peripheral];
    dydt[peripheral] = k12 * y[central] - k21 * y[peripheral];
    dydt[metabolite] = formation * y[central] - km * y[metabolite];
  };
  return run<4>(std::move(f), {}, m.modifiers, depot_cmt, s, o);
}

}  // namespace

void ode_options::validate() const {
  require_positive("rtol", rtol, "");
  require_positive("atol", atol, "mg");
  if (max_steps < 1) {
    throw invalid_parameter("max_steps", static_cast<double>(max_steps),
                            "max_steps = " + std::to_string(max_steps) + "; must be >= 1");
  }
  require_positive("ss_rtol", ss_rtol, "");
  if (ss_max_cycles < 1) {
    throw invalid_parameter("ss_max_cycles", ss_max_cycles,
                            "ss_max_cycles = " + std::to_string(ss_max_cycles) + "; must be >= 1");
  }
}

void enzyme_turnover_model::validate() const {
  require_positive("CL", cl, "L/h");
  require_positive("V2", v2, "L");
  require_positive("Q", q, "L/h");
  require_positive("V3", v3, "L");
  require_positive("KA", ka, "1/h");
  require_positive("KENZ", kenz, "1/h");
  require_non_negative("IND", ind, "");
  require_non_negative("EMAX", emax, "");
  require_positive("EC50", ec50, "ng/mL");
  require_positive("E0", e0, "");
  validate_modifiers(modifiers, 4, "enzyme_turnover");
}

void parent_metabolite_model::validate() const {
  require_positive("CL", cl, "L/h");
  require_positive("V2", v2, "L");
  require_positive("Q", q, "L/h");
  require_positive("V3", v3, "L");
  require_positive("KA", ka, "1/h");
  require_in_range("FM", fm, "", 0.0, 1.0);
  require_positive("CLM", clm, "L/h");
  require_positive("VM", vm, "L");
  require_positive("MW_RATIO", mw_ratio, "");
  validate_modifiers(modifiers, 4, "parent_metabolite");
}

int compartment_count(const ode_model& m) {
  if (const auto* lin = std::get_if<linear_model>(&m)) return compartment_count(lin->structure);
  return 4;
}

amounts_table simulate_ode(const ode_model& m, const subject& s, const ode_options& o) {
  o.validate();
  try {
    return std::visit([&](const auto& model) { return run_model(model, s, o); }, m);
  } catch (const solver_error& e) {
    // Name the subject: the engine runs many subjects, and the solver does not know which one it is on.
    throw solver_error(e.flag, e.t_h, "subject " + s.id + ": " + e.what());
  }
}

}  // namespace benzosim::pk
