"""Tornado of a platform's totals: every workload's inputs and every shared factor swung
one at a time (``tco tornado PLATFORM``).

The inputs are those of the platform's design (:func:`simulate.engine.platform_columns.
platform_columns`) and, when asked, every workload's levers. A factor under one of the
platform's ``shared_factors`` prefixes is one param for the whole platform
(``power.spot_price_usd_per_mwh``: one site, one market), moved to the same quantile in
every workload that has it; every other factor, and every lever (each workload's own
decision), is one param per workload (``assistant-70b:demand.requests_per_day``), moved
in that workload alone. Everything else stays at base (levers at base, factors at their
medians), as in :func:`simulate.sensitivity.tornado.tornado`.

A platform KPI at an end is the platform's total in that state: the base total of every
workload, with the moved workloads' values in place of their base, and the shared
pools' empty node slots in that state (:mod:`simulate.model.pooling`: a pool's slots
move with any of its members). Each workload's rows are evaluated once, in one kernel
call per workload; the totals are sums of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from results.provenance import platform_attrs, provenance_attrs
from scenarios.platform import Platform, load_platform
from scenarios.routes import SHARE_PATH, scaled_demand, share_input
from simulate.engine.platform_columns import pooling_of, year_numbers
from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.model.inputs import base_matrix, input_matrix
from simulate.model.pooling import pool_line_names, pools_slot_totals
from simulate.sensitivity.platform_sobol import DEFAULT_PLATFORM_KPIS, PLATFORM_KPIS
from simulate.sensitivity.tornado import (
    DEFAULT_FACTOR_QUANTILES,
    DEFINITION,
    _ends,
    _reason,
    _Sweep,
    _sweep,
    _sweep_rows,
    check_quantiles,
    tornado_dataset,
)

__all__ = ["platform_tornado"]

PLATFORM_DEFINITION = (
    DEFINITION + "; a platform's shared factor moves to the same end in every workload that "
    "has it (its setting shown is the first such workload's value), a workload's own input "
    "(WORKLOAD:key.path) in that workload alone; the KPI is the platform's total there"
)


def _workload_rows(scenario, quantiles, years, include_levers):
    """One workload's sweeps, their rows and its KPI parts (cost, PV, tokens) per row."""
    items = (*scenario.levers(), *scenario.factors()) if include_levers else scenario.factors()
    sweeps = [_sweep(item, quantiles) for item in items]
    columns, rows, n = _sweep_rows(scenario, sweeps)
    outputs, flags = model_outputs(input_matrix(scenario, columns, n))
    return sweeps, rows, _kpi_parts(outputs, years), flags, _pool_lines(outputs, years)


def _pool_lines(outputs, years):
    """The pool lines of each row, shape (4, years, rows) (simulate.model.pooling)."""
    index = [col.OUTPUT_INDEX[name] for name in pool_line_names(len(years))]
    return outputs[:, index].T.reshape(len(col.POOL_YEAR_LINES), len(years), -1)


def _kpi_parts(outputs, years):
    """The parts of the platform KPIs per row: lifecycle cost, present value, tokens."""
    tokens = sum(outputs[:, col.OUTPUT_INDEX[f"tokens_year_{k}"]] for k in years)
    return np.stack(
        [
            outputs[:, col.OUTPUT_INDEX["lifecycle_total"]],
            outputs[:, col.OUTPUT_INDEX["present_value"]],
            tokens,
        ],
        axis=1,
    )


def platform_tornado(
    platform: Platform | str,
    kpis: Sequence[str] = DEFAULT_PLATFORM_KPIS,
    factor_quantiles: Sequence[float] = DEFAULT_FACTOR_QUANTILES,
    *,
    include_levers: bool = False,
    overrides: Sequence[str] = (),
):
    """One-at-a-time swings of a platform's inputs on its totals.

    Parameters
    ----------
    platform : Platform or str
        A validated platform, or a platform file or built-in name.
    kpis : sequence of str
        Keys of :data:`simulate.sensitivity.platform_sobol.PLATFORM_KPIS`.
    factor_quantiles : sequence of two floats
        Probabilities at which continuous factors are evaluated (default P10, P90).
    include_levers : bool
        Also swing every workload's levers over their ranges. Off by default: a lever's
        range is that of the scenario a workload extends (a 0-20 M USD PUE investment
        is a whole site's), so swung per workload it says little about the platform.
    overrides : sequence of str
        ``key.path=value`` applied to every workload when ``platform`` is a name or path.

    Returns
    -------
    xarray.Dataset
        The layout of :func:`simulate.sensitivity.tornado.tornado`, one ``param`` per
        shared input and per workload's own input, with the coordinate ``workload``
        (param: the workload, or ``shared``); platform provenance in attrs.
    """
    if not isinstance(platform, Platform):
        platform = load_platform(platform, overrides)
    names = list(dict.fromkeys([kpis] if isinstance(kpis, str) else kpis))
    unknown = [k for k in names if k not in PLATFORM_KPIS] or ([] if names else ["(none)"])
    if unknown:
        from scenarios.errors import did_you_mean

        raise ValueError(
            f"KPI {unknown[0]!r} is not a platform KPI{did_you_mean(unknown[0], PLATFORM_KPIS)}"
            f"; platform KPIs: {', '.join(PLATFORM_KPIS)}"
        )
    quantiles = check_quantiles(factor_quantiles)
    years = year_numbers(platform.horizon_years)
    evaluated = [
        _workload_rows(w.scenario, quantiles, years, include_levers) for w in platform.workloads
    ]
    if not any(e[0] for e in evaluated):
        raise ValueError(
            f"platform {platform.name}: no workload has an uncertain factor to swing; "
            "include the levers (--levers) or declare factors"
        )
    # Params: each shared path once (first-seen order), then every workload's own inputs.
    members: dict[str, list[tuple[int, int]]] = {}
    for w, (sweeps, *_) in enumerate(evaluated):
        for j, s in enumerate(sweeps):
            path = s.item.path
            # Levers are each workload's own decisions (a PUE investment, a fleet's
            # accelerator): only factors are one draw for the platform.
            shared = len(platform.workloads) == 1 or (
                s.item.kind == "factor" and platform.is_shared(path)
            )
            # A route's factors move with its parent's: one traffic, one draw.
            owner = platform.workloads[w]
            owner = owner.traffic if s.item.kind == "factor" else owner.name
            label = path if shared else f"{owner}:{path}"
            members.setdefault(label, []).append((w, j))
    labels = sorted(members, key=lambda label: ":" in label)
    base_parts = np.array([e[2][0] for e in evaluated])  # (workload, part)
    base_flags = np.bitwise_or.reduce([e[3][0] for e in evaluated])
    base_lines = {w: e[4][:, :, :1] for w, e in enumerate(evaluated)}
    slots = _Slots(pooling_of(platform), base_lines)
    platform_sweeps, platform_rows, blocks, block_flags = [], [], [], []
    start = 1
    for label in labels:
        w0, j0 = members[label][0]
        sweep = evaluated[w0][0][j0]
        count = len(sweep.values)
        total = np.broadcast_to(base_parts.sum(axis=0), (count, 3)).copy()
        moved = {w for w, _ in members[label]}
        # A row's mask: the moved workloads' rows, every other workload at its base.
        flags = np.full(
            count,
            np.bitwise_or.reduce(
                [0] + [int(e[3][0]) for w, e in enumerate(evaluated) if w not in moved]
            ),
            dtype=np.int64,
        )
        moved_lines = {}
        for w, j in members[label]:
            _, rows, parts, workload_flags, lines = evaluated[w]
            rs = rows[j]
            if rs.stop - rs.start != count:
                raise ValueError(
                    f"platform {platform.name}: the shared input {label} has "
                    f"{rs.stop - rs.start} choices in workload {platform.workloads[w].name} "
                    f"and {count} in {platform.workloads[w0].name}; give them the same "
                    "choices, or leave its prefix out of shared_factors"
                )
            total += parts[rs] - base_parts[w]
            flags |= workload_flags[rs]
            moved_lines[w] = lines[:, :, rs]
        total[:, :2] += slots.at(moved_lines, count)
        platform_sweeps.append(sweep)
        platform_rows.append(slice(start, start + count))
        blocks.append(total)
        block_flags.append(flags)
        start += count
    if include_levers:
        for label, sweep, total, flags in _route_shares(
            platform, years, base_parts, evaluated, slots
        ):
            labels.append(label)
            platform_sweeps.append(sweep)
            platform_rows.append(slice(start, start + 2))
            blocks.append(total)
            block_flags.append(flags)
            start += 2
    base_total = base_parts.sum(axis=0)
    base_total[:2] += slots.at({}, 1)[0]
    parts = np.vstack([base_total[None, :], *blocks])
    with np.errstate(invalid="ignore", divide="ignore"):
        per_1k = parts[:, 0] / parts[:, 2] * 1000.0
    kpi_table = np.column_stack([parts[:, 0], parts[:, 1], per_1k])
    kpi_columns = [list(PLATFORM_KPIS).index(name) for name in names]
    flags = np.concatenate([[base_flags], *block_flags]).astype(np.int64)
    ends = _ends(platform_sweeps, platform_rows, kpi_table, flags, kpi_columns)
    attrs = {
        **provenance_attrs(
            "tornado", f"Tornado (one-at-a-time sensitivity) of platform {platform.name}"
        ),
        **platform_attrs(platform),
        "kpi_meanings": "; ".join(f"{k}: {PLATFORM_KPIS[k][1]}" for k in names),
        "factor_quantiles": np.asarray(quantiles, dtype=np.float64),
        "swing_definition": PLATFORM_DEFINITION,
        "base_infeasible": _reason(base_flags),
        "rows_evaluated": int(sum(len(e[3]) for e in evaluated)),
    }
    ds = tornado_dataset(
        labels,
        platform_sweeps,
        names,
        ([PLATFORM_KPIS[k][0] for k in names], [PLATFORM_KPIS[k][1] for k in names]),
        kpi_table[0, kpi_columns],
        ends,
        attrs,
    )
    return ds.assign_coords(
        workload=(
            "param",
            [label.partition(":")[0] if ":" in label else "shared" for label in labels],
        )
    )


def _base_parts(scenario, years):
    """A scenario's base case as KPI parts (cost, PV, tokens), its mask and pool lines."""
    outputs, flags = model_outputs(base_matrix(scenario))
    return _kpi_parts(outputs, years)[0], int(flags[0]), _pool_lines(outputs, years)


class _Slots:
    """The shared pools' slot cost and present value in a state of the platform."""

    def __init__(self, pooling, base_lines):
        self.pooling = pooling
        self.base_lines = base_lines

    def at(self, moved_lines: dict, count: int) -> np.ndarray:
        """(cost, PV) per row, shape (count, 2): moved workloads' lines (4, years,
        count) in place of their base; zeros without pools."""
        if self.pooling is None:
            return np.zeros((count, 2))
        pools, months, discounts = self.pooling
        lines = {
            w: moved_lines.get(
                w, np.broadcast_to(self.base_lines[w], (*self.base_lines[w].shape[:2], count))
            )
            for w in discounts
        }
        cost, present_value = pools_slot_totals(pools, lines, months, discounts)
        return np.column_stack(
            [np.broadcast_to(cost, (count,)), np.broadcast_to(present_value, (count,))]
        )


def _route_shares(platform, years, base_parts, evaluated, slots):
    """Each route's share lever at its two ends: the route and its parent rescaled.

    Yields ``(label, sweep, totals (2, 3), flags (2,))``: the platform's totals with the
    route serving ``low`` and ``high`` of its parent's requests and the parent the rest,
    every other workload at base.
    """
    index = {w.name: i for i, w in enumerate(platform.workloads)}
    for r, route in enumerate(platform.workloads):
        share = route.share
        if share is None or not share.low < share.high:
            continue
        p = index[route.route_of]
        parent = platform.workloads[p]
        others = sum(
            w.share.base for w in platform.workloads if w.route_of == parent.name and w is not route
        )
        parent_rest = 1.0 - others - share.base
        where = f"{platform.source}: workload {route.name}"
        totals, masks = [], []
        for value in (share.low, share.high):
            new_parent, parent_flags, parent_lines = _base_parts(
                scaled_demand(parent.scenario, (1.0 - others - value) / parent_rest, where),
                years,
            )
            new_route, route_flags, route_lines = _base_parts(
                scaled_demand(route.scenario, value / share.base, where), years
            )
            total = base_parts.sum(axis=0) - base_parts[p] - base_parts[r] + new_parent + new_route
            total[:2] += slots.at({p: parent_lines, r: route_lines}, 1)[0]
            totals.append(total)
            rest = [int(e[3][0]) for w, e in enumerate(evaluated) if w not in (p, r)]
            masks.append(np.bitwise_or.reduce([0, *rest]) | parent_flags | route_flags)
        sweep = _Sweep(
            share_input(share),
            "range",
            [share.low, share.high],
            [f"{share.low:g}", f"{share.high:g}"],
        )
        yield f"{route.name}:{SHARE_PATH}", sweep, np.array(totals), np.array(masks)
