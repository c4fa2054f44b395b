"""The tornado section: one-at-a-time swings per KPI as a table and a chart."""

from __future__ import annotations

import math

import numpy as np

from results.provenance import result_label
from results.report.markup import _e, _note, _num, _section, _table, _tag, _try_figure
from results.report.result import Result
from results.table import format_value


def tornado_section(result: Result, index: int) -> str:
    """Tornado per KPI: one-at-a-time swings as a table and a chart.

    Parameters
    ----------
    result : Result
        A tornado result.
    index : int
        Position among the report's tornado results (for anchors).

    Returns
    -------
    str
        An XHTML ``<section>``.
    """
    from results import plots
    from results.rankings import tornado_ranking

    ds = result.dataset
    attrs = ds.attrs
    low, high = (float(q) * 100 for q in np.atleast_1d(attrs["factor_quantiles"]))
    parts = [
        _tag(
            "p",
            f"{_e(result.name)}: one input at a time, the others at base; range levers at "
            f"their ends, continuous factors at P{low:g} and P{high:g}, choices at the "
            f"lowest and highest KPI. {_e(attrs.get('swing_definition', ''))}",
        )
    ]
    if attrs.get("base_infeasible"):
        parts.append(_note(f"The base case is infeasible: {_e(attrs['base_infeasible'])}."))
    units = dict(zip(ds["param"].values.astype(str), ds["param_units"].values, strict=True))
    for kpi in ds["kpi"].values.astype(str):
        sub = ds.sel(kpi=kpi)
        unit = str(sub["kpi_units"].item())
        rows = []
        for rank, param in enumerate(tornado_ranking(ds, kpi), 1):
            at = sub.sel(param=param)
            ends = []
            for end in ("low", "high"):
                setting = str(at["setting"].sel(end=end).values)
                value = float(at["value"].sel(end=end))
                reason = str(at["infeasible"].sel(end=end).values)
                number = float(at["setting_value"].sel(end=end))
                shown = (
                    f"{_e(setting)} {_e(units[param])}"
                    if math.isnan(number)
                    else _num(number, str(units[param]), param, 4)
                    + (f" {_e(units[param])}" if units[param] not in ("", "1") else "")
                ) + " &#8594; "
                shown += "infeasible" if math.isnan(value) else _num(value, unit, kpi)
                ends.append(shown + (f" ({_e(reason)})" if reason else ""))
            rows.append(
                (str(rank), _tag("code", _e(param)), _e(str(at["kind"].values)), *ends,
                 _num(float(at["swing"]), unit, kpi))
            )  # fmt: skip
        base = format_value(float(sub.base_value), unit, kpi)
        parts.append(_tag("h3", _e(f"{kpi} [{unit}]: base {base}")))
        parts.append(
            _table(
                ["rank", "input", "kind", "low end → KPI", "high end → KPI", f"swing [{unit}]"],
                rows,
                (0, 5),
                f"Tornado: {kpi}",
            )
        )
        parts.append(_try_figure(lambda kpi=kpi: plots.tornado_chart(ds, kpi), f"Tornado of {kpi}"))
    return _section(f"tornado-{index}", f"Tornado: {result_label(attrs)}", "".join(parts))
