"""``tco calibrate``: the model against every shipped published figure."""

from __future__ import annotations

import json
import math

import click

from simulate.cli.compile_notice import announces_compilation
from simulate.cli.options import domain_errors, json_option


@click.command("calibrate")
@click.option(
    "-n",
    "--samples",
    type=click.IntRange(min=64),
    default=1024,
    show_default=True,
    help="Monte Carlo samples per case.",
)
@click.option("--seed", type=int, default=20261202, show_default=True, help="Root seed.")
@click.option(
    "--case",
    "only",
    multiple=True,
    metavar="NAME",
    help="Run only this case (repeatable); `tco calibrate --list` names them.",
)
@click.option("--list", "list_cases", is_flag=True, help="List the cases and exit.")
@json_option("the cases, ratios and coverage")
@domain_errors
@announces_compilation
def calibrate_command(samples, seed, only, list_cases, as_json):
    """Run every shipped calibration case and compare the model with published figures.

    Each case is a built-in scenario named after its benchmark or run (MLPerf Inference
    results, model cards, technical reports). The table gives the published figure and
    its source, the model's P50 and P5-P95 under the scenario's own uncertainty, the
    error, whether it is within tolerance (training 15%, serving and energy 30%) and
    whether the published figure lies inside the interval, then the cross-accelerator
    ratios and the coverage of the intervals. Exits with status 1 when a case or a
    ratio is outside its tolerance. See docs/calibration.md.
    """
    from scenarios.calibration_cases import load_calibration_cases

    if list_cases:
        cases, _ = load_calibration_cases()
        for case in cases:
            click.echo(f"{case.scenario:<46} {case.kind:<9} {case.role:<6} {case.source}")
        return
    from simulate.calibration.cases import calibrate
    from simulate.calibration.table import format_report, report_rows

    def progress(done, total, name):
        if not as_json:
            click.echo(f"  [{done}/{total}] {name}", err=True)

    try:
        report = calibrate(samples=samples, seed=seed, only=only, progress=progress)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(report_rows(report), indent=2, default=_json_default))
    else:
        click.echo(format_report(report))
    if report.failures:
        raise click.ClickException(
            f"{len(report.failures)} calibration figure(s) outside tolerance: "
            + ", ".join(report.failures)
        )


def _json_default(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)
