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

int main(int argc, char** argv) {
  using namespace benzosim;
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
      "  benzosim population data/scenarios/demo.toml -n 1000 --rows\n\nRun 'benzosim "
      "<command> --help' for the options of each.\n");
  cli::add_demo(app);
  cli::add_run(app);
  cli::add_pk(app);
  cli::add_nm(app);
  cli::add_population(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "benzosim: error: {}\nRun 'benzosim --help' or 'benzosim <command> --help' for the options.\n",
               e.what());
    return cli::exit_bad_input;
  } catch (const scenario_error& e) {
    fmt::print(stderr, "benzosim: error: {}\n", io::describe(e));
    return cli::exit_bad_input;
  } catch (const error& e) {
    fmt::print(stderr, "benzosim: error: {}\n", e.what());
    return cli::exit_bad_input;
  } catch (const internal_error& e) {
    fmt::print(stderr, "benzosim: internal error (a bug in benzosim; please report it): {}\n", e.what());
    return cli::exit_internal;
  } catch (const std::exception& e) {
    fmt::print(stderr, "benzosim: unexpected error: {}\n", e.what());
    return cli::exit_internal;
  }
  return 0;
}
