// SPDX-License-Identifier: MIT
// process_group over MPI: the only file of benzosim that includes <mpi.h>. Partials travel as MPI_BYTE
// messages to rank 0 with blocking sends (memory stays bounded: a rank waits until rank 0 takes its chunk).
// Messages from one rank with one tag arrive in the order they were sent (MPI's non-overtaking rule), so a
// chunk tag is enough; the chunk number inside each partial is checked on arrival.
#include <mpi.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <benzosim/core/error.hpp>

#include "process_group.hpp"

namespace benzosim::cli {
namespace {

constexpr int tag_chunk = 1;
constexpr int tag_sketches = 2;

void check(int rc, const char* call) {
  if (rc != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw error(std::string("MPI: ") + call + " failed: " + std::string(text, static_cast<std::size_t>(len)));
  }
}

void send(const std::vector<std::uint8_t>& bytes, int tag) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    throw error("MPI: a partial result of " + std::to_string(bytes.size()) +
                " bytes is too large for one message; use a smaller --chunk.");
  }
  check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, tag, MPI_COMM_WORLD), "MPI_Send");
}

std::vector<std::uint8_t> receive(int from_rank, int tag) {
  MPI_Status status;
  check(MPI_Probe(from_rank, tag, MPI_COMM_WORLD, &status), "MPI_Probe");
  int n = 0;
  check(MPI_Get_count(&status, MPI_BYTE, &n), "MPI_Get_count");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(n));
  check(MPI_Recv(bytes.data(), n, MPI_BYTE, from_rank, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
  return bytes;
}

class mpi_exchange final : public clinical::partial_exchange {
 public:
  void send_chunk(std::size_t, std::vector<std::uint8_t>&& bytes) override { send(bytes, tag_chunk); }
  std::vector<std::uint8_t> receive_chunk(std::size_t, int from_rank) override { return receive(from_rank, tag_chunk); }
  void send_sketches(std::vector<std::uint8_t>&& bytes) override { send(bytes, tag_sketches); }
  std::vector<std::uint8_t> receive_sketches(int from_rank) override { return receive(from_rank, tag_sketches); }
};

}  // namespace

namespace {

/// Whether an MPI launcher (mpirun/mpiexec of Open MPI or MPICH, srun with PMI/PMIx) started this process.
/// Without one, MPI is not initialised at all: a singleton MPI_Init costs about 0.4 s per command.
bool started_by_launcher() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "MPI_LOCALNRANKS"}) {
    if (std::getenv(v) != nullptr) return true;
  }
  return false;
}

}  // namespace

process_group::process_group(int& argc, char**& argv) {
  if (!started_by_launcher()) return;  // a group of one; MPI stays uninitialised
  // The exchange is called from one thread at a time, not always the same one: MPI_THREAD_SERIALIZED.
  int provided = MPI_THREAD_SINGLE;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
  if (size_ > 1 && provided < MPI_THREAD_SERIALIZED) {
    MPI_Finalize();
    throw error("MPI: this MPI library does not support MPI_THREAD_SERIALIZED, which benzosim needs over ranks.");
  }
}

process_group::~process_group() {
  int initialized = 0;
  int finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Finalize();
}

std::unique_ptr<clinical::partial_exchange> process_group::exchange() {
  if (size_ == 1) return nullptr;
  return std::make_unique<mpi_exchange>();
}

int process_group::abort(int code) noexcept {
  if (size_ > 1) MPI_Abort(MPI_COMM_WORLD, code);
  return code;
}

}  // namespace benzosim::cli
