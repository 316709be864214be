// SPDX-License-Identifier: MIT
// Data-driven comparison with NONMEM: every validation/cases/*.toml (other than *.model.toml) names a
// NONMEM-style dataset with NONMEM's result in a column, a benzosim model file, and the tolerances.
// Adding a reference case is adding files; see validation/README.md.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <benzosim/io/nm_dataset.hpp>
#include <benzosim/io/nm_model.hpp>
#include <benzosim/pk/linear.hpp>

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> case_files() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(BENZOSIM_VALIDATION_DIR) / "cases")) {
    const auto name = e.path().filename().string();
    if (e.path().extension() == ".toml" && name.find(".model.toml") == std::string::npos) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string expand(std::string s) {
  const std::string key = "{shared}";
  if (const auto p = s.find(key); p != std::string::npos) {
    s.replace(p, key.size(), std::string(BENZOSIM_SOURCE_DIR) + "/../shared");
  }
  return s;
}

class nonmem_case : public ::testing::TestWithParam<fs::path> {};

TEST_P(nonmem_case, agrees_with_nonmem) {
  const auto file = GetParam();
  const auto c = toml::parse_file(file.string());
  const fs::path data = expand(c["data"].value<std::string>().value());
  if (!fs::exists(data)) GTEST_SKIP() << "reference data not found: " << data;
  const auto dataset = benzosim::io::load_nm_dataset(data);
  const auto spec = benzosim::io::load_nm_model(file.parent_path() / c["model"].value<std::string>().value(),
                                                dataset.covariate_names);
  benzosim::io::check_against_model(dataset, spec.model, data.string());
  std::vector<benzosim::pk::amounts_table> amounts;
  for (const auto& s : dataset.subjects) amounts.push_back(benzosim::pk::simulate(spec.model, s));

  const auto* compares = c["compare"].as_array();
  ASSERT_NE(compares, nullptr) << file << ": no [[compare]] table";
  for (const auto& node : *compares) {
    const auto& t = *node.as_table();
    const auto output = t["output"].value<std::string>().value();
    const auto reference = t["reference"].value<std::string>().value();
    const double rtol = t["rtol"].value<double>().value();
    const double atol = t["atol"].value<double>().value();
    const auto out_it =
        std::find_if(spec.outputs.begin(), spec.outputs.end(), [&](const auto& o) { return o.name == output; });
    ASSERT_NE(out_it, spec.outputs.end()) << "the model declares no output " << output;
    const auto ref_it = std::find(dataset.covariate_names.begin(), dataset.covariate_names.end(), reference);
    ASSERT_NE(ref_it, dataset.covariate_names.end()) << "the data has no column " << reference;
    const auto ref_col = static_cast<std::size_t>(ref_it - dataset.covariate_names.begin());
    const std::size_t nc = dataset.covariate_names.size();
    std::size_t rows = 0, failures = 0;
    double worst_rel = 0.0, min_lre = 17.0;
    for (const auto& ref : dataset.order) {
      const double expected = dataset.subjects[ref.subject].covariates[ref.record * nc + ref_col];
      const double actual = benzosim::io::output_value(*out_it, spec.model, amounts[ref.subject], ref.record);
      const double diff = std::fabs(actual - expected);
      ++rows;
      if (diff > std::max(rtol * std::fabs(expected), atol)) {
        if (++failures <= 10) {
          ADD_FAILURE() << file.filename() << ": subject " << dataset.subjects[ref.subject].id << " row "
                        << dataset.subjects[ref.subject].records[ref.record].row << ": " << output << " = " << actual
                        << ", NONMEM " << expected;
        }
      }
      if (expected != 0.0) {
        worst_rel = std::max(worst_rel, diff / std::fabs(expected));
        min_lre = std::min(min_lre, diff == 0.0 ? 17.0 : -std::log10(diff / std::fabs(expected)));
      }
    }
    EXPECT_EQ(failures, 0u);
    EXPECT_GT(rows, 0u);
    // Digits of agreement (log relative error), reported with the result (STYLE B7).
    RecordProperty(output + "_rows", static_cast<int>(rows));
    RecordProperty(output + "_min_digits", std::to_string(min_lre));
    std::printf("%s: %s vs %s: %zu rows, %zu outside tolerance, worst relative difference %.2e (%.1f digits)\n",
                file.filename().string().c_str(), output.c_str(), reference.c_str(), rows, failures, worst_rel,
                min_lre);
  }
}

INSTANTIATE_TEST_SUITE_P(cases, nonmem_case, ::testing::ValuesIn(case_files()),
                         [](const ::testing::TestParamInfo<fs::path>& p) {
                           std::string n = p.param.stem().string();
                           std::replace_if(
                               n.begin(), n.end(),
                               [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); }, '_');
                           return n;
                         });

}  // namespace
