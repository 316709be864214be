// SPDX-License-Identifier: MIT
/// Alcohol (ethanol): blood alcohol concentration from drinks (Widmark distribution, first-order absorption,
/// zero-order elimination, solved exactly), ethanol's own GABA-A potentiation on the pd modulation scale, and
/// its combination with the drug's net modulation (additive, capped). Equations, sources and what is
/// uncertain: docs/alcohol.md. The evidence for benzodiazepine + alcohol is mostly ADDITIVE impairment.
#pragma once

#include <vector>

#include <benzosim/pk/variability.hpp>

namespace benzosim::pd {

// ---- units ------------------------------------------------------------------------------------------------

/// Molar mass of ethanol [g/mol] (C2H5OH; standard atomic weights).
inline constexpr double ethanol_molar_mass_g_per_mol = 46.07;
/// Density of ethanol at 20 °C [g/mL] (physical constant; used to turn a beverage's volume and ABV into grams).
inline constexpr double ethanol_density_g_per_ml = 0.789;
/// One US standard drink [g ethanol] (NIAAA: 14 g = 0.6 fl oz, e.g. 12 oz beer at 5 %).
inline constexpr double us_standard_drink_g = 14.0;

/// BAC g/L -> g/100 mL ("%", the US legal unit): / 10. 0.8 g/L = 0.08 %.
constexpr double bac_percent(double bac_g_per_l) {
  return bac_g_per_l / 10.0;
}
/// BAC g/100 mL ("%") -> g/L: x 10.
constexpr double bac_g_per_l_from_percent(double bac_pct) {
  return bac_pct * 10.0;
}
/// BAC g/L -> mmol/L: x 1000 / 46.07. 1 g/L = 21.7 mmol/L.
constexpr double bac_mmol_per_l(double bac_g_per_l) {
  return bac_g_per_l * 1000.0 / ethanol_molar_mass_g_per_mol;
}

/// Grams of ethanol in n standard drinks of grams_per_drink each (default the US 14 g; UK unit 8 g,
/// Australian standard drink 10 g). Throws invalid_parameter unless n >= 0 and grams_per_drink > 0.
double grams_from_standard_drinks(double drinks, double grams_per_drink = us_standard_drink_g);
/// Grams of ethanol in volume_ml of a beverage at abv_percent alcohol by volume: ml x ABV/100 x 0.789.
/// 355 mL (12 oz) at 5 % -> 14.0 g. Throws invalid_parameter unless volume_ml >= 0 and 0 <= abv <= 100.
double grams_from_beverage(double volume_ml, double abv_percent);

// ---- pharmacokinetics ----------------------------------------------------------------------------------

/// One drink: its ethanol is swallowed at once at t_h and enters the stomach/gut depot.
struct drink {
  double t_h;        ///< time the drink is taken [h], same clock as the simulation grid
  double ethanol_g;  ///< grams of ethanol (not of beverage): > 0, <= 400
};

/// Widmark's distribution factor r [L/kg] for a sex: 0.68 (men), 0.55 (women). Widmark 1932, population
/// averages; individual values vary with body composition. Throws invalid_parameter for an unknown sex.
double widmark_r(pk::biological_sex sex);

/// Ethanol pharmacokinetics of one person. Weight and sex are required (patient inputs are never defaulted);
/// the model constants default to a typical adult, fasting; sources in docs/alcohol.md.
struct ethanol_pk_params {
  ethanol_pk_params(double weight, pk::biological_sex s) : weight_kg(weight), sex(s) {}

  double weight_kg;                  ///< body weight [kg], 20..300
  pk::biological_sex sex;            ///< selects Widmark's r unless r_override > 0
  double r_override = 0.0;           ///< [L/kg] an individual r (e.g. from body water); 0 = by sex
  double ka_per_h = 5.0;             ///< first-order absorption from the stomach/gut [1/h]; calibrated
  double beta_g_per_l_per_h = 0.15;  ///< zero-order elimination slope of BAC [g/L/h]; Jones 2010
  double bioavailability = 1.0;      ///< fraction of the drunk ethanol that is absorbed [0..1]; assumed

  /// Throws invalid_parameter naming the first bad field (alcohol.weight_kg, alcohol.sex ...).
  void validate() const;
  /// r_override if set, else widmark_r(sex) [L/kg].
  [[nodiscard]] double r() const;
  /// Distribution volume V = r x weight [L].
  [[nodiscard]] double volume_l() const;
  /// Elimination capacity beta x V [g/h]: what the saturated liver removes per hour while BAC > 0.
  [[nodiscard]] double elimination_g_per_h() const;
};

/// Amounts at one instant [g]. absorbed and eliminated are cumulative since the start of the simulation.
struct ethanol_state {
  double gut_g = 0.0;         ///< ethanol still in the stomach/gut (already x bioavailability)
  double body_g = 0.0;        ///< ethanol in body water: BAC = body_g / V
  double absorbed_g = 0.0;    ///< cumulative gut -> body
  double eliminated_g = 0.0;  ///< cumulative metabolised
};

/// Exact propagation over dt_h >= 0 with no drink in between (docs/alcohol.md#solution):
///   gut' = -ka gut,  body' = ka gut - E [body > 0],  and while body = 0 all inflow is eliminated at once
///   as long as it is below E (the saturated liver removes at most E = beta V g/h).
/// Because body(t) = body0 + gut0 (1 - e^{-ka t}) - E t is concave, body(dt) = max(0, that) is exact; the
/// eliminated amount uses the time the body reaches 0 (a root, found to machine precision).
ethanol_state ethanol_step(const ethanol_state& s, double dt_h, double ka_per_h, double elimination_g_per_h);

/// BAC and amounts on a time grid.
struct bac_profile {
  std::vector<double> t_h;           ///< [h], the grid asked for
  std::vector<double> bac_g_per_l;   ///< blood alcohol concentration [g/L], >= 0
  std::vector<double> gut_g;         ///< [g]
  std::vector<double> body_g;        ///< [g]
  std::vector<double> absorbed_g;    ///< cumulative [g]
  std::vector<double> eliminated_g;  ///< cumulative [g]
};

/// Throws invalid_parameter naming the bad drink (alcohol.drinks[i].ethanol_g, alcohol.drinks[i].t_h).
void validate_drinks(const std::vector<drink>& drinks);

/// BAC on the grid t_h (non-decreasing, finite) for the drinks (any order; drinks before the first grid
/// point count, drinks after the last are ignored; a drink at exactly a grid time is in the gut at that
/// time). Exact: no time step. Throws invalid_parameter for bad parameters, drinks or grid.
bac_profile simulate_bac(const ethanol_pk_params& p, const std::vector<drink>& drinks, const std::vector<double>& t_h);

/// The time after which BAC stays 0 for good (all drinks taken into account) [h]; the time of the last
/// drink if it never rises. For one drink with fast absorption it tends to Widmark's A/(r W beta).
/// Returns 0 with no drinks.
double sober_time_h(const ethanol_pk_params& p, const std::vector<drink>& drinks);

// ---- ethanol's own GABA-A modulation -------------------------------------------------------------------

/// Ethanol's GABA-A potentiation on the pd modulation scale (fraction of the maximal benzodiazepine-site
/// effect): m_eth = m_max BAC^n / (BAC^n + EC50^n). CALIBRATED on one epidemiological anchor (Maxwell 2010:
/// benzodiazepine + BAC 0.03 % carries the crash risk of BAC 0.08 % alone), with n and m_max assumed.
struct ethanol_gabaa_params {
  double max_modulation = 1.0;   ///< m_max [0..1]; assumed: ethanol is not ceiling-limited like a BZD
  double ec50_g_per_l = 0.9929;  ///< [g/L] (0.0993 %, 21.6 mM); calibrate_ethanol_ec50(0.31, 0.3, 0.8, 1, 2)
  double hill = 2.0;             ///< n [-]; assumed (n = 1 cannot meet the anchor)

  /// Throws invalid_parameter naming the first bad field (alcohol.gabaa.ec50_g_per_l ...).
  void validate() const;
};

/// m_eth for a BAC [g/L] >= 0: 0 at BAC 0, increasing, < max_modulation.
double ethanol_modulation(double bac_g_per_l, const ethanol_gabaa_params& p = {});

/// The EC50 [g/L] for which an additive combination meets an equivalence: drug_modulation + m(bac_with_drug)
/// = m(bac_alone), with max_modulation and hill fixed. Of the two solutions the larger EC50 is returned (the
/// one that keeps ethanol's effect at low BAC small). Throws invalid_parameter if no EC50 meets it (the
/// largest reachable difference, at EC50 = sqrt(bac_with_drug x bac_alone), is below drug_modulation).
double calibrate_ethanol_ec50(double drug_modulation, double bac_with_drug_g_per_l, double bac_alone_g_per_l,
                              double max_modulation, double hill);

// ---- combination with the drug ---------------------------------------------------------------------------

/// How the drug's net modulation and ethanol's combine. Default: additive, capped at 1 (the scale's ceiling).
struct combination_params {
  double cap = 1.0;      ///< upper bound of the combined modulation [-], 0.5..2; assumed (see docs)
  double synergy = 0.0;  ///< gamma of an optional interaction term gamma * max(0, m_drug) * m_eth; 0 = additive

  /// Throws invalid_parameter naming the first bad field (alcohol.combination.cap ...).
  void validate() const;
};

struct combined_modulation {
  double net;       ///< min(cap, uncapped): what the synapse factors should see [-]
  double uncapped;  ///< m_drug + m_eth (+ interaction) before the cap; > net means the cap was hit
};

/// m = min(cap, m_drug + m_eth + gamma max(0, m_drug) m_eth). m_drug is the drug's net modulation (finite,
/// negative in withdrawal: ethanol then offsets part of the withdrawal drive); m_eth must be in [0, 1].
combined_modulation combine_modulation(double drug_net_modulation, double ethanol_mod,
                                       const combination_params& p = {});

}  // namespace benzosim::pd
