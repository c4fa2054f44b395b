"""Registry of distribution families: codes, parameters, constructors, scipy twins."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import kernels as K
from .distribution import Distribution
from .limits import (
    check_lognormal_draws,
    check_magnitudes,
    check_shapes,
    check_table_size,
)
from .messages import shown
from .scipy_twins import PARAM_NAMES, has_scipy_twin, scipy_twin

__all__ = ["FAMILIES", "Family"]


def _num(v) -> str:
    # Numbers in messages as the user would write them (1.3, 50, inf).
    v = float(v)
    return repr(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)


def _fail(where: str, family: str, cond: str, **got) -> None:
    shown = ", ".join(f"{k}={_num(v)}" for k, v in got.items())
    raise ValueError(f"{where}: {family} needs {cond}, got {shown}")


@dataclass(frozen=True)
class Family:
    """One distribution family.

    Attributes
    ----------
    name : str
        Name used in scenario files (``dist = "<name>"``).
    code : int
        Integer code passed to the Numba kernels.
    param_names : tuple of str
        Names of the canonical parameters, in ``Distribution.params`` order
        (empty for choice/empirical, whose data live in the table).
    make : callable
        ``make(*params, where=...) -> Distribution``: validates canonical
        parameters and builds the distribution.
    scipy : callable or None
        ``scipy(params) -> frozen scipy.stats distribution`` with the same
        law, for tests and ``Distribution.cdf``; None for the discrete and
        data-driven families.
    """

    name: str
    code: int
    param_names: tuple[str, ...]
    make: Callable[..., Distribution]
    scipy: Callable[[tuple[float, ...]], object] | None


def _finite(where, family, **kw):
    for k, v in kw.items():
        if not math.isfinite(v):
            _fail(where, family, f"a finite {k}", **{k: v})


def _make_constant(value, *, where="<params>"):
    _finite(where, "constant", value=value)
    check_magnitudes(where, "constant", value=value)
    return Distribution("constant", (float(value),), K.CONSTANT)


def _make_uniform(low, high, *, where="<params>"):
    _finite(where, "uniform", low=low, high=high)
    check_magnitudes(where, "uniform", low=low, high=high)
    if not low < high:
        _fail(where, "uniform", "low < high", low=low, high=high)
    return Distribution("uniform", (float(low), float(high)), K.UNIFORM)


def _make_triangular(low, mode, high, *, where="<params>"):
    _finite(where, "triangular", low=low, mode=mode, high=high)
    check_magnitudes(where, "triangular", low=low, mode=mode, high=high)
    if not low <= mode <= high:
        _fail(where, "triangular", "low <= mode <= high", low=low, mode=mode, high=high)
    if not low < high:
        _fail(where, "triangular", "low < high", low=low, high=high)
    return Distribution("triangular", (float(low), float(mode), float(high)), K.TRIANGULAR)


def _make_pert(low, mode, high, shape=4.0, *, where="<params>"):
    _finite(where, "pert", low=low, mode=mode, high=high, shape=shape)
    check_magnitudes(where, "pert", low=low, mode=mode, high=high)
    if not low <= mode <= high:
        _fail(where, "pert", "low <= mode <= high", low=low, mode=mode, high=high)
    if not low < high:
        _fail(where, "pert", "low < high", low=low, high=high)
    if not shape > 0:
        _fail(where, "pert", "shape > 0", shape=shape)
    check_shapes(where, "pert", shape=shape)
    return Distribution("pert", (float(low), float(mode), float(high), float(shape)), K.PERT)


def _make_normal(mean, sd, *, where="<params>"):
    _finite(where, "normal", mean=mean, sd=sd)
    check_magnitudes(where, "normal", mean=mean, sd=sd)
    if not sd > 0:
        _fail(where, "normal", "sd > 0", sd=sd)
    return Distribution("normal", (float(mean), float(sd)), K.NORMAL)


def _make_truncnormal(mean, sd, low=-math.inf, high=math.inf, *, where="<params>"):
    _finite(where, "truncnormal", mean=mean, sd=sd)
    check_magnitudes(where, "truncnormal", mean=mean, sd=sd)
    if not sd > 0:
        _fail(where, "truncnormal", "sd > 0", sd=sd)
    if math.isnan(low) or math.isnan(high) or not low < high:
        _fail(where, "truncnormal", "low < high", low=low, high=high)
    check_magnitudes(where, "truncnormal", low=low, high=high)
    from scipy.special import log_ndtr  # only here: scipy.special costs a fraction of a second

    a, b = (low - mean) / sd, (high - mean) / sd
    # log-probability of [low, high] under the parent normal, without underflow.
    if a >= 0:
        logmass = log_ndtr(-a) + math.log1p(-math.exp(log_ndtr(-b) - log_ndtr(-a)))
    else:
        logmass = log_ndtr(b) + math.log1p(-math.exp(log_ndtr(a) - log_ndtr(b)))
    if not logmass > math.log(1e-300):
        raise ValueError(
            f"{where}: truncnormal needs [low, high] to hold non-negligible probability "
            f"under normal(mean, sd) (at least 1e-300), got low={_num(low)}, "
            f"high={_num(high)}, mean={_num(mean)}, sd={_num(sd)}: move the bounds "
            "closer to the mean or widen sd"
        )
    return Distribution(
        "truncnormal", (float(mean), float(sd), float(low), float(high)), K.TRUNCNORMAL
    )


def _make_lognormal(median, sigma, *, where="<params>"):
    _finite(where, "lognormal", median=median, sigma=sigma)
    check_magnitudes(where, "lognormal", median=median)
    if not median > 0:
        _fail(where, "lognormal", "median > 0", median=median)
    if not sigma > 0:
        _fail(where, "lognormal", "sigma > 0", sigma=sigma)
    check_lognormal_draws(where, median, sigma)
    return Distribution("lognormal", (float(median), float(sigma)), K.LOGNORMAL)


def _make_beta(a, b, low=0.0, high=1.0, *, where="<params>"):
    check_shapes(where, "beta", a=a, b=b)  # first: an infinite shape gets its own fix
    _finite(where, "beta", a=a, b=b, low=low, high=high)
    check_magnitudes(where, "beta", low=low, high=high)
    if not (a > 0 and b > 0):
        _fail(where, "beta", "a > 0 and b > 0", a=a, b=b)
    if not low < high:
        _fail(where, "beta", "low < high", low=low, high=high)
    return Distribution("beta", (float(a), float(b), float(low), float(high)), K.BETA)


def _make_gamma(shape, scale, loc=0.0, *, where="<params>"):
    check_shapes(where, "gamma", shape=shape)  # first: an infinite shape gets its own fix
    _finite(where, "gamma", shape=shape, scale=scale, loc=loc)
    check_magnitudes(where, "gamma", scale=scale, loc=loc)
    if not shape > 0:
        _fail(where, "gamma", "shape > 0", shape=shape)
    if not scale > 0:
        _fail(where, "gamma", "scale > 0", scale=scale)
    return Distribution("gamma", (float(shape), float(scale), float(loc)), K.GAMMA)


def _make_choice(values, weights=None, *, where="<params>"):
    values = list(values)
    if not values:
        raise ValueError(f"{where}: choice needs a non-empty list of values, got values=[]")
    check_table_size(where, "choice", len(values))
    is_str = [isinstance(v, str) for v in values]
    if any(is_str) and not all(is_str):
        raise ValueError(
            f"{where}: choice needs values that are all strings or all numbers, got {shown(values)}"
        )
    for v in values:
        if not is_str[0] and (isinstance(v, bool) or not isinstance(v, int | float)):
            raise ValueError(f"{where}: choice needs numeric or string values, got {shown(v)}")
    w = np.ones(len(values)) if weights is None else _choice_weights(weights, len(values), where)
    # Divided by the largest before the sum: [1e308, 1e308] summed to inf, which made
    # every weight 0 and put every draw on the last value. Each is now in (0, 1], so
    # the sum is at most the number of values. A weight below 1e-308 of the largest
    # becomes 0, and its value (whose probability is below 1e-308) is never drawn.
    w = w / w.max()
    w = w / w.sum()
    if is_str[0]:
        if len(set(values)) != len(values):
            raise ValueError(f"{where}: choice needs distinct categories, got {shown(values)}")
        cats = tuple(values)
        vals = tuple(float(i) for i in range(len(values)))
        weights_t = tuple(float(x) for x in w)
    else:
        v = np.asarray(values, dtype=float)
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{where}: choice needs finite values, got values={shown(values)}")
        check_magnitudes(where, "choice", value=float(np.max(np.abs(v))))
        # Sorted so that the quantile function is monotone (stratified and
        # rank-based designs then behave as for continuous inputs).
        order = np.argsort(v, kind="stable")
        cats = None
        vals = tuple(float(x) for x in v[order])
        weights_t = tuple(float(x) for x in w[order])
    return Distribution("choice", vals, K.CHOICE, cats, weights_t)


def _choice_weights(weights, n: int, where: str) -> np.ndarray:
    """The weights as floats, checked: one per value, each finite and > 0."""
    w = np.asarray(list(weights), dtype=float)
    if w.shape != (n,):
        raise ValueError(
            f"{where}: choice needs one weight per value, got {n} values and {w.size} weights"
        )
    if not (np.all(np.isfinite(w)) and np.all(w > 0)):
        raise ValueError(
            f"{where}: choice needs finite weights > 0, got weights={shown(w.tolist())}"
        )
    return w


def _make_empirical(values, *, where="<params>"):
    check_table_size(where, "empirical", len(values))
    v = np.asarray(list(values), dtype=float) if len(values) else np.zeros(0)
    if v.size < 2:
        raise ValueError(f"{where}: empirical needs at least 2 observed values, got {v.size}")
    if not np.all(np.isfinite(v)):
        raise ValueError(
            f"{where}: empirical needs finite values, got values={shown(list(values))}"
        )
    check_magnitudes(where, "empirical", value=float(np.max(np.abs(v))))
    return Distribution("empirical", tuple(float(x) for x in np.sort(v)), K.EMPIRICAL)


_MAKERS = {
    "constant": (K.CONSTANT, _make_constant),
    "uniform": (K.UNIFORM, _make_uniform),
    "triangular": (K.TRIANGULAR, _make_triangular),
    "pert": (K.PERT, _make_pert),
    "normal": (K.NORMAL, _make_normal),
    "truncnormal": (K.TRUNCNORMAL, _make_truncnormal),
    "lognormal": (K.LOGNORMAL, _make_lognormal),
    "beta": (K.BETA, _make_beta),
    "gamma": (K.GAMMA, _make_gamma),
    "choice": (K.CHOICE, _make_choice),
    "empirical": (K.EMPIRICAL, _make_empirical),
}

FAMILIES: dict[str, Family] = {
    name: Family(
        name,
        code,
        PARAM_NAMES[name],
        make,
        functools.partial(scipy_twin, name) if has_scipy_twin(name) else None,
    )
    for name, (code, make) in _MAKERS.items()
}
