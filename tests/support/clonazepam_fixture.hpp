// SPDX-License-Identifier: MIT
/// The values of data/drugs/clonazepam.toml as a drug_model, for clinical-layer tests that must not read
/// files (the io tests check that the file parses to these numbers).
#pragma once

#include <benzosim/clinical/scenario.hpp>

namespace benzosim::test {

inline clinical::drug_model clonazepam_drug() {
  clinical::drug_model d;
  d.name = "clonazepam";
  d.reference_weight_kg = 70.0;
  d.allometric_exponent_cl = 0.75;
  d.pk = {2.21, 3.105, 117.0, 13.5, 54.0, 0.9, 0.369, 0.15};
  d.pd = {{3.75}, {0.23, 0.45}, {{"fast", 21.5, 0.15}, {"slow", 120.0, 0.35}}};
  d.dsst = {74.0, 9.33, 3.57, 15.4, "fast"};
  d.drowsiness = {0.05, 0.90, 0.30, 2.0};
  d.label = {20.0, 4.0, 14.0};
  d.withdrawal_notable = 0.05;
  d.uncertain = {"test"};
  return d;
}

}  // namespace benzosim::test
