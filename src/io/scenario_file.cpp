// SPDX-License-Identifier: MIT
// Scenario files. Reference: docs/file-formats.md#scenario-file.
#include <benzosim/io/scenario_file.hpp>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <benzosim/core/error.hpp>
#include <benzosim/pd/alcohol.hpp>

#include "embedded_data.hpp"
#include "scenario_document.hpp"
#include "text_file.hpp"
#include "toml_reader.hpp"

namespace benzosim::io {
namespace {

using detail::sentence;
using detail::table_view;

constexpr double max_duration_days = 3650.0;  // [days]
constexpr double max_output_rows = 2'000'000.0;
constexpr double max_dose_mg = 100.0;                // [mg] per dose
constexpr std::int64_t max_dose_count = 100'000;     // per [[dosing]] table
constexpr std::int64_t max_total_doses = 1'000'000;  // all [[dosing]] tables together

std::string capitalised(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

clinical::drug_model read_drug(const table_view& root, const std::filesystem::path& base_dir) {
  const bool has_drug = root.find("drug") != nullptr;
  const bool has_file = root.find("drug_file") != nullptr;
  if (has_drug && has_file) {
    root.fail_at("drug_file", "Give either drug (a built-in drug) or drug_file (a path), not both.");
  }
  if (!has_drug && !has_file) {
    detail::fail(root.file(), root.loc(),
                 "Missing required key 'drug' or 'drug_file' at the top level: give drug = \"clonazepam\" "
                 "(a built-in drug) or drug_file = \"path/to/drug.toml\".");
  }
  if (has_drug) {
    const std::string name = root.string("drug");
    try {
      return embedded_drug(name);
    } catch (const scenario_error&) {
      throw;  // the built-in file itself is broken: keep its location
    } catch (const error& e) {
      root.fail_at("drug",
                   "drug = \"" + name + "\": " + sentence(e.what()) + " Use drug_file = \"path\" for another drug.");
    }
  }
  const std::string rel = root.string("drug_file");
  if (rel.empty()) root.fail_at("drug_file", "drug_file must not be empty.");
  const std::filesystem::path path = base_dir / std::filesystem::path{rel};
  const detail::file_text f = detail::read_text_file(path);
  if (!f.problem.empty()) {
    root.fail_at("drug_file", "drug_file = \"" + rel + "\": " + f.problem + " (looked for '" + path.string() + "').");
  }
  return parse_drug(f.text, path.string());
}

clinical::indication read_indication(const table_view& root) {
  using clinical::indication;
  constexpr indication all[] = {indication::seizure_disorder, indication::panic_disorder, indication::unspecified};
  const std::optional<std::string> text = root.optional_string("indication");
  if (!text) return indication::unspecified;
  std::string names;
  for (indication i : all) {
    const std::string s = clinical::to_string(i);
    if (s == *text) return i;
    names += (names.empty() ? "'" : ", '") + s + "'";
  }
  root.fail_at("indication", "indication = \"" + *text + "\" is not allowed; must be one of " + names + ".");
}

pk::regimen read_dosing(const table_view& root) {
  pk::regimen r;
  std::int64_t total_doses = 0;
  for (const table_view& t : root.table_array("dosing", {"dose_mg", "start_h", "count", "every_h"})) {
    const double dose_mg = t.number_in("dose_mg", detail::open_closed(0.0, max_dose_mg), "mg");
    const double start_h = t.optional_number_in("start_h", detail::non_negative(), "h").value_or(0.0);
    const std::int64_t count = t.optional_integer_in("count", 1, max_dose_count).value_or(1);
    const std::optional<double> every_h = t.optional_number_in("every_h", detail::positive(), "h");
    if (count > 1 && !every_h) {
      detail::fail(t.file(), t.loc(),
                   "Missing required key '" + t.key_path("every_h") + "': the dosing interval is required when " +
                       t.key_path("count") + " = " + std::to_string(count) + " > 1.");
    }
    total_doses += count;
    if (total_doses > max_total_doses) {
      t.fail_at("count", "The [[dosing]] tables up to " + t.path() + " add up to " + std::to_string(total_doses) +
                             " doses; at most " + std::to_string(max_total_doses) + " are allowed.");
    }
    const double last_h = start_h + static_cast<double>(count - 1) * every_h.value_or(0.0);
    if (!std::isfinite(last_h)) {
      t.fail_at("every_h", "The last dose of " + t.path() + " falls at a non-finite time.");
    }
    try {
      r.append(pk::regimen::repeated(dose_mg, start_h, every_h.value_or(1.0), static_cast<int>(count)));
    } catch (const error& e) {
      detail::fail(t.file(), t.loc(), t.path() + ": " + sentence(e.what()));
    }
  }
  return r;
}

struct simulation_settings {
  double duration_h;     // [h]
  double output_step_h;  // [h]
};

simulation_settings read_simulation(const table_view& root) {
  const table_view t = root.subtable("simulation", {"duration_days", "duration_h", "output_step_h"});
  const bool has_days = t.find("duration_days") != nullptr;
  const bool has_hours = t.find("duration_h") != nullptr;
  if (has_days && has_hours) {
    t.fail_at("duration_h", "Give either simulation.duration_days or simulation.duration_h, not both.");
  }
  if (!has_days && !has_hours) {
    detail::fail(t.file(), t.loc(), "Missing required key 'simulation.duration_days' (or 'simulation.duration_h').");
  }
  simulation_settings s{};
  std::string duration_key;
  if (has_days) {
    duration_key = "duration_days";
    s.duration_h = 24.0 * t.number_in("duration_days", detail::open_closed(0.0, max_duration_days), "days");
  } else {
    duration_key = "duration_h";
    s.duration_h = t.number_in("duration_h", detail::open_closed(0.0, 24.0 * max_duration_days), "h");
  }
  s.output_step_h = t.optional_number_in("output_step_h", detail::positive(), "h").value_or(1.0);
  const std::string step_key = t.find("output_step_h") != nullptr ? "output_step_h" : duration_key;
  if (s.output_step_h > s.duration_h) {
    t.fail_at(step_key, "simulation.output_step_h = " + detail::show(s.output_step_h) +
                            " h; must be <= the simulated duration (" + detail::show(s.duration_h) + " h).");
  }
  if (s.duration_h / s.output_step_h > max_output_rows) {
    t.fail_at(step_key, "The simulation would write " + detail::show(std::floor(s.duration_h / s.output_step_h) + 1) +
                            " output rows (" + detail::show(s.duration_h) + " h every " +
                            detail::show(s.output_step_h) + " h); at most " + detail::show(max_output_rows) +
                            " are allowed. Increase simulation.output_step_h.");
  }
  return s;
}

/// [circuit]: the model (a named set, then explicit gains and rates), the column spread, the map and the
/// checkpoints (docs/file-formats.md#circuit). Every bound is checked here, so errors name the key and line.
clinical::circuit_settings read_circuit(const table_view& root, double duration_h) {
  clinical::circuit_settings c;
  c.model = circuit::wendling_params::seizure_prone();
  const std::optional<table_view> t = root.optional_subtable(
      "circuit", {"enabled", "preset", "seed", "seeds", "A_mv", "B_mv", "G_mv", "a_per_s", "b_per_s", "g_per_s",
                  "checkpoint_h", "B_log_sd", "columns", "net_min", "net_max", "points", "duration_s"});
  if (!t) return c;
  c.enabled = t->optional_boolean("enabled").value_or(true);
  std::string preset = "seizure_prone";
  if (t->find("preset") != nullptr) {
    preset = t->choice("preset", {"seizure_prone", "wendling_2002", "wendling_2005_hippocampal", "jansen_rit_1995"});
    if (preset == "wendling_2002") c.model = circuit::wendling_params::wendling_2002();
    if (preset == "wendling_2005_hippocampal") c.model = circuit::wendling_params::wendling_2005_hippocampal();
    if (preset == "jansen_rit_1995") c.model = circuit::wendling_params::jansen_rit_1995();
  }
  if (preset == "jansen_rit_1995") {
    for (const char* key : {"G_mv", "g_per_s"}) {
      if (t->find(key) != nullptr) {
        t->fail_at(key, t->key_path(key) +
                            " cannot be set with preset = \"jansen_rit_1995\": Jansen-Rit is the case G = 0 "
                            "(no fast somatic loop). Use preset = \"wendling_2002\" for a fast loop.");
      }
    }
  }
  if (const auto seed = t->optional_integer_in("seed", 0, std::numeric_limits<std::int64_t>::max())) {
    c.map.seed = static_cast<std::uint64_t>(*seed);
  }
  if (const auto seeds = t->optional_integer_in("seeds", 1, 64)) c.map.seeds = static_cast<int>(*seeds);
  const detail::range gain = detail::open_closed(0.0, 200.0);
  if (const auto a = t->optional_number_in("A_mv", gain, "mV")) c.model.A_mv = *a;
  if (const auto b = t->optional_number_in("B_mv", gain, "mV")) c.model.B_mv = *b;
  if (const auto g = t->optional_number_in("G_mv", detail::closed(0.0, 200.0), "mV")) c.model.G_mv = *g;
  const detail::range rate = detail::open_closed(0.0, 1e5);
  if (const auto a = t->optional_number_in("a_per_s", rate, "1/s")) c.model.a_per_s = *a;
  if (const auto b = t->optional_number_in("b_per_s", rate, "1/s")) c.model.b_per_s = *b;
  if (const auto g = t->optional_number_in("g_per_s", rate, "1/s")) c.model.g_per_s = *g;
  c.checkpoint_h = t->optional_number_in("checkpoint_h", detail::closed(0.01, 168.0), "h").value_or(c.checkpoint_h);
  if (duration_h / c.checkpoint_h > max_output_rows) {
    t->fail_at("checkpoint_h", "The circuit would be consulted " +
                                   detail::show(std::floor(duration_h / c.checkpoint_h) + 1) + " times; at most " +
                                   detail::show(max_output_rows) +
                                   " checkpoints are allowed. Increase circuit.checkpoint_h.");
  }
  c.map.spread.B_log_sd = t->optional_number_in("B_log_sd", detail::closed(0.0, 2.0), "").value_or(0.0);
  if (const auto n = t->optional_integer_in("columns", 1, 200)) c.map.spread.columns = static_cast<int>(*n);
  c.map.net_min = t->optional_number_in("net_min", detail::closed(-2.0, 2.0), "").value_or(c.map.net_min);
  c.map.net_max = t->optional_number_in("net_max", detail::closed(-2.0, 2.0), "").value_or(c.map.net_max);
  if (!(c.map.net_max > c.map.net_min)) {
    t->fail_at(t->find("net_max") != nullptr ? "net_max" : "net_min",
               "circuit.net_max = " + detail::show(c.map.net_max) +
                   " must be greater than circuit.net_min = " + detail::show(c.map.net_min) + ".");
  }
  if (const auto n = t->optional_integer_in("points", 2, 1000)) c.map.points = static_cast<int>(*n);
  if (const auto d = t->optional_number_in("duration_s", detail::closed(1.0, 3600.0), "s")) {
    c.map.sim.duration_ms = 1000.0 * *d;
  }
  return c;
}

/// [alcohol]: the drinks (each with exactly one amount form) and optional ethanol parameters (docs/alcohol.md).
/// Every bound is checked here, so errors name the file, line and key.
clinical::alcohol_settings read_alcohol(const table_view& t, double duration_h) {
  clinical::alcohol_settings a;
  a.widmark_r = t.optional_number_in("widmark_r", detail::closed(0.3, 1.0), "L/kg").value_or(0.0);
  a.ka_per_h = t.optional_number_in("ka_per_h", detail::closed(0.05, 60.0), "1/h").value_or(a.ka_per_h);
  a.beta_g_per_l_per_h =
      t.optional_number_in("beta_g_per_l_per_h", detail::closed(0.05, 0.5), "g/L/h").value_or(a.beta_g_per_l_per_h);
  a.bioavailability =
      t.optional_number_in("bioavailability", detail::open_closed(0.0, 1.0), "").value_or(a.bioavailability);
  a.combine.cap = t.optional_number_in("cap", detail::closed(1.0, 2.0), "").value_or(a.combine.cap);
  a.combine.synergy = t.optional_number_in("synergy", detail::closed(0.0, 5.0), "").value_or(a.combine.synergy);
  const std::vector<table_view> drinks =
      t.table_array("drinks", {"time_h", "grams", "standard_drinks", "volume_ml", "abv_percent"});
  if (drinks.empty())
    detail::fail(t.file(), t.loc(), "The [alcohol] section needs at least one [[alcohol.drinks]] table.");
  for (const table_view& d : drinks) {
    const double time_h = d.number_in("time_h", detail::closed(0.0, duration_h), "h");
    const bool grams = d.find("grams") != nullptr;
    const bool standard = d.find("standard_drinks") != nullptr;
    const bool beverage = d.find("volume_ml") != nullptr || d.find("abv_percent") != nullptr;
    if (static_cast<int>(grams) + static_cast<int>(standard) + static_cast<int>(beverage) != 1) {
      detail::fail(d.file(), d.loc(),
                   "Each drink needs exactly one amount: " + d.path() +
                       " must have grams, standard_drinks (x 14 g, US), or volume_ml with abv_percent.");
    }
    double g = 0.0;
    if (grams) {
      g = d.number_in("grams", detail::open_closed(0.0, 400.0), "g");
    } else if (standard) {
      g = pd::grams_from_standard_drinks(d.number_in("standard_drinks", detail::open_closed(0.0, 28.0), ""));
    } else {
      const double volume = d.number_in("volume_ml", detail::open_closed(0.0, 5000.0), "mL");
      const double abv = d.number_in("abv_percent", detail::open_closed(0.0, 100.0), "%");
      g = pd::grams_from_beverage(volume, abv);
      if (g > 400.0) {
        d.fail_at("volume_ml", d.path() + " holds " + detail::show(g) + " g of ethanol; at most 400 g per drink.");
      }
    }
    a.drinks.push_back({time_h, g});
  }
  return a;
}

}  // namespace

namespace detail {

table_view scenario_root(const toml::table& doc, const std::string& source_name) {
  return {doc,
          "",
          source_name,
          {"schema_version", "name", "description", "drug", "drug_file", "indication", "patient", "dosing",
           "simulation", "circuit", "alcohol", "population", "arms"}};
}

namespace {

/// Everything of the scenario but validation; [[arms]] is left to read_arms. With arms the top-level
/// [[dosing]] (the doses every arm shares) may be absent.
clinical::scenario read_unvalidated(const table_view& root, const std::filesystem::path& base_dir, bool has_arms) {
  clinical::scenario s{};
  s.name = root.string("name");
  if (s.name.find_first_not_of(" \t") == std::string::npos) root.fail_at("name", "name must not be empty.");
  s.description = root.optional_string("description").value_or("");
  s.drug = read_drug(root, base_dir);
  s.indication = read_indication(root);

  s.person.weight_kg = s.drug.reference_weight_kg;
  std::optional<table_view> patient = root.optional_subtable("patient", {"weight_kg", "sex", "prior_benzodiazepine"});
  if (patient) {
    if (const auto prior = patient->optional_subtable(
            "prior_benzodiazepine", {"diazepam_equivalent_mg_per_day", "duration_days", "days_since_last_dose"})) {
      pd::prior_exposure& e = s.person.prior_benzodiazepine;
      e.diazepam_mg_per_day = prior->number_in("diazepam_equivalent_mg_per_day", detail::closed(0.0, 200.0), "mg/day");
      e.duration_days = prior->number_in("duration_days", detail::closed(0.0, 36500.0), "days");
      e.days_since_last_dose =
          prior->optional_number_in("days_since_last_dose", detail::closed(0.0, 36500.0), "days").value_or(0.0);
    }
    s.person.weight_kg =
        patient->optional_number_in("weight_kg", detail::closed(1.0, 400.0), "kg").value_or(s.drug.reference_weight_kg);
    if (patient->find("sex") != nullptr) {
      s.person.sex =
          patient->choice("sex", {"female", "male"}) == "male" ? pk::biological_sex::male : pk::biological_sex::female;
    }
  }
  if (!has_arms || root.find("dosing") != nullptr) s.regimen = read_dosing(root);
  const simulation_settings sim = read_simulation(root);
  s.duration_h = sim.duration_h;
  s.output_step_h = sim.output_step_h;
  s.circuit = read_circuit(root, s.duration_h);
  if (const auto alcohol = root.optional_subtable(
          "alcohol", {"drinks", "widmark_r", "ka_per_h", "beta_g_per_l_per_h", "bioavailability", "cap", "synergy"})) {
    if (!s.person.sex) {
      detail::fail(alcohol->file(), alcohol->loc(),
                   "The [alcohol] section needs patient.sex (\"female\" or \"male\"): Widmark's distribution factor "
                   "differs by sex.");
    }
    s.alcohol = read_alcohol(*alcohol, s.duration_h);
  }
  return s;
}

/// [[arms]]: each arm's regimen is the shared [[dosing]] followed by its own [[arms.dosing]].
std::vector<clinical::arm> read_arms(const table_view& root, const pk::regimen& shared) {
  std::vector<clinical::arm> arms;
  if (root.find("arms") == nullptr) return arms;
  for (const table_view& t : root.table_array("arms", {"name", "description", "dosing"})) {
    clinical::arm a;
    a.name = t.string("name");
    if (a.name.empty() ||
        a.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
            std::string::npos) {
      t.fail_at("name", t.key_path("name") + " = \"" + a.name +
                            "\" must be non-empty and use only letters, digits, '_' and '-' (it names the arm's output "
                            "directory).");
    }
    for (const clinical::arm& other : arms) {
      if (other.name == a.name) t.fail_at("name", "Two arms are named \"" + a.name + "\"; arm names must be unique.");
    }
    a.description = t.optional_string("description").value_or("");
    a.regimen = shared;
    if (t.find("dosing") != nullptr) a.regimen.append(read_dosing(t));
    if (a.regimen.doses.empty()) {
      detail::fail(t.file(), t.loc(),
                   t.path() + " (\"" + a.name + "\") has no doses: give [[dosing]] for every arm or [[arms.dosing]].");
    }
    arms.push_back(std::move(a));
  }
  return arms;
}

void validate_or_throw(const clinical::scenario& s, const std::string& source_name, const std::string& what) {
  try {
    s.validate();
  } catch (const error& e) {
    throw scenario_error(source_name, 0, 0, sentence("The " + what + " is invalid: " + e.what()));
  }
}

}  // namespace

clinical::scenario read_scenario(const toml::table& doc, const std::string& source_name,
                                 const std::filesystem::path& base_dir) {
  const table_view root = scenario_root(doc, source_name);  // [population]: read_population (population_file.cpp)
  if (root.find("arms") != nullptr) {
    root.fail_at("arms",
                 "This scenario has [[arms]] (several regimens); only `benzosim run` runs arms. Give a single "
                 "regimen in [[dosing]] for this command.");
  }
  clinical::scenario s = read_unvalidated(root, base_dir, false);
  validate_or_throw(s, source_name, "scenario");
  return s;
}

scenario_arms read_scenario_arms(const toml::table& doc, const std::string& source_name,
                                 const std::filesystem::path& base_dir) {
  const table_view root = scenario_root(doc, source_name);
  scenario_arms out{read_unvalidated(root, base_dir, root.find("arms") != nullptr), {}};
  out.arms = read_arms(root, out.scenario.regimen);
  if (out.arms.empty()) {
    validate_or_throw(out.scenario, source_name, "scenario");
    return out;
  }
  out.scenario.regimen = out.arms.front().regimen;  // the scenario itself is the first arm
  for (const clinical::arm& a : out.arms) {
    clinical::scenario run = out.scenario;
    run.regimen = a.regimen;
    validate_or_throw(run, source_name, "arm '" + a.name + "'");
  }
  return out;
}

}  // namespace detail

clinical::scenario parse_scenario(std::string_view toml_text, const std::string& source_name,
                                  const std::filesystem::path& base_dir) {
  const toml::table doc = detail::parse_toml(toml_text, source_name);
  detail::check_schema_version(doc, source_name, "scenario file", scenario_schema_version);
  clinical::scenario s = detail::read_scenario(doc, source_name, base_dir);
  // Checked here too: `benzosim run` rejects a broken section (and a broken covariate file).
  (void)detail::read_population(doc, source_name, base_dir);
  return s;
}

scenario_arms parse_scenario_arms(std::string_view toml_text, const std::string& source_name,
                                  const std::filesystem::path& base_dir) {
  const toml::table doc = detail::parse_toml(toml_text, source_name);
  detail::check_schema_version(doc, source_name, "scenario file", scenario_schema_version);
  scenario_arms s = detail::read_scenario_arms(doc, source_name, base_dir);
  (void)detail::read_population(doc, source_name, base_dir);
  return s;
}

scenario_arms load_scenario_arms(const std::filesystem::path& file) {
  const detail::file_text f = detail::read_text_file(file);
  if (!f.problem.empty()) throw scenario_error(file.string(), 0, 0, sentence(capitalised(f.problem)));
  return parse_scenario_arms(f.text, file.string(), file.parent_path());
}

clinical::scenario load_scenario(const std::filesystem::path& file) {
  const detail::file_text f = detail::read_text_file(file);
  if (!f.problem.empty()) throw scenario_error(file.string(), 0, 0, sentence(capitalised(f.problem)));
  return parse_scenario(f.text, file.string(), file.parent_path());
}

clinical::scenario demo_scenario() {
  return parse_scenario(embedded::demo_scenario_toml, "<embedded demo scenario>", std::filesystem::path{"."});
}

std::string describe(const scenario_error& e) {
  std::string out = e.file;
  if (e.line > 0) {
    out += ':';
    out += std::to_string(e.line);
    if (e.column > 0) {
      out += ':';
      out += std::to_string(e.column);
    }
  }
  out += ": ";
  out += e.what();
  return out;
}

}  // namespace benzosim::io
