// SPDX-License-Identifier: MIT
#include "test_support.hpp"

#include <cmath>
#include <cstddef>
#include <sstream>

namespace benzosim::test {

::testing::AssertionResult close_rel(double actual, double expected, double rtol, double atol) {
  const double tol = std::max(rtol * std::fabs(expected), atol);
  if (std::isfinite(actual) && std::fabs(actual - expected) <= tol) return ::testing::AssertionSuccess();
  std::ostringstream os;
  os.precision(17);
  os << "actual " << actual << " vs expected " << expected << ": |diff| = " << std::fabs(actual - expected)
     << " > tolerance " << tol << " (rtol " << rtol << ", atol " << atol << ")";
  return ::testing::AssertionFailure() << os.str();
}

::testing::AssertionResult profiles_close(const std::vector<double>& actual, const std::vector<double>& expected,
                                          double rtol, double atol) {
  if (actual.size() != expected.size()) {
    return ::testing::AssertionFailure() << "sizes differ: " << actual.size() << " vs " << expected.size();
  }
  for (std::size_t i = 0; i < actual.size(); ++i) {
    auto r = close_rel(actual[i], expected[i], rtol, atol);
    if (!r) return ::testing::AssertionFailure() << "at index " << i << ": " << r.message();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace benzosim::test
