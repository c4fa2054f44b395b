"""Tornado analysis: one-at-a-time swings of every lever and uncertain factor, per KPI.

Each lever and each uncertain factor is moved to its two ends while every other
input stays at its base value (levers at base, factors at their medians), and the
KPIs are evaluated there:

- a range lever at its ``low`` and ``high``;
- a continuous factor at two quantiles (P10 and P90 by default);
- a choice lever or a choice factor (numeric or categorical, e.g. the accelerator
  generation) at every choice; its ends are, per KPI, the choices giving the lowest
  and the highest KPI value.

All rows (the base case and every end or choice of every input) go to the kernel in
one :func:`simulate.model.batch.model_outputs` call: a few dozen rows cost one kernel launch,
where one call per input would pay the dispatch overhead dozens of times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from results.provenance import provenance_attrs, scenario_attrs
from scenarios.errors import did_you_mean
from scenarios.scenario import Scenario, ScenarioInput
from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.model.inputs import input_matrix

DEFAULT_KPIS: tuple[str, ...] = tuple(col.KPI_NAMES)
DEFAULT_FACTOR_QUANTILES = (0.10, 0.90)
ENDS = ("low", "high")
OUTPUT_UNITS = {c.name: c.unit for c in col.OUTPUTS}
OUTPUT_LONG_NAMES = {c.name: c.long_name for c in col.OUTPUTS}

DEFINITION = (
    "swing = KPI(high end) - KPI(low end), one input moved at a time, every other input at "
    "base (levers at base, factors at their medians); ends: range levers at low/high, "
    "continuous factors at the quantiles in factor_quantiles, choice levers and choice "
    "factors at the choices giving the lowest (low end) and highest (high end) KPI value "
    "(first lowest, last highest on ties), so their swing is never negative; "
    "abs_swing = |swing|; structurally infeasible ends have value NaN and their reasons in "
    "'infeasible'"
)


@dataclass(frozen=True)
class _Sweep:
    """The settings one input is evaluated at.

    Attributes
    ----------
    item : ScenarioInput
        The lever or factor.
    method : {"range", "quantile", "choice"}
        How its ends are chosen.
    values : list
        Values for :func:`simulate.model.inputs.input_matrix` (numbers in the input's
        units, or category indices for categorical inputs).
    labels : list of str
        The same settings as text (category names for categorical inputs).
    """

    item: ScenarioInput
    method: str
    values: list
    labels: list[str]


def _label(value: float) -> str:
    # Six significant digits, like scenario descriptions: "55.3", "2e+07".
    return f"{value:g}"


def _sweep(item: ScenarioInput, quantiles: tuple[float, float]) -> _Sweep:
    if item.kind == "lever":
        lever = item.lever
        if lever.kind == "range":
            ends = [lever.low, lever.high]
            return _Sweep(item, "range", ends, [_label(v) for v in ends])
        if item.categorical:
            names = list(lever.choices)
            return _Sweep(item, "choice", list(range(len(names))), names)
        return _Sweep(item, "choice", list(lever.choices), [_label(v) for v in lever.choices])
    dist = item.distribution
    if item.categorical:
        names = list(item.categories)
        return _Sweep(item, "choice", list(range(len(names))), names)
    if dist.family == "choice":
        values = [float(v) for v in dist.params]
        return _Sweep(item, "choice", values, [_label(v) for v in values])
    ends = [float(v) for v in dist.ppf(np.asarray(quantiles, dtype=np.float64))]
    return _Sweep(item, "quantile", ends, [_label(v) for v in ends])


def check_kpis(kpis: Sequence[str]) -> list[str]:
    """Validate output names, keeping their order and dropping repeats.

    Parameters
    ----------
    kpis : sequence of str
        Names from :data:`simulate.model.columns.OUTPUTS`.

    Returns
    -------
    list of str
        The names, each once.

    Raises
    ------
    ValueError
        For an empty list or an unknown name (with a did-you-mean suggestion).
    """
    if isinstance(kpis, str):
        kpis = [kpis]
    names = list(dict.fromkeys(kpis))
    if not names:
        raise ValueError("no KPI given; choose from " + ", ".join(col.OUTPUT_INDEX))
    for name in names:
        if name not in col.OUTPUT_INDEX:
            raise ValueError(
                f"KPI {name!r}: unknown output{did_you_mean(name, col.OUTPUT_INDEX)}; outputs: "
                + ", ".join(col.OUTPUT_INDEX)
            )
    return names


def check_quantiles(factor_quantiles: Sequence[float]) -> tuple[float, float]:
    """Validate the two factor quantiles.

    Parameters
    ----------
    factor_quantiles : sequence of two floats
        Probabilities with ``0 < low < high < 1``.

    Returns
    -------
    tuple of (float, float)
        The quantiles as floats.

    Raises
    ------
    ValueError
        If there are not two of them or they are not increasing inside (0, 1).
    """
    values = tuple(float(q) for q in factor_quantiles)
    if len(values) != 2 or not 0.0 < values[0] < values[1] < 1.0:
        raise ValueError(
            f"factor_quantiles = {tuple(factor_quantiles)!r}: give two probabilities "
            "0 < low < high < 1, e.g. (0.10, 0.90)"
        )
    return values


def _reason(code: int) -> str:
    return "; ".join(col.describe_flags(int(code)))


def tornado(
    scenario: Scenario,
    kpis: Sequence[str] = DEFAULT_KPIS,
    factor_quantiles: Sequence[float] = DEFAULT_FACTOR_QUANTILES,
) -> xr.Dataset:
    """One-at-a-time swings of every lever and uncertain factor on each KPI.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    kpis : sequence of str
        Output names (:data:`simulate.model.columns.OUTPUTS`); default the five cost KPIs.
    factor_quantiles : sequence of two floats
        Probabilities at which continuous factors are evaluated (default P10, P90).

    Returns
    -------
    xarray.Dataset
        Dims ``kpi``, ``param`` and ``end`` (``["low", "high"]``). Variables:

        - ``value`` (kpi, param, end): the KPI at each end, in the KPI's units
          (coordinate ``kpi_units``); NaN where the end is structurally infeasible;
        - ``swing`` (kpi, param): ``value(high) - value(low)``, in the KPI's units;
          negative when a range lever or factor lowers the KPI as it rises;
        - ``abs_swing`` (kpi, param): ``|swing|``;
        - ``base_value`` (kpi): the KPI at base, in the KPI's units;
        - ``setting`` (kpi, param, end): the input value used at each end as text,
          in the input's units (coordinate ``param_units``) or a category name;
        - ``setting_value`` (kpi, param, end): the same as a number (NaN for
          categorical inputs);
        - ``infeasible`` (kpi, param, end): why the end is infeasible ("" if it is
          not); the cadence flag is reported but keeps its costs, as in ``tco run``;
        - ``infeasible_choices`` (param): choices left out of a choice input's ends
          because they are structurally infeasible, with reasons ("" if none).

        Coordinates ``kind`` (param: "lever" | "factor"), ``method`` (param:
        "range" | "quantile" | "choice"), ``param_units`` (param) and ``kpi_units``
        (kpi); provenance in the attributes.

    Raises
    ------
    ValueError
        For an unknown KPI name or bad quantiles.
    """
    names = check_kpis(kpis)
    quantiles = check_quantiles(factor_quantiles)
    sweeps = [_sweep(item, quantiles) for item in (*scenario.levers(), *scenario.factors())]
    columns, rows, n = _sweep_rows(scenario, sweeps)
    outputs, flags = model_outputs(input_matrix(scenario, columns, n))
    kpi_columns = [col.OUTPUT_INDEX[name] for name in names]
    ends = _ends(sweeps, rows, outputs, flags, kpi_columns)
    attrs = {
        **provenance_attrs(
            "tornado", f"Tornado (one-at-a-time sensitivity) of scenario {scenario.name}"
        ),
        **scenario_attrs(scenario),
        "factor_quantiles": np.asarray(quantiles, dtype=np.float64),
        "swing_definition": DEFINITION,
        "base_infeasible": _reason(flags[0]),
        "rows_evaluated": n,
    }
    return tornado_dataset(
        [s.item.path for s in sweeps],
        sweeps,
        names,
        ([OUTPUT_UNITS[name] for name in names], [OUTPUT_LONG_NAMES[name] for name in names]),
        outputs[0, kpi_columns],
        ends,
        attrs,
    )


def _sweep_rows(scenario: Scenario, sweeps: list[_Sweep]):
    """Input columns of the whole analysis: row 0 the base case, then each sweep's rows.

    Every input is a full column of base values with its own rows overwritten, so the
    whole analysis is one input matrix and one kernel call. Returns the columns by key
    path, each sweep's rows (a slice) and the number of rows.
    """
    n = 1 + sum(len(s.values) for s in sweeps)
    base = scenario.base_values()
    columns: dict[str, np.ndarray] = {}
    rows: list[slice] = []
    start = 1
    for s in sweeps:
        path = s.item.path
        if s.item.categorical:
            column = np.full(n, s.item.categories.index(base[path]), dtype=np.int64)
        else:
            column = np.full(n, float(base[path]), dtype=np.float64)
        stop = start + len(s.values)
        column[start:stop] = s.values
        columns[path] = column
        rows.append(slice(start, stop))
        start = stop
    return columns, rows, n


def _ends(sweeps, rows, outputs, flags, kpi_columns):
    """Each sweep's two ends per KPI: values, settings, reasons, excluded choices.

    ``outputs`` (rows, columns) holds the KPIs of every row, ``kpi_columns`` the column
    of each KPI; ``flags`` (rows,) the infeasibility masks; ``rows`` each sweep's slice.
    """
    structural = (flags & col.STRUCTURAL_FLAGS) != 0
    k, p = len(kpi_columns), len(sweeps)
    value = np.full((k, p, 2), np.nan)
    setting = np.empty((k, p, 2), dtype=object)
    setting_value = np.full((k, p, 2), np.nan)
    infeasible = np.empty((k, p, 2), dtype=object)
    excluded = []
    for j, (s, rs) in enumerate(zip(sweeps, rows, strict=True)):
        codes = flags[rs]
        bad = structural[rs]
        excluded.append(
            "; ".join(f"{s.labels[i]}: {_reason(codes[i])}" for i in np.flatnonzero(bad))
            if s.method == "choice"
            else ""
        )
        for i, column in enumerate(kpi_columns):
            kpi = outputs[rs, column]
            if s.method != "choice":
                picks = (0, 1)
            elif bad.all():
                picks = (0, len(s.values) - 1)  # nothing feasible to rank: report both ends
            else:
                # Infeasible choices have NaN costs; they cannot be the cheapest or dearest.
                # Ties: the first cheapest and the last dearest, so a choice the KPI does
                # not depend on still shows the span of choices tried (swing 0).
                ranked = np.where(bad, np.nan, kpi)
                last = len(ranked) - 1 - int(np.nanargmax(ranked[::-1]))
                picks = (int(np.nanargmin(ranked)), last)
            for e, r in enumerate(picks):
                value[i, j, e] = kpi[r]
                setting[i, j, e] = s.labels[r]
                if not s.item.categorical:
                    setting_value[i, j, e] = s.values[r]
                infeasible[i, j, e] = _reason(codes[r])
    return value, setting, setting_value, infeasible, excluded


def _largest_shift(value: np.ndarray, base_value: np.ndarray) -> np.ndarray:
    """max over the two ends of |KPI at the end - KPI at base| (NaN ends ignored).

    Parameters
    ----------
    value : ndarray, shape (kpi, param, 2)
        The KPI at the low and high end of each input.
    base_value : ndarray, shape (kpi,)
        The KPI at base.

    Returns
    -------
    ndarray, shape (kpi, param)
        NaN where both ends are infeasible.
    """
    shifts = np.abs(value - base_value[:, None, None])
    with np.errstate(invalid="ignore"):
        largest = np.where(
            np.isnan(shifts).all(axis=2), np.nan, np.nan_to_num(shifts, nan=-1.0).max(axis=2)
        )
    return largest


def tornado_dataset(params, sweeps, names, kpi_labels, base_value, ends, attrs) -> xr.Dataset:
    """The labelled dataset of a tornado (layout in :func:`tornado`).

    Parameters
    ----------
    params : list of str
        The ``param`` label of each sweep (a key path, or ``WORKLOAD:key.path``).
    sweeps : list of _Sweep
        What each param was set to.
    names : list of str
        KPI names.
    kpi_labels : (list of str, list of str)
        Each KPI's unit and long name.
    base_value : ndarray, shape (kpi,)
        The KPIs at base, in their units.
    ends : tuple
        As :func:`_ends` returns it.
    attrs : dict
        Provenance and definitions of the dataset.

    Returns
    -------
    xarray.Dataset
    """
    value, setting, setting_value, infeasible, excluded = ends
    swing = value[:, :, 1] - value[:, :, 0]
    kpi_units, kpi_long_names = kpi_labels
    shared = {"units": kpi_units[0]} if len(set(kpi_units)) == 1 else {}
    per_kpi = "units per KPI in the coordinate kpi_units"
    coords = {
        "kpi": ("kpi", names, {"long_name": "key performance indicator (model output)"}),
        "param": ("param", list(params), {"long_name": "scenario key path"}),
        "end": ("end", list(ENDS), {"long_name": "end of the input's swing"}),
        "kpi_units": ("kpi", kpi_units, {"long_name": "units of each KPI"}),
        "kpi_long_name": ("kpi", list(kpi_long_names)),
        "kind": ("param", [s.item.kind for s in sweeps], {"long_name": "lever or factor"}),
        "method": (
            "param",
            [s.method for s in sweeps],
            {"long_name": "how the ends are chosen: range ends, factor quantiles, or choices"},
        ),
        "param_units": (
            "param",
            [s.item.unit for s in sweeps],
            {"long_name": "units of each input ('' for categorical inputs)"},
        ),
    }
    data_vars = {
        "value": (
            ("kpi", "param", "end"),
            value,
            {"long_name": "KPI with one input at an end, the others at base", **shared},
        ),
        "swing": (
            ("kpi", "param"),
            swing,
            {"long_name": "KPI at the high end minus KPI at the low end", **shared},
        ),
        "abs_swing": (("kpi", "param"), np.abs(swing), {"long_name": "|swing|", **shared}),
        "largest_shift": (
            ("kpi", "param"),
            _largest_shift(value, base_value),
            {
                "long_name": "largest |KPI at an end - KPI at base|: the ranking key, so an "
                "input whose both ends raise the KPI ranks by how far it moves it",
                **shared,
            },
        ),
        "base_value": (("kpi",), base_value, {"long_name": "KPI at base values", **shared}),
        "setting": (
            ("kpi", "param", "end"),
            setting.astype(str),
            {"long_name": "input value at the end (units in param_units, or a category)"},
        ),
        "setting_value": (
            ("kpi", "param", "end"),
            setting_value,
            {"long_name": "input value at the end (units in param_units; NaN if categorical)"},
        ),
        "infeasible": (
            ("kpi", "param", "end"),
            infeasible.astype(str),
            {"long_name": "why the end is infeasible ('' when feasible)"},
        ),
        "infeasible_choices": (
            ("param",),
            np.array(excluded, dtype=str),
            {"long_name": "choices left out of the ends as structurally infeasible"},
        ),
    }
    if not shared:
        for var in ("value", "swing", "abs_swing", "base_value"):
            data_vars[var][2]["comment"] = per_kpi
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def save_dataset(ds: xr.Dataset, path: str | Path) -> Path:
    """Write a tornado dataset to NetCDF-4 (h5netcdf), atomically.

    The file is written beside the target under a temporary name and renamed into
    place, so an error or Ctrl-C never leaves a half-written file under ``path``.

    Parameters
    ----------
    ds : xarray.Dataset
        The dataset.
    path : str or Path
        Target ``.nc`` file (replaced if it exists).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValueError
        If the target's folder does not exist.
    """
    from results.store import save_netcdf

    return save_netcdf(ds, path)
