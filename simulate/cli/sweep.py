"""``tco sweep``: a KPI's median and 90% band along one input, on common random numbers."""

from __future__ import annotations

import json

import click

from results.human import human, human_interval, human_percent, trim_zeros
from simulate.cli.compile_notice import announces_compilation
from simulate.cli.jobs import stops_cleanly, write_result
from simulate.cli.options import (
    SET_HELP,
    confidence_option,
    dataset_output_option,
    figure_option,
    json_option,
    parse_range,
    plan_samples_option,
    seed_option,
    strict_option,
)
from simulate.cli.targets import overwrite_option


def _parse_range(text: str | None) -> tuple[float, float] | None:
    return parse_range(text, "0.3:0.95")


@click.command("sweep")
@click.argument("scenario")
@click.argument("key")
@click.option(
    "--range",
    "range_text",
    metavar="LO:HI",
    default=None,
    help="Sweep range (default: a lever's range, a factor's P5-P95, or base/4 to 4x base).",
)
@click.option(
    "--points", type=click.IntRange(min=3), default=9, show_default=True, help="Values swept."
)
@click.option(
    "--scale",
    type=click.Choice(["auto", "log", "linear"]),
    default="auto",
    show_default=True,
    help="Grid: geometric (log) or even; auto is log when HI/LO >= 10.",
)
@plan_samples_option(20_000, 100, "Samples at each value.")
@seed_option("sweep")
@click.option(
    "--kpi",
    "kpis",
    multiple=True,
    metavar="NAME",
    help="Output to follow (repeatable; default token_cost_per_1k).",
)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@dataset_output_option
@figure_option("the median and 90% band against the swept value")
@confidence_option
@overwrite_option
@strict_option
@json_option("the curve")
@announces_compilation
@stops_cleanly
def sweep_command(
    scenario,
    key,
    range_text,
    points,
    scale,
    n,
    seed,
    kpis,
    overrides,
    output,
    plot_path,
    confidence,
    as_json,
):
    """Sweep one input of SCENARIO and print a KPI's median and 90% band at each value.

    Every value is sampled with the same seed and factors (common random numbers), so
    the curve moves only because KEY does. Example: tco sweep default
    fleet.utilization_target --range 0.3:0.95
    """
    from results.figures import FIGURE_FORMATS
    from scenarios.errors import ScenarioError
    from scenarios.loader import load_scenario
    from simulate.decisions.breakeven import default_range, sweep_values
    from simulate.decisions.sweep import best_value, sweep

    if plot_path is not None and not plot_path.lower().endswith(tuple(FIGURE_FORMATS)):
        raise click.ClickException(f"--plot {plot_path}: use a .png, .svg or .pdf file name")
    if seed is None:
        from simulate.engine.seeding import fresh_seed

        seed = fresh_seed()
    kpis = list(kpis) or ["token_cost_per_1k"]
    log = {"auto": None, "log": True, "linear": False}[scale]
    try:
        loaded = load_scenario(scenario, overrides)
        bounds = _parse_range(range_text) or default_range(loaded, key)
        values = sweep_values(*bounds, points, log)

        def report(done, total):
            click.echo(f"\r  value {done}/{total}", nl=done == total, err=True)

        ds = sweep(
            loaded,
            key,
            values,
            n=n,
            seed=seed,
            kpis=kpis,
            confidence=confidence,
            progress=None if as_json else report,
        )
    except (ScenarioError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    from results.plots import sweep_plot

    write_result(ds, output, plot_path, sweep_plot)
    unit = ds.attrs["over_units"]
    if as_json:
        payload = {
            "scenario": scenario,
            "key": key,
            "n": n,
            "seed": seed,
            "values": [float(v) for v in ds["value"].values],
            "infeasible_share": [float(v) for v in ds["infeasible_share"].values],
            "kpis": {
                kpi: {
                    "units": str(ds["kpi_units"].sel(kpi=kpi).item()),
                    **{
                        name: [float(v) for v in ds[name].sel(kpi=kpi).values]
                        for name in ("median", "median_low", "median_high", "p5", "p95", "mean")
                    },
                    "best_value": best_value(ds, kpi)[0],
                }
                for kpi in kpis
            },
        }
        click.echo(json.dumps(payload, indent=2, allow_nan=True))
        return
    click.echo(
        f"Sweep of {key} in {ds.attrs.get('scenario_name', scenario)}: {n:,} samples per value, "
        f"seed {seed}, common random numbers"
    )
    for kpi in kpis:
        kpi_unit = str(ds["kpi_units"].sel(kpi=kpi).item())
        click.echo("")
        click.echo(f"{kpi} [{kpi_unit}]")
        click.echo(
            f"  {key:>32}  {f'median [{confidence:.0%} CI]':>34}  {'P5 - P95':>22}  infeasible"
        )
        best, _ = best_value(ds, kpi)
        for i, value in enumerate(ds["value"].values):
            at = ds.sel(kpi=kpi).isel(value=i)
            median = human_interval(
                float(at["median"]), float(at["median_low"]), float(at["median_high"]), kpi_unit
            )
            band = f"{human(float(at['p5']), kpi_unit)} - {human(float(at['p95']), kpi_unit)}"
            mark = "  <- best median" if value == best else ""
            setting = trim_zeros(human(float(value), unit, name=key, digits=4))
            share = human_percent(float(ds["infeasible_share"].values[i]))
            click.echo(f"  {setting:>32}  {median:>34}  {band:>22}  {share:>10}{mark}")
    click.echo("Median with its order-statistic interval; P5 - P95: 90% of outcomes at that value.")
    if output is not None:
        click.echo(f"Wrote {output} (open with xarray.open_dataset)")
    if plot_path is not None:
        click.echo(f"Wrote {plot_path}")
