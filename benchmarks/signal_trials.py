"""Interrupt ``tco run -o FILE`` at random moments and check what is left on disk.

Run from the repository root (after ``pip install .``)::

    python benchmarks/signal_trials.py [--trials 40] [-n 2000000] [--seed 0]

Each trial starts from a folder holding a complete older result ``run.nc`` (a
different seed), starts ``tco run -n N --seed S -o run.nc --overwrite`` as a user
would (SIGINT and SIGTERM at their defaults, as in a terminal), sends SIGINT or
SIGTERM after a random delay between 0 and the run's usual duration, and then checks:

- no traceback on stderr, and the exit status is 0 (the run had finished) or 130/143;
- ``run.nc`` is a complete result: the older one byte for byte, or the new run's
  (its seed) when the run had finished;
- nothing else is left in the folder (no hidden partial or backup file).

It prints one line per trial and a tally; the exit status is 1 if any trial failed.
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from trial_files import digest, seed_of, tco


def _default_signals() -> None:
    # A shell starts background jobs with SIGINT ignored; a user's terminal does not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("-n", type=int, default=2_000_000, help="samples of each run")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random delays")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        target = folder / "run.nc"
        subprocess.run(tco("run", "-n", "20000", "--seed", "1", "-o", str(target)),
                       cwd=folder, check=True, capture_output=True)  # fmt: skip
        old = digest(target)
        start = time.monotonic()
        subprocess.run(
            tco("run", "-n", str(args.n), "--seed", "2", "-o", str(folder / "timing.nc")),
            cwd=folder, check=True, capture_output=True,
        )  # fmt: skip
        usual = time.monotonic() - start
        (folder / "timing.nc").unlink()
        tally: dict[str, int] = {}
        for trial in range(args.trials):
            sig = rng.choice([signal.SIGINT, signal.SIGTERM])
            delay = rng.uniform(0.0, usual * 1.1)
            process = subprocess.Popen(
                tco("run", "-n", str(args.n), "--seed", "2", "-o", str(target), "--overwrite"),
                cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                preexec_fn=_default_signals,
            )  # fmt: skip
            time.sleep(delay)
            process.send_signal(sig)
            _, stderr = process.communicate()
            stderr = stderr.decode(errors="replace")
            problems = []
            if "Traceback" in stderr:
                problems.append("traceback: " + stderr.strip().splitlines()[-1][:100])
            if process.returncode not in (0, 130, 143, -sig):
                problems.append(f"exit {process.returncode}")
            seed = seed_of(target) if target.exists() else None
            if seed is None:
                problems.append("run.nc missing or unreadable")
            elif seed == "1" and digest(target) != old:
                problems.append("older run.nc changed")
            left = sorted(p.name for p in folder.iterdir() if p.name != "run.nc")
            if left:
                problems.append(f"left behind: {left}")
            outcome = "new" if seed == "2" else "old"
            status = "FAIL " + "; ".join(problems) if problems else "ok"
            failures += bool(problems)
            tally[status if problems else f"ok ({outcome} file)"] = (
                tally.get(status if problems else f"ok ({outcome} file)", 0) + 1
            )
            print(f"trial {trial:3d}: {sig.name} at {delay:5.2f} s, exit {process.returncode:4d}, "
                  f"{outcome} file: {status}")  # fmt: skip
            for path in folder.iterdir():  # the next trial starts clean
                if path.name != "run.nc":
                    path.unlink()
            if seed == "2" or seed is None:
                subprocess.run(tco("run", "-n", "20000", "--seed", "1", "-o", str(target),
                                    "--overwrite"), cwd=folder, check=True,
                               capture_output=True)  # fmt: skip
                old = digest(target)
    print(f"{args.trials} trials, usual run {usual:.1f} s:", tally)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
