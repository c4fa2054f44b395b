"""Plain-NumPy reference implementation of the cost model.

Written independently of :mod:`simulate.model.kernel` (whole-array operations, no
Numba, no shared helpers) so that it can serve as the test oracle for the kernel
and as the baseline of the speed benchmark. It must agree with the kernel to
1e-12 relative on valid inputs.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erfc

from simulate.model import columns as col


def _valid_rows(x: np.ndarray) -> np.ndarray:
    finite = np.isfinite(x)
    finite[:, col.IN_TTFT_SLO_S] |= x[:, col.IN_TTFT_SLO_S] == np.inf  # no TTFT bound
    at_least = np.zeros(x.shape[1])
    at_least[col.IN_GROWTH_PER_MONTH] = -1.0
    ok = np.all(finite & (x >= at_least), axis=1)
    ok &= x[:, col.IN_GROWTH_PER_MONTH] > -1.0
    # The plan walks the horizon a year and a life at a time: both kept bounded.
    ok &= x[:, col.IN_HORIZON_YEARS] <= col.MAX_HORIZON_YEARS
    positive = list(col.POSITIVE_INPUTS)
    unit_interval = list(col.AT_MOST_ONE_INPUTS)
    ok &= np.all(x[:, positive] > 0.0, axis=1)
    ok &= np.all(x[:, unit_interval] <= 1.0, axis=1)
    ok &= (x[:, col.IN_PROMPT_SHARE] > 0.0) & (x[:, col.IN_PROMPT_SHARE] < 1.0)
    ok &= (x[:, col.IN_PUE_BASE] >= 1.0) & (x[:, col.IN_PUE_FLOOR] >= 1.0)
    ok &= (x[:, col.IN_FINETUNE_RL_FACTOR] >= 1.0) & (x[:, col.IN_PEAK_TO_AVERAGE] >= 1.0)
    return ok


def reference_outputs(inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Evaluate the cost model with whole-array NumPy operations.

    Parameters
    ----------
    inputs : ndarray of float64, shape (n, N_INPUTS)
        One sample per row, columns as in :data:`simulate.model.columns.INPUTS`.

    Returns
    -------
    outputs : ndarray of float64, shape (n, N_OUTPUTS)
        Outputs as in :data:`simulate.model.columns.OUTPUTS`, NaN for structurally
        infeasible rows.
    flags : ndarray of int64, shape (n,)
        Infeasibility bit masks.
    """
    x = np.asarray(inputs, dtype=np.float64)
    n = x.shape[0]
    flags = np.zeros(n, dtype=np.int64)
    out = np.full((n, col.N_OUTPUTS), np.nan)
    valid = _valid_rows(x)
    # The plan replaces owned accelerators life by life: a horizon of more than
    # MAX_LIVES_IN_HORIZON lives is refused as an invalid input (as the kernel does).
    with np.errstate(invalid="ignore"):
        valid &= ~(
            x[:, col.IN_HORIZON_YEARS] > col.MAX_LIVES_IN_HORIZON * x[:, col.IN_HARDWARE_LIFE_YEARS]
        )
    flags[~valid] = col.FLAG_INVALID_INPUT
    # Evaluate on a sanitised copy so invalid rows cannot raise warnings; they are masked below.
    x = np.where(valid[:, None], x, _harmless_row(x)[None, :])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        _reference_rows(x, out, flags)
    out[~valid] = np.nan
    flags[~valid] = col.FLAG_INVALID_INPUT  # the stand-in row's own flags do not count
    return out, flags


def _harmless_row(x: np.ndarray) -> np.ndarray:
    # Any valid row works as a stand-in; the first valid one, or ones (masked anyway).
    row = np.ones(x.shape[1])
    row[col.IN_PROMPT_SHARE] = 0.5
    row[col.IN_PUE_BASE] = row[col.IN_PUE_FLOOR] = 1.0
    return row


def _allreduce(x, tp):
    """Fixed and per-token seconds of a step's tensor-parallel all-reduces."""
    m = np.minimum(tp, x[:, col.IN_HW_SCALE_UP_SIZE])
    layers2 = 2.0 * x[:, col.IN_N_LAYERS]
    link = x[:, col.IN_HW_LINK_BYTES_PER_S]
    safe_link = np.where(link > 0.0, link, 1.0)
    per_token = np.where(
        (m > 1.0) & (link > 0.0),
        layers2 * 2.0 * (m - 1.0) / m * 2.0 * x[:, col.IN_HIDDEN_SIZE] / safe_link,
        0.0,
    )
    fixed = np.where(m > 1.0, layers2 * x[:, col.IN_ALLREDUCE_LATENCY_S], 0.0)
    return fixed, per_token


def _fleet_size(x, busy_hours, tp_safe):
    """Accelerators and accelerator-hours a month for ``busy_hours`` of serving a month."""
    planned_u = np.minimum(
        1.0, x[:, col.IN_UTILIZATION_TARGET] * x[:, col.IN_UTILIZATION_ACHIEVED_RATIO]
    )
    fleet = np.ceil(busy_hours / (col.HOURS_PER_MONTH * planned_u))
    fleet_peak = np.ceil(busy_hours * x[:, col.IN_PEAK_TO_AVERAGE] / col.HOURS_PER_MONTH)
    fleet = np.maximum(np.maximum(fleet, fleet_peak), tp_safe)
    fleet = np.ceil(fleet / tp_safe) * tp_safe
    fleet_hours = fleet * col.HOURS_PER_MONTH
    # A rented fleet that autoscales over the two-level daily profile: whole replicas at
    # the planned utilisation in each level, plus the cold starts of the daily scale-up.
    share = np.minimum(x[:, col.IN_PEAK_HOURS_PER_DAY] / 24.0, 1.0)
    scaling = (
        (x[:, col.IN_FLEET_CLOUD] > 0.5)
        & (x[:, col.IN_FLEET_API] <= 0.5)
        & (x[:, col.IN_AUTOSCALE] > 0.5)
        & (share < 1.0)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        level_peak = np.minimum(x[:, col.IN_PEAK_TO_AVERAGE], 1.0 / share)
        level_off = (1.0 - level_peak * share) / (1.0 - share)
        mean_fleet = busy_hours / (col.HOURS_PER_MONTH * planned_u)
        n_peak = np.ceil(np.maximum(np.ceil(mean_fleet * level_peak), tp_safe) / tp_safe) * tp_safe
        n_off = np.ceil(np.maximum(np.ceil(mean_fleet * level_off), tp_safe) / tp_safe) * tp_safe
        scaled_hours = (
            col.HOURS_PER_MONTH * (share * n_peak + (1.0 - share) * n_off)
            + col.DAYS_PER_MONTH * (n_peak - n_off) * x[:, col.IN_SCALE_UP_HOURS]
        )
    fleet = np.where(scaling, n_peak, fleet)
    fleet_hours = np.where(scaling, scaled_hours, fleet_hours)
    base = np.where(scaling, n_off, fleet)
    # A serverless endpoint billed per second: continuous levels, a warm replica while
    # requests come within the idle timeout, a cold start per request that finds none.
    per_second = (
        (x[:, col.IN_FLEET_CLOUD] > 0.5)
        & (x[:, col.IN_FLEET_API] <= 0.5)
        & (x[:, col.IN_PER_SECOND_BILLING] > 0.5)
    )
    if np.any(per_second):
        f, r, r_off = _daily_levels(x)
        cold_peak, cold_off = _cold_chances(x, r, r_off)
        mean_fleet = busy_hours / (col.HOURS_PER_MONTH * planned_u)
        need_peak = np.maximum(mean_fleet * r, tp_safe * (1.0 - cold_peak))
        need_off = np.maximum(mean_fleet * r_off, tp_safe * (1.0 - cold_off))
        cold_share = f * r * cold_peak + (1.0 - f) * r_off * cold_off
        starts = x[:, col.IN_REQUESTS_PER_DAY] * col.DAYS_PER_MONTH * cold_share
        hours = (
            col.HOURS_PER_MONTH * (f * need_peak + (1.0 - f) * need_off)
            + (starts * tp_safe + col.DAYS_PER_MONTH * mean_fleet * (r - r_off))
            * x[:, col.IN_SCALE_UP_HOURS]
        )
        peak_fleet = np.ceil(np.maximum(np.ceil(mean_fleet * r), tp_safe) / tp_safe) * tp_safe
        fleet = np.where(per_second, peak_fleet, fleet)
        fleet_hours = np.where(per_second, hours, fleet_hours)
        base = np.where(per_second, peak_fleet, base)
    spare = np.ceil(fleet * x[:, col.IN_REDUNDANCY_FRACTION] / tp_safe) * tp_safe
    fleet = fleet + spare
    fleet_hours = fleet_hours + spare * col.HOURS_PER_MONTH
    base = base + spare
    # Whole nodes: each level rounded up to nodes of node_accelerators, the empty slots
    # paid like the fleet's hours (not for a serverless endpoint).
    node = np.broadcast_to(x[:, col.IN_NODE_ACCELERATORS], np.shape(fleet))
    rounding = (node > tp_safe) & ~per_second
    safe_node = np.where(rounding, node, 1.0)
    slots_peak = np.where(rounding, np.ceil(fleet / safe_node) * safe_node - fleet, 0.0)
    slots_off = np.where(rounding, np.ceil(base / safe_node) * safe_node - base, 0.0)
    two_levels = fleet > base
    fleet_hours = fleet_hours + np.where(
        two_levels,
        col.HOURS_PER_MONTH * (share * slots_peak + (1.0 - share) * slots_off)
        + col.DAYS_PER_MONTH * (slots_peak - slots_off) * x[:, col.IN_SCALE_UP_HOURS],
        slots_peak * col.HOURS_PER_MONTH,
    )
    return fleet + slots_peak, fleet_hours, base + slots_off


def _cold_chances(x, level_peak, level_off):
    """Chance a request finds a serverless endpoint cold, peak and off-peak (Poisson)."""
    per_s = x[:, col.IN_REQUESTS_PER_DAY] / 86400.0
    timeout = x[:, col.IN_IDLE_TIMEOUT_S]
    return np.exp(-per_s * level_peak * timeout), np.exp(-per_s * level_off * timeout)


def _daily_levels(x):
    """The two-level day: the peak's share of the hours, the peak and off-peak levels."""
    share = np.minimum(x[:, col.IN_PEAK_HOURS_PER_DAY] / 24.0, 1.0)
    all_day = share >= 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(all_day, 1.0, np.minimum(x[:, col.IN_PEAK_TO_AVERAGE], 1.0 / share))
        r_off = np.where(all_day, 1.0, (1.0 - r * share) / (1.0 - share))
    return np.where(all_day, 1.0, share), r, r_off


def _cold_start_share(x):
    """Share of requests that find a serverless endpoint cold; 0 for other fleets."""
    f, r, r_off = _daily_levels(x)
    cold_peak, cold_off = _cold_chances(x, r, r_off)
    per_second = (
        (x[:, col.IN_FLEET_CLOUD] > 0.5)
        & (x[:, col.IN_FLEET_API] <= 0.5)
        & (x[:, col.IN_PER_SECOND_BILLING] > 0.5)
    )
    return np.where(per_second, f * r * cold_peak + (1.0 - f) * r_off * cold_off, 0.0)


def _rented_rent(x, fleet, base, fleet_hours):
    """A rented fleet's rent a month: committed accelerators, the rest on demand (USD)."""
    preempted = x[:, col.IN_INTERRUPTIONS_PER_DAY] * x[:, col.IN_HOURS_LOST_PER_INTERRUPTION] / 24.0
    rate = x[:, col.IN_HW_CLOUD_USD_PER_HOUR] * x[:, col.IN_CLOUD_RATE_MULTIPLIER]
    committed = np.broadcast_to(x[:, col.IN_COMMITTED_ACCELERATORS], np.shape(fleet))
    share = np.where(fleet > base, np.minimum(x[:, col.IN_PEAK_HOURS_PER_DAY] / 24.0, 1.0), 0.0)
    on_demand = col.HOURS_PER_MONTH * (
        share * np.maximum(fleet - committed, 0.0)
        + (1.0 - share) * np.maximum(base - committed, 0.0)
    ) + col.DAYS_PER_MONTH * x[:, col.IN_SCALE_UP_HOURS] * np.maximum(
        fleet - np.maximum(base, committed), 0.0
    )
    with_commitment = on_demand * (1.0 + preempted) * rate + committed * col.HOURS_PER_MONTH * (
        rate * (1.0 - x[:, col.IN_COMMIT_DISCOUNT])
    )
    all_on_demand = (
        fleet_hours
        * (1.0 + preempted)
        * x[:, col.IN_HW_CLOUD_USD_PER_HOUR]
        * x[:, col.IN_CLOUD_RATE_MULTIPLIER]
    )
    return np.where(committed > 0.0, with_commitment, all_on_demand)


def _plan_over_years(x, out, month, training_cost, training_capex, pue_capex, refresh):
    """The horizon a year at a time, as whole-array operations over the rows.

    Demand ``D(t) = D_0 (1 + g)^(12 t)``; a year's mean demand is the integral of that
    over the year; an owned fleet is sized at the year's busiest end and never sold
    (but for a refresh, which sells it at book value); each purchase depreciates
    straight-line to its salvage value and is replaced at the end of its life at the
    declined price. ``refresh`` is ``(year per row, inf for none; the refreshed month
    or None)``. Writes the year dimension of ``out``.

    Returns
    -------
    lifecycle, capex, tokens, revenue, present_value, residual : ndarray
        Per row, over the horizon.
    """
    n = out.shape[0]
    refresh_at, refreshed = refresh
    horizon = np.broadcast_to(x[:, col.IN_HORIZON_YEARS], (n,))
    growth = np.broadcast_to(x[:, col.IN_GROWTH_PER_MONTH], (n,))
    life = np.broadcast_to(x[:, col.IN_HARDWARE_LIFE_YEARS], (n,))
    salvage = x[:, col.IN_SALVAGE_FRACTION]
    maint = x[:, col.IN_MAINTENANCE_FRACTION_PER_YEAR]
    hw_kept = 1.0 - x[:, col.IN_HW_PRICE_DECLINE_PER_YEAR]
    cloud_kept = 1.0 - x[:, col.IN_CLOUD_RATE_DECLINE_PER_YEAR]
    api_kept = 1.0 - x[:, col.IN_API_PRICE_DECLINE_PER_YEAR]
    training_kept = np.where(x[:, col.IN_TRAIN_CLOUD] > 0.5, cloud_kept, 1.0)
    v = 1.0 / (1.0 + x[:, col.IN_DISCOUNT_RATE])  # a year's discount factor
    owned, cloud, api = month["owned"], month["cloud"], month["api"]
    committing = cloud & (x[:, col.IN_COMMITTED_ACCELERATORS] > 0.0)
    moving = growth != 0.0
    rate = 12.0 * np.log1p(growth)  # continuous growth per year
    safe_rate = np.where(moving, rate, 1.0)

    def level(t):
        return np.where(moving, np.exp(rate * t), 1.0)

    def generation(after, key):
        """A steady-month value of the accelerator in service: refreshed or not."""
        if refreshed is None:
            return month[key]
        return np.where(after, refreshed[key], month[key])

    def sized(after, key, busy):
        first = month[key](busy)
        if refreshed is None:
            return first
        second = refreshed[key](busy)
        return tuple(np.where(after, b, a) for a, b in zip(first, second, strict=True))

    egress = (
        x[:, col.IN_EGRESS_USD_PER_GB] * x[:, col.IN_EGRESS_BYTES_PER_TOKEN] * month["tokens"] / 1e9
    )
    fee = np.where(api, x[:, col.IN_API_PLATFORM_USD_PER_MONTH], 0.0)
    last = col.MAX_YEARS - 1
    for j in range(col.OUT_COST_YEAR, col.N_OUTPUTS):
        out[:, j] = 0.0

    def add(line, year, values):
        out[:, line + min(year, last)] += values

    def add_by_row(line, years, values):
        k = np.minimum(np.floor(years), last).astype(np.int64)
        np.add.at(out, (np.arange(n), line + k), np.broadcast_to(values, (n,)))

    zero = np.zeros(n)
    lifecycle = zero + pue_capex
    capex = zero + pue_capex + training_capex
    present = zero + pue_capex
    tokens = zero.copy()
    revenue = zero.copy()
    residual = zero.copy()
    retiring = zero.copy()  # book value of the cohorts a refresh sells
    add(col.OUT_COST_YEAR, 0, pue_capex)
    add(col.OUT_CAPEX_YEAR, 0, pue_capex)
    add(col.OUT_PURCHASES_YEAR, 0, pue_capex)
    held = zero.copy()
    for y in range(int(np.ceil(horizon.max()))):
        live = y < horizon
        start = float(y)
        after = refresh_at <= start
        switching = refresh_at == start
        if switching.any():
            add(col.OUT_PURCHASES_YEAR, y, -np.where(switching, retiring, 0.0))
            present = present - np.where(switching, retiring, 0.0) * v**start
            held = np.where(switching, 0.0, held)
        end = np.minimum(start + 1.0, horizon)
        span = np.where(live, end - start, 0.0)
        safe_span = np.where(live, span, 1.0)
        mean = np.where(moving, (level(end) - level(start)) / (safe_rate * safe_span), 1.0)
        tokens_month = month["tokens"] * mean
        base_busy = generation(after, "busy_hours")
        busy = base_busy * mean
        steady_fleet = generation(after, "fleet")
        steady_hours = generation(after, "fleet_hours")
        peak_fleet, _, _ = sized(
            after, "fleet_at", base_busy * np.maximum(level(start), level(end))
        )
        mean_fleet, mean_hours, mean_base = sized(after, "fleet_at", busy)
        need = np.where(moving, peak_fleet, steady_fleet)
        bought = np.where(owned & live, np.maximum(need - held, 0.0), 0.0)
        held = held + bought
        fleet = np.where(owned, held, np.where(moving, mean_fleet, steady_fleet))
        fleet_hours = np.where(
            owned, held * col.HOURS_PER_MONTH, np.where(moving, mean_hours, steady_hours)
        )
        u_year = busy / np.where(fleet_hours > 0.0, fleet_hours, 1.0)
        mwh_moving = month["mwh_at"](u_year, fleet_hours)
        penalty_moving = month["penalty_at"](u_year, tokens_month)
        if refreshed is not None:
            mwh_moving = np.where(after, refreshed["mwh_at"](u_year, fleet_hours), mwh_moving)
            penalty_moving = np.where(
                after, refreshed["penalty_at"](u_year, tokens_month), penalty_moving
            )
        mwh = np.where(moving, mwh_moving, generation(after, "mwh"))
        penalty = np.where(moving, penalty_moving, generation(after, "penalty"))
        steady_rent = generation(after, "rent")
        rent_rate = np.where(steady_hours > 0.0, steady_rent / steady_hours, 0.0)
        per_acc_facility = np.where(owned, generation(after, "facility_power") / steady_fleet, 0.0)
        running = month["overhead"] - egress + egress * mean + penalty
        running = running + np.where(
            owned, mwh * month["power_price"] + per_acc_facility * fleet, 0.0
        )
        # A commitment prices the year's levels (peak, off-peak), not its hours.
        levels = (mean_fleet, mean_base, mean_hours)
        rent_committed = month["rent_at"](levels)
        if refreshed is not None:
            rent_committed = np.where(after, refreshed["rent_at"](levels), rent_committed)
        rent_year = np.where(committing, rent_committed, fleet_hours * rent_rate)
        running = running + np.where(cloud, rent_year * cloud_kept**start, 0.0)
        running = running + np.where(
            api, (month["api_charges"] - fee) * mean * api_kept**start + fee, 0.0
        )
        year_cost = np.where(
            live, 12.0 * span * running + training_cost * span / horizon * training_kept**start, 0.0
        )
        lifecycle = lifecycle + year_cost
        present = present + year_cost * v ** (start + 0.5 * span)
        tokens = tokens + np.where(live, 12.0 * span * tokens_month, 0.0)
        revenue = revenue + np.where(live, 12.0 * span * month["revenue"] * mean, 0.0)
        add(col.OUT_COST_YEAR, y, year_cost)
        add(col.OUT_CAPEX_YEAR, y, np.where(live, training_capex * span / horizon, 0.0))
        add(col.OUT_PURCHASES_YEAR, y, np.where(live, training_capex * span / horizon, 0.0))
        add(col.OUT_TOKENS_YEAR, y, np.where(live, 12.0 * span * tokens_month, 0.0))
        # The pool lines: the year's levels and what an idle slot costs an hour.
        preempted = (
            x[:, col.IN_INTERRUPTIONS_PER_DAY] * x[:, col.IN_HOURS_LOST_PER_INTERRUPTION] / 24.0
        )
        cloud_rate = np.where(
            after, x[:, col.IN_REFRESH_HW_CLOUD_USD_PER_HOUR], x[:, col.IN_HW_CLOUD_USD_PER_HOUR]
        )
        rent_h = cloud_rate * x[:, col.IN_CLOUD_RATE_MULTIPLIER] * (1.0 + preempted)
        per_hour = generation(after, "unit_price") * hw_kept**start / col.HOURS_PER_YEAR
        slot_capex = per_hour * (1.0 - salvage) / life
        idle_mwh = month["mwh_at"](0.0, 1.0)
        if refreshed is not None:
            idle_mwh = np.where(after, refreshed["mwh_at"](0.0, 1.0), idle_mwh)
        owned_slot = (
            slot_capex
            + per_hour * maint
            + per_acc_facility / col.HOURS_PER_MONTH
            + idle_mwh * month["power_price"]
        )
        k = min(y, last)
        pool_lines = (
            (col.OUT_FLEET_YEAR, fleet),
            (col.OUT_FLEET_OFF_YEAR, np.where(owned, held, mean_base)),
            (
                col.OUT_SLOT_USD_PER_HOUR_YEAR,
                np.where(owned, owned_slot, rent_h * cloud_kept**start),
            ),
            (col.OUT_SLOT_CAPEX_USD_PER_HOUR_YEAR, np.where(owned, slot_capex, 0.0)),
        )
        for line, values in pool_lines:
            out[:, line + k] = np.where(live & ~api, values, out[:, line + k])
        # The cohort bought this year: each purchase in service for a life, then replaced,
        # until the horizon or the refresh that sells it.
        until = np.where(start < refresh_at, np.minimum(refresh_at, horizon), horizon)
        sold = until < horizon
        units = bought * generation(after, "unit_price")
        previous = zero.copy()
        purchase = np.full(n, start)
        while np.any((units > 0.0) & (purchase < until)):
            active = (units > 0.0) & (purchase < until)
            price = np.where(active, units * hw_kept**purchase, 0.0)
            net = np.where(active, price - salvage * previous, 0.0)  # trade-in of the retired
            add_by_row(col.OUT_PURCHASES_YEAR, np.where(active, purchase, 0.0), net)
            present = present + net * v**purchase
            retired = np.minimum(purchase + life, until)
            dep_rate = price * (1.0 - salvage) / life
            for t in range(int(np.floor(purchase.min())), int(np.ceil(horizon.max()))):
                overlap = np.maximum(
                    np.minimum(retired, t + 1.0) - np.maximum(purchase, float(t)), 0.0
                )
                overlap = np.where(active, overlap, 0.0)
                middle = 0.5 * (np.maximum(purchase, float(t)) + np.minimum(retired, t + 1.0))
                add(col.OUT_COST_YEAR, t, (dep_rate + price * maint) * overlap)
                add(col.OUT_CAPEX_YEAR, t, dep_rate * overlap)
                lifecycle = lifecycle + (dep_rate + price * maint) * overlap
                capex = capex + dep_rate * overlap
                present = present + price * maint * overlap * v**middle
            ends = active & (purchase + life >= until)
            book = np.where(ends, price - dep_rate * (until - purchase), 0.0)
            residual = residual + np.where(sold, 0.0, book)
            retiring = retiring + np.where(sold, book, 0.0)
            previous = price
            purchase = purchase + life
    present = present - residual * v**horizon
    return lifecycle, capex, tokens, revenue, present, residual


def _latency(x, b, tp, weight_bytes, routed_bytes, kv_per_token, flops, fractions, shape):
    """TPOT and P99 TTFT of ``b`` sequences on ``tp`` accelerators, element-wise."""
    mbu, mfu_dec, mfu_pre = fractions
    prompt, completion, resident = shape
    spans = tp > x[:, col.IN_HW_SCALE_UP_SIZE]
    scale = np.where(spans, tp * x[:, col.IN_INTERNODE_EFFICIENCY], tp)
    bw = scale * x[:, col.IN_HW_BANDWIDTH_BYTES_PER_S] * mbu
    dec = scale * flops * mfu_dec
    pre = scale * flops * mfu_pre
    experts = x[:, col.IN_MOE_EXPERTS]
    safe_experts = np.where(experts > 0.0, experts, 1.0)
    touched = np.where(
        experts > 0.0, 1.0 - (1.0 - x[:, col.IN_MOE_EXPERTS_PER_TOKEN] / safe_experts) ** b, 1.0
    )
    read = weight_bytes - routed_bytes + routed_bytes * touched
    n_act = x[:, col.IN_PARAMS_ACTIVE]
    d_attn = x[:, col.IN_N_LAYERS] * x[:, col.IN_ATTENTION_DIM]
    gemm = read / bw + 2.0 * n_act * b / dec
    attention = np.maximum(kv_per_token * resident / bw, 4.0 * d_attn * resident / dec)
    comm_fixed, comm_per_token = _allreduce(x, tp)
    step = x[:, col.IN_STEP_OVERHEAD_S] + comm_fixed + gemm + b * (attention + comm_per_token)
    hit = x[:, col.IN_PREFIX_CACHE_HIT_SHARE]
    t_pre = (2.0 * n_act + 2.0 * d_attn * prompt * (1.0 + hit)) / pre + comm_per_token
    service = prompt * (1.0 - hit) * t_pre
    tpot = step + b / completion * service
    rho = b / (completion * tpot) * service
    safe_rho = np.where((rho > 0.01) & (rho < 1.0), rho, 0.5)
    wait = np.where(
        rho > 0.01,
        rho * service / (2.0 * (1.0 - safe_rho)) * np.log(100.0 * safe_rho) / safe_rho,
        0.0,
    )
    ttft = np.where(rho >= 1.0, np.inf, service + wait)
    return tpot, ttft, touched, t_pre, service, bw, dec


def _reference_rows(x: np.ndarray, out: np.ndarray, flags: np.ndarray, month_only=False):
    """The whole model on every row into ``out`` and ``flags``; with ``month_only``, stop
    at the steady month and return it (the refresh accelerator's, see below)."""
    n = x.shape[0]
    weight_bytes = x[:, col.IN_PARAMS_TOTAL] * x[:, col.IN_WEIGHT_BITS] / 8.0
    routed_bytes = x[:, col.IN_MOE_ROUTED_PARAMS] * x[:, col.IN_WEIGHT_BITS] / 8.0
    kv_per_token = (
        x[:, col.IN_N_LAYERS]
        * x[:, col.IN_KV_VALUES_PER_TOKEN_PER_LAYER]
        * x[:, col.IN_KV_BITS]
        / 8.0
    )
    n_act = x[:, col.IN_PARAMS_ACTIVE]
    memory = x[:, col.IN_HW_MEMORY_BYTES]
    # Math path: the narrowest the precision allows and the chip has (FP4, FP8, BF16).
    bits = np.where(
        x[:, col.IN_COMPUTE_BITS] == 0.0, x[:, col.IN_WEIGHT_BITS], x[:, col.IN_COMPUTE_BITS]
    )
    fp4 = (bits <= 4.0) & (x[:, col.IN_HW_PEAK_FP4_FLOPS] > 0.0)
    fp8 = ~fp4 & (bits <= 8.0) & (x[:, col.IN_HW_PEAK_FP8_FLOPS] > 0.0)
    flops = np.where(
        fp4,
        x[:, col.IN_HW_PEAK_FP4_FLOPS],
        np.where(fp8, x[:, col.IN_HW_PEAK_FP8_FLOPS], x[:, col.IN_HW_PEAK_BF16_FLOPS]),
    )
    path_bits = np.where(fp4, 4.0, np.where(fp8, 8.0, 16.0))
    q = x[:, col.IN_EFFICIENCY_QUANTILE]

    def within(low, high):
        return x[:, low] + q * (x[:, high] - x[:, low])

    compute_eff = within(col.IN_HW_COMPUTE_EFF_LOW, col.IN_HW_COMPUTE_EFF_HIGH)
    bandwidth_eff = within(col.IN_HW_BANDWIDTH_EFF_LOW, col.IN_HW_BANDWIDTH_EFF_HIGH)
    fractions = (
        np.minimum(1.0, x[:, col.IN_DECODE_MBU] * bandwidth_eff),
        np.minimum(1.0, x[:, col.IN_DECODE_MFU] * compute_eff),
        np.minimum(1.0, x[:, col.IN_PREFILL_MFU] * compute_eff),
    )
    slo = x[:, col.IN_TPOT_SLO_S] / x[:, col.IN_TPOT_TAIL_FACTOR]
    ttft_slo = x[:, col.IN_TTFT_SLO_S]

    # Request shape: fixed lengths (benchmark style) or the capped lognormal mean.
    cap = x[:, col.IN_CONTEXT_LIMIT_TOKENS]
    mean_len = x[:, col.IN_REQUEST_TOKENS_MEAN]
    sigma = x[:, col.IN_REQUEST_TOKENS_SIGMA]
    spread = sigma >= 1e-12
    safe_sigma = np.where(spread, sigma, 1.0)
    mu = np.log(mean_len) - 0.5 * safe_sigma * safe_sigma
    z = (np.log(cap) - mu) / safe_sigma
    below = 0.5 * erfc(-(z - safe_sigma) / np.sqrt(2.0))
    above = 0.5 * erfc(z / np.sqrt(2.0))
    fixed = x[:, col.IN_FIXED_OUTPUT_TOKENS] > 0.0
    lognormal_len = np.where(spread, mean_len * below + cap * above, np.minimum(mean_len, cap))
    fixed_prompt = np.minimum(x[:, col.IN_FIXED_INPUT_TOKENS], cap)
    fixed_completion = np.minimum(x[:, col.IN_FIXED_OUTPUT_TOKENS], cap - fixed_prompt)
    seq_len = np.where(fixed, fixed_prompt + fixed_completion, lognormal_len)
    over = x[:, col.IN_FIXED_INPUT_TOKENS] + x[:, col.IN_FIXED_OUTPUT_TOKENS] > cap
    truncated = np.where(
        fixed,
        over.astype(np.float64),
        np.where(spread, above, (mean_len > cap).astype(np.float64)),
    )
    prompt = np.where(fixed, fixed_prompt, x[:, col.IN_PROMPT_SHARE] * seq_len)
    completion = np.where(fixed, fixed_completion, seq_len - prompt)
    resident = prompt + 0.5 * completion
    reserved = resident + x[:, col.IN_KV_RESERVATION] * (cap - resident)
    shape = (prompt, completion, resident)

    # Replica size: scan powers of two, keep the one with the most output per accelerator.
    tensor_parallel = np.zeros(n)
    batch = np.zeros(n)
    best_rate = np.zeros(n)
    any_fit = np.zeros(n, dtype=bool)
    last_failure = np.zeros(n, dtype=np.int64)
    max_tp = x[:, col.IN_MAX_TENSOR_PARALLEL]
    fixed_batch = x[:, col.IN_FIXED_BATCH]
    search = (x[:, col.IN_MOE_EXPERTS] > 0.0) | np.isfinite(ttft_slo)
    tp = 1.0
    while tp <= max_tp.max():
        fits = (tp <= max_tp) & (weight_bytes <= x[:, col.IN_WEIGHT_MEMORY_FRACTION] * tp * memory)
        any_fit |= fits
        kv_room = tp * memory * x[:, col.IN_USABLE_MEMORY_FRACTION] - weight_bytes
        b_mem = np.floor(kv_room / (kv_per_token * reserved))
        tps = np.full(n, tp)

        def ok(b, tps=tps):
            tpot, ttft, *_ = _latency(
                x, b, tps, weight_bytes, routed_bytes, kv_per_token, flops, fractions, shape
            )
            return (tpot <= slo) & (ttft <= ttft_slo)

        # Dense, no TTFT bound: TPOT(b) = A + (B + E) b, below the SLO up to a bound.
        _, _, _, t_pre, _, bw, dec = _latency(
            x, np.ones(n), tps, weight_bytes, routed_bytes, kv_per_token, flops, fractions, shape
        )
        comm_fixed, comm_per_token = _allreduce(x, tps)
        fixed_s = weight_bytes / bw + x[:, col.IN_STEP_OVERHEAD_S] + comm_fixed
        per_gemm = 2.0 * n_act / dec
        d_attn = x[:, col.IN_N_LAYERS] * x[:, col.IN_ATTENTION_DIM]
        per_attention = np.maximum(kv_per_token * resident / bw, 4.0 * d_attn * resident / dec)
        per_batch = (
            per_attention
            + comm_per_token
            + prompt * (1.0 - x[:, col.IN_PREFIX_CACHE_HIT_SHARE]) / completion * t_pre
        )
        bound = np.floor((slo - fixed_s) / (per_gemm + per_batch))
        closed = np.where(slo <= fixed_s, 0.0, np.minimum(b_mem, bound))
        # Otherwise bisection between a batch that meets the targets and one that does not.
        b_top = np.maximum(b_mem, 1.0)
        top_ok = ok(b_top)
        one_ok = ok(np.ones(n))
        low, high = np.ones(n), b_top.copy()
        active = search & ~top_ok & one_ok
        while np.any(active & (high - low > 1.0)):
            step = active & (high - low > 1.0)
            middle = np.floor(0.5 * (low + high))
            good = ok(np.where(step, middle, 1.0))
            low = np.where(step & good, middle, low)
            high = np.where(step & ~good, middle, high)
        searched = np.where(top_ok, b_mem, np.where(one_ok, low, 0.0))
        best = np.where(search, searched, closed)
        kv_fail = fits & np.where(fixed_batch > 0.0, b_mem < fixed_batch, b_mem < 1.0)
        fixed_ok = ok(np.where(fixed_batch > 0.0, fixed_batch, 1.0))
        slo_fail = fits & ~kv_fail & np.where(fixed_batch > 0.0, ~fixed_ok, best < 1.0)
        works = fits & ~kv_fail & ~slo_fail
        last_failure[kv_fail] = col.FLAG_KV_DOES_NOT_FIT
        last_failure[slo_fail] = col.FLAG_SLO_UNREACHABLE
        b_here = np.where(works, np.where(fixed_batch > 0.0, fixed_batch, best), 1.0)
        tpot_here, *_ = _latency(
            x, b_here, tps, weight_bytes, routed_bytes, kv_per_token, flops, fractions, shape
        )
        rate = b_here / (tpot_here * tp)
        chosen = works & (rate > best_rate)
        best_rate[chosen] = rate[chosen]
        tensor_parallel[chosen] = tp
        batch[chosen] = b_here[chosen]
        tp *= 2.0
    structural = tensor_parallel == 0.0
    flags[structural] |= np.where(any_fit, last_failure, col.FLAG_WEIGHTS_DO_NOT_FIT)[structural]
    tp_safe = np.where(structural, 1.0, tensor_parallel)
    b_safe = np.where(structural, 1.0, batch)

    tpot, ttft, touched, t_pre, service, _, _ = _latency(
        x, b_safe, tp_safe, weight_bytes, routed_bytes, kv_per_token, flops, fractions, shape
    )
    request_s = completion * tpot / b_safe
    out_per_acc = completion / (request_s * tp_safe)
    measured = x[:, col.IN_MEASURED_OUTPUT_TOKENS_PER_S]
    out_per_acc = np.where(measured > 0.0, measured, out_per_acc)
    per_acc = out_per_acc * seq_len / completion
    prefill_share = service / request_s

    tokens_month = x[:, col.IN_REQUESTS_PER_DAY] * col.DAYS_PER_MONTH * seq_len
    busy_hours = tokens_month / (per_acc * 3600.0)
    fleet, fleet_hours, fleet_base = _fleet_size(x, busy_hours, tp_safe)
    u = busy_hours / fleet_hours

    base, floor_ = x[:, col.IN_PUE_BASE], np.minimum(x[:, col.IN_PUE_FLOOR], x[:, col.IN_PUE_BASE])
    pue = floor_ + (base - floor_) * np.exp(
        -x[:, col.IN_PUE_CAPEX_USD] / x[:, col.IN_PUE_CAPEX_SCALE_USD]
    )
    h = x[:, col.IN_HEDGE_SHARE]
    price = (
        h * x[:, col.IN_HEDGED_PRICE_USD_PER_MWH] + (1.0 - h) * x[:, col.IN_SPOT_PRICE_USD_PER_MWH]
    )
    board = x[:, col.IN_HW_BOARD_POWER_W]
    host = x[:, col.IN_HOST_POWER_W]
    draw = (
        u * board * x[:, col.IN_BOARD_LOAD_FRACTION]
        + (1.0 - u) * board * x[:, col.IN_IDLE_POWER_FRACTION]
        + host
    )
    mwh = fleet_hours * draw * pue / 1e6
    site_mw = fleet * (board + host) * pue / 1e6

    life_h = x[:, col.IN_HARDWARE_LIFE_YEARS] * col.HOURS_PER_YEAR
    maint = x[:, col.IN_MAINTENANCE_FRACTION_PER_YEAR]
    fac = x[:, col.IN_FACILITY_USD_PER_KW_MONTH]
    cloud_mult = x[:, col.IN_CLOUD_RATE_MULTIPLIER]
    price_mult = x[:, col.IN_PRICE_MULTIPLIER] * (1.0 + x[:, col.IN_SYSTEM_COST_FRACTION])
    api = x[:, col.IN_FLEET_API] > 0.5
    cloud = (x[:, col.IN_FLEET_CLOUD] > 0.5) & ~api
    owned = ~cloud & ~api
    unit_price = x[:, col.IN_HW_PURCHASE_PRICE_USD] * price_mult
    amort = np.where(owned, fleet_hours * unit_price / life_h, 0.0)
    facility = np.where(
        owned, fleet * (board + host) / 1000.0 * fac + fleet * unit_price * maint / 12.0, 0.0
    )
    energy = np.where(owned, mwh * price, 0.0)
    rent = np.where(cloud, _rented_rent(x, fleet, fleet_base, fleet_hours), 0.0)
    overhead = (
        x[:, col.IN_PLATFORM_USD_PER_MONTH]
        + (x[:, col.IN_STAFF_FTE] + x[:, col.IN_FINOPS_FTE])
        * x[:, col.IN_STAFF_USD_PER_FTE_YEAR]
        / 12.0
        + x[:, col.IN_EGRESS_USD_PER_GB] * x[:, col.IN_EGRESS_BYTES_PER_TOKEN] * tokens_month / 1e9
        + x[:, col.IN_STORAGE_TB] * x[:, col.IN_STORAGE_USD_PER_TB_MONTH]
        + x[:, col.IN_MONITORING_USD_PER_MONTH]
        + x[:, col.IN_LICENCES_USD_PER_MONTH]
    )
    knee = x[:, col.IN_SLA_KNEE_UTILIZATION]
    late = np.where(
        (u > knee) & (knee < 1.0) & ~api,
        np.minimum(1.0, (u - knee) / np.where(knee < 1.0, 1.0 - knee, 1.0)),
        0.0,
    )
    penalty = late * tokens_month / 1000.0 * x[:, col.IN_SLA_PENALTY_USD_PER_1K_LATE_TOKENS]
    # A managed API: the demand's tokens at its prices, plus its fee.
    hit = x[:, col.IN_PREFIX_CACHE_HIT_SHARE]
    cached_price = np.where(
        x[:, col.IN_API_CACHED_INPUT_USD_PER_1M] > 0.0,
        x[:, col.IN_API_CACHED_INPUT_USD_PER_1M],
        x[:, col.IN_API_INPUT_USD_PER_1M],
    )
    api_per_request = (
        prompt * (1.0 - hit) * x[:, col.IN_API_INPUT_USD_PER_1M]
        + prompt * hit * cached_price
        + completion * x[:, col.IN_API_OUTPUT_USD_PER_1M]
    ) / 1e6
    api_charges = np.where(
        api,
        x[:, col.IN_REQUESTS_PER_DAY] * col.DAYS_PER_MONTH * api_per_request
        + x[:, col.IN_API_PLATFORM_USD_PER_MONTH],
        0.0,
    )
    monthly = amort + energy + facility + rent + overhead + penalty + api_charges

    # Training MFU: a large model's MFU, the chip's efficiency, a size penalty, FP8 speed-up.
    train_eff = within(col.IN_TRAIN_EFF_LOW, col.IN_TRAIN_EFF_HIGH)
    size = n_act / x[:, col.IN_TRAIN_MFU_REFERENCE_PARAMS]
    size_factor = np.where(size < 1.0, size ** x[:, col.IN_TRAIN_MFU_SIZE_EXPONENT], 1.0)
    fp8_train = (x[:, col.IN_TRAIN_BITS] <= 8.0) & (x[:, col.IN_TRAIN_PEAK_FP8_FLOPS] > 0.0)
    speedup = np.where(fp8_train, x[:, col.IN_TRAIN_FP8_SPEEDUP], 1.0)
    factor = train_eff * size_factor * speedup
    # A measured MFU replaces the function; fine-tuning keeps its ratio to training.mfu.
    measured_mfu = x[:, col.IN_TRAIN_MEASURED_MFU]
    factor = np.where(measured_mfu > 0.0, measured_mfu / x[:, col.IN_TRAIN_MFU], factor)
    mfu_train = x[:, col.IN_TRAIN_MFU] * factor
    train_flops = x[:, col.IN_TRAIN_PEAK_BF16_FLOPS]
    goodput = x[:, col.IN_TRAIN_GOODPUT]
    train_h = (
        6.0 * n_act * x[:, col.IN_TRAIN_TOKENS] / (train_flops * mfu_train * 3600.0)
    ) / goodput
    ft_tokens = x[:, col.IN_FINETUNE_TOKENS] * x[:, col.IN_FINETUNE_RL_FACTOR]
    ft_mfu = x[:, col.IN_FINETUNE_MFU] * factor
    ft_h = (6.0 * n_act * ft_tokens / (train_flops * ft_mfu * 3600.0)) / goodput
    n_train = x[:, col.IN_TRAIN_ACCELERATORS]
    train_days = train_h / n_train / 24.0
    ft_days = ft_h / n_train / 24.0
    late_release = train_days + ft_days > x[:, col.IN_RELEASE_CADENCE_DAYS]
    # Like the kernel, a structurally infeasible sample reports only its structural reason.
    flags[late_release & ~structural] |= col.FLAG_TRAINING_EXCEEDS_CADENCE
    t_board = x[:, col.IN_TRAIN_BOARD_POWER_W]
    t_draw = t_board * x[:, col.IN_TRAIN_LOAD_FRACTION] + host
    t_price = x[:, col.IN_TRAIN_PURCHASE_PRICE_USD] * price_mult
    owned_hourly = (
        t_price / life_h
        + t_price * maint / col.HOURS_PER_YEAR
        + (t_board + host) / 1000.0 * fac / col.HOURS_PER_MONTH
        + t_draw * pue / 1e6 * price
    )
    hourly = np.where(
        x[:, col.IN_TRAIN_CLOUD] > 0.5,
        x[:, col.IN_TRAIN_CLOUD_USD_PER_HOUR] * cloud_mult,
        owned_hourly,
    )
    train_cost = train_h * hourly
    ft_cost = ft_h * hourly

    years = x[:, col.IN_HORIZON_YEARS]
    months = years * 12.0
    releases = years * 365.25 / x[:, col.IN_RELEASE_CADENCE_DAYS]
    ft_cadence = x[:, col.IN_FINETUNE_CADENCE_DAYS]
    with np.errstate(divide="ignore"):
        finetunes = np.where(ft_cadence > 0.0, years * 365.25 / ft_cadence, releases)
    train_mwh = (releases * train_h + finetunes * ft_h) * t_draw * pue / 1e6 / months
    capex = x[:, col.IN_PUE_CAPEX_USD]
    revenue = (
        x[:, col.IN_REQUESTS_PER_DAY]
        * col.DAYS_PER_MONTH
        * (
            (
                prompt * x[:, col.IN_PRICE_INPUT_USD_PER_1M]
                + completion * x[:, col.IN_PRICE_OUTPUT_USD_PER_1M]
            )
            / 1e6
            + x[:, col.IN_PRICE_USD_PER_REQUEST]
        )
    )
    owned_training = x[:, col.IN_TRAIN_CLOUD] <= 0.5
    training_capex = np.where(
        owned_training, (releases * train_h + finetunes * ft_h) * t_price / life_h, 0.0
    )
    month = {
        "fleet": fleet,
        "fleet_hours": fleet_hours,
        "busy_hours": busy_hours,
        "mwh": mwh,
        "energy": energy,
        "power_price": price,
        "unit_price": unit_price,
        "facility_power": np.where(owned, fleet * (board + host) / 1000.0 * fac, 0.0),
        "rent": rent,
        "overhead": overhead,
        "penalty": penalty,
        "api_charges": api_charges,
        "revenue": revenue,
        "tokens": tokens_month,
        "per_acc": per_acc,
        "mwh_at": lambda u_year, hours: (
            hours
            * (
                u_year * board * x[:, col.IN_BOARD_LOAD_FRACTION]
                + (1.0 - u_year) * board * x[:, col.IN_IDLE_POWER_FRACTION]
                + host
            )
            * pue
            / 1e6
        ),
        "penalty_at": lambda u_year, tokens: (
            np.where(
                (u_year > knee) & (knee < 1.0) & ~api,
                np.minimum(1.0, (u_year - knee) / np.where(knee < 1.0, 1.0 - knee, 1.0)),
                0.0,
            )
            * tokens
            / 1000.0
            * x[:, col.IN_SLA_PENALTY_USD_PER_1K_LATE_TOKENS]
        ),
        "owned": owned,
        "cloud": cloud,
        "api": api,
        "fleet_at": lambda busy: _fleet_size(x, busy, tp_safe),
        "rent_at": lambda levels: _rented_rent(x, *levels),
    }
    if month_only:
        return month
    # A refresh: the same model on the refresh accelerator from the start of that year.
    horizon = x[:, col.IN_HORIZON_YEARS]
    at = np.floor(x[:, col.IN_REFRESH_YEAR])
    refreshing = (at >= 1.0) & (at < horizon) & ~structural
    refresh_at = np.where(refreshing, at, np.inf)
    refreshed = None
    unserved = np.zeros(n, dtype=bool)
    if np.any(refreshing):
        # A full copy (the fair baseline's column view holds constants as scalars).
        x_refresh = np.column_stack(
            [np.broadcast_to(x[:, j], (n,)) for j in range(col.N_INPUTS)]
        ).astype(np.float64)
        for current, new in col.REFRESH_PAIRS:
            x_refresh[:, current] = x[:, new]
        refresh_flags = np.zeros(n, dtype=np.int64)
        refreshed = _reference_rows(
            x_refresh, np.full_like(out, np.nan), refresh_flags, month_only=True
        )
        unserved = refreshing & ((refresh_flags & col.STRUCTURAL_FLAGS) != 0)
    lifecycle, capex_total, tokens_total, revenue_total, present, residual = _plan_over_years(
        x,
        out,
        month,
        releases * train_cost + finetunes * ft_cost,
        training_capex,
        capex,
        (refresh_at, refreshed),
    )
    per_request = lifecycle / (tokens_total / seq_len)
    # tokens/kWh = (tokens/s) / W * 3.6e6 J/kWh, at the fleet's facility-level draw.
    serving_w = mwh * 1e6 / col.HOURS_PER_MONTH
    tokens_kwh = tokens_month / (col.HOURS_PER_MONTH * 3600.0) / serving_w * 3.6e6
    phi = prompt / seq_len
    usd_per_acc_h = monthly / fleet_hours

    values = {
        col.OUT_TOKEN_COST_PER_1K: lifecycle / tokens_total * 1000.0,
        col.OUT_LIFECYCLE_TOTAL: lifecycle,
        col.OUT_TRAINING_COST: train_cost,
        col.OUT_FINETUNE_COST: ft_cost,
        col.OUT_INFERENCE_COST_MONTHLY: monthly,
        col.OUT_UTILIZATION: u,
        col.OUT_POWER_PRICE: price,
        col.OUT_POWER_OVERHEAD_INDEX: pue - 1.0,
        # The training cluster counts only where the scenario trains or fine-tunes.
        col.OUT_INSTALLED_BASE: fleet
        + np.where(
            (x[:, col.IN_TRAIN_TOKENS] > 0.0) | (x[:, col.IN_FINETUNE_TOKENS] > 0.0), n_train, 0.0
        ),
        col.OUT_AVG_SEQ_LEN: seq_len,
        col.OUT_ENERGY_MWH_MONTH: mwh + train_mwh,
        col.OUT_TOKENS_PER_DOLLAR: tokens_total / lifecycle,
        col.OUT_TOKENS_PER_KWH: tokens_kwh,
        col.OUT_JOULES_PER_TOKEN: 3.6e6 / tokens_kwh,
        col.OUT_COST_PER_REQUEST: per_request,
        col.OUT_COST_PER_MEANINGFUL_RESPONSE: completion
        * x[:, col.IN_ATTEMPTS_PER_RESPONSE]
        * (per_request / completion)
        + x[:, col.IN_GUARD_TOKENS_PER_RESPONSE] * x[:, col.IN_GUARD_USD_PER_TOKEN],
        col.OUT_INPUT_COST_PER_1M: lifecycle * prefill_share / (tokens_total * phi) * 1e6,
        col.OUT_OUTPUT_COST_PER_1M: lifecycle
        * (1.0 - prefill_share)
        / (tokens_total * (1.0 - phi))
        * 1e6,
        col.OUT_TRAINING_GPU_HOURS: train_h,
        col.OUT_TRAINING_DAYS: train_days,
        col.OUT_FINETUNE_GPU_HOURS: ft_h,
        col.OUT_TENSOR_PARALLEL: tensor_parallel,
        col.OUT_BATCH_SIZE: batch,
        col.OUT_TOKENS_PER_S_PER_ACCELERATOR: per_acc,
        col.OUT_OUTPUT_TOKENS_PER_S_PER_ACCELERATOR: out_per_acc,
        col.OUT_INFERENCE_ACCELERATORS: fleet,
        col.OUT_TRUNCATED_SHARE: truncated,
        col.OUT_RELEASES_IN_HORIZON: releases,
        col.OUT_PUE: pue,
        col.OUT_TOKENS_PER_MONTH: tokens_month,
        col.OUT_AMORTIZATION_MONTHLY: amort,
        col.OUT_ENERGY_COST_MONTHLY: energy,
        col.OUT_FACILITY_COST_MONTHLY: facility,
        col.OUT_CLOUD_RENT_MONTHLY: rent,
        col.OUT_OVERHEAD_MONTHLY: overhead,
        col.OUT_SLA_PENALTY_MONTHLY: penalty,
        col.OUT_PUE_CAPEX: capex,
        col.OUT_PREFILL_SHARE: prefill_share,
        col.OUT_TTFT_S: ttft,
        col.OUT_TPOT_S: tpot,
        col.OUT_USD_PER_ACCELERATOR_HOUR: usd_per_acc_h,
        col.OUT_PEAK_PFLOP_PER_USD: flops * 3600.0 * 1e-15 / usd_per_acc_h,
        col.OUT_SERVING_COMPUTE_BITS: path_bits,
        col.OUT_TRAINING_MFU: mfu_train,
        col.OUT_MOE_TOUCHED_SHARE: touched,
        col.OUT_API_CHARGES_MONTHLY: api_charges,
        col.OUT_REVENUE_MONTHLY: revenue,
        col.OUT_MARGIN: revenue_total - lifecycle,
        col.OUT_ROI: (revenue_total - lifecycle) / lifecycle,
        col.OUT_SITE_POWER_MW: site_mw,
        col.OUT_POWER_CAP_SERVED_SHARE: np.where(
            x[:, col.IN_POWER_CAP_MW] > 0.0,
            np.minimum(1.0, x[:, col.IN_POWER_CAP_MW] / site_mw),
            1.0,
        ),
        col.OUT_FINETUNES_IN_HORIZON: finetunes,
        col.OUT_CAPEX_LIFECYCLE: capex_total,
        col.OUT_OPEX_LIFECYCLE: lifecycle - capex_total,
        col.OUT_PRESENT_VALUE: present,
        col.OUT_RESIDUAL_VALUE: residual,
        col.OUT_COLD_START_SHARE: _cold_start_share(x),
    }
    for j, value in values.items():
        out[:, j] = value
    # As the kernel: finite and within float32's range (|x| < 2**128), the precision
    # results are stored in.
    with np.errstate(invalid="ignore"):
        storable = np.abs(out) < 2.0**128
    non_finite = ~np.all(storable, axis=1) & ~structural & ~unserved
    flags[non_finite] |= col.FLAG_NON_FINITE
    # As the kernel: a refresh accelerator that cannot serve the model makes the sample
    # infeasible, for that reason alone.
    if np.any(unserved):
        flags[unserved] = refresh_flags[unserved]
    out[structural | non_finite | unserved] = np.nan
