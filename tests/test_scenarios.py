"""Scenario files: built-ins, validation errors, overrides and resolution to kernel rows."""

import numpy as np
import pytest

from scenarios.errors import ScenarioError
from scenarios.loader import load_scenario, parse_scenario
from scenarios.overrides import parse_assignment
from scenarios.sources import builtin_names
from simulate.model import columns as col
from simulate.model.inputs import base_matrix, input_matrix

MINIMAL = """
[model]
name = "llama-3.1-8b"
[hardware]
accelerator = "L40S"
[demand]
requests_per_day = 1e5
"""

PRODUCT_CARD_LEVERS = {
    "fleet.utilization_target",
    "power.hedge_share",
    "facility.pue_capex_usd",
    "hardware.accelerator",
    "release.cadence_days",
    "serving.context_limit_tokens",
}


def parse(extra="", base=MINIMAL, overrides=()):
    return parse_scenario(base + extra, "test.toml", overrides)


def test_default_scenario_has_the_six_levers():
    scenario = load_scenario()
    assert scenario.name == "default"
    assert {lever.path for lever in scenario.levers()} == PRODUCT_CARD_LEVERS
    assert len(scenario.factors()) >= 8


def test_every_builtin_scenario_loads_and_evaluates():
    names = builtin_names()
    assert "default" in names and "fleet-cloud" in names
    from simulate.model.batch import model_outputs

    for name in names:
        out, flags = model_outputs(base_matrix(load_scenario(name)))
        assert flags[0] == 0, name
        assert np.isfinite(out).all(), name


def test_minimal_scenario_uses_documented_defaults():
    scenario = parse()
    base = scenario.base_values()
    assert base["fleet.ownership"] == "owned"
    assert base["power.hedge_share"] == 0.5
    row = base_matrix(scenario)[0]
    assert row[col.IN_TRAIN_TOKENS] == 15.6e12  # from the model catalog
    assert row[col.IN_HW_MEMORY_BYTES] == 48e9  # L40S from the hardware catalog
    assert not np.isnan(row).any()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "[power]\nhedge_sahre = 0.5\n",
            r"unknown key power.hedge_sahre \(did you mean 'hedge_share'\?\)",
        ),
        ("[powr]\nhedge_share = 0.5\n", r"unknown section \[powr\] \(did you mean 'power'\?\)"),
        (
            "[power]\nspot_price_usd_per_mwh = -5\n",
            r"test.toml: power.spot_price_usd_per_mwh = -5: -5 is outside the valid domain \[0, inf\]",
        ),
        (
            "[fleet]\nutilization_target = 1.2\n",
            r"fleet.utilization_target = 1.2: 1.2 is outside the valid domain \(0, 1\]",
        ),
        ("[fleet]\nutilization_target = 0\n", r"outside the valid domain \(0, 1\]"),
        (
            "[facility]\npue = 0.9\n",
            r"facility.pue = 0.9: 0.9 is outside the valid domain \[1, inf\]",
        ),
        ('[power]\nhedge_share = "half"\n', r"power.hedge_share = 'half': expected a number"),
        ("[power]\nhedge_share = true\n", r"power.hedge_share = True: expected a number"),
        (
            '[power]\nhedge_share = { lever = "range", low = 0.9, high = 0.1, base = 0.5 }\n',
            r"lever low = 0.9 must be < high = 0.1; swap them",
        ),
        (
            '[power]\nhedge_share = { lever = "range", low = 0.1, high = 0.9, base = 0.95 }\n',
            r"lever base = 0.95 must lie in \[low, high\]",
        ),
        (
            '[power]\nhedge_share = { lever = "range", low = 0.1, high = 1.5, base = 0.5 }\n',
            r"1.5 is outside the valid domain \[0, 1\]",
        ),
        (
            '[power]\nhedge_share = { lever = "range", low = 0.1, base = 0.5 }\n',
            r"range lever needs 'high'",
        ),
        (
            '[power]\nhedge_share = { lever = "slider", low = 0.1 }\n',
            r'must be "range" or "choice"',
        ),
        (
            '[power]\nhedge_share = { lever = "range", low = 0, hi = 1, base = 0.5 }\n',
            r"unknown lever key 'hi' \(did you mean 'high'\?\)",
        ),
        (
            '[release]\ncadence_days = { lever = "choice", choices = [90, 180], base = 120 }\n',
            r"lever base = 120 is not one of the choices",
        ),
        (
            '[fleet]\nownership = "leased"\n',
            r"fleet.ownership = 'leased' is not known; choose one of owned, cloud",
        ),
        ("[scenario]\nname = 3\n", r"scenario.name = 3: must be a string"),
        ("[catalog.gpus.X]\nmemory_gb = 1\n", r"unknown table \[catalog.gpus\]"),
    ],
)
def test_validation_errors_name_file_key_value_and_fix(extra, message):
    with pytest.raises(ScenarioError, match=message):
        parse(extra)


def test_unknown_accelerator_suggests_a_name():
    text = MINIMAL.replace('"L40S"', '"H1000"')
    with pytest.raises(
        ScenarioError,
        match=r"hardware.accelerator = 'H1000' is not known \(did you mean 'H100'\?\)",
    ):
        parse(base=text)


def test_missing_required_keys():
    with pytest.raises(ScenarioError, match=r"test.toml: model.name is required"):
        parse(base='[hardware]\naccelerator = "H100"\n[demand]\nrequests_per_day = 1\n')
    with pytest.raises(ScenarioError, match=r"demand.requests_per_day is required \(1/d"):
        parse(base='[model]\nname = "llama-3.1-8b"\n[hardware]\naccelerator = "H100"\n')


def test_training_tokens_required_when_the_model_lacks_them():
    text = (
        MINIMAL
        + '[catalog.models.tiny]\nlong_name = "tiny"\nsource = "test"\nparams_total = 1e9\nn_layers = 8\nn_heads = 8\nn_kv_heads = 8\nhead_dim = 64\nhidden_size = 512\nmax_context_tokens = 4096\n'
    )
    text = text.replace('"llama-3.1-8b"', '"tiny"')
    with pytest.raises(ScenarioError, match=r"training.tokens is required because model\(s\) tiny"):
        parse(base=text)
    assert parse("[training]\ntokens = 1e11\n", base=text).base_values()["training.tokens"] == 1e11


def test_invalid_toml_is_reported_with_the_file():
    with pytest.raises(ScenarioError, match=r"test.toml: not valid TOML"):
        parse("[power\n")


def test_distribution_support_must_lie_in_the_domain():
    with pytest.raises(
        ScenarioError,
        match=r"power.spot_price_usd_per_mwh = .*quantile .* outside the valid domain",
    ):
        parse('[power]\nspot_price_usd_per_mwh = { dist = "normal", mean = 80, sd = 40 }\n')


def test_set_overrides_constants_levers_and_parameters():
    scenario = load_scenario(
        "default",
        [
            "power.hedge_share=0.8",
            "hardware.accelerator=B200",
            "release.cadence_days.base=120",
            'facility.pue={dist="pert", low=1.1, mode=1.2, high=1.3}',
        ],
    )
    base = scenario.base_values()
    assert base["power.hedge_share"] == 0.8
    assert scenario.inputs["power.hedge_share"].kind == "constant"
    assert base["hardware.accelerator"] == "B200"
    assert base["release.cadence_days"] == 120
    assert scenario.inputs["facility.pue"].kind == "factor"
    assert scenario.overrides[0] == "power.hedge_share=0.8"
    assert scenario.sha256 != load_scenario("default").sha256


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        (
            "power.hedge_sahre=0.5",
            r"--set power.hedge_sahre: unknown key \(did you mean 'power.hedge_share'\?\)",
        ),
        ("power.hedge_share", r"expected key.path=value"),
        ("power.hedge_share=1.7", r"1.7 is outside the valid domain \[0, 1\]"),
        ("power.hedge_share.base=0.3", r"power.hedge_share is 0.5, not a table"),
    ],
)
def test_set_errors(assignment, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario("default", [assignment]) if "hedge_share.base" not in assignment else parse(
            "[power]\nhedge_share = 0.5\n", overrides=[assignment]
        )


def test_parse_assignment_values():
    assert parse_assignment("a.b=3") == ("a.b", 3)
    assert parse_assignment("a.b=B200") == ("a.b", "B200")
    assert parse_assignment('a.b="x y"') == ("a.b", "x y")
    assert parse_assignment("a.b=[1, 2]") == ("a.b", [1, 2])


def test_unknown_scenario_name():
    with pytest.raises(
        ScenarioError,
        match=r"defualt: neither a scenario file nor a built-in scenario \(did you mean 'default'\?\)",
    ):
        load_scenario("defualt")
    with pytest.raises(ScenarioError, match=r"nope.toml: no such scenario file"):
        load_scenario("nope.toml")


def test_user_hardware_added_and_overridden():
    text = MINIMAL.replace('"L40S"', '"MYGPU"') + (
        '[catalog.hardware.MYGPU]\nlong_name = "test part"\nvendor = "X"\n'
        "bf16_dense_tflops = 500\nfp8_dense_tflops = 1000\nmemory_gb = 96\n"
        "memory_bandwidth_tbps = 4\nboard_power_w = 600\npurchase_price_usd = 20000\n"
        "cloud_usd_per_gpu_hour = 2.5\n"
        "[catalog.hardware.H100]\nmemory_gb = 96\n"
    )
    scenario = parse(base=text)
    assert scenario.hardware["MYGPU"].memory_bytes == 96e9
    assert scenario.hardware["H100"].memory_bytes == 96e9
    assert scenario.hardware["H100"].peak_bf16_flops == 989e12
    assert base_matrix(scenario)[0, col.IN_HW_PEAK_BF16_FLOPS] == 500e12


def test_accelerator_lever_changes_every_hardware_column_per_sample():
    scenario = load_scenario()
    item = scenario.inputs["hardware.accelerator"]
    idx = np.arange(len(item.categories))
    x = input_matrix(scenario, {"hardware.accelerator": idx}, len(idx))
    for i, name in enumerate(item.categories):
        acc = scenario.hardware[name]
        assert x[i, col.IN_HW_MEMORY_BYTES] == acc.memory_bytes
        # training.accelerator = "same": the training cluster follows the lever.
        assert x[i, col.IN_TRAIN_PEAK_BF16_FLOPS] == acc.peak_bf16_flops


def test_training_ownership_same_follows_fleet():
    scenario = load_scenario("default", ["fleet.ownership=cloud"])
    x = base_matrix(scenario)[0]
    assert x[col.IN_FLEET_CLOUD] == 1.0 and x[col.IN_TRAIN_CLOUD] == 1.0
    scenario = load_scenario("default", ["fleet.ownership=cloud", "training.ownership=owned"])
    x = base_matrix(scenario)[0]
    assert x[col.IN_FLEET_CLOUD] == 1.0 and x[col.IN_TRAIN_CLOUD] == 0.0


def test_factors_sit_at_their_medians_in_the_base_case():
    scenario = load_scenario()
    for item in scenario.factors():
        assert item.base_value() == pytest.approx(float(item.distribution.ppf(0.5)))
