"""Scenario comparison on common random numbers: reference problems, CRN, dataset, CLI."""

import json
import math

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from results.paired import paired_statistics, wilson_interval
from scenarios.comparisons import COMPARISON_SETS, comparison_members
from scenarios.loader import load_scenario, parse_scenario
from scenarios.sources import builtin_names, builtin_text
from simulate.cli.main import main
from simulate.decisions.compare import compare, default_output_name, factor_union
from simulate.engine.montecarlo import run
from simulate.engine.plan import sampling_plan
from simulate.engine.seeding import BLOCK_SIZE
from simulate.model import columns as col

N = 3000
N_CHUNKED = BLOCK_SIZE + 777  # two blocks, the last one short


@pytest.fixture(scope="module")
def identical():
    return compare(["default", "default"], n=N, seed=4)


@pytest.fixture(scope="module")
def accelerators():
    return compare(["accelerator-h100", "accelerator-h200"], n=N, seed=4)


# ---------------------------------------------------------------- reference problems


def test_identical_scenarios_differ_by_exactly_zero(identical):
    for name in col.KPI_NAMES:
        values = identical[name].values
        np.testing.assert_array_equal(values[0], values[1])
        np.testing.assert_array_equal(identical[f"{name}_difference"].values[0], [0.0, 0.0, 0.0])
        assert identical[f"{name}_prob_tie"].values[0] == 1.0
        assert identical[f"{name}_prob_a_worse"].values[0] == 0.0
        share, lower, upper = identical[f"{name}_prob_a_better"].values[0]
        # No pair has A cheaper: the share is 0, its interval starts at 0 and is narrow.
        assert share == 0.0 and lower == 0.0 and 0.0 < upper < 5.0 / N
    assert list(identical["scenario"].values) == ["default", "default#2"]


def test_a_constant_doubled_doubles_the_cost_it_scales_in_every_sample():
    # Training on rented capacity costs accelerator-hours x cloud rate, so doubling the
    # rate multiplier doubles training and fine-tuning cost sample by sample.
    a = load_scenario("default", ["fleet.ownership=cloud"])
    b = load_scenario("default", ["fleet.ownership=cloud", "hardware.cloud_rate_multiplier=2"])
    result = compare([a, b], n=N, seed=9)
    for name in ("training_cost", "finetune_cost"):
        values = result[name].values
        np.testing.assert_allclose(values[1] / values[0], 2.0, rtol=1e-12)
        median_a = result[f"{name}_median"].values[0, 0]
        # The difference B - A = A, so its median is A's median.
        np.testing.assert_allclose(result[f"{name}_difference"].values[0, 0], median_a, rtol=1e-12)
        assert result[f"{name}_prob_a_better"].values[0, 0] == 1.0
    # Training gets costlier, so does the lifecycle: A is cheaper in every sample.
    assert result["lifecycle_total_prob_a_better"].values[0, 0] == 1.0


def test_samples_are_those_of_tco_run_when_the_factors_are_the_same(accelerators):
    alone = run("accelerator-h200", n=N, seed=4)
    for name in ("token_cost_per_1k", "lifecycle_total", "infeasible"):
        np.testing.assert_array_equal(accelerators[name].values[1], alone[name].values)


def test_crn_makes_the_difference_much_sharper_than_independent_sampling(accelerators):
    independent = compare(
        ["accelerator-h100", "accelerator-h200"], n=N, seed=4, common_random_numbers=False
    )

    def spread(dataset):
        values = dataset["lifecycle_total"].values
        return np.std(values[1] - values[0])

    def width(dataset):
        _, lower, upper = dataset["lifecycle_total_difference"].values[0]
        return upper - lower

    # Measured at N = 3000: the spread of B - A is ~19x smaller with CRN.
    assert spread(accelerators) < 0.2 * spread(independent)
    assert width(accelerators) < 0.2 * width(independent)
    # The same marginals either way: each scenario's median agrees within sampling error.
    for s in range(2):
        crn_median = accelerators["lifecycle_total_median"].values[s]
        own_median = independent["lifecycle_total_median"].values[s]
        assert crn_median[1] < own_median[2] and own_median[1] < crn_median[2]
    assert independent.attrs["common_random_numbers"] == 0


def test_shared_factors_get_the_same_uniforms_and_own_factors_their_own_stream():
    # fleet-owned has cloud_rate_multiplier as a factor; default does not.
    result = compare(["default", "fleet-owned"], n=N, seed=2)
    shared = "hardware.price_multiplier"
    np.testing.assert_array_equal(result[shared].values[0], result[shared].values[1])
    own = result["hardware.cloud_rate_multiplier"].values
    assert np.isnan(own[0]).all() and np.isfinite(own[1]).all()
    assert "hardware.cloud_rate_multiplier" not in result.attrs["shared_factors"].split()
    # The rate is inert for an owned fleet, so every KPI ties.
    np.testing.assert_array_equal(
        result["lifecycle_total"].values[0], result["lifecycle_total"].values[1]
    )


def test_a_shared_factor_with_different_marginals_maps_the_same_uniform_through_each():
    result = compare(["fleet-cloud", "fleet-spot"], n=N, seed=3)
    rates = result["hardware.cloud_rate_multiplier"].values
    ranks = [np.argsort(np.argsort(r)) for r in rates]
    np.testing.assert_array_equal(ranks[0], ranks[1])  # comonotone
    assert not np.allclose(rates[0], rates[1])


def test_copulas_apply_per_scenario_on_their_own_columns():
    text = builtin_text("default") + (
        '\n[[correlation]]\nbetween = ["power.spot_price_usd_per_mwh", "facility.pue"]\n'
        "spearman = 0.6\n"
    )
    correlated = parse_scenario(text, "correlated.toml")
    assert correlated.copula is not None
    result = compare([correlated, "default"], n=N, seed=6)
    alone = run(correlated, n=N, seed=6)
    np.testing.assert_array_equal(
        result["lifecycle_total"].values[0], alone["lifecycle_total"].values
    )
    np.testing.assert_array_equal(
        result["lifecycle_total"].values[1], run("default", n=N, seed=6)["lifecycle_total"].values
    )


def test_factor_union_follows_the_schema_order_whatever_the_scenario_order():
    plans = [sampling_plan(load_scenario(name)) for name in ("default", "fleet-spot")]
    assert factor_union(plans) == factor_union(plans[::-1])
    assert factor_union(plans)[:2] == [
        "hardware.price_multiplier",
        "hardware.cloud_rate_multiplier",
    ]


# ---------------------------------------------------------------- reproducibility


def test_same_seed_same_comparison_whatever_the_chunk_size():
    names = ["fleet-owned", "fleet-spot"]
    first = compare(names, n=N_CHUNKED, seed=8, kpis=["token_cost_per_1k"])
    again = compare(names, n=N_CHUNKED, seed=8, kpis=["token_cost_per_1k"], chunk_blocks=1)
    for name in first.data_vars:
        np.testing.assert_array_equal(first[name].values, again[name].values, err_msg=name)
    other = compare(names, n=N_CHUNKED, seed=9, kpis=["token_cost_per_1k"])
    assert not np.array_equal(first["lifecycle_total"].values, other["lifecycle_total"].values)


@pytest.mark.parametrize("design", ["lhs", "sobol"])
def test_designs_are_shared_too(design):
    result = compare(
        ["default", "default"], n=1024, seed=1, design=design, kpis=["lifecycle_total"]
    )
    values = result["lifecycle_total"].values
    np.testing.assert_array_equal(values[0], values[1])
    assert result.attrs["design"] == design


# ---------------------------------------------------------------- statistics


def test_wilson_interval_matches_published_values():
    # Newcombe (1998), Statistics in Medicine 17:857, worked examples, Wilson score method:
    # 0/20 -> 0 to 0.1611; 1/29 -> 0.0061 to 0.1718.
    np.testing.assert_allclose(wilson_interval(0, 20), (0.0, 0.1611), atol=1e-4)
    np.testing.assert_allclose(wilson_interval(1, 29), (0.0061, 0.1718), atol=1e-4)
    lower, upper = wilson_interval(5, 10)
    assert math.isclose(lower + upper, 1.0)
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_paired_statistics_respect_the_direction_and_skip_undefined_rows():
    a = np.array([1.0, 2.0, 3.0, np.nan, 5.0])
    b = np.array([2.0, 2.0, 1.0, 4.0, np.nan])
    lower = paired_statistics(a, b, "lower")
    assert lower["n_paired"] == 3
    assert lower["prob_a_better"][0] == pytest.approx(1 / 3)  # row 0: A lower
    assert lower["prob_tie"] == pytest.approx(1 / 3)
    assert lower["prob_a_worse"] == pytest.approx(1 / 3)
    higher = paired_statistics(a, b, "higher")
    assert higher["prob_a_better"][0] == pytest.approx(1 / 3)  # row 2: A higher
    assert paired_statistics(a, b, "none")["prob_a_better"][0] == lower["prob_a_better"][0]
    with pytest.raises(ValueError, match="direction"):
        paired_statistics(a, b, "sideways")


def test_higher_is_better_kpis_are_phrased_as_better(accelerators):
    assert col.better_direction("tokens_per_dollar") == "higher"
    assert col.better_direction("token_cost_per_1k") == "lower"
    assert col.better_direction("installed_base") == "none"
    result = compare(
        ["accelerator-h100", "accelerator-b200"],
        n=N,
        seed=4,
        kpis=["token_cost_per_1k", "tokens_per_dollar"],
    )
    # B200 is cheaper per token in the model, so it also gives more tokens per dollar:
    # A (H100) is better on neither, whichever way each KPI improves.
    cost = result["token_cost_per_1k_prob_a_better"].values[0, 0]
    tokens = result["tokens_per_dollar_prob_a_better"].values[0, 0]
    assert cost < 0.05 and tokens < 0.05
    assert result["tokens_per_dollar_difference"].values[0, 0] > 0


def test_infeasible_rows_are_left_out_of_the_pairs():
    # A tight latency SLO on small replicas is out of reach when the sampled decode
    # bandwidth utilisation is low or the step overhead high: some rows of B are
    # infeasible (cost NaN; about two in three at seed 1), none of A's.
    tight = load_scenario("default", ["serving.max_tensor_parallel=2", "serving.tpot_slo_s=0.03"])
    result = compare(["default", tight], n=N, seed=1, kpis=["token_cost_per_1k"])
    infeasible = result["infeasible"].values
    structural = (infeasible & col.STRUCTURAL_FLAGS) != 0
    expected = int(np.count_nonzero(~structural[0] & ~structural[1]))
    assert result["token_cost_per_1k_n_paired"].values[0] == expected
    assert 0 < expected < N  # the reference problem does have infeasible rows
    assert not structural[0].any()


# ---------------------------------------------------------------- dataset


def test_dataset_dims_units_provenance_and_round_trip(accelerators, tmp_path):
    assert accelerators["token_cost_per_1k"].dims == ("scenario", "sample")
    assert accelerators["tco_index"].dims == ("scenario", "sample")
    assert accelerators["infeasible"].dims == ("scenario", "sample")
    assert accelerators["token_cost_per_1k_median"].dims == ("scenario", "bound")
    assert accelerators["token_cost_per_1k_difference"].dims == ("comparison", "bound")
    assert accelerators["token_cost_per_1k"].attrs["units"] == "USD/1k tokens"
    assert accelerators["token_cost_per_1k_difference"].attrs["units"] == "USD/1k tokens"
    assert "long_name" in accelerators["token_cost_per_1k_prob_a_better"].attrs
    for i, name in enumerate(["accelerator-h100", "accelerator-h200"], start=1):
        scenario = load_scenario(name)
        assert accelerators.attrs[f"scenario_{i}_sha256"] == scenario.sha256
        assert accelerators.attrs[f"scenario_{i}_toml"] == scenario.text
    assert accelerators.attrs["seed"] == "4" and accelerators.attrs["n_samples"] == N
    assert "numpy_version" in accelerators.attrs
    # Pooled bounds: the index of each sample is its total placed on one shared scale.
    best, worst = (accelerators.attrs[k] for k in ("tco_index_best_usd", "tco_index_worst_usd"))
    expected = np.clip((accelerators["lifecycle_total"].values - best) / (worst - best), 0, 1)
    np.testing.assert_allclose(accelerators["tco_index"].values, expected)

    path = tmp_path / "cmp.nc"
    written = compare(["accelerator-h100", "accelerator-h200"], n=N, seed=4, output=path)
    with xr.open_dataset(path, engine="h5netcdf") as back:
        for name in written.data_vars:
            np.testing.assert_array_equal(back[name].values, written[name].values, err_msg=name)
        assert list(back["comparison"].values) == ["accelerator-h200 - accelerator-h100"]
    assert not list(tmp_path.glob(".*partial*"))


def test_default_output_name():
    assert default_output_name(["a", "b#2"], 10, 3) == "compare-a-vs-b_2-n10-seed3.nc"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scenarios": ["default"]}, "at least two"),
        ({"scenarios": "default"}, "at least two"),
        ({"n": 0}, "positive integer"),
        ({"design": "grid"}, "design"),
        ({"kpis": ["nonsense"]}, "not an output"),
        ({"kpis": []}, "at least one"),
        ({"confidence": 1.5}, "confidence"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    arguments = {"scenarios": ["default", "default"], "n": 10, "seed": 1} | kwargs
    with pytest.raises(ValueError, match=message):
        compare(**arguments)


# ---------------------------------------------------------------- built-in comparison sets


# The keys each comparison scenario changes relative to the default scenario.
CHANGED = {
    "accelerator-h100": set(),
    "accelerator-h200": {"hardware.accelerator"},
    "accelerator-b200": {"hardware.accelerator"},
    "accelerator-mi300x": {"hardware.accelerator"},
    "fleet-owned": {"hardware.cloud_rate_multiplier"},
    "fleet-cloud": {"hardware.cloud_rate_multiplier", "fleet.ownership"},
    "fleet-spot": {"hardware.cloud_rate_multiplier", "fleet.ownership"},
    "utilization-high": {"fleet.utilization_target"},
    "utilization-low": {"fleet.utilization_target"},
    "serving-managed-api": {
        "hardware.cloud_rate_multiplier",
        "fleet.ownership",
        "overhead.staff_fte",
        "api.input_usd_per_1m",
        "api.output_usd_per_1m",
        "api.platform_usd_per_month",
    },
    "serving-self-managed-spot": {
        "hardware.cloud_rate_multiplier",
        "fleet.ownership",
        "overhead.staff_fte",
    },
    "power-hedged": {"power.hedge_share"},
    "power-unhedged": {"power.hedge_share"},
}


def test_every_comparison_set_member_is_a_builtin_described_and_listed():
    assert comparison_members() == set(CHANGED)
    assert comparison_members() <= set(builtin_names())
    output = CliRunner().invoke(main, ["scenarios"]).output
    for group, (_, members) in COMPARISON_SETS.items():
        assert f"Comparison set '{group}'" in output
        assert "tco compare " + " ".join(members) in output


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_comparison_scenarios_change_only_the_compared_decision(name):
    default = load_scenario("default")
    scenario = load_scenario(name)
    assert scenario.name == name and scenario.description
    changed = {
        path
        for path in default.inputs.keys() | scenario.inputs.keys()
        if path not in default.inputs
        or path not in scenario.inputs
        or default.inputs[path].describe() != scenario.inputs[path].describe()
        or default.inputs[path].kind != scenario.inputs[path].kind
    }
    assert changed == CHANGED[name]
    # The shared factors keep their key paths, so CRN pairs them.
    assert {i.path for i in default.factors()} <= {i.path for i in scenario.factors()}


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_comparison_scenarios_have_a_feasible_base_case(name):
    result = CliRunner().invoke(main, ["calc", name])
    assert result.exit_code == 0, result.output
    assert "token_cost_per_1k" in result.output


@pytest.mark.parametrize("group", sorted(COMPARISON_SETS))
def test_each_question_runs_feasibly(group):
    members = COMPARISON_SETS[group][1]
    result = compare(list(members), n=500, seed=1)
    assert (result["infeasible"].values == 0).all()
    assert result.sizes["comparison"] == len(members) - 1
    assert np.isfinite(result["token_cost_per_1k_difference"].values).all()


# ---------------------------------------------------------------- CLI


def test_cli_prints_medians_difference_probability_and_index(tmp_path):
    out = tmp_path / "c.nc"
    result = CliRunner().invoke(
        main,
        [
            "compare",
            "utilization-high",
            "utilization-low",
            "-n",
            "800",
            "--seed",
            "3",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = result.output
    for phrase in (
        "common random numbers",
        "Medians",
        "median B - A",
        "P(A cheaper)",
        "tco_index (pooled)",
        "TCO index = ",
        "utilization-low - utilization-high",
        "Infeasible samples",
        f"Wrote {out}",
    ):
        assert phrase in text, phrase
    assert out.exists()


def test_cli_phrases_higher_is_better_kpis_and_writes_json():
    result = CliRunner().invoke(
        main,
        [
            "compare",
            "power-hedged",
            "power-unhedged",
            "-n",
            "300",
            "--seed",
            "2",
            "--no-save",
            "--kpi",
            "tokens_per_dollar",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["medians"]["tokens_per_dollar"]["better"] == "higher"
    kpi = payload["comparisons"][0]["kpis"]["tokens_per_dollar"]
    assert set(kpi) >= {"difference_b_minus_a", "prob_a_better", "prob_tie", "n_paired"}
    assert payload["output"] is None and payload["seed"] == 2
    text = (
        CliRunner()
        .invoke(
            main,
            [
                "compare",
                "power-hedged",
                "power-unhedged",
                "-n",
                "300",
                "--seed",
                "2",
                "--no-save",
                "--kpi",
                "tokens_per_dollar",
            ],
        )
        .output
    )
    assert "P(A better)" in text and "higher" in text and "P(A cheaper)" not in text


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["compare", "default"], 1, "at least two"),
        (["compare"], 1, "at least two"),
        (["compare", "default", "no-such-scenario"], 1, "no-such-scenario"),
        (["compare", "default", "default", "-n", "0"], 2, "-n"),
        (["compare", "default", "default", "-n", "ten"], 2, "-n"),
        (["compare", "default", "default", "--kpi", "nonsense"], 1, "not an output"),
    ],
)
def test_cli_errors_are_clean(arguments, code, message):
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_compare_prints_each_scenarios_spread_and_the_paired_band(tmp_path):
    import json as _json

    from click.testing import CliRunner
    from helpers import shows

    from results.comparison_table import difference_band, spread
    from simulate.cli.main import main

    out = tmp_path / "c.nc"
    args = ["compare", "accelerator-h100", "accelerator-b200", "-n", "2000", "--seed", "3"]
    result = CliRunner().invoke(main, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    ds = xr.load_dataset(out)
    lines = result.output.splitlines()
    row = next(
        line
        for line in lines[lines.index(next(x for x in lines if x.startswith("Each scenario"))) :]
        if line.strip().startswith("lifecycle_total")
    )
    (p5, p50, p95) = spread(ds, "lifecycle_total")[0]
    first = row.split("USD", 1)[1].split("]")[0] + "]"
    median, band = first.strip().split(" [")
    low, high = band.rstrip("]").split(" to ")
    assert shows(median, p50) and shows(low, p5) and shows(high, p95)
    pair_row = [line for line in lines if line.strip().startswith("lifecycle_total")][-1]
    band_low, band_high = difference_band(
        ds, "lifecycle_total", "accelerator-h100", "accelerator-b200"
    )
    a, b = ds["lifecycle_total"].values
    assert band_low == pytest.approx(np.percentile(b - a, 5))
    assert "to" in pair_row and pair_row.count("$") >= 5
    payload = _json.loads(CliRunner().invoke(main, [*args, "--no-save", "--json"]).output)
    assert payload["outcomes"]["lifecycle_total"]["accelerator-b200"]["p95"] == pytest.approx(
        spread(ds, "lifecycle_total")[1][2]
    )
    assert payload["comparisons"][0]["kpis"]["lifecycle_total"][
        "difference_p5_p95"
    ] == pytest.approx([band_low, band_high])
