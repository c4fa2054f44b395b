"""Free space on the target's file system, checked before and while a result is written.

HDF5 does not report a full disk where it happens: its writes land in caches and
the failure surfaces later, during close, as hundreds of errors raised from
finalisers, and can end in a segmentation fault with the half-written file left
behind. So the writers never let the disk fill: before a run starts, and before
every chunk, they check that the rest of the result still fits, and stop with one
clear ``OSError`` (ENOSPC) while HDF5 is still in a clean state, so the temporary
file can be closed and deleted normally.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

__all__ = [
    "MARGIN_BYTES",
    "MARGIN_SHARE",
    "NoSpaceError",
    "OutputWriteError",
    "free_bytes",
    "require_free_space",
]

MARGIN_BYTES = 2**20
"""Room kept free beyond the data itself, bytes, plus :data:`MARGIN_SHARE` of the data:
HDF5's metadata (chunk indexes, attributes) is well under a megabyte for a run's 50
variables; the share covers storage chunks rounded up and file-system blocks."""
MARGIN_SHARE = 0.02


class OutputWriteError(OSError):
    """A result could not be written; its text is the whole one-line message."""

    def __str__(self) -> str:
        return str(self.strerror)


class NoSpaceError(OutputWriteError):
    """Not enough free space for a result (``errno.ENOSPC``)."""


def free_bytes(path: str | os.PathLike) -> int:
    """Bytes free to an unprivileged writer on the file system holding ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        A file or folder; a path that does not exist yet is looked up by its nearest
        existing folder.

    Returns
    -------
    int
        Free bytes, bytes.
    """
    folder = Path(path).absolute()
    # The nearest folder that exists: a missing one is the writer's own error to report.
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free


def require_free_space(path: str | os.PathLike, needed_bytes: float, what: str) -> None:
    """Raise a one-line ENOSPC ``OSError`` unless ``needed_bytes`` fit beside ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The output being written (its folder's file system is checked).
    needed_bytes : float
        Bytes still to be written, bytes; :data:`MARGIN_SHARE` of them and
        :data:`MARGIN_BYTES` are added.
    what : str
        What needs them, for the message (e.g. ``"the run's remaining 9,000,000
        samples"``).

    Raises
    ------
    NoSpaceError
        An ``OSError`` with ``errno.ENOSPC``, naming the path, the sizes and the fix.
    """
    free = free_bytes(path)
    if needed_bytes * (1.0 + MARGIN_SHARE) + MARGIN_BYTES > free:
        raise NoSpaceError(
            errno.ENOSPC,
            f"not enough free space for {path}: {what} take about {_gib(needed_bytes)} "
            f"and its file system has {_gib(free)} free; free some space, lower -n, or "
            "write elsewhere with -o (nothing was kept)",
        )


def _gib(size: float) -> str:
    if size >= 2**30:
        return f"{size / 2**30:,.1f} GiB"
    return f"{size / 2**20:,.1f} MiB"
