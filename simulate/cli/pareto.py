"""``tco pareto``: the lever plans no other plan beats in both of two objectives."""

from __future__ import annotations

import json
import time

import click

from simulate.cli.compile_notice import announces_compilation
from simulate.cli.jobs import stops_cleanly, write_result
from simulate.cli.options import (
    SET_HELP,
    dataset_output_option,
    decision_number,
    figure_option,
    fixed_seed_option,
    json_option,
    plan_samples_option,
    setting_text,
    strict_option,
)
from simulate.cli.targets import overwrite_option


def _plain(value):
    # A NumPy scalar as the Python value JSON and formatting expect.
    return value.item() if hasattr(value, "item") else value


def _number(value) -> str:
    return decision_number(value, "n/a")


@click.command("pareto")
@click.argument("scenario", required=False)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@click.option(
    "--objective",
    "objectives",
    multiple=True,
    metavar="OUTPUT.STAT",
    help="Two objectives (default lifecycle_total.mean and tpot_s.p95); STAT is mean, pNN, "
    "cvarNN or prob_over:BUDGET. Costs are minimised, tokens_per_dollar-like outputs "
    "maximised.",
)
@click.option(
    "--points",
    type=click.IntRange(min=2),
    default=3,
    show_default=True,
    help="Values per range lever (low to high; the base in the middle when odd).",
)
@plan_samples_option(20_000, 100, "Samples per plan (the same sampled factors for every plan).")
@fixed_seed_option
@dataset_output_option
@figure_option("the plans, the frontier and the base plan")
@overwrite_option
@strict_option
@json_option("the frontier")
@announces_compilation
@stops_cleanly
def pareto_command(scenario, overrides, objectives, points, n, seed, output, plot_path, as_json):
    """Evaluate a grid of lever plans on common random numbers and print the Pareto frontier.

    Every plan (each choice lever at every choice, each range lever at --points values)
    is evaluated on the same sampled factors; a plan is on the frontier when no other
    plan is at least as good in both objectives and better in one.
    """
    from results.figures import FIGURE_FORMATS
    from scenarios.errors import ScenarioError
    from scenarios.loader import load_scenario
    from simulate.decisions.pareto import pareto

    objectives = objectives or ("lifecycle_total.mean", "tpot_s.p95")
    if plot_path is not None and not plot_path.lower().endswith(tuple(FIGURE_FORMATS)):
        raise click.ClickException(f"--plot {plot_path}: use a .png, .svg or .pdf file name")
    start = time.monotonic()

    def report(done, total):
        click.echo(f"\r  {done:,}/{total:,} plans", nl=done == total, err=True)

    try:
        loaded = load_scenario(scenario, overrides)
        ds = pareto(
            loaded,
            objectives,
            n=n,
            seed=seed,
            points=points,
            progress=None if as_json else report,
        )
    except (ScenarioError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    elapsed = time.monotonic() - start
    from results.plots import pareto_plot

    write_result(ds, output, plot_path, pareto_plot)
    levers = [i.path for i in loaded.levers()]
    front = ds.isel(plan=ds["on_frontier"].values.nonzero()[0])
    order = front["objective_0"].values.argsort()
    rows = [
        {
            "objectives": [
                float(front["objective_0"].values[i]),
                float(front["objective_1"].values[i]),
            ],
            "levers": {lever: _plain(front[lever].values[i]) for lever in levers},
        }
        for i in order
    ]
    if as_json:
        payload = {
            "scenario": loaded.name,
            "objectives": list(objectives),
            "n": n,
            "seed": seed,
            "plans": ds.attrs["plans"],
            "base": [ds.attrs["base_objective_0"], ds.attrs["base_objective_1"]],
            "base_on_frontier": bool(ds.attrs["base_on_frontier"]),
            "frontier": rows,
        }
        click.echo(json.dumps(payload, indent=2, allow_nan=True))
        return
    units = [ds[f"objective_{j}"].attrs["units"] for j in (0, 1)]
    click.echo(
        f"Pareto frontier of {loaded.name}: {objectives[0]} [{units[0]}] against "
        f"{objectives[1]} [{units[1]}]; {ds.attrs['plans']:,} lever plans, {n:,} samples each, "
        f"seed {seed} ({elapsed:.0f} s)"
    )
    for k, row in enumerate(rows, 1):
        settings = ", ".join(
            f"{p.split('.')[-1]}={setting_text(v)}" for p, v in row["levers"].items()
        )
        first, second = (_number(v) for v in row["objectives"])
        click.echo(f"  {k:>2}. {first:>14}  {second:>10}  {settings}")
    on = "on the frontier" if ds.attrs["base_on_frontier"] else "not on the frontier"
    click.echo(
        f"Base plan: {_number(ds.attrs['base_objective_0'])}, "
        f"{_number(ds.attrs['base_objective_1'])} ({on})."
    )
    if output is not None:
        click.echo(f"Wrote {output} (open with xarray.open_dataset)")
    if plot_path is not None:
        click.echo(f"Wrote {plot_path}")
