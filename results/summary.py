"""Summary statistics of per-sample results, each with a confidence interval.

- mean: ``x_bar +- z s / sqrt(n)`` (central limit theorem);
- standard deviation: ``s +- z SE(s)`` with ``SE(s) = sqrt((m4 - s^4) / n) / (2 s)``,
  the delta-method large-sample error that holds for non-normal data (``m4`` the
  fourth central moment);
- percentile ``q``: the sample quantile (linear interpolation, NumPy's default)
  and a distribution-free interval between the order statistics of ranks
  ``n q -+ z sqrt(n q (1 - q))`` (the binomial normal approximation; e.g.
  Hahn & Meeker, *Statistical Intervals*, 1991, ch. 5).

They are exact on the stored samples: percentiles are taken from the full column
(``numpy.partition``, one variable in memory at a time), not from a sketch. The
intervals assume independent samples; Latin hypercube and Sobol designs are
usually more precise than that, so their intervals are conservative.
Samples whose value is NaN (structurally infeasible) are left out and counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from statistics import NormalDist

import numpy as np

from results.moments import centred_sums, finite_values, select_ranks
from results.quantiles import DEFAULT_BINS, DEFAULT_MAX_COLLECT, order_statistics
from simulate.model import columns as col

DEFAULT_PERCENTILES = (5.0, 50.0, 95.0)
STREAM_CHUNK_ROWS = 2**20
# Above this many samples a variable is not loaded whole: statistics stream over chunks.
STREAMING_SUMMARY_SAMPLES = 2**26
FLAG_CHUNK_ROWS = 2**22
BOUNDS = ("estimate", "lower", "upper")


def two_sided_z(confidence: float) -> float:
    """The standard normal quantile of a two-sided interval, ``Phi^-1(1/2 + confidence/2)``.

    From the standard library (Wichura's AS 241, exact to a few ulp), so summaries
    do not import scipy.stats, which costs most of a second at start-up.

    Parameters
    ----------
    confidence : float
        Confidence level in (0, 1).

    Returns
    -------
    float
        ``z``, e.g. 1.95996 for 0.95.
    """
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def statistic_names(percentiles: Sequence[float]) -> list[str]:
    """Names of the statistics: ``mean``, ``std`` and ``p5``, ``p50``, ... ."""
    return ["mean", "std", *[f"p{p:g}" for p in percentiles]]


def _check(percentiles: Sequence[float], confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence = {confidence}: must lie in (0, 1), e.g. 0.95")
    for p in percentiles:
        if not 0.0 < p < 100.0:
            raise ValueError(f"percentile {p}: must lie in (0, 100), e.g. 5,50,95")


def _moment_rows(n: int, mean: float, sum_sq: float, sum_4th: float, z: float) -> np.ndarray:
    # Rows mean and std (estimate, lower, upper) from the centred sums of squares and 4th
    # powers: CLT for the mean, delta method for the std.
    var = sum_sq / (n - 1)
    std = np.sqrt(var)
    half = z * std / np.sqrt(n)
    m4 = sum_4th / n
    se_std = np.sqrt(max(m4 - var * var, 0.0) / n) / (2.0 * std) if std > 0 else 0.0
    return np.array(
        [(mean, mean - half, mean + half), (std, max(std - z * se_std, 0.0), std + z * se_std)]
    )


def _percentile_ranks(n: int, percentiles: Sequence[float], z: float):
    # 0-based ranks of the interval ends and of the two order statistics each estimate
    # interpolates between, and the interpolation weights.
    qs = np.asarray(percentiles, dtype=np.float64) / 100.0
    spread = z * np.sqrt(n * qs * (1.0 - qs))
    lower_rank = np.clip(np.floor(n * qs - spread), 0, n - 1).astype(np.int64)
    upper_rank = np.clip(np.ceil(n * qs + spread), 0, n - 1).astype(np.int64)
    position = qs * (n - 1)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, n - 1)
    return lower_rank, upper_rank, below, above, position - below


def _percentile_rows(order_statistic, wanted) -> np.ndarray:
    # Rows (estimate, lower, upper) per percentile; order_statistic(ranks) -> sorted values.
    lower_rank, upper_rank, below, above, weight = wanted
    estimate = order_statistic(below) * (1.0 - weight) + order_statistic(above) * weight
    lower = np.minimum(order_statistic(lower_rank), estimate)
    upper = np.maximum(order_statistic(upper_rank), estimate)
    return np.stack([estimate, lower, upper], axis=1)


def summarize_values(
    values: np.ndarray,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    confidence: float = 0.95,
    buffer: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Statistics of one variable with their confidence intervals.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Per-sample values; NaN entries are left out.
    percentiles : sequence of float
        Percentiles in (0, 100).
    confidence : float
        Confidence level of the intervals, in (0, 1).
    buffer : ndarray, optional
        Scratch storage of the values' dtype, reused across variables
        (:func:`results.moments.finite_values`).

    Returns
    -------
    table : ndarray of float64, shape (2 + len(percentiles), 3)
        Rows: mean, std, then each percentile; columns: estimate, lower, upper.
        NaN when fewer than two valid samples.
    n_valid : int
        Number of finite samples used.
    """
    _check(percentiles, confidence)
    # One compiled copy of the finite values, reordered in place by the selection below.
    data = finite_values(np.asarray(values).ravel(), buffer)
    n = data.size
    table = np.full((2 + len(percentiles), 3), np.nan)
    if n < 2:
        return table, n
    z = two_sided_z(confidence)
    mean = float(data.mean(dtype=np.float64))
    sum_sq, sum_4th = centred_sums(data, mean)
    table[:2] = _moment_rows(n, mean, sum_sq, sum_4th, z)
    wanted = _percentile_ranks(n, percentiles, z)
    ranks = np.unique(np.concatenate(wanted[:4]))
    selected = select_ranks(data, ranks)
    table[2:] = _percentile_rows(lambda at: selected[np.searchsorted(ranks, at)], wanted)
    return table, n


def summarize(
    dataset,
    names: Iterable[str],
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    confidence: float = 0.95,
    streaming: bool | None = None,
):
    """Summaries of several per-sample variables as an xarray Dataset.

    Parameters
    ----------
    dataset : xarray.Dataset
        A run's dataset (dims ``sample``); read one variable at a time.
    names : iterable of str
        Variables to summarise.
    percentiles : sequence of float
        Percentiles in (0, 100).
    confidence : float
        Confidence level of the intervals.
    streaming : bool or None
        Compute in passes over chunks (:func:`summarize_chunked`: the same numbers,
        memory bounded) instead of loading each variable whole. None (default): when
        the run has more than :data:`STREAMING_SUMMARY_SAMPLES` samples, as a run
        larger than memory needs.

    Returns
    -------
    xarray.Dataset
        One variable per name with dims (``statistic``, ``bound``), its ``units``
        and ``n_valid`` in attrs; ``confidence`` and the method in dataset attrs.
    """
    if streaming is None:
        streaming = dataset.sizes["sample"] > STREAMING_SUMMARY_SAMPLES
    if streaming:
        return summarize_chunked(dataset, names, percentiles, confidence)
    results = _summaries_in_threads(dataset, list(names), percentiles, confidence)
    return _as_dataset(
        dataset,
        results,
        percentiles,
        confidence,
        "mean: CLT; std: delta method; percentiles: order-statistic interval",
    )


SUMMARY_THREADS = 2
"""Variables summarised at once: the compiled passes release the GIL, so reading one
column from the file overlaps with the statistics of another."""
THREADED_COLUMN_BYTES = 64 * 2**20
"""Above this size of a column (8M float64 or 16M float32 samples), variables are
summarised one at a time, so a large run's summary holds a single column and scratch
copy in memory; below it, two columns and their copies (at most 256 MiB)."""


def _summaries_in_threads(dataset, names, percentiles, confidence) -> dict:
    """``summarize_values`` of each variable, :data:`SUMMARY_THREADS` at a time.

    Each thread keeps one scratch buffer per dtype, reused for its variables, so memory
    is the threads' buffers plus the columns being read, whatever the number of names.
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    local = threading.local()
    # h5py reads are serialised by its own lock; reading in one thread at a time keeps
    # xarray's backend calls simple.
    read_lock = threading.Lock()

    def one(name):
        with read_lock:
            values = np.asarray(dataset[name].values)
        buffers = getattr(local, "buffers", None)
        if buffers is None:
            buffers = local.buffers = {}
        buffer = buffers.get(values.dtype)
        if buffer is None or buffer.size < values.size:
            buffer = buffers[values.dtype] = np.empty(values.size, dtype=values.dtype)
        return summarize_values(values, percentiles, confidence, buffer)

    # The stored dtype sets the memory: a float32 file's columns are half a float64's.
    itemsize = max((dataset[name].dtype.itemsize for name in names), default=8)
    column_bytes = dataset.sizes["sample"] * itemsize
    if len(names) < 2 or SUMMARY_THREADS < 2 or column_bytes > THREADED_COLUMN_BYTES:
        # Large runs: one column (and one scratch copy) in memory at a time.
        return {name: one(name) for name in names}
    with ThreadPoolExecutor(max_workers=SUMMARY_THREADS) as pool:
        return dict(zip(names, pool.map(one, names), strict=True))


def summarize_chunked(
    dataset,
    names: Iterable[str],
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    confidence: float = 0.95,
    chunk_rows: int = STREAM_CHUNK_ROWS,
    bins: int = DEFAULT_BINS,
    max_collect: int = DEFAULT_MAX_COLLECT,
):
    """:func:`summarize` for runs too large for memory, in passes over stored chunks.

    Pass 1 takes each variable's count, sum, minimum and maximum; pass 2 its
    centred sums of squares and fourth powers (a two-pass variance, stable), and
    the first histogram of :func:`results.quantiles.order_statistics`; later passes
    finish the exact order statistics. Percentiles and their intervals are the
    same numbers :func:`summarize` gives (exact order statistics); mean and
    standard deviation differ from it only by float64 rounding of the sums
    (relative error of order ``passes_of_chunks x 1e-16``).

    Parameters
    ----------
    dataset : xarray.Dataset
        A run's dataset (dims ``sample``), typically opened lazily from a store.
    names : iterable of str
        Variables to summarise.
    percentiles : sequence of float
        Percentiles in (0, 100).
    confidence : float
        Confidence level of the intervals.
    chunk_rows : int
        Samples read per variable at a time (memory: ``8 x chunk_rows`` bytes
        per variable).
    bins, max_collect : int
        Histogram bins per refinement level and most values sorted in memory per
        bin (see :mod:`results.quantiles`).

    Returns
    -------
    xarray.Dataset
        As :func:`summarize`.
    """
    _check(percentiles, confidence)
    if not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise ValueError(f"chunk_rows = {chunk_rows!r}: must be a positive integer")
    names = list(names)
    n_samples = dataset.sizes["sample"]

    def chunks():
        for start in range(0, n_samples, chunk_rows):
            part = dataset[names].isel(sample=slice(start, start + chunk_rows))
            yield {
                name: (values := np.asarray(part[name].values, dtype=np.float64))[
                    np.isfinite(values)
                ]
                for name in names
            }

    count = dict.fromkeys(names, 0)
    total = dict.fromkeys(names, 0.0)
    low = dict.fromkeys(names, np.inf)
    high = dict.fromkeys(names, -np.inf)
    for chunk in chunks():
        for name, values in chunk.items():
            if values.size:
                count[name] += values.size
                total[name] += float(values.sum())
                low[name] = min(low[name], float(values.min()))
                high[name] = max(high[name], float(values.max()))
    z = two_sided_z(confidence)
    mean = {name: total[name] / count[name] if count[name] else np.nan for name in names}
    sums = {name: [0.0, 0.0] for name in names}

    def add_centred_sums(chunk):
        for name, values in chunk.items():
            sum_sq, sum_4th = centred_sums(values, mean[name])
            sums[name][0] += sum_sq
            sums[name][1] += sum_4th

    valid = [name for name in names if count[name] >= 2]
    wanted = {name: _percentile_ranks(count[name], percentiles, z) for name in valid}
    found = order_statistics(
        chunks,
        {name: (count[name], low[name], high[name]) for name in valid},
        {name: np.concatenate(wanted[name][:4]) for name in valid},
        bins=bins,
        max_collect=max_collect,
        first_pass=add_centred_sums,
    )
    results = {}
    for name in names:
        table = np.full((2 + len(percentiles), 3), np.nan)
        if name in wanted:
            table[:2] = _moment_rows(count[name], mean[name], *sums[name], z)
            lookup = np.vectorize(found[name].__getitem__, otypes=[np.float64])
            table[2:] = _percentile_rows(lookup, wanted[name])
        results[name] = (table, count[name])
    return _as_dataset(
        dataset,
        results,
        percentiles,
        confidence,
        "mean: CLT; std: delta method; percentiles: order-statistic interval; computed in "
        "passes over stored chunks (exact order statistics by histogram refinement)",
    )


def scaled_summary(summary, source: str, name: str, factor: float, attrs: dict):
    """The summary with variable ``name``: the statistics of ``factor`` times ``source``.

    Mean, standard deviation, percentiles and every interval bound scale with a
    positive factor, so a variable that is a fixed multiple of another (a cost per 1M
    tokens from the cost per 1k) needs no pass over its samples.

    Parameters
    ----------
    summary : xarray.Dataset
        A :func:`summarize` result holding ``source``.
    source, name : str
        The summarised variable and the new one.
    factor : float
        Positive scale, ``name = factor x source`` sample by sample.
    attrs : dict
        The new variable's ``units`` and ``long_name``; ``n_valid`` is the source's.

    Returns
    -------
    xarray.Dataset
        A new dataset with ``name`` added.
    """
    if not factor > 0.0:
        raise ValueError(f"factor = {factor}: must be positive (a negative one swaps the bounds)")
    scaled = summary[source] * factor
    scaled.attrs = dict(attrs) | {"n_valid": summary[source].attrs["n_valid"]}
    return summary.assign({name: scaled})


def _as_dataset(dataset, results, percentiles, confidence, method):
    import xarray as xr

    out = {}
    for name, (table, n_valid) in results.items():
        attrs = {k: v for k, v in dataset[name].attrs.items() if k in ("units", "long_name")}
        out[name] = xr.DataArray(
            table, dims=("statistic", "bound"), attrs=attrs | {"n_valid": n_valid}
        )
    return xr.Dataset(
        out,
        coords={"statistic": statistic_names(percentiles), "bound": list(BOUNDS)},
        attrs={"confidence": confidence, "method": method},
    )


def infeasible_counts(flags) -> dict[str, int]:
    """Samples per infeasibility reason, plus ``"any"``.

    Parameters
    ----------
    flags : ndarray of int or xarray.DataArray
        The run's ``infeasible`` bit mask (0: feasible); a (lazily loaded) variable
        of a stored run is read in chunks, so a run larger than memory can be counted.

    Returns
    -------
    dict of str to int
        ``"any"`` first, then each reason of :data:`simulate.model.columns.FLAG_REASONS`.
    """
    counts = {"any": 0, **dict.fromkeys(col.FLAG_REASONS.values(), 0)}
    for start in range(0, max(len(flags), 1), FLAG_CHUNK_ROWS):
        part = flags[start : start + FLAG_CHUNK_ROWS]
        part = np.asarray(getattr(part, "values", part))
        counts["any"] += int(np.count_nonzero(part))
        for bit, reason in col.FLAG_REASONS.items():
            counts[reason] += int(np.count_nonzero(part & bit))
    return counts
