"""The ``tco`` command line: a thin click layer over the library.

Domain errors (bad scenario input) become :class:`click.ClickException` with the
message intact, so no Python traceback reaches the user for bad input.
"""

from __future__ import annotations

import functools
import json
import math

import click

from scenarios.errors import ScenarioError
from simulate.cli.options import json_option, scenario_argument


def domain_errors(func):
    """Turn ScenarioError/ValueError from the library into a clean click error."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ScenarioError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lifecycle-tco")
def main():
    """Lifecycle TCO of an AI model: training, fine-tuning and years of inference.

    SCENARIO is a TOML file or the name of a built-in scenario (see `tco scenarios`);
    without it, the built-in default scenario is used.
    """


@main.command("scenarios")
def scenarios_command():
    """List the built-in scenarios, then the comparison sets for `tco compare`."""
    from scenarios.comparisons import COMPARISON_SETS, comparison_members
    from scenarios.loader import load_scenario
    from scenarios.sources import builtin_names

    in_sets = comparison_members()
    for name in builtin_names():
        if name not in in_sets:
            click.echo(f"{name:<24} {load_scenario(name).description}")
    for group, (question, members) in COMPARISON_SETS.items():
        click.echo("")
        click.echo(f"Comparison set '{group}': {question}")
        click.echo(f"  tco compare {' '.join(members)}")
        for name in members:
            click.echo(f"  {name:<22} {load_scenario(name).description}")


@main.command("calc")
@scenario_argument
@json_option("one object keyed by output name")
@domain_errors
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


def _register_commands():
    from simulate.cli.compare import compare_command
    from simulate.cli.export import export_command
    from simulate.cli.fit import fit_command
    from simulate.cli.plot import plot_command
    from simulate.cli.report import report_command
    from simulate.cli.run import run_command
    from simulate.cli.sobol import sobol_command
    from simulate.cli.tornado import tornado_command

    main.add_command(run_command)
    main.add_command(fit_command)
    main.add_command(sobol_command)
    main.add_command(tornado_command)
    main.add_command(plot_command)
    main.add_command(compare_command)
    main.add_command(report_command)
    main.add_command(export_command)


@main.group("catalog")
def catalog_group():
    """Show the hardware and model catalogs."""


@catalog_group.command("hardware")
def catalog_hardware():
    """List accelerators with their main figures (SI units converted for reading)."""
    from scenarios.catalog import load_hardware_catalog

    click.echo(
        f"{'name':<10} {'BF16 TF/s':>9} {'FP8 TF/s':>9} {'mem GB':>7} {'BW TB/s':>8} "
        f"{'W':>6} {'price USD':>10} {'cloud $/h':>9}"
    )
    for name, acc in load_hardware_catalog().items():
        click.echo(
            f"{name:<10} {acc.peak_bf16_flops / 1e12:>9.0f} {acc.peak_fp8_flops / 1e12:>9.0f} "
            f"{acc.memory_bytes / 1e9:>7.0f} {acc.memory_bandwidth_bytes_per_s / 1e12:>8.2f} "
            f"{acc.board_power_w:>6.0f} {acc.purchase_price_usd:>10,.0f} "
            f"{acc.cloud_usd_per_hour:>9.2f}"
        )
    click.echo(
        "Price and cloud rate: midpoints of the catalog's low-high bands; sources in "
        "docs/catalog.md."
    )


@catalog_group.command("models")
def catalog_models():
    """List models with the architecture numbers the cost model uses."""
    from scenarios.catalog import load_model_catalog

    click.echo(
        f"{'name':<16} {'total B':>8} {'active B':>8} {'layers':>6} {'KV/tok/layer':>12} "
        f"{'train T tok':>11}"
    )
    for name, arch in load_model_catalog().items():
        tokens = f"{arch.training_tokens / 1e12:.1f}" if arch.training_tokens else "-"
        click.echo(
            f"{name:<16} {arch.params_total / 1e9:>8.1f} {arch.params_active / 1e9:>8.1f} "
            f"{arch.n_layers:>6d} {arch.kv_values_per_token_per_layer:>12.0f} {tokens:>11}"
        )


def _json_default(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


_register_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
