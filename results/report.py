"""One self-contained HTML report of results: assumptions, summary, sensitivity, provenance.

Pure functions turn result datasets into XHTML-compatible markup (every element
closed, every text escaped), so the file parses as XML as well as HTML. Figures
come from :mod:`results.plots`, rendered to PNG in memory and embedded as base64
``data:`` URIs; the style sheet is inline. Nothing refers to the network, so the
file opens offline and can be mailed as it is.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import math
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from results.assumptions import assumptions, catalog_figures, scenario_from_attrs, toml_comments
from results.atomic import atomic_path
from results.export import run_outputs
from results.kinds import result_kind
from results.summary import DEFAULT_PERCENTILES, infeasible_counts, summarize
from results.table import format_value
from simulate.model import columns as col

FIGURE_DPI = 96
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 70em; margin: 2em auto; padding: 0 1em;
       color: #1d1d1d; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #bbb; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; text-align: left; }
th { background: #eef2f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
small.ci { color: #555; white-space: nowrap; }
.note { background: #fff8e1; border-left: 4px solid #e0a800; padding: 0.5em 0.8em; }
.howto { background: #eef6ee; border-left: 4px solid #3a8a3a; padding: 0.5em 0.8em; }
code, pre { background: #f4f4f4; font-size: 0.9em; } pre { padding: 0.6em; overflow-x: auto; }
figure { margin: 1em 0; } img { max-width: 100%; height: auto; }
nav ul { columns: 2; }
"""


@dataclass(frozen=True)
class Result:
    """A result to report on.

    Attributes
    ----------
    name : str
        Where it came from (file name), shown in the report.
    dataset : xarray.Dataset
        The result.
    kind : str
        Its kind (:func:`results.kinds.result_kind`).
    """

    name: str
    dataset: object
    kind: str


def as_results(named: Sequence[tuple[str, object]]) -> list[Result]:
    """Label datasets with their kind.

    Parameters
    ----------
    named : sequence of (str, xarray.Dataset)
        File name and dataset.

    Returns
    -------
    list of Result
        In the given order.

    Raises
    ------
    ValueError
        If a dataset is of no known kind (the message names its file).
    """
    results = [Result(name, ds, result_kind(ds, name)) for name, ds in named]
    for result in results:
        if result.kind not in REPORTED_KINDS:
            raise ValueError(
                f"{result.name}: a {result.kind} result cannot go into a report yet; give "
                "run, Sobol or tornado files"
            )
    return results


REPORTED_KINDS = ("run", "compare", "sobol", "tornado")


# ---------------------------------------------------------------- markup helpers


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _tag(name: str, body: str, **attrs) -> str:
    attributes = "".join(f' {k.rstrip("_")}="{_e(v)}"' for k, v in attrs.items())
    return f"<{name}{attributes}>{body}</{name}>"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric=(), caption="") -> str:
    """A table; cells are markup (already escaped), ``numeric`` column indices right-aligned."""
    head = "".join(_tag("th", _e(h), scope="col") for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>\n"
        for row in rows
    )
    cap = _tag("caption", _e(caption)) if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>\n"


def _num(value: float) -> str:
    return _e(format_value(float(value)))


def _with_bounds(estimate: float, lower: float, upper: float) -> str:
    if math.isnan(estimate):
        return "n/a"
    return f'{_num(estimate)}<br /><small class="ci">[{_num(lower)}, {_num(upper)}]</small>'


def _howto(text: str) -> str:
    return f'<p class="howto">{text}</p>\n'


def _note(text: str) -> str:
    return f'<p class="note">{text}</p>\n'


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{_e(anchor)}">\n<h2>{_e(title)}</h2>\n{body}</section>\n'


# ---------------------------------------------------------------- figures


def figure_data_uri(ax) -> str:
    """Render the figure of an axes to PNG in memory as a ``data:`` URI.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes of a figure made by :mod:`results.plots` (a bare ``Figure``, not pyplot).

    Returns
    -------
    str
        ``data:image/png;base64,...``.
    """
    buffer = io.BytesIO()
    figure = ax.figure
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
    figure.clear()  # release the artists now; the report holds many figures
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(ax, caption: str) -> str:
    uri = figure_data_uri(ax)
    return (
        f'<figure><img src="{uri}" alt="{_e(caption)}" />'
        f"<figcaption>{_e(caption)}</figcaption></figure>\n"
    )


def _try_figure(draw, caption: str) -> str:
    try:
        return _figure(draw(), caption)
    except ValueError as exc:
        return _note(f"{_e(caption)}: not drawn: {_e(exc)}")


# ---------------------------------------------------------------- sections


def _scenario_key(result: Result) -> str:
    attrs = result.dataset.attrs
    return str(attrs.get("scenario_sha256", "")) or str(
        attrs.get("scenario_name", attrs.get("scenario", result.name))
    )


def _scenario_name(attrs) -> str:
    if "scenario_name" not in attrs and "scenario" not in attrs and "scenarios" in attrs:
        return " vs ".join(str(attrs["scenarios"]).split())  # a comparison
    return str(attrs.get("scenario_name", attrs.get("scenario", "unknown")))


SCENARIO_ATTRS = ("label", "name", "description", "source", "overrides", "sha256", "toml")


def compared_scenarios(result: Result) -> list[Result]:
    """One pseudo-result per scenario of a comparison, carrying that scenario's attrs.

    Parameters
    ----------
    result : Result
        A comparison (``tco compare -o FILE``); its attrs hold ``scenario_<i>_name``,
        ``scenario_<i>_toml``, ... for i = 1, 2, ...

    Returns
    -------
    list of Result
        Datasets with no variables and the run-style attrs (``scenario_name``,
        ``scenario_toml``, ...), so the scenario sections read them like any result.
    """
    import xarray as xr

    attrs = result.dataset.attrs
    found = []
    i = 1
    while f"scenario_{i}_name" in attrs:
        own = {f"scenario_{key}": attrs.get(f"scenario_{i}_{key}", "") for key in SCENARIO_ATTRS}
        label = own.pop("scenario_label") or own["scenario_name"]
        found.append(Result(f"{result.name} [{label}]", xr.Dataset(attrs=own), "compare"))
        i += 1
    return found


def scenario_section(result: Result, index: int) -> str:
    """Scenario description, levers and factors with ranges, units and sources.

    Parameters
    ----------
    result : Result
        A result carrying the scenario (its TOML text when stored).
    index : int
        Position among the report's scenarios (for anchors).

    Returns
    -------
    str
        An XHTML ``<section>``.
    """
    attrs = result.dataset.attrs
    name = _scenario_name(attrs)
    scenario, caveat = scenario_from_attrs(attrs)
    parts = []
    description = attrs.get("scenario_description") or (scenario.description if scenario else "")
    if description:
        parts.append(_tag("p", _e(description)))
    facts = [
        ("source", attrs.get("scenario_source", "")),
        ("scenario SHA-256", attrs.get("scenario_sha256", "")),
        ("overrides (--set)", attrs.get("scenario_overrides", "") or "none"),
    ]
    if result.kind == "run":
        facts += [
            ("levers at base in the Monte Carlo run", attrs.get("levers_at_base", "")),
            ("rank correlations", attrs.get("correlations", "")),
        ]
    parts.append(_table(["", "value"], [(_e(k), _e(v)) for k, v in facts]))
    if caveat:
        parts.append(_note(f"Scenario of {_e(result.name)}: {_e(caveat)}."))
    if scenario is None:
        parts.append(
            _note(
                "The assumptions table needs the scenario file, which this result does not "
                "store; pass the run or Sobol result made from the same scenario."
            )
        )
        return _section(f"scenario-{index}", f"Scenario {name}", "".join(parts))
    preamble = toml_comments(scenario.text).get("")
    if preamble:
        parts.append(_tag("p", "<em>From the scenario file:</em> " + _e(preamble)))
    parts.append(_tag("h3", "Assumptions: levers and uncertain factors"))
    parts.append(
        _tag(
            "p",
            "Levers are decisions (held at their base in the Monte Carlo run, varied over "
            "their range in the sensitivity analyses); factors are uncertain inputs sampled "
            "from their distributions. Source: the scenario file's comment on the key; "
            "meaning (often with a typical range and its source): the schema "
            "(<code>docs/scenario.md</code>).",
        )
    )
    rows = [
        (_tag("code", _e(a.path)), _e(a.kind), _e(a.specification), _e(a.unit or "-"),
         _e(a.meaning), _e(a.source or "-"))
        for a in assumptions(scenario)
    ]  # fmt: skip
    parts.append(
        _table(["key", "kind", "range or distribution", "unit", "meaning", "source"], rows)
    )
    constants = [a for a in assumptions(scenario, include_constants=True) if a.kind == "constant"]
    rows = [
        (_tag("code", _e(a.path)), _e(a.specification), _e(a.unit or "-"), _e(a.source or "-"))
        for a in constants
    ]
    parts.append(
        "<details><summary>Constants set in the scenario file "
        f"({len(rows)}; every other key takes its schema default)</summary>\n"
        + _table(["key", "value", "unit", "source"], rows)
        + "</details>\n"
    )
    figures = catalog_figures(scenario)
    if figures:
        parts.append(_tag("h3", "Catalog entries the scenario uses"))
        parts.append(
            _table(
                ["entry", "figure", "value", "source (date)"],
                [(_e(f.entry), _e(f.figure), _e(f.value), _e(f.source)) for f in figures],
            )
        )
    parts.append(
        "<details><summary>The scenario file (TOML)</summary>\n"
        + _tag("pre", _e(scenario.text))
        + "</details>\n"
    )
    return _section(f"scenario-{index}", f"Scenario {name}", "".join(parts))


def _summary_rows(summary, names) -> list[tuple[str, ...]]:
    rows = []
    for name in names:
        var = summary[name]
        cells = [_tag("code", _e(name)), _e(var.attrs.get("units", ""))]
        for stat in summary["statistic"].values:
            cells.append(_with_bounds(*(float(v) for v in var.sel(statistic=stat).values)))
        cells.append(f"{int(var.attrs['n_valid']):,}")
        rows.append(tuple(cells))
    return rows


def run_section(result: Result, index: int, percentiles, confidence) -> str:
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
        (_e(reason), f"{count:,}", _e(f"{count / n:.2%}"))
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
                lambda kpi=kpi: plots.distribution_plot(ds, kpi),
                f"Distribution of {kpi} ({n:,} samples)",
            )
        )
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
    return _section(f"run-{index}", f"Monte Carlo summary: {_scenario_name(attrs)}", "".join(parts))


def compare_section(result: Result, index: int) -> str:
    """A scenario comparison: medians, paired differences, P(A better), overlaid distributions.

    Parameters
    ----------
    result : Result
        A comparison (``tco compare -o FILE``).
    index : int
        Position among the report's comparisons (for anchors).

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
            _with_bounds(first["median_a"], first["median_a_lower"], first["median_a_upper"])
        )
        cells += [
            _with_bounds(r["median_b"], r["median_b_lower"], r["median_b_upper"])
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
                    _with_bounds(r["difference"], r["difference_lower"], r["difference_upper"]),
                    _e(f"{share:+.1%}"),
                    _e(f"P(A {better})"),
                    _with_bounds(
                        r["prob_a_better"], r["prob_a_better_lower"], r["prob_a_better_upper"]
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
    parts.append(_tag("h3", "Distributions"))
    for kpi in [k for k in kpis if k != "tco_index" and k in ds]:
        parts.append(
            _try_figure(
                lambda kpi=kpi: draw("distribution", [ds], kpi=kpi),
                f"Distribution of {kpi} in each scenario ({n:,} samples each)",
            )
        )
    title = f"Scenario comparison: {' vs '.join(labels)}"
    return _section(f"compare-{index}", title, "".join(parts))


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
    title = f"Sensitivity ranking (Sobol): {_scenario_name(attrs)}"
    return _section(f"sobol-{index}", title, "".join(parts))


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
                shown = f"{_e(setting)} {_e(units[param])} &#8594; "
                shown += "infeasible" if math.isnan(value) else _num(value)
                ends.append(shown + (f" ({_e(reason)})" if reason else ""))
            rows.append(
                (str(rank), _tag("code", _e(param)), _e(str(at["kind"].values)), *ends,
                 _num(float(at["swing"])))
            )  # fmt: skip
        parts.append(_tag("h3", _e(f"{kpi} [{unit}]: base {format_value(float(sub.base_value))}")))
        parts.append(
            _table(
                ["rank", "input", "kind", "low end → KPI", "high end → KPI", f"swing [{unit}]"],
                rows,
                (0, 5),
                f"Tornado: {kpi}",
            )
        )
        parts.append(_try_figure(lambda kpi=kpi: plots.tornado_chart(ds, kpi), f"Tornado of {kpi}"))
    return _section(f"tornado-{index}", f"Tornado: {_scenario_name(attrs)}", "".join(parts))


# ---------------------------------------------------------------- provenance


def _scenario_argument(attrs) -> str:
    source = str(attrs.get("scenario_source", ""))
    if source.startswith("builtin:"):
        return source.split(":", 1)[1]
    return source or _scenario_name(attrs)


def _set_options(attrs) -> list[str]:
    overrides = [s for s in str(attrs.get("scenario_overrides", "")).split("\n") if s]
    return [part for item in overrides for part in ("--set", item)]


def _run_command(ds, store: str | None = None) -> str:
    attrs = ds.attrs
    words = ["tco", "run", _scenario_argument(attrs), *_set_options(attrs)]
    words += ["-n", str(attrs.get("n_samples", ds.sizes.get("sample", "")))]
    words += ["--seed", str(attrs.get("seed", "")), "--design", str(attrs.get("design", "mc"))]
    store = store or ("all" if "amortization_monthly" in ds else None)
    if store == "all":
        words += ["--store", "all"]
    if "lifecycle_total" in ds and ds["lifecycle_total"].dtype == np.float32:
        words += ["--precision", "float32"]
    return shlex.join(words)


def _sobol_command(ds) -> str:
    from simulate.model.columns import KPI_NAMES as DEFAULT_KPIS

    attrs = ds.attrs
    n = int(ds["history_n"].values[0]) if "history_n" in ds else int(attrs["N"])
    words = ["tco", "sobol", _scenario_argument(attrs), "-N", str(n), "--seed", str(attrs["seed"])]
    kpis = [str(k) for k in ds["kpi"].values]
    if kpis != list(DEFAULT_KPIS):
        words += [part for k in kpis for part in ("--kpi", k)]
    if int(attrs.get("second_order", 0)):
        words.append("--second-order")
    scenario, _ = scenario_from_attrs(attrs)
    varied = set(str(attrs.get("varied_inputs", "")).split())
    if scenario is not None and varied:
        if varied == {i.path for i in scenario.levers()} and scenario.factors():
            words.append("--levers-only")
        elif varied == {i.path for i in scenario.factors()} and scenario.levers():
            words.append("--factors-only")
    groups: dict[str, list[str]] = {}
    for item in str(attrs.get("groups", "")).split():
        path, _, group = item.partition("=")
        groups.setdefault(group, []).append(path)
    words += [part for g, paths in groups.items() for part in ("--group", f"{g}={','.join(paths)}")]
    words += ["--resamples", str(attrs["resamples"]), "--confidence", f"{attrs['confidence']:g}"]
    words += ["--estimator", str(attrs["estimator"])]
    target = float(attrs.get("target_ci", math.nan))
    if not math.isnan(target):
        words += ["--target-ci", f"{target:g}"]
    return shlex.join(words)


def _compare_command(ds) -> str:
    from results.export import compare_kpis
    from simulate.model.columns import KPI_NAMES

    attrs = ds.attrs
    parts = compared_scenarios(Result("", ds, "compare"))
    words = ["tco", "compare", *(_scenario_argument(p.dataset.attrs) for p in parts)]
    words += _set_options(parts[0].dataset.attrs) if parts else []
    words += ["-n", str(attrs.get("n_samples", ds.sizes.get("sample", "")))]
    words += ["--seed", str(attrs.get("seed", "")), "--design", str(attrs.get("design", "mc"))]
    kpis = [k for k in compare_kpis(ds) if k != "tco_index"]
    if kpis != list(KPI_NAMES):
        words += [part for k in kpis for part in ("--kpi", k)]
    if "confidence" in attrs:
        words += ["--confidence", f"{float(attrs['confidence']):g}"]
    return shlex.join(words)


def _tornado_command(ds) -> str:
    attrs = ds.attrs
    low, high = (float(q) * 100 for q in np.atleast_1d(attrs["factor_quantiles"]))
    words = ["tco", "tornado", _scenario_argument(attrs), *_set_options(attrs)]
    words += [part for k in ds["kpi"].values.astype(str) for part in ("--kpi", k)]
    words += ["--quantiles", f"{low:g},{high:g}"]
    return shlex.join(words)


def reproduce_command(result: Result) -> str:
    """The ``tco`` command that makes this result again.

    Parameters
    ----------
    result : Result
        Any result of a known kind.

    Returns
    -------
    str
        A shell-quoted command line; add ``-o FILE`` to write the result. A scenario
        file argument must still have the recorded SHA-256.
    """
    command = {
        "run": _run_command,
        "compare": _compare_command,
        "sobol": _sobol_command,
        "tornado": _tornado_command,
    }
    return command[result.kind](result.dataset)


def provenance_section(results: Sequence[Result]) -> str:
    """Seed, size, design, scenario hash, versions and the command of every result.

    Parameters
    ----------
    results : sequence of Result
        The report's results.

    Returns
    -------
    str
        An XHTML ``<section>``.
    """
    parts = []
    for result in results:
        attrs = result.dataset.attrs
        size = {
            "run": lambda a: f"{int(a.get('n_samples', 0)):,} samples, design {a.get('design')}",
            "sobol": lambda a: f"N = {int(a['N']):,} ({int(a['model_evaluations']):,} model runs)",
            "tornado": lambda a: f"{int(a.get('rows_evaluated', 0)):,} model evaluations",
            "compare": lambda a: (
                f"{int(a.get('n_samples', 0)):,} paired samples per scenario, design "
                f"{a.get('design')}"
            ),
        }[result.kind](attrs)
        rows = [
            ("kind", result.kind),
            ("title", attrs.get("title", "")),
            ("created", attrs.get("created", "not recorded")),
            ("seed", attrs.get("seed", "none (deterministic)")),
            ("size", size),
            ("scenario", f"{_scenario_name(attrs)} ({attrs.get('scenario_source', '')})"),
            ("scenario SHA-256", attrs.get("scenario_sha256", "")),
        ]
        rows += [(k, v) for k, v in attrs.items() if k.endswith("_version")]
        body = [(_e(k), _e(v)) for k, v in rows]
        body.append(("command to reproduce", _tag("code", _e(reproduce_command(result)))))
        parts.append(_tag("h3", _e(result.name)))
        parts.append(_table(["", "value"], body))
    return _section("provenance", "Provenance", "".join(parts))


# ---------------------------------------------------------------- the document


def _missing(kind: str, results: Sequence[Result]) -> str:
    first = results[0]
    scenario = _e(_scenario_argument(first.dataset.attrs))
    files = " ".join(_e(shlex.quote(r.name)) for r in results)
    what = {
        "run": ("Monte Carlo summary", "tco run", "run.nc", "mean, std and percentiles"),
        "sobol": ("Sobol sensitivity ranking", "tco sobol", "sobol.nc", "variance shares"),
        "tornado": ("Tornado", "tco tornado", "tornado.nc", "one-at-a-time swings"),
    }[kind]
    return _howto(
        f"No {what[0]} in this report ({what[3]}): none of the results given is of that kind. "
        f"Make one with <code>{what[1]} {scenario} -o {what[2]}</code> and add it: "
        f"<code>tco report {files} {what[2]} -o report.html</code>."
    )


def build_report(
    results: Sequence[Result],
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    confidence: float = 0.95,
    title: str | None = None,
) -> str:
    """The whole report as one XHTML-compatible HTML5 document.

    Parameters
    ----------
    results : sequence of Result
        Runs, Sobol and tornado results (at least one), e.g. from :func:`as_results`.
    percentiles : sequence of float
        Percentiles of the run summaries, in (0, 100).
    confidence : float
        Confidence level of the run summaries' intervals.
    title : str, optional
        Document title; default from the scenario names.

    Returns
    -------
    str
        The document: scenario and assumptions, Monte Carlo summary, Sobol ranking,
        tornado and provenance sections; a missing analysis is replaced by the
        command that makes it. Figures are embedded; no external reference.
    """
    results = list(results)
    if not results:
        raise ValueError("no result to report: give at least one run, Sobol or tornado file")
    names = list(dict.fromkeys(_scenario_name(r.dataset.attrs) for r in results))
    title = title or f"Lifecycle TCO report: {', '.join(names)}"
    by_kind = {k: [r for r in results if r.kind == k] for k in REPORTED_KINDS}

    carriers = [
        part for r in results for part in (compared_scenarios(r) if r.kind == "compare" else [r])
    ]
    scenarios: dict[str, Result] = {}
    for result in sorted(carriers, key=lambda r: "scenario_toml" not in r.dataset.attrs):
        scenarios.setdefault(_scenario_key(result), result)
    sections = [scenario_section(r, i) for i, r in enumerate(scenarios.values(), 1)]
    sections += [
        run_section(r, i, percentiles, confidence) for i, r in enumerate(by_kind["run"], 1)
    ] or [_section("run", "Monte Carlo summary", _missing("run", results))]
    sections += [compare_section(r, i) for i, r in enumerate(by_kind["compare"], 1)]
    sections += [sobol_section(r, i) for i, r in enumerate(by_kind["sobol"], 1)] or [
        _section("sobol", "Sensitivity ranking (Sobol)", _missing("sobol", results))
    ]
    sections += [tornado_section(r, i) for i, r in enumerate(by_kind["tornado"], 1)] or [
        _section("tornado", "Tornado", _missing("tornado", results))
    ]
    sections.append(provenance_section(results))

    notes = []
    if len(scenarios) > 1 and len(scenarios) > max(
        (len(compared_scenarios(r)) for r in by_kind["compare"]), default=0
    ):
        notes.append(
            _note(
                "The results come from different scenarios (or different overrides): "
                + _e("; ".join(f"{r.name}: {_scenario_key(r)[:12]}" for r in results))
                + ". Compare their sections with care."
            )
        )
    contents = "".join(
        f'<li><a href="#{_e(anchor)}">{_e(heading)}</a></li>'
        for anchor, heading in _headings(sections)
    )
    created = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    inputs = ", ".join(f"{_e(r.name)} ({_e(r.kind)})" for r in results)
    return (
        "<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n<head>\n'
        '<meta charset="utf-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{_e(title)}</h1>\n"
        f"<p>Made by lifecycle-tco on {_e(created)} from {inputs}.</p>\n"
        + "".join(notes)
        + f"<nav><ul>{contents}</ul></nav>\n"
        + "".join(sections)
        + "</body>\n</html>\n"
    )


def _headings(sections: Sequence[str]) -> list[tuple[str, str]]:
    found = []
    for section in sections:
        anchor = section.split('id="', 1)[1].split('"', 1)[0]
        heading = html.unescape(section.split("<h2>", 1)[1].split("</h2>", 1)[0])
        found.append((anchor, heading))
    return found


def write_report(document: str, path: str | Path) -> Path:
    """Write a report atomically (temporary file in the same folder, then rename).

    Parameters
    ----------
    document : str
        The HTML text.
    path : str or Path
        Target file; an older file is replaced only once the new one is complete.

    Returns
    -------
    Path
        The written path.

    Raises
    ------
    ValueError
        If the target's folder does not exist.
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(document, encoding="utf-8")
    return path
