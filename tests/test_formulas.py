"""Worked examples of the published sources (docs/model.md), reproduced with our functions."""

import math

import numpy as np
import pytest

from simulate.model.formulas import (
    capped_lognormal_mean,
    cost_per_million_tokens,
    cost_per_token_from_hourly,
    decode_step_seconds,
    energy_cost_per_token,
    meaningful_response_cost,
    prefill_seconds_per_token,
    pue_after_capex,
    tokens_per_joule,
    tokens_per_kwh,
    training_accelerator_hours,
)


def test_oreilly_tokens_per_joule_and_kwh():
    # 3,000 tokens/s at 1,000 W -> 3 tokens/J -> 10.8 M tokens/kWh.
    assert tokens_per_joule(3000.0, 1000.0) == 3.0
    assert tokens_per_kwh(3000.0, 1000.0) == pytest.approx(10.8e6, rel=1e-15)


def test_oreilly_energy_cost_per_token():
    # $0.17/kWh over 10.8 M tokens/kWh = $1.574e-8 per token (the article rounds to 1.7e-8).
    value = energy_cost_per_token(0.17, tokens_per_kwh(3000.0, 1000.0))
    assert value == pytest.approx(0.17 / 10.8e6, rel=1e-15)
    assert value == pytest.approx(1.574e-8, rel=1e-3)


def test_oreilly_meaningful_response():
    # 150 tokens x 1.2 attempts x $0.00015 + 150 guard tokens x $0.000002 = $0.0273.
    assert meaningful_response_cost(150.0, 1.2, 0.00015, 150.0, 0.000002) == pytest.approx(
        0.0273, rel=1e-12
    )


def test_glossary_cost_per_token_from_hourly_rate():
    # $5.48/h generating 2 M tokens/h -> $2.74e-6 per token ($2.74 per 1M).
    assert cost_per_token_from_hourly(5.48, 2e6) == pytest.approx(2.74e-6, rel=1e-12)
    assert cost_per_million_tokens(5.48, 2e6) == pytest.approx(2.74, rel=1e-12)


def test_koparkar_cost_per_million_is_hourly_over_millions_per_hour():
    for rate, tokens in [(2.0, 1e7), (3.9, 5.5e6), (0.8, 123456.0)]:
        assert cost_per_million_tokens(rate, tokens) == pytest.approx(
            rate / (tokens / 1e6), rel=1e-15
        )


def test_cost_guide_seven_b_on_one_a10g():
    # The cost-modelling guide's exercise: a 7B model on one A10G (g5.xlarge, $1.006/h),
    # 100 prompt and 200 completion tokens per request. GPU-seconds per request from the roofline, then
    # cost per request and per 1M tokens at the instance's hourly price.
    params, weight_bytes = 7.0e9, 14.0e9  # 16-bit weights
    bandwidth, flops = 0.6e12, 70e12  # A10G catalog figures
    mbu, mfu = 0.6, 0.5
    kv_per_token = 32 * 2 * 8 * 128 * 2  # Mistral-7B-like GQA, 16-bit KV
    batch, context = 16.0, 100 + 200 / 2
    step = decode_step_seconds(
        weight_bytes, kv_per_token, context, batch, 1.0, bandwidth, mbu, params, flops, mfu
    )
    # Memory-bound at this batch: the step reads the weights plus the batch's KV once.
    assert step == pytest.approx(
        (weight_bytes + batch * kv_per_token * context) / (bandwidth * mbu)
    )
    prefill = prefill_seconds_per_token(params, 1.0, flops, mfu)
    assert prefill == pytest.approx(2 * params / (flops * mfu))
    gpu_seconds = 100 * prefill + 200 * step / batch
    # By hand: prefill 100 x 4e-4 s = 0.04 s; step (14e9 + 16 x 131072 x 200) B / 3.6e11 B/s
    # = 0.0400539 s, so decode 200 x 0.0400539 / 16 = 0.500674 s.
    assert gpu_seconds == pytest.approx(0.540674, rel=1e-5)
    tokens_per_hour = 300 / gpu_seconds * 3600
    per_million = cost_per_million_tokens(1.006, tokens_per_hour)
    assert per_million == pytest.approx(1.006 * gpu_seconds / 3600 / 300 * 1e6, rel=1e-12)
    assert per_million == pytest.approx(0.50363, rel=1e-4)  # $/1M tokens at $1.006/h


def test_training_hours_formula():
    # 6 N D / (F MFU 3600) / goodput, e.g. 1e9 params x 1e12 tokens on 1e15 FLOP/s at 0.5.
    assert training_accelerator_hours(1e9, 1e12, 1e15, 0.5, 1.0) == pytest.approx(6e21 / 1.8e18)
    assert training_accelerator_hours(1e9, 1e12, 1e15, 0.5, 0.8) == pytest.approx(
        6e21 / 1.8e18 / 0.8
    )


def test_pue_after_capex_diminishing_returns():
    assert pue_after_capex(1.5, 1.1, 0.0, 5e6) == 1.5
    one_scale = pue_after_capex(1.5, 1.1, 5e6, 5e6)
    assert one_scale == pytest.approx(1.1 + 0.4 * 0.36787944117144233)
    assert pue_after_capex(1.5, 1.1, 1e12, 5e6) == pytest.approx(1.1)
    # A site already better than the floor gains nothing.
    assert pue_after_capex(1.05, 1.1, 1e7, 5e6) == 1.05


def test_capped_lognormal_mean_limits():
    # No spread: the mean, or the cap when the mean exceeds it.
    assert capped_lognormal_mean(1000.0, 0.0, 4096.0) == (1000.0, 0.0)
    assert capped_lognormal_mean(5000.0, 0.0, 4096.0) == (4096.0, 1.0)
    # A far cap truncates nothing; the capped mean never exceeds the cap or the mean.
    mean, share = capped_lognormal_mean(1000.0, 1.0, 1e9)
    assert mean == pytest.approx(1000.0, rel=1e-9) and share < 1e-9
    mean, share = capped_lognormal_mean(1000.0, 1.0, 1000.0)
    assert mean < 1000.0 and 0.0 < share < 1.0


def test_capped_lognormal_mean_matches_monte_carlo():
    import numpy as np

    rng = np.random.default_rng(7)
    sigma, mean, cap = 0.9, 1500.0, 2500.0
    draws = rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, 2_000_000)
    capped, share = capped_lognormal_mean(mean, sigma, cap)
    # Standard errors at 2e6 draws are ~0.05% of the mean; 4 sigma tolerance.
    assert capped == pytest.approx(np.minimum(draws, cap).mean(), rel=3e-3)
    assert share == pytest.approx((draws > cap).mean(), abs=2e-3)


def test_table_erfc_matches_libm():
    from simulate.model.erfc import ERFC_X_MAX, erfc

    rng = np.random.default_rng(7)
    xs = np.concatenate(
        [rng.uniform(-ERFC_X_MAX - 1.0, ERFC_X_MAX + 1.0, 20_000), np.arange(-27.0, 27.0, 0.25)]
    )
    for x in xs:
        expected = math.erfc(x)
        if expected < 1e-300:  # subnormal: libm's own relative accuracy is gone
            continue
        assert abs(erfc(x) - expected) <= 2e-13 * expected, x
    assert math.isnan(erfc(math.nan))
    assert abs(erfc(0.0) - 1.0) <= 1e-15
