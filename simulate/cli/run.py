"""``tco run``: the Monte Carlo simulation from the command line."""

from __future__ import annotations

import json
import time

import click

from simulate.cli.compile_notice import announces_compilation
from simulate.cli.jobs import (
    DurationGuard,
    command_started,
    parse_percentiles,
    reported_job,
    saved_result,
)
from simulate.cli.options import (
    confidence_option,
    dask_options,
    design_option,
    json_option,
    samples_option,
    scenario_argument,
    seed_option,
    strict_option,
)
from simulate.cli.plot import plots_option, write_standard_plots
from simulate.cli.targets import check_target, default_result_name, overwrite_option, run_label
from simulate.model import columns as col


@click.command("run")
@scenario_argument
@samples_option("Number of samples.")
@seed_option("run")
@design_option("Unit-cube design.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=True),
    default=None,
    help="Result file (.nc, or .zarr for very large runs). Default: "
    "SCENARIO-nN-seedS.nc in the current folder.",
)
@click.option("--no-save", is_flag=True, help="Keep the run in memory; write no file.")
@click.option(
    "--allow-large",
    is_flag=True,
    help="Go ahead with a run whose file would exceed 100 GiB or that would take over "
    "2 hours at the rate measured in its first seconds (refused without it).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["netcdf", "zarr"]),
    default=None,
    help="Storage format (default: from the output's suffix).",
)
@click.option(
    "--store",
    type=click.Choice(["standard", "yearly", "all"]),
    default="standard",
    show_default=True,
    help="Per-sample outputs kept: KPIs, factors and extras; those and the year "
    "dimension (cost, CAPEX, purchases and tokens by year, printed as a table); or "
    "every output.",
)
@click.option(
    "--precision",
    type=click.Choice(["float64", "float32"]),
    default="float32",
    show_default=True,
    help="Storage type of per-sample values in the file (float32: seven significant "
    "digits, half the size; the summary is computed from the stored values).",
)
@click.option(
    "--percentiles", default="5,50,95", show_default=True, help="Percentiles in the summary."
)
@confidence_option
@click.option(
    "--budget",
    type=float,
    default=None,
    metavar="USD",
    help="Print P(lifecycle_total > USD) with its interval and the CVaR95 of the total.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="Numba threads (default: all cores). Results do not depend on it.",
)
@dask_options
@click.option(
    "--kpi",
    "kpis",
    multiple=True,
    metavar="NAME",
    help="Output to show in the table and --json (repeatable; any stored output, or "
    "token_cost_per_1m). Default: the KPIs, the per-token costs and energy, the factors.",
)
@click.option(
    "--extras", is_flag=True, help="Add every extra output (TTFT, TPOT, $/h, tokens/$, ...)."
)
@plots_option
@overwrite_option
@strict_option
@json_option("the summary")
@announces_compilation
def run_command(
    scenario,
    n,
    seed,
    design,
    overrides,
    output,
    no_save,
    allow_large,
    fmt,
    store,
    precision,
    percentiles,
    confidence,
    budget,
    threads,
    scheduler,
    dask_workers,
    kpis,
    extras,
    plots_dir,
    as_json,
):
    """Monte Carlo: sample the uncertain factors (levers at base), summarise every KPI.

    Prints mean, standard deviation and percentiles with confidence intervals and the
    share of infeasible samples by reason, and writes the per-sample dataset. A platform
    (a file with a [platform] table, or a built-in one) prints its chargeback per model,
    tier and year instead, as `tco platform` does (seed 0 unless --seed is given).
    """
    import numba

    from results.human import human, human_percent
    from results.summary import infeasible_counts
    from results.table import format_summary
    from scenarios.errors import ScenarioError
    from scenarios.loader import load_scenario
    from scenarios.platform import names_a_platform
    from simulate.engine.montecarlo import run

    if names_a_platform(scenario):
        _run_platform(
            scenario, n, seed, design, overrides, output, no_save, store, kpis, extras,
            plots_dir, budget, confidence, as_json, scheduler, dask_workers,
        )  # fmt: skip
        return
    percentile_values = parse_percentiles(percentiles)
    if threads is not None:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        loaded = load_scenario(scenario, overrides)
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None
    if design == "sobol" and n & (n - 1):
        click.echo(
            f"Note: Sobol points are balanced for N a power of two; N = {n:,} is not "
            f"(nearest: {1 << (n.bit_length() - 1):,} or {1 << n.bit_length():,}).",
            err=True,
        )
    if loaded.copula is not None and loaded.copula.warning:
        click.echo(f"Warning: {loaded.copula.warning}", err=True)
    if seed is None:
        from simulate.engine.seeding import fresh_seed

        seed = fresh_seed()
    if output is None and not no_save:
        output = default_result_name(loaded, n, seed)
    if not no_save:
        _announce_size(loaded, n, store, precision, output, allow_large)
        check_target(
            output,
            {
                "lifecycle_tco_kind": "run",
                "scenario_sha256": loaded.sha256,
                "seed": seed,
                "n_samples": n,
                "design": design,
            },
        )
    with reported_job(scheduler, dask_workers) as (executor, reporter):
        start = time.monotonic()
        dataset = run(
            loaded,
            n=n,
            seed=seed,
            design=design,
            output=None if no_save else output,
            fmt=fmt,
            store=store,
            precision=precision,
            progress=reporter if no_save or allow_large else DurationGuard(reporter),
            executor=executor,
            read_back=summary_reads(loaded, kpis, extras, plots_dir is not None),
        )
    elapsed = time.monotonic() - start
    # From here the file is complete: an interrupt says so instead of "nothing written".
    with saved_result(None if no_save else output):
        names = table_outputs(dataset, kpis, extras)
        summary = _summaries(dataset, names, percentile_values, confidence)
        counts = infeasible_counts(dataset["infeasible"])
        if plots_dir is not None:
            write_standard_plots(dataset, plots_dir, err=as_json)
        from results.risk import budget_risk, money_risk

        money = money_risk(dataset, confidence, loaded)
        budget_line = None
        if budget is not None:
            try:
                budget_line = budget_risk(dataset["lifecycle_total"].values, budget, confidence)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
        # The wall clock of the whole command as the user waits for it: start-up, loading,
        # compiling, the engine and the summary (the engine alone is printed beside it).
        wall = time.monotonic() - command_started()
        if as_json:
            payload = {
                "scenario": loaded.name,
                "n": n,
                "seed": seed,
                "design": design,
                "output": None if no_save else str(output),
                "seconds": wall,
                "engine_seconds": elapsed,
                "confidence": confidence,
                "infeasible": counts,
                "budget": budget_line,
                "money": money,
                "statistics": {
                    name: {
                        "units": summary[name].attrs.get("units", ""),
                        **{
                            str(stat): dict(
                                zip(
                                    ("estimate", "lower", "upper"),
                                    map(float, summary[name].sel(statistic=stat).values),
                                    strict=True,
                                )
                            )
                            for stat in summary["statistic"].values
                        },
                    }
                    for name in names
                },
            }
            click.echo(json.dumps(payload, indent=2))
            return
        click.echo(
            f"Scenario {run_label(loaded)}: {n:,} samples, design {design}, seed {seed} "
            f"({wall:.1f} s wall clock, {n / wall:,.0f} samples/s; engine {elapsed:.1f} s); levers "
            "at base, factors sampled"
        )
        click.echo(format_summary(summary, counts, n))
        if budget_line is not None:
            p, low, high = budget_line["prob_over"]
            click.echo(
                f"Budget {human(budget, 'USD')}: P(lifecycle_total > budget) = {human_percent(p)} "
                f"({confidence:.0%} CI {human_percent(low)} to {human_percent(high)}); "
                f"P95 {human(budget_line['var'], 'USD')}, "
                f"CVaR95 (mean of the worst 5%) {human(budget_line['cvar'], 'USD')}"
            )
        _echo_power_cap(loaded, dataset)
        _echo_plan(loaded, dataset, confidence)
        if money is not None:
            _echo_money(money, confidence)
        click.echo(dataset.attrs["tco_index_definition"])
        if not no_save:
            click.echo(f"Wrote {output} (open with xarray.open_dataset)")


def _run_platform(
    platform, n, seed, design, overrides, output, no_save, store, kpis, extras, plots_dir,
    budget, confidence, as_json, scheduler, dask_workers,
):  # fmt: skip
    """``tco run PLATFORM``: the platform's chargeback, as ``tco platform`` prints it."""
    from simulate.cli.platform import platform_command

    unsupported = [
        option
        for option, used in (
            ("--design", design != "mc"),
            ("--store", store != "standard"),
            ("--kpi", bool(kpis)),
            ("--extras", extras),
            ("--plots", plots_dir is not None),
            ("--budget", budget is not None),
        )
        if used
    ]
    if unsupported:
        raise click.ClickException(
            f"{platform} is a platform: {', '.join(unsupported)} apply to one scenario; run "
            f"`tco platform {platform}` (see `tco platform --help`) without them"
        )
    click.get_current_context().invoke(
        platform_command,
        platform=platform,
        n=n,
        seed=0 if seed is None else seed,
        overrides=overrides,
        output=None if no_save else output,
        plot_path=None,
        confidence=confidence,
        as_json=as_json,
        scheduler=scheduler,
        dask_workers=dask_workers,
    )


def _echo_power_cap(loaded, dataset) -> None:
    """The power-cap lines of the run summary, when the scenario sets a site power cap."""
    import numpy as np

    from results.human import human

    cap = float(loaded.base_values().get("facility.power_cap_mw", 0.0) or 0.0)
    if cap <= 0.0 or "power_cap_served_share" not in dataset:
        return
    share = dataset["power_cap_served_share"].values
    site = dataset["site_power_mw"].values
    ok = np.isfinite(share)
    click.echo(
        f"Power cap {human(cap, 'MW', with_unit=True)}: the fleet at full load needs "
        f"{human(np.median(site[ok]), 'MW', with_unit=True)} "
        f"(median; P95 {human(np.percentile(site[ok], 95), 'MW', with_unit=True)}); "
        "the cap binds in "
        f"{np.mean(share[ok] < 1.0):.1%} of samples, serving {np.median(share[ok]):.1%} of "
        "the demand (median)"
    )
    # Tokens a month: tokens per lifecycle dollar times dollars, over the horizon.
    months = float(loaded.base_values()["scenario.horizon_years"]) * 12.0
    tokens = dataset["tokens_per_dollar"].values * dataset["lifecycle_total"].values / months
    if np.isfinite(tokens[ok]).any():
        click.echo(
            f"  Tokens the site can serve: {human(np.median(tokens[ok] * share[ok]), 'tokens')}"
            f" a month (median) of {human(np.median(tokens[ok]), 'tokens')} demanded"
        )
    capped = ok & (share < 1.0)
    if capped.any():
        # Serving the rest takes the missing megawatts at this fleet's cost per MW.
        missing_mw = site[capped] * (1.0 - share[capped])
        per_mw = dataset["inference_cost_monthly"].values[capped] / site[capped]
        click.echo(
            f"  Where it binds, serving the rest needs "
            f"{human(np.median(missing_mw), 'MW', with_unit=True)} more (median), about "
            f"{human(np.median(missing_mw * per_mw), 'USD/month', with_unit=True)} at the "
            f"fleet's inference cost of {human(np.median(per_mw), 'USD')} per MW-month"
        )


def _finite_mean(values, rows: int = 1 << 20) -> float:
    """Mean of the finite values in float64, a slice at a time (no full-size copy)."""
    import numpy as np

    total, count = 0.0, 0
    for start in range(0, values.shape[0], rows):
        part = values[start : start + rows]
        finite = np.isfinite(part)
        total += float(part[finite].sum(dtype=np.float64))
        count += int(finite.sum())
    return total / count if count else float("nan")


def _echo_plan(loaded, dataset, confidence: float) -> None:
    """The present value line and, with the year dimension stored, the table by year."""
    import numpy as np

    from results.human import human
    from results.years import has_years, year_rows

    if "present_value" in dataset:
        # Infeasible samples are NaN in every output, so both means cover the same samples.
        present = _finite_mean(dataset["present_value"].values)
        total = _finite_mean(dataset["lifecycle_total"].values)
        if np.isfinite(present):
            rate = float(loaded.base_values().get("finance.discount_rate", 0.0) or 0.0)
            click.echo(
                f"Present value of the plan's cash flows at {rate:.1%} a year: "
                f"{human(present, 'USD')} (mean; the lifecycle total, undiscounted, "
                f"{human(total, 'USD')})"
            )
    if not has_years(dataset):
        return
    click.echo(
        f"By year (means; cost with its {confidence:.0%} CI and P5-P95; $/1M tokens = mean "
        "cost / mean tokens; cash CAPEX = accelerators bought net of trade-ins, PUE CAPEX):"
    )
    click.echo(
        f"  {'year':>4}  {'cost':>10}  {'CI':>21}  {'P5-P95':>21}  {'CAPEX':>9}  "
        f"{'cash CAPEX':>10}  {'tokens':>8}  {'$/1M tokens':>11}"
    )
    for row in year_rows(dataset, confidence):
        mean, low, high = row["cost"]
        click.echo(
            f"  {row['year']:>4}  {human(mean, 'USD'):>10}  "
            f"{human(low, 'USD') + ' to ' + human(high, 'USD'):>21}  "
            f"{human(row['cost_p5'], 'USD') + ' to ' + human(row['cost_p95'], 'USD'):>21}  "
            f"{human(row['capex'], 'USD'):>9}  {human(row['purchases'], 'USD'):>10}  "
            f"{human(row['tokens'], 'tokens'):>8}  {human(row['token_cost_per_1m'], 'USD'):>11}"
        )


def _echo_money(money, confidence: float) -> None:
    """The margin, ROI and payback line of the run summary (scenarios with revenue)."""
    from results.human import human, human_percent

    p, low, high = money["prob_loss"]
    m5, m50, m95 = money["margin"]
    r5, r50, r95 = money["roi"]
    click.echo(
        f"Money in (revenue {human(money['revenue_monthly'], 'USD/month', with_unit=True)}, "
        f"median): margin P5/P50/P95 {human(m5, 'USD')} / {human(m50, 'USD')} / "
        f"{human(m95, 'USD')}, ROI {r5:.1%} / {r50:.1%} / "
        f"{r95:.1%}; P(loss) = {human_percent(p)} ({confidence:.0%} CI {human_percent(low)} "
        f"to {human_percent(high)}); "
        f"pays back within the horizon in {human_percent(money['prob_payback'])} of samples"
        + (f" (median month {money['payback_p50']:.1f})" if money["prob_payback"] > 0 else "")
    )


LARGE_WRITE_BYTES = 200 * 2**20
"""Above this estimated size, ``tco run`` says how much it will write before it starts."""
LARGEST_WRITE_BYTES = 100 * 2**30
"""Above this estimated size, ``tco run`` asks for ``--allow-large``: far beyond what a
confidence interval needs (1e8 samples, 17 GiB, pin the P95 to a fraction of a percent),
so most likely a typo in ``-n``."""


def _announce_size(scenario, n: int, store: str, precision: str, output, allow_large: bool) -> None:
    """Print the estimated file size of a large run before it starts (stderr); refuse a huge one.

    Raises
    ------
    click.ClickException
        Above :data:`LARGEST_WRITE_BYTES` without ``--allow-large``.
    """
    from results.human import human
    from simulate.engine.chunks import stored_bytes_per_sample
    from simulate.engine.plan import sampling_plan

    per_sample = stored_bytes_per_sample(sampling_plan(scenario), store, precision)
    size = n * per_sample
    if size > LARGEST_WRITE_BYTES and not allow_large:
        raise click.ClickException(
            f"-n {n:,} would write about {human(size / 2**30, digits=2)} GiB to {output} "
            f"({per_sample} B per sample); that is above {LARGEST_WRITE_BYTES // 2**30} GiB: "
            "lower -n, or pass --allow-large to go ahead"
        )
    if size >= LARGE_WRITE_BYTES:
        click.echo(
            f"Writing about {human(size / 2**30, digits=2)} GiB to {output} ({per_sample} B per "
            f"sample, {precision}, --store {store}); --no-save keeps the run in memory only.",
            err=True,
        )


PER_TOKEN = (
    "token_cost_per_1m",
    "input_cost_per_1m",
    "output_cost_per_1m",
    "joules_per_token",
    "cost_per_meaningful_response",
)
"""The per-token figures users ask for first: shown by default beside the KPIs."""


PER_MILLION = ("token_cost_per_1m", "token_cost_per_1k", 1000.0)
"""The per-1M token cost (for API price lists): 1,000 times the stored per-1k cost."""


def _summaries(dataset, names: list[str], percentiles, confidence):
    """:func:`results.summary.summarize` of ``names``, the per-1M cost scaled from the per-1k.

    ``token_cost_per_1m`` is not stored: its statistics are those of
    ``token_cost_per_1k`` times 1,000 (exact for a positive factor), so the column is
    not read and multiplied a second time.
    """
    from results.summary import scaled_summary, summarize

    derived, source, factor = PER_MILLION
    sampled = [name for name in names if name != derived]
    if derived in names and source not in sampled:
        sampled.append(source)
    summary = summarize(dataset, sampled, percentiles, confidence)
    if derived in names:
        attrs = {
            "units": "USD/1M tokens",
            "long_name": "lifecycle cost per 1M tokens served (1,000 x token_cost_per_1k)",
        }
        summary = scaled_summary(summary, source, derived, factor, attrs)
    return summary[names]


def requested_outputs(kpis, extras: bool) -> list[str]:
    """The outputs ``--kpi`` and ``--extras`` ask the run table for, in order, unchecked.

    Parameters
    ----------
    kpis : sequence of str
        ``--kpi`` names; empty for the default set.
    extras : bool
        ``--extras``: add every extra output.

    Returns
    -------
    list of str
    """
    if kpis:
        names = list(dict.fromkeys(kpis))
    else:
        names = [
            "token_cost_per_1k",
            *PER_TOKEN,
            *(k for k in col.KPI_NAMES if k != "token_cost_per_1k"),
            "tco_index",
            *col.FACTOR_NAMES,
        ]
    if extras:
        names += [name for name in col.EXTRA_NAMES if name not in names]
    return names


#: Stored variables the run summary reads besides its table: the feasibility mask, the
#: budget line and the money lines (read whenever the scenario charges prices).
SUMMARY_READS = (
    "infeasible",
    "lifecycle_total",
    "revenue_monthly",
    "margin",
    "roi",
    "training_cost",
    "finetune_cost",
    "inference_cost_monthly",
)

#: Read by the power-cap lines, when the scenario sets a cap.
POWER_CAP_READS = ("power_cap_served_share", "site_power_mw", "tokens_per_dollar")


def summary_reads(loaded, kpis, extras: bool, plots: bool):
    """The stored variables the summary after a run reads, or None for "any of them".

    The file's writer keeps these in the page cache and releases the others as they
    are written (:func:`results.store.open_writer`); plots read most variables, so
    with ``--plots`` everything stays cached.
    """
    if plots:
        return None
    names = set(requested_outputs(kpis, extras)) | set(SUMMARY_READS)
    if PER_MILLION[0] in names:
        names.add(PER_MILLION[1])
    if float(loaded.base_values().get("facility.power_cap_mw", 0.0) or 0.0) > 0.0:
        names.update(POWER_CAP_READS)
    return names


def table_outputs(dataset, kpis, extras: bool) -> list[str]:
    """The outputs of the run table and ``--json``, in order.

    Parameters
    ----------
    dataset : xarray.Dataset
        The run; ``token_cost_per_1m`` counts as present with ``token_cost_per_1k``.
    kpis : sequence of str
        ``--kpi`` names; empty for the default set.
    extras : bool
        ``--extras``: add every extra output.

    Returns
    -------
    list of str

    Raises
    ------
    click.ClickException
        A name that is not a stored output: the message suggests the closest and says
        when ``--store all`` would keep it.
    """
    names = requested_outputs(kpis, extras)
    present = set(dataset.data_vars)
    if PER_MILLION[1] in present:
        present.add(PER_MILLION[0])
    for name in names:
        if name in present:
            continue
        from scenarios.errors import did_you_mean

        if name in col.OUTPUT_INDEX:
            raise click.ClickException(
                f"--kpi {name}: not stored by --store standard; rerun with --store all"
            )
        known = [str(v) for v in dataset.data_vars]
        raise click.ClickException(
            f"--kpi {name}: not an output of the run{did_you_mean(name, known)}"
        )
    return [name for name in names if name in present]
