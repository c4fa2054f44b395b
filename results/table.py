"""Render base-case results as a text table or a JSON-ready dict."""

from __future__ import annotations

import math

from results.human import digits_for_interval, human
from simulate.model import columns as col
from simulate.model.base_case import BaseCase
from simulate.model.tco_index import DEFINITION

SECTIONS = (
    ("KPIs", (*col.KPI_NAMES, "tco_index")),
    ("Internal factors", col.FACTOR_NAMES),
    ("Extras", col.EXTRA_NAMES),
    (
        "Serving and fleet",
        (
            "tensor_parallel",
            "batch_size",
            "tokens_per_s_per_accelerator",
            "output_tokens_per_s_per_accelerator",
            "inference_accelerators",
            "truncated_share",
            "releases_in_horizon",
            "finetunes_in_horizon",
            "pue",
            "tokens_per_month",
            "prefill_share",
        ),
    ),
    (
        "Inference cost breakdown",
        tuple(
            name
            for name in col.BREAKDOWN_NAMES
            if name not in ("releases_in_horizon", "finetunes_in_horizon")
        ),
    ),
)
UNITS = {c.name: c.unit for c in col.OUTPUTS} | {"tco_index": "1"}
LONG_NAMES = {c.name: c.long_name for c in col.OUTPUTS} | {
    "tco_index": "TCO index (0-1, higher is worse)"
}


def format_value(value: float, unit: str = "", name: str | None = None, digits: int = 4) -> str:
    """Format a number for a table in human units: ``$71.50M``, ``0.3032``, ``12.50%``.

    Parameters
    ----------
    value : float
        The number, in ``unit``.
    unit : str
        Its unit (``"USD"``, ``"tokens/month"``, ``"1"``); sets the currency sign,
        the scale suffix or the percent sign (:func:`results.human.human`).
    name : str, optional
        Output name (shares print as percentages).
    digits : int
        Significant digits.

    Returns
    -------
    str
        Its text, never in scientific notation; ``n/a`` for None or NaN.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return human(float(value), unit, name=name, digits=digits)


def _values(case: BaseCase) -> dict[str, float]:
    return case.outputs | {"tco_index": case.tco_index}


def format_base_case(case: BaseCase) -> str:
    """The ``tco calc`` table: every KPI, factor and extra with its unit.

    Parameters
    ----------
    case : BaseCase
        The evaluated base case.

    Returns
    -------
    str
        A plain-text table.
    """
    values = _values(case)
    scenario = case.scenario
    lines = [f"Scenario {scenario.name} ({scenario.source}) at base values"]
    if scenario.description:
        lines.append(f"  {scenario.description}")
    lines.append("  levers at base, uncertain factors at their medians")
    if case.flags:
        lines.append("INFEASIBLE: " + "; ".join(case.reasons))
    width = max(len(name) for _, names in SECTIONS for name in names)
    for title, names in SECTIONS:
        lines.append("")
        lines.append(title)
        for name in names:
            lines.append(
                f"  {name:<{width}}  {format_value(values[name], UNITS[name], name):>16}  "
                f"{UNITS[name]:<26}"
                f"{LONG_NAMES[name]}"
            )
    lines.append("")
    lines.append(
        f"TCO index scale for this scenario: best {format_value(case.bounds.best_usd, 'USD')}, "
        f"worst {format_value(case.bounds.worst_usd, 'USD')}"
    )
    lines.append(DEFINITION)
    return "\n".join(lines)


def base_case_json(case: BaseCase) -> dict:
    """The ``tco calc --json`` object: outputs by name plus units and provenance.

    Parameters
    ----------
    case : BaseCase
        The evaluated base case.

    Returns
    -------
    dict
        JSON-serialisable; NaN becomes None.
    """
    values = {
        name: (None if isinstance(v, float) and math.isnan(v) else v)
        for name, v in _values(case).items()
    }
    return values | {
        "infeasible": bool(case.flags),
        "infeasible_code": case.flags,
        "infeasible_reasons": case.reasons,
        "tco_index_definition": DEFINITION,
        "tco_index_best_usd": case.bounds.best_usd,
        "tco_index_worst_usd": case.bounds.worst_usd,
        "units": {name: UNITS[name] for name in values},
        "scenario": case.scenario.name,
        "scenario_source": case.scenario.source,
        "scenario_sha256": case.scenario.sha256,
    }


def _with_interval(row, unit: str = "", name: str | None = None) -> str:
    estimate, lower, upper = (float(v) for v in row)
    if math.isnan(estimate):
        return "n/a"
    half = max(abs(upper - estimate), abs(estimate - lower))
    relative = half / abs(estimate) * 100 if estimate else math.inf
    # At least three digits: the ± beside it already says how many of them are sure.
    digits = digits_for_interval(estimate, lower, upper, least=3)
    return f"{format_value(estimate, unit, name, digits)} ±{relative:.2g}%"


def format_summary(summary, flag_counts: dict[str, int], n: int) -> str:
    """The ``tco run`` table: each statistic with the half-width of its interval.

    Parameters
    ----------
    summary : xarray.Dataset
        Output of :func:`results.summary.summarize`.
    flag_counts : dict of str to int
        Samples per infeasibility reason.
    n : int
        Samples in the run.

    Returns
    -------
    str
        A plain-text table.
    """
    stats = [str(s) for s in summary["statistic"].values]
    names = list(summary.data_vars)
    width = max(len(name) for name in names)
    head = f"  {'':<{width}}  {'unit':<15}" + "".join(f"{s:>20}" for s in stats)
    lines = [head]
    for name in names:
        var = summary[name]
        unit = var.attrs.get("units", "")
        cells = "".join(
            f"{_with_interval(var.sel(statistic=s).values, unit, name):>20}" for s in stats
        )
        lines.append(f"  {name:<{width}}  {unit:<15}{cells}")
    confidence = summary.attrs.get("confidence", 0.95)
    lines.append("")
    lines.append(
        f"±: half-width of the {confidence:.0%} confidence interval, relative to the estimate "
        "(mean: CLT; std: delta method; percentiles: order statistics)."
    )
    infeasible = flag_counts.pop("any", 0)
    lines.append(f"Infeasible samples: {infeasible:,} of {n:,} ({infeasible / n:.2%})")
    for reason, count in flag_counts.items():
        if count:
            lines.append(f"  {count:>12,}  {reason}")
    return "\n".join(lines)
