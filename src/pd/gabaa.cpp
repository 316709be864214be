// SPDX-License-Identifier: MIT
#include <benzosim/pd/gabaa.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>

#include "adapt_coefficients.hpp"

namespace benzosim::pd {
namespace {

[[noreturn]] void unknown_domain(std::string_view name, const std::vector<std::string>& known) {
  std::string names;
  for (const auto& k : known) names += (names.empty() ? "'" : ", '") + k + "'";
  throw invalid_parameter("pd domain", 0.0,
                          "pd: no effect domain named '" + std::string{name} +
                              "'; the domains are: " + (names.empty() ? std::string{"(none)"} : names));
}

void check_start(const std::vector<double>& v, const std::string& where) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    require_in_range(where + "[" + std::to_string(i + 1) + "]", v[i], "", 0.0, 1.0);
  }
}

/// Fills a[1..n) by exact adaptation steps from a[0] for a drive u on the grid t (the same arithmetic as
/// adapt_step). The coefficients are recomputed only when the step changes: on the clinical layer's uniform
/// grid that is once per state, which removes the two exponentials per step and state.
void follow(std::vector<double>& a, const std::vector<double>& u, const std::vector<double>& t, double half_life_h) {
  const double k = std::log(2.0) / half_life_h;
  double cached_dt = 0.0;
  detail::adapt_coefficients c{1.0, 0.0, 0.0};
  double state = a.empty() ? 0.0 : a[0];  // carried in a register: the recurrence is latency-bound
  for (std::size_t i = 1; i < a.size(); ++i) {
    const double dt = t[i] - t[i - 1];
    if (dt > 0.0) {
      if (dt != cached_dt) {
        c = detail::coefficients(k, dt);
        cached_dt = dt;
      }
      state = detail::apply(state, u[i - 1], u[i], c);
    }
    a[i] = state;
  }
}

void fill_synapse(synapse_class_profile& out, std::size_t i, const synapse_effect& e) {
  out.modulation[i] = e.modulation;
  out.potency_shift[i] = e.potency_shift;
  out.amplitude[i] = e.factors.amplitude;
  out.decay[i] = e.factors.decay;
}

void resize(synapse_class_profile& s, std::size_t n) {
  for (auto* v : {&s.modulation, &s.potency_shift, &s.amplitude, &s.decay}) v->resize(n);
}

}  // namespace

void pd_params::validate() const {
  binding.validate();
  modulation.validate();
  if (adaptation.empty())
    throw invalid_parameter("pd.adaptation", 0.0, "pd.adaptation: at least one adaptation state is required");
  double total = 0.0;
  for (std::size_t i = 0; i < adaptation.size(); ++i) {
    const std::string where = "pd.adaptation[" + std::to_string(i) + "]";
    require_positive(where + ".half_life", adaptation[i].half_life_h, "h");
    require_in_range(where + ".weight", adaptation[i].weight, "", 0.0, 1.0);
    total += adaptation[i].weight;
  }
  require_in_range("sum of pd.adaptation weights", total, "", 0.0, 1.0);
  synapses.validate();
  for (std::size_t d = 0; d < domains.size(); ++d) {
    domains[d].validate("pd.domains." + (domains[d].name.empty() ? std::to_string(d + 1) : domains[d].name));
    for (std::size_t e = 0; e < d; ++e) {
      if (domains[e].name == domains[d].name) {
        throw invalid_parameter("pd.domains", 0.0, "pd.domains: the domain '" + domains[d].name + "' is given twice");
      }
    }
  }
  require_in_range("pd.cross_tolerance.diazepam_equivalent", diazepam_mg_per_mg, "mg/mg", 0.0, 1e4);
}

std::size_t pd_params::domain_index(std::string_view name) const {
  for (std::size_t d = 0; d < domains.size(); ++d) {
    if (domains[d].name == name) return d;
  }
  std::vector<std::string> known;
  for (const auto& d : domains) known.push_back(d.name);
  unknown_domain(name, known);
}

const domain_profile& pd_profile::domain(std::string_view name) const {
  for (const auto& d : domains) {
    if (d.name == name) return d;
  }
  std::vector<std::string> known;
  for (const auto& d : domains) known.push_back(d.name);
  unknown_domain(name, known);
}

initial_adaptation cross_tolerance(const pd_params& p, const pk::two_compartment_oral& pk, const prior_exposure& e) {
  p.validate();
  pk.validate();
  e.validate();
  initial_adaptation out;
  out.global.assign(p.adaptation.size(), 0.0);
  out.domains.resize(p.domains.size());
  for (std::size_t d = 0; d < p.domains.size(); ++d) out.domains[d].assign(p.domains[d].adaptation.size(), 0.0);
  if (e.diazepam_mg_per_day == 0.0 || e.duration_days == 0.0) return out;  // drug-naive
  if (!(p.diazepam_mg_per_mg > 0.0)) {
    throw invalid_parameter("pd.cross_tolerance.diazepam_equivalent", p.diazepam_mg_per_mg,
                            "pd.cross_tolerance.diazepam_equivalent is not given (0): prior benzodiazepine exposure "
                            "cannot be converted to this drug");
  }
  // The prior exposure as this drug at its equivalent dose, at its average steady state. With half-lives of
  // days (clonazepam 39 h) the fluctuation within a dosing interval is small, so occupancy at the average
  // concentration stands for the average occupancy.
  const double mg_per_day = e.diazepam_mg_per_day / p.diazepam_mg_per_mg;
  const double free = pk.fu * average_css_ngml(pk, mg_per_day);
  const subtype_values occ = subtype_occupancy(free, p.binding);
  const double on_h = 24.0 * e.duration_days;
  const double off_h = 24.0 * e.days_since_last_dose;
  const double whole_brain = occupancy(free, p.binding);
  for (std::size_t s = 0; s < p.adaptation.size(); ++s) {
    out.global[s] = adapted_after(whole_brain, p.adaptation[s].half_life_h, on_h, off_h);
  }
  for (std::size_t d = 0; d < p.domains.size(); ++d) {
    const double drive = domain_drive(p.domains[d], occ);
    for (std::size_t s = 0; s < p.domains[d].adaptation.size(); ++s) {
      out.domains[d][s] = adapted_after(drive, p.domains[d].adaptation[s].half_life_h, on_h, off_h);
    }
  }
  return out;
}

pd_profile simulate(const pd_params& p, const pk::concentration_profile& c, const initial_adaptation& start) {
  p.validate();
  const std::size_t n = c.t_h.size();
  if (c.free_ngml.size() != n) throw internal_error("pd::simulate: profile columns differ in length");
  if (!start.global.empty() && start.global.size() != p.adaptation.size()) {
    throw invalid_parameter("initial adaptation", static_cast<double>(start.global.size()),
                            "pd::simulate: the initial global adaptation has " + std::to_string(start.global.size()) +
                                " values for " + std::to_string(p.adaptation.size()) + " states");
  }
  if (!start.domains.empty() && start.domains.size() != p.domains.size()) {
    throw invalid_parameter("initial adaptation", static_cast<double>(start.domains.size()),
                            "pd::simulate: the initial adaptation has " + std::to_string(start.domains.size()) +
                                " domains for " + std::to_string(p.domains.size()));
  }
  check_start(start.global, "initial global adaptation");
  for (std::size_t d = 0; d < start.domains.size(); ++d) {
    if (start.domains[d].size() != p.domains[d].adaptation.size()) {
      throw invalid_parameter("initial adaptation", static_cast<double>(start.domains[d].size()),
                              "pd::simulate: the initial adaptation of domain '" + p.domains[d].name + "' has " +
                                  std::to_string(start.domains[d].size()) + " values for " +
                                  std::to_string(p.domains[d].adaptation.size()) + " states");
    }
    check_start(start.domains[d], "initial adaptation of " + p.domains[d].name);
  }

  pd_profile out;
  out.t_h = c.t_h;
  out.occupancy.resize(n);
  out.tolerance.assign(n, 0.0);
  out.net_modulation.resize(n);
  out.withdrawal.resize(n);
  out.adaptation.assign(p.adaptation.size(), std::vector<double>(n, 0.0));
  out.subtype_occupancy.resize(n);
  resize(out.fast_somatic, n);
  resize(out.slow_dendritic, n);
  out.tonic.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.occupancy[i] = occupancy(c.free_ngml[i], p.binding);
    const subtype_values occ = subtype_occupancy(c.free_ngml[i], p.binding);
    out.subtype_occupancy[i] = occ;
    fill_synapse(out.fast_somatic, i, synapse_class_effect(p.synapses.fast_somatic, occ, p.modulation));
    fill_synapse(out.slow_dendritic, i, synapse_class_effect(p.synapses.slow_dendritic, occ, p.modulation));
    out.tonic[i] = tonic_factor(p.synapses.tonic, occ, p.modulation);
  }

  // Global states, driven by the whole-brain occupancy.
  for (std::size_t s = 0; s < p.adaptation.size(); ++s) {
    auto& a = out.adaptation[s];
    if (n > 0) a[0] = start.global.empty() ? 0.0 : start.global[s];
    follow(a, out.occupancy, c.t_h, p.adaptation[s].half_life_h);
    for (std::size_t i = 0; i < n; ++i) out.tolerance[i] += p.adaptation[s].weight * a[i];
  }
  for (std::size_t i = 0; i < n; ++i) {
    out.net_modulation[i] = out.occupancy[i] - out.tolerance[i];
    out.withdrawal[i] = withdrawal_drive(out.net_modulation[i]);
  }

  // Effect domains, each driven by the occupancy of its own subtypes.
  out.domains.resize(p.domains.size());
  for (std::size_t d = 0; d < p.domains.size(); ++d) {
    const domain_params& dp = p.domains[d];
    domain_profile& dom = out.domains[d];
    dom.name = dp.name;
    dom.drive.resize(n);
    for (std::size_t i = 0; i < n; ++i) dom.drive[i] = domain_drive(dp, out.subtype_occupancy[i]);
    dom.adaptation.assign(dp.adaptation.size(), std::vector<double>(n, 0.0));
    for (std::size_t s = 0; s < dp.adaptation.size(); ++s) {
      auto& a = dom.adaptation[s];
      if (n > 0) a[0] = start.domains.empty() ? 0.0 : start.domains[d][s];
      follow(a, dom.drive, c.t_h, dp.adaptation[s].half_life_h);
    }
    // net = drive - sum_j w_j a_j, summed in the order of domain_net (column-wise here, for speed).
    std::vector<double> cancelled(n, 0.0);
    for (std::size_t s = 0; s < dp.adaptation.size(); ++s) {
      const double w = dp.adaptation[s].weight;
      const auto& a = dom.adaptation[s];
      for (std::size_t i = 0; i < n; ++i) cancelled[i] += w * a[i];
    }
    dom.net.resize(n);
    dom.withdrawal.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      dom.net[i] = dom.drive[i] - cancelled[i];
      dom.withdrawal[i] = withdrawal_drive(dom.net[i]);
    }
  }
  return out;
}

}  // namespace benzosim::pd
