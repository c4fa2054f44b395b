"""Ctrl-C (and SIGTERM) that always reaches a run's clean-up.

Python's default SIGINT handler raises KeyboardInterrupt wherever the main
thread is, which can be inside a finaliser (a weakref callback while h5py
objects are collected); there the exception is printed as "Exception ignored"
and dropped, and the run carries on to the end. Inside :class:`ChunkInterrupt`,
SIGINT only sets a flag, and the engine raises KeyboardInterrupt itself between
chunks, where its clean-up (delete the temporary file) always runs. A second
Ctrl-C raises at once. SIGTERM (``kill``, a batch scheduler's time limit) is treated
the same way, so it leaves no hidden partial file behind either.
"""

from __future__ import annotations

import signal
import threading


class InterruptedAfterSave(KeyboardInterrupt):
    """Ctrl-C or SIGTERM arrived while a complete result was being moved into place.

    The result at :attr:`path` is complete (the rename was not cut in half); the
    command stops there instead of going on to its summary.
    """

    def __init__(self, path):
        super().__init__(str(path))
        self.path = path


class ChunkInterrupt:
    """Context manager deferring Ctrl-C to the next :meth:`check` (main thread only)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.requested = False
        self.previous = {}
        self.active = False

    def __enter__(self):
        # Signal handlers can only be set from the main thread; elsewhere do nothing.
        if threading.current_thread() is threading.main_thread():
            self.previous = {sig: signal.signal(sig, self._handle) for sig in self.SIGNALS}
            self.active = True
        return self

    def __exit__(self, *exc):
        if self.active:
            for sig, handler in self.previous.items():
                signal.signal(sig, handler)
            self.active = False
        return False

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def check(self) -> None:
        """Raise KeyboardInterrupt if Ctrl-C was pressed since entering."""
        if self.requested:
            raise KeyboardInterrupt
