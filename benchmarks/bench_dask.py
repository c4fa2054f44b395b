"""Throughput of ``tco run`` on a local Dask cluster against the local threaded path.

Run from the repository root (after ``pip install '.[dask]'``)::

    python benchmarks/bench_dask.py [--quick] [-n SAMPLES]

It times the same run (built-in default scenario, seed 1) side by side:

1. locally, Numba on all cores and on one core (the per-core rate);
2. on a local cluster of 1 and of 2 single-threaded worker processes, with the
   samples sent back to the client (in memory) and written by the workers into a
   Zarr store;

and prints samples/s for each, with the 1-worker rate as the measured per-core
rate of the distributed path. Each figure is the best of a few repeats after a
warm-up run (workers load the Numba kernels from the on-disk cache once).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import tempfile
import time

import numba
import numpy as np


def best_rate(fn, n, repeat):
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return n / best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1M samples, 2 repeats")
    parser.add_argument("-n", type=int, default=None, help="samples per run (default 4M)")
    args = parser.parse_args()
    n = args.n or (2**20 if args.quick else 2**22)
    repeat = 2 if args.quick else 3
    logging.getLogger("distributed").setLevel(logging.ERROR)

    from simulate.engine.distributed import dask_executor
    from simulate.engine.montecarlo import run

    folder = tempfile.mkdtemp(prefix="bench-dask-")
    rows = []
    try:
        run("default", n=2**15, seed=1)  # compile / load the kernels here
        cores = numba.get_num_threads()
        rows.append(
            (f"local, Numba {cores} threads", best_rate(lambda: run(n=n, seed=1), n, repeat))
        )
        numba.set_num_threads(1)
        rows.append(("local, Numba 1 thread", best_rate(lambda: run(n=n, seed=1), n, repeat)))
        numba.set_num_threads(cores)
        for workers in (1, 2):
            with dask_executor(workers=workers) as executor:
                run(n=2**15, seed=1, executor=executor)  # warm the workers up
                rate = best_rate(lambda ex=executor: run(n=n, seed=1, executor=ex), n, repeat)
                rows.append((f"dask {workers} worker(s), gathered to client", rate))
                store = os.path.join(folder, "run.zarr")
                rate = best_rate(
                    lambda ex=executor, to=store: run(n=n, seed=1, executor=ex, output=to),
                    n,
                    repeat,
                )
                rows.append((f"dask {workers} worker(s), workers write Zarr", rate))
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"tco run, default scenario, N = {n:,}, {os.cpu_count()} cores; best of {repeat}")
    for label, rate in rows:
        print(f"  {label:<44} {rate:>12,.0f} samples/s")
    per_core = dict(rows)["dask 1 worker(s), workers write Zarr"]
    hours = 1e9 / (64 * per_core) / 3600
    print(
        f"Paper estimate: 1e9 samples on 64 single-threaded workers at the measured "
        f"{per_core:,.0f} samples/s per core: {1e9 / (64 * per_core):,.0f} s ({hours:.2f} h), "
        "assuming linear scaling and storage that keeps up."
    )


if __name__ == "__main__":
    main()
