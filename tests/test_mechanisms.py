"""The throughput mechanisms of the serving and training stages (issue: fidelity).

Each test states a published or closed-form expectation: MoE decode reads only the
experts a batch touches, a prefix cache skips prefill, tighter latency classes serve
fewer tokens, FP4 runs on the FP4 peak where the chip has one, a measured throughput
replaces the roofline, and training MFU follows its documented function.
"""

import math

import pytest

from scenarios.errors import ScenarioError
from scenarios.loader import parse_scenario
from simulate.model import columns as col
from simulate.model.base_case import calculate

BASE = """
[model]
name = "{model}"
weight_bits = {weight_bits}
kv_bits = 8
[hardware]
accelerator = "{accelerator}"
[serving]
input_tokens = {isl}
output_tokens = {osl}
context_limit_tokens = 8192
kv_reservation = 0
max_tensor_parallel = {max_tp}
tpot_slo_s = {tpot}
ttft_slo_s = {ttft}
{serving}
[demand]
requests_per_day = 1e7
[training]
tokens = 1e12
{training}
"""


def case(
    model="llama-2-70b",
    accelerator="H100",
    weight_bits=8,
    isl=1000,
    osl=300,
    max_tp=8,
    tpot="inf",
    ttft="inf",
    serving="",
    training="",
    extra="",
):
    text = BASE.format(**locals()) + extra
    result = calculate(parse_scenario(text, "mechanisms.toml"))
    assert not result.flags, result.reasons
    return result.outputs


def test_fixed_request_lengths_set_the_sequence():
    out = case(isl=1234, osl=321)
    assert out["avg_seq_len"] == pytest.approx(1234 + 321)
    assert out["truncated_share"] == 0


def test_a_fixed_batch_is_used_as_given():
    out = case(serving="batch_size = 37")
    assert out["batch_size"] == 37


def test_latency_classes_order_throughput_as_published():
    # MLPerf Llama-2-70B: offline >= server (2 s / 200 ms) > interactive (0.45 s / 40 ms).
    offline = case()["output_tokens_per_s_per_accelerator"]
    server = case(tpot=0.2, ttft=2.0)["output_tokens_per_s_per_accelerator"]
    interactive = case(tpot=0.04, ttft=0.45)
    assert offline >= server > interactive["output_tokens_per_s_per_accelerator"]
    assert interactive["ttft_s"] <= 0.45
    assert interactive["tpot_s"] * 1.15 <= 0.04 * (1 + 1e-9)


def test_an_unreachable_ttft_bound_is_flagged():
    text = BASE.format(
        model="llama-3.1-405b",
        accelerator="H100",
        weight_bits=8,
        isl=100000,
        osl=100,
        max_tp=8,
        tpot="inf",
        ttft=0.01,
        serving="",
        training="",
    ).replace("context_limit_tokens = 8192", "context_limit_tokens = 131072")
    result = calculate(parse_scenario(text, "ttft.toml"))
    assert result.flags and any("SLO" in r or "latency" in r for r in result.reasons)


def test_prefix_cache_skips_prefill():
    cold = case(isl=4000, osl=200)
    warm = case(isl=4000, osl=200, serving="prefix_cache_hit_share = 0.9")
    assert warm["prefill_share"] < cold["prefill_share"]
    assert warm["output_tokens_per_s_per_accelerator"] > cold["output_tokens_per_s_per_accelerator"]


def test_longer_context_costs_attention_time():
    short = case(isl=500, osl=200)["output_tokens_per_s_per_accelerator"]
    long = case(isl=6000, osl=200)["output_tokens_per_s_per_accelerator"]
    assert long < short


def test_moe_decode_reads_only_the_experts_a_batch_touches():
    # One sequence routed to 2 of 8 experts reads 1 - (1 - 2/8)^1 = 1/4 of them.
    one = case(model="mixtral-8x7b", serving="batch_size = 1")
    assert one["moe_touched_share"] == pytest.approx(0.25)
    big = case(model="mixtral-8x7b", serving="batch_size = 64")
    assert big["moe_touched_share"] == pytest.approx(1 - 0.75**64)
    # DeepSeek-V3: 8 of 256 experts; a batch of 16 touches 1 - (31/32)^16 = 39.9%.
    ds = case(model="deepseek-v3", accelerator="H200", serving="batch_size = 16")
    assert ds["moe_touched_share"] == pytest.approx(1 - (31 / 32) ** 16)


def test_fp4_runs_on_the_fp4_peak_where_the_chip_has_one():
    fp4 = case(accelerator="B200", weight_bits=4.5, serving="compute_bits = 4")
    fp8 = case(accelerator="B200", weight_bits=8)
    assert fp4["serving_compute_bits"] == 4 and fp8["serving_compute_bits"] == 8
    assert fp4["output_tokens_per_s_per_accelerator"] > fp8["output_tokens_per_s_per_accelerator"]
    # H100 has no FP4: 4-bit weights run on the FP8 path (the documented fallback).
    h100 = case(accelerator="H100", weight_bits=4)
    assert h100["serving_compute_bits"] == 8


def test_a_precision_no_accelerator_has_is_an_error():
    with pytest.raises(ScenarioError, match=r"serving.compute_bits = 4.*H100.*B200, GB200, MI355X"):
        case(accelerator="H100", serving="compute_bits = 4")
    with pytest.raises(ScenarioError, match=r"training.precision_bits = 8.*A100-80GB"):
        case(accelerator="H100", training='accelerator = "A100-80GB"\nprecision_bits = 8')


def test_measured_throughput_replaces_the_roofline():
    roofline = case()
    measured = case(serving="measured_output_tokens_per_s = 1000")
    assert measured["output_tokens_per_s_per_accelerator"] == 1000
    ratio = roofline["output_tokens_per_s_per_accelerator"] / 1000
    assert measured["inference_accelerators"] == pytest.approx(
        roofline["inference_accelerators"] * ratio, rel=0.02
    )


def test_all_in_hour_and_flop_per_dollar():
    out = case()
    hours = out["inference_accelerators"] * col.HOURS_PER_MONTH
    assert out["usd_per_accelerator_hour"] == pytest.approx(
        out["inference_cost_monthly"] / hours, rel=1e-9
    )
    # H100 FP8 dense peak: 1,979 TFLOP/s for an hour per all-in dollar.
    assert out["peak_pflop_per_usd"] == pytest.approx(
        1979e12 * 3600 / 1e15 / out["usd_per_accelerator_hour"], rel=1e-9
    )


def test_replicas_beyond_a_node_pay_the_internode_efficiency():
    # Llama 3.1 405B in BF16 needs 16 H100s: two NVLink domains.
    slow = case(
        model="llama-3.1-405b", weight_bits=16, max_tp=16, serving="internode_efficiency = 0.5"
    )
    fast = case(
        model="llama-3.1-405b", weight_bits=16, max_tp=16, serving="internode_efficiency = 0.9"
    )
    assert slow["tensor_parallel"] == fast["tensor_parallel"] == 16
    assert slow["output_tokens_per_s_per_accelerator"] < fast["output_tokens_per_s_per_accelerator"]


def test_all_reduce_latency_slows_wide_replicas_only():
    single = case(accelerator="H200", serving="batch_size = 8", max_tp=1)
    single_slow = case(
        accelerator="H200", serving="batch_size = 8\nallreduce_latency_s = 1e-3", max_tp=1
    )
    assert single["tpot_s"] == pytest.approx(single_slow["tpot_s"])
    wide = case(accelerator="H100", serving="batch_size = 8", max_tp=2)
    wide_slow = case(
        accelerator="H100", serving="batch_size = 8\nallreduce_latency_s = 1e-3", max_tp=2
    )
    # Two all-reduces per layer, 80 layers: 160 x (1 ms - 10 us) more per step.
    assert wide_slow["tpot_s"] - wide["tpot_s"] == pytest.approx(160 * (1e-3 - 1e-5), rel=1e-6)


def test_training_mfu_follows_its_function():
    # 0.4 x H100 efficiency 1 x (70.55 / 400)^0.1, BF16.
    out = case(model="llama-3.1-70b", training="mfu = 0.4\nmfu_size_exponent = 0.1")
    assert out["training_mfu"] == pytest.approx(0.4 * (70.55 / 400) ** 0.1)
    fp8 = case(
        model="llama-3.1-70b",
        training="mfu = 0.4\nmfu_size_exponent = 0.1\nprecision_bits = 8\nfp8_speedup = 1.25",
    )
    assert fp8["training_mfu"] == pytest.approx(out["training_mfu"] * 1.25)
    assert fp8["training_gpu_hours"] == pytest.approx(out["training_gpu_hours"] / 1.25)
    measured = case(model="llama-3.1-70b", training="measured_mfu = 0.3")
    assert measured["training_mfu"] == 0.3
    expected = 6 * 70.55e9 * 1e12 / (989e12 * 0.3 * 3600) / 0.9
    assert measured["training_gpu_hours"] == pytest.approx(expected, rel=1e-3)
    assert math.isfinite(measured["training_days"])


def test_fine_tuning_on_its_own_cadence():
    from scenarios.loader import load_scenario
    from simulate.model.base_case import calculate

    base = calculate(load_scenario("default")).outputs
    monthly = calculate(load_scenario("default", ["release.finetune_cadence_days=30"])).outputs
    years = 3.0
    assert base["finetunes_in_horizon"] == pytest.approx(base["releases_in_horizon"])
    assert monthly["finetunes_in_horizon"] == pytest.approx(years * 365.25 / 30)
    # Only the fine-tuning line moves: (fine-tunes - releases) x cost per fine-tune.
    extra = (monthly["finetunes_in_horizon"] - base["releases_in_horizon"]) * base["finetune_cost"]
    assert monthly["lifecycle_total"] - base["lifecycle_total"] == pytest.approx(extra, rel=1e-9)
    assert monthly["releases_in_horizon"] == base["releases_in_horizon"]


@pytest.mark.parametrize(
    ("overrides", "counts_cluster"),
    [
        ([], True),
        (["training.tokens=0", "training.finetune_tokens=0"], False),
        (["training.tokens=0"], True),  # still fine-tunes on the cluster
        (["training.finetune_tokens=0"], True),
    ],
)
def test_installed_base_counts_the_training_cluster_only_where_the_scenario_trains(
    overrides, counts_cluster
):
    from scenarios.loader import load_scenario

    scenario = load_scenario(None, ["training.accelerators=2048", *overrides])
    out = calculate(scenario).outputs
    cluster = 2048 if counts_cluster else 0
    assert out["installed_base"] == out["inference_accelerators"] + cluster
    if not counts_cluster:
        assert out["training_cost"] == 0.0
