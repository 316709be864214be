// SPDX-License-Identifier: MIT
#include <benzosim/pk/two_compartment.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/units.hpp>
#include <benzosim/pk/events.hpp>
#include <benzosim/pk/linear.hpp>

namespace benzosim::pk {
regimen regimen::repeated(double amount_mg, double start_h, double every_h, int count) {
  require_positive("dose amount", amount_mg, "mg");
  require_non_negative("first dose time", start_h, "h");
  require_in_range("dose count", count, "", 1, 1e7);
  if (count > 1) require_positive("dosing interval", every_h, "h");
  regimen r;
  r.doses.reserve(static_cast<std::size_t>(count));
  for (int k = 0; k < count; ++k) r.doses.push_back({start_h + k * every_h, amount_mg});
  return r;
}

void regimen::append(const regimen& other) {
  doses.insert(doses.end(), other.doses.begin(), other.doses.end());
  std::stable_sort(doses.begin(), doses.end(), [](const dose& a, const dose& b) { return a.time_h < b.time_h; });
}

void regimen::validate() const {
  for (std::size_t i = 0; i < doses.size(); ++i) {
    const std::string where = "dose " + std::to_string(i + 1);
    require_non_negative(where + " time", doses[i].time_h, "h");
    require_positive(where + " amount", doses[i].amount_mg, "mg");
    if (i > 0 && doses[i].time_h < doses[i - 1].time_h) {
      throw invalid_parameter(where + " time", doses[i].time_h, where + " time is earlier than the dose before it");
    }
  }
}

double regimen::total_mg() const {
  double total = 0.0;
  for (const auto& d : doses) total += d.amount_mg;
  return total;
}

void two_compartment_oral::validate() const {
  require_positive("pk.ka", ka_per_h, "1/h");
  require_positive("pk.cl", cl_lph, "L/h");
  require_positive("pk.v1", v1_l, "L");
  require_positive("pk.q", q_lph, "L/h");
  require_positive("pk.v2", v2_l, "L");
  require_in_range("pk.f", f, "", 1e-6, 1.0);
  require_non_negative("pk.tlag", tlag_h, "h");
  require_in_range("pk.fu", fu, "", 1e-6, 1.0);
}

disposition disposition_constants(const two_compartment_oral& p) {
  const double k10 = p.cl_lph / p.v1_l;
  const double k12 = p.q_lph / p.v1_l;
  const double k21 = p.q_lph / p.v2_l;
  const double sum = k10 + k12 + k21;
  const double prod = k10 * k21;
  // alpha, beta are the roots of x^2 - sum x + prod; the discriminant is > 0 whenever k12 > 0.
  const double root = std::sqrt(sum * sum - 4.0 * prod);
  const double alpha = 0.5 * (sum + root);
  const double beta = prod / alpha;  // avoids cancellation in (sum - root) / 2
  return {alpha, beta};
}

concentration_profile simulate(const two_compartment_oral& p, const regimen& r, std::span<const double> times_h) {
  p.validate();
  r.validate();
  for (std::size_t i = 0; i < times_h.size(); ++i) {
    require_finite("output time", times_h[i], "h");
    if (i > 0 && times_h[i] < times_h[i - 1]) {
      throw invalid_parameter("output time", times_h[i], "output times must be non-decreasing");
    }
  }
  // The regimen on the general event engine: ADVAN4 (1 depot, 2 central, 3 peripheral) with F and ALAG
  // on the depot. Doses and observations are merged in time order; a dose at the time of an observation
  // comes first, so the observation sees it (right-continuous state).
  const linear_model m{
      linear_structure::two_cmt_oral,
      {p.cl_lph, p.v1_l, p.q_lph, p.v2_l, p.ka_per_h},
      {compartment_modifiers{
           {modifier::source::constant, p.f, 0, "F1"}, {modifier::source::constant, p.tlag_h, 0, "ALAG1"}, {}, {}},
       {},
       {}}};
  subject s;
  s.records.reserve(r.doses.size() + times_h.size());
  std::vector<std::size_t> observation_index;
  observation_index.reserve(times_h.size());
  std::size_t d = 0;
  for (std::size_t i = 0; i < times_h.size(); ++i) {
    while (d < r.doses.size() && r.doses[d].time_h <= times_h[i]) {
      s.records.push_back({.time_h = r.doses[d].time_h,
                           .kind = event_kind::dose,
                           .amount = r.doses[d].amount_mg,
                           .cmt = 1,
                           .row = d + 1});
      ++d;
    }
    observation_index.push_back(s.records.size());
    s.records.push_back({.time_h = times_h[i], .row = i + 1});
  }
  const amounts_table a = simulate(m, s);

  concentration_profile out;
  out.t_h.assign(times_h.begin(), times_h.end());
  out.c_ngml.resize(times_h.size());
  out.free_ngml.resize(times_h.size());
  for (std::size_t i = 0; i < times_h.size(); ++i) {
    const double c = from_amount(amount_mg{a.at(observation_index[i], 2)}, volume_l{p.v1_l}).value;
    out.c_ngml[i] = c;
    out.free_ngml[i] = p.fu * c;
  }
  return out;
}

}  // namespace benzosim::pk
