"""The Sobol section: sensitivity ranking per KPI with bootstrap intervals and bar charts."""

from __future__ import annotations

from results.provenance import result_label
from results.report.markup import _e, _note, _section, _table, _tag, _try_figure, _with_bounds
from results.report.result import Result


def sobol_section(result: Result, index: int) -> str:
    """Sobol sensitivity ranking per KPI: table with intervals and bar chart.

    Parameters
    ----------
    result : Result
        A Sobol result.
    index : int
        Position among the report's Sobol results (for anchors).

    Returns
    -------
    str
        An XHTML ``<section>``.
    """
    from results import plots
    from results.rankings import sobol_ranking

    ds = result.dataset
    attrs = ds.attrs
    parts = [
        _tag(
            "p",
            f"{_e(result.name)}: N = {int(attrs['N']):,} base samples "
            f"({int(attrs['model_evaluations']):,} model runs), seed {_e(attrs['seed'])}, "
            f"estimator {_e(attrs['estimator'])}. S1: first-order index (Saltelli 2010); ST: "
            "total-order index (Jansen 1999); brackets: "
            f"{float(attrs['confidence']):.0%} bootstrap interval ({_e(attrs['resamples'])} "
            f"resamples). Levers: {_e(attrs['levers'])}. {_e(attrs['correlation_note'])}.",
        )
    ]
    for kpi in ds["kpi"].values.astype(str):
        unit = str(ds["kpi_units"].sel(kpi=kpi).item())
        dropped = int(ds["n_dropped"].sel(kpi=kpi))
        rows = [
            (str(rank), _tag("code", _e(p)), _e(kind), _with_bounds(s1, s1 - s1c, s1 + s1c),
             _with_bounds(st, st - stc, st + stc))
            for rank, (p, kind, s1, s1c, st, stc) in enumerate(sobol_ranking(ds, kpi), 1)
        ]  # fmt: skip
        parts.append(_tag("h3", _e(f"{kpi} [{unit}]")))
        if dropped:
            parts.append(_note(f"{dropped:,} base points dropped (infeasible samples)."))
        parts.append(
            _table(["rank", "parameter", "kind", "S1", "ST"], rows, (0, 3, 4), f"Sobol: {kpi}")
        )
        parts.append(
            _try_figure(lambda kpi=kpi: plots.sobol_bars(ds, kpi), f"Sobol indices of {kpi}")
        )
    if "history_n" in ds:
        parts.append(
            _try_figure(lambda: plots.convergence_plot(ds), "Convergence of the Sobol indices")
        )
    title = f"Sensitivity ranking (Sobol): {result_label(attrs)}"
    return _section(f"sobol-{index}", title, "".join(parts))
