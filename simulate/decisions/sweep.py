"""One input swept over a range: a KPI's median and 90% band on common random numbers.

Every value of the sweep is run with the same seed and the same set of uncertain
factors (the swept key is fixed at each value), so sample ``i`` sees the same demand,
prices and efficiencies at every value: the curve moves only because the input does,
and a bend in it (the optimum of the utilisation target near 0.8 and the cliff
above it) shows without Monte Carlo noise between points.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import xarray as xr

from results.provenance import provenance_attrs, scenario_attrs
from results.summary import summarize_values
from scenarios.loader import load_scenario
from scenarios.scenario import Scenario
from simulate.decisions.breakeven import DEFAULT_POINTS, default_range, sweep_values
from simulate.engine.montecarlo import run
from simulate.model import columns as col

__all__ = ["best_value", "sweep"]

BAND = (5.0, 95.0)
"""The band drawn around the median: 90% of outcomes."""


def sweep(
    scenario: Scenario | str,
    key: str,
    values: Sequence[float] | None = None,
    n: int = 20_000,
    seed: int = 0,
    kpis: Sequence[str] = ("token_cost_per_1k",),
    overrides: Sequence[str] = (),
    confidence: float = 0.95,
    log: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """The distribution of KPIs along one input, everything else sampled as in ``tco run``.

    Parameters
    ----------
    scenario : Scenario or str
        The scenario (a loaded one, a built-in name or a file).
    key : str
        Key path of the swept numeric input (a lever, a factor or a constant).
    values : sequence of float, optional
        The grid, increasing, in the input's unit; default :data:`DEFAULT_POINTS`
        values over a lever's range, a factor's P5-P95, or base / 4 to 4x base.
    n : int
        Samples at each value.
    seed : int
        One seed for every value: common random numbers along the sweep.
    kpis : sequence of str
        Outputs to follow (any output of ``tco calc``).
    overrides : sequence of str
        Further ``key.path=value`` assignments.
    confidence : float
        Level of the median's interval, in (0, 1).
    log : bool or None
        Geometric grid when ``values`` is None (None: when HI/LO >= 10).
    progress : callable(done, total), optional
        Called after each value.

    Returns
    -------
    xarray.Dataset
        Dims ``value`` (the swept values, in the input's unit) and ``kpi``:
        ``median`` with ``median_low``/``median_high`` (its confidence interval),
        ``p5`` and ``p95`` (the 90% band of outcomes), ``mean``, all in each KPI's
        unit (coordinate ``kpi_units``); ``infeasible_share`` (value). Kind ``sweep``.

    Raises
    ------
    ValueError
        Unknown key or KPI, a categorical key, or a grid that is not increasing.
    """
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, overrides)
    unknown = [k for k in kpis if k not in col.OUTPUT_INDEX]
    if unknown or not kpis:
        from scenarios.errors import did_you_mean

        name = unknown[0] if unknown else ""
        raise ValueError(f"KPI {name!r} is not an output{did_you_mean(name, col.OUTPUT_INDEX)}")
    if values is None:
        values = sweep_values(*default_range(base, key), DEFAULT_POINTS, log)
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or len(values) < 2 or np.any(np.diff(values) <= 0.0):
        raise ValueError("values: need at least 2 increasing values to sweep")
    if key not in base.inputs:
        default_range(base, key)  # raises the message naming the key
    # Reload at each value from the scenario's own source with one more override.
    source = base.source.removeprefix("builtin:")
    extra = list(base.overrides)
    shape = (len(values), len(kpis))
    stats = {
        name: np.full(shape, np.nan) for name in ("median", "low", "high", "p5", "p95", "mean")
    }
    infeasible = np.zeros(len(values))
    for i, value in enumerate(values):
        loaded = load_scenario(source, [*extra, f"{key}={float(value)!r}"])
        ds = run(loaded, n=n, seed=seed)
        infeasible[i] = float(np.count_nonzero(ds["infeasible"].values)) / n
        for j, kpi in enumerate(kpis):
            # The summary of `tco run`: mean, then P5, P50 (with its order-statistic
            # interval) and P95; NaN rows (infeasible) left out, NaN when fewer than two.
            table, _ = summarize_values(ds[kpi].values, (BAND[0], 50.0, BAND[1]), confidence)
            stats["mean"][i, j] = table[0, 0]
            stats["p5"][i, j], stats["p95"][i, j] = table[2, 0], table[4, 0]
            stats["median"][i, j], stats["low"][i, j], stats["high"][i, j] = table[3]
        if progress is not None:
            progress(i + 1, len(values))
    units = [col.OUTPUTS[col.OUTPUT_INDEX[k]].unit for k in kpis]
    field = base.inputs.get(key)
    unit = getattr(field, "unit", "") or ""
    dims = ("value", "kpi")
    data_vars = {
        "median": (dims, stats["median"], {"long_name": "median of the KPI at the value"}),
        "median_low": (
            dims,
            stats["low"],
            {"long_name": f"{confidence:.0%} CI of the median, low"},
        ),
        "median_high": (
            dims,
            stats["high"],
            {"long_name": f"{confidence:.0%} CI of the median, high"},
        ),
        "p5": (dims, stats["p5"], {"long_name": "5th percentile of the KPI (band, low)"}),
        "p95": (dims, stats["p95"], {"long_name": "95th percentile of the KPI (band, high)"}),
        "mean": (dims, stats["mean"], {"long_name": "mean of the KPI"}),
        "infeasible_share": (
            ("value",),
            infeasible,
            {"long_name": "share of infeasible samples", "units": "1"},
        ),
    }
    coords = {
        "value": ("value", values, {"units": unit, "long_name": f"swept {key}"}),
        "kpi": ("kpi", list(kpis)),
        "kpi_units": ("kpi", units, {"long_name": "units of each KPI"}),
    }
    attrs = {
        **provenance_attrs("sweep", f"lifecycle-tco sweep of {key} in {base.name}"),
        "over": key,
        "over_units": unit,
        "seed": seed,
        "n_samples": n,
        "confidence": confidence,
        "design": "mc",
        "band": "P5-P95 (90% of outcomes)",
        "scale": "log" if _is_geometric(values) else "linear",
        "kpis": " ".join(kpis),
        "common_random_numbers": "one seed and one factor set at every value",
    }
    attrs.update(scenario_attrs(base))
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def _is_geometric(values: np.ndarray) -> bool:
    if len(values) < 3 or values[0] <= 0.0:
        return False
    ratios = values[1:] / values[:-1]
    return bool(np.allclose(ratios, ratios[0], rtol=1e-9) and not np.allclose(ratios, 1.0))


def best_value(ds: xr.Dataset, kpi: str) -> tuple[float, float]:
    """The swept value with the best median of a KPI, and that median.

    Parameters
    ----------
    ds : xarray.Dataset
        A sweep (:func:`sweep`).
    kpi : str
        One of its KPIs.

    Returns
    -------
    value, median : float
        Lowest median for costs, energy and time; highest for outputs where higher is
        better. NaN when no value has a median.
    """
    median = ds["median"].sel(kpi=kpi).values
    if not np.isfinite(median).any():
        return float("nan"), float("nan")
    pick = np.nanargmax if col.better_direction(kpi) == "higher" else np.nanargmin
    i = int(pick(median))
    return float(ds["value"].values[i]), float(median[i])
