"""Time ``optimize`` over the default scenario's six levers at 100,000 samples per plan.

Run from the repository root (after ``pip install .``)::

    python benchmarks/bench_optimize.py [--n N]

Prints the wall time, the plans evaluated and the time per plan; the target (issue 13)
is "minutes on 2 cores". The first plan compiles nothing: the kernels are warmed first.
"""

from __future__ import annotations

import argparse
import time

import numba

from scenarios.loader import load_scenario
from simulate.decisions.optimize import optimize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="samples per plan")
    args = parser.parse_args()
    scenario = load_scenario()
    optimize(scenario, n=200, seed=0)  # warm the compiled kernels
    start = time.perf_counter()
    ds = optimize(scenario, n=args.n, seed=0)
    seconds = time.perf_counter() - start
    plans = ds.attrs["evaluations"]
    print(
        f"optimize, default scenario (6 levers, 12 choice combinations), {args.n:,} samples "
        f"per plan, {numba.get_num_threads()} threads: {seconds:.0f} s for {plans:,} plans "
        f"({seconds / plans * 1e3:.0f} ms per plan); best {ds.attrs['best_setting']}"
    )


if __name__ == "__main__":
    main()
