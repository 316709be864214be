// SPDX-License-Identifier: MIT
/// Many subjects at once: the exact linear path for a population whose subjects share the same records
/// (doses, observations, covariates) and dose modifiers and differ only in the parameters of the linear
/// model (CL, V, KA, ...). The schedule is worked out once by the event engine and replayed for every
/// subject, many subjects side by side. Results equal simulate() subject by subject. Design and figures:
/// docs/dosing.md, "Many subjects at once".
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <benzosim/pk/events.hpp>
#include <benzosim/pk/linear.hpp>

namespace benzosim::pk {

/// The shared schedule of a population of linear-model subjects, ready to be run for any number of
/// parameter sets. Immutable after construction: one object can serve every thread, each with its own
/// workspace.
///
/// Results: equal to simulate() for each subject, bit for bit whenever every compartment receives at most
/// one bolus between two propagation steps (two boluses into one compartment at one time are summed first,
/// which can change the last bit).
class linear_batch {
 public:
  /// Records the schedule of `records` (their doses, additional doses, lags, infusions and observations)
  /// with the modifiers (per compartment; empty = all defaults, as linear_model::modifiers).
  /// Throws invalid_parameter for bad modifiers (as linear_model::validate) and for bad records, naming the
  /// row, exactly as simulate() would; throws error if !supports(records).
  linear_batch(linear_structure structure, std::vector<compartment_modifiers> modifiers, const subject& records);

  /// False when the records hold a reset (event_kind::reset or reset_and_dose) or a steady-state dose
  /// (ss != none): their state depends on the subject's own propagators, so call simulate() per subject.
  /// Everything else (boluses, ADDL, lags, F, infusions by RATE, R or D, other events) is supported.
  [[nodiscard]] static bool supports(const subject& records);

  [[nodiscard]] linear_structure structure() const { return structure_; }
  /// Parameters per subject: parameter_names(structure()).size().
  [[nodiscard]] std::size_t parameter_count() const { return n_params_; }
  /// Records with kind == observation; run() reports them in record order.
  [[nodiscard]] std::size_t observation_count() const { return n_obs_; }

  /// Scratch memory of run(): one per thread, reused from call to call (it grows to the largest need and
  /// then no longer allocates).
  class workspace {
   public:
    workspace() = default;

   private:
    friend class linear_batch;
    std::vector<double> buffer_;
  };

  /// Amounts [mg] of compartment `cmt` (1-based, as record::cmt) at the observation records, for `count`
  /// subjects.
  /// params: count x parameter_count(), row-major ([subject][parameter], in parameter_names order); each row
  /// is checked like linear_model::validate (invalid_parameter naming the parameter and the 0-based subject
  /// index) before anything is computed.
  /// out[k * ld + s] = the amount at observation k of subject s (point-major), ld >= count; entries of
  /// columns >= count are not touched.
  /// Throws invalid_parameter for cmt outside 1..compartment_count or ld < count, and internal_error if an
  /// amount becomes non-finite (as simulate() does); out is then partly written.
  void run(const double* params, std::size_t count, int cmt, double* out, std::size_t ld, workspace& ws) const;

 private:
  /// One operation of the tape. A propagation first adds the doses given since the previous propagation
  /// (delta) and then steps the state by a propagator; an output reports the state plus the doses given
  /// since the previous propagation; a run is `count` pairs of (propagation, output) with the same
  /// propagator and input, no doses, and consecutive observations (a regular output grid).
  struct step {
    enum class what : std::int32_t { propagation, output, run };
    what kind;
    std::int32_t delta;  ///< index into deltas_ (rows of n_cmt_), or -1 when nothing was added
    std::int32_t slot;   ///< propagation, run: the propagator slot within the chunk
    std::int32_t input;  ///< propagation, run under zero-order input: the input slot within the chunk, or -1
    std::int32_t obs;    ///< output, run: the (first) observation index
    std::int32_t count;  ///< run: the number of pairs
  };
  /// A stretch of the tape whose distinct step lengths and inputs fit the workspace: every subject's
  /// propagators for these are computed before the stretch is run.
  struct chunk {
    std::size_t first;                     ///< first step
    std::size_t last;                      ///< one past the last step
    std::vector<double> dts;               ///< [h] per propagator slot
    std::vector<std::int32_t> input_dt;    ///< per input slot: its propagator slot
    std::vector<std::int32_t> input_rate;  ///< per input slot: index into rates_ (rows of n_cmt_)
  };

  template <std::size_t N>
  void record_schedule(const std::vector<compartment_modifiers>& modifiers, const subject& records);
  template <std::size_t N>
  void run_n(const double* params, std::size_t count, std::size_t c, double* out, std::size_t ld, workspace& ws) const;

  linear_structure structure_;
  std::size_t n_cmt_ = 0;
  std::size_t n_params_ = 0;
  std::size_t n_obs_ = 0;
  std::vector<step> steps_;
  std::vector<chunk> chunks_;
  std::vector<double> deltas_;     ///< [mg]
  std::vector<double> rates_;      ///< [mg/h]
  std::int32_t final_delta_ = -1;  ///< doses given after the last propagation
};

}  // namespace benzosim::pk
