"""A table-driven complementary error function for the per-row kernel.

The libm ``erfc`` costs about 30 ns a call and the kernel needs two per row (the
capped lognormal request length), a third of the whole model. Here
``erfc(x) = exp(-x**2) * erfcx(x)`` for ``x >= 0``, where the scaled function
``erfcx`` is smooth and slowly varying, so a piecewise polynomial of degree 12 on
intervals of width 1/2 reproduces it to a few units in the last place; ``exp`` is
the only transcendental call left. Negative arguments use ``erfc(x) = 2 - erfc(-x)``.

The table (:mod:`simulate.model.erfc_table`) was fitted to :func:`scipy.special.erfcx`
at Chebyshev points by :func:`fit_erfcx_table` and ships as constants: start-up needs
no SciPy, and every machine evaluates the same bits. ``tests/test_erfc.py`` refits
it and checks the function against :func:`math.erfc`.
"""

from __future__ import annotations

import math

import numpy as np

from distributions.jit import jit
from simulate.model.erfc_table import ERFCX_COEFFICIENTS

__all__ = ["ERFC_X_MAX", "erfc", "fit_erfcx_table"]

ERFC_DEGREE = 12
ERFC_STEP = 0.5  # interval width in x
ERFC_X_MAX = 26.5  # erfc(26.5) ~ 1e-307; beyond it libm handles the underflow
ERFC_INTERVALS = int(ERFC_X_MAX / ERFC_STEP)


def fit_erfcx_table() -> np.ndarray:
    """Fit the monomial coefficients of erfcx on each interval, local coordinate [-1, 1].

    How :data:`simulate.model.erfc_table.ERFCX_COEFFICIENTS` was made (and is
    checked): the degree-12 polynomial through erfcx at the 13 Chebyshev points of
    the first kind of each interval of width :data:`ERFC_STEP`.

    Returns
    -------
    ndarray of float64, shape (ERFC_INTERVALS, ERFC_DEGREE + 1)
        Row ``j``: coefficients of ``t**0 .. t**12`` on ``[j, j + 1] * ERFC_STEP``.
    """
    from numpy.polynomial import chebyshev
    from scipy import special

    nodes = np.cos(np.pi * (np.arange(ERFC_DEGREE + 1) + 0.5) / (ERFC_DEGREE + 1))
    table = np.empty((ERFC_INTERVALS, ERFC_DEGREE + 1))
    for j in range(ERFC_INTERVALS):
        centre = (j + 0.5) * ERFC_STEP
        values = special.erfcx(centre + 0.5 * ERFC_STEP * nodes)
        table[j] = chebyshev.cheb2poly(chebyshev.chebfit(nodes, values, ERFC_DEGREE))
    return table


# Module-level arrays are frozen into compiled code as constants.
ERFCX_TABLE = np.array(ERFCX_COEFFICIENTS)


@jit
def _erfc_nonnegative(x):
    # erfc(x) for 0 <= x < ERFC_X_MAX.
    z = x * (1.0 / ERFC_STEP)
    j = int(z)
    t = 2.0 * (z - j) - 1.0
    t2 = t * t
    t4 = t2 * t2
    c = ERFCX_TABLE
    # Estrin's scheme: short independent chains instead of one of twelve multiply-adds.
    low = (c[j, 0] + c[j, 1] * t) + (c[j, 2] + c[j, 3] * t) * t2
    mid = (c[j, 4] + c[j, 5] * t) + (c[j, 6] + c[j, 7] * t) * t2
    high = (c[j, 8] + c[j, 9] * t) + (c[j, 10] + c[j, 11] * t) * t2 + c[j, 12] * t4
    return math.exp(-x * x) * (low + (mid + high * t4) * t4)


@jit
def erfc(x):
    """Complementary error function, ``erfc(x) = 1 - erf(x)``, dimensionless.

    Parameters
    ----------
    x : float
        Argument.

    Returns
    -------
    float
        ``erfc(x)``, within about 1e-14 relative of :func:`math.erfc` (NaN for NaN).
    """
    if x >= 0.0:
        if x < ERFC_X_MAX:
            return _erfc_nonnegative(x)
        return math.erfc(x)
    if x > -ERFC_X_MAX:
        return 2.0 - _erfc_nonnegative(-x)
    return math.erfc(x)
