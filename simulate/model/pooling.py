"""The empty node slots of a shared pool and of fleets on nodes of their own, priced.

Replicas are whole powers of two of accelerators and nodes hold a power of two, so
first-fit decreasing packs a pool's replicas into nodes that are all full but the
last (items whose sizes divide each other pack perfectly: Coffman, Garey and Johnson,
"Bin packing with divisible item sizes", Journal of Complexity 3, 1987). A level of
``L`` accelerators of replicas then needs ``k ceil(L / k)`` on nodes of ``k``; the
difference is idle slots, paid as the fleet is (rent, or depreciation, maintenance,
facility and idle power: :func:`simulate.model.timeline.idle_slot_rates`).

For a pool of workloads with levels ``n_w`` the slots are those of ``sum n_w``; on nodes
of their own, ``sum (k ceil(n_w / k) - n_w)``: pooling can only save, by less than one
node per workload and level. A pool's slot-hours are shared out to its workloads in
proportion to their accelerator-hours, each at its own slot rate.

Arrays in, arrays out: ``(workload, year, sample)`` for the workloads' lines (the
kernel's ``fleet_year_k`` etc.), the pool's parameters as numbers.
"""

from __future__ import annotations

import numpy as np

from simulate.model import columns as col

__all__ = [
    "mid_year_discount",
    "node_slots",
    "pool_line_names",
    "pool_slot_costs",
    "pools_slot_totals",
    "slot_hours_per_month",
    "year_months",
]


def node_slots(level: np.ndarray, node_accelerators: int) -> np.ndarray:
    """Empty slots of the last node: ``k ceil(L / k) - L`` (accelerators), element-wise."""
    return np.ceil(level / node_accelerators) * node_accelerators - level


def slot_hours_per_month(
    slots_peak: np.ndarray, slots_off: np.ndarray, peak_share: float, scale_up_hours: float
) -> np.ndarray:
    """Accelerator-hours a month of idle slots at the two daily levels.

    ``730.5 (f S_p + (1 - f) S_o) + 30.44 s (S_p - S_o)``: the slots of each level for its
    share of the day and the daily scale-up's cold starts of the slots added (the terms
    :func:`simulate.model.stages.fleet_size` adds for a fleet on whole nodes). A pool that
    runs all day has ``S_p = S_o``.
    """
    return col.HOURS_PER_MONTH * (
        peak_share * slots_peak + (1.0 - peak_share) * slots_off
    ) + col.DAYS_PER_MONTH * scale_up_hours * (slots_peak - slots_off)


def year_months(horizon_years: float, years: int) -> np.ndarray:
    """Months each year column of the plan holds (the last column: every later year too)."""
    starts = np.arange(years, dtype=np.float64)
    months = 12.0 * np.clip(horizon_years - starts, 0.0, 1.0)
    if years == col.MAX_YEARS:
        months[-1] = 12.0 * max(horizon_years - (years - 1), 0.0)
    return months


def pool_slot_costs(
    fleet: np.ndarray,
    fleet_off: np.ndarray,
    slot_rate: np.ndarray,
    slot_capex_rate: np.ndarray,
    months: np.ndarray,
    node_accelerators: int,
    peak_share: float = 1.0,
    scale_up_hours: float = 0.0,
) -> dict[str, np.ndarray]:
    """What a pool's empty slots cost each member, and what nodes of their own would.

    Parameters
    ----------
    fleet, fleet_off : ndarray, shape (workloads, years, n)
        Each member's accelerators at the daily peak and off-peak by year, whole replicas
        (the kernel's ``fleet_year_k``, ``fleet_off_year_k`` with nodes of 1).
    slot_rate, slot_capex_rate : ndarray, shape (workloads, years, n)
        What an idle accelerator of each member costs an hour, and the depreciation in
        it, USD/h (``slot_usd_per_hour_year_k``, ``slot_capex_usd_per_hour_year_k``).
    months : ndarray, shape (years,)
        Months of each year column (:func:`year_months`).
    node_accelerators : int
        Accelerators per node.
    peak_share, scale_up_hours : float
        The pool's daily schedule (1 and 0 for a pool that runs all day).

    Returns
    -------
    dict of ndarray
        ``cost``, ``capex`` (workloads, years, n): each member's share of the pool's slots,
        USD in the year; ``separate`` (workloads, years, n): the slots of its own nodes,
        USD; ``nodes`` (years, n): the pool's nodes at the peak; ``packing`` (years, n):
        replicas' accelerators over the nodes' at the peak (1 for an empty pool).
    """
    node = int(node_accelerators)
    total_peak = fleet.sum(axis=0)
    total_off = fleet_off.sum(axis=0)
    pool_hours = slot_hours_per_month(
        node_slots(total_peak, node), node_slots(total_off, node), peak_share, scale_up_hours
    )
    # Each member's accelerator-hours a month (the scale-up is small beside them).
    used = peak_share * fleet + (1.0 - peak_share) * fleet_off
    used_total = used.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(used_total > 0.0, used / used_total, 1.0 / fleet.shape[0])
    slot_hours = share * pool_hours * months[:, None]  # (workloads, years, n), per year
    own_hours = slot_hours_per_month(
        node_slots(fleet, node), node_slots(fleet_off, node), peak_share, scale_up_hours
    )
    nodes = np.ceil(total_peak / node)
    with np.errstate(invalid="ignore", divide="ignore"):
        packing = np.where(nodes > 0.0, total_peak / (nodes * node), 1.0)
    return {
        "cost": slot_hours * slot_rate,
        "capex": slot_hours * slot_capex_rate,
        "separate": own_hours * months[:, None] * slot_rate,
        "nodes": nodes,
        "packing": packing,
    }


def pool_line_names(years: int) -> tuple[str, ...]:
    """Kernel outputs a pool reads, line by line then year: ``fleet_year_1`` ... ."""
    return tuple(f"{line}_year_{k}" for line in col.POOL_YEAR_LINES for k in range(1, years + 1))


def mid_year_discount(discount_rate: float, months: np.ndarray) -> np.ndarray:
    """``(1 + r)^-(t_k + s_k / 2)``: each year column's factor at its middle (the kernel's)."""
    spans = months / 12.0
    starts = np.concatenate([[0.0], np.cumsum(spans)[:-1]])
    return (1.0 + discount_rate) ** -(starts + 0.5 * spans)


def pools_slot_totals(pools, lines: dict, months: np.ndarray, discounts: dict):
    """Every pool's slot cost and its present value, per row: what pools add to a platform.

    Parameters
    ----------
    pools : sequence of scenarios.pools.Pool
        The platform's pools (``members``, ``node_accelerators``, ``peak_share``,
        ``scale_up_hours``).
    lines : dict of int to ndarray, shape (4, years, rows)
        Each pooled workload's :data:`~simulate.model.columns.POOL_YEAR_LINES` by year
        (NaN, from an infeasible row, counts as no fleet).
    months : ndarray, shape (years,)
        :func:`year_months`.
    discounts : dict of int to ndarray, shape (years,)
        Each pooled workload's :func:`mid_year_discount`.

    Returns
    -------
    cost, present_value : ndarray, shape (rows,)
        USD over the horizon, and discounted (the slots' depreciation counted as it
        accrues, a lease-equivalent).
    """
    cost = 0.0
    present_value = 0.0
    for pool in pools:
        member = np.nan_to_num(np.stack([lines[w] for w in pool.members]))
        slots = pool_slot_costs(
            member[:, 0],
            member[:, 1],
            member[:, 2],
            member[:, 3],
            months,
            pool.node_accelerators,
            pool.peak_share,
            pool.scale_up_hours,
        )["cost"]
        factors = np.stack([discounts[w] for w in pool.members])[:, :, None]
        cost = cost + slots.sum(axis=(0, 1))
        present_value = present_value + (slots * factors).sum(axis=(0, 1))
    return cost, present_value
