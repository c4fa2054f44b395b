"""``tco export``: a result's summary table (and optionally its samples) as CSV or Parquet.

The main CLI registers :data:`export_command` with ``main.add_command``.
"""

from __future__ import annotations

import click

from simulate.cli.options import confidence_option

# Above this many cells a per-sample export is slow and large: say so before writing.
LARGE_EXPORT_CELLS = 20_000_000


@click.command("export")
@click.argument("result", metavar="RESULT")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    required=True,
    help="Summary table: *.csv, or *.parquet (needs pyarrow). Format from the suffix.",
)
@click.option(
    "--samples",
    "samples_path",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Also write every per-sample column of a run to FILE (*.csv or *.parquet; large).",
)
@click.option(
    "--by-month",
    "monthly_path",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Also write a table by month to FILE: a platform's chargeback per workload, tier "
    "and the platform, or a run's monthly cash flows (a run stored with --store yearly).",
)
@click.option(
    "--percentiles", default="5,50,95", show_default=True, help="Percentiles of a run's summary."
)
@confidence_option
def export_command(result, output, samples_path, monthly_path, percentiles, confidence):
    """Export a RESULT's table for spreadsheets: CSV, or Parquet if pyarrow is installed.

    A run gives one row per output (unit, mean, std, percentiles, each with its
    confidence bounds as separate columns, valid samples, infeasible share); Sobol
    indices one row per KPI and parameter (S1, ST with bounds, rank); a tornado one row
    per KPI and input (settings and KPI at both ends, swing); a comparison one row per
    KPI; a break-even, optimisation, Pareto or EVPI result one row per swept value, plan or
    factor; a platform one row per workload, tier and the platform, with its cost by year.
    """
    from results.export import samples_table, summary_table, table_format, write_table
    from simulate.cli.jobs import parse_percentiles
    from simulate.cli.report import open_results

    percentile_values = parse_percentiles(percentiles)
    try:
        for path in filter(None, (output, samples_path, monthly_path)):
            table_format(path)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    (opened,) = open_results([result], reported_only=False)
    ds = opened.dataset
    try:
        if samples_path is not None and opened.kind != "run":
            raise click.ClickException(
                f"{result}: --samples needs a Monte Carlo run; this is a {opened.kind} result"
            )
        table = summary_table(ds, percentile_values, confidence, where=result)
        samples = None
        if samples_path is not None:
            cells = ds.sizes["sample"] * len(ds.data_vars)
            if cells > LARGE_EXPORT_CELLS:
                click.echo(
                    f"Warning: {ds.sizes['sample']:,} samples x {len(ds.data_vars)} columns "
                    f"({cells:,} values) is large; Parquet is smaller and faster than CSV",
                    err=True,
                )
            # Read before anything is written: a damaged column (results.integrity) then
            # leaves no summary behind from the same file.
            samples = samples_table(ds)
        monthly = None if monthly_path is None else _monthly_table(ds, opened.kind, result)
        write_table(table, output)
        click.echo(f"Wrote {output}: {len(table):,} rows x {len(table.columns)} columns")
        if samples is not None:
            write_table(samples, samples_path)
            click.echo(
                f"Wrote {samples_path}: {len(samples):,} rows x {len(samples.columns)} columns"
            )
        if monthly is not None:
            write_table(monthly, monthly_path)
            click.echo(
                f"Wrote {monthly_path}: {len(monthly):,} rows x {len(monthly.columns)} columns"
            )
    except (ValueError, OSError, ImportError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        ds.close()


def _monthly_table(ds, kind: str, where: str):
    """The table ``--by-month`` writes: a platform's chargeback or a run's cash flows."""
    if kind == "platform":
        from results.chargeback import chargeback_monthly

        return chargeback_monthly(ds)
    if kind == "run":
        from results.years import monthly_cash_flow_table

        return monthly_cash_flow_table(ds)
    raise click.ClickException(
        f"{where}: --by-month needs a platform result or a run; this is a {kind} result"
    )
