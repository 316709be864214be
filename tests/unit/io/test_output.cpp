// SPDX-License-Identifier: MIT
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <benzosim/clinical/side_effects.hpp>
#include <benzosim/core/error.hpp>
#include <benzosim/io/output.hpp>
#include <benzosim/io/scenario_file.hpp>

#include "io_test_util.hpp"

namespace {

using benzosim::io_test::read_file;
using benzosim::io_test::scratch_dir;
using benzosim::io_test::write_file;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

TEST(atomic_write, writes_the_content_and_leaves_no_temporary_file) {
  scratch_dir dir;
  const auto path = dir / "out.csv";
  benzosim::io::atomic_write(path, "a,b\n1,2\n");
  EXPECT_EQ(read_file(path), "a,b\n1,2\n");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.csv"});
}

TEST(atomic_write, replaces_an_existing_file) {
  scratch_dir dir;
  const auto path = dir / "out.json";
  write_file(path, "old content that is longer than the new one");
  benzosim::io::atomic_write(path, "new");
  EXPECT_EQ(read_file(path), "new");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.json"});
}

TEST(atomic_write, writes_empty_content) {
  scratch_dir dir;
  benzosim::io::atomic_write(dir / "empty", "");
  EXPECT_EQ(read_file(dir / "empty"), "");
  EXPECT_EQ(dir.entries().size(), 1u);
}

TEST(atomic_write, missing_directory_throws_and_creates_nothing) {
  scratch_dir dir;
  const auto path = dir / "no_such_dir" / "out.csv";
  try {
    benzosim::io::atomic_write(path, "x");
    ADD_FAILURE() << "no error thrown";
  } catch (const benzosim::error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("No such file or directory"), std::string::npos) << msg;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "no_such_dir"));
  EXPECT_TRUE(dir.entries().empty());
}

TEST(atomic_write, directory_in_the_way_throws_and_leaves_no_temporary_file) {
  scratch_dir dir;
  std::filesystem::create_directory(dir / "out.csv");
  write_file(dir / "out.csv" / "keep", "k");
  EXPECT_THROW(benzosim::io::atomic_write(dir / "out.csv", "x"), benzosim::error);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.csv"});
  EXPECT_EQ(read_file(dir / "out.csv" / "keep"), "k");
}

TEST(format_number, ten_significant_digits) {
  EXPECT_EQ(benzosim::io::format_number(3.105), "3.105");
  EXPECT_EQ(benzosim::io::format_number(0.1 + 0.2), "0.3");
  EXPECT_EQ(benzosim::io::format_number(1.0), "1");
  EXPECT_EQ(benzosim::io::format_number(-0.0), "0");
  EXPECT_EQ(benzosim::io::format_number(664.0), "664");
  EXPECT_EQ(benzosim::io::format_number(1.0 / 3.0), "0.3333333333");
  EXPECT_EQ(benzosim::io::format_number(1e-12), "1e-12");
  EXPECT_EQ(benzosim::io::format_number(123456789012.0), "1.23456789e+11");
}

TEST(format_number, refuses_non_finite_numbers) {
  EXPECT_THROW(benzosim::io::format_number(nan), benzosim::internal_error);
  EXPECT_THROW(benzosim::io::format_number(inf), benzosim::internal_error);
  EXPECT_THROW(benzosim::io::format_number(-inf), benzosim::internal_error);
}

benzosim::clinical::timeline two_row_timeline() {
  benzosim::clinical::timeline t;
  t.time_h = {0.0, 1.5};
  t.conc_ngml = {0.0, 12.93456789012};
  t.free_ngml = {0.0, 1.94};
  t.occupancy = {0.0, 0.34};
  t.net_modulation = {0.0, -0.25};
  t.tolerance = {0.0, 0.01};
  t.withdrawal = {0.0, 0.25};
  t.seizure_activity = {0.3, 0.05};
  t.dsst_impairment_pct = {0.0, 41.5};
  t.drowsiness_prob = {0.05, 0.5};
  t.net_sedative = {0.0, -0.125};
  t.net_anticonvulsant = {0.0, 0.2};
  t.net_anxiolytic = {0.0, 0.3};
  t.net_amnesic = {0.0, 0.34};
  t.seizure_burden_24h = {0.3, 0.175};
  return t;
}

TEST(timeseries_csv, header_and_rows_round_trip) {
  const auto t = two_row_timeline();
  const std::string csv = benzosim::io::timeseries_csv(t);
  const auto lines = split(csv, '\n');
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0],
            "time_h,conc_ngml,free_ngml,occupancy,net_modulation,tolerance,withdrawal,seizure_activity,"
            "dsst_impairment_pct,drowsiness_prob,net_sedative,net_anticonvulsant,net_anxiolytic,net_amnesic,"
            "seizure_burden_24h");
  EXPECT_EQ(lines[1], "0,0,0,0,0,0,0,0.3,0,0.05,0,0,0,0,0.3");
  const auto cells = split(lines[2], ',');
  ASSERT_EQ(cells.size(), 15u);
  const std::vector<double> expected = {1.5, 12.93456789012, 1.94, 0.34, -0.25, 0.01, 0.25, 0.05, 41.5,
                                        0.5, -0.125,         0.2,  0.3,  0.34,  0.175};
  for (std::size_t i = 0; i < cells.size(); ++i) EXPECT_NEAR(std::stod(cells[i]), expected[i], 1e-9 * 13) << i;
  EXPECT_EQ(cells[1], "12.93456789");
  EXPECT_EQ(csv.back(), '\n');
}

TEST(timeseries_csv, one_probability_column_per_side_effect) {
  auto t = two_row_timeline();
  const auto effects = benzosim::clinical::side_effect_table();
  for (std::size_t e = 0; e < effects.size(); ++e) t.side_effect_prob.push_back({effects[e].placebo_rate, 0.125});
  const auto lines = split(benzosim::io::timeseries_csv(t), '\n');
  ASSERT_EQ(lines.size(), 3u);
  const auto header = split(lines[0], ',');
  ASSERT_EQ(header.size(), 15u + effects.size());
  for (std::size_t e = 0; e < effects.size(); ++e) EXPECT_EQ(header[15 + e], "p_" + std::string(effects[e].name));
  EXPECT_EQ(header[15], "p_drowsiness");
  EXPECT_EQ(split(lines[2], ',').back(), "0.125");
  t.side_effect_prob.pop_back();  // a column missing is a bug
  EXPECT_THROW(benzosim::io::timeseries_csv(t), benzosim::internal_error);
}

TEST(timeseries_csv, columns_of_different_length_are_a_bug) {
  auto t = two_row_timeline();
  t.withdrawal.pop_back();
  EXPECT_THROW(benzosim::io::timeseries_csv(t), benzosim::internal_error);
}

TEST(timeseries_csv, non_finite_values_are_a_bug) {
  auto t = two_row_timeline();
  t.occupancy[1] = nan;
  EXPECT_THROW(benzosim::io::timeseries_csv(t), benzosim::internal_error);
}

TEST(concentration_csv, header_and_rows) {
  benzosim::pk::concentration_profile c;
  c.t_h = {0.0, 2.0};
  c.c_ngml = {0.0, 12.5};
  c.free_ngml = {0.0, 1.875};
  EXPECT_EQ(benzosim::io::concentration_csv(c), "time_h,conc_ngml,free_ngml\n0,0,0\n2,12.5,1.875\n");
  c.free_ngml.pop_back();
  EXPECT_THROW(benzosim::io::concentration_csv(c), benzosim::internal_error);
}

benzosim::clinical::results some_results() {
  benzosim::clinical::results r;
  r.series = two_row_timeline();
  auto& m = r.summary;
  m.total_dose_mg = 42.0;
  m.treatment_days = 28.0;
  m.max_daily_dose_mg = 1.5;
  m.cmax_ngml = 18.123456789123;
  m.tmax_h = 650.0;
  m.css_trough_ngml = 15.0;
  m.peak_dsst_impairment_pct = 30.0;
  m.peak_drowsiness_prob = 0.4;
  m.peak_tolerance = 0.2;
  m.peak_withdrawal = 0.18;
  m.peak_withdrawal_time_h = 800.0;
  m.withdrawal_days = 9.0;
  m.seizure_activity_baseline = 0.3;
  m.seizure_activity_on_treatment = 0.02;
  m.seizure_activity_peak_after_stop = 0.45;
  m.domains = {{"sedative", 0.4, 0.12, 760.0}, {"amnesic", 0.5, 0.0, 0.0}};
  for (const auto& e : benzosim::clinical::side_effect_table()) {
    m.side_effects.push_back({std::string(e.name), 0.25, 12.0, e.placebo_rate});
  }
  auto& c = r.seizures;
  c.checkpoint_h = 6.0;
  c.time_h = {0.0, 6.0};
  c.net_anticonvulsant = {0.0, 0.2};
  c.fraction = {0.3, 0.05};
  c.baseline_fraction = 0.3;
  c.daily_burden = {0.175};
  c.weekly_burden = {0.175};
  c.lowest_daily_burden_on_treatment = 0.175;
  c.last_week_of_treatment_burden = 0.05;
  c.peak_daily_burden_after_stop = 0.45;
  c.peak_daily_burden_after_stop_day = 3.0;
  c.days_above_baseline_after_stop = 12.0;
  r.warnings = {{"duration_beyond_short_term", "Treatment lasts 28 days."}};
  r.uncertain = {"occupancy: class proxy"};
  return r;
}

TEST(summary_json, side_effects_name_label_placebo_source_and_status) {
  const auto s = benzosim::io::demo_scenario();
  const auto j = nlohmann::json::parse(benzosim::io::summary_json(s, some_results()));
  const auto& side = j.at("summary").at("side_effects");
  EXPECT_EQ(side.size(), benzosim::clinical::side_effect_table().size());
  for (const auto& e : benzosim::clinical::side_effect_table()) {
    const auto& x = side.at(std::string(e.name));
    EXPECT_DOUBLE_EQ(x.at("peak_probability").get<double>(), 0.25);
    EXPECT_DOUBLE_EQ(x.at("peak_time_h").get<double>(), 12.0);
    EXPECT_DOUBLE_EQ(x.at("final_probability").get<double>(), e.placebo_rate);
    EXPECT_DOUBLE_EQ(x.at("label_value").get<double>(), e.label_rate);
    EXPECT_DOUBLE_EQ(x.at("placebo_value").get<double>(), e.placebo_rate);
    EXPECT_EQ(x.at("source").get<std::string>(), std::string(e.source));
    EXPECT_TRUE(x.at("status") == "calibrated" || x.at("status") == "uncertain");
  }
  EXPECT_EQ(side.at("drowsiness").at("status"), "calibrated");
  EXPECT_EQ(side.at("dizziness").at("status"), "uncertain");
  EXPECT_EQ(j.at("summary").at("side_effects_not_modelled").size(),
            benzosim::clinical::side_effects_without_incidence().size());
}

TEST(summary_json, has_every_documented_field) {
  const auto s = benzosim::io::demo_scenario();
  const auto j = nlohmann::json::parse(benzosim::io::summary_json(s, some_results()));
  EXPECT_EQ(j.at("benzosim_version"), benzosim::io::version());
  EXPECT_EQ(j.at("disclaimer"), "benzosim is a research and teaching simulator, not medical advice.");
  EXPECT_EQ(j.at("scenario").at("name"), "demo");
  EXPECT_EQ(j.at("scenario").at("indication"), "seizure_disorder");
  EXPECT_EQ(j.at("scenario").at("drug"), "clonazepam");
  EXPECT_TRUE(j.at("scenario").at("description").is_string());
  const auto& m = j.at("summary");
  const std::vector<std::string> keys = {"total_dose_mg",
                                         "treatment_days",
                                         "max_daily_dose_mg",
                                         "cmax_ngml",
                                         "tmax_h",
                                         "css_trough_ngml",
                                         "peak_dsst_impairment_pct",
                                         "peak_drowsiness_prob",
                                         "peak_tolerance",
                                         "peak_withdrawal",
                                         "peak_withdrawal_time_h",
                                         "withdrawal_days",
                                         "seizure_activity_baseline",
                                         "seizure_activity_on_treatment",
                                         "seizure_activity_peak_after_stop",
                                         "domains",
                                         "side_effects",
                                         "side_effects_not_modelled",
                                         "seizure"};
  EXPECT_EQ(m.size(), keys.size());
  EXPECT_DOUBLE_EQ(m.at("domains").at("sedative").at("peak_withdrawal").get<double>(), 0.12);
  EXPECT_DOUBLE_EQ(m.at("domains").at("sedative").at("peak_withdrawal_time_h").get<double>(), 760.0);
  EXPECT_DOUBLE_EQ(m.at("domains").at("amnesic").at("peak_net").get<double>(), 0.5);
  EXPECT_FALSE(j.contains("alcohol"));  // the demo has no [alcohol]
  for (const auto& k : keys) EXPECT_TRUE(m.contains(k)) << k;
  EXPECT_DOUBLE_EQ(m.at("total_dose_mg").get<double>(), 42.0);
  EXPECT_DOUBLE_EQ(m.at("cmax_ngml").get<double>(), 18.12345679);  // 10 significant digits
  EXPECT_DOUBLE_EQ(m.at("seizure_activity_peak_after_stop").get<double>(), 0.45);
  // The demo has [circuit]: the seizure timeline, its model and landmarks (docs/file-formats.md).
  const auto& z = m.at("seizure");
  for (const char* k :
       {"model", "checkpoint_h", "checkpoints", "baseline_burden", "lowest_daily_burden_on_treatment",
        "lowest_daily_burden_day", "last_week_of_treatment_burden", "peak_daily_burden_after_stop",
        "peak_daily_burden_after_stop_day", "days_above_baseline_after_stop", "daily_burden", "weekly_burden"}) {
    EXPECT_TRUE(z.contains(k)) << k;
  }
  EXPECT_EQ(z.size(), 12u);
  EXPECT_DOUBLE_EQ(z.at("model").at("B_mv").get<double>(), s.circuit.model.B_mv);
  EXPECT_EQ(z.at("model").at("columns").get<int>(), 1);
  EXPECT_EQ(z.at("checkpoints").get<int>(), 2);
  EXPECT_DOUBLE_EQ(z.at("baseline_burden").get<double>(), 0.3);
  EXPECT_DOUBLE_EQ(z.at("days_above_baseline_after_stop").get<double>(), 12.0);
  EXPECT_EQ(z.at("daily_burden"), nlohmann::json::array({0.175}));
  EXPECT_FALSE(j.at("scenario").contains("arm"));
  ASSERT_EQ(j.at("warnings").size(), 1u);
  EXPECT_EQ(j.at("warnings")[0].at("code"), "duration_beyond_short_term");
  EXPECT_EQ(j.at("warnings")[0].at("message"), "Treatment lasts 28 days.");
  EXPECT_EQ(j.at("uncertain"), nlohmann::json::array({"occupancy: class proxy"}));
}

TEST(summary_json, names_the_arm_and_leaves_out_a_disabled_circuit) {
  auto s = benzosim::io::demo_scenario();
  const benzosim::clinical::arm taper{"taper", "Slowly.", {}};
  auto j = nlohmann::json::parse(benzosim::io::summary_json(s, some_results(), &taper));
  EXPECT_EQ(j.at("scenario").at("arm").at("name"), "taper");
  EXPECT_EQ(j.at("scenario").at("arm").at("description"), "Slowly.");
  s.circuit.enabled = false;
  j = nlohmann::json::parse(benzosim::io::summary_json(s, some_results()));
  EXPECT_FALSE(j.at("summary").contains("seizure"));
  auto r = some_results();
  r.seizures.daily_burden[0] = nan;
  s.circuit.enabled = true;
  EXPECT_THROW(benzosim::io::summary_json(s, r), benzosim::internal_error);
}

TEST(summary_json, non_finite_summary_is_a_bug) {
  const auto s = benzosim::io::demo_scenario();
  auto r = some_results();
  r.summary.css_trough_ngml = nan;
  EXPECT_THROW(benzosim::io::summary_json(s, r), benzosim::internal_error);
}

TEST(version, is_a_dotted_version) {
  const std::string v = benzosim::io::version();
  EXPECT_FALSE(v.empty());
  EXPECT_NE(v.find('.'), std::string::npos);
}

}  // namespace
