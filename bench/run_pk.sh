#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The pk benchmark and its peers, on this machine, in one run (bench/README.md).
#   1. installs the Debian packages the peers need, if missing (scripts/install-deps.sh; apt-get, non-interactive)
#   2. builds bench_pk in build-bench/ (Release) and runs it (5 repetitions, median)
#   3. runs the peers: bench/peers/pk_scipy.py (numpy/scipy) and bench/peers/pk_desolve.R (deSolve)
#   4. checks that every method gives the same concentration at t = 336 h as benzosim's exact engine
#      (relative difference <= 1e-6 for exact methods, <= 1e-4 for ODE solvers)
#   5. prints a Markdown table with the machine details; exits non-zero if an agreement check fails.
# The 336 h value of a bench_pk variant is the counter c336_ngml that bench_pk reports for it; a variant
# without one is timed and listed as "not checked" (a warning).
# Environment: PK_BENCH_MAX_LOAD=X waits (up to 15 min) for the 1-minute load average to fall below X first.
# Raw results: build-bench/pk_results/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-bench"
results="$build/pk_results"
py=/usr/bin/python3   # Debian's interpreter (the one python3-numpy/python3-scipy install into), not a pyenv shim
rscript=/usr/bin/Rscript

# shellcheck source=bench/common.sh
. "$root/bench/common.sh"

log() { echo "run_pk: $*" >&2; }

# 1. Packages (the project's build dependencies plus the peers').
"$root/scripts/install-deps.sh" libbenchmark-dev python3-numpy python3-scipy r-base-core r-cran-desolve >&2

# 2. Build.
log "building bench_pk (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBENZOSIM_BUILD_BENCH=ON -DBENZOSIM_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target bench_pk -j2 >/dev/null
mkdir -p "$results"

bench_dir="$build/bench"

# 3. Machine, then the runs.
wait_for_quiet_machine
record_machine "$results/machine.json"

echo -n >"$results/check.jsonl"  # (no separate checker: bench_pk reports each variant's c336_ngml counter)
log "running bench_pk (5 repetitions)"
"$bench_dir/bench_pk" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_format=json >"$results/bench_pk.json"
log "running bench/peers/pk_scipy.py"
"$py" "$root/bench/peers/pk_scipy.py" >"$results/scipy.jsonl"
log "running bench/peers/pk_desolve.R"
"$rscript" "$root/bench/peers/pk_desolve.R" >"$results/desolve.jsonl"
echo "{\"load_after\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >"$results/load_after.json"

# 4 and 5. Agreement and the table.
"$py" - "$results" <<'EOF'
import json, pathlib, sys

res = pathlib.Path(sys.argv[1])
machine = json.loads((res / "machine.json").read_text())
load_after = json.loads((res / "load_after.json").read_text())["load_after"]
bench = json.loads((res / "bench_pk.json").read_text())
check = {r["method"]: r for r in map(json.loads, (res / "check.jsonl").read_text().splitlines())}
scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}

def bench_agg(name, agg):
    return next((b for b in bench["benchmarks"] if b["run_name"] == name and b.get("aggregate_name") == agg), None)

labels = {"exact_engine": "benzosim exact engine", "hand_written_loop": "hand-written propagator loop (floor)",
          "cvodes_engine": "benzosim CVODES (BDF, rtol 1e-8, atol 1e-10)",
          "cvodes_engine_rtol8_atol8": "benzosim CVODES (BDF, rtol 1e-8, atol 1e-8)",
          "cvodes_engine_adams_rtol8_atol8": "benzosim CVODES (Adams, rtol 1e-8, atol 1e-8)",
          "exact_engine_setup_only": "benzosim exact engine, set-up only (1 dose, 1 observation: not the job)"}
not_the_job = {"exact_engine_setup_only"}
rows = []  # (label, µs median, cv, C(336 h) or None, kind or None)
names = list(dict.fromkeys(b["run_name"] for b in bench["benchmarks"]))
for name in names:
    med, cv = bench_agg(name, "median"), bench_agg(name, "cv")
    us = med["real_time"] * scale[med["time_unit"]]
    c336 = med.get("c336_ngml", check.get(name, {}).get("c336_ngml"))
    kind = None if name in not_the_job else ("exact" if "exact" in name or "hand" in name else "ode")
    rows.append((labels.get(name, f"bench_pk {name}"), us, cv["real_time"] if cv else None, c336, kind))
ref_us = bench_agg("exact_engine", "median")["real_time"] * scale[bench_agg("exact_engine", "median")["time_unit"]]
peer_labels = {("scipy", "closed_form_numpy"): "scipy peer: closed form, numpy vectorised",
               ("scipy", "ode_lsoda"): "scipy peer: solve_ivp LSODA (rtol 1e-8, atol 1e-10)",
               ("deSolve", "closed_form_r"): "R peer: closed form, vectorised (outer)",
               ("deSolve", "ode_lsoda"): "R deSolve peer: lsoda + events (rtol 1e-8, atol 1e-10)"}
versions = []
for f in ("scipy.jsonl", "desolve.jsonl"):
    for r in map(json.loads, (res / f).read_text().splitlines()):
        rows.append((peer_labels.get((r["peer"], r["method"]), f'{r["peer"]} {r["method"]}'),
                     r["us_per_subject"], r.get("cv"), r["c336_ngml"], r["kind"]))
        if r["version"] not in versions:
            versions.append(r["version"])

exact_row = next(r for r in rows if r[0] == labels["exact_engine"])
ref = exact_row[3]
tol = {"exact": 1e-6, "ode": 1e-4}
ok = True
unchecked = []

def fmt_us(us):
    return f"{us:,.0f}" if us >= 100 else f"{us:.3g}"

print(f"Job: one-compartment oral (KA 1.5 /h, CL 4.5 L/h, V 200 L, F 0.9), 0.5 mg every 8 h x 42, "
      f"673 outputs (0-336 h). benzosim exact C(336 h) = {ref:.10g} ng/mL.\n")
print("| method | µs per subject (median) | ratio to benzosim exact | agreement with benzosim exact at 336 h |")
print("|---|---:|---:|---|")
for label, us, cv, c, kind in rows:
    ratio = us / ref_us
    ratio_s = f"{ratio:.3g}×" if ratio < 1000 else f"{ratio:,.0f}×"
    if kind is None:
        agree = "—"
    elif c is None:
        agree = "not checked (no 336 h value: see bench/run_pk.sh)"
        unchecked.append(label)
    else:
        rel = abs(c - ref) / abs(ref)
        good = rel <= tol[kind]
        ok = ok and good
        agree = "reference" if label == labels["exact_engine"] else \
            f"{rel:.1e} relative ({'ok' if good else 'FAIL'}, tolerance {tol[kind]:g})"
    spread = f" (cv {100 * cv:.0f} %)" if cv is not None else ""
    print(f"| {label} | {fmt_us(us)}{spread} | {ratio_s} | {agree} |")
print()
print(f"Machine: {machine['nproc']} CPUs, {machine['cpu']}; {machine['kernel']}; {machine['compiler']}.")
print(f"Date {machine['date']}; git {machine['git']}; load average (1, 5, 15 min) {machine['load_before']} "
      f"before, {load_after} after.")
print(f"Peers: {'; '.join(versions)}.")
print("benzosim: Google Benchmark, median of 5 repetitions (real time); peers: wall clock, median of 7 batches; "
      "cv: coefficient of variation over the repetitions or batches.")
if unchecked:
    print(f"run_pk: WARNING: no 336 h value for {unchecked}: report a c336_ngml counter from bench_pk or add "
          "the variant to the checker in bench/run_pk.sh", file=sys.stderr)
if not ok:
    print("\nFAIL: agreement check failed", file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
