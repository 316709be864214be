// SPDX-License-Identifier: MIT
/// Side-effect incidence over time, calibrated to the label (issue 8 item 1; docs/models.md#side-effects).
///
/// Each side effect is driven by the net effect x(t) = max(0, net) of one pd effect domain (the domain's
/// subtype-occupancy drive minus its own tolerance, so tolerance and withdrawal act on it):
///
///   p(t) = placebo + (pmax - placebo) * x / (x + x50),   pmax = placebo + 2 (label - placebo)
///
/// an Emax curve in x (Hill 1), saturating at twice the label's drug-minus-placebo excess. x50 is calibrated so
/// that the mean of p over the trial period of the label regimen equals the label incidence (the label regimen
/// then sits, on average, at half saturation). The factor 2 is an assumption: no dose-response of any side
/// effect is published in a retrievable form (label panic Table 3 rows: not found).
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace benzosim::clinical {

enum class evidence { calibrated, uncertain };

/// The regimen a side effect is calibrated on (see label_regimen()).
enum class calibration_regimen { seizure_disorder, panic_disorder };

struct side_effect {
  std::string_view name;    ///< column suffix: timeline column p_<name>
  std::string_view label;   ///< as the article / label words it
  std::string_view domain;  ///< pd effect domain whose net effect drives it
  double label_rate;        ///< drug-arm incidence at the label regimen [0..1]
  double placebo_rate;      ///< incidence without drug [0..1]
  calibration_regimen regimen;
  std::string_view source;  ///< where label_rate and placebo_rate come from (../shared/science/clonazepam.md §7)
  evidence status;
  double x50;  ///< domain net effect giving half the maximal excess (calibrated, see calibrate_x50) [-]
};

/// The table: every side effect of the article for which clonazepam.md §7 gives an incidence.
std::span<const side_effect> side_effect_table();

/// Side effects the article names for which no incidence was found: not modelled (listed in outputs).
std::span<const std::string_view> side_effects_without_incidence();

/// Maximal probability: placebo + 2 (label - placebo), capped at 1.
double side_effect_pmax(const side_effect& e);

/// p at a domain net effect (negative = withdrawal: floored at 0, i.e. the placebo rate).
double side_effect_probability(const side_effect& e, double net);

/// The x50 for which the mean over `net` (a uniform grid over the trial period) of x / (x + x50) is `fraction`
/// (0.5 for the table's form), by bisection. Throws invalid_parameter if net is never positive.
double calibrate_x50(std::span<const double> net, double fraction = 0.5);

}  // namespace benzosim::clinical
