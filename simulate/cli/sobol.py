"""``tco sobol``: Sobol sensitivity indices from the command line."""

from __future__ import annotations

import contextlib
import json

import click

from simulate.cli.compile_notice import announces_compilation
from simulate.cli.options import (
    confidence_option,
    dask_options,
    enter_executor,
    json_option,
    scenario_argument,
    strict_option,
)
from simulate.cli.plot import plots_option, write_standard_plots
from simulate.cli.targets import check_target, overwrite_option


def parse_groups(values: tuple[str, ...]) -> dict[str, list[str]]:
    """Parse ``--group NAME=a,b`` options into a mapping."""
    groups = {}
    for text in values:
        name, sep, members = text.partition("=")
        name = name.strip()
        items = [m.strip() for m in members.split(",") if m.strip()]
        if not sep or not name or len(items) < 1:
            raise click.BadParameter(
                f"{text!r}: expected NAME=a,b,... e.g. --group power=power.hedge_share,"
                "power.spot_price_usd_per_mwh"
            )
        if name in groups:
            raise click.BadParameter(f"{text!r}: group {name!r} given twice")
        groups[name] = items
    return groups


def format_ranking(ds) -> str:
    """Per KPI, the parameters ranked by total-order index, with intervals."""
    from results.rankings import sobol_ranking

    confidence = ds.attrs["confidence"]
    lines = []
    for kpi in ds.kpi.values:
        dropped = int(ds.n_dropped.sel(kpi=kpi))
        lines.append("")
        lines.append(
            f"{kpi} ({ds.kpi_units.sel(kpi=kpi).item()})"
            + (f"  [{dropped:,} base points dropped: infeasible samples]" if dropped else "")
        )
        width = max(len(str(p)) for p in ds.param.values)
        lines.append(f"  {'#':>2}  {'parameter':<{width}}  {'kind':<6}  {'S1':>16}  {'ST':>16}")
        for rank, (param, kind, s1, s1c, st, stc) in enumerate(sobol_ranking(ds, str(kpi)), 1):
            lines.append(
                f"  {rank:>2}  {param:<{width}}  {kind:<6}  {s1:>7.3f} ±{s1c:<7.3f}  "
                f"{st:>7.3f} ±{stc:.3f}"
            )
    lines.append("")
    lines.append(
        f"±: half-width of the {confidence:.0%} bootstrap confidence interval "
        f"({ds.attrs['resamples']} resamples). S1: first order (Saltelli 2010), ST: total "
        "order (Jansen 1999)."
    )
    lines.append(f"Levers: {ds.attrs['levers']}. Infeasible: {ds.attrs['infeasible_policy']}.")
    return "\n".join(lines)


@click.command("sobol")
@scenario_argument
@click.option(
    "-N",
    "n",
    type=click.IntRange(min=2),
    default=2**14,
    show_default=True,
    help="Base sample count N (a power of two); model runs = N (D + 2).",
)
@click.option("--second-order", is_flag=True, help="Also estimate second-order indices.")
@click.option("--levers-only", is_flag=True, help="Vary only the levers (factors at medians).")
@click.option("--factors-only", is_flag=True, help="Vary only the factors (levers at base).")
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="NAME=a,b,...",
    help="Analyse inputs together as one group (repeatable).",
)
@click.option(
    "--kpi",
    "kpis",
    multiple=True,
    metavar="NAME",
    help="Output to analyse (repeatable; default: the five cost KPIs).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the design scrambling and the bootstrap.",
)
@click.option(
    "--resamples",
    type=click.IntRange(min=2),
    default=100,
    show_default=True,
    help="Bootstrap resamples.",
)
@confidence_option
@click.option(
    "--estimator",
    type=click.Choice(["numba", "salib"]),
    default="numba",
    show_default=True,
    help="Streaming Numba estimator, or SALib's sobol.analyze.",
)
@click.option(
    "--target-ci",
    type=float,
    default=None,
    help="Double N until the widest half-width among the top indices is below this.",
)
@click.option(
    "--max-n",
    type=click.IntRange(min=2),
    default=2**20,
    show_default=True,
    help="Budget for N with --target-ci.",
)
@click.option(
    "--versus",
    metavar="SCENARIO_B",
    default=None,
    help="Analyse the paired difference B - SCENARIO of each KPI (what drives the choice "
    "between them), over both scenarios' factors on common uniforms.",
)
@click.option(
    "--group-by",
    type=click.Choice(["workload", "tier", "factor", "none"]),
    default=None,
    help="A platform's grouped indices: each workload's own factors as one group (the "
    "default), a tier's, one factor across the workloads, or none.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the indices as a NetCDF dataset.",
)
@dask_options
@plots_option
@overwrite_option
@strict_option
@json_option("the indices")
@announces_compilation
def sobol_command(
    scenario,
    n,
    second_order,
    levers_only,
    factors_only,
    groups,
    kpis,
    seed,
    resamples,
    confidence,
    estimator,
    target_ci,
    max_n,
    overrides,
    versus,
    group_by,
    output,
    scheduler,
    dask_workers,
    plots_dir,
    as_json,
):
    """Sobol indices (first and total order) of every lever and factor, per KPI.

    Levers vary uniformly over their ranges (choice levers as a discrete uniform),
    factors through their distributions; both are ranked together.

    A platform (a file with a [platform] table, or a built-in one) is analysed over its
    factors (levers at base) with grouped indices: by default each workload's own
    factors are one group and each shared factor (one site, one market) stands alone;
    KPIs platform_cost (default), platform_token_cost_per_1k (default) and
    platform_present_value.
    """
    from scenarios.errors import ScenarioError
    from scenarios.loader import load_scenario
    from scenarios.platform import names_a_platform

    group_map = parse_groups(groups)
    platform = names_a_platform(scenario)
    if platform:
        refused = [
            option
            for option, used in (
                ("--levers-only", levers_only),
                ("--factors-only", factors_only),
                ("--group", bool(group_map)),
                ("--versus", versus is not None),
                ("--estimator salib", estimator != "numba"),
            )
            if used
        ]
        if refused:
            raise click.ClickException(
                f"{scenario} is a platform: {', '.join(refused)} apply to one scenario; a "
                "platform's indices are over its factors, grouped with --group-by"
            )
    elif group_by is not None:
        raise click.ClickException(
            f"--group-by groups a platform's columns; {scenario or 'the default scenario'} is "
            "one scenario: use --group NAME=a,b to group its inputs"
        )
    with contextlib.ExitStack() as stack:
        executor = enter_executor(stack, scheduler, dask_workers)
        common = dict(
            n=n,
            seed=seed,
            second_order=second_order,
            resamples=resamples,
            confidence=confidence,
            target_ci=target_ci,
            max_n=max_n,
            progress=lambda message: click.echo(message, err=True),
            executor=executor,
        )
        try:
            if platform:
                from simulate.sensitivity.platform_sobol import (
                    DEFAULT_PLATFORM_KPIS,
                    platform_sobol,
                )

                loaded = None
                ds = platform_sobol(
                    scenario,
                    kpis=list(kpis) or list(DEFAULT_PLATFORM_KPIS),
                    group_by=group_by or "workload",
                    overrides=overrides,
                    **common,
                )
            else:
                loaded = load_scenario(scenario, overrides)
                ds = _scenario_indices(
                    loaded,
                    versus,
                    common
                    | dict(
                        kpis=list(kpis),
                        levers_only=levers_only,
                        factors_only=factors_only,
                        groups=group_map or None,
                        estimator=estimator,
                    ),
                    overrides,
                )
        except (ScenarioError, ValueError, RuntimeError) as exc:
            raise click.ClickException(str(exc)) from None
    if output:
        from results.store import save_netcdf

        check_target(output, ds.attrs)
        try:
            save_netcdf(ds, output)
        except (ValueError, OSError) as exc:
            raise click.ClickException(str(exc)) from None
    if plots_dir is not None:
        write_standard_plots(ds, plots_dir, err=as_json)
    if as_json:
        payload = {
            "N": int(ds.attrs["N"]),
            "seed": seed,
            "indices": {
                str(kpi): {
                    str(p): {
                        key: float(ds[key].sel(kpi=kpi, param=p))
                        for key in ("S1", "S1_conf", "ST", "ST_conf")
                    }
                    for p in ds.param.values
                }
                for kpi in ds.kpi.values
            },
        }
        click.echo(json.dumps(payload, indent=2))
        return
    if platform:
        subject = f"Platform {ds.attrs['platform_name']} (grouped by {ds.attrs['group_by']})"
    else:
        subject = f"Scenario {f'{versus} - {loaded.name} (paired)' if versus else loaded.name}"
    click.echo(
        f"{subject}: "
        f"Sobol indices, N = {ds.attrs['N']:,} "
        f"({ds.attrs['model_evaluations']:,} model runs), seed {seed}, estimator {estimator}"
    )
    click.echo(format_ranking(ds))
    if output:
        click.echo(f"Wrote {output}")


def _scenario_indices(loaded, versus, options: dict, overrides):
    """The indices of one scenario, or of the paired difference with ``versus``."""
    from scenarios.loader import load_scenario
    from simulate.sensitivity.sobol import DEFAULT_KPIS, sobol

    if loaded.copula is not None and not options["levers_only"]:
        click.echo(
            "Warning: the scenario declares rank correlations, but Sobol indices assume "
            "independent inputs; the factors are sampled independently here.",
            err=True,
        )
    if versus is None:
        return sobol(loaded, **(options | {"kpis": options["kpis"] or list(DEFAULT_KPIS)}))
    from simulate.sensitivity.difference import sobol_difference

    if (
        options["second_order"]
        or options["levers_only"]
        or options["factors_only"]
        or options["groups"]
        or options["target_ci"]
    ):
        raise ValueError(
            "--versus analyses the factors' first- and total-order indices of the "
            "difference; drop --second-order, --levers-only, --factors-only, "
            "--group and --target-ci"
        )
    return sobol_difference(
        loaded,
        load_scenario(versus, overrides),
        n=options["n"],
        seed=options["seed"],
        kpis=options["kpis"] or ["lifecycle_total"],
        resamples=options["resamples"],
        confidence=options["confidence"],
    )
