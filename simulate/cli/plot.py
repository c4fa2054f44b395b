"""``tco plot`` and the ``--plots DIR`` option every result-producing command takes."""

from __future__ import annotations

from pathlib import Path

import click

from results.plot_sets import DEFAULT_KPI, PLOT_KINDS


def plots_option(func):
    """``--plots DIR``: write the result's standard plots (PNG) into DIR."""
    return click.option(
        "--plots",
        "plots_dir",
        type=click.Path(file_okay=False),
        default=None,
        help="Also write the standard plots of the result as PNG files into this folder "
        "(created if missing).",
    )(func)


def write_standard_plots(ds, folder, kpis=None, err: bool = False) -> None:
    """Write the standard plots of ``ds`` into ``folder`` and list them on stderr.

    Parameters
    ----------
    ds : xarray.Dataset
        A result of ``tco run``, ``compare``, ``sobol`` or ``tornado``.
    folder : str
        The ``--plots`` folder.
    kpis : sequence of str, optional
        KPIs to draw (default: all the result holds).
    err : bool
        List the files on stderr (when stdout carries JSON).

    Raises
    ------
    click.ClickException
        If a plot cannot be drawn or written (the message names the folder).
    """
    from results.plot_sets import write_plots

    try:
        written = write_plots(ds, folder, kpis=kpis)
    except (ValueError, OSError) as exc:
        raise click.ClickException(f"--plots {folder}: {exc}") from None
    click.echo(
        f"Wrote {len(written)} plots to {folder}: " + ", ".join(p.name for p in written), err=err
    )


def _open(path: str):
    from simulate.cli.report import open_checked

    if not Path(path).exists():
        raise click.ClickException(f"{path}: no such result file")
    return open_checked(path)


@click.command("plot")
@click.argument("results", nargs=-1, required=True, metavar="RESULT...")
@click.option(
    "--kind",
    "plot",
    type=click.Choice(list(PLOT_KINDS)),
    default=None,
    help="Plot to draw: "
    + "; ".join(f"{name}: {text}" for name, (_, text) in PLOT_KINDS.items())
    + ". Default: the first that fits the result (distribution, sobol or tornado).",
)
@click.option(
    "--kpi",
    default=DEFAULT_KPI,
    show_default=True,
    help="KPI (or any per-sample variable, for distribution) to draw.",
)
@click.option("--top", type=click.IntRange(min=1), default=None, help="Draw only the top N inputs.")
@click.option(
    "--sobol",
    "sobol_path",
    type=click.Path(dir_okay=True),
    default=None,
    help="Sobol result: scatter against the input of largest ST instead of largest |rho|.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Figure file (.png, .svg or .pdf). Default: RESULT-KIND-KPI.png in the current folder.",
)
def plot_command(results, plot, kpi, top, sobol_path, output):
    """Draw one plot of result files written by tco run, compare, sobol or tornado.

    Several RESULT files are overlaid in a distribution plot.
    """
    from results.figures import save_figure
    from results.plot_sets import draw, plot_file_name, result_kind

    datasets, sobol = [], None
    try:
        for path in results:
            datasets.append(_open(path))
        if plot is None:
            plot = {"run": "distribution", "compare": "distribution"}.get(
                result_kind(datasets[0]), result_kind(datasets[0])
            )
        sobol = _open(sobol_path) if sobol_path else None
        if output is None:
            output = f"{Path(results[0]).stem}-{plot_file_name(plot, kpi)}"
        ax = draw(plot, datasets, kpi=kpi, top=top, sobol=sobol)
        save_figure(ax.figure, output)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        for ds in [*datasets, *([sobol] if sobol is not None else [])]:
            ds.close()
    click.echo(f"Wrote {output}")
