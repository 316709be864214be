// SPDX-License-Identifier: MIT
#include <benzosim/pk/variability.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <string>
#include <utility>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>

namespace benzosim::pk {
namespace {

std::string index_text(std::size_t i) {
  return std::to_string(i + 1);
}

[[noreturn]] void fail(const std::string& name, double value, const std::string& message) {
  throw invalid_parameter(name, value, message);
}

void require_size(const char* what, std::size_t actual, std::size_t expected) {
  if (actual != expected) {
    fail(what, static_cast<double>(actual),
         std::string(what) + " has " + std::to_string(actual) + " values; must have " + std::to_string(expected));
  }
}

// --- Standard normal distribution ------------------------------------------------------------------

/// Phi(x), accurate in the lower tail.
double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

/// 1 - Phi(x), accurate in the upper tail.
double normal_upper(double x) {
  return 0.5 * std::erfc(x / std::numbers::sqrt2);
}

/// Phi^-1(p): Acklam's rational approximation (relative error < 1.2e-9) refined by one Halley step on
/// erfc, which brings it to about machine precision. p <= 0 gives -inf, p >= 1 gives +inf.
double normal_quantile(double p) {
  if (p <= 0.0) return -std::numeric_limits<double>::infinity();
  if (p >= 1.0) return std::numeric_limits<double>::infinity();
  constexpr std::array<double, 6> a{-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                    1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  constexpr std::array<double, 5> b{-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                    6.680131188771972e+01, -1.328068155288572e+01};
  constexpr std::array<double, 6> c{-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                    -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  constexpr std::array<double, 4> d{7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                    3.754408661907416e+00};
  constexpr double p_low = 0.02425;
  auto tail = [&](double q) {
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  };
  double x = 0.0;
  if (p < p_low) {
    x = tail(std::sqrt(-2.0 * std::log(p)));
  } else if (p <= 1.0 - p_low) {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  } else {
    x = -tail(std::sqrt(-2.0 * std::log1p(-p)));
  }
  // Halley refinement; skipped where exp(x^2/2) would overflow (|x| > 37 means p < 1e-300).
  if (std::abs(x) < 37.0) {
    const double e = normal_cdf(x) - p;
    const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
    x -= u / (1.0 + 0.5 * x * u);
  }
  return x;
}

// --- Cholesky ----------------------------------------------------------------------------------------

struct cholesky_result {
  std::vector<double> lower;  // n x n row-major
  bool ok = true;
  std::size_t failed_row = 0;  // 0-based
  double residual = 0.0;       // the negative pivot or the off-diagonal that could not be matched
};

/// Semi-definite Cholesky: a pivot within tol of 0 gives a zero column, and then every entry below it
/// must vanish too (|s| <= sqrt(tol * max_diag), the Cauchy-Schwarz bound of a PSD matrix).
cholesky_result cholesky(const std::vector<double>& a, std::size_t n) {
  cholesky_result r;
  r.lower.assign(n * n, 0.0);
  double max_diag = 0.0;
  for (std::size_t i = 0; i < n; ++i) max_diag = std::max(max_diag, a[i * n + i]);
  const double tol = 1e-10 * max_diag;
  const double off_tol = std::sqrt(tol * max_diag);
  auto& l = r.lower;
  for (std::size_t j = 0; j < n; ++j) {
    double pivot = a[j * n + j];
    for (std::size_t k = 0; k < j; ++k) pivot -= l[j * n + k] * l[j * n + k];
    if (pivot < -tol) {
      r.ok = false;
      r.failed_row = j;
      r.residual = pivot;
      return r;
    }
    const bool zero_pivot = pivot <= tol;
    const double ljj = zero_pivot ? 0.0 : std::sqrt(pivot);
    l[j * n + j] = ljj;
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= l[i * n + k] * l[j * n + k];
      if (zero_pivot) {
        if (std::abs(s) > off_tol) {
          r.ok = false;
          r.failed_row = i;
          r.residual = s;
          return r;
        }
        l[i * n + j] = 0.0;
      } else {
        l[i * n + j] = s / ljj;
      }
    }
  }
  return r;
}

std::string omega_entry(const omega& om, std::size_t i, std::size_t j) {
  return "omega(" + index_text(i) + "," + index_text(j) + ") [" + om.names[i] + ", " + om.names[j] + "]";
}

// --- Parameters on their scales -----------------------------------------------------------------------

/// logit^-1(logit f + shift); f = 1 stays 1 (its logit is infinite).
double logit_shift(double f, double shift) {
  if (f >= 1.0) return 1.0;
  const double x = std::log(f / (1.0 - f)) + shift;
  return 1.0 / (1.0 + std::exp(-x));
}

struct pk_parameter_name {
  pk_parameter p;
  std::string_view name;
};
constexpr std::array<pk_parameter_name, 7> pk_parameter_names{{{pk_parameter::ka, "ka"},
                                                               {pk_parameter::cl, "cl"},
                                                               {pk_parameter::v1, "v1"},
                                                               {pk_parameter::q, "q"},
                                                               {pk_parameter::v2, "v2"},
                                                               {pk_parameter::f, "f"},
                                                               {pk_parameter::tlag, "tlag"}}};

double& field(two_compartment_oral& p, pk_parameter which) {
  switch (which) {
    case pk_parameter::ka:
      return p.ka_per_h;
    case pk_parameter::cl:
      return p.cl_lph;
    case pk_parameter::v1:
      return p.v1_l;
    case pk_parameter::q:
      return p.q_lph;
    case pk_parameter::v2:
      return p.v2_l;
    case pk_parameter::f:
      return p.f;
    case pk_parameter::tlag:
      return p.tlag_h;
  }
  throw internal_error("unknown pk_parameter");
}

/// Applies a shift on the parameter's scale: log for all, logit for f.
void shift_parameter(two_compartment_oral& p, pk_parameter which, double shift) {
  double& v = field(p, which);
  if (which == pk_parameter::f) {
    v = logit_shift(v, shift);
  } else {
    v *= std::exp(shift);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// OMEGA

void omega::validate() const {
  const std::size_t n = names.size();
  if (matrix.size() != n * n) {
    fail("omega.matrix", static_cast<double>(matrix.size()),
         "omega: the matrix has " + std::to_string(matrix.size()) +
             " entries; must be n x n = " + std::to_string(n * n) + " for " + std::to_string(n) + " eta names");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (names[i].empty())
      fail("omega.names", static_cast<double>(i + 1), "omega: eta " + index_text(i) + " has no name");
    for (std::size_t k = 0; k < i; ++k) {
      if (names[k] == names[i]) {
        fail("omega.names", static_cast<double>(i + 1),
             "omega: eta name '" + names[i] + "' is used by etas " + index_text(k) + " and " + index_text(i) +
                 "; names must be unique");
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) require_finite(omega_entry(*this, i, j), at(i, j), "");
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double v = at(i, i);
    if (v < 0.0) {
      fail(omega_entry(*this, i, i), v,
           omega_entry(*this, i, i) + " = " + format_value(v) + "; must be >= 0 (a variance)");
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const double lo = at(i, j);
      const double up = at(j, i);
      if (std::abs(lo - up) > 1e-12 * std::max(std::abs(lo), std::abs(up))) {
        fail(omega_entry(*this, i, j), lo,
             omega_entry(*this, i, j) + " = " + format_value(lo) + "; must equal " + omega_entry(*this, j, i) + " = " +
                 format_value(up) + " (OMEGA is symmetric)");
      }
    }
  }
  const auto c = cholesky(matrix, n);
  if (!c.ok) {
    const std::string row = "omega row " + index_text(c.failed_row) + " (" + names[c.failed_row] + ")";
    fail(row, c.residual,
         "omega: not positive semi-definite: the Cholesky factorisation fails at row " + index_text(c.failed_row) +
             " (eta '" + names[c.failed_row] + "', residual " + format_value(c.residual) +
             "); the covariances or correlations of the first " + index_text(c.failed_row) + " etas are inconsistent");
  }
}

std::string_view to_string(cv_convention c) {
  switch (c) {
    case cv_convention::exact_lognormal:
      return "exact_lognormal";
    case cv_convention::sqrt_omega:
      return "sqrt_omega";
  }
  throw internal_error("unknown cv_convention");
}

cv_convention parse_cv_convention(std::string_view name) {
  if (name == "exact_lognormal") return cv_convention::exact_lognormal;
  if (name == "sqrt_omega") return cv_convention::sqrt_omega;
  throw error("unknown CV convention '" + std::string(name) + "'; valid conventions: exact_lognormal, sqrt_omega");
}

double variance_from_cv(double cv_percent, cv_convention c) {
  require_in_range("CV", cv_percent, "%", 0.0, 1000.0);
  const double cv = cv_percent / 100.0;
  return c == cv_convention::exact_lognormal ? std::log1p(cv * cv) : cv * cv;
}

double cv_from_variance(double omega2, cv_convention c) {
  require_non_negative("omega^2", omega2, "");
  return 100.0 * (c == cv_convention::exact_lognormal ? std::sqrt(std::expm1(omega2)) : std::sqrt(omega2));
}

omega omega_from_cv(std::vector<std::string> names, std::span<const double> cv_percent,
                    std::span<const eta_correlation> correlations, cv_convention convention) {
  const std::size_t n = names.size();
  require_size("omega CV list", cv_percent.size(), n);
  omega om{std::move(names), std::vector<double>(n * n, 0.0)};
  for (std::size_t i = 0; i < n; ++i) {
    require_in_range("omega CV of " + om.names[i], cv_percent[i], "%", 0.0, 1000.0);
    om.matrix[i * n + i] = variance_from_cv(cv_percent[i], convention);
  }
  auto index_of = [&](const std::string& name) {
    for (std::size_t i = 0; i < n; ++i) {
      if (om.names[i] == name) return i;
    }
    throw invalid_parameter("omega correlation", 0.0,
                            "omega correlation: no eta named '" + name + "' (names are the ones given with the CVs)");
  };
  std::vector<bool> set(n * n, false);
  for (const auto& c : correlations) {
    const std::size_t i = index_of(c.first);
    const std::size_t j = index_of(c.second);
    const std::string label = "correlation(" + c.first + ", " + c.second + ")";
    if (i == j) fail(label, c.rho, label + ": an eta's correlation with itself is 1 by definition; remove it");
    require_in_range(label, c.rho, "", -1.0, 1.0);
    if (set[i * n + j]) fail(label, c.rho, label + " is given twice");
    set[i * n + j] = set[j * n + i] = true;
    const double cov = c.rho * std::sqrt(om.matrix[i * n + i] * om.matrix[j * n + j]);
    om.matrix[i * n + j] = cov;
    om.matrix[j * n + i] = cov;
  }
  om.validate();
  return om;
}

omega omega_from_lower_triangle(std::vector<std::string> names, std::span<const double> lower) {
  const std::size_t n = names.size();
  require_size("omega lower triangle", lower.size(), n * (n + 1) / 2);
  omega om{std::move(names), std::vector<double>(n * n, 0.0)};
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j <= i; ++j, ++k) {
      om.matrix[i * n + j] = lower[k];
      om.matrix[j * n + i] = lower[k];
    }
  }
  om.validate();
  return om;
}

eta_sampler::eta_sampler(const omega& om) : n_(om.size()) {
  om.validate();
  lower_ = cholesky(om.matrix, n_).lower;
}

void eta_sampler::sample(std::span<const double> z, std::span<double> eta) const {
  require_size("eta_sampler z", z.size(), n_);
  require_size("eta_sampler eta", eta.size(), n_);
  for (std::size_t i = 0; i < n_; ++i) {
    double s = 0.0;
    for (std::size_t k = 0; k <= i; ++k) s += lower_[i * n_ + k] * z[k];
    eta[i] = s;
  }
}

// ---------------------------------------------------------------------------------------------------
// Residual error

namespace {
struct residual_name {
  residual_kind k;
  std::string_view name;
};
constexpr std::array<residual_name, 5> residual_names{{{residual_kind::additive, "additive"},
                                                       {residual_kind::proportional, "proportional"},
                                                       {residual_kind::combined, "combined"},
                                                       {residual_kind::combined_sum, "combined_sum"},
                                                       {residual_kind::exponential, "exponential"}}};

void require_unused_zero(const char* name, double value, residual_kind k) {
  if (value != 0.0) {
    fail(name, value,
         std::string(name) + " = " + format_value(value) + "; must be 0 for " + std::string(to_string(k)) +
             " error (it is not used)");
  }
}
}  // namespace

std::string_view to_string(residual_kind k) {
  for (const auto& r : residual_names) {
    if (r.k == k) return r.name;
  }
  throw internal_error("unknown residual_kind");
}

residual_kind parse_residual_kind(std::string_view name) {
  std::string valid;
  for (const auto& r : residual_names) {
    if (r.name == name) return r.k;
    valid += (valid.empty() ? "" : ", ") + std::string(r.name);
  }
  throw error("unknown residual error model '" + std::string(name) + "'; valid models: " + valid);
}

void residual_error::validate() const {
  switch (kind) {
    case residual_kind::additive:
      require_non_negative("residual.sd_add", sd_add, "");
      require_unused_zero("residual.sd_prop", sd_prop, kind);
      return;
    case residual_kind::proportional:
    case residual_kind::exponential:
      require_non_negative("residual.sd_prop", sd_prop, "");
      require_unused_zero("residual.sd_add", sd_add, kind);
      return;
    case residual_kind::combined:
    case residual_kind::combined_sum:
      require_non_negative("residual.sd_add", sd_add, "");
      require_non_negative("residual.sd_prop", sd_prop, "");
      return;
  }
  throw internal_error("unknown residual_kind");
}

double residual_error::apply(double pred, double eps1, double eps2) const {
  require_finite("residual prediction", pred, "");
  require_finite("residual eps1", eps1, "");
  switch (kind) {
    case residual_kind::additive:
      return pred + sd_add * eps1;
    case residual_kind::proportional:
      return pred * (1.0 + sd_prop * eps1);
    case residual_kind::combined:
      return pred + std::sqrt(sd_add * sd_add + sd_prop * sd_prop * pred * pred) * eps1;
    case residual_kind::combined_sum:
      require_finite("residual eps2", eps2, "");
      return pred * (1.0 + sd_prop * eps1) + sd_add * eps2;
    case residual_kind::exponential:
      return pred * std::exp(sd_prop * eps1);
  }
  throw internal_error("unknown residual_kind");
}

// ---------------------------------------------------------------------------------------------------
// Individual parameters

std::string_view to_string(pk_parameter p) {
  for (const auto& e : pk_parameter_names) {
    if (e.p == p) return e.name;
  }
  throw internal_error("unknown pk_parameter");
}

pk_parameter parse_pk_parameter(std::string_view name) {
  for (const auto& e : pk_parameter_names) {
    if (e.name == name) return e.p;
  }
  throw error("unknown pk parameter '" + std::string(name) +
              "'; valid names: ka, cl, v1 (central), q, v2 (peripheral), f, tlag (lower case; NONMEM's ADVAN4 "
              "calls the volumes V2 and V3)");
}

void eta_map::validate(std::size_t eta_count) const {
  for (std::size_t i = 0; i < links.size(); ++i) {
    const auto& l = links[i];
    const std::string name = "eta_map." + std::string(to_string(l.parameter));
    if (l.eta >= eta_count) {
      fail(name, static_cast<double>(l.eta),
           name + " uses eta index " + std::to_string(l.eta) + "; OMEGA has " + std::to_string(eta_count) +
               " etas (indices from 0)");
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (links[k].parameter == l.parameter) {
        fail(name, static_cast<double>(l.eta), name + " has two etas; a parameter takes at most one");
      }
    }
  }
}

eta_map eta_map::from_names(const omega& om) {
  eta_map m;
  for (std::size_t i = 0; i < om.names.size(); ++i) m.links.push_back({parse_pk_parameter(om.names[i]), i});
  m.validate(om.size());
  return m;
}

std::string_view to_string(biological_sex s) {
  switch (s) {
    case biological_sex::female:
      return "female";
    case biological_sex::male:
      return "male";
  }
  throw internal_error("unknown biological_sex");
}

void clonazepam_covariates::validate() const {
  require_in_range("covariates.weight_kg", weight_kg, "kg", 1.0, 400.0);
  require_in_range("covariates.age_y", age_y, "years", 0.0, 120.0);
  require_in_range("covariates.inducing_aeds", inducing_aeds, "", 0.0, 20.0);
  if (sex != biological_sex::female && sex != biological_sex::male) {
    fail("covariates.sex", static_cast<double>(static_cast<int>(sex)), "covariates.sex is not female or male");
  }
}

void clonazepam_covariate_params::validate() const {
  require_positive("pk.covariates.ref_weight_kg", ref_weight_kg, "kg");
  require_in_range("pk.covariates.allometric_cl", allometric_cl, "", 0.0, 2.0);
  require_in_range("pk.covariates.allometric_v", allometric_v, "", 0.0, 2.0);
  require_in_range("pk.covariates.inducer_one_factor", inducer_one_factor, "", 0.01, 100.0);
  require_in_range("pk.covariates.inducer_two_plus_factor", inducer_two_plus_factor, "", 0.01, 100.0);
  require_in_range("pk.covariates.inducer_two_plus_weight_exponent", inducer_two_plus_weight_exponent, "", -2.0, 2.0);
  require_in_range("pk.covariates.cyp3a4_inhibitor_factor", cyp3a4_inhibitor_factor, "", 0.01, 100.0);
}

double comedication_cl_factor(const clonazepam_covariate_params& params, const clonazepam_covariates& cov) {
  double factor = 1.0;
  if (cov.inducing_aeds == 1) {
    factor = params.inducer_one_factor;
  } else if (cov.inducing_aeds >= 2) {
    factor = params.inducer_two_plus_factor *
             std::pow(cov.weight_kg / params.ref_weight_kg, params.inducer_two_plus_weight_exponent);
  }
  if (cov.cyp3a4_inhibitor) factor *= params.cyp3a4_inhibitor_factor;
  return factor;
}

two_compartment_oral individual_parameters(const two_compartment_oral& typical,
                                           const clonazepam_covariate_params& params, const clonazepam_covariates& cov,
                                           std::span<const double> eta, const eta_map& map) {
  typical.validate();
  params.validate();
  cov.validate();
  map.validate(eta.size());
  for (std::size_t i = 0; i < eta.size(); ++i) require_finite("eta " + index_text(i), eta[i], "");

  const double ratio = cov.weight_kg / params.ref_weight_kg;
  const double weight_cl = std::pow(ratio, params.allometric_cl);
  const double weight_v = std::pow(ratio, params.allometric_v);
  two_compartment_oral p = typical;
  p.cl_lph = typical.cl_lph * weight_cl * comedication_cl_factor(params, cov);
  p.q_lph = typical.q_lph * weight_cl;
  p.v1_l = typical.v1_l * weight_v;
  p.v2_l = typical.v2_l * weight_v;
  for (const auto& l : map.links) shift_parameter(p, l.parameter, eta[l.eta]);
  p.validate();
  return p;
}

std::vector<std::string> uncertain_parts(const clonazepam_covariate_params& params) {
  std::vector<std::string> out;
  out.push_back("CYP3A4 inhibitor factor " + format_value(params.cyp3a4_inhibitor_factor) +
                " on CL: no clonazepam-specific magnitude published (the label only says inhibitors may raise "
                "levels); value assumed");
  out.push_back("inducer factors (CL x " + format_value(params.inducer_one_factor) + " with one AED, x " +
                format_value(params.inducer_two_plus_factor) + " with two or more at " +
                format_value(params.ref_weight_kg) +
                " kg): Yukawa 2002 estimated them in 137 Japanese epileptic patients aged 0.3-28 y (5.5-75 kg), "
                "counting carbamazepine or valproate as the one co-AED; here they are applied to adults and to any "
                "inducing AED. The label reports ~30 % lower levels (CL x 1.43) with phenytoin, carbamazepine or "
                "phenobarbital");
  if (params.inducer_two_plus_weight_exponent != 0.0) {
    out.push_back("weight dependence of the two-or-more-AED factor ((W/ref)^" +
                  format_value(params.inducer_two_plus_weight_exponent) +
                  "): Yukawa 2002's 95 % CI of the exponent (-0.254 to 0.016) includes 0");
  }
  out.push_back("weight: CL and Q scale with (W/" + format_value(params.ref_weight_kg) + ")^" +
                format_value(params.allometric_cl) + ", V1 and V2 with (W/" + format_value(params.ref_weight_kg) +
                ")^" + format_value(params.allometric_v) +
                " (assumed allometry; Yukawa 2002 found total CL/F proportional to TBW^0.819 in children and "
                "young adults)");
  out.emplace_back(
      "age and sex: no quantitative effect on clonazepam pharmacokinetics published; both are sampled (or read "
      "from a covariate file) but change no parameter");
  return out;
}

std::vector<std::string> uncertain_parts(const omega& om) {
  std::string missing;
  for (const auto& e : pk_parameter_names) {
    if (std::find(om.names.begin(), om.names.end(), std::string(e.name)) == om.names.end()) {
      missing += (missing.empty() ? "" : ", ") + std::string(e.name);
    }
  }
  if (missing.empty()) return {};
  return {"between-subject variability: no eta on " + missing +
          " (no clonazepam estimates found beyond the 20.1 % on CL/F of Yukawa 2002); the spread of peak "
          "concentrations and of absorption is underestimated"};
}

// ---------------------------------------------------------------------------------------------------
// Virtual population

namespace {
struct lognormal {
  double mu;     // mean of ln W
  double sigma;  // SD of ln W
};
/// Phi(b) - Phi(a), from the tail that keeps precision.
double truncated_mass(double a, double b) {
  if (a > 0.0) return normal_upper(a) - normal_upper(b);
  if (b < 0.0) return normal_cdf(b) - normal_cdf(a);
  return 1.0 - normal_cdf(a) - normal_upper(b);
}
lognormal weight_lognormal(const covariate_distribution& d) {
  const double s2 = std::log1p(d.weight_cv * d.weight_cv);
  return {std::log(d.weight_mean_kg) - 0.5 * s2, std::sqrt(s2)};
}
}  // namespace

void covariate_distribution::validate() const {
  require_in_range("population.weight_mean_kg", weight_mean_kg, "kg", 1.0, 400.0);
  require_in_range("population.weight_cv", weight_cv, "", 0.0, 2.0);
  require_in_range("population.weight_min_kg", weight_min_kg, "kg", 1.0, 400.0);
  require_in_range("population.weight_max_kg", weight_max_kg, "kg", weight_min_kg, 400.0);
  require_in_range("population.age_min_y", age_min_y, "years", 0.0, 120.0);
  require_in_range("population.age_max_y", age_max_y, "years", age_min_y, 120.0);
  require_in_range("population.fraction_male", fraction_male, "", 0.0, 1.0);
  require_in_range("population.fraction_one_inducer", fraction_one_inducer, "", 0.0, 1.0);
  require_in_range("population.fraction_two_plus_inducers", fraction_two_plus_inducers, "", 0.0, 1.0);
  require_in_range("population.fraction_one_inducer + fraction_two_plus_inducers",
                   fraction_one_inducer + fraction_two_plus_inducers, "", 0.0, 1.0);
  require_in_range("population.fraction_cyp3a4_inhibitor", fraction_cyp3a4_inhibitor, "", 0.0, 1.0);
  const auto ln = weight_lognormal(*this);
  double mass = 0.0;
  if (ln.sigma == 0.0) {
    mass = (weight_mean_kg >= weight_min_kg && weight_mean_kg <= weight_max_kg) ? 1.0 : 0.0;
  } else {
    const double a = (std::log(weight_min_kg) - ln.mu) / ln.sigma;
    const double b = (std::log(weight_max_kg) - ln.mu) / ln.sigma;
    mass = truncated_mass(a, b);
  }
  if (!(mass >= 1e-6)) {
    fail("population.weight_min_kg", weight_min_kg,
         "population: weights " + format_value(weight_min_kg) + "-" + format_value(weight_max_kg) + " kg hold " +
             format_value(mass) + " of the log-normal weight distribution (mean " + format_value(weight_mean_kg) +
             " kg, CV " + format_value(weight_cv) + "); must hold at least 1e-6");
  }
}

clonazepam_covariates sample_covariates(const covariate_distribution& d, std::span<const double> u) {
  d.validate();
  require_size("covariate uniforms", u.size(), covariate_uniform_count);
  for (std::size_t i = 0; i < u.size(); ++i) require_in_range("covariate uniform " + index_text(i), u[i], "", 0.0, 1.0);

  clonazepam_covariates c{};
  const auto ln = weight_lognormal(d);
  if (ln.sigma == 0.0) {
    c.weight_kg = d.weight_mean_kg;
  } else {
    // Inverse CDF of the truncated normal of ln W. The target probability is formed in the tail it lies
    // in (lower: Phi, upper: 1 - Phi), so neither bound nor a draw near 0 or 1 loses precision.
    const double a = (std::log(d.weight_min_kg) - ln.mu) / ln.sigma;
    const double b = (std::log(d.weight_max_kg) - ln.mu) / ln.sigma;
    const double pa = normal_cdf(a);
    const double qb = normal_upper(b);
    const double mass = truncated_mass(a, b);
    const double p = pa + u[0] * mass;
    double x = 0.0;
    if (p <= 0.5) {
      x = normal_quantile(p);
    } else {
      x = -normal_quantile(qb + (1.0 - u[0]) * mass);
    }
    x = std::clamp(x, a, b);
    c.weight_kg = std::clamp(std::exp(ln.mu + ln.sigma * x), d.weight_min_kg, d.weight_max_kg);
  }
  c.age_y = d.age_min_y + u[1] * (d.age_max_y - d.age_min_y);
  c.sex = u[2] < d.fraction_male ? biological_sex::male : biological_sex::female;
  if (u[3] < d.fraction_one_inducer) {
    c.inducing_aeds = 1;
  } else if (u[3] < d.fraction_one_inducer + d.fraction_two_plus_inducers) {
    c.inducing_aeds = 2;
  } else {
    c.inducing_aeds = 0;
  }
  c.cyp3a4_inhibitor = u[4] < d.fraction_cyp3a4_inhibitor;
  return c;
}

std::string_view to_string(covariate_draw d) {
  switch (d) {
    case covariate_draw::in_order:
      return "in_order";
    case covariate_draw::resample:
      return "resample";
  }
  throw internal_error("unknown covariate_draw");
}

covariate_draw parse_covariate_draw(std::string_view name) {
  if (name == "in_order") return covariate_draw::in_order;
  if (name == "resample") return covariate_draw::resample;
  throw error("unknown covariate draw '" + std::string(name) + "'; valid draws: in_order, resample");
}

namespace {
/// "covariate table subjects.csv, row 3 (id P03)" for messages.
std::string row_text(const covariate_table& t, std::size_t i) {
  std::string s = "covariate table " + (t.source.empty() ? std::string{"(unnamed)"} : t.source) + ", row " +
                  index_text(i) + " of " + std::to_string(t.rows.size());
  if (!t.rows[i].id.empty()) s += " (id " + t.rows[i].id + ")";
  return s;
}

/// Row i's covariates, checked; a failure is rethrown with the row named, so that a bad subject can be found
/// in the source.
const clonazepam_covariates& checked_row(const covariate_table& t, std::size_t i) {
  const covariate_row& r = t.rows[i];
  try {
    r.covariates.validate();
  } catch (const invalid_parameter& e) {
    throw invalid_parameter("covariate_table.row " + index_text(i) + "." + e.name, e.value,
                            row_text(t, i) + ": " + e.what());
  }
  return r.covariates;
}

[[noreturn]] void fail_empty(const covariate_table& t) {
  fail("covariate_table.rows", 0.0,
       "covariate table " + (t.source.empty() ? std::string{"(unnamed)"} : t.source) +
           " has no rows; it needs at least one subject");
}
}  // namespace

void covariate_table::validate() const {
  if (rows.empty()) fail_empty(*this);
  for (std::size_t i = 0; i < rows.size(); ++i) (void)checked_row(*this, i);
}

clonazepam_covariates covariates_from_table(const covariate_table& t, std::uint64_t subject, double u) {
  const std::size_t n = t.rows.size();
  if (n == 0) fail_empty(t);
  if (t.draw == covariate_draw::in_order) {
    if (subject >= n) {
      fail("covariate_table.subject", static_cast<double>(subject),
           "patient " + std::to_string(subject + 1) + " needs row " + std::to_string(subject + 1) +
               " of covariate table " + t.source + ", which has " + std::to_string(n) +
               " rows; with draw = in_order a run can have at most as many patients as the table has rows (or use "
               "draw = resample)");
    }
    return checked_row(t, static_cast<std::size_t>(subject));
  }
  require_in_range("covariate uniform 1", u, "", 0.0, 1.0);
  // floor(u n) is uniform over 0..n-1 for u uniform in [0, 1); u = 1 would give n and takes the last row.
  const auto row = std::min(static_cast<std::size_t>(std::floor(u * static_cast<double>(n))), n - 1);
  return checked_row(t, row);
}

// ---------------------------------------------------------------------------------------------------
// Replicates

void theta_uncertainty::validate() const {
  require_in_range("theta_uncertainty.ka_rse_pct", ka_rse_pct, "%", 0.0, 200.0);
  require_in_range("theta_uncertainty.cl_rse_pct", cl_rse_pct, "%", 0.0, 200.0);
  require_in_range("theta_uncertainty.v1_rse_pct", v1_rse_pct, "%", 0.0, 200.0);
  require_in_range("theta_uncertainty.q_rse_pct", q_rse_pct, "%", 0.0, 200.0);
  require_in_range("theta_uncertainty.v2_rse_pct", v2_rse_pct, "%", 0.0, 200.0);
  require_in_range("theta_uncertainty.f_rse_pct", f_rse_pct, "%", 0.0, 200.0);
  require_in_range("theta_uncertainty.tlag_rse_pct", tlag_rse_pct, "%", 0.0, 200.0);
}

two_compartment_oral perturb_typical(const two_compartment_oral& typical, const theta_uncertainty& u,
                                     std::span<const double> z) {
  typical.validate();
  u.validate();
  require_size("replicate draws", z.size(), theta_draw_count);
  for (std::size_t i = 0; i < z.size(); ++i) require_finite("replicate draw " + index_text(i), z[i], "");

  const std::array<std::pair<pk_parameter, double>, theta_draw_count> rse{{{pk_parameter::ka, u.ka_rse_pct},
                                                                           {pk_parameter::cl, u.cl_rse_pct},
                                                                           {pk_parameter::v1, u.v1_rse_pct},
                                                                           {pk_parameter::q, u.q_rse_pct},
                                                                           {pk_parameter::v2, u.v2_rse_pct},
                                                                           {pk_parameter::f, u.f_rse_pct},
                                                                           {pk_parameter::tlag, u.tlag_rse_pct}}};
  two_compartment_oral p = typical;
  for (std::size_t i = 0; i < rse.size(); ++i) {
    const double r = rse[i].second / 100.0;
    if (r == 0.0) continue;
    const double sd = rse[i].first == pk_parameter::f ? (typical.f >= 1.0 ? 0.0 : r / (1.0 - typical.f))
                                                      : std::sqrt(std::log1p(r * r));
    shift_parameter(p, rse[i].first, sd * z[i]);
  }
  p.validate();
  return p;
}

// ---------------------------------------------------------------------------------------------------
// Presets (docs/variability.md has the sources and status of every number)

omega clonazepam_omega_preset() {
  const std::array<double, 1> cv{20.1};
  return omega_from_cv({"cl"}, cv, {}, cv_convention::sqrt_omega);
}

residual_error clonazepam_residual_preset() {
  return {residual_kind::proportional, 0.0, 0.186};
}

clonazepam_covariate_params clonazepam_covariate_preset() {
  constexpr double ref_kg = 70.0;
  return {
      .ref_weight_kg = ref_kg,
      .allometric_cl = 0.75,
      .allometric_v = 1.0,
      .inducer_one_factor = 1.18,
      // Yukawa 2002: 2.12 TBW^-0.119 = (2.12 x 70^-0.119) (TBW/70)^-0.119 = 1.2787 (TBW/70)^-0.119.
      .inducer_two_plus_factor = 2.12 * std::pow(ref_kg, -0.119),
      .inducer_two_plus_weight_exponent = -0.119,
      .cyp3a4_inhibitor_factor = 0.7,
  };
}

theta_uncertainty clonazepam_theta_uncertainty_preset() {
  return {.ka_rse_pct = 21.0,
          .cl_rse_pct = 12.0,
          .v1_rse_pct = 9.0,
          .q_rse_pct = 28.0,
          .v2_rse_pct = 39.0,
          .f_rse_pct = 5.0,
          .tlag_rse_pct = 8.0};
}

covariate_distribution adult_outpatient_population() {
  return {.weight_mean_kg = 75.0,
          .weight_cv = 0.20,
          .weight_min_kg = 40.0,
          .weight_max_kg = 150.0,
          .age_min_y = 18.0,
          .age_max_y = 80.0,
          .fraction_male = 0.34,
          .fraction_one_inducer = 0.05,
          .fraction_two_plus_inducers = 0.02,
          .fraction_cyp3a4_inhibitor = 0.05};
}

}  // namespace benzosim::pk
