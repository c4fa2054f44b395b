"""The whole ``tco run`` as a user waits for it, next to the engine alone, side by side.

Run from the repository root (after ``pip install .``)::

    python benchmarks/bench_run.py [-n 10000000] [--repeat 3] [--baseline DIR]

Each measurement is a fresh process, as a user runs it, writing a NetCDF file to a
temporary folder:

1. ``tco run -n N --seed 1 -o FILE``: wall clock (start-up, loading, the engine,
   the summary and the printing) and peak resident memory;
2. the engine alone in a fresh process (``simulate.engine.montecarlo.run`` to the same
   kind of file), timed inside the process, and its peak memory;
3. with ``--baseline DIR`` (another source tree, e.g. ``git worktree add /tmp/base
   <commit>``), ``tco run`` of that tree, alternated with this one's;
4. ``tco run -n N --no-save`` (the run held in memory) next to the same command at
   100,000 samples: the difference of their peak memory per extra sample is what an
   in-memory run costs per sample, start-up and libraries left out.

Targets (issue "Honest speed"): the whole command within 1.5x of the engine alone,
at least 3x faster than the tree before it, peak memory at most 0.6 GiB; in memory,
below 200 bytes per sample. Each figure
is the median of ``--repeat`` runs, the runs of the two trees interleaved, since these
machines are noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SMALL_IN_MEMORY = 100_000  # samples of the reference in-memory run

# The engine as ``tco run`` calls it: the same variables kept cached for the summary.
ENGINE = (
    "import sys, time\n"
    "from scenarios.loader import load_scenario\n"
    "from simulate.cli.run import summary_reads\n"
    "from simulate.engine.montecarlo import run\n"
    "reads = summary_reads(load_scenario(None, []), [], False, False)\n"
    "start = time.perf_counter()\n"
    "run('default', n=int(sys.argv[1]), seed=1, output=sys.argv[2], precision='float32',\n"
    "    read_back=reads)\n"
    "print(time.perf_counter() - start)\n"
)


def _measure(command: list[str], env: dict) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (GiB) and stdout of one fresh process."""
    start = time.perf_counter()
    # Run from the temporary folder: `python -m` puts the working directory first on
    # sys.path, which would make every tree import the one the benchmark started in.
    process = subprocess.Popen(
        command,
        env=env,
        cwd=tempfile.gettempdir(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed")
    return wall, usage.ru_maxrss / 2**20, output  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", type=int, default=10_000_000, help="samples per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure")
    parser.add_argument("--baseline", type=Path, default=None, help="another source tree")
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1]
    trees = {"this tree": here} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    figures: dict[str, list] = {name: [] for name in trees}
    engine: list = []
    with tempfile.TemporaryDirectory() as folder:
        for tree in trees.values():  # warm each tree's Numba cache first
            env = os.environ | {"PYTHONPATH": str(tree)}
            _measure(_tco(tree, 20_000, Path(folder) / "warm.nc"), env)
        for _ in range(args.repeat):
            for name, tree in trees.items():
                env = os.environ | {"PYTHONPATH": str(tree)}
                target = Path(folder) / f"{name.replace(' ', '-')}.nc"
                figures[name].append(_measure(_tco(tree, args.n, target), env)[:2])
                target.unlink(missing_ok=True)
            env = os.environ | {"PYTHONPATH": str(here)}
            target = Path(folder) / "engine.nc"
            wall, rss, out = _measure([sys.executable, "-c", ENGINE, str(args.n), str(target)], env)
            engine.append((float(out.strip().splitlines()[-1]), rss))
            target.unlink(missing_ok=True)
        env = os.environ | {"PYTHONPATH": str(here)}
        small = min(SMALL_IN_MEMORY, args.n // 10)
        in_memory = {
            size: max(_measure(_tco(here, size, None), env)[1] for _ in range(args.repeat))
            for size in (small, args.n)
        }
    median = {
        k: (statistics.median(w for w, _ in v), max(r for _, r in v)) for k, v in figures.items()
    }
    engine_s = statistics.median(s for s, _ in engine)
    engine_rss = max(r for _, r in engine)
    print(f"tco run -n {args.n:,} -o FILE, fresh processes, median of {args.repeat}:")
    for name, (wall, rss) in median.items():
        print(f"  {name:<10}  whole command {wall:6.2f} s   peak {rss:5.2f} GiB")
    print(f"  engine alone (in-process timer)  {engine_s:6.2f} s   peak {engine_rss:5.2f} GiB")
    wall = median["this tree"][0]
    print(f"  whole command / engine alone: {wall / engine_s:.2f} (target <= 1.5)")
    print(f"  peak memory of the command: {median['this tree'][1]:.2f} GiB (target <= 0.6)")
    if "baseline" in median:
        print(f"  baseline / this tree: {median['baseline'][0] / wall:.2f}x (target >= 3)")
    per_sample = (in_memory[args.n] - in_memory[small]) * 2**30 / (args.n - small)
    print(
        f"tco run --no-save (in memory), largest peak of {args.repeat}: "
        f"{in_memory[small]:.2f} GiB at {small:,}, {in_memory[args.n]:.2f} GiB at {args.n:,}"
    )
    print(f"  memory per sample: {per_sample:.0f} B (target < 200)")


def _tco(tree: Path, n: int, target: Path | None) -> list[str]:
    """``tco run`` of ``n`` samples to ``target`` (None: in memory, ``--no-save``)."""
    command = [sys.executable, "-m", "simulate.cli.main", "run", "-n", str(n), "--seed", "1"]
    if target is None:
        return [*command, "--no-save"]
    # No --overwrite: older trees lack it, and each target is removed after its run.
    target.unlink(missing_ok=True)
    return [*command, "-o", str(target)]


if __name__ == "__main__":
    main()
