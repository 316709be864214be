// SPDX-License-Identifier: MIT
// Binding by subtype and the modulation of the synapse classes (docs/models.md#pd).
#include <cmath>

#include <gtest/gtest.h>

#include <benzosim/core/error.hpp>
#include <benzosim/pd/gabaa.hpp>

#include "clonazepam_pd_fixture.hpp"
#include "test_support.hpp"

namespace {

namespace pd = benzosim::pd;

constexpr double mw_g_per_mol = 315.7;  // clonazepam

/// nM -> ng/mL: 1 nM = MW ng/L = MW/1000 ng/mL.
double ngml_from_nm(double nm) {
  return nm * mw_g_per_mol / 1000.0;
}

TEST(subtype_binding, one_kd_gives_the_whole_brain_occupancy_at_every_subtype) {
  const auto p = benzosim::test::clonazepam_pd();
  for (const double c : {0.0, 0.5, 3.75, 12.0, 400.0}) {
    const auto occ = pd::subtype_occupancy(c, p.binding);
    for (const double o : occ.to_array()) EXPECT_DOUBLE_EQ(o, pd::occupancy(c, p.binding));
  }
  EXPECT_DOUBLE_EQ(pd::subtype_occupancy(3.75, p.binding).a5, 0.5);
}

TEST(subtype_binding, a_subtype_kd_overrides_the_common_one) {
  // An alpha1-sparing drug: 10-fold weaker at alpha1, alpha5 at 2 ng/mL, alpha2/3 at the common Kd.
  pd::binding_params b{3.75};
  b.kd_free_a1_ngml = 37.5;
  b.kd_free_a5_ngml = 2.0;
  const auto kd = b.kd_by_subtype();
  EXPECT_EQ(kd.a1, 37.5);
  EXPECT_EQ(kd.a2, 3.75);
  EXPECT_EQ(kd.a3, 3.75);
  EXPECT_EQ(kd.a5, 2.0);
  const auto occ = pd::subtype_occupancy(3.75, b);
  EXPECT_TRUE(benzosim::test::close_rel(occ.a1, 3.75 / 41.25, 1e-15));
  EXPECT_DOUBLE_EQ(occ.a2, 0.5);
  EXPECT_TRUE(benzosim::test::close_rel(occ.a5, 3.75 / 5.75, 1e-15));
  // The whole-brain occupancy keeps using kd_free.
  EXPECT_DOUBLE_EQ(pd::occupancy(3.75, b), 0.5);
  b.kd_free_a3_ngml = -1.0;
  try {
    b.validate();
    FAIL() << "a negative subtype Kd was accepted";
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_EQ(e.name, "pd.binding.kd_free_a3");
  }
  EXPECT_THROW(pd::subtype_occupancy(-1.0, b), benzosim::invalid_parameter);
}

TEST(synapse_classes, decay_factor_lies_in_the_measured_range_at_clinical_free_concentrations) {
  // Issue 5: at the clinical free concentrations, about 10-33 nM (total 20-70 ng/mL x fu 0.15 = 9.5-33.3 nM),
  // a drug-naive patient's IPSC decay is prolonged by the measured +30-50 % (Poncer 1996, midazolam: +40 %
  // mIPSC, +51 % unitary IPSP). Checked over the whole range and at its ends, for both synapse classes.
  const auto p = benzosim::test::clonazepam_pd();
  double previous = 1.0;
  for (double nm = 9.5; nm <= 33.3 + 1e-9; nm += 0.5) {
    const auto occ = pd::subtype_occupancy(ngml_from_nm(nm), p.binding);
    for (const auto* comp : {&p.synapses.fast_somatic, &p.synapses.slow_dendritic}) {
      const auto e = pd::synapse_class_effect(*comp, occ, p.modulation);
      EXPECT_GE(e.factors.decay, 1.30) << nm << " nM";
      EXPECT_LE(e.factors.decay, 1.50) << nm << " nM";
      // Amplitude: at most the measured +23 % of the unitary IPSP.
      EXPECT_GT(e.factors.amplitude, 1.0);
      EXPECT_LE(e.factors.amplitude, 1.23);
    }
    const double decay = pd::synapse_class_effect(p.synapses.fast_somatic, occ, p.modulation).factors.decay;
    EXPECT_GT(decay, previous);
    previous = decay;
  }
  // Total 20 and 70 ng/mL, the ends of the therapeutic range, through fu.
  for (const double total : {20.0, 70.0}) {
    const auto occ = pd::subtype_occupancy(0.15 * total, p.binding);
    const double decay = pd::synapse_class_effect(p.synapses.fast_somatic, occ, p.modulation).factors.decay;
    EXPECT_GE(decay, 1.30) << total;
    EXPECT_LE(decay, 1.50) << total;
  }
}

TEST(synapse_classes, potency_shift_reaches_the_measured_maximum_only_at_full_occupancy) {
  // Ghansah & Weiss 1999: a saturating benzodiazepine shifts GABA's EC50 ~2.5-fold.
  const auto p = benzosim::test::clonazepam_pd();
  EXPECT_DOUBLE_EQ(pd::potency_shift(0.0, p.modulation), 1.0);
  EXPECT_DOUBLE_EQ(pd::potency_shift(1.0, p.modulation), 2.5);
  EXPECT_DOUBLE_EQ(pd::potency_shift(0.5, p.modulation), 1.75);
  EXPECT_THROW(pd::potency_shift(1.5, p.modulation), benzosim::invalid_parameter);
  // Clinical range: a 1.7-2.1-fold shift.
  const auto lo =
      pd::synapse_class_effect(p.synapses.fast_somatic, pd::subtype_occupancy(3.0, p.binding), p.modulation);
  const auto hi =
      pd::synapse_class_effect(p.synapses.fast_somatic, pd::subtype_occupancy(10.5, p.binding), p.modulation);
  EXPECT_NEAR(lo.potency_shift, 1.0 + 1.5 * 3.0 / 6.75, 1e-12);
  EXPECT_NEAR(hi.potency_shift, 1.0 + 1.5 * 10.5 / 14.25, 1e-12);
  // No drug: every factor exactly 1.
  const auto none =
      pd::synapse_class_effect(p.synapses.slow_dendritic, pd::subtype_occupancy(0.0, p.binding), p.modulation);
  EXPECT_EQ(none.modulation, 0.0);
  EXPECT_EQ(none.potency_shift, 1.0);
  EXPECT_EQ(none.factors.amplitude, 1.0);
  EXPECT_EQ(none.factors.decay, 1.0);
}

TEST(synapse_classes, tonic_current_follows_alpha5_and_is_off_by_default) {
  const auto p = benzosim::test::clonazepam_pd();
  pd::binding_params b{3.75};
  b.kd_free_a5_ngml = 1e6;  // a drug without alpha5 action: no tonic effect
  EXPECT_NEAR(pd::tonic_factor(p.synapses.tonic, pd::subtype_occupancy(3.75, b), p.modulation), 1.0, 1e-5);
  EXPECT_DOUBLE_EQ(pd::tonic_factor(p.synapses.tonic, pd::subtype_occupancy(3.75, p.binding), p.modulation), 1.53);
  const pd::modulation_params off{0.23, 0.677};
  EXPECT_EQ(pd::tonic_factor(p.synapses.tonic, pd::subtype_occupancy(3.75, p.binding), off), 1.0);
}

TEST(synapse_classes, a_selective_drug_acts_on_the_class_rich_in_its_subtype) {
  // alpha1-selective (zolpidem-like): the alpha1-rich fast somatic class is modulated more than the slow
  // dendritic one; an alpha5-selective drug the other way round.
  const auto p = benzosim::test::clonazepam_pd();
  pd::binding_params a1_selective{100.0};
  a1_selective.kd_free_a1_ngml = 1.0;
  auto occ = pd::subtype_occupancy(3.0, a1_selective);
  EXPECT_GT(pd::synapse_class_effect(p.synapses.fast_somatic, occ, p.modulation).modulation,
            2.0 * pd::synapse_class_effect(p.synapses.slow_dendritic, occ, p.modulation).modulation);
  pd::binding_params a5_selective{100.0};
  a5_selective.kd_free_a5_ngml = 1.0;
  occ = pd::subtype_occupancy(3.0, a5_selective);
  EXPECT_LT(pd::synapse_class_effect(p.synapses.fast_somatic, occ, p.modulation).modulation,
            0.2 * pd::synapse_class_effect(p.synapses.slow_dendritic, occ, p.modulation).modulation);
}

TEST(synapse_classes, compositions_must_be_shares_of_one) {
  pd::synapse_classes s;
  EXPECT_NO_THROW(s.validate());
  s.slow_dendritic = {0.2, 0.3, 0.0, 0.6};
  try {
    s.validate();
    FAIL() << "shares adding up to 1.1 were accepted";
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_EQ(e.name, "pd.synapses.slow_dendritic");
    EXPECT_NE(std::string{e.what()}.find("add up to 1.1"), std::string::npos) << e.what();
  }
  s = {};
  s.tonic = {-0.1, 0.0, 0.0, 1.1};
  EXPECT_THROW(s.validate(), benzosim::invalid_parameter);
}

TEST(modulation_params, new_fields_are_checked) {
  auto p = benzosim::test::clonazepam_pd();
  p.modulation.potency_shift_max = 0.5;  // a shift below 1 would be a negative modulator
  try {
    p.validate();
    FAIL();
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_EQ(e.name, "pd.modulation.potency_shift_max");
  }
  p = benzosim::test::clonazepam_pd();
  p.modulation.tonic_max = std::nan("");
  EXPECT_THROW(p.validate(), benzosim::invalid_parameter);
}

}  // namespace
