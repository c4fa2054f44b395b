"""The scenario comparison section: medians, paired differences, P(A better), distributions."""

from __future__ import annotations

import math

from results.report.markup import _e, _section, _table, _tag, _try_figure, _with_bounds
from results.report.result import Result


def compare_section(result: Result, index: int, colours: dict[str, str] | None = None) -> str:
    """A scenario comparison: medians, paired differences, P(A better), overlaid distributions.

    Parameters
    ----------
    result : Result
        A comparison (``tco compare -o FILE``).
    index : int
        Position among the report's comparisons (for anchors).
    colours : dict of str to str, optional
        Colour per scenario label, shared by every figure of the report.

    Returns
    -------
    str
        An XHTML ``<section>``.
    """
    from results.export import compare_table
    from results.plot_sets import draw

    ds = result.dataset
    attrs = ds.attrs
    table = compare_table(ds)
    labels = [str(s) for s in ds["scenario"].values]
    confidence = float(attrs.get("confidence", 0.95))
    n = int(attrs.get("n_samples", ds.sizes["sample"]))
    parts = [
        _tag(
            "p",
            f"{_e(result.name)}: {len(labels)} scenarios, {n:,} samples each on common random "
            f"numbers (a factor the scenarios share gets the same uniforms in each, so sample i "
            f"of every scenario sees the same world), design {_e(attrs.get('design', ''))}, seed "
            f"{_e(attrs.get('seed', ''))}. Baseline A: {_e(labels[0])}. Brackets: "
            f"{confidence:.0%} confidence intervals ({_e(attrs.get('statistics_method', ''))}).",
        )
    ]
    kpis = list(dict.fromkeys(table["kpi"]))
    medians = []
    for kpi in kpis:
        rows = table[table["kpi"] == kpi]
        first = rows.iloc[0]
        cells = [_tag("code", _e(kpi)), _e(first["unit"])]
        cells.append(
            _with_bounds(
                first["median_a"],
                first["median_a_lower"],
                first["median_a_upper"],
                first["unit"],
                kpi,
            )
        )
        cells += [
            _with_bounds(r["median_b"], r["median_b_lower"], r["median_b_upper"], r["unit"], kpi)
            for _, r in rows.iterrows()
        ]
        medians.append(cells)
    parts.append(
        _table(
            ["output", "unit", *labels],
            medians,
            tuple(range(2, 2 + len(labels))),
            "Medians per scenario (tco_index over the pooled bounds of all scenarios)",
        )
    )
    paired = table[table["kpi"] != "tco_index"]
    for (a, b), rows in paired.groupby(["a", "b"], sort=False):
        body = []
        for _, r in rows.iterrows():
            better = "cheaper" if r["better"] == "lower" else f"better ({r['better']} is better)"
            share = r["difference"] / r["median_a"] if r["median_a"] else math.nan
            body.append(
                [
                    _tag("code", _e(r["kpi"])),
                    _e(r["unit"]),
                    _with_bounds(
                        r["difference"],
                        r["difference_lower"],
                        r["difference_upper"],
                        r["unit"],
                        r["kpi"],
                    ),
                    _e(f"{share:+.1%}"),
                    _e(f"P(A {better})"),
                    _with_bounds(
                        r["prob_a_better"],
                        r["prob_a_better_lower"],
                        r["prob_a_better_upper"],
                        "1",
                        "probability",
                    ),
                    _e(f"{r['prob_tie']:.1%}"),
                    _e(f"{int(r['n_paired']):,}"),
                ]
            )
        parts.append(_tag("h3", _e(f"{b} compared with {a}")))
        parts.append(
            _table(
                [
                    "output",
                    "unit",
                    "median B - A",
                    "% of A",
                    "event",
                    "probability",
                    "ties",
                    "pairs",
                ],
                body,
                (2, 3, 5, 6, 7),
                f"B = {b}, A = {a}: paired samples, median of the per-sample difference",
            )
        )
    if "tco_index_definition" in attrs:
        parts.append(_tag("p", _e(attrs["tco_index_definition"])))
    parts.append(_tag("h3", "Each scenario and the paired difference"))
    for kpi in [k for k in kpis if k != "tco_index" and k in ds]:
        parts.append(
            _try_figure(
                lambda kpi=kpi: draw("comparison", [ds], kpi=kpi, colours=colours),
                f"{kpi} per scenario and paired difference B - A ({n:,} samples each)",
            )
        )
    parts.append(_tag("h3", "Cost breakdown per scenario"))
    parts.append(
        _try_figure(lambda: draw("breakdown", [ds]), "Mean lifecycle cost by part, per scenario")
    )
    title = f"Scenario comparison: {' vs '.join(labels)}"
    return _section(f"compare-{index}", title, "".join(parts))
