#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Peer for bench/bench_population.cpp: the same population with Debian's python3-numpy and python3-scipy.

Job (issue 4): one-compartment oral model (KA 1.5 /h, CL 4.5 L/h, V 200 L, F 0.9), 0.5 mg every 8 h for
14 days (42 doses at t = 0, 8, ..., 328 h), output every 0.5 h from 0 to 336 h (673 times); 30 % log-normal
variability on CL and V (CL_i = CL exp(eta1), V_i = V exp(eta2), eta ~ N(0, ln 1.09), independent). The
patients are drawn with numpy's default_rng (--seed); they are not benzosim's patients (other generator).

Methods (the patients of a smaller run are the first patients of a larger one: same seed, same stream):
  closed_form_superposition  the Bateman function superposed over the 42 doses at the 673 times, for a batch of
                             patients at once (array patients x times x doses), --n-superposition patients
  closed_form_multiple_dose  the same sum in closed form (the geometric series over the past doses, per time:
                             4 exponentials per patient and time), --n-multiple-dose patients
  ode_lsoda                  scipy.integrate.solve_ivp(method="LSODA", rtol 1e-8, atol 1e-10) per patient,
                             piecewise between doses (pk_scipy.ode_lsoda), --n-ode patients; the ODE solve only
For the two closed forms the time covers everything benzosim's summary-only run does: drawing the patients,
the concentrations, the per-time summary (mean, SD, 5/25/50/75/95th percentiles with numpy.percentile, i.e.
exact, R's type 7) and the per-patient metrics (Cmax; Cmin in the 24 h before the last dose; trapezoidal AUC;
time above 20 ng/mL with linear interpolation) and their summary.

Checks reported in the JSON (the runner compares): the ODE subset's C(336 h) against the closed form for the
same patients, and the multiple-dose form against the superposition for the patients they share.
Timing: wall clock (time.perf_counter), one run per method (each lasts seconds). Output: one JSON line per method.
"""
import argparse
import json
import math
import pathlib
import platform
import sys
import time

import numpy as np
import scipy

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from pk_scipy import ode_lsoda  # noqa: E402  (the single-subject peer's ODE, reused as is)

KA, CL, V, F = 1.5, 4.5, 200.0, 0.9  # 1/h, L/h, L, 1
DOSE_MG, II_H, N_DOSES = 0.5, 8.0, 42
STEP_H, N_OBS = 0.5, 673
OMEGA2 = math.log(1.0 + 0.3 ** 2)  # variance of each eta: 30 % CV, exact log-normal
THRESHOLD_NGML = 20.0
PROBS = [5, 25, 50, 75, 95]

DOSE_TIMES = np.arange(N_DOSES) * II_H  # 0, 8, ..., 328 h
TIMES = np.arange(N_OBS) * STEP_H  # 0, 0.5, ..., 336 h
LAST_DOSE_H = DOSE_TIMES[-1]


def draw(n, seed):
    """Individual CL [L/h] and V [L] of n patients."""
    eta = np.random.default_rng(seed).normal(0.0, math.sqrt(OMEGA2), size=(n, 2))
    return CL * np.exp(eta[:, 0]), V * np.exp(eta[:, 1])


def conc_superposition(cl, v, batch=100):
    """Concentration [ng/mL], patients x times: sum over past doses of F D KA/(KA-k) (e^{-k dt} - e^{-KA dt}) / V."""
    dt = TIMES[:, None] - DOSE_TIMES[None, :]  # times x doses
    past = dt >= 0.0
    dtp = np.where(past, dt, 0.0)
    out = np.empty((len(cl), N_OBS))
    for lo in range(0, len(cl), batch):
        k = (cl[lo:lo + batch] / v[lo:lo + batch])[:, None, None]
        contrib = (np.exp(-k * dtp) - np.exp(-KA * dtp)) * past  # batch x times x doses
        coef = F * DOSE_MG * KA / (KA - k[:, 0, 0]) / v[lo:lo + batch] * 1000.0
        out[lo:lo + batch] = coef[:, None] * contrib.sum(axis=2)
    return out


def conc_multiple_dose(cl, v, batch=4096):
    """The same sum in closed form: with n doses given by time t and s = t - (last dose so far),
    sum_j e^{-r (t - j II)} = e^{-r s} (1 - e^{-n r II}) / (1 - e^{-r II}), for r = k and r = KA."""
    n = np.minimum(np.floor(TIMES / II_H), N_DOSES - 1) + 1  # doses given by t (all times here are >= 0)
    s = TIMES - (n - 1) * II_H
    ka_sum = np.exp(-KA * s) * (1.0 - np.exp(-n * KA * II_H)) / (1.0 - math.exp(-KA * II_H))  # no eta on KA
    out = np.empty((len(cl), N_OBS))
    for lo in range(0, len(cl), batch):
        k = (cl[lo:lo + batch] / v[lo:lo + batch])[:, None]
        k_sum = np.exp(-k * s) * (1.0 - np.exp(-(k * II_H) * n)) / (1.0 - np.exp(-k * II_H))
        coef = F * DOSE_MG * KA / (KA - k) / v[lo:lo + batch, None] * 1000.0
        out[lo:lo + batch] = coef * (k_sum - ka_sum)
    return out


def summary(x):
    """Per column: mean, SD, 5/25/50/75/95th percentiles (exact, linear interpolation = R's type 7)."""
    return {"mean": x.mean(axis=0), "sd": x.std(axis=0, ddof=1), "q": np.percentile(x, PROBS, axis=0)}


def metrics(c, batch=4096):
    """Per patient: Cmax, Cmin (24 h before the last dose), AUC (trapezoid), time above the threshold (the
    fraction of each 0.5 h step above it, by linear interpolation); in batches of patients."""
    window = (TIMES >= max(DOSE_TIMES[0], LAST_DOSE_H - 24.0)) & (TIMES <= LAST_DOSE_H)
    dt = np.diff(TIMES)
    out = np.empty((len(c), 4))
    for lo in range(0, len(c), batch):
        x = c[lo:lo + batch]
        c0, c1 = x[:, :-1], x[:, 1:]
        hi, lo_ = np.maximum(c0, c1), np.minimum(c0, c1)
        span = hi - lo_
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(span > 0.0, np.clip((hi - THRESHOLD_NGML) / span, 0.0, 1.0), lo_ > THRESHOLD_NGML)
        out[lo:lo + batch, 0] = x.max(axis=1)
        out[lo:lo + batch, 1] = x[:, window].min(axis=1)
        out[lo:lo + batch, 2] = (0.5 * (c0 + c1) * dt).sum(axis=1)
        out[lo:lo + batch, 3] = (frac * dt).sum(axis=1)
    return out


def population(conc_fn, n, seed):
    """The whole summary-only job for n patients; returns (seconds, concentrations, the C(336 h) summary)."""
    t0 = time.perf_counter()
    cl, v = draw(n, seed)
    c = conc_fn(cl, v)
    s = summary(c)
    m = summary(metrics(c))
    sec = time.perf_counter() - t0
    assert s["q"].shape == (5, N_OBS) and m["q"].shape == (5, 4)
    return sec, c, s


def c336_fields(c336):
    return {"c336_p50_ngml": float(np.percentile(c336, 50)), "c336_mean_ngml": float(c336.mean()),
            "c336_sd_ngml": float(c336.std(ddof=1))}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--n-superposition", type=int, default=10_000)
    ap.add_argument("--n-multiple-dose", type=int, default=100_000)
    ap.add_argument("--n-ode", type=int, default=200)
    args = ap.parse_args()
    version = f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}"

    def emit(method, kind, n, sec, c336, detail, **extra):
        print(json.dumps({
            "peer": "scipy", "method": method, "kind": kind, "n": n, "wall_s": sec, "us_per_patient": sec / n * 1e6,
            **c336_fields(c336), **extra, "seed": args.seed, "version": version, "detail": detail,
        }), flush=True)

    population(conc_superposition, 100, args.seed)  # warm-up (imports, first-touch allocations)
    sec_sup, c_sup, s_sup = population(conc_superposition, args.n_superposition, args.seed)
    assert np.isclose(s_sup["q"][2, -1], np.percentile(c_sup[:, -1], 50))
    emit("closed_form_superposition", "closed_form", args.n_superposition, sec_sup, c_sup[:, -1],
         "Bateman superposition, batches of 100 patients x 673 times x 42 doses; exact percentiles; metrics")

    sec_md, c_md, _ = population(conc_multiple_dose, args.n_multiple_dose, args.seed)
    shared = min(args.n_superposition, args.n_multiple_dose)
    rel = float(np.max(np.abs(c_md[:shared, 1:] - c_sup[:shared, 1:]) / c_sup[:shared, 1:]))  # (t = 0: both 0)
    emit("closed_form_multiple_dose", "closed_form", args.n_multiple_dose, sec_md, c_md[:, -1],
         "multiple-dose closed form (geometric sum over past doses), batches of 4096 patients; exact percentiles; "
         "metrics", max_rel_diff_vs_superposition=rel, compared_patients=shared)
    del c_md

    cl, v = draw(args.n_ode, args.seed)
    ode_lsoda(cl=cl[0], v=v[0])  # warm-up
    t0 = time.perf_counter()
    c336 = np.array([ode_lsoda(cl=cl[i], v=v[i])[-1] / v[i] * 1000.0 for i in range(args.n_ode)])
    sec = time.perf_counter() - t0
    ref = conc_superposition(cl, v)[:, -1]
    emit("ode_lsoda", "ode", args.n_ode, sec, c336,
         "solve_ivp LSODA rtol 1e-8 atol 1e-10 per patient, 42 pieces, analytic Jacobian; the ODE solve only",
         max_rel_diff_vs_closed_form=float(np.max(np.abs(c336 - ref) / ref)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
