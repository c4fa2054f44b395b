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

__all__ = ["centred_sums", "finite_values"]


@numba.njit(cache=True, nogil=True)
def finite_values(values: np.ndarray) -> np.ndarray:
    """The finite entries of ``values`` as a new float64 array, in their order.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Per-sample values (float32 or float64); NaN and inf are dropped.

    Returns
    -------
    ndarray of float64, shape (n_finite,)
    """
    out = np.empty(values.size, dtype=np.float64)
    count = 0
    for i in range(values.size):
        v = np.float64(values[i])
        if np.isfinite(v):
            out[count] = v
            count += 1
    return out[:count]


@numba.njit(cache=True, nogil=True)
def centred_sums(data: np.ndarray, mean: float) -> tuple[float, float]:
    """The centred sums of squares and fourth powers of finite ``data`` about ``mean``.

    The mean comes from NumPy's pairwise sum (``data.mean()``), the most accurate
    and the one every other statistic of the project uses; this is the second pass
    of the stable two-pass variance.

    Parameters
    ----------
    data : ndarray of float64, shape (n,)
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
        c = v - mean
        c2 = c * c
        sum_sq += c2
        sum_4th += c2 * c2
    return sum_sq, sum_4th
