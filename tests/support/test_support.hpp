// SPDX-License-Identifier: MIT
/// Shared test helpers (STYLE B7).
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace benzosim::test {

/// |actual - expected| <= rtol * |expected| (or <= atol when expected is 0), with a readable failure.
::testing::AssertionResult close_rel(double actual, double expected, double rtol, double atol = 0.0);

/// Element-wise close_rel over two equally long vectors; reports the first failing index.
::testing::AssertionResult profiles_close(const std::vector<double>& actual, const std::vector<double>& expected,
                                          double rtol, double atol = 0.0);

}  // namespace benzosim::test

#define EXPECT_CLOSE_REL(actual, expected, rtol) EXPECT_TRUE(::benzosim::test::close_rel((actual), (expected), (rtol)))
