"""Options shared by the ``tco`` commands (one definition, one help text)."""

from __future__ import annotations

import functools

import click

SET_HELP = (
    "Override an input: KEY.PATH=VALUE (TOML value; bare words are strings). Repeatable, "
    "e.g. --set power.hedge_share=0.8 --set hardware.accelerator=B200 --set "
    "'facility.pue={dist=\"pert\", low=1.1, mode=1.2, high=1.4}'."
)


def scenario_argument(func):
    """The optional SCENARIO argument (a TOML file or a built-in name) and ``--set``."""
    func = click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP)(
        func
    )
    return click.argument("scenario", required=False, metavar="[SCENARIO]")(func)


def confidence_option(func):
    """``--confidence``: the level of every interval a command prints."""
    return click.option(
        "--confidence",
        type=click.FloatRange(0, 1, min_open=True, max_open=True),
        default=0.95,
        show_default=True,
        help="Confidence level of the intervals.",
    )(func)


def json_option(what: str):
    """``--json``: print one JSON object (``what``) instead of tables."""
    return click.option("--json", "as_json", is_flag=True, help=f"Print {what} as JSON.")


def dask_options(func):
    """``--scheduler`` / ``--dask-workers``: run the chunks as tasks on a Dask cluster."""
    func = click.option(
        "--dask-workers",
        "dask_workers",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help="Run on a local Dask cluster of N single-threaded worker processes "
        "(needs the dask extra). Same results as without.",
    )(func)
    return click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Run the chunks as tasks on this Dask scheduler (tcp://host:8786, or a "
        "scheduler file *.json; needs the dask extra). Same results as without.",
    )(func)


def enter_executor(stack, scheduler: str | None, dask_workers: int | None):
    """The Dask executor the options ask for (closed with ``stack``), or None.

    Parameters
    ----------
    stack : contextlib.ExitStack
        Owns the client (and the local cluster) until the command ends.
    scheduler : str or None
        ``--scheduler``.
    dask_workers : int or None
        ``--dask-workers``.

    Returns
    -------
    simulate.engine.distributed.DaskExecutor or None
        None when neither option is given.
    """
    if scheduler is None and dask_workers is None:
        return None
    if scheduler is not None and dask_workers is not None:
        raise click.UsageError("give --scheduler or --dask-workers, not both")
    from simulate.engine.distributed import dask_executor

    try:
        return stack.enter_context(dask_executor(scheduler, dask_workers))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


DEFAULT_N = 100_000  # samples of tco run and per scenario of tco compare


def samples_option(help_text: str):
    """``-n``: samples of a Monte Carlo run (default :data:`DEFAULT_N`)."""
    return click.option(
        "-n", "n", type=click.IntRange(min=1), default=DEFAULT_N, show_default=True, help=help_text
    )


def seed_option(what: str):
    """``--seed``: the root seed; by default fresh entropy, printed so ``what`` can be repeated."""
    return click.option(
        "--seed",
        type=click.IntRange(min=0),
        default=None,
        help=f"Root seed (default: fresh entropy, printed so the {what} can be repeated).",
    )


def design_option(help_text: str):
    """``--design``: the unit-cube design (mc, lhs or sobol)."""
    return click.option(
        "--design",
        type=click.Choice(["mc", "lhs", "sobol"]),
        default="mc",
        show_default=True,
        help=help_text,
    )


def domain_errors(func):
    """Turn a bad-scenario error from the library into a clean click error."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from scenarios.errors import ScenarioError

        try:
            return func(*args, **kwargs)
        except ScenarioError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def plan_samples_option(default: int, minimum: int, help_text: str):
    """``-n``: samples of a decision command (its own default and floor)."""
    return click.option(
        "-n",
        "n",
        type=click.IntRange(min=minimum),
        default=default,
        show_default=True,
        help=help_text,
    )


def fixed_seed_option(func):
    """``--seed``: a decision command's seed, 0 by default so an analysis repeats."""
    return click.option(
        "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed."
    )(func)


def dataset_output_option(func):
    """``-o``: write a decision command's dataset to a NetCDF file (atomically)."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False),
        default=None,
        help="Write the dataset (.nc).",
    )(func)


def figure_option(what: str):
    """``--plot FILE``: draw ``what`` to a .png, .svg or .pdf file."""
    return click.option(
        "--plot",
        "plot_path",
        type=click.Path(dir_okay=False),
        default=None,
        help=f"Draw {what} (.png, .svg or .pdf).",
    )


def decision_number(value, missing: str = "n/a", unit: str = "", name: str | None = None) -> str:
    """A decision result's figure for a table: 4 significant digits, or thousands grouped.

    Parameters
    ----------
    value : float
        The figure, in its unit.
    missing : str
        Shown for NaN/inf (e.g. "outside the swept range", "inadmissible").
    unit : str
        Its unit: money as $1.2M, shares as %, counts with k/M/B (:func:`results.human.human`).
    name : str, optional
        The quantity's name (shares print as percentages).
    """
    import math

    from results.human import human, trim_zeros

    if value is None or not math.isfinite(value):
        return missing
    return trim_zeros(human(float(value), unit, name=name, digits=4))


def setting_text(value, unit: str = "", name: str | None = None) -> str:
    """A lever setting as text: a choice name as is, a number in human units (no exponent)."""
    from results.human import human_setting

    return human_setting(value, unit, name, digits=4)


def _set_strict(ctx, _param, value):
    if value:
        from scenarios.plausibility import strict

        token = strict.set(True)
        # Undone when the command ends, so one strict call does not leak into the next
        # (tests and notebooks run many commands in one process).
        ctx.find_root().call_on_close(lambda: strict.reset(token))
    return value


def strict_option(command):
    """``--strict``: implausible scenario values (a PUE of 135) are errors, not warnings."""
    return click.option(
        "--strict",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_strict,
        help="Refuse values outside what real deployments see instead of warning.",
    )(command)


def show_plausibility_warnings() -> None:
    """Print plausibility warnings as one ``Warning: ...`` line each on stderr."""
    import warnings

    from scenarios.plausibility import PlausibilityWarning

    previous = warnings.showwarning
    if getattr(previous, "prints_plausibility", False):
        previous = previous.wrapped  # installed by an earlier command in this process

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, PlausibilityWarning):
            click.echo(f"Warning: {message}", err=True)
        else:
            previous(message, category, filename, lineno, file, line)

    # Each command in one process (tests, notebooks, a fuzz campaign) installs it again:
    # wrapping the previous printer each time made a chain one call deeper per command,
    # and after about a thousand commands any other warning raised RecursionError.
    show.prints_plausibility = True
    show.wrapped = previous
    warnings.showwarning = show
    # Shown once per message, whatever filters the caller set (a test's "error").
    warnings.filterwarnings("default", category=PlausibilityWarning)


def parse_range(text: str | None, example: str = "1e5:1e8") -> tuple[float, float] | None:
    """``--range LO:HI`` as two numbers (None when not given).

    Raises
    ------
    click.ClickException
        If the text is not two numbers separated by a colon.
    """
    if text is None:
        return None
    try:
        low, high = (float(part) for part in text.split(":"))
    except ValueError:
        raise click.ClickException(
            f"--range {text!r}: expected LO:HI with two numbers, e.g. --range {example}"
        ) from None
    return low, high
