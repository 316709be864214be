// SPDX-License-Identifier: MIT
// linear_batch against simulate(), subject by subject: every structure, random parameters, and record sets
// with ADDL trains, lags and bioavailability (constants and covariate columns), infusions (RATE, modeled R
// and D), observations at dose times and at one time, doses between observations, other events, irregular
// times. The batch does the scalar engine's arithmetic, so most comparisons are exact.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/error.hpp>
#include <benzosim/pk/batch.hpp>
#include <benzosim/pk/linear.hpp>

#include "test_support.hpp"

namespace {

using namespace benzosim::pk;
using benzosim::test::close_rel;

constexpr linear_structure all_structures[] = {linear_structure::one_cmt_iv,   linear_structure::one_cmt_oral,
                                               linear_structure::two_cmt_iv,   linear_structure::two_cmt_oral,
                                               linear_structure::three_cmt_iv, linear_structure::three_cmt_oral};

record obs(double t) {
  return record{.time_h = t};
}
record dose(double t, double amt, int cmt = 0) {
  return record{.time_h = t, .kind = event_kind::dose, .amount = amt, .cmt = cmt};
}
record train(double t, double amt, double ii, int addl, int cmt = 0) {
  return record{.time_h = t, .kind = event_kind::dose, .amount = amt, .cmt = cmt, .ii_h = ii, .addl = addl};
}
record infusion(double t, double amt, input_kind how, double rate = 0.0, int cmt = 0) {
  return record{.time_h = t, .kind = event_kind::dose, .amount = amt, .cmt = cmt, .input = how, .rate_per_h = rate};
}
record other(double t) {
  return record{.time_h = t, .kind = event_kind::other};
}

/// Records sorted by time (stable: equal times keep their order), numbered as rows.
subject make_subject(std::vector<record> recs) {
  subject s;
  s.records = std::move(recs);
  std::stable_sort(s.records.begin(), s.records.end(),
                   [](const record& a, const record& b) { return a.time_h < b.time_h; });
  for (std::size_t i = 0; i < s.records.size(); ++i) s.records[i].row = i + 1;
  return s;
}

std::vector<record> grid(double to, double step) {
  std::vector<record> r;
  for (int k = 0; k * step <= to + 1e-12; ++k) r.push_back(obs(k * step));
  return r;
}

std::vector<record> operator+(std::vector<record> a, const std::vector<record>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

/// Typical values per structure (h, L, L/h) with a log-normal spread (CV about 40 %).
std::vector<double> random_params(linear_structure s, std::size_t count, unsigned seed) {
  std::vector<double> typical;
  switch (s) {
    case linear_structure::one_cmt_iv:
      typical = {4.5, 200};
      break;
    case linear_structure::one_cmt_oral:
      typical = {4.5, 200, 1.5};
      break;
    case linear_structure::two_cmt_iv:
      typical = {4.5, 100, 8, 150};
      break;
    case linear_structure::two_cmt_oral:
      typical = {4.5, 100, 8, 150, 1.5};
      break;
    case linear_structure::three_cmt_iv:
      typical = {4.5, 60, 8, 100, 2, 300};
      break;
    case linear_structure::three_cmt_oral:
      typical = {4.5, 60, 8, 100, 2, 300, 1.5};
      break;
  }
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> eta(0.0, 0.4);
  std::vector<double> p;
  for (std::size_t i = 0; i < count; ++i) {
    for (double t : typical) p.push_back(t * std::exp(eta(rng)));
  }
  return p;
}

enum class match { exact, close };

/// Runs the batch for every compartment and compares with simulate() subject by subject. ld = count + 3;
/// the 3 spare columns must stay untouched.
void expect_matches_simulate(linear_structure structure, const std::vector<compartment_modifiers>& mods,
                             const subject& s, const std::vector<double>& params, std::size_t count, match how) {
  const linear_batch batch(structure, mods, s);
  const std::size_t np = batch.parameter_count();
  ASSERT_EQ(np, parameter_names(structure).size());
  ASSERT_GE(params.size(), count * np);
  std::vector<std::size_t> obs_rows;
  for (std::size_t i = 0; i < s.records.size(); ++i) {
    if (s.records[i].kind == event_kind::observation) obs_rows.push_back(i);
  }
  ASSERT_EQ(batch.observation_count(), obs_rows.size());
  std::vector<amounts_table> expected;
  for (std::size_t j = 0; j < count; ++j) {
    const linear_model m{structure,
                         std::vector<double>(params.begin() + static_cast<std::ptrdiff_t>(j * np),
                                             params.begin() + static_cast<std::ptrdiff_t>((j + 1) * np)),
                         mods};
    expected.push_back(simulate(m, s));
  }
  const std::size_t ld = count + 3;
  const double sentinel = -12345.0;
  linear_batch::workspace ws;
  for (int cmt = 1; cmt <= compartment_count(structure); ++cmt) {
    std::vector<double> out(obs_rows.size() * ld, sentinel);
    batch.run(params.data(), count, cmt, out.data(), ld, ws);
    int failures = 0;
    for (std::size_t j = 0; j < count && failures < 5; ++j) {
      double scale = 0.0;
      for (double a : expected[j].a) scale = std::max(scale, std::fabs(a));
      for (std::size_t k = 0; k < obs_rows.size() && failures < 5; ++k) {
        const double want = expected[j].at(obs_rows[k], cmt);
        const double got = out[k * ld + j];
        const bool ok =
            how == match::exact ? got == want : static_cast<bool>(close_rel(got, want, 1e-13, 1e-15 * scale));
        if (!ok) {
          ++failures;
          ADD_FAILURE() << to_string(structure) << " cmt " << cmt << " subject " << j << " observation " << k
                        << " (t = " << s.records[obs_rows[k]].time_h << " h): batch " << got << ", simulate " << want
                        << ", difference " << got - want;
        }
      }
    }
    for (std::size_t k = 0; k < obs_rows.size(); ++k) {
      for (std::size_t j = count; j < ld; ++j) ASSERT_EQ(out[k * ld + j], sentinel);
    }
  }
}

std::vector<compartment_modifiers> no_modifiers(linear_structure s) {
  return std::vector<compartment_modifiers>(static_cast<std::size_t>(compartment_count(s)));
}

// The benchmark job: one-compartment oral, 0.5 mg every 8 h x 42 (one record, ADDL 41), F 0.9, output every
// 0.5 h for 14 days. Bit-identical.
TEST(linear_batch, bolus_addl_job_is_bit_identical) {
  auto mods = no_modifiers(linear_structure::one_cmt_oral);
  mods[0].bioav = {modifier::source::constant, 0.9, 0, "F1"};
  const subject s = make_subject(std::vector<record>{train(0, 0.5, 8, 41, 1)} + grid(336, 0.5));
  const auto p = random_params(linear_structure::one_cmt_oral, 37, 1);
  expect_matches_simulate(linear_structure::one_cmt_oral, mods, s, p, 37, match::exact);
}

// Boluses and ADDL trains in every structure, doses into several compartments, a dose between observations.
TEST(linear_batch, every_structure_boluses_bit_identical) {
  unsigned seed = 10;
  for (linear_structure st : all_structures) {
    const int n = compartment_count(st);
    std::vector<record> recs = {train(0, 2.0, 12, 9), dose(30.25, 1.5, n), train(1.1, 0.7, 24, 3, 1)};
    const subject s = make_subject(recs + grid(200, 1.0));
    expect_matches_simulate(st, no_modifiers(st), s, random_params(st, 21, ++seed), 21, match::exact);
  }
}

// F and ALAG as constants, with doses at observation times and between them.
TEST(linear_batch, constant_lag_and_bioavailability) {
  unsigned seed = 20;
  for (linear_structure st : all_structures) {
    auto mods = no_modifiers(st);
    const std::size_t dc = static_cast<std::size_t>(default_dose_compartment(st) - 1);
    mods[dc].bioav = {modifier::source::constant, 0.8, 0, "F"};
    mods[dc].lag = {modifier::source::constant, 0.37, 0, "ALAG"};
    const subject s = make_subject(std::vector<record>{train(0, 1.0, 6, 7), dose(13.1, 0.4)} + grid(72, 0.5));
    expect_matches_simulate(st, mods, s, random_params(st, 19, ++seed), 19, match::exact);
  }
}

// F, ALAG, R and D as covariate columns that change from record to record (carried forward).
TEST(linear_batch, modifiers_from_covariates) {
  const linear_structure st = linear_structure::two_cmt_oral;
  std::vector<record> recs = {train(0, 1.0, 8, 5, 1), infusion(3, 2.0, input_kind::modeled_rate, 0, 2),
                              infusion(20, 1.0, input_kind::modeled_duration, 0, 2), train(30, 0.5, 5, 4, 1),
                              other(33.3)};
  subject s = make_subject(recs + grid(72, 0.75));
  s.covariate_names = {"FCOV", "LAGCOV", "RCOV", "DCOV"};
  for (std::size_t i = 0; i < s.records.size(); ++i) {
    const double t = s.records[i].time_h;
    s.covariates.insert(s.covariates.end(), {0.6 + 0.01 * t, 0.2 + 0.005 * t, 0.8 + 0.02 * t, 1.5 + 0.01 * t});
  }
  auto mods = no_modifiers(st);
  mods[0].bioav = {modifier::source::covariate, 0, 0, "FCOV"};
  mods[0].lag = {modifier::source::covariate, 0, 1, "LAGCOV"};
  mods[1].rate = {modifier::source::covariate, 0, 2, "RCOV"};
  mods[1].duration = {modifier::source::covariate, 0, 3, "DCOV"};
  mods[1].lag = {modifier::source::covariate, 0, 1, "LAGCOV"};
  expect_matches_simulate(st, mods, s, random_params(st, 23, 30), 23, match::exact);
}

// Infusions by RATE, modeled R and modeled D, overlapping, with ADDL, in every structure.
TEST(linear_batch, infusions) {
  unsigned seed = 40;
  for (linear_structure st : all_structures) {
    const int n = compartment_count(st);
    const int central = central_compartment(st);
    auto mods = no_modifiers(st);
    mods[static_cast<std::size_t>(central - 1)].rate = {modifier::source::constant, 0.7, 0, "R"};
    mods[static_cast<std::size_t>(central - 1)].duration = {modifier::source::constant, 2.5, 0, "D"};
    record r1 = infusion(0, 3.0, input_kind::given_rate, 1.2, central);
    r1.ii_h = 6;
    r1.addl = 5;
    std::vector<record> recs = {r1, infusion(1.0, 1.0, input_kind::modeled_rate, 0, central),
                                infusion(4.0, 2.0, input_kind::modeled_duration, 0, central),
                                infusion(7.3, 0.5, input_kind::given_rate, 0.9, n), dose(9.0, 1.0)};
    const subject s = make_subject(recs + grid(48, 0.5));
    expect_matches_simulate(st, mods, s, random_params(st, 18, ++seed), 18, match::exact);
  }
}

// Observations at dose times, several observations at one time, doses between observations, other events,
// a dose record before and after observations at its own time.
TEST(linear_batch, record_order_at_equal_times) {
  unsigned seed = 50;
  for (linear_structure st : all_structures) {
    std::vector<record> recs = {obs(0),     dose(0, 1.0),   obs(0),         obs(0), obs(1.5),        other(1.5),
                                obs(1.5),   dose(2.2, 0.3), obs(3),         obs(3), dose(3, 0.6, 1), obs(3),
                                other(4.1), obs(5),         dose(5.5, 0.2), obs(8)};
    subject s;
    s.records = recs;  // already in time order; keep the order given
    for (std::size_t i = 0; i < s.records.size(); ++i) s.records[i].row = i + 1;
    expect_matches_simulate(st, no_modifiers(st), s, random_params(st, 17, ++seed), 17, match::exact);
  }
}

// Irregular observation times: more distinct steps than one chunk holds (64), with infusions running, so the
// tape is cut into several chunks.
TEST(linear_batch, irregular_times_many_steps) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 96.0);
  std::vector<record> recs;
  for (int k = 0; k < 300; ++k) recs.push_back(obs(u(rng)));
  record inf = infusion(0.3, 4.0, input_kind::given_rate, 0.8, 0);
  inf.ii_h = 7.7;
  inf.addl = 11;
  recs.push_back(inf);
  recs.push_back(train(1.0, 1.0, 5.1, 17));
  unsigned seed = 60;
  for (linear_structure st :
       {linear_structure::one_cmt_iv, linear_structure::two_cmt_oral, linear_structure::three_cmt_oral}) {
    expect_matches_simulate(st, no_modifiers(st), make_subject(recs), random_params(st, 20, ++seed), 20, match::exact);
  }
}

// Two boluses into one compartment at one time are summed before they are added to the state (the engine
// adds them one by one), so the last bit may differ: compared within 1e-13.
TEST(linear_batch, coinciding_boluses_within_tolerance) {
  unsigned seed = 70;
  for (linear_structure st : all_structures) {
    std::vector<record> recs = {train(0, 1.0, 12, 5), train(0, 0.3, 24, 2), dose(12, 0.77), dose(12, 0.11)};
    const subject s = make_subject(recs + grid(96, 1.0));
    expect_matches_simulate(st, no_modifiers(st), s, random_params(st, 20, ++seed), 20, match::close);
  }
}

TEST(linear_batch, group_sizes_and_leading_dimension) {
  const linear_structure st = linear_structure::two_cmt_iv;
  const subject s = make_subject(std::vector<record>{train(0, 1.0, 12, 3)} + grid(48, 2.0));
  const auto p = random_params(st, 70, 80);
  for (std::size_t count : {1u, 2u, 15u, 16u, 17u, 31u, 33u, 64u, 65u}) {
    SCOPED_TRACE(count);
    expect_matches_simulate(st, no_modifiers(st), s, p, count, match::exact);
  }
  // count = 0 writes nothing and needs no valid pointers.
  const linear_batch batch(st, {}, s);
  linear_batch::workspace ws;
  batch.run(nullptr, 0, 1, nullptr, 0, ws);
}

TEST(linear_batch, workspace_is_reused_across_batches) {
  const linear_structure st = linear_structure::one_cmt_oral;
  const subject a = make_subject(std::vector<record>{train(0, 1.0, 8, 3)} + grid(24, 0.5));
  const subject b = make_subject(std::vector<record>{infusion(0, 2.0, input_kind::given_rate, 1.0)} + grid(12, 0.3));
  const linear_batch ba(st, {}, a);
  const linear_batch bb(st, {}, b);
  const auto p = random_params(st, 5, 90);
  linear_batch::workspace ws;
  std::vector<double> out_a(ba.observation_count() * 5), out_b(bb.observation_count() * 5);
  for (int round = 0; round < 2; ++round) {
    ba.run(p.data(), 5, 2, out_a.data(), 5, ws);
    bb.run(p.data(), 5, 2, out_b.data(), 5, ws);
  }
  const auto ea = simulate(linear_model{st, {p[0], p[1], p[2]}, {}}, a);
  const auto eb = simulate(linear_model{st, {p[0], p[1], p[2]}, {}}, b);
  EXPECT_EQ(out_a[5 * 4], ea.at(5, 2));  // records: dose, then observations 0, 0.5, ...: observation k is row k + 1
  EXPECT_EQ(out_b[5 * 7], eb.at(8, 2));
}

TEST(linear_batch, supports_rejects_resets_and_steady_states) {
  const auto base = grid(24, 1.0);
  EXPECT_TRUE(linear_batch::supports(make_subject(base)));
  EXPECT_TRUE(linear_batch::supports(make_subject(std::vector<record>{train(0, 1, 8, 2), other(3)} + base)));
  record reset{.time_h = 5, .kind = event_kind::reset};
  record reset_dose{.time_h = 5, .kind = event_kind::reset_and_dose, .amount = 1};
  record ss1 = train(0, 1, 8, 0);
  ss1.ss = steady_state_kind::reset;
  record ss2 = train(0, 1, 8, 0);
  ss2.ss = steady_state_kind::add;
  for (const record& r : {reset, reset_dose, ss1, ss2}) {
    const subject s = make_subject(std::vector<record>{r} + base);
    EXPECT_FALSE(linear_batch::supports(s));
    EXPECT_THROW(linear_batch(linear_structure::one_cmt_oral, {}, s), benzosim::error);
  }
}

TEST(linear_batch, bad_parameters_name_subject_and_parameter) {
  const linear_structure st = linear_structure::one_cmt_oral;
  const linear_batch batch(st, {}, make_subject(std::vector<record>{dose(0, 1)} + grid(4, 1)));
  linear_batch::workspace ws;
  std::vector<double> out(5 * 4);
  std::vector<double> p = random_params(st, 4, 100);
  for (double bad : {-1.0, 0.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    p[2 * 3 + 2] = bad;  // KA of subject 2
    try {
      batch.run(p.data(), 4, 2, out.data(), 4, ws);
      ADD_FAILURE() << "no exception for KA = " << bad;
    } catch (const benzosim::invalid_parameter& e) {
      EXPECT_EQ(e.name, "KA");
      EXPECT_NE(std::string(e.what()).find("subject 2"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("KA = "), std::string::npos) << e.what();
    }
  }
  p = random_params(st, 4, 100);
  EXPECT_THROW(batch.run(p.data(), 4, 0, out.data(), 4, ws), benzosim::invalid_parameter);  // cmt
  EXPECT_THROW(batch.run(p.data(), 4, 3, out.data(), 4, ws), benzosim::invalid_parameter);  // cmt
  EXPECT_THROW(batch.run(p.data(), 4, 2, out.data(), 3, ws), benzosim::invalid_parameter);  // ld < count
}

/// The message of the exception f throws, or "" if it throws none.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const benzosim::invalid_parameter& e) {
    return e.what();
  }
  return "";
}

TEST(linear_batch, bad_records_and_modifiers_throw_as_simulate) {
  const linear_structure st = linear_structure::one_cmt_oral;
  const linear_model m{st, {4.5, 200, 1.5}, {}};
  const std::vector<subject> bad = {
      subject{"x", {obs(3), obs(2.5)}, {}, {}},                          // time going backwards
      make_subject({infusion(0, 1, input_kind::modeled_rate), obs(1)}),  // RATE -1 without R
      make_subject({dose(0, 1, 5), obs(1)}),                             // CMT outside the model
      make_subject({train(0, 1, 0, 3), obs(1)}),                         // ADDL without II
      make_subject({dose(0, -1), obs(1)}),                               // AMT < 0
  };
  for (const subject& s : bad) {
    const std::string want = error_of([&] { simulate(m, s); });
    const std::string got = error_of([&] { linear_batch(st, {}, s); });
    EXPECT_FALSE(want.empty());
    EXPECT_EQ(got, want);
  }
  auto mods = no_modifiers(st);
  mods.pop_back();
  EXPECT_THROW(linear_batch(st, mods, make_subject(grid(2, 1))), benzosim::invalid_parameter);
  mods = no_modifiers(st);
  mods[0].bioav = {modifier::source::constant, -0.5, 0, "F1"};
  EXPECT_THROW(linear_batch(st, mods, make_subject(grid(2, 1))), benzosim::invalid_parameter);
}

TEST(linear_batch, non_finite_amount_is_internal_error) {
  // Two overlapping infusions of 1e308 mg/h: the total rate overflows.
  const linear_structure st = linear_structure::one_cmt_iv;
  const subject s = make_subject({infusion(0, 1e308, input_kind::given_rate, 1e308),
                                  infusion(0, 1e308, input_kind::given_rate, 1e308), obs(0.5), obs(1)});
  const std::vector<double> p = {4.5, 200};
  EXPECT_THROW(simulate(linear_model{st, p, {}}, s), benzosim::internal_error);
  const linear_batch batch(st, {}, s);
  linear_batch::workspace ws;
  std::vector<double> out(2);
  EXPECT_THROW(batch.run(p.data(), 1, 1, out.data(), 1, ws), benzosim::internal_error);
}

TEST(linear_batch, no_records) {
  const linear_batch batch(linear_structure::one_cmt_iv, {}, subject{});
  EXPECT_EQ(batch.observation_count(), 0u);
  const std::vector<double> p = {1, 2};
  linear_batch::workspace ws;
  batch.run(p.data(), 1, 1, nullptr, 1, ws);
}

}  // namespace
