"""The plan over time (simulate.model.timeline): growth, purchases, depreciation, discounting.

Reference problems with known answers: a flat plan is today's steady month times the
horizon; a hand-booked replacement with price decline and salvage; continuous growth's
closed-form token count; and identities that hold in every sample: the years add up to
the lifecycle total and its CAPEX, the monthly cash flows add up to the lifecycle total,
and the present value at a zero discount rate is the lifecycle total.
"""

import math

import numpy as np
import pytest

from results.years import monthly_cash_flows, year_count, year_rows, yearly
from scenarios.loader import load_scenario
from simulate.engine.montecarlo import run
from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.model.inputs import base_matrix
from tests.helpers import random_valid_inputs

YEARS = slice(col.OUT_COST_YEAR, col.OUT_COST_YEAR + col.MAX_YEARS)
CAPEX_YEARS = slice(col.OUT_CAPEX_YEAR, col.OUT_CAPEX_YEAR + col.MAX_YEARS)
PURCHASE_YEARS = slice(col.OUT_PURCHASES_YEAR, col.OUT_PURCHASES_YEAR + col.MAX_YEARS)
TOKEN_YEARS = slice(col.OUT_TOKENS_YEAR, col.OUT_TOKENS_YEAR + col.MAX_YEARS)
PLAN_INPUTS = (
    col.IN_GROWTH_PER_MONTH,
    col.IN_HW_PRICE_DECLINE_PER_YEAR,
    col.IN_CLOUD_RATE_DECLINE_PER_YEAR,
    col.IN_API_PRICE_DECLINE_PER_YEAR,
    col.IN_SALVAGE_FRACTION,
    col.IN_REFRESH_YEAR,
)


def _row(overrides=()):
    return base_matrix(load_scenario("default", list(overrides))).copy()


def _outputs(rows):
    return model_outputs(rows)


def _feasible(rows):
    out, flags = _outputs(rows)
    ok = (flags & col.STRUCTURAL_FLAGS) == 0
    return rows[ok], out[ok]


def test_a_flat_plan_is_the_steady_month_times_the_horizon():
    rows = random_valid_inputs(np.random.default_rng(3), 400)
    rows[:, list(PLAN_INPUTS)] = 0.0
    rows, out = _feasible(rows)
    assert len(out) > 100
    months = 12.0 * rows[:, col.IN_HORIZON_YEARS]
    steady = (
        out[:, col.OUT_RELEASES_IN_HORIZON] * out[:, col.OUT_TRAINING_COST]
        + out[:, col.OUT_FINETUNES_IN_HORIZON] * out[:, col.OUT_FINETUNE_COST]
        + months * out[:, col.OUT_INFERENCE_COST_MONTHLY]
        + out[:, col.OUT_PUE_CAPEX]
    )
    np.testing.assert_allclose(out[:, col.OUT_LIFECYCLE_TOTAL], steady, rtol=1e-12)
    tokens = months * out[:, col.OUT_TOKENS_PER_MONTH]
    np.testing.assert_allclose(out[:, TOKEN_YEARS].sum(axis=1), tokens, rtol=1e-12)


def test_the_years_add_up_to_the_totals_in_every_sample():
    rows = random_valid_inputs(np.random.default_rng(4), 600)
    rows[:, col.IN_HORIZON_YEARS] = np.minimum(rows[:, col.IN_HORIZON_YEARS], col.MAX_YEARS)
    rows, out = _feasible(rows)
    assert len(out) > 150
    lifecycle = out[:, col.OUT_LIFECYCLE_TOTAL]
    np.testing.assert_allclose(out[:, YEARS].sum(axis=1), lifecycle, rtol=1e-12)
    np.testing.assert_allclose(
        out[:, CAPEX_YEARS].sum(axis=1), out[:, col.OUT_CAPEX_LIFECYCLE], rtol=1e-12
    )
    # Cash: OPEX as it is paid, purchases when made, the book value credited at the end.
    cash = (
        out[:, YEARS].sum(axis=1)
        - out[:, CAPEX_YEARS].sum(axis=1)
        + out[:, PURCHASE_YEARS].sum(axis=1)
        - out[:, col.OUT_RESIDUAL_VALUE]
    )
    np.testing.assert_allclose(cash, lifecycle, rtol=1e-11)
    # Years past the horizon hold nothing.
    horizon = rows[:, col.IN_HORIZON_YEARS]
    for k in range(col.MAX_YEARS):
        beyond = horizon <= k
        assert np.all(out[beyond, col.OUT_COST_YEAR + k] == 0.0)


def test_the_present_value_at_no_discount_is_the_lifecycle_total():
    rows = random_valid_inputs(np.random.default_rng(5), 300)
    rows[:, col.IN_DISCOUNT_RATE] = 0.0
    _, out = _feasible(rows)
    np.testing.assert_allclose(
        out[:, col.OUT_PRESENT_VALUE], out[:, col.OUT_LIFECYCLE_TOTAL], rtol=1e-11
    )
    # Without owned hardware every flow after the start is a cost, so discounting lowers
    # the total. (An owned fleet's purchases are paid up front and its resale comes last,
    # so its present value may exceed the undiscounted total.)
    rows[:, col.IN_DISCOUNT_RATE] = 0.1
    rows[:, col.IN_FLEET_CLOUD] = 1.0
    rows[:, col.IN_TRAIN_CLOUD] = 1.0
    _, discounted = _feasible(rows)
    assert len(discounted) > 50
    assert np.all(discounted[:, col.OUT_PRESENT_VALUE] < discounted[:, col.OUT_LIFECYCLE_TOTAL])


def _owned_plan(horizon, life, decline, salvage, growth=0.0):
    row = _row(
        [
            "training.tokens=0",
            "training.finetune_tokens=0",
            "facility.pue_capex_usd=0",
            f"scenario.horizon_years={horizon}",
            f"hardware.life_years={life}",
            f"hardware.price_decline_per_year={decline}",
            f"hardware.salvage_fraction={salvage}",
            f"demand.growth_per_month={growth}",
            "finance.discount_rate=0",
        ]
    )
    out, flags = _outputs(row)
    assert flags[0] == 0
    return row[0], out[0]


def test_a_replacement_at_the_end_of_life_is_booked_by_hand():
    # Bought at P, replaced after 2 years at P (1 - 0.5)^2 = P/4 with the old one traded in
    # for 0.25 P; the horizon ends a year into the second life.
    row, out = _owned_plan(horizon=3, life=2, decline=0.5, salvage=0.25)
    price = (
        row[col.IN_HW_PURCHASE_PRICE_USD]
        * row[col.IN_PRICE_MULTIPLIER]
        * (1.0 + row[col.IN_SYSTEM_COST_FRACTION])
        * out[col.OUT_INFERENCE_ACCELERATORS]
    )
    first_life = price * (1 - 0.25)  # depreciated to salvage over 2 years
    second_year = price / 4 * (1 - 0.25) / 2  # one year of the second life
    assert out[col.OUT_CAPEX_LIFECYCLE] == pytest.approx(first_life + second_year, rel=1e-12)
    assert out[col.OUT_RESIDUAL_VALUE] == pytest.approx(price / 4 - second_year, rel=1e-12)
    purchases = out[PURCHASE_YEARS]
    assert purchases[0] == pytest.approx(price, rel=1e-12)
    assert purchases[1] == 0.0
    assert purchases[2] == pytest.approx(price / 4 - 0.25 * price, rel=1e-12)  # net trade-in
    # Each year's CAPEX is its depreciation.
    np.testing.assert_allclose(
        out[CAPEX_YEARS][:3], [first_life / 2, first_life / 2, second_year], rtol=1e-12
    )
    # Maintenance follows the price of the unit in service.
    maintenance = row[col.IN_MAINTENANCE_FRACTION_PER_YEAR]
    opex_1 = out[col.OUT_COST_YEAR] - out[col.OUT_CAPEX_YEAR]
    opex_3 = out[col.OUT_COST_YEAR + 2] - out[col.OUT_CAPEX_YEAR + 2]
    assert opex_1 - opex_3 == pytest.approx(maintenance * (price - price / 4), rel=1e-9)


def test_growth_compounds_continuously_and_the_owned_fleet_only_grows():
    growth = 0.04
    _, out = _owned_plan(horizon=4, life=5, decline=0.0, salvage=0.0, growth=growth)
    rate = 12.0 * math.log1p(growth)
    expected = out[col.OUT_TOKENS_PER_MONTH] * 12.0 * (math.exp(rate * 4) - 1.0) / rate
    assert out[TOKEN_YEARS].sum() == pytest.approx(expected, rel=1e-12)
    tokens = out[TOKEN_YEARS][:4]
    assert np.all(np.diff(tokens) > 0)
    assert np.all(out[PURCHASE_YEARS][:4] > 0)  # a step bought every year
    # The token cost is no longer the same at 3 and 5 years.
    _, longer = _owned_plan(horizon=5, life=5, decline=0.0, salvage=0.0, growth=growth)
    _, shorter = _owned_plan(horizon=3, life=5, decline=0.0, salvage=0.0, growth=growth)
    assert longer[col.OUT_TOKEN_COST_PER_1K] < shorter[col.OUT_TOKEN_COST_PER_1K] * 0.99


@pytest.mark.parametrize(
    ("ownership", "decline_key"),
    [("cloud", "hardware.cloud_rate_decline_per_year"), ("api", "api.price_decline_per_year")],
)
def test_a_price_decline_lowers_every_later_year_and_not_the_first(ownership, decline_key):
    overrides = [f"fleet.ownership={ownership}", "scenario.horizon_years=4"]
    if ownership == "api":
        overrides += ["api.input_usd_per_1m=0.4", "api.output_usd_per_1m=0.6"]
    flat, _ = _outputs(_row(overrides))
    falling, _ = _outputs(_row([*overrides, f"{decline_key}=0.3"]))
    assert falling[0, col.OUT_COST_YEAR] == pytest.approx(flat[0, col.OUT_COST_YEAR], rel=1e-12)
    for k in range(1, 4):
        assert falling[0, col.OUT_COST_YEAR + k] < flat[0, col.OUT_COST_YEAR + k]
    assert falling[0, col.OUT_LIFECYCLE_TOTAL] < flat[0, col.OUT_LIFECYCLE_TOTAL]


def test_a_horizon_of_too_many_lives_is_an_invalid_input_not_a_hang():
    row = _row()
    row[0, col.IN_HORIZON_YEARS] = 50.0
    row[0, col.IN_HARDWARE_LIFE_YEARS] = 0.01  # 5,000 lives
    out, flags = _outputs(row)
    assert flags[0] == col.FLAG_INVALID_INPUT
    assert np.isnan(out[0]).all()


def test_a_run_keeps_the_year_dimension_and_its_monthly_cash_flows_add_up():
    scenario = load_scenario(
        "default",
        [
            "scenario.horizon_years=2.5",
            "demand.growth_per_month=0.02",
            "hardware.salvage_fraction=0.1",
            "hardware.life_years=2",
        ],
    )
    ds = run(scenario, n=400, seed=1, store="yearly", precision="float64")
    assert year_count(ds) == 3
    table = yearly(ds)
    assert table["cost"].shape == (400, 3)
    np.testing.assert_allclose(
        table["cost"].sum("year").values, ds["lifecycle_total"].values, rtol=1e-12
    )
    flows = monthly_cash_flows(ds, 2.5)
    assert flows.sizes["month"] == 30
    np.testing.assert_allclose(flows.sum("month").values, ds["lifecycle_total"].values, rtol=1e-11)
    rows = year_rows(ds)
    assert [row["year"] for row in rows] == [1, 2, 3]
    for row, k in zip(rows, range(3), strict=True):
        assert row["cost"][0] == pytest.approx(float(table["cost"][:, k].mean()), rel=1e-12)


def test_a_standard_run_has_no_year_dimension_and_says_how_to_get_it():
    ds = run(load_scenario("default"), n=50, seed=1)
    assert "cost_year_1" not in ds
    assert "present_value" in ds
    with pytest.raises(ValueError, match="--store yearly"):
        yearly(ds)


def test_tco_run_prints_the_plan_by_year_and_exports_monthly_cash_flows(tmp_path):
    import pandas as pd
    from click.testing import CliRunner

    from simulate.cli.main import main

    runner = CliRunner()
    target = tmp_path / "grow.nc"
    result = runner.invoke(
        main,
        ["run", "-n", "2000", "--seed", "3", "--store", "yearly", "-o", str(target),
         "--set", "demand.growth_per_month=0.03"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Present value of the plan's cash flows at 8.0% a year" in result.output
    lines = result.output.split("By year")[1].splitlines()
    assert [line.split()[0] for line in lines[2:5]] == ["1", "2", "3"]
    out = runner.invoke(
        main,
        ["export", str(target), "-o", str(tmp_path / "t.csv"), "--by-month",
         str(tmp_path / "m.csv")],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    monthly = pd.read_csv(tmp_path / "m.csv")
    assert len(monthly) == 36
    import xarray as xr

    with xr.open_dataset(target) as ds:
        total = float(ds["lifecycle_total"].mean())
    # float32 storage: the months add up to the mean lifecycle total to float32 precision.
    assert monthly["cash_flow [USD]"].sum() == pytest.approx(total, rel=1e-5)
    assert monthly["cumulative [USD]"].iloc[-1] == pytest.approx(total, rel=1e-5)


def _plan(overrides):
    row = _row(
        [
            "training.tokens=0",
            "training.finetune_tokens=0",
            "facility.pue_capex_usd=0",
            "scenario.horizon_years=4",
            "finance.discount_rate=0",
            *overrides,
        ]
    )
    out, flags = _outputs(row)
    return out[0], flags[0]


def test_a_like_for_like_refresh_at_book_value_changes_nothing_but_the_cash():
    # Sold at book value and bought again at the same price: the same depreciation.
    kept, _ = _plan([])
    refreshed, flag = _plan(["fleet.refresh_year=2"])
    assert flag == 0
    np.testing.assert_allclose(refreshed[YEARS], kept[YEARS], rtol=1e-12)
    price = kept[PURCHASE_YEARS][0]  # the fleet bought at the start
    book = price * (1.0 - 2.0 / 5.0)  # after 2 of its 5 years
    assert refreshed[PURCHASE_YEARS][2] == pytest.approx(price - book, rel=1e-12)
    assert refreshed[col.OUT_LIFECYCLE_TOTAL] == pytest.approx(
        kept[col.OUT_LIFECYCLE_TOTAL], rel=1e-12
    )


@pytest.mark.parametrize("ownership", ["owned", "cloud"])
def test_after_a_refresh_each_year_costs_what_the_new_accelerator_costs(ownership):
    # H100 for two years, then B200: the years before are the H100 plan's, the years after
    # the B200 plan's (no training, same prices, a 5-year life longer than the horizon).
    fleet = [f"fleet.ownership={ownership}"]
    old, _ = _plan([*fleet, "hardware.accelerator=H100"])
    new, _ = _plan([*fleet, "hardware.accelerator=B200"])
    both, flag = _plan(
        [*fleet, "hardware.accelerator=H100", "fleet.refresh_year=2",
         "fleet.refresh_accelerator=B200"]
    )  # fmt: skip
    assert flag == 0
    np.testing.assert_allclose(both[YEARS][:2], old[YEARS][:2], rtol=1e-12)
    np.testing.assert_allclose(both[YEARS][2:4], new[YEARS][2:4], rtol=1e-12)
    # The steady-month outputs stay the first accelerator's.
    assert both[col.OUT_INFERENCE_COST_MONTHLY] == old[col.OUT_INFERENCE_COST_MONTHLY]
    if ownership == "owned":
        # The B200 fleet bought in year 3, the H100 fleet sold at its book value.
        h100_book = old[PURCHASE_YEARS][0] * (1.0 - 2.0 / 5.0)
        assert both[PURCHASE_YEARS][2] == pytest.approx(
            new[PURCHASE_YEARS][0] - h100_book, rel=1e-12
        )
        assert both[col.OUT_RESIDUAL_VALUE] == pytest.approx(
            new[PURCHASE_YEARS][0] * (1.0 - 2.0 / 5.0), rel=1e-12
        )


def test_a_refresh_to_an_accelerator_that_cannot_serve_the_model_is_infeasible():
    out, flag = _plan(
        ["serving.max_tensor_parallel=1", "fleet.refresh_year=1",
         "fleet.refresh_accelerator=A10G"]
    )  # fmt: skip
    assert flag == col.FLAG_WEIGHTS_DO_NOT_FIT
    assert np.isnan(out).all()
