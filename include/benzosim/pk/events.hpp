// SPDX-License-Identifier: MIT
/// NONMEM dosing-event semantics as typed values (docs/dosing.md). A subject is a list of records in time
/// order; each record is an observation, a dose, an "other" event or a reset. Nothing here is a packed
/// integer code: io translates EVID/RATE/SS columns into these enums once, at the boundary.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace benzosim::pk {

/// EVID: 0 observation, 1 dose, 2 other, 3 reset, 4 reset and dose.
enum class event_kind { observation, dose, other, reset, reset_and_dose };

/// How a dose enters its compartment (RATE): 0 bolus, > 0 zero-order at the given rate, -1 at the rate
/// the model defines for the compartment (R), -2 over the duration the model defines (D).
enum class input_kind { bolus, given_rate, modeled_rate, modeled_duration };

/// SS: 0 none; 1 reset the system to steady state before this dose; 2 add the steady state to the
/// current state.
enum class steady_state_kind { none, reset, add };

/// One record of a subject, typed.
struct record {
  double time_h = 0.0;                             ///< TIME [h]
  event_kind kind = event_kind::observation;       ///< EVID
  double amount = 0.0;                             ///< AMT [mg] (doses)
  int cmt = 0;                                     ///< CMT, 1-based; 0 = the model's default dose compartment
  input_kind input = input_kind::bolus;            ///< RATE sign
  double rate_per_h = 0.0;                         ///< RATE when input == given_rate [mg/h]
  double ii_h = 0.0;                               ///< II [h]
  int addl = 0;                                    ///< ADDL: additional doses at time + k*II, k = 1..ADDL
  steady_state_kind ss = steady_state_kind::none;  ///< SS
  std::size_t row = 0;                             ///< 1-based row of the input file (for messages)
};

/// A per-compartment dose modifier: absent, a constant, or a covariate column (value carried forward).
struct modifier {
  enum class source { none, constant, covariate };
  source from = source::none;
  double value = 0.0;      ///< the constant
  std::size_t column = 0;  ///< index into subject::covariate_names
  std::string name;        ///< column name, for messages
};

/// F (bioavailability), ALAG (lag time [h]), R (modeled rate [mg/h]) and D (modeled duration [h]) of one
/// compartment. Defaults: F = 1, ALAG = 0, R and D absent.
struct compartment_modifiers {
  modifier bioav;
  modifier lag;
  modifier rate;
  modifier duration;
};

/// The records of one subject, with their covariates already carried forward (LOCF) by the reader:
/// covariates[row * covariate_names.size() + column].
struct subject {
  std::string id;
  std::vector<record> records;
  std::vector<std::string> covariate_names;
  std::vector<double> covariates;
};

/// Amounts in every compartment at every record: a[record * n_cmt + (cmt - 1)] [mg]. At a dose record
/// the amounts include that dose if it is a bolus without lag (as NONMEM reports them).
struct amounts_table {
  std::size_t n_cmt = 0;
  std::vector<double> a;
  double at(std::size_t record, int cmt) const { return a[record * n_cmt + static_cast<std::size_t>(cmt - 1)]; }
};

}  // namespace benzosim::pk
