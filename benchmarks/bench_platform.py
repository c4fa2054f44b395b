"""The ten-model platform next to the single-model default run, side by side.

Run from the repository root (after ``pip install .``)::

    python benchmarks/bench_platform.py [-n 1000000] [--repeat 3]

Both are whole ``tco`` processes, as a user runs them, alternated: ``tco platform`` of the
built-in ``platform-10-models`` (ten workloads, each one kernel evaluation per sample) and
``tco run`` of the default scenario at the same N to a file. Target (issue "A platform
over time"): the platform within 5x the time of the single model, memory bounded (the
platform holds 25 bytes per workload and sample, its cost, tokens, CAPEX and mask, and 8
per workload, sample and year of the plan, its cost and tokens in float32; it refuses
runs above 4 GiB held).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench_run import _measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="samples of each command")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command")
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1]
    env = os.environ | {"PYTHONPATH": str(here)}
    tco = [sys.executable, "-m", "simulate.cli.main"]
    figures: dict[str, list] = {"platform": [], "single": []}
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "run.nc"
        commands = {
            "platform": [*tco, "platform", "platform-10-models", "-n", str(args.n), "--seed", "1"],
            "single": [*tco, "run", "-n", str(args.n), "--seed", "1", "-o", str(target)],
        }
        for command in commands.values():  # warm the Numba cache
            _measure([*command[:-4], "-n", "20000", *command[-2:]], env)
            target.unlink(missing_ok=True)
        for _ in range(args.repeat):
            for name, command in commands.items():
                figures[name].append(_measure(command, env)[:2])
                target.unlink(missing_ok=True)
    median = {
        k: (statistics.median(w for w, _ in v), max(r for _, r in v)) for k, v in figures.items()
    }
    print(f"{args.n:,} samples, fresh processes alternated, median of {args.repeat}:")
    for name, label in (
        ("platform", "tco platform (10 models)"),
        ("single", "tco run (default) -o"),
    ):
        wall, rss = median[name]
        print(f"  {label:<26} {wall:6.2f} s   peak {rss:5.2f} GiB")
    ratio = median["platform"][0] / median["single"][0]
    print(f"  platform / single model: {ratio:.2f}x (target <= 5)")


if __name__ == "__main__":
    main()
