#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Peer for bench/bench_pk.cpp: the same subject with Debian's python3-numpy and python3-scipy.

Job: one-compartment oral model (KA 1.5 /h, CL 4.5 L/h, V 200 L, F 0.9), 0.5 mg every 8 h for 14 days
(42 doses at t = 0, 8, ..., 328 h), output every 0.5 h from 0 to 336 h (673 times).

Methods:
  closed_form_numpy  superposition of the Bateman function over the 42 doses at the 673 times (vectorised)
  ode_lsoda          scipy.integrate.solve_ivp(method="LSODA", rtol 1e-8, atol 1e-10), piecewise between
                     doses, each dose added to the depot as a bolus, t_eval on the output grid

Timing: wall clock (time.perf_counter); a batch runs the subject `reps` times, reps chosen so that one batch
takes about --batch-seconds; the reported figure is the median over --batches batches of the time per
subject (and the coefficient of variation over the batches). Output: one JSON line per method on stdout.
"""
import argparse
import json
import platform
import statistics
import sys
import time

import numpy as np
import scipy
from scipy.integrate import solve_ivp

KA, CL, V, F = 1.5, 4.5, 200.0, 0.9  # 1/h, L/h, L, 1
DOSE_MG, II_H, N_DOSES = 0.5, 8.0, 42
STEP_H, N_OBS = 0.5, 673

DOSE_TIMES = np.arange(N_DOSES) * II_H  # 0, 8, ..., 328 h
TIMES = np.arange(N_OBS) * STEP_H  # 0, 0.5, ..., 336 h
OBS_PER_DOSE = int(round(II_H / STEP_H))  # 16


def closed_form_numpy(ka=KA, cl=CL, v=V, f=F, dose=DOSE_MG, times=TIMES, dose_times=DOSE_TIMES):
    """Central amount [mg] at every time: sum over past doses of F D KA/(KA-k) (e^{-k dt} - e^{-KA dt})."""
    k = cl / v
    dt = times[:, None] - dose_times[None, :]
    past = dt >= 0.0
    dtp = np.where(past, dt, 0.0)
    contrib = (np.exp(-k * dtp) - np.exp(-ka * dtp)) * past
    return (f * dose * ka / (ka - k)) * contrib.sum(axis=1)


def ode_lsoda(ka=KA, cl=CL, v=V, f=F, dose=DOSE_MG, times=TIMES, rtol=1e-8, atol=1e-10):
    """Central amount [mg] at every time, by LSODA between doses; the dose is added to the depot."""
    k = cl / v
    jac_matrix = np.array([[-ka, 0.0], [ka, -k]])

    def jac(_t, _y):  # a callable: scipy 1.10's LSODA wrapper rejects a constant array ("truth value")
        return jac_matrix

    def rhs(_t, y):
        return np.array([-ka * y[0], ka * y[0] - k * y[1]])

    out = np.empty(N_OBS)
    y = np.zeros(2)
    for i in range(N_DOSES):
        t0 = i * II_H
        y[0] += f * dose  # bolus into the depot
        lo = i * OBS_PER_DOSE
        grid = times[lo:lo + OBS_PER_DOSE + 1]  # t0 .. t0 + II: the last point is the next dose time
        sol = solve_ivp(rhs, (t0, t0 + II_H), y, method="LSODA", t_eval=grid, rtol=rtol, atol=atol, jac=jac)
        if not sol.success:
            raise RuntimeError(f"solve_ivp failed on dose interval {i}: {sol.message}")
        out[lo:lo + len(grid)] = sol.y[1]  # the next interval overwrites its start with the same value
        y = sol.y[:, -1].copy()
    return out


def time_method(fn, batches, batch_seconds):
    fn()  # warm-up
    n = 1  # calibration: double the repetitions until they take >= 50 ms
    while True:
        t = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t
        if dt >= 0.05:
            break
        n *= 2
    reps = max(1, round(batch_seconds / (dt / n)))
    per_subject = []
    for _ in range(batches):
        t = time.perf_counter()
        for _ in range(reps):
            fn()
        per_subject.append((time.perf_counter() - t) / reps)
    return statistics.median(per_subject), statistics.stdev(per_subject) / statistics.mean(per_subject), reps


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batches", type=int, default=7, help="timed batches (median reported; >= 5)")
    ap.add_argument("--batch-seconds", type=float, default=1.0, help="target wall time of one batch [s]")
    args = ap.parse_args()
    if args.batches < 5:
        ap.error("--batches must be >= 5")

    version = f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}"
    methods = [
        ("closed_form_numpy", "exact", closed_form_numpy, "numpy Bateman superposition, 673 x 42 vectorised"),
        ("ode_lsoda", "ode", ode_lsoda, "solve_ivp LSODA rtol 1e-8 atol 1e-10, 42 pieces, analytic Jacobian"),
    ]
    for name, kind, fn, detail in methods:
        a2 = fn()
        conc = a2 / V * 1000.0  # mg/L -> ng/mL
        sec, cv, reps = time_method(fn, args.batches, args.batch_seconds)
        print(json.dumps({
            "peer": "scipy", "method": name, "kind": kind, "us_per_subject": sec * 1e6, "cv": cv,
            "cmax_ngml": float(conc.max()), "c336_ngml": float(conc[-1]),
            "batches": args.batches, "reps_per_batch": reps, "version": version, "detail": detail,
        }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
