"""Write a file or store so that a failure never leaves a half-written result behind."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "partial_path", "remove_path"]


def partial_path(path: str | os.PathLike) -> Path:
    """Where ``path`` is written before it is complete: hidden, per process, beside it.

    Parameters
    ----------
    path : str or os.PathLike
        The final file or store.

    Returns
    -------
    pathlib.Path
        ``.<name>.partial-<pid>`` in the same folder (a rename is only atomic within
        one file system).
    """
    path = Path(path)
    return path.with_name(f".{path.name}.partial-{os.getpid()}")


def remove_path(path: Path) -> None:
    """Delete a file or a store folder if it exists (errors ignored for folders)."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path to write ``path`` to; renamed onto it only if the block succeeds.

    Parameters
    ----------
    path : str or os.PathLike
        The final file; an existing one is replaced only once the new one is complete.

    Yields
    ------
    pathlib.Path
        The temporary path (see :func:`partial_path`) to write to.

    Raises
    ------
    ValueError
        If the target's folder does not exist (named with the fix).

    Notes
    -----
    On any exception, Ctrl-C included, the temporary file is removed and the
    exception propagates; the target is untouched.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise ValueError(f"{path}: folder {path.parent} does not exist; create it first")
    tmp = partial_path(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        remove_path(tmp)
        raise
