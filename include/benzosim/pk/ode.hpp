// SPDX-License-Identifier: MIT
/// Compartment models that are solved numerically (CVODES, BDF) on the same NONMEM event engine as the
/// exact linear models, so dosing semantics are identical on both paths. Equations, numbering, parameter
/// sources and solver settings: docs/ode-models.md.
#pragma once

#include <variant>
#include <vector>

#include <benzosim/pk/events.hpp>
#include <benzosim/pk/linear.hpp>

namespace benzosim::pk {

/// Numerical settings of the ODE path. Tolerances apply to amounts [mg] (and to the relative enzyme
/// amount of enzyme_turnover_model).
/// CVODES's linear multistep family: BDF (orders 1-5, for stiff problems, the default) or Adams-Moulton
/// (orders 1-12, fewer steps on non-stiff problems such as oral dosing without fast distribution).
enum class ode_method { bdf, adams };

struct ode_options {
  ode_method method = ode_method::bdf;  ///< integration method
  double rtol = 1e-8;                   ///< CVODES relative tolerance [1]
  double atol = 1e-10;                  ///< CVODES absolute tolerance [mg]
  long max_steps = 5000;                ///< CVODES internal steps allowed between two events
  double ss_rtol = 1e-10;  ///< SS = 1: stop when one dosing cycle changes no state by more than ss_rtol * (1 + max|x|)
  int ss_max_cycles = 5000;  ///< SS = 1: dosing cycles iterated before giving up

  /// Throws invalid_parameter naming the field ("rtol = -1; must be finite and > 0").
  void validate() const;
};

/// Enzyme turnover (induction, "metabolism speeds up"), on a two-compartment oral model.
/// Compartments: 1 depot, 2 central, 3 peripheral, 4 enzyme (relative amount, 1 at baseline; not dosable).
///   C     = 1000 * A2 / V2                                         [ng/mL]
///   dA1   = -KA A1
///   dA2   =  KA A1 - (CL E / V2) A2 - (Q / V2) A2 + (Q / V3) A3
///   dA3   =  (Q / V2) A2 - (Q / V3) A3
///   dE    =  KENZ (1 + IND + EMAX C / (EC50 + C)) - KENZ E
/// IND: a co-medicated inducer present from the first record (E rises to 1 + IND with half-life ln2 / KENZ);
/// EMAX, EC50: induction by the drug itself (autoinduction; 0 for clonazepam).
struct enzyme_turnover_model {
  double cl;    ///< CL: clearance at baseline enzyme (E = 1) [L/h]
  double v2;    ///< V2: central volume [L]
  double q;     ///< Q: intercompartmental clearance [L/h]
  double v3;    ///< V3: peripheral volume [L]
  double ka;    ///< KA: absorption rate constant [1/h]
  double kenz;  ///< KENZ: first-order enzyme turnover (degradation) rate constant [1/h]
  double ind;   ///< IND: fractional rise of enzyme synthesis by a co-medicated inducer [1], >= 0
  double emax;  ///< EMAX: maximal fractional rise of synthesis by the drug itself [1], >= 0
  double ec50;  ///< EC50: central concentration giving EMAX / 2 [ng/mL]
  double e0 =
      1.0;  ///< E0: enzyme at the first record and after a reset [1]; 1 = baseline, 1 + IND = inducer at steady state
  std::vector<compartment_modifiers> modifiers;  ///< F/ALAG/R/D per compartment (size 4, or empty)

  /// Throws invalid_parameter naming the field ("KENZ = 0 1/h; must be finite and > 0").
  void validate() const;
};

/// Parent -> metabolite (clonazepam -> 7-aminoclonazepam), two-compartment oral parent.
/// Compartments: 1 depot, 2 parent central, 3 parent peripheral, 4 metabolite (amounts [mg] of the
/// metabolite's own mass: a fraction FM of the parent's clearance forms metabolite, mass x MW_RATIO).
///   dA1 = -KA A1
///   dA2 =  KA A1 - (CL / V2) A2 - (Q / V2) A2 + (Q / V3) A3
///   dA3 =  (Q / V2) A2 - (Q / V3) A3
///   dA4 =  MW_RATIO FM (CL / V2) A2 - (CLM / VM) A4
/// Metabolite concentration = 1000 * A4 / VM [ng/mL of metabolite].
struct parent_metabolite_model {
  double cl;        ///< CL: parent clearance [L/h]
  double v2;        ///< V2: parent central volume [L]
  double q;         ///< Q: parent intercompartmental clearance [L/h]
  double v3;        ///< V3: parent peripheral volume [L]
  double ka;        ///< KA: absorption rate constant [1/h]
  double fm;        ///< FM: fraction of the parent's clearance that forms the metabolite [1], 0..1
  double clm;       ///< CLM: metabolite clearance [L/h]
  double vm;        ///< VM: metabolite volume [L]
  double mw_ratio;  ///< MW_RATIO: metabolite / parent molecular weight [1]; 1 = parent-mass equivalents
  std::vector<compartment_modifiers> modifiers;  ///< F/ALAG/R/D per compartment (size 4, or empty)

  /// Throws invalid_parameter naming the field ("FM = 1.2; must be in [0, 1]").
  void validate() const;
};

/// A model for the ODE path. A linear_model runs through CVODES too (for cross-checks against the exact path).
using ode_model = std::variant<linear_model, enzyme_turnover_model, parent_metabolite_model>;

/// Simulates one subject with CVODES on the NONMEM event engine (docs/dosing.md). The default dose
/// compartment is the depot. SS = 1 iterates dosing cycles to a fixed point (ss_rtol, ss_max_cycles);
/// SS = 2 is rejected (it needs superposition, i.e. a linear model on the exact path).
/// Throws invalid_parameter (model, options, records: e.g. a dose into the enzyme compartment) and
/// solver_error (CVODES failed; the message names the flag, the time and the setting to change).
amounts_table simulate_ode(const ode_model& m, const subject& s, const ode_options& o = {});

/// Number of compartments of a model (4 for the two non-linear models).
int compartment_count(const ode_model& m);

}  // namespace benzosim::pk
