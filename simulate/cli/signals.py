"""Ctrl-C and SIGTERM anywhere in a ``tco`` command: one line, exit status 130, no traceback.

Long jobs handle interrupts themselves (:func:`simulate.cli.jobs.reported_job`: the
run's temporary file is deleted and the message says so). Elsewhere (loading a
scenario, importing the libraries, printing a summary) click would print
"Aborted!" and exit 1, and SIGTERM would kill the process outright. The group
class below makes both signals end every command the same way.
"""

from __future__ import annotations

import contextlib
import signal
import threading

import click

__all__ = ["INTERRUPTED_STATUS", "TcoGroup", "terminate_as_interrupt"]

INTERRUPTED_STATUS = 130
"""Exit status after Ctrl-C or SIGTERM (128 + SIGINT, as shells report Ctrl-C)."""


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


@contextlib.contextmanager
def terminate_as_interrupt():
    """Within the block, SIGTERM raises KeyboardInterrupt like Ctrl-C (main thread only).

    A batch scheduler's time limit or ``kill`` then reaches the same clean-up as
    Ctrl-C; the previous handler comes back afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class TcoGroup(click.Group):
    """The ``tco`` group: an interrupt anywhere ends the command with one line and 130."""

    def invoke(self, ctx):
        """Invoke the command with SIGTERM treated as Ctrl-C; an interrupt exits 130."""
        with terminate_as_interrupt():
            try:
                return super().invoke(ctx)
            except KeyboardInterrupt:
                click.echo("\nInterrupted.", err=True)
                ctx.exit(INTERRUPTED_STATUS)
