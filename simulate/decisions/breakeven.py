"""Break-even: where the paired difference of two scenarios crosses zero along one input.

One input (traffic volume, a price, the horizon, ...) is set to each value of a grid in
turn, in both scenarios, and the two are compared on common random numbers at every
value, all with the same seed, so the curves are smooth in the swept value. At each
value: the median of the paired differences B - A with its order-statistic interval,
P(B cheaper) with its Wilson interval, and the P5-P95 band of the paired differences
(the spread of outcomes, not Monte Carlo error).

The break-even value is where the median difference crosses zero, by linear
interpolation between the grid points around the sign change (in log space on a
geometric grid). Its interval is where the upper and lower confidence curves of that
median cross zero: inverting a pointwise confidence band, which assumes the difference
is monotone near the crossing (it is not checked beyond one sign change). Where a
curve does not cross inside the swept range, that end of the interval is open (NaN).
Where the P5 and P95 curves cross zero, B is cheaper (or dearer) in 95% of outcomes:
the values reported as ``b_cheaper_p95_from`` / ``b_dearer_p95_from``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from results.provenance import provenance_attrs, scenario_attrs
from scenarios.scenario import Scenario
from scenarios.schema import FIELDS_BY_PATH
from simulate.decisions.compare import compare, resolve_scenarios
from simulate.model import columns as col

__all__ = ["breakeven", "breakeven_map", "crossings", "default_range", "sweep_values"]

DEFAULT_POINTS = 9


def sweep_values(low: float, high: float, points: int, log: bool | None = None) -> np.ndarray:
    """The grid of swept values from ``low`` to ``high``.

    Parameters
    ----------
    low, high : float
        Ends of the sweep, in the swept input's unit (``low < high``).
    points : int
        Grid points (at least 3).
    log : bool or None
        Geometric grid; None chooses it when ``low > 0`` and ``high / low >= 10``.

    Returns
    -------
    ndarray of float64, shape (points,)
    """
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"range {low:g}:{high:g}: need finite LO < HI, e.g. --range 1e6:1e8")
    if points < 3:
        raise ValueError(f"points = {points}: a sweep needs at least 3 values")
    if log is None:
        log = low > 0.0 and high / low >= 10.0
    if log:
        if low <= 0.0:
            raise ValueError(f"range {low:g}:{high:g}: a geometric grid needs LO > 0")
        return np.geomspace(low, high, points)
    return np.linspace(low, high, points)


def crossings(values: np.ndarray, curve: np.ndarray, log: bool) -> list[tuple[float, int]]:
    """Where a curve sampled on a grid changes sign, by linear interpolation.

    Parameters
    ----------
    values : ndarray, shape (k,)
        Increasing grid.
    curve : ndarray, shape (k,)
        Curve on the grid; NaN points are skipped.
    log : bool
        Interpolate in ``log(values)`` (a geometric grid).

    Returns
    -------
    list of (float, int)
        Each crossing's value and direction: +1 where the curve goes from negative
        to positive, -1 the other way. An exact zero on the grid counts once.
    """
    x = np.log(values) if log else np.asarray(values, dtype=float)
    keep = np.isfinite(curve)
    x, y = x[keep], np.asarray(curve, dtype=float)[keep]
    found = []
    for i in range(len(y) - 1):
        a, b = y[i], y[i + 1]
        if a == 0.0 and i > 0:
            continue  # counted as the end of the previous segment
        if (a < 0.0 < b) or (a > 0.0 > b) or (b == 0.0 and a != 0.0):
            at = x[i] + (x[i + 1] - x[i]) * (a / (a - b))
            found.append((float(np.exp(at) if log else at), 1 if b > a else -1))
    return found


def default_range(scenario: Scenario, key: str) -> tuple[float, float]:
    """A sweep range for ``key`` when none is given: lever ends, factor P5-P95, or base / 4 to 4x.

    Parameters
    ----------
    scenario : Scenario
        The baseline scenario.
    key : str
        Key path of a numeric input.

    Returns
    -------
    low, high : float
    """
    item = scenario.inputs.get(key)
    if item is None:
        from scenarios.errors import did_you_mean

        raise ValueError(
            f"--over {key}: not an input of {scenario.name}{did_you_mean(key, scenario.inputs)}"
        )
    if item.categorical:
        raise ValueError(
            f"--over {key}: a categorical input has no numeric range to sweep; compare its "
            "choices with `tco compare` instead"
        )
    if item.kind == "lever" and item.lever.kind == "range":
        return float(item.lever.low), float(item.lever.high)
    if item.kind == "factor":
        low, high = item.distribution.ppf(np.array([0.05, 0.95]))
        return float(low), float(high)
    base = float(scenario.base_values()[key])
    if base <= 0.0:
        raise ValueError(f"--over {key}: base value {base:g}; give the sweep as --range LO:HI")
    return base / 4.0, base * 4.0


def breakeven(
    scenarios: Sequence[str | Path],
    over: str,
    values: Sequence[float] | None = None,
    n: int = 20_000,
    seed: int = 0,
    kpi: str = "lifecycle_total",
    overrides: Sequence[str] = (),
    confidence: float = 0.95,
    log: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """Sweep one input and find where scenario B starts (or stops) being cheaper than A.

    Parameters
    ----------
    scenarios : (str or Path, str or Path)
        A (the baseline) and B: built-in names or scenario files.
    over : str
        Key path of the swept numeric input (set to each value in both scenarios).
    values : sequence of float, optional
        The grid, increasing; default :data:`DEFAULT_POINTS` values over
        :func:`default_range`.
    n : int
        Paired samples per scenario and value.
    seed : int
        One seed for every value (common random numbers along the sweep too).
    kpi : str
        Output compared (default the lifecycle total, USD).
    overrides : sequence of str
        Further ``key.path=value`` assignments applied to both scenarios.
    confidence : float
        Level of the intervals, in (0, 1).
    log : bool or None
        Interpolate on a log scale; None: when the grid is geometric.
    progress : callable(done, total), optional
        Called after each value.

    Returns
    -------
    xarray.Dataset
        Dim ``value`` (the swept values, in the input's unit) and ``bound`` (estimate,
        lower, upper): ``difference`` (median of B - A with its interval),
        ``difference_p5`` / ``difference_p95`` (band of the paired differences),
        ``prob_b_cheaper`` (with its interval), ``median_a``, ``median_b``,
        ``n_paired``. Attributes: the break-even value and its interval
        (``breakeven``, ``breakeven_low``, ``breakeven_high``; NaN when the median does
        not cross zero in range), its direction, the 95% crossings, and provenance.
    """
    if len(scenarios) != 2:
        raise ValueError(
            f"got {len(scenarios)} scenario(s): a break-even compares exactly two, A and B"
        )
    if kpi not in col.OUTPUT_INDEX:
        from scenarios.errors import did_you_mean

        raise ValueError(f"KPI {kpi!r} is not an output{did_you_mean(kpi, col.OUTPUT_INDEX)}")
    first = resolve_scenarios(list(scenarios), overrides)
    if values is None:
        values = sweep_values(*default_range(first[0], over), DEFAULT_POINTS, log)
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or len(values) < 3 or np.any(np.diff(values) <= 0.0):
        raise ValueError("values: need at least 3 increasing values to sweep")
    if log is None:
        ratios = values[1:] / values[:-1] if values[0] > 0.0 else np.array([1.0, 2.0])
        log = bool(values[0] > 0.0 and np.allclose(ratios, ratios[0], rtol=1e-9))
    direction = col.better_direction(kpi)
    rows = []
    loaded = first
    for k, value in enumerate(values):
        loaded = resolve_scenarios(list(scenarios), [*overrides, f"{over}={float(value)!r}"])
        ds = compare(loaded, n=n, seed=seed, kpis=[kpi], confidence=confidence)
        a, b = ds[kpi].values[0], ds[kpi].values[1]
        paired = np.isfinite(a) & np.isfinite(b)
        differences = b[paired] - a[paired]
        cheaper = ds[f"{kpi}_prob_a_better"].values[0]
        # P(B better) = 1 - P(A better) - P(tie): its interval mirrors A's, shifted by ties.
        tie = float(ds[f"{kpi}_prob_tie"].values[0])
        b_better = np.array(
            [1.0 - tie - cheaper[0], 1.0 - tie - cheaper[2], 1.0 - tie - cheaper[1]]
        )
        band = np.percentile(differences, [5.0, 95.0]) if differences.size else [np.nan] * 2
        rows.append(
            {
                "difference": ds[f"{kpi}_difference"].values[0],
                "p5": band[0],
                "p95": band[1],
                "prob_b_better": np.clip(b_better, 0.0, 1.0),
                "median_a": ds[f"{kpi}_median"].values[0],
                "median_b": ds[f"{kpi}_median"].values[1],
                "n_paired": int(ds[f"{kpi}_n_paired"].values[0]),
            }
        )
        if progress is not None:
            progress(k + 1, len(values))
    return _dataset(loaded, over, values, rows, kpi, direction, n, seed, confidence, log)


def _crossing(values, curve, log) -> tuple[float, int]:
    found = crossings(values, curve, log)
    return found[0] if len(found) == 1 else (np.nan, 0) if not found else (np.nan, 2)


def _dataset(loaded, over, values, rows, kpi, direction, n, seed, confidence, log):
    unit = col.OUTPUTS[col.OUTPUT_INDEX[kpi]].unit
    difference = np.array([r["difference"] for r in rows])
    p5 = np.array([r["p5"] for r in rows])
    p95 = np.array([r["p95"] for r in rows])
    # For a cost, B is better where B - A < 0; for a "higher is better" output, where > 0.
    sign = -1.0 if direction == "higher" else 1.0
    estimate, turn = _crossing(values, sign * difference[:, 0], log)
    ends = [_crossing(values, sign * difference[:, j], log)[0] for j in (1, 2)]
    known = [e for e in ends if np.isfinite(e)]
    low = min(known) if len(known) == 2 else np.nan
    high = max(known) if len(known) == 2 else np.nan
    if np.isfinite(estimate) and len(known) == 1:
        # One confidence curve crosses inside the range: that end is known, the other open.
        low, high = (known[0], np.nan) if known[0] < estimate else (np.nan, known[0])
    band_cheaper = _crossing(values, sign * (p95 if sign > 0 else p5), log)[0]
    band_dearer = _crossing(values, sign * (p5 if sign > 0 else p95), log)[0]
    turn_text = {
        -1: "B better above the break-even",
        1: "B better below the break-even",
        0: "no sign change of the median difference in the swept range",
        2: "the median difference changes sign more than once; see the curve",
    }[turn]
    input_unit = loaded[0].inputs[over].unit if over in loaded[0].inputs else ""
    attrs = {
        **provenance_attrs(
            "breakeven", f"lifecycle-tco break-even of {loaded[1].name} vs {loaded[0].name}"
        ),
        "over": over,
        "over_units": input_unit,
        "kpi": kpi,
        "kpi_units": unit,
        "difference_direction": "B - A, A = the baseline (first scenario)",
        "breakeven": estimate,
        "breakeven_low": low,
        "breakeven_high": high,
        "breakeven_direction": turn_text,
        "b_better_p95_from": band_cheaper,
        "b_worse_p95_from": band_dearer,
        "breakeven_method": (
            "zero crossing of the median paired difference, linear interpolation between grid "
            "points (log scale on a geometric grid); interval: crossings of its pointwise "
            f"{confidence:.0%} confidence curves (order-statistic intervals of the median), "
            "assuming a monotone difference near the crossing; NaN: outside the swept range"
        ),
        "interpolation": "log" if log else "linear",
        "confidence": confidence,
        "n_samples": n,
        "seed": seed,
        "scenario_a": loaded[0].name,
        "scenario_b": loaded[1].name,
    }
    for i, scenario in enumerate(loaded):
        attrs.update(scenario_attrs(scenario, prefix=f"scenario_{i}_"))
    attrs = {k: (float(v) if isinstance(v, np.floating) else v) for k, v in attrs.items()}
    data_vars = {
        "difference": (
            ("value", "bound"),
            difference,
            {"units": unit, "long_name": f"median of the paired differences of {kpi}, B - A"},
        ),
        "difference_p5": (
            ("value",),
            p5,
            {"units": unit, "long_name": f"5th percentile of the paired differences of {kpi}"},
        ),
        "difference_p95": (
            ("value",),
            p95,
            {"units": unit, "long_name": f"95th percentile of the paired differences of {kpi}"},
        ),
        "prob_b_better": (
            ("value", "bound"),
            np.array([r["prob_b_better"] for r in rows]),
            {"units": "1", "long_name": f"share of paired samples where B's {kpi} is better"},
        ),
        "median_a": (("value", "bound"), np.array([r["median_a"] for r in rows]), {"units": unit}),
        "median_b": (("value", "bound"), np.array([r["median_b"] for r in rows]), {"units": unit}),
        "n_paired": (("value",), np.array([r["n_paired"] for r in rows], dtype=np.int64), {}),
    }
    coords = {
        "value": ("value", values, {"units": input_unit, "long_name": f"swept {over}"}),
        "bound": ("bound", ["estimate", "lower", "upper"], {}),
    }
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def breakeven_map(
    scenarios: Sequence[str | Path],
    over: str,
    values: Sequence[float],
    over2: str,
    values2: Sequence[float],
    n: int = 5_000,
    seed: int = 0,
    kpi: str = "lifecycle_total",
    overrides: Sequence[str] = (),
    confidence: float = 0.95,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """Two-input break-even map: the paired difference over a grid of two inputs.

    Parameters
    ----------
    scenarios : (str or Path, str or Path)
        A and B.
    over, over2 : str
        The two swept numeric inputs (key paths).
    values, values2 : sequence of float
        Their increasing grids.
    n, seed, kpi, overrides, confidence
        As for :func:`breakeven` (one seed for the whole grid).
    progress : callable(done, total), optional
        Called after each value of ``over2``.

    Returns
    -------
    xarray.Dataset
        Dims ``value2`` (``over2``) and ``value`` (``over``): ``difference`` (median of
        B - A), ``prob_b_better``; and per ``value2`` the break-even value of ``over``
        (``breakeven``, NaN where the median does not cross zero), so the zero contour
        is the break-even curve. Kind ``breakeven``.
    """
    if over == over2:
        raise ValueError(f"--over {over} twice: a map needs two different inputs")
    values2 = np.asarray(values2, dtype=np.float64)
    if values2.ndim != 1 or len(values2) < 2 or np.any(np.diff(values2) <= 0.0):
        raise ValueError("values2: need at least 2 increasing values")
    lines = []
    for k, value2 in enumerate(values2):
        line = breakeven(
            scenarios,
            over,
            values,
            n=n,
            seed=seed,
            kpi=kpi,
            overrides=[*overrides, f"{over2}={float(value2)!r}"],
            confidence=confidence,
        )
        lines.append(line)
        if progress is not None:
            progress(k + 1, len(values2))
    first = lines[0]
    unit = first.attrs["kpi_units"]
    scenario_unit = first.attrs["over_units"]
    a_name, b_name = first.attrs["scenario_a"], first.attrs["scenario_b"]
    attrs = {
        **provenance_attrs("breakeven", f"lifecycle-tco break-even map of {b_name} vs {a_name}"),
        "over": over,
        "over_units": scenario_unit,
        "over2": over2,
        "over2_units": getattr(FIELDS_BY_PATH.get(over2), "unit", ""),
        "kpi": kpi,
        "kpi_units": unit,
        "scenario_a": a_name,
        "scenario_b": b_name,
        "n_samples": n,
        "seed": seed,
        "confidence": confidence,
        "interpolation": first.attrs["interpolation"],
        "breakeven_method": first.attrs["breakeven_method"],
    }
    data_vars = {
        "difference": (
            ("value2", "value"),
            np.array([line["difference"].values[:, 0] for line in lines]),
            {"units": unit, "long_name": f"median of the paired differences of {kpi}, B - A"},
        ),
        "prob_b_better": (
            ("value2", "value"),
            np.array([line["prob_b_better"].values[:, 0] for line in lines]),
            {"units": "1", "long_name": f"share of paired samples where B's {kpi} is better"},
        ),
        "breakeven": (
            ("value2",),
            np.array([line.attrs["breakeven"] for line in lines]),
            {"units": scenario_unit, "long_name": f"break-even {over} at each {over2}"},
        ),
    }
    coords = {
        "value": ("value", first["value"].values, {"long_name": f"swept {over}"}),
        "value2": ("value2", values2, {"long_name": f"swept {over2}"}),
    }
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)
