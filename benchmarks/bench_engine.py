"""Speed and memory of the Monte Carlo engine, measured side by side in one run.

Run from the repository root (after ``pip install .``)::

    python benchmarks/bench_engine.py [--quick]

It prints, for the built-in default scenario (15 uncertain factors):

1. the Numba kernel against the plain-NumPy reference model on the same input rows, and
   (1b) against a fair NumPy baseline, the same equations with contiguous columns and
   constants as scalars (``benchmarks/numpy_baseline.py``; target: at least 5x faster on
   2 threads);
2. the Numba path (uniforms -> inverse CDFs -> input rows -> kernel -> outputs) against a
   floor that only draws the same uniforms and writes the same output columns
   (target: within 2x of the floor); both in memory, so disk speed does not blur it;
3. end-to-end ``tco run`` throughput (samples/s) and peak resident memory at 1M and 10M
   samples, each in a fresh process writing a NetCDF file;
4. Numba compile time: a cold start (empty Numba cache) against a warm one;
5. with ``--baseline DIR`` (another source tree, e.g. ``git worktree add /tmp/base
   <commit>``), the in-memory path per sample of this tree against that one, in
   alternated processes (target: no more than 10% slower), and the cost model alone per
   row on each tree's default scenario (target: no more than 1.3x).

Timings are the best of a few repeats, since these machines are noisy; ratios are taken
from measurements made back to back in the same process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np


def best_of(fn, repeat=3):
    """Smallest wall time of ``repeat`` calls, seconds."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def kernel_vs_reference(n):
    from scenarios.loader import load_scenario
    from simulate.engine.plan import sampling_plan
    from simulate.model.batch import model_outputs
    from simulate.model.reference import reference_outputs

    plan = sampling_plan(load_scenario())
    unit = np.random.default_rng(1).random((n, plan.dims))
    inputs = plan.kernel_inputs(plan.transform(unit))
    from simulate.model import columns as col

    outputs = np.empty((n, col.N_OUTPUTS))
    flags = np.empty(n, dtype=np.int64)
    model_outputs(inputs[:1000])
    numba_s = best_of(lambda: model_outputs(inputs, outputs, flags))
    numpy_s = best_of(lambda: reference_outputs(inputs), repeat=2)
    print(
        f"1. kernel on {n:,} rows: Numba {numba_s * 1e9 / n:7.1f} ns/row, NumPy reference "
        f"{numpy_s * 1e9 / n:7.1f} ns/row -> {numpy_s / numba_s:5.1f}x (target >= 5x)"
    )


def kernel_vs_fair_numpy(n):
    """The kernel against the oracle's equations laid out as NumPy would be written."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from numpy_baseline import ColumnView, fair_outputs

    from scenarios.loader import load_scenario
    from simulate.engine.plan import sampling_plan
    from simulate.model import columns as col
    from simulate.model.batch import model_outputs

    plan = sampling_plan(load_scenario())
    unit = np.random.default_rng(1).random((n, plan.dims))
    inputs = plan.kernel_inputs(plan.transform(unit))
    view = ColumnView(inputs)
    outputs = np.empty((n, col.N_OUTPUTS))
    flags = np.empty(n, dtype=np.int64)
    model_outputs(inputs[:1000])
    numba_s = best_of(lambda: model_outputs(inputs, outputs, flags))
    fair_s = best_of(lambda: fair_outputs(view), repeat=2)
    print(
        f"1b. kernel on {n:,} rows ({numba.get_num_threads()} threads): Numba "
        f"{numba_s * 1e9 / n:7.1f} ns/row, fair NumPy (contiguous columns, constants as "
        f"scalars) {fair_s * 1e9 / n:7.1f} ns/row -> {fair_s / numba_s:5.1f}x (target >= 5x)"
    )


def path_vs_floor(n):
    """In memory, both writing every stored variable of ``tco run`` (default store).

    Measured twice: into fresh arrays, as a run does (both sides pay the page faults
    of first touch), and into arrays allocated once beforehand (no page faults: the
    stricter ratio, since the floor gets cheaper).
    """
    from scenarios.loader import load_scenario
    from simulate.engine.chunks import chunk_ranges, chunk_unit, make_job
    from simulate.engine.montecarlo import DEFAULT_CHUNK_BLOCKS
    from simulate.engine.seeding import BLOCK_SIZE

    job = make_job(load_scenario(), seed=1)
    dims = job.plan.dims
    ranges = chunk_ranges(n, DEFAULT_CHUNK_BLOCKS * BLOCK_SIZE)
    reused = job.allocate(n)

    def floor(fresh):
        # The same arrays the run fills; each gets a copy of a uniform column.
        block, memory = job.allocate(n) if fresh else reused
        for start, stop in ranges:
            unit = chunk_unit("mc", job.root, start, stop, dims)
            for row in range(block.shape[0]):
                block[row, start:stop] = unit[:, row % dims]
            memory["infeasible"][start:stop] = unit[:, 0] < 0.5

    def path(fresh):
        # What simulate.run does in memory after its set-up (plan, TCO-index bounds).
        block, memory = job.allocate(n) if fresh else reused
        for start, stop in ranges:
            job.fill_memory(start, stop, block, memory)

    path(True)
    print(
        f"2. {n:,} samples in memory, {len(job.specs)} variables stored per sample "
        f"({len(job.block_names)} float64 + flags):"
    )
    for fresh in (True, False):
        floor_s, path_s = [], []
        for _ in range(3):  # alternated, so a slow spell of the machine hits both
            floor_s.append(best_of(lambda fresh=fresh: floor(fresh), repeat=1))
            path_s.append(best_of(lambda fresh=fresh: path(fresh), repeat=1))
        floor_s, path_s = min(floor_s), min(path_s)
        print(
            f"   {'fresh arrays (as a run)' if fresh else 'arrays reused         '}: path "
            f"{path_s * 1e9 / n:6.1f} ns/sample, floor {floor_s * 1e9 / n:6.1f} ns/sample -> "
            f"{path_s / floor_s:5.2f}x the floor (target <= 2x)"
        )


def path_vs_floor_to_file(n, folder):
    """Floor and path both writing the run's variables to a NetCDF file, as tco run does."""
    from results.store import open_writer
    from scenarios.loader import load_scenario
    from simulate.engine.chunks import _variable_specs, chunk_unit, stored_outputs
    from simulate.engine.montecarlo import run
    from simulate.engine.plan import sampling_plan
    from simulate.engine.seeding import BLOCK_SIZE, as_seed_sequence

    scenario = load_scenario()
    plan = sampling_plan(scenario)
    specs = _variable_specs(plan, stored_outputs("standard"), "float64")
    root = as_seed_sequence(1)
    chunk = 16 * BLOCK_SIZE
    path = os.path.join(folder, "bench.nc")

    def floor():
        writer = open_writer(path, n, specs, {}, 4 * BLOCK_SIZE)
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            unit = chunk_unit("mc", root, start, stop, plan.dims)
            columns = {}
            for j, spec in enumerate(specs):
                columns[spec.name] = unit[:, j % plan.dims].astype(spec.dtype)
            writer.write(start, columns)
        writer.commit()

    def path_run():
        run(scenario, n=n, seed=1, output=path).close()

    path_run()
    floor_s = best_of(floor, repeat=2)
    path_s = best_of(path_run, repeat=2)
    print(
        f"2b. {n:,} samples to a NetCDF file: path (tco run) {path_s * 1e9 / n:7.1f} ns/sample, "
        f"floor {floor_s * 1e9 / n:7.1f} ns/sample -> {path_s / floor_s:5.2f}x the floor "
        "(target <= 2x; the path includes loading the plan and the TCO-index bounds search)"
    )


def end_to_end(n, folder):
    out = os.path.join(folder, f"run-{n}.nc")
    code = (
        "import time\n"
        "from simulate.engine.montecarlo import run\n"
        "start = time.perf_counter()\n"
        f"run('default', n={n}, seed=1, output={out!r}).close()\n"
        "elapsed = time.perf_counter() - start\n"
        # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across execve, so a child would
        # report its parent's peak.
        "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
        "peak = int(status) / 2**10\n"
        "print(elapsed, peak)\n"
    )
    subprocess.run(
        [sys.executable, "-c", code.replace(f"n={n}", "n=20000")], check=True, capture_output=True
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    elapsed, peak_mib = map(float, result.stdout.split())
    size = os.path.getsize(out) / 2**20
    os.remove(out)
    print(
        f"3. tco run n = {n:>10,}: {elapsed:6.1f} s, {n / elapsed:>9,.0f} samples/s, peak RSS "
        f"{peak_mib:6.0f} MiB, file {size:6.0f} MiB"
    )


def cold_vs_warm(folder):
    code = "from simulate.engine.montecarlo import run; run('default', n=1000, seed=1)"
    cache = os.path.join(folder, "numba-cache")
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    timings = []
    for _ in range(2):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
        timings.append(time.perf_counter() - start)
    shutil.rmtree(cache, ignore_errors=True)
    print(
        f"4. 1,000-sample run in a fresh process: cold (empty Numba cache) {timings[0]:5.1f} s, "
        f"warm {timings[1]:5.1f} s"
    )


# The in-memory path of a run after its set-up, best of 5, in ns/sample; written for both
# the current layout and the one before the rooms (simulate/engine.py).
PATH_PROBE = """
import time
from scenarios.loader import load_scenario
try:
    from simulate.engine.chunks import chunk_ranges, make_job
except ImportError:
    from simulate.engine import chunk_ranges, make_job
n = {n}
job = make_job(load_scenario(), seed=1)
ranges = chunk_ranges(n, 16 * 16384)
block, memory = job.allocate(n)
def path():
    for start, stop in ranges:
        job.fill_memory(start, stop, block, memory)
path()
best = float("inf")
for _ in range(5):
    start = time.perf_counter()
    path()
    best = min(best, time.perf_counter() - start)
print(best * 1e9 / n)
"""


# The cost model alone on the default scenario's sampled input rows, best of 5, ns/row.
KERNEL_PROBE = """
import time
import numpy as np
from scenarios.loader import load_scenario
from simulate.engine.plan import sampling_plan
from simulate.model.batch import model_outputs
n = {n}
plan = sampling_plan(load_scenario())
inputs = plan.kernel_inputs(plan.transform(np.random.default_rng(1).random((n, plan.dims))))
model_outputs(inputs[:1000])
best = float("inf")
for _ in range(5):
    start = time.perf_counter()
    model_outputs(inputs)
    best = min(best, time.perf_counter() - start)
print(best * 1e9 / n)
"""


def _alternated(baseline, probe, pairs):
    """Per-sample times of ``probe`` in this tree and ``baseline``, run in turns."""
    from pathlib import Path

    trees = {"this tree": Path(__file__).resolve().parents[1], "baseline": baseline.resolve()}
    caches = {name: tempfile.mkdtemp(prefix="tco-bench-") for name in trees}
    times = {name: [] for name in trees}
    for rep in range(pairs + 1):  # the first pair compiles each tree's kernels
        for name, tree in trees.items():
            env = {**os.environ, "PYTHONPATH": str(tree), "NUMBA_CACHE_DIR": caches[name]}
            done = subprocess.run(
                [sys.executable, "-c", probe],
                env=env,
                cwd=tempfile.gettempdir(),
                check=True,
                capture_output=True,
                text=True,
            )
            if rep:
                times[name].append(float(done.stdout))
    for cache in caches.values():
        shutil.rmtree(cache, ignore_errors=True)
    ratios = sorted(a / b for a, b in zip(times["this tree"], times["baseline"], strict=True))
    return np.median(times["this tree"]), np.median(times["baseline"]), ratios


def kernel_against_baseline(baseline, n, pairs=5):
    """Per-row cost of the cost model alone, this tree over ``baseline``, alternated."""
    ours, theirs, ratios = _alternated(baseline, KERNEL_PROBE.format(n=n), pairs)
    print(
        f"6. cost model per row, default scenario, {n:,} rows: this tree {ours:6.1f} ns/row, "
        f"baseline {theirs:6.1f} ns/row -> ratio {np.median(ratios):4.2f} (pairs "
        f"{ratios[0]:.2f}-{ratios[-1]:.2f}; target <= 1.30)"
    )


def against_baseline(baseline, n, pairs=5):
    """Per-sample time of the in-memory path, this tree over ``baseline``, alternated."""
    ours, theirs, ratios = _alternated(baseline, PATH_PROBE.format(n=n), pairs)
    print(
        f"5. in-memory path, {n:,} samples: this tree {ours:6.1f} ns/sample, baseline "
        f"{theirs:6.1f} ns/sample -> ratio {np.median(ratios):4.2f} (pairs {ratios[0]:.2f}-"
        f"{ratios[-1]:.2f}; target <= 1.10)"
    )


def main():
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, no 10M run")
    parser.add_argument("--baseline", type=Path, help="another source tree to compare with")
    parser.add_argument("--only-baseline", action="store_true", help="only section 5")
    args = parser.parse_args()
    if args.only_baseline:
        against_baseline(args.baseline, 262_144 if args.quick else 2_097_152)
        kernel_against_baseline(args.baseline, 262_144 if args.quick else 1_048_576)
        return
    print(f"numba threads: {numba.get_num_threads()}, cores: {os.cpu_count()}")
    kernel_vs_reference(200_000 if args.quick else 1_000_000)
    kernel_vs_fair_numpy(200_000 if args.quick else 1_000_000)
    path_vs_floor(262_144 if args.quick else 2_097_152)
    with tempfile.TemporaryDirectory() as folder:
        path_vs_floor_to_file(262_144 if args.quick else 2_097_152, folder)
        for n in (1_000_000,) if args.quick else (1_000_000, 10_000_000):
            end_to_end(n, folder)
        cold_vs_warm(folder)
    if args.baseline is not None:
        against_baseline(args.baseline, 262_144 if args.quick else 2_097_152)
        kernel_against_baseline(args.baseline, 262_144 if args.quick else 1_048_576)


if __name__ == "__main__":
    main()
