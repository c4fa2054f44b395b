"""Summary statistics of per-sample results, each with a confidence interval.

- mean: ``x_bar +- z s / sqrt(n)`` (central limit theorem);
- standard deviation: ``s +- z SE(s)`` with ``SE(s) = sqrt((m4 - s^4) / n) / (2 s)``,
  the delta-method large-sample error that holds for non-normal data (``m4`` the
  fourth central moment);
- percentile ``q``: the sample quantile (linear interpolation, NumPy's default)
  and a distribution-free interval between the order statistics of ranks
  ``n q -+ z sqrt(n q (1 - q))`` (the binomial normal approximation; e.g.
  Hahn & Meeker, *Statistical Intervals*, 1991, ch. 5).

They are exact on the stored samples: percentiles are taken from the full column
(``numpy.partition``, one variable in memory at a time), not from a sketch. The
intervals assume independent samples; Latin hypercube and Sobol designs are
usually more precise than that, so their intervals are conservative.
Samples whose value is NaN (structurally infeasible) are left out and counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy.stats import norm

from simulate import columns as col

DEFAULT_PERCENTILES = (5.0, 50.0, 95.0)
BOUNDS = ("estimate", "lower", "upper")


def statistic_names(percentiles: Sequence[float]) -> list[str]:
    """Names of the statistics: ``mean``, ``std`` and ``p5``, ``p50``, ... ."""
    return ["mean", "std", *[f"p{p:g}" for p in percentiles]]


def summarize_values(
    values: np.ndarray,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    confidence: float = 0.95,
) -> tuple[np.ndarray, int]:
    """Statistics of one variable with their confidence intervals.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Per-sample values; NaN entries are left out.
    percentiles : sequence of float
        Percentiles in (0, 100).
    confidence : float
        Confidence level of the intervals, in (0, 1).

    Returns
    -------
    table : ndarray of float64, shape (2 + len(percentiles), 3)
        Rows: mean, std, then each percentile; columns: estimate, lower, upper.
        NaN when fewer than two valid samples.
    n_valid : int
        Number of finite samples used.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence = {confidence}: must lie in (0, 1), e.g. 0.95")
    for p in percentiles:
        if not 0.0 < p < 100.0:
            raise ValueError(f"percentile {p}: must lie in (0, 100), e.g. 5,50,95")
    data = np.asarray(values, dtype=np.float64)
    data = data[np.isfinite(data)]
    n = data.size
    table = np.full((2 + len(percentiles), 3), np.nan)
    if n < 2:
        return table, n
    z = float(norm.ppf(0.5 + confidence / 2.0))
    mean = data.mean()
    centred = data - mean
    var = centred @ centred / (n - 1)
    std = np.sqrt(var)
    half = z * std / np.sqrt(n)
    table[0] = (mean, mean - half, mean + half)
    m4 = np.mean(centred**4)
    se_std = np.sqrt(max(m4 - var * var, 0.0) / n) / (2.0 * std) if std > 0 else 0.0
    table[1] = (std, max(std - z * se_std, 0.0), std + z * se_std)

    qs = np.asarray(percentiles, dtype=np.float64) / 100.0
    spread = z * np.sqrt(n * qs * (1.0 - qs))
    lower_rank = np.clip(np.floor(n * qs - spread), 0, n - 1).astype(np.int64)
    upper_rank = np.clip(np.ceil(n * qs + spread), 0, n - 1).astype(np.int64)
    position = qs * (n - 1)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, n - 1)
    kth = np.unique(np.concatenate([lower_rank, upper_rank, below, above]))
    ordered = np.partition(data, kth)
    weight = position - below
    estimate = ordered[below] * (1.0 - weight) + ordered[above] * weight
    table[2:, 0] = estimate
    table[2:, 1] = np.minimum(ordered[lower_rank], estimate)
    table[2:, 2] = np.maximum(ordered[upper_rank], estimate)
    return table, n


def summarize(
    dataset,
    names: Iterable[str],
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    confidence: float = 0.95,
):
    """Summaries of several per-sample variables as an xarray Dataset.

    Parameters
    ----------
    dataset : xarray.Dataset
        A run's dataset (dims ``sample``); read one variable at a time.
    names : iterable of str
        Variables to summarise.
    percentiles : sequence of float
        Percentiles in (0, 100).
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    xarray.Dataset
        One variable per name with dims (``statistic``, ``bound``), its ``units``
        and ``n_valid`` in attrs; ``confidence`` and the method in dataset attrs.
    """
    import xarray as xr

    stats = statistic_names(percentiles)
    out = {}
    for name in names:
        table, n_valid = summarize_values(dataset[name].values, percentiles, confidence)
        attrs = {k: v for k, v in dataset[name].attrs.items() if k in ("units", "long_name")}
        out[name] = xr.DataArray(
            table, dims=("statistic", "bound"), attrs=attrs | {"n_valid": n_valid}
        )
    return xr.Dataset(
        out,
        coords={"statistic": stats, "bound": list(BOUNDS)},
        attrs={
            "confidence": confidence,
            "method": "mean: CLT; std: delta method; percentiles: order-statistic interval",
        },
    )


def infeasible_counts(flags: np.ndarray) -> dict[str, int]:
    """Samples per infeasibility reason, plus ``"any"``.

    Parameters
    ----------
    flags : ndarray of int
        The run's ``infeasible`` bit mask (0: feasible).

    Returns
    -------
    dict of str to int
        ``"any"`` first, then each reason of :data:`simulate.columns.FLAG_REASONS`.
    """
    flags = np.asarray(flags)
    counts = {"any": int(np.count_nonzero(flags))}
    for bit, reason in col.FLAG_REASONS.items():
        counts[reason] = int(np.count_nonzero(flags & bit))
    return counts
