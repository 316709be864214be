#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The population benchmark and its peers, on this machine, in one run (bench/README.md, "bench_population").
#   1. installs the Debian packages the peers need, if missing (scripts/install-deps.sh; apt-get, non-interactive)
#   2. builds bench_population in build-bench/ (Release) and runs its 16 configurations once each
#      (N = 10^3 .. 10^6 patients, 1 and 2 threads, summary only or with per-patient rows)
#   3. runs the peers: bench/peers/population_scipy.py (numpy/scipy) and bench/peers/population_desolve.R
#      (deSolve with the compiled C model bench/peers/pk1cmt_oral.c, built here with R CMD SHLIB)
#   4. checks: (a) benzosim's median concentration at 336 h is the same, bit for bit, for 1 and 2 threads and
#      with or without rows (the patients depend only on the seed); (b) a SAMPLING check: the peers draw other
#      random patients, so their medians at 336 h can only agree statistically: relative difference <= 2 %
#      from benzosim's N = 10^6 median, for the peers whose sample is large enough for 2 % to be at least
#      4 standard errors of a median (N >= 10^4 here; the 200-patient ODE subsets are shown, not checked);
#      (c) each ODE subset agrees with the closed form for the same patients at 336 h (relative <= 1e-4)
#   5. prints the Markdown tables with the machine details; exits non-zero if a check fails.
# Environment: PK_BENCH_MAX_LOAD=X waits (up to 15 min) for the 1-minute load average to fall below X first.
# Raw results: build-bench/pk_results/population_* (and the peer's compiled model pk1cmt_oral.*).
# Takes about 1.5 minutes on 2 CPUs (bench_population about 1 min, the peers about 30 s), plus the first build
# and package installation.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-bench"
results="$build/pk_results"
py=/usr/bin/python3   # Debian's interpreter (the one python3-numpy/python3-scipy install into), not a pyenv shim
rscript=/usr/bin/Rscript

# shellcheck source=bench/common.sh
. "$root/bench/common.sh"

log() { echo "run_population: $*" >&2; }

# 1. Packages (the project's build dependencies plus the peers'; r-base-dev for R CMD SHLIB).
"$root/scripts/install-deps.sh" libbenchmark-dev python3-numpy python3-scipy r-base-core r-base-dev \
  r-cran-desolve >&2

# 2. Build.
log "building bench_population (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBENZOSIM_BUILD_BENCH=ON -DBENZOSIM_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target bench_population -j2 >/dev/null
mkdir -p "$results"

# 3. Machine, then the runs.
wait_for_quiet_machine
record_machine "$results/population_machine.json"

log "running bench_population (16 configurations, once each; about 1 min)"
"$build/bench/bench_population" --benchmark_format=json >"$results/population_bench.json"
load_mid="$(cut -d' ' -f1-3 /proc/loadavg)"
log "running bench/peers/population_scipy.py"
"$py" "$root/bench/peers/population_scipy.py" >"$results/population_scipy.jsonl"
log "running bench/peers/population_desolve.R"
"$rscript" "$root/bench/peers/population_desolve.R" "$results" >"$results/population_desolve.jsonl"
echo "{\"load_mid\": \"$load_mid\", \"load_after\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" \
  >"$results/population_load.json"

# 4 and 5. Checks and the tables.
"$py" - "$results" <<'EOF'
import json, math, pathlib, sys

res = pathlib.Path(sys.argv[1])
machine = json.loads((res / "population_machine.json").read_text())
load = json.loads((res / "population_load.json").read_text())
bench = json.loads((res / "population_bench.json").read_text())
scale_ms = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
ok = True
problems = []

# benzosim: one entry per (N, threads, rows).
runs = {}
for b in bench["benchmarks"]:
    if b.get("run_type", "iteration") != "iteration":
        continue
    n, threads, rows = (int(x) for x in b["run_name"].split("/")[1:4])
    runs[(n, threads, rows)] = {"ms": b["real_time"] * scale_ms[b["time_unit"]], "us": b["us_per_patient"],
                                "p50": b["c336_p50_ngml"]}
ref_key = (1_000_000, 1, 0)
ref = runs[ref_key]["p50"]

# (a) the same median for any thread count and with or without rows.
for n in sorted({k[0] for k in runs}):
    vals = {k: r["p50"] for k, r in runs.items() if k[0] == n}
    if len(set(vals.values())) != 1:
        ok = False
        problems.append(f"benzosim N = {n}: the median at 336 h differs between configurations: {vals}")

def fmt_time(ms):
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.1f} ms" if ms >= 10 else f"{ms:.2f} ms"

def fmt_us(us):
    return f"{us:,.0f}" if us >= 100 else f"{us:.3g}"

def fmt_n(n):
    e = round(math.log10(n))
    return f"10^{e}" if 10 ** e == n else f"{n:,}"

print(f"Job (issue 4): one-compartment oral (KA 1.5 /h, CL 4.5 L/h, V 200 L, F 0.9), 0.5 mg every 8 h x 42, "
      f"673 outputs (0-336 h), 30 % log-normal variability on CL and V. benzosim: one run per configuration "
      f"(wall time); median C(336 h) of the N = 10^6 run = {ref:.4f} ng/mL.\n")
print("| configuration | N | threads | rows | wall time | µs per patient | speed-up, 2 threads over 1 | median C(336 h) [ng/mL] |")
print("|---|---:|---:|---|---:|---:|---:|---:|")
for (n, threads, rows) in sorted(runs, key=lambda k: (k[2], k[0], k[1])):
    r = runs[(n, threads, rows)]
    speed = f"{runs[(n, 1, rows)]['ms'] / r['ms']:.2f}×" if threads == 2 and (n, 1, rows) in runs else "—"
    conf = "summary + per-patient rows" if rows else "summary only"
    print(f"| {conf} | {fmt_n(n)} | {threads} | {'yes' if rows else 'no'} | {fmt_time(r['ms'])} | {fmt_us(r['us'])} "
          f"| {speed} | {r['p50']:.4f} |")
print()

# Peers.
peer_labels = {("scipy", "closed_form_superposition"): "scipy: closed form, Bateman superposition (numpy, batches)",
               ("scipy", "closed_form_multiple_dose"): "scipy: closed form, multiple-dose sum (numpy, batches)",
               ("scipy", "ode_lsoda"): "scipy: solve_ivp LSODA per patient (Python right-hand side)",
               ("deSolve", "closed_form_r"): "R: closed form, Bateman superposition (vectorised over patients)",
               ("deSolve", "ode_lsoda_compiled"): "R deSolve: lsoda per patient, compiled C model, events"}
bz_us = runs[(100_000, 1, 0)]["us"]
versions = []
print(f"Peers (other random patients; C(336 h) compared with benzosim's N = 10^6 median {ref:.4f} ng/mL; the ratio is "
      f"to benzosim's {fmt_us(bz_us)} µs per patient, 1 thread, summary only, N = 10^5):\n")
print("| peer | N | wall time | µs per patient | ratio to benzosim | median C(336 h) [ng/mL] | sampling check (2 %) | same patients, ODE vs closed form |")
print("|---|---:|---:|---:|---:|---:|---|---|")
for f in ("population_scipy.jsonl", "population_desolve.jsonl"):
    for r in map(json.loads, (res / f).read_text().splitlines()):
        if r["version"] not in versions:
            versions.append(r["version"])
        n, p50 = r["n"], r["c336_p50_ngml"]
        rel = abs(p50 - ref) / ref
        se = math.sqrt(math.pi / 2) * (r["c336_sd_ngml"] / r["c336_mean_ngml"]) / math.sqrt(n)  # of a median, rel.
        if 0.02 >= 4 * se:
            good = rel <= 0.02
            ok = ok and good
            samp = f"{100 * rel:.2f} % ({'ok' if good else 'FAIL'}; SE ≈ {100 * se:.2f} %)"
            if not good:
                problems.append(f"{r['peer']} {r['method']}: median {p50:.4f} vs {ref:.4f} ({100 * rel:.2f} %)")
        else:
            samp = f"{100 * rel:.1f} %, not checked (N too small: SE ≈ {100 * se:.1f} %)"
        same = "—"
        if "max_rel_diff_vs_closed_form" in r:
            d = r["max_rel_diff_vs_closed_form"]
            good = d <= 1e-4
            ok = ok and good
            same = f"max {d:.1e} relative ({'ok' if good else 'FAIL'}, tolerance 1e-4)"
            if not good:
                problems.append(f"{r['peer']} {r['method']}: ODE vs closed form {d:.1e}")
        elif "max_rel_diff_vs_superposition" in r:
            same = f"vs superposition: max {r['max_rel_diff_vs_superposition']:.1e} ({r['compared_patients']:,} patients)"
        ratio = r["us_per_patient"] / bz_us
        ratio_s = f"{ratio:.3g}×" if ratio < 1000 else f"{ratio:,.0f}×"
        print(f"| {peer_labels.get((r['peer'], r['method']), r['peer'] + ' ' + r['method'])} | {n:,} | "
              f"{fmt_time(r['wall_s'] * 1000)} | {fmt_us(r['us_per_patient'])} | {ratio_s} | {p50:.4f} | {samp} | {same} |")
print()
print(f"Machine: {machine['nproc']} CPUs, {machine['cpu']}, {machine['mem']}; {machine['kernel']}; {machine['compiler']}.")
print(f"Date {machine['date']}; git {machine['git']}; load average (1, 5, 15 min) {machine['load_before']} before, "
      f"{load['load_mid']} after bench_population, {load['load_after']} after the peers.")
print(f"Peers: {'; '.join(versions)}.")
print("Timing: wall clock, one run each. Closed-form peers: drawing, concentrations, per-time summary (exact "
      "percentiles) and per-patient metrics, as benzosim's summary-only run; ODE peers: the solves only.")
for p in problems:
    print(f"run_population: {p}", file=sys.stderr)
if not ok:
    print("\nFAIL: a check failed", file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
