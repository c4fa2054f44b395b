"""``tco compare``: scenarios side by side on common random numbers."""

from __future__ import annotations

import json
import time

import click

from simulate.cli.compile_notice import announces_compilation
from simulate.cli.jobs import reported_job
from simulate.cli.options import (
    SET_HELP,
    confidence_option,
    dask_options,
    design_option,
    json_option,
    samples_option,
    seed_option,
    strict_option,
)
from simulate.cli.plot import plots_option, write_standard_plots
from simulate.cli.targets import check_target, overwrite_option
from simulate.model import columns as col


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
@overwrite_option
@strict_option
@json_option("the medians, differences and probabilities")
@announces_compilation
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

    from results.comparison_table import comparison_json, format_comparison
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
        from simulate.engine.seeding import fresh_seed

        seed = fresh_seed()
    labels = scenario_labels(loaded)
    if output is None and not no_save:
        output = default_output_name(labels, n, seed, overrides)
    if not no_save:
        identity = {
            "lifecycle_tco_kind": "compare",
            "seed": seed,
            "n_samples": n,
            "design": design,
            "scenarios": " ".join(labels),
        }
        identity |= {f"scenario_{i}_sha256": s.sha256 for i, s in enumerate(loaded, start=1)}
        check_target(output, identity)
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
