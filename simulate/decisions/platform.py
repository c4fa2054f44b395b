"""A platform of several workloads sampled together, and its cost split per model and tier.

Every workload (:mod:`scenarios.platform`) is its own scenario evaluated by the same
kernel. The workloads are sampled on one unit-cube design: a factor under one of the
platform's ``shared_factors`` prefixes has one column read by every workload that
samples it (one site, one market), every other factor a column per workload (its own
demand, its own serving efficiency). Sample ``i`` of the platform is then one state of
the world for the whole platform, and its total is the sum of the workloads' totals in
that state.

Attribution (chargeback) is by expected cost: a workload's share is its mean lifecycle
cost over the platform's mean, so the shares add up to one and the tier totals to the
platform total. A workload's cost per 1,000 tokens is its mean cost over its mean
tokens (a ratio of means, what a chargeback over the horizon bills), with a
delta-method interval; the per-sample spread (5th to 95th percentile) is beside it.

With one workload whose factors are all its own, the samples are exactly those of
``tco run`` of its scenario with the same seed and design (tested): a one-model
platform is today's run.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from results.provenance import platform_attrs, provenance_attrs, scenario_attrs
from results.store import save_netcdf
from results.summary import BOUNDS, summarize_values, two_sided_z
from results.years import cash_flow_months
from scenarios.platform import TIERS, Platform, load_platform
from simulate.decisions.compare import CompareJob, compare_chunk_task
from simulate.engine.chunks import checked_sampling, chunk_ranges
from simulate.engine.executor import local_if_none
from simulate.engine.interrupt import ChunkInterrupt
from simulate.engine.montecarlo import IN_MEMORY_LIMIT_BYTES
from simulate.engine.platform_columns import (
    PlatformColumns,
    kept_outputs,
    plan_years,
    platform_columns,
)
from simulate.engine.seeding import BLOCK_SIZE, as_seed_sequence
from simulate.model import columns as col
from simulate.model.pooling import pool_line_names, pool_slot_costs, year_months

__all__ = ["PERCENTILES", "platform_job", "platform_run", "ratio_of_means"]

DEFAULT_CHUNK_BLOCKS = 4  # 65,536 samples per chunk and workload

#: Percentiles of the per-sample spread, percent.
PERCENTILES = (5.0, 50.0, 95.0)

#: Bytes held per workload and sample: cost, tokens, CAPEX (float64) and the mask (int8),
#: plus :data:`BYTES_PER_WORKLOAD_YEAR` for each year of the plan.
BYTES_PER_WORKLOAD_SAMPLE = 25
#: Bytes held per workload, sample and year: its cost and tokens (float32).
BYTES_PER_WORKLOAD_YEAR = 8
#: Bytes held per shared pool and sample: its slots' cost, pooled and on separate nodes.
BYTES_PER_POOL_SAMPLE = 16


def platform_job(platform: Platform, design: str, seed) -> tuple[CompareJob, PlatformColumns]:
    """The sampling job of a platform: one plan per workload on a common design.

    Parameters
    ----------
    platform : Platform
        The validated platform.
    design : {"mc", "lhs", "sobol"}
        Unit-cube design.
    seed : int, SeedSequence or None
        Root seed.

    Returns
    -------
    job : simulate.decisions.compare.CompareJob
        Evaluates every workload on a chunk (common random numbers always on: the
        shared columns are what makes sample ``i`` one state of the platform).
    columns : simulate.engine.platform_columns.PlatformColumns
        The columns' layout and labels (:func:`~simulate.engine.platform_columns.
        platform_columns`).
    """
    columns = platform_columns(platform)
    outputs = kept_outputs(platform.horizon_years, pooled=bool(platform.pools))
    job = CompareJob(
        plans=columns.plans,
        picks=columns.picks,
        union=columns.columns,
        design=design,
        root=as_seed_sequence(seed),
        outputs=tuple(outputs),
        output_index=tuple(col.OUTPUT_INDEX[name] for name in outputs),
        common_random_numbers=True,
    )
    return job, columns


def ratio_of_means(
    numerator: np.ndarray, denominator: np.ndarray, confidence: float = 0.95
) -> np.ndarray:
    """``mean(numerator) / mean(denominator)`` of paired samples with its interval.

    Parameters
    ----------
    numerator, denominator : ndarray, shape (n,)
        Paired samples (row ``i`` of both from the same state); all finite.
    confidence : float
        Level of the interval, in (0, 1).

    Returns
    -------
    ndarray of float64, shape (3,)
        Estimate, lower, upper. The interval is the delta method's normal one:
        ``R +- z * sqrt(var(num - R * den) / n) / mean(den)``. NaN with fewer than two
        samples or a zero denominator mean.
    """
    n = numerator.size
    if n < 2:
        return np.full(3, np.nan)
    mean_den = float(np.mean(denominator))
    if mean_den == 0.0:
        return np.full(3, np.nan)
    ratio = float(np.mean(numerator)) / mean_den
    residual = numerator - ratio * denominator
    half = two_sided_z(confidence) * float(np.std(residual, ddof=1)) / np.sqrt(n) / abs(mean_den)
    return np.array([ratio, ratio - half, ratio + half])


def platform_run(
    platform: Platform | str,
    n: int = 100_000,
    seed: int | None = None,
    design: str = "mc",
    *,
    overrides=(),
    confidence: float = 0.95,
    output=None,
    progress: Callable[[int, int], None] | None = None,
    chunk_blocks: int = DEFAULT_CHUNK_BLOCKS,
    executor=None,
):
    """Sample a platform and split its lifecycle cost per workload and per tier.

    Parameters
    ----------
    platform : Platform or str
        A validated platform, or a platform file or built-in name.
    n : int
        Samples (states of the platform).
    seed : int or None
        Root seed; None draws fresh entropy (recorded in ``seed``).
    design : {"mc", "lhs", "sobol"}
        Unit-cube design.
    overrides : sequence of str
        ``key.path=value`` applied to every workload when ``platform`` is a name or path.
    confidence : float
        Level of every interval, in (0, 1).
    output : str, Path or None
        Write the dataset to this NetCDF file (atomically); None writes nothing.
    progress : callable(done, total) or None
        Called after each chunk.
    chunk_blocks : int
        Blocks of :data:`~simulate.engine.seeding.BLOCK_SIZE` samples per chunk; does not
        change the results.
    executor : simulate.engine.distributed.DaskExecutor or None
        Run the chunks on a Dask cluster; None runs them here.

    Returns
    -------
    xarray.Dataset
        Per sample: ``cost`` and ``tokens`` (workload, sample; USD and tokens over the
        horizon), ``infeasible`` (workload, sample; the kernel's bit mask),
        ``tier_cost`` (tier, sample), ``platform_cost``, ``platform_tokens`` and
        ``platform_token_cost_per_1k`` (sample). Summaries over the samples where every
        workload is feasible, each with (``bound``: estimate, lower, upper):
        ``workload_cost_mean``, ``workload_share``, ``workload_token_cost_per_1k``, the
        same for ``tier_`` and ``platform_``, and ``*_cost_percentiles``
        (..., ``percentile``) of the per-sample spread. The year dimension (``year`` =
        1 .. ceil(horizon), at most MAX_YEARS): ``year_cost`` (workload, year, sample;
        float32), ``platform_year_cost`` (year, sample), ``workload_year_cost_mean``,
        ``tier_year_cost_mean``, ``platform_year_cost_mean`` and
        ``platform_year_token_cost_per_1k`` (..., ``bound``). Coordinates ``workload_tier``,
        ``workload_model``, ``workload_ownership``, ``workload_route_of`` and
        ``workload_route_share`` (a route's parent and share), ``workload_pool``; with
        shared pools (``pool``, ``pool_node_accelerators``): ``pool_slot_cost_mean``,
        ``pool_separate_slot_cost_mean`` and ``pool_saving_mean`` (pool, bound; USD over
        the horizon), ``pool_nodes_mean`` and ``pool_packing_mean`` (pool, year), the
        pools' slots included in their workloads' costs; provenance in attrs.
    """
    import xarray as xr

    if not isinstance(platform, Platform):
        platform = load_platform(platform, overrides)
    n, chunk = checked_sampling(n, design, chunk_blocks)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence = {confidence}: must lie in (0, 1), e.g. 0.95")
    workloads = platform.workloads
    years = plan_years(platform.horizon_years)
    held = n * (
        len(workloads) * (BYTES_PER_WORKLOAD_SAMPLE + years * BYTES_PER_WORKLOAD_YEAR)
        + len(platform.pools) * BYTES_PER_POOL_SAMPLE
    )
    if held > IN_MEMORY_LIMIT_BYTES:
        raise ValueError(
            f"n = {n:,}: {held / 2**30:.1f} GiB would be held for {len(workloads)} workloads; "
            f"at most {IN_MEMORY_LIMIT_BYTES / 2**30:.0f} GiB: run fewer samples"
        )
    job, columns = platform_job(platform, design, seed)
    executor = local_if_none(executor)
    cost = np.empty((len(workloads), n))
    year_cost = np.empty((len(workloads), years, n), dtype=np.float32)
    year_tokens = np.empty((len(workloads), years, n), dtype=np.float32)
    tokens = np.empty((len(workloads), n))
    capex = np.empty((len(workloads), n))
    flags = np.empty((len(workloads), n), dtype=np.int8)
    # Sums over the samples where every workload is feasible of each workload's CAPEX and
    # purchases by year and its residual value: the expected cash flows, held without a
    # per-sample copy (the cash flow is linear in them).
    cash_sums = np.zeros((len(workloads), 2 * years + 1))
    cash_count = [0]
    ranges = chunk_ranges(n, chunk)
    pools = platform.pools
    months = year_months(platform.horizon_years, years)
    # Per pool and sample: its slots' cost and what nodes of their own would cost its
    # workloads (USD over the horizon); sums over the valid samples of nodes and packing.
    pool_cost = np.empty((len(pools), n))
    pool_separate = np.empty((len(pools), n))
    pool_sums = np.zeros((len(pools), 2, years))

    def consume(index: int, parts: list[dict[str, np.ndarray]]) -> None:
        start, stop = ranges[index]
        ok = np.ones(stop - start, dtype=bool)
        for part in parts:
            ok &= (part["infeasible"] == 0) & np.isfinite(part["lifecycle_total"])
        cash_count[0] += int(ok.sum())
        for w, part in enumerate(parts):
            cash_sums[w, -1] += part["residual_value"][ok].sum()
            cost[w, start:stop] = part["lifecycle_total"]
            capex[w, start:stop] = part["capex_lifecycle"]
            tokens[w, start:stop] = 0.0
            for k in range(years):
                cash_sums[w, k] += part[f"capex_year_{k + 1}"][ok].sum()
                cash_sums[w, years + k] += part[f"purchases_year_{k + 1}"][ok].sum()
                year_cost[w, k, start:stop] = part[f"cost_year_{k + 1}"]
                year_tokens[w, k, start:stop] = part[f"tokens_year_{k + 1}"]
                tokens[w, start:stop] += part[f"tokens_year_{k + 1}"]
            flags[w, start:stop] = part["infeasible"]
        for p, pool in enumerate(pools):
            slots = _pooled_slots(pool, [parts[w] for w in pool.members], years, months)
            for j, w in enumerate(pool.members):
                cost[w, start:stop] += slots["cost"][j].sum(axis=0)
                capex[w, start:stop] += slots["capex"][j].sum(axis=0)
                year_cost[w, :, start:stop] += slots["cost"][j]
                # Lease-equivalent cash: a slot's depreciation is paid as it accrues.
                capex_sums = slots["capex"][j][:, ok].sum(axis=1)
                cash_sums[w, :years] += capex_sums
                cash_sums[w, years : 2 * years] += capex_sums
            pool_cost[p, start:stop] = slots["cost"].sum(axis=(0, 1))
            pool_separate[p, start:stop] = slots["separate"]
            pool_sums[p, 0] += slots["nodes"][:, ok].sum(axis=1)
            pool_sums[p, 1] += slots["packing"][:, ok].sum(axis=1)
        if progress is not None:
            progress(stop, n)

    rows = min(chunk, n)
    with ChunkInterrupt() as interrupt:
        executor.map_ordered(
            compare_chunk_task,
            job,
            [(start, stop, rows) for start, stop in ranges],
            consume,
            interrupt=interrupt,
            result_bytes=len(workloads) * rows * (len(job.outputs) + len(job.union) + 1) * 8,
            label="tco-platform",
        )
    tiers = platform.tiers
    tier_of = np.array([tiers.index(w.tier) for w in workloads])
    # Tier totals first, then the platform total as their sum: the tiers add up to the
    # platform in every sample by construction, and to the workloads within rounding.
    tier_cost = np.stack([cost[tier_of == t].sum(axis=0) for t in range(len(tiers))])
    tier_tokens = np.stack([tokens[tier_of == t].sum(axis=0) for t in range(len(tiers))])
    tier_capex = np.stack([capex[tier_of == t].sum(axis=0) for t in range(len(tiers))])
    platform_cost = tier_cost.sum(axis=0)
    platform_capex = tier_capex.sum(axis=0)
    platform_tokens = tier_tokens.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        platform_per_1k = platform_cost / platform_tokens * 1000.0
    valid = np.isfinite(platform_cost) & np.isfinite(platform_tokens) & (flags == 0).all(axis=0)

    stats = _chargeback(
        (cost[:, valid], tokens[:, valid], capex[:, valid]),
        (tier_cost[:, valid], tier_tokens[:, valid], tier_capex[:, valid]),
        (platform_cost[valid], platform_tokens[valid], platform_capex[valid]),
        confidence,
    )
    base = [w.scenario.base_values() for w in workloads]
    coords = {
        "workload": [w.name for w in workloads],
        "tier": tiers,
        "bound": list(BOUNDS),
        "percentile": list(PERCENTILES),
        "workload_tier": ("workload", [w.tier for w in workloads]),
        "workload_model": ("workload", [str(b["model.name"]) for b in base]),
        "workload_ownership": ("workload", [str(b["fleet.ownership"]) for b in base]),
        # A route serves a share of its parent's traffic ("" and 1 for other workloads).
        "workload_route_of": ("workload", [w.route_of for w in workloads]),
        "workload_route_share": (
            "workload",
            [w.share.base if w.share is not None else 1.0 for w in workloads],
        ),
    }
    usd = {"units": "USD"}
    per_1k = {"units": "USD/1k tokens"}
    data_vars = {
        "cost": (("workload", "sample"), cost, usd | {"long_name": "lifecycle cost"}),
        "tokens": (
            ("workload", "sample"),
            tokens,
            {"units": "tokens", "long_name": "tokens served over the horizon"},
        ),
        "capex": (
            ("workload", "sample"),
            capex,
            usd | {"long_name": "CAPEX in the lifecycle cost (owned hardware, PUE CAPEX)"},
        ),
        "infeasible": (("workload", "sample"), flags, {"long_name": "kernel infeasibility mask"}),
        "tier_cost": (("tier", "sample"), tier_cost, usd | {"long_name": "tier lifecycle cost"}),
        "platform_cost": (("sample",), platform_cost, usd | {"long_name": "platform total"}),
        "platform_tokens": (("sample",), platform_tokens, {"units": "tokens"}),
        "platform_token_cost_per_1k": (("sample",), platform_per_1k, per_1k),
    }
    for name, (dims, values, attrs) in stats.items():
        data_vars[name] = (dims, values, attrs)
    data_vars |= _by_year(year_cost, year_tokens, tier_of, len(tiers), valid, confidence)
    data_vars |= _cash_flows(
        data_vars["workload_year_cost_mean"][1][:, :, 0],
        cash_sums / max(cash_count[0], 1),
        tier_of,
        len(tiers),
        platform.horizon_years,
    )
    if pools:
        data_vars |= _pool_stats(
            pools,
            pool_cost[:, valid],
            pool_separate[:, valid],
            pool_sums / max(cash_count[0], 1),
            confidence,
        )
        coords["pool"] = [pool.name for pool in pools]
        coords["pool_node_accelerators"] = ("pool", [pool.node_accelerators for pool in pools])
    coords["workload_pool"] = ("workload", [w.pool for w in workloads])
    coords["year"] = np.arange(1, years + 1)
    coords["month"] = np.arange(1, data_vars["workload_cash_flow_mean"][1].shape[1] + 1)
    dataset = xr.Dataset(data_vars, coords=coords)
    dataset["year"].attrs["long_name"] = (
        f"year of the plan (year {col.MAX_YEARS} also holds any later year)"
    )
    dataset.attrs.update(
        _attrs(platform, columns, n, str(job.root.entropy), design, chunk, int(valid.sum()))
    )
    dataset.attrs["executor"] = executor.describe()
    dataset.attrs["confidence"] = float(confidence)
    if output is not None:
        save_netcdf(dataset, output)
    return dataset


def _pooled_slots(pool, parts: list[dict], years: int, months: np.ndarray) -> dict:
    """A pool's slot costs on a chunk (:func:`simulate.model.pooling.pool_slot_costs`).

    ``parts`` are its members' kernel outputs by name (1-D arrays over the chunk); a
    member infeasible in a sample counts as no fleet there (the sample is left out of
    the statistics anyway).
    """
    names = pool_line_names(years)
    lines = np.empty((len(parts), len(names), parts[0][names[0]].shape[0]))
    for j, part in enumerate(parts):
        for k, name in enumerate(names):
            lines[j, k] = part[name]
    return pool_slot_costs(
        lines.reshape(len(parts), len(col.POOL_YEAR_LINES), years, -1),
        months,
        pool.node_accelerators,
        pool.peak_share,
        pool.scale_up_hours,
    )


def _pool_stats(pools, slot_cost, separate, means, confidence: float) -> dict:
    """Per pool: its slots' expected cost, nodes of their own's, the saving, nodes, packing.

    ``slot_cost`` and ``separate`` (pool, valid samples) are USD over the horizon;
    ``means`` (pool, 2, year) the expected nodes and packing by year.
    """
    z = two_sided_z(confidence)
    usd = {"units": "USD"}
    return {
        "pool_slot_cost_mean": (
            ("pool", "bound"),
            _mean_interval(slot_cost, z),
            usd | {"long_name": "expected cost of the pool's empty node slots over the horizon"},
        ),
        "pool_separate_slot_cost_mean": (
            ("pool", "bound"),
            _mean_interval(separate, z),
            usd
            | {
                "long_name": "expected cost of the empty slots were each workload on nodes of "
                "its own"
            },
        ),
        "pool_saving_mean": (
            ("pool", "bound"),
            _mean_interval(separate - slot_cost, z),
            usd | {"long_name": "expected saving of the shared pool over nodes of their own"},
        ),
        "pool_nodes_mean": (
            ("pool", "year"),
            means[:, 0],
            {"units": "nodes", "long_name": "expected nodes of the pool at the daily peak"},
        ),
        "pool_packing_mean": (
            ("pool", "year"),
            means[:, 1],
            {"units": "1", "long_name": "expected share of the pool's accelerators replicas use"},
        ),
    }


def _chargeback(workloads, tiers, platform, confidence):
    """Summary variables of the attribution over the valid samples (see platform_run).

    Each of ``workloads``, ``tiers`` and ``platform`` is (cost, tokens, CAPEX) over the
    valid samples: arrays (rows, samples) for the first two, (samples,) for the platform.
    """
    platform_cost, platform_tokens, platform_capex = platform
    usd = {"units": "USD"}
    per_1k = {"units": "USD/1k tokens"}
    share = {"units": "1"}

    def group(prefix, rows, dim):
        costs, token_sums, capexes = rows
        summaries = [_mean_and_percentiles(values, confidence) for values in costs]
        means = np.array([mean for mean, _ in summaries])
        spread = np.array([percentiles for _, percentiles in summaries])
        shares = np.array([ratio_of_means(v, platform_cost, confidence) for v in costs])
        unit_costs = np.array(
            [
                ratio_of_means(c, t, confidence) * 1000.0
                for c, t in zip(costs, token_sums, strict=True)
            ]
        )
        capex_shares = np.array(
            [ratio_of_means(k, c, confidence) for k, c in zip(capexes, costs, strict=True)]
        )
        return {
            f"{prefix}_capex_share": (
                (dim, "bound"),
                capex_shares,
                share | {"long_name": "CAPEX share of the expected cost (the rest is OPEX)"},
            ),
            f"{prefix}_cost_mean": (
                (dim, "bound"),
                means,
                usd | {"long_name": "expected lifecycle cost, with the interval of the mean"},
            ),
            f"{prefix}_cost_percentiles": (
                (dim, "percentile"),
                spread,
                usd | {"long_name": "percentiles of the per-sample lifecycle cost"},
            ),
            f"{prefix}_share": (
                (dim, "bound"),
                shares,
                share | {"long_name": "share of the platform's expected cost (ratio of means)"},
            ),
            f"{prefix}_token_cost_per_1k": (
                (dim, "bound"),
                unit_costs,
                per_1k | {"long_name": "expected cost over expected tokens, per 1,000 tokens"},
            ),
        }

    stats = group("workload", workloads, "workload")
    stats |= group("tier", tiers, "tier")
    stats["platform_capex_share"] = (
        ("bound",),
        ratio_of_means(platform_capex, platform_cost, confidence),
        share | {"long_name": "CAPEX share of the platform's expected cost"},
    )
    mean, percentiles = _mean_and_percentiles(platform_cost, confidence)
    stats["platform_cost_mean"] = (("bound",), mean, usd)
    stats["platform_cost_percentiles"] = (("percentile",), percentiles, usd)
    stats["platform_token_cost_per_1k_mean"] = (
        ("bound",),
        ratio_of_means(platform_cost, platform_tokens, confidence) * 1000.0,
        per_1k | {"long_name": "platform expected cost over expected tokens, per 1,000 tokens"},
    )
    return stats


def _mean_interval(values: np.ndarray, z: float) -> np.ndarray:
    """(mean, lower, upper) of the mean along the last axis, by the CLT."""
    mean = values.mean(axis=-1, dtype=np.float64)
    half = z * values.std(axis=-1, ddof=1, dtype=np.float64) / np.sqrt(values.shape[-1])
    return np.stack([mean, mean - half, mean + half], axis=-1)


def _by_year(year_cost, year_tokens, tier_of, tiers: int, valid, confidence: float) -> dict:
    """The year dimension of the attribution: each workload's, tier's and the platform's
    expected cost by year, the platform's cost per 1,000 tokens by year, and per-sample
    platform cost by year.

    The float32 inputs are summed in float64 one (workload, year) row at a time, never
    copied whole: at 1,000,000 samples a float64 copy of ten workloads' three years is
    240 MB.
    """
    z = two_sided_z(confidence)
    usd = {"units": "USD"}
    workloads, years, n = year_cost.shape
    tier_cost = np.zeros((tiers, years, n))
    platform_tokens = np.zeros((years, n))
    workload_means = np.empty((workloads, years, 3))
    for w in range(workloads):
        for k in range(years):
            tier_cost[tier_of[w], k] += year_cost[w, k]
            platform_tokens[k] += year_tokens[w, k]
            workload_means[w, k] = _mean_interval(year_cost[w, k, valid].astype(np.float64), z)
    platform_cost = tier_cost.sum(axis=0)  # (year, sample)
    tier_valid = tier_cost[:, :, valid]
    platform_valid = platform_cost[:, valid]
    tokens_valid = platform_tokens[:, valid]
    platform_cost[:, ~valid] = np.nan
    return {
        "year_cost": (
            ("workload", "year", "sample"),
            year_cost,
            usd | {"long_name": "cost in the year of the plan (float32)"},
        ),
        "platform_year_cost": (
            ("year", "sample"),
            platform_cost,
            usd | {"long_name": "platform cost in the year (NaN where a workload is infeasible)"},
        ),
        "workload_year_cost_mean": (
            ("workload", "year", "bound"),
            workload_means,
            usd | {"long_name": "expected cost in the year, with the interval of the mean"},
        ),
        "tier_year_cost_mean": (
            ("tier", "year", "bound"),
            _mean_interval(tier_valid, z),
            usd | {"long_name": "expected tier cost in the year"},
        ),
        "platform_year_cost_mean": (
            ("year", "bound"),
            _mean_interval(platform_valid, z),
            usd | {"long_name": "expected platform cost in the year"},
        ),
        "platform_year_token_cost_per_1k": (
            ("year", "bound"),
            np.array(
                [
                    ratio_of_means(c, t, confidence) * 1000.0
                    for c, t in zip(platform_valid, tokens_valid, strict=True)
                ]
            ),
            {"units": "USD/1k tokens", "long_name": "the year's expected cost over its tokens"},
        ),
    }


def _cash_flows(year_cost_mean, cash_means, tier_of, tiers: int, horizon_years: float) -> dict:
    """Expected cash out per month per workload, tier and platform (USD/month).

    ``year_cost_mean`` (workload, year) and ``cash_means`` (workload, 2 years + 1: CAPEX by
    year, purchases by year, residual value) are means over the samples where every
    workload is feasible; the cash flow is linear in them
    (:func:`results.years.cash_flow_months`), so these are the expected cash flows, and a
    row's months add up to its expected lifecycle cost.
    """
    years = year_cost_mean.shape[1]
    workload = cash_flow_months(
        year_cost_mean,
        cash_means[:, :years],
        cash_means[:, years : 2 * years],
        cash_means[:, -1],
        min(horizon_years, float(col.MAX_YEARS)),
    )
    tier = np.stack([workload[tier_of == t].sum(axis=0) for t in range(tiers)])
    usd = {"units": "USD/month"}
    text = (
        "expected cash out in the month: OPEX spread over each year's months, purchases in a "
        "year's first month, the residual value credited in the last"
    )
    return {
        "workload_cash_flow_mean": (("workload", "month"), workload, usd | {"long_name": text}),
        "tier_cash_flow_mean": (("tier", "month"), tier, usd | {"long_name": text}),
        "platform_cash_flow_mean": (("month",), tier.sum(axis=0), usd | {"long_name": text}),
    }


def _mean_and_percentiles(values: np.ndarray, confidence: float):
    """The mean (estimate, lower, upper) and the :data:`PERCENTILES` estimates, one pass."""
    table, _ = summarize_values(values, PERCENTILES, confidence)
    return table[0], table[2:, 0]


def _attrs(platform: Platform, columns: PlatformColumns, n, seed_entropy, design, chunk, valid):
    attrs = {
        **provenance_attrs("platform", f"lifecycle-tco platform {platform.name}"),
        # What a report's provenance shows as the result's scenario: the platform file.
        **platform_attrs(platform),
        "platform_description": platform.description,
        "platform_overrides": "\n".join(platform.workloads[0].scenario.overrides),
        "platform_shared_factor_prefixes": " ".join(platform.shared_factors),
        "shared_factors": " ".join(columns.shared),
        "factor_columns": " ".join(columns.columns),
        "seed": seed_entropy,
        "design": design,
        "n_samples": n,
        "n_valid": valid,
        "block_size": BLOCK_SIZE,
        "chunk_size": chunk,
        "horizon_years": platform.horizon_years,
        "tiers_meaning": "; ".join(f"{t}: {TIERS[t][1]}" for t in platform.tiers),
        "attribution_method": (
            "expected cost per workload over the platform's expected cost (ratio of means, "
            "delta-method interval); tier totals are sums of their workloads and the "
            "platform total the sum of the tiers, per sample; statistics over the samples "
            "where every workload is feasible"
        ),
    }
    for i, workload in enumerate(platform.workloads, start=1):
        attrs |= scenario_attrs(workload.scenario, f"workload_{i}_")
    return attrs
