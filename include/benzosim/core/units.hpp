// SPDX-License-Identifier: MIT
/// Strong unit types for the public API (STYLE B3). Inside a layer, plain doubles carry their unit in the
/// name (dose_mg, t_h, c_ngml). Every unit conversion lives here, written once, as a named function.
#pragma once

#include <compare>

namespace benzosim {

/// A double tagged with its unit. Construction is explicit; arithmetic is only defined within one unit.
template <class Tag>
struct quantity {
  double value = 0.0;
  constexpr quantity() = default;
  constexpr explicit quantity(double v) : value(v) {}
  constexpr auto operator<=>(const quantity&) const = default;
  constexpr quantity operator+(quantity o) const { return quantity{value + o.value}; }
  constexpr quantity operator-(quantity o) const { return quantity{value - o.value}; }
  constexpr quantity operator*(double s) const { return quantity{value * s}; }
  constexpr quantity operator/(double s) const { return quantity{value / s}; }
  constexpr double operator/(quantity o) const { return value / o.value; }
  constexpr quantity& operator+=(quantity o) {
    value += o.value;
    return *this;
  }
};

using amount_mg = quantity<struct amount_mg_tag>;                    ///< drug amount [mg]
using duration_h = quantity<struct duration_h_tag>;                  ///< pharmacokinetic time [h]
using volume_l = quantity<struct volume_l_tag>;                      ///< volume [L]
using concentration_ngml = quantity<struct concentration_ngml_tag>;  ///< plasma concentration [ng/mL]
using clearance_lph = quantity<struct clearance_lph_tag>;            ///< clearance [L/h]
using rate_per_h = quantity<struct rate_per_h_tag>;                  ///< first-order rate constant [1/h]
using time_ms = quantity<struct time_ms_tag>;                        ///< circuit time [ms]
using voltage_mv = quantity<struct voltage_mv_tag>;                  ///< membrane potential [mV]
using conductance_ns = quantity<struct conductance_ns_tag>;          ///< conductance [nS]
using fraction = quantity<struct fraction_tag>;                      ///< 0..1: occupancy, probability

/// mg/L -> ng/mL is x1000: an amount [mg] in a volume [L] as a plasma concentration [ng/mL].
constexpr concentration_ngml from_amount(amount_mg a, volume_l v) {
  return concentration_ngml{a.value / v.value * 1000.0};
}
/// The one place where pharmacokinetic hours become circuit milliseconds (x 3.6e6).
constexpr time_ms to_ms(duration_h t) {
  return time_ms{t.value * 3.6e6};
}
/// Circuit milliseconds back to hours.
constexpr duration_h to_h(time_ms t) {
  return duration_h{t.value / 3.6e6};
}

inline namespace literals {
constexpr amount_mg operator""_mg(long double v) {
  return amount_mg{static_cast<double>(v)};
}
constexpr duration_h operator""_h(long double v) {
  return duration_h{static_cast<double>(v)};
}
constexpr time_ms operator""_ms(long double v) {
  return time_ms{static_cast<double>(v)};
}
}  // namespace literals

}  // namespace benzosim
