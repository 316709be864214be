// SPDX-License-Identifier: MIT
#include <cmath>
#include <string>
#include <type_traits>

#include <gtest/gtest.h>

#include <benzosim/core/check.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/core/time_grid.hpp>
#include <benzosim/core/units.hpp>

namespace {

using namespace benzosim::literals;

TEST(units, conversions_are_the_documented_factors) {
  EXPECT_DOUBLE_EQ(benzosim::from_amount(benzosim::amount_mg{1.0}, benzosim::volume_l{100.0}).value, 10.0);
  EXPECT_DOUBLE_EQ(benzosim::to_ms(2.0_h).value, 7.2e6);
  EXPECT_DOUBLE_EQ(benzosim::to_h(benzosim::to_ms(0.25_h)).value, 0.25);
}

// Compile-time checks that mixing units does not compile (STYLE B3.5).
template <class A, class B>
concept addable = requires(A a, B b) {
  a + b;
};
static_assert(addable<benzosim::amount_mg, benzosim::amount_mg>);
static_assert(!addable<benzosim::amount_mg, benzosim::duration_h>);
static_assert(!std::is_convertible_v<benzosim::duration_h, benzosim::time_ms>);
static_assert(!std::is_convertible_v<double, benzosim::amount_mg>);

TEST(check, messages_name_value_unit_and_rule) {
  try {
    benzosim::require_positive("pk.cl", -1.0, "L/h");
    FAIL();
  } catch (const benzosim::invalid_parameter& e) {
    EXPECT_EQ(std::string(e.what()), "pk.cl = -1 L/h; must be finite and > 0");
    EXPECT_EQ(e.name, "pk.cl");
  }
  EXPECT_THROW(benzosim::require_finite("x", std::nan(""), ""), benzosim::invalid_parameter);
  EXPECT_THROW(benzosim::require_in_range("f", 1.5, "", 0.0, 1.0), benzosim::invalid_parameter);
  EXPECT_NO_THROW(benzosim::require_in_range("f", 1.0, "", 0.0, 1.0));
}

TEST(time_grid, points_are_computed_not_accumulated) {
  const auto t = benzosim::time_grid(0.0, 1008.0, 0.1);
  ASSERT_EQ(t.size(), 10081u);
  EXPECT_EQ(t.back(), 10080 * 0.1);
  EXPECT_EQ(benzosim::time_grid(5.0, 5.0, 1.0).size(), 1u);
  EXPECT_THROW(benzosim::time_grid(0.0, 1.0, 0.0), benzosim::invalid_parameter);
  EXPECT_THROW(benzosim::time_grid(1.0, 0.0, 0.1), benzosim::invalid_parameter);
}

}  // namespace
