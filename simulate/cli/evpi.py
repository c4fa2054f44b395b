"""``tco evpi``: what learning each factor before choosing between A and B is worth."""

from __future__ import annotations

import json

import click

from results.human import human
from simulate.cli.compile_notice import announces_compilation
from simulate.cli.jobs import stops_cleanly, write_result
from simulate.cli.options import (
    SET_HELP,
    confidence_option,
    dataset_output_option,
    figure_option,
    fixed_seed_option,
    json_option,
    plan_samples_option,
    strict_option,
)
from simulate.cli.targets import overwrite_option


@click.command("evpi")
@click.argument("scenario_a", metavar="A")
@click.argument("scenario_b", metavar="B")
@plan_samples_option(50_000, 1000, "Paired samples.")
@fixed_seed_option
@click.option(
    "--kpi", default="lifecycle_total", show_default=True, metavar="NAME", help="Cost compared."
)
@click.option(
    "--bins", type=click.IntRange(min=2), default=50, show_default=True, help="Bins per factor."
)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@dataset_output_option
@figure_option("the EVPPI of each factor and the EVPI")
@confidence_option
@overwrite_option
@strict_option
@json_option("EVPI and the EVPPI of every factor")
@announces_compilation
@stops_cleanly
def evpi_command(
    scenario_a, scenario_b, n, seed, kpi, bins, overrides, output, plot_path, confidence, as_json
):
    """Expected value of perfect information for the choice between A and B, per factor.

    EVPI: what knowing every factor before choosing would save on expectation; EVPPI of a
    factor: what knowing that factor alone would save. In the KPI's unit (USD for a cost).
    A factor worth 0 cannot change the choice; the largest say which uncertainty to pay
    to reduce before deciding.
    """
    from scenarios.errors import ScenarioError
    from simulate.decisions.evpi import value_of_information

    try:
        ds = value_of_information(
            [scenario_a, scenario_b],
            n=n,
            seed=seed,
            kpi=kpi,
            overrides=overrides,
            bins=bins,
            confidence=confidence,
        )
    except (ScenarioError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    from results.plots import evpi_bars

    write_result(ds, output, plot_path, evpi_bars)
    attrs = ds.attrs
    rows = [
        {
            "factor": str(f),
            "evppi": float(ds["evppi"].values[i]),
            "interval": [float(ds["evppi_low"].values[i]), float(ds["evppi_high"].values[i])],
        }
        for i, f in enumerate(ds["factor"].values)
    ]
    if as_json:
        payload = {
            "a": attrs["scenario_a"],
            "b": attrs["scenario_b"],
            "kpi": kpi,
            "units": attrs["kpi_units"],
            "choice_now": attrs["choice_now"],
            "expected": {"a": attrs["expected_a"], "b": attrs["expected_b"]},
            "evpi": [attrs["evpi"], attrs["evpi_low"], attrs["evpi_high"]],
            "evppi": rows,
        }
        click.echo(json.dumps(payload, indent=2))
        return
    unit = attrs["kpi_units"]
    click.echo(
        f"Value of information, {attrs['scenario_a']} (A) or {attrs['scenario_b']} (B), "
        f"{kpi} [{unit}], {attrs['n_paired']:,} paired samples, seed {seed}"
    )
    click.echo(
        f"Expected {kpi}: A {human(attrs['expected_a'], unit)}, "
        f"B {human(attrs['expected_b'], unit)}; "
        f"choose {attrs['choice_now']} without more information."
    )
    click.echo(
        f"EVPI (learn everything first): {human(attrs['evpi'], unit)} "
        f"({confidence:.0%} CI {human(attrs['evpi_low'], unit)} to "
        f"{human(attrs['evpi_high'], unit)})"
    )
    click.echo(f"EVPPI per factor (learn it alone first), {unit}:")
    width = max(len(r["factor"]) for r in rows)
    noise = 1e-9 * max(abs(float(attrs["evpi"])), *(abs(r["evppi"]) for r in rows), 1e-300)
    for r in rows:
        low, high = r["interval"]
        # A billionth of the EVPI is estimator rounding around 0, not a value: print 0.
        value, low, high = (
            human(v if abs(v) > noise else 0.0, unit) for v in (r["evppi"], low, high)
        )
        click.echo(f"  {r['factor']:<{width}}  {value:>14}  [{low}, {high}]")
    click.echo(
        "0 within its interval: learning the factor cannot change the choice. Binned "
        "estimator (Strong & Oakley 2013), permutation bias removed."
    )
    if output is not None:
        click.echo(f"Wrote {output} (open with xarray.open_dataset)")
