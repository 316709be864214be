// SPDX-License-Identifier: MIT
// process_group without MPI: always one process.
#include "process_group.hpp"

namespace benzosim::cli {

process_group::process_group(int&, char**&) {}
process_group::~process_group() = default;
std::unique_ptr<clinical::partial_exchange> process_group::exchange() {
  return nullptr;
}
int process_group::abort(int code) noexcept {
  return code;
}

}  // namespace benzosim::cli
