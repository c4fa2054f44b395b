"""Scalar special functions for the inverse-CDF kernels (all Numba-compiled).

Everything here works on one float at a time so that the array kernels in
:mod:`distributions.kernels` can call it from inside ``prange`` loops. The
functions return NaN rather than raising, because raising is not possible
inside parallel compiled loops; the public wrappers validate their inputs.

Accuracy goal: about 1e-15 relative for the inverse CDFs, which is what the
tests hold them to (1e-10 relative against :mod:`scipy.stats`, with margin).
"""

from __future__ import annotations

import math

from .jit import jit

__all__ = [
    "beta_log_ppf_pair",
    "beta_ppf",
    "beta_ppf_pair",
    "gamma_ppf",
    "ibeta",
    "igamma",
    "lbeta",
    "ndtr",
    "ndtri",
]

_SQRT1_2 = 0.7071067811865475244
# Lentz's method replaces an exact zero denominator by this tiny number.
_TINY = 1e-300
_EPS = 2.220446049250313e-16
# Root solvers stop once the last correction is below this relative size; with
# Halley's cubic convergence the remaining error is then far below it.
_XTOL = 1e-15
_MAXIT = 200

# Coefficients of Wichura's AS 241 (PPND16) rational approximations:
# central region |p - 0.5| <= 0.425, intermediate tail r <= 5, far tail r > 5.
_A = (
    3.3871328727963666080e0,
    1.3314166789178437745e2,
    1.9715909503065514427e3,
    1.3731693765509461125e4,
    4.5921953931549871457e4,
    6.7265770927008700853e4,
    3.3430575583588128105e4,
    2.5090809287301226727e3,
)
_B = (
    1.0,
    4.2313330701600911252e1,
    6.8718700749205790830e2,
    5.3941960214247511077e3,
    2.1213794301586595867e4,
    3.9307895800092710610e4,
    2.8729085735721942674e4,
    5.2264952788528545610e3,
)
_C = (
    1.42343711074968357734e0,
    4.63033784615654529590e0,
    5.76949722146069140550e0,
    3.64784832476320460504e0,
    1.27045825245236838258e0,
    2.41780725177450611770e-1,
    2.27238449892691845833e-2,
    7.74545014278341407640e-4,
)
_D = (
    1.0,
    2.05319162663775882187e0,
    1.67638483018380384940e0,
    6.89767334985100004550e-1,
    1.48103976427480074590e-1,
    1.51986665636164571966e-2,
    5.47593808499534494600e-4,
    1.05075007164441684324e-9,
)
_E = (
    6.65790464350110377720e0,
    5.46378491116411436990e0,
    1.78482653991729133580e0,
    2.96560571828504891230e-1,
    2.65321895265761230930e-2,
    1.24266094738807843860e-3,
    2.71155556874348757815e-5,
    2.01033439929228813265e-7,
)
_F = (
    1.0,
    5.99832206555887937690e-1,
    1.36929880922735805310e-1,
    1.48753612908506148525e-2,
    7.86869131145613259100e-4,
    1.84631831751005468180e-5,
    1.42151175831644588870e-7,
    2.04426310338993978564e-15,
)


@jit
def _poly7(c, x):
    # Horner on a fixed-length tuple: Numba unrolls it.
    return (
        (((((c[7] * x + c[6]) * x + c[5]) * x + c[4]) * x + c[3]) * x + c[2]) * x + c[1]
    ) * x + c[0]


@jit
def ndtri(p):
    """Standard normal quantile (inverse of :func:`ndtr`).

    Parameters
    ----------
    p : float
        Probability in [0, 1].

    Returns
    -------
    float
        ``z`` with ``Phi(z) = p``; ``-inf`` / ``inf`` at 0 / 1 and NaN outside.

    Notes
    -----
    Wichura's rational approximations (about 1e-16 relative). The tail branch
    works with ``min(p, 1 - p)``; ``1 - p`` is exact for ``p >= 0.5``, so upper
    quantiles keep full relative accuracy in ``1 - p``.

    References
    ----------
    M. J. Wichura, "Algorithm AS 241: The percentage points of the normal
    distribution", Applied Statistics 37(3), 477-484 (1988). doi:10.2307/2347330
    """
    if not (p >= 0.0 and p <= 1.0):
        return math.nan
    if p == 0.0:
        return -math.inf
    if p == 1.0:
        return math.inf
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * _poly7(_A, r) / _poly7(_B, r)
    r = p if q < 0.0 else 1.0 - p
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r -= 1.6
        z = _poly7(_C, r) / _poly7(_D, r)
    else:
        r -= 5.0
        z = _poly7(_E, r) / _poly7(_F, r)
    return -z if q < 0.0 else z


@jit
def ndtr(x):
    """Standard normal CDF, ``Phi(x) = erfc(-x / sqrt(2)) / 2``.

    Parameters
    ----------
    x : float
        Standard normal deviate.

    Returns
    -------
    float
        ``Phi(x)``; accurate relative to itself in the lower tail because it
        uses ``erfc`` there instead of ``1 + erf``.

    References
    ----------
    DLMF 7.2.2 and 7.18; the libm ``erfc`` (W. J. Cody, Math. Comp. 23 (1969)
    631-637, doi:10.1090/S0025-5718-1969-0247736-4).
    """
    return 0.5 * math.erfc(-x * _SQRT1_2)


@jit
def lbeta(a, b):
    """Logarithm of the complete beta function ``B(a, b)``.

    Parameters
    ----------
    a, b : float
        Positive shape parameters.

    Returns
    -------
    float
        ``lgamma(a) + lgamma(b) - lgamma(a + b)``.

    References
    ----------
    DLMF 5.12.1.
    """
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


@jit
def _betacf(a, b, x):
    # Continued fraction of DLMF 8.17.22 for I_x(a, b) * a * B(a, b) / (x^a (1-x)^b),
    # evaluated forwards with the modified Lentz method (Thompson & Barnett 1986).
    # It converges quickly for x < (a + 1) / (a + b + 2); callers use the
    # symmetry I_x(a, b) = 1 - I_{1-x}(b, a) beyond that point.
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < _TINY:
        d = _TINY
    d = 1.0 / d
    h = d
    for m in range(1, 10000):
        m2 = 2.0 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        if abs(d) < _TINY:
            d = _TINY
        c = 1.0 + aa / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        if abs(d) < _TINY:
            d = _TINY
        c = 1.0 + aa / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return h


@jit
def ibeta(a, b, x, lb):
    """Regularized incomplete beta function and its complement.

    Parameters
    ----------
    a, b : float
        Positive shape parameters.
    x : float
        Point in [0, 1].
    lb : float
        ``lbeta(a, b)``, passed in so a column computes it once.

    Returns
    -------
    p, q : float
        ``I_x(a, b)`` and ``1 - I_x(a, b)``. Whichever is on the continued
        fraction's side is computed directly (full relative accuracy); the
        other one by subtraction, which is accurate when it is not small.

    References
    ----------
    DLMF 8.17.22 (continued fraction); W. J. Lentz, Applied Optics 15 (1976)
    668-671, doi:10.1364/AO.15.000668; I. J. Thompson and A. R. Barnett,
    J. Comput. Phys. 64 (1986) 490-509, doi:10.1016/0021-9991(86)90046-X.
    """
    if x <= 0.0:
        return 0.0, 1.0
    if x >= 1.0:
        return 1.0, 0.0
    # The prefactor x^a (1-x)^b / B(a, b) in log space: log1p keeps (1-x)^b
    # accurate for small x.
    front = math.exp(a * math.log(x) + b * math.log1p(-x) - lb)
    if x < (a + 1.0) / (a + b + 2.0):
        p = front * _betacf(a, b, x) / a
        return p, 1.0 - p
    q = front * _betacf(b, a, 1.0 - x) / b
    return 1.0 - q, q


@jit
def _beta_solve(a, b, p, pc, lb):
    # Solve I_x(a, b) = p for x, where pc = 1 - p is passed separately so each
    # is accurate on its own small side. Aimed at roots x <= 1/2 (the caller
    # flips the other case through the symmetry), so x itself and the
    # prefactor (1 - x)^b are well represented. The residual is formed on the
    # smaller of p and pc, so it has no cancellation.
    # Start: for small x, I_x ~ x^a / (a B(a, b)), which inverts exactly.
    x_tail = math.exp((math.log(p) + math.log(a) + lb) / a)
    if x_tail * (b + 1.0) < 0.1:
        x = x_tail
    elif a >= 1.0 and b >= 1.0:
        # Normal approximation of Abramowitz & Stegun 26.5.22 (Cornish-Fisher
        # style), with y the upper-tail normal deviate of p.
        y = -ndtri(p)
        lam = (y * y - 3.0) / 6.0
        h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0))
        w = y * math.sqrt(h + lam) / h - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) * (
            lam + 5.0 / 6.0 - 2.0 / (3.0 * h)
        )
        x = a / (a + b * math.exp(2.0 * w))
    else:
        # A shape below 1: approximate the density by two power laws, one from
        # each end, matched at the mean, and invert whichever covers p.
        t = math.exp(a * math.log(a / (a + b))) / a
        u = math.exp(b * math.log(b / (a + b))) / b
        w = t + u
        if p < t / w:
            x = math.pow(a * w * p, 1.0 / a)
        else:
            x = 1.0 - math.pow(b * w * (1.0 - p), 1.0 / b)
    if not (x > 0.0 and x < 1.0):
        x = 0.5
    lo = 0.0
    hi = 1.0
    for _ in range(_MAXIT):
        ip, iq = ibeta(a, b, x, lb)
        f = ip - p if p <= 0.5 else pc - iq
        if f == 0.0:
            return x
        if f < 0.0:
            lo = x
        else:
            hi = x
        dens = math.exp((a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x) - lb)
        xn = -1.0
        if dens > 0.0 and math.isfinite(dens):
            t = f / dens
            # Halley's correction uses f''/f' = (a-1)/x - (b-1)/(1-x); only
            # take it when it is a modest change to the Newton step.
            hc = 0.5 * t * ((a - 1.0) / x - (b - 1.0) / (1.0 - x))
            step = t / (1.0 - hc) if abs(hc) < 0.5 else t
            xn = x - step
            if xn > lo and xn < hi:
                if abs(step) <= _XTOL * xn:
                    return xn
                x = xn
                continue
        # Safeguard: the step left the bracket (or the density under/overflowed).
        if lo == 0.0:
            # Root below x in the power-law tail: I_x ~ C x^a, so rescale.
            xn = x * math.exp(math.log(p / ip) / a) if (ip > 0.0 and p <= 0.5) else 0.5 * x
            if not (xn > 0.0 and xn < hi):
                xn = 0.5 * hi
        elif lo > 0.0 and hi > 4.0 * lo:
            xn = math.sqrt(lo * hi)
        else:
            xn = 0.5 * (lo + hi)
        if hi - lo <= _XTOL * lo:
            return xn
        x = xn
    return x


@jit
def beta_ppf(a, b, q, lb):
    """Quantile of the beta distribution on [0, 1].

    Parameters
    ----------
    a, b : float
        Positive shape parameters.
    q : float
        Probability in [0, 1].
    lb : float
        ``lbeta(a, b)``.

    Returns
    -------
    float
        ``x`` with ``I_x(a, b) = q`` to about 1e-15 relative; NaN if ``q`` is
        outside [0, 1].

    Notes
    -----
    Roots above 1/2 are solved as ``y = 1 - x`` from Beta(b, a) at ``1 - q``
    (``I_x(a, b) = 1 - I_{1-x}(b, a)``), and the residual is always formed on
    the smaller of ``q`` and ``1 - q``, where the continued fraction gives full
    relative accuracy.
    Starting values: the exact small-x asymptote ``x^a / (a B(a, b))``, the
    normal approximation A&S 26.5.22, or a two-piece power law (as in Press et
    al., Numerical Recipes 3rd ed. section 6.14). Refinement: Halley steps
    kept inside a shrinking bracket, with bisection (geometric when the bracket
    spans orders of magnitude) whenever a step leaves it.

    References
    ----------
    M. Abramowitz and I. A. Stegun, Handbook of Mathematical Functions,
    26.5.22 (1964). DLMF 8.17. W. H. Press et al., Numerical Recipes, 3rd ed.,
    Cambridge University Press (2007), sections 6.4 and 6.14.
    """
    if not (q >= 0.0 and q <= 1.0):
        return math.nan
    if q == 0.0:
        return 0.0
    if q == 1.0:
        return 1.0
    return beta_ppf_pair(a, b, q, 1.0 - q, lb, ibeta(a, b, 0.5, lb)[0])


@jit
def beta_log_ppf_pair(a, b, q, qc, lb, c_half):
    """Logarithm of the beta quantile, given ``q`` and ``qc = 1 - q`` separately.

    Parameters
    ----------
    a, b : float
        Positive shape parameters.
    q, qc : float
        Probability and its complement, each accurate on its own small side
        (so upper-tail probabilities such as ``1e-14`` keep their digits).
    lb : float
        ``lbeta(a, b)``.
    c_half : float
        ``I_0.5(a, b)``: decides whether the root is below 1/2.

    Returns
    -------
    float
        ``log x`` with ``I_x(a, b) = q``.

    Notes
    -----
    If the root is below 1/2 it is solved for directly; otherwise ``y = 1 - x``
    is solved from ``I_y(b, a) = qc`` and ``log x = log1p(-y)``. Either way the
    variable iterated on is the one below 1/2, which doubles as the variable
    with full relative precision.
    """
    if q <= c_half:
        return math.log(_beta_solve(a, b, q, qc, lb))
    return math.log1p(-_beta_solve(b, a, qc, q, lb))


@jit
def beta_ppf_pair(a, b, q, qc, lb, c_half):
    """Beta quantile given ``q`` and ``qc = 1 - q`` separately.

    Parameters
    ----------
    a, b, q, qc, lb, c_half
        As for :func:`beta_log_ppf_pair`.

    Returns
    -------
    float
        ``x`` with ``I_x(a, b) = q``.
    """
    if q <= c_half:
        return _beta_solve(a, b, q, qc, lb)
    return 1.0 - _beta_solve(b, a, qc, q, lb)


@jit
def _gamma_series(a, x):
    # Power series sum_n x^n / (a (a+1) ... (a+n)) of DLMF 8.7.1 for P(a, x).
    term = 1.0 / a
    total = term
    ap = a
    for _ in range(100000):
        ap += 1.0
        term *= x / ap
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return total


@jit
def _gamma_cf(a, x):
    # Legendre continued fraction for Q(a, x) (DLMF 8.9.2), modified Lentz.
    bb = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / bb
    h = d
    for i in range(1, 100000):
        an = -i * (i - a)
        bb += 2.0
        d = an * d + bb
        if abs(d) < _TINY:
            d = _TINY
        c = bb + an / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return h


@jit
def igamma(a, x, lga):
    """Regularized incomplete gamma functions ``P(a, x)`` and ``Q(a, x)``.

    Parameters
    ----------
    a : float
        Positive shape.
    x : float
        Non-negative argument.
    lga : float
        ``lgamma(a)``, passed in so a column computes it once.

    Returns
    -------
    p, q : float
        ``P(a, x)`` (series, for ``x < a + 1``) and ``Q = 1 - P`` (continued
        fraction, otherwise); the one computed directly has full relative
        accuracy, the other comes by subtraction.

    References
    ----------
    DLMF 8.7.1 (series) and 8.9.2 (continued fraction); Press et al.,
    Numerical Recipes, 3rd ed. (2007), section 6.2.
    """
    if x <= 0.0:
        return 0.0, 1.0
    if math.isinf(x):
        return 1.0, 0.0
    front = math.exp(a * math.log(x) - x - lga)
    if x < a + 1.0:
        p = front * _gamma_series(a, x)
        return p, 1.0 - p
    q = front * _gamma_cf(a, x)
    return 1.0 - q, q


@jit
def _gamma_solve(a, p, upper, lga):
    # Solve P(a, x) = p (upper False) or Q(a, x) = p (upper True), p <= ~1/2, so the
    # residual is formed on the small tail, where it has full relative accuracy.
    q = 1.0 - p if upper else p
    x_tail = math.exp((math.log(p) + math.lgamma(a + 1.0)) / a)
    if not upper and x_tail < 0.1 * (a + 1.0) / (a + 2.0):
        x = x_tail
    elif a > 1.0:
        z = -ndtri(p) if upper else ndtri(p)
        s = 1.0 / (9.0 * a)
        x = a * (1.0 - s + z * math.sqrt(s)) ** 3
        if x <= 0.0:
            x = x_tail
    elif upper and p < 0.05:
        x = max(1.0, -math.log(p))
        for _ in range(4):
            x = max(-math.log(p) - lga + (a - 1.0) * math.log(x), 1e-3)
    else:
        t = 1.0 - a * (0.253 + a * 0.12)
        if q < t:
            x = math.pow(q / t, 1.0 / a)
        else:
            x = 1.0 - math.log(p / (1.0 - t))
    if not (x > 0.0 and math.isfinite(x)):
        x = a
    lo = 0.0
    hi = math.inf
    for _ in range(_MAXIT):
        ip, iq = igamma(a, x, lga)
        f = iq - p if upper else ip - p
        if upper:
            f = -f
        if f == 0.0:
            return x
        if f < 0.0:
            lo = x
        else:
            hi = x
        dens = math.exp((a - 1.0) * math.log(x) - x - lga)
        if dens > 0.0 and math.isfinite(dens):
            t = f / dens
            # Halley's correction with f''/f' = (a - 1)/x - 1.
            hc = 0.5 * t * ((a - 1.0) / x - 1.0)
            step = t / (1.0 - hc) if abs(hc) < 0.5 else t
            xn = x - step
            if xn > lo and xn < hi:
                if abs(step) <= _XTOL * xn:
                    return xn
                x = xn
                continue
        if lo == 0.0:
            # Root below x, in the power-law tail P ~ C x^a: rescale.
            xn = x * math.exp(math.log(p / ip) / a) if (not upper and ip > 0.0) else 0.5 * x
            if not (xn > 0.0 and xn < hi):
                xn = 0.5 * hi
        elif math.isinf(hi):
            xn = 2.0 * lo + 1.0
        elif hi > 4.0 * lo:
            xn = math.sqrt(lo * hi)
        else:
            xn = 0.5 * (lo + hi)
        if hi - lo <= _XTOL * lo:
            return xn
        x = xn
    return x


@jit
def gamma_ppf(a, q, lga):
    """Quantile of the standard gamma distribution (unit scale).

    Parameters
    ----------
    a : float
        Positive shape.
    q : float
        Probability in [0, 1].
    lga : float
        ``lgamma(a)``.

    Returns
    -------
    float
        ``x`` with ``P(a, x) = q`` to about 1e-15 relative; NaN if ``q`` is
        outside [0, 1].

    Notes
    -----
    For ``q <= 1/2`` the residual is ``P(a, x) - q``; above it is
    ``Q(a, x) - (1 - q)`` so upper quantiles keep their accuracy (``1 - q`` is
    exact there). Starting values: the small-x asymptote
    ``P ~ x^a / Gamma(a + 1)``, the Wilson-Hilferty cube-root normal
    approximation for ``a > 1``, the large-x asymptote
    ``Q ~ x^(a-1) e^-x / Gamma(a)`` (a few fixed-point steps) for the far upper
    tail, otherwise the small-shape guess of Numerical Recipes section 6.2.1.
    Refinement: bracketed Halley steps as in :func:`beta_ppf`.

    References
    ----------
    E. B. Wilson and M. M. Hilferty, PNAS 17 (1931) 684-688,
    doi:10.1073/pnas.17.12.684. DLMF 8.7.1, 8.9.2, 8.11.2. Press et al.,
    Numerical Recipes, 3rd ed. (2007), section 6.2.1.
    """
    if not (q >= 0.0 and q <= 1.0):
        return math.nan
    if q == 0.0:
        return 0.0
    if q == 1.0:
        return math.inf
    # One call with a run-time flag: calls with the constants True and False would each
    # compile a specialisation of the solver (Numba types constants as literals).
    upper = q > 0.5
    return _gamma_solve(a, 1.0 - q if upper else q, upper, lga)
