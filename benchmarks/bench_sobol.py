"""Sobol' analysis speed and memory: SALib's ``sobol.analyze`` against ours.

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_sobol.py [--large]

Each case runs in a fresh subprocess that builds the outputs (Sobol' G-function,
``a`` cycled per output, on SALib's ``sobol.sample`` design, first and total order
only), resets the peak-RSS counter (``/proc/self/clear_refs``), reads ``VmRSS``,
and times one analysis with 100 resamples (ours after a small warm-up call, so
Numba compilation is excluded). It reports two peaks of memory the analysis
added: resident (``VmHWM`` after minus ``VmRSS`` before; it misses memory the
allocator reuses without asking the OS) and ``tracemalloc``'s (NumPy and Python
allocations, not Numba's small in-kernel buffers). The outputs themselves are in
the baseline. ``ns`` is our time per base point, resample, input and output.

The parent prints both methods side by side with the largest difference between
the point estimates and the range of the ratio of the half-widths (same integer
seed, so the same resamples). SALib on 12 outputs is not run; its time and memory
are extrapolated from one output as 12 x time and 1 x memory (it analyses one
output at a time). ``--large`` adds ours alone at ``N = 2**20``.

The machine may be shared: the 1-minute load average is printed first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

R = 100
SEED = 12345
G_A = np.array([0, 0.5, 1, 2, 4.5, 9, 9, 20, 50, 99, 99, 99, 0.2, 3, 6, 15, 30, 70, 99, 99])


def _status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024  # kB -> bytes
    raise KeyError(key)


def _outputs(N, D, n_out):
    from SALib.sample import sobol as salib_sample

    from simulate.sensitivity.reference_problems import g_function

    problem = {"num_vars": D, "names": [f"x{i}" for i in range(D)], "bounds": [[0, 1]] * D}
    X = salib_sample.sample(problem, N, calc_second_order=False, seed=1)
    Y = np.empty((X.shape[0], n_out))
    step = 2**18  # evaluate in row blocks: the G-function's temporaries are rows x D
    for start in range(0, X.shape[0], step):
        for o in range(n_out):
            Y[start : start + step, o] = g_function(X[start : start + step], np.roll(G_A[:D], o))
    return problem, Y


def worker(method, N, D, n_out, out_path):
    """Run one analysis and write its time, memory and estimates to ``out_path``."""
    problem, Y = _outputs(N, D, n_out)
    if method == "salib":
        from SALib.analyze import sobol as salib_analyze

        def run():
            return [
                salib_analyze.analyze(
                    problem, Y[:, o], calc_second_order=False, num_resamples=R, seed=SEED
                )
                for o in range(n_out)
            ]
    else:
        from simulate.sensitivity.sobol_estimators import analyze_many

        small = Y[: 64 * (D + 2)]
        analyze_many(small, D, num_resamples=R, seed=SEED)  # compile / load the cache

        def run():
            res = analyze_many(Y, D, num_resamples=R, seed=SEED)
            return [{k: v[o] for k, v in res.items()} for o in range(n_out)]

    # Reset the high-water mark to the current RSS (Linux >= 4.0), so the peak
    # left by building the sample does not count as the analysis's.
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    base = _status("VmRSS")
    tracemalloc.start()
    t0 = time.perf_counter()
    res = run()
    seconds = time.perf_counter() - t0
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    peak = _status("VmHWM") - base
    keys = ("S1", "S1_conf", "ST", "ST_conf")
    payload = {
        "seconds": seconds,
        "peak_bytes": peak,
        "traced_bytes": traced,
        "base_bytes": base,
        **{k: [np.asarray(r[k]).tolist() for r in res] for k in keys},
    }
    with open(out_path, "w") as fh:
        json.dump(payload, fh)


def _spawn(method, N, D, n_out):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "out.json")
        cmd = [sys.executable, __file__, "--worker", method, str(N), str(D), str(n_out), path]
        subprocess.run(cmd, check=True)
        with open(path) as fh:
            return json.load(fh)


def _mib(nbytes):
    return nbytes / 2**20


def main(argv):
    import numba

    print(f"load average (1 min): {os.getloadavg()[0]:.2f}; cpus: {os.cpu_count()}; ", end="")
    print(f"numba threads: {numba.config.NUMBA_NUM_THREADS}; resamples: {R}")
    header = (
        f"{'case':<26}{'SALib s':>9}{'ours s':>9}{'ns':>6}{'speed-up':>9}"
        f"{'SALib MiB rss/traced':>22}{'ours MiB rss/traced':>21}{'max|dS|':>10}"
        f"{'conf ratio':>22}"
    )
    print(header)
    cases = [(2**14, 12, 1, True), (2**16, 12, 1, True), (2**16, 12, 12, False)]
    cases.append((2**16, 20, 12, False))
    if "--large" in argv:
        cases.append((2**20, 12, 1, False))
        cases.append((2**20, 20, 12, False))
    salib_single = {}
    for N, D, n_out, run_salib in cases:
        ours = _spawn("ours", N, D, n_out)
        label = f"N=2^{int(np.log2(N))} D={D} outputs={n_out}"
        if run_salib:
            ref = _spawn("salib", N, D, n_out)
            salib_single[(N, D)] = ref
            t_ref, note = ref["seconds"], ""
            m_ref = f"{_mib(ref['peak_bytes']):.0f}/{_mib(ref['traced_bytes']):.0f}"
            dS = max(np.max(np.abs(np.asarray(ours[k]) - np.asarray(ref[k]))) for k in ("S1", "ST"))
            ratio = np.concatenate(
                [(np.asarray(ours[k]) / np.asarray(ref[k])).ravel() for k in ("S1_conf", "ST_conf")]
            )
            conf = f"{ratio.min():.9f}-{ratio.max():.9f}"
        elif (N, D) in salib_single:
            ref = salib_single[(N, D)]
            t_ref, note = n_out * ref["seconds"], "*"
            m_ref = f"{_mib(ref['peak_bytes']):.0f}/{_mib(ref['traced_bytes']):.0f}"
            dS, conf = float("nan"), "n/a"
        else:
            t_ref, m_ref = float("nan"), "n/a"
            note, dS, conf = "", float("nan"), "n/a"
        t = ours["seconds"]
        ns = t / (N * R * D * n_out) * 1e9
        m_ours = f"{_mib(ours['peak_bytes']):.0f}/{_mib(ours['traced_bytes']):.0f}"
        print(
            f"{label:<26}{t_ref:>8.2f}{note:1}{t:>9.3f}{ns:>6.2f}{t_ref / t:>8.1f}x"
            f"{m_ref:>22}{m_ours:>21}{dS:>10.1e} {conf:>21}"
        )
    print("* extrapolated from one output (12 x time, same peak); MiB = peak added by the call")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        method, N, D, n_out, path = sys.argv[2:7]
        worker(method, int(N), int(D), int(n_out), path)
    else:
        main(sys.argv[1:])
