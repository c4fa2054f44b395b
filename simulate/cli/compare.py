"""``tco compare``: scenarios side by side on common random numbers."""

from __future__ import annotations

import json
import math
import time

import click
import numpy as np

from results.table import format_value
from simulate.cli.options import (
    SET_HELP,
    confidence_option,
    dask_options,
    design_option,
    json_option,
    samples_option,
    seed_option,
)
from simulate.cli.plot import plots_option, write_standard_plots
from simulate.cli.run import reported_job
from simulate.model import columns as col

DIRECTION_WORDS = {"lower": "lower", "higher": "higher", "none": "-"}


def _interval(row, as_percent: bool = False) -> str:

    estimate, lower, upper = (float(v) for v in row)
    if math.isnan(estimate):
        return "n/a"
    if as_percent:
        return f"{_percent(estimate)} [{_percent(lower)}, {_percent(upper)}]"
    return f"{format_value(estimate)} [{format_value(lower)}, {format_value(upper)}]"


def _relative_interval(row) -> str:
    # As `tco run` prints: the estimate and the interval's larger half-width, relative.
    estimate, lower, upper = (float(v) for v in row)
    if math.isnan(estimate):
        return "n/a"
    half = max(abs(upper - estimate), abs(estimate - lower))
    if estimate == 0:
        return _interval(row)
    return f"{format_value(estimate)} ±{half / abs(estimate) * 100:.2g}%"


def _percent(share: float) -> str:
    # Shares near 0 or 1 keep two significant digits of their distance from the end, so a
    # Wilson bound of 0.019% does not print as 0.0%.
    if 0.0 < share < 0.001:
        return f"{share * 100:.2g}%"
    if 0.999 < share < 1.0:
        decimals = math.ceil(-math.log10((1.0 - share) * 100)) + 1
        return f"{share * 100:.{decimals}f}%"
    return f"{share:.1%}"


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
        rows.append([title, var.attrs["units"], *(_relative_interval(r) for r in var.values)])
    lines += _table(rows, right=set(range(2, len(labels) + 2)))

    directions = [col.better_direction(name) for name in kpis]
    all_costs = all(d == "lower" for d in directions)
    p_head = "P(A cheaper)" if all_costs else "P(A better)"
    for c, comparison in enumerate(dataset["comparison"].values):
        a = str(dataset["comparison_a"].values[c])
        b = str(dataset["comparison_b"].values[c])
        lines += ["", f"{comparison}: B = {b}, A = {a} (paired samples)"]
        head = ["KPI", f"median B - A [{level} CI]", "% of A", f"{p_head} [{level} CI]", "ties"]
        head += ["pairs"] if all_costs else ["better", "pairs"]
        rows = [head]
        for name, direction in zip(kpis, directions, strict=True):
            difference = dataset[f"{name}_difference"].values[c]
            median_a = float(dataset[f"{name}_median"].values[0, 0])
            relative = difference[0] / median_a if median_a else math.nan
            row = [
                name,
                _interval(difference),
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
        f"${dataset.attrs['tco_index_best_usd']:,.0f}, worst "
        f"${dataset.attrs['tco_index_worst_usd']:,.0f})"
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
        ``medians`` per KPI and scenario, ``comparisons`` per B vs A, ``infeasible``
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
                    }
                    for name in kpis
                },
            }
        )
    infeasible = dataset["infeasible"].values
    return {
        "medians": medians,
        "comparisons": comparisons,
        "infeasible": {
            label: int(np.count_nonzero(infeasible[s])) for s, label in enumerate(labels)
        },
        "tco_index_definition": dataset.attrs["tco_index_definition"],
        "tco_index_best_usd": float(dataset.attrs["tco_index_best_usd"]),
        "tco_index_worst_usd": float(dataset.attrs["tco_index_worst_usd"]),
    }


@click.command("compare")
@click.argument("scenarios", nargs=-1, metavar="SCENARIO SCENARIO [SCENARIO...]")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@samples_option("Samples per scenario (paired across scenarios).")
@seed_option("comparison")
@design_option("Unit-cube design, shared by every scenario.")
@click.option(
    "--kpi",
    "kpis",
    multiple=True,
    metavar="NAME",
    help="Output to compare (repeatable; default: the five KPIs). Any output of "
    "`tco calc`, e.g. --kpi tokens_per_dollar.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Result file (.nc). Default: compare-A-vs-B-nN-seedS.nc in the current folder.",
)
@click.option("--no-save", is_flag=True, help="Write no file.")
@confidence_option
@plots_option
@dask_options
@json_option("the medians, differences and probabilities")
def compare_command(
    scenarios,
    overrides,
    n,
    seed,
    design,
    kpis,
    output,
    no_save,
    confidence,
    plots_dir,
    scheduler,
    dask_workers,
    as_json,
):
    """Compare scenarios on common random numbers: the first is A, each other one is B.

    Every scenario is sampled with the same uniforms for the uncertain factors it
    shares with the others, so sample i of A and of B differ only through what the
    scenarios change. Prints per KPI each scenario's median, the median of the paired
    difference B - A with its interval, P(A cheaper than B) and the TCO index of each
    scenario over the pooled bounds; writes the per-sample dataset (dims scenario,
    sample). --set applies to every scenario.
    """
    from scenarios.errors import ScenarioError
    from simulate.decisions.compare import (
        check_kpis,
        compare,
        default_output_name,
        resolve_scenarios,
        scenario_labels,
    )

    if len(scenarios) < 2:
        raise click.ClickException(
            f"got {len(scenarios)} scenario(s): a comparison needs at least two, e.g. "
            "`tco compare accelerator-h100 accelerator-h200` (see `tco scenarios`)"
        )
    try:
        loaded = resolve_scenarios(scenarios, overrides)
        kpi_names = check_kpis(kpis or col.KPI_NAMES)
    except (ScenarioError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    for scenario in loaded:
        if scenario.copula is not None and scenario.copula.warning:
            click.echo(f"Warning: {scenario.name}: {scenario.copula.warning}", err=True)
    if design == "sobol" and n & (n - 1):
        click.echo(
            f"Note: Sobol points are balanced for N a power of two; N = {n:,} is not.", err=True
        )
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    labels = scenario_labels(loaded)
    if output is None and not no_save:
        output = default_output_name(labels, n, seed)
    with reported_job(scheduler, dask_workers) as (executor, reporter):
        start = time.monotonic()
        dataset = compare(
            loaded,
            n=n,
            seed=seed,
            design=design,
            kpis=kpi_names,
            confidence=confidence,
            output=None if no_save else output,
            progress=reporter,
            executor=executor,
        )
    elapsed = time.monotonic() - start
    shared = dataset.attrs["shared_factors"].split()
    union = dataset.attrs["factor_columns"].split()
    if plots_dir is not None:
        write_standard_plots(dataset, plots_dir, kpis=kpi_names, err=as_json)
    if as_json:
        payload = {
            "scenarios": [
                {"label": label, "name": s.name, "source": s.source, "sha256": s.sha256}
                for label, s in zip(labels, loaded, strict=True)
            ],
            "baseline": labels[0],
            "difference": "B - A, A = the baseline (first scenario)",
            "n": n,
            "seed": seed,
            "design": design,
            "confidence": confidence,
            "output": None if no_save else str(output),
            "seconds": elapsed,
            "shared_factors": shared,
            "factors_in_some_scenarios": [p for p in union if p not in shared],
            **comparison_json(dataset, kpi_names),
        }
        click.echo(json.dumps(payload, indent=2))
        return
    click.echo(
        f"Comparison of {len(labels)} scenarios on common random numbers: {n:,} paired "
        f"samples each, design {design}, seed {seed} ({elapsed:.1f} s)"
    )
    width = max(len(label) for label in labels)
    for i, (label, scenario) in enumerate(zip(labels, loaded, strict=True)):
        role = "A" if i == 0 else "B"
        click.echo(f"  {role}  {label:<{width}}  {scenario.description}")
    own = [p for p in union if p not in shared]
    click.echo(
        f"Uncertain factors: {len(shared)} shared by all (same uniforms in every scenario)"
        + (f"; in some scenarios only: {', '.join(own)}" if own else "")
    )
    click.echo("")
    click.echo(format_comparison(dataset, kpi_names, confidence))
    if not no_save:
        click.echo(f"Wrote {output} (open with xarray.open_dataset)")
