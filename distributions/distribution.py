"""The validated distribution object handed to the rest of the engine."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from .scipy_twins import PARAM_NAMES, has_scipy_twin, scipy_twin

__all__ = ["Distribution"]


def _short(v) -> str:
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_short(x) for x in v) + "]"
    v = float(v)
    return repr(int(v)) if v.is_integer() and abs(v) < 1e16 else f"{v:.6g}"


def _to_toml(v):
    # Tuples (stored for hashability) back to lists for TOML writers.
    if isinstance(v, tuple):
        return [_to_toml(x) for x in v]
    return v


@dataclass(frozen=True)
class Distribution:
    """A validated marginal distribution of one uncertain input.

    Build it with :func:`distributions.from_spec` (scenario tables) or
    ``FAMILIES[name].make(*params)``; both validate.

    Attributes
    ----------
    family : str
        Family name (a key of ``FAMILIES``).
    params : tuple of float
        Canonical parameters in the units of the input (see
        ``distributions.scipy_twins.PARAM_NAMES[family]``). For choice: the values (ascending
        numbers, or category indices 0..m-1); for empirical: the sorted data.
    code : int
        Family code for the Numba kernels.
    categories : tuple of str or None
        Category names of a string choice (``ppf`` returns the index).
    weights : tuple of float or None
        Normalised choice weights, aligned with ``params``.
    source : tuple or None
        The spec items it was parsed from (kept for ``describe``/``to_spec``;
        ignored by equality and hashing).
    """

    family: str
    params: tuple[float, ...]
    code: int
    categories: tuple | None = None
    weights: tuple[float, ...] | None = None
    source: tuple | None = field(default=None, compare=False, hash=False, repr=False)

    # -- kernel plumbing -------------------------------------------------
    def kernel_args(self) -> tuple[int, np.ndarray, np.ndarray | None]:
        """Arguments for :func:`distributions.ppf_column`.

        Returns
        -------
        code : int
        params4 : ndarray of float64, shape (4,)
        table : ndarray of float64, shape (2, m), or None
            Values and cumulative weights for choice/empirical.
        """
        p4 = np.zeros(4)
        if self.family in ("choice", "empirical"):
            table = np.zeros((2, len(self.params)))
            table[0] = self.params
            if self.weights is not None:
                cum = np.cumsum(self.weights)
                cum[-1] = 1.0  # so u = 1 always lands on the last value
                table[1] = cum
            return self.code, p4, table
        p4[: len(self.params)] = self.params
        return self.code, p4, None

    def _scipy(self):
        return scipy_twin(self.family, self.params) if has_scipy_twin(self.family) else None

    def scaled(self, factor: float) -> Distribution:
        """The distribution of ``factor * X``: the same quantiles times ``factor``.

        Every family here is closed under a positive scale: its location and scale
        parameters (bounds, mode, mean, sd, median, gamma's scale and shift, choice and
        empirical values) are multiplied, its shape parameters (PERT's lambda, the
        lognormal's sigma, beta's and gamma's shapes) kept, so ``ppf(u)`` of the result
        is ``factor * ppf(u)`` up to rounding.

        Parameters
        ----------
        factor : float
            Positive scale (dimensionless).

        Returns
        -------
        Distribution
            Same family; ``describe`` shows the scaled parameters.
        """
        if not factor > 0.0 or not math.isfinite(factor):
            raise ValueError(f"factor = {factor!r}: must be a positive finite number")
        if self.categories is not None:
            raise ValueError("a choice of categories cannot be scaled")
        scaled_at = {
            "constant": (0,),
            "uniform": (0, 1),
            "triangular": (0, 1, 2),
            "pert": (0, 1, 2),
            "normal": (0, 1),
            "truncnormal": (0, 1, 2, 3),
            "lognormal": (0,),
            "beta": (2, 3),
            "gamma": (1, 2),
        }.get(self.family)
        if scaled_at is None:  # choice, empirical: values
            scaled_at = tuple(range(len(self.params)))
        params = tuple(v * factor if i in scaled_at else v for i, v in enumerate(self.params))
        return Distribution(self.family, params, self.code, None, self.weights)

    # -- numbers ---------------------------------------------------------
    def ppf(self, q):
        """Inverse CDF through the Numba kernels the runs use (:func:`distributions.ppf_values`).

        Parameters
        ----------
        q : float or array_like
            Probabilities in [0, 1] (NaN outside).

        Returns
        -------
        float or ndarray
            Quantiles in the input's units (category index for a string
            choice); a float for scalar input.
        """
        from .matrix import ppf_values

        qa = np.asarray(q, dtype=float)
        flat = np.ascontiguousarray(qa.reshape(-1, 1))
        out = np.empty_like(flat)
        ppf_values(_inverse_cdfs(self), flat, out)
        if qa.ndim == 0:
            return float(out[0, 0])
        return out.reshape(qa.shape)

    def cdf(self, x):
        """Cumulative distribution function (scipy for the parametric families).

        Parameters
        ----------
        x : float or array_like
            Points in the input's units.

        Returns
        -------
        float or ndarray
        """
        xa = np.asarray(x, dtype=float)
        dist = self._scipy()
        if dist is not None:
            res = dist.cdf(xa)
        elif self.family == "constant":
            res = (xa >= self.params[0]).astype(float)
        elif self.family == "choice":
            v = np.asarray(self.params)
            cum = np.concatenate([[0.0], np.cumsum(self.weights)])
            res = np.minimum(cum[np.searchsorted(v, xa, side="right")], 1.0)
        else:  # empirical: inverse of the piecewise-linear quantile function
            v = np.asarray(self.params)
            grid = np.linspace(0.0, 1.0, v.size)
            res = np.interp(xa, v, grid, left=0.0, right=1.0)
        return float(res) if np.ndim(res) == 0 else res

    def median(self) -> float:
        """Median, ``ppf(0.5)``."""
        return float(self.ppf(0.5))

    def mean(self) -> float:
        """Mean (NaN for a string choice, whose categories have no mean)."""
        f, p = self.family, self.params
        if f == "constant":
            return p[0]
        if f == "uniform":
            return 0.5 * (p[0] + p[1])
        if f == "triangular":
            return (p[0] + p[1] + p[2]) / 3.0
        if f == "pert":
            return (p[0] + p[3] * p[1] + p[2]) / (p[3] + 2.0)
        if f == "normal":
            return p[0]
        if f == "lognormal":
            return p[0] * math.exp(0.5 * p[1] ** 2)
        if f == "beta":
            return p[2] + (p[3] - p[2]) * p[0] / (p[0] + p[1])
        if f == "gamma":
            return p[2] + p[0] * p[1]
        if f == "choice":
            return math.nan if self.categories is not None else float(np.dot(p, self.weights))
        if f == "empirical":
            # Integral of the piecewise-linear quantile function (trapezoids).
            v = np.asarray(p)
            return float((v.sum() - 0.5 * (v[0] + v[-1])) / (v.size - 1))
        return float(self._scipy().mean())  # truncnormal

    def support(self) -> tuple[float, float]:
        """Smallest and largest possible values."""
        f, p = self.family, self.params
        if f == "constant":
            return (p[0], p[0])
        if f in ("uniform",):
            return (p[0], p[1])
        if f in ("triangular", "pert"):
            return (p[0], p[2])
        if f == "normal":
            return (-math.inf, math.inf)
        if f in ("truncnormal", "beta"):
            return (p[2], p[3])
        if f == "lognormal":
            return (0.0, math.inf)
        if f == "gamma":
            return (p[2], math.inf)
        return (min(p), max(p))

    # -- text ------------------------------------------------------------
    def _items(self) -> tuple:
        if self.source is not None:
            return self.source
        if self.family == "choice":
            vals = self.categories if self.categories is not None else self.params
            return (("values", tuple(vals)), ("weights", tuple(self.weights)))
        if self.family == "empirical":
            return (("values", tuple(self.params)),)
        items = tuple(zip(PARAM_NAMES[self.family], self.params, strict=True))
        # Infinite truncation bounds are the defaults; TOML has no literal for them.
        return tuple((k, v) for k, v in items if not (isinstance(v, float) and math.isinf(v)))

    def to_spec(self) -> dict:
        """TOML-ready table that :func:`distributions.from_spec` turns back into ``self``."""
        spec = {"dist": self.family}
        for k, v in self._items():
            spec[k] = _to_toml(v)
        return spec

    def describe(self) -> str:
        """Short text such as ``"lognormal(p10=50, p90=140)"``."""
        args = ", ".join(f"{k}={_short(v)}" for k, v in self._items())
        return f"{self.family}({args})"


@functools.lru_cache(maxsize=256)
def _inverse_cdfs(dist: Distribution) -> tuple:
    """The inverse-CDF arrays of one distribution (:func:`distributions.inverse_cdfs`), once.

    A scenario asks each distribution for several quantiles (its support check, its
    median, the TCO-index ends); the set-up of a beta or gamma column (its Chebyshev
    tables) costs milliseconds, so it is made once per distribution and process. The
    arrays are shared: callers must not write to them.
    """
    from .matrix import inverse_cdfs

    return inverse_cdfs([dist])
