"""Scalar and column inverse-CDF kernels for every family.

Parameter layout shared with :mod:`distributions.matrix`: each column has a
family ``code`` and four canonical parameters ``params4`` (unused slots are 0):

============  ====  ========================================
family        code  params4
============  ====  ========================================
constant      0     value, 0, 0, 0
uniform       1     low, high, 0, 0
triangular    2     low, mode, high, 0
pert          3     low, mode, high, shape
normal        4     mean, sd, 0, 0
truncnormal   5     mean, sd, low, high (either may be +-inf)
lognormal     6     median, sigma, 0, 0
beta          7     a, b, low, high
gamma         8     shape, scale, loc, 0
choice        9     0, 0, 0, 0 (uses the table)
empirical     10    0, 0, 0, 0 (uses the table)
passthrough   11    0, 0, 0, 0 (not a distribution: see below)
============  ====  ========================================

``PASSTHROUGH`` columns already hold values in the input's units: the transform
copies them. It lets the one compiled sampling pass also evaluate ready-made rows
of inputs (``tco calc``, the TCO-index search, the tornado), so none of them
compiles a kernel of its own.

Table layout for choice/empirical: ``table[0, :m]`` holds the values
(ascending for numbers and empirical data; category indices 0..m-1 for string
choices), ``table[1, :m]`` the cumulative weights of a choice (last entry
exactly 1); ``m`` is the table length.

Out-of-range or NaN probabilities give NaN, never an exception: these kernels
run inside parallel loops, and the public wrappers validate beforehand.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ._special import beta_ppf_pair, gamma_ppf, ibeta, lbeta, ndtr, ndtri
from ._table import (
    BODY_HI,
    BODY_LO,
    DEG,
    KIND_BETA,
    KIND_GAMMA,
    N_MAX,
    NB_MAX,
    NB_START,
    TARGET_BETA_BODY,
    TARGET_GAMMA_BODY,
    TARGET_LOGNORMAL_BODY,
    body_ppf,
    build_table,
    fit_table,
    table_ppf,
)
from .jit import jit

__all__ = [
    "BETA",
    "CHOICE",
    "CONSTANT",
    "EMPIRICAL",
    "GAMMA",
    "LOGNORMAL",
    "NORMAL",
    "N_CONST",
    "PASSTHROUGH",
    "PERT",
    "TRIANGULAR",
    "TRUNCNORMAL",
    "UNIFORM",
    "build_body_table",
    "column_into",
    "has_body_table",
    "ppf_prepared",
    "ppf_scalar",
    "prepare",
]

CONSTANT = 0
UNIFORM = 1
TRIANGULAR = 2
PERT = 3
NORMAL = 4
TRUNCNORMAL = 5
LOGNORMAL = 6
BETA = 7
GAMMA = 8
CHOICE = 9
EMPIRICAL = 10
PASSTHROUGH = 11

N_CONST = 10
_SQRT1_2 = 0.7071067811865475244


@jit
def prepare(code, p, cst):
    """Derive per-column constants from the canonical parameters.

    Parameters
    ----------
    code : int
        Family code.
    p : ndarray of float64, shape (4,)
        Canonical parameters (see the module docstring).
    cst : ndarray of float64, shape (N_CONST,)
        Output constants used by :func:`ppf_prepared`: computed once per
        column so the per-element work is only the inversion itself.
    """
    cst[:] = 0.0
    if code == CONSTANT or code == NORMAL:
        cst[0] = p[0]
        cst[1] = p[1]
    elif code == UNIFORM:
        cst[0] = p[0]
        cst[1] = p[1] - p[0]
    elif code == TRIANGULAR:
        width = p[2] - p[0]
        cst[0] = p[0]
        cst[1] = p[2]
        cst[2] = (p[1] - p[0]) / width
        cst[3] = width * (p[1] - p[0])
        cst[4] = width * (p[2] - p[1])
    elif code == PERT or code == BETA:
        if code == PERT:
            width = p[2] - p[0]
            a = 1.0 + p[3] * (p[1] - p[0]) / width
            b = 1.0 + p[3] * (p[2] - p[1]) / width
            lo = p[0]
            hi = p[2]
        else:
            a = p[0]
            b = p[1]
            lo = p[2]
            hi = p[3]
        lb = lbeta(a, b)
        cst[0] = a
        cst[1] = b
        cst[2] = lb
        cst[3] = ibeta(a, b, 0.5, lb)[0]
        cst[4] = lo
        cst[5] = hi - lo
    elif code == GAMMA:
        cst[0] = p[0]
        cst[1] = 0.0
        cst[2] = math.lgamma(p[0])
        cst[3] = 0.0
        cst[4] = p[2]
        cst[5] = p[1]
    elif code == TRUNCNORMAL:
        mu = p[0]
        sd = p[1]
        al = (p[2] - mu) / sd
        be = (p[3] - mu) / sd
        cst[0] = mu
        cst[1] = sd
        cst[2] = al
        cst[3] = be
        cst[4] = ndtr(al)  # lower tail below alpha
        cst[5] = ndtr(-be)  # upper tail above beta
        # Probability of [alpha, beta] without cancellation: from the tails
        # when the interval sits on one side of 0, from erf across 0.
        if al >= 0.0:
            cst[6] = ndtr(-al) - cst[5]
        elif be <= 0.0:
            cst[6] = ndtr(be) - cst[4]
        else:
            cst[6] = 0.5 * (math.erf(be * _SQRT1_2) - math.erf(al * _SQRT1_2))
        cst[7] = math.erf(al * _SQRT1_2)
        cst[8] = p[2]
        cst[9] = p[3]
    elif code == LOGNORMAL:
        cst[0] = math.log(p[0])
        cst[1] = p[1]
        cst[4] = 0.0  # location and scale of the body table's values (see build_body_table)
        cst[5] = 1.0


@jit
def ppf_prepared(code, cst, u):
    """Exact quantile of a parametric family from prepared constants.

    Parameters
    ----------
    code : int
        Family code (not choice/empirical, which need a table).
    cst : ndarray of float64, shape (N_CONST,)
        Output of :func:`prepare`.
    u : float
        Probability in [0, 1].

    Returns
    -------
    float
        The quantile; NaN for ``u`` outside [0, 1] or an unknown code.
    """
    if not (u >= 0.0 and u <= 1.0):
        return math.nan
    if code == CONSTANT:
        return cst[0]
    if code == UNIFORM:
        return cst[0] + u * cst[1]
    if code == TRIANGULAR:
        if u < cst[2]:
            return cst[0] + math.sqrt(u * cst[3])
        # 1 - u is exact here (u >= mode fraction is not guaranteed >= 1/2,
        # but the rounding of 1 - u is at most half an ulp of 1).
        return cst[1] - math.sqrt((1.0 - u) * cst[4])
    if code == NORMAL:
        return cst[0] + cst[1] * ndtri(u)
    if code == LOGNORMAL:
        return math.exp(cst[0] + cst[1] * ndtri(u))
    if code == PERT or code == BETA:
        x = beta_ppf_pair(cst[0], cst[1], u, 1.0 - u, cst[2], cst[3])
        return cst[4] + cst[5] * x
    if code == GAMMA:
        return cst[4] + cst[5] * gamma_ppf(cst[0], u, cst[2])
    if code == TRUNCNORMAL:
        return _truncnorm(cst, u)
    return math.nan


@jit
def _truncnorm(cst, u):
    # Invert on whichever side keeps the target probability small: the lower
    # form Phi(alpha) + u * mass when that is <= 1/2, else the upper form
    # Phi(-beta) + (1 - u) * mass, mirrored. Both sums are of positive terms.
    if u == 0.0:
        return cst[8]
    if u == 1.0:
        return cst[9]
    mass = cst[6]
    lower = cst[4] + u * mass
    if lower <= 0.5:
        z = ndtri(lower)
    else:
        z = -ndtri(cst[5] + (1.0 - u) * mass)
    if cst[2] > -1.0 and cst[3] < 1.0:
        # A narrow window around the mean: Phi(alpha) + u * mass sits near 1/2,
        # where its absolute rounding (~1e-16) is large relative to the window.
        # Newton steps on the erf difference, which has no such cancellation
        # (erf is well conditioned on (-1, 1)).
        for _ in range(2):
            r = 0.5 * (math.erf(z * _SQRT1_2) - cst[7]) - u * mass
            z -= r / (math.exp(-0.5 * z * z) * 0.3989422804014327)
    # Rounding can push z, and then x, a hair outside the bounds.
    z = min(max(z, cst[2]), cst[3])
    return min(max(cst[0] + cst[1] * z, cst[8]), cst[9])


@jit
def ppf_scalar(code, params4, u):
    """Exact quantile of one parametric family at one probability.

    For use inside other ``@njit`` code. Prepares the constants on every call;
    array callers should use :func:`distributions.ppf_column` instead.

    Parameters
    ----------
    code : int
        Family code (0-8; choice and empirical need a table).
    params4 : ndarray of float64, shape (4,)
        Canonical parameters.
    u : float
        Probability in [0, 1].

    Returns
    -------
    float
        The quantile (exact solvers, ~1e-15 relative).
    """
    cst = np.empty(N_CONST)
    prepare(code, params4, cst)
    return ppf_prepared(code, cst, u)


@jit
def has_body_table(code):
    """Whether a family's quantile is interpolated over the body (see build_body_table)."""
    return code == PERT or code == BETA or code == GAMMA or code == LOGNORMAL


@jit
def build_body_table(code, cst, coef):
    """Fit the quantile over the body ``[BODY_LO, BODY_HI]`` with q as the coordinate.

    Over the central 15/16 of the probabilities the quantile function of these
    families is analytic in ``q`` (its singularities sit at 0 and 1), so a
    piecewise polynomial on equal intervals of ``q`` needs neither the logit nor
    the exp of the tail table (:mod:`distributions._table`) nor, for the
    lognormal, the normal quantile and exp: about a third of the cost per element.

    Parameters
    ----------
    code : int
        Family code (PERT, beta, gamma or lognormal; see :func:`has_body_table`).
    cst : ndarray of float64, shape (N_CONST,)
        Output of :func:`prepare`.
    coef : ndarray of float64, shape (NB_MAX, DEG + 1)
        Output: monomial coefficients per interval.

    Returns
    -------
    int
        Intervals used (16 doubling up to NB_MAX until every interval meets
        ``1e-14`` relative), or 0 if none did: then the exact/tail path is used.
    """
    if not has_body_table(code):
        return 0
    if code == PERT or code == BETA:
        target = TARGET_BETA_BODY
    elif code == GAMMA:
        target = TARGET_GAMMA_BODY
    else:
        target = TARGET_LOGNORMAL_BODY
    # Integers made at run time, so this call shares build_table's compiled fit_table.
    return fit_table(
        np.int64(target),
        np.int64(KIND_BETA),
        cst[0],
        cst[1],
        cst[2],
        cst[3],
        BODY_LO,
        BODY_HI,
        np.int64(NB_START),
        np.int64(NB_MAX),
        coef,
    )


@jit
def _choice_ppf(table, m, u):
    # Generalized inverse inf{x : F(x) >= u}: first index whose cumulative
    # weight reaches u (binary search).
    if m < 1 or not (u >= 0.0 and u <= 1.0):
        return math.nan
    lo = 0
    hi = m - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if table[1, mid] >= u:
            hi = mid
        else:
            lo = mid + 1
    return table[0, lo]


@jit
def _empirical_ppf(table, m, u):
    # numpy.quantile(method="linear") (Hyndman & Fan type 7), using numpy's
    # two-sided lerp so results agree to the last bit.
    if m < 1 or not (u >= 0.0 and u <= 1.0):
        return math.nan
    h = (m - 1) * u
    i = math.floor(h)
    if i >= m - 1:
        return table[0, m - 1]
    t = h - i
    a = table[0, i]
    b = table[0, i + 1]
    d = b - a
    if t >= 0.5:
        return b - d * (1.0 - t)
    return a + d * t


@jit(inline="always")
def table_value(kind, cst, coef, nt, body, nb, q):
    """Beta, PERT or gamma quantile: body table, else the logit tail table.

    Parameters
    ----------
    kind : int
        ``KIND_BETA`` or ``KIND_GAMMA``.
    cst : ndarray of float64, shape (N_CONST,)
        Output of :func:`prepare`.
    coef : ndarray of float64, shape (N_MAX, DEG + 1)
        Tail table (:func:`distributions._table.build_table`), ``nt`` intervals.
    nt : int
        Intervals of the tail table (0: exact solver).
    body : ndarray of float64, shape (NB_MAX, DEG + 1)
        Body table (:func:`build_body_table`), ``nb`` intervals.
    nb : int
        Intervals of the body table (0: none).
    q : float
        Probability.

    Returns
    -------
    float
        The quantile, in the family's units.
    """
    if nb > 0 and q >= BODY_LO and q <= BODY_HI:
        x = body_ppf(body, nb, q)
    else:
        x = table_ppf(kind, cst[0], cst[1], cst[2], cst[3], coef, nt, q)
    return cst[4] + cst[5] * x


@jit(inline="always")
def lognormal_value(cst, body, nb, q):
    """Lognormal quantile: body table, else the exact formula (arguments as above)."""
    if nb > 0 and q >= BODY_LO and q <= BODY_HI:
        return body_ppf(body, nb, q)
    return ppf_prepared(np.int64(LOGNORMAL), cst, q)


@jit(parallel=True)
def column_into(code, params4, u, out, table, m):
    """Fill ``out[i] = ppf(u[i])`` for one family; parallel over elements.

    Parameters
    ----------
    code : int
        Family code.
    params4 : ndarray of float64, shape (4,)
        Canonical parameters.
    u : ndarray of float64, shape (n,)
        Probabilities.
    out : ndarray of float64, shape (n,)
        Output (may be a strided column view).
    table : ndarray of float64, shape (2, >= m)
        Choice/empirical table (ignored otherwise).
    m : int
        Table length.

    Notes
    -----
    Beta, PERT and gamma columns first build a Chebyshev table of the
    quantile function (:mod:`distributions._table`) from the exact solver,
    then interpolate; every element is computed independently, so the result
    does not depend on the number of threads or on how rows are split.
    """
    n = u.shape[0]
    cst = np.empty(N_CONST)
    prepare(code, params4, cst)
    body = np.empty((NB_MAX, DEG + 1))
    nb = build_body_table(code, cst, body)
    if code == PERT or code == BETA or code == GAMMA:
        kind = KIND_GAMMA if code == GAMMA else KIND_BETA
        coef = np.empty((N_MAX, DEG + 1))
        nt = build_table(kind, cst[0], cst[1], cst[2], cst[3], coef)
        for i in numba.prange(n):
            out[i] = table_value(kind, cst, coef, nt, body, nb, u[i])
    elif code == LOGNORMAL:
        for i in numba.prange(n):
            out[i] = lognormal_value(cst, body, nb, u[i])
    elif code == CHOICE:
        for i in numba.prange(n):
            out[i] = _choice_ppf(table, m, u[i])
    elif code == EMPIRICAL:
        for i in numba.prange(n):
            out[i] = _empirical_ppf(table, m, u[i])
    else:
        for i in numba.prange(n):
            out[i] = ppf_prepared(code, cst, u[i])
