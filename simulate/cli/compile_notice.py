"""Say so when Numba compiles, instead of leaving a new user staring at a silent terminal.

A fresh install compiles the kernels on first use (tens of seconds on 2 cores) and
caches them on disk; later runs load them in well under a second. Numba reports
each real compilation (not a load from the cache) as a ``numba:compile`` event; a
listener turns the first one that lasts longer than a moment into one line on
stderr, with the seconds spent so far on a terminal, and a closing line when the
command ends.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
import time

NOTICE_AFTER_SECONDS = 1.0
NOTICE = (
    "Compiling the Numba kernels: first use after installing (they are cached for later "
    "runs; this takes up to a minute on 2 cores)"
)


class _CompileWatch:
    """Counts compile time and shows the notice; driven by Numba's compile events."""

    def __init__(self, stream, after_seconds: float):
        self.stream = stream
        self.after_seconds = after_seconds
        self.tty = getattr(stream, "isatty", lambda: False)()
        self.depth = 0
        self.started = None  # monotonic time the current outermost compile began
        self.spent = 0.0
        self.shown = False
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.ticker = None

    def begin(self) -> None:
        with self.lock:
            self.depth += 1
            if self.depth == 1:
                self.started = time.monotonic()
                if self.ticker is None:
                    self.ticker = threading.Thread(target=self._tick, daemon=True)
                    self.ticker.start()

    def end(self) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0 and self.started is not None:
                self.spent += time.monotonic() - self.started
                self.started = None

    def elapsed(self) -> float:
        with self.lock:
            running = time.monotonic() - self.started if self.started is not None else 0.0
            return self.spent + running

    def _tick(self) -> None:
        # Wait until compiling has lasted a moment, then show the notice (and, on a
        # terminal, the seconds so far).
        while not self.stop.wait(0.25):
            seconds = self.elapsed()
            if not self.shown and seconds >= self.after_seconds:
                self.shown = True
                self._write(NOTICE + ("" if self.tty else "...\n"))
            if self.shown and self.tty:
                self._write(f"\r{NOTICE}: {seconds:.0f} s")

    def close(self) -> None:
        self.stop.set()
        if self.ticker is not None:
            self.ticker.join()
        if self.shown:
            prefix = "\r" + NOTICE + ": " if self.tty else ""
            self._write(f"{prefix}compiled in {self.elapsed():.0f} s.\n")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


@contextlib.contextmanager
def compile_notice(stream=None, after_seconds: float = NOTICE_AFTER_SECONDS):
    """Within the block, announce Numba compilations that take longer than a moment.

    Parameters
    ----------
    stream : file-like, optional
        Where the notice goes (default ``sys.stderr``).
    after_seconds : float
        Compile time (s) before the notice appears; loads from the cache never count.
    """
    from numba.core import event

    watch = _CompileWatch(stream or sys.stderr, after_seconds)

    class Listener(event.Listener):
        def on_start(self, ev):
            watch.begin()

        def on_end(self, ev):
            watch.end()

    listener = Listener()
    event.register("numba:compile", listener)
    try:
        yield watch
    finally:
        event.unregister("numba:compile", listener)
        watch.close()


def announces_compilation(command):
    """Decorate a click command callback so its Numba compilations are announced."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with compile_notice():
            return command(*args, **kwargs)

    return wrapper
