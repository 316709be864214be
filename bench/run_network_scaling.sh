#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The network scaling table (bench/README.md, "bench_network scaling"): coba grown from 4 000 to 256 000 neurons
# at a fixed in-degree (64 E + 16 I synapses per neuron; bench/bench_network_scaling.cpp), 1 s of biological
# time, 1 and 2 threads: time to draw the synapses, step-loop time, rates and peak memory, one process per run.
#   1. builds bench_network_scaling in build-bench/ (Release)
#   2. runs every size and thread count SCALING_REPEATS times (default 3; the table gives the median loop time)
#   3. checks: (a) the rates identical for 1 and 2 threads at every size (the engine's results do not depend on
#      the thread count); (b) the E rate stays within 10 % of the 4 000-neuron rate at every size (a fixed
#      in-degree keeps each neuron's input statistics: the activity must not change with size)
#   4. prints the Markdown table with the machine details; exits non-zero if a check fails.
# Environment: PK_BENCH_MAX_LOAD=X waits for the 1-minute load average to fall below X first;
# SCALING_SIZES="4000 8000 ..." and SCALING_THREADS="1 2" change the grid.
# Memory: the peak (reached while the synapses are drawn) and the resident size after the run (freed temporaries
# trimmed first). Raw results: build-bench/network_scaling/ (one JSON line per run). Takes about 2 minutes on 2 CPUs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-bench"
results="$build/network_scaling"
sizes="${SCALING_SIZES:-4000 8000 16000 32000 64000 128000 256000}"
threads="${SCALING_THREADS:-1 2}"
repeats="${SCALING_REPEATS:-3}"

# shellcheck source=bench/common.sh
. "$root/bench/common.sh"

log() { echo "run_network_scaling: $*" >&2; }

"$root/scripts/install-deps.sh" >&2

log "building bench_network_scaling (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBENZOSIM_BUILD_BENCH=ON -DBENZOSIM_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target bench_network_scaling -j2 >/dev/null
bin="$build/bench/bench_network_scaling"

rm -rf "$results"
mkdir -p "$results"
wait_for_quiet_machine
record_machine "$results/machine.json"

for n in $sizes; do
  for t in $threads; do
    for rep in $(seq "$repeats"); do
      log "$n neurons, $t thread(s), repeat $rep"
      "$bin" --neurons "$n" --threads "$t" --duration-s 1 --seed 1 >>"$results/runs.jsonl"
    done
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$results" "$load_after" <<'PY'
import json, statistics, sys
results, load_after = sys.argv[1], sys.argv[2]
machine = json.load(open(f"{results}/machine.json"))
runs = [json.loads(line) for line in open(f"{results}/runs.jsonl")]
by = {}
for r in runs:
    by.setdefault((r["neurons"], r["threads"]), []).append(r)
failures = []
sizes = sorted({n for n, _ in by})
threads = sorted({t for _, t in by})
base_rate = by[(sizes[0], threads[0])][0]["rate_e_hz"]
for (n, t), reps in by.items():
    if len({(r["rate_e_hz"], r["rate_i_hz"], r["spikes"]) for r in reps}) != 1:
        failures.append(f"{n} neurons, {t} threads: repeats differ")
    if reps[0]["spikes"] != by[(n, threads[0])][0]["spikes"]:
        failures.append(f"{n} neurons: {t} threads give other spikes than {threads[0]}")
    if abs(reps[0]["rate_e_hz"] / base_rate - 1) > 0.10:
        failures.append(f"{n} neurons: E rate {reps[0]['rate_e_hz']:.2f} Hz is not within 10 % of {base_rate:.2f} Hz")

print(f"Machine: {machine['nproc']} CPUs, {machine['cpu']}, {machine['mem']}; {machine['compiler']}; "
      f"benzosim {machine['git']}; {machine['date']}; load average before {machine['load_before']}, "
      f"after {load_after}.\n")
head = "| neurons | synapses | draw synapses s |"
for t in threads:
    head += f" loop s ({t} thr) | s per bio-s per 1k neurons ({t} thr) |"
head += " speed-up | peak memory MiB | resident after run MiB | bytes per synapse (resident) | rate E / I Hz |"
print(head)
print("|" + "---|" * (head.count("|") - 1))
for n in sizes:
    first = by[(n, threads[0])]
    row = f"| {n} | {first[0]['synapses']} | {statistics.median(r['build_s'] for r in first):.3f} |"
    loops = {}
    for t in threads:
        loops[t] = statistics.median(r["loop_s"] for r in by[(n, t)])
        row += f" {loops[t]:.3f} | {loops[t] / (n / 1000):.4f} |"
    speedup = loops[threads[0]] / loops[threads[-1]] if len(threads) > 1 else 1.0
    rss = max(r["max_rss_mib"] for r in first)
    resident = max(r["rss_after_run_mib"] for r in first)
    per_syn = resident * 1048576 / first[0]["synapses"]
    row += (f" {speedup:.2f} | {rss:.1f} | {resident:.1f} | {per_syn:.1f} | "
            f"{first[0]['rate_e_hz']:.2f} / {first[0]['rate_i_hz']:.2f} |")
    print(row)
print()
if failures:
    print("FAILED checks:\n- " + "\n- ".join(failures))
    sys.exit(1)
print("Checks passed: rates identical for every thread count and repeat; the E rate within 10 % of the "
      f"{sizes[0]}-neuron rate at every size.")
PY
