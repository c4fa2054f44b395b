"""Writing figures to files: one atomic writer for every plot the project saves."""

from __future__ import annotations

from pathlib import Path

from results.atomic import atomic_path

__all__ = ["FIGURE_FORMATS", "save_figure"]

FIGURE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
"""File suffixes :func:`save_figure` writes, and the matplotlib format of each."""


def save_figure(fig, path) -> Path:
    """Write a figure atomically, the format chosen by the file suffix.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Figure to save (e.g. ``ax.figure``).
    path : str or os.PathLike
        Target file ending in ``.png``, ``.svg`` or ``.pdf``; its directory
        must exist. An existing file is replaced.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        Unsupported suffix, or a missing directory.

    Notes
    -----
    The figure goes to a temporary file in the same directory first and is
    renamed with ``os.replace``, so a crash never leaves a half-written file
    under the final name.
    """
    path = Path(path)
    fmt = FIGURE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"{path}: unsupported figure format '{path.suffix}'; use one of "
            f"{', '.join(FIGURE_FORMATS)}"
        )
    # Opened normally, not with mkstemp, so the file gets the user's usual permissions.
    with atomic_path(path) as tmp, tmp.open("wb") as fh:
        fig.savefig(fh, format=fmt, dpi=150)
    return path
