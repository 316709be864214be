// SPDX-License-Identifier: MIT
#include <benzosim/pk/two_compartment.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/units.hpp>

namespace benzosim::pk {
namespace {

/// (e^{x t} - e^{y t}) / (x - y), evaluated stably for x close to y (limit t e^{y t} when x == y).
double exp_difference(double x, double y, double t) {
  const double d = x - y;
  if (d == 0.0) return t * std::exp(y * t);
  return std::exp(y * t) * std::expm1(d * t) / d;
}

}  // namespace

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

state advance(const two_compartment_oral& p, const state& s, double dt_h) {
  if (!(dt_h >= 0.0)) throw internal_error("pk::advance: negative or NaN time step");
  if (dt_h == 0.0) return s;
  const double k10 = p.cl_lph / p.v1_l;
  const double k12 = p.q_lph / p.v1_l;
  const double k21 = p.q_lph / p.v2_l;
  const double ka = p.ka_per_h;
  const auto [alpha, beta] = disposition_constants(p);
  const double l1 = -alpha;
  const double l2 = -beta;
  // Rate matrix of (central, peripheral): M = [[-(k10 + k12), k21], [k12, -k21]], eigenvalues l1, l2.
  // Sylvester: e^{Mt} = P1 e^{l1 t} + P2 e^{l2 t}, with P1 = (M - l2 I)/(l1 - l2), P2 = (M - l1 I)/(l2 - l1).
  const double m11 = -(k10 + k12);
  const double m12 = k21;
  const double m21 = k12;
  const double m22 = -k21;
  const double inv = 1.0 / (l1 - l2);
  // Column-wise application to a vector x: P1 x and P2 x.
  auto apply = [&](double x1, double x2, double e1, double e2, double& y1, double& y2) {
    const double p1x1 = ((m11 - l2) * x1 + m12 * x2) * inv;
    const double p1x2 = (m21 * x1 + (m22 - l2) * x2) * inv;
    const double p2x1 = -((m11 - l1) * x1 + m12 * x2) * inv;
    const double p2x2 = -(m21 * x1 + (m22 - l1) * x2) * inv;
    y1 = p1x1 * e1 + p2x1 * e2;
    y2 = p1x2 * e1 + p2x2 * e2;
  };
  state out;
  out.gut_mg = s.gut_mg * std::exp(-ka * dt_h);
  // Homogeneous part.
  double c_h = 0.0;
  double p_h = 0.0;
  apply(s.central_mg, s.peripheral_mg, std::exp(l1 * dt_h), std::exp(l2 * dt_h), c_h, p_h);
  // Input ka * gut(s) = ka g0 e^{-ka s} into the central compartment:
  // int_0^t e^{M(t-s)} b e^{-ka s} ds = sum_i P_i b (e^{l_i t} - e^{-ka t}) / (l_i + ka).
  double c_f = 0.0;
  double p_f = 0.0;
  apply(ka * s.gut_mg, 0.0, exp_difference(l1, -ka, dt_h), exp_difference(l2, -ka, dt_h), c_f, p_f);
  out.central_mg = c_h + c_f;
  out.peripheral_mg = p_h + p_f;
  return out;
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
  concentration_profile out;
  out.t_h.assign(times_h.begin(), times_h.end());
  out.c_ngml.resize(times_h.size());
  out.free_ngml.resize(times_h.size());

  // Doses reach the gut at time + lag; sort once (the lag is the same for every dose).
  std::vector<dose> absorbed = r.doses;
  for (auto& d : absorbed) d.time_h += p.tlag_h;

  state s;
  double t_now = times_h.empty() ? 0.0 : std::min(0.0, times_h.front());
  std::size_t next_dose = 0;
  for (std::size_t i = 0; i < times_h.size(); ++i) {
    const double t_out = times_h[i];
    // A dose at exactly t_out has entered the gut by then (right-continuous state).
    while (next_dose < absorbed.size() && absorbed[next_dose].time_h <= t_out) {
      const double t_dose = absorbed[next_dose].time_h;
      if (t_dose > t_now) {
        s = advance(p, s, t_dose - t_now);
        t_now = t_dose;
      }
      s.gut_mg += p.f * absorbed[next_dose].amount_mg;
      ++next_dose;
    }
    if (t_out > t_now) {
      s = advance(p, s, t_out - t_now);
      t_now = t_out;
    }
    const double c = from_amount(amount_mg{s.central_mg}, volume_l{p.v1_l}).value;
    out.c_ngml[i] = c;
    out.free_ngml[i] = p.fu * c;
  }
  return out;
}

}  // namespace benzosim::pk
