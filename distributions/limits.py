"""The parameter ranges each family's numerical set-up computes: checked before any set-up.

A distribution's parameters are refused when the family cannot compute them well or
quickly, long before a real input would reach them:

* every parameter and value within +-:data:`MAX_ABS_PARAMETER`, so the difference or
  sum of any two (``high - low``, ``mean + 37.5 sd`` at the smallest uniform the
  engine draws) is still a finite double;
* beta shapes (and the PERT shape, which sets a beta's) within [:data:`MIN_SHAPE`,
  :data:`MAX_BETA_SHAPE`] and the gamma shape within [:data:`MIN_SHAPE`,
  :data:`MAX_GAMMA_SHAPE`]: there the quantiles set up in under 0.3 s and lie within
  5e-6 standard deviations of the exact ones (``scipy.special`` round trips); a beta
  with a = b = 1e300 took 20 s and returned 1 at every quantile, a gamma of shape 1e7
  is already 3e-3 standard deviations off;
* a lognormal whose largest draw, ``median exp(Z_MAX sigma)`` at the largest uniform
  the engine draws, is finite;
* at most :data:`MAX_TABLE_VALUES` values in a choice or empirical table, and at most
  :data:`MAX_FIT_POINTS` observations, each within +-:data:`MAX_ABS_PARAMETER`, for
  ``tco fit`` (data spanning -1e308 to 1e308 kept the bounded fits spinning on
  ``inf - inf`` for 90 s).

Every refusal is a ``ValueError`` that starts with ``where`` and names the family,
the parameter, its value and the fix.
"""

from __future__ import annotations

import math

__all__ = [
    "MAX_ABS_PARAMETER",
    "MAX_BETA_SHAPE",
    "MAX_FIT_POINTS",
    "MAX_GAMMA_SHAPE",
    "MAX_TABLE_VALUES",
    "MIN_SHAPE",
    "Z_MAX",
    "check_lognormal_draws",
    "check_magnitudes",
    "check_shapes",
    "check_table_size",
    "limits_rows",
]

MAX_ABS_PARAMETER = 1e300
"""Largest magnitude of a parameter or value (the largest double is 1.8e308)."""

MIN_SHAPE = 1e-3
"""Smallest beta ``a``, ``b`` and gamma ``shape``: below it nearly all the mass sits
within 1e-300 of one end, where quantiles underflow."""

MAX_BETA_SHAPE = 1e9
"""Largest beta ``a``, ``b`` and PERT ``shape``: quantiles within 5e-6 standard
deviations of the exact ones (1e-4 at 1e10). A fit to data crowded near 0 can need a
``b`` near 1e9."""

MAX_GAMMA_SHAPE = 1e6
"""Largest gamma ``shape``: quantiles within 1e-7 standard deviations of the exact
ones (3e-3 at 1e7); its sd is then 0.1% of its mean, which a normal describes."""

_MAX_SHAPE = {"beta": MAX_BETA_SHAPE, "pert": MAX_BETA_SHAPE, "gamma": MAX_GAMMA_SHAPE}
_INSTEAD = {
    "beta": "a beta this concentrated is a normal (both shapes large) or a scaled gamma "
    "(one large) to this accuracy; write that instead",
    "pert": "a pert this peaked is its mode; write a constant, or a normal",
    "gamma": "its sd is below 0.1% of its mean; write a normal with that mean and sd",
}

MAX_TABLE_VALUES = 100_000
"""Most values of a choice or empirical table."""

MAX_FIT_POINTS = 50_000
"""Most observations ``tco fit`` fits: its eight maximum-likelihood fits take 1-2.5 s at
50,000 (each optimiser step reads every observation; 3-5 s at 100,000, 40 s at a
million), and the estimates' standard errors are already below 1% of the spread."""

Z_MAX = 8.2095
"""The standard normal quantile at the largest uniform the engine draws,
``1 - 2**-53`` (:data:`distributions.copula.U_MAX`), rounded up."""

_LOG_MAX_DOUBLE = math.log(1.7976931348623157e308)


def _num(v: float) -> str:
    return repr(int(v)) if float(v).is_integer() and abs(v) < 1e16 else repr(float(v))


def check_magnitudes(where: str, family: str, **params: float) -> None:
    """Refuse a finite parameter beyond +-:data:`MAX_ABS_PARAMETER`.

    Parameters
    ----------
    where : str
        File and key path, first in the message.
    family : str
        Family name.
    **params : float
        Parameters by name, in the input's units (infinite ones, such as a
        truncnormal's open bounds, are left to the family).

    Raises
    ------
    ValueError
        Naming the parameter, its value and the limit.
    """
    for name, value in params.items():
        if math.isfinite(value) and abs(value) > MAX_ABS_PARAMETER:
            raise ValueError(
                f"{where}: {family} needs |{name}| <= {MAX_ABS_PARAMETER:g} (so differences "
                f"of parameters stay finite), got {name}={_num(value)}; rescale the input's "
                "unit or check the value"
            )


def check_shapes(where: str, family: str, **shapes: float) -> None:
    """Refuse beta, gamma or PERT shapes outside the range the family computes.

    Parameters
    ----------
    where : str
        File and key path, first in the message.
    family : str
        Family name.
    **shapes : float
        Shape parameters by name (dimensionless).

    Raises
    ------
    ValueError
        Naming the shape, its value, the range and what to write instead.
    """
    for name, value in shapes.items():
        if math.isnan(value):
            continue  # the family's own finiteness check names it
        if value > _MAX_SHAPE[family]:
            raise ValueError(
                f"{where}: {family} needs {name} <= {_MAX_SHAPE[family]:g} (the largest "
                f"shape its quantiles are computed accurately for), got {name}="
                f"{_num(value)}: {_INSTEAD[family]}"
            )
        if family != "pert" and 0.0 < value < MIN_SHAPE:  # <= 0: the family says "> 0"
            raise ValueError(
                f"{where}: {family} needs {name} >= {MIN_SHAPE:g} (the smallest shape its "
                f"quantile tables compute), got {name}={_num(value)}: nearly all its mass "
                "sits at one end; write a choice of the end values with their weights"
            )


def check_lognormal_draws(where: str, median: float, sigma: float) -> None:
    """Refuse a lognormal whose largest draw overflows.

    Parameters
    ----------
    where : str
        File and key path, first in the message.
    median : float
        The median, in the input's units (> 0).
    sigma : float
        Standard deviation of the log (> 0).

    Raises
    ------
    ValueError
        When ``median * exp(Z_MAX * sigma)`` exceeds the largest double.
    """
    if math.log(median) + Z_MAX * sigma > _LOG_MAX_DOUBLE:
        largest = (_LOG_MAX_DOUBLE - math.log(median)) / Z_MAX
        raise ValueError(
            f"{where}: lognormal needs median * exp({Z_MAX} sigma) (its largest draw) below "
            f"1.8e308, got median={_num(median)}, sigma={_num(sigma)}; at this median sigma "
            f"must be below {largest:.4g} (real spreads are below 3)"
        )


def check_table_size(where: str, family: str, n: int) -> None:
    """Refuse a choice or empirical table of more than :data:`MAX_TABLE_VALUES` values.

    Parameters
    ----------
    where : str
        File and key path, first in the message.
    family : str
        ``"choice"`` or ``"empirical"``.
    n : int
        Number of values.

    Raises
    ------
    ValueError
        Naming the count, the limit and the fix.
    """
    if n > MAX_TABLE_VALUES:
        raise ValueError(
            f"{where}: {family} takes at most {MAX_TABLE_VALUES:,} values, got {n:,}; fit a "
            "distribution to the data with `tco fit`, or thin them"
        )


def limits_rows() -> list[tuple[str, str, str]]:
    """The distribution rows of the "Limits" table in ``docs/scenario.md``.

    Returns
    -------
    list of (str, str, str)
        What is limited, the limit, and why it is safe.
    """
    return [
        (
            "any distribution parameter or value",
            f"magnitude <= {MAX_ABS_PARAMETER:g}",
            "differences of two parameters stay finite (the largest double is 1.8e308)",
        ),
        (
            "beta `a`, `b`",
            f"{MIN_SHAPE:g} to {MAX_BETA_SHAPE:g}",
            "quantiles set up in < 0.3 s, within 5e-6 sd of exact (a = b = 1e300 took 20 s "
            "and was wrong)",
        ),
        (
            "gamma `shape`",
            f"{MIN_SHAPE:g} to {MAX_GAMMA_SHAPE:g}",
            "within 1e-7 sd of exact (3e-3 at 1e7); below 1e-3 the median underflows",
        ),
        ("pert `shape`", f"<= {MAX_BETA_SHAPE:g}", "it sets a beta's shapes (1 to 1 + shape)"),
        (
            "lognormal",
            f"median * exp({Z_MAX} sigma) < 1.8e308",
            "its largest draw (at the largest uniform, 1 - 2^-53) is finite",
        ),
        (
            "values of a choice or empirical",
            f"{MAX_TABLE_VALUES:,}",
            "set-up ~0.3 s; fit longer data with `tco fit`",
        ),
        (
            "observations in a `tco fit` column",
            f"{MAX_FIT_POINTS:,}",
            "the fits take 1-2.5 s there (40 s at a million); sample longer data",
        ),
        (
            "choice weights",
            "finite, > 0",
            "divided by the largest before they are summed, so the sum never overflows",
        ),
    ]
