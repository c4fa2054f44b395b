"""Report sections of decision results: break-even, optimisation, Pareto, value of information.

Each section states the headline (the break-even value, the best plan, the frontier, the
EVPI) with its interval, the result's table (:func:`results.export.decision_table`, the
first rows) and its figure; :func:`results.report.reproduce.reproduce_command` rebuilds
the command that made it.
"""

from __future__ import annotations

import math

from results.report.markup import _e, _num, _section, _table, _tag, _try_figure
from results.report.result import Result

DECISION_KINDS = ("breakeven", "optimize", "pareto", "evpi", "sweep")
TABLE_ROWS = 20


def _value(value) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return (
            "outside the range" if isinstance(value, float) and math.isnan(value) else _num(value)
        )
    return _e(value)


def _headline(kind: str, attrs) -> tuple[str, str]:
    if kind == "breakeven" and "over2" in attrs:
        return (
            f"Break-even map: {attrs['scenario_b']} against {attrs['scenario_a']}",
            f"Median paired difference of {attrs['kpi']} over {attrs['over']} and "
            f"{attrs['over2']}; the zero contour is the break-even curve.",
        )
    if kind == "breakeven":
        low, high = attrs.get("breakeven_low"), attrs.get("breakeven_high")
        return (
            f"Break-even: {attrs['scenario_b']} against {attrs['scenario_a']}",
            f"Break-even {attrs['over']} = {_value(attrs['breakeven'])} "
            f"({float(attrs['confidence']):.0%} CI {_value(low)} to {_value(high)}); "
            f"{attrs['breakeven_direction']}.",
        )
    if kind == "optimize":
        return (
            f"Optimisation: {attrs.get('scenario_name', '')}",
            f"Minimise {attrs['objective']} of {attrs['kpi']}"
            + (f" subject to {attrs['constraints']}" if attrs.get("constraints") else "")
            + f". Best: {attrs['best_setting']}; {_value(attrs['best_objective'])} against "
            f"the base plan's {_value(attrs['base_objective'])} ({_value(attrs['improvement'])} "
            f"better, CI {_value(attrs['improvement_low'])} to "
            f"{_value(attrs['improvement_high'])}).",
        )
    if kind == "pareto":
        return (
            f"Pareto frontier: {attrs.get('scenario_name', '')}",
            f"{int(attrs['frontier_plans'])} of {int(attrs['plans'])} lever plans are on the "
            f"frontier of {attrs['objectives']}; the base plan is "
            + ("on it." if int(attrs["base_on_frontier"]) else "not on it."),
        )
    if kind == "sweep":
        kpi = str(attrs.get("kpis", "")).split()[0] if attrs.get("kpis") else ""
        return (
            f"Sweep of {attrs['over']}: {attrs.get('scenario_name', '')}",
            f"{kpi} along {attrs['over']} ({int(attrs['n_samples']):,} samples per value, "
            "common random numbers); the table gives the median with its interval and "
            "the P5-P95 band at each value.",
        )
    return (
        f"Value of information: {attrs['scenario_a']} or {attrs['scenario_b']}",
        f"Choose {attrs['choice_now']} without more information. EVPI "
        f"{_value(attrs['evpi'])} {_e(attrs['kpi_units'])} (CI {_value(attrs['evpi_low'])} "
        f"to {_value(attrs['evpi_high'])}); the table gives what learning each factor alone "
        "is worth.",
    )


def _draw(kind: str, ds):
    from results.plot_sets import draw

    return draw(kind, [ds])


def decision_section(result: Result, index: int) -> str:
    """A decision result's headline, table and figure.

    Parameters
    ----------
    result : Result
        A ``breakeven``, ``optimize``, ``pareto`` or ``evpi`` result.
    index : int
        Position among the report's results of that kind (for anchors).

    Returns
    -------
    str
        An XHTML ``<section>``.
    """
    from results.export import decision_table

    ds = result.dataset
    title, headline = _headline(result.kind, ds.attrs)
    parts = [_tag("p", f"{_e(result.name)}: {_e(headline)}")]
    if result.kind == "breakeven" and "value2" in ds.dims:
        rows = [
            (_num(float(v2)), _value(float(b)))
            for v2, b in zip(ds["value2"].values, ds["breakeven"].values, strict=True)
        ]
        parts.append(_table([ds.attrs["over2"], f"break-even {ds.attrs['over']}"], rows))
    else:
        table = decision_table(ds, result.kind)
        shown = table.head(TABLE_ROWS)
        rows = [
            tuple(_value(v.item() if hasattr(v, "item") else v) for v in row)
            for row in shown.itertuples(index=False)
        ]
        caption = f"first {TABLE_ROWS} of {len(table)} rows" if len(table) > TABLE_ROWS else ""
        parts.append(_table([_e(c) for c in shown.columns], rows, caption=caption))
    parts.append(_try_figure(lambda: _draw(result.kind, ds), title))
    return _section(f"{result.kind}-{index}", title, "".join(parts))
