#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The COBA network benchmark (Brette et al. 2007, benchmark 1) in benzosim and its peers, on this machine, in one
# run (bench/README.md, "bench_network").
#   1. installs the Debian packages the peers need, if missing (scripts/install-deps.sh; apt-get, non-interactive):
#      python3-brian (Brian2), python3-dev (Python.h for Brian2's Cython code), python3-neuron and neuron-dev
#      (NEURON and nrnivmodl, used only if bench/peers/coba_neuron.py exists), time (GNU time, for peak memory)
#   2. builds the benzosim command in build-bench/ (Release)
#   3. for seeds 1, 2, 3: writes the network with Brian2 (bench/peers/coba_brian2.py --write-network: the
#      connectivity and initial state, 0-based global indices, E 0..3199, I 3200..3999), then runs on those files,
#      for 1 s and 10 s of biological time: Brian2 (cython runtime), benzosim with 1 and 2 threads
#      (`benzosim network coba --connectivity ... --initial-state ...`), NEURON if its peer exists;
#      Brian2 cpp_standalone for seed 1 (it generates and compiles a C++ project on every run); one Brian2
#      cython run with a fresh Cython cache (what a first run costs)
#   4. checks: (a) benzosim's E and I rates within 10 % of Brian2's (cython) for every seed and duration (the
#      agreement criterion of issue 6); (b) benzosim's rates identical for 1 and 2 threads; (c) Brian2
#      cpp_standalone's rates within 10 % of Brian2 cython's on the same network; (d) every network stays
#      active (rates above 1 Hz: the activity is self-sustained); (e) NEURON's rates within 10 % of Brian2's;
#      (f) the repeats of a configuration give identical rates
#   5. prints the Markdown tables (agreement; timing) with the machine details; exits non-zero if a check fails.
# If the benzosim command has no `network` subcommand yet, its rows are skipped ("benzosim network not available
# yet") and check (a) is reported as not done; the exit status then reflects the peers' checks only.
# Environment: PK_BENCH_MAX_LOAD=X waits (up to 15 min) for the 1-minute load average to fall below X first;
# NETWORK_SEEDS="1 2 3" and NETWORK_DURATIONS="1 10" change the grid (the checks need the defaults);
# NETWORK_REPEATS=3: runs of Brian2 cython and benzosim per seed and duration (the timing is their median, and
# the repeats must give identical rates; NEURON and cpp_standalone run once: they take long).
# Raw results: build-bench/network_results/ (the networks, one JSON/summary per run, its wall time and memory).
# Takes about 6 minutes on 2 CPUs after the first build and package installation: NEURON about 3 (its three
# 10 s runs take about 50 s each), Brian2 cpp_standalone 5-30 s of compilation per run, the fresh-cache Cython
# run 20-30 s, writing the 3 networks about 10 s (the first time, compiling Brian2's Cython code: 15 s more).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-bench"
results="$build/network_results"
runs="$results/runs"
py=/usr/bin/python3   # Debian's interpreter (the one python3-brian installs into), not a pyenv shim
seeds="${NETWORK_SEEDS:-1 2 3}"
durations="${NETWORK_DURATIONS:-1 10}"
repeats="${NETWORK_REPEATS:-3}"

# shellcheck source=bench/common.sh
. "$root/bench/common.sh"

log() { echo "run_network: $*" >&2; }

# 1. Packages.
neuron_peer="$root/bench/peers/coba_neuron.py"
extra=(python3-brian python3-dev time)
[ -f "$neuron_peer" ] && extra+=(python3-neuron neuron-dev)
"$root/scripts/install-deps.sh" "${extra[@]}" >&2

# 2. Build.
log "building benzosim (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBENZOSIM_BUILD_BENCH=ON -DBENZOSIM_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target benzosim -j2 >/dev/null
bz="$build/cli/benzosim"
# (the help of `benzosim network` must list --connectivity: without the subcommand, `benzosim network --help`
# prints the top-level help and exits 0)
bz_help="$("$bz" network --help 2>/dev/null || true)"
if grep -q -- '--connectivity' <<<"$bz_help"; then
  have_bz=1
else
  have_bz=0
  log "benzosim network not available yet: its rows are skipped"
fi
rm -rf "$runs"
mkdir -p "$runs"

# timed NAME CMD...: runs CMD with stdout to $runs/NAME.out; writes the process's wall time [s] and peak
# resident memory [KiB] to $runs/NAME.time as JSON.
timed() {
  local name="$1" t0 t1
  shift
  t0="$(date +%s%N)"
  /usr/bin/time -f '%M' -o "$runs/$name.rss" "$@" >"$runs/$name.out"
  t1="$(date +%s%N)"
  echo "{\"process_wall_s\": $(( (t1 - t0) / 1000 )).0e-6, \"max_rss_kib\": $(tail -n1 "$runs/$name.rss")}" \
    >"$runs/$name.time"
  rm -f "$runs/$name.rss"
}

# 3. Machine, then the runs.
wait_for_quiet_machine
record_machine "$results/machine.json"

brian=("$py" "$root/bench/peers/coba_brian2.py")
for s in $seeds; do
  log "seed $s: writing the network with Brian2"
  timed "write_s$s" "${brian[@]}" --seed "$s" --duration-s 0 --write-network "$results/net_s$s"
done
log "Brian2 cython, seed 1, 1 s, with a fresh Cython cache (a first run: code generation and compilation)"
timed "brian2_cython_cold_s1_T1" "${brian[@]}" --seed 1 --duration-s 1 --read-network "$results/net_s1" --cold-cache
for s in $seeds; do
  net="$results/net_s$s"
  for t in $durations; do
    for r in $(seq "$repeats"); do
      log "seed $s, $t s: Brian2 cython (repeat $r of $repeats)"
      timed "brian2_cython_s${s}_T${t}_r$r" "${brian[@]}" --seed "$s" --duration-s "$t" --read-network "$net"
      if [ "$have_bz" = 1 ]; then
        for th in 1 2; do
          log "seed $s, $t s: benzosim, $th thread(s) (repeat $r of $repeats)"
          timed "benzosim_t${th}_s${s}_T${t}_r$r" "$bz" network coba --duration-s "$t" --seed "$s" --threads "$th" \
            --connectivity "$net/connectivity.csv" --initial-state "$net/initial_state.csv" \
            --out "$runs/benzosim_t${th}_s${s}_T${t}_r$r"
        done
      fi
    done
    if [ -f "$neuron_peer" ]; then
      log "seed $s, $t s: NEURON"
      timed "neuron_s${s}_T$t" "$py" "$neuron_peer" --seed "$s" --duration-s "$t" --read-network "$net" \
        --build-dir "$results/neuron_mod"
    fi
  done
done
for t in $durations; do
  log "seed 1, $t s: Brian2 cpp_standalone (generates and compiles the project)"
  timed "brian2_standalone_s1_T$t" "${brian[@]}" --seed 1 --duration-s "$t" --read-network "$results/net_s1" \
    --target cpp_standalone
done
echo "{\"load_after\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"have_benzosim\": $have_bz," \
  "\"benzosim_version\": \"$("$bz" --version 2>/dev/null | head -n1)\", \"seeds\": \"$seeds\"," \
  "\"durations\": \"$durations\", \"repeats\": $repeats}" >"$results/load.json"

# 4 and 5. Checks and the tables.
"$py" - "$results" <<'EOF'
import json, pathlib, statistics, sys

res = pathlib.Path(sys.argv[1])
runs = res / "runs"
machine = json.loads((res / "machine.json").read_text())
meta = json.loads((res / "load.json").read_text())
seeds = [int(s) for s in meta["seeds"].split()]
durations = [float(t) for t in meta["durations"].split()]
ok = True
problems = []
TOL = 0.10
N_E, N_I = 3200, 800


def fail(msg):
    global ok
    ok = False
    problems.append(msg)


def load(name):
    """One run: its JSON (peer line or benzosim summary.json) merged with its process wall time and memory."""
    tfile = runs / f"{name}.time"
    if not tfile.exists():
        return None
    r = json.loads(tfile.read_text())
    summary = runs / name / "summary.json"
    if summary.exists():  # benzosim
        s = json.loads(summary.read_text())
        r.update(summary=s, rate_e_hz=s["rate_hz"]["E"], rate_i_hz=s["rate_hz"]["I"],
                 wall_s_loop=s.get("wall_s_loop"), wall_s_setup=s.get("wall_s_setup"))
    else:
        lines = (runs / f"{name}.out").read_text().splitlines()
        if not lines:
            return None
        r.update(json.loads(lines[-1]))
    return r


def tname(t):
    return f"{t:g}"


def rates(r):
    return f"{r['rate_e_hz']:.2f} / {r['rate_i_hz']:.2f}"


def load_repeats(name):
    """The repeats of one configuration as one run: the first repeat's rates (every repeat must give the same),
    the median of the loop and process wall times, the largest peak memory."""
    reps = [r for r in (load(f"{name}_r{k}") for k in range(1, meta["repeats"] + 1)) if r is not None]
    if not reps:
        return None
    first = dict(reps[0])
    for r in reps[1:]:
        if (r["rate_e_hz"], r["rate_i_hz"]) != (first["rate_e_hz"], first["rate_i_hz"]):
            fail(f"{name}: the repeats give different rates ({rates(first)} and {rates(r)} Hz)")
    for key in ("wall_s_loop", "process_wall_s", "wall_s_setup", "wall_s_codegen", "wall_s_import"):
        if all(r.get(key) is not None for r in reps):
            first[key] = statistics.median(r[key] for r in reps)
    first["max_rss_kib"] = max(r["max_rss_kib"] for r in reps)
    first["repeats"] = len(reps)
    return first


brian, bz1, bz2, neuron, standalone = {}, {}, {}, {}, {}
for s in seeds:
    for t in durations:
        brian[s, t] = load_repeats(f"brian2_cython_s{s}_T{tname(t)}")
        bz1[s, t] = load_repeats(f"benzosim_t1_s{s}_T{tname(t)}")
        bz2[s, t] = load_repeats(f"benzosim_t2_s{s}_T{tname(t)}")
        neuron[s, t] = load(f"neuron_s{s}_T{tname(t)}")
for t in durations:
    standalone[1, t] = load(f"brian2_standalone_s1_T{tname(t)}")
cold = load("brian2_cython_cold_s1_T1")
have_bz = any(v is not None for v in bz1.values())
have_neuron = any(v is not None for v in neuron.values())


def rel(a, b):
    return (a - b) / b


# Agreement table.
print("Agreement: the same network and initial state (written by Brian2 for each seed) in every simulator; "
      "E / I rates [Hz]; differences relative to Brian2 (cython); check: within 10 %.\n")
head = "| seed | bio time | Brian2 cython | Brian2 cpp_standalone | benzosim, 1 thread | benzosim, 2 threads | benzosim vs Brian2 (E / I) |"
sep = "|---:|---:|---:|---:|---:|---:|---|"
if have_neuron:
    head += " NEURON | NEURON vs Brian2 (E / I) |"
    sep += "---:|---|"
print(head)
print(sep)
for s in seeds:
    for t in durations:
        b = brian[s, t]
        if b is None:
            fail(f"Brian2 cython seed {s}, {t:g} s: no result")
            continue
        for name, r in (("Brian2 cython", b), ("Brian2 cpp_standalone", standalone.get((s, t))),
                        ("benzosim", bz1[s, t]), ("NEURON", neuron[s, t])):
            if r is not None and min(r["rate_e_hz"], r["rate_i_hz"]) < 1.0:
                fail(f"{name} seed {s}, {t:g} s: the network fell silent (rates {rates(r)} Hz)")
        sa = standalone.get((s, t))
        sa_s = "—"
        if sa is not None:
            de, di = rel(sa["rate_e_hz"], b["rate_e_hz"]), rel(sa["rate_i_hz"], b["rate_i_hz"])
            same = sa.get("spikes_e") == b.get("spikes_e") and sa.get("spikes_i") == b.get("spikes_i")
            sa_s = rates(sa) + (" (same spike counts)" if same else f" ({100 * de:+.1f} % / {100 * di:+.1f} %)")
            if max(abs(de), abs(di)) > TOL:
                fail(f"Brian2 cpp_standalone vs cython, seed {s}, {t:g} s: {rates(sa)} vs {rates(b)} Hz")
        r1, r2 = bz1[s, t], bz2[s, t]
        if r1 is not None:
            de, di = rel(r1["rate_e_hz"], b["rate_e_hz"]), rel(r1["rate_i_hz"], b["rate_i_hz"])
            good = max(abs(de), abs(di)) <= TOL
            check = f"{100 * de:+.1f} % / {100 * di:+.1f} % ({'ok' if good else 'FAIL'})"
            if not good:
                fail(f"benzosim vs Brian2, seed {s}, {t:g} s: {rates(r1)} vs {rates(b)} Hz")
            bz1_s = rates(r1)
        else:
            check, bz1_s = "not run (benzosim network not available yet)", "pending"
        bz2_s = "pending"
        if r2 is not None:
            bz2_s = rates(r2)
            if r1 is not None and (r2["rate_e_hz"], r2["rate_i_hz"]) != (r1["rate_e_hz"], r1["rate_i_hz"]):
                fail(f"benzosim seed {s}, {t:g} s: 2 threads give {rates(r2)} Hz, 1 thread {rates(r1)} Hz")
                bz2_s += " (differs from 1 thread: FAIL)"
            elif r1 is not None:
                bz2_s += " (= 1 thread)"
        row = f"| {s} | {t:g} s | {rates(b)} | {sa_s} | {bz1_s} | {bz2_s} | {check} |"
        if have_neuron:
            rn = neuron[s, t]
            if rn is not None:
                de, di = rel(rn["rate_e_hz"], b["rate_e_hz"]), rel(rn["rate_i_hz"], b["rate_i_hz"])
                good = max(abs(de), abs(di)) <= TOL
                if not good:
                    fail(f"NEURON vs Brian2, seed {s}, {t:g} s: {rates(rn)} vs {rates(b)} Hz")
                row += f" {rates(rn)} | {100 * de:+.1f} % / {100 * di:+.1f} % ({'ok' if good else 'FAIL'}) |"
            else:
                row += " — | — |"
        print(row)
print()


# Timing table: per simulator and duration, the median over the seeds.
def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def rng(xs):
    xs = [x for x in xs if x is not None]
    return f"{min(xs):.3g}–{max(xs):.3g}" if len(xs) > 1 else ""


def fmt(x, digits=3):
    if x is None:
        return "—"
    return f"{x:.{digits}g}" if x < 100 else f"{x:.0f}"


print("Timing: wall clock, s. Loop = the simulation loop as each simulator times it itself; set-up = everything "
      "else in the process before and around the loop (reading the files, building the network, Brian2's import "
      "and code generation/compilation); total = the whole process as the user waits for it (external clock). "
      "Each seed's figure is the median of its repeats; the table gives the median over the seeds (range of the "
      "seeds' figures in brackets); runs = seeds × repeats.\n")
print("| simulator | mode | threads | bio time | runs | loop s | loop s per bio s | set-up + codegen s | total wall s | total s per bio s | peak memory MiB |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
rows = [("Brian2 2.5.1", "cython runtime (Cython cache warm)", 1, brian),
        ("Brian2 2.5.1", "cpp_standalone (compiled on every run)", 1, standalone)]
if have_bz:
    rows += [("benzosim", "network coba", 1, bz1), ("benzosim", "network coba", 2, bz2)]
if have_neuron:
    rows += [("NEURON", neuron[next(k for k in neuron if neuron[k])]["mode"], 1, neuron)]
loop_per_s = {}
for label, mode, threads, table in rows:
    for t in durations:
        rs = [r for (s, tt), r in table.items() if tt == t and r is not None]
        if not rs:
            continue
        n_runs = sum(r.get("repeats", 1) for r in rs)
        loops = [r["wall_s_loop"] for r in rs]
        totals = [r["process_wall_s"] for r in rs]
        other = [r["process_wall_s"] - r["wall_s_loop"] for r in rs]
        mem = med([r["max_rss_kib"] / 1024 for r in rs])
        lm, tm = med(loops), med(totals)
        loop_per_s[label, mode, threads, t] = lm / t
        r_l, r_t = rng(loops), rng(totals)
        print(f"| {label} | {mode} | {threads} | {t:g} s | {n_runs} | {fmt(lm)}{' (' + r_l + ')' if r_l else ''} "
              f"| {fmt(lm / t)} | {fmt(med(other))} | {fmt(tm)}{' (' + r_t + ')' if r_t else ''} | {fmt(tm / t)} "
              f"| {mem:.0f} |")
    if mode.startswith("cython") and cold is not None:
        print(f"| {label} | cython runtime, first run (fresh Cython cache) | 1 | {cold['duration_s']:g} s | 1 "
              f"| {fmt(cold['wall_s_loop'])} | {fmt(cold['wall_s_loop'] / cold['duration_s'])} "
              f"| {fmt(cold['process_wall_s'] - cold['wall_s_loop'])} | {fmt(cold['process_wall_s'])} "
              f"| {fmt(cold['process_wall_s'] / cold['duration_s'])} | {cold['max_rss_kib'] / 1024:.0f} |")
print()
for t in durations:
    sa = standalone.get((1, t))
    if sa is not None:
        print(f"Brian2 cpp_standalone, {t:g} s: code generation + compilation {sa['wall_s_codegen']:.1f} s "
              f"(make {sa.get('make_s') or 0:.1f} s), running the program {sa['wall_s_run']:.2f} s, of which the loop "
              f"{sa['wall_s_loop']:.3f} s; Python import + network set-up {sa['wall_s_import'] + sa['wall_s_setup']:.2f} s.")
nc = [r["wall_s_codegen"] for r in neuron.values() if r is not None and r.get("wall_s_codegen")]
if nc:
    print(f"NEURON: the SpikeOut mechanism compiled once with nrnivmodl ({nc[0]:.1f} s), then reused (not in the "
          f"totals above).")
for s in seeds[:1]:
    for t in durations:
        b = brian[s, t]
        if b is not None:
            print(f"Brian2 cython, seed {s}, {t:g} s: import {b['wall_s_import']:.2f} s, network set-up from the files "
                  f"{b['wall_s_setup']:.2f} s, code generation/cache look-up {b['wall_s_codegen']:.2f} s, loop "
                  f"{b['wall_s_loop']:.3f} s.")
if have_bz:
    for t in durations:
        key = ("benzosim", "network coba", 1, t)
        if key in loop_per_s:
            lp = loop_per_s[key]
            tot = med([r["process_wall_s"] for (s, tt), r in bz1.items() if tt == t and r is not None])
            line = f"benzosim, {t:g} s, 1 thread: {lp:.3f} s per biological second (issue 6 target ≤ 0.06: " \
                   f"{'met' if lp <= 0.06 else 'not met'})"
            if t == 1:
                line += f"; whole 1 s run {tot:.2f} s wall (target < 0.5 s: {'met' if tot < 0.5 else 'not met'})"
            ratios = [f"{peer[0].split(' ')[0]}{' ' + peer[1].split(' ')[0] if peer[0] != 'NEURON' else ''} "
                      f"{fmt(loop_per_s[peer] / lp, 2)}×"
                      for peer in (("Brian2 2.5.1", "cython runtime (Cython cache warm)", 1, t),
                                   ("Brian2 2.5.1", "cpp_standalone (compiled on every run)", 1, t),
                                   ("NEURON", "fixed-step backward Euler", 1, t)) if peer in loop_per_s]
            if ratios:
                line += "; a peer's loop time over benzosim's: " + ", ".join(ratios)
            two = ("benzosim", "network coba", 2, t)
            if two in loop_per_s:
                line += f"; 2 threads {lp / loop_per_s[two]:.2f}× faster than 1"
            print(line + ".")
else:
    print("benzosim: `benzosim network` not available yet — its rows are pending and the agreement check (a) was not run.")
print()
v = next((r["versions"] for r in brian.values() if r is not None), {})
print(f"Machine: {machine['nproc']} CPUs, {machine['cpu']}, {machine['mem']}; {machine['kernel']}; {machine['compiler']}.")
print(f"Date {machine['date']}; git {machine['git']}; load average (1, 5, 15 min) {machine['load_before']} before, "
      f"{meta['load_after']} after.")
print(f"Peers: Brian2 {v.get('brian2')}, numpy {v.get('numpy')}, Cython {v.get('cython')}, Python {v.get('python')}"
      + (f"; NEURON {next(r for r in neuron.values() if r)['versions']['neuron']}" if have_neuron else "")
      + (f"; {meta['benzosim_version']}" if have_bz else "") + ".")
for p in problems:
    print(f"run_network: {p}", file=sys.stderr)
if not have_bz:
    print("\nrun_network: NOTE: benzosim's rows are pending (no `benzosim network` yet); peers' checks only",
          file=sys.stderr)
if not ok:
    print("\nFAIL: a check failed", file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
