"""Write a file or store so that a failure never leaves a half-written result behind."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from results.provenance import KIND_ATTR

__all__ = [
    "atomic_path",
    "backup_path",
    "check_replaceable",
    "is_result_store",
    "partial_path",
    "recover_stale_temporaries",
    "remove_path",
    "replace_with",
]


TEMPORARY_KINDS = ("partial", "old")
"""The hidden siblings ``.<name>.<kind>-<pid>`` a writer makes: the file being written, and
an older store parked during a commit (:func:`recover_stale_temporaries` reads them)."""


def _temporary(path: str | os.PathLike, kind: str) -> Path:
    # One naming scheme for every temporary, so the recovery can parse what it finds.
    path = Path(path)
    return path.with_name(f".{path.name}.{kind}-{os.getpid()}")


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
    return _temporary(path, "partial")


def backup_path(path: str | os.PathLike) -> Path:
    """Where an older store is parked while a new one takes its name (``.<name>.old-<pid>``).

    Parameters
    ----------
    path : str or os.PathLike
        The final file or store.

    Returns
    -------
    pathlib.Path
        Hidden, per process, beside ``path``.
    """
    return _temporary(path, "old")


def _pid_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def _size_bytes(path: Path) -> int:
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return path.stat().st_size if path.exists() else 0


def recover_stale_temporaries(path: str | os.PathLike) -> list[str]:
    """Clean up after runs that were killed while writing ``path`` (SIGKILL, a crash).

    A temporary ``.<name>.partial-<pid>`` whose process no longer runs is deleted. A
    backup ``.<name>.old-<pid>`` (an older store parked during a commit) is put back
    under ``<name>`` if the commit never finished, else deleted. Temporaries of a
    process that still runs (another run writing the same name) are left alone.

    Parameters
    ----------
    path : str or os.PathLike
        The output about to be written.

    Returns
    -------
    list of str
        What was done, one sentence each (empty if nothing was found), for the user.
    """
    path = Path(path)
    if not path.parent.is_dir():
        return []
    done = []
    pattern = glob.escape(f".{path.name}.")
    for candidate in sorted(path.parent.glob(pattern + "*-*")):
        kind, _, pid = candidate.name[len(path.name) + 2 :].rpartition("-")
        if kind not in TEMPORARY_KINDS or not pid.isdigit() or _pid_running(int(pid)):
            continue
        if kind == "old" and not path.exists():
            os.replace(candidate, path)
            done.append(
                f"restored {path} from {candidate.name}, left by a run (pid {pid}) killed "
                "while replacing it"
            )
            continue
        size = _size_bytes(candidate)
        remove_path(candidate)
        done.append(
            f"removed {candidate} ({size / 2**20:,.1f} MiB), left by a run (pid {pid}) that "
            "was killed before it finished"
        )
    return done


def is_result_store(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a folder holding a Zarr store written by this tool.

    Parameters
    ----------
    path : str or os.PathLike
        Any path.

    Returns
    -------
    bool
        True for a folder whose Zarr group attributes carry ``lifecycle_tco_kind``.
    """
    path = Path(path)
    for name in (".zattrs", "zarr.json"):
        meta = path / name
        if meta.is_file():
            try:
                attrs = json.loads(meta.read_text())
            except (OSError, ValueError):
                return False
            attrs = attrs.get("attributes", attrs)  # zarr.json nests them
            return isinstance(attrs, dict) and KIND_ATTR in attrs
    return False


def check_replaceable(path: str | os.PathLike) -> None:
    """Refuse an output path that is a folder this tool did not write.

    ``-o somedir`` must never delete a user's folder: only a result store (a Zarr
    folder with this tool's attributes) may be replaced by a new result.

    Parameters
    ----------
    path : str or os.PathLike
        The output about to be written.

    Raises
    ------
    ValueError
        If ``path`` is a folder that is not a result store, with the fix.
    """
    path = Path(path)
    if path.is_dir() and not is_result_store(path):
        raise ValueError(
            f"{path} is a folder that is not a result store of this tool; an output never "
            "replaces a folder it did not write. Give a file name (-o run.nc, or "
            f"-o {path / 'run.nc'} to write inside it)"
        )


def replace_with(tmp: Path, path: Path) -> None:
    """Move the complete ``tmp`` onto ``path``, replacing an older result there.

    A file replaces a file in one atomic rename. A folder (Zarr store) cannot be
    renamed onto an existing one, so the older one is parked under
    :func:`backup_path` first and deleted after; a run killed in between leaves the
    backup, which :func:`recover_stale_temporaries` puts back.

    Parameters
    ----------
    tmp : pathlib.Path
        The complete new file or store.
    path : pathlib.Path
        Its final name.

    Raises
    ------
    ValueError
        If ``path`` is a folder this tool did not write (:func:`check_replaceable`).
    """
    check_replaceable(path)
    if not path.is_dir() and not tmp.is_dir():
        os.replace(tmp, path)
        return
    if not path.exists() and not path.is_symlink():
        os.replace(tmp, path)
        return
    backup = backup_path(path)
    os.replace(path, backup)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.replace(backup, path)
        raise
    remove_path(backup)


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
    check_replaceable(path)
    recover_stale_temporaries(path)
    tmp = partial_path(path)
    try:
        yield tmp
        replace_with(tmp, path)
    except BaseException:
        remove_path(tmp)
        raise
