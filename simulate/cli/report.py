"""``tco report``: one self-contained HTML file from run, Sobol and tornado results.

The main CLI registers :data:`report_command` with ``main.add_command``.
"""

from __future__ import annotations

import click

from simulate.cli.options import confidence_option


def open_results(paths, reported_only: bool = True):
    """Open result files and label each with its kind.

    Parameters
    ----------
    paths : sequence of str
        Result files (``.nc``) or Zarr stores (``.zarr``).
    reported_only : bool
        Accept only the kinds ``tco report`` can show.

    Returns
    -------
    list of results.report.Result
        In the given order.

    Raises
    ------
    click.ClickException
        If a file cannot be opened, is damaged (:mod:`results.integrity`) or is of no
        known kind.
    """
    from results.report import as_results

    named = []
    try:
        for path in paths:
            named.append((str(path), open_checked(path)))
        try:
            return as_results(named, reported_only)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    except BaseException:
        # Refused: close the files opened before the one that failed.
        for _, ds in named:
            ds.close()
        raise


def open_checked(path):
    """Open one result file for a command, refusing a damaged one in a single line.

    Parameters
    ----------
    path : str
        A result file (``.nc``) or Zarr store (``.zarr``).

    Returns
    -------
    xarray.Dataset
        Opened lazily by :func:`results.store.open_result`; reads verify checksums.

    Raises
    ------
    click.ClickException
        If it does not exist, cannot be opened, or is damaged (the message of
        :class:`results.integrity.DamagedResultError` names the file and the fix).
    """
    from results.integrity import DamagedResultError
    from results.store import open_result

    try:
        return open_result(path)
    except DamagedResultError as exc:
        raise click.ClickException(str(exc)) from None
    except FileNotFoundError:
        raise click.ClickException(f"{path}: cannot open the result: no such file") from None
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{path}: cannot open the result: {exc}") from None


@click.command("report")
@click.argument("results", nargs=-1, required=True, metavar="RESULT...")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    required=True,
    help="The HTML file to write (replaced if it exists).",
)
@click.option(
    "--percentiles", default="5,50,95", show_default=True, help="Percentiles in run summaries."
)
@confidence_option
@click.option("--title", default=None, help="Document title (default: from the scenario names).")
def report_command(results, output, percentiles, confidence, title):
    """Write one self-contained HTML report of RESULT files (run, Sobol, tornado).

    The report holds the scenario and its assumptions with sources, the summary
    table with confidence intervals, infeasible shares, distribution plots, the
    Sobol ranking and the tornado (or the commands that make them), and the
    provenance of every result. Figures are embedded; the file opens offline.
    """
    from results.report import build_report, write_report
    from results.report.document import scenario_mismatch
    from simulate.cli.jobs import parse_percentiles

    percentile_values = parse_percentiles(percentiles)
    opened = open_results(results)
    mismatch = scenario_mismatch(opened)
    if mismatch:
        click.echo(f"Warning: {mismatch}", err=True)
    try:
        document = build_report(opened, percentile_values, confidence, title)
        write_report(document, output)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        for result in opened:
            result.dataset.close()
    kinds = ", ".join(f"{r.name} ({r.kind})" for r in opened)
    click.echo(f"Wrote {output} ({len(document) / 1e6:.1f} MB) from {kinds}")
