"""Inverse-CDF speed: the Numba kernels against scipy.stats on the same uniforms.

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_ppf.py [n]

For each family it draws ``n`` (default 1e6) seeded uniforms once, compiles
the kernel with a small warm-up call, then times ``ppf_column`` (best of 3,
with all Numba threads and with one thread; a one-shot call, so the
beta/PERT/gamma timings include building the per-column Chebyshev tables) and
``scipy.stats`` ``ppf`` (best of 3), and prints ns per element, the ratios, and
the largest relative difference between the two results. The last column is
the per-element cost inside a run (``ppf_matrix_prepared``, all threads): a run
builds each column's tables once (a few milliseconds), then maps every chunk.
"""

from __future__ import annotations

import sys
import time

import numba
import numpy as np

from distributions import FAMILIES, inverse_cdfs, ppf_column, ppf_matrix_prepared

F = FAMILIES
CASES = [
    ("beta(2, 5)", F["beta"].make(2.0, 5.0)),
    ("beta(0.5, 30)", F["beta"].make(0.5, 30.0)),
    ("pert(1.1, 1.3, 1.6)", F["pert"].make(1.1, 1.3, 1.6)),
    ("gamma(3, scale=2)", F["gamma"].make(3.0, 2.0)),
    ("normal(0, 1)", F["normal"].make(0.0, 1.0)),
    ("lognormal(80, 0.4)", F["lognormal"].make(80.0, 0.4)),
]


def _best(fn, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(n: int = 1_000_000) -> None:
    u = np.random.default_rng(12345).random(n)
    out = np.empty_like(u)
    threads = numba.get_num_threads()
    print(f"n = {n:,}  numba threads = {threads}  (ns per element; ratio = scipy / ours)")
    print(
        f"{'family':22s} {'scipy':>9s} {'ours':>9s} {'ratio':>7s} "
        f"{'ours 1thr':>10s} {'ratio':>7s} {'max rel diff':>13s} {'in a run':>9s} {'ratio':>7s}"
    )
    for name, d in CASES:
        code, p4, _ = d.kernel_args()
        ppf_column(code, p4, u[:100].copy(), out[:100])  # compile / load cache
        ref = d._scipy()
        t_scipy = _best(lambda ref=ref: ref.ppf(u))
        t_ours = _best(lambda code=code, p4=p4: ppf_column(code, p4, u, out))
        numba.set_num_threads(1)
        try:
            t_one = _best(lambda code=code, p4=p4: ppf_column(code, p4, u, out))
        finally:
            numba.set_num_threads(threads)
        ppf_column(code, p4, u, out)
        expect = ref.ppf(u)
        diff = np.max(np.abs(out - expect) / np.maximum(np.abs(expect), 1e-300))
        in_run = np.empty((n, 1))
        matrix = (inverse_cdfs([d]), u[:, None], in_run)
        t_run = _best(lambda matrix=matrix: ppf_matrix_prepared(*matrix))
        # Both routes, one diff: the worse of the two against scipy.
        diff = max(diff, np.max(np.abs(in_run[:, 0] - expect) / np.maximum(np.abs(expect), 1e-300)))
        s, o, o1, r = (t * 1e9 / n for t in (t_scipy, t_ours, t_one, t_run))
        print(
            f"{name:22s} {s:9.1f} {o:9.1f} {s / o:7.1f} {o1:10.1f} {s / o1:7.1f} {diff:13.1e} "
            f"{r:9.1f} {s / r:7.1f}"
        )


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 1_000_000)
