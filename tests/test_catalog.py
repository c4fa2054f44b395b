"""Tests for the hardware and model catalogs and their validation."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from scenarios.catalog import load_hardware_catalog, load_model_catalog, lookup
from scenarios.catalog_entries import (
    Accelerator,
    ModelArch,
    accelerator_from_table,
    merge_accelerator,
    merge_model,
    model_from_table,
)

REQUIRED_HARDWARE = (
    "A10G",
    "L40S",
    "A100-80GB",
    "H100",
    "H800",
    "H200",
    "B200",
    "GB200",
    "MI300X",
    "MI325X",
    "MI355X",
)
REQUIRED_MODELS = (
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.1-405b",
    "llama-2-70b",
    "mistral-7b",
    "deepseek-v3",
)
FIGURE_FIELDS = (
    "peak_bf16_flops",
    "peak_fp8_flops",
    "memory_bytes",
    "memory_bandwidth_bytes_per_s",
    "board_power_w",
    "purchase_price_usd_low",
    "purchase_price_usd_high",
    "cloud_usd_per_hour_low",
    "cloud_usd_per_hour_high",
)
# Figures every packaged entry sources as well: efficiencies and the scale-up domain.
# FP4 peak and link bandwidth are sourced where the chip has them (0 by default).
PACKAGED_FIELDS = (
    *FIGURE_FIELDS,
    "scale_up_size",
    "compute_efficiency_low",
    "compute_efficiency_high",
    "training_efficiency_low",
    "training_efficiency_high",
)
WHERE = "scenario.toml: hardware.catalog.MYGPU"

# A complete user table in the plain-number form scenario files may use.
MYGPU = {
    "long_name": "My GPU",
    "vendor": "Acme",
    "bf16_dense_tflops": 500,
    "fp8_dense_tflops": 1000,
    "memory_gb": 96,
    "memory_bandwidth_tbps": 4.0,
    "board_power_w": 600,
    "purchase_price_usd": [15000, 20000],
    "cloud_usd_per_gpu_hour": 2.5,
}
MYMODEL = {
    "long_name": "My model",
    "params_total": 13e9,
    "n_layers": 40,
    "n_heads": 40,
    "n_kv_heads": 8,
    "head_dim": 128,
    "hidden_size": 5120,
    "max_context_tokens": 8192,
    "source": "made up for a test",
}


@pytest.fixture(scope="module")
def hardware() -> dict[str, Accelerator]:
    return load_hardware_catalog()


@pytest.fixture(scope="module")
def models() -> dict[str, ModelArch]:
    return load_model_catalog()


# --------------------------------------------------------------------------- #
# Loaders
# --------------------------------------------------------------------------- #


def test_hardware_catalog_has_required_entries(hardware):
    assert set(REQUIRED_HARDWARE) <= set(hardware)
    for name, acc in hardware.items():
        assert acc.name == name


def test_model_catalog_has_required_entries(models):
    assert set(REQUIRED_MODELS) <= set(models)
    for name, model in models.items():
        assert model.name == name


def test_loaders_are_cached_but_return_fresh_dicts():
    first, second = load_hardware_catalog(), load_hardware_catalog()
    assert first == second and first is not second
    assert first["H100"] is second["H100"]  # parsed once
    first["EXTRA"] = first["H100"]
    assert "EXTRA" not in load_hardware_catalog()


def test_every_hardware_figure_has_source_and_date(hardware):
    for acc in hardware.values():
        optional = {"peak_fp4_flops", "scale_up_link_bytes_per_s"}
        assert set(PACKAGED_FIELDS) <= set(acc.sources) <= set(PACKAGED_FIELDS) | optional
        assert (acc.peak_fp4_flops > 0) == ("peak_fp4_flops" in acc.sources), acc.name
        for field_name, text in acc.sources.items():
            # "source (date)": the date is the last parenthesised part.
            assert text.endswith(")") and " (" in text, (acc.name, field_name, text)
            source, date = text[:-1].rsplit(" (", 1)
            assert source.strip() and any(ch.isdigit() for ch in date), (acc.name, field_name)


def test_every_model_has_source_and_date(models):
    for model in models.values():
        assert model.source.endswith(")") and any(ch.isdigit() for ch in model.source[-9:])


def test_hardware_figures_are_positive_and_ordered(hardware):
    for acc in hardware.values():
        assert acc.peak_bf16_flops > 0 and acc.peak_fp8_flops >= 0
        assert acc.memory_bytes > 0 and acc.memory_bandwidth_bytes_per_s > 0
        assert 0 < acc.purchase_price_usd_low <= acc.purchase_price_usd_high
        assert 0 < acc.cloud_usd_per_hour_low <= acc.cloud_usd_per_hour_high
        # Where a chip has FP8 its dense peak is twice BF16 in every listed datasheet.
        if acc.peak_fp8_flops:
            assert acc.peak_fp8_flops == pytest.approx(2 * acc.peak_bf16_flops, rel=0.02)


def test_no_fp8_on_ampere(hardware):
    assert hardware["A10G"].peak_fp8_flops == 0
    assert hardware["A100-80GB"].peak_fp8_flops == 0


# --------------------------------------------------------------------------- #
# Units
# --------------------------------------------------------------------------- #


def test_h100_units_converted_to_si(hardware):
    h100 = hardware["H100"]
    # Exact decimal conversions of the file's human units.
    assert h100.memory_bytes == 80e9
    assert h100.peak_bf16_flops == 989e12
    assert h100.peak_fp8_flops == 1979e12
    assert h100.memory_bandwidth_bytes_per_s == 3.35e12
    assert h100.board_power_w == 700


def test_typical_price_and_rate_are_midpoints(hardware):
    h100 = hardware["H100"]
    assert h100.purchase_price_usd == pytest.approx(27500)
    assert h100.cloud_usd_per_hour == pytest.approx(0.5 * (2.0 + 5.0))


def test_gb200_is_per_gpu(hardware):
    gb200 = hardware["GB200"]
    assert gb200.memory_bytes == 186e9
    assert gb200.peak_bf16_flops == 2500e12
    # ~$3.1M per NVL72 rack shared by 72 GPUs.
    assert 3.1e6 / 72 == pytest.approx(gb200.purchase_price_usd, rel=0.1)


def test_model_architectures(models):
    l70 = models["llama-3.1-70b"]
    assert (l70.n_layers, l70.n_heads, l70.n_kv_heads, l70.head_dim, l70.hidden_size) == (
        80,
        64,
        8,
        128,
        8192,
    )
    l405 = models["llama-3.1-405b"]
    assert (l405.n_layers, l405.n_heads, l405.n_kv_heads, l405.hidden_size) == (126, 128, 8, 16384)
    assert models["llama-3.1-8b"].n_layers == 32 and models["llama-3.1-8b"].n_kv_heads == 8
    assert models["llama-2-70b"].n_layers == 80 and models["llama-2-70b"].n_kv_heads == 8
    m7 = models["mistral-7b"]
    assert (m7.n_layers, m7.n_kv_heads, m7.head_dim) == (32, 8, 128)
    ds = models["deepseek-v3"]
    assert (ds.n_layers, ds.hidden_size, ds.n_heads) == (61, 7168, 128)
    assert ds.params_total == 671e9 and ds.params_active == 37e9
    for model in models.values():
        # hidden = heads * head_dim holds for every listed model but DeepSeek's MLA
        # (head_dim is v_head_dim) and Qwen3, whose 64 query heads of 128 span 8,192.
        exceptions = ("deepseek-v3", "deepseek-r1", "qwen3-235b-a22b")
        assert model.n_heads * model.head_dim == model.hidden_size or model.name in exceptions


def test_dense_models_have_active_equal_total(models):
    for name in REQUIRED_MODELS[:-1]:
        assert models[name].params_active == models[name].params_total


def test_weight_bytes_llama_31_70b(models):
    # 70.55e9 parameters * 2 bytes ~ 141 GB.
    assert models["llama-3.1-70b"].weight_bytes(16) == pytest.approx(141e9, rel=0.005)
    assert models["llama-3.1-70b"].weight_bytes(8) == pytest.approx(70.55e9)


def test_kv_bytes_per_token_llama_2_70b(models):
    # 2 (K and V) * 80 layers * 8 KV heads * 128 head dim * 2 bytes.
    assert models["llama-2-70b"].kv_bytes_per_token(16) == 2 * 80 * 8 * 128 * 2 == 327_680


def test_kv_bytes_per_token_deepseek_v3_mla(models):
    # MLA caches kv_lora_rank 512 + qk_rope_head_dim 64 = 576 values per layer.
    ds = models["deepseek-v3"]
    assert ds.kv_values_per_token_per_layer == 576
    assert ds.kv_bytes_per_token(16) == 61 * 576 * 2


def test_byte_helpers_broadcast_over_arrays(models):
    bits = np.array([4.0, 8.0, 16.0])
    out = models["llama-2-70b"].kv_bytes_per_token(bits)
    np.testing.assert_allclose(out, 327_680 * bits / 16, rtol=1e-12)


@pytest.mark.parametrize("bits", [0, -8, math.nan])
def test_byte_helpers_reject_bad_bits(models, bits):
    with pytest.raises(ValueError, match=r"kv_bits = .*must be finite and > 0"):
        models["llama-2-70b"].kv_bytes_per_token(bits)
    with pytest.raises(ValueError, match="weight_bits"):
        models["llama-2-70b"].weight_bytes(bits)


# --------------------------------------------------------------------------- #
# User tables and merging
# --------------------------------------------------------------------------- #


def test_user_table_with_plain_numbers():
    acc = accelerator_from_table("MYGPU", MYGPU, WHERE)
    assert acc.memory_bytes == 96e9
    assert acc.peak_bf16_flops == 500e12
    assert (acc.purchase_price_usd_low, acc.purchase_price_usd_high) == (15000, 20000)
    # A plain number for a range is a certain value: low == high.
    assert acc.cloud_usd_per_hour_low == acc.cloud_usd_per_hour_high == 2.5
    assert acc.sources["memory_bytes"] == f"user value, {WHERE}"


def test_merge_accelerator_changes_only_given_fields(hardware):
    h100 = hardware["H100"]
    merged = merge_accelerator(
        h100,
        {"cloud_usd_per_gpu_hour": {"low": 1.8, "high": 2.2, "source": "my quote", "date": "2026"}},
        "scenario.toml: hardware.catalog.H100",
    )
    assert (merged.cloud_usd_per_hour_low, merged.cloud_usd_per_hour_high) == (1.8, 2.2)
    assert merged.sources["cloud_usd_per_hour_low"] == "my quote (2026)"
    changed = {
        f.name
        for f in dataclasses.fields(Accelerator)
        if getattr(merged, f.name) != getattr(h100, f.name)
    }
    assert changed == {"cloud_usd_per_hour_low", "cloud_usd_per_hour_high", "sources"}
    assert {k for k in h100.sources if merged.sources[k] != h100.sources[k]} == {
        "cloud_usd_per_hour_low",
        "cloud_usd_per_hour_high",
    }
    # The catalog entry itself is untouched.
    assert load_hardware_catalog()["H100"].cloud_usd_per_hour_low == 2.0


def test_merge_model_changes_only_given_fields(models):
    base = models["llama-3.1-70b"]
    merged = merge_model(base, {"max_context_tokens": 32768}, "scenario.toml: models.x")
    assert merged.max_context_tokens == 32768
    assert (
        dataclasses.replace(merged, max_context_tokens=base.max_context_tokens, source=base.source)
        == base
    )


def test_merge_model_keeps_derived_fields_consistent(models):
    where = "scenario.toml: models.x"
    # A dense model stays dense and the default KV size follows the attention shape.
    bigger = merge_model(models["llama-2-70b"], {"params_total": 80e9, "n_kv_heads": 16}, where)
    assert bigger.params_active == 80e9
    assert bigger.kv_values_per_token_per_layer == 2 * 16 * 128
    # An explicit MLA cache size is kept.
    ds = merge_model(models["deepseek-v3"], {"n_kv_heads": 64}, where)
    assert ds.kv_values_per_token_per_layer == 576


def test_model_from_user_table_defaults():
    model = model_from_table("mine", MYMODEL, "scenario.toml: models.mine")
    assert model.params_active == model.params_total == 13e9
    assert model.kv_values_per_token_per_layer == 2 * 8 * 128
    assert model.training_tokens is None


# --------------------------------------------------------------------------- #
# Validation errors
# --------------------------------------------------------------------------- #


def test_unknown_key_suggests_the_right_one():
    table = {**MYGPU, "memroy_gb": 96}
    with pytest.raises(
        ValueError, match=r"MYGPU\.memroy_gb: unknown key; did you mean 'memory_gb'"
    ):
        accelerator_from_table("MYGPU", table, WHERE)


def test_unknown_key_inside_a_figure_table():
    table = {**MYGPU, "memory_gb": {"valeu": 96}}
    with pytest.raises(ValueError, match=r"memory_gb\.valeu: unknown key; did you mean 'value'"):
        accelerator_from_table("MYGPU", table, WHERE)


def test_unknown_model_key_suggests_the_right_one():
    with pytest.raises(ValueError, match=r"n_kv_head: unknown key; did you mean 'n_kv_heads'"):
        model_from_table("mine", {**MYMODEL, "n_kv_head": 8}, "scenario.toml: models.mine")


def test_unquoted_dotted_name_is_explained():
    with pytest.raises(ValueError, match="must be quoted in TOML"):
        model_from_table("m", {**MYMODEL, "3": {"1-8b": {}}}, "models.toml: llama-3")


def test_negative_value_names_file_key_value_and_fix(hardware):
    with pytest.raises(
        ValueError,
        match=r"^hardware\.toml: H100\.memory_gb = -80: must be > 0 \(memory in decimal GB\)$",
    ):
        merge_accelerator(hardware["H100"], {"memory_gb": {"value": -80}}, "hardware.toml: H100")


def test_zero_fp8_allowed_but_negative_rejected():
    assert (
        accelerator_from_table("MYGPU", {**MYGPU, "fp8_dense_tflops": 0}, WHERE).peak_fp8_flops == 0
    )
    with pytest.raises(ValueError, match=r"fp8_dense_tflops = -1: must be >= 0"):
        accelerator_from_table("MYGPU", {**MYGPU, "fp8_dense_tflops": -1}, WHERE)


@pytest.mark.parametrize(
    "value",
    [{"low": 30000, "high": 25000}, [30000, 25000]],
    ids=["table", "list"],
)
def test_low_above_high_rejected(value):
    with pytest.raises(ValueError, match=r"purchase_price_usd = .*low must be <= high"):
        accelerator_from_table("MYGPU", {**MYGPU, "purchase_price_usd": value}, WHERE)


@pytest.mark.parametrize("value", ["fast", True, [1, 2], math.inf, math.nan])
def test_non_numeric_rejected(value):
    with pytest.raises(
        ValueError, match=r"MYGPU\.bf16_dense_tflops = .*: must be (a number|finite)"
    ):
        accelerator_from_table("MYGPU", {**MYGPU, "bf16_dense_tflops": value}, WHERE)


def test_missing_keys_named():
    table = {k: v for k, v in MYGPU.items() if k not in ("memory_gb", "vendor")}
    with pytest.raises(ValueError, match=r"MYGPU: missing required key\(s\) vendor, memory_gb"):
        accelerator_from_table("MYGPU", table, WHERE)


def test_missing_model_key_named():
    table = {k: v for k, v in MYMODEL.items() if k != "n_layers"}
    with pytest.raises(ValueError, match=r"mine: missing required key\(s\) n_layers"):
        model_from_table("mine", table, "scenario.toml: models.mine")


def test_catalog_figures_need_source_and_date():
    sourced = {
        key: (
            value
            if isinstance(value, str)
            else {"low": value[0], "high": value[1], "source": "s", "date": "2026"}
            if isinstance(value, list)
            else {"value": value, "source": "s", "date": "2026"}
        )
        for key, value in MYGPU.items()
    }
    sourced["cloud_usd_per_gpu_hour"] = {"low": 2.5, "high": 2.5, "source": "s", "date": "2026"}
    assert accelerator_from_table("MYGPU", sourced, "hardware.toml: MYGPU", require_sources=True)
    table = {**sourced, "memory_gb": {"value": 96, "source": "datasheet"}}
    with pytest.raises(ValueError, match=r"memory_gb: missing date"):
        accelerator_from_table("MYGPU", table, "hardware.toml: MYGPU", require_sources=True)
    with pytest.raises(ValueError, match=r"bf16_dense_tflops = 500: the packaged catalog needs"):
        accelerator_from_table("MYGPU", MYGPU, "hardware.toml: MYGPU", require_sources=True)


def test_params_active_above_total_rejected():
    table = {**MYMODEL, "params_active": 20e9}
    with pytest.raises(ValueError, match=r"params_active = 2e\+10: must be <= params_total"):
        model_from_table("mine", table, "scenario.toml: models.mine")


def test_fractional_layer_count_rejected():
    with pytest.raises(ValueError, match=r"n_layers = 40.5: must be a whole number"):
        model_from_table("mine", {**MYMODEL, "n_layers": 40.5}, "scenario.toml: models.mine")


def test_more_kv_heads_than_heads_rejected():
    with pytest.raises(ValueError, match=r"n_kv_heads = 64: must be <= n_heads = 40"):
        model_from_table("mine", {**MYMODEL, "n_kv_heads": 64}, "scenario.toml: models.mine")


def test_lookup_unknown_name_suggests_and_lists(hardware, models):
    assert lookup(hardware, "H100", "scenario.toml: levers.accelerator") is hardware["H100"]
    with pytest.raises(
        ValueError,
        match=r"accelerator = 'H10': unknown name; did you mean 'H100'\? known names: .*MI300X",
    ):
        lookup(hardware, "H10", "scenario.toml: levers.accelerator")
    with pytest.raises(ValueError, match=r"did you mean 'llama-3.1-70b'"):
        lookup(models, "llama-3.1-70B", "scenario.toml: model")


def test_moe_figures_must_agree_with_the_active_parameters():
    moe = {**MYMODEL, "moe_experts": 8, "moe_experts_per_token": 2}
    with pytest.raises(ValueError, match="give all three of moe_experts"):
        model_from_table("mine", moe, "scenario.toml: models.mine")
    total = MYMODEL["params_total"]
    inconsistent = {**moe, "moe_routed_params": 0.9 * total}  # implies 0.325 x total active
    with pytest.raises(ValueError, match=r"params_active = .*imply .* within 5%"):
        model_from_table("mine", inconsistent, "scenario.toml: models.mine")
    agreeing = {**inconsistent, "params_active": total - 0.9 * total + 0.9 * total * 2 / 8}
    model = model_from_table("mine", agreeing, "scenario.toml: models.mine")
    assert model.moe_experts == 8 and model.moe_routed_params == pytest.approx(0.9 * total)


def test_new_catalog_figures_are_sourced():
    hardware = load_hardware_catalog()
    for name in ("B200", "GB200", "MI355X"):
        assert hardware[name].peak_fp4_flops > 0
        assert "peak_fp4_flops" in hardware[name].sources
    assert hardware["GB200"].scale_up_size == 72
    for name, accelerator in hardware.items():
        assert accelerator.compute_efficiency_low <= accelerator.compute_efficiency_high, name
        assert "compute_efficiency_low" in accelerator.sources, name
    models = load_model_catalog()
    for name in ("mixtral-8x7b", "qwen3-235b-a22b", "deepseek-r1", "gpt-3-175b", "bloom-176b"):
        assert name in models


def test_docs_catalog_md_is_current():
    from pathlib import Path

    from scenarios.catalog_docs import GENERATED_FROM, catalog_tables

    text = (Path(__file__).resolve().parents[1] / "docs" / "catalog.md").read_text()
    assert GENERATED_FROM + text.split(GENERATED_FROM, 1)[1] == catalog_tables()
    assert "REFERENCE" not in text and "e+" not in text
