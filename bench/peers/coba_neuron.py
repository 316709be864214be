#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Peer for bench/run_network.sh: the COBA benchmark (Brette et al. 2007, benchmark 1) in Debian's NEURON.

The network and initial state come from the files written by bench/peers/coba_brian2.py --write-network
(DIR/connectivity.csv "pre,post", DIR/initial_state.csv "neuron,v_mv,ge_ns,gi_ns"; E neurons 0..3199,
I 3200..3999). The cell follows ModelDB 83319's NEURON/coba/cobacell.hoc: one compartment of area 20 000 um2
(L = diam = 79.7885 um), cm 1 uF/cm2, pas with g_pas 5e-5 S/cm2 (10 nS) and e_pas -60 mV; two ExpSyn (tau 5 ms,
e 0 mV; tau 10 ms, e -80 mV); the spike/reset mechanism SpikeOut (threshold -50 mV, then v set to -60 mV and
clamped there for 5 ms by a 100 uS conductance), written below as NMODL and compiled with nrnivmodl. NetCon
weights 0.006 uS (6 nS) and 0.067 uS (67 nS), delay 0. Fixed step dt 0.1 ms, NEURON's default implicit
(backward Euler) method; Brian2 uses forward Euler on the same equations, so the trajectories differ at the
order of dt and only the rates can be compared.

Output: one JSON line on stdout, the fields of coba_brian2.py: peer, mode, seed, duration_s, spikes_e,
spikes_i, rate_e_hz, rate_i_hz, wall_s_import, wall_s_codegen (nrnivmodl, when the mechanism had to be
compiled), wall_s_setup (reading the files, creating cells and NetCons, initialising), wall_s_loop
(h.continuerun), wall_s_total (everything after the interpreter started), versions.
"""
import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

T_START = time.perf_counter()

N_E, N_I = 3200, 800
N = N_E + N_I

SPIKEOUT_MOD = """\
: Threshold, reset and refractory clamp for the COBA cell (after ModelDB 83319, NEURON/coba).
NEURON {
  POINT_PROCESS SpikeOut
  GLOBAL thresh, refrac, vrefrac, grefrac
  NONSPECIFIC_CURRENT i
}
PARAMETER {
  thresh = -50 (millivolt)
  refrac = 5 (ms)
  vrefrac = -60 (millivolt)
  grefrac = 100 (microsiemens) : clamps v at vrefrac during the refractory period
}
ASSIGNED {
  i (nanoamp)
  v (millivolt)
  g (microsiemens)
}
INITIAL {
  net_send(0, 3)
  g = 0
}
BREAKPOINT {
  i = g*(v - vrefrac)
}
NET_RECEIVE(w) {
  if (flag == 1) {
    net_event(t)
    net_send(refrac, 2)
    v = vrefrac
    g = grefrac
  } else if (flag == 2) {
    g = 0
  } else if (flag == 3) {
    WATCH (v > thresh) 1
  }
}
"""


def compile_mechanism(build_dir):
    """Compiles SpikeOut with nrnivmodl in build_dir unless the same source is already built there; returns
    (library directory, seconds spent compiling)."""
    os.makedirs(build_dir, exist_ok=True)
    mod = os.path.join(build_dir, "spikeout.mod")
    digest = hashlib.sha256(SPIKEOUT_MOD.encode()).hexdigest()
    stamp = os.path.join(build_dir, "spikeout.sha256")
    lib = os.path.join(build_dir, "x86_64", ".libs", "libnrnmech.so")
    if os.path.exists(lib) and os.path.exists(stamp) and open(stamp).read() == digest:
        return build_dir, 0.0
    with open(mod, "w") as f:
        f.write(SPIKEOUT_MOD)
    if os.path.exists(lib):
        os.remove(lib)
    t0 = time.perf_counter()
    # Debian's nrnivmodl (neuron-dev 8.2.2) looks for nrnmech_makefile in /usr/bin and the makefile for
    # libnrniv.so in /usr/lib, but the package installs both in /usr/lib/nrn: give nrnivmodl a copy of the
    # makefile (through NRNHOME_EXEC, which only moves where it looks for the makefile) with libdir corrected.
    env = dict(os.environ)
    makefile = "/usr/lib/nrn/nrnmech_makefile"
    if os.path.exists(makefile) and not os.path.exists("/usr/bin/nrnmech_makefile"):
        shim = os.path.join(build_dir, "nrnhome_exec", "bin")
        os.makedirs(shim, exist_ok=True)
        with open(makefile) as f:
            text = f.read()
        with open(os.path.join(shim, "nrnmech_makefile"), "w") as f:
            f.write(text.replace("libdir := ${ROOT}/lib", "libdir := /usr/lib/nrn"))
        env["NRNHOME_EXEC"] = os.path.dirname(shim)
    done = subprocess.run(["nrnivmodl"], cwd=build_dir, env=env, capture_output=True, text=True)
    # The mechanism library is all we load; linking nrnivmodl's own "special" executable afterwards fails with
    # Debian's headers (nrnconf.h wants InterViews' ivstream.h) and is not needed.
    if not os.path.exists(lib):
        sys.exit(f"coba_neuron: nrnivmodl failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    with open(stamp, "w") as f:
        f.write(digest)
    return build_dir, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1, help="only reported: the network comes from the files")
    ap.add_argument("--duration-s", type=float, default=1.0)
    ap.add_argument("--read-network", metavar="DIR", required=True)
    ap.add_argument("--build-dir", metavar="DIR", help="where SpikeOut is compiled (default: a temporary one)")
    args = ap.parse_args()

    build_dir = args.build_dir or tempfile.mkdtemp(prefix="coba_neuron_")
    mech_dir, t_codegen = compile_mechanism(build_dir)

    t0 = time.perf_counter()
    import numpy as np
    os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")  # no "no DISPLAY" warning; no GUI wanted
    import neuron
    from neuron import h
    neuron.load_mechanisms(mech_dir)
    h.load_file("stdrun.hoc")
    t_import = time.perf_counter() - t0

    t0 = time.perf_counter()
    with open(os.path.join(args.read_network, "connectivity.csv")) as f:
        if f.readline().strip() != "pre,post":
            sys.exit("coba_neuron: connectivity.csv must start with the header 'pre,post'")
    conn = np.loadtxt(os.path.join(args.read_network, "connectivity.csv"), delimiter=",", skiprows=1,
                      dtype=np.int64, ndmin=2)
    state = np.loadtxt(os.path.join(args.read_network, "initial_state.csv"), delimiter=",", skiprows=1, ndmin=2)
    if state.shape != (N, 4) or not np.array_equal(state[:, 0], np.arange(N)):
        sys.exit(f"coba_neuron: initial_state.csv must have one row per neuron 0..{N - 1}, in order")

    h.dt = 0.1
    h.steps_per_ms = 10
    h.celsius = 6.3  # irrelevant here (no temperature-dependent mechanism)
    cells, exc_syn, inh_syn, spikeouts = [], [], [], []
    for k in range(N):
        sec = h.Section(name=f"c{k}")
        sec.L = sec.diam = 79.7885  # area 20 000 um2
        sec.nseg = 1
        sec.cm = 1.0
        sec.insert("pas")
        sec.g_pas = 5e-5
        sec.e_pas = -60.0
        e = h.ExpSyn(sec(0.5))
        e.tau, e.e = 5.0, 0.0
        i = h.ExpSyn(sec(0.5))
        i.tau, i.e = 10.0, -80.0
        s = h.SpikeOut(sec(0.5))
        cells.append(sec)
        exc_syn.append(e)
        inh_syn.append(i)
        spikeouts.append(s)
    netcons = []
    for pre, post in conn:
        if pre < N_E:
            nc = h.NetCon(spikeouts[pre], exc_syn[post])
            nc.weight[0] = 0.006  # uS
        else:
            nc = h.NetCon(spikeouts[pre], inh_syn[post])
            nc.weight[0] = 0.067  # uS
        nc.delay = 0.0
        netcons.append(nc)
    tvec, idvec = h.Vector(), h.Vector()
    recorders = []
    for k, s in enumerate(spikeouts):
        nc = h.NetCon(s, None)
        nc.record(tvec, idvec, k)
        recorders.append(nc)

    h.finitialize(-60.0)
    for k in range(N):
        cells[k](0.5).v = state[k, 1]
        exc_syn[k].g = state[k, 2] * 1e-3  # nS -> uS
        inh_syn[k].g = state[k, 3] * 1e-3
    h.fcurrent()
    t_setup = time.perf_counter() - t0

    t0 = time.perf_counter()
    h.continuerun(args.duration_s * 1000.0)
    t_loop = time.perf_counter() - t0
    t_total = time.perf_counter() - T_START

    ids = np.asarray(idvec, dtype=np.int64)
    spikes_e, spikes_i = int((ids < N_E).sum()), int((ids >= N_E).sum())
    print(json.dumps({
        "peer": "neuron", "mode": "fixed-step backward Euler", "seed": args.seed, "duration_s": args.duration_s,
        "network": "read " + args.read_network, "synapses": len(netcons),
        "spikes_e": spikes_e, "spikes_i": spikes_i, "rate_e_hz": spikes_e / (N_E * args.duration_s),
        "rate_i_hz": spikes_i / (N_I * args.duration_s),
        "wall_s_import": t_import, "wall_s_codegen": t_codegen, "wall_s_setup": t_setup, "wall_s_loop": t_loop,
        "wall_s_total": t_total, "threads": 1,
        "versions": {"neuron": neuron.__version__, "numpy": np.__version__, "python": platform.python_version()},
    }), flush=True)


if __name__ == "__main__":
    main()
