// SPDX-License-Identifier: MIT
// The model of `benzosim nm`, from flags or from a TOML model file. Both front ends only read syntax into
// the same raw description; one builder checks it and produces the nm_model_spec, so the two forms cannot
// drift apart. Reference: docs/nm.md.
#include <benzosim/io/nm_model.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <benzosim/core/error.hpp>

#include "nm_common.hpp"
#include "text_file.hpp"
#include "toml_reader.hpp"

namespace benzosim::io {
namespace {

using detail::iequals;
using detail::location;
using detail::number_status;
using detail::sentence;
using detail::show;

/// Where a piece of the model came from: `what` starts the message ("--param CL=abc", "params.CL"); loc is
/// the place in the model file (unused for flags).
struct origin {
  std::string what;
  location loc;
};

enum class modifier_kind { bioav, lag, rate, duration };

struct modifier_info {
  modifier_kind kind;
  std::string_view key;   // model-file key
  std::string_view flag;  // command-line flag
  std::string_view what;  // for messages
  std::string_view unit;
  bool strictly_positive;
};

constexpr modifier_info modifier_infos[] = {
    {modifier_kind::bioav, "bioav", "--bioav", "F (bioavailability)", "", false},
    {modifier_kind::lag, "lag", "--lag", "ALAG (lag time)", "h", false},
    {modifier_kind::rate, "rate", "--rate", "R (modeled rate)", "mg/h", true},
    {modifier_kind::duration, "duration", "--duration", "D (modeled duration)", "h", true},
};

const modifier_info& info(modifier_kind k) {
  return modifier_infos[static_cast<std::size_t>(k)];
}

/// A modifier value as written: a number or a column name.
struct raw_value {
  std::optional<double> number;
  std::string column;
};

struct raw_param {
  std::string name;
  double value = 0.0;
  origin at;
};

struct raw_modifier {
  std::int64_t cmt = 0;
  modifier_kind kind = modifier_kind::bioav;
  raw_value value;
  origin at;
};

struct raw_output {
  std::string name;
  std::int64_t cmt = 0;
  std::string divide_by;
  double multiply = 1.0;
  origin at;
};

struct raw_model {
  std::string structure;
  origin structure_at;
  std::vector<raw_param> params;
  origin params_at;  // where a missing parameter is reported
  std::vector<raw_modifier> modifiers;
  std::vector<raw_output> outputs;
};

/// Turns a raw model into a checked nm_model_spec. file empty = the flag form (errors are `error`s naming
/// the flag); otherwise errors are scenario_errors at the model-file line.
class builder {
 public:
  builder(std::string file, const std::vector<std::string>& covariates)
      : file_(std::move(file)), covariates_(covariates) {}

  nm_model_spec build(const raw_model& raw) const {
    nm_model_spec spec;
    pk::linear_model& m = spec.model;
    try {
      m.structure = pk::parse_linear_structure(raw.structure);
    } catch (const error& e) {
      std::string msg = e.what();
      if (file_.empty()) msg = sentence(msg) + " Or give a model file ending in .toml";
      fail(raw.structure_at, msg);
    }
    const std::string structure{pk::to_string(m.structure)};
    const int n = pk::compartment_count(m.structure);

    // Parameters: every NONMEM name of the structure, once.
    const std::vector<std::string_view> names = pk::parameter_names(m.structure);
    std::vector<std::string> name_list(names.begin(), names.end());
    std::vector<const raw_param*> given(names.size(), nullptr);
    for (const raw_param& p : raw.params) {
      const auto it = std::find_if(names.begin(), names.end(), [&](std::string_view x) { return iequals(x, p.name); });
      if (it == names.end()) {
        fail(p.at,
             "'" + p.name + "' is not a parameter of " + structure + "; its parameters are " + detail::join(name_list));
      }
      const auto k = static_cast<std::size_t>(it - names.begin());
      if (given[k] != nullptr) fail(p.at, "parameter " + std::string{names[k]} + " is given twice");
      given[k] = &p;
    }
    std::vector<std::string> missing;
    for (std::size_t k = 0; k < names.size(); ++k) {
      if (given[k] == nullptr) missing.emplace_back(names[k]);
    }
    if (!missing.empty()) {
      fail(raw.params_at, std::string{missing.size() == 1 ? "parameter " : "parameters "} + detail::join(missing) +
                              (missing.size() == 1 ? " is" : " are") + " missing; " + structure + " needs " +
                              detail::join(name_list));
    }
    for (const raw_param* p : given) m.params.push_back(p->value);

    // Per-compartment modifiers: always one set per compartment.
    m.modifiers.assign(static_cast<std::size_t>(n), pk::compartment_modifiers{});
    std::vector<bool> seen(static_cast<std::size_t>(n) * std::size(modifier_infos), false);
    for (const raw_modifier& r : raw.modifiers) {
      const modifier_info& mi = info(r.kind);
      if (r.cmt < 1 || r.cmt > n) {
        fail(r.at, "compartment " + std::to_string(r.cmt) + " does not exist in " + structure + " (" +
                       detail::compartment_list(m.structure) + ")");
      }
      const auto c = static_cast<std::size_t>(r.cmt - 1);
      const std::size_t slot = c * std::size(modifier_infos) + static_cast<std::size_t>(r.kind);
      if (seen[slot]) fail(r.at, std::string{mi.what} + " of compartment " + std::to_string(r.cmt) + " is given twice");
      seen[slot] = true;
      pk::modifier out;
      if (r.value.number) {
        const double v = *r.value.number;
        if (mi.strictly_positive ? !(v > 0.0) : !(v >= 0.0)) {
          fail(r.at, std::string{mi.what} + " = " + show(v) + detail::unit_suffix(mi.unit) + "; must be " +
                         (mi.strictly_positive ? "> 0" : ">= 0"));
        }
        out.from = pk::modifier::source::constant;
        out.value = v;
      } else {
        const std::size_t j = resolve_column(r.value.column, r.at);
        out.from = pk::modifier::source::covariate;
        out.column = j;
        out.name = covariates_[j];
      }
      pk::compartment_modifiers& cm = m.modifiers[c];
      switch (r.kind) {
        case modifier_kind::bioav:
          cm.bioav = out;
          break;
        case modifier_kind::lag:
          cm.lag = out;
          break;
        case modifier_kind::rate:
          cm.rate = out;
          break;
        case modifier_kind::duration:
          cm.duration = out;
          break;
      }
    }

    // Outputs.
    std::vector<std::string> taken = {"ID", "TIME", "EVID"};
    for (int c = 1; c <= n; ++c) {
      std::string a = "A";  // (not "A" + to_string: GCC 12 reports a false -Wrestrict for that)
      a += std::to_string(c);
      taken.push_back(std::move(a));
    }
    for (const raw_output& o : raw.outputs) {
      if (!is_identifier(o.name)) {
        fail(o.at, "the output name '" + o.name +
                       "' is not a valid column name (letters, digits and '_', starting with a letter or '_')");
      }
      for (const std::string& t : taken) {
        if (iequals(t, o.name)) {
          fail(o.at, "the output name '" + o.name + "' is already a column of the result (ID, TIME, EVID, A1..A" +
                         std::to_string(n) + " and the outputs before it; names are case-insensitive)");
        }
      }
      taken.push_back(o.name);
      if (o.cmt < 1 || o.cmt > n) {
        fail(o.at, "compartment " + std::to_string(o.cmt) + " does not exist in " + structure + " (" +
                       detail::compartment_list(m.structure) + ")");
      }
      nm_output out;
      out.name = o.name;
      out.cmt = static_cast<int>(o.cmt);
      if (!o.divide_by.empty()) {
        const auto it =
            std::find_if(names.begin(), names.end(), [&](std::string_view x) { return iequals(x, o.divide_by); });
        if (it == names.end()) {
          fail(o.at, "cannot divide by '" + o.divide_by + "': it is not a parameter of " + structure +
                         " (its parameters are " + detail::join(name_list) + ")");
        }
        out.divide_by = std::string{*it};
      }
      if (!(o.multiply > 0.0)) fail(o.at, "the factor " + show(o.multiply) + " must be > 0");
      out.multiply = o.multiply;
      spec.outputs.push_back(std::move(out));
    }

    try {
      m.validate();
    } catch (const invalid_parameter& e) {
      const origin* at = &raw.structure_at;
      for (const raw_param& p : raw.params) {
        if (iequals(p.name, e.name)) at = &p.at;
      }
      if (file_.empty()) throw invalid_parameter(e.name, e.value, sentence(at->what + ": " + e.what()));
      fail(*at, e.what());
    }
    return spec;
  }

  [[noreturn]] void fail(const origin& o, const std::string& message) const {
    const std::string text = sentence(o.what.empty() ? message : o.what + ": " + message);
    if (file_.empty()) throw error(text);
    throw scenario_error(file_, o.loc.line, o.loc.column, text);
  }

 private:
  static bool is_identifier(std::string_view s) {
    if (s.empty()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
      const bool digit = c >= '0' && c <= '9';
      if (!(letter || (i > 0 && digit))) return false;
    }
    return true;
  }

  std::size_t resolve_column(const std::string& name, const origin& at) const {
    for (std::size_t j = 0; j < covariates_.size(); ++j) {
      if (iequals(covariates_[j], name)) return j;
    }
    if (covariates_.empty()) {
      fail(at, "there is no column '" + name +
                   "': the dataset has no covariate columns (only ID, TIME, EVID, AMT, "
                   "CMT, RATE, II, ADDL, SS, MDV, DV)");
    }
    fail(at, "there is no covariate column '" + name + "' in the dataset; its covariate columns are " +
                 detail::join(covariates_));
  }

  std::string file_;
  const std::vector<std::string>& covariates_;
};

// ---- The flag form ----

/// "NAME=VALUE" split at the first '='; both parts trimmed and non-empty, else an error naming the flag.
std::pair<std::string, std::string> split_assignment(const std::string& text, const origin& at,
                                                     std::string_view expected, const builder& b) {
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos) b.fail(at, "expected " + std::string{expected});
  std::string left{detail::trim(std::string_view{text}.substr(0, eq))};
  std::string right{detail::trim(std::string_view{text}.substr(eq + 1))};
  if (left.empty() || right.empty()) b.fail(at, "expected " + std::string{expected});
  return {std::move(left), std::move(right)};
}

double flag_number(const std::string& text, const origin& at, const builder& b) {
  const detail::parsed_number p = detail::parse_number(text);
  switch (p.status) {
    case number_status::ok:
      return p.value;
    case number_status::missing:
    case number_status::not_a_number:
      b.fail(at, "'" + text + "' is not a number");
    case number_status::not_finite:
      b.fail(at, "'" + text + "' is not a finite number");
  }
  return 0.0;
}

std::int64_t flag_compartment(const std::string& text, const origin& at, const builder& b) {
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    b.fail(at, "'" + text + "' is not a compartment number");
  }
  return std::stoll(text);
}

raw_model raw_from_flags(const nm_model_flags& f, const builder& b) {
  raw_model raw;
  raw.structure = f.structure;
  raw.structure_at = {"--model " + f.structure, {}};
  raw.params_at = {"--param", {}};
  for (const std::string& p : f.params) {
    const origin at{"--param " + p, {}};
    auto [name, value] = split_assignment(p, at, "NAME=VALUE, e.g. --param CL=1.1", b);
    raw.params.push_back({std::move(name), flag_number(value, at, b), at});
  }
  const std::pair<const std::vector<std::string>*, modifier_kind> lists[] = {{&f.bioav, modifier_kind::bioav},
                                                                             {&f.lag, modifier_kind::lag},
                                                                             {&f.rate, modifier_kind::rate},
                                                                             {&f.duration, modifier_kind::duration}};
  for (const auto& [list, kind] : lists) {
    for (const std::string& text : *list) {
      const std::string flag{info(kind).flag};
      const origin at{flag + " " + text, {}};
      auto [cmt, value] = split_assignment(text, at, "CMT=NUMBER or CMT=COLUMN, e.g. " + flag + " 2=0.8", b);
      raw_modifier r;
      r.cmt = flag_compartment(cmt, at, b);
      r.kind = kind;
      const detail::parsed_number p = detail::parse_number(value);
      if (p.status == number_status::ok) {
        r.value.number = p.value;
      } else if (p.status == number_status::not_finite) {
        b.fail(at, "'" + value + "' is not a finite number");
      } else {
        r.value.column = value;
      }
      r.at = at;
      raw.modifiers.push_back(std::move(r));
    }
  }
  for (const std::string& text : f.outputs) {
    const origin at{"--output " + text, {}};
    const std::string expected = "NAME=CMT[/PARAM][*FACTOR], e.g. --output CP=2/V*1000";
    auto [name, formula] = split_assignment(text, at, expected, b);
    raw_output o;
    o.name = std::move(name);
    o.at = at;
    std::string_view rest{formula};
    if (const std::size_t star = rest.find('*'); star != std::string_view::npos) {
      const std::string factor{detail::trim(rest.substr(star + 1))};
      if (factor.empty()) b.fail(at, "expected " + expected);
      o.multiply = flag_number(factor, at, b);
      rest = rest.substr(0, star);
    }
    if (const std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
      o.divide_by = std::string{detail::trim(rest.substr(slash + 1))};
      if (o.divide_by.empty()) b.fail(at, "expected " + expected);
      rest = rest.substr(0, slash);
    }
    o.cmt = flag_compartment(std::string{detail::trim(rest)}, at, b);
    raw.outputs.push_back(std::move(o));
  }
  return raw;
}

// ---- The model-file form ----

const std::initializer_list<std::string_view> top_level_keys = {"schema_version", "structure", "params", "compartment",
                                                                "outputs"};

/// A TOML integer or float, finite.
double node_number(const toml::node& n, const std::string& key_path, const std::string& file) {
  double v = 0.0;
  if (const auto* i = n.as_integer()) {
    v = static_cast<double>(i->get());
  } else if (const auto* x = n.as_floating_point()) {
    v = x->get();
  } else {
    detail::fail(file, detail::where(n), key_path + " must be a number, found " + detail::type_name(n.type()) + ".");
  }
  if (!std::isfinite(v))
    detail::fail(file, detail::where(n), key_path + " = " + show(v) + "; must be a finite number.");
  return v;
}

/// The entries of a table in file order (toml++ keeps keys sorted; outputs keep the order they are written in).
std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (auto&& [k, v] : t) out.emplace_back(std::string{k.str()}, &v);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const location x = detail::where(*a.second);
    const location y = detail::where(*b.second);
    return std::pair{x.line, x.column} < std::pair{y.line, y.column};
  });
  return out;
}

/// The sub-table at key (which must be a table) or nullptr when absent.
const toml::table* optional_table(const detail::table_view& parent, std::string_view key) {
  const toml::node* n = parent.find(key);
  if (n == nullptr) return nullptr;
  const auto* t = n->as_table();
  if (t == nullptr) parent.fail_type(key, "a table ([" + std::string{key} + "])", *n);
  return t;
}

raw_model raw_from_toml(const toml::table& root, const std::string& file) {
  detail::check_schema_version(root, file, "model file", nm_model_schema_version);
  const detail::table_view top(root, "", file, top_level_keys);
  const std::vector<std::string_view> top_keys(top_level_keys);
  raw_model raw;
  raw.structure = top.string("structure");
  raw.structure_at = {"structure = \"" + raw.structure + "\"", top.loc_of("structure")};

  // [params]: the keys are the NONMEM parameter names (checked by the builder).
  top.require("params");
  const toml::table& params = *optional_table(top, "params");
  raw.params_at = {"[params]", detail::where(params)};
  for (const auto& [key, node] : in_file_order(params)) {
    const std::string path = "params." + key;
    raw.params.push_back({key, node_number(*node, path, file), {path, detail::where(*node)}});
  }

  // [compartment.N]: modifiers of compartment N, each a number or a column name.
  if (const toml::table* cmts = optional_table(top, "compartment")) {
    for (const auto& [key, node] : in_file_order(*cmts)) {
      const std::string path = "compartment." + key;
      const bool digits = !key.empty() && key.size() <= 9 &&
                          std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) {
        detail::fail(file, detail::where(*node),
                     "'" + path +
                         "' is not allowed: the keys of [compartment] are compartment numbers, as in "
                         "[compartment.2].");
      }
      const auto* t = node->as_table();
      if (t == nullptr) {
        detail::fail(file, detail::where(*node),
                     path + " must be a table ([" + path + "]), found " + detail::type_name(node->type()) + ".");
      }
      const detail::table_view view(*t, path, file, {"bioav", "lag", "rate", "duration"}, top_keys);
      for (const modifier_info& mi : modifier_infos) {
        const toml::node* v = view.find(mi.key);
        if (v == nullptr) continue;
        raw_modifier r;
        r.cmt = std::stoll(key);
        r.kind = mi.kind;
        r.at = {view.key_path(mi.key), detail::where(*v)};
        if (const auto* s = v->as_string()) {
          r.value.column = s->get();
          if (r.value.column.empty()) view.fail_at(mi.key, view.key_path(mi.key) + " must not be empty.");
        } else if (v->is_number()) {
          r.value.number = node_number(*v, view.key_path(mi.key), file);
        } else {
          view.fail_type(mi.key, "a number or a column name (a string)", *v);
        }
        raw.modifiers.push_back(std::move(r));
      }
    }
  }

  // [outputs]: NAME = { amount = CMT, divide_by = "PARAM", multiply = FACTOR }, in file order.
  if (const toml::table* outs = optional_table(top, "outputs")) {
    for (const auto& [name, node] : in_file_order(*outs)) {
      const std::string path = "outputs." + name;
      const auto* t = node->as_table();
      if (t == nullptr) {
        detail::fail(file, detail::where(*node),
                     path + " must be a table such as { amount = 2, divide_by = \"V\", multiply = 1000.0 }, found " +
                         detail::type_name(node->type()) + ".");
      }
      const detail::table_view view(*t, path, file, {"amount", "divide_by", "multiply"}, top_keys);
      raw_output o;
      o.name = name;
      o.at = {path, detail::where(*node)};
      o.cmt = view.integer("amount");
      if (const std::optional<std::string> d = view.optional_string("divide_by")) {
        if (d->empty()) view.fail_at("divide_by", view.key_path("divide_by") + " must not be empty.");
        o.divide_by = *d;
      }
      o.multiply = view.optional_number("multiply").value_or(1.0);
      raw.outputs.push_back(std::move(o));
    }
  }
  return raw;
}

}  // namespace

nm_model_spec build_nm_model(const nm_model_flags& flags, const std::vector<std::string>& covariate_names) {
  const builder b("", covariate_names);
  return b.build(raw_from_flags(flags, b));
}

nm_model_spec parse_nm_model(std::string_view toml_text, const std::string& source_name,
                             const std::vector<std::string>& covariate_names) {
  const std::string file = source_name.empty() ? "<model file>" : source_name;
  const toml::table root = detail::parse_toml(toml_text, file);
  const builder b(file, covariate_names);
  return b.build(raw_from_toml(root, file));
}

nm_model_spec load_nm_model(const std::filesystem::path& path, const std::vector<std::string>& covariate_names) {
  const detail::file_text f = detail::read_text_file(path);
  if (!f.problem.empty()) throw scenario_error(path.string(), 0, 0, sentence(detail::capitalise(f.problem)));
  return parse_nm_model(f.text, path.string(), covariate_names);
}

double output_value(const nm_output& o, const pk::linear_model& m, const pk::amounts_table& a, std::size_t record) {
  const double amount = a.at(record, o.cmt);  // [mg]
  const double divisor = o.divide_by.empty() ? 1.0 : m.param(o.divide_by);
  return amount / divisor * o.multiply;
}

}  // namespace benzosim::io
