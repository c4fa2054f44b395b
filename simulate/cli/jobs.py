"""What every long ``tco`` job shares: its executor, a progress line, clean failures."""

from __future__ import annotations

import contextlib
import sys
import time

import click

from simulate.cli.options import enter_executor
from simulate.cli.signals import INTERRUPTED_STATUS
from simulate.engine.interrupt import InterruptedAfterSave


@contextlib.contextmanager
def saved_result(path):
    """After a result was saved: Ctrl-C or SIGTERM says the file is complete, exits 130.

    Parameters
    ----------
    path : str or Path or None
        The saved result (None: nothing was saved; interrupts pass through).
    """
    try:
        yield
    except KeyboardInterrupt:
        if path is None:
            raise
        click.echo(
            f"\nInterrupted: {path} is complete and saved (the summary was not printed; "
            f"`tco report {path}` shows it).",
            err=True,
        )
        sys.exit(INTERRUPTED_STATUS)


@contextlib.contextmanager
def reported_job(scheduler: str | None = None, dask_workers: int | None = None):
    """A long job's executor and progress line, with failures turned into CLI messages.

    Ctrl-C closes the progress line, says that no result file was written (the
    writers delete their temporary output) and exits with status 130; a
    ``ValueError``, ``OSError`` or ``RuntimeError`` (a lost Dask cluster) becomes a
    ``click.ClickException`` with its message, without a traceback. A local Dask
    cluster started for the job is shut down when it ends.

    Parameters
    ----------
    scheduler, dask_workers
        ``--scheduler`` / ``--dask-workers`` (see :func:`enter_executor`).

    Yields
    ------
    executor : simulate.engine.distributed.DaskExecutor or None
        Where to run the chunks (None: here, on the Numba threads).
    reporter : ProgressReporter
        The progress callback; closed however the job ends.
    """
    with contextlib.ExitStack() as stack:
        executor = enter_executor(stack, scheduler, dask_workers)
        reporter = ProgressReporter()
        try:
            yield executor, reporter
        except InterruptedAfterSave as interrupted:
            reporter.close()
            click.echo(
                f"\nInterrupted: {interrupted.path} is complete and saved (the summary was "
                f"not printed; `tco report {interrupted.path}` shows it).",
                err=True,
            )
            sys.exit(INTERRUPTED_STATUS)
        except KeyboardInterrupt:
            reporter.close()
            click.echo("\nInterrupted: no result file was written.", err=True)
            sys.exit(INTERRUPTED_STATUS)
        except (ValueError, OSError, RuntimeError) as exc:
            reporter.close()
            raise click.ClickException(str(exc)) from None
        reporter.close()


class ProgressReporter:
    """A progress line with rate and ETA on stderr, shown only for runs over ~2 s.

    On a terminal the line is rewritten in place; otherwise a line is printed at
    every tenth of the run, so logs stay readable.
    """

    def __init__(self, stream=None, min_seconds: float = 2.0):
        self.stream = stream or sys.stderr
        self.min_seconds = min_seconds
        self.start = time.monotonic()
        self.shown = False
        self.last_decile = -1
        self.tty = getattr(self.stream, "isatty", lambda: False)()

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.start
        rate = done / elapsed if elapsed > 0 else float("inf")
        eta = (total - done) / rate if rate > 0 else 0.0
        if not self.shown and elapsed + eta < self.min_seconds:
            return
        self.shown = True
        text = (
            f"{done / total:6.1%}  {done:,}/{total:,} samples  {rate:,.0f} samples/s  "
            f"ETA {eta:,.0f} s"
        )
        if self.tty:
            self.stream.write("\r" + text)
        else:
            decile = int(10 * done / total)
            if decile == self.last_decile:
                return
            self.last_decile = decile
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the progress line."""
        if self.shown and self.tty:
            self.stream.write("\n")
            self.stream.flush()


class DurationGuard:
    """A progress callback that stops a run the measured rate says would take too long.

    After :attr:`measure_seconds` past a run's first chunk, its rate since that chunk
    predicts the total time (the first chunk carries start-up and compilation);
    above :attr:`limit_seconds` the run is stopped with a ``ValueError`` (its
    temporary file is deleted) asking for ``--allow-large``. A ``-n`` with a few zeros
    too many is caught in seconds instead of days.

    Parameters
    ----------
    progress : callable(done, total)
        The callback to pass progress on to.
    limit_seconds : float
        Longest predicted run accepted without the flag, seconds (default 2 hours).
    measure_seconds : float
        Run time before the prediction is trusted, seconds.
    """

    def __init__(self, progress, limit_seconds: float = 7200.0, measure_seconds: float = 3.0):
        self.progress = progress
        self.limit_seconds = limit_seconds
        self.measure_seconds = measure_seconds
        self.start = time.monotonic()
        self.first = None  # (time, samples) when the first chunk was done
        self.checked = False

    def __call__(self, done: int, total: int) -> None:
        self.progress(done, total)
        now = time.monotonic()
        if self.checked or done <= 0:
            return
        # The rate is measured from the first chunk on: the first one also carries the
        # start-up and a cold start's compilation, which made a 50M run look like hours.
        if self.first is None:
            self.first = (now, done)
            return
        since, first_done = self.first
        if now - since < self.measure_seconds or done <= first_done:
            return
        self.checked = True
        rate = (done - first_done) / max(now - since, 1e-9)
        predicted = (now - self.start) + (total - done) / rate
        if predicted > self.limit_seconds:
            raise ValueError(
                f"at the {rate:,.0f} samples/s measured so far, {total:,} samples "
                f"would take about {predicted / 3600:,.1f} hours; stopped (nothing was kept). "
                "Lower -n, or pass --allow-large to go ahead"
            )


def command_started() -> float:
    """``time.monotonic()`` when this ``tco`` command began (see :func:`simulate.cli.take_start`).

    Returns
    -------
    float
        The process's start for the first command of a process, the command's own start
        for later ones in the same process (tests, notebooks).
    """
    ctx = click.get_current_context(silent=True)
    if ctx is not None and "lifecycle_tco_started" in ctx.find_root().meta:
        return ctx.find_root().meta["lifecycle_tco_started"]
    import simulate.cli as cli

    return cli.STARTED


def parse_percentiles(text: str) -> tuple[float, ...]:
    """Parse ``"5,50,95"`` into percentiles in (0, 100)."""
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r}: give comma-separated numbers, e.g. 5,50,95") from None
    if not values or any(not 0 < v < 100 for v in values):
        raise click.BadParameter(f"{text!r}: percentiles must lie in (0, 100), e.g. 5,50,95")
    return values


def write_result(ds, output: str | None, plot_path: str | None = None, draw=None) -> None:
    """Write a result's dataset and figure, each atomically; failures become CLI errors.

    Parameters
    ----------
    ds : xarray.Dataset
        The result.
    output : str or None
        NetCDF file to write (None: none).
    plot_path : str or None
        Figure file (.png, .svg or .pdf; None: none).
    draw : callable(xarray.Dataset) -> matplotlib.axes.Axes, optional
        Draws the figure (needed with ``plot_path``).

    Raises
    ------
    click.ClickException
        If ``output`` holds a different run and ``--overwrite`` was not given
        (:func:`simulate.cli.targets.check_target`).
    """
    from simulate.cli.targets import check_target

    check_target(output, ds.attrs)
    try:
        if output is not None:
            from results.store import save_netcdf

            save_netcdf(ds, output)
        if plot_path is not None:
            from results.figures import save_figure

            save_figure(draw(ds).figure, plot_path)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot write the result: {exc}") from None


def stops_cleanly(command):
    """Make Ctrl-C end a command with status 130 and a line saying nothing was written.

    For the decision commands, which write their dataset and figure only at the end
    (atomically, :func:`write_result`), so an interrupted search leaves no file.
    """
    import functools

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:
            click.echo("\nInterrupted: no result file was written.", err=True)
            sys.exit(130)

    return wrapper
