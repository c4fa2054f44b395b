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

import math

import numpy as np

from distributions.jit import jit
from simulate.model import columns as col
from simulate.model.formulas import (
    capped_lognormal_mean,
    meaningful_response_cost,
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
    """Bytes of weights and KV cache, and the math path the serving precision runs on.

    Returns
    -------
    weight_bytes, routed_bytes : float
        All served weights, and those of the routed experts of a mixture of experts
        (0 for a dense model), B.
    kv_bytes_per_token : float
        KV cache per token of context, B.
    serving_flops, path_bits : float
        Peak FLOP/s per accelerator of the math path, and its width: FP4 (4) when the
        serving precision is 4 bits or fewer and the chip has FP4, else FP8 (8) when it
        is 8 or fewer and the chip has FP8, else BF16 (16). A path the chip lacks
        falls back to the next wider one.
    """
    weight_bits = x[col.IN_WEIGHT_BITS]
    weight_bytes = x[col.IN_PARAMS_TOTAL] * weight_bits / 8.0
    routed_bytes = x[col.IN_MOE_ROUTED_PARAMS] * weight_bits / 8.0
    kv_bytes_per_token = (
        x[col.IN_N_LAYERS] * x[col.IN_KV_VALUES_PER_TOKEN_PER_LAYER] * x[col.IN_KV_BITS] / 8.0
    )
    bits = x[col.IN_COMPUTE_BITS]
    if bits == 0.0:
        bits = weight_bits
    serving_flops = x[col.IN_HW_PEAK_BF16_FLOPS]
    path_bits = 16.0
    if bits <= 4.0 and x[col.IN_HW_PEAK_FP4_FLOPS] > 0.0:
        serving_flops = x[col.IN_HW_PEAK_FP4_FLOPS]
        path_bits = 4.0
    elif bits <= 8.0 and x[col.IN_HW_PEAK_FP8_FLOPS] > 0.0:
        serving_flops = x[col.IN_HW_PEAK_FP8_FLOPS]
        path_bits = 8.0
    return weight_bytes, routed_bytes, kv_bytes_per_token, serving_flops, path_bits


@stage
def achieved_fractions(x):
    """Achieved shares of peak: the scenario's fractions times the chip's efficiency.

    The catalog gives each accelerator a range of software efficiency relative to
    the reference stack (H100 with TensorRT-LLM); ``hardware.efficiency_quantile``
    says where in the range a sample sits.

    Returns
    -------
    mbu, mfu_decode, mfu_prefill : float
        Achieved shares of peak bandwidth in decode and of peak FLOP/s in decode and
        prefill (each at most 1).
    """
    q = x[col.IN_EFFICIENCY_QUANTILE]
    compute = x[col.IN_HW_COMPUTE_EFF_LOW] + q * (
        x[col.IN_HW_COMPUTE_EFF_HIGH] - x[col.IN_HW_COMPUTE_EFF_LOW]
    )
    bandwidth = x[col.IN_HW_BANDWIDTH_EFF_LOW] + q * (
        x[col.IN_HW_BANDWIDTH_EFF_HIGH] - x[col.IN_HW_BANDWIDTH_EFF_LOW]
    )
    mbu = min(1.0, x[col.IN_DECODE_MBU] * bandwidth)
    mfu_decode = min(1.0, x[col.IN_DECODE_MFU] * compute)
    mfu_prefill = min(1.0, x[col.IN_PREFILL_MFU] * compute)
    return mbu, mfu_decode, mfu_prefill


@stage
def request_shape(x):
    """Tokens of a request after the context cap, and the context the KV cache holds.

    A benchmark-style workload (``serving.input_tokens`` / ``output_tokens`` > 0)
    fixes both lengths; otherwise request lengths are lognormal within the sample.

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
    if x[col.IN_FIXED_OUTPUT_TOKENS] > 0.0:
        prompt_tokens = min(x[col.IN_FIXED_INPUT_TOKENS], context_limit)
        completion_tokens = min(x[col.IN_FIXED_OUTPUT_TOKENS], context_limit - prompt_tokens)
        seq_len = prompt_tokens + completion_tokens
        total = x[col.IN_FIXED_INPUT_TOKENS] + x[col.IN_FIXED_OUTPUT_TOKENS]
        truncated_share = 1.0 if total > context_limit else 0.0
    else:
        seq_len, truncated_share = capped_lognormal_mean(
            x[col.IN_REQUEST_TOKENS_MEAN], x[col.IN_REQUEST_TOKENS_SIGMA], context_limit
        )
        prompt_tokens = x[col.IN_PROMPT_SHARE] * seq_len
        completion_tokens = seq_len - prompt_tokens
    resident = prompt_tokens + 0.5 * completion_tokens
    reserved = resident + x[col.IN_KV_RESERVATION] * (context_limit - resident)
    return seq_len, truncated_share, prompt_tokens, completion_tokens, resident, reserved


@stage
def replica_speeds(x, tp, footprint, fractions):
    """Bandwidth and FLOP/s a replica of ``tp`` accelerators achieves, per decode phase.

    Returns
    -------
    bandwidth, decode_flops, prefill_flops : float
        Achieved B/s and FLOP/s of the whole replica; a replica wider than the
        chip's scale-up domain keeps ``serving.internode_efficiency`` of them.
    tp : float
        The replica's accelerators, carried along for the all-reduces.
    """
    _, _, _, serving_flops, _ = footprint
    mbu, mfu_decode, mfu_prefill = fractions
    scale = tp
    if tp > x[col.IN_HW_SCALE_UP_SIZE]:
        scale = tp * x[col.IN_INTERNODE_EFFICIENCY]
    bandwidth = scale * x[col.IN_HW_BANDWIDTH_BYTES_PER_S] * mbu
    return bandwidth, scale * serving_flops * mfu_decode, scale * serving_flops * mfu_prefill, tp


@stage
def touched_share(x, batch):
    """Expected share of a layer's routed experts that a decode step of ``batch`` reads.

    Each of the batch's tokens is routed to ``k`` of ``E`` experts; with routing
    spread evenly and independently, an expert is untouched with probability
    ``(1 - k/E)^batch``. Real routing is skewed, so this is an upper bound on the
    weights read. 1 for a dense model.
    """
    experts = x[col.IN_MOE_EXPERTS]
    if experts <= 0.0:
        return 1.0
    return 1.0 - (1.0 - x[col.IN_MOE_EXPERTS_PER_TOKEN] / experts) ** batch


@stage
def allreduce_seconds(x, tp):
    """Tensor-parallel all-reduces of one decode step: a fixed part and a part per token.

    Each layer all-reduces its attention and its MLP output across the ``m = min(tp,
    scale-up domain)`` accelerators of a node (a replica wider than a node splits its
    layers across nodes, pipeline style, and pays ``serving.internode_efficiency``
    instead). A ring all-reduce of ``h`` BF16 values per token moves ``2 (m - 1) / m
    2 h`` bytes per accelerator over the scale-up link ``L``, after a fixed latency.

    Returns
    -------
    fixed_s, per_token_s : float
        ``2 n_l alpha`` and ``2 n_l 2 (m - 1) / m 2 h / L`` seconds (0 for one
        accelerator; the bandwidth part is 0 when the catalog gives no link).
    """
    m = min(tp, x[col.IN_HW_SCALE_UP_SIZE])
    if m <= 1.0:
        return 0.0, 0.0
    all_reduces = 2.0 * x[col.IN_N_LAYERS]
    per_token = 0.0
    link = x[col.IN_HW_LINK_BYTES_PER_S]
    if link > 0.0:
        per_token = all_reduces * 2.0 * (m - 1.0) / m * 2.0 * x[col.IN_HIDDEN_SIZE] / link
    return all_reduces * x[col.IN_ALLREDUCE_LATENCY_S], per_token


@stage
def step_seconds(x, batch, footprint, shape, speeds):
    """One decode step of a replica at ``batch``: overhead, weight GEMMs, then attention.

    ``t_0 + weights read / B + 2 N_act b / F + b max(kv ctx / B, 4 n_l d_attn ctx / F)
    + all-reduces``: a fixed time per iteration (``serving.step_overhead_s``), the
    weights streamed from memory (of the experts touched, for a mixture of experts),
    the GEMM FLOPs, the attention streaming each sequence's KV cache, and the
    tensor-parallel all-reduces (:func:`allreduce_seconds`). The weight read and the GEMM FLOPs
    are added, not overlapped (``max``): measured decode iterations grow linearly with
    the batch from a floor set by the weight read, rather than staying flat up to the
    roofline's ridge point (docs/model.md, "Decode step").

    Returns
    -------
    float
        Seconds per decode step.
    """
    weight_bytes, routed_bytes, _, _, _ = footprint
    bandwidth, decode_flops, _, _ = speeds
    read = weight_bytes - routed_bytes + routed_bytes * touched_share(x, batch)
    gemm = read / bandwidth + 2.0 * x[col.IN_PARAMS_ACTIVE] * batch / decode_flops
    comm_fixed, comm_per_token = allreduce_seconds(x, speeds[3])
    overhead = x[col.IN_STEP_OVERHEAD_S] + comm_fixed
    per_sequence = attention_seconds(x, footprint, shape, speeds) + comm_per_token
    return overhead + gemm + batch * per_sequence


@stage
def attention_seconds(x, footprint, shape, speeds):
    """Decode attention per sequence per step: the slower of its KV reads and its FLOPs.

    ``max(kv ctx / B, 4 n_l d_attn ctx / F)`` at the mean resident context ``ctx``.
    """
    resident = shape[4]
    bandwidth, decode_flops, _, _ = speeds
    attention_flops = 4.0 * x[col.IN_N_LAYERS] * x[col.IN_ATTENTION_DIM] * resident
    return max(footprint[2] * resident / bandwidth, attention_flops / decode_flops)


@stage
def prefill_token_seconds(x, shape, speeds):
    """Replica-seconds of prefill per uncached prompt token.

    ``(2 N_act + 2 n_l d_attn p (1 + h)) / F`` plus the token's share of the
    all-reduces: the matmuls, and causal attention over a mean context of ``p (1 +
    h) / 2`` (the cached ``h`` share of the prompt comes first and is attended to,
    not recomputed).
    """
    prompt_tokens = shape[2]
    cached = x[col.IN_PREFIX_CACHE_HIT_SHARE]
    flops = 2.0 * x[col.IN_PARAMS_ACTIVE] + 2.0 * x[col.IN_N_LAYERS] * x[
        col.IN_ATTENTION_DIM
    ] * prompt_tokens * (1.0 + cached)
    return flops / speeds[2] + allreduce_seconds(x, speeds[3])[1]


@stage
def tpot_seconds(x, batch, footprint, shape, speeds, prefill_token_s):
    """Time per output token of a replica decoding ``batch`` sequences under steady load.

    With continuous batching each step also prefills the prompts of the requests that
    arrive meanwhile: ``b / c`` requests per step, so ``TPOT = t_step(b) + (b / c) p'
    t_pre`` (``p'`` the uncached prompt tokens).

    Returns
    -------
    tpot, service : float
        Seconds per output token, and the prefill seconds of one request ``p' t_pre``.
    """
    new_prompt = shape[2] * (1.0 - x[col.IN_PREFIX_CACHE_HIT_SHARE])
    service = new_prompt * prefill_token_s
    tpot = step_seconds(x, batch, footprint, shape, speeds) + batch / shape[3] * service
    return tpot, service


@stage
def ttft_seconds(batch, completion, tpot, service):
    """P99 time to the first token: the prefill and its wait in the arrival queue.

    Requests arrive at ``lambda = b / (c TPOT)`` per second; their prefills of ``S =
    p' t_pre`` queue as an M/D/1 queue of load ``rho = lambda S``, mean wait ``W = rho
    S / (2 (1 - rho))``, and the P99 wait ``W ln(100 rho) / rho`` of the exponential
    tail. ``TTFT = S + P99 wait``; inf when the prefills alone saturate the replica.
    """
    rho = batch / (completion * tpot) * service
    if rho >= 1.0:
        return math.inf
    wait = 0.0
    if rho > 0.01:
        wait = rho * service / (2.0 * (1.0 - rho)) * math.log(100.0 * rho) / rho
    return service + wait


@stage
def meets_targets(x, batch, footprint, shape, speeds, prefill_token_s):
    """Whether ``batch`` sequences meet the TPOT (at its P99) and TTFT objectives."""
    tpot, service = tpot_seconds(x, batch, footprint, shape, speeds, prefill_token_s)
    if tpot > x[col.IN_TPOT_SLO_S] / x[col.IN_TPOT_TAIL_FACTOR]:
        return False
    ttft_slo = x[col.IN_TTFT_SLO_S]
    return ttft_slo == math.inf or ttft_seconds(batch, shape[3], tpot, service) <= ttft_slo


@stage
def largest_batch(x, batch_memory, footprint, shape, speeds, prefill_token_s):
    """The largest batch up to ``batch_memory`` that meets the latency targets (0: none).

    TPOT and TTFT grow with the batch, so the answer is found by bisection. (A dense
    model with no TTFT bound has a closed form instead: :func:`linear_step_terms`.)
    """
    if meets_targets(x, batch_memory, footprint, shape, speeds, prefill_token_s):
        return batch_memory
    if not meets_targets(x, 1.0, footprint, shape, speeds, prefill_token_s):
        return 0.0
    low, high = 1.0, batch_memory  # low meets the targets, high does not
    while high - low > 1.0:
        middle = np.floor(0.5 * (low + high))
        if meets_targets(x, middle, footprint, shape, speeds, prefill_token_s):
            low = middle
        else:
            high = middle
    return low


@stage
def unit_step_terms(x, footprint, shape, fractions):
    """The parts of a decode step on one accelerator, for the closed form of TPOT.

    For a dense model with no TTFT bound, ``TPOT(b) = t_0 + c_f + W / (s B) + (P / s +
    c_t + r t_pre) b`` is linear in the batch, and every time but the all-reduces
    scales as ``1 / s`` with the replica's scale ``s`` (its accelerators, times
    ``serving.internode_efficiency`` past a node). These are the terms at ``s = 1``,
    formed once per row; :func:`linear_step_terms` rescales them per replica size.
    They are the equations of :func:`tpot_seconds`, in another order (equal to rounding).

    Returns
    -------
    weight_read_s : float
        Seconds to stream the weights once, ``W / B``.
    sequence_s : float
        GEMM and attention seconds per sequence in a step, ``2 N_act / F_dec +
        max(kv ctx / B, 4 n_l d_attn ctx / F_dec)``.
    prefill_s : float
        Prefill FLOP-seconds per uncached prompt token (see :func:`prefill_token_seconds`).
    new_prompt_per_output : float
        Uncached prompt tokens per output token, ``p' / c``.
    """
    weight_bytes, _, kv_bytes_per_token, serving_flops, _ = footprint
    mbu, mfu_decode, mfu_prefill = fractions
    prompt_tokens, completion_tokens, resident = shape[2], shape[3], shape[4]
    chip_bandwidth = x[col.IN_HW_BANDWIDTH_BYTES_PER_S] * mbu
    chip_decode_flops = serving_flops * mfu_decode
    cached = x[col.IN_PREFIX_CACHE_HIT_SHARE]
    attention_flops = 4.0 * x[col.IN_N_LAYERS] * x[col.IN_ATTENTION_DIM] * resident
    sequence_s = 2.0 * x[col.IN_PARAMS_ACTIVE] / chip_decode_flops + max(
        kv_bytes_per_token * resident / chip_bandwidth, attention_flops / chip_decode_flops
    )
    prefill_flops = 2.0 * x[col.IN_PARAMS_ACTIVE] + 2.0 * x[col.IN_N_LAYERS] * x[
        col.IN_ATTENTION_DIM
    ] * prompt_tokens * (1.0 + cached)
    return (
        weight_bytes / chip_bandwidth,
        sequence_s,
        prefill_flops / (serving_flops * mfu_prefill),
        prompt_tokens * (1.0 - cached) / completion_tokens,
    )


@stage
def linear_step_terms(x, tp, unit_terms):
    """TPOT of a replica of ``tp`` accelerators as ``fixed + per_batch * b``, in seconds.

    Returns
    -------
    fixed, per_batch : float
        The step's fixed seconds (overhead, weight read, all-reduce latencies) and its
        seconds per sequence (GEMMs, attention, all-reduce bytes, and the prefills
        arriving meanwhile).
    prefill_token_s : float
        Replica-seconds of prefill per uncached prompt token.
    """
    weight_read_s, sequence_s, prefill_s, new_prompt_per_output = unit_terms
    scale = tp
    if tp > x[col.IN_HW_SCALE_UP_SIZE]:
        scale = tp * x[col.IN_INTERNODE_EFFICIENCY]
    inverse_scale = 1.0 / scale
    comm_fixed, comm_per_token = allreduce_seconds(x, tp)
    prefill_token_s = prefill_s * inverse_scale + comm_per_token
    fixed = x[col.IN_STEP_OVERHEAD_S] + weight_read_s * inverse_scale + comm_fixed
    per_batch = (
        sequence_s * inverse_scale + comm_per_token + new_prompt_per_output * prefill_token_s
    )
    return fixed, per_batch, prefill_token_s


@stage
def batch_at_size(fixed_batch, batch_memory, largest):
    """The batch a replica size runs, or why it runs none.

    Parameters
    ----------
    fixed_batch : float
        ``serving.batch_size`` (0: the largest batch that works).
    batch_memory : float
        Sequences the KV memory holds.
    largest : float
        The largest batch up to ``batch_memory`` that meets the latency targets.

    Returns
    -------
    batch : float
        Sequences decoded together (0 when none works).
    failure : int
        0, or the flag of why none works.
    """
    if fixed_batch > 0.0:
        if batch_memory < fixed_batch:
            return 0.0, col.FLAG_KV_DOES_NOT_FIT
        if largest < fixed_batch:
            return 0.0, col.FLAG_SLO_UNREACHABLE
        return fixed_batch, 0
    if batch_memory < 1.0:
        return 0.0, col.FLAG_KV_DOES_NOT_FIT
    if largest < 1.0:
        return 0.0, col.FLAG_SLO_UNREACHABLE
    return largest, 0


@stage
def replica_and_batch(x, footprint, shape, fractions):
    """The power-of-two replica and batch that serve the most tokens per accelerator.

    Every replica size up to ``serving.max_tensor_parallel`` whose weights fit is tried
    at its largest batch within memory and the latency targets; the one with the
    highest output rate per accelerator, ``b / (TPOT tp)``, wins (the smaller on a tie).
    All-reduces make wide replicas pay per token, so this is not always the widest.
    A dense model with no TTFT bound takes the closed form of TPOT
    (:func:`linear_step_terms`), a fraction of the cost of the bisection.

    Parameters
    ----------
    x : ndarray of float64
        The input row.
    footprint, shape, fractions : tuple of float
        From :func:`serving_footprint`, :func:`request_shape` and
        :func:`achieved_fractions`.

    Returns
    -------
    tensor_parallel, batch : float
        Accelerators per replica and sequences decoded together (0, 0 when no
        replica works). A fixed batch (``serving.batch_size``) is used as given.
    flag : int
        0, or why no replica works (:data:`simulate.model.columns.FLAG_REASONS`).
    tpot, prefill_token_s : float
        The chosen replica's time per output token and prefill seconds per new prompt
        token (0 when no replica works), so later stages need not recompute them.
    """
    weight_bytes, _, kv_bytes_per_token, _, _ = footprint
    reserved = shape[5]
    memory = x[col.IN_HW_MEMORY_BYTES]
    fixed_batch = x[col.IN_FIXED_BATCH]
    linear = x[col.IN_MOE_EXPERTS] <= 0.0 and x[col.IN_TTFT_SLO_S] == math.inf
    # The closed form's per-row terms; the bisection path does not use them.
    unit_terms = (0.0, 0.0, 0.0, 0.0)
    if linear:
        unit_terms = unit_step_terms(x, footprint, shape, fractions)
    tpot_limit = x[col.IN_TPOT_SLO_S] / x[col.IN_TPOT_TAIL_FACTOR]
    any_fit = False
    last_failure = 0
    best_tp = 0.0
    best_batch = 0.0
    best_rate = 0.0
    best_tpot = 0.0
    best_prefill_s = 0.0
    tp = 1.0
    while tp <= x[col.IN_MAX_TENSOR_PARALLEL]:
        if weight_bytes <= x[col.IN_WEIGHT_MEMORY_FRACTION] * tp * memory:
            any_fit = True
            kv_room = tp * memory * x[col.IN_USABLE_MEMORY_FRACTION] - weight_bytes
            batch_memory = np.floor(kv_room / (kv_bytes_per_token * reserved))
            if linear:
                fixed, per_batch, prefill_token_s = linear_step_terms(x, tp, unit_terms)
                largest = 0.0
                if tpot_limit > fixed:
                    largest = min(batch_memory, np.floor((tpot_limit - fixed) / per_batch))
                batch, failure = batch_at_size(fixed_batch, batch_memory, largest)
                tpot = fixed + per_batch * batch
            else:
                speeds = replica_speeds(x, tp, footprint, fractions)
                prefill_token_s = prefill_token_seconds(x, shape, speeds)
                largest = 0.0
                if batch_memory >= 1.0:
                    largest = largest_batch(
                        x, batch_memory, footprint, shape, speeds, prefill_token_s
                    )
                batch, failure = batch_at_size(fixed_batch, batch_memory, largest)
                tpot = 0.0
                if failure == 0:
                    tpot, _ = tpot_seconds(x, batch, footprint, shape, speeds, prefill_token_s)
            if failure != 0:
                last_failure = failure
            elif batch / (tpot * tp) > best_rate:
                best_tp, best_batch, best_rate = tp, batch, batch / (tpot * tp)
                best_tpot, best_prefill_s = tpot, prefill_token_s
        tp *= 2.0
    if best_tp > 0.0:
        return best_tp, best_batch, 0, best_tpot, best_prefill_s
    return 0.0, 0.0, last_failure if any_fit else col.FLAG_WEIGHTS_DO_NOT_FIT, 0.0, 0.0


@stage
def serving_rates(x, tp, batch, tpot, prefill_token_s, shape):
    """Throughput of one accelerator, the latency it comes with, and the prefill share.

    Parameters
    ----------
    x : ndarray of float64
        The input row.
    tp, batch, tpot, prefill_token_s : float
        The replica, batch and timings from :func:`replica_and_batch`.
    shape : tuple of float
        From :func:`request_shape`.

    Returns
    -------
    tokens_per_s, output_tokens_per_s : float
        Tokens (prompt + output) and output tokens per second per accelerator; a
        measured output rate (``serving.measured_output_tokens_per_s``) replaces the
        roofline's.
    prefill_share : float
        Prefill share of the serving accelerator-seconds.
    ttft : float
        P99 seconds to the first token at this batch.
    touched : float
        Share of routed experts a decode step reads (1 for a dense model).
    """
    seq_len, _, prompt_tokens, completion_tokens, _, _ = shape
    # Replica-seconds per request: its share of the decode steps and its prefill.
    prefill_s = prompt_tokens * (1.0 - x[col.IN_PREFIX_CACHE_HIT_SHARE]) * prefill_token_s
    ttft = ttft_seconds(batch, completion_tokens, tpot, prefill_s)
    request_s = completion_tokens * tpot / batch
    output_tokens_per_s = completion_tokens / (request_s * tp)
    if x[col.IN_MEASURED_OUTPUT_TOKENS_PER_S] > 0.0:
        output_tokens_per_s = x[col.IN_MEASURED_OUTPUT_TOKENS_PER_S]
    tokens_per_s = output_tokens_per_s * seq_len / completion_tokens
    touched = touched_share(x, batch)
    return tokens_per_s, output_tokens_per_s, prefill_s / request_s, ttft, touched


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
    n_inference, utilization, fleet_hours : float
        Accelerators in the inference fleet (at the peak), the busy share of the hours it
        runs, and those accelerator-hours per month.
    n_base : float
        Accelerators running off-peak (spares included): ``n_inference`` unless a rented
        fleet autoscales. A commitment below it is busy all day.

    Notes
    -----
    One fleet all day (owned, or rented without autoscaling) is sized for the larger of
    the mean demand at the planned utilisation and the peak at full load, and paid for
    every hour. A rented fleet with ``fleet.autoscale`` follows a two-level daily profile:
    ``H_p`` hours a day at ``r`` times the mean (``r`` = peak_to_average, at most
    ``24 / H_p``), the others at ``l = (1 - r f) / (1 - f)`` times it (``f = H_p / 24``,
    so the day's mean is the mean). Each level runs whole replicas at the planned
    utilisation; the hours paid are ``730.5 (f n_peak + (1 - f) n_off)`` plus, every day,
    ``scale_up_hours`` for each accelerator added at the scale-up (a cold start).

    A serverless endpoint billed per second (``fleet.per_second_billing``) follows the
    same profile without whole-replica levels: it runs ``max(m l, TP w_l)`` accelerators
    in level ``l`` (``m`` the mean fleet at the planned utilisation, ``w_l`` the share of
    the time a replica is warm, :func:`warm_shares`), and pays ``scale_up_hours`` for
    each accelerator started: a replica for each request that finds it cold, and the
    daily ramp ``30.44 m (r - l_off)``. ``n_inference`` is its peak in whole replicas.

    With ``fleet.node_accelerators`` ``k`` above the replica size, each level (spares
    included) is rounded up to whole nodes, ``k ceil(L / k)``, and the empty slots are
    hours paid like the fleet's (a serverless endpoint has no nodes).
    """
    busy_hours = tokens_per_month / (tokens_per_s * 3600.0)
    planned = min(1.0, x[col.IN_UTILIZATION_TARGET] * x[col.IN_UTILIZATION_ACHIEVED_RATIO])
    peak = x[col.IN_PEAK_TO_AVERAGE]
    peak_share = min(x[col.IN_PEAK_HOURS_PER_DAY] / 24.0, 1.0)
    rented = x[col.IN_FLEET_CLOUD] > 0.5 and x[col.IN_FLEET_API] <= 0.5
    if rented and x[col.IN_PER_SECOND_BILLING] > 0.5:
        # A serverless endpoint: continuous fleet, a warm replica at least while requests
        # come within the idle timeout, and a cold start for each request that does not.
        levels = daily_levels(x)
        share, level_peak, level_off = levels
        warm_peak, warm_off, cold_share = warm_shares(x, levels)
        mean_fleet = busy_hours / (col.HOURS_PER_MONTH * planned)
        need_peak = max(mean_fleet * level_peak, tp * warm_peak)
        need_off = max(mean_fleet * level_off, tp * warm_off)
        cold_starts = x[col.IN_REQUESTS_PER_DAY] * col.DAYS_PER_MONTH * cold_share
        fleet_hours = (
            col.HOURS_PER_MONTH * (share * need_peak + (1.0 - share) * need_off)
            # Cold starts: a replica for each request that finds the endpoint cold, and
            # the accelerators the daily ramp of the demand adds.
            + (cold_starts * tp + col.DAYS_PER_MONTH * mean_fleet * (level_peak - level_off))
            * x[col.IN_SCALE_UP_HOURS]
        )
        n_inference = np.ceil(max(np.ceil(mean_fleet * level_peak), tp) / tp) * tp
        n_base = n_inference
    elif rented and x[col.IN_AUTOSCALE] > 0.5 and peak_share < 1.0:
        peak = min(peak, 1.0 / peak_share)
        off_peak = (1.0 - peak * peak_share) / (1.0 - peak_share)
        mean_fleet = busy_hours / (col.HOURS_PER_MONTH * planned)
        n_peak = np.ceil(max(np.ceil(mean_fleet * peak), tp) / tp) * tp
        n_off = np.ceil(max(np.ceil(mean_fleet * off_peak), tp) / tp) * tp
        fleet_hours = (
            col.HOURS_PER_MONTH * (peak_share * n_peak + (1.0 - peak_share) * n_off)
            + col.DAYS_PER_MONTH * (n_peak - n_off) * x[col.IN_SCALE_UP_HOURS]
        )
        n_inference = n_peak
        n_base = n_off
    else:
        n_inference = np.ceil(busy_hours / (col.HOURS_PER_MONTH * planned))
        n_at_peak = np.ceil(busy_hours * peak / col.HOURS_PER_MONTH)
        n_inference = max(n_inference, n_at_peak, tp)
        n_inference = np.ceil(n_inference / tp) * tp
        fleet_hours = n_inference * col.HOURS_PER_MONTH
        n_base = n_inference
    # Failover capacity: whole spare replicas, standing all day, paid as the fleet is.
    spare = np.ceil(n_inference * x[col.IN_REDUNDANCY_FRACTION] / tp) * tp
    n_inference += spare
    fleet_hours += spare * col.HOURS_PER_MONTH
    n_base += spare
    node = x[col.IN_NODE_ACCELERATORS]
    if node > tp and not (rented and x[col.IN_PER_SECOND_BILLING] > 0.5):
        # Whole nodes: each level's replicas fill nodes of ``node`` accelerators, the
        # last one partly; the empty slots stand idle, paid as the fleet is.
        slots_peak = np.ceil(n_inference / node) * node - n_inference
        slots_off = np.ceil(n_base / node) * node - n_base
        # One level all day has equal slots at both levels: the formula is 730.5 S.
        fleet_hours += idle_slot_hours(slots_peak, slots_off, peak_share, x[col.IN_SCALE_UP_HOURS])
        n_inference += slots_peak
        n_base += slots_off
    return n_inference, busy_hours / fleet_hours, fleet_hours, n_base


@stage
def idle_slot_hours(slots_peak, slots_off, peak_share, scale_up_hours):
    """Idle accelerator-hours a month of empty node slots at the two daily levels.

    ``730.5 (f S_p + (1 - f) S_o) + 30.44 s (S_p - S_o)``: each level's slots for its
    share ``f`` of the day, and the daily scale-up's ``s`` hours for each slot it adds
    (a fleet on whole nodes here, a shared pool in :mod:`simulate.model.pooling`).
    """
    return col.HOURS_PER_MONTH * (
        peak_share * slots_peak + (1.0 - peak_share) * slots_off
    ) + col.DAYS_PER_MONTH * scale_up_hours * (slots_peak - slots_off)


@stage
def preemption_overhead(x):
    """Rented hours lost to preemptions per hour rented, ``q``: each preemption costs the
    hours to replace the instance, reload the model and re-run the requests in flight."""
    return x[col.IN_INTERRUPTIONS_PER_DAY] * x[col.IN_HOURS_LOST_PER_INTERRUPTION] / 24.0


@stage
def daily_levels(x):
    """The two-level daily profile: peak share of the hours and each level over the mean.

    Returns
    -------
    share, level_peak, level_off : float
        ``f = min(H_p / 24, 1)``, ``r = min(peak_to_average, 1 / f)`` and
        ``(1 - r f) / (1 - f)`` (1 when the peak lasts all day), so the day's mean is 1.
    """
    share = min(x[col.IN_PEAK_HOURS_PER_DAY] / 24.0, 1.0)
    if share >= 1.0:
        return 1.0, 1.0, 1.0
    level_peak = min(x[col.IN_PEAK_TO_AVERAGE], 1.0 / share)
    return share, level_peak, (1.0 - level_peak * share) / (1.0 - share)


@stage
def warm_shares(x, levels):
    """How often a serverless endpoint is warm, and the share of requests that find it cold.

    Requests arrive as a Poisson stream at ``lambda`` per second in each level (the
    mean rate times the level). The endpoint is warm when a request came within the idle
    timeout ``T``, a share ``1 - exp(-lambda T)`` of the time, and a request finds it cold
    with probability ``exp(-lambda T)`` (no request in the ``T`` before it).

    Parameters
    ----------
    levels : tuple of float
        ``(share, level_peak, level_off)`` from :func:`daily_levels`.

    Returns
    -------
    warm_peak, warm_off : float
        Share of the time one replica is up, peak and off-peak.
    cold_share : float
        Share of all requests that wait for a cold start (weighted by the levels' requests).
    """
    share, level_peak, level_off = levels
    per_s = x[col.IN_REQUESTS_PER_DAY] / 86400.0
    timeout = x[col.IN_IDLE_TIMEOUT_S]
    cold_peak = math.exp(-per_s * level_peak * timeout)
    cold_off = math.exp(-per_s * level_off * timeout)
    cold_share = share * level_peak * cold_peak + (1.0 - share) * level_off * cold_off
    return 1.0 - cold_peak, 1.0 - cold_off, cold_share


@stage
def cold_start_share(x):
    """Share of requests that find a serverless endpoint cold (0 for any other fleet)."""
    rented = x[col.IN_FLEET_CLOUD] > 0.5 and x[col.IN_FLEET_API] <= 0.5
    if not rented or x[col.IN_PER_SECOND_BILLING] <= 0.5:
        return 0.0
    return warm_shares(x, daily_levels(x))[2]


@stage
def rented_rent(x, n_inference, n_base, fleet_hours):
    """A rented fleet's monthly rent: committed accelerators, and the hours on demand.

    Parameters
    ----------
    n_inference, n_base, fleet_hours : float
        From :func:`fleet_size`: the fleet at the peak and off-peak (accelerators) and its
        accelerator-hours a month.

    Returns
    -------
    float
        USD/month.

    Notes
    -----
    With ``C`` committed accelerators at the rate ``R (1 - d)`` (``R`` the on-demand rate,
    ``d`` the commitment discount), paid all ``730.5`` hours of a month busy or idle, the
    fleet's levels ``L_p`` for ``H_p`` hours a day and ``L_o`` the others (``f = H_p /
    24``) run on demand only above ``C``:
    ``rent = R (1 + q) h_od + 730.5 C R (1 - d)``, with
    ``h_od = 730.5 (f (L_p - C)+ + (1 - f) (L_o - C)+) + 30.44 s (L_p - max(L_o, C))+``:
    the daily scale-up's cold start (``s`` hours per accelerator added) only for the
    accelerators started on demand, and ``q`` the preemption overhead of on-demand or
    spot hours (committed capacity is not preempted). ``C = 0`` is ``R (1 + q)`` times
    the fleet's hours.
    """
    # Rented on top of the fleet's own hours.
    preempted = preemption_overhead(x)
    committed = x[col.IN_COMMITTED_ACCELERATORS]
    if committed <= 0.0:
        return (
            fleet_hours
            * (1.0 + preempted)
            * x[col.IN_HW_CLOUD_USD_PER_HOUR]
            * x[col.IN_CLOUD_RATE_MULTIPLIER]
        )
    rate = x[col.IN_HW_CLOUD_USD_PER_HOUR] * x[col.IN_CLOUD_RATE_MULTIPLIER]
    peak_share = 0.0
    if n_inference > n_base:  # an autoscaled fleet: two levels a day
        peak_share = min(x[col.IN_PEAK_HOURS_PER_DAY] / 24.0, 1.0)
    on_demand_hours = col.HOURS_PER_MONTH * (
        peak_share * max(n_inference - committed, 0.0)
        + (1.0 - peak_share) * max(n_base - committed, 0.0)
    ) + col.DAYS_PER_MONTH * x[col.IN_SCALE_UP_HOURS] * max(
        n_inference - max(n_base, committed), 0.0
    )
    committed_rent = committed * col.HOURS_PER_MONTH * rate * (1.0 - x[col.IN_COMMIT_DISCOUNT])
    return on_demand_hours * (1.0 + preempted) * rate + committed_rent


@stage
def power_and_energy(x, utilization, fleet_hours):
    """PUE after the CAPEX, the blended power price and the fleet's monthly energy.

    Parameters
    ----------
    utilization, fleet_hours : float
        From :func:`fleet_size`: the busy share and the accelerator-hours per month.

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
def inference_hardware_monthly(x, fleet_hours, fleet, inference_mwh, power_price, owning):
    """The hardware share of the inference fleet's monthly cost: owned or rented.

    Parameters
    ----------
    x : ndarray of float64
        The input row.
    fleet_hours, inference_mwh, power_price : float
        From :func:`fleet_size` and :func:`power_and_energy`.
    fleet : tuple of float
        ``(n_inference, n_base)`` from :func:`fleet_size`.
    owning : tuple of float
        From :func:`ownership_rates`.

    Returns
    -------
    amortization, energy_cost, facility_cost, cloud_rent : float
        USD/month (an owned fleet pays the first three, a rented one the rent).
    """
    if x[col.IN_FLEET_API] > 0.5:
        return 0.0, 0.0, 0.0, 0.0  # the provider's fleet: paid through the token prices
    n_inference, n_base = fleet
    if x[col.IN_FLEET_CLOUD] > 0.5:
        return 0.0, 0.0, 0.0, rented_rent(x, n_inference, n_base, fleet_hours)
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
def api_charges_monthly(x, shape):
    """What a managed API charges per month for the demand: tokens at its prices, and its fee.

    ``R (p (1 - h) P_in + p h P_cached + c P_out) / 1e6 + fee``: ``R`` requests a month,
    ``p`` and ``c`` the prompt and completion tokens of a mean request, ``h`` the prefix
    cache hit share (cached prompt tokens at ``P_cached``, or at ``P_in`` when that is 0).
    0 unless ``fleet.ownership = "api"``.

    Returns
    -------
    float
        USD/month.
    """
    if x[col.IN_FLEET_API] <= 0.5:
        return 0.0
    prompt_tokens, completion_tokens = shape[2], shape[3]
    cached = x[col.IN_PREFIX_CACHE_HIT_SHARE]
    cached_price = x[col.IN_API_CACHED_INPUT_USD_PER_1M]
    if cached_price <= 0.0:
        cached_price = x[col.IN_API_INPUT_USD_PER_1M]
    per_request = (
        prompt_tokens * (1.0 - cached) * x[col.IN_API_INPUT_USD_PER_1M]
        + prompt_tokens * cached * cached_price
        + completion_tokens * x[col.IN_API_OUTPUT_USD_PER_1M]
    ) * 1e-6
    requests = x[col.IN_REQUESTS_PER_DAY] * col.DAYS_PER_MONTH
    return requests * per_request + x[col.IN_API_PLATFORM_USD_PER_MONTH]


@stage
def revenue_monthly(x, shape):
    """What the users pay per month: ``R (p P_in + c P_out) / 1e6 + R P_req`` (USD/month).

    ``R`` requests a month, ``p`` and ``c`` the prompt and completion tokens of a mean
    request; prices from ``[revenue]`` (0 when the scenario charges nothing).
    """
    prompt_tokens, completion_tokens = shape[2], shape[3]
    per_request = (
        prompt_tokens * x[col.IN_PRICE_INPUT_USD_PER_1M]
        + completion_tokens * x[col.IN_PRICE_OUTPUT_USD_PER_1M]
    ) * 1e-6 + x[col.IN_PRICE_USD_PER_REQUEST]
    return x[col.IN_REQUESTS_PER_DAY] * col.DAYS_PER_MONTH * per_request


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
        + (x[col.IN_STAFF_FTE] + x[col.IN_FINOPS_FTE])
        * x[col.IN_STAFF_USD_PER_FTE_YEAR]
        * MONTHS_PER_YEAR_INV
        + x[col.IN_EGRESS_USD_PER_GB] * x[col.IN_EGRESS_BYTES_PER_TOKEN] * tokens_per_month * 1e-9
        + x[col.IN_STORAGE_TB] * x[col.IN_STORAGE_USD_PER_TB_MONTH]
        + x[col.IN_MONITORING_USD_PER_MONTH]
        + x[col.IN_LICENCES_USD_PER_MONTH]
    )
    knee = x[col.IN_SLA_KNEE_UTILIZATION]
    late_share = 0.0
    # A managed API's latency is the provider's: no own fleet runs past the knee.
    if utilization > knee and knee < 1.0 and x[col.IN_FLEET_API] <= 0.5:
        late_share = min(1.0, (utilization - knee) / (1.0 - knee))
    sla_penalty = (
        late_share * tokens_per_month * 1e-3 * x[col.IN_SLA_PENALTY_USD_PER_1K_LATE_TOKENS]
    )
    return overhead, sla_penalty


@stage
def training_mfu(x):
    """Achieved training MFU against the training accelerator's dense BF16 peak.

    ``training.mfu`` (a large model's MFU on the reference H100 runs) times the chip's
    training efficiency (catalog range, at ``hardware.efficiency_quantile``), times
    ``min(1, (N_act / N_ref)^beta)`` for smaller models, which keep GPUs less busy,
    times ``training.fp8_speedup`` when the run is FP8 and the chip has an FP8 path. A
    measured MFU (``training.measured_mfu``) replaces all of it.
    """
    if x[col.IN_TRAIN_MEASURED_MFU] > 0.0:
        return x[col.IN_TRAIN_MEASURED_MFU]
    q = x[col.IN_EFFICIENCY_QUANTILE]
    efficiency = x[col.IN_TRAIN_EFF_LOW] + q * (x[col.IN_TRAIN_EFF_HIGH] - x[col.IN_TRAIN_EFF_LOW])
    size = x[col.IN_PARAMS_ACTIVE] / x[col.IN_TRAIN_MFU_REFERENCE_PARAMS]
    mfu = x[col.IN_TRAIN_MFU] * efficiency
    if size < 1.0:
        mfu *= size ** x[col.IN_TRAIN_MFU_SIZE_EXPONENT]
    if x[col.IN_TRAIN_BITS] <= 8.0 and x[col.IN_TRAIN_PEAK_FP8_FLOPS] > 0.0:
        mfu *= x[col.IN_TRAIN_FP8_SPEEDUP]
    return mfu


@stage
def training_per_release(x, mfu):
    """Accelerator-hours and wall-clock days of pre-training and fine-tuning a release.

    Parameters
    ----------
    x : ndarray of float64
        The input row.
    mfu : float
        Achieved pre-training MFU vs the BF16 peak (:func:`training_mfu`); fine-tuning
        scales ``training.finetune_mfu`` by the same factors.

    Returns
    -------
    train_hours, finetune_hours : float
        Accelerator-hours per release.
    train_days, finetune_days : float
        Wall-clock days per release on the training cluster.
    """
    params_active = x[col.IN_PARAMS_ACTIVE]
    peak = x[col.IN_TRAIN_PEAK_BF16_FLOPS]
    goodput = x[col.IN_TRAIN_GOODPUT]
    train_hours = training_accelerator_hours(
        params_active, x[col.IN_TRAIN_TOKENS], peak, mfu, goodput
    )
    finetune_hours = training_accelerator_hours(
        params_active,
        x[col.IN_FINETUNE_TOKENS] * x[col.IN_FINETUNE_RL_FACTOR],
        peak,
        x[col.IN_FINETUNE_MFU] * mfu / x[col.IN_TRAIN_MFU],
        goodput,
    )
    inv_train_days = 1.0 / (x[col.IN_TRAIN_ACCELERATORS] * 24.0)
    train_days = train_hours * inv_train_days
    return train_hours, finetune_hours, train_days, finetune_hours * inv_train_days


@stage
def training_cluster(x):
    """Accelerators of the training cluster that count in the installed base.

    A scenario that neither pre-trains nor fine-tunes (``training.tokens`` and
    ``training.finetune_tokens`` both 0: serving open weights) has no cluster; the
    cluster's size stays a sizing input of the training time either way.

    Returns
    -------
    float
        ``training.accelerators``, or 0 when the scenario does not train, accelerators.
    """
    trains = x[col.IN_TRAIN_TOKENS] > 0.0 or x[col.IN_FINETUNE_TOKENS] > 0.0
    return x[col.IN_TRAIN_ACCELERATORS] if trains else 0.0


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
def training_depreciation(x, training_hours, owning):
    """The owned training cluster's depreciation within the training cost (CAPEX).

    Parameters
    ----------
    training_hours : float
        Training and fine-tuning accelerator-hours over the horizon.
    owning : tuple of float
        From :func:`ownership_rates`.

    Returns
    -------
    float
        USD: straight-line depreciation over the hours used; 0 for a rented cluster.
    """
    if x[col.IN_TRAIN_CLOUD] > 0.5:
        return 0.0
    inv_life_hours, price_multiplier = owning
    return training_hours * x[col.IN_TRAIN_PURCHASE_PRICE_USD] * price_multiplier * inv_life_hours


@stage
def per_token_extras(x, cost_per_token, shape, prefill_share):
    """Cost per request, per meaningful response and per 1M prompt and output tokens.

    Returns
    -------
    cost_per_request, cost_per_meaningful_response : float
        USD/request and USD/response (``E_t * AA * C_t + P_t * C_p``; O'Reilly Radar,
        'Balancing Cost, Power, and AI Performance', 2025-11).
    input_cost_per_1m, output_cost_per_1m : float
        USD per 1M prompt tokens and per 1M output tokens (serving time split by
        prefill share).
    """
    seq_len, _, prompt_tokens, completion_tokens, _, _ = shape
    # requests = tokens / seq_len, so cost per request is cost per token times seq_len.
    cost_per_request = cost_per_token * seq_len
    meaningful = meaningful_response_cost(
        completion_tokens,
        x[col.IN_ATTEMPTS_PER_RESPONSE],
        cost_per_request / completion_tokens,
        x[col.IN_GUARD_TOKENS_PER_RESPONSE],
        x[col.IN_GUARD_USD_PER_TOKEN],
    )
    prompt_share = prompt_tokens / seq_len
    input_1m = cost_per_token * prefill_share / prompt_share * 1e6
    output_1m = cost_per_token * (1.0 - prefill_share) / (1.0 - prompt_share) * 1e6
    return cost_per_request, meaningful, input_1m, output_1m
