"""File-name pieces from scenarios: safe stems and a short tag of the ``--set`` overrides."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

__all__ = ["override_tag", "result_file_name", "safe_stem"]


def override_tag(overrides: Sequence[str]) -> str:
    """A short tag of a run's ``--set`` overrides for its default file name.

    Parameters
    ----------
    overrides : sequence of str
        The ``KEY=VALUE`` overrides, in order.

    Returns
    -------
    str
        ``""`` without overrides, else ``"-set-"`` and eight hex digits of their SHA-256,
        so ``--set hardware.accelerator=B200`` and ``=H200`` never share a name.
    """
    if not overrides:
        return ""
    return "-set-" + hashlib.sha256("\n".join(overrides).encode()).hexdigest()[:8]


def safe_stem(text: str) -> str:
    """Text as a file-name stem: letters, digits, ``-``, ``_`` and ``.`` only, 80 at most.

    Parameters
    ----------
    text : str
        E.g. a scenario name, which a scenario file may set to anything.

    Returns
    -------
    str
        Every other run of characters (path separators included) becomes ``_``; leading
        dots go, so the stem can never climb out of the working directory.
    """
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("._") or "scenario"
    return stem[:80]


def result_file_name(stem: str, overrides: Sequence[str], n: int, seed: int) -> str:
    """``<stem>[-set-<hash>]-n<N>-seed<S>.nc``: runs differing by an override differ in name.

    Parameters
    ----------
    stem : str
        The scenario name (made safe with :func:`safe_stem`) or another stem.
    overrides : sequence of str
        The run's ``--set`` overrides.
    n, seed : int
        Samples and seed.

    Returns
    -------
    str
        The file name (NetCDF).
    """
    return f"{safe_stem(stem)}{override_tag(overrides)}-n{n}-seed{seed}.nc"
