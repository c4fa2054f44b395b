"""The Monte Carlo summary section of a run: statistics with intervals, infeasible shares, plots."""

from __future__ import annotations

from results.export import run_outputs, share
from results.integrity import check_run_values
from results.provenance import result_label
from results.report.markup import (
    _e,
    _howto,
    _num,
    _section,
    _table,
    _tag,
    _try_figure,
    _with_bounds,
)
from results.report.reproduce import _run_command
from results.report.result import Result
from results.summary import infeasible_counts, summarize
from simulate.model import columns as col


def _summary_rows(summary, names) -> list[tuple[str, ...]]:
    rows = []
    for name in names:
        var = summary[name]
        unit = var.attrs.get("units", "")
        cells = [_tag("code", _e(name)), _e(unit)]
        for stat in summary["statistic"].values:
            bounds = (float(v) for v in var.sel(statistic=stat).values)
            cells.append(_with_bounds(*bounds, unit=unit, name=name))
        cells.append(f"{int(var.attrs['n_valid']):,}")
        rows.append(tuple(cells))
    return rows


def _plan_by_year(ds, confidence: float) -> list[str]:
    """The year table of a run that stored its year lines (``--store yearly`` or ``all``)."""
    from results.years import has_years, year_rows

    if not has_years(ds):
        return []
    rows = []
    for row in year_rows(ds, confidence):
        rows.append(
            (
                str(row["year"]),
                _with_bounds(*row["cost"], unit="USD", name="lifecycle_total"),
                _num(row["cost_p5"], "USD") + " - " + _num(row["cost_p95"], "USD"),
                _num(row["capex"], "USD"),
                _num(row["purchases"], "USD"),
                _num(row["tokens"], "tokens"),
                _num(row["token_cost_per_1m"], "USD/1M tokens"),
            )
        )
    headers = [
        "year",
        "expected cost",
        "5-95% of the cost",
        "CAPEX",
        "purchases (cash)",
        "tokens",
        "USD/1M tokens",
    ]
    note = _tag(
        "p",
        f"Each year's expected cost with its {confidence:.0%} interval, the spread of the "
        "per-sample cost, its CAPEX (depreciation, PUE CAPEX), the cash paid for hardware in "
        "it, the tokens served and the year's expected cost over its expected tokens. The "
        "years add up to the lifecycle total (a horizon beyond 10 years puts the later years "
        "in year 10).",
    )
    return [
        _tag("h3", "The plan by year"),
        note,
        _table(headers, rows, tuple(range(1, 7)), "The plan by year"),
    ]


def run_section(
    result: Result, index: int, percentiles, confidence, colours: dict[str, str] | None = None
) -> str:
    """Monte Carlo summary of a run: statistics with intervals, infeasible shares, plots.

    Parameters
    ----------
    result : Result
        A run.
    index : int
        Position among the report's runs (for anchors).
    percentiles : sequence of float
        Percentiles in (0, 100).
    confidence : float
        Confidence level of the intervals.
    colours : dict of str to str, optional
        Colour per scenario label, shared by every figure of the report.

    Returns
    -------
    str
        An XHTML ``<section>``.
    """
    from results import plots

    ds = result.dataset
    attrs = ds.attrs
    n = int(ds.sizes["sample"])
    names = run_outputs(ds)
    summary = summarize(ds, names, percentiles, confidence)
    check_run_values(ds, summary, result.name)
    stats = [str(s) for s in summary["statistic"].values]
    headers = ["output", "unit", *stats, "valid samples"]
    numeric = tuple(range(2, len(headers)))
    kpis = [k for k in (*col.KPI_NAMES, "tco_index") if k in names]
    others = [k for k in names if k not in kpis]
    parts = [
        _tag(
            "p",
            f"{_e(result.name)}: {n:,} samples, design {_e(attrs.get('design', ''))}, seed "
            f"{_e(attrs.get('seed', ''))}; levers at base, uncertain factors sampled. Each cell: "
            f"the estimate and its {confidence:.0%} confidence interval in brackets (mean: "
            "central limit theorem; std: delta method; percentiles: order statistics).",
        ),
        _table(headers, _summary_rows(summary, kpis), numeric, "Key performance indicators"),
        "<details><summary>Internal factors and other outputs "
        f"({len(others)})</summary>\n"
        + _table(headers, _summary_rows(summary, others), numeric)
        + "</details>\n",
    ]
    counts = infeasible_counts(ds["infeasible"].values)
    rows = [
        (_e(reason), f"{count:,}", _e(f"{share(count, n):.2%}"))
        for reason, count in counts.items()
        if reason == "any" or count
    ]
    parts.append(_tag("h3", "Infeasible samples"))
    parts.append(
        _table(["reason", "samples", "share"], rows, (1, 2), f"Infeasible samples of {n:,}")
    )
    parts.append(
        _tag(
            "p",
            "Structurally infeasible samples (model does not fit, SLO unreachable, bad input) "
            "have no cost and are left out of the statistics; a training run longer than the "
            "release cadence is flagged but keeps its costs.",
        )
    )
    if "tco_index_definition" in attrs:
        parts.append(_tag("p", _e(attrs["tco_index_definition"])))
    parts.append(_tag("h3", "Distributions"))
    for kpi in kpis:
        parts.append(
            _try_figure(
                lambda kpi=kpi: plots.distribution_plot(
                    ds, kpi, labels=[result_label(attrs)], colours=colours
                ),
                f"Distribution of {kpi} ({n:,} samples)",
            )
        )
    parts.extend(_plan_by_year(ds, confidence))
    parts.append(_tag("h3", "Cost breakdown"))
    if "amortization_monthly" in ds:
        parts.append(_try_figure(lambda: plots.cost_breakdown(ds), "Mean lifecycle cost by part"))
    else:
        parts.append(
            _howto(
                "This run did not store the cost breakdown. Rerun it with <code>"
                f"{_e(_run_command(ds, store='all'))}</code> and report that file to see "
                "the mean lifecycle cost split into training, fine-tuning and inference parts."
            )
        )
    return _section(f"run-{index}", f"Monte Carlo summary: {result_label(attrs)}", "".join(parts))
