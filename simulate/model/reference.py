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
    ok = np.all(np.isfinite(x) & (x >= 0.0), axis=1)
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


def _reference_rows(x: np.ndarray, out: np.ndarray, flags: np.ndarray) -> None:
    n = x.shape[0]
    weight_bytes = x[:, col.IN_PARAMS_TOTAL] * x[:, col.IN_WEIGHT_BITS] / 8.0
    kv_per_token = (
        x[:, col.IN_N_LAYERS]
        * x[:, col.IN_KV_VALUES_PER_TOKEN_PER_LAYER]
        * x[:, col.IN_KV_BITS]
        / 8.0
    )
    n_act = x[:, col.IN_PARAMS_ACTIVE]
    memory = x[:, col.IN_HW_MEMORY_BYTES]
    bandwidth = x[:, col.IN_HW_BANDWIDTH_BYTES_PER_S]
    use_fp8 = (x[:, col.IN_WEIGHT_BITS] <= 8.0) & (x[:, col.IN_HW_PEAK_FP8_FLOPS] > 0.0)
    flops = np.where(use_fp8, x[:, col.IN_HW_PEAK_FP8_FLOPS], x[:, col.IN_HW_PEAK_BF16_FLOPS])
    mbu = x[:, col.IN_DECODE_MBU]
    mfu_dec = x[:, col.IN_DECODE_MFU]
    slo = x[:, col.IN_TPOT_SLO_S]

    # Sequence length after the cap: partial expectation of a lognormal.
    cap = x[:, col.IN_CONTEXT_LIMIT_TOKENS]
    mean_len = x[:, col.IN_REQUEST_TOKENS_MEAN]
    sigma = x[:, col.IN_REQUEST_TOKENS_SIGMA]
    spread = sigma >= 1e-12
    safe_sigma = np.where(spread, sigma, 1.0)
    mu = np.log(mean_len) - 0.5 * safe_sigma * safe_sigma
    z = (np.log(cap) - mu) / safe_sigma
    below = 0.5 * erfc(-(z - safe_sigma) / np.sqrt(2.0))
    above = 0.5 * erfc(z / np.sqrt(2.0))
    seq_len = np.where(spread, mean_len * below + cap * above, np.minimum(mean_len, cap))
    truncated = np.where(spread, above, (mean_len > cap).astype(np.float64))
    prompt = x[:, col.IN_PROMPT_SHARE] * seq_len
    completion = seq_len - prompt
    resident = prompt + 0.5 * completion
    reserved = resident + x[:, col.IN_KV_RESERVATION] * (cap - resident)

    # Replica size: scan powers of two, keep the first that fits and meets the SLO.
    tensor_parallel = np.zeros(n)
    batch = np.zeros(n)
    any_fit = np.zeros(n, dtype=bool)
    last_failure = np.zeros(n, dtype=np.int64)
    max_tp = x[:, col.IN_MAX_TENSOR_PARALLEL]
    tp = 1.0
    while tp <= max_tp.max():
        undecided = (tensor_parallel == 0.0) & (tp <= max_tp)
        fits = undecided & (weight_bytes <= x[:, col.IN_WEIGHT_MEMORY_FRACTION] * tp * memory)
        any_fit |= fits
        kv_room = tp * memory * x[:, col.IN_USABLE_MEMORY_FRACTION] - weight_bytes
        b_mem = np.floor(kv_room / (kv_per_token * reserved))
        b_bw = np.floor((slo * tp * bandwidth * mbu - weight_bytes) / (kv_per_token * resident))
        b_fl = np.floor(slo * tp * flops * mfu_dec / (2.0 * n_act))
        b_slo = np.minimum(b_bw, b_fl)
        kv_fail = fits & (b_mem < 1.0)
        slo_fail = fits & ~kv_fail & (b_slo < 1.0)
        chosen = fits & ~kv_fail & ~slo_fail
        last_failure[kv_fail] = col.FLAG_KV_DOES_NOT_FIT
        last_failure[slo_fail] = col.FLAG_SLO_UNREACHABLE
        tensor_parallel[chosen] = tp
        batch[chosen] = np.minimum(b_mem, b_slo)[chosen]
        tp *= 2.0
    structural = tensor_parallel == 0.0
    flags[structural] |= np.where(any_fit, last_failure, col.FLAG_WEIGHTS_DO_NOT_FIT)[structural]
    tp_safe = np.where(structural, 1.0, tensor_parallel)
    b_safe = np.where(structural, 1.0, batch)

    memory_s = (weight_bytes + b_safe * kv_per_token * resident) / (tp_safe * bandwidth * mbu)
    compute_s = 2.0 * n_act * b_safe / (tp_safe * flops * mfu_dec)
    step_s = np.maximum(memory_s, compute_s)
    prefill_s = prompt * (2.0 * n_act / (tp_safe * flops * x[:, col.IN_PREFILL_MFU]))
    decode_s = completion * step_s / b_safe
    request_s = prefill_s + decode_s
    per_acc = seq_len / (request_s * tp_safe)
    out_per_acc = completion / (request_s * tp_safe)
    prefill_share = prefill_s / request_s

    tokens_month = x[:, col.IN_REQUESTS_PER_DAY] * col.DAYS_PER_MONTH * seq_len
    busy_hours = tokens_month / (per_acc * 3600.0)
    planned_u = np.minimum(
        1.0, x[:, col.IN_UTILIZATION_TARGET] * x[:, col.IN_UTILIZATION_ACHIEVED_RATIO]
    )
    fleet = np.ceil(busy_hours / (col.HOURS_PER_MONTH * planned_u))
    fleet_peak = np.ceil(busy_hours * x[:, col.IN_PEAK_TO_AVERAGE] / col.HOURS_PER_MONTH)
    fleet = np.maximum(np.maximum(fleet, fleet_peak), tp_safe)
    fleet = np.ceil(fleet / tp_safe) * tp_safe
    u = busy_hours / (fleet * col.HOURS_PER_MONTH)

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
    mwh = fleet * col.HOURS_PER_MONTH * draw * pue / 1e6

    life_h = x[:, col.IN_HARDWARE_LIFE_YEARS] * col.HOURS_PER_YEAR
    maint = x[:, col.IN_MAINTENANCE_FRACTION_PER_YEAR]
    fac = x[:, col.IN_FACILITY_USD_PER_KW_MONTH]
    cloud_mult = x[:, col.IN_CLOUD_RATE_MULTIPLIER]
    price_mult = x[:, col.IN_PRICE_MULTIPLIER] * (1.0 + x[:, col.IN_SYSTEM_COST_FRACTION])
    cloud = x[:, col.IN_FLEET_CLOUD] > 0.5
    unit_price = x[:, col.IN_HW_PURCHASE_PRICE_USD] * price_mult
    amort = np.where(cloud, 0.0, fleet * col.HOURS_PER_MONTH * unit_price / life_h)
    facility = np.where(
        cloud, 0.0, fleet * (board + host) / 1000.0 * fac + fleet * unit_price * maint / 12.0
    )
    energy = np.where(cloud, 0.0, mwh * price)
    rent = np.where(
        cloud, fleet * col.HOURS_PER_MONTH * x[:, col.IN_HW_CLOUD_USD_PER_HOUR] * cloud_mult, 0.0
    )
    overhead = (
        x[:, col.IN_PLATFORM_USD_PER_MONTH]
        + x[:, col.IN_STAFF_FTE] * x[:, col.IN_STAFF_USD_PER_FTE_YEAR] / 12.0
        + x[:, col.IN_EGRESS_USD_PER_GB] * x[:, col.IN_EGRESS_BYTES_PER_TOKEN] * tokens_month / 1e9
    )
    knee = x[:, col.IN_SLA_KNEE_UTILIZATION]
    late = np.where(
        (u > knee) & (knee < 1.0),
        np.minimum(1.0, (u - knee) / np.where(knee < 1.0, 1.0 - knee, 1.0)),
        0.0,
    )
    penalty = late * tokens_month / 1000.0 * x[:, col.IN_SLA_PENALTY_USD_PER_1K_LATE_TOKENS]
    monthly = amort + energy + facility + rent + overhead + penalty

    use_fp8_train = (x[:, col.IN_TRAIN_BITS] <= 8.0) & (x[:, col.IN_TRAIN_PEAK_FP8_FLOPS] > 0.0)
    train_flops = np.where(
        use_fp8_train, x[:, col.IN_TRAIN_PEAK_FP8_FLOPS], x[:, col.IN_TRAIN_PEAK_BF16_FLOPS]
    )
    goodput = x[:, col.IN_TRAIN_GOODPUT]
    train_h = (
        6.0 * n_act * x[:, col.IN_TRAIN_TOKENS] / (train_flops * x[:, col.IN_TRAIN_MFU] * 3600.0)
    ) / goodput
    ft_tokens = x[:, col.IN_FINETUNE_TOKENS] * x[:, col.IN_FINETUNE_RL_FACTOR]
    ft_h = (6.0 * n_act * ft_tokens / (train_flops * x[:, col.IN_FINETUNE_MFU] * 3600.0)) / goodput
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
    train_mwh = releases * (train_h + ft_h) * t_draw * pue / 1e6 / months
    capex = x[:, col.IN_PUE_CAPEX_USD]
    lifecycle = releases * (train_cost + ft_cost) + months * monthly + capex
    tokens_total = tokens_month * months
    per_request = lifecycle / (x[:, col.IN_REQUESTS_PER_DAY] * col.DAYS_PER_MONTH * months)
    # tokens/kWh = (tokens/s) / W * 3.6e6 J/kWh, at the fleet's facility-level draw.
    serving_w = mwh * 1e6 / col.HOURS_PER_MONTH
    tokens_kwh = tokens_month / (col.HOURS_PER_MONTH * 3600.0) / serving_w * 3.6e6
    phi = x[:, col.IN_PROMPT_SHARE]

    values = {
        col.OUT_TOKEN_COST_PER_1K: lifecycle / tokens_total * 1000.0,
        col.OUT_LIFECYCLE_TOTAL: lifecycle,
        col.OUT_TRAINING_COST: train_cost,
        col.OUT_FINETUNE_COST: ft_cost,
        col.OUT_INFERENCE_COST_MONTHLY: monthly,
        col.OUT_UTILIZATION: u,
        col.OUT_POWER_PRICE: price,
        col.OUT_POWER_OVERHEAD_INDEX: pue - 1.0,
        col.OUT_INSTALLED_BASE: fleet + n_train,
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
    }
    for j, value in values.items():
        out[:, j] = value
    non_finite = ~np.all(np.isfinite(out), axis=1) & ~structural
    flags[non_finite] |= col.FLAG_NON_FINITE
    out[structural | non_finite] = np.nan
