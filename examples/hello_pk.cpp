// SPDX-License-Identifier: MIT
// The smallest benzosim program: one week of clonazepam 0.5 mg twice daily, from plasma to receptors.
// Build: part of the benzosim build (target hello_pk); run: build/examples/hello_pk
#include <cstdio>

#include <benzosim/core/time_grid.hpp>
#include <benzosim/pd/gabaa.hpp>
#include <benzosim/pk/two_compartment.hpp>

int main() {
  using namespace benzosim;
  // Values of data/drugs/clonazepam.toml (a real program reads them with io::embedded_drug("clonazepam")).
  const pk::two_compartment_oral clonazepam{.ka_per_h = 2.21,
                                            .cl_lph = 3.105,
                                            .v1_l = 117.0,
                                            .q_lph = 13.5,
                                            .v2_l = 54.0,
                                            .f = 0.90,
                                            .tlag_h = 0.369,
                                            .fu = 0.15};
  const pd::pd_params receptors{
      .binding = {3.75}, .modulation = {0.23, 0.677}, .adaptation = {{"fast", 21.5, 0.15}, {"slow", 120.0, 0.35}}};

  const auto regimen = pk::regimen::repeated(0.5, 0.0, 12.0, 14);  // 0.5 mg every 12 h, 7 days
  const auto times = time_grid(0.0, 24.0 * 10, 0.25);
  const auto plasma = pk::simulate(clonazepam, regimen, times);
  const auto effect = pd::simulate(receptors, plasma);

  std::printf("%6s %10s %10s %10s %10s\n", "day", "conc", "occupancy", "tolerance", "net");
  for (std::size_t i = 0; i < times.size(); i += 96) {  // once a day
    std::printf("%6.0f %10.2f %10.3f %10.3f %10.3f\n", times[i] / 24.0, plasma.c_ngml[i], effect.occupancy[i],
                effect.tolerance[i], effect.net_modulation[i]);
  }
  return 0;
}
