"""What a user waits for before the first answer: whole-process start-up timings.

Run from the repository root (after ``pip install .``)::

    python benchmarks/bench_startup.py [--baseline DIR] [--repeat N]

Each figure is a whole ``python -m simulate.cli ...`` process, timed from outside
(wall clock and CPU time of the child):

1. ``tco --help`` (median of N);
2. a warm ``tco calc`` (the Numba cache already filled; median of N);
3. the first ``tco run -n 1000 --no-save`` of a fresh install: an empty Numba cache
   (a new ``NUMBA_CACHE_DIR``), so every kernel compiles, as after ``pip install``;
4. the same run warm (median of N).

``--baseline DIR`` runs the same commands, alternated with this tree's, against
another source tree (e.g. ``git worktree add /tmp/base <commit>``), and prints the
ratios measured side by side, since these machines are noisy.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(tree: Path, args: list[str], cache_dir: str) -> tuple[float, float]:
    """Wall and CPU seconds of one ``python -m simulate.cli ARGS`` process on ``tree``."""
    env = dict(os.environ, PYTHONPATH=str(tree), NUMBA_CACHE_DIR=cache_dir)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "simulate.cli", *args],
        cwd=tempfile.gettempdir(),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: tco {' '.join(args)} failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(trees: dict[str, Path], repeat: int) -> dict[str, dict[str, tuple[float, float]]]:
    """Every figure for every tree, the trees alternated run by run."""
    caches = {name: tempfile.mkdtemp(prefix=f"tco-bench-{name}-") for name in trees}
    figures = {name: {} for name in trees}

    def median_of(key: str, args: list[str], cold: bool = False) -> None:
        samples = {name: [] for name in trees}
        for _ in range(1 if cold else repeat):
            for name, tree in trees.items():
                cache = tempfile.mkdtemp(prefix="tco-cold-") if cold else caches[name]
                samples[name].append(timed(tree, args, cache))
        for name, values in samples.items():
            figures[name][key] = (
                statistics.median(v[0] for v in values),
                statistics.median(v[1] for v in values),
            )

    run = ["run", "-n", "1000", "--seed", "1", "--no-save"]
    median_of("tco --help", ["--help"])
    median_of("first tco run -n 1000 (empty Numba cache)", run, cold=True)
    for name, tree in trees.items():  # fill each warm cache
        timed(tree, run, caches[name])
    median_of("warm tco calc", ["calc"])
    median_of("warm tco run -n 1000", run)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="another source tree to compare with")
    parser.add_argument("--repeat", type=int, default=5, help="runs per warm figure")
    options = parser.parse_args()
    trees = {"this tree": ROOT}
    if options.baseline is not None:
        trees["baseline"] = options.baseline.resolve()
    figures = measure(trees, options.repeat)
    targets = {
        "tco --help": 0.3,
        "warm tco calc": 1.0,
        "first tco run -n 1000 (empty Numba cache)": 10.0,
        "warm tco run -n 1000": None,
    }
    names = list(trees)
    print(f"{'whole process (median)':44}" + "".join(f"{n:>22}" for n in names), end="")
    print(f"{'ratio':>10}" if len(names) == 2 else "", f"{'target':>10}")
    for key, target in targets.items():
        row = f"{key:44}"
        for name in names:
            wall, cpu = figures[name][key]
            row += f"{wall:>9.2f} s ({cpu:5.1f} cpu)"
        if len(names) == 2:
            row += f"{figures[names[0]][key][0] / figures[names[1]][key][0]:>10.2f}"
        row += f"{'< ' + format(target, 'g') + ' s' if target else '-':>11}"
        print(row)


if __name__ == "__main__":
    main()
