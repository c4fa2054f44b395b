"""Fit distribution families to observed data and rank them (the library behind ``tco fit``).

No I/O beyond reading the CSV in :func:`read_column`, no click. Every fitted
distribution is built through :func:`distributions.from_spec`, so it validates
exactly as a scenario file would and its :func:`snippet` pastes back in.

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

import csv
import difflib
import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from pathlib import Path

import numpy as np
import scipy.optimize as so
import scipy.special as sc
import scipy.stats as st

from .distribution import Distribution
from .families import FAMILIES
from .spec import from_spec

__all__ = [
    "DEFAULT_FAMILIES",
    "MIN_POINTS",
    "FitResult",
    "best",
    "fit_candidates",
    "format_table",
    "read_column",
    "snippet",
]

MIN_POINTS = 8
"""Fewest observations accepted: below this no family can be told from another."""

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

_SIG = 6  # significant digits kept in snippets (relative change <= 5e-6)


# -- reading ------------------------------------------------------------------


def read_column(path, column: str) -> np.ndarray:
    """Read one numeric column from a comma-separated file with a header row.

    Parameters
    ----------
    path : str or os.PathLike
        CSV file; the first row must name the columns. Blank lines are
        skipped; surrounding spaces in names and cells are ignored.
    column : str
        Header name of the column to read (exact, case-sensitive).

    Returns
    -------
    ndarray of float64, shape (n,)
        The values, in file order, in the units of the data.

    Raises
    ------
    ValueError
        Missing or unreadable file, no header row, unknown column (with a
        did-you-mean and the list of columns), an empty, non-numeric or
        non-finite cell (naming its line and value), fewer than
        ``MIN_POINTS`` values, or all values equal (suggesting a constant).
    """
    path = Path(path)
    where = f"{path}:{column}"
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        raise ValueError(f"{path}: data file {what}; give the path of a CSV file")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(_rows(csv.reader(fh)))
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{path}: not a UTF-8 text file ({exc.reason}); save it as UTF-8 CSV"
        ) from None
    except (OSError, csv.Error) as exc:
        raise ValueError(f"{path}: cannot read the file as CSV: {exc}") from None
    if not rows:
        raise ValueError(f"{path}: the file is empty; it needs a header row and data rows")
    header = [h.strip() for h in rows[0][0]]
    if column not in header:
        raise ValueError(_unknown_column(path, column, header))
    j = header.index(column)
    out = []
    for cells, line in rows[1:]:
        cell = cells[j].strip() if j < len(cells) else ""
        if cell == "":
            raise ValueError(
                f"{where}: empty cell on line {line}; every row needs a value in "
                f"'{column}' (delete the row or fill it in)"
            )
        try:
            v = float(cell)
        except ValueError:
            raise ValueError(
                f"{where}: non-numeric value {cell!r} on line {line}; the column must hold "
                "plain numbers (no units, thousands separators or text)"
            ) from None
        if not math.isfinite(v):
            raise ValueError(
                f"{where}: value {cell!r} on line {line} is not a finite number; remove "
                "missing (NaN) and infinite values before fitting"
            )
        out.append(v)
    values = np.asarray(out, dtype=float)
    _check_values(values, where)
    return values


def _rows(reader) -> Iterable[tuple[list[str], int]]:
    # Skip wholly blank lines (a trailing newline, spacing between blocks).
    for cells in reader:
        if cells and any(c.strip() for c in cells):
            yield cells, reader.line_num


def _unknown_column(path: Path, column: str, header: list[str]) -> str:
    close = difflib.get_close_matches(column, header, n=1, cutoff=0.6)
    if not close:
        lowered = {h.lower(): h for h in header}
        close = [lowered[column.lower()]] if column.lower() in lowered else []
    hint = f"; did you mean '{close[0]}'?" if close else ""
    msg = f"{path}: no column '{column}'{hint} Columns: {', '.join(header) or '(none)'}"
    if len(header) == 1 and any(s in header[0] for s in (";", "\t", "|")):
        msg += "; the file seems to use another separator, tco fit reads comma-separated files"
    elif header and all(_is_number(h) for h in header):
        msg += "; the first row looks like data, add a header row naming the columns"
    return msg


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_values(values: np.ndarray, where: str) -> None:
    if values.ndim != 1:
        raise ValueError(f"{where}: expected a 1-D array of values, got shape {values.shape}")
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{where}: value {values[i]!r} at index {i} is not a finite number; remove "
            "missing (NaN) and infinite values before fitting"
        )
    if values.size < MIN_POINTS:
        raise ValueError(
            f"{where}: need at least {MIN_POINTS} values to fit a distribution, got "
            f"{values.size}; collect more data or write the distribution by hand "
            "(e.g. a pert from low / most likely / high)"
        )
    if values.min() == values.max():
        raise ValueError(
            f"{where}: all {values.size} values equal {_fmt(float(values[0]))}; there is "
            f'no spread to fit, use {{ dist = "constant", value = {_fmt(float(values[0]))} }}'
        )


# -- fitting ------------------------------------------------------------------


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
            raise ValueError(f"tco fit: family '{f}' is not fitted: {_NOT_FITTED[f]}")
        if f not in _FITTERS:
            close = difflib.get_close_matches(f, list(_FITTERS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ValueError(
                f"tco fit: unknown family '{f}'{hint} Fittable families: {', '.join(_FITTERS)}"
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


# -- output -------------------------------------------------------------------


def _fmt(v: float) -> str:
    # Shortest text that reads back as the same float (TOML-compatible).
    if v == 0:
        return "0.0"
    return repr(float(v))


def _round(v: float, ref: float, how: str = "nearest") -> float:
    """``v`` rounded to ``_SIG`` significant digits of ``ref`` (> 0), in direction ``how``."""
    if v == 0 or not math.isfinite(v):
        return v
    exp = math.floor(math.log10(ref)) - (_SIG - 1)
    # Beyond ~17 significant digits of v itself there is nothing left to round.
    exp = max(exp, math.floor(math.log10(abs(v))) - 16)
    mode = {"nearest": ROUND_HALF_EVEN, "down": ROUND_FLOOR, "up": ROUND_CEILING}[how]
    return float(Decimal(repr(float(v))).quantize(Decimal(1).scaleb(exp), rounding=mode))


def _rounded_items(d: Distribution) -> list[tuple[str, object]]:
    f, p = d.family, d.params
    if f == "empirical":
        return [("values", [float(v) for v in p])]
    if f in ("uniform", "triangular", "pert"):
        # Location parameters: digits relative to the width. Bounds round
        # outwards so every observation keeps a positive density.
        low, high = p[0], p[-2] if f == "pert" else p[-1]
        w = high - low
        items = [("low", _round(low, w, "down"))]
        if f != "uniform":
            items.append(("mode", _round(p[1], w)))
        items.append(("high", _round(high, w, "up")))
        if f == "pert" and p[3] != 4.0:
            items.append(("shape", _round(p[3], p[3])))
        return items
    if f == "normal":
        return [("mean", _round(p[0], p[1])), ("sd", _round(p[1], p[1]))]
    if f == "lognormal":
        return [("median", _round(p[0], p[0])), ("sigma", _round(p[1], p[1]))]
    if f == "gamma":
        items = [("shape", _round(p[0], p[0])), ("scale", _round(p[1], p[1]))]
        return items + ([("loc", _round(p[2], p[0] * p[1]))] if p[2] != 0 else [])
    if f == "beta":
        items = [("a", _round(p[0], p[0])), ("b", _round(p[1], p[1]))]
        if (p[2], p[3]) != (0.0, 1.0):
            w = p[3] - p[2]
            items += [("low", _round(p[2], w, "down")), ("high", _round(p[3], w, "up"))]
        return items
    raise ValueError(f"tco fit: no snippet form for family '{f}'")


def _toml_value(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return _fmt(v)


def _toml_key(part: str) -> str:
    bare = part and all(c.isascii() and (c.isalnum() or c in "_-") for c in part)
    return part if bare else _toml_value(part)


def snippet(result: FitResult, key: str = "x.y", source: str | None = None) -> str:
    """The fitted distribution as a TOML line to paste into a scenario file.

    Parameters
    ----------
    result : FitResult
        A fitted (not skipped) result, usually ``best(results)``.
    key : str, optional
        Dotted scenario key, e.g. ``"power.spot_price_usd_per_mwh"``. The line
        uses its last part (``spot_price_usd_per_mwh = {...}``) and a comment
        names the table it belongs under (``[power]``), as scenario files are
        written.
    source : str, optional
        Where the data came from, e.g. ``"prices.csv:price"``, for the comment.

    Returns
    -------
    str
        Comment lines and one ``name = { dist = "...", ... }`` line, ending in a
        newline. Parameters keep 6 significant digits (of the spread, for
        location parameters), so the change is at most ~5e-6 of the spread;
        bounds round outwards so no observation falls outside them. The text
        parses with ``tomllib`` and ``from_spec`` to the same family.

    Raises
    ------
    ValueError
        If the result was skipped.
    """
    if result.distribution is None:
        raise ValueError(f"tco fit: {result.family} was not fitted ({result.note})")
    parts = [p.strip() for p in key.split(".")] if key else ["x"]
    if not all(parts):
        raise ValueError(f"tco fit: key {key!r} has an empty part; write it as section.name")
    items = [("dist", result.family), *_rounded_items(result.distribution)]
    body = ", ".join(f"{k} = {_toml_value(v)}" for k, v in items)
    stats = f"n = {result.n}"
    if math.isfinite(result.aic):
        stats += f", AIC = {result.aic:.6g}"
    stats += f", KS = {result.ks_statistic:.4g} (p = {result.ks_pvalue:.3g})"
    lines = [f"# fitted by tco fit from {source or 'data'}, {stats}"]
    if len(parts) > 1:
        lines.append(f"# paste under [{'.'.join(_toml_key(p) for p in parts[:-1])}]")
    lines.append(f"{_toml_key(parts[-1])} = {{ {body} }}")
    return "\n".join(lines) + "\n"


def _params_text(r: FitResult) -> str:
    if r.distribution is None:
        return "-"
    if r.family == "empirical":
        return f"{r.n} observed values"
    return ", ".join(f"{k}={v:.6g}" for k, v in _rounded_items(r.distribution))


def format_table(results: Sequence[FitResult]) -> str:
    """The ranked results as a plain-text table.

    Parameters
    ----------
    results : sequence of FitResult
        Output of :func:`fit_candidates`.

    Returns
    -------
    str
        One row per family: rank, family, parameters (units of the data,
        ``sigma`` and shapes dimensionless), log-likelihood, AIC, AIC minus
        the best AIC, KS statistic and p-value; notes follow as footnotes.
    """
    header = ("#", "family", "parameters", "log-lik", "AIC", "dAIC", "KS", "p-value")
    ranked = [r for r in results if r.ranked]
    best_aic = min((r.aic for r in ranked), default=math.nan)
    rows, notes = [], []
    rank = 0
    for r in results:
        if r.ranked:
            rank += 1
        mark = str(rank) if r.ranked else "-"
        if r.skipped:
            rows.append((mark, r.family, "skipped (see note)", "", "", "", "", ""))
        else:
            aic = f"{r.aic:.2f}" if r.ranked else "n/a"
            rows.append(
                (
                    mark,
                    r.family,
                    _params_text(r),
                    f"{r.log_likelihood:.2f}" if r.ranked else "n/a",
                    aic,
                    f"{r.aic - best_aic:.2f}" if r.ranked else "n/a",
                    f"{r.ks_statistic:.4f}",
                    f"{r.ks_pvalue:.3g}",
                )
            )
        if r.note:
            notes.append(f"  {r.family}: {r.note}")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    left = {1, 2}

    def line(row):
        cells = [
            c.ljust(w) if i in left else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    out = [line(header), line(tuple("-" * w for w in widths)), *(line(r) for r in rows)]
    out.append(
        "Ranked by AIC (lower is better). KS p-values are optimistic: the parameters were "
        "estimated from the same data."
    )
    if any(r.family == "empirical" and not r.skipped for r in results):
        out.append("empirical is a reference (the data themselves): it has no AIC and never wins.")
    if notes:
        out += ["Notes:", *notes]
    return "\n".join(out)
