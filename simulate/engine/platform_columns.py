"""The design columns of a platform: which unit-cube column each workload's factor reads.

A factor under one of the platform's ``shared_factors`` prefixes has one column read by
every workload that samples it (one site, one market); every other factor a column per
workload (its own demand, its own serving efficiency). Runs (``tco platform``), Sobol
indices and tornadoes of a platform all read this one layout.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scenarios.platform import Platform
from scenarios.schema import CANONICAL_ORDER
from simulate.engine.plan import SamplingPlan, sampling_plan
from simulate.model import columns as col
from simulate.model.pooling import mid_year_discount, year_months

__all__ = [
    "PlatformColumns",
    "kept_outputs",
    "plan_years",
    "platform_columns",
    "pooling_of",
    "year_numbers",
]

#: Kernel outputs a platform reads per workload and sample, besides the year lines.
OUTPUTS = ("lifecycle_total", "capex_lifecycle", "residual_value")
#: The year lines it reads: cost and tokens kept per sample, CAPEX and purchases summed
#: for the expected cash flows.
YEAR_LINES = ("cost", "tokens", "capex", "purchases")


def plan_years(horizon_years: float) -> int:
    """Years of the year dimension for a horizon: ceil(horizon), at most MAX_YEARS."""
    return min(math.ceil(horizon_years - 1e-12), col.MAX_YEARS)


def year_numbers(horizon_years: float) -> tuple[int, ...]:
    """The years of the plan, 1 .. :func:`plan_years`."""
    return tuple(range(1, plan_years(horizon_years) + 1))


def kept_outputs(horizon_years: float, pooled: bool = False) -> tuple[str, ...]:
    """Kernel outputs a platform keeps per workload: :data:`OUTPUTS` and the year lines.

    Parameters
    ----------
    horizon_years : float
        The platform's horizon, years.
    pooled : bool
        Whether the platform has shared pools: then the pool lines
        (:data:`simulate.model.columns.POOL_YEAR_LINES`) too.

    Returns
    -------
    tuple of str
        In kernel order: the lifecycle cost, CAPEX and residual value, then the
        :data:`YEAR_LINES` (and pool lines) for every year of the plan.
    """
    years = year_numbers(horizon_years)
    lines = (*YEAR_LINES, *(col.POOL_YEAR_LINES if pooled else ()))
    wanted = {*OUTPUTS, *(f"{line}_year_{k}" for line in lines for k in years)}
    return tuple(c.name for c in col.OUTPUTS if c.name in wanted)


@dataclass(frozen=True)
class PlatformColumns:
    """The platform's unit-cube columns and which workload reads which.

    Attributes
    ----------
    plans : tuple of SamplingPlan
        Each workload's sampling plan (its factors; levers at base).
    picks : tuple of ndarray of int64
        For each workload, the column of each input of its plan.
    columns : tuple of str
        One label per column: the key path of a shared factor, or
        ``WORKLOAD:key.path`` for a workload's own factor (a route's factors that its
        parent also samples read the parent's column).
    shared : tuple of str
        Key paths of the shared factors (sampled by at least one workload).
    """

    plans: tuple[SamplingPlan, ...]
    picks: tuple[np.ndarray, ...]
    columns: tuple[str, ...]
    shared: tuple[str, ...]


def platform_columns(platform: Platform) -> PlatformColumns:
    """Lay out a platform's design columns.

    Parameters
    ----------
    platform : Platform
        The validated platform.

    Returns
    -------
    PlatformColumns
        Columns follow the schema's canonical order of key paths
        (:data:`scenarios.schema.CANONICAL_ORDER`); a path that is not shared gets one
        column per workload sampling it, in workload order. With one workload this is
        its own plan's order, so its samples are those of ``tco run``.
    """
    plans = [sampling_plan(w.scenario) for w in platform.workloads]
    paths = sorted({p for plan in plans for p in plan.paths}, key=CANONICAL_ORDER.__getitem__)
    column_of: dict[tuple[int, str], int] = {}
    labels: list[str] = []
    shared = []
    for path in paths:
        users = [s for s, plan in enumerate(plans) if path in plan.paths]
        if platform.is_shared(path) or len(platform.workloads) == 1:
            for s in users:
                column_of[s, path] = len(labels)
            labels.append(path)
            if platform.is_shared(path):
                shared.append(path)
            continue
        # One column per traffic: a route reads its parent's draw of every factor both
        # sample (the same requests, the same model), so the parts add up in each state.
        owners: dict[str, int] = {}
        for s in users:
            owner = platform.workloads[s].traffic
            if owner not in owners:
                owners[owner] = len(labels)
                labels.append(f"{owner}:{path}")
            column_of[s, path] = owners[owner]
    picks = tuple(
        np.array([column_of[s, p] for p in plan.paths], dtype=np.int64)
        for s, plan in enumerate(plans)
    )
    return PlatformColumns(tuple(plans), picks, tuple(labels), tuple(shared))


def pooling_of(platform: Platform):
    """What a platform's pools need beside the kernel's outputs, or None without pools.

    Returns
    -------
    tuple or None
        ``(pools, months, discounts)``: the :class:`scenarios.pools.Pool` tuple, the months
        of each year column (:func:`simulate.model.pooling.year_months`) and, for each
        pooled workload's index, its year columns' mid-year discount factors at its base
        ``finance.discount_rate``
        (:func:`simulate.model.pooling.mid_year_discount`).
    """
    if not platform.pools:
        return None
    months = year_months(platform.horizon_years, plan_years(platform.horizon_years))
    discounts = {
        w: mid_year_discount(
            float(platform.workloads[w].scenario.base_values()["finance.discount_rate"]), months
        )
        for pool in platform.pools
        for w in pool.members
    }
    return platform.pools, months, discounts
