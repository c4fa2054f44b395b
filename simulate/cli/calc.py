"""``tco calc``: the model once at base values, every output with its unit."""

from __future__ import annotations

import json
import math

import click

from simulate.cli.compile_notice import announces_compilation
from simulate.cli.options import domain_errors, json_option, scenario_argument, strict_option


@click.command("calc")
@scenario_argument
@strict_option
@json_option("one object keyed by output name")
@domain_errors
@announces_compilation
def calc_command(scenario, overrides, as_json):
    """Evaluate the model once at base values and print every KPI with units.

    Levers are at their base values and uncertain factors at their medians.
    """
    from results.table import base_case_json, format_base_case
    from scenarios.loader import load_scenario
    from simulate.model.base_case import calculate

    case = calculate(load_scenario(scenario, overrides))
    if as_json:
        click.echo(json.dumps(base_case_json(case), indent=2, default=_json_default))
    else:
        click.echo(format_base_case(case))
    if case.flags:
        raise click.ClickException("the base case is infeasible: " + "; ".join(case.reasons))


def _json_default(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)
