#!/usr/bin/Rscript
# SPDX-License-Identifier: MIT
# Peer for bench/bench_pk.cpp: the same subject with Debian's r-base-core and r-cran-desolve.
#
# Job: one-compartment oral model (KA 1.5 /h, CL 4.5 L/h, V 200 L, F 0.9), 0.5 mg every 8 h for 14 days
# (42 doses at t = 0, 8, ..., 328 h), output every 0.5 h from 0 to 336 h (673 times).
#
# Methods:
#   closed_form_r  superposition of the Bateman function over the 42 doses at the 673 times (outer(), vectorised)
#   ode_lsoda      deSolve::lsoda (rtol 1e-8, atol 1e-10) with an events data.frame (bolus added to the
#                  depot at each dose time), times = the output grid; the right-hand side is an R function
#
# Timing: wall clock (proc.time()[["elapsed"]]); a batch runs the subject `reps` times, reps chosen so that one
# batch takes about batch_seconds; the reported figure is the median over `batches` batches of the time per
# subject (and the coefficient of variation over the batches). Output: one JSON line per method on stdout,
# written by hand (no JSON package).
# Usage: Rscript pk_desolve.R [batches (>= 5, default 7)] [batch_seconds (default 1)]
suppressPackageStartupMessages(library(deSolve))

args <- commandArgs(trailingOnly = TRUE)
batches <- if (length(args) >= 1) as.integer(args[[1]]) else 7L
batch_seconds <- if (length(args) >= 2) as.numeric(args[[2]]) else 1.0
if (is.na(batches) || batches < 5L) stop("batches must be >= 5")

KA <- 1.5; CL <- 4.5; V <- 200; F <- 0.9   # 1/h, L/h, L, 1
DOSE_MG <- 0.5; II_H <- 8; N_DOSES <- 42L
STEP_H <- 0.5; N_OBS <- 673L
DOSE_TIMES <- (seq_len(N_DOSES) - 1) * II_H   # 0, 8, ..., 328 h
TIMES <- (seq_len(N_OBS) - 1) * STEP_H        # 0, 0.5, ..., 336 h

# Central amount [mg] at every time: sum over past doses of F D KA/(KA-k) (e^{-k dt} - e^{-KA dt}).
closed_form_r <- function(ka = KA, cl = CL, v = V, f = F, dose = DOSE_MG, times = TIMES, dose_times = DOSE_TIMES) {
  k <- cl / v
  dt <- outer(times, dose_times, "-")
  dt[dt < 0] <- NA
  contrib <- exp(-k * dt) - exp(-ka * dt)
  (f * dose * ka / (ka - k)) * rowSums(contrib, na.rm = TRUE)
}

# Central amount [mg] at every time, by lsoda; each dose is an event adding F * dose to the depot.
ode_lsoda <- function(ka = KA, cl = CL, v = V, f = F, dose = DOSE_MG, times = TIMES, dose_times = DOSE_TIMES) {
  k <- cl / v
  rhs <- function(t, y, p) list(c(-ka * y[[1]], ka * y[[1]] - k * y[[2]]))
  events <- data.frame(var = "depot", time = dose_times, value = f * dose, method = "add")
  out <- lsoda(y = c(depot = 0, central = 0), times = times, func = rhs, parms = NULL,
               rtol = 1e-8, atol = 1e-10, events = list(data = events))
  out[, "central"]
}

time_method <- function(fn) {
  fn()  # warm-up
  n <- 1L  # calibration: double the repetitions until they take >= 50 ms (elapsed has ~1 ms resolution)
  repeat {
    t <- proc.time()[["elapsed"]]
    for (r in seq_len(n)) fn()
    dt <- proc.time()[["elapsed"]] - t
    if (dt >= 0.05) break
    n <- 2L * n
  }
  reps <- max(1L, as.integer(round(batch_seconds / (dt / n))))
  per_subject <- numeric(batches)
  for (b in seq_len(batches)) {
    t <- proc.time()[["elapsed"]]
    for (r in seq_len(reps)) fn()
    per_subject[[b]] <- (proc.time()[["elapsed"]] - t) / reps
  }
  list(sec = median(per_subject), cv = sd(per_subject) / mean(per_subject), reps = reps)
}

version <- sprintf("%s, deSolve %s", R.version.string, as.character(packageVersion("deSolve")))
methods <- list(
  list(name = "closed_form_r", kind = "exact", fn = closed_form_r,
       detail = "R Bateman superposition, outer() 673 x 42 vectorised"),
  list(name = "ode_lsoda", kind = "ode", fn = ode_lsoda,
       detail = "deSolve lsoda rtol 1e-8 atol 1e-10, events data.frame, R-function right-hand side")
)
for (m in methods) {
  a2 <- m$fn()
  stopifnot(length(a2) == N_OBS, all(is.finite(a2)))
  conc <- a2 / V * 1000  # mg/L -> ng/mL
  tm <- time_method(m$fn)
  cat(sprintf(paste0('{"peer": "deSolve", "method": "%s", "kind": "%s", "us_per_subject": %.6g, "cv": %.3g, ',
                     '"cmax_ngml": %.17g, "c336_ngml": %.17g, "batches": %d, "reps_per_batch": %d, ',
                     '"version": "%s", "detail": "%s"}\n'),
              m$name, m$kind, tm$sec * 1e6, tm$cv, max(conc), conc[[N_OBS]], batches, tm$reps, version, m$detail))
}
