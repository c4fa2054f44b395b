"""Scalar cost and performance formulas shared by the kernel and the worked examples.

Each function is Numba-compiled (callable from Python and from other kernels) and
implements one equation of ``docs/model.md``. The worked examples of the sources are
reproduced with these exact functions in ``tests/test_formulas.py``. Sources:

- [OReilly2025] O'Reilly Radar, "Balancing Cost, Power, and AI Performance" (2025-11):
  tokens per kWh, energy cost per token, cost per meaningful response.
- [Koparkar2026] S. Koparkar, "Rethinking AI TCO: Why Cost per Token Is the Only Metric
  That Matters", NVIDIA blog (2026-04): cost per 1M tokens from the GPU-hour.
"""

from __future__ import annotations

import math

from distributions.jit import jit
from simulate.model.erfc import erfc

JOULES_PER_KWH = 3.6e6
INV_SQRT2 = 1.0 / math.sqrt(2.0)


@jit
def tokens_per_joule(tokens_per_s, power_w):
    """Energy efficiency of serving [OReilly2025].

    Parameters
    ----------
    tokens_per_s : float
        Throughput, tokens/s.
    power_w : float
        Average power draw while producing them, W (= J/s).

    Returns
    -------
    float
        Tokens per joule.
    """
    return tokens_per_s / power_w


@jit
def tokens_per_kwh(tokens_per_s, power_w):
    """Tokens per kilowatt-hour: tokens per joule times 3.6e6 J/kWh [OReilly2025].

    Parameters
    ----------
    tokens_per_s : float
        Throughput, tokens/s.
    power_w : float
        Average power draw, W.

    Returns
    -------
    float
        Tokens per kWh.
    """
    return tokens_per_joule(tokens_per_s, power_w) * JOULES_PER_KWH


@jit
def energy_cost_per_token(usd_per_kwh, tokens_per_kwh_value):
    """Energy cost of one token, USD/token [OReilly2025].

    Parameters
    ----------
    usd_per_kwh : float
        Electricity price, USD/kWh.
    tokens_per_kwh_value : float
        Tokens per kWh.

    Returns
    -------
    float
        USD per token.
    """
    return usd_per_kwh / tokens_per_kwh_value


@jit
def cost_per_token_from_hourly(usd_per_hour, tokens_per_hour):
    """Cost per token of an hourly-priced resource: its rate over the tokens an hour serves.

    Parameters
    ----------
    usd_per_hour : float
        Price of the instance or accelerator, USD/h.
    tokens_per_hour : float
        Tokens it produces per hour.

    Returns
    -------
    float
        USD per token.
    """
    return usd_per_hour / tokens_per_hour


@jit
def cost_per_million_tokens(usd_per_gpu_hour, tokens_per_gpu_hour):
    """Cost per 1M tokens = cost per GPU-hour / (tokens per GPU-hour / 1e6) [Koparkar2026].

    Parameters
    ----------
    usd_per_gpu_hour : float
        Cost of one accelerator-hour, USD.
    tokens_per_gpu_hour : float
        Tokens produced per accelerator-hour.

    Returns
    -------
    float
        USD per 1M tokens.
    """
    return usd_per_gpu_hour / (tokens_per_gpu_hour / 1e6)


@jit
def meaningful_response_cost(
    tokens_per_response, attempts, usd_per_token, guard_tokens, usd_per_guard_token
):
    """Cost per meaningful response ``E_t * AA * C_t + P_t * C_p`` [OReilly2025].

    Parameters
    ----------
    tokens_per_response : float
        ``E_t``, tokens generated per response (reasoning tokens included).
    attempts : float
        ``AA``, average attempts per meaningful response.
    usd_per_token : float
        ``C_t``, cost per generated token, USD.
    guard_tokens : float
        ``P_t``, pre/post-processing tokens per response.
    usd_per_guard_token : float
        ``C_p``, cost per pre/post-processing token, USD.

    Returns
    -------
    float
        USD per meaningful response.
    """
    return tokens_per_response * attempts * usd_per_token + guard_tokens * usd_per_guard_token


@jit
def pue_after_capex(pue_base, pue_floor, capex_usd, capex_scale_usd):
    """PUE after an improvement CAPEX, with diminishing returns.

    ``PUE = floor + (base - floor) * exp(-capex / scale)``; a floor above the base
    buys nothing (the site is already better than the floor).

    Parameters
    ----------
    pue_base : float
        PUE before the investment (>= 1).
    pue_floor : float
        PUE reachable with unlimited CAPEX (>= 1).
    capex_usd : float
        CAPEX spent, USD.
    capex_scale_usd : float
        CAPEX that removes 1 - 1/e (63 %) of the reducible overhead, USD.

    Returns
    -------
    float
        PUE after the investment.
    """
    if capex_usd == 0.0:
        # No investment, no change: spares the exponential in the common case (the
        # lever's base is usually 0, so a whole Monte Carlo run takes this branch).
        return pue_base
    floor = min(pue_floor, pue_base)
    return floor + (pue_base - floor) * math.exp(-capex_usd / capex_scale_usd)


@jit
def capped_lognormal_mean(mean_tokens, sigma, cap_tokens):
    """Mean of ``min(L, cap)`` and ``P(L > cap)`` for lognormal request lengths.

    Request lengths within a scenario are lognormal with the given mean and
    log-space standard deviation ``sigma``; requests above the context limit are
    truncated to it. With ``mu = ln(mean) - sigma**2 / 2``::

        E[min(L, C)] = mean * Phi((ln C - mu - sigma**2) / sigma)
                       + C * (1 - Phi((ln C - mu) / sigma))

    (the partial expectation of the lognormal; Johnson, Kotz & Balakrishnan,
    *Continuous Univariate Distributions*, vol. 1, ch. 14).

    Parameters
    ----------
    mean_tokens : float
        Mean requested tokens per request before the cap (> 0).
    sigma : float
        Log-space standard deviation (>= 0; 0 means every request has the mean).
    cap_tokens : float
        Context length limit, tokens (> 0).

    Returns
    -------
    capped_mean : float
        Mean tokens per request after the cap.
    truncated_share : float
        Share of requests longer than the cap.
    """
    if sigma < 1e-12:
        if mean_tokens > cap_tokens:
            return cap_tokens, 1.0
        return mean_tokens, 0.0
    # ln C - mu = ln(C / mean) + sigma**2 / 2: one logarithm instead of two.
    z_cap = (math.log(cap_tokens / mean_tokens) + 0.5 * sigma * sigma) / sigma
    # Multiplying by 1/sqrt(2) (a folded constant) instead of dividing by sqrt(2).
    below = 0.5 * erfc((sigma - z_cap) * INV_SQRT2)
    above = 0.5 * erfc(z_cap * INV_SQRT2)
    return mean_tokens * below + cap_tokens * above, above


@jit
def training_accelerator_hours(params_active, tokens, peak_flops, mfu, goodput):
    """Accelerator-hours of a training run: ``6 N D / (F * MFU * 3600) / goodput``.

    Parameters
    ----------
    params_active : float
        Parameters active per token (all of them for a dense model).
    tokens : float
        Training tokens (times any RL rollout factor).
    peak_flops : float
        Peak dense FLOP/s per accelerator at the training precision.
    mfu : float
        Model FLOP/s utilisation, 0-1.
    goodput : float
        Share of wall time not lost to failures, restarts and checkpoints, 0-1.

    Returns
    -------
    float
        Accelerator-hours.
    """
    return 6.0 * params_active * tokens / (peak_flops * mfu * 3600.0) / goodput


@jit
def decode_step_seconds(
    weight_bytes,
    kv_bytes_per_token,
    context_tokens,
    batch,
    tensor_parallel,
    bandwidth_bytes_per_s,
    mbu,
    params_active,
    peak_flops,
    mfu,
):
    """Time of one decode step of a replica: the slower of memory and compute.

    ``max((W + b kv ctx) / (TP B mbu), 2 N_act b / (TP F mfu))``.

    Parameters
    ----------
    weight_bytes : float
        Bytes of weights read per step.
    kv_bytes_per_token : float
        KV-cache bytes per token of context.
    context_tokens : float
        Mean resident context per sequence, tokens.
    batch : float
        Sequences decoded together.
    tensor_parallel : float
        Accelerators in the replica.
    bandwidth_bytes_per_s : float
        Peak memory bandwidth per accelerator, B/s.
    mbu : float
        Achieved share of peak bandwidth, 0-1.
    params_active : float
        Parameters active per token.
    peak_flops : float
        Peak FLOP/s per accelerator at the serving precision.
    mfu : float
        Achieved share of peak FLOP/s in decode, 0-1.

    Returns
    -------
    float
        Seconds per decode step.
    """
    memory_s = (weight_bytes + batch * kv_bytes_per_token * context_tokens) / (
        tensor_parallel * bandwidth_bytes_per_s * mbu
    )
    compute_s = 2.0 * params_active * batch / (tensor_parallel * peak_flops * mfu)
    return max(memory_s, compute_s)


@jit
def prefill_seconds_per_token(params_active, tensor_parallel, peak_flops, mfu):
    """Replica-seconds per prompt token in (compute-bound) prefill: ``2 N_act / (TP F mfu)``.

    Parameters
    ----------
    params_active : float
        Parameters active per token.
    tensor_parallel : float
        Accelerators in the replica.
    peak_flops : float
        Peak FLOP/s per accelerator at the serving precision.
    mfu : float
        Achieved share of peak FLOP/s in prefill, 0-1.

    Returns
    -------
    float
        Seconds per prompt token.
    """
    return 2.0 * params_active / (tensor_parallel * peak_flops * mfu)
