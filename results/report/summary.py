"""The report's executive summary: the answer first, in human units.

What a token costs and how sure we are (median and the 90% interval of outcomes),
the three levers that move the token cost most and what moving each does, the
verdict of each comparison or decision given, and the share of infeasible
samples. The sections after it hold the details and the methods.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Sequence

import numpy as np

from results.human import human, human_percent, trim_zeros
from results.provenance import result_label
from results.report.markup import _e, _howto, _section, _table, _tag
from results.report.reproduce import scenario_words
from results.report.result import Result

__all__ = ["HEADLINE_KPIS", "SUMMARY_ANCHOR", "summary_section"]

SUMMARY_ANCHOR = "summary"
HEADLINE_KPIS = (
    ("token_cost_per_1k", 1.0, "Cost per 1,000 tokens"),
    ("token_cost_per_1k", 1000.0, "Cost per 1M tokens"),
    ("lifecycle_total", 1.0, "Lifecycle total"),
    ("inference_cost_monthly", 1.0, "Inference per month"),
    ("training_cost", 1.0, "Training per release"),
)
"""KPIs the summary opens with: name, scale (1,000 for $/1M from $/1k) and the words used."""
HEADLINE_NOTE = (
    "Each cell: the median, and below it the range of 90% of outcomes (P5 to P95); "
    "levers at base, uncertain factors sampled."
)
LEVERS_SHOWN = 3
MAX_COLUMNS = 4
"""Runs or scenarios side by side in the headline table; more are in the details."""


def _finite(values) -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    return x[np.isfinite(x)]


def _outcomes(runs: Sequence[tuple[str, object]]) -> list[tuple[str, list[str]]]:
    """Headline rows: the words for a KPI and 'median [P5 to P95]' per run."""
    rows = []
    for kpi, scale, words in HEADLINE_KPIS:
        cells = []
        for _, ds in runs:
            x = _finite(ds[kpi].values) * scale if kpi in ds else np.empty(0)
            if x.size == 0:
                cells.append("n/a")
                continue
            unit = str(ds[kpi].attrs.get("units", ""))
            p5, p50, p95 = np.percentile(x, [5, 50, 95])
            low, median, high = (_e(human(v, unit, kpi)) for v in (p5, p50, p95))
            cells.append(
                f'<strong>{median}</strong><br /><small class="ci">{low} to {high}</small>'
            )
        if any(cell != "n/a" for cell in cells):
            rows.append((words, cells))
    return rows


def _columns(results: Sequence[Result]) -> list[tuple[str, object]]:
    """(label, per-sample dataset) of the runs and of every comparison's scenarios."""
    columns: dict[str, object] = {}
    for r in results:
        if r.kind == "run":
            columns.setdefault(result_label(r.dataset.attrs, r.name), r.dataset)
        elif r.kind == "compare":
            for s in r.dataset["scenario"].values:
                columns.setdefault(str(s), r.dataset.sel(scenario=s))
    return list(columns.items())[:MAX_COLUMNS]


def _lever_lines(results: Sequence[Result]) -> list[str]:
    """What moving each of the top levers does to the token cost (tornado), with ST (Sobol)."""
    tornado = next((r.dataset for r in results if r.kind == "tornado"), None)
    sobol = next((r.dataset for r in results if r.kind == "sobol"), None)
    lines = []
    if tornado is not None:
        kpis = [str(k) for k in tornado["kpi"].values]
        kpi = "token_cost_per_1k" if "token_cost_per_1k" in kpis else kpis[0]
        sub = tornado.sel(kpi=kpi)
        unit = str(sub["kpi_units"].item())
        base = float(sub["base_value"])
        units = dict(
            zip(tornado["param"].values.astype(str), tornado["param_units"].values, strict=True)
        )
        from results.rankings import tornado_ranking

        # The tornado's own order: the largest move from base at either end, so a lever
        # whose both ends raise the cost (a U-shaped response) ranks by how far it goes.
        kinds = dict(
            zip(
                tornado["param"].values.astype(str), tornado["kind"].values.astype(str), strict=True
            )
        )
        levers = [p for p in tornado_ranking(tornado, kpi) if kinds[p] == "lever"]
        for param in levers[:LEVERS_SHOWN]:
            at = sub.sel(param=param)
            moves = []
            for end in ("low", "high"):
                value = float(at["value"].sel(end=end))
                number = float(at["setting_value"].sel(end=end))
                setting = (
                    str(at["setting"].sel(end=end).values)
                    if math.isnan(number)
                    else trim_zeros(human(number, str(units[param]), name=param, with_unit=True))
                )
                if math.isnan(value):
                    moves.append(f"at {setting}: infeasible")
                    continue
                change = (value - base) / base if base else math.nan
                moves.append(
                    f"at {setting}: {human(value, unit, kpi)} ({change:+.0%})"
                    if math.isfinite(change)
                    else f"at {setting}: {human(value, unit, kpi)}"
                )
            share = _total_index(sobol, kpi, param)
            lines.append(
                f"<code>{_e(param)}</code>: "
                + _e("; ".join(moves))
                + (_e(f"; {share}") if share else "")
            )
        if lines:
            lines.insert(
                0,
                _e(
                    f"{kpi} at base: {human(base, unit, kpi, with_unit=True)}. "
                    "Moving one lever at a time to the ends of its range:"
                ),
            )
        return lines
    if sobol is not None:
        from results.rankings import sobol_ranking

        kpis = [str(k) for k in sobol["kpi"].values]
        kpi = "token_cost_per_1k" if "token_cost_per_1k" in kpis else kpis[0]
        levers = [row for row in sobol_ranking(sobol, kpi) if row[1] == "lever"][:LEVERS_SHOWN]
        if levers:
            lines.append(_e(f"Levers that explain most of the variance of {kpi} (Sobol):"))
        for param, _, _, _, st, _ in levers:
            lines.append(
                f"<code>{_e(param)}</code>: "
                + _e(f"up to {human_percent(max(st, 0.0))} of the variance (total-order index ST)")
            )
    return lines


def _total_index(sobol, kpi: str, param: str) -> str:
    if sobol is None or kpi not in sobol["kpi"].values or param not in sobol["param"].values:
        return ""
    st = float(sobol["ST"].sel(kpi=kpi, param=param))
    if not math.isfinite(st):
        return ""
    return f"{human_percent(max(st, 0.0))} of the variance (Sobol ST)"


def _verdicts(results: Sequence[Result]) -> list[str]:
    """One sentence per comparison and per decision result."""
    from results.export import compare_table
    from results.report.decision import DECISION_KINDS, _headline

    lines = []
    for r in results:
        if r.kind == "compare":
            table = compare_table(r.dataset)
            kpis = list(dict.fromkeys(table["kpi"]))
            kpi = "token_cost_per_1k" if "token_cost_per_1k" in kpis else kpis[0]
            for _, row in table[(table["kpi"] == kpi) & table["difference"].notna()].iterrows():
                lines.append(_e(_verdict(row)))
        elif r.kind in DECISION_KINDS:
            lines.append(_e(_headline(r.kind, r.dataset.attrs)[1]))
    return lines


def _verdict(row) -> str:
    difference, median_a = float(row["difference"]), float(row["median_a"])
    unit, kpi = str(row["unit"]), str(row["kpi"])
    lower_better = row["better"] != "higher"
    p_b_wins = float(row["prob_a_worse"]) if "prob_a_worse" in row else math.nan
    if difference == 0.0:
        return f"{row['b']} and {row['a']}: no difference in the median of {kpi}."
    b_wins = (difference < 0) == lower_better
    money = unit.startswith("USD")
    word = (
        ("cheaper" if money else "lower") if difference < 0 else ("dearer" if money else "higher")
    )
    relative = abs(difference / median_a) if median_a else math.nan
    amount = human(abs(difference), unit, kpi, with_unit=True)
    sentence = (
        f"{row['b'] if b_wins else row['a']} wins on {kpi}: {row['b']} is {word} than "
        f"{row['a']} by {amount}"
        + (f" ({relative:.0%})" if math.isfinite(relative) else "")
        + " in the median paired difference"
    )
    if math.isfinite(p_b_wins):
        share = p_b_wins if b_wins else float(row["prob_a_better"])
        winner = row["b"] if b_wins else row["a"]
        sentence += f"; {winner} is better in {human_percent(share)} of the sampled worlds"
    return sentence + "."


def _infeasible_lines(results: Sequence[Result]) -> list[str]:
    from results.summary import infeasible_counts

    lines, clean = [], []
    for r in results:
        if r.kind == "run":
            parts = [(result_label(r.dataset.attrs, r.name), r.dataset["infeasible"])]
        elif r.kind == "compare":
            ds = r.dataset
            parts = [(str(s), ds["infeasible"].sel(scenario=s)) for s in ds["scenario"].values]
        else:
            continue
        for label, flags in parts:
            counts = infeasible_counts(flags.values)
            n = max(int(flags.size), 1)
            worst = max(
                ((reason, count) for reason, count in counts.items() if reason != "any"),
                key=lambda item: item[1],
                default=("", 0),
            )
            if not counts["any"]:
                clean.append(f"{label} ({n:,})")
                continue
            lines.append(
                _e(
                    f"{label}: {human_percent(counts['any'] / n)} of {n:,} samples, mostly "
                    f"{worst[0]} ({human_percent(worst[1] / n)})"
                )
            )
    if clean:
        lines.append(_e("none in " + ", ".join(clean)))
    return lines


def summary_section(results: Sequence[Result]) -> str:
    """The executive summary that opens the report.

    Parameters
    ----------
    results : sequence of Result
        Everything the report holds.

    Returns
    -------
    str
        An XHTML ``<section id="summary">``: headline KPIs as "median [P5 to P95]"
        in human units per run (or per compared scenario), the top levers and what
        moving each does to the token cost, each comparison's and decision's verdict,
        and the infeasible share. Where an analysis is missing, the command that
        makes it.
    """
    parts = []
    columns = _columns(results)
    if columns:
        rows = _outcomes(columns)
        parts.append(
            _table(
                ["", *(label for label, _ in columns)],
                [(_e(words), *cells) for words, cells in rows],
                tuple(range(1, len(columns) + 1)),
            )
        )
        parts.append(_tag("p", _e(HEADLINE_NOTE), class_="small"))
    levers = _lever_lines(results)
    if levers:
        parts.append(_tag("p", levers[0]))
        parts.append("<ul>" + "".join(_tag("li", line) for line in levers[1:]) + "</ul>\n")
    elif any(r.kind in ("run", "compare") for r in results):
        first = next(r for r in results if r.kind in ("run", "compare"))
        scenario = _e(shlex.join(scenario_words(first.dataset.attrs)))
        parts.append(
            _howto(
                "Which lever matters most: add a tornado (<code>tco tornado "
                f"{scenario} -o tornado.nc</code>) or Sobol result (<code>tco sobol {scenario} "
                "-o sobol.nc</code>) to this report."
            )
        )
    verdicts = _verdicts(results)
    if verdicts:
        parts.append(_tag("p", "<strong>Verdicts</strong>"))
        parts.append("<ul>" + "".join(_tag("li", v) for v in verdicts) + "</ul>\n")
    infeasible = _infeasible_lines(results)
    if infeasible:
        parts.append(
            _tag(
                "p",
                "<strong>Infeasible</strong> (no cost: left out of the figures): "
                + "; ".join(infeasible)
                + ".",
            )
        )
    if not parts:
        parts.append(
            _tag("p", "The results given hold no KPI distribution; see the sections below.")
        )
    return _section(SUMMARY_ANCHOR, "Summary", "".join(parts))
