// SPDX-License-Identifier: MIT
// Tests of pk/variability.hpp. The random draws come from a generator defined here (splitmix64 + Box-Muller)
// so the tests do not depend on core/random.hpp. Statistical checks use 200 000 draws and a tolerance of
// 4 standard errors unless stated; the seeds are fixed, so the results are reproducible.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/error.hpp>
#include <benzosim/pk/variability.hpp>

#include "test_support.hpp"

namespace {

using namespace benzosim::pk;
using benzosim::invalid_parameter;

constexpr int n_draws = 200000;

/// splitmix64 (Steele, Lea & Flood 2014) with Box-Muller normals.
class test_rng {
 public:
  explicit test_rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in (0, 1).
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(uniform()));
    const double phi = 2.0 * std::numbers::pi * uniform();
    spare_ = r * std::sin(phi);
    has_spare_ = true;
    return r * std::cos(phi);
  }

 private:
  std::uint64_t state_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

struct moments {
  double mean = 0.0;
  double sd = 0.0;
};
moments sample_moments(const std::vector<double>& x) {
  double s = 0.0;
  for (double v : x) s += v;
  const double m = s / static_cast<double>(x.size());
  double ss = 0.0;
  for (double v : x) ss += (v - m) * (v - m);
  return {m, std::sqrt(ss / static_cast<double>(x.size() - 1))};
}

double phi(double x) {
  return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

// Clonazepam typical values (data/drugs/clonazepam.toml).
const two_compartment_oral typical{2.21, 3.105, 117.0, 13.5, 54.0, 0.9, 0.369, 0.15};

clonazepam_covariates reference_person() {
  return {70.0, 40.0, biological_sex::female, 0, false};
}

template <class F>
std::string thrown_message(F&& f, std::string* name = nullptr) {
  try {
    f();
  } catch (const invalid_parameter& e) {
    if (name) *name = e.name;
    return e.what();
  }
  return "(no invalid_parameter thrown)";
}

// ---------------------------------------------------------------------------------------------------
// OMEGA

TEST(omega, cv_conventions_map_to_variances) {
  EXPECT_NEAR(variance_from_cv(30.0, cv_convention::exact_lognormal), std::log(1.09), 1e-15);
  EXPECT_DOUBLE_EQ(variance_from_cv(30.0, cv_convention::sqrt_omega), 0.09);
  EXPECT_NEAR(cv_from_variance(std::log(1.09), cv_convention::exact_lognormal), 30.0, 1e-12);
  EXPECT_NEAR(cv_from_variance(0.09, cv_convention::sqrt_omega), 30.0, 1e-12);
  // Yukawa 2002's 20.1 % read as sqrt(omega^2) is an exact log-normal CV of 20.3 %.
  EXPECT_NEAR(cv_from_variance(variance_from_cv(20.1, cv_convention::sqrt_omega), cv_convention::exact_lognormal),
              20.305, 1e-3);
  EXPECT_EQ(parse_cv_convention("sqrt_omega"), cv_convention::sqrt_omega);
  EXPECT_EQ(to_string(cv_convention::exact_lognormal), "exact_lognormal");
  EXPECT_THROW(parse_cv_convention("cv"), benzosim::error);
  EXPECT_THROW(variance_from_cv(-1.0, cv_convention::sqrt_omega), invalid_parameter);
}

TEST(omega, from_cv_builds_covariances_from_correlations) {
  const std::array<double, 3> cv{30.0, 40.0, 50.0};
  const std::array<eta_correlation, 1> rho{{{"v1", "cl", 0.5}}};
  const omega om = omega_from_cv({"cl", "v1", "ka"}, cv, rho, cv_convention::sqrt_omega);
  EXPECT_DOUBLE_EQ(om.at(0, 0), 0.09);
  EXPECT_DOUBLE_EQ(om.at(1, 1), 0.16);
  EXPECT_DOUBLE_EQ(om.at(2, 2), 0.25);
  EXPECT_DOUBLE_EQ(om.at(0, 1), 0.5 * 0.3 * 0.4);
  EXPECT_DOUBLE_EQ(om.at(1, 0), om.at(0, 1));
  EXPECT_EQ(om.at(0, 2), 0.0);
  const std::array<eta_correlation, 1> unknown{{{"cl", "q", 0.1}}};
  EXPECT_THROW(omega_from_cv({"cl", "v1", "ka"}, cv, unknown, cv_convention::sqrt_omega), invalid_parameter);
  const std::array<eta_correlation, 1> too_big{{{"cl", "ka", 1.5}}};
  EXPECT_THROW(omega_from_cv({"cl", "v1", "ka"}, cv, too_big, cv_convention::sqrt_omega), invalid_parameter);
}

TEST(omega, from_lower_triangle_follows_nonmem_block_order) {
  const std::array<double, 6> lower{0.09, 0.03, 0.16, 0.0, -0.01, 0.25};
  const omega om = omega_from_lower_triangle({"cl", "v1", "ka"}, lower);
  EXPECT_EQ(om.at(1, 0), 0.03);
  EXPECT_EQ(om.at(0, 1), 0.03);
  EXPECT_EQ(om.at(2, 1), -0.01);
  EXPECT_EQ(om.at(1, 2), -0.01);
  EXPECT_EQ(om.at(2, 2), 0.25);
  EXPECT_THROW(omega_from_lower_triangle({"cl", "v1"}, lower), invalid_parameter);
}

TEST(omega, rejects_asymmetric_matrix_naming_the_entry) {
  const omega om{{"cl", "v1"}, {0.09, 0.02, 0.03, 0.16}};
  std::string name;
  const std::string msg = thrown_message([&] { om.validate(); }, &name);
  EXPECT_EQ(name, "omega(2,1) [v1, cl]");
  EXPECT_NE(msg.find("symmetric"), std::string::npos) << msg;
}

TEST(omega, rejects_nan_naming_the_entry) {
  const omega om{{"cl", "v1"}, {0.09, 0.0, 0.0, std::nan("")}};
  std::string name;
  const std::string msg = thrown_message([&] { om.validate(); }, &name);
  EXPECT_EQ(name, "omega(2,2) [v1, v1]");
  EXPECT_NE(msg.find("finite"), std::string::npos) << msg;
}

TEST(omega, rejects_matrix_that_is_not_positive_semidefinite_naming_the_row) {
  // Pairwise valid correlations (0.9, 0.9, -0.9) that no three variables can have together.
  const std::array<double, 3> cv{30.0, 30.0, 30.0};
  const std::array<eta_correlation, 3> rho{{{"cl", "v1", 0.9}, {"cl", "ka", 0.9}, {"v1", "ka", -0.9}}};
  std::string name;
  const std::string msg = thrown_message(
      [&] {
        (void)omega_from_cv({"cl", "v1", "ka"}, cv, rho, cv_convention::sqrt_omega);
      },
      &name);
  EXPECT_EQ(name, "omega row 3 (ka)");
  EXPECT_NE(msg.find("positive semi-definite"), std::string::npos) << msg;
  EXPECT_NE(msg.find("row 3"), std::string::npos) << msg;
  // A zero variance with a non-zero covariance fails at the row of the covariance.
  const omega zero_var{{"cl", "v1"}, {0.0, 0.01, 0.01, 0.16}};
  EXPECT_EQ(thrown_message([&] { zero_var.validate(); }, &name).find("row 2") != std::string::npos, true);
  EXPECT_EQ(name, "omega row 2 (v1)");
}

TEST(omega, rejects_negative_variance_bad_size_and_repeated_names) {
  std::string name;
  thrown_message([] { omega{{"cl"}, {-0.1}}.validate(); }, &name);
  EXPECT_EQ(name, "omega(1,1) [cl, cl]");
  thrown_message([] { omega{{"cl", "v1"}, {0.1, 0.0, 0.1}}.validate(); }, &name);
  EXPECT_EQ(name, "omega.matrix");
  const std::string msg = thrown_message([] { omega{{"cl", "cl"}, {0.1, 0.0, 0.0, 0.1}}.validate(); }, &name);
  EXPECT_EQ(name, "omega.names");
  EXPECT_NE(msg.find("'cl'"), std::string::npos) << msg;
  EXPECT_THROW((omega{{""}, {0.1}}.validate()), invalid_parameter);
}

TEST(omega, accepts_semidefinite_matrices) {
  // Perfect correlation and a fixed (zero-variance) eta are legal; the factor has zero columns.
  const std::array<double, 3> lower{0.09, 0.06, 0.04};
  const omega om = omega_from_lower_triangle({"cl", "q"}, lower);
  const eta_sampler s(om);
  std::array<double, 2> eta{};
  const std::array<double, 2> z{1.3, -0.7};
  s.sample(z, eta);
  EXPECT_NEAR(eta[0], 0.3 * 1.3, 1e-15);
  EXPECT_NEAR(eta[1], 0.2 * 1.3, 1e-8);  // the second draw has no effect
  const omega fixed{{"cl", "v1"}, {0.09, 0.0, 0.0, 0.0}};
  EXPECT_NO_THROW(fixed.validate());
  const eta_sampler sf(fixed);
  sf.sample(z, eta);
  EXPECT_EQ(eta[1], 0.0);
  EXPECT_NO_THROW((omega{{}, {}}.validate()));
}

// ---------------------------------------------------------------------------------------------------
// Eta sampling

TEST(eta_sampler, sample_covariance_matches_block_omega) {
  const std::array<double, 3> cv{30.0, 40.0, 60.0};
  const std::array<eta_correlation, 3> rho{{{"cl", "v1", 0.6}, {"cl", "ka", 0.3}, {"v1", "ka", -0.2}}};
  const omega om = omega_from_cv({"cl", "v1", "ka"}, cv, rho, cv_convention::exact_lognormal);
  const eta_sampler s(om);
  ASSERT_EQ(s.size(), 3u);
  test_rng rng(20240401);
  std::array<double, 3> sum{};
  std::array<double, 9> cross{};
  std::array<double, 3> z{}, eta{};
  for (int k = 0; k < n_draws; ++k) {
    for (double& v : z) v = rng.normal();
    s.sample(z, eta);
    for (std::size_t i = 0; i < 3; ++i) {
      sum[i] += eta[i];
      for (std::size_t j = 0; j < 3; ++j) cross[i * 3 + j] += eta[i] * eta[j];
    }
  }
  const double n = n_draws;
  double worst = 0.0;
  for (std::size_t i = 0; i < 3; ++i) {
    const double mean = sum[i] / n;
    EXPECT_LT(std::abs(mean), 4.0 * std::sqrt(om.at(i, i) / n)) << "mean of eta " << i;
    for (std::size_t j = 0; j < 3; ++j) {
      const double cov = (cross[i * 3 + j] - n * (sum[i] / n) * (sum[j] / n)) / (n - 1.0);
      const double se = std::sqrt((om.at(i, i) * om.at(j, j) + om.at(i, j) * om.at(i, j)) / n);
      const double zscore = (cov - om.at(i, j)) / se;
      worst = std::max(worst, std::abs(zscore));
      EXPECT_LT(std::abs(zscore), 4.0) << "cov(" << i << "," << j << ") = " << cov << " vs " << om.at(i, j);
    }
  }
  std::printf("[ measured ] eta covariance: largest deviation %.2f standard errors\n", worst);
}

TEST(eta_sampler, rejects_wrong_number_of_draws) {
  const eta_sampler s(clonazepam_omega_preset());
  std::array<double, 2> z{}, eta{};
  EXPECT_THROW(s.sample(z, std::span<double>(eta).first(1)), invalid_parameter);
  EXPECT_THROW(s.sample(std::span<const double>(z).first(1), eta), invalid_parameter);
}

TEST(eta_sampler, lognormal_parameter_cv_matches_requested_cv) {
  // Through individual_parameters: CL_i = CL exp(eta). Tolerance 1.2 % relative on the CV, about 4
  // standard errors for 200 000 log-normal draws (SE of ln SD ~ sqrt((kurtosis - 1) / 4n) = 0.21 %).
  for (const auto convention : {cv_convention::exact_lognormal, cv_convention::sqrt_omega}) {
    const std::array<double, 1> cv{30.0};
    const omega om = omega_from_cv({"cl"}, cv, {}, convention);
    const eta_sampler s(om);
    const eta_map map = eta_map::from_names(om);
    const auto params = clonazepam_covariate_preset();
    test_rng rng(7);
    std::vector<double> cl(n_draws);
    std::array<double, 1> z{}, eta{};
    for (auto& c : cl) {
      z[0] = rng.normal();
      s.sample(z, eta);
      c = individual_parameters(typical, params, reference_person(), eta, map).cl_lph;
    }
    const auto m = sample_moments(cl);
    const double expected_cv = cv_from_variance(om.at(0, 0), cv_convention::exact_lognormal) / 100.0;
    EXPECT_TRUE(benzosim::test::close_rel(m.sd / m.mean, expected_cv, 0.012)) << to_string(convention);
    std::printf("[ measured ] %s 30 %%: CV of CL %.4f (expected %.4f)\n", std::string(to_string(convention)).c_str(),
                m.sd / m.mean, expected_cv);
  }
}

TEST(eta_map, maps_names_and_rejects_bad_links) {
  const std::array<double, 2> cv{20.0, 30.0};
  const omega om = omega_from_cv({"cl", "v1"}, cv, {}, cv_convention::sqrt_omega);
  const eta_map m = eta_map::from_names(om);
  ASSERT_EQ(m.links.size(), 2u);
  EXPECT_EQ(m.links[1].parameter, pk_parameter::v1);
  EXPECT_EQ(m.links[1].eta, 1u);
  EXPECT_THROW(eta_map::from_names(omega_from_cv({"CL"}, std::array<double, 1>{20.0}, {}, cv_convention::sqrt_omega)),
               benzosim::error);
  std::string name;
  thrown_message([] { eta_map{{{pk_parameter::ka, 2}}}.validate(2); }, &name);
  EXPECT_EQ(name, "eta_map.ka");
  EXPECT_THROW((eta_map{{{pk_parameter::cl, 0}, {pk_parameter::cl, 1}}}.validate(2)), invalid_parameter);
  EXPECT_NO_THROW((eta_map{{{pk_parameter::cl, 0}, {pk_parameter::q, 0}}}.validate(1)));  // shared eta
  for (const auto p : {pk_parameter::ka, pk_parameter::cl, pk_parameter::v1, pk_parameter::q, pk_parameter::v2,
                       pk_parameter::f, pk_parameter::tlag}) {
    EXPECT_EQ(parse_pk_parameter(to_string(p)), p);
  }
}

// ---------------------------------------------------------------------------------------------------
// Residual error

TEST(residual_error, moments_match_formulas) {
  const double f = 10.0, sa = 0.5, sp = 0.2;
  struct expected_case {
    residual_error e;
    double mean;  // of y - f
    double sd;    // of y - f
  };
  const double sl2 = sp * sp;
  const std::vector<expected_case> cases{
      {{residual_kind::additive, sa, 0.0}, 0.0, sa},
      {{residual_kind::proportional, 0.0, sp}, 0.0, sp * f},
      {{residual_kind::combined, sa, sp}, 0.0, std::sqrt(sa * sa + sp * sp * f * f)},
      {{residual_kind::combined_sum, sa, sp}, 0.0, std::sqrt(sa * sa + sp * sp * f * f)},
      {{residual_kind::exponential, 0.0, sp}, f * std::expm1(sl2 / 2), f * std::sqrt(std::exp(sl2) * std::expm1(sl2))},
  };
  for (const auto& c : cases) {
    ASSERT_NO_THROW(c.e.validate());
    test_rng rng(99);
    std::vector<double> d(n_draws), logd(n_draws);
    for (int k = 0; k < n_draws; ++k) {
      const double e1 = rng.normal(), e2 = rng.normal();
      const double y = c.e.apply(f, e1, e2);
      d[static_cast<std::size_t>(k)] = y - f;
      logd[static_cast<std::size_t>(k)] = std::log(y / f);
    }
    const auto m = sample_moments(d);
    const double n = n_draws;
    const std::string kind{to_string(c.e.kind)};
    EXPECT_LT(std::abs(m.mean - c.mean), 4.0 * c.sd / std::sqrt(n)) << kind << " mean " << m.mean;
    if (c.e.kind == residual_kind::exponential) {
      // y - f is skewed; its SD is checked at 1 % and ln(y/f) ~ N(0, sp) at 4 SE.
      EXPECT_TRUE(benzosim::test::close_rel(m.sd, c.sd, 0.01)) << kind << " sd " << m.sd;
      const auto ml = sample_moments(logd);
      EXPECT_LT(std::abs(ml.mean), 4.0 * sp / std::sqrt(n));
      EXPECT_LT(std::abs(ml.sd - sp), 4.0 * sp / std::sqrt(2.0 * n));
    } else {
      EXPECT_LT(std::abs(m.sd - c.sd), 4.0 * c.sd / std::sqrt(2.0 * n)) << kind << " sd " << m.sd;
    }
    std::printf("[ measured ] %-12s mean(y-f) %+.4f (expected %+.4f), sd %.4f (expected %.4f)\n", kind.c_str(), m.mean,
                c.mean, m.sd, c.sd);
  }
}

TEST(residual_error, applies_each_formula_exactly) {
  EXPECT_DOUBLE_EQ((residual_error{residual_kind::additive, 0.5, 0.0}.apply(2.0, 1.5, 9.0)), 2.75);
  EXPECT_DOUBLE_EQ((residual_error{residual_kind::proportional, 0.0, 0.2}.apply(2.0, 1.5, 9.0)), 2.6);
  EXPECT_DOUBLE_EQ((residual_error{residual_kind::combined, 0.3, 0.2}.apply(2.0, 1.0, 9.0)), 2.5);
  EXPECT_DOUBLE_EQ((residual_error{residual_kind::combined_sum, 0.5, 0.2}.apply(2.0, 1.5, -1.0)), 2.1);
  EXPECT_DOUBLE_EQ((residual_error{residual_kind::exponential, 0.0, 0.2}.apply(2.0, 1.5, 9.0)), 2.0 * std::exp(0.3));
}

TEST(residual_error, additive_error_is_not_clamped) {
  const residual_error e{residual_kind::additive, 1.0, 0.0};
  EXPECT_DOUBLE_EQ(e.apply(0.1, -1.0, 0.0), -0.9);
}

TEST(residual_error, validate_and_apply_reject_bad_values) {
  std::string name;
  thrown_message([] { residual_error{residual_kind::proportional, 0.0, -0.1}.validate(); }, &name);
  EXPECT_EQ(name, "residual.sd_prop");
  const std::string msg = thrown_message([] { residual_error{residual_kind::additive, 0.5, 0.1}.validate(); }, &name);
  EXPECT_EQ(name, "residual.sd_prop");
  EXPECT_NE(msg.find("not used"), std::string::npos) << msg;
  EXPECT_THROW((residual_error{residual_kind::combined, std::nan(""), 0.1}.validate()), invalid_parameter);
  EXPECT_THROW((void)(residual_error{residual_kind::additive, 0.5, 0.0}.apply(1.0, std::nan(""), 0.0)),
               invalid_parameter);
  EXPECT_EQ(parse_residual_kind("combined_sum"), residual_kind::combined_sum);
  EXPECT_EQ(to_string(residual_kind::exponential), "exponential");
  EXPECT_THROW(parse_residual_kind("log"), benzosim::error);
}

// ---------------------------------------------------------------------------------------------------
// Covariates

TEST(clonazepam_covariates, weight_doubling_scales_clearances_and_volumes) {
  const auto params = clonazepam_covariate_preset();
  auto person = reference_person();
  const auto ref = individual_parameters(typical, params, person, {}, {});
  EXPECT_EQ(ref.cl_lph, typical.cl_lph);
  EXPECT_EQ(ref.v1_l, typical.v1_l);
  person.weight_kg = 140.0;
  const auto p = individual_parameters(typical, params, person, {}, {});
  EXPECT_DOUBLE_EQ(p.cl_lph, typical.cl_lph * std::pow(2.0, 0.75));
  EXPECT_DOUBLE_EQ(p.q_lph, typical.q_lph * std::pow(2.0, 0.75));
  EXPECT_DOUBLE_EQ(p.v1_l, 2.0 * typical.v1_l);
  EXPECT_DOUBLE_EQ(p.v2_l, 2.0 * typical.v2_l);
  EXPECT_EQ(p.ka_per_h, typical.ka_per_h);
  EXPECT_EQ(p.f, typical.f);
  EXPECT_EQ(p.tlag_h, typical.tlag_h);
  EXPECT_EQ(p.fu, typical.fu);
}

TEST(clonazepam_covariates, comedication_multiplies_clearance) {
  const auto params = clonazepam_covariate_preset();
  auto person = reference_person();
  person.inducing_aeds = 1;
  EXPECT_DOUBLE_EQ(individual_parameters(typical, params, person, {}, {}).cl_lph, typical.cl_lph * 1.18);
  person.inducing_aeds = 2;
  EXPECT_DOUBLE_EQ(individual_parameters(typical, params, person, {}, {}).cl_lph,
                   typical.cl_lph * 2.12 * std::pow(70.0, -0.119));
  person.inducing_aeds = 3;  // "2+"
  EXPECT_DOUBLE_EQ(comedication_cl_factor(params, person), 2.12 * std::pow(70.0, -0.119));
  person.weight_kg = 30.0;  // Yukawa's weight dependence of the >= 2 AED factor
  EXPECT_TRUE(benzosim::test::close_rel(comedication_cl_factor(params, person), 2.12 * std::pow(30.0, -0.119), 1e-13));
  person.inducing_aeds = 0;
  person.cyp3a4_inhibitor = true;
  EXPECT_DOUBLE_EQ(comedication_cl_factor(params, person), 0.7);
  person.inducing_aeds = 1;
  EXPECT_DOUBLE_EQ(comedication_cl_factor(params, person), 1.18 * 0.7);
  // Q is not changed by co-medication.
  person.weight_kg = 70.0;
  EXPECT_EQ(individual_parameters(typical, params, person, {}, {}).q_lph, typical.q_lph);
}

TEST(clonazepam_covariates, reproduces_yukawa_2002_clearance) {
  // Yukawa 2002: CL/F = 152 mL/kg/h x TBW^-0.181, i.e. 152 TBW^0.819 mL/h, x 2.12 TBW^-0.119 with >= 2 AEDs.
  auto params = clonazepam_covariate_preset();
  params.allometric_cl = 1.0 - 0.181;
  auto yukawa = typical;
  yukawa.f = 1.0;  // Yukawa's clearance is apparent
  yukawa.cl_lph = 152.0 * std::pow(70.0, 0.819) / 1000.0;
  for (const double w : {5.5, 20.0, 45.0, 75.0}) {
    clonazepam_covariates person{w, 10.0, biological_sex::male, 0, false};
    const double mono = 152.0 * std::pow(w, 0.819) / 1000.0;
    EXPECT_TRUE(benzosim::test::close_rel(individual_parameters(yukawa, params, person, {}, {}).cl_lph, mono, 1e-12));
    person.inducing_aeds = 2;
    EXPECT_TRUE(benzosim::test::close_rel(individual_parameters(yukawa, params, person, {}, {}).cl_lph,
                                          mono * 2.12 * std::pow(w, -0.119), 1e-12));
  }
}

TEST(clonazepam_covariates, age_and_sex_change_nothing) {
  const auto params = clonazepam_covariate_preset();
  const auto a = individual_parameters(typical, params, {70.0, 20.0, biological_sex::female, 0, false}, {}, {});
  const auto b = individual_parameters(typical, params, {70.0, 85.0, biological_sex::male, 0, false}, {}, {});
  EXPECT_EQ(a.cl_lph, b.cl_lph);
  EXPECT_EQ(a.v1_l, b.v1_l);
  EXPECT_EQ(a.q_lph, b.q_lph);
  EXPECT_EQ(a.v2_l, b.v2_l);
  EXPECT_EQ(a.ka_per_h, b.ka_per_h);
}

TEST(clonazepam_covariates, etas_act_log_normally_and_on_logit_f) {
  const auto params = clonazepam_covariate_preset();
  const std::array<double, 3> eta{0.3, -0.2, 0.5};
  const eta_map map{{{pk_parameter::cl, 0}, {pk_parameter::q, 0}, {pk_parameter::ka, 1}, {pk_parameter::f, 2}}};
  auto person = reference_person();
  person.inducing_aeds = 1;
  const auto p = individual_parameters(typical, params, person, eta, map);
  EXPECT_DOUBLE_EQ(p.cl_lph, typical.cl_lph * 1.18 * std::exp(0.3));
  EXPECT_DOUBLE_EQ(p.q_lph, typical.q_lph * std::exp(0.3));  // shared eta
  EXPECT_DOUBLE_EQ(p.ka_per_h, typical.ka_per_h * std::exp(-0.2));
  const double logit = std::log(0.9 / 0.1) + 0.5;
  EXPECT_DOUBLE_EQ(p.f, 1.0 / (1.0 + std::exp(-logit)));
  EXPECT_LT(p.f, 1.0);
  EXPECT_EQ(p.v1_l, typical.v1_l);
  // A non-finite eta or an absurd one is rejected, never passed on.
  const std::array<double, 3> bad{std::nan(""), 0.0, 0.0};
  EXPECT_THROW(individual_parameters(typical, params, person, bad, map), invalid_parameter);
  const std::array<double, 3> huge{800.0, 0.0, 0.0};
  EXPECT_THROW(individual_parameters(typical, params, person, huge, map), invalid_parameter);
}

TEST(clonazepam_covariates, invalid_inputs_name_the_field) {
  std::string name;
  auto params = clonazepam_covariate_preset();
  params.cyp3a4_inhibitor_factor = 0.0;
  thrown_message([&] { params.validate(); }, &name);
  EXPECT_EQ(name, "pk.covariates.cyp3a4_inhibitor_factor");
  thrown_message([] { clonazepam_covariates{0.0, 40.0, biological_sex::male, 0, false}.validate(); }, &name);
  EXPECT_EQ(name, "covariates.weight_kg");
  thrown_message([] { clonazepam_covariates{70.0, 40.0, biological_sex::male, -1, false}.validate(); }, &name);
  EXPECT_EQ(name, "covariates.inducing_aeds");
}

TEST(clonazepam_covariates, uncertain_parts_flag_the_assumed_values) {
  const auto parts = uncertain_parts(clonazepam_covariate_preset());
  ASSERT_FALSE(parts.empty());
  EXPECT_NE(parts[0].find("CYP3A4"), std::string::npos);
  EXPECT_NE(parts[0].find("assumed"), std::string::npos);
  bool age_sex = false;
  for (const auto& s : parts) age_sex = age_sex || s.find("age and sex") != std::string::npos;
  EXPECT_TRUE(age_sex);
  const auto iiv = uncertain_parts(clonazepam_omega_preset());
  ASSERT_EQ(iiv.size(), 1u);
  EXPECT_NE(iiv[0].find("ka, v1, q, v2, f, tlag"), std::string::npos) << iiv[0];
}

// ---------------------------------------------------------------------------------------------------
// Virtual population

TEST(covariate_distribution, samples_respect_bounds_and_fractions) {
  const auto d = adult_outpatient_population();
  test_rng rng(31415);
  std::vector<double> w(n_draws), age(n_draws);
  int male = 0, one = 0, two = 0, inhibitor = 0;
  std::array<double, covariate_uniform_count> u{};
  for (int k = 0; k < n_draws; ++k) {
    for (double& v : u) v = rng.uniform();
    const auto c = sample_covariates(d, u);
    ASSERT_GE(c.weight_kg, d.weight_min_kg);
    ASSERT_LE(c.weight_kg, d.weight_max_kg);
    ASSERT_GE(c.age_y, d.age_min_y);
    ASSERT_LE(c.age_y, d.age_max_y);
    w[static_cast<std::size_t>(k)] = c.weight_kg;
    age[static_cast<std::size_t>(k)] = c.age_y;
    male += c.sex == biological_sex::male;
    one += c.inducing_aeds == 1;
    two += c.inducing_aeds == 2;
    inhibitor += c.cyp3a4_inhibitor;
  }
  const double n = n_draws;
  auto check_fraction = [&](int count, double p, const char* what) {
    const double se = std::sqrt(p * (1.0 - p) / n);
    EXPECT_LT(std::abs(count / n - p), 4.0 * se) << what << " " << count / n << " vs " << p;
    std::printf("[ measured ] %-16s %.4f (expected %.4f, %.1f SE)\n", what, count / n, p, (count / n - p) / se);
  };
  check_fraction(male, d.fraction_male, "male");
  check_fraction(one, d.fraction_one_inducer, "one inducer");
  check_fraction(two, d.fraction_two_plus_inducers, "2+ inducers");
  check_fraction(inhibitor, d.fraction_cyp3a4_inhibitor, "CYP3A4 inhibitor");

  // Mean of the truncated log-normal: exp(mu + s^2/2) (Phi(b - s) - Phi(a - s)) / (Phi(b) - Phi(a)).
  const double s2 = std::log1p(d.weight_cv * d.weight_cv), s = std::sqrt(s2);
  const double mu = std::log(d.weight_mean_kg) - s2 / 2;
  const double a = (std::log(d.weight_min_kg) - mu) / s, b = (std::log(d.weight_max_kg) - mu) / s;
  const double expected = std::exp(mu + s2 / 2) * (phi(b - s) - phi(a - s)) / (phi(b) - phi(a));
  const auto mw = sample_moments(w);
  EXPECT_LT(std::abs(mw.mean - expected), 4.0 * mw.sd / std::sqrt(n)) << mw.mean << " vs " << expected;
  const auto ma = sample_moments(age);
  const double age_sd = (d.age_max_y - d.age_min_y) / std::sqrt(12.0);
  EXPECT_LT(std::abs(ma.mean - 0.5 * (d.age_min_y + d.age_max_y)), 4.0 * age_sd / std::sqrt(n));
  std::printf("[ measured ] weight mean %.3f kg (truncated log-normal %.3f), sd %.3f kg\n", mw.mean, expected, mw.sd);
}

TEST(covariate_distribution, weight_is_the_truncated_lognormal_quantile) {
  auto d = adult_outpatient_population();
  d.weight_min_kg = 1.0;  // truncation negligible (8 SD away)
  d.weight_max_kg = 400.0;
  const double s2 = std::log1p(d.weight_cv * d.weight_cv);
  const double mu = std::log(d.weight_mean_kg) - s2 / 2;
  for (const double zq : {-2.0, -0.5, 0.0, 1.0, 2.5}) {
    const std::array<double, covariate_uniform_count> u{phi(zq), 0.5, 0.5, 0.5, 0.5};
    EXPECT_TRUE(benzosim::test::close_rel(sample_covariates(d, u).weight_kg, std::exp(mu + std::sqrt(s2) * zq), 1e-9))
        << zq;
  }
  d = adult_outpatient_population();
  const std::array<double, covariate_uniform_count> lo{0.0, 0.0, 0.0, 0.0, 0.0}, hi{1.0, 1.0, 1.0, 1.0, 1.0};
  EXPECT_DOUBLE_EQ(sample_covariates(d, lo).weight_kg, d.weight_min_kg);
  EXPECT_DOUBLE_EQ(sample_covariates(d, hi).weight_kg, d.weight_max_kg);
  EXPECT_EQ(sample_covariates(d, lo).age_y, d.age_min_y);
}

TEST(covariate_distribution, upper_tail_truncation_keeps_precision) {
  // Bounds 4-6 SD above the median: the inverse CDF works from the upper tail.
  covariate_distribution d = adult_outpatient_population();
  d.weight_mean_kg = 60.0;
  d.weight_cv = 0.1;
  d.weight_min_kg = 90.0;
  d.weight_max_kg = 110.0;
  ASSERT_NO_THROW(d.validate());
  double previous = 0.0;
  for (int k = 0; k <= 100; ++k) {
    const std::array<double, covariate_uniform_count> u{k / 100.0, 0.5, 0.5, 0.5, 0.5};
    const double w = sample_covariates(d, u).weight_kg;
    EXPECT_GE(w, 90.0);
    EXPECT_LE(w, 110.0);
    EXPECT_GE(w, previous);  // monotone in u
    previous = w;
  }
  // The median of a steeply falling tail lies close to the lower bound: Q(x) = Q(a) / 2.
  const double s2 = std::log1p(0.01), s = std::sqrt(s2), mu = std::log(60.0) - s2 / 2;
  const double a = (std::log(90.0) - mu) / s;
  const std::array<double, covariate_uniform_count> half{0.5, 0.5, 0.5, 0.5, 0.5};
  const double w = sample_covariates(d, half).weight_kg;
  const double x = (std::log(w) - mu) / s;
  const double qa = 0.5 * std::erfc(a / std::numbers::sqrt2),
               qb = 0.5 * std::erfc((std::log(110.0) - mu) / s / std::numbers::sqrt2);
  EXPECT_TRUE(benzosim::test::close_rel(0.5 * std::erfc(x / std::numbers::sqrt2), qa - 0.5 * (qa - qb), 1e-8));
}

TEST(covariate_distribution, invalid_distributions_name_the_field) {
  std::string name;
  auto d = adult_outpatient_population();
  d.fraction_one_inducer = 0.7;
  d.fraction_two_plus_inducers = 0.4;
  thrown_message([&] { d.validate(); }, &name);
  EXPECT_EQ(name, "population.fraction_one_inducer + fraction_two_plus_inducers");
  d = adult_outpatient_population();
  d.weight_max_kg = 30.0;
  thrown_message([&] { d.validate(); }, &name);
  EXPECT_EQ(name, "population.weight_max_kg");
  d = adult_outpatient_population();
  d.weight_min_kg = 300.0;  // 13 SD above the mean: holds nothing
  d.weight_max_kg = 400.0;
  const std::string msg = thrown_message([&] { d.validate(); }, &name);
  EXPECT_NE(msg.find("at least 1e-6"), std::string::npos) << msg;
  d = adult_outpatient_population();
  const std::array<double, 4> short_u{0.5, 0.5, 0.5, 0.5};
  EXPECT_THROW(sample_covariates(d, short_u), invalid_parameter);
  const std::array<double, covariate_uniform_count> bad_u{0.5, 1.5, 0.5, 0.5, 0.5};
  thrown_message([&] { (void)sample_covariates(d, bad_u); }, &name);
  EXPECT_EQ(name, "covariate uniform 2");
}

// ---------------------------------------------------------------------------------------------------
// Covariate tables (real subjects)

covariate_table three_subjects(covariate_draw draw) {
  covariate_table t;
  t.source = "subjects.csv";
  t.draw = draw;
  t.rows = {{"A", {55.0, 30.0, biological_sex::female, 0, false}},
            {"B", {80.0, 50.0, biological_sex::male, 1, false}},
            {"", {95.0, 70.0, biological_sex::female, 2, true}}};
  return t;
}

TEST(covariate_table, in_order_gives_patient_i_row_i) {
  const auto t = three_subjects(covariate_draw::in_order);
  ASSERT_NO_THROW(t.validate());
  for (std::uint64_t i = 0; i < 3; ++i) {
    for (const double u : {0.0, 0.5, 0.99}) {  // u plays no part
      const auto c = covariates_from_table(t, i, u);
      EXPECT_EQ(c.weight_kg, t.rows[i].covariates.weight_kg) << i;
      EXPECT_EQ(c.age_y, t.rows[i].covariates.age_y) << i;
      EXPECT_EQ(c.sex, t.rows[i].covariates.sex) << i;
      EXPECT_EQ(c.inducing_aeds, t.rows[i].covariates.inducing_aeds) << i;
      EXPECT_EQ(c.cyp3a4_inhibitor, t.rows[i].covariates.cyp3a4_inhibitor) << i;
    }
  }
  std::string name;
  const std::string msg = thrown_message([&] { (void)covariates_from_table(t, 3, 0.5); }, &name);
  EXPECT_EQ(name, "covariate_table.subject");
  EXPECT_NE(msg.find("patient 4 needs row 4 of covariate table subjects.csv, which has 3 rows"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("draw = resample"), std::string::npos) << msg;
}

TEST(covariate_table, resample_maps_u_to_rows_at_the_boundaries) {
  auto t = three_subjects(covariate_draw::resample);
  // row = min(floor(u * 3), 2): [0, 1/3) -> 0, [1/3, 2/3) -> 1, [2/3, 1] -> 2.
  const struct {
    double u;
    double weight;
  } cases[] = {{0.0, 55.0},  {std::nextafter(1.0 / 3.0, 0.0), 55.0}, {0.34, 80.0}, {0.66, 80.0},
               {0.67, 95.0}, {std::nextafter(1.0, 0.0), 95.0},       {1.0, 95.0}};
  for (const auto& c : cases) EXPECT_EQ(covariates_from_table(t, 0, c.u).weight_kg, c.weight) << c.u;
  // The subject number plays no part, and may exceed the rows.
  EXPECT_EQ(covariates_from_table(t, 1000, 0.0).weight_kg, 55.0);
  std::string name;
  thrown_message([&] { (void)covariates_from_table(t, 0, 1.5); }, &name);
  EXPECT_EQ(name, "covariate uniform 1");
  thrown_message([&] { (void)covariates_from_table(t, 0, std::nan("")); }, &name);
  EXPECT_EQ(name, "covariate uniform 1");
}

TEST(covariate_table, resample_draws_every_row_with_probability_one_over_rows) {
  // A bootstrap: each row's frequency is Binomial(n, 1/rows)/n, SE sqrt(p (1 - p) / n); 4 SE per row (7 rows:
  // a false alarm with probability < 7 x 6.3e-5).
  covariate_table t;
  t.source = "seven.csv";
  t.draw = covariate_draw::resample;
  for (int k = 0; k < 7; ++k) t.rows.push_back({"", {50.0 + 10.0 * k, 40.0, biological_sex::female, 0, false}});
  std::array<int, 7> count{};
  test_rng rng(2718);
  for (int k = 0; k < n_draws; ++k) {
    const double w = covariates_from_table(t, static_cast<std::uint64_t>(k), rng.uniform()).weight_kg;
    ++count[static_cast<std::size_t>(std::lround((w - 50.0) / 10.0))];
  }
  const double n = n_draws, p = 1.0 / 7.0, se = std::sqrt(p * (1.0 - p) / n);
  for (std::size_t r = 0; r < count.size(); ++r) {
    EXPECT_LT(std::abs(count[r] / n - p), 4.0 * se) << "row " << r + 1 << ": " << count[r] / n << " vs " << p;
    std::printf("[ measured ] row %zu frequency %.5f (expected %.5f, %.1f SE)\n", r + 1, count[r] / n, p,
                (count[r] / n - p) / se);
  }
}

TEST(covariate_table, validation_names_the_source_and_the_row) {
  std::string name;
  covariate_table empty;
  empty.source = "none.csv";
  std::string msg = thrown_message([&] { empty.validate(); }, &name);
  EXPECT_EQ(name, "covariate_table.rows");
  EXPECT_NE(msg.find("covariate table none.csv has no rows"), std::string::npos) << msg;
  msg = thrown_message([&] { (void)covariates_from_table(empty, 0, 0.5); }, &name);
  EXPECT_EQ(name, "covariate_table.rows");

  auto t = three_subjects(covariate_draw::in_order);
  t.rows[1].covariates.weight_kg = 0.5;
  msg = thrown_message([&] { t.validate(); }, &name);
  EXPECT_EQ(name, "covariate_table.row 2.covariates.weight_kg");
  EXPECT_NE(msg.find("covariate table subjects.csv, row 2 of 3 (id B): covariates.weight_kg = 0.5 kg"),
            std::string::npos)
      << msg;
  // The row a patient takes is checked too (the others are validate()'s job).
  thrown_message([&] { (void)covariates_from_table(t, 1, 0.0); }, &name);
  EXPECT_EQ(name, "covariate_table.row 2.covariates.weight_kg");
  EXPECT_NO_THROW((void)covariates_from_table(t, 0, 0.0));

  t = three_subjects(covariate_draw::in_order);
  t.rows[2].covariates.age_y = 130.0;
  msg = thrown_message([&] { t.validate(); }, &name);
  EXPECT_EQ(name, "covariate_table.row 3.covariates.age_y");
  EXPECT_EQ(msg.find("(id"), std::string::npos) << "row 3 has no id: " << msg;
}

TEST(covariate_table, draw_names_round_trip) {
  for (const auto d : {covariate_draw::in_order, covariate_draw::resample}) {
    EXPECT_EQ(parse_covariate_draw(to_string(d)), d);
  }
  try {
    (void)parse_covariate_draw("bootstrap");
    ADD_FAILURE() << "no error thrown";
  } catch (const benzosim::error& e) {
    EXPECT_NE(std::string{e.what()}.find("in_order, resample"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------------------------------------------
// Replicates

TEST(replicate_perturbation, moments_match_the_relative_standard_errors) {
  const theta_uncertainty u{21.0, 12.0, 9.0, 28.0, 39.0, 5.0, 8.0};
  test_rng rng(2718);
  std::array<std::vector<double>, theta_draw_count> values;
  std::array<double, theta_draw_count> z{};
  for (int k = 0; k < n_draws; ++k) {
    for (double& v : z) v = rng.normal();
    const auto p = perturb_typical(typical, u, z);
    ASSERT_EQ(p.fu, typical.fu);
    ASSERT_LE(p.f, 1.0);
    const std::array<double, theta_draw_count> row{p.ka_per_h, p.cl_lph, p.v1_l, p.q_lph, p.v2_l, p.f, p.tlag_h};
    for (std::size_t i = 0; i < theta_draw_count; ++i) values[i].push_back(row[i]);
  }
  const std::array<double, theta_draw_count> base{typical.ka_per_h, typical.cl_lph, typical.v1_l,  typical.q_lph,
                                                  typical.v2_l,     typical.f,      typical.tlag_h};
  const std::array<double, theta_draw_count> rse{21.0, 12.0, 9.0, 28.0, 39.0, 5.0, 8.0};
  const std::array<const char*, theta_draw_count> names{"ka", "cl", "v1", "q", "v2", "f", "tlag"};
  const double n = n_draws;
  for (std::size_t i = 0; i < theta_draw_count; ++i) {
    const double r = rse[i] / 100.0;
    if (i == 5) {
      // F: logit(F_r) - logit(F) ~ N(0, (RSE / (1 - F))^2) exactly; its CV is RSE only to first order.
      std::vector<double> shift;
      for (double f : values[i]) shift.push_back(std::log(f / (1.0 - f)) - std::log(0.9 / 0.1));
      const auto ms = sample_moments(shift);
      const double sd = r / (1.0 - 0.9);
      EXPECT_LT(std::abs(ms.mean), 4.0 * sd / std::sqrt(n));
      EXPECT_LT(std::abs(ms.sd - sd), 4.0 * sd / std::sqrt(2.0 * n));
      const auto mf = sample_moments(values[i]);
      EXPECT_TRUE(benzosim::test::close_rel(mf.sd / mf.mean, r, 0.15)) << "F CV " << mf.sd / mf.mean;
      std::printf("[ measured ] replicate f    : sd of logit shift %.4f (expected %.4f), CV %.4f (RSE %.4f)\n", ms.sd,
                  sd, mf.sd / mf.mean, r);
      continue;
    }
    std::vector<double> logs;
    for (double v : values[i]) logs.push_back(std::log(v / base[i]));
    const auto ml = sample_moments(logs);
    const double sd = std::sqrt(std::log1p(r * r));
    EXPECT_LT(std::abs(ml.mean), 4.0 * sd / std::sqrt(n)) << names[i];
    EXPECT_LT(std::abs(ml.sd - sd), 4.0 * sd / std::sqrt(2.0 * n)) << names[i];
    const auto mv = sample_moments(values[i]);
    EXPECT_TRUE(benzosim::test::close_rel(mv.sd / mv.mean, r, 0.015)) << names[i] << " CV " << mv.sd / mv.mean;
    std::printf("[ measured ] replicate %-5s: sd of ln %.4f (expected %.4f), CV %.4f (RSE %.4f)\n", names[i], ml.sd, sd,
                mv.sd / mv.mean, r);
  }
}

TEST(replicate_perturbation, zero_rse_keeps_the_typical_values) {
  const theta_uncertainty none{0, 0, 0, 0, 0, 0, 0};
  const std::array<double, theta_draw_count> z{1, -1, 2, -2, 0.5, 3, -3};
  const auto p = perturb_typical(typical, none, z);
  EXPECT_EQ(p.cl_lph, typical.cl_lph);
  EXPECT_EQ(p.f, typical.f);
  EXPECT_EQ(p.tlag_h, typical.tlag_h);
  const std::array<double, theta_draw_count - 1> short_z{};
  EXPECT_THROW(perturb_typical(typical, none, short_z), invalid_parameter);
  std::string name;
  thrown_message([] { theta_uncertainty{-1, 0, 0, 0, 0, 0, 0}.validate(); }, &name);
  EXPECT_EQ(name, "theta_uncertainty.ka_rse_pct");
}

// ---------------------------------------------------------------------------------------------------
// Presets

TEST(variability, clonazepam_presets_are_valid_and_sourced) {
  const omega om = clonazepam_omega_preset();
  EXPECT_NO_THROW(om.validate());
  EXPECT_DOUBLE_EQ(om.at(0, 0), 0.201 * 0.201);  // Yukawa 2002, sqrt_omega convention
  const auto res = clonazepam_residual_preset();
  EXPECT_NO_THROW(res.validate());
  EXPECT_EQ(res.kind, residual_kind::proportional);
  EXPECT_EQ(res.sd_prop, 0.186);
  const auto cp = clonazepam_covariate_preset();
  EXPECT_NO_THROW(cp.validate());
  EXPECT_NEAR(cp.inducer_two_plus_factor, 1.2787, 1e-4);
  const auto tu = clonazepam_theta_uncertainty_preset();
  EXPECT_EQ(tu.ka_rse_pct, 21.0);  // dos Santos 2009
  EXPECT_EQ(tu.tlag_rse_pct, 8.0);
  EXPECT_NO_THROW(adult_outpatient_population().validate());
}

}  // namespace
