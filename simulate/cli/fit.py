"""``tco fit``: fit distribution families to a CSV column and print a scenario snippet.

Register it on the main group with ``main.add_command(fit_command)``. Every
bad input becomes :class:`click.ClickException` with the library's message
intact, so no Python traceback reaches the user.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import click

from results.atomic import atomic_path
from results.human import human, human_percent

__all__ = ["fit_command"]


@click.command("fit", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("data", metavar="DATA.csv", type=click.Path(path_type=Path))
@click.option("-c", "--column", required=True, help="Header name of the column to fit.")
@click.option(
    "--families",
    metavar="LIST",
    default=None,
    help="Comma-separated families to try (default: normal,lognormal,gamma,beta,uniform,"
    "triangular,pert,empirical).",
)
@click.option(
    "--key",
    metavar="SECTION.NAME",
    default=None,
    help="Scenario key for the snippet, e.g. power.spot_price_usd_per_mwh "
    "(default: the column name).",
)
@click.option(
    "--units",
    default=None,
    help="Units of the data for the QQ plot labels (default: the key's unit in the "
    "scenario schema, if known).",
)
@click.option(
    "--qq",
    "qq_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a QQ plot of the winner to this .png, .svg or .pdf file.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the snippet to this file.",
)
def fit_command(data, column, families, key, units, qq_path, output):
    """Fit distributions to one column of DATA.csv and print the best as TOML.

    DATA.csv needs a header row. Families are fitted by maximum likelihood and
    ranked by AIC (lower is better); the KS statistic and p-value are shown
    beside it (the p-value is optimistic, as the parameters come from the same
    data). The winner is printed as a line to paste into a scenario file.
    """
    try:
        _run(data, column, families, key, units, qq_path, output)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or ''}: {exc.strerror or exc}") from None


def _run(data, column, families, key, units, qq_path, output):
    from distributions.fit import best, fit_candidates
    from distributions.fit_data import read_column
    from distributions.fit_report import format_table, snippet
    from results.figures import FIGURE_FORMATS

    # Check the output paths before the work, not after the table is printed.
    if qq_path is not None and qq_path.suffix.lower() not in FIGURE_FORMATS:
        raise ValueError(
            f"{qq_path}: unsupported figure format '{qq_path.suffix}'; use one of "
            f"{', '.join(FIGURE_FORMATS)}"
        )
    for path in (qq_path, output):
        if path is not None and not path.parent.is_dir():
            raise ValueError(f"{path}: directory {path.parent} does not exist; create it first")

    values = read_column(data, column)
    results = fit_candidates(values, families)
    click.echo(f"{data}: column '{column}', n = {values.size}")
    click.echo(format_table(results))
    winner = best(results)
    text = snippet(winner, key or column, source=f"{data}:{column}")
    click.echo("")
    click.echo(f"Best fit: {winner.family}")
    click.echo(text.rstrip("\n"))

    field = _schema_field(key) if key else None
    if field is not None:
        units = units if units is not None else field.unit
        _check_domain(winner, key, field)

    if output is not None:
        _write_text(output, text)
        click.echo(f"wrote {output}", err=True)
    if qq_path is not None:
        from results.figures import save_figure
        from results.qq import qq_plot

        ax = qq_plot(values, winner.distribution, units=units, title=key or column)
        save_figure(ax.figure, qq_path)
        click.echo(f"wrote {qq_path}", err=True)


def _schema_field(key: str):
    """The schema entry for ``key``, or None (after a hint if it looks like a typo)."""
    from scenarios.schema import FIELDS_BY_PATH

    if key in FIELDS_BY_PATH:
        return FIELDS_BY_PATH[key]
    if "." in key:
        close = difflib.get_close_matches(key, list(FIELDS_BY_PATH), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        click.echo(f"note: '{key}' is not a numeric scenario key{hint}", err=True)
    return None


def _check_domain(winner, key, field) -> None:
    # A good fit can still put some probability where the model rejects the
    # value (a normal fitted to prices goes below 0); say how much.
    d = winner.distribution
    lo, hi = d.support()
    parts = []
    if lo < field.lower:
        parts.append(f"{human_percent(d.cdf(field.lower))} below {human(field.lower, field.unit)}")
    if hi > field.upper:
        parts.append(
            f"{human_percent(1.0 - d.cdf(field.upper))} above {human(field.upper, field.unit)}"
        )
    if parts:
        click.echo(
            f"warning: {key} must lie in {field.domain()}, but the fitted {d.family} puts "
            f"probability {' and '.join(parts)}; consider a family with that support "
            "(--families)",
            err=True,
        )


def _write_text(path: Path, text: str) -> None:
    # Temporary file beside the target, then an atomic rename: a failed write
    # never leaves a truncated snippet under the final name.
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
