// SPDX-License-Identifier: MIT
// The benzosim command: parses argv, hands plain structs to the library, maps errors to exit codes.
#include <cstdio>
#include <exception>
#include <string>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <benzosim/core/error.hpp>
#include <benzosim/io/output.hpp>
#include <benzosim/io/scenario_file.hpp>

#include "common.hpp"
#include "process_group.hpp"

namespace {

/// The command line of one process; returns the exit code.
int run_command(int argc, char** argv, benzosim::cli::process_group& group) {
  using namespace benzosim;
  // Under mpirun every rank runs this; the errors of ranks other than 0 say which rank they come from.
  const std::string who =
      group.size() > 1 && group.rank() != 0 ? fmt::format("benzosim (rank {})", group.rank()) : std::string("benzosim");
  CLI::App app{
      "benzosim: how clonazepam and other benzodiazepines act, from tablets to plasma, GABA-A receptors, "
      "seizure-prone circuits and symptoms. A research and teaching simulator, not medical advice.",
      "benzosim"};
  app.set_version_flag("--version", "benzosim " + io::version());
  app.require_subcommand(1);
  app.footer(
      "Examples:\n  benzosim demo\n  benzosim run data/scenarios/panic_titration.toml --out out/panic\n"
      "  benzosim pk --drug clonazepam --dose-mg 2\n"
      "  benzosim nm data.csv --model one_cmt_iv --param CL=2 --param V=10 --output CP=1/V*1000\n"
      "  benzosim population data/scenarios/demo.toml -n 1000 --rows\n"
      "  benzosim network coba --duration-s 1 --conc-ngml 0,20,40\n"
      "  benzosim seizure --conc-ngml 0,5,10,20,40 --seeds 8\n\nRun 'benzosim "
      "<command> --help' for the options of each.\n");
  cli::add_demo(app);
  cli::add_run(app);
  cli::add_pk(app);
  cli::add_nm(app);
  cli::add_network(app);
  cli::add_seizure(app);
  cli::add_population(app, group);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "{}: error: {}\nRun 'benzosim --help' or 'benzosim <command> --help' for the options.\n", who,
               e.what());
    return cli::exit_bad_input;
  } catch (const scenario_error& e) {
    fmt::print(stderr, "{}: error: {}\n", who, io::describe(e));
    return cli::exit_bad_input;
  } catch (const error& e) {
    fmt::print(stderr, "{}: error: {}\n", who, e.what());
    return cli::exit_bad_input;
  } catch (const internal_error& e) {
    fmt::print(stderr, "{}: internal error (a bug in benzosim; please report it): {}\n", who, e.what());
    return cli::exit_internal;
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: unexpected error: {}\n", who, e.what());
    return cli::exit_internal;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    benzosim::cli::process_group group(argc, argv);
    const int code = run_command(argc, argv, group);
    // One failed rank would leave the others waiting for its partials: stop them all.
    return code == 0 ? 0 : group.abort(code);
  } catch (const std::exception& e) {  // MPI could not start
    fmt::print(stderr, "benzosim: error: {}\n", e.what());
    return benzosim::cli::exit_internal;
  }
}
