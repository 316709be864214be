// SPDX-License-Identifier: MIT
/// Raw byte buffers for moving partial results between processes of the same binary (MPI ranks): values are
/// copied bit for bit in native byte order, so a round trip is exact. Not a file format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <benzosim/core/error.hpp>

namespace benzosim {

/// Appends trivially copyable values to a byte vector.
class byte_writer {
 public:
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    std::memcpy(bytes_.data() + at, &v, sizeof(T));
  }
  template <class T>
  void put_span(std::span<const T> v) {
    static_assert(std::is_trivially_copyable_v<T>);
    put(static_cast<std::uint64_t>(v.size()));
    const std::size_t at = bytes_.size();
    bytes_.resize(at + v.size_bytes());
    if (!v.empty()) std::memcpy(bytes_.data() + at, v.data(), v.size_bytes());
  }
  std::vector<std::uint8_t> take() && { return std::move(bytes_); }
  const std::vector<std::uint8_t>& bytes() const noexcept { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

/// Reads back what a byte_writer wrote, in the same order; throws internal_error if the bytes run out.
class byte_reader {
 public:
  explicit byte_reader(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}
  template <class T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    need(sizeof(T));
    T v;
    std::memcpy(&v, bytes_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return v;
  }
  template <class T>
  std::vector<T> get_vector() {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto n = get<std::uint64_t>();
    if (n > (bytes_.size() - at_) / (sizeof(T) == 0 ? 1 : sizeof(T))) need(bytes_.size() - at_ + 1);
    std::vector<T> v(static_cast<std::size_t>(n));
    if (n > 0) std::memcpy(v.data(), bytes_.data() + at_, v.size() * sizeof(T));
    at_ += v.size() * sizeof(T);
    return v;
  }
  bool done() const noexcept { return at_ == bytes_.size(); }

 private:
  void need(std::size_t n) const {
    if (n > bytes_.size() - at_) {
      throw internal_error("byte_reader: " + std::to_string(n) + " more bytes needed at offset " + std::to_string(at_) +
                           " of " + std::to_string(bytes_.size()));
    }
  }
  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
};

}  // namespace benzosim
