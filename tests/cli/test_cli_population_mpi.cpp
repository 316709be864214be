// SPDX-License-Identifier: MIT
// `mpirun -np 2 benzosim population ...` writes the same files, byte for byte, as the one-process run with the
// same seed (docs/population.md, "MPI"). Skipped when benzosim was configured without MPI.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "cli_support.hpp"

namespace fs = std::filesystem;

namespace {

#if BENZOSIM_HAVE_MPI
using result = benzosim::test::command_result;  // out: stdout and stderr, interleaved

result shell(const std::string& cmd) {
  return benzosim::test::run_command(cmd + " 2>&1");
}

std::string read(const fs::path& p) {
  return benzosim::test::read_text(p);
}

/// mpirun on this machine only: loopback transports, root allowed (containers), more ranks than cores allowed,
/// and a hard timeout so that a broken MPI setup fails the test instead of hanging it.
std::string mpirun(int ranks) {
  return "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader "
         "OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1 "
         "timeout -k 5 120 " BENZOSIM_MPIEXEC " -np " +
         std::to_string(ranks) + " ";
}

using scratch = benzosim::test::scratch_dir;

void expect_same_files(const fs::path& a, const fs::path& b, bool rows) {
  for (const char* f : {"summary.csv", "summary.json", "subjects.csv"}) {
    if (!rows && std::string(f) == "subjects.csv") continue;
    ASSERT_TRUE(fs::exists(a / f)) << (a / f);
    ASSERT_TRUE(fs::exists(b / f)) << (b / f);
    const std::string x = read(a / f);
    EXPECT_FALSE(x.empty()) << f;
    EXPECT_TRUE(x == read(b / f)) << f << " differs between the one-process and the MPI run";
  }
}
#endif  // BENZOSIM_HAVE_MPI

TEST(population_mpi, two_ranks_write_the_same_files_byte_for_byte) {
#if !BENZOSIM_HAVE_MPI
  GTEST_SKIP() << "benzosim was configured without MPI (find_package(MPI) failed or was disabled)";
#else
  const scratch dir("two_ranks");
  const std::string exe = BENZOSIM_EXE;
  const std::string scen = std::string(BENZOSIM_SOURCE_DIR) + "/data/scenarios/demo.toml";
  const std::string common = " population " + scen + " -n 300 --chunk 16 --rows --threads 1 --seed 5 --out ";
  const result single = shell(exe + common + (dir / "single").string());
  ASSERT_EQ(single.code, 0) << single.out;
  const result multi = shell(mpirun(2) + exe + common + (dir / "mpi").string());
  ASSERT_EQ(multi.code, 0) << multi.out;
  expect_same_files(dir / "single", dir / "mpi", true);
  // Only rank 0 prints: the report appears once.
  EXPECT_EQ(multi.out.find("wrote "), multi.out.rfind("wrote ")) << multi.out;
#endif
}

TEST(population_mpi, three_ranks_with_sketch_quantiles_and_two_threads) {
#if !BENZOSIM_HAVE_MPI
  GTEST_SKIP() << "benzosim was configured without MPI (find_package(MPI) failed or was disabled)";
#else
  const scratch dir("three_ranks");
  const std::string exe = BENZOSIM_EXE;
  const std::string scen = std::string(BENZOSIM_SOURCE_DIR) + "/data/scenarios/demo.toml";
  // 1200 patients > the exact limit (1000): quantiles come from the merged sketches.
  const std::string common = " population " + scen + " -n 600 --replicates 2 --chunk 50 --threads 2 --out ";
  const result single = shell(exe + common + (dir / "single").string());
  ASSERT_EQ(single.code, 0) << single.out;
  const result multi = shell(mpirun(3) + exe + common + (dir / "mpi").string());
  ASSERT_EQ(multi.code, 0) << multi.out;
  expect_same_files(dir / "single", dir / "mpi", false);
#endif
}

TEST(population_mpi, an_input_error_stops_every_rank) {
#if !BENZOSIM_HAVE_MPI
  GTEST_SKIP() << "benzosim was configured without MPI (find_package(MPI) failed or was disabled)";
#else
  const result r = shell(mpirun(2) + std::string(BENZOSIM_EXE) + " population /nonexistent.toml -n 10");
  EXPECT_NE(r.code, 0) << r.out;
  EXPECT_NE(r.code, 124) << "timed out: " << r.out;  // timeout(1)'s code
  EXPECT_NE(r.out.find("error"), std::string::npos) << r.out;
#endif
}

}  // namespace
