"""Fit distribution families to observed data and rank them (the library behind ``tco fit``).

No I/O and no click: the values come from :func:`distributions.fit_data.read_column`
or any array, and :mod:`distributions.fit_report` writes the results out. Every
fitted distribution is built through :func:`distributions.from_spec`, so it
validates exactly as a scenario file would and its
:func:`~distributions.fit_report.snippet` pastes back in.

Methods (all maximum likelihood, so that AIC compares like with like):

* normal: closed form, mean and the ``ddof = 0`` standard deviation.
* lognormal: closed form on ``log x`` (two parameters, no shift); needs x > 0.
* gamma: ``scipy.stats.gamma.fit(x, floc=0)`` (shape and scale, ``loc``
  fixed at 0; Choi & Wette 1969, Technometrics 11(4)); needs x > 0.
* beta: ``a, b`` on the fixed interval [0, 1] (L-BFGS-B on the concave
  log-likelihood); only when every value lies in (0, 1) (shares,
  utilisations, efficiencies). Estimating the interval as well is a
  non-regular problem (the likelihood is unbounded for a or b < 1), so data
  on another range are left to triangular / PERT, which estimate their bounds.
* uniform: ``low = min(x)``, ``high = max(x)`` (the MLE).
* triangular: the mode MLE is one of the observations for given bounds
  (Oliver 1972, The American Statistician 26(3)); the bounds are found by
  Nelder-Mead on the profile likelihood.
* pert: ``low, mode, high`` by Nelder-Mead on the full likelihood with the
  project's standard ``shape = 4`` held fixed (three free parameters).
* empirical: the data themselves, as a non-parametric reference; listed with
  its KS statistic but never ranked by AIC (it has no finite parameter count).

Ranking is by AIC = 2 k - 2 log L (Akaike 1974, doi:10.1109/TAC.1974.1100705),
smallest first. The Kolmogorov-Smirnov statistic and p-value are shown beside
it; with parameters estimated from the same data the p-value is optimistic
(Lilliefors 1967, JASA 62(318)), so it is a sanity check, not a test.
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.optimize as so
import scipy.special as sc
import scipy.stats as st

from .distribution import Distribution
from .families import FAMILIES
from .fit_data import _check_values
from .messages import shown
from .spec import from_spec

__all__ = [
    "DEFAULT_FAMILIES",
    "FitResult",
    "best",
    "fit_candidates",
]

DEFAULT_FAMILIES = (
    "normal",
    "lognormal",
    "gamma",
    "beta",
    "uniform",
    "triangular",
    "pert",
    "empirical",
)
"""Families tried when none are named, in tie-breaking order."""

_NOT_FITTED = {
    "truncnormal": (
        "its bounds are not identifiable by maximum likelihood from the data alone; "
        "fit normal and add low/high by hand"
    ),
    "constant": 'a constant has no spread; write { dist = "constant", value = ... } by hand',
    "choice": "choice is for categories or a few discrete values; write it by hand",
}


@dataclass(frozen=True)
class FitResult:
    """One candidate family fitted to the data.

    Attributes
    ----------
    family : str
        Family name (a key of ``distributions.FAMILIES``).
    distribution : Distribution or None
        The fitted distribution, built through ``from_spec``; None when the
        family was skipped (``note`` says why).
    n_params : int
        Number of parameters estimated from the data (for AIC); for
        empirical, the number of observations.
    log_likelihood : float
        Maximised log-likelihood, sum of ``log pdf(x_i)`` with the density in
        1/(units of the data); NaN for empirical and skipped families.
    aic : float
        ``2 n_params - 2 log_likelihood``; NaN for empirical and skipped.
    ks_statistic : float
        Kolmogorov-Smirnov distance between the data and the fitted CDF, in
        [0, 1]; NaN if skipped.
    ks_pvalue : float
        Its p-value, optimistic because the parameters come from the same
        data; NaN if skipped.
    note : str
        Why the family was skipped, warnings raised while fitting, or other
        remarks; empty if none.
    n : int
        Number of observations fitted.
    """

    family: str
    distribution: Distribution | None
    n_params: int
    log_likelihood: float
    aic: float
    ks_statistic: float
    ks_pvalue: float
    note: str = ""
    n: int = 0

    @property
    def skipped(self) -> bool:
        """Whether the family could not be fitted (``note`` gives the reason)."""
        return self.distribution is None

    @property
    def ranked(self) -> bool:
        """Whether the result takes part in the AIC ranking (fitted and parametric)."""
        return not self.skipped and self.family != "empirical" and math.isfinite(self.aic)


def _spec(family: str, **params) -> Distribution:
    return from_spec({"dist": family, **params}, f"tco fit: {family}")


def _fit_normal(x: np.ndarray) -> tuple[Distribution, int, str]:
    return _spec("normal", mean=float(x.mean()), sd=float(x.std())), 2, ""


def _fit_lognormal(x: np.ndarray) -> tuple[Distribution, int, str]:
    lx = np.log(x)
    return _spec("lognormal", median=float(np.exp(lx.mean())), sigma=float(lx.std())), 2, ""


def _fit_gamma(x: np.ndarray) -> tuple[Distribution, int, str]:
    shape, _, scale = st.gamma.fit(x, floc=0.0)
    return _spec("gamma", shape=float(shape), scale=float(scale)), 2, "loc fixed at 0"


def _fit_beta(x: np.ndarray) -> tuple[Distribution, int, str]:
    # Beta on [0, 1] is an exponential family: the log-likelihood is concave in
    # (a, b) and depends on the data only through mean(log x), mean(log(1-x)),
    # so a gradient solver on (log a, log b) is reliable. (scipy's beta.fit
    # root-finder fails to converge for data crowded near 0.)
    s1, s2 = float(np.mean(np.log(x))), float(np.mean(np.log1p(-x)))

    def nll(p):
        a, b = np.exp(p)
        dab = sc.digamma(a + b)
        f = -((a - 1.0) * s1 + (b - 1.0) * s2 - sc.betaln(a, b))
        grad = -np.array([a * (s1 - sc.digamma(a) + dab), b * (s2 - sc.digamma(b) + dab)])
        return f, grad

    m, v = float(x.mean()), float(x.var())
    common = m * (1.0 - m) / v - 1.0  # method of moments as the start
    start = np.log([m * common, (1.0 - m) * common]) if common > 0 else np.zeros(2)
    res = so.minimize(nll, start, jac=True, method="L-BFGS-B", options={"gtol": 1e-10})
    a, b = np.exp(res.x)
    note = "on [0, 1]" + ("" if res.success else f"; optimizer: {res.message}")
    return _spec("beta", a=float(a), b=float(b)), 2, note


def _fit_uniform(x: np.ndarray) -> tuple[Distribution, int, str]:
    return _spec("uniform", low=float(x.min()), high=float(x.max())), 2, ""


def _triangular_profile(xs: np.ndarray, low: float, high: float) -> tuple[float, int]:
    """Log-likelihood of sorted ``xs`` maximised over the mode, for given bounds.

    The mode is tried at every observation (where the MLE lies, Oliver 1972);
    prefix and suffix sums make all n candidates cost O(n) together.
    """
    n = xs.size
    k = np.arange(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        la, lb = np.log(xs - low), np.log(high - xs)
        left = np.concatenate([[0.0], np.cumsum(la)[:-1]])  # sum over i < k
        right = np.concatenate([np.cumsum(lb[::-1])[::-1][1:], [0.0]])  # sum over i > k
        # k * log(c - low) is 0 when no point lies left of the mode, even if c == low.
        lc = np.where(k > 0, k * np.log(xs - low), 0.0)
        rc = np.where(k < n - 1, (n - 1 - k) * np.log(high - xs), 0.0)
        ll = n * math.log(2.0) - n * math.log(high - low) + left - lc + right - rc
    ll = np.where(np.isnan(ll), -np.inf, ll)
    i = int(np.argmax(ll))
    return float(ll[i]), i


def _fit_triangular(x: np.ndarray) -> tuple[Distribution, int, str]:
    xs = np.sort(x)
    lo, hi = xs[0], xs[-1]
    r = hi - lo

    # Bounds as min - r e^s and max + r e^t keep them outside the data; s, t are
    # clipped so that a mode at the sample minimum (low = min) is reachable.
    def bounds(p):
        s, t = np.clip(p, -40.0, 5.0)
        return lo - r * math.exp(s), hi + r * math.exp(t)

    def nll(p):
        return -_triangular_profile(xs, *bounds(p))[0]

    start = np.full(2, math.log(1.0 / xs.size))
    res = _minimize(nll, [start, np.zeros(2), np.full(2, -3.0)])
    low, high = bounds(res.x)
    # Bounds that equal the extreme observations within rounding are the edge optimum.
    _, i = _triangular_profile(xs, low, high)
    note = "" if res.success else f"optimizer: {res.message}"
    return _spec("triangular", low=low, mode=float(xs[i]), high=high), 3, note


def _pert_loglik(xs: np.ndarray, low: float, mode: float, high: float, shape: float = 4.0):
    w = high - low
    a = 1.0 + shape * (mode - low) / w
    b = 1.0 + shape * (high - mode) / w
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = (
            (a - 1.0) * np.log(xs - low).sum()
            + (b - 1.0) * np.log(high - xs).sum()
            - xs.size * ((a + b - 1.0) * math.log(w) + sc.betaln(a, b))
        )
    return float(ll) if np.isfinite(ll) else -math.inf


def _fit_pert(x: np.ndarray) -> tuple[Distribution, int, str]:
    xs = np.sort(x)
    lo, hi = xs[0], xs[-1]
    r = hi - lo
    mean = float(xs.mean())

    def params(p):
        s, t = np.clip(p[:2], -40.0, 5.0)
        low, high = lo - r * math.exp(s), hi + r * math.exp(t)
        return low, low + (high - low) * float(sc.expit(p[2])), high

    def nll(p):
        return -_pert_loglik(xs, *params(p))

    starts = []
    for pad in (0.05, 0.25):
        low, high = lo - pad * r, hi + pad * r
        # Mode from the PERT mean (low + 4 mode + high) / 6, kept inside the bounds.
        mode = min(max((6.0 * mean - low - high) / 4.0, low + 0.01 * r), high - 0.01 * r)
        u = float(sc.logit((mode - low) / (high - low)))
        starts.append(np.array([math.log(pad), math.log(pad), u]))
    res = _minimize(nll, starts)
    low, mode, high = params(res.x)
    note = "shape fixed at 4" + ("" if res.success else f"; optimizer: {res.message}")
    return _spec("pert", low=low, mode=mode, high=high), 3, note


def _minimize(fun: Callable, starts: Sequence[np.ndarray]):
    # Nelder-Mead: the triangular profile is not smooth in the bounds (the best
    # mode jumps between observations), so gradient methods would stall.
    best_res = None
    for x0 in starts:
        res = so.minimize(
            fun,
            x0,
            method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 4000, "maxfev": 8000},
        )
        if best_res is None or res.fun < best_res.fun:
            best_res = res
    return best_res


def _fit_empirical(x: np.ndarray) -> tuple[Distribution, int, str]:
    d = _spec("empirical", values=[float(v) for v in x])
    # The table's footer explains the reference role; no per-row note needed.
    return d, x.size, ""


def _needs_positive(x: np.ndarray) -> str | None:
    if x.min() > 0:
        return None
    return f"needs all values > 0 (min is {float(x.min()):.6g})"


def _needs_unit(x: np.ndarray) -> str | None:
    if x.min() > 0 and x.max() < 1:
        return None
    return (
        f"fitted only to data inside (0, 1) (range is {float(x.min()):.6g} .. "
        f"{float(x.max()):.6g}); use pert or triangular for other bounded data"
    )


# family -> (fitter, support check returning a reason to skip or None)
_FITTERS: dict[str, tuple[Callable, Callable | None]] = {
    "normal": (_fit_normal, None),
    "lognormal": (_fit_lognormal, _needs_positive),
    "gamma": (_fit_gamma, _needs_positive),
    "beta": (_fit_beta, _needs_unit),
    "uniform": (_fit_uniform, None),
    "triangular": (_fit_triangular, None),
    "pert": (_fit_pert, None),
    "empirical": (_fit_empirical, None),
}


def _family_list(families) -> list[str]:
    if families is None:
        return list(DEFAULT_FAMILIES)
    if isinstance(families, str):
        families = [f for f in families.split(",")]
    names = []
    for f in families:
        f = str(f).strip()
        if f in _NOT_FITTED:
            raise ValueError(f"tco fit: family {shown(f)} is not fitted: {_NOT_FITTED[f]}")
        if f not in _FITTERS:
            close = difflib.get_close_matches(f, list(_FITTERS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ValueError(
                f"tco fit: unknown family {shown(f)}{hint} Fittable families: {', '.join(_FITTERS)}"
            )
        if f not in names:
            names.append(f)
    if not names:
        raise ValueError(f"tco fit: no families given; choose from {', '.join(_FITTERS)}")
    return names


def _skipped(family: str, n: int, reason: str) -> FitResult:
    nan = math.nan
    return FitResult(family, None, 0, nan, nan, nan, nan, f"skipped: {reason}", n)


def _fit_one(family: str, x: np.ndarray) -> FitResult:
    fitter, check = _FITTERS[family]
    reason = check(x) if check is not None else None
    if reason is not None:
        return _skipped(family, x.size, reason)
    # Optimisers and scipy's fit routines may warn (overflow in a trial step,
    # slow convergence). Record them in the note instead of letting them
    # escape: the result is still checked through from_spec, LL and KS.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            dist, k, note = fitter(x)
            ks = st.kstest(x, dist.cdf)
            if family == "empirical":
                ll = aic = math.nan
            else:
                ll = float(np.sum(FAMILIES[family].scipy(dist.params).logpdf(x)))
                aic = 2.0 * k - 2.0 * ll
        except (ValueError, ArithmeticError, RuntimeError) as exc:
            # scipy's FitError is a RuntimeError; a failed family is skipped, not fatal.
            return _skipped(family, x.size, f"fit failed: {exc}")
    msgs = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    if msgs:
        note = "; ".join([*([note] if note else []), "warned: " + " | ".join(msgs)])
    if family != "empirical" and not math.isfinite(ll):
        return _skipped(family, x.size, "the fitted density is zero at some observations")
    return FitResult(
        family, dist, k, ll, aic, float(ks.statistic), float(ks.pvalue), note, int(x.size)
    )


def fit_candidates(values, families=None) -> list[FitResult]:
    """Fit candidate families by maximum likelihood and rank them by AIC.

    Parameters
    ----------
    values : array_like of float, shape (n,)
        Observations, in the units of the quantity (e.g. USD/MWh); at least
        ``MIN_POINTS``, finite, not all equal.
    families : sequence of str or str, optional
        Families to try (a comma-separated string is accepted); default
        ``DEFAULT_FAMILIES``. Fittable: normal, lognormal, gamma, beta,
        uniform, triangular, pert, empirical.

    Returns
    -------
    list of FitResult
        Fitted parametric families by AIC ascending (ties keep the order of
        ``families``), then empirical (reference, no AIC), then skipped
        families with the reason in ``note``. ``best(results)`` is the winner.

    Raises
    ------
    ValueError
        Bad values (see ``read_column``) or an unknown / unfittable family.

    Notes
    -----
    Methods per family are in the module docstring and in
    ``docs/distributions.md`` ("Fitting from data").
    """
    x = np.asarray(values, dtype=float)
    _check_values(x, "tco fit")
    names = _family_list(families)
    results = [_fit_one(f, x) for f in names]
    ranked = sorted((r for r in results if r.ranked), key=lambda r: r.aic)
    rest = [r for r in results if not r.ranked]
    return ranked + [r for r in rest if not r.skipped] + [r for r in rest if r.skipped]


def best(results: Sequence[FitResult]) -> FitResult:
    """The winner: the fitted parametric family with the lowest AIC.

    Parameters
    ----------
    results : sequence of FitResult
        Output of :func:`fit_candidates`.

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError
        If no parametric family could be fitted (empirical never wins).
    """
    ranked = [r for r in results if r.ranked]
    if not ranked:
        reasons = "; ".join(f"{r.family}: {r.note}" for r in results) or "no candidates"
        raise ValueError(
            f"tco fit: no parametric family could be fitted ({reasons}); "
            "try more families, e.g. --families normal,triangular,pert"
        )
    return min(ranked, key=lambda r: r.aic)
