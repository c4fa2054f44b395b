"""Reference problems with analytic Sobol' indices, to check the estimators against.

Each model takes ``X`` in its natural domain (rows are points, columns inputs) and
comes with a function returning its exact first-order (``S1``), total-order
(``ST``) and second-order (``S2``, upper triangle, NaN elsewhere, as SALib lays it
out) indices for independent uniform inputs:

============  ======================  ===========================================
model         inputs                  reference
============  ======================  ===========================================
ishigami      3 x U(-pi, pi)          Ishigami & Homma (1990)
g_function    len(a) x U(0, 1)        Saltelli & Sobol' (1995)
linear        len(c) x U(0, 1)        additive: S1 = ST = c**2 / sum(c**2)
============  ======================  ===========================================
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "G_FUNCTION_BOUNDS",
    "ISHIGAMI_BOUNDS",
    "LINEAR_BOUNDS",
    "g_function",
    "g_function_indices",
    "ishigami",
    "ishigami_indices",
    "linear",
    "linear_indices",
]

ISHIGAMI_BOUNDS = (-np.pi, np.pi)  # every input U(-pi, pi)
G_FUNCTION_BOUNDS = (0.0, 1.0)  # every input U(0, 1)
LINEAR_BOUNDS = (0.0, 1.0)  # every input U(0, 1)


def _columns(X, d, name):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or (d is not None and X.shape[1] != d):
        want = "(n, k)" if d is None else f"(n, {d})"
        raise ValueError(f"{name}: X has shape {X.shape}, expected {want}")
    return X


def _upper(D, values):
    """A (D, D) matrix with ``values[j, k]`` above the diagonal and NaN elsewhere."""
    out = np.full((D, D), np.nan)
    j, k = np.triu_indices(D, 1)
    out[j, k] = values[j, k]
    return out


def ishigami(X, a=7.0, b=0.1):
    """Ishigami function ``sin x1 + a sin^2 x2 + b x3^4 sin x1``.

    Parameters
    ----------
    X : array_like, shape (n, 3)
        Points with every coordinate in [-pi, pi] (radians).
    a, b : float, optional
        Coefficients; (7, 0.1) is the usual choice.

    Returns
    -------
    ndarray, shape (n,)
        Function values (dimensionless).

    References
    ----------
    Ishigami, T. and Homma, T. (1990). An importance quantification technique in
    uncertainty analysis for computer models. Proc. ISUMA '90, 398-403.
    doi:10.1109/ISUMA.1990.151285
    """
    X = _columns(X, 3, "ishigami")
    s1 = np.sin(X[:, 0])
    return s1 + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * s1


def ishigami_indices(a=7.0, b=0.1):
    """Exact Sobol' indices of :func:`ishigami` with inputs U(-pi, pi).

    With ``V1 = (1 + b pi^4 / 5)^2 / 2``, ``V2 = a^2 / 8``, ``V3 = 0``,
    ``V13 = 8 b^2 pi^8 / 225`` and ``V = V1 + V2 + V13``: ``S1 = (V1, V2, 0) / V``,
    ``ST = (V1 + V13, V2, V13) / V``, ``S13 = V13 / V``, ``S12 = S23 = 0``.

    Parameters
    ----------
    a, b : float, optional
        Coefficients of :func:`ishigami`.

    Returns
    -------
    dict of ndarray
        ``S1``, ``ST`` of shape (3,), ``S2`` of shape (3, 3) (upper triangle), and
        ``V``, the output variance (a 0-d array).

    References
    ----------
    Ishigami and Homma (1990), doi:10.1109/ISUMA.1990.151285; the closed form as
    in Sobol' and Levitan (1999), doi:10.1016/S0010-4655(98)00156-8.
    """
    pi4 = np.pi**4
    V1 = 0.5 * (1.0 + b * pi4 / 5.0) ** 2
    V2 = a**2 / 8.0
    V13 = 8.0 * b**2 * np.pi**8 / 225.0
    V = V1 + V2 + V13
    S2 = np.zeros((3, 3))
    S2[0, 2] = V13 / V
    return {
        "S1": np.array([V1, V2, 0.0]) / V,
        "ST": np.array([V1 + V13, V2, V13]) / V,
        "S2": _upper(3, S2),
        "V": np.asarray(V),
    }


def g_function(X, a):
    """Sobol' G-function ``prod_i (|4 x_i - 2| + a_i) / (1 + a_i)``.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Points in the unit cube.
    a : array_like, shape (d,)
        Non-negative importance coefficients: small ``a_i`` means an important
        input; ``a_i = 99`` makes it nearly inert.

    Returns
    -------
    ndarray, shape (n,)
        Function values (dimensionless, mean 1).

    References
    ----------
    Saltelli, A. and Sobol', I. M. (1995). About the use of rank transformation
    in sensitivity analysis of model output. Reliability Engineering & System
    Safety 50(3), 225-239. doi:10.1016/0951-8320(95)00099-2
    """
    a = np.asarray(a, dtype=np.float64)
    X = _columns(X, a.size, "g_function")
    return np.prod((np.abs(4.0 * X - 2.0) + a) / (1.0 + a), axis=1)


def g_function_indices(a):
    """Exact Sobol' indices of :func:`g_function` with inputs U(0, 1).

    ``V_i = 1 / (3 (1 + a_i)^2)``, ``V = prod(1 + V_i) - 1``; ``S_i = V_i / V``,
    ``S_Ti = V_i prod_{j != i}(1 + V_j) / V``, ``S_ij = V_i V_j / V``.

    Parameters
    ----------
    a : array_like, shape (d,)
        Coefficients of :func:`g_function`.

    Returns
    -------
    dict of ndarray
        ``S1``, ``ST`` of shape (d,), ``S2`` of shape (d, d) (upper triangle), and
        ``V``.

    References
    ----------
    Saltelli and Sobol' (1995), doi:10.1016/0951-8320(95)00099-2.
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 1 or np.any(a < 0):
        raise ValueError(f"g_function_indices: a = {a!r} must be a 1-D array of values >= 0")
    Vi = 1.0 / (3.0 * (1.0 + a) ** 2)
    V = np.prod(1.0 + Vi) - 1.0
    return {
        "S1": Vi / V,
        "ST": Vi * np.prod(1.0 + Vi) / (1.0 + Vi) / V,
        "S2": _upper(a.size, np.outer(Vi, Vi) / V),
        "V": np.asarray(V),
    }


def linear(X, c):
    """Linear additive model ``sum_i c_i x_i``.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Points in the unit cube.
    c : array_like, shape (d,)
        Coefficients (output units per unit input).

    Returns
    -------
    ndarray, shape (n,)
        Function values.
    """
    c = np.asarray(c, dtype=np.float64)
    return _columns(X, c.size, "linear") @ c


def linear_indices(c):
    """Exact Sobol' indices of :func:`linear` with independent U(0, 1) inputs.

    The model is additive, so ``S1_i = ST_i = c_i^2 / sum(c^2)`` (each input's
    variance is ``c_i^2 / 12``) and every ``S2`` is 0.

    Parameters
    ----------
    c : array_like, shape (d,)
        Coefficients of :func:`linear`, not all zero.

    Returns
    -------
    dict of ndarray
        ``S1``, ``ST`` of shape (d,), ``S2`` of shape (d, d), and ``V``.
    """
    c = np.asarray(c, dtype=np.float64)
    if c.ndim != 1 or not np.any(c != 0):
        raise ValueError(f"linear_indices: c = {c!r} must be a 1-D array, not all zero")
    S = c**2 / np.sum(c**2)
    return {
        "S1": S,
        "ST": S.copy(),
        "S2": _upper(c.size, np.zeros((c.size, c.size))),
        "V": np.asarray(np.sum(c**2) / 12.0),
    }
