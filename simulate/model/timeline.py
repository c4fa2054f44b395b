"""The plan over the horizon, year by year: growth, purchases, depreciation, discounting.

The stages of :mod:`simulate.model.stages` price one steady month: the first month's
demand at today's prices. The year plan walks the horizon a year at a time (the last
year may be partial): demand compounds at ``demand.growth_per_month``; an owned fleet is
bought in steps at the start of each year, sized for that year's last (busiest) month,
never sold, and each purchase is replaced at the end of its life at the price of that
day; a rented fleet follows each year's mean demand; cloud rates, managed-API token
prices and accelerator prices fall at their yearly rates. Each year's cost, CAPEX, cash
CAPEX and tokens are written to the year dimension of the outputs (``cost_year_k``
...), and the plan's present value is discounted at ``finance.discount_rate``.

With no growth and no price decline the plan is the steady month times the horizon:
the lifecycle total is today's (the same equations, summed by year).

The equations and their units are in ``docs/model.md`` ("The plan over time"); the
NumPy twin is :mod:`simulate.model.reference`.
"""

from __future__ import annotations

import math

import numpy as np

from distributions.jit import jit
from simulate.model import columns as col
from simulate.model.stages import (
    achieved_fractions,
    fleet_size,
    inference_hardware_monthly,
    overhead_and_sla,
    ownership_rates,
    power_and_energy,
    preemption_overhead,
    rented_rent,
    replica_and_batch,
    serving_footprint,
    serving_rates,
    stage,
)

# (current accelerator column, refresh accelerator column) pairs, frozen into the kernel.
REFRESH_PAIRS = np.array(col.REFRESH_PAIRS, dtype=np.int64)
NO_REFRESH = math.inf

MONTHS_PER_YEAR = 12.0


@stage
def kept_after(kept_per_year, years):
    """``kept^t``: the share of a price left after ``t`` years (1 without a decline).

    Most scenarios hold prices, so the power is skipped when nothing declines.
    """
    if kept_per_year == 1.0:
        return 1.0
    return kept_per_year**years


@stage
def discount_over(discount, factor_at_start, years):
    """Discount factors over ``years`` from a point whose factor is ``factor_at_start``.

    Parameters
    ----------
    discount : tuple of float
        ``(ln(1 + r), (1 + r)^-1, (1 + r)^-1/2)``: the rate's log and a whole and half
        year's factor, so whole years (the common case) need no exponential.
    factor_at_start : float
        ``(1 + r)^-t0``.
    years : float
        The span, years.

    Returns
    -------
    at_middle, at_end : float
        ``(1 + r)^-(t0 + years / 2)`` and ``(1 + r)^-(t0 + years)``.
    """
    log_rate, whole, half = discount
    if years == 1.0:
        return factor_at_start * half, factor_at_start * whole
    return (
        factor_at_start * math.exp(-0.5 * log_rate * years),
        factor_at_start * math.exp(-log_rate * years),
    )


@stage
def demand_multipliers(growth, start, end):
    """Demand over the years ``start .. end`` relative to the first month's.

    Demand compounds continuously at ``(1 + g)`` a month: ``D(t) = D_0 (1 + g)^(12 t)``
    for ``t`` in years.

    Returns
    -------
    mean, at_start, at_end : float
        The mean of ``D / D_0`` over the period, and its value at both ends.
    """
    if growth == 0.0:
        return 1.0, 1.0, 1.0
    rate = MONTHS_PER_YEAR * math.log1p(growth)  # continuous growth, 1/year
    at_start = math.exp(rate * start)
    at_end = math.exp(rate * end)
    return (at_end - at_start) / (rate * (end - start)), at_start, at_end


@stage
def cohort_costs(x, out, i, start, until, units, unit_price, discount, factor_at_start):
    """Book ``units`` accelerators bought at year ``start``, and their replacements.

    Each purchase depreciates straight-line to its salvage value over the life; at the
    end of its life it is replaced at that day's price (``hardware.price_decline_per_year``),
    the retired unit's salvage value credited. Maintenance is a share of the price of
    the unit in service, a year. The depreciation and maintenance of each year, and the
    net purchases, are added to the year dimension of ``out`` (column ``i``).

    Parameters
    ----------
    start : float
        Year of the first purchase (0 at the start of the horizon).
    until : float
        Year the cohort leaves the plan: the horizon, or a refresh that sells it.
    units : float
        Accelerators bought.
    unit_price : float
        Today's price of one, with its server and network share, USD.
    discount : tuple of float
        See :func:`discount_over`.
    factor_at_start : float
        The discount factor at ``start``.

    Returns
    -------
    depreciation, maintenance : float
        USD over the horizon.
    present_cash : float
        Present value of the purchases (net of trade-ins) and the maintenance, USD.
    residual : float
        Book value at ``until``, USD (its present value is the caller's).
    """
    horizon = until
    life = x[col.IN_HARDWARE_LIFE_YEARS]
    salvage = x[col.IN_SALVAGE_FRACTION]
    maintenance_rate = x[col.IN_MAINTENANCE_FRACTION_PER_YEAR]
    kept_per_year = 1.0 - x[col.IN_HW_PRICE_DECLINE_PER_YEAR]
    last_year = col.MAX_YEARS - 1
    depreciation = 0.0
    maintenance = 0.0
    present_cash = 0.0
    residual = 0.0
    retired_price = 0.0
    bought = start
    factor_bought = factor_at_start
    while bought < horizon:
        price = units * unit_price * kept_after(kept_per_year, bought)
        net = price - salvage * retired_price
        year = min(int(bought), last_year)
        out[col.OUT_PURCHASES_YEAR + year, i] += net
        present_cash += net * factor_bought
        retired = min(bought + life, horizon)
        depreciation_rate = price * (1.0 - salvage) / life  # USD/year
        maintenance_year = price * maintenance_rate  # USD/year
        t = bought
        factor_t = factor_bought
        while t < retired:
            segment_end = min(np.floor(t) + 1.0, retired)
            length = segment_end - t
            year = min(int(t), last_year)
            out[col.OUT_COST_YEAR + year, i] += (depreciation_rate + maintenance_year) * length
            out[col.OUT_CAPEX_YEAR + year, i] += depreciation_rate * length
            at_middle, factor_t = discount_over(discount, factor_t, length)
            present_cash += maintenance_year * length * at_middle
            depreciation += depreciation_rate * length
            maintenance += maintenance_year * length
            t = segment_end
        if bought + life >= horizon:
            residual = price - depreciation_rate * (horizon - bought)
        retired_price = price
        _, factor_bought = discount_over(discount, factor_bought, life)
        bought += life
    return depreciation, maintenance, present_cash, residual


@stage
def idle_slot_rates(row, unit_price, facility_per_accelerator, power_price, owned):
    """What one idle accelerator of the fleet costs an hour, at today's prices.

    A shared pool (:mod:`simulate.model.pooling`) prices the empty slots of its nodes
    with these; they are the same lines :func:`simulate.model.stages.fleet_size` pays for
    the slots of a fleet rounded to whole nodes.

    Parameters
    ----------
    row : ndarray of float64
        The input row (after a refresh, the refresh accelerator's).
    unit_price, facility_per_accelerator, power_price : float
        From the steady month: USD, USD/month and USD/MWh.
    owned : bool
        An owned fleet (else rented; a managed API has no slots).

    Returns
    -------
    hardware_per_hour : float
        Owned: depreciation and maintenance per hour at today's price (they fall with
        ``hardware.price_decline_per_year``); rented: the rent per hour with the
        preemption overhead (it falls with ``hardware.cloud_rate_decline_per_year``). USD/h.
    capex_per_hour : float
        The depreciation in it (0 for a rented fleet), USD/h.
    running_per_hour : float
        Owned: facility and the idle draw's energy through the PUE (no decline), USD/h.
    """
    if not owned:
        rent = row[col.IN_HW_CLOUD_USD_PER_HOUR] * row[col.IN_CLOUD_RATE_MULTIPLIER]
        return rent * (1.0 + preemption_overhead(row)), 0.0, 0.0
    per_hour = unit_price / col.HOURS_PER_YEAR
    capex = per_hour * (1.0 - row[col.IN_SALVAGE_FRACTION]) / row[col.IN_HARDWARE_LIFE_YEARS]
    maintenance = per_hour * row[col.IN_MAINTENANCE_FRACTION_PER_YEAR]
    _, _, _, idle_mwh = power_and_energy(row, 0.0, 1.0)  # one accelerator-hour at idle
    running = facility_per_accelerator / col.HOURS_PER_MONTH + idle_mwh * power_price
    return capex + maintenance, capex, running


@stage
def clear_years(out, i):
    """Zero the year dimension of column ``i`` of ``out`` (the plan adds into it; the
    pool lines of the years past the horizon stay 0)."""
    for j in range(col.OUT_COST_YEAR, col.N_OUTPUTS):
        out[j, i] = 0.0


@jit
def year_plan(x, out, i, demand, month, training, pue_capex, refresh):
    """Walk the horizon a year at a time; write the year dimension, return the totals.

    Compiled out of line, not inlined into the kernel: inlined, its loops made Numba's
    data-flow analysis of the whole kernel take minutes to compile.

    Parameters
    ----------
    x : ndarray of float64
        The input row.
    out, i : ndarray of float64, int
        The variable-major outputs and the sample's column: the year dimension is
        written here.
    demand : tuple of float
        ``(tokens_per_month, tokens_per_s, tp)``: the first month's tokens, the tokens
        per second of one accelerator and the replica size (to size the fleet).
    month : tuple of float
        The steady first month (:mod:`simulate.model.stages`): ``(n_inference,
        utilization, fleet_hours, inference_mwh, power_price, unit_price,
        facility_per_accelerator, cloud_rent, overhead, sla_penalty, api_charges,
        revenue)``: money in USD/month (``facility_per_accelerator`` the facility cost
        of one owned accelerator's power, USD/month), ``unit_price`` in USD.
    training : tuple of float
        ``(cost, capex)``: training and fine-tuning over the horizon at today's rates,
        and the owned cluster's depreciation within it, USD.
    pue_capex : float
        The one-off PUE CAPEX at the start, USD.
    refresh : tuple
        ``(year, row, demand, month)``: from the start of plan year ``year`` (a whole
        number; ``inf`` for none) the fleet runs on the refresh accelerator, whose input
        row and steady month these are (:func:`refresh_month`). An owned fleet is sold
        at its book value then and a new one bought.

    Returns
    -------
    lifecycle, capex, tokens, revenue : float
        Totals over the horizon (USD, USD, tokens, USD).
    present_value, residual : float
        The discounted cash flows and the owned fleet's book value at the end, USD.
    """
    tokens_per_month, tokens_per_s, tp = demand
    (
        n_inference,
        utilization,
        fleet_hours,
        inference_mwh,
        power_price,
        unit_price,
        facility_per_accelerator,
        cloud_rent,
        overhead,
        sla_penalty,
        api_charges,
        revenue_month,
    ) = month
    training_cost, training_capex = training
    horizon = x[col.IN_HORIZON_YEARS]
    growth = x[col.IN_GROWTH_PER_MONTH]
    api = x[col.IN_FLEET_API] > 0.5
    rented = x[col.IN_FLEET_CLOUD] > 0.5 and not api
    owned = not api and not rented
    log_rate = math.log1p(x[col.IN_DISCOUNT_RATE])
    discount = (log_rate, math.exp(-log_rate), math.exp(-0.5 * log_rate))
    factor_year = 1.0  # the discount factor at the year's start
    # Share of a price kept a year later: (1 - d)^t prices year t (0^0 = 1).
    cloud_kept = 1.0 - x[col.IN_CLOUD_RATE_DECLINE_PER_YEAR]
    api_kept = 1.0 - x[col.IN_API_PRICE_DECLINE_PER_YEAR]
    hardware_kept = 1.0 - x[col.IN_HW_PRICE_DECLINE_PER_YEAR]
    training_kept = cloud_kept if x[col.IN_TRAIN_CLOUD] > 0.5 else 1.0
    api_fee = x[col.IN_API_PLATFORM_USD_PER_MONTH] if api else 0.0
    egress = (
        x[col.IN_EGRESS_USD_PER_GB] * x[col.IN_EGRESS_BYTES_PER_TOKEN] * tokens_per_month * 1e-9
    )
    fixed_overhead = overhead - egress
    rent_per_hour = 0.0
    if fleet_hours > 0.0:
        rent_per_hour = cloud_rent / fleet_hours
    committed = x[col.IN_COMMITTED_ACCELERATORS] if rented else 0.0
    # An idle slot's hourly cost at today's prices (a shared pool's; again at a refresh).
    slot_rates = idle_slot_rates(x, unit_price, facility_per_accelerator, power_price, owned)
    last_year = col.MAX_YEARS - 1
    clear_years(out, i)

    lifecycle = pue_capex
    capex = pue_capex + training_capex
    tokens = 0.0
    revenue = 0.0
    present_value = pue_capex
    residual = 0.0
    out[col.OUT_COST_YEAR, i] += pue_capex
    out[col.OUT_CAPEX_YEAR, i] += pue_capex
    out[col.OUT_PURCHASES_YEAR, i] += pue_capex
    held = 0.0
    refresh_at, refreshed_row, refreshed_demand, refreshed_month = refresh
    retiring = 0.0  # book value of the cohorts a refresh sells
    row = x
    years = int(np.ceil(horizon))
    for y in range(years):
        start = float(y)
        if start == refresh_at:
            # The refresh: the new accelerator's row, throughput and steady month.
            row = refreshed_row
            tokens_per_month, tokens_per_s, tp = refreshed_demand
            (
                n_inference,
                utilization,
                fleet_hours,
                inference_mwh,
                power_price,
                unit_price,
                facility_per_accelerator,
                cloud_rent,
                overhead,
                sla_penalty,
                api_charges,
                revenue_month,
            ) = refreshed_month
            rent_per_hour = 0.0
            if fleet_hours > 0.0:
                rent_per_hour = cloud_rent / fleet_hours
            slot_rates = idle_slot_rates(
                row, unit_price, facility_per_accelerator, power_price, owned
            )
            k = min(y, last_year)
            out[col.OUT_PURCHASES_YEAR + k, i] -= retiring  # sold at book value
            present_value -= retiring * factor_year
            held = 0.0
        end = min(start + 1.0, horizon)
        months = MONTHS_PER_YEAR * (end - start)
        mean_demand, at_start, at_end = demand_multipliers(growth, start, end)
        tokens_month = tokens_per_month * mean_demand
        # The steady month unless demand moves; a growing fleet is sized again.
        n_year, base_year, u_year, hours_year, mwh_year, sla_year = (
            n_inference,
            n_inference,
            utilization,
            fleet_hours,
            inference_mwh,
            sla_penalty,
        )
        if owned:
            need = n_inference
            if growth != 0.0:
                need, _, _, _ = fleet_size(
                    row, tokens_per_month * max(at_start, at_end), tokens_per_s, tp
                )
            if need > held:
                until = min(refresh_at, horizon) if start < refresh_at else horizon
                dep, maint, cash, left = cohort_costs(
                    row, out, i, start, until, need - held, unit_price, discount, factor_year
                )
                lifecycle += dep + maint
                capex += dep
                present_value += cash
                if until < horizon:
                    retiring += left
                else:
                    residual += left
                held = need
            n_year = held
            if growth != 0.0:
                hours_year = held * col.HOURS_PER_MONTH
                u_year = tokens_month / (tokens_per_s * 3600.0) / hours_year
        elif rented and (growth != 0.0 or committed > 0.0 or row[col.IN_AUTOSCALE] > 0.5):
            # A commitment makes the rent a function of the fleet's levels, not its hours;
            # an autoscaled fleet's off-peak level is a line of the year (the same fleet
            # as the steady month's without growth).
            n_year, u_year, hours_year, base_year = fleet_size(row, tokens_month, tokens_per_s, tp)
        if growth != 0.0 and not api:
            _, _, _, mwh_year = power_and_energy(row, u_year, hours_year)
            _, sla_year = overhead_and_sla(row, tokens_month, u_year)
        running = fixed_overhead + egress * mean_demand + sla_year  # USD/month
        if owned:
            # Maintenance and depreciation are the cohorts' (cohort_costs).
            running += mwh_year * power_price + facility_per_accelerator * n_year
        elif rented:
            rent_year = hours_year * rent_per_hour
            if committed > 0.0:
                rent_year = rented_rent(row, n_year, base_year, hours_year)
            running += rent_year * kept_after(cloud_kept, start)
        else:
            running += (api_charges - api_fee) * mean_demand * kept_after(api_kept, start) + api_fee
        share = (end - start) / horizon
        training_year = training_cost * share * kept_after(training_kept, start)
        year_cost = months * running + training_year
        k = min(y, last_year)
        if not api:
            # What a shared pool needs: the year's levels and an idle slot's hourly cost
            # (years past the last column: the last year's).
            hardware_h, capex_h, running_h = slot_rates
            kept = kept_after(hardware_kept if owned else cloud_kept, start)
            out[col.OUT_FLEET_YEAR + k, i] = n_year
            out[col.OUT_FLEET_OFF_YEAR + k, i] = n_year if owned else base_year
            out[col.OUT_SLOT_USD_PER_HOUR_YEAR + k, i] = hardware_h * kept + running_h
            out[col.OUT_SLOT_CAPEX_USD_PER_HOUR_YEAR + k, i] = capex_h * kept
        out[col.OUT_COST_YEAR + k, i] += year_cost
        out[col.OUT_CAPEX_YEAR + k, i] += training_capex * share
        out[col.OUT_PURCHASES_YEAR + k, i] += training_capex * share
        out[col.OUT_TOKENS_YEAR + k, i] += months * tokens_month
        lifecycle += year_cost
        tokens += months * tokens_month
        revenue += months * revenue_month * mean_demand
        at_middle, factor_year = discount_over(discount, factor_year, end - start)
        present_value += year_cost * at_middle
    if residual > 0.0:
        present_value -= residual * math.exp(-log_rate * horizon)
    return lifecycle, capex, tokens, revenue, present_value, residual


@stage
def refresh_year(x):
    """The plan year a refresh starts (a whole number in 1 .. horizon), or ``inf``."""
    at = np.floor(x[col.IN_REFRESH_YEAR])
    if at >= 1.0 and at < x[col.IN_HORIZON_YEARS]:
        return at
    return NO_REFRESH


@jit
def refresh_month(x, shape, tokens_per_month, api_charges, revenue):
    """The steady month of the fleet after a refresh to the refresh accelerator.

    Out of line (not inlined into the kernel): only samples that refresh pay for the
    second serving evaluation, and the kernel compiles one copy of the replica search.

    Parameters
    ----------
    x : ndarray of float64
        The input row.
    shape : tuple of float
        The request shape (:func:`simulate.model.stages.request_shape`): the same
        requests on the new accelerator.
    tokens_per_month, api_charges, revenue : float
        The first month's tokens, API charges and revenue (USD/month), unchanged.

    Returns
    -------
    flag : int
        0, or why the refresh accelerator cannot serve the model (the sample is then
        infeasible).
    row : ndarray of float64
        ``x`` with the accelerator columns of the refresh accelerator.
    demand, month : tuple of float
        As :func:`year_plan` takes them.
    """
    row = x.copy()
    for k in range(REFRESH_PAIRS.shape[0]):
        row[REFRESH_PAIRS[k, 0]] = x[REFRESH_PAIRS[k, 1]]
    footprint = serving_footprint(row)
    fractions = achieved_fractions(row)
    tp, batch, flag, tpot, prefill_token_s = replica_and_batch(row, footprint, shape, fractions)
    tokens_per_s = 1.0
    if flag == 0:
        tokens_per_s = serving_rates(row, tp, batch, tpot, prefill_token_s, shape)[0]
    else:
        tp = 1.0
    n_inference, utilization, fleet_hours, n_base = fleet_size(
        row, tokens_per_month, tokens_per_s, tp
    )
    _, power_price, fleet_hours, inference_mwh = power_and_energy(row, utilization, fleet_hours)
    owning = ownership_rates(row)
    _, _, _, cloud_rent = inference_hardware_monthly(
        row, fleet_hours, (n_inference, n_base), inference_mwh, power_price, owning
    )
    overhead, sla_penalty = overhead_and_sla(row, tokens_per_month, utilization)
    month = steady_month(
        row,
        (n_inference, utilization, fleet_hours, inference_mwh, power_price),
        owning,
        (cloud_rent, overhead, sla_penalty, api_charges, revenue),
    )
    return flag, row, (tokens_per_month, tokens_per_s, tp), month


@stage
def steady_month(x, fleet, owning, money):
    """The steady month as :func:`year_plan` takes it.

    Parameters
    ----------
    fleet : tuple of float
        ``(n_inference, utilization, fleet_hours, inference_mwh, power_price)``.
    owning : tuple of float
        From :func:`simulate.model.stages.ownership_rates`.
    money : tuple of float
        ``(cloud_rent, overhead, sla_penalty, api_charges, revenue)``, USD/month.
    """
    n_inference, utilization, fleet_hours, inference_mwh, power_price = fleet
    cloud_rent, overhead, sla_penalty, api_charges, revenue = money
    facility_per_accelerator = (
        (x[col.IN_HW_BOARD_POWER_W] + x[col.IN_HOST_POWER_W])
        * 1e-3
        * x[col.IN_FACILITY_USD_PER_KW_MONTH]
    )
    return (
        n_inference,
        utilization,
        fleet_hours,
        inference_mwh,
        power_price,
        x[col.IN_HW_PURCHASE_PRICE_USD] * owning[1],
        facility_per_accelerator,
        cloud_rent,
        overhead,
        sla_penalty,
        api_charges,
        revenue,
    )
