// SPDX-License-Identifier: MIT
/// The pk and pd values of data/drugs/clonazepam.toml as plain structs, for pk/pd-layer tests that must not
/// read files. The io test drug_file.clonazepam_pd_equals_the_test_fixture checks that the file parses to
/// exactly these numbers, so the two cannot drift apart.
#pragma once

#include <benzosim/pd/gabaa.hpp>
#include <benzosim/pk/two_compartment.hpp>

namespace benzosim::test {

inline pk::two_compartment_oral clonazepam_pk() {
  return {2.21, 3.105, 117.0, 13.5, 54.0, 0.9, 0.369, 0.15};
}

inline pd::pd_params clonazepam_pd() {
  pd::pd_params p{{3.75}, {0.23, 0.677, 2.5, 1.06}, {{"fast", 21.5, 0.15}, {"slow", 120.0, 0.35}}};
  p.domains = {
      {"sedative", {0.8, 0.1, 0.1, 0.0}, {{"acute", 21.5, 0.15}, {"sedative", 36.0, 0.75}}},
      {"anticonvulsant", {0.5, 0.3, 0.1, 0.1}, {{"days", 48.0, 0.15}, {"weeks", 336.0, 0.35}}},
      {"anxiolytic", {0.0, 0.6, 0.2, 0.2}, {{"anxiolytic", 360.0, 0.15}}},
      {"amnesic", {0.6, 0.0, 0.0, 0.4}, {}},
  };
  p.diazepam_mg_per_mg = 20.0;
  return p;
}

}  // namespace benzosim::test
