// SPDX-License-Identifier: MIT
/// The values of data/drugs/clonazepam.toml as a drug_model, for clinical-layer tests that must not read
/// files (the io tests check that the file parses to these numbers).
#pragma once

#include <benzosim/clinical/scenario.hpp>

#include "clonazepam_pd_fixture.hpp"

namespace benzosim::test {

inline clinical::drug_model clonazepam_drug() {
  clinical::drug_model d;
  d.name = "clonazepam";
  d.reference_weight_kg = 70.0;
  d.allometric_exponent_cl = 0.75;
  d.pk = clonazepam_pk();
  d.pd = clonazepam_pd();
  d.dsst = {74.0, 9.33, 3.57, 15.4, "fast"};
  d.drowsiness = {0.05, 0.90, 0.30, 2.0};
  d.label = {20.0, 4.0, 14.0};
  d.withdrawal_notable = 0.05;
  d.uncertain = {"test"};
  return d;
}

}  // namespace benzosim::test
