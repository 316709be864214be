#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Peer for bench/run_network.sh: the COBA benchmark (Brette et al. 2007, benchmark 1) in Debian's Brian2.

The network of Brian's COBA.py (ModelDB 83319, written for Brian 1 by R. Brette; here in Brian2 syntax with
the same arithmetic): 4000 conductance-based leaky integrate-and-fire neurons, 3200 excitatory (global indices
0..3199) and 800 inhibitory (3200..3999); random connectivity with probability 0.02 for every ordered pair
(autapses allowed, as Brian's connect(p=...) does); no delay, no external drive: the activity is sustained
from the random initial state.

    C dv/dt = gL (EL - v) + ge (Ee - v) + gi (Ei - v)       (v clamped for 5 ms after a spike)
    dge/dt  = -ge / taue,   dgi/dt = -gi / taui
    C 200 pF, gL 10 nS (taum 20 ms), EL -60 mV, Vth -50 mV, Vreset -60 mV, refractory 5 ms,
    Ee 0 mV, Ei -80 mV, taue 5 ms, taui 10 ms; a spike adds 6 nS to ge (E source) or 67 nS to gi (I source)
    initial state: v = EL + (5 N(0,1) - 5) mV, ge = (1.5 N(0,1) + 4) gL, gi = (12 N(0,1) + 20) gL
    forward Euler (method='euler'), dt 0.1 ms, no spike-time interpolation; threshold v > Vth

Negative initial conductances (about 0.4 % of the ge draws and 4.8 % of the gi draws) are set to 0, as in the
runs quoted in ../shared/science/circuits.md ("Peer timings": ge = max(0, N(4, 1.5)) gL, gi = max(0, N(20, 12))
gL) and in benzosim's coba preset; COBA.py itself does not clip them (they decay like any conductance):
--no-clip-initial reproduces that.

Modes:
  --write-network DIR   build the network with Brian2 (seed(S), Synapses.connect(p=0.02), the initial values
                        by the expressions above) and write DIR/connectivity.csv (header "pre,post", 0-based
                        global indices, sorted) and DIR/initial_state.csv (header "neuron,v_mv,ge_ns,gi_ns",
                        one row per neuron); then simulate that network if --duration-s > 0 (cython only)
  --read-network DIR    build the network from those two files (the identical network and initial state that
                        benzosim reads with --connectivity and --initial-state)
  neither               build the network with Brian2 from --seed and simulate it
  --target cython         Brian2's runtime mode, code generated and compiled by Cython (cached between runs in
                          Brian2's cache directory; --cold-cache uses a fresh one so that compilation is timed)
  --target cpp_standalone the whole simulation generated as a C++ project in a temporary directory, compiled with
                          Brian2's default flags (-O3 -ffast-math -march=native, make -j) and run as a program;
                          compiled on every run

Output: one JSON line on stdout: peer, target, seed, duration_s, spikes_e, spikes_i, rate_e_hz, rate_i_hz and
the wall-clock times (time.perf_counter, seconds):
  wall_s_import   importing brian2 (and numpy)
  wall_s_setup    building the network (reading or generating, writing the files if asked), before run()
  wall_s_codegen  cython: the part of run() before the loop (code generation, compilation or cache look-up);
                  cpp_standalone: device.build() (generating the project and compiling it with make)
  wall_s_loop     the simulation loop: Brian2's own timing of the loop (cython: Network.run's loop,
                  device._last_run_time; cpp_standalone: the loop inside the compiled program, from
                  results/last_run_info.txt)
  wall_s_run      cython: the whole run() call; cpp_standalone: running the compiled program (start-up,
                  loading the arrays, the loop, writing the results)
  wall_s_total    everything after the interpreter started: import + setup + codegen + run (+ reading results)
and versions.
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

T_START = time.perf_counter()

N_E, N_I = 3200, 800
N = N_E + N_I
P_CONNECT = 0.02


def compiler_version():
    try:
        out = subprocess.run(["c++", "--version"], capture_output=True, text=True, check=True).stdout
        return out.splitlines()[0]
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def read_network(directory, np):
    """(pre, post, v_mv, ge_ns, gi_ns) from DIR/connectivity.csv and DIR/initial_state.csv, checked."""
    conn = np.loadtxt(os.path.join(directory, "connectivity.csv"), delimiter=",", skiprows=1, dtype=np.int64,
                      ndmin=2)
    with open(os.path.join(directory, "connectivity.csv")) as f:
        if f.readline().strip() != "pre,post":
            sys.exit("coba_brian2: connectivity.csv must start with the header 'pre,post'")
    pre, post = conn[:, 0], conn[:, 1]
    if pre.size and (pre.min() < 0 or pre.max() >= N or post.min() < 0 or post.max() >= N):
        sys.exit(f"coba_brian2: connectivity.csv has an index outside 0..{N - 1}")
    with open(os.path.join(directory, "initial_state.csv")) as f:
        if f.readline().strip() != "neuron,v_mv,ge_ns,gi_ns":
            sys.exit("coba_brian2: initial_state.csv must start with the header 'neuron,v_mv,ge_ns,gi_ns'")
    state = np.loadtxt(os.path.join(directory, "initial_state.csv"), delimiter=",", skiprows=1, ndmin=2)
    if state.shape != (N, 4) or not np.array_equal(state[:, 0], np.arange(N)):
        sys.exit(f"coba_brian2: initial_state.csv must have one row per neuron 0..{N - 1}, in order")
    return pre, post, state[:, 1], state[:, 2], state[:, 3]


def write_network(directory, pre, post, v_mv, ge_ns, gi_ns, np):
    os.makedirs(directory, exist_ok=True)
    order = np.lexsort((post, pre))
    np.savetxt(os.path.join(directory, "connectivity.csv"), np.column_stack((pre[order], post[order])),
               fmt="%d", delimiter=",", header="pre,post", comments="")
    # %.17g: the doubles round-trip exactly, so every reader starts from the same bits.
    np.savetxt(os.path.join(directory, "initial_state.csv"),
               np.column_stack((np.arange(N), v_mv, ge_ns, gi_ns)),
               fmt=["%d", "%.17g", "%.17g", "%.17g"], delimiter=",", header="neuron,v_mv,ge_ns,gi_ns",
               comments="")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--duration-s", type=float, default=1.0, help="biological time [s]; 0: build only")
    ap.add_argument("--target", choices=("cython", "cpp_standalone"), default="cython")
    ap.add_argument("--write-network", metavar="DIR")
    ap.add_argument("--read-network", metavar="DIR")
    ap.add_argument("--clip-initial", action=argparse.BooleanOptionalAction, default=True,
                    help="negative initial ge/gi set to 0 (default; --no-clip-initial: COBA.py literally)")
    ap.add_argument("--cold-cache", action="store_true",
                    help="cython: compile into a fresh cache directory (times a first run)")
    ap.add_argument("--keep-build", action="store_true", help="cpp_standalone: keep the project directory")
    args = ap.parse_args()
    if args.write_network and args.read_network:
        ap.error("--write-network and --read-network exclude each other")
    if args.write_network and args.target != "cython":
        ap.error("--write-network builds the network in Brian2's runtime mode: use --target cython")

    t0 = time.perf_counter()
    import warnings
    warnings.filterwarnings("ignore", category=FutureWarning)  # numpy 1.24 vs Debian's pythran tables
    import numpy as np
    import brian2 as b2
    from brian2 import mV, ms, nS, pF, second
    t_import = time.perf_counter() - t0

    t0 = time.perf_counter()
    b2.prefs.codegen.target = "cython"  # runtime code objects (also used to build the network when asked)
    b2.prefs.logging.console_log_level = "WARNING"
    cache_tmp = None
    if args.cold_cache:
        cache_tmp = tempfile.mkdtemp(prefix="coba_brian2_cython_")
        b2.prefs.codegen.runtime.cython.cache_dir = cache_tmp
    build_dir = None
    if args.target == "cpp_standalone":
        build_dir = tempfile.mkdtemp(prefix="coba_brian2_standalone_")
        b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    b2.defaultclock.dt = 0.1 * ms

    C, gL = 200 * pF, 10 * nS
    EL, Vth, Vr = -60 * mV, -50 * mV, -60 * mV
    Ee, Ei = 0 * mV, -80 * mV
    taue, taui = 5 * ms, 10 * ms
    we, wi = 6 * nS, 67 * nS
    eqs = """
    dv/dt = (gL*(EL - v) + ge*(Ee - v) + gi*(Ei - v)) / C : volt (unless refractory)
    dge/dt = -ge / taue : siemens
    dgi/dt = -gi / taui : siemens
    """
    namespace = dict(C=C, gL=gL, EL=EL, Vth=Vth, Vr=Vr, Ee=Ee, Ei=Ei, taue=taue, taui=taui, we=we, wi=wi)
    P = b2.NeuronGroup(N, eqs, threshold="v > Vth", reset="v = Vr", refractory=5 * ms, method="euler",
                       namespace=namespace, name="coba")
    Se = b2.Synapses(P[:N_E], P, on_pre="ge_post += we", namespace=namespace, name="exc")
    Si = b2.Synapses(P[N_E:], P, on_pre="gi_post += wi", namespace=namespace, name="inh")
    if args.read_network:
        pre, post, v_mv, ge_ns, gi_ns = read_network(args.read_network, np)
        exc = pre < N_E
        Se.connect(i=pre[exc], j=post[exc])
        Si.connect(i=pre[~exc] - N_E, j=post[~exc])
        P.v = v_mv * mV
        P.ge = ge_ns * nS
        P.gi = gi_ns * nS
    else:
        b2.seed(args.seed)
        Se.connect(p=P_CONNECT)
        Si.connect(p=P_CONNECT)
        P.v = "EL + (randn()*5 - 5)*mV"  # the draws in COBA.py's order: v, ge, gi
        P.ge = "(randn()*1.5 + 4)*gL"
        P.gi = "(randn()*12 + 20)*gL"
        if args.clip_initial:
            P.ge = "clip(ge, 0*nS, inf*nS)"
            P.gi = "clip(gi, 0*nS, inf*nS)"
    if args.write_network:
        pre = np.concatenate((np.asarray(Se.i[:]), np.asarray(Si.i[:]) + N_E)).astype(np.int64)
        post = np.concatenate((np.asarray(Se.j[:]), np.asarray(Si.j[:]))).astype(np.int64)
        write_network(args.write_network, pre, post, np.asarray(P.v[:] / mV), np.asarray(P.ge[:] / nS),
                      np.asarray(P.gi[:] / nS), np)
    spikes = b2.SpikeMonitor(P, record=False)
    net = b2.Network(P, Se, Si, spikes)
    n_synapses = None if args.target == "cpp_standalone" else len(Se) + len(Si)
    t_setup = time.perf_counter() - t0

    result = {"peer": "brian2", "target": args.target, "seed": args.seed, "duration_s": args.duration_s,
              "network": ("read " + args.read_network) if args.read_network else
                         ("generated by Brian2 from the seed" + (", written to " + args.write_network
                                                                 if args.write_network else "")),
              "clip_initial": None if args.read_network else args.clip_initial}
    t_codegen = t_loop = t_run = 0.0
    counts = None
    if args.duration_s > 0:
        if args.target == "cython":
            t0 = time.perf_counter()
            net.run(args.duration_s * second)
            t_run = time.perf_counter() - t0
            t_loop = float(b2.device._last_run_time)
            t_codegen = t_run - t_loop
            counts = np.asarray(spikes.count[:])
        else:
            net.run(args.duration_s * second)  # records the run; nothing is computed yet
            dev = b2.get_device()
            t0 = time.perf_counter()
            dev.build(directory=build_dir, compile=True, run=False, with_output=False)
            t_codegen = time.perf_counter() - t0
            t0 = time.perf_counter()
            dev.run(build_dir, with_output=False, run_args=[])
            t_run = time.perf_counter() - t0
            t_loop = float(dev._last_run_time)
            counts = np.asarray(spikes.count[:])
            n_synapses = int(len(Se) + len(Si))
            result["make_s"] = dev.timers["compile"].get("make")
    t_total = time.perf_counter() - T_START

    if counts is not None:
        spikes_e, spikes_i = int(counts[:N_E].sum()), int(counts[N_E:].sum())
        result.update(spikes_e=spikes_e, spikes_i=spikes_i, rate_e_hz=spikes_e / (N_E * args.duration_s),
                      rate_i_hz=spikes_i / (N_I * args.duration_s))
    result.update(synapses=n_synapses, wall_s_import=t_import, wall_s_setup=t_setup, wall_s_codegen=t_codegen,
                  wall_s_loop=t_loop, wall_s_run=t_run, wall_s_total=t_total, threads=1,
                  versions={"brian2": b2.__version__, "numpy": np.__version__,
                            "cython": __import__("Cython").__version__, "python": platform.python_version(),
                            "compiler": compiler_version()})
    if build_dir and not args.keep_build:
        shutil.rmtree(build_dir, ignore_errors=True)
    elif build_dir:
        result["build_dir"] = build_dir
    if cache_tmp:
        shutil.rmtree(cache_tmp, ignore_errors=True)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
