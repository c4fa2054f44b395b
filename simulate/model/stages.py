"""The stages of the cost model for one sample, each a small scalar function.

The kernel (:mod:`simulate.model.kernel`) reads a row of inputs and runs these in
order: request shape -> replica and batch -> serving time -> fleet -> power ->
inference cost -> training -> lifecycle KPIs. Every stage takes and returns plain
floats (tuples for several results), never arrays: a call then costs no
reference counting, so Numba compiles each stage once and LLVM inlines it into
every caller. The equations, units and sources are in ``docs/model.md``; the
independent NumPy twin of the whole chain is :mod:`simulate.model.reference`.

Units: SI for physics (FLOP/s, bytes, bytes/s, W, s), US dollars, MWh for
energy, and the time base in the name (``_monthly``, ``_hours``, ``_days``).
"""

from __future__ import annotations

import numpy as np

from distributions.jit import jit
from simulate.model import columns as col
from simulate.model.formulas import (
    capped_lognormal_mean,
    decode_step_seconds,
    prefill_seconds_per_token,
    pue_after_capex,
    training_accelerator_hours,
)

# Reciprocals of the calendar constants, folded so the stages multiply instead of dividing.
MONTHS_PER_YEAR_INV = 1.0 / 12.0
HOURS_PER_YEAR_INV = 1.0 / col.HOURS_PER_YEAR
HOURS_PER_MONTH_INV = 1.0 / col.HOURS_PER_MONTH


@jit
def request_shape(mean_tokens, sigma, context_limit, prompt_share, kv_reservation):
    """Tokens of a request after the context cap, and the context the KV cache holds.

    Parameters
    ----------
    mean_tokens : float
        Mean requested tokens per request before the cap.
    sigma : float
        Log-space spread of tokens per request.
    context_limit : float
        Platform cap on tokens per request.
    prompt_share : float
        Prompt share of a request's tokens, in (0, 1).
    kv_reservation : float
        KV reserved per sequence: 0 the mean resident context .. 1 the cap.

    Returns
    -------
    seq_len, truncated_share, prompt_tokens, completion_tokens : float
        Mean tokens per request after the cap (tokens), share of requests truncated,
        and the prompt and completion tokens of a mean request.
    resident_context, reserved_context : float
        Mean context resident during decode, and the context reserved per sequence
        for admission (tokens).
    """
    seq_len, truncated_share = capped_lognormal_mean(mean_tokens, sigma, context_limit)
    prompt_tokens = prompt_share * seq_len
    completion_tokens = seq_len - prompt_tokens
    resident_context = prompt_tokens + 0.5 * completion_tokens
    reserved_context = resident_context + kv_reservation * (context_limit - resident_context)
    return (
        seq_len,
        truncated_share,
        prompt_tokens,
        completion_tokens,
        resident_context,
        reserved_context,
    )


@jit
def replica_and_batch(
    weight_bytes,
    kv_bytes_per_token,
    params_active,
    memory_bytes,
    bandwidth,
    serving_flops,
    mbu,
    mfu_decode,
    tpot_slo_s,
    max_tensor_parallel,
    weight_memory_fraction,
    usable_memory_fraction,
    resident_context,
    reserved_context,
):
    """The smallest power-of-two replica whose weights fit and whose decode meets the SLO.

    Parameters
    ----------
    weight_bytes, kv_bytes_per_token : float
        Served weights (B) and KV cache per token of context (B).
    params_active : float
        Parameters active per token.
    memory_bytes, bandwidth, serving_flops : float
        Per accelerator: memory (B), memory bandwidth (B/s), peak FLOP/s at the
        serving precision.
    mbu, mfu_decode : float
        Achieved shares of peak bandwidth and FLOP/s in decode.
    tpot_slo_s : float
        Time-per-output-token objective (s).
    max_tensor_parallel : float
        Largest accelerators per replica allowed.
    weight_memory_fraction, usable_memory_fraction : float
        Largest share of replica memory the weights may take; share usable for
        weights plus KV cache.
    resident_context, reserved_context : float
        From :func:`request_shape` (tokens).

    Returns
    -------
    tensor_parallel, batch : float
        Accelerators per replica and sequences decoded together (0, 0 when no
        replica works).
    flag : int
        0, or why no replica works (:data:`simulate.model.columns.FLAG_REASONS`).
    """
    any_fit = False
    last_failure = 0
    tp = 1.0
    while tp <= max_tensor_parallel:
        if weight_bytes <= weight_memory_fraction * tp * memory_bytes:
            any_fit = True
            kv_room = tp * memory_bytes * usable_memory_fraction - weight_bytes
            batch_memory = np.floor(kv_room / (kv_bytes_per_token * reserved_context))
            batch_bandwidth = np.floor(
                (tpot_slo_s * tp * bandwidth * mbu - weight_bytes)
                / (kv_bytes_per_token * resident_context)
            )
            batch_compute = np.floor(
                tpot_slo_s * tp * serving_flops * mfu_decode / (2.0 * params_active)
            )
            batch_slo = min(batch_bandwidth, batch_compute)
            if batch_memory < 1.0:
                last_failure = col.FLAG_KV_DOES_NOT_FIT
            elif batch_slo < 1.0:
                last_failure = col.FLAG_SLO_UNREACHABLE
            else:
                return tp, min(batch_memory, batch_slo), 0
        tp *= 2.0
    return 0.0, 0.0, last_failure if any_fit else col.FLAG_WEIGHTS_DO_NOT_FIT


@jit
def serving_rates(
    weight_bytes,
    kv_bytes_per_token,
    resident_context,
    batch,
    tensor_parallel,
    bandwidth,
    mbu,
    params_active,
    serving_flops,
    mfu_decode,
    mfu_prefill,
    seq_len,
    prompt_tokens,
    completion_tokens,
):
    """Throughput of one accelerator from the replica's roofline time per request.

    Parameters
    ----------
    weight_bytes, kv_bytes_per_token, resident_context : float
        As for :func:`replica_and_batch`.
    batch, tensor_parallel : float
        From :func:`replica_and_batch`.
    bandwidth, mbu, params_active, serving_flops, mfu_decode : float
        As for :func:`replica_and_batch`.
    mfu_prefill : float
        Achieved share of peak FLOP/s in prefill.
    seq_len, prompt_tokens, completion_tokens : float
        From :func:`request_shape` (tokens).

    Returns
    -------
    tokens_per_s, output_tokens_per_s : float
        Tokens (prompt + output) and output tokens per second per accelerator.
    prefill_share : float
        Prefill share of the serving accelerator-seconds.
    """
    step_s = decode_step_seconds(
        weight_bytes,
        kv_bytes_per_token,
        resident_context,
        batch,
        tensor_parallel,
        bandwidth,
        mbu,
        params_active,
        serving_flops,
        mfu_decode,
    )
    prefill_s = prompt_tokens * prefill_seconds_per_token(
        params_active, tensor_parallel, serving_flops, mfu_prefill
    )
    decode_s = completion_tokens * step_s / batch
    request_s = prefill_s + decode_s
    # Shared denominators are inverted once (a division costs several multiplies).
    inv_request_s = 1.0 / request_s
    inv_replica_s = inv_request_s / tensor_parallel
    return seq_len * inv_replica_s, completion_tokens * inv_replica_s, prefill_s * inv_request_s


@jit
def fleet_size(
    tokens_per_month,
    tokens_per_s,
    utilization_target,
    achieved_ratio,
    peak_to_average,
    tensor_parallel,
):
    """Inference accelerators for the demand, and the utilisation they then run at.

    Parameters
    ----------
    tokens_per_month : float
        Tokens served per month.
    tokens_per_s : float
        Tokens per second per accelerator (:func:`serving_rates`).
    utilization_target, achieved_ratio : float
        Fleet utilisation target and achieved / target ratio.
    peak_to_average : float
        Peak-to-average demand ratio (>= 1).
    tensor_parallel : float
        Accelerators per replica: the fleet is whole replicas.

    Returns
    -------
    n_inference : float
        Accelerators in the inference fleet.
    utilization : float
        Busy share of the fleet's hours.
    """
    busy_hours = tokens_per_month / (tokens_per_s * 3600.0)
    planned_utilization = min(1.0, utilization_target * achieved_ratio)
    n_inference = np.ceil(busy_hours / (col.HOURS_PER_MONTH * planned_utilization))
    n_peak = np.ceil(busy_hours * peak_to_average / col.HOURS_PER_MONTH)
    n_inference = max(n_inference, n_peak, tensor_parallel)
    n_inference = np.ceil(n_inference / tensor_parallel) * tensor_parallel
    return n_inference, busy_hours / (n_inference * col.HOURS_PER_MONTH)


@jit
def power_and_energy(
    pue_base,
    pue_floor,
    pue_capex_usd,
    pue_capex_scale_usd,
    hedge_share,
    hedged_price,
    spot_price,
    utilization,
    board_w,
    board_load_fraction,
    idle_power_fraction,
    host_w,
    n_inference,
):
    """PUE after the CAPEX, the blended power price and the fleet's monthly energy.

    Parameters
    ----------
    pue_base, pue_floor : float
        PUE before the CAPEX and the floor unlimited CAPEX reaches.
    pue_capex_usd, pue_capex_scale_usd : float
        CAPEX spent and the CAPEX that removes 63% of the reducible PUE (USD).
    hedge_share : float
        Share of energy bought at the hedged price.
    hedged_price, spot_price : float
        Power prices (USD/MWh).
    utilization : float
        Busy share of the fleet (:func:`fleet_size`).
    board_w, board_load_fraction, idle_power_fraction, host_w : float
        Board power (W), busy and idle draw as shares of it, host power (W).
    n_inference : float
        Inference accelerators.

    Returns
    -------
    pue, power_price : float
        PUE after the CAPEX and the blended price (USD/MWh).
    fleet_hours, inference_mwh : float
        Accelerator-hours per month and facility energy per month (MWh).
    """
    pue = pue_after_capex(pue_base, pue_floor, pue_capex_usd, pue_capex_scale_usd)
    power_price = hedge_share * hedged_price + (1.0 - hedge_share) * spot_price
    draw_w = (
        utilization * board_w * board_load_fraction
        + (1.0 - utilization) * board_w * idle_power_fraction
        + host_w
    )
    fleet_hours = n_inference * col.HOURS_PER_MONTH
    return pue, power_price, fleet_hours, fleet_hours * draw_w * pue * 1e-6


@jit
def inference_monthly_cost(
    fleet_cloud,
    fleet_hours,
    n_inference,
    cloud_usd_per_hour,
    cloud_multiplier,
    purchase_price_usd,
    price_multiplier,
    inv_life_hours,
    maintenance_per_year,
    facility_usd_per_kw_month,
    board_w,
    host_w,
    inference_mwh,
    power_price,
):
    """The hardware share of the inference fleet's monthly cost: owned or rented.

    Parameters
    ----------
    fleet_cloud : float
        1 for a rented fleet, 0 for an owned one.
    fleet_hours, n_inference : float
        Accelerator-hours per month and fleet size.
    cloud_usd_per_hour, cloud_multiplier : float
        Catalog cloud rate (USD/h) and its multiplier.
    purchase_price_usd, price_multiplier : float
        Catalog purchase price (USD) and its multiplier (the system share included).
    inv_life_hours : float
        1 / amortisation life (1/h).
    maintenance_per_year, facility_usd_per_kw_month : float
        Maintenance as a share of the price per year; facility cost per kW-month.
    board_w, host_w : float
        Board and host power per accelerator (W).
    inference_mwh, power_price : float
        From :func:`power_and_energy`.

    Returns
    -------
    amortization, energy_cost, facility_cost, cloud_rent : float
        USD/month (an owned fleet pays the first three, a rented one the rent).
    """
    if fleet_cloud > 0.5:
        return 0.0, 0.0, 0.0, fleet_hours * cloud_usd_per_hour * cloud_multiplier
    unit_price = purchase_price_usd * price_multiplier
    amortization = fleet_hours * unit_price * inv_life_hours
    facility_cost = (
        n_inference * (board_w + host_w) * 1e-3 * facility_usd_per_kw_month
        + n_inference * unit_price * maintenance_per_year * MONTHS_PER_YEAR_INV
    )
    return amortization, inference_mwh * power_price, facility_cost, 0.0


@jit
def overhead_and_sla(
    platform_usd_per_month,
    staff_fte,
    staff_usd_per_fte_year,
    egress_usd_per_gb,
    egress_bytes_per_token,
    tokens_per_month,
    utilization,
    sla_knee_utilization,
    sla_penalty_usd_per_1k_late_tokens,
):
    """Platform overhead and the SLA credits paid when the fleet runs above the knee.

    Parameters
    ----------
    platform_usd_per_month : float
        Software licences, monitoring, storage (USD/month).
    staff_fte, staff_usd_per_fte_year : float
        Engineering staff and cost per FTE (USD/year).
    egress_usd_per_gb, egress_bytes_per_token : float
        Egress price (USD/GB) and bytes per served token.
    tokens_per_month, utilization : float
        Tokens served per month and the fleet's utilisation.
    sla_knee_utilization, sla_penalty_usd_per_1k_late_tokens : float
        Utilisation above which latency SLAs slip, and the credit per 1k late tokens.

    Returns
    -------
    overhead, sla_penalty : float
        USD/month.
    """
    overhead = (
        platform_usd_per_month
        + staff_fte * staff_usd_per_fte_year * MONTHS_PER_YEAR_INV
        + egress_usd_per_gb * egress_bytes_per_token * tokens_per_month * 1e-9
    )
    late_share = 0.0
    if utilization > sla_knee_utilization and sla_knee_utilization < 1.0:
        late_share = min(1.0, (utilization - sla_knee_utilization) / (1.0 - sla_knee_utilization))
    return overhead, late_share * tokens_per_month * 1e-3 * sla_penalty_usd_per_1k_late_tokens


@jit
def training_per_release(
    params_active,
    train_tokens,
    train_flops,
    train_mfu,
    goodput,
    finetune_tokens,
    finetune_rl_factor,
    finetune_mfu,
    n_train,
):
    """Accelerator-hours and wall-clock days of pre-training and fine-tuning a release.

    Parameters
    ----------
    params_active : float
        Parameters active per token.
    train_tokens, train_flops, train_mfu, goodput : float
        Pre-training tokens, peak FLOP/s per accelerator at the training precision,
        MFU, and the share of wall time not lost to failures.
    finetune_tokens, finetune_rl_factor, finetune_mfu : float
        Fine-tuning tokens, RL compute multiplier (>= 1) and MFU.
    n_train : float
        Accelerators in the training cluster.

    Returns
    -------
    train_hours, finetune_hours : float
        Accelerator-hours per release.
    train_days, finetune_days : float
        Wall-clock days per release on ``n_train`` accelerators.
    """
    train_hours = training_accelerator_hours(
        params_active, train_tokens, train_flops, train_mfu, goodput
    )
    finetune_hours = training_accelerator_hours(
        params_active, finetune_tokens * finetune_rl_factor, train_flops, finetune_mfu, goodput
    )
    inv_train_days = 1.0 / (n_train * 24.0)
    return (
        train_hours,
        finetune_hours,
        train_hours * inv_train_days,
        finetune_hours * inv_train_days,
    )


@jit
def training_hourly_cost(
    train_cloud,
    cloud_usd_per_hour,
    cloud_multiplier,
    purchase_price_usd,
    price_multiplier,
    inv_life_hours,
    maintenance_per_year,
    facility_usd_per_kw_month,
    board_w,
    host_w,
    draw_w,
    pue,
    power_price,
):
    """Cost of one training accelerator-hour: the cloud rate, or an owner's all-in cost.

    Parameters
    ----------
    train_cloud : float
        1 for a rented cluster, 0 for an owned one.
    cloud_usd_per_hour, cloud_multiplier : float
        Catalog cloud rate (USD/h) and its multiplier.
    purchase_price_usd, price_multiplier, inv_life_hours : float
        As for :func:`inference_monthly_cost`.
    maintenance_per_year, facility_usd_per_kw_month : float
        As for :func:`inference_monthly_cost`.
    board_w, host_w, draw_w : float
        Board power, host power and busy draw per accelerator (W).
    pue, power_price : float
        From :func:`power_and_energy`.

    Returns
    -------
    float
        USD per accelerator-hour.
    """
    if train_cloud > 0.5:
        return cloud_usd_per_hour * cloud_multiplier
    price = purchase_price_usd * price_multiplier
    return (
        price * inv_life_hours
        + price * maintenance_per_year * HOURS_PER_YEAR_INV
        + (board_w + host_w) * 1e-3 * facility_usd_per_kw_month * HOURS_PER_MONTH_INV
        + draw_w * pue * 1e-6 * power_price
    )
