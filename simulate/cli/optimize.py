"""``tco optimize``: the lever setting that minimises a risk measure of a KPI."""

from __future__ import annotations

import json
import math
import time

import click

from simulate.cli.compile_notice import announces_compilation
from simulate.cli.jobs import stops_cleanly, write_result
from simulate.cli.options import (
    SET_HELP,
    confidence_option,
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


def _number(value, unit: str = "") -> str:
    return decision_number(value, "inadmissible", unit)


@click.command("optimize")
@click.argument("scenario", required=False)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@click.option(
    "--kpi",
    default="lifecycle_total",
    show_default=True,
    metavar="NAME",
    help="Cost output to minimise (any output of `tco calc` that is better when lower).",
)
@click.option(
    "--objective",
    default="mean",
    show_default=True,
    metavar="STAT",
    help="mean, pNN (e.g. p90), cvarNN (e.g. cvar95: mean of the worst 5%) or "
    "prob_over:BUDGET (share of samples above BUDGET).",
)
@click.option(
    "--constraint",
    "constraints",
    multiple=True,
    metavar="OUTPUT.STAT<=VALUE",
    help="Admissible plans only, e.g. --constraint 'tpot_s.p95<=0.05' --constraint "
    "'energy_mwh_month.mean<=2000' (repeatable; >= works too).",
)
@click.option(
    "--max-infeasible",
    type=click.FloatRange(0, 1, max_open=True),
    default=0.01,
    show_default=True,
    help="Largest share of structurally infeasible samples a plan may have.",
)
@plan_samples_option(100_000, 100, "Samples per plan (the same sampled factors for every plan).")
@fixed_seed_option
@dataset_output_option
@figure_option("the best plan of each choice combination with its interval")
@confidence_option
@overwrite_option
@strict_option
@json_option("the optimum, the base plan and the runners-up")
@announces_compilation
@stops_cleanly
def optimize_command(
    scenario,
    overrides,
    kpi,
    objective,
    constraints,
    max_infeasible,
    n,
    seed,
    output,
    plot_path,
    confidence,
    as_json,
):
    """Search the levers for the setting that minimises OBJECTIVE of KPI, under constraints.

    Every plan is evaluated on the same sampled factors (common random numbers). The
    choice levers are enumerated; within each combination the range levers are searched
    by coordinate descent with a bounded scalar optimiser. Prints the best setting of
    each combination, best first, with a bootstrap interval, whether it is significantly
    worse than the best, and the best plan's paired improvement over the base plan.
    """
    from scenarios.errors import ScenarioError
    from scenarios.loader import load_scenario
    from simulate.decisions.optimize import optimize

    start = time.monotonic()

    def report(done, total):
        click.echo(
            f"\r  combination {done}/{total} of the choice levers", nl=done == total, err=True
        )

    try:
        loaded = load_scenario(scenario, overrides)
        ds = optimize(
            loaded,
            kpi=kpi,
            objective=objective,
            constraints=constraints,
            n=n,
            seed=seed,
            max_infeasible=max_infeasible,
            confidence=confidence,
            progress=None if as_json else report,
        )
    except (ScenarioError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    elapsed = time.monotonic() - start
    from results.plots import optimize_plans_plot

    write_result(ds, output, plot_path, optimize_plans_plot)
    attrs = ds.attrs
    levers = [name for name in ds.data_vars if name in loaded.inputs]
    if as_json:
        payload = {
            "scenario": loaded.name,
            "kpi": kpi,
            "objective": objective,
            "constraints": list(constraints),
            "n": n,
            "seed": seed,
            "seconds": elapsed,
            "evaluations": attrs["evaluations"],
            "best": {lever: ds[lever].values[0].item() for lever in levers},
            "best_objective": attrs["best_objective"],
            "base_objective": attrs["base_objective"],
            "improvement": [
                attrs["improvement"],
                attrs["improvement_low"],
                attrs["improvement_high"],
            ],
            "plans": [
                {
                    **{lever: ds[lever].values[i].item() for lever in levers},
                    "objective": float(ds["objective"].values[i]),
                    "interval": [
                        float(ds["objective_low"].values[i]),
                        float(ds["objective_high"].values[i]),
                    ],
                    "not_worse": bool(ds["not_worse"].values[i]),
                }
                for i in range(ds.sizes["plan"])
            ],
        }
        click.echo(json.dumps(payload, indent=2, allow_nan=True))
        return
    unit = attrs["objective_units"]
    click.echo(
        f"Optimisation of {loaded.name}: minimise {objective} of {kpi} [{unit}]"
        + (f" subject to {attrs['constraints']}" if attrs["constraints"] else "")
        + f"; {n:,} samples per plan, seed {seed}, {attrs['evaluations']:,} plans evaluated"
        f" ({elapsed:.0f} s)"
    )
    click.echo(f"Best: {attrs['best_setting']}")
    click.echo(
        f"  {objective} {_number(attrs['best_objective'], unit)} against the base plan's "
        f"{_number(attrs['base_objective'], unit)}: {_number(attrs['improvement'], unit)} better "
        f"({confidence:.0%} CI {_number(attrs['improvement_low'], unit)} to "
        f"{_number(attrs['improvement_high'], unit)}, paired)"
    )
    click.echo("Best plan of each combination of the choice levers, best first:")
    for i in range(ds.sizes["plan"]):
        settings = ", ".join(
            f"{lever.split('.')[-1]}={setting_text(ds[lever].values[i].item())}" for lever in levers
        )
        value = float(ds["objective"].values[i])
        tag = (
            ""
            if not math.isfinite(value)
            else ("  not significantly worse" if bool(ds["not_worse"].values[i]) and i else "")
        )
        interval = (
            f" [{_number(float(ds['objective_low'].values[i]), unit)}, "
            f"{_number(float(ds['objective_high'].values[i]), unit)}]"
            if math.isfinite(value)
            else ""
        )
        click.echo(f"  {i + 1:>2}. {_number(value, unit)}{interval}  {settings}{tag}")
    click.echo(
        "Intervals: paired bootstrap over the samples; 'not significantly worse': the "
        "interval of the difference to the best includes 0."
    )
    if output is not None:
        click.echo(f"Wrote {output} (open with xarray.open_dataset)")
