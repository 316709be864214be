// SPDX-License-Identifier: MIT
#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <benzosim/core/error.hpp>
#include <benzosim/io/nm_dataset.hpp>
#include <benzosim/io/nm_model.hpp>
#include <benzosim/pk/events.hpp>
#include <benzosim/pk/linear.hpp>

#include "io_test_util.hpp"

namespace {

using benzosim::io::check_against_model;
using benzosim::io::nm_dataset;
using benzosim::io::read_nm_dataset;
using benzosim::pk::event_kind;
using benzosim::pk::input_kind;
using benzosim::pk::steady_state_kind;

/// read_nm_dataset must throw a scenario_error at `line` (and at character `column` when > 0) whose message
/// contains every part.
void expect_data_error(const std::string& text, int line, int column, std::initializer_list<std::string> parts) {
  try {
    read_nm_dataset(text, "data.csv");
    ADD_FAILURE() << "no error thrown for:\n" << text;
  } catch (const benzosim::scenario_error& e) {
    EXPECT_EQ(e.file, "data.csv");
    EXPECT_EQ(e.line, line) << e.what();
    if (column > 0) {
      EXPECT_EQ(e.column, column) << e.what();
    }
    for (const std::string& p : parts) EXPECT_NE(std::string{e.what()}.find(p), std::string::npos) << e.what();
  }
}

/// A model: one_cmt_oral CL=1.1 V=20 KA=1.5 with the given modifier flags.
benzosim::pk::linear_model oral_model(const nm_dataset& d, std::vector<std::string> rate = {},
                                      std::vector<std::string> duration = {}, std::vector<std::string> bioav = {}) {
  benzosim::io::nm_model_flags f;
  f.structure = "one_cmt_oral";
  f.params = {"CL=1.1", "V=20", "KA=1.5"};
  f.rate = std::move(rate);
  f.duration = std::move(duration);
  f.bioav = std::move(bioav);
  return benzosim::io::build_nm_model(f, d.covariate_names).model;
}

void expect_model_error(const nm_dataset& d, const benzosim::pk::linear_model& m, int line,
                        std::initializer_list<std::string> parts) {
  try {
    check_against_model(d, m, "data.csv");
    ADD_FAILURE() << "no error thrown";
  } catch (const benzosim::scenario_error& e) {
    EXPECT_EQ(e.file, "data.csv");
    EXPECT_EQ(e.line, line) << e.what();
    EXPECT_GT(e.column, 0) << e.what();
    for (const std::string& p : parts) EXPECT_NE(std::string{e.what()}.find(p), std::string::npos) << e.what();
  }
}

TEST(nm_dataset, reads_typed_records_with_case_insensitive_headers) {
  const auto d = read_nm_dataset(
      "id,Time,evid,Amt,cmt,RATE,ii,Addl,ss,mdv,dv,WT\n"
      "1,0,1,100,1,0,12,2,0,1,.,70\n"
      "1,0.5,0,0,2,0,0,0,0,0,3.2,70\n"
      "1,24,1,50,2,10,24,0,1,1,.,72\n"
      "1,30,2,.,.,.,.,.,.,.,.,72\n"
      "1,31,3,0,0,0,0,0,0,0,0,72\n"
      "1,32,4,5,2,-1,0,0,0,1,.,72\n"
      "1,33,1,5,2,-2,8,0,2,1,.,72\n",
      "data.csv");
  ASSERT_EQ(d.subjects.size(), 1u);
  EXPECT_EQ(d.header.front(), "id");
  EXPECT_EQ(d.covariate_names, std::vector<std::string>{"WT"});
  const auto& s = d.subjects[0];
  EXPECT_EQ(s.id, "1");
  ASSERT_EQ(s.records.size(), 7u);
  const auto& r0 = s.records[0];
  EXPECT_EQ(r0.kind, event_kind::dose);
  EXPECT_DOUBLE_EQ(r0.amount, 100.0);
  EXPECT_EQ(r0.cmt, 1);
  EXPECT_EQ(r0.input, input_kind::bolus);
  EXPECT_DOUBLE_EQ(r0.ii_h, 12.0);
  EXPECT_EQ(r0.addl, 2);
  EXPECT_EQ(r0.ss, steady_state_kind::none);
  EXPECT_EQ(r0.row, 2u);
  EXPECT_EQ(s.records[1].kind, event_kind::observation);
  EXPECT_DOUBLE_EQ(s.records[1].time_h, 0.5);
  EXPECT_EQ(s.records[2].input, input_kind::given_rate);
  EXPECT_DOUBLE_EQ(s.records[2].rate_per_h, 10.0);
  EXPECT_EQ(s.records[2].ss, steady_state_kind::reset);
  EXPECT_EQ(s.records[3].kind, event_kind::other);
  EXPECT_EQ(s.records[4].kind, event_kind::reset);
  EXPECT_EQ(s.records[5].kind, event_kind::reset_and_dose);
  EXPECT_EQ(s.records[5].input, input_kind::modeled_rate);
  EXPECT_EQ(s.records[6].input, input_kind::modeled_duration);
  EXPECT_EQ(s.records[6].ss, steady_state_kind::add);
  EXPECT_EQ(s.records[6].row, 8u);
  EXPECT_EQ(s.covariates, (std::vector<double>{70, 70, 72, 72, 72, 72, 72}));
}

TEST(nm_dataset, a_steady_state_constant_infusion_has_no_amount) {
  const auto d = read_nm_dataset("ID,TIME,EVID,AMT,RATE,II,SS\n1,0,1,0,10,0,1\n1,1,1,.,10,.,2\n", "data.csv");
  const auto& r = d.subjects.at(0).records;
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].kind, event_kind::dose);
  EXPECT_EQ(r[0].amount, 0.0);
  EXPECT_EQ(r[0].input, input_kind::given_rate);
  EXPECT_EQ(r[0].rate_per_h, 10.0);
  EXPECT_EQ(r[0].ss, steady_state_kind::reset);
  EXPECT_EQ(r[1].ss, steady_state_kind::add);
  // Without SS, or without a rate, a dose needs an amount.
  expect_data_error("ID,TIME,EVID,AMT,RATE,II,SS\n1,0,1,0,10,0,0\n", 2, 7, {"column AMT = 0", "constant infusion"});
  expect_data_error("ID,TIME,EVID,AMT,RATE,II,SS\n1,0,1,0,0,0,1\n", 2, 7, {"column AMT = 0"});
  expect_data_error("ID,TIME,EVID,AMT,RATE,II,SS\n1,0,1,0,-2,0,1\n", 2, 7, {"column AMT = 0"});
}

TEST(nm_dataset, evid_defaults_to_a_dose_when_amt_is_positive) {
  const auto d = read_nm_dataset("ID,TIME,AMT\n1,0,100\n1,1,.\n1,2,0\n1,3,\n", "data.csv");
  const auto& r = d.subjects.at(0).records;
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].kind, event_kind::dose);
  EXPECT_EQ(r[0].cmt, 0);  // the model's default dose compartment
  EXPECT_EQ(r[1].kind, event_kind::observation);
  EXPECT_EQ(r[2].kind, event_kind::observation);
  EXPECT_EQ(r[3].kind, event_kind::observation);
}

TEST(nm_dataset, comment_rows_blank_lines_and_marked_headers_are_skipped) {
  const std::string text =
      "# generated for a test\n"
      "#ID,TIME,AMT,CMT\n"
      "\n"
      "1,0,100,1\n"
      "C,this row is a comment\n"
      "c,1,5,1\n"
      "C this row is a comment too\n"
      "# another comment\n"
      "@ and another\n"
      "1,2,0,1\n";
  const auto d = read_nm_dataset(text, "data.csv");
  EXPECT_EQ(d.header_line, 2u);
  ASSERT_EQ(d.subjects.at(0).records.size(), 2u);
  EXPECT_EQ(d.subjects[0].records[0].row, 4u);
  EXPECT_EQ(d.subjects[0].records[1].row, 10u);
  ASSERT_EQ(d.order.size(), 2u);
}

TEST(nm_dataset, a_first_column_c_marks_comments_and_is_not_a_covariate) {
  const auto d = read_nm_dataset("C,ID,TIME,AMT\n.,1,0,100\nC,1,1,100\n0,1,2,0\n", "data.csv");
  EXPECT_TRUE(d.covariate_names.empty());
  ASSERT_EQ(d.subjects.at(0).records.size(), 2u);
  EXPECT_EQ(d.subjects[0].records[1].row, 4u);
}

TEST(nm_dataset, quoted_fields_crlf_and_byte_order_mark) {
  const auto d =
      read_nm_dataset("\xEF\xBB\xBF\"ID\",\"TIME\",\"AMT\"\r\n\"A, first\",0,100\r\n\"A, first\",1,0\r\n", "d.csv");
  ASSERT_EQ(d.subjects.size(), 1u);
  EXPECT_EQ(d.subjects[0].id, "A, first");
  EXPECT_EQ(d.subjects[0].records.size(), 2u);
}

TEST(nm_dataset, subjects_are_consecutive_runs_and_order_maps_rows_back) {
  const auto d = read_nm_dataset("ID,TIME,AMT\n1,0,10\n1,5,0\n2,0,20\n2,1,0\n1.0e1,0,5\n", "data.csv");
  ASSERT_EQ(d.subjects.size(), 3u);
  EXPECT_EQ(d.subjects[0].id, "1");
  EXPECT_EQ(d.subjects[1].id, "2");
  EXPECT_EQ(d.subjects[2].id, "1.0e1");
  ASSERT_EQ(d.order.size(), 5u);
  EXPECT_EQ(d.order[3].subject, 1u);
  EXPECT_EQ(d.order[3].record, 1u);
  EXPECT_EQ(d.order[4].subject, 2u);
  EXPECT_EQ(d.order[4].record, 0u);
  // The same number written differently is the same subject.
  const auto e = read_nm_dataset("ID,TIME\n7,0\n7.0,1\n", "data.csv");
  EXPECT_EQ(e.subjects.size(), 1u);
}

TEST(nm_dataset, covariates_are_carried_forward_and_back_within_a_subject) {
  const auto d = read_nm_dataset(
      "ID,TIME,WT,CRCL,EMPTY\n"
      "1,0,.,.,.\n"
      "1,1,70,90,.\n"
      "1,2,.,.,.\n"
      "1,3,72,,.\n"
      "2,0,.,50,.\n"
      "2,1,.,.,3\n",
      "data.csv");
  ASSERT_EQ(d.subjects.size(), 2u);
  EXPECT_EQ(d.subjects[0].covariate_names, (std::vector<std::string>{"WT", "CRCL", "EMPTY"}));
  // row-major: WT, CRCL, EMPTY
  EXPECT_EQ(d.subjects[0].covariates, (std::vector<double>{70, 90, 0, 70, 90, 0, 70, 90, 0, 72, 90, 0}));
  EXPECT_EQ(d.subjects[1].covariates, (std::vector<double>{0, 50, 3, 0, 50, 3}));
  EXPECT_EQ(d.covariate_all_missing[0], (std::vector<bool>{false, false, true}));
  EXPECT_EQ(d.covariate_all_missing[1], (std::vector<bool>{true, false, false}));
}

/// The 1-based character column where field k (0-based) of a CSV line starts.
int field_col(const std::string& line, int k) {
  std::size_t pos = 0;
  for (int i = 0; i < k; ++i) pos = line.find(',', pos) + 1;
  return static_cast<int>(pos) + 1;
}

TEST(nm_dataset, each_bad_row_names_the_line_and_the_column) {
  const std::string h = "ID,TIME,EVID,AMT,CMT,RATE,II,ADDL,SS,WT\n";
  const std::string ok = "1,0,1,100,1,0,0,0,0,70\n";  // line 2
  enum { c_id, c_time, c_evid, c_amt, c_cmt, c_rate, c_ii, c_addl, c_ss, c_wt };
  // The bad row is line 3; the error must point at field k of it.
  const auto bad_row = [&](const std::string& row, int k, std::initializer_list<std::string> parts) {
    expect_data_error(h + ok + row + "\n", 3, field_col(row, k), parts);
  };
  expect_data_error(h + ok + "1,5,0,0,1,0,0,0,0,70\n1,4,0,0,1,0,0,0,0,70\n", 4, 3,
                    {"column TIME = 4 h is earlier", "ID 1", "line 3"});
  bad_row("1,1,1,100,1,0,0,0,1,70", c_ss, {"column SS = 1", "II > 0"});
  bad_row("1,1,1,100,1,0,0,3,0,70", c_addl, {"column ADDL = 3", "II > 0"});
  bad_row("1,1,1,0,1,0,0,0,0,70", c_amt, {"column AMT = 0", "AMT > 0"});
  bad_row("1,1,1,.,1,0,0,0,0,70", c_amt, {"column AMT is missing", "a dose"});
  expect_data_error("ID,TIME,AMT\n1,0,-5\n", 2, 5, {"column AMT = -5", "AMT > 0"});
  bad_row("1,1,5,0,1,0,0,0,0,70", c_evid, {"column EVID = 5", "4 (reset and dose)"});
  bad_row("1,1,1.5,100,1,0,0,0,0,70", c_evid, {"column EVID = 1.5"});
  bad_row("1,1,1,100,1,0,24,0,3,70", c_ss, {"column SS = 3", "2 (add steady state)"});
  bad_row("1,1,1,100,1,-3,0,0,0,70", c_rate, {"column RATE = -3", "-2 (the duration the model defines)"});
  bad_row("1,1,1,100,1,-0.5,0,0,0,70", c_rate, {"column RATE = -0.5"});
  bad_row("1,1,1,100,1,-1.5,0,0,0,70", c_rate, {"column RATE = -1.5"});
  bad_row("1,abc,0,0,1,0,0,0,0,70", c_time, {"column TIME = \"abc\" is not a number"});
  bad_row("1,1,1,nan,1,0,0,0,0,70", c_amt, {"column AMT = nan is not a finite number"});
  bad_row("1,1,0,0,1,0,0,0,0,-inf", c_wt, {"column WT = -inf is not a finite number"});
  bad_row("1,1,0,0,1,0,0,0,0,1e999", c_wt, {"column WT", "not a finite number"});
  bad_row("1,1,0,0,1,0,0,0,0,heavy", c_wt, {"column WT = \"heavy\" is not a number"});
  bad_row("1,1,0,0,1,0,-2,0,0,70", c_ii, {"column II = -2 h", ">= 0"});
  bad_row("1,1,0,0,-1,0,0,0,0,70", c_cmt, {"column CMT = -1", "compartment number"});
  bad_row("1,1,0,0,1.5,0,0,0,0,70", c_cmt, {"column CMT = 1.5"});
  bad_row("1,1,0,5,1,0,0,0,0,70", c_amt, {"column AMT = 5", "EVID = 0", "not a dose"});
  bad_row("1,.,0,0,1,0,0,0,0,70", c_time, {"column TIME is missing"});
  bad_row(".,1,0,0,1,0,0,0,0,70", c_id, {"column ID is missing"});
  expect_data_error(h + ok + "1,1,0,0,1,0,0,0,0\n", 3, 0, {"9 fields", "10 columns"});
  bad_row("1,1,0,0,1,0,0,0,0,70,3", 10, {"11 fields", "10 columns"});
  expect_data_error(h + ok + "2,0,0,0,1,0,0,0,0,70\n1,3,0,0,1,0,0,0,0,70\n", 4, 1,
                    {"ID 1 appears in two separate blocks", "lines 2 to 2"});
  bad_row("1,\"0,1,0,0,1,0,0,0,0,70", c_time, {"quoted field is not closed"});
}

TEST(nm_dataset, header_problems_are_located_at_the_header) {
  expect_data_error("ID,TIME,AMT,time\n1,0,0,0\n", 1, 13, {"'time' appears twice", "case-insensitive"});
  expect_data_error("ID,AMT\n1,0\n", 1, 0, {"no TIME column"});
  expect_data_error("TIME,AMT\n1,0\n", 1, 0, {"no ID column"});
  expect_data_error("ID,TIME,,AMT\n1,0,0,0\n", 1, 9, {"Column 3 of the header has no name"});
  expect_data_error("# only a comment\n", 1, 0, {"no header"});
  expect_data_error("\n\nID,TIME,AMT\n\n", 3, 0, {"no data rows"});
}

TEST(nm_dataset, load_reports_a_missing_file) {
  try {
    benzosim::io::load_nm_dataset("/nonexistent/benzosim/data.csv");
    ADD_FAILURE() << "no error thrown";
  } catch (const benzosim::scenario_error& e) {
    EXPECT_EQ(e.file, "/nonexistent/benzosim/data.csv");
    EXPECT_NE(std::string{e.what()}.find("Cannot open the file"), std::string::npos) << e.what();
  }
}

TEST(nm_dataset, load_reads_a_file) {
  benzosim::io_test::scratch_dir dir;
  benzosim::io_test::write_file(dir / "d.csv", "ID,TIME,AMT\n1,0,1\n");
  const auto d = benzosim::io::load_nm_dataset(dir / "d.csv");
  EXPECT_EQ(d.source, (dir / "d.csv").string());
  EXPECT_EQ(d.subjects.at(0).records.size(), 1u);
}

TEST(nm_dataset, check_against_model_accepts_a_consistent_dataset) {
  const auto d = read_nm_dataset("ID,TIME,AMT,CMT,RATE,R2\n1,0,100,1,0,5\n1,1,100,2,-1,5\n1,2,0,2,0,5\n", "data.csv");
  EXPECT_NO_THROW(check_against_model(d, oral_model(d, {"2=R2"}), "data.csv"));
}

TEST(nm_dataset, check_against_model_rejects_unknown_compartments) {
  const auto d = read_nm_dataset("ID,TIME,AMT,CMT\n1,0,100,1\n1,1,0,3\n", "data.csv");
  expect_model_error(d, oral_model(d), 3, {"column CMT = 3", "one_cmt_oral", "1 = depot, 2 = central"});
}

TEST(nm_dataset, check_against_model_needs_a_modeled_rate_or_duration) {
  const auto d = read_nm_dataset("ID,TIME,AMT,CMT,RATE,D2\n1,0,100,1,0,2\n1,2,100,2,-1,2\n", "data.csv");
  expect_model_error(d, oral_model(d), 3,
                     {"column RATE = -1 needs a modeled rate for compartment 2 (--rate 2=COLUMN or [compartment.2] "
                      "rate)"});
  const auto e = read_nm_dataset("ID,TIME,AMT,CMT,RATE,D2\n1,0,100,1,0,2\n\n1,2,100,2,-2,2\n", "data.csv");
  expect_model_error(e, oral_model(e), 4, {"column RATE = -2 needs a modeled duration for compartment 2"});
  EXPECT_NO_THROW(check_against_model(e, oral_model(e, {}, {"2=D2"}), "data.csv"));
  // A modeled duration on compartment 2 does not serve doses into compartment 1 (CMT 0 = the depot).
  const auto f = read_nm_dataset("ID,TIME,AMT,RATE,D2\n1,0,100,-2,2\n", "data.csv");
  expect_model_error(f, oral_model(f, {}, {"2=D2"}), 2, {"compartment 1"});
}

TEST(nm_dataset, check_against_model_checks_covariate_modifier_values) {
  const auto d = read_nm_dataset("ID,TIME,AMT,CMT,F\n1,0,100,2,0.5\n1,1,100,2,-0.1\n", "data.csv");
  expect_model_error(d, oral_model(d, {}, {}, {"2=F"}), 3, {"column F = -0.1", "F (bioavailability)", ">= 0"});
  // A negative value on an observation row does not matter.
  const auto e = read_nm_dataset("ID,TIME,AMT,CMT,F\n1,0,100,2,0.5\n1,1,0,2,-0.1\n", "data.csv");
  EXPECT_NO_THROW(check_against_model(e, oral_model(e, {}, {}, {"2=F"}), "data.csv"));
}

TEST(nm_dataset, check_against_model_rejects_a_used_covariate_missing_in_a_whole_subject) {
  const auto d = read_nm_dataset("ID,TIME,AMT,CMT,F\n1,0,100,2,0.5\n2,0,100,2,.\n2,1,0,2,.\n", "data.csv");
  expect_model_error(d, oral_model(d, {}, {}, {"2=F"}), 3, {"column F is missing", "every row of ID 2"});
  // Unused, it is fine.
  EXPECT_NO_THROW(check_against_model(d, oral_model(d), "data.csv"));
}

}  // namespace
