"""The ``tco`` command line: one thin module per command (entry point ``simulate.cli.main``)."""

import time as _time


def _process_start() -> float:
    """``time.monotonic()`` at this process's start (Linux /proc), else at this import."""
    import os

    now = _time.monotonic()
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        # Field 22 of stat (20 after the command name): start time in clock ticks since boot.
        age = uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return now
    return now - age if 0.0 <= age < 3600.0 else now


STARTED = _process_start()
"""When this process started (interpreter start-up included): the start of the wait a user
sees."""
_TAKEN = []


def take_start() -> float:
    """The start of the command being invoked: :data:`STARTED` for the first in a process,
    now for later ones (several commands in one process: tests, notebooks)."""
    first = not _TAKEN
    _TAKEN.append(True)
    return STARTED if first else _time.monotonic()
