"""A long fuzz campaign over hostile scenario input: counts of how each case ended.

Run from the repository root::

    PYTHONPATH=. python tests/fuzz_campaign.py -n 10000 [--seed 1] [--workers 1]

It draws N cases from the strategies of ``tests/fuzz_mutations.py`` (mutated built-in
scenario files and ``--set`` values for ``tco calc`` and ``tco run -n 2000``, and a
tenth of ``tco fit`` CSVs), runs each in-process in a worker process, and prints how
many were accepted (exit 0, sound KPIs), refused with a clean one-line message, ended
in a traceback, took over 10 s, were accepted with non-finite KPIs, or ended messily
(a non-zero exit without an ``Error:`` line), with the first few of each bad kind. A
worker that does not answer within ``--timeout`` seconds (a hang in compiled code
cannot be interrupted) is killed and replaced, and its case counts as over 10 s.
Warnings raised by a case are counted too (the CI test turns them into errors).

The acceptance is 0 tracebacks and 0 runs over 10 s. The exit status is 1 when any
case was not accepted or cleanly refused.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import wait
from pathlib import Path

BAD = ("traceback", "slow", "non-finite", "messy", "crashed")


def _worker(conn) -> None:
    # Runs cases sent by the parent until it sends None; answers with their verdicts.
    import warnings

    from fuzz_mutations import describe, invoke

    with tempfile.TemporaryDirectory() as folder:
        warm = {"command": "run", "text": None, "scenario": "default", "overrides": []}
        invoke(warm, Path(folder))  # load the compiled kernels before anything is timed
        conn.send("ready")
        while (case := conn.recv()) is not None:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                outcome, elapsed, result = invoke(case, Path(folder))
            tail = "\n".join(result.output.strip().splitlines()[-3:])[-600:]
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                import traceback

                frames = traceback.extract_tb(result.exception.__traceback__)[-3:]
                where = "; ".join(f"{Path(f.filename).name}:{f.lineno}" for f in frames)
                tail = f"{type(result.exception).__name__}: {result.exception} [{where}]"[:600]
            if caught and outcome in ("accepted", "refused"):
                first = caught[0]
                tail = f"{first.category.__name__}: {first.message} ({Path(first.filename).name}:{first.lineno})"
            conn.send((outcome, elapsed, len(caught), describe(case)[:300], tail))


class Pool:
    """Worker processes, each running one case at a time, replaced when they hang."""

    def __init__(self, workers: int, timeout: float):
        self.context = mp.get_context("spawn")
        self.timeout = timeout
        self.idle = [self._start() for _ in range(workers)]
        self.busy: dict = {}  # connection -> (process, case description, start)
        self.results: list = []

    def _start(self):
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker, args=(child,), daemon=True)
        process.start()
        if not parent.poll(600) or parent.recv() != "ready":
            raise RuntimeError("a fuzz worker did not start within 600 s")
        return parent, process

    def submit(self, case: dict) -> None:
        while not self.idle:
            self._collect()
        conn, process = self.idle.pop()
        conn.send(case)
        self.busy[conn] = (process, case, time.monotonic())

    def _collect(self) -> None:
        ready = wait(list(self.busy), timeout=1.0)
        for conn in ready:
            process, case, _ = self.busy.pop(conn)
            try:
                self.results.append(conn.recv())
                self.idle.append((conn, process))
            except EOFError:  # the worker died (a crash in compiled code)
                self.results.append(("crashed", 0.0, 0, _text(case), "worker died"))
                self.idle.append(self._start())
        now = time.monotonic()
        for conn, (process, case, start) in list(self.busy.items()):
            if now - start > self.timeout:
                process.kill()
                process.join()
                del self.busy[conn]
                self.results.append(("slow", now - start, 0, _text(case), "killed: no answer"))
                self.idle.append(self._start())

    def drain(self) -> list:
        while self.busy:
            self._collect()
        for conn, process in self.idle:
            conn.send(None)
            process.join(timeout=10)
        return self.results


def _text(case: dict) -> str:
    from fuzz_mutations import describe

    return describe(case)[:300]


def campaign(n: int, seed: int, workers: int, timeout: float) -> list:
    """Draw and run ``n`` cases; return ``(verdict, seconds, warnings, case, tail)`` each."""
    from fuzz_mutations import file_cases, fit_cases, set_cases
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st

    pool = Pool(workers, timeout)
    started = time.monotonic()
    kinds = st.sampled_from(["file"] * 9 + ["set"] * 9 + ["fit"] * 2)
    cases = kinds.flatmap({"file": file_cases(), "set": set_cases(), "fit": fit_cases()}.get)

    @hypothesis_seed(seed)
    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.generate],  # no shrinking: every case counts once
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def one(case):
        pool.submit(case)
        done = len(pool.results)
        if done and done % 250 == 0:
            print(
                f"  {done:,} cases done ({time.monotonic() - started:,.0f} s)",
                file=sys.stderr,
                flush=True,
            )

    one()
    return pool.drain()


def report(results: list, seconds: float, show: int) -> int:
    """Print the counts; return the exit status (1 when any case was bad)."""
    counts = Counter(r[0] for r in results)
    warned = sum(1 for r in results if r[2])
    slowest = max(results, key=lambda r: r[1])
    print(f"cases: {len(results):,} in {seconds:,.0f} s ({len(results) / seconds:.1f}/s)")
    print(
        f"accepted (exit 0, KPIs finite and >= 0 or infeasibility reported): {counts['accepted']:,}"
    )
    print(f"refused with a clean one-line message: {counts['refused']:,}")
    print(f"tracebacks: {counts['traceback']:,}")
    print(f"runs over 10 s: {counts['slow']:,}")
    print(f"accepted with non-finite KPIs: {counts['non-finite']:,}")
    print(f"messy exits (no single Error: line): {counts['messy']:,}")
    print(f"worker crashes: {counts['crashed']:,}")
    print(f"cases that raised a warning: {warned:,}")
    print(f"cases over 5 s (half the limit): {sum(1 for r in results if r[1] > 5.0):,}")
    for command in ("calc", "run", "fit"):
        times = sorted(r[1] for r in results if r[3].startswith(command))
        if times:
            p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
            print(
                f"  {command}: {len(times):,} cases, median {times[len(times) // 2]:.2f} s, "
                f"P99 {p99:.2f} s, max {times[-1]:.2f} s"
            )
    print(f"slowest case: {slowest[1]:.2f} s ({slowest[0]}): {slowest[3][:160]}")
    for kind in (*BAD, "warned"):
        if kind == "warned":
            shown = [r for r in results if r[2] and r[0] not in BAD][:show]
        else:
            shown = [r for r in results if r[0] == kind][:show]
        for _, elapsed, _, case, tail in shown:
            print(f"\n[{kind}, {elapsed:.1f} s] {case}\n    {tail}")
    return 1 if any(counts[k] for k in BAD) else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="cases to run (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="Hypothesis seed (default 1)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds before a case's worker is killed"
    )
    parser.add_argument("--show", type=int, default=5, help="bad cases shown per kind")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # fuzz_mutations, in workers too
    start = time.monotonic()
    results = campaign(args.n, args.seed, args.workers, args.timeout)
    return report(results, time.monotonic() - start, args.show)


if __name__ == "__main__":
    sys.exit(main())
