// SPDX-License-Identifier: MIT
/// Writers. Every file is written to a temporary name in the same directory and renamed into place, so a
/// failed run never leaves a half-written file. Non-finite numbers are refused (internal_error).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <benzosim/clinical/scenario.hpp>
#include <benzosim/pk/two_compartment.hpp>

namespace benzosim::io {

/// Writes content to path atomically (temporary file + rename). Throws error on failure.
void atomic_write(const std::filesystem::path& path, std::string_view content);

/// CSV text of the timeline: header time_h,conc_ngml,free_ngml,occupancy,net_modulation,tolerance,
/// withdrawal,seizure_activity,dsst_impairment_pct,drowsiness_prob,net_sedative,net_anticonvulsant,
/// net_anxiolytic,net_amnesic,seizure_burden_24h (then the alcohol columns, with alcohol), then one p_<name> per
/// side effect (clinical::side_effect_table() order).
std::string timeseries_csv(const clinical::timeline& t);
/// JSON text of the summary, warnings and uncertain parts (pretty-printed); with the circuit, summary.seizure
/// holds the seizure timeline; for one arm of a comparison, scenario.arm names it.
std::string summary_json(const clinical::scenario& s, const clinical::results& r, const clinical::arm* arm = nullptr);
/// CSV text time_h,conc_ngml,free_ngml.
std::string concentration_csv(const pk::concentration_profile& c);

/// Formats a number for CSV/JSON: up to 10 significant digits, throws internal_error if non-finite.
std::string format_number(double v);

/// The version string of this build.
std::string version();

}  // namespace benzosim::io
