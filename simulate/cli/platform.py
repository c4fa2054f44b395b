"""``tco platform``: several models on serving tiers, the platform total and its chargeback."""

from __future__ import annotations

import json

import click

from simulate.cli.compile_notice import announces_compilation
from simulate.cli.jobs import stops_cleanly, write_result
from simulate.cli.options import (
    SET_HELP,
    confidence_option,
    dask_options,
    dataset_output_option,
    figure_option,
    fixed_seed_option,
    json_option,
    plan_samples_option,
    strict_option,
)
from simulate.cli.targets import overwrite_option

DEFAULT_PLATFORM = "platform-10-models"


@click.command("platform")
@click.argument("platform", required=False, default=DEFAULT_PLATFORM, metavar="[PLATFORM]")
@plan_samples_option(100_000, 1000, "Samples (states of the whole platform).")
@fixed_seed_option
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@click.option(
    "--share",
    "shares",
    multiple=True,
    metavar="ROUTE=SHARE",
    help="A route's share of its parent's requests in place of the file's base (repeatable); "
    "runs with the same --seed are on common random numbers.",
)
@dataset_output_option
@figure_option("each workload's expected cost, coloured by tier")
@confidence_option
@overwrite_option
@strict_option
@json_option("the chargeback table")
@dask_options
@announces_compilation
@stops_cleanly
def platform_command(
    platform,
    n,
    seed,
    overrides,
    output,
    plot_path,
    confidence,
    as_json,
    scheduler,
    dask_workers,
    shares=(),
):
    """Sample a platform of several models and split its cost per model and per tier.

    PLATFORM is a platform file ([platform] and [[workload]] entries, see
    docs/platform.md) or a built-in platform; by default the ten-model platform of
    1B-72B LLMs on dedicated, spot and serverless tiers. --set applies to every
    workload. Costs are over the platform's horizon, in USD; shares and costs per 1k
    tokens are expected cost over the expected platform cost or tokens (what a
    chargeback bills), each with its confidence interval. Workloads with the same
    pool pack their replicas into that pool's whole nodes; each pool's nodes, packing
    and saving against nodes of their own are printed.
    """
    from scenarios.errors import ScenarioError
    from scenarios.platform import load_platform
    from simulate.cli.jobs import reported_job
    from simulate.cli.targets import check_target
    from simulate.decisions.platform import platform_run

    share_map = _parse_shares(shares)
    try:
        loaded = load_platform(platform, overrides, share_map)
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None
    # Refuse to replace a different result before the work, not after it.
    identity = {
        "lifecycle_tco_kind": "platform",
        "scenario_sha256": loaded.sha256,
        "seed": seed,
        "n_samples": n,
        "platform_shares": _shares_text(share_map),
    }
    check_target(output, identity)
    with reported_job(scheduler, dask_workers) as (executor, reporter):
        ds = platform_run(
            loaded, n=n, seed=seed, confidence=confidence, progress=reporter, executor=executor
        )
    ds.attrs["platform_shares"] = _shares_text(share_map)
    from results.chargeback import chargeback_rows
    from results.platform_plots import platform_breakdown

    write_result(ds, output, plot_path, platform_breakdown)
    rows = chargeback_rows(ds)
    if as_json:
        payload = {
            "platform": ds.attrs["platform_name"],
            "n": n,
            "n_valid": int(ds.attrs["n_valid"]),
            "seed": seed,
            "confidence": confidence,
            "horizon_years": float(ds.attrs["horizon_years"]),
            "units": {"cost": "USD", "token_cost_per_1k": "USD/1k tokens", "share": "1"},
            **rows,
        }
        click.echo(json.dumps(payload, indent=2))
        return
    click.echo(format_chargeback(ds, rows, confidence, seed))
    if output is not None:
        click.echo(f"Wrote {output} (open with xarray.open_dataset)")


def _parse_shares(values) -> dict[str, float]:
    """``--share ROUTE=SHARE`` options as a mapping (click's errors name the option)."""
    shares = {}
    for text in values:
        name, sep, value = text.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = None
        if not sep or not name.strip() or number is None:
            raise click.BadParameter(
                f"{text!r}: expected ROUTE=SHARE, e.g. --share chat-overflow=0.4",
                param_hint="--share",
            )
        shares[name.strip()] = number
    return shares


def _shares_text(shares: dict[str, float]) -> str:
    return " ".join(f"{name}={value:g}" for name, value in sorted(shares.items()))


def format_chargeback(ds, rows: dict, confidence: float, seed: int) -> str:
    """The chargeback table as text: one line per workload, per tier, then the platform."""
    from results.human import human, human_percent

    n, valid = int(ds.attrs["n_samples"]), int(ds.attrs["n_valid"])
    years = float(ds.attrs["horizon_years"])
    lines = [
        f"Platform {ds.attrs['platform_name']}: {len(rows['workloads'])} workloads, "
        f"{n:,} samples ({valid:,} with every workload feasible), seed {seed}, "
        f"{years:g}-year horizon; levers at base",
        f"Expected lifecycle cost with its {confidence:.0%} CI, 5-95% spread of the "
        "per-sample cost, share of the platform, CAPEX share of the cost (owned hardware's "
        "depreciation and the PUE CAPEX; the rest is OPEX) and cost per 1M tokens "
        "(expected cost over expected tokens):",
    ]
    header = (
        "workload",
        "tier",
        "model",
        "expected cost",
        "5-95%",
        "share",
        "CAPEX",
        "USD/1M tokens",
    )

    def cells(name, tier, model, item):
        cost, spread = item["cost"], item["cost_p5_p95"]
        share = item.get("share")
        per_1m = [v * 1000.0 for v in item["token_cost_per_1k"]]
        return (
            name,
            tier,
            model,
            f"{human(cost[0], 'USD')} ({human(cost[1], 'USD')}-{human(cost[2], 'USD')})",
            f"{human(spread[0], 'USD')}-{human(spread[1], 'USD')}",
            human_percent(share[0]) if share is not None else "100%",
            human_percent(item["capex_share"][0]),
            f"{per_1m[0]:.3g} ({per_1m[1]:.3g}-{per_1m[2]:.3g})",
        )

    table = [cells(r["workload"], r["tier"], r["model"], r) for r in rows["workloads"]]
    tiers = [cells(f"tier {r['tier']}", "", "", r) for r in rows["tiers"]]
    total = [cells("platform", "", "", rows["platform"])]
    widths = [
        max(len(row[i]) for row in [header, *table, *tiers, *total]) for i in range(len(header))
    ]

    def line(row):
        return "  ".join(
            cell.ljust(widths[i]) if i < 3 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ).rstrip()

    lines += [line(header), *map(line, table), "", *map(line, tiers), *map(line, total)]
    lines.append(
        "Tier totals are the sums of their workloads, the platform the sum of the tiers, "
        "in every sample."
    )
    if "workload_route_of" in ds.coords:
        routes = [
            f"{w} serves {float(share):.0%} of {parent}'s requests"
            for w, parent, share in zip(
                ds["workload"].values,
                ds["workload_route_of"].values,
                ds["workload_route_share"].values,
                strict=True,
            )
            if str(parent)
        ]
        if routes:
            lines.append(f"Routes: {'; '.join(routes)} (each parent the rest).")
    lines += _pool_lines(rows["pools"], confidence)
    lines += _year_lines(rows, confidence)
    return "\n".join(lines)


def _pool_lines(pools: list[dict], confidence: float) -> list[str]:
    """The shared pools: members, nodes and packing by year, what sharing nodes saves."""
    from results.human import human

    lines = []
    for pool in pools:
        slot, own, saving = pool["slot_cost"], pool["separate_cost"], pool["saving"]
        nodes = ", ".join(f"{v:,.1f}" for v in pool["nodes_by_year"])
        packing = ", ".join(f"{v:.0%}" for v in pool["packing_by_year"])
        lines.append(
            f"Pool {pool['pool']} ({', '.join(pool['members'])}) on nodes of "
            f"{pool['node_accelerators']} accelerators: {nodes} nodes by year (expected, at "
            f"the daily peak), replicas filling {packing} of them; empty slots "
            f"{human(slot[0], 'USD')} over the horizon against {human(own[0], 'USD')} on "
            f"nodes of their own: sharing saves {human(saving[0], 'USD')} "
            f"({confidence:.0%} CI {human(saving[1], 'USD')}-{human(saving[2], 'USD')})."
        )
    return lines


def _year_lines(rows: dict, confidence: float) -> list[str]:
    """The plan by year: each tier's and the platform's expected cost, and USD/1M tokens."""
    from results.human import human

    platform = rows["platform"]
    if not platform["cost_by_year"]:
        return []
    header = [
        "year",
        *(f"tier {r['tier']}" for r in rows["tiers"]),
        f"platform ({confidence:.0%} CI)",
        "USD/1M tokens",
    ]
    body = []
    for k, total in enumerate(platform["cost_by_year"]):
        per_1m = [v * 1000.0 for v in platform["token_cost_per_1k_by_year"][k]]
        body.append(
            [
                str(k + 1),
                *(human(r["cost_by_year"][k][0], "USD") for r in rows["tiers"]),
                f"{human(total[0], 'USD')} ({human(total[1], 'USD')}-{human(total[2], 'USD')})",
                f"{per_1m[0]:.3g} ({per_1m[1]:.3g}-{per_1m[2]:.3g})",
            ]
        )
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    return [
        "By year (expected cost; the years add up to the lifecycle cost; USD/1M tokens = the "
        "year's expected cost over its expected tokens):",
        *(
            "  ".join(cell.rjust(widths[i]) for i, cell in enumerate(row))
            for row in [header, *body]
        ),
    ]
