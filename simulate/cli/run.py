"""``tco run``: the Monte Carlo simulation from the command line."""

from __future__ import annotations

import contextlib
import json
import sys
import time

import click
import numpy as np

from results.summary import infeasible_counts
from simulate.cli.options import (
    confidence_option,
    dask_options,
    design_option,
    enter_executor,
    json_option,
    samples_option,
    scenario_argument,
    seed_option,
)
from simulate.cli.plot import plots_option, write_standard_plots
from simulate.model import columns as col

STREAMING_SUMMARY_SAMPLES = 2**26  # above this, summaries stream over the file's chunks
FLAG_CHUNK = 2**22


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
        except KeyboardInterrupt:
            reporter.close()
            click.echo("\nInterrupted: no result file was written.", err=True)
            sys.exit(130)
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


def parse_percentiles(text: str) -> tuple[float, ...]:
    """Parse ``"5,50,95"`` into percentiles in (0, 100)."""
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r}: give comma-separated numbers, e.g. 5,50,95") from None
    if not values or any(not 0 < v < 100 for v in values):
        raise click.BadParameter(f"{text!r}: percentiles must lie in (0, 100), e.g. 5,50,95")
    return values


# One definition of the per-reason counts, shared with reports and exports.
flag_counts = infeasible_counts


def chunked_flag_counts(flags) -> dict[str, int]:
    """:func:`flag_counts` of a (possibly lazily loaded) ``infeasible`` variable, in chunks."""
    total: dict[str, int] = {}
    for start in range(0, flags.shape[0], FLAG_CHUNK):
        part = flag_counts(np.asarray(flags[start : start + FLAG_CHUNK].values))
        total = {key: total.get(key, 0) + value for key, value in part.items()}
    return total or flag_counts(np.zeros(0, dtype=np.int64))


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
    "--format",
    "fmt",
    type=click.Choice(["netcdf", "zarr"]),
    default=None,
    help="Storage format (default: from the output's suffix).",
)
@click.option(
    "--store",
    type=click.Choice(["standard", "all"]),
    default="standard",
    show_default=True,
    help="Per-sample outputs kept: KPIs, factors and extras, or every output.",
)
@click.option(
    "--precision",
    type=click.Choice(["float64", "float32"]),
    default="float64",
    show_default=True,
    help="Storage type of per-sample values.",
)
@click.option(
    "--percentiles", default="5,50,95", show_default=True, help="Percentiles in the summary."
)
@confidence_option
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="Numba threads (default: all cores). Results do not depend on it.",
)
@dask_options
@plots_option
@json_option("the summary")
def run_command(
    scenario,
    n,
    seed,
    design,
    overrides,
    output,
    no_save,
    fmt,
    store,
    precision,
    percentiles,
    confidence,
    threads,
    scheduler,
    dask_workers,
    plots_dir,
    as_json,
):
    """Monte Carlo: sample the uncertain factors (levers at base), summarise every KPI.

    Prints mean, standard deviation and percentiles with confidence intervals and the
    share of infeasible samples by reason, and writes the per-sample dataset.
    """
    import numba

    from results.summary import summarize, summarize_chunked
    from results.table import format_summary
    from scenarios.errors import ScenarioError
    from scenarios.loader import load_scenario
    from simulate.engine.montecarlo import run

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
        seed = int(np.random.SeedSequence().entropy)
    if output is None and not no_save:
        output = f"{loaded.name}-n{n}-seed{seed}.nc"
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
            progress=reporter,
            executor=executor,
        )
    elapsed = time.monotonic() - start
    names = [*col.KPI_NAMES, "tco_index", *col.FACTOR_NAMES]
    if n > STREAMING_SUMMARY_SAMPLES:
        # Too big to hold a column in memory: statistics in passes over the stored chunks.
        summary = summarize_chunked(dataset, names, percentile_values, confidence)
    else:
        summary = summarize(dataset, names, percentile_values, confidence)
    counts = chunked_flag_counts(dataset["infeasible"])
    if plots_dir is not None:
        write_standard_plots(dataset, plots_dir, err=as_json)
    if as_json:
        payload = {
            "scenario": loaded.name,
            "n": n,
            "seed": seed,
            "design": design,
            "output": None if no_save else str(output),
            "seconds": elapsed,
            "confidence": confidence,
            "infeasible": counts,
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
        f"Scenario {loaded.name}: {n:,} samples, design {design}, seed {seed} "
        f"({elapsed:.1f} s, {n / elapsed:,.0f} samples/s); levers at base, factors sampled"
    )
    click.echo(format_summary(summary, counts, n))
    click.echo(dataset.attrs["tco_index_definition"])
    if not no_save:
        click.echo(f"Wrote {output} (open with xarray.open_dataset)")
