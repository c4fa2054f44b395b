"""Per-column Chebyshev tables of the beta and gamma quantile functions.

The exact solvers in :mod:`distributions._special` cost about a microsecond
per element (several incomplete-beta evaluations each). A Monte Carlo column
holds one parameter set and up to millions of uniforms, so it pays to solve
exactly at a few hundred nodes once and interpolate in between.

Coordinates: ``t = logit(q)`` on ``[-T_MAX, T_MAX]`` and ``g = log x``. In
these coordinates the power-law tails (``x ~ C q^(1/a)`` near 0, ``1 - x ~
C (1-q)^(1/b)`` near 1, ``x ~ -log(1-q)`` for the gamma) become straight lines
or slowly varying curves, and the end-point singularities of the quantile
function at ``q = 0, 1`` move to infinity, so a piecewise polynomial of modest
degree converges geometrically.

The table is ``N`` equal intervals (O(1) lookup), each with a degree-``DEG``
Chebyshev series fitted at Chebyshev points of the first kind. ``N`` starts at
16 and doubles until every interval's trailing coefficients (the usual
estimate of the interpolation error, Trefethen 2019, chapter 8) are below
``1e-14 + 2e-16 max|g|``: the node values carry ~1e-15 noise from the
exact solver, and the second term is the rounding floor of storing
``log x``. If ``N = N_MAX`` is not enough the builder reports failure and the
caller falls back to the exact solver for that column. Quantiles with
``|logit q| > T_MAX`` (q below about 7e-13) always use the exact solver.

References
----------
L. N. Trefethen, Approximation Theory and Approximation Practice, extended
ed., SIAM (2019), chapters 3, 8 and 19. doi:10.1137/1.9781611975949
G. Derflinger, W. Hörmann and J. Leydold, "Random variate generation by
numerical inversion when only the density is known", ACM TOMACS 20(4), 18
(2010), doi:10.1145/1842722.1842725 (the same idea: set-up once, interpolate
the inverse CDF, verify the error).
"""

from __future__ import annotations

import math

import numpy as np

from ._special import _gamma_solve, beta_log_ppf_pair, beta_ppf_pair, gamma_ppf, ndtri
from .jit import jit

__all__ = [
    "BODY_HI",
    "BODY_LO",
    "DEG",
    "KIND_BETA",
    "KIND_GAMMA",
    "NB_MAX",
    "N_MAX",
    "T_MAX",
    "body_ppf",
    "build_table",
    "fit_interval",
    "fit_table",
    "table_ppf",
]

DEG = 12
N_MAX = 256
N_START = 16
T_MAX = 28.0
KIND_BETA = 0
KIND_GAMMA = 1
# Body table: q itself as the coordinate on [BODY_LO, BODY_HI] (15/16 of the draws),
# where the quantile function is analytic and needs neither logit nor exp. Both
# bounds and the interval width are exact binary fractions.
BODY_LO = 1.0 / 32.0
BODY_HI = 1.0 - 1.0 / 32.0
NB_START = 16
NB_MAX = 256
# What a table interpolates (fit_table).
TARGET_LOG_TAIL = 0
TARGET_BETA_BODY = 1
TARGET_GAMMA_BODY = 2
TARGET_LOGNORMAL_BODY = 3


@jit
def _exact_std(kind, a, b, lb, c_half, q, qc):
    # Exact standardized quantile, given q and its complement qc = 1 - q
    # (each accurate to full relative precision on its own small side).
    if kind == KIND_BETA:
        return beta_ppf_pair(a, b, q, qc, lb, c_half)
    upper = q > 0.5  # a run-time flag: one compiled solver (see gamma_ppf)
    return _gamma_solve(a, qc if upper else q, upper, lb)


@jit
def _log_exact_at_logit(kind, a, b, lb, c_half, t):
    # log x at q = 1 / (1 + e^-t); the complement is formed directly so the
    # upper half keeps its relative accuracy.
    e = math.exp(-abs(t))
    small = e / (1.0 + e)
    if t <= 0.0:
        q, qc = small, 1.0 - small
    else:
        q, qc = 1.0 - small, small
    if kind == KIND_BETA:
        return beta_log_ppf_pair(a, b, q, qc, lb, c_half)
    return math.log(_exact_std(kind, a, b, lb, c_half, q, qc))


@jit
def _cheb_to_monomial(c, out):
    # Rewrite sum_k c_k T_k(x) as sum_j out_j x^j so evaluation is a plain
    # Horner loop (one multiply-add per degree instead of Clenshaw's two).
    # Safe here because the c_k decay geometrically: the large coefficients of
    # high-order T_k multiply tiny c_k, so the monomial sum loses no accuracy
    # on [-1, 1] beyond a few ulps of |c_0| + |c_1|.
    m = c.size
    tkm1 = np.zeros(m)
    tk = np.zeros(m)
    tkm1[0] = 1.0  # T_0
    tk[1] = 1.0  # T_1
    out[:] = 0.0
    out[0] = c[0]
    if m > 1:
        out[1] += c[1]
    for k in range(2, m):
        # T_k = 2 x T_{k-1} - T_{k-2}
        tnew = np.zeros(m)
        for j in range(1, m):
            tnew[j] = 2.0 * tk[j - 1]
        for j in range(m):
            tnew[j] -= tkm1[j]
        for j in range(m):
            out[j] += c[k] * tnew[j]
        tkm1 = tk
        tk = tnew


@jit
def _chebyshev_coefficients(vals, cheb):
    # Discrete cosine transform: the interpolant's Chebyshev coefficients from its
    # values at the first-kind points. The mean is taken out first; otherwise the
    # rounding of a large value (log x of, say, -30) swamps the small trailing ones.
    m = vals.size
    mean = 0.0
    for i in range(m):
        mean += vals[i] / m
    for k in range(m):
        s = 0.0
        for i in range(m):
            s += (vals[i] - mean) * math.cos(math.pi * k * (i + 0.5) / m)
        cheb[k] = 2.0 * s / m
    cheb[0] = mean + 0.5 * cheb[0]


@jit
def build_table(kind, a, b, lb, c_half, coef):
    """Fit the piecewise polynomial table of a standardized quantile function.

    Parameters
    ----------
    kind : int
        ``KIND_BETA`` (Beta(a, b) on [0, 1]) or ``KIND_GAMMA`` (Gamma(a, 1)).
    a, b : float
        Shape parameters (``b`` is ignored for the gamma).
    lb : float
        ``lbeta(a, b)`` for the beta, ``lgamma(a)`` for the gamma.
    c_half : float
        ``I_0.5(a, b)`` for the beta (ignored for the gamma).
    coef : ndarray of float64, shape (N_MAX, DEG + 1)
        Output: row ``j`` holds the monomial coefficients (in the local
        coordinate ``x`` in [-1, 1]) of interval ``j``.

    Returns
    -------
    int
        Number of intervals ``N`` used (rows ``0..N-1`` of ``coef``), or 0 if
        the error target was not met with ``N_MAX`` intervals.

    References
    ----------
    L. N. Trefethen, Approximation Theory and Approximation Practice (2019),
    chapters 3 and 8 (Chebyshev interpolation and its error estimate).
    """
    # Integers made at run time: passed as module constants, Numba would type them as
    # literals and compile fit_table once more for every caller.
    return fit_table(
        np.int64(TARGET_LOG_TAIL),
        kind,
        a,
        b,
        lb,
        c_half,
        -T_MAX,
        T_MAX,
        np.int64(N_START),
        np.int64(N_MAX),
        coef,
    )


@jit
def fit_table(target, kind, a, b, lb, c_half, lo, hi, n_start, n_max, coef):
    """The one Chebyshev fitter of the quantile tables: equal intervals, doubled until good.

    Each of ``n`` equal intervals of ``[lo, hi]`` gets the degree-``DEG`` polynomial
    through the exact target at the first-kind Chebyshev points; ``n`` doubles from
    ``n_start`` until every interval passes :func:`fit_interval`'s error estimate.

    Parameters
    ----------
    target : int
        What is interpolated: ``TARGET_LOG_TAIL`` (log x at the logit coordinate, the
        tail table), or ``TARGET_BETA_BODY``, ``TARGET_GAMMA_BODY``,
        ``TARGET_LOGNORMAL_BODY`` (the quantile at q, the body tables).
    kind, a, b, lb, c_half : float
        The family's constants: for the tail as for :func:`build_table`; for the
        bodies ``a, b, lb, c_half`` are the column's prepared constants 0-3.
    lo, hi : float
        The coordinate's range.
    n_start, n_max : int
        First and largest number of intervals.
    coef : ndarray of float64, shape (>= n_max, DEG + 1)
        Output: monomial coefficients per interval.

    Returns
    -------
    int
        Intervals used, or 0 if ``n_max`` was not enough.
    """
    m = DEG + 1
    nodes = np.empty(m)
    for i in range(m):
        nodes[i] = math.cos(math.pi * (i + 0.5) / m)
    vals = np.empty(m)
    cheb = np.empty(m)
    n = n_start
    while n <= n_max:
        h = (hi - lo) / n
        ok = True
        for j in range(n):
            centre = lo + (j + 0.5) * h
            for i in range(m):
                vals[i] = _target_value(target, kind, a, b, lb, c_half, centre + 0.5 * h * nodes[i])
            if not fit_interval(vals, cheb, coef[j], target == TARGET_LOG_TAIL):
                ok = False
                break
        if ok:
            return n
        n *= 2
    return 0


@jit
def _target_value(target, kind, a, b, lb, c_half, x):
    # The exact value a table interpolates, at coordinate x.
    if target == TARGET_LOG_TAIL:
        return _log_exact_at_logit(kind, a, b, lb, c_half, x)
    if target == TARGET_BETA_BODY:
        # The standardized beta quantile directly (no rounding of loc + scale x).
        return beta_ppf_pair(a, b, x, 1.0 - x, lb, c_half)
    if target == TARGET_GAMMA_BODY:
        return gamma_ppf(a, x, lb)
    return math.exp(a + b * ndtri(x))  # lognormal: a = log median, b = sigma


@jit(fastmath={"contract"})
def table_ppf(kind, a, b, lb, c_half, coef, n, q):
    """Standardized quantile from a table built by :func:`build_table`.

    Parameters
    ----------
    kind, a, b, lb, c_half
        As for :func:`build_table`.
    coef : ndarray of float64, shape (N_MAX, DEG + 1)
        The table.
    n : int
        Intervals in use (the return value of :func:`build_table`); 0 means
        no table, and the exact solver is used.
    q : float
        Probability in [0, 1].

    Returns
    -------
    float
        The quantile; NaN if ``q`` is outside [0, 1].
    """
    if not (q > 0.0 and q < 1.0):
        if q == 0.0:
            return 0.0
        if q == 1.0:
            return 1.0 if kind == KIND_BETA else math.inf
        return math.nan
    # 1 - q is exact for q >= 1/2 and within half an ulp below it, so t is
    # accurate to an absolute ~1e-16 everywhere.
    t = math.log(q / (1.0 - q))
    if n == 0 or not (abs(t) <= T_MAX):
        return _exact_std(kind, a, b, lb, c_half, q, 1.0 - q)
    z = (t + T_MAX) * (n / (2.0 * T_MAX))
    j = int(z)
    if j >= n:
        j = n - 1
    x = 2.0 * (z - j) - 1.0
    g = coef[j, DEG]
    for k in range(DEG - 1, -1, -1):
        g = g * x + coef[j, k]
    return math.exp(g)


@jit
def fit_interval(vals, cheb, coef_row, absolute):
    """Fit one interval of a table from the exact values at its Chebyshev points.

    Parameters
    ----------
    vals : ndarray of float64, shape (DEG + 1,)
        The exact target at the first-kind Chebyshev points ``cos(pi (i + 1/2) /
        (DEG + 1))`` of the interval's local coordinate.
    cheb : ndarray of float64, shape (DEG + 1,)
        Scratch space.
    coef_row : ndarray of float64, shape (DEG + 1,)
        Output: monomial coefficients in the local coordinate on [-1, 1].
    absolute : bool
        The tail table's test (``log x``, whose values may cross 0): the trailing
        Chebyshev coefficients below ``1e-14 + 2e-16 max|value|``, since the node
        values carry ~1e-15 noise from the exact solver and the second term is the
        rounding floor of storing ``log x``. Otherwise the bodies' relative test:
        below ``1e-14`` times the smallest ``|value|``.

    Returns
    -------
    bool
        Whether the trailing coefficients (the error estimate, Trefethen 2019,
        chapter 8) pass the test.
    """
    m = DEG + 1
    _chebyshev_coefficients(vals, cheb)
    tail = abs(cheb[m - 1]) + abs(cheb[m - 2]) + abs(cheb[m - 3])
    _cheb_to_monomial(cheb, coef_row)
    if absolute:
        gmax = 0.0
        for i in range(m):
            gmax = max(gmax, abs(vals[i]))
        return tail <= 1e-14 + 2e-16 * gmax
    vmin = math.inf
    for i in range(m):
        vmin = min(vmin, abs(vals[i]))
    return tail <= 1e-14 * vmin


@jit(fastmath={"contract"})
def body_ppf(coef, n, q):
    """Quantile from a body table, for ``BODY_LO <= q <= BODY_HI`` only.

    Parameters
    ----------
    coef : ndarray of float64, shape (NB_MAX, DEG + 1)
        Monomial coefficients per interval (from :func:`fit_body_interval`).
    n : int
        Equal intervals in use over ``[BODY_LO, BODY_HI]``.
    q : float
        Probability in the body.

    Returns
    -------
    float
        The interpolated quantile.
    """
    # A multiply by a folded constant, not a division per element.
    z = (q - BODY_LO) * (n * (1.0 / (BODY_HI - BODY_LO)))
    j = int(z)
    if j >= n:
        j = n - 1
    x = 2.0 * (z - j) - 1.0
    # Estrin's scheme (written out for DEG = 12): short independent chains instead of
    # Horner's one chain of twelve dependent multiply-adds.
    x2 = x * x
    x4 = x2 * x2
    p01 = coef[j, 0] + coef[j, 1] * x
    p23 = coef[j, 2] + coef[j, 3] * x
    p45 = coef[j, 4] + coef[j, 5] * x
    p67 = coef[j, 6] + coef[j, 7] * x
    p89 = coef[j, 8] + coef[j, 9] * x
    p1011 = coef[j, 10] + coef[j, 11] * x
    low = p01 + p23 * x2
    mid = p45 + p67 * x2
    high = p89 + p1011 * x2 + coef[j, 12] * x4
    return low + (mid + high * x4) * x4
