// SPDX-License-Identifier: MIT
#include <benzosim/pd/domains.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>

#include "adapt_coefficients.hpp"

namespace benzosim::pd {

double adapt_step(double a0, double u0, double u1, double k_per_h, double dt_h) {
  if (dt_h <= 0.0) return a0;
  return detail::apply(a0, u0, u1, detail::coefficients(k_per_h, dt_h));
}

void domain_params::validate(std::string_view where) const {
  const std::string at{where};
  if (name.empty()) throw invalid_parameter(at + ".name", 0.0, at + ".name must not be empty");
  require_shares(at + ".drive", drive_weights);
  double total = 0.0;
  for (std::size_t i = 0; i < adaptation.size(); ++i) {
    const std::string s = at + ".adaptation[" + std::to_string(i + 1) + "]";
    if (adaptation[i].name.empty()) throw invalid_parameter(s + ".name", 0.0, s + ".name must not be empty");
    for (std::size_t j = 0; j < i; ++j) {
      if (adaptation[j].name == adaptation[i].name) {
        throw invalid_parameter(s + ".name", 0.0, s + ".name = '" + adaptation[i].name + "' is used twice");
      }
    }
    require_positive(s + ".half_life", adaptation[i].half_life_h, "h");
    require_in_range(s + ".weight", adaptation[i].weight, "", 0.0, 1.0);
    total += adaptation[i].weight;
  }
  // Weights adding up to <= 1 keep net = drive - sum w a in [-1, 1] (drive and every a lie in [0, 1]).
  require_in_range("sum of " + at + ".adaptation weights", total, "", 0.0, 1.0);
}

double domain_drive(const domain_params& d, const subtype_values& occ) {
  return std::clamp(weighted(d.drive_weights, occ), 0.0, 1.0);
}

double domain_net(const domain_params& d, double drive, std::span<const double> states) {
  if (states.size() != d.adaptation.size()) {
    throw internal_error("pd::domain_net: " + std::to_string(states.size()) + " states for domain '" + d.name +
                         "' with " + std::to_string(d.adaptation.size()));
  }
  double cancelled = 0.0;
  for (std::size_t j = 0; j < states.size(); ++j) cancelled += d.adaptation[j].weight * states[j];
  return drive - cancelled;
}

void prior_exposure::validate() const {
  require_in_range("prior_exposure.diazepam_mg_per_day", diazepam_mg_per_day, "mg/day", 0.0, 1e4);
  require_in_range("prior_exposure.duration_days", duration_days, "days", 0.0, 1e5);
  require_in_range("prior_exposure.days_since_last_dose", days_since_last_dose, "days", 0.0, 1e5);
}

double average_css_ngml(const pk::two_compartment_oral& pk, double mg_per_day) {
  require_non_negative("daily dose", mg_per_day, "mg/day");
  // Mass balance at steady state: the amount absorbed per day, F D, equals the amount cleared, CL Css 24 h.
  // mg/L -> ng/mL is x 1000.
  return pk.f * mg_per_day / (pk.cl_lph * 24.0) * 1000.0;
}

double adapted_after(double drive, double half_life_h, double on_h, double off_h) {
  require_positive("half-life", half_life_h, "h");
  require_non_negative("exposure duration", on_h, "h");
  require_non_negative("time since exposure", off_h, "h");
  const double k = std::log(2.0) / half_life_h;
  return drive * -std::expm1(-k * on_h) * std::exp(-k * off_h);
}

}  // namespace benzosim::pd
