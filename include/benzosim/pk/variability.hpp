// SPDX-License-Identifier: MIT
/// Population variability for the pk layer: between-subject variability (OMEGA, etas), residual error
/// (SIGMA, epsilons), the clonazepam covariate model, virtual-population covariates and parameter
/// uncertainty across replicates. Pure functions and value types with no random number generator inside:
/// callers pass standard-normal draws z ~ N(0, 1) or uniforms u in [0, 1], so results depend only on the
/// draws. Equations, numbers and sources: docs/variability.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <benzosim/pk/two_compartment.hpp>

namespace benzosim::pk {

// ---------------------------------------------------------------------------------------------------
// Between-subject variability

/// The covariance matrix of the etas (NONMEM $OMEGA), on the log scale of the parameters they act on.
struct omega {
  std::vector<std::string> names;  ///< one per eta, unique, non-empty
  std::vector<double> matrix;      ///< n x n row-major covariance; variances omega^2 on the diagonal

  [[nodiscard]] std::size_t size() const { return names.size(); }
  /// The covariance of etas i and j (0-based, unchecked).
  [[nodiscard]] double at(std::size_t i, std::size_t j) const { return matrix[i * names.size() + j]; }
  /// Throws invalid_parameter if the matrix is not n x n, an entry is non-finite, a variance is negative,
  /// the matrix is not symmetric, or it is not positive semi-definite (Cholesky with a tolerance; the
  /// message names the first failing row, 1-based, and its eta), or a name is empty or repeated.
  void validate() const;
};

/// How a "CV %" quoted for a log-normal parameter maps to the variance omega^2 of its eta.
///  exact_lognormal: CV is the coefficient of variation of exp(eta):  omega^2 = ln(1 + CV^2)
///  sqrt_omega:      CV is sqrt(omega^2), as NONMEM output usually quotes it:  omega^2 = CV^2
enum class cv_convention { exact_lognormal, sqrt_omega };
std::string_view to_string(cv_convention c);
/// "exact_lognormal" or "sqrt_omega"; throws error listing the valid names otherwise.
cv_convention parse_cv_convention(std::string_view name);

/// omega^2 for a CV [%] (0 <= CV <= 1000) under a convention.
double variance_from_cv(double cv_percent, cv_convention c);
/// The inverse: the CV [%] a variance omega^2 corresponds to under a convention.
double cv_from_variance(double omega2, cv_convention c);

/// A correlation between two named etas, -1 <= rho <= 1.
struct eta_correlation {
  std::string first;
  std::string second;
  double rho;  ///< [1]
};

/// Builds and validates an OMEGA from CVs [%] and correlations (unlisted pairs are uncorrelated):
/// omega_ii = variance_from_cv(cv_i), omega_ij = rho_ij sqrt(omega_ii omega_jj).
omega omega_from_cv(std::vector<std::string> names, std::span<const double> cv_percent,
                    std::span<const eta_correlation> correlations, cv_convention convention);

/// Builds and validates an OMEGA from the lower triangle in NONMEM $OMEGA BLOCK(n) order
/// (omega11; omega21 omega22; omega31 omega32 omega33; ...), n(n+1)/2 values.
omega omega_from_lower_triangle(std::vector<std::string> names, std::span<const double> lower);

/// Draws correlated etas from independent standard-normal draws: eta = L z with OMEGA = L L^T.
class eta_sampler {
 public:
  /// Validates OMEGA and factorises it once (semi-definite allowed: a zero pivot gives a zero column).
  explicit eta_sampler(const omega& om);
  /// eta = L z. Both spans must have size() elements (throws invalid_parameter otherwise).
  void sample(std::span<const double> z, std::span<double> eta) const;
  [[nodiscard]] std::size_t size() const { return n_; }
  /// The lower-triangular factor L, n x n row-major.
  [[nodiscard]] const std::vector<double>& factor() const { return lower_; }

 private:
  std::size_t n_;
  std::vector<double> lower_;
};

// ---------------------------------------------------------------------------------------------------
// Residual error

/// How an observation y departs from the model prediction f, given standard-normal eps1, eps2.
///  additive:        y = f + sd_add eps1
///  proportional:    y = f (1 + sd_prop eps1)
///  combined:        y = f + sqrt(sd_add^2 + sd_prop^2 f^2) eps1      (variances add; NONMEM "combined 2")
///  combined_sum:    y = f (1 + sd_prop eps1) + sd_add eps2            (two epsilons; same distribution)
///  exponential:     y = f exp(sd_prop eps1)                           (log-normal; y has the sign of f)
/// Nothing is clamped: additive, proportional and combined errors can give negative observations.
enum class residual_kind { additive, proportional, combined, combined_sum, exponential };
std::string_view to_string(residual_kind k);
/// Throws error listing the valid names for an unknown one.
residual_kind parse_residual_kind(std::string_view name);

struct residual_error {
  residual_kind kind;
  double sd_add;   ///< additive SD [unit of the observation, e.g. ng/mL]; 0 for proportional/exponential
  double sd_prop;  ///< proportional SD [fraction, 0.186 = 18.6 %]; 0 for additive

  /// Throws invalid_parameter if an SD the kind uses is negative or non-finite, or one it does not use is
  /// not 0 (a value that would be silently ignored).
  void validate() const;
  /// The observation for prediction pred and draws eps1, eps2 (eps2 is used by combined_sum only).
  /// Throws invalid_parameter if an input is non-finite. Call validate() once before.
  [[nodiscard]] double apply(double pred, double eps1, double eps2) const;
};

// ---------------------------------------------------------------------------------------------------
// Individual parameters of the clonazepam model

/// The parameters of two_compartment_oral that an eta can act on; names are the drug-file keys
/// ("ka", "cl", "v1", "q", "v2", "f", "tlag"): v1 is central, v2 peripheral (ADVAN4 calls them V2, V3).
enum class pk_parameter { ka, cl, v1, q, v2, f, tlag };
std::string_view to_string(pk_parameter p);
/// Exact, lower-case names; throws error listing the valid ones.
pk_parameter parse_pk_parameter(std::string_view name);

/// Eta `eta` (0-based index into OMEGA) acts on `parameter`.
struct eta_link {
  pk_parameter parameter;
  std::size_t eta;
};

/// Which eta acts on which parameter. A parameter has at most one eta; one eta may act on several
/// parameters (a shared eta, as in NONMEM). Parameters without an eta take their covariate-adjusted value.
struct eta_map {
  std::vector<eta_link> links;

  /// Throws invalid_parameter if an index is >= eta_count or a parameter appears twice.
  void validate(std::size_t eta_count) const;
  /// Maps eta i to the parameter named omega.names[i]; every name must be a pk_parameter name.
  static eta_map from_names(const omega& om);
};

enum class biological_sex { female, male };
std::string_view to_string(biological_sex s);

/// One person's covariates.
struct clonazepam_covariates {
  double weight_kg;       ///< total body weight [kg], 1..400
  double age_y;           ///< [years], 0..120; no published effect, carried for later models
  biological_sex sex;     ///< no published effect, carried for later models
  int inducing_aeds;      ///< co-medicated enzyme-inducing antiepileptic drugs: 0, 1, or 2+ (>= 2)
  bool cyp3a4_inhibitor;  ///< co-medicated CYP3A4 inhibitor (ketoconazole, itraconazole, fluvoxamine ...)

  void validate() const;
};

/// Covariate effects on the typical (reference-weight, no co-medication) parameters.
struct clonazepam_covariate_params {
  double ref_weight_kg;                     ///< [kg] weight the typical values refer to
  double allometric_cl;                     ///< [1] exponent of W/ref on CL and Q
  double allometric_v;                      ///< [1] exponent of W/ref on V1 and V2
  double inducer_one_factor;                ///< [1] CL factor with one inducing AED
  double inducer_two_plus_factor;           ///< [1] CL factor with >= 2 inducing AEDs, at ref_weight_kg
  double inducer_two_plus_weight_exponent;  ///< [1] the >= 2 factor scales with (W/ref)^this (0: constant)
  double cyp3a4_inhibitor_factor;           ///< [1] CL factor with a CYP3A4 inhibitor: UNCERTAIN, assumed

  /// Throws invalid_parameter naming the first field that is non-finite or out of range.
  void validate() const;
};

/// P_i = P_typ x covariate effects x exp(eta) for ka, cl, v1, q, v2, tlag; F on the logit scale:
/// logit F_i = logit F_typ + eta (F stays in (0, 1]); fu has no variability. Covariate effects:
///   cl: (W/ref)^allometric_cl x inducer factor x CYP3A4 factor;  q: (W/ref)^allometric_cl;
///   v1, v2: (W/ref)^allometric_v;  ka, f, tlag: none;  age, sex: none (factor 1, not published).
/// Validates every input and the result.
two_compartment_oral individual_parameters(const two_compartment_oral& typical,
                                           const clonazepam_covariate_params& params, const clonazepam_covariates& cov,
                                           std::span<const double> eta, const eta_map& map);

/// The clearance factor of the co-medication alone (inducers x CYP3A4 inhibitor) for these covariates.
double comedication_cl_factor(const clonazepam_covariate_params& params, const clonazepam_covariates& cov);

/// Plain-language notes on the weakly supported parts of the covariate model (each output repeats them).
std::vector<std::string> uncertain_parts(const clonazepam_covariate_params& params);
/// Notes on what an OMEGA leaves out for the clonazepam model: parameters without an eta.
std::vector<std::string> uncertain_parts(const omega& om);

// ---------------------------------------------------------------------------------------------------
// Virtual population

/// Covariate distributions of a virtual population. Weight is log-normal with arithmetic mean
/// weight_mean_kg and CV weight_cv, truncated to [weight_min_kg, weight_max_kg]; age is uniform; sex,
/// inducers and inhibitor are independent categorical draws.
struct covariate_distribution {
  double weight_mean_kg;              ///< [kg] mean of the untruncated log-normal
  double weight_cv;                   ///< [fraction] CV of the untruncated log-normal (0.2 = 20 %)
  double weight_min_kg;               ///< [kg]
  double weight_max_kg;               ///< [kg]
  double age_min_y;                   ///< [years]
  double age_max_y;                   ///< [years]
  double fraction_male;               ///< [0..1]
  double fraction_one_inducer;        ///< [0..1]
  double fraction_two_plus_inducers;  ///< [0..1]; with fraction_one_inducer at most 1
  double fraction_cyp3a4_inhibitor;   ///< [0..1]

  /// Throws invalid_parameter naming the field; also if the bounds hold < 1e-6 of the weight distribution.
  void validate() const;
};

/// sample_covariates uses this many uniforms: weight, age, sex, inducers, CYP3A4 inhibitor (in that order).
inline constexpr std::size_t covariate_uniform_count = 5;

/// One person from the distribution. Weight by the inverse CDF of the truncated log-normal (exactly one
/// uniform per person, no rejection). u: covariate_uniform_count values in [0, 1].
clonazepam_covariates sample_covariates(const covariate_distribution& d, std::span<const double> u);

/// How the patients of a run take the rows of a covariate_table.
///  in_order: patient i of every replicate takes row i (the run needs subjects <= rows): the real
///            population itself, each subject once.
///  resample: every patient draws a row uniformly with replacement (a bootstrap of the real population),
///            so a run may have more patients than the table has rows.
enum class covariate_draw { in_order, resample };
std::string_view to_string(covariate_draw d);
/// "in_order" or "resample"; throws error listing the valid names otherwise.
covariate_draw parse_covariate_draw(std::string_view name);

/// One real subject of a covariate_table.
struct covariate_row {
  std::string id;  ///< as given in the source ("" when it has none); for messages only
  clonazepam_covariates covariates;
};

/// The covariates of real subjects (read by io from a CSV file), used instead of a covariate_distribution.
struct covariate_table {
  std::vector<covariate_row> rows;
  std::string source;  ///< where the rows came from (a file name), for messages
  covariate_draw draw = covariate_draw::in_order;

  [[nodiscard]] std::size_t size() const { return rows.size(); }
  /// Throws invalid_parameter if there are no rows or a row is invalid (clonazepam_covariates::validate);
  /// the message names the source, the row (1-based) and its id.
  void validate() const;
};

/// The covariates of patient `subject` (0-based, within its replicate). in_order: row `subject` (throws
/// invalid_parameter if subject >= rows); resample: row min(floor(u x rows), rows - 1) for u in [0, 1]
/// (u is ignored by in_order). Checks the chosen row only: call t.validate() once before.
clonazepam_covariates covariates_from_table(const covariate_table& t, std::uint64_t subject, double u);

// ---------------------------------------------------------------------------------------------------
// Parameter uncertainty across replicates (NONMEM NSUBPROBLEMS with a prior on THETA)

/// Relative standard errors [%] of the typical values, in two_compartment_oral field order. Log-normal:
/// ln P_r ~ N(ln P, ln(1 + RSE^2)); F on the logit scale with SD RSE / (1 - F) (delta method). 0 = fixed.
/// Estimates are treated as uncorrelated.
struct theta_uncertainty {
  double ka_rse_pct;
  double cl_rse_pct;
  double v1_rse_pct;
  double q_rse_pct;
  double v2_rse_pct;
  double f_rse_pct;
  double tlag_rse_pct;

  void validate() const;
};

/// perturb_typical uses this many standard-normal draws: ka, cl, v1, q, v2, f, tlag (in that order).
inline constexpr std::size_t theta_draw_count = 7;

/// The typical parameters of one replicate (fu is unchanged). z: theta_draw_count standard-normal draws.
two_compartment_oral perturb_typical(const two_compartment_oral& typical, const theta_uncertainty& u,
                                     std::span<const double> z);

// ---------------------------------------------------------------------------------------------------
// Clonazepam presets: the values proposed for data/drugs/clonazepam.toml, with sources and status in
// docs/variability.md. Scenarios should take them from the drug file once io reads them.

/// CL eta only: 20.1 % CV (Yukawa 2002, sqrt_omega convention, omega^2 = 0.0404). Other etas: not found.
omega clonazepam_omega_preset();
/// Proportional 18.6 % (Yukawa 2002).
residual_error clonazepam_residual_preset();
/// Reference 70 kg, allometry 0.75/1, inducers 1.18 and 2.12 x 70^-0.119 = 1.279 with (W/70)^-0.119
/// (Yukawa 2002), CYP3A4 inhibitor 0.7 (assumed, uncertain).
clonazepam_covariate_params clonazepam_covariate_preset();
/// ka 21 %, tlag 8 % (dos Santos 2009); cl, v1, q, v2 derived from dos Santos RSEs; f 5 % assumed.
theta_uncertainty clonazepam_theta_uncertainty_preset();
/// "Adult outpatient": weight 75 kg, CV 20 %, 40-150 kg; age 18-80; 34 % male; inducers 5 % / 2 %;
/// CYP3A4 inhibitor 5 %. All assumed except the sex ratio (Olfson 2015).
covariate_distribution adult_outpatient_population();

}  // namespace benzosim::pk
