"""Map unit-cube designs through the marginal inverse CDFs (Numba kernels)."""

from __future__ import annotations

import numpy as np

from .jit import jit
from .kernels import column_into

__all__ = ["pack", "ppf_column", "ppf_matrix"]


@jit
def ppf_column(code, params4, u, out, table=None):
    """Inverse CDF of one family over a vector of probabilities.

    Parameters
    ----------
    code : int
        Family code (``Distribution.code``).
    params4 : ndarray of float64, shape (4,)
        Canonical parameters, zero-padded (layout in
        :mod:`distributions.kernels`).
    u : ndarray of float64, shape (n,)
        Probabilities in [0, 1]; values outside give NaN.
    out : ndarray of float64, shape (n,)
        Output, filled in place.
    table : ndarray of float64, shape (2, m), optional
        Values (row 0) and cumulative weights (row 1) for choice/empirical;
        its full width ``m`` is used.

    Notes
    -----
    Parallel over elements (``numba.prange``); results do not depend on the
    thread count. Beta/PERT/gamma use a verified Chebyshev table of the exact
    quantile (agrees with the exact solver to ~1e-14 relative).
    """
    if table is None:
        column_into(code, params4, u, out, np.zeros((2, 1)), 1)
    else:
        column_into(code, params4, u, out, table, table.shape[1])


@jit
def ppf_matrix(codes, params, u, out, tables=None, table_len=None):
    """Map each column of a unit-cube matrix through its marginal's inverse CDF.

    Parameters
    ----------
    codes : ndarray of int64, shape (k,)
        Family code per column.
    params : ndarray of float64, shape (k, 4)
        Canonical parameters per column (zero-padded).
    u : ndarray of float64, shape (n, k)
        Points of the unit cube (Monte Carlo, Latin hypercube, Sobol...).
    out : ndarray of float64, shape (n, k)
        Output, filled in place: ``out[:, j] = ppf_j(u[:, j])``.
    tables : ndarray of float64, shape (k, 2, m), optional
        Choice/empirical tables: ``tables[j, 0, :table_len[j]]`` values,
        ``tables[j, 1, :table_len[j]]`` cumulative weights (choice only).
        Required when any column is choice or empirical; build it with
        :func:`pack`.
    table_len : ndarray of int64, shape (k,), optional
        Used length of each column's table.

    Notes
    -----
    Columns are processed one after another; within a column the rows run in
    parallel (``numba.prange``). Each element depends only on its own ``u``,
    so the output is identical for any thread count. Choice/empirical columns
    without a table give NaN.
    """
    k = codes.shape[0]
    if tables is None:
        empty = np.zeros((2, 1))
        for j in range(k):
            column_into(codes[j], params[j], u[:, j], out[:, j], empty, 0 if codes[j] >= 9 else 1)
    else:
        for j in range(k):
            column_into(codes[j], params[j], u[:, j], out[:, j], tables[j], table_len[j])


def pack(dists):
    """Arrays for :func:`ppf_matrix` from a sequence of distributions.

    Parameters
    ----------
    dists : sequence of Distribution
        One per column.

    Returns
    -------
    codes : ndarray of int64, shape (k,)
    params : ndarray of float64, shape (k, 4)
    tables : ndarray of float64, shape (k, 2, m)
        ``m`` is the longest table (at least 1).
    table_len : ndarray of int64, shape (k,)
    """
    k = len(dists)
    parts = [d.kernel_args() for d in dists]
    m = max([1] + [t.shape[1] for _, _, t in parts if t is not None])
    codes = np.empty(k, dtype=np.int64)
    params = np.zeros((k, 4))
    tables = np.zeros((k, 2, m))
    table_len = np.zeros(k, dtype=np.int64)
    for j, (code, p4, table) in enumerate(parts):
        codes[j] = code
        params[j] = p4
        if table is not None:
            tables[j, :, : table.shape[1]] = table
            table_len[j] = table.shape[1]
    return codes, params, tables, table_len
