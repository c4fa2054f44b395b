"""The Numba-compiled lifecycle cost kernel.

``cost_row(x, out, i)`` reads one row of inputs (columns in
:mod:`simulate.model.columns`), runs the stages of :mod:`simulate.model.stages`,
writes every KPI, internal factor and extra into column ``i`` of ``out`` and
returns an infeasibility bit mask. It never sees dicts, files or random state;
the equations are documented in ``docs/model.md`` and mirrored, independently, by
:mod:`simulate.model.reference`. Rows reach it through the one compiled pass of
:mod:`simulate.model.fused`.
"""

from __future__ import annotations

import numpy as np

from distributions.jit import jit
from simulate.model import columns as col
from simulate.model.formulas import meaningful_response_cost
from simulate.model.stages import (
    fleet_size,
    inference_monthly_cost,
    overhead_and_sla,
    power_and_energy,
    replica_and_batch,
    request_shape,
    serving_rates,
    training_hourly_cost,
    training_per_release,
)


def _domain_arrays():
    """Per-column bounds of the kernel's valid domain: (lower, lower_open, upper)."""
    lower = np.zeros(col.N_INPUTS)
    lower_open = np.zeros(col.N_INPUTS, dtype=np.bool_)
    upper = np.full(col.N_INPUTS, np.inf)
    for j in (*col.POSITIVE_INPUTS, col.IN_PROMPT_SHARE):
        lower_open[j] = True
    for j in col.AT_MOST_ONE_INPUTS:
        upper[j] = 1.0
    upper[col.IN_PROMPT_SHARE] = np.nextafter(1.0, 0.0)  # strictly below 1
    lower[col.IN_PUE_BASE] = lower[col.IN_PUE_FLOOR] = 1.0
    lower[col.IN_FINETUNE_RL_FACTOR] = lower[col.IN_PEAK_TO_AVERAGE] = 1.0
    return lower, lower_open, upper


# Module-level arrays are frozen into the compiled kernel as constants.
DOMAIN_LOWER, DOMAIN_LOWER_OPEN, DOMAIN_UPPER = _domain_arrays()


def _valid_row() -> np.ndarray:
    # Every input at the lowest value of its domain that is not excluded: ones, with the
    # open-below shares at 0.5 and the PUE at its floor of 1.
    row = np.ones(col.N_INPUTS)
    row[col.IN_PROMPT_SHARE] = 0.5
    return row


# A row that passes the domain check: the base row of passes whose every column varies.
VALID_ROW = _valid_row()


@jit
def inputs_valid(x):
    """True when every input lies in the domain the equations need (NaN fails)."""
    for j in range(x.shape[0]):
        value = x[j]
        if not (value >= DOMAIN_LOWER[j] and value <= DOMAIN_UPPER[j]):
            return False
        if DOMAIN_LOWER_OPEN[j] and value == DOMAIN_LOWER[j]:
            return False
    return True


@jit
def cost_row(x, out, i):
    """Evaluate the lifecycle cost model for one sample.

    Parameters
    ----------
    x : ndarray of float64, shape (N_INPUTS,)
        Inputs in the units of :data:`simulate.model.columns.INPUTS`.
    out : ndarray of float64, shape (N_OUTPUTS, n)
        Variable-major outputs (any strides: ``outputs.T`` of a sample-major array
        works); column ``i`` is filled with the outputs of
        :data:`simulate.model.columns.OUTPUTS`, NaN where the sample is structurally
        infeasible.
    i : int
        The sample's column in ``out``.

    Returns
    -------
    int
        Infeasibility bit mask (0: feasible); see :data:`simulate.model.columns.FLAG_REASONS`.
    """
    if not inputs_valid(x):
        fill_nan(out, i)
        return col.FLAG_INVALID_INPUT
    return cost_valid_row(x, out, i)


@jit
def columns_valid(x, columns):
    """Domain check of some columns only (the rest are known to be valid)."""
    for k in range(columns.shape[0]):
        j = columns[k]
        value = x[j]
        if not (value >= DOMAIN_LOWER[j] and value <= DOMAIN_UPPER[j]):
            return False
        if DOMAIN_LOWER_OPEN[j] and value == DOMAIN_LOWER[j]:
            return False
    return True


@jit
def fill_nan(out, i):
    """Set column ``i`` of a variable-major output array to NaN."""
    for j in range(out.shape[0]):
        out[j, i] = np.nan


@jit
def cost_valid_row(x, out, i):
    """:func:`cost_row` for a row already known to lie in the valid domain.

    Reads the inputs, runs the stages of :mod:`simulate.model.stages` in order and
    writes column ``i`` of the variable-major ``out`` (shape ``(N_OUTPUTS, n)``,
    any strides). Indexing the 2-D array, rather than taking a view of the column,
    spares an atomic reference-count update per row; every output is written
    exactly once on the feasible path, so ``out`` needs no initialisation.

    Inlined into its callers (Numba ``inline="always"``): called out of line, each
    row paid atomic reference-count updates on ``x`` and ``out``, and ``out``'s
    count is one cache line shared by every thread. The stages take plain floats,
    so they are ordinary calls that LLVM inlines.
    """
    # ---- model and accelerator
    weight_bytes = x[col.IN_PARAMS_TOTAL] * x[col.IN_WEIGHT_BITS] / 8.0
    kv_bytes_per_token = (
        x[col.IN_N_LAYERS] * x[col.IN_KV_VALUES_PER_TOKEN_PER_LAYER] * x[col.IN_KV_BITS] / 8.0
    )
    params_active = x[col.IN_PARAMS_ACTIVE]
    bandwidth = x[col.IN_HW_BANDWIDTH_BYTES_PER_S]
    serving_flops = x[col.IN_HW_PEAK_BF16_FLOPS]
    if x[col.IN_WEIGHT_BITS] <= 8.0 and x[col.IN_HW_PEAK_FP8_FLOPS] > 0.0:
        serving_flops = x[col.IN_HW_PEAK_FP8_FLOPS]
    mbu = x[col.IN_DECODE_MBU]
    mfu_decode = x[col.IN_DECODE_MFU]

    # ---- request shape, replica and batch
    (
        seq_len,
        truncated_share,
        prompt_tokens,
        completion_tokens,
        resident_context,
        reserved_context,
    ) = request_shape(
        x[col.IN_REQUEST_TOKENS_MEAN],
        x[col.IN_REQUEST_TOKENS_SIGMA],
        x[col.IN_CONTEXT_LIMIT_TOKENS],
        x[col.IN_PROMPT_SHARE],
        x[col.IN_KV_RESERVATION],
    )
    tensor_parallel, batch, flag = replica_and_batch(
        weight_bytes,
        kv_bytes_per_token,
        params_active,
        x[col.IN_HW_MEMORY_BYTES],
        bandwidth,
        serving_flops,
        mbu,
        mfu_decode,
        x[col.IN_TPOT_SLO_S],
        x[col.IN_MAX_TENSOR_PARALLEL],
        x[col.IN_WEIGHT_MEMORY_FRACTION],
        x[col.IN_USABLE_MEMORY_FRACTION],
        resident_context,
        reserved_context,
    )
    if flag != 0:
        fill_nan(out, i)
        return flag

    # ---- serving rates and fleet
    tokens_per_s_acc, output_tokens_per_s_acc, prefill_share = serving_rates(
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
        x[col.IN_PREFILL_MFU],
        seq_len,
        prompt_tokens,
        completion_tokens,
    )
    tokens_per_month = x[col.IN_REQUESTS_PER_DAY] * col.DAYS_PER_MONTH * seq_len
    n_inference, utilization = fleet_size(
        tokens_per_month,
        tokens_per_s_acc,
        x[col.IN_UTILIZATION_TARGET],
        x[col.IN_UTILIZATION_ACHIEVED_RATIO],
        x[col.IN_PEAK_TO_AVERAGE],
        tensor_parallel,
    )

    # ---- power, energy and the inference cost per month
    board_w = x[col.IN_HW_BOARD_POWER_W]
    host_w = x[col.IN_HOST_POWER_W]
    pue, power_price, fleet_hours, inference_mwh = power_and_energy(
        x[col.IN_PUE_BASE],
        x[col.IN_PUE_FLOOR],
        x[col.IN_PUE_CAPEX_USD],
        x[col.IN_PUE_CAPEX_SCALE_USD],
        x[col.IN_HEDGE_SHARE],
        x[col.IN_HEDGED_PRICE_USD_PER_MWH],
        x[col.IN_SPOT_PRICE_USD_PER_MWH],
        utilization,
        board_w,
        x[col.IN_BOARD_LOAD_FRACTION],
        x[col.IN_IDLE_POWER_FRACTION],
        host_w,
        n_inference,
    )
    inv_life_hours = 1.0 / (x[col.IN_HARDWARE_LIFE_YEARS] * col.HOURS_PER_YEAR)
    maintenance = x[col.IN_MAINTENANCE_FRACTION_PER_YEAR]
    facility_kw_month = x[col.IN_FACILITY_USD_PER_KW_MONTH]
    cloud_multiplier = x[col.IN_CLOUD_RATE_MULTIPLIER]
    # Catalog prices are for the accelerator alone; owners also buy its share of the system.
    price_multiplier = x[col.IN_PRICE_MULTIPLIER] * (1.0 + x[col.IN_SYSTEM_COST_FRACTION])
    amortization, energy_cost, facility_cost, cloud_rent = inference_monthly_cost(
        x[col.IN_FLEET_CLOUD],
        fleet_hours,
        n_inference,
        x[col.IN_HW_CLOUD_USD_PER_HOUR],
        cloud_multiplier,
        x[col.IN_HW_PURCHASE_PRICE_USD],
        price_multiplier,
        inv_life_hours,
        maintenance,
        facility_kw_month,
        board_w,
        host_w,
        inference_mwh,
        power_price,
    )
    overhead, sla_penalty = overhead_and_sla(
        x[col.IN_PLATFORM_USD_PER_MONTH],
        x[col.IN_STAFF_FTE],
        x[col.IN_STAFF_USD_PER_FTE_YEAR],
        x[col.IN_EGRESS_USD_PER_GB],
        x[col.IN_EGRESS_BYTES_PER_TOKEN],
        tokens_per_month,
        utilization,
        x[col.IN_SLA_KNEE_UTILIZATION],
        x[col.IN_SLA_PENALTY_USD_PER_1K_LATE_TOKENS],
    )
    inference_monthly = (
        amortization + energy_cost + facility_cost + cloud_rent + overhead + sla_penalty
    )

    # ---- training and fine-tuning per release
    train_flops = x[col.IN_TRAIN_PEAK_BF16_FLOPS]
    if x[col.IN_TRAIN_BITS] <= 8.0 and x[col.IN_TRAIN_PEAK_FP8_FLOPS] > 0.0:
        train_flops = x[col.IN_TRAIN_PEAK_FP8_FLOPS]
    n_train = x[col.IN_TRAIN_ACCELERATORS]
    train_hours, finetune_hours, train_days, finetune_days = training_per_release(
        params_active,
        x[col.IN_TRAIN_TOKENS],
        train_flops,
        x[col.IN_TRAIN_MFU],
        x[col.IN_TRAIN_GOODPUT],
        x[col.IN_FINETUNE_TOKENS],
        x[col.IN_FINETUNE_RL_FACTOR],
        x[col.IN_FINETUNE_MFU],
        n_train,
    )
    if train_days + finetune_days > x[col.IN_RELEASE_CADENCE_DAYS]:
        flag |= col.FLAG_TRAINING_EXCEEDS_CADENCE
    train_board_w = x[col.IN_TRAIN_BOARD_POWER_W]
    train_draw_w = train_board_w * x[col.IN_TRAIN_LOAD_FRACTION] + host_w
    train_hourly = training_hourly_cost(
        x[col.IN_TRAIN_CLOUD],
        x[col.IN_TRAIN_CLOUD_USD_PER_HOUR],
        cloud_multiplier,
        x[col.IN_TRAIN_PURCHASE_PRICE_USD],
        price_multiplier,
        inv_life_hours,
        maintenance,
        facility_kw_month,
        train_board_w,
        host_w,
        train_draw_w,
        pue,
        power_price,
    )
    training_cost = train_hours * train_hourly
    finetune_cost = finetune_hours * train_hourly

    # ---- lifecycle
    horizon_years = x[col.IN_HORIZON_YEARS]
    months = horizon_years * 12.0
    releases = horizon_years * 365.25 / x[col.IN_RELEASE_CADENCE_DAYS]
    training_mwh_month = (
        releases * (train_hours + finetune_hours) * train_draw_w * pue * 1e-6 / months
    )
    pue_capex = x[col.IN_PUE_CAPEX_USD]
    lifecycle = releases * (training_cost + finetune_cost) + months * inference_monthly + pue_capex
    tokens_total = tokens_per_month * months
    cost_per_token = lifecycle / tokens_total
    # requests = tokens / seq_len, so cost per request is cost per token times seq_len.
    cost_per_request = cost_per_token * seq_len
    # tokens_per_kwh(tokens per s, serving W) with both per month: tokens / (MWh * 1000).
    tokens_kwh = tokens_per_month / (inference_mwh * 1000.0)

    o_token_cost_per_1k = cost_per_token * 1000.0
    o_lifecycle_total = lifecycle
    o_training_cost = training_cost
    o_finetune_cost = finetune_cost
    o_inference_cost_monthly = inference_monthly
    o_utilization = utilization
    o_power_price = power_price
    o_power_overhead_index = pue - 1.0
    o_installed_base = n_inference + n_train
    o_avg_seq_len = seq_len
    o_energy_mwh_month = inference_mwh + training_mwh_month
    o_tokens_per_dollar = 1.0 / cost_per_token
    o_tokens_per_kwh = tokens_kwh
    o_joules_per_token = inference_mwh * 3.6e9 / tokens_per_month
    o_cost_per_request = cost_per_request
    o_cost_per_meaningful_response = meaningful_response_cost(
        completion_tokens,
        x[col.IN_ATTEMPTS_PER_RESPONSE],
        cost_per_request / completion_tokens,
        x[col.IN_GUARD_TOKENS_PER_RESPONSE],
        x[col.IN_GUARD_USD_PER_TOKEN],
    )
    o_input_cost_per_1m = cost_per_token * prefill_share / x[col.IN_PROMPT_SHARE] * 1e6
    o_output_cost_per_1m = (
        cost_per_token * (1.0 - prefill_share) / (1.0 - x[col.IN_PROMPT_SHARE]) * 1e6
    )
    o_training_gpu_hours = train_hours
    o_training_days = train_days
    o_finetune_gpu_hours = finetune_hours
    o_tensor_parallel = tensor_parallel
    o_batch_size = batch
    o_tokens_per_s_per_accelerator = tokens_per_s_acc
    o_output_tokens_per_s_per_accelerator = output_tokens_per_s_acc
    o_inference_accelerators = n_inference
    o_truncated_share = truncated_share
    o_releases_in_horizon = releases
    o_pue = pue
    o_tokens_per_month = tokens_per_month
    o_amortization_monthly = amortization
    o_energy_cost_monthly = energy_cost
    o_facility_cost_monthly = facility_cost
    o_cloud_rent_monthly = cloud_rent
    o_overhead_monthly = overhead
    o_sla_penalty_monthly = sla_penalty
    o_pue_capex = pue_capex
    o_prefill_share = prefill_share

    # x * 0 is 0 for finite x and NaN for NaN or inf: one branch-free sum finds any
    # non-finite output (an early-exit loop here cost twice the whole model). It is
    # summed as a tree over the values still in registers: reading the 38 stores
    # back in one chain of dependent additions cost a fifth of the model.
    z0_0 = o_token_cost_per_1k * 0.0 + o_lifecycle_total * 0.0
    z0_1 = o_training_cost * 0.0 + o_finetune_cost * 0.0
    z0_2 = o_inference_cost_monthly * 0.0 + o_utilization * 0.0
    z0_3 = o_power_price * 0.0 + o_power_overhead_index * 0.0
    z0_4 = o_installed_base * 0.0 + o_avg_seq_len * 0.0
    z0_5 = o_energy_mwh_month * 0.0 + o_tokens_per_dollar * 0.0
    z0_6 = o_tokens_per_kwh * 0.0 + o_joules_per_token * 0.0
    z0_7 = o_cost_per_request * 0.0 + o_cost_per_meaningful_response * 0.0
    z0_8 = o_input_cost_per_1m * 0.0 + o_output_cost_per_1m * 0.0
    z0_9 = o_training_gpu_hours * 0.0 + o_training_days * 0.0
    z0_10 = o_finetune_gpu_hours * 0.0 + o_tensor_parallel * 0.0
    z0_11 = o_batch_size * 0.0 + o_tokens_per_s_per_accelerator * 0.0
    z0_12 = o_output_tokens_per_s_per_accelerator * 0.0 + o_inference_accelerators * 0.0
    z0_13 = o_truncated_share * 0.0 + o_releases_in_horizon * 0.0
    z0_14 = o_pue * 0.0 + o_tokens_per_month * 0.0
    z0_15 = o_amortization_monthly * 0.0 + o_energy_cost_monthly * 0.0
    z0_16 = o_facility_cost_monthly * 0.0 + o_cloud_rent_monthly * 0.0
    z0_17 = o_overhead_monthly * 0.0 + o_sla_penalty_monthly * 0.0
    z0_18 = o_pue_capex * 0.0 + o_prefill_share * 0.0
    z1_0 = z0_0 + z0_1
    z1_1 = z0_2 + z0_3
    z1_2 = z0_4 + z0_5
    z1_3 = z0_6 + z0_7
    z1_4 = z0_8 + z0_9
    z1_5 = z0_10 + z0_11
    z1_6 = z0_12 + z0_13
    z1_7 = z0_14 + z0_15
    z1_8 = z0_16 + z0_17
    z2_0 = z1_0 + z1_1
    z2_1 = z1_2 + z1_3
    z2_2 = z1_4 + z1_5
    z2_3 = z1_6 + z1_7
    z2_4 = z1_8 + z0_18
    z3_0 = z2_0 + z2_1
    z3_1 = z2_2 + z2_3
    z4_0 = z3_0 + z3_1
    z5_0 = z4_0 + z2_4
    if z5_0 != 0.0:
        fill_nan(out, i)
        return flag | col.FLAG_NON_FINITE
    out[col.OUT_TOKEN_COST_PER_1K, i] = o_token_cost_per_1k
    out[col.OUT_LIFECYCLE_TOTAL, i] = o_lifecycle_total
    out[col.OUT_TRAINING_COST, i] = o_training_cost
    out[col.OUT_FINETUNE_COST, i] = o_finetune_cost
    out[col.OUT_INFERENCE_COST_MONTHLY, i] = o_inference_cost_monthly
    out[col.OUT_UTILIZATION, i] = o_utilization
    out[col.OUT_POWER_PRICE, i] = o_power_price
    out[col.OUT_POWER_OVERHEAD_INDEX, i] = o_power_overhead_index
    out[col.OUT_INSTALLED_BASE, i] = o_installed_base
    out[col.OUT_AVG_SEQ_LEN, i] = o_avg_seq_len
    out[col.OUT_ENERGY_MWH_MONTH, i] = o_energy_mwh_month
    out[col.OUT_TOKENS_PER_DOLLAR, i] = o_tokens_per_dollar
    out[col.OUT_TOKENS_PER_KWH, i] = o_tokens_per_kwh
    out[col.OUT_JOULES_PER_TOKEN, i] = o_joules_per_token
    out[col.OUT_COST_PER_REQUEST, i] = o_cost_per_request
    out[col.OUT_COST_PER_MEANINGFUL_RESPONSE, i] = o_cost_per_meaningful_response
    out[col.OUT_INPUT_COST_PER_1M, i] = o_input_cost_per_1m
    out[col.OUT_OUTPUT_COST_PER_1M, i] = o_output_cost_per_1m
    out[col.OUT_TRAINING_GPU_HOURS, i] = o_training_gpu_hours
    out[col.OUT_TRAINING_DAYS, i] = o_training_days
    out[col.OUT_FINETUNE_GPU_HOURS, i] = o_finetune_gpu_hours
    out[col.OUT_TENSOR_PARALLEL, i] = o_tensor_parallel
    out[col.OUT_BATCH_SIZE, i] = o_batch_size
    out[col.OUT_TOKENS_PER_S_PER_ACCELERATOR, i] = o_tokens_per_s_per_accelerator
    out[col.OUT_OUTPUT_TOKENS_PER_S_PER_ACCELERATOR, i] = o_output_tokens_per_s_per_accelerator
    out[col.OUT_INFERENCE_ACCELERATORS, i] = o_inference_accelerators
    out[col.OUT_TRUNCATED_SHARE, i] = o_truncated_share
    out[col.OUT_RELEASES_IN_HORIZON, i] = o_releases_in_horizon
    out[col.OUT_PUE, i] = o_pue
    out[col.OUT_TOKENS_PER_MONTH, i] = o_tokens_per_month
    out[col.OUT_AMORTIZATION_MONTHLY, i] = o_amortization_monthly
    out[col.OUT_ENERGY_COST_MONTHLY, i] = o_energy_cost_monthly
    out[col.OUT_FACILITY_COST_MONTHLY, i] = o_facility_cost_monthly
    out[col.OUT_CLOUD_RENT_MONTHLY, i] = o_cloud_rent_monthly
    out[col.OUT_OVERHEAD_MONTHLY, i] = o_overhead_monthly
    out[col.OUT_SLA_PENALTY_MONTHLY, i] = o_sla_penalty_monthly
    out[col.OUT_PUE_CAPEX, i] = o_pue_capex
    out[col.OUT_PREFILL_SHARE, i] = o_prefill_share
    return flag
