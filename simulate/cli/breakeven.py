"""``tco breakeven``: where B starts (or stops) being cheaper than A along one input."""

from __future__ import annotations

import json
import math

import click

from results.human import human_interval, human_percent
from simulate.cli.compile_notice import announces_compilation
from simulate.cli.jobs import stops_cleanly, write_result
from simulate.cli.options import (
    SET_HELP,
    confidence_option,
    dataset_output_option,
    decision_number,
    figure_option,
    json_option,
    parse_range,
    plan_samples_option,
    seed_option,
    strict_option,
)
from simulate.cli.targets import overwrite_option


def _parse_range(text: str | None) -> tuple[float, float] | None:
    return parse_range(text, "1e5:1e8")


def _fmt(value, unit: str = "", name: str | None = None) -> str:
    return decision_number(value, "outside the swept range", unit, name)


@click.command("breakeven")
@click.argument("scenario_a", metavar="A")
@click.argument("scenario_b", metavar="B")
@click.option(
    "--over",
    required=True,
    metavar="KEY",
    help="Numeric input to sweep, set in both scenarios, e.g. demand.requests_per_day.",
)
@click.option(
    "--range",
    "range_text",
    metavar="LO:HI",
    default=None,
    help="Sweep range (default: a lever's range, a factor's P5-P95, or base/4 to 4x base).",
)
@click.option(
    "--and",
    "over2",
    metavar="KEY2",
    default=None,
    help="A second input: map the difference over both and draw the break-even contour.",
)
@click.option(
    "--range2",
    "range2_text",
    metavar="LO:HI",
    default=None,
    help="Range of the second input (default as for --range).",
)
@click.option(
    "--points",
    type=click.IntRange(min=3),
    default=9,
    show_default=True,
    help="Values in the sweep.",
)
@click.option(
    "--scale",
    type=click.Choice(["auto", "log", "linear"]),
    default="auto",
    show_default=True,
    help="Grid: geometric (log) or even; auto is log when HI/LO >= 10.",
)
@plan_samples_option(20_000, 100, "Paired samples per scenario at each value.")
@seed_option("sweep")
@click.option(
    "--kpi",
    default="lifecycle_total",
    show_default=True,
    metavar="NAME",
    help="Output compared (any output of `tco calc`).",
)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@dataset_output_option
@figure_option("the difference against the swept value")
@confidence_option
@overwrite_option
@strict_option
@json_option("the sweep and the break-even")
@announces_compilation
@stops_cleanly
def breakeven_command(
    scenario_a,
    scenario_b,
    over,
    range_text,
    over2,
    range2_text,
    points,
    scale,
    n,
    seed,
    kpi,
    overrides,
    output,
    plot_path,
    confidence,
    as_json,
):
    """Sweep one input and find the break-even value where B - A crosses zero.

    Both scenarios are compared on common random numbers at every value of the sweep
    (one seed throughout). Prints the median paired difference B - A with its interval,
    P(B better) and the P5-P95 band of the paired outcomes at each value, then the
    break-even value with its confidence interval. Example (managed API vs self-managed
    spot, over traffic): tco breakeven serving-managed-api serving-self-managed-spot
    --over demand.requests_per_day --range 1e5:1e8
    """
    from results.figures import FIGURE_FORMATS
    from scenarios.errors import ScenarioError
    from simulate.decisions.breakeven import breakeven, default_range, sweep_values
    from simulate.decisions.compare import resolve_scenarios

    if plot_path is not None and not plot_path.lower().endswith(tuple(FIGURE_FORMATS)):
        raise click.ClickException(f"--plot {plot_path}: use a .png, .svg or .pdf file name")
    if seed is None:
        from simulate.engine.seeding import fresh_seed

        seed = fresh_seed()
    log = {"auto": None, "log": True, "linear": False}[scale]
    try:
        bounds = _parse_range(range_text)
        if bounds is None:
            first = resolve_scenarios([scenario_a, scenario_b], overrides)[0]
            bounds = default_range(first, over)
        values = sweep_values(*bounds, points, log)
        if over2 is not None:
            return _map(
                scenario_a,
                scenario_b,
                over,
                values,
                over2,
                range2_text,
                points,
                n,
                seed,
                kpi,
                overrides,
                confidence,
                output,
                plot_path,
                as_json,
            )

        def report(done, total):
            click.echo(f"\r  value {done}/{total}", nl=done == total, err=True)

        ds = breakeven(
            [scenario_a, scenario_b],
            over,
            values,
            n=n,
            seed=seed,
            kpi=kpi,
            overrides=overrides,
            confidence=confidence,
            log=log,
            progress=None if as_json else report,
        )
    except (ScenarioError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    from results.plots import breakeven_curve

    write_result(ds, output, plot_path, breakeven_curve)
    attrs = ds.attrs
    if as_json:
        payload = {
            "a": scenario_a,
            "b": scenario_b,
            "over": over,
            "kpi": kpi,
            "n": n,
            "seed": seed,
            "confidence": confidence,
            "breakeven": attrs["breakeven"],
            "breakeven_interval": [attrs["breakeven_low"], attrs["breakeven_high"]],
            "direction": attrs["breakeven_direction"],
            "b_better_p95_from": attrs["b_better_p95_from"],
            "b_worse_p95_from": attrs["b_worse_p95_from"],
            "sweep": [
                {
                    "value": float(v),
                    "difference": [float(d) for d in ds["difference"].values[i]],
                    "difference_p5": float(ds["difference_p5"].values[i]),
                    "difference_p95": float(ds["difference_p95"].values[i]),
                    "prob_b_better": [float(p) for p in ds["prob_b_better"].values[i]],
                }
                for i, v in enumerate(ds["value"].values)
            ],
        }
        click.echo(json.dumps(payload, indent=2, allow_nan=True))
        return
    units = attrs["kpi_units"]
    over_units = attrs.get("over_units", "")
    click.echo(
        f"Break-even of {attrs['scenario_b']} (B) against {attrs['scenario_a']} (A) over "
        f"{over}: {kpi} [{units}], {n:,} paired samples per value, seed {seed}"
    )
    header = f"  {over:>26}  {'median B - A [' + f'{confidence:.0%}' + ' CI]':>40}"
    click.echo(header + f"  {'P(B better)':>11}  {'P5 - P95 of B - A':>27}")
    for i, value in enumerate(ds["value"].values):
        d = ds["difference"].values[i]
        p = ds["prob_b_better"].values[i]
        band = (
            f"{_fmt(ds['difference_p5'].values[i], units, kpi)} - "
            f"{_fmt(ds['difference_p95'].values[i], units, kpi)}"
        )
        median = human_interval(d[0], d[1], d[2], units, kpi)
        click.echo(
            f"  {_fmt(float(value), over_units, over):>26}  {median:>40}"
            f"  {human_percent(p[0]):>11}  {band:>27}"
        )
    estimate = attrs["breakeven"]
    if math.isfinite(estimate):
        click.echo(
            f"Break-even: {over} = {_fmt(estimate, over_units, over)} ({confidence:.0%} CI "
            f"{_fmt(attrs['breakeven_low'], over_units, over)} to "
            f"{_fmt(attrs['breakeven_high'], over_units, over)}); "
            f"{attrs['breakeven_direction']}."
        )
    else:
        click.echo(f"Break-even: none found; {attrs['breakeven_direction']}.")
    for key, text in (
        ("b_better_p95_from", "B is better in 95% of outcomes from"),
        ("b_worse_p95_from", "B is worse in 95% of outcomes up to"),
    ):
        if math.isfinite(attrs[key]):
            click.echo(f"{text} {over} = {_fmt(attrs[key], over_units, over)}.")
    click.echo(
        "Median of the paired differences with its order-statistic interval; break-even "
        "interval from where the interval's ends cross zero (assumes a monotone difference)."
    )
    if output is not None:
        click.echo(f"Wrote {output} (open with xarray.open_dataset)")
    if plot_path is not None:
        click.echo(f"Wrote {plot_path}")


def _map(
    a,
    b,
    over,
    values,
    over2,
    range2_text,
    points,
    n,
    seed,
    kpi,
    overrides,
    confidence,
    output,
    plot_path,
    as_json,
):
    """``tco breakeven ... --and KEY2``: the two-input map and its break-even curve."""
    from simulate.decisions.breakeven import breakeven_map, default_range, sweep_values
    from simulate.decisions.compare import resolve_scenarios

    bounds2 = _parse_range(range2_text)
    if bounds2 is None:
        bounds2 = default_range(resolve_scenarios([a, b], overrides)[0], over2)
    values2 = sweep_values(*bounds2, points, None)

    def report(done, total):
        click.echo(f"\r  {over2} value {done}/{total}", nl=done == total, err=True)

    ds = breakeven_map(
        [a, b],
        over,
        values,
        over2,
        values2,
        n=n,
        seed=seed,
        kpi=kpi,
        overrides=overrides,
        confidence=confidence,
        progress=None if as_json else report,
    )
    from results.plots import breakeven_map_plot

    write_result(ds, output, plot_path, breakeven_map_plot)
    curve = [(float(v2), float(x)) for v2, x in zip(values2, ds["breakeven"].values, strict=True)]
    if as_json:
        click.echo(json.dumps({"over": over, "over2": over2, "breakeven_curve": curve}, indent=2))
        return
    click.echo(
        f"Break-even map of {ds.attrs['scenario_b']} (B) against {ds.attrs['scenario_a']} (A): "
        f"{kpi}, {over} x {over2}, {n:,} paired samples per point, seed {seed}"
    )
    click.echo(f"  {over2:>30}  break-even {over}")
    units = ds.attrs.get("over_units", ""), ds.attrs.get("over2_units", "")
    for value2, value in curve:
        click.echo(f"  {_fmt(value2, units[1], over2):>30}  {_fmt(value, units[0], over)}")
    if output is not None:
        click.echo(f"Wrote {output} (open with xarray.open_dataset)")
    if plot_path is not None:
        click.echo(f"Wrote {plot_path}")
