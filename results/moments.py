"""One variable's finite values and their moments, compiled: no temporaries the size of the run.

``np.sum(centred**4)`` builds two arrays of the run's length and raises each value to
a power through ``pow``; at two million samples it was more than half of a run's
summary. These loops copy the finite values once (the order statistics need a copy
they may reorder) and take the centred sums of squares and fourth powers in one pass
over that copy, with ``c2 * c2`` for the fourth power.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["centred_sums", "finite_into", "finite_values", "select_ranks"]


@numba.njit(cache=True, nogil=True)
def finite_into(values: np.ndarray, out: np.ndarray) -> int:
    """Copy the finite entries of ``values`` to the front of ``out``; return how many.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Per-sample values; NaN and inf are dropped.
    out : ndarray, shape (>= n,)
        Buffer of the same dtype, reused across variables so a summary of many columns
        touches its memory once (a fresh 80 MB array per column cost more in page
        faults than the statistics).

    Returns
    -------
    int
        The number of finite values, now in ``out[:count]`` in their order.
    """
    count = 0
    for i in range(values.size):
        v = values[i]
        if np.isfinite(v):
            out[count] = v
            count += 1
    return count


def finite_values(values: np.ndarray, buffer: np.ndarray | None = None) -> np.ndarray:
    """The finite entries of ``values`` in their order, in their own dtype (float32 stays).

    Parameters
    ----------
    values : ndarray, shape (n,)
        Per-sample values.
    buffer : ndarray, optional
        Reused storage of the same dtype and at least ``n`` long.

    Returns
    -------
    ndarray, shape (n_finite,)
        A view of ``buffer`` (or of a new array) that the caller may reorder.
    """
    values = np.ascontiguousarray(values)
    if values.dtype not in (np.float32, np.float64):
        values = values.astype(np.float64)
    if buffer is None or buffer.dtype != values.dtype or buffer.size < values.size:
        buffer = np.empty(values.size, dtype=values.dtype)
    return buffer[: finite_into(values, buffer)]


@numba.njit(cache=True, nogil=True)
def centred_sums(data: np.ndarray, mean: float) -> tuple[float, float]:
    """The centred sums of squares and fourth powers of finite ``data`` about ``mean``.

    The mean comes from NumPy's pairwise sum (``data.mean()``), the most accurate
    and the one every other statistic of the project uses; this is the second pass
    of the stable two-pass variance.

    Parameters
    ----------
    data : ndarray of float32 or float64, shape (n,)
        Finite values.
    mean : float
        Their mean.

    Returns
    -------
    sum_sq, sum_4th : float
        In the square and the fourth power of the data's unit.
    """
    sum_sq = 0.0
    sum_4th = 0.0
    for v in data:
        c = np.float64(v) - mean  # float64 sums whatever the stored precision
        c2 = c * c
        sum_sq += c2
        sum_4th += c2 * c2
    return sum_sq, sum_4th


SELECT_BINS = 1 << 16
"""Histogram bins of :func:`select_ranks`: the ranks wanted fall in a few of them."""


@numba.njit(cache=True, nogil=True)
def _select(data, ranks, bins):
    low = data[0]
    high = data[0]
    for v in data:
        if v < low:
            low = v
        if v > high:
            high = v
    out = np.empty(ranks.size, dtype=np.float64)
    if not high > low:
        out[:] = low
        return out
    scale = bins / (np.float64(high) - np.float64(low))
    counts = np.zeros(bins + 1, dtype=np.int64)
    for v in data:
        counts[min(int((np.float64(v) - low) * scale), bins - 1)] += 1
    # The bin holding each wanted rank, and the rank's place inside it.
    wanted_bin = np.empty(ranks.size, dtype=np.int64)
    before = np.empty(ranks.size, dtype=np.int64)
    seen, b, j = 0, 0, 0
    while j < ranks.size:
        while seen + counts[b] <= ranks[j]:
            seen += counts[b]
            b += 1
        wanted_bin[j] = b
        before[j] = seen
        j += 1
    # Collect the values of those bins (each once), sort them, read the ranks off.
    keep = np.zeros(bins, dtype=np.bool_)
    for j in range(ranks.size):
        keep[wanted_bin[j]] = True
    start = np.zeros(bins + 1, dtype=np.int64)
    total = 0
    for i in range(bins):
        start[i] = total
        if keep[i]:
            total += counts[i]
    start[bins] = total
    picked = np.empty(total, dtype=np.float64)
    fill = start.copy()
    for v in data:
        i = min(int((np.float64(v) - low) * scale), bins - 1)
        if keep[i]:
            picked[fill[i]] = v
            fill[i] += 1
    for i in range(bins):
        if keep[i]:
            picked[start[i] : start[i + 1]].sort()
    for j in range(ranks.size):
        out[j] = picked[start[wanted_bin[j]] + ranks[j] - before[j]]
    return out


def select_ranks(data: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """The order statistics of ``data`` at 0-based ``ranks``, exactly, without sorting it all.

    One pass finds the range, one counts a histogram of :data:`SELECT_BINS` bins, one
    collects the values of the few bins that hold a wanted rank; those are sorted. The
    result equals ``np.sort(data)[ranks]`` (tested); ``data`` is not changed.

    Parameters
    ----------
    data : ndarray of float32 or float64, shape (n,)
        Finite values, ``n >= 1``.
    ranks : ndarray of int, shape (k,)
        0-based ranks in ``[0, n)``, increasing.

    Returns
    -------
    ndarray of float64, shape (k,)
    """
    ranks = np.ascontiguousarray(ranks, dtype=np.int64)
    return _select(np.ascontiguousarray(data), ranks, SELECT_BINS)
