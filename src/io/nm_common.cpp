// SPDX-License-Identifier: MIT
#include "nm_common.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace benzosim::io::detail {

std::string upper(std::string_view s) {
  std::string out{s};
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

parsed_number parse_number(std::string_view text) {
  text = trim(text);
  if (text.empty() || text == ".") return {number_status::missing, 0.0};
  std::string_view body = text;
  if (body.front() == '+') {
    body.remove_prefix(1);
    if (body.empty() || body.front() == '+' || body.front() == '-') return {number_status::not_a_number, 0.0};
  }
  // from_chars reads "inf" and "nan" too; they are reported as non-finite, not as text.
  const std::string magnitude = upper(body.front() == '-' ? body.substr(1) : body);
  if (magnitude == "INF" || magnitude == "INFINITY" || magnitude.rfind("NAN", 0) == 0) {
    return {number_status::not_finite, 0.0};
  }
  double v = 0.0;
  const auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), v, std::chars_format::general);
  if (end != body.data() + body.size()) return {number_status::not_a_number, 0.0};
  if (ec == std::errc::result_out_of_range) return {number_status::not_finite, 0.0};
  if (ec != std::errc{}) return {number_status::not_a_number, 0.0};
  if (!std::isfinite(v)) return {number_status::not_finite, 0.0};
  return {number_status::ok, v};
}

std::string compartment_name(pk::linear_structure s, int cmt) {
  const int central = pk::central_compartment(s);
  if (cmt < central) return "depot";
  if (cmt == central) return "central";
  return "peripheral";
}

std::string compartment_list(pk::linear_structure s) {
  std::string out;
  const int n = pk::compartment_count(s);
  for (int c = 1; c <= n; ++c) {
    if (c > 1) out += ", ";
    out += std::to_string(c) + " = " + compartment_name(s, c);
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string capitalise(std::string s) {
  if (!s.empty() && s.front() >= 'a' && s.front() <= 'z') s.front() = static_cast<char>(s.front() - 'a' + 'A');
  return s;
}

int evid_code(pk::event_kind k) {
  switch (k) {
    case pk::event_kind::observation:
      return 0;
    case pk::event_kind::dose:
      return 1;
    case pk::event_kind::other:
      return 2;
    case pk::event_kind::reset:
      return 3;
    case pk::event_kind::reset_and_dose:
      return 4;
  }
  return 0;
}

}  // namespace benzosim::io::detail
