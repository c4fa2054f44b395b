"""Map unit-cube designs through the marginal inverse CDFs (Numba kernels)."""

from __future__ import annotations

import numba
import numpy as np

from ._table import (
    BODY_HI,
    BODY_LO,
    DEG,
    KIND_BETA,
    KIND_GAMMA,
    N_MAX,
    NB_MAX,
    body_ppf,
    build_table,
    table_ppf,
)
from .jit import jit
from .kernels import (
    BETA,
    CHOICE,
    EMPIRICAL,
    GAMMA,
    LOGNORMAL,
    N_CONST,
    PASSTHROUGH,
    PERT,
    _choice_ppf,
    _empirical_ppf,
    build_body_table,
    column_into,
    ppf_prepared,
    prepare,
)

ROW_BLOCK = 256  # rows per work item of ppf_matrix_prepared: 256 x 12 doubles fit in L1

__all__ = [
    "column_block",
    "inverse_cdfs",
    "pack",
    "ppf_column",
    "ppf_matrix",
    "ppf_matrix_prepared",
    "ppf_values",
    "prepare_columns",
    "rows_block",
]


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


@jit
def prepare_columns(codes, params):
    """Per-column set-up of :func:`ppf_matrix`, done once for a whole run.

    Beta, PERT and gamma columns build a Chebyshev table of their quantile
    function (a few milliseconds each); a chunked run would otherwise pay that
    on every chunk.

    Parameters
    ----------
    codes : ndarray of int64, shape (k,)
        Family code per column.
    params : ndarray of float64, shape (k, 4)
        Canonical parameters per column.

    Returns
    -------
    constants : ndarray of float64, shape (k, N_CONST)
        Derived constants of each column.
    coefficients : ndarray of float64, shape (k, N_MAX, DEG + 1)
        Chebyshev tables (unused rows for other families).
    intervals : ndarray of int64, shape (k,)
        Table intervals in use per column (0: exact solver).
    body_coefficients : ndarray of float64, shape (k, NB_MAX, DEG + 1)
        Body tables (beta, PERT, gamma, lognormal; see
        :func:`distributions.kernels.build_body_table`).
    body_intervals : ndarray of int64, shape (k,)
        Body intervals in use per column (0: none).
    """
    k = codes.shape[0]
    constants = np.zeros((k, N_CONST))
    coefficients = np.zeros((k, N_MAX, DEG + 1))
    intervals = np.zeros(k, dtype=np.int64)
    body_coefficients = np.zeros((k, NB_MAX, DEG + 1))
    body_intervals = np.zeros(k, dtype=np.int64)
    for j in range(k):
        prepare(codes[j], params[j], constants[j])
        code = codes[j]
        c = constants[j]
        if code == PERT or code == BETA or code == GAMMA:
            kind = KIND_GAMMA if code == GAMMA else KIND_BETA
            intervals[j] = build_table(kind, c[0], c[1], c[2], c[3], coefficients[j])
        body_intervals[j] = build_body_table(code, c, body_coefficients[j])
    return constants, coefficients, intervals, body_coefficients, body_intervals


def inverse_cdfs(dists) -> tuple:
    """The inverse-CDF arrays of some distributions, set up once, as one tuple.

    Parameters
    ----------
    dists : sequence of Distribution
        One per column.

    Returns
    -------
    tuple of ndarray
        ``(codes, constants, coefficients, intervals, body_coefficients,
        body_intervals, tables, table_len)``: :func:`pack` and :func:`prepare_columns`
        in one, the argument every prepared map takes.
    """
    codes, params, tables, table_len = pack(list(dists))
    return (codes, *prepare_columns(codes, params), tables, table_len)


@jit(parallel=True)
def ppf_matrix_prepared(icdf, u, out):
    """:func:`ppf_matrix` with the set-up of :func:`prepare_columns` done beforehand.

    Parameters
    ----------
    icdf : tuple of ndarray
        The columns' inverse CDFs (:func:`inverse_cdfs`): ``codes`` (int64, (k,)),
        the five arrays of :func:`prepare_columns`, the choice/empirical ``tables``
        (float64, (k, 2, m), from :func:`pack`) and ``table_len`` (int64, (k,)).
    u : ndarray of float64, shape (n, k)
        Points of the unit cube.
    out : ndarray of float64, shape (n, k)
        Output, filled in place.

    Notes
    -----
    Blocks of rows run in parallel; each element depends only on its own ``u``, so
    the result equals :func:`ppf_matrix`'s for any thread count (tested).
    """
    n = u.shape[0]
    # Blocks of rows outer (one parallel loop), then columns, then the block's rows:
    # each column is one tight loop with one branch decision, as column-at-a-time
    # was, but the block (ROW_BLOCK x k values) stays in L1 instead of every column
    # streaming the whole strided matrix through memory again.
    blocks = (n + ROW_BLOCK - 1) // ROW_BLOCK
    for block in numba.prange(blocks):
        start = block * ROW_BLOCK
        rows_block(icdf, u, out, start, min(start + ROW_BLOCK, n))


@jit
def ppf_values(icdf, u, out):
    """Serial :func:`ppf_matrix_prepared` for the few quantiles asked for from Python.

    ``Distribution.ppf`` (medians, support checks, the TCO-index ends) maps a handful
    of probabilities at a time: here without a thread pool, and through the same
    compiled :func:`column_block` as the runs, so a fresh install compiles the
    inverse CDFs once. Arguments as for :func:`ppf_matrix_prepared`; the values are
    those of :func:`ppf_column` to the last bit.
    """
    # np.int64(0), not the literal 0: the same compiled rows_block as every caller.
    rows_block(icdf, u, out, np.int64(0), u.shape[0])


@jit
def rows_block(icdf, u, out, start, stop):
    """Rows ``start .. stop`` of every column: ``out[i, j] = ppf_j(u[i, j])``.

    The one loop over columns that every caller shares (the parallel and serial
    matrix maps, the fused pass of a run). Arguments as for
    :func:`ppf_matrix_prepared`, plus the half-open row range.
    """
    codes, constants, coefficients, intervals, body, body_intervals, tables, table_len = icdf
    for j in range(codes.shape[0]):
        column_block(
            codes[j],
            constants[j],
            coefficients[j],
            intervals[j],
            body[j],
            body_intervals[j],
            tables[j],
            table_len[j],
            u,
            out,
            j,
            start,
            stop,
        )


@jit
def column_block(code, c, coef, nt, body, nb, table, m, u, out, j, start, stop):
    """Inverse CDF of rows ``start .. stop`` of column ``j``: ``out[i, j] = ppf_j(u[i, j])``.

    Parameters
    ----------
    code, c, coef, nt, body, nb
        Column ``j``'s family code and its rows of :func:`prepare_columns`'s output.
    table : ndarray of float64, shape (2, m)
        Choice/empirical table (from :func:`pack`).
    m : int
        Its used length.
    u : ndarray of float64, shape (n, k)
        Probabilities.
    out : ndarray of float64, shape (n, k)
        Output (any layout), filled in place.
    j, start, stop : int
        Column and half-open row range.
    """
    # The body test is written out here rather than calling table_value or
    # lognormal_value per element: those are not inlined (their tail branch is too
    # big), and each call then paid atomic reference-count updates on its array
    # arguments, about six times the cost of the body polynomial itself.
    if code == PERT or code == BETA or code == GAMMA:
        kind = KIND_GAMMA if code == GAMMA else KIND_BETA
        for i in range(start, stop):
            q = u[i, j]
            if nb > 0 and q >= BODY_LO and q <= BODY_HI:
                x = body_ppf(body, nb, q)
            else:
                x = table_ppf(kind, c[0], c[1], c[2], c[3], coef, nt, q)
            out[i, j] = c[4] + c[5] * x
    elif code == LOGNORMAL:
        for i in range(start, stop):
            q = u[i, j]
            if nb > 0 and q >= BODY_LO and q <= BODY_HI:
                out[i, j] = body_ppf(body, nb, q)
            else:
                out[i, j] = ppf_prepared(code, c, q)  # code, not the literal: one compile
    elif code == CHOICE:
        for i in range(start, stop):
            out[i, j] = _choice_ppf(table, m, u[i, j])
    elif code == EMPIRICAL:
        for i in range(start, stop):
            out[i, j] = _empirical_ppf(table, m, u[i, j])
    elif code == PASSTHROUGH:
        for i in range(start, stop):
            out[i, j] = u[i, j]
    else:
        for i in range(start, stop):
            out[i, j] = ppf_prepared(code, c, u[i, j])
