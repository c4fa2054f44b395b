"""The stages of the cost model for one sample, in the order the kernel runs them.

request shape -> replica and batch -> serving rates -> fleet -> power and energy ->
inference cost -> training -> lifecycle KPIs. Each stage reads the inputs it needs
from the sample's input row ``x`` (columns of :mod:`simulate.model.columns`) and
takes what earlier stages computed as plain floats; it returns floats (a tuple
for several). The stages are inlined into :func:`simulate.model.kernel.cost_valid_row`
(Numba ``inline="always"``): passed an array out of line, each call would pay
reference-count updates on it. The equations, units and sources are in
``docs/model.md``; the independent NumPy twin of the whole chain is
:mod:`simulate.model.reference`.

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
    meaningful_response_cost,
    prefill_seconds_per_token,
    pue_after_capex,
    training_accelerator_hours,
)

# Reciprocals of the calendar constants, folded so the stages multiply instead of dividing.
MONTHS_PER_YEAR_INV = 1.0 / 12.0
HOURS_PER_YEAR_INV = 1.0 / col.HOURS_PER_YEAR
HOURS_PER_MONTH_INV = 1.0 / col.HOURS_PER_MONTH

stage = jit(inline="always")


@stage
def serving_footprint(x):
    """Bytes of served weights and of KV cache per token, and the serving peak.

    Returns
    -------
    weight_bytes, kv_bytes_per_token : float
        B and B per token of context.
    serving_flops : float
        Peak FLOP/s per accelerator: FP8 for weights of 8 bits or fewer where the
        accelerator has it, else BF16.
    """
    weight_bytes = x[col.IN_PARAMS_TOTAL] * x[col.IN_WEIGHT_BITS] / 8.0
    kv_bytes_per_token = (
        x[col.IN_N_LAYERS] * x[col.IN_KV_VALUES_PER_TOKEN_PER_LAYER] * x[col.IN_KV_BITS] / 8.0
    )
    serving_flops = x[col.IN_HW_PEAK_BF16_FLOPS]
    if x[col.IN_WEIGHT_BITS] <= 8.0 and x[col.IN_HW_PEAK_FP8_FLOPS] > 0.0:
        serving_flops = x[col.IN_HW_PEAK_FP8_FLOPS]
    return weight_bytes, kv_bytes_per_token, serving_flops


@stage
def request_shape(x):
    """Tokens of a request after the context cap, and the context the KV cache holds.

    Returns
    -------
    seq_len, truncated_share, prompt_tokens, completion_tokens : float
        Mean tokens per request after the cap, share of requests truncated, and the
        prompt and completion tokens of a mean request.
    resident_context, reserved_context : float
        Mean context resident during decode, and the context reserved per sequence
        for admission (tokens).
    """
    context_limit = x[col.IN_CONTEXT_LIMIT_TOKENS]
    seq_len, truncated_share = capped_lognormal_mean(
        x[col.IN_REQUEST_TOKENS_MEAN], x[col.IN_REQUEST_TOKENS_SIGMA], context_limit
    )
    prompt_tokens = x[col.IN_PROMPT_SHARE] * seq_len
    completion_tokens = seq_len - prompt_tokens
    resident = prompt_tokens + 0.5 * completion_tokens
    reserved = resident + x[col.IN_KV_RESERVATION] * (context_limit - resident)
    return seq_len, truncated_share, prompt_tokens, completion_tokens, resident, reserved


@stage
def replica_and_batch(x, weight_bytes, kv_bytes_per_token, serving_flops, resident, reserved):
    """The smallest power-of-two replica whose weights fit and whose decode meets the SLO.

    Parameters
    ----------
    x : ndarray of float64
        The input row.
    weight_bytes, kv_bytes_per_token, serving_flops : float
        From :func:`serving_footprint`.
    resident, reserved : float
        Resident and reserved context per sequence (:func:`request_shape`), tokens.

    Returns
    -------
    tensor_parallel, batch : float
        Accelerators per replica and sequences decoded together (0, 0 when no
        replica works).
    flag : int
        0, or why no replica works (:data:`simulate.model.columns.FLAG_REASONS`).
    """
    memory = x[col.IN_HW_MEMORY_BYTES]
    slo = x[col.IN_TPOT_SLO_S]
    bandwidth = x[col.IN_HW_BANDWIDTH_BYTES_PER_S]
    mbu = x[col.IN_DECODE_MBU]
    mfu_decode = x[col.IN_DECODE_MFU]
    params_active = x[col.IN_PARAMS_ACTIVE]
    any_fit = False
    last_failure = 0
    tp = 1.0
    while tp <= x[col.IN_MAX_TENSOR_PARALLEL]:
        if weight_bytes <= x[col.IN_WEIGHT_MEMORY_FRACTION] * tp * memory:
            any_fit = True
            kv_room = tp * memory * x[col.IN_USABLE_MEMORY_FRACTION] - weight_bytes
            batch_memory = np.floor(kv_room / (kv_bytes_per_token * reserved))
            batch_bandwidth = np.floor(
                (slo * tp * bandwidth * mbu - weight_bytes) / (kv_bytes_per_token * resident)
            )
            batch_compute = np.floor(slo * tp * serving_flops * mfu_decode / (2.0 * params_active))
            batch_slo = min(batch_bandwidth, batch_compute)
            if batch_memory < 1.0:
                last_failure = col.FLAG_KV_DOES_NOT_FIT
            elif batch_slo < 1.0:
                last_failure = col.FLAG_SLO_UNREACHABLE
            else:
                return tp, min(batch_memory, batch_slo), 0
        tp *= 2.0
    return 0.0, 0.0, last_failure if any_fit else col.FLAG_WEIGHTS_DO_NOT_FIT


@stage
def serving_rates(x, weight_bytes, kv_bytes_per_token, serving_flops, shape, tp, batch):
    """Throughput of one accelerator from the replica's roofline time per request.

    Parameters
    ----------
    x : ndarray of float64
        The input row.
    weight_bytes, kv_bytes_per_token, serving_flops : float
        From :func:`serving_footprint`.
    shape : tuple of float
        From :func:`request_shape`.
    tp, batch : float
        From :func:`replica_and_batch`.

    Returns
    -------
    tokens_per_s, output_tokens_per_s : float
        Tokens (prompt + output) and output tokens per second per accelerator.
    prefill_share : float
        Prefill share of the serving accelerator-seconds.
    """
    seq_len, _, prompt_tokens, completion_tokens, resident, _ = shape
    params_active = x[col.IN_PARAMS_ACTIVE]
    step_s = decode_step_seconds(
        weight_bytes,
        kv_bytes_per_token,
        resident,
        batch,
        tp,
        x[col.IN_HW_BANDWIDTH_BYTES_PER_S],
        x[col.IN_DECODE_MBU],
        params_active,
        serving_flops,
        x[col.IN_DECODE_MFU],
    )
    prefill_s = prompt_tokens * prefill_seconds_per_token(
        params_active, tp, serving_flops, x[col.IN_PREFILL_MFU]
    )
    request_s = prefill_s + completion_tokens * step_s / batch
    # Shared denominators are inverted once (a division costs several multiplies).
    inv_request_s = 1.0 / request_s
    inv_replica_s = inv_request_s / tp
    return seq_len * inv_replica_s, completion_tokens * inv_replica_s, prefill_s * inv_request_s


@stage
def fleet_size(x, tokens_per_month, tokens_per_s, tp):
    """Inference accelerators for the demand, and the utilisation they then run at.

    Parameters
    ----------
    x : ndarray of float64
        The input row.
    tokens_per_month : float
        Tokens served per month.
    tokens_per_s : float
        Tokens per second per accelerator (:func:`serving_rates`).
    tp : float
        Accelerators per replica: the fleet is whole replicas.

    Returns
    -------
    n_inference, utilization : float
        Accelerators in the inference fleet, and the busy share of their hours.
    """
    busy_hours = tokens_per_month / (tokens_per_s * 3600.0)
    planned = min(1.0, x[col.IN_UTILIZATION_TARGET] * x[col.IN_UTILIZATION_ACHIEVED_RATIO])
    n_inference = np.ceil(busy_hours / (col.HOURS_PER_MONTH * planned))
    n_peak = np.ceil(busy_hours * x[col.IN_PEAK_TO_AVERAGE] / col.HOURS_PER_MONTH)
    n_inference = max(n_inference, n_peak, tp)
    n_inference = np.ceil(n_inference / tp) * tp
    return n_inference, busy_hours / (n_inference * col.HOURS_PER_MONTH)


@stage
def power_and_energy(x, utilization, n_inference):
    """PUE after the CAPEX, the blended power price and the fleet's monthly energy.

    Returns
    -------
    pue, power_price : float
        PUE after the CAPEX and the blended price (USD/MWh).
    fleet_hours, inference_mwh : float
        Accelerator-hours per month and facility energy per month (MWh).
    """
    pue = pue_after_capex(
        x[col.IN_PUE_BASE],
        x[col.IN_PUE_FLOOR],
        x[col.IN_PUE_CAPEX_USD],
        x[col.IN_PUE_CAPEX_SCALE_USD],
    )
    hedge = x[col.IN_HEDGE_SHARE]
    power_price = (
        hedge * x[col.IN_HEDGED_PRICE_USD_PER_MWH]
        + (1.0 - hedge) * x[col.IN_SPOT_PRICE_USD_PER_MWH]
    )
    board_w = x[col.IN_HW_BOARD_POWER_W]
    draw_w = (
        utilization * board_w * x[col.IN_BOARD_LOAD_FRACTION]
        + (1.0 - utilization) * board_w * x[col.IN_IDLE_POWER_FRACTION]
        + x[col.IN_HOST_POWER_W]
    )
    fleet_hours = n_inference * col.HOURS_PER_MONTH
    return pue, power_price, fleet_hours, fleet_hours * draw_w * pue * 1e-6


@stage
def ownership_rates(x):
    """What owning an accelerator costs per unit of its price and life.

    Returns
    -------
    inv_life_hours : float
        1 / amortisation life (1/h).
    price_multiplier : float
        Paid price / catalog price, the server and network share included (catalog
        prices are for the accelerator alone).
    """
    inv_life_hours = 1.0 / (x[col.IN_HARDWARE_LIFE_YEARS] * col.HOURS_PER_YEAR)
    return inv_life_hours, x[col.IN_PRICE_MULTIPLIER] * (1.0 + x[col.IN_SYSTEM_COST_FRACTION])


@stage
def inference_hardware_monthly(x, fleet_hours, n_inference, inference_mwh, power_price, owning):
    """The hardware share of the inference fleet's monthly cost: owned or rented.

    Parameters
    ----------
    x : ndarray of float64
        The input row.
    fleet_hours, n_inference, inference_mwh, power_price : float
        From :func:`fleet_size` and :func:`power_and_energy`.
    owning : tuple of float
        From :func:`ownership_rates`.

    Returns
    -------
    amortization, energy_cost, facility_cost, cloud_rent : float
        USD/month (an owned fleet pays the first three, a rented one the rent).
    """
    if x[col.IN_FLEET_CLOUD] > 0.5:
        rent = fleet_hours * x[col.IN_HW_CLOUD_USD_PER_HOUR] * x[col.IN_CLOUD_RATE_MULTIPLIER]
        return 0.0, 0.0, 0.0, rent
    inv_life_hours, price_multiplier = owning
    unit_price = x[col.IN_HW_PURCHASE_PRICE_USD] * price_multiplier
    facility_cost = (
        n_inference
        * (x[col.IN_HW_BOARD_POWER_W] + x[col.IN_HOST_POWER_W])
        * 1e-3
        * x[col.IN_FACILITY_USD_PER_KW_MONTH]
        + n_inference * unit_price * x[col.IN_MAINTENANCE_FRACTION_PER_YEAR] * MONTHS_PER_YEAR_INV
    )
    amortization = fleet_hours * unit_price * inv_life_hours
    return amortization, inference_mwh * power_price, facility_cost, 0.0


@stage
def overhead_and_sla(x, tokens_per_month, utilization):
    """Platform overhead, and the SLA credits paid when the fleet runs above the knee.

    Returns
    -------
    overhead, sla_penalty : float
        USD/month.
    """
    overhead = (
        x[col.IN_PLATFORM_USD_PER_MONTH]
        + x[col.IN_STAFF_FTE] * x[col.IN_STAFF_USD_PER_FTE_YEAR] * MONTHS_PER_YEAR_INV
        + x[col.IN_EGRESS_USD_PER_GB] * x[col.IN_EGRESS_BYTES_PER_TOKEN] * tokens_per_month * 1e-9
    )
    knee = x[col.IN_SLA_KNEE_UTILIZATION]
    late_share = 0.0
    if utilization > knee and knee < 1.0:
        late_share = min(1.0, (utilization - knee) / (1.0 - knee))
    sla_penalty = (
        late_share * tokens_per_month * 1e-3 * x[col.IN_SLA_PENALTY_USD_PER_1K_LATE_TOKENS]
    )
    return overhead, sla_penalty


@stage
def training_per_release(x):
    """Accelerator-hours and wall-clock days of pre-training and fine-tuning a release.

    Returns
    -------
    train_hours, finetune_hours : float
        Accelerator-hours per release.
    train_days, finetune_days : float
        Wall-clock days per release on the training cluster.
    """
    params_active = x[col.IN_PARAMS_ACTIVE]
    train_flops = x[col.IN_TRAIN_PEAK_BF16_FLOPS]
    if x[col.IN_TRAIN_BITS] <= 8.0 and x[col.IN_TRAIN_PEAK_FP8_FLOPS] > 0.0:
        train_flops = x[col.IN_TRAIN_PEAK_FP8_FLOPS]
    goodput = x[col.IN_TRAIN_GOODPUT]
    train_hours = training_accelerator_hours(
        params_active, x[col.IN_TRAIN_TOKENS], train_flops, x[col.IN_TRAIN_MFU], goodput
    )
    finetune_hours = training_accelerator_hours(
        params_active,
        x[col.IN_FINETUNE_TOKENS] * x[col.IN_FINETUNE_RL_FACTOR],
        train_flops,
        x[col.IN_FINETUNE_MFU],
        goodput,
    )
    inv_train_days = 1.0 / (x[col.IN_TRAIN_ACCELERATORS] * 24.0)
    train_days = train_hours * inv_train_days
    return train_hours, finetune_hours, train_days, finetune_hours * inv_train_days


@stage
def training_hourly_cost(x, pue, power_price, owning):
    """One training accelerator-hour: its busy draw (W) and its cost (USD/h).

    Returns
    -------
    draw_w : float
        Busy board draw plus host power per training accelerator, W.
    usd_per_hour : float
        The cloud rate, or an owner's amortisation, maintenance, facility and energy.
    """
    board_w = x[col.IN_TRAIN_BOARD_POWER_W]
    host_w = x[col.IN_HOST_POWER_W]
    draw_w = board_w * x[col.IN_TRAIN_LOAD_FRACTION] + host_w
    if x[col.IN_TRAIN_CLOUD] > 0.5:
        return draw_w, x[col.IN_TRAIN_CLOUD_USD_PER_HOUR] * x[col.IN_CLOUD_RATE_MULTIPLIER]
    inv_life_hours, price_multiplier = owning
    price = x[col.IN_TRAIN_PURCHASE_PRICE_USD] * price_multiplier
    usd_per_hour = (
        price * inv_life_hours
        + price * x[col.IN_MAINTENANCE_FRACTION_PER_YEAR] * HOURS_PER_YEAR_INV
        + (board_w + host_w) * 1e-3 * x[col.IN_FACILITY_USD_PER_KW_MONTH] * HOURS_PER_MONTH_INV
        + draw_w * pue * 1e-6 * power_price
    )
    return draw_w, usd_per_hour


@stage
def per_token_extras(x, cost_per_token, seq_len, completion_tokens, prefill_share):
    """Cost per request, per meaningful response and per 1M prompt and output tokens.

    Returns
    -------
    cost_per_request, cost_per_meaningful_response : float
        USD/request and USD/response (seed 003's ``E_t * AA * C_t + P_t * C_p``).
    input_cost_per_1m, output_cost_per_1m : float
        USD per 1M prompt tokens and per 1M output tokens (serving time split by
        prefill share).
    """
    # requests = tokens / seq_len, so cost per request is cost per token times seq_len.
    cost_per_request = cost_per_token * seq_len
    meaningful = meaningful_response_cost(
        completion_tokens,
        x[col.IN_ATTEMPTS_PER_RESPONSE],
        cost_per_request / completion_tokens,
        x[col.IN_GUARD_TOKENS_PER_RESPONSE],
        x[col.IN_GUARD_USD_PER_TOKEN],
    )
    prompt_share = x[col.IN_PROMPT_SHARE]
    input_1m = cost_per_token * prefill_share / prompt_share * 1e6
    output_1m = cost_per_token * (1.0 - prefill_share) / (1.0 - prompt_share) * 1e6
    return cost_per_request, meaningful, input_1m, output_1m
