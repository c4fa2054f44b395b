"""Break-even sweeps: the crossing finder on known curves, and the managed-API question."""

import json

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from simulate.cli.main import main
from simulate.decisions.breakeven import breakeven, crossings, default_range, sweep_values


def test_crossing_of_a_line_is_exact_on_a_linear_grid():
    values = np.linspace(0.0, 10.0, 6)
    found = crossings(values, 3.0 * values - 7.0, log=False)
    assert len(found) == 1
    assert found[0][0] == pytest.approx(7.0 / 3.0) and found[0][1] == 1


def test_crossing_of_a_log_line_is_exact_on_a_geometric_grid():
    # d(v) = ln(v / 5e6): zero at 5e6; linear in log v, so log interpolation is exact.
    values = sweep_values(1e5, 1e8, 7)
    found = crossings(values, np.log(values / 5e6), log=True)
    assert found[0][0] == pytest.approx(5e6, rel=1e-12) and found[0][1] == 1
    assert not crossings(values, np.ones(7), log=True)


def test_crossings_skip_nan_and_count_a_grid_zero_once():
    values = np.arange(5.0)
    curve = np.array([-2.0, np.nan, 0.0, 1.0, 2.0])
    assert [v for v, _ in crossings(values, curve, log=False)] == [2.0]


def test_sweep_grid_and_bad_ranges():
    assert np.allclose(sweep_values(1.0, 100.0, 3), [1.0, 10.0, 100.0])  # auto: geometric
    assert np.allclose(sweep_values(1.0, 3.0, 3), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="LO < HI"):
        sweep_values(5.0, 1.0, 5)
    with pytest.raises(ValueError, match="LO > 0"):
        sweep_values(-1.0, 100.0, 5, log=True)


def test_default_range_of_a_factor_and_a_lever():
    from scenarios.loader import load_scenario

    scenario = load_scenario()
    low, high = default_range(scenario, "demand.requests_per_day")
    assert 1e7 < low < 2e7 < 8e7 < high < 2e8  # P5-P95 of the lognormal (P10 2e7, P90 8e7)
    assert default_range(scenario, "release.cadence_days") == (90.0, 365.0)
    with pytest.raises(ValueError, match="categorical"):
        default_range(scenario, "hardware.accelerator")
    with pytest.raises(ValueError, match="not an input"):
        default_range(scenario, "demand.requests_per_dya")


def test_managed_api_against_self_managed_spot_breaks_even_on_traffic():
    # The self-managed cluster costs fixed staff, the API only tokens: the API is cheaper
    # at low traffic, the cluster at high traffic, so B - A falls through zero once.
    ds = breakeven(
        ["serving-managed-api", "serving-self-managed-spot"],
        "demand.requests_per_day",
        sweep_values(1e5, 1e8, 7),
        n=4000,
        seed=2,
    )
    median = ds["difference"].values[:, 0]
    assert median[0] > 0.0 > median[-1]
    assert np.all(np.diff(median) < 0.0)
    estimate, low, high = (ds.attrs[k] for k in ("breakeven", "breakeven_low", "breakeven_high"))
    assert 1e5 < low < estimate < high < 1e8
    assert "B better above" in ds.attrs["breakeven_direction"]
    # P(B better) rises with traffic, from ~0 to most samples.
    p = ds["prob_b_better"].values[:, 0]
    assert p[0] < 0.01 and p[-1] > 0.5
    # At low traffic the difference is the staff cost: 6 - 1 FTE at $250k/year for 3 years.
    assert ds["difference"].values[0, 0] == pytest.approx(5 * 250_000 * 3, rel=0.1)


def test_breakeven_at_the_known_crossing_of_a_constructed_pair(tmp_path):
    # Two scenarios that differ only in staff: B - A = dFTE * cost * horizon, constant
    # in the staff cost per FTE, so sweeping A's and B's shared price of staff moves it
    # linearly; with B's extra FTE against A's platform fee the crossing is known.
    base = "default"
    a = tmp_path / "a.toml"
    b = tmp_path / "b.toml"
    from scenarios.sources import builtin_text

    text = builtin_text(base)
    a.write_text(text.replace("platform_usd_per_month = 20000", "platform_usd_per_month = 50000"))
    b.write_text(text.replace("staff_fte = 6", "staff_fte = 8"))
    # B - A per month = 2 FTE * s / 12 - 30,000: zero at s = 180,000 USD/FTE-year.
    ds = breakeven(
        [str(a), str(b)],
        "overhead.staff_usd_per_fte_year",
        np.linspace(100_000, 300_000, 5),
        n=500,
        seed=1,
    )
    assert ds.attrs["breakeven"] == pytest.approx(180_000, rel=1e-6)
    assert "B better below" in ds.attrs["breakeven_direction"]


def test_cli_prints_the_break_even_and_writes_file_and_plot(tmp_path):
    out, png = tmp_path / "be.nc", tmp_path / "be.png"
    args = [
        "breakeven",
        "serving-managed-api",
        "serving-self-managed-spot",
        "--over",
        "demand.requests_per_day",
        "--range",
        "1e5:1e8",
        "--points",
        "5",
        "-n",
        "2000",
        "--seed",
        "1",
        "-o",
        str(out),
        "--plot",
        str(png),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Break-even: demand.requests_per_day = " in result.output
    assert png.stat().st_size > 10_000
    with xr.open_dataset(out) as ds:
        from results.kinds import result_kind

        assert result_kind(ds) == "breakeven"
        assert ds.sizes["value"] == 5 and np.isfinite(ds.attrs["breakeven"])
    as_json = CliRunner().invoke(main, [*args[:-4], "--json"])
    payload = json.loads(as_json.output)
    assert (
        payload["breakeven_interval"][0] < payload["breakeven"] < payload["breakeven_interval"][1]
    )


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--range", "5:1"], "LO < HI"),
        (["--range", "abc"], "LO:HI"),
        (["--over", "demand.requests_per_dya"], "did you mean"),
        (["--plot", "x.txt"], ".png"),
    ],
)
def test_cli_bad_input_is_a_clear_error(extra, message):
    args = ["breakeven", "serving-managed-api", "serving-self-managed-spot", "-n", "200"]
    if "--over" not in extra:
        args += ["--over", "demand.requests_per_day"]
    result = CliRunner().invoke(main, [*args, *extra])
    assert result.exit_code != 0 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_api_charges_are_the_tokens_at_the_prices():
    # Known answer: requests/day x 30.44 days x (p (1-h) P_in + p h P_cached + c P_out) / 1e6.
    from scenarios.loader import load_scenario
    from simulate.model.base_case import calculate
    from simulate.model.columns import DAYS_PER_MONTH

    overrides = [
        "demand.requests_per_day=1e6",
        "api.input_usd_per_1m=0.5",
        "api.output_usd_per_1m=1.5",
        "api.cached_input_usd_per_1m=0.1",
        "api.platform_usd_per_month=2000",
        "serving.prefix_cache_hit_share=0.25",
    ]
    case = calculate(load_scenario("serving-managed-api", overrides))
    out = case.outputs
    prompt = out["avg_seq_len"] * 0.6
    completion = out["avg_seq_len"] - prompt
    per_request = (prompt * 0.75 * 0.5 + prompt * 0.25 * 0.1 + completion * 1.5) / 1e6
    expected = 1e6 * DAYS_PER_MONTH * per_request + 2000
    assert out["api_charges_monthly"] == pytest.approx(expected, rel=1e-12)
    for part in ("amortization_monthly", "energy_cost_monthly", "cloud_rent_monthly"):
        assert out[part] == 0.0
    assert out["sla_penalty_monthly"] == 0.0
    assert out["inference_cost_monthly"] == pytest.approx(
        expected + out["overhead_monthly"], rel=1e-12
    )


def test_api_ownership_without_prices_is_a_clear_error():
    from scenarios.errors import ScenarioError
    from scenarios.loader import load_scenario

    with pytest.raises(ScenarioError, match=r"api\.input_usd_per_1m, api\.output_usd_per_1m"):
        load_scenario("default", ["fleet.ownership=api"])


def test_map_rows_are_the_one_input_sweeps_and_the_curve_is_their_break_even():
    from simulate.decisions.breakeven import breakeven_map

    pair = ["serving-managed-api", "serving-self-managed-spot"]
    grid = sweep_values(1e5, 1e8, 5)
    spot = [0.45, 0.6, 0.75]
    ds = breakeven_map(
        pair,
        "demand.requests_per_day",
        grid,
        "hardware.cloud_rate_multiplier",
        spot,
        n=1500,
        seed=4,
    )
    assert ds["difference"].shape == (3, 5)
    line = breakeven(
        pair,
        "demand.requests_per_day",
        grid,
        n=1500,
        seed=4,
        overrides=["hardware.cloud_rate_multiplier=0.6"],
    )
    np.testing.assert_array_equal(ds["difference"].values[1], line["difference"].values[:, 0])
    assert ds["breakeven"].values[1] == line.attrs["breakeven"]
    # A dearer spot rate needs more traffic before the cluster pays.
    curve = ds["breakeven"].values
    assert np.all(np.diff(curve[np.isfinite(curve)]) > 0)
    with pytest.raises(ValueError, match="two different inputs"):
        breakeven_map(pair, "demand.requests_per_day", grid, "demand.requests_per_day", spot)


def test_cli_map_prints_the_break_even_curve(tmp_path):
    png = tmp_path / "map.png"
    result = CliRunner().invoke(
        main,
        [
            "breakeven",
            "serving-managed-api",
            "serving-self-managed-spot",
            "--over",
            "demand.requests_per_day",
            "--range",
            "1e5:1e8",
            "--and",
            "hardware.cloud_rate_multiplier",
            "--range2",
            "0.4:0.8",
            "--points",
            "4",
            "-n",
            "1000",
            "--seed",
            "1",
            "--plot",
            str(png),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Break-even map" in result.output and png.stat().st_size > 10_000


def test_spot_preemptions_rent_the_lost_hours_on_top():
    from scenarios.loader import load_scenario
    from simulate.model.base_case import calculate

    base = calculate(load_scenario("serving-self-managed-spot")).outputs
    preempted = calculate(
        load_scenario(
            "serving-self-managed-spot",
            ["fleet.interruptions_per_day=0.01", "fleet.hours_lost_per_interruption=2"],
        )
    ).outputs
    factor = 1.0 + 0.01 * 2.0 / 24.0
    assert preempted["cloud_rent_monthly"] == pytest.approx(base["cloud_rent_monthly"] * factor)
    assert preempted["inference_accelerators"] == base["inference_accelerators"]


def test_unwritable_output_is_a_clear_error(tmp_path):
    missing = tmp_path / "no" / "such" / "folder" / "be.nc"
    result = CliRunner().invoke(
        main,
        [
            "breakeven",
            "serving-managed-api",
            "serving-self-managed-spot",
            "--over",
            "demand.requests_per_day",
            "--points",
            "3",
            "-n",
            "200",
            "-o",
            str(missing),
        ],
    )
    assert result.exit_code != 0 and "cannot write the result" in result.output
    assert "Traceback" not in result.output and not missing.exists()
