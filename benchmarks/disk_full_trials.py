"""Fill the disk at random moments of ``tco run -o FILE`` and check what is left.

Run from the repository root (after ``pip install .``), on Linux with ``unshare``::

    python benchmarks/disk_full_trials.py [--trials 20] [-n 1000000] [--size-mib 256]

The trials run on a private tmpfs of ``--size-mib`` (mounted in a user and mount
namespace by ``unshare -rm``, so no root is needed and nothing outside is touched).
It holds a complete older result ``run.nc``. Each trial starts ``tco run -n N
--seed 2 -o run.nc --overwrite`` (about 185 bytes per sample) and, after a random
delay, another program writes a random amount (up to the whole disk) beside it;
then it checks:

- the exit status is 0 (the run fitted) or 1 (refused), never a crash, and stderr
  has no traceback and at most one error line;
- ``run.nc`` is a complete result: the older one byte for byte, or the new run's;
- nothing else is left on the disk but the filler, which is removed before the next
  trial.

It prints one line per trial and a tally; the exit status is 1 if any trial failed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from trial_files import digest, seed_of, tco


def _fill(path: Path, size: int) -> None:
    # Write until `size` bytes or the disk is full, as another program would.
    block = b"\0" * 2**20
    try:
        with path.open("wb") as fh:
            for _ in range(size // len(block)):
                fh.write(block)
    except OSError:
        pass


def trials(disk: Path, args) -> int:
    rng = random.Random(args.seed)
    target = disk / "run.nc"
    old_run = tco("run", "-n", "20000", "--seed", "1", "-o", str(target), "--overwrite")
    subprocess.run(old_run, cwd=disk, check=True, capture_output=True)
    old = digest(target)
    total = shutil.disk_usage(disk).total
    start = time.monotonic()
    probe = disk / "probe.nc"
    subprocess.run(tco("run", "-n", str(args.n), "--seed", "3", "-o", str(probe)),
                   cwd=disk, check=True, capture_output=True)  # fmt: skip
    usual = time.monotonic() - start
    probe.unlink()
    failures = 0
    tally: dict[str, int] = {}
    for trial in range(args.trials):
        # Most delays land while the run writes (after its ~1.5 s of start-up).
        delay = rng.uniform(0.4 * usual, usual)
        size = int(rng.uniform(0.0, 1.0) * total)
        filler = disk / "filler"
        process = subprocess.Popen(
            tco("run", "-n", str(args.n), "--seed", "2", "-o", str(target), "--overwrite"),
            cwd=disk, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        time.sleep(delay)
        _fill(filler, size)
        _, stderr = process.communicate()
        stderr = stderr.decode(errors="replace")
        problems = []
        errors = [line for line in stderr.splitlines() if line.startswith("Error")]
        if "Traceback" in stderr or "Exception ignored" in stderr or len(errors) > 1:
            problems.append("traceback or several errors: " + stderr.strip()[-200:])
        if process.returncode not in (0, 1):
            problems.append(f"exit {process.returncode}")
        seed = seed_of(target) if target.exists() else None
        if seed is None:
            problems.append("run.nc missing or unreadable")
        elif seed == "1" and digest(target) != old:
            problems.append("older run.nc changed")
        left = sorted(p.name for p in disk.iterdir() if p.name not in ("run.nc", "filler"))
        if left:
            problems.append(f"left behind: {left}")
        outcome = {"1": "old file kept", "2": "new file"}.get(seed or "", "no file")
        status = "FAIL " + "; ".join(problems) if problems else "ok"
        failures += bool(problems)
        key = status if problems else f"ok ({outcome}, exit {process.returncode})"
        tally[key] = tally.get(key, 0) + 1
        message = errors[0][:90] if errors else ""
        print(f"trial {trial:3d}: filler {size / 2**20:5.1f} MiB at {delay:4.2f} s, exit "
              f"{process.returncode:4d}, {outcome}: {status} {message}")  # fmt: skip
        filler.unlink(missing_ok=True)
        for path in disk.iterdir():
            if path.name != "run.nc":
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        if seed != "1":
            subprocess.run(old_run, cwd=disk, check=True, capture_output=True)
            old = digest(target)
    print(f"{args.trials} trials on a {total / 2**20:.0f} MiB tmpfs, run of {args.n:,} "
          f"samples ({usual:.1f} s):", tally)  # fmt: skip
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("-n", type=int, default=1_000_000, help="samples of each run")
    parser.add_argument("--size-mib", type=int, default=256, help="size of the tmpfs")
    parser.add_argument("--seed", type=int, default=0, help="seed of the delays and sizes")
    parser.add_argument("--inside", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside is not None:
        return trials(args.inside, args)
    if shutil.which("unshare") is None:
        print("needs unshare (util-linux) to mount a private tmpfs", file=sys.stderr)
        return 2
    import tempfile

    with tempfile.TemporaryDirectory() as mount:
        script = f'mount -t tmpfs -o size={args.size_mib}m tmpfs "$1" && shift && exec "$@"'
        command = [sys.executable, os.path.abspath(__file__), "--inside", mount, "--trials",
                   str(args.trials), "-n", str(args.n), "--seed", str(args.seed)]  # fmt: skip
        return subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", mount, *command],
                              env=os.environ | {"PYTHONPATH": os.getcwd()}).returncode  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
