"""Text and JSON of a comparison result: medians, paired differences, P(A better)."""

from __future__ import annotations

import math

import numpy as np

from results.human import digits_for_interval, human, human_interval
from results.table import format_value
from simulate.model import columns as col

DIRECTION_WORDS = {"lower": "lower", "higher": "higher", "none": "-"}


def _interval(row, as_percent: bool = False, unit: str = "", name: str | None = None) -> str:
    estimate, lower, upper = (float(v) for v in row)
    if math.isnan(estimate):
        return "n/a"
    if as_percent:
        return f"{_percent(estimate)} [{_percent(lower)}, {_percent(upper)}]"
    digits = digits_for_interval(estimate, lower, upper, least=3)
    return human_interval(estimate, lower, upper, unit, name, digits=digits)


def _relative_interval(row, unit: str = "", name: str | None = None) -> str:
    # As `tco run` prints: the estimate and the interval's larger half-width, relative.
    estimate, lower, upper = (float(v) for v in row)
    if math.isnan(estimate):
        return "n/a"
    half = max(abs(upper - estimate), abs(estimate - lower))
    if estimate == 0:
        return _interval(row, unit=unit, name=name)
    digits = digits_for_interval(estimate, lower, upper, least=3)
    return f"{format_value(estimate, unit, name, digits)} ±{half / abs(estimate) * 100:.2g}%"


def _percent(share: float) -> str:
    # Shares near 0 or 1 keep two significant digits of their distance from the end, so a
    # Wilson bound of 0.019% does not print as 0.0%.
    if 0.0 < share < 0.001:
        return f"{share * 100:.2g}%"
    if 0.999 < share < 1.0:
        decimals = math.ceil(-math.log10((1.0 - share) * 100)) + 1
        return f"{share * 100:.{decimals}f}%"
    return f"{share:.1%}"


def spread(dataset, name: str) -> np.ndarray:
    """P5, P50 and P95 of each scenario's per-sample values of one output.

    Parameters
    ----------
    dataset : xarray.Dataset
        A comparison (dims ``scenario``, ``sample``).
    name : str
        A per-sample variable.

    Returns
    -------
    numpy.ndarray, shape (scenarios, 3)
        NaN for a scenario with no finite value.
    """
    values = np.asarray(dataset[name].transpose("scenario", "sample").values, dtype=float)
    out = np.full((values.shape[0], 3), np.nan)
    for s, row in enumerate(values):
        row = row[np.isfinite(row)]
        if row.size:
            out[s] = np.percentile(row, [5.0, 50.0, 95.0])
    return out


def difference_band(dataset, name: str, a: str, b: str) -> tuple[float, float]:
    """P5 and P95 of the paired per-sample difference B - A: where 90% of the pairs fall."""
    values_a = np.asarray(dataset[name].sel(scenario=a).values, dtype=float)
    values_b = np.asarray(dataset[name].sel(scenario=b).values, dtype=float)
    paired = np.isfinite(values_a) & np.isfinite(values_b)
    if not paired.any():
        return float("nan"), float("nan")
    low, high = np.percentile(values_b[paired] - values_a[paired], [5.0, 95.0])
    return float(low), float(high)


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[j]) for row in rows) for j in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[j]) if j in right else cell.ljust(widths[j])
            for j, cell in enumerate(row)
        ]
        lines.append(("  " + "  ".join(cells)).rstrip())
    return lines


def format_comparison(dataset, kpis: list[str], confidence: float) -> str:
    """The ``tco compare`` report: medians, paired differences, P(A better), TCO index.

    Parameters
    ----------
    dataset : xarray.Dataset
        Output of :func:`simulate.decisions.compare.compare`.
    kpis : list of str
        The KPIs compared.
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    str
        Plain-text tables.
    """
    labels = [str(s) for s in dataset["scenario"].values]
    level = f"{confidence:.0%}"
    lines = [f"Medians (±: half-width of the {level} confidence interval, relative)"]
    rows = [["KPI", "unit", *labels]]
    names = [*kpis, *(["tco_index"] if "tco_index" not in kpis else [])]
    for name in names:
        var = dataset[f"{name}_median"]
        title = "tco_index (pooled)" if name == "tco_index" else name
        unit = var.attrs["units"]
        rows.append([title, unit, *(_relative_interval(r, unit, name) for r in var.values)])
    lines += _table(rows, right=set(range(2, len(labels) + 2)))

    lines += ["", "Each scenario's outcomes: P50 [P5 to P95], 90% of the sampled worlds"]
    rows = [["KPI", "unit", *labels]]
    for name in kpis:
        if name not in dataset:
            continue
        unit = dataset[f"{name}_median"].attrs["units"]
        cells = [
            human_interval(p50, p5, p95, unit, name, digits=3)
            for p5, p50, p95 in spread(dataset, name)
        ]
        rows.append([name, unit, *cells])
    lines += _table(rows, right=set(range(2, len(labels) + 2)))

    directions = [col.better_direction(name) for name in kpis]
    all_costs = all(d == "lower" for d in directions)
    p_head = "P(A cheaper)" if all_costs else "P(A better)"
    for c, comparison in enumerate(dataset["comparison"].values):
        a = str(dataset["comparison_a"].values[c])
        b = str(dataset["comparison_b"].values[c])
        lines += ["", f"{comparison}: B = {b}, A = {a} (paired samples)"]
        head = ["KPI", f"median B - A [{level} CI]", "90% of pairs: P5 to P95", "% of A"]
        head += [f"{p_head} [{level} CI]", "ties"]
        head += ["pairs"] if all_costs else ["better", "pairs"]
        rows = [head]
        for name, direction in zip(kpis, directions, strict=True):
            difference = dataset[f"{name}_difference"].values[c]
            median_a = float(dataset[f"{name}_median"].values[0, 0])
            relative = difference[0] / median_a if median_a else math.nan
            unit = dataset[f"{name}_median"].attrs["units"]
            low, high = difference_band(dataset, name, a, b) if name in dataset else (np.nan,) * 2
            row = [
                name,
                _interval(difference, unit=unit, name=name),
                f"{human(low, unit, name)} to {human(high, unit, name)}",
                "n/a" if math.isnan(relative) else f"{relative:+.1%}",
                _interval(dataset[f"{name}_prob_a_better"].values[c], as_percent=True),
                f"{float(dataset[f'{name}_prob_tie'].values[c]):.1%}",
            ]
            if not all_costs:
                row.append(DIRECTION_WORDS[direction])
            row.append(f"{int(dataset[f'{name}_n_paired'].values[c]):,}")
            rows.append(row)
        lines += _table(rows, right=set(range(1, len(head))))

    n = dataset.sizes["sample"]
    lines.append("")
    if all_costs:
        lines.append(
            f"{p_head}: share of paired samples where A costs strictly less than B; ties "
            "(equal values) apart."
        )
    else:
        lines.append(
            f"{p_head}: share of paired samples where A is strictly better than B: lower "
            "for costs, energy and time, higher for throughput and efficiency (column "
            "better; '-': no better direction, share where A is lower); ties apart."
        )
    lines.append(
        "Difference: median of the per-sample B - A (order-statistic interval); % of A: "
        "that median over A's median. Pairs: samples with the KPI defined in both."
    )
    infeasible = dataset["infeasible"].values
    counts = ", ".join(
        f"{label} {np.count_nonzero(infeasible[s]):,} ({np.count_nonzero(infeasible[s]) / n:.2%})"
        for s, label in enumerate(labels)
    )
    lines.append(f"Infeasible samples (any reason) of {n:,}: {counts}")
    lines.append(
        f"{dataset.attrs['tco_index_definition']} (here best "
        f"{format_value(dataset.attrs['tco_index_best_usd'], 'USD')}, worst "
        f"{format_value(dataset.attrs['tco_index_worst_usd'], 'USD')})"
    )
    return "\n".join(lines)


def comparison_json(dataset, kpis: list[str]) -> dict:
    """The statistics of a comparison as plain JSON-ready data.

    Parameters
    ----------
    dataset : xarray.Dataset
        Output of :func:`simulate.decisions.compare.compare`.
    kpis : list of str
        The KPIs compared.

    Returns
    -------
    dict
        ``medians`` per KPI and scenario, ``outcomes`` (P5, P50, P95 per KPI and
        scenario), ``comparisons`` per B vs A (with ``difference_p5_p95``, where 90%
        of the paired differences fall), ``infeasible``
        counts per scenario and the TCO index bounds.
    """
    labels = [str(s) for s in dataset["scenario"].values]

    def bounds(row):
        return {
            key: (None if math.isnan(v) else float(v))
            for key, v in zip(("estimate", "lower", "upper"), row, strict=True)
        }

    names = [*kpis, *(["tco_index"] if "tco_index" not in kpis else [])]
    medians = {
        name: {
            "units": dataset[f"{name}_median"].attrs["units"],
            "better": col.better_direction(name),
            **{
                label: bounds(dataset[f"{name}_median"].values[s]) for s, label in enumerate(labels)
            },
        }
        for name in names
    }
    outcomes = {
        name: {
            label: dict(zip(("p5", "p50", "p95"), (float(v) for v in row), strict=True))
            for label, row in zip(labels, spread(dataset, name), strict=True)
        }
        for name in kpis
        if name in dataset
    }
    comparisons = []
    for c, comparison in enumerate(dataset["comparison"].values):
        comparisons.append(
            {
                "label": str(comparison),
                "a": str(dataset["comparison_a"].values[c]),
                "b": str(dataset["comparison_b"].values[c]),
                "kpis": {
                    name: {
                        "difference_b_minus_a": bounds(dataset[f"{name}_difference"].values[c]),
                        "prob_a_better": bounds(dataset[f"{name}_prob_a_better"].values[c]),
                        "prob_tie": float(dataset[f"{name}_prob_tie"].values[c]),
                        "prob_a_worse": float(dataset[f"{name}_prob_a_worse"].values[c]),
                        "n_paired": int(dataset[f"{name}_n_paired"].values[c]),
                        "difference_p5_p95": list(
                            difference_band(
                                dataset,
                                name,
                                str(dataset["comparison_a"].values[c]),
                                str(dataset["comparison_b"].values[c]),
                            )
                        )
                        if name in dataset
                        else None,
                    }
                    for name in kpis
                },
            }
        )
    infeasible = dataset["infeasible"].values
    return {
        "medians": medians,
        "outcomes": outcomes,
        "comparisons": comparisons,
        "infeasible": {
            label: int(np.count_nonzero(infeasible[s])) for s, label in enumerate(labels)
        },
        "tco_index_definition": dataset.attrs["tco_index_definition"],
        "tco_index_best_usd": float(dataset.attrs["tco_index_best_usd"]),
        "tco_index_worst_usd": float(dataset.attrs["tco_index_worst_usd"]),
    }
