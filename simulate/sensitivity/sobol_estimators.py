"""Sobol' indices from a Saltelli design: SALib's estimators with a streaming bootstrap.

The design is SALib's (:func:`SALib.sample.sobol.sample`), and the point estimates
are SALib 1.6's :func:`SALib.analyze.sobol.analyze` to the last bit: the same
standardisation of ``Y``, the same NumPy operations in the same order. What
differs is the bootstrap for the confidence intervals. SALib indexes every array
with an ``(N, num_resamples)`` matrix, so it holds several ``N x num_resamples``
copies per input at once (6.6 GB at ``N = 2**20``); here a Numba kernel walks the
resample indices in row chunks and keeps, per resample, only the handful of sums
the estimators are made of. Memory is the outputs (``O(N x D)``) plus one chunk of
indices (:data:`CHUNK_INDICES` integers), never ``N x num_resamples``.

Resampling
----------
The resample indices are the very matrix SALib draws,
``numpy.random.default_rng(seed).integers(N, size=(N, num_resamples))`` (column
``b`` is resample ``b``), generated a block of rows at a time: NumPy's bounded
integers consume the generator's stream value by value, so consecutive blocks of
rows reproduce the full matrix exactly (``tests/test_sobol_estimators.py`` pins
this). With the same integer seed the confidence half-widths therefore equal
SALib's up to summation order, not just up to bootstrap noise. Each resample's
sums are accumulated by one thread, rows in order, so the results do not depend on
the Numba thread count or the chunk size.

Accuracy of the streamed sums
-----------------------------
Per resample the kernel adds ``N`` standardised values (of order 1) in double
precision in two levels: within fixed blocks of :data:`SUM_BLOCK` consecutive rows
of the index matrix, then the block totals. The blocks are fixed in the global row
numbering (a partial block carries over from one chunk to the next), so the chunk
size changes memory, never a bit of the result. The rounding error of each sum is
below ``(SUM_BLOCK + N / SUM_BLOCK) * eps`` relative to the sum of absolute values,
about ``5e-13`` at ``N = 2**20``, against bootstrap standard deviations of ``1e-3``
or more. The variance of the pooled ``A`` and ``B`` rows comes from a sum and a sum of
squares of values shifted by the full-sample pooled mean, so the usual cancellation
of ``E[y^2] - E[y]^2`` costs only ``eps * (shift error)^2 / variance`` ~
``eps / N``. The standard deviation over resamples is then taken two-pass by NumPy
over the ``num_resamples`` estimates, which are kept (they are tiny).

References
----------
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. and Tarantola, S.
(2010). Variance based sensitivity analysis of model output. Design and estimator
for the total sensitivity index. Computer Physics Communications 181(2), 259-270.
doi:10.1016/j.cpc.2009.09.018

Jansen, M. J. W. (1999). Analysis of variance designs for model output. Computer
Physics Communications 117(1-2), 35-43. doi:10.1016/S0010-4655(98)00154-4

Saltelli, A. (2002). Making best use of model evaluations to compute sensitivity
indices. Computer Physics Communications 145(2), 280-297.
doi:10.1016/S0010-4655(02)00280-1
"""

from __future__ import annotations

import warnings

import numba
import numpy as np

from distributions.jit import jit
from results.summary import two_sided_z

__all__ = [
    "CHUNK_INDICES",
    "SUM_BLOCK",
    "analyze",
    "analyze_many",
    "drop_incomplete",
    "first_order",
    "second_order",
    "split_outputs",
    "total_order",
]

# Resample indices drawn per chunk (8 MiB of int64): the bootstrap's whole working
# set beyond the outputs themselves.
CHUNK_INDICES = 2**20
# Rows per first-level partial sum (see "Accuracy of the streamed sums").
SUM_BLOCK = 4096

_EPS = np.finfo(float).eps  # SALib's threshold for a constant output / zero variance
_CONSTANT_MSG = (
    "constant model outputs: the pooled A and B rows are identical, so the Sobol' "
    "indices are 0/0; returning zeros as SALib does"
)


# --------------------------------------------------------------------------- estimators


def _pooled_variance(A, B):
    """``var(r_[A, B])`` along the base-point axis, or None when the rows are constant."""
    y = np.r_[A, B]
    if np.ptp(y) <= _EPS:
        warnings.warn(_CONSTANT_MSG, RuntimeWarning, stacklevel=3)
        return None
    return np.var(y, axis=0)


def _ratio(numerator, y_var):
    """``numerator / y_var``, 0 where the variance is not above machine epsilon (as SALib)."""
    return np.divide(
        numerator,
        y_var,
        out=np.zeros_like(y_var, dtype=np.float64),
        where=y_var > _EPS,
    )


def _first_order(A, AB, B, y_var):
    return _ratio(np.mean(B * (AB - A), axis=0), y_var)


def _total_order(A, AB, B, y_var):
    return _ratio(0.5 * np.mean((A - AB) ** 2, axis=0), y_var)


def _closed_second_order(A, ABk, BAj, B, y_var):
    return _ratio(np.mean(BAj * ABk - A * B, axis=0), y_var)


def first_order(A, AB, B):
    """First-order index ``S_i`` (Saltelli et al. 2010, Table 2 (b)).

    ``S_i = mean(B * (AB_i - A)) / var(r_[A, B])``, the estimator of SALib's
    ``sobol.analyze``.

    Parameters
    ----------
    A, B : ndarray, shape (N, ...)
        Outputs at the two base matrices (any units; the index is dimensionless).
    AB : ndarray, shape (N, ...)
        Outputs at ``A`` with column (or group) ``i`` taken from ``B``.
        Trailing axes (e.g. resamples) are estimated independently.

    Returns
    -------
    ndarray, shape (...)
        The index; 0 where the pooled variance is at most machine epsilon. Constant
        ``A`` and ``B`` give zeros and a ``RuntimeWarning``.

    References
    ----------
    Saltelli et al. (2010), doi:10.1016/j.cpc.2009.09.018.
    """
    y_var = _pooled_variance(A, B)
    if y_var is None:
        return np.zeros(np.shape(A)[1:])
    return _first_order(A, AB, B, y_var)


def total_order(A, AB, B):
    """Total-order index ``S_Ti`` (Jansen 1999; Saltelli et al. 2010, Table 2 (f)).

    ``S_Ti = mean((A - AB_i)**2) / 2 / var(r_[A, B])``.

    Parameters
    ----------
    A, B : ndarray, shape (N, ...)
        Outputs at the two base matrices.
    AB : ndarray, shape (N, ...)
        Outputs at ``A`` with column (or group) ``i`` taken from ``B``.

    Returns
    -------
    ndarray, shape (...)
        The index; 0 where the pooled variance is at most machine epsilon.

    References
    ----------
    Jansen (1999), doi:10.1016/S0010-4655(98)00154-4;
    Saltelli et al. (2010), doi:10.1016/j.cpc.2009.09.018.
    """
    y_var = _pooled_variance(A, B)
    if y_var is None:
        return np.zeros(np.shape(A)[1:])
    return _total_order(A, AB, B, y_var)


def second_order(A, ABj, ABk, BAj, B):
    """Second-order index ``S_jk`` (Saltelli 2002, eq. (12) less both first orders).

    ``S_jk = mean(BA_j * AB_k - A * B) / var(r_[A, B]) - S_j - S_k``, with ``S_j``,
    ``S_k`` from :func:`first_order`.

    Parameters
    ----------
    A, B : ndarray, shape (N, ...)
        Outputs at the two base matrices.
    ABj, ABk : ndarray, shape (N, ...)
        Outputs at ``A`` with column (group) ``j``, respectively ``k``, from ``B``.
    BAj : ndarray, shape (N, ...)
        Outputs at ``B`` with column (group) ``j`` from ``A``.

    Returns
    -------
    ndarray, shape (...)
        The index; 0 where the pooled variance is at most machine epsilon.

    References
    ----------
    Saltelli (2002), doi:10.1016/S0010-4655(02)00280-1.
    """
    y_var = _pooled_variance(A, B)
    if y_var is None:
        return np.zeros(np.shape(A)[1:])
    Vjk = _closed_second_order(A, ABk, BAj, B, y_var)
    return Vjk - _first_order(A, ABj, B, y_var) - _first_order(A, ABk, B, y_var)


# --------------------------------------------------------------------------- layout


def _block_rows(D: int, calc_second_order: bool) -> int:
    if isinstance(D, bool) or not isinstance(D, int | np.integer) or D < 1:
        raise ValueError(
            f"D = {D!r}: must be a positive integer (the number of inputs, or of groups "
            "when the problem defines groups)"
        )
    return 2 * int(D) + 2 if calc_second_order else int(D) + 2


def _n_base(Y: np.ndarray, D: int, calc_second_order: bool) -> int:
    step = _block_rows(D, calc_second_order)
    rows = Y.shape[0]
    if rows % step:
        raise ValueError(
            f"Y has {rows} rows, not a multiple of {step} = "
            f"{'2 * D + 2' if calc_second_order else 'D + 2'} with D = {D}: check that D "
            "(the number of groups when groups are used) and calc_second_order match "
            "the sample"
        )
    return rows // step


def split_outputs(Y, D, calc_second_order):
    """Split Saltelli-design outputs into the ``A``, ``B``, ``AB`` and ``BA`` blocks.

    SALib's ``sobol.sample`` writes, for each base point, the rows
    ``A, AB_1 .. AB_D, (BA_1 .. BA_D,) B``: blocks of ``2 D + 2`` rows with second
    order, ``D + 2`` without.

    Parameters
    ----------
    Y : ndarray, shape (rows, ...)
        Model outputs in sample order; trailing axes (e.g. outputs) are carried along.
    D : int
        Number of inputs, or of groups when the problem defines groups.
    calc_second_order : bool
        Whether the sample was drawn with ``calc_second_order=True``.

    Returns
    -------
    A, B : ndarray, shape (N, ...)
        Views of the base-matrix outputs, ``N = rows / block``.
    AB : ndarray, shape (N, D, ...)
        View: column ``i`` is ``A`` with input (group) ``i`` from ``B``.
    BA : ndarray, shape (N, D, ...) or None
        View: ``B`` with input (group) ``i`` from ``A``; None without second order.

    Raises
    ------
    ValueError
        If the row count is not a whole number of blocks.
    """
    Y = np.asarray(Y)
    N = _n_base(Y, D, calc_second_order)
    blocks = Y.reshape(N, _block_rows(D, calc_second_order), *Y.shape[1:])
    BA = blocks[:, D + 1 : 2 * D + 1] if calc_second_order else None
    return blocks[:, 0], blocks[:, -1], blocks[:, 1 : D + 1], BA


def drop_incomplete(Y, D, calc_second_order):
    """Remove every base point whose block of rows holds a NaN.

    An estimator needs all ``D + 2`` (or ``2 D + 2``) rows of a base point, so one
    infeasible row (a NaN output) invalidates its whole block. After dropping, the
    indices describe the output's variance over the feasible part of the input
    space (the inputs conditioned on feasibility), not over the whole space.

    Parameters
    ----------
    Y : ndarray, shape (rows,) or (rows, n_outputs)
        Outputs in sample order. With several outputs a block is dropped if any
        output is NaN in any of its rows, so all outputs keep the same base points.
    D : int
        Number of inputs, or of groups.
    calc_second_order : bool
        Whether the sample was drawn with second order.

    Returns
    -------
    Y_clean : ndarray
        The remaining blocks in their original order (a copy).
    n_dropped : int
        Number of base points removed.
    """
    Y = np.asarray(Y, dtype=np.float64)
    N = _n_base(Y, D, calc_second_order)
    blocks = Y.reshape(N, _block_rows(D, calc_second_order), -1)
    bad = np.isnan(blocks).any(axis=(1, 2))
    keep = blocks[~bad].reshape(-1, *Y.shape[1:])
    return keep, int(bad.sum())


# --------------------------------------------------------------------------- bootstrap


@jit(parallel=True)
def _add_resample_sums(
    Yv, mu, sd, shift, idx, start, n_groups, second, partial, sums
):  # pragma: no cover
    """Add one chunk of resampled base points into the per-resample sums.

    ``Yv`` (N, block, n_out) holds the raw outputs; each is standardised on the fly
    with ``(y - mu) / sd``, the same two IEEE operations NumPy applies, so the
    values equal those of the point estimates bit for bit. ``idx`` (R, chunk) are
    base-point indices, row ``b`` for resample ``b``, and ``start`` is the chunk's
    first row in the full index matrix. ``partial`` and ``sums`` (n_out, R, K) get,
    per output and resample: sum and sum of squares of ``A - shift`` and
    ``B - shift``; ``sum B (AB_j - A)``; ``sum (A - AB_j)^2``; and with second order
    ``sum BA_j AB_k - A B`` for ``j < k``. Rows go into ``partial``, which is moved
    into ``sums`` after every ``SUM_BLOCK``-th row of the full matrix. One thread
    owns a resample and adds its rows in order: bitwise independent of the thread
    count and of the chunking.
    """
    n_out = Yv.shape[2]
    step = Yv.shape[1]
    R = idx.shape[0]
    n_idx = idx.shape[1]
    K = sums.shape[2]
    D = n_groups
    for b in numba.prange(R):
        y = np.empty(step)
        for i in range(n_idx):
            r = idx[b, i]
            for o in range(n_out):
                m = mu[o]
                s = sd[o]
                for q in range(step):
                    y[q] = (Yv[r, q, o] - m) / s
                a = y[0]
                bb = y[step - 1]
                acc = partial[o, b]
                da = a - shift[o]
                db = bb - shift[o]
                acc[0] += da
                acc[1] += da * da
                acc[2] += db
                acc[3] += db * db
                for j in range(D):
                    abj = y[1 + j]
                    acc[4 + j] += bb * (abj - a)
                    d = a - abj
                    acc[4 + D + j] += d * d
                if second:
                    ab = a * bb
                    p = 4 + 2 * D
                    for j in range(D):
                        baj = y[1 + D + j]
                        for k in range(j + 1, D):
                            acc[p] += baj * y[1 + k] - ab
                            p += 1
            if (start + i + 1) % SUM_BLOCK == 0:
                for o in range(n_out):
                    for q in range(K):
                        sums[o, b, q] += partial[o, b, q]
                        partial[o, b, q] = 0.0


def _estimates_from_sums(sums, N, D, calc_second_order):
    """Per-resample indices from the kernel's sums: (n_out, R, D) and (n_out, R, P)."""
    mean = (sums[..., 0] + sums[..., 2]) / (2 * N)
    y_var = (sums[..., 1] + sums[..., 3]) / (2 * N) - mean**2
    ok = y_var > _EPS
    safe = np.where(ok, y_var, 1.0)[..., None]
    s1 = np.where(ok[..., None], sums[..., 4 : 4 + D] / N / safe, 0.0)
    st = np.where(ok[..., None], 0.5 * (sums[..., 4 + D : 4 + 2 * D] / N) / safe, 0.0)
    if not calc_second_order:
        return s1, st, None
    j, k = np.triu_indices(D, 1)
    v2 = np.where(ok[..., None], sums[..., 4 + 2 * D :] / N / safe, 0.0)
    return s1, st, v2 - s1[..., j] - s1[..., k]


def _resample_estimates(Y, mu, sd, shift, N, D, calc_second_order, R, rng, chunk_rows):
    """Stream SALib's ``(N, R)`` index matrix by row chunks through the kernel."""
    step = _block_rows(D, calc_second_order)
    n_out = Y.shape[1]
    K = 4 + 2 * D + (D * (D - 1) // 2 if calc_second_order else 0)
    Yv = Y.reshape(N, step, n_out)
    sums = np.zeros((n_out, R, K))
    partial = np.zeros((n_out, R, K))
    for start in range(0, N, chunk_rows):
        rows = min(chunk_rows, N - start)
        # Row block of SALib's r = rng.integers(N, size=(N, R)), transposed so that
        # each resample reads its indices contiguously.
        idx = np.ascontiguousarray(rng.integers(N, size=(rows, R)).T)
        _add_resample_sums(Yv, mu, sd, shift, idx, start, D, calc_second_order, partial, sums)
    sums += partial  # the last, incomplete block (zeros if N is a multiple of SUM_BLOCK)
    return _estimates_from_sums(sums, N, D, calc_second_order)


# --------------------------------------------------------------------------- analyze


def _check_outputs(Y):
    if np.isnan(Y).any():
        bad = np.flatnonzero(np.isnan(Y).any(axis=1))
        raise ValueError(
            f"Y has NaN in {bad.size} rows (first at row {bad[0]}): drop the infeasible "
            "base points first with drop_incomplete(Y, D, calc_second_order)"
        )
    if not np.isfinite(Y).all():
        raise ValueError(
            "Y has infinite values: Sobol' indices need a finite output variance; "
            "fix or drop the base points that produce them"
        )


def analyze_many(
    Y_matrix,
    D,
    calc_second_order=False,
    num_resamples=100,
    conf_level=0.95,
    seed=None,
    *,
    chunk_rows=None,
):
    """Sobol' indices and bootstrap confidence half-widths for several outputs at once.

    Every output gets exactly what :func:`analyze` gives it alone with the same
    seed. The bootstrap resamples base points, the unit of the design, and reuses
    the same resample indices for all outputs. That is a valid bootstrap for each
    output's marginal interval (each output, on its own, sees ``num_resamples``
    independent with-replacement draws of the ``N`` base points); it also keeps the
    dependence between the outputs' estimates intact, as they come from the same
    model runs, and reads each base point's rows once for all outputs.

    Parameters
    ----------
    Y_matrix : array_like, shape (rows, n_outputs)
        Outputs in SALib's sample order (``rows = N * (D + 2)``, or
        ``N * (2 D + 2)`` with second order), any units. No NaN or inf.
    D : int
        Number of inputs, or of groups when the problem defines groups.
    calc_second_order : bool, optional
        Whether the sample was drawn with second order; also estimates ``S2``.
    num_resamples : int, optional
        Bootstrap resamples (at least 2).
    conf_level : float, optional
        Confidence level in (0, 1) of the half-widths.
    seed : int, SeedSequence, Generator or None, optional
        Seeds ``numpy.random.default_rng`` for the resample indices; an integer gives
        SALib's resamples for ``sobol.analyze(..., seed=seed)``.
    chunk_rows : int, optional
        Rows of the ``(N, num_resamples)`` index matrix drawn at a time (default
        ``CHUNK_INDICES // num_resamples``); changes memory, not a bit of the results.

    Returns
    -------
    dict of ndarray
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` of shape (n_outputs, D); with second
        order ``S2``, ``S2_conf`` of shape (n_outputs, D, D), NaN on and below the
        diagonal. Indices are dimensionless; ``*_conf`` are half-widths
        ``Phi^-1(0.5 + conf_level / 2) * std(resampled estimates, ddof=1)``.

    Raises
    ------
    ValueError
        On NaN or inf outputs, a constant output, a row count that is not a whole
        number of blocks, or bad ``num_resamples``, ``conf_level``, ``chunk_rows``.

    References
    ----------
    Saltelli et al. (2010), doi:10.1016/j.cpc.2009.09.018; Jansen (1999),
    doi:10.1016/S0010-4655(98)00154-4; Saltelli (2002),
    doi:10.1016/S0010-4655(02)00280-1.
    """
    Y = np.asarray(Y_matrix, dtype=np.float64)
    if Y.ndim != 2:
        raise ValueError(
            f"Y_matrix has shape {Y.shape}: expected (rows, n_outputs); use analyze for one output"
        )
    N = _n_base(Y, D, calc_second_order)
    if N < 2:
        raise ValueError(f"Y has {N} base points: need at least 2")
    if isinstance(num_resamples, bool) or not isinstance(num_resamples, int | np.integer):
        raise ValueError(f"num_resamples = {num_resamples!r}: must be an integer >= 2")
    if num_resamples < 2:
        raise ValueError(f"num_resamples = {num_resamples}: must be >= 2 (ddof=1 std)")
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level = {conf_level!r}: must be between 0 and 1")
    if chunk_rows is None:
        chunk_rows = max(1, CHUNK_INDICES // int(num_resamples))
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise ValueError(f"chunk_rows = {chunk_rows!r}: must be a positive integer")
    _check_outputs(Y)

    n_out = Y.shape[1]
    D = int(D)
    out = {key: np.zeros((n_out, D)) for key in ("S1", "S1_conf", "ST", "ST_conf")}
    if calc_second_order:
        out["S2"] = np.full((n_out, D, D), np.nan)
        out["S2_conf"] = np.full((n_out, D, D), np.nan)
    mu = np.empty(n_out)
    sd = np.empty(n_out)
    shift = np.empty(n_out)
    for o in range(n_out):
        # A contiguous copy so the mean and std reduce exactly as SALib's 1-D Y does.
        y = np.ascontiguousarray(Y[:, o])
        mu[o] = y.mean()
        sd[o] = y.std()
        if not sd[o] > 0:
            raise ValueError(
                f"output {o} is constant (value {y[0]!r}): its Sobol' indices are "
                "undefined (zero variance); leave it out"
            )
        # SALib standardises before estimating: the estimators are biased for
        # outputs far from zero mean.
        yn = (y - mu[o]) / sd[o]
        A, B, AB, BA = split_outputs(yn, D, calc_second_order)
        y_var = _pooled_variance(A, B)
        if y_var is None:
            continue  # indices and half-widths stay 0, as SALib returns
        shift[o] = np.mean(np.r_[A, B])
        for j in range(D):
            out["S1"][o, j] = _first_order(A, AB[:, j], B, y_var)
            out["ST"][o, j] = _total_order(A, AB[:, j], B, y_var)
        if calc_second_order:
            for j in range(D):
                for k in range(j + 1, D):
                    Vjk = _closed_second_order(A, AB[:, k], BA[:, j], B, y_var)
                    out["S2"][o, j, k] = Vjk - out["S1"][o, j] - out["S1"][o, k]

    rng = np.random.default_rng(seed)
    s1, st, s2 = _resample_estimates(
        Y, mu, sd, shift, N, D, calc_second_order, int(num_resamples), rng, chunk_rows
    )
    z = two_sided_z(conf_level)
    out["S1_conf"][:] = z * s1.std(axis=1, ddof=1)
    out["ST_conf"][:] = z * st.std(axis=1, ddof=1)
    if calc_second_order:
        j, k = np.triu_indices(D, 1)
        out["S2_conf"][:, j, k] = z * s2.std(axis=1, ddof=1)
    return out


def analyze(
    Y,
    D,
    calc_second_order=False,
    num_resamples=100,
    conf_level=0.95,
    seed=None,
    *,
    chunk_rows=None,
):
    """Sobol' indices of one output with a streaming bootstrap (SALib's estimators).

    Point estimates equal SALib 1.6's ``sobol.analyze`` on the same ``Y``: ``Y`` is
    standardised with its mean and (ddof=0) standard deviation, then the
    Saltelli 2010 first-order, Jansen total-order and Saltelli 2002 second-order
    estimators are applied. Confidence half-widths are
    ``Phi^-1(0.5 + conf_level / 2) * std(resampled estimates, ddof=1)`` over
    ``num_resamples`` with-replacement resamples of the ``N`` base points, computed
    in ``O(N x D)`` memory.

    Parameters
    ----------
    Y : array_like, shape (rows,)
        Outputs in SALib's sample order (``rows = N * (D + 2)``, or ``N * (2 D + 2)``
        with second order), any units. No NaN: drop infeasible base points first
        with :func:`drop_incomplete`.
    D : int
        Number of inputs, or of groups when the problem defines groups.
    calc_second_order : bool, optional
        Whether the sample was drawn with second order; also estimates ``S2``.
    num_resamples : int, optional
        Bootstrap resamples (at least 2).
    conf_level : float, optional
        Confidence level in (0, 1).
    seed : int, SeedSequence, Generator or None, optional
        Seeds the resample indices; an integer reproduces SALib's resamples for
        ``sobol.analyze(..., seed=seed)`` (SALib ignores ``seed=0``).
    chunk_rows : int, optional
        Rows of the resample index matrix drawn at a time; memory only, see
        :func:`analyze_many`.

    Returns
    -------
    dict of ndarray
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` of shape (D,); with second order
        ``S2``, ``S2_conf`` of shape (D, D), NaN on and below the diagonal.

    Raises
    ------
    ValueError
        As :func:`analyze_many`, and if ``Y`` is not one-dimensional.

    References
    ----------
    Saltelli et al. (2010), doi:10.1016/j.cpc.2009.09.018; Jansen (1999),
    doi:10.1016/S0010-4655(98)00154-4; Saltelli (2002),
    doi:10.1016/S0010-4655(02)00280-1.
    """
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim != 1:
        raise ValueError(
            f"Y has shape {Y.shape}: expected one output, shape (rows,); use "
            "analyze_many for several"
        )
    res = analyze_many(
        Y[:, None], D, calc_second_order, num_resamples, conf_level, seed, chunk_rows=chunk_rows
    )
    return {key: value[0] for key, value in res.items()}
