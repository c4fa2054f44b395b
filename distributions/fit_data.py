"""The data ``tco fit`` fits: one numeric column read from a CSV file, and its checks.

The only I/O of the fitting library. Every problem with the file or the values is a
:class:`ValueError` naming the file, column, line and value, and saying how to fix it.
"""

from __future__ import annotations

import csv
import difflib
import itertools
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .limits import MAX_ABS_PARAMETER, MAX_FIT_POINTS
from .messages import shown

__all__ = ["MAX_FIT_POINTS", "MIN_POINTS", "read_column"]

MIN_POINTS = 8
"""Fewest observations accepted: below this no family can be told from another."""


def read_column(path, column: str) -> np.ndarray:
    """Read one numeric column from a comma-separated file with a header row.

    Parameters
    ----------
    path : str or os.PathLike
        CSV file; the first row must name the columns. Blank lines are
        skipped; surrounding spaces in names and cells are ignored.
    column : str
        Header name of the column to read (exact, case-sensitive).

    Returns
    -------
    ndarray of float64, shape (n,)
        The values, in file order, in the units of the data.

    Raises
    ------
    ValueError
        Missing or unreadable file, no header row, unknown column (with a
        did-you-mean and the list of columns), an empty, non-numeric or
        non-finite cell (naming its line and value), fewer than
        ``MIN_POINTS`` values, or all values equal (suggesting a constant).
    """
    path = Path(path)
    # Messages start with the file and column: one printable line, whatever was given.
    label = str(path) if str(path).isprintable() else shown(str(path))
    where = f"{label}:{column if column.isprintable() else shown(column)}"
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        raise ValueError(f"{label}: data file {what}; give the path of a CSV file")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            # One row past the limit is enough to refuse; a huge file is not read whole.
            rows = list(itertools.islice(_rows(csv.reader(fh)), MAX_FIT_POINTS + 2))
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{label}: not a UTF-8 text file ({exc.reason}); save it as UTF-8 CSV"
        ) from None
    except (OSError, csv.Error) as exc:
        raise ValueError(f"{label}: cannot read the file as CSV: {exc}") from None
    if not rows:
        raise ValueError(f"{label}: the file is empty; it needs a header row and data rows")
    if len(rows) > MAX_FIT_POINTS + 1:
        raise ValueError(
            f"{label}: more than {MAX_FIT_POINTS:,} data rows; tco fit reads at most "
            f"{MAX_FIT_POINTS:,} (docs/distributions.md, Limits): take a random sample of "
            "the rows"
        )
    header = [h.strip() for h in rows[0][0]]
    if column not in header:
        raise ValueError(_unknown_column(label, column, header))
    j = header.index(column)
    out = []
    for cells, line in rows[1:]:
        cell = cells[j].strip() if j < len(cells) else ""
        if cell == "":
            raise ValueError(
                f"{where}: empty cell on line {line}; every row needs a value in "
                f"'{column}' (delete the row or fill it in)"
            )
        try:
            v = float(cell)
        except ValueError:
            raise ValueError(
                f"{where}: non-numeric value {shown(cell)} on line {line}; the column must hold "
                "plain numbers (no units, thousands separators or text)"
            ) from None
        if not math.isfinite(v):
            raise ValueError(
                f"{where}: value {shown(cell)} on line {line} is not a finite number; remove "
                "missing (NaN) and infinite values before fitting"
            )
        out.append(v)
    values = np.asarray(out, dtype=float)
    _check_values(values, where)
    return values


def _rows(reader) -> Iterable[tuple[list[str], int]]:
    # Skip wholly blank lines (a trailing newline, spacing between blocks).
    for cells in reader:
        if cells and any(c.strip() for c in cells):
            yield cells, reader.line_num


def _unknown_column(path: str, column: str, header: list[str]) -> str:
    close = difflib.get_close_matches(column, header, n=1, cutoff=0.6)
    if not close:
        lowered = {h.lower(): h for h in header}
        close = [lowered[column.lower()]] if column.lower() in lowered else []
    hint = f"; did you mean '{close[0]}'?" if close else ""
    # Names as typed where printable, else quoted and escaped; a header of thousands of
    # columns is not listed whole.
    names = [h if h.isprintable() else shown(h) for h in header[:20]]
    listed = ", ".join(names) + (f", ... ({len(header):,} columns)" if len(header) > 20 else "")
    msg = f"{path}: no column {shown(column)}{hint} Columns: {listed or '(none)'}"
    if len(header) == 1 and any(s in header[0] for s in (";", "\t", "|")):
        msg += "; the file seems to use another separator, tco fit reads comma-separated files"
    elif header and all(_is_number(h) for h in header):
        msg += "; the first row looks like data, add a header row naming the columns"
    return msg


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_values(values: np.ndarray, where: str) -> None:
    if values.ndim != 1:
        raise ValueError(f"{where}: expected a 1-D array of values, got shape {values.shape}")
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{where}: value {values[i]!r} at index {i} is not a finite number; remove "
            "missing (NaN) and infinite values before fitting"
        )
    huge = np.abs(values) > MAX_ABS_PARAMETER
    if huge.any():
        # No family can hold it, and the bounded fits spun on inf - inf: 100,000 values
        # spanning -1e308 to 1e308 took 90 s before every family failed.
        i = int(np.flatnonzero(huge)[0])
        raise ValueError(
            f"{where}: value {float(values[i])!r} at index {i} is beyond +-"
            f"{MAX_ABS_PARAMETER:g}, the largest magnitude a distribution parameter may have "
            "(docs/distributions.md, Limits); rescale the data (another unit)"
        )
    if values.size > MAX_FIT_POINTS:
        raise ValueError(
            f"{where}: {values.size:,} values; at most {MAX_FIT_POINTS:,} are fitted "
            "(docs/distributions.md, Limits): take a random sample of them"
        )
    if values.size < MIN_POINTS:
        raise ValueError(
            f"{where}: need at least {MIN_POINTS} values to fit a distribution, got "
            f"{values.size}; collect more data or write the distribution by hand "
            "(e.g. a pert from low / most likely / high)"
        )
    if values.min() == values.max():
        raise ValueError(
            f"{where}: all {values.size} values equal {_fmt(float(values[0]))}; there is "
            f'no spread to fit, use {{ dist = "constant", value = {_fmt(float(values[0]))} }}'
        )


def _fmt(v: float) -> str:
    # Shortest text that reads back as the same float (TOML-compatible).
    if v == 0:
        return "0.0"
    return repr(float(v))
