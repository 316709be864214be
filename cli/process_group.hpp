// SPDX-License-Identifier: MIT
// The processes that share one run: MPI ranks when benzosim was built with MPI and started by mpirun, else one
// process. Two implementations: cli/mpi/process_group_mpi.cpp (the only file that includes <mpi.h>) and
// cli/mpi/process_group_none.cpp; CMake compiles exactly one of them.
#pragma once

#include <memory>

#include <benzosim/clinical/population.hpp>

namespace benzosim::cli {

class process_group {
 public:
  /// Initialises MPI (MPI build, started by an MPI launcher only); otherwise this is a group of one.
  process_group(int& argc, char**& argv);
  /// Finalizes MPI (MPI build only).
  ~process_group();
  process_group(const process_group&) = delete;
  process_group& operator=(const process_group&) = delete;

  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  /// Transport of population partials to rank 0; nullptr for a group of one.
  std::unique_ptr<clinical::partial_exchange> exchange();
  /// Stops every process of the group with `code` (after an error on one of them, so the others do not wait
  /// for it forever); returns code when the group has one process.
  int abort(int code) noexcept;

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace benzosim::cli
