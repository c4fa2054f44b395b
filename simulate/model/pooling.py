"""The empty node slots of a shared pool and of fleets on nodes of their own, priced.

Replicas are whole powers of two of accelerators and nodes hold a power of two, so
first-fit decreasing packs a pool's replicas into nodes that are all full but the
last (items whose sizes divide each other pack perfectly: Coffman, Garey and Johnson,
"Bin packing with divisible item sizes", Journal of Complexity 3, 1987). A level of
``L`` accelerators of replicas then needs ``k ceil(L / k)`` on nodes of ``k``; the
difference is idle slots (``S_p``, ``S_o`` at the peak and off-peak), their
accelerator-hours those :func:`simulate.model.stages.fleet_size` adds for a fleet on
whole nodes (:func:`simulate.model.stages.idle_slot_hours`), paid as the fleet is
(rent, or depreciation, maintenance, facility and idle power:
:func:`simulate.model.timeline.idle_slot_rates`).

For a pool of workloads with levels ``n_w`` the slots are those of ``sum n_w``; on nodes
of their own, ``sum (k ceil(n_w / k) - n_w)``: pooling can only save, by less than one
node per workload and level. A pool's slot-hours are shared out to its workloads in
proportion to their accelerator-hours, each at its own slot rate.

Arrays in, arrays out: ``(workload, line, year, sample)`` for the workloads' lines (the
kernel's ``fleet_year_k`` etc.), the pool's parameters as numbers; one compiled pass over
the samples (the tests hold a NumPy twin).
"""

from __future__ import annotations

import numpy as np

from distributions.jit import jit
from simulate.model import columns as col
from simulate.model.stages import idle_slot_hours

__all__ = [
    "mid_year_discount",
    "pool_line_names",
    "pool_slot_costs",
    "pools_slot_totals",
    "year_months",
]


def year_months(horizon_years: float, years: int) -> np.ndarray:
    """Months each year column of the plan holds (the last column: every later year too)."""
    starts = np.arange(years, dtype=np.float64)
    months = 12.0 * np.clip(horizon_years - starts, 0.0, 1.0)
    if years == col.MAX_YEARS:
        months[-1] = 12.0 * max(horizon_years - (years - 1), 0.0)
    return months


def pool_slot_costs(
    lines: np.ndarray,
    months: np.ndarray,
    node_accelerators: int,
    peak_share: float = 1.0,
    scale_up_hours: float = 0.0,
) -> dict[str, np.ndarray]:
    """What a pool's empty slots cost each member, and what nodes of their own would.

    Parameters
    ----------
    lines : ndarray of float64, shape (workloads, 4, years, n)
        Each member's :data:`~simulate.model.columns.POOL_YEAR_LINES` by year: the
        accelerators at the daily peak and off-peak (whole replicas, the kernel run with
        nodes of 1), what an idle accelerator costs an hour and the depreciation in it
        (USD/h). NaN (an infeasible sample) counts as no fleet.
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
        USD in the year, and the depreciation in it; ``separate`` (n,): the slots of nodes
        of their own for all members over the horizon, USD; ``nodes`` (years, n): the
        pool's nodes at the peak; ``packing`` (years, n): replicas' accelerators over the
        nodes' at the peak (1 for an empty pool).
    """
    lines = np.ascontiguousarray(lines, dtype=np.float64)
    members, _, years, n = lines.shape
    if lines.shape[1] != len(col.POOL_YEAR_LINES) or months.shape != (years,):
        raise ValueError(
            f"lines of shape {lines.shape} and months of shape {months.shape}: expected "
            f"(workloads, {len(col.POOL_YEAR_LINES)}, years, n) and (years,)"
        )
    cost = np.empty((members, years, n))
    capex = np.empty((members, years, n))
    separate = np.empty(n)
    nodes = np.empty((years, n))
    packing = np.empty((years, n))
    _pool_pass(
        lines,
        np.asarray(months, dtype=np.float64),
        float(node_accelerators),
        float(peak_share),
        float(scale_up_hours),
        (cost, capex, separate, nodes, packing),
    )
    return {"cost": cost, "capex": capex, "separate": separate, "nodes": nodes, "packing": packing}


@jit
def _pool_pass(lines, months, node, peak_share, scale_up_hours, out):
    """One pass over the samples of :func:`pool_slot_costs` (compiled: no temporaries).

    Years outermost, samples next: each member's line of a year is read in order.
    """
    cost, capex, separate, nodes, packing = out
    members, _, years, n = lines.shape
    separate[:] = 0.0
    for y in range(years):
        for i in range(n):
            total_peak = 0.0
            total_off = 0.0
            used_total = 0.0
            own_hours = 0.0
            for j in range(members):
                peak = lines[j, 0, y, i]
                off = lines[j, 1, y, i]
                if not (np.isfinite(peak) and np.isfinite(off)):
                    continue
                total_peak += peak
                total_off += off
                used_total += peak_share * peak + (1.0 - peak_share) * off
                own_hours += (
                    idle_slot_hours(
                        np.ceil(peak / node) * node - peak,
                        np.ceil(off / node) * node - off,
                        peak_share,
                        scale_up_hours,
                    )
                    * lines[j, 2, y, i]
                )
            separate[i] += own_hours * months[y]
            pool_hours = (
                idle_slot_hours(
                    np.ceil(total_peak / node) * node - total_peak,
                    np.ceil(total_off / node) * node - total_off,
                    peak_share,
                    scale_up_hours,
                )
                * months[y]
            )
            for j in range(members):
                peak = lines[j, 0, y, i]
                off = lines[j, 1, y, i]
                if not (np.isfinite(peak) and np.isfinite(off)):
                    cost[j, y, i] = 0.0
                    capex[j, y, i] = 0.0
                    continue
                if used_total > 0.0:
                    share = (peak_share * peak + (1.0 - peak_share) * off) / used_total
                else:
                    share = 1.0 / members
                cost[j, y, i] = share * pool_hours * lines[j, 2, y, i]
                capex[j, y, i] = share * pool_hours * lines[j, 3, y, i]
            count = np.ceil(total_peak / node)
            nodes[y, i] = count
            packing[y, i] = total_peak / (count * node) if count > 0.0 else 1.0


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
        slots = pool_slot_costs(
            np.stack([lines[w] for w in pool.members]),
            months,
            pool.node_accelerators,
            pool.peak_share,
            pool.scale_up_hours,
        )["cost"]
        factors = np.stack([discounts[w] for w in pool.members])[:, :, None]
        cost = cost + slots.sum(axis=(0, 1))
        present_value = present_value + (slots * factors).sum(axis=(0, 1))
    return cost, present_value
