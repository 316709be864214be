// SPDX-License-Identifier: MIT
#include <benzosim/pd/alcohol.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>

namespace benzosim::pd {

namespace {

/// Body amount under zero-order elimination, if it had not been clamped at 0:
/// g(t) = body0 + gut0 (1 - e^{-ka t}) - E t. Concave in t (g'' = -ka^2 gut0 e^{-ka t} <= 0).
double unclamped_body(double body0, double gut0, double ka, double e, double t) {
  return body0 + gut0 * -std::expm1(-ka * t) - e * t;
}

/// The time in (0, hi] at which g falls to 0, given g(hi) <= 0 and that g is positive just after 0
/// (body0 > 0, or body0 = 0 with ka gut0 > E). g is concave, so its positive set is one interval and
/// this root is unique. Newton from the right converges monotonically for a concave decreasing function
/// (the tangent lies above g); the bracket guards against rounding.
double zero_crossing(double body0, double gut0, double ka, double e, double hi) {
  // Left end of the bracket: 0 if body0 > 0, else the peak of g, where g' = ka gut0 e^{-ka t} - E = 0.
  double lo = body0 > 0.0 ? 0.0 : std::log(ka * gut0 / e) / ka;
  double t = hi;
  for (int i = 0; i < 200; ++i) {
    const double g = unclamped_body(body0, gut0, ka, e, t);
    if (g > 0.0) {
      lo = t;
    } else {
      hi = t;
    }
    const double slope = ka * gut0 * std::exp(-ka * t) - e;
    double next = slope < 0.0 ? t - g / slope : 0.5 * (lo + hi);
    if (!(next > lo && next <= hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - t) <= 4.0 * 2.2e-16 * std::max(t, 1e-300) || hi - lo <= 4.0 * 2.2e-16 * hi) return next;
    t = next;
  }
  return t;
}

void require_grid(const std::vector<double>& t_h) {
  for (std::size_t i = 0; i < t_h.size(); ++i) {
    require_finite("alcohol time grid[" + std::to_string(i) + "]", t_h[i], "h");
    if (i > 0 && t_h[i] < t_h[i - 1]) {
      throw invalid_parameter("alcohol time grid", t_h[i],
                              "alcohol time grid[" + std::to_string(i) + "] = " + format_value(t_h[i]) +
                                  " h; must be >= the point before (" + format_value(t_h[i - 1]) + " h)");
    }
  }
}

std::vector<drink> sorted_by_time(std::vector<drink> drinks) {
  std::stable_sort(drinks.begin(), drinks.end(), [](const drink& a, const drink& b) { return a.t_h < b.t_h; });
  return drinks;
}

}  // namespace

double grams_from_standard_drinks(double drinks, double grams_per_drink) {
  require_non_negative("standard drinks", drinks, "");
  require_positive("grams per standard drink", grams_per_drink, "g");
  return drinks * grams_per_drink;
}

double grams_from_beverage(double volume_ml, double abv_percent) {
  require_non_negative("beverage volume", volume_ml, "mL");
  require_in_range("beverage ABV", abv_percent, "%", 0.0, 100.0);
  return volume_ml * abv_percent / 100.0 * ethanol_density_g_per_ml;
}

double widmark_r(pk::biological_sex sex) {
  // Widmark 1932: r = 0.68 for men, 0.55 for women (population means of the ratio dose / (weight x BAC0)).
  switch (sex) {
    case pk::biological_sex::male:
      return 0.68;
    case pk::biological_sex::female:
      return 0.55;
  }
  const double code = static_cast<double>(static_cast<int>(sex));
  throw invalid_parameter("alcohol.sex", code,
                          "alcohol.sex = " + format_value(code) + "; must be female or male (Widmark's r is by sex)");
}

void ethanol_pk_params::validate() const {
  // Ranges are plausibility bounds (assumed) that catch unit slips: weight in lb, beta in g/100 mL/h
  // (0.015) or mg/100 mL/h (15), r as a percentage.
  require_in_range("alcohol.weight_kg", weight_kg, "kg", 20.0, 300.0);
  (void)widmark_r(sex);  // throws for an unknown sex even when r_override is set: sex is an input
  if (r_override != 0.0) require_in_range("alcohol.widmark_r", r_override, "L/kg", 0.3, 1.0);
  require_in_range("alcohol.ka_per_h", ka_per_h, "1/h", 0.05, 60.0);
  require_in_range("alcohol.beta_g_per_l_per_h", beta_g_per_l_per_h, "g/L/h", 0.05, 0.5);
  require_positive("alcohol.bioavailability", bioavailability, "");
  require_in_range("alcohol.bioavailability", bioavailability, "", 0.0, 1.0);
}

double ethanol_pk_params::r() const {
  return r_override != 0.0 ? r_override : widmark_r(sex);
}

double ethanol_pk_params::volume_l() const {
  return r() * weight_kg;
}

double ethanol_pk_params::elimination_g_per_h() const {
  return beta_g_per_l_per_h * volume_l();
}

ethanol_state ethanol_step(const ethanol_state& s, double dt_h, double ka_per_h, double elimination_g_per_h) {
  require_non_negative("alcohol step", dt_h, "h");
  require_positive("alcohol.ka_per_h", ka_per_h, "1/h");
  require_positive("alcohol elimination", elimination_g_per_h, "g/h");
  if (dt_h == 0.0) return s;
  const double ka = ka_per_h;
  const double e = elimination_g_per_h;
  const double absorbed = s.gut_g * -std::expm1(-ka * dt_h);
  ethanol_state out = s;
  out.gut_g = s.gut_g * std::exp(-ka * dt_h);
  out.absorbed_g += absorbed;
  const double end = s.body_g + absorbed - e * dt_h;
  if (end > 0.0) {
    // g > 0 at dt and g concave: g stayed positive on the whole step, elimination ran at full capacity.
    out.body_g = end;
    out.eliminated_g += e * dt_h;
    return out;
  }
  // The body empties at t* in [0, dt] and stays empty: after t* inflow ka gut(t) <= E (g'(t*) <= 0 and the
  // inflow only falls), so everything absorbed after t* is eliminated at once.
  double t_zero = 0.0;
  if (s.body_g > 0.0 || ka * s.gut_g > e) t_zero = zero_crossing(s.body_g, s.gut_g, ka, e, dt_h);
  out.body_g = 0.0;
  out.eliminated_g += e * t_zero + s.gut_g * (std::exp(-ka * t_zero) - std::exp(-ka * dt_h));
  return out;
}

void validate_drinks(const std::vector<drink>& drinks) {
  for (std::size_t i = 0; i < drinks.size(); ++i) {
    const std::string where = "alcohol.drinks[" + std::to_string(i) + "]";
    require_finite(where + ".t_h", drinks[i].t_h, "h");
    require_positive(where + ".ethanol_g", drinks[i].ethanol_g, "g");
    // More than a litre of 40 % spirits (316 g) at once: almost certainly millilitres of beverage entered
    // as grams of ethanol (assumed bound).
    require_in_range(where + ".ethanol_g", drinks[i].ethanol_g, "g", 0.0, 400.0);
  }
}

bac_profile simulate_bac(const ethanol_pk_params& p, const std::vector<drink>& drinks, const std::vector<double>& t_h) {
  p.validate();
  validate_drinks(drinks);
  require_grid(t_h);
  const std::size_t n = t_h.size();
  bac_profile out;
  out.t_h = t_h;
  out.bac_g_per_l.resize(n);
  out.gut_g.resize(n);
  out.body_g.resize(n);
  out.absorbed_g.resize(n);
  out.eliminated_g.resize(n);
  if (n == 0) return out;

  const auto sorted = sorted_by_time(drinks);
  const double ka = p.ka_per_h;
  const double e = p.elimination_g_per_h();
  const double v = p.volume_l();
  ethanol_state s;
  double t = sorted.empty() ? t_h.front() : std::min(t_h.front(), sorted.front().t_h);
  std::size_t d = 0;
  for (std::size_t k = 0; k < n; ++k) {
    while (d < sorted.size() && sorted[d].t_h <= t_h[k]) {
      s = ethanol_step(s, sorted[d].t_h - t, ka, e);
      t = sorted[d].t_h;
      s.gut_g += p.bioavailability * sorted[d].ethanol_g;
      ++d;
    }
    s = ethanol_step(s, t_h[k] - t, ka, e);
    t = t_h[k];
    out.bac_g_per_l[k] = s.body_g / v;
    out.gut_g[k] = s.gut_g;
    out.body_g[k] = s.body_g;
    out.absorbed_g[k] = s.absorbed_g;
    out.eliminated_g[k] = s.eliminated_g;
  }
  return out;
}

double sober_time_h(const ethanol_pk_params& p, const std::vector<drink>& drinks) {
  p.validate();
  validate_drinks(drinks);
  if (drinks.empty()) return 0.0;
  const auto sorted = sorted_by_time(drinks);
  const double ka = p.ka_per_h;
  const double e = p.elimination_g_per_h();
  ethanol_state s;
  double t = sorted.front().t_h;
  for (const auto& dr : sorted) {
    s = ethanol_step(s, dr.t_h - t, ka, e);
    t = dr.t_h;
    s.gut_g += p.bioavailability * dr.ethanol_g;
  }
  if (s.body_g <= 0.0 && ka * s.gut_g <= e) return t;  // the inflow never exceeds the liver's capacity
  // g(hi) = -gut e^{-ka hi} <= 0 at hi = (body + gut) / E: everything there is has been eliminated by then.
  const double hi = (s.body_g + s.gut_g) / e;
  if (s.gut_g == 0.0) return t + hi;
  return t + zero_crossing(s.body_g, s.gut_g, ka, e, hi);
}

void ethanol_gabaa_params::validate() const {
  require_in_range("alcohol.gabaa.max_modulation", max_modulation, "", 0.0, 1.0);
  require_positive("alcohol.gabaa.ec50_g_per_l", ec50_g_per_l, "g/L");
  require_in_range("alcohol.gabaa.hill", hill, "", 0.5, 8.0);
}

double ethanol_modulation(double bac_g_per_l, const ethanol_gabaa_params& p) {
  require_non_negative("BAC", bac_g_per_l, "g/L");
  p.validate();
  if (bac_g_per_l == 0.0) return 0.0;
  // m_max / (1 + (EC50/C)^n): the same Hill curve, free of overflow for large C^n.
  return p.max_modulation / (1.0 + std::pow(p.ec50_g_per_l / bac_g_per_l, p.hill));
}

double calibrate_ethanol_ec50(double drug_modulation, double bac_with_drug_g_per_l, double bac_alone_g_per_l,
                              double max_modulation, double hill) {
  require_in_range("drug modulation", drug_modulation, "", 1e-9, 1.0);
  require_positive("BAC with drug", bac_with_drug_g_per_l, "g/L");
  require_in_range("BAC alone", bac_alone_g_per_l, "g/L", bac_with_drug_g_per_l * (1.0 + 1e-9), 10.0);
  const ethanol_gabaa_params shape{max_modulation, 1.0, hill};
  shape.validate();
  auto difference = [&](double ec50) {
    const ethanol_gabaa_params q{max_modulation, ec50, hill};
    return ethanol_modulation(bac_alone_g_per_l, q) - ethanol_modulation(bac_with_drug_g_per_l, q);
  };
  // In log EC50 the difference of two Hill curves is symmetric about the geometric mean of the two BACs,
  // where it peaks; above it, it falls monotonically to 0. Search there for the larger solution.
  double lo = std::sqrt(bac_with_drug_g_per_l * bac_alone_g_per_l);
  const double best = difference(lo);
  if (best < drug_modulation) {
    throw invalid_parameter("drug modulation", drug_modulation,
                            "drug modulation = " + format_value(drug_modulation) +
                                "; must be <= " + format_value(best) +
                                ", the largest difference this Hill curve can make between the two BACs");
  }
  double hi = 2.0 * lo;
  while (difference(hi) > drug_modulation) hi *= 2.0;
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = std::sqrt(lo * hi);
    (difference(mid) > drug_modulation ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

void combination_params::validate() const {
  // cap >= 1: a cap below the scale's ceiling would clip the drug's own effect without alcohol.
  require_in_range("alcohol.combination.cap", cap, "", 1.0, 2.0);
  require_in_range("alcohol.combination.synergy", synergy, "", 0.0, 5.0);
}

combined_modulation combine_modulation(double drug_net_modulation, double ethanol_mod, const combination_params& p) {
  require_finite("drug net modulation", drug_net_modulation, "");
  require_in_range("ethanol modulation", ethanol_mod, "", 0.0, 1.0);
  p.validate();
  // Additive on the modulation scale (the evidence is mostly additive impairment, docs/alcohol.md); the
  // optional interaction acts only on a positive drug effect: a withdrawal drive is simply offset.
  const double uncapped =
      drug_net_modulation + ethanol_mod + p.synergy * std::max(0.0, drug_net_modulation) * ethanol_mod;
  return {std::min(p.cap, uncapped), uncapped};
}

}  // namespace benzosim::pd
