// SPDX-License-Identifier: MIT
#include <benzosim/core/random.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

#include <Random123/philox.h>

namespace benzosim {
namespace {

using philox = r123::Philox4x64;  // Philox4x64-10

/// Fourth counter word of every population stream ("pop-draw" in ASCII). It keeps these streams apart from
/// other users of Philox4x64 with the same seed, such as the circuit layer's noise (whose fourth word is 0).
constexpr std::uint64_t stream_tag = 0x706f702d64726177ULL;

constexpr double two_to_minus_52 = 0x1p-52;
constexpr double two_pi = 6.283185307179586476925286766559;

/// (k + 1/2) 2^-52 with k = the top 52 bits: both operations are exact, so the result is the same on every
/// IEEE-754 platform and under any floating-point contraction setting.
double to_open_unit(std::uint64_t word) noexcept {
  return (static_cast<double>(word >> 12) + 0.5) * two_to_minus_52;
}

struct normal_pair {
  double first;
  double second;
};

/// Box–Muller: radius from the first word, angle from the second.
normal_pair box_muller(std::uint64_t radius_word, std::uint64_t angle_word) noexcept {
  const double r = std::sqrt(-2.0 * std::log(to_open_unit(radius_word)));
  const double theta = two_pi * to_open_unit(angle_word);
  return {r * std::cos(theta), r * std::sin(theta)};
}

}  // namespace

random_stream::random_stream(std::uint64_t seed, std::uint64_t replicate, std::uint64_t subject,
                             std::uint64_t purpose) noexcept
    : key_{seed, purpose}, counter_{replicate, subject, 0, stream_tag}, words_{0, 0, 0, 0} {}

void random_stream::refill() noexcept {
  const philox::key_type key = {{key_[0], key_[1]}};
  const philox::ctr_type ctr = {{counter_[0], counter_[1], counter_[2], counter_[3]}};
  const philox::ctr_type out = philox{}(ctr, key);
  for (std::size_t i = 0; i < 4; ++i) words_[i] = out[i];
  ++counter_[2];
  used_ = 0;
}

std::uint64_t random_stream::next_word() noexcept {
  if (used_ == 4) refill();
  return words_[used_++];
}

double random_stream::uniform() noexcept {
  return to_open_unit(next_word());
}

double random_stream::normal() noexcept {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  const std::uint64_t radius_word = next_word();
  const normal_pair z = box_muller(radius_word, next_word());
  spare_ = z.second;
  has_spare_ = true;
  return z.first;
}

void random_stream::normals(std::span<double> out) noexcept {
  const std::size_t n = out.size();
  std::size_t i = 0;
  // Until the stream sits at a block boundary with no spare normal, go one by one (this also covers an odd
  // word position left by uniform(), which never reaches a boundary between pairs).
  while (i < n && (has_spare_ || used_ != 4)) out[i++] = normal();
  // Whole blocks: four normals from four fresh words, in the order normal() would give them.
  if (!has_spare_ && used_ == 4) {
    const philox::key_type key = {{key_[0], key_[1]}};
    for (; n - i >= 4; i += 4) {
      const philox::ctr_type ctr = {{counter_[0], counter_[1], counter_[2], counter_[3]}};
      ++counter_[2];
      const philox::ctr_type w = philox{}(ctr, key);
      const normal_pair a = box_muller(w[0], w[1]);
      const normal_pair b = box_muller(w[2], w[3]);
      out[i] = a.first;
      out[i + 1] = a.second;
      out[i + 2] = b.first;
      out[i + 3] = b.second;
    }
  }
  while (i < n) out[i++] = normal();
}

}  // namespace benzosim
