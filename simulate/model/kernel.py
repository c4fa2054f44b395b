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

import numba
import numpy as np

from distributions.jit import jit
from simulate.model import columns as col
from simulate.model.stages import (
    achieved_fractions,
    api_charges_monthly,
    cold_start_share,
    fleet_size,
    inference_hardware_monthly,
    overhead_and_sla,
    ownership_rates,
    per_token_extras,
    power_and_energy,
    replica_and_batch,
    request_shape,
    revenue_monthly,
    serving_footprint,
    serving_rates,
    training_cluster,
    training_depreciation,
    training_hourly_cost,
    training_mfu,
    training_per_release,
)
from simulate.model.timeline import (
    NO_REFRESH,
    refresh_month,
    refresh_year,
    steady_month,
    year_plan,
)

N_OUTPUTS = col.N_OUTPUTS


def _domain_arrays():
    """Per-column bounds of the kernel's valid domain: (lower, lower_open, upper)."""
    lower = np.zeros(col.N_INPUTS)
    lower_open = np.zeros(col.N_INPUTS, dtype=np.bool_)
    upper = np.full(col.N_INPUTS, np.inf)
    for j in (*col.POSITIVE_INPUTS, col.IN_PROMPT_SHARE):
        lower_open[j] = True
    lower[col.IN_GROWTH_PER_MONTH] = -1.0  # demand may fade, never below nothing
    lower_open[col.IN_GROWTH_PER_MONTH] = True
    upper[col.IN_HORIZON_YEARS] = col.MAX_HORIZON_YEARS
    for j in col.AT_MOST_ONE_INPUTS:
        upper[j] = 1.0
    upper[col.IN_PROMPT_SHARE] = np.nextafter(1.0, 0.0)  # strictly below 1
    lower[col.IN_PUE_BASE] = lower[col.IN_PUE_FLOOR] = 1.0
    lower[col.IN_FINETUNE_RL_FACTOR] = lower[col.IN_PEAK_TO_AVERAGE] = 1.0
    return lower, lower_open, upper


# Module-level arrays are frozen into the compiled kernel as constants.
DOMAIN_LOWER, DOMAIN_LOWER_OPEN, DOMAIN_UPPER = _domain_arrays()
# The least valid value of each column: an open lower bound L becomes the next double
# above it, since ``v > L`` is exactly ``v >= nextafter(L, inf)`` (no fast-math, so
# subnormals and NaN compare as IEEE says). One closed interval per column lets the
# check run without a branch per column.
DOMAIN_LEAST = np.where(DOMAIN_LOWER_OPEN, np.nextafter(DOMAIN_LOWER, np.inf), DOMAIN_LOWER)


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
    """True when every input lies in the domain the equations need (NaN fails).

    Branch-free over the columns (an early exit per column cost a fifth of the whole
    model at a hundred columns): valid rows, the common case, read every column anyway.
    """
    valid = True
    for j in range(x.shape[0]):
        value = x[j]
        valid &= (value >= DOMAIN_LEAST[j]) & (value <= DOMAIN_UPPER[j])
    return valid


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
        if not (value >= DOMAIN_LEAST[j] and value <= DOMAIN_UPPER[j]):
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

    Runs the stages of :mod:`simulate.model.stages` in order and writes column ``i``
    of the variable-major ``out`` (shape ``(N_OUTPUTS, n)``, any strides). Indexing
    the 2-D array, rather than taking a view of the column, spares an atomic
    reference-count update per row; every output is written exactly once on the
    feasible path, so ``out`` needs no initialisation.
    """
    # The year plan replaces each owned accelerator at the end of its life: bound the
    # replacements (a horizon of a million lives is a unit mistake, not a plan).
    if x[col.IN_HORIZON_YEARS] > col.MAX_LIVES_IN_HORIZON * x[col.IN_HARDWARE_LIFE_YEARS]:
        fill_nan(out, i)
        return col.FLAG_INVALID_INPUT
    # ---- serving: request shape, replica, batch, throughput and latency
    footprint = serving_footprint(x)
    shape = request_shape(x)
    fractions = achieved_fractions(x)
    seq_len, truncated_share, _, _, _, _ = shape
    tp, batch, flag, tpot, prefill_token_s = replica_and_batch(x, footprint, shape, fractions)
    if flag != 0:
        fill_nan(out, i)
        return flag
    rates = serving_rates(x, tp, batch, tpot, prefill_token_s, shape)
    tokens_per_s, output_tokens_per_s, prefill_share, ttft, touched = rates

    # ---- fleet, power and the inference cost per month
    tokens_per_month = x[col.IN_REQUESTS_PER_DAY] * col.DAYS_PER_MONTH * seq_len
    n_inference, utilization, fleet_hours, n_base = fleet_size(
        x, tokens_per_month, tokens_per_s, tp
    )
    pue, power_price, fleet_hours, inference_mwh = power_and_energy(x, utilization, fleet_hours)
    owning = ownership_rates(x)
    amortization, energy_cost, facility_cost, cloud_rent = inference_hardware_monthly(
        x, fleet_hours, (n_inference, n_base), inference_mwh, power_price, owning
    )
    overhead, sla_penalty = overhead_and_sla(x, tokens_per_month, utilization)
    api_charges = api_charges_monthly(x, shape)
    inference_monthly = (
        amortization + energy_cost + facility_cost + cloud_rent + overhead + sla_penalty
    ) + api_charges

    # ---- training and fine-tuning per release
    mfu_train = training_mfu(x)
    train_hours, finetune_hours, train_days, finetune_days = training_per_release(x, mfu_train)
    if train_days + finetune_days > x[col.IN_RELEASE_CADENCE_DAYS]:
        flag |= col.FLAG_TRAINING_EXCEEDS_CADENCE
    train_draw_w, train_hourly = training_hourly_cost(x, pue, power_price, owning)
    training_cost = train_hours * train_hourly
    finetune_cost = finetune_hours * train_hourly

    # ---- lifecycle
    horizon_years = x[col.IN_HORIZON_YEARS]
    months = horizon_years * 12.0
    releases = horizon_years * 365.25 / x[col.IN_RELEASE_CADENCE_DAYS]
    # Fine-tuning on its own cadence, or once per release (0).
    finetune_cadence = x[col.IN_FINETUNE_CADENCE_DAYS]
    finetunes = releases if finetune_cadence <= 0.0 else horizon_years * 365.25 / finetune_cadence
    training_mwh_month = (
        (releases * train_hours + finetunes * finetune_hours) * train_draw_w * pue * 1e-6 / months
    )
    pue_capex = x[col.IN_PUE_CAPEX_USD]
    revenue = revenue_monthly(x, shape)
    # ---- the plan over the horizon, year by year (growth, purchases, price declines)
    demand = (tokens_per_month, tokens_per_s, tp)
    month = steady_month(
        x,
        (n_inference, utilization, fleet_hours, inference_mwh, power_price),
        owning,
        (cloud_rent, overhead, sla_penalty, api_charges, revenue),
    )
    # A refresh to another accelerator: its own serving evaluation, out of line.
    refresh_at = refresh_year(x)
    refresh = (refresh_at, x, demand, month)
    if refresh_at != NO_REFRESH:
        refresh_flag, refreshed_row, refreshed_demand, refreshed_month = refresh_month(
            x, shape, tokens_per_month, api_charges, revenue
        )
        if refresh_flag != 0:
            fill_nan(out, i)
            return refresh_flag
        refresh = (refresh_at, refreshed_row, refreshed_demand, refreshed_month)
    lifecycle, capex, tokens_total, revenue_total, present_value, residual = year_plan(
        x,
        out,
        i,
        demand,
        month,
        (
            releases * training_cost + finetunes * finetune_cost,
            training_depreciation(x, releases * train_hours + finetunes * finetune_hours, owning),
        ),
        pue_capex,
        refresh,
    )
    cost_per_token = lifecycle / tokens_total
    per_request, meaningful, input_1m, output_1m = per_token_extras(
        x, cost_per_token, shape, prefill_share
    )
    usd_per_accelerator_hour = inference_monthly / fleet_hours
    # Provisioned power: the fleet at full load (TDP + host) through the PUE.
    site_mw = n_inference * (x[col.IN_HW_BOARD_POWER_W] + x[col.IN_HOST_POWER_W]) * pue * 1e-6
    served_share = 1.0
    if x[col.IN_POWER_CAP_MW] > 0.0:
        served_share = min(1.0, x[col.IN_POWER_CAP_MW] / site_mw)
    margin = revenue_total - lifecycle

    # In the order of simulate.model.columns.OUTPUTS.
    values = (
        cost_per_token * 1000.0,
        lifecycle,
        training_cost,
        finetune_cost,
        inference_monthly,
        utilization,
        power_price,
        pue - 1.0,
        n_inference + training_cluster(x),
        seq_len,
        inference_mwh + training_mwh_month,
        1.0 / cost_per_token,
        # tokens per kWh (tokens per s, serving W) with both per month: tokens / (MWh * 1000).
        tokens_per_month / (inference_mwh * 1000.0),
        inference_mwh * 3.6e9 / tokens_per_month,
        per_request,
        meaningful,
        input_1m,
        output_1m,
        train_hours,
        train_days,
        finetune_hours,
        tp,
        batch,
        tokens_per_s,
        output_tokens_per_s,
        n_inference,
        truncated_share,
        releases,
        pue,
        tokens_per_month,
        amortization,
        energy_cost,
        facility_cost,
        cloud_rent,
        overhead,
        sla_penalty,
        pue_capex,
        prefill_share,
        ttft,
        tpot,
        usd_per_accelerator_hour,
        footprint[3] * 3600.0e-15 / usd_per_accelerator_hour,
        footprint[4],
        mfu_train,
        touched,
        api_charges,
        revenue,
        margin,
        margin / lifecycle,
        site_mw,
        served_share,
        finetunes,
        capex,
        lifecycle - capex,
        present_value,
        residual,
        cold_start_share(x),
    )
    if not all_finite(values):
        fill_nan(out, i)
        return flag | col.FLAG_NON_FINITE
    store_outputs(out, i, values)
    return flag


_BEYOND_FLOAT32 = 2.0**896
"""Scale that overflows exactly the values of magnitude >= 2**128 (float32's range)."""


@jit(inline="always")
def all_finite(values):
    """Whether every output value is finite and storable as float32 (below 2**128).

    ``v * 2**896 * 0`` is 0 for ``|v| < 2**128`` and NaN otherwise (inf, NaN, or a
    value the float32 result columns cannot hold: the scaling by a power of two is
    exact until it overflows), so one branch-free sum finds any such value (an
    early-exit loop cost twice the whole model). Without the scaling, an output of
    1e300 (a price of 1e300 USD/MWh) was stored as float32 inf, unflagged. The sum is
    a tree over constant tuple indices: a loop with a running index made Numba select
    each element through a switch, and one chain of dependent additions is slow.
    """
    a0 = values[0] * _BEYOND_FLOAT32 * 0.0 + values[1] * _BEYOND_FLOAT32 * 0.0
    a1 = values[2] * _BEYOND_FLOAT32 * 0.0 + values[3] * _BEYOND_FLOAT32 * 0.0
    a2 = values[4] * _BEYOND_FLOAT32 * 0.0 + values[5] * _BEYOND_FLOAT32 * 0.0
    a3 = values[6] * _BEYOND_FLOAT32 * 0.0 + values[7] * _BEYOND_FLOAT32 * 0.0
    a4 = values[8] * _BEYOND_FLOAT32 * 0.0 + values[9] * _BEYOND_FLOAT32 * 0.0
    a5 = values[10] * _BEYOND_FLOAT32 * 0.0 + values[11] * _BEYOND_FLOAT32 * 0.0
    a6 = values[12] * _BEYOND_FLOAT32 * 0.0 + values[13] * _BEYOND_FLOAT32 * 0.0
    a7 = values[14] * _BEYOND_FLOAT32 * 0.0 + values[15] * _BEYOND_FLOAT32 * 0.0
    a8 = values[16] * _BEYOND_FLOAT32 * 0.0 + values[17] * _BEYOND_FLOAT32 * 0.0
    a9 = values[18] * _BEYOND_FLOAT32 * 0.0 + values[19] * _BEYOND_FLOAT32 * 0.0
    a10 = values[20] * _BEYOND_FLOAT32 * 0.0 + values[21] * _BEYOND_FLOAT32 * 0.0
    a11 = values[22] * _BEYOND_FLOAT32 * 0.0 + values[23] * _BEYOND_FLOAT32 * 0.0
    a12 = values[24] * _BEYOND_FLOAT32 * 0.0 + values[25] * _BEYOND_FLOAT32 * 0.0
    a13 = values[26] * _BEYOND_FLOAT32 * 0.0 + values[27] * _BEYOND_FLOAT32 * 0.0
    a14 = values[28] * _BEYOND_FLOAT32 * 0.0 + values[29] * _BEYOND_FLOAT32 * 0.0
    a15 = values[30] * _BEYOND_FLOAT32 * 0.0 + values[31] * _BEYOND_FLOAT32 * 0.0
    a16 = values[32] * _BEYOND_FLOAT32 * 0.0 + values[33] * _BEYOND_FLOAT32 * 0.0
    a17 = values[34] * _BEYOND_FLOAT32 * 0.0 + values[35] * _BEYOND_FLOAT32 * 0.0
    a18 = values[36] * _BEYOND_FLOAT32 * 0.0 + values[37] * _BEYOND_FLOAT32 * 0.0
    a19 = values[38] * _BEYOND_FLOAT32 * 0.0 + values[39] * _BEYOND_FLOAT32 * 0.0
    a20 = values[40] * _BEYOND_FLOAT32 * 0.0 + values[41] * _BEYOND_FLOAT32 * 0.0
    a21 = values[42] * _BEYOND_FLOAT32 * 0.0 + values[43] * _BEYOND_FLOAT32 * 0.0
    a22 = values[44] * _BEYOND_FLOAT32 * 0.0 + values[45] * _BEYOND_FLOAT32 * 0.0
    a23 = (
        values[46] * _BEYOND_FLOAT32 * 0.0
        + values[47] * _BEYOND_FLOAT32 * 0.0
        + values[48] * _BEYOND_FLOAT32 * 0.0
    )
    a24 = (
        values[49] * _BEYOND_FLOAT32 * 0.0
        + values[50] * _BEYOND_FLOAT32 * 0.0
        + values[51] * _BEYOND_FLOAT32 * 0.0
        + values[52] * _BEYOND_FLOAT32 * 0.0
        + values[53] * _BEYOND_FLOAT32 * 0.0
        + values[54] * _BEYOND_FLOAT32 * 0.0
        + values[55] * _BEYOND_FLOAT32 * 0.0
        + values[56] * _BEYOND_FLOAT32 * 0.0
    )
    b1_0 = a0 + a1
    b1_1 = a2 + a3
    b1_2 = a4 + a5
    b1_3 = a6 + a7
    b1_4 = a8 + a9
    b1_5 = a10 + a11
    b1_6 = a12 + a13
    b1_7 = a14 + a15
    b1_8 = a16 + a17
    b1_9 = a18 + a19
    b1_10 = a20 + a21
    b2_0 = b1_0 + b1_1
    b2_1 = b1_2 + b1_3
    b2_2 = b1_4 + b1_5
    b2_3 = b1_6 + b1_7
    b2_4 = b1_8 + b1_9
    b2_5 = b1_10 + a22 + a23 + a24
    b3_0 = b2_0 + b2_1
    b3_1 = b2_2 + b2_3
    b3_2 = b2_4 + b2_5
    b4_0 = b3_0 + b3_1
    b5_0 = b4_0 + b3_2
    return b5_0 == 0.0


@jit(inline="always")
def store_outputs(out, i, values):
    """Write the output values into column ``i`` of ``out`` (constant indices, no loop)."""
    out[0, i] = values[0]
    out[1, i] = values[1]
    out[2, i] = values[2]
    out[3, i] = values[3]
    out[4, i] = values[4]
    out[5, i] = values[5]
    out[6, i] = values[6]
    out[7, i] = values[7]
    out[8, i] = values[8]
    out[9, i] = values[9]
    out[10, i] = values[10]
    out[11, i] = values[11]
    out[12, i] = values[12]
    out[13, i] = values[13]
    out[14, i] = values[14]
    out[15, i] = values[15]
    out[16, i] = values[16]
    out[17, i] = values[17]
    out[18, i] = values[18]
    out[19, i] = values[19]
    out[20, i] = values[20]
    out[21, i] = values[21]
    out[22, i] = values[22]
    out[23, i] = values[23]
    out[24, i] = values[24]
    out[25, i] = values[25]
    out[26, i] = values[26]
    out[27, i] = values[27]
    out[28, i] = values[28]
    out[29, i] = values[29]
    out[30, i] = values[30]
    out[31, i] = values[31]
    out[32, i] = values[32]
    out[33, i] = values[33]
    out[34, i] = values[34]
    out[35, i] = values[35]
    out[36, i] = values[36]
    out[37, i] = values[37]
    out[38, i] = values[38]
    out[39, i] = values[39]
    out[40, i] = values[40]
    out[41, i] = values[41]
    out[42, i] = values[42]
    out[43, i] = values[43]
    out[44, i] = values[44]
    out[45, i] = values[45]
    out[46, i] = values[46]
    out[47, i] = values[47]
    out[48, i] = values[48]
    out[49, i] = values[49]
    out[50, i] = values[50]
    out[51, i] = values[51]
    out[52, i] = values[52]
    out[53, i] = values[53]
    out[54, i] = values[54]
    out[55, i] = values[55]
    out[56, i] = values[56]


@jit(parallel=True)
def cost_rows(inputs, outputs, flags):
    """The cost model on every row of a large matrix, in parallel over rows.

    :func:`simulate.model.batch.model_outputs` takes this path for many rows (the
    full-matrix path of runs with several categorical inputs varying); a few rows go
    through the compiled pass of every run instead, which copies each column first.
    Rows are independent, so the result does not depend on the thread count.

    Parameters
    ----------
    inputs : ndarray of float64, shape (n, N_INPUTS)
        One sample per row.
    outputs : ndarray of float64, shape (n, N_OUTPUTS)
        Filled with the outputs.
    flags : ndarray of int64, shape (n,)
        Filled with the infeasibility bit masks.
    """
    by_variable = outputs.T
    for i in numba.prange(inputs.shape[0]):
        flags[i] = cost_row(inputs[i], by_variable, i)
