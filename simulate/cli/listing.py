"""``tco scenarios`` and ``tco catalog``: what ships with the package."""

from __future__ import annotations

import click


@click.command("scenarios")
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
    from scenarios.calibration_cases import calibration_names

    click.echo("")
    click.echo(
        f"Calibration cases: {len(calibration_names())} built-in scenarios named after the "
        "published benchmark or run they reproduce, e.g. mlperf-v5.0-llama2-70b-h100-offline; "
        "`tco calibrate --list` names them, `tco calibrate` checks them."
    )


@click.group("catalog")
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
