#!/usr/bin/Rscript
# SPDX-License-Identifier: MIT
# Peer for bench/bench_population.cpp: the same population with Debian's r-base-core, r-base-dev and
# r-cran-desolve.
#
# Job (issue 4): one-compartment oral model (KA 1.5 /h, CL 4.5 L/h, V 200 L, F 0.9), 0.5 mg every 8 h for
# 14 days (42 doses at t = 0, 8, ..., 328 h), output every 0.5 h from 0 to 336 h (673 times); 30 % log-normal
# variability on CL and V (CL_i = CL exp(eta1), V_i = V exp(eta2), eta ~ N(0, ln 1.09), independent), drawn
# with R's rnorm after set.seed(seed); they are not benzosim's patients (other generator).
#
# Methods:
#   ode_lsoda_compiled  deSolve::lsoda (rtol 1e-8, atol 1e-10) per patient with the right-hand side and the
#                       Jacobian in compiled C (bench/peers/pk1cmt_oral.c, initmod/derivs/jac, the interface
#                       of deSolve's vignette "compiledCode"), the doses as an events data.frame (bolus added
#                       to the depot), times = the output grid; n_ode patients; the solves only
#   closed_form_r       the Bateman function superposed over the 42 doses, vectorised over patients and times
#                       (one patients x times matrix operation per dose), n_closed patients, then the same
#                       summary as benzosim's summary-only run: per time mean, SD and 5/25/50/75/95th
#                       percentiles (quantile(), type 7, exact) and the per-patient metrics (Cmax; Cmin in the
#                       24 h before the last dose; trapezoidal AUC; time above 20 ng/mL) with their summary
# The C file is copied to workdir and built there with `R CMD SHLIB` (so no object file lands in the source
# tree); the build is not timed. The ODE patients are the first n_ode of the closed form's (same seed), so the
# ODE's C(336 h) is compared with the closed form patient by patient (max_rel_diff_vs_closed_form).
#
# Timing: wall clock (proc.time()[["elapsed"]]), one run per method. Output: one JSON line per method on
# stdout, written by hand (no JSON package).
# Usage: Rscript population_desolve.R [workdir (default: a temporary directory)] [n_closed (10000)] [n_ode (200)]
suppressPackageStartupMessages(library(deSolve))

args <- commandArgs(trailingOnly = TRUE)
workdir <- if (length(args) >= 1) args[[1]] else tempdir()
n_closed <- if (length(args) >= 2) as.integer(args[[2]]) else 10000L
n_ode <- if (length(args) >= 3) as.integer(args[[3]]) else 200L
seed <- 20261125L
stopifnot(!is.na(n_closed), !is.na(n_ode), n_ode >= 2L, n_closed >= n_ode)

KA <- 1.5; CL <- 4.5; V <- 200; F <- 0.9   # 1/h, L/h, L, 1
DOSE_MG <- 0.5; II_H <- 8; N_DOSES <- 42L
STEP_H <- 0.5; N_OBS <- 673L
OMEGA2 <- log(1 + 0.3^2)                     # variance of each eta: 30 % CV, exact log-normal
THRESHOLD_NGML <- 20
PROBS <- c(0.05, 0.25, 0.5, 0.75, 0.95)
DOSE_TIMES <- (seq_len(N_DOSES) - 1) * II_H   # 0, 8, ..., 328 h
TIMES <- (seq_len(N_OBS) - 1) * STEP_H        # 0, 0.5, ..., 336 h
LAST_DOSE_H <- DOSE_TIMES[[N_DOSES]]

# Individual CL [L/h] and V [L] of n patients (the first n of any larger draw with the same seed).
draw <- function(n) {
  set.seed(seed)
  eta <- matrix(rnorm(2L * n, 0, sqrt(OMEGA2)), nrow = n, ncol = 2L, byrow = TRUE)
  list(cl = CL * exp(eta[, 1]), v = V * exp(eta[, 2]))
}

# Concentration [ng/mL], patients x times: sum over past doses of F D KA/(KA-k) (e^{-k dt} - e^{-KA dt}) / V.
conc_closed <- function(cl, v) {
  n <- length(cl)
  k <- cl / v
  a <- matrix(0, n, N_OBS)
  for (td in DOSE_TIMES) {
    idx <- which(TIMES >= td)
    dt <- TIMES[idx] - td
    a[, idx] <- a[, idx] + exp(-outer(k, dt)) - matrix(exp(-KA * dt), n, length(idx), byrow = TRUE)
  }
  a * (F * DOSE_MG * KA / (KA - k) / v * 1000)  # the per-patient factor recycles down the columns
}

summarise <- function(x) {
  list(mean = colMeans(x), sd = apply(x, 2L, sd), q = apply(x, 2L, quantile, probs = PROBS, names = FALSE))
}

metrics <- function(c) {
  window <- TIMES >= max(DOSE_TIMES[[1]], LAST_DOSE_H - 24) & TIMES <= LAST_DOSE_H
  c0 <- c[, -N_OBS, drop = FALSE]
  c1 <- c[, -1L, drop = FALSE]
  dt <- diff(TIMES)  # recycles down the columns only if constant: it is (0.5 h)
  stopifnot(all(dt == dt[[1]]))
  hi <- pmax(c0, c1)
  lo <- pmin(c0, c1)
  span <- hi - lo
  frac <- ifelse(span > 0, pmin(pmax((hi - THRESHOLD_NGML) / span, 0), 1), as.numeric(lo > THRESHOLD_NGML))
  cbind(cmax = apply(c, 1L, max), cmin = apply(c[, window, drop = FALSE], 1L, min),
        auc = rowSums(0.5 * (c0 + c1)) * dt[[1]], time_above = rowSums(frac) * dt[[1]])
}

# The compiled model: copy, build, load.
dir.create(workdir, showWarnings = FALSE, recursive = TRUE)
script_dir <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f) == 1L) dirname(normalizePath(f)) else "bench/peers"
})
src <- file.path(workdir, "pk1cmt_oral.c")
stopifnot(file.copy(file.path(script_dir, "pk1cmt_oral.c"), src, overwrite = TRUE))
lib <- file.path(workdir, paste0("pk1cmt_oral", .Platform$dynlib.ext))
old <- setwd(workdir)
status <- system2(file.path(R.home("bin"), "R"), c("CMD", "SHLIB", "-o", basename(lib), "pk1cmt_oral.c"),
                  stdout = FALSE, stderr = FALSE)
setwd(old)
if (status != 0L || !file.exists(lib)) {
  stop("R CMD SHLIB failed for ", src, " (needs r-base-dev and a C compiler: scripts/install-deps.sh r-base-dev)")
}
dyn.load(lib)

ode_one <- function(cl, v) {
  events <- data.frame(var = "depot", time = DOSE_TIMES, value = F * DOSE_MG, method = "add")
  out <- lsoda(y = c(depot = 0, central = 0), times = TIMES, func = "derivs", jacfunc = "jac", jactype = "fullusr",
               dllname = "pk1cmt_oral", initfunc = "initmod", parms = c(KA, cl / v), rtol = 1e-8, atol = 1e-10,
               events = list(data = events))
  out[, "central"] / v * 1000
}

version <- sprintf("%s, deSolve %s", R.version.string, as.character(packageVersion("deSolve")))
emit <- function(method, kind, n, sec, c336, detail, extra = "") {
  cat(sprintf(paste0('{"peer": "deSolve", "method": "%s", "kind": "%s", "n": %d, "wall_s": %.6g, ',
                     '"us_per_patient": %.6g, "c336_p50_ngml": %.17g, "c336_mean_ngml": %.17g, ',
                     '"c336_sd_ngml": %.17g%s, "seed": %d, "version": "%s", "detail": "%s"}\n'),
              method, kind, n, sec, sec / n * 1e6, median(c336), mean(c336), sd(c336), extra, seed, version,
              detail))
}

# Closed form first (its patients are the ODE's reference).
invisible(conc_closed(draw(100L)$cl, draw(100L)$v))  # warm-up
t0 <- proc.time()[["elapsed"]]
p <- draw(n_closed)
conc <- conc_closed(p$cl, p$v)
s <- summarise(conc)
m <- summarise(metrics(conc))
sec_closed <- proc.time()[["elapsed"]] - t0
stopifnot(dim(s$q) == c(5L, N_OBS), dim(m$q) == c(5L, 4L), all(is.finite(s$q)))
emit("closed_form_r", "closed_form", n_closed, sec_closed, conc[, N_OBS],
     "R Bateman superposition, one patients x times matrix operation per dose; quantile() type 7; metrics")

invisible(ode_one(p$cl[[1]], p$v[[1]]))  # warm-up
t0 <- proc.time()[["elapsed"]]
c336 <- vapply(seq_len(n_ode), function(i) ode_one(p$cl[[i]], p$v[[i]])[[N_OBS]], numeric(1))
sec_ode <- proc.time()[["elapsed"]] - t0
ref <- conc[seq_len(n_ode), N_OBS]
emit("ode_lsoda_compiled", "ode", n_ode, sec_ode, c336,
     "deSolve lsoda rtol 1e-8 atol 1e-10, compiled C right-hand side and Jacobian, events data.frame; solves only",
     sprintf(', "max_rel_diff_vs_closed_form": %.3g', max(abs(c336 - ref) / ref)))
dyn.unload(lib)
