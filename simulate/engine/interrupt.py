"""Ctrl-C that always reaches a run's clean-up.

Python's default SIGINT handler raises KeyboardInterrupt wherever the main
thread is, which can be inside a finaliser (a weakref callback while h5py
objects are collected); there the exception is printed as "Exception ignored"
and dropped, and the run carries on to the end. Inside :class:`ChunkInterrupt`,
SIGINT only sets a flag, and the engine raises KeyboardInterrupt itself between
chunks, where its clean-up (delete the temporary file) always runs. A second
Ctrl-C raises at once.
"""

from __future__ import annotations

import signal
import threading


class ChunkInterrupt:
    """Context manager deferring Ctrl-C to the next :meth:`check` (main thread only)."""

    def __init__(self):
        self.requested = False
        self.previous = None
        self.active = False

    def __enter__(self):
        # Signal handlers can only be set from the main thread; elsewhere do nothing.
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
            self.active = True
        return self

    def __exit__(self, *exc):
        if self.active:
            signal.signal(signal.SIGINT, self.previous)
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
