"""Budget risk and money in: known answers, and the run command's statements."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from results.risk import budget_risk
from scenarios.loader import load_scenario
from simulate.cli.main import main
from simulate.model.base_case import calculate
from simulate.model.columns import DAYS_PER_MONTH


def test_budget_risk_on_a_known_sample():
    values = np.arange(1.0, 101.0)
    risk = budget_risk(np.append(values, np.nan), 80.0)
    assert risk["prob_over"][0] == pytest.approx(0.2) and risk["n"] == 100
    assert risk["prob_over"][1] < 0.2 < risk["prob_over"][2]
    assert risk["var"] == pytest.approx(np.percentile(values, 95))
    assert risk["cvar"] == pytest.approx(values[values >= risk["var"]].mean())
    with pytest.raises(ValueError, match="no feasible"):
        budget_risk(np.array([np.nan]), 1.0)


def test_revenue_margin_and_roi_known_answer():
    prices = [
        "revenue.price_input_usd_per_1m=0.5",
        "revenue.price_output_usd_per_1m=1.5",
        "revenue.price_usd_per_request=0.001",
        "demand.requests_per_day=3e7",
    ]
    out = calculate(load_scenario("default", prices)).outputs
    prompt = out["avg_seq_len"] * 0.6
    completion = out["avg_seq_len"] - prompt
    revenue = 3e7 * DAYS_PER_MONTH * ((prompt * 0.5 + completion * 1.5) / 1e6 + 0.001)
    assert out["revenue_monthly"] == pytest.approx(revenue, rel=1e-12)
    margin = revenue * 36 - out["lifecycle_total"]
    assert out["margin"] == pytest.approx(margin, rel=1e-9)
    assert out["roi"] == pytest.approx(margin / out["lifecycle_total"], rel=1e-9)
    free = calculate(load_scenario("default")).outputs
    assert free["revenue_monthly"] == 0.0 and free["roi"] == pytest.approx(-1.0)


def test_run_prints_budget_and_money_statements():
    args = ["run", "-n", "4000", "--seed", "2", "--no-save", "--budget", "1e8"]
    money = ["--set", "revenue.price_output_usd_per_1m=3"]
    result = CliRunner().invoke(main, [*args, *money])
    assert result.exit_code == 0, result.output
    assert "P(lifecycle_total > budget)" in result.output and "P(loss)" in result.output
    plain = CliRunner().invoke(main, args)
    assert "P(loss)" not in plain.output  # no prices, no money statement
    payload = json.loads(CliRunner().invoke(main, [*args, *money, "--json"]).output)
    assert 0.0 <= payload["budget"]["prob_over"][0] <= 1.0
    assert payload["money"]["prob_loss"][1] <= payload["money"]["prob_loss"][0]


def test_payback_month_known_answer():
    import xarray as xr

    from results.risk import payback_months

    scenario = load_scenario()  # 3 years, 180-day cadence, no PUE CAPEX at base
    ds = xr.Dataset(
        {
            "revenue_monthly": ("sample", np.array([1e6, 1e5])),
            "inference_cost_monthly": ("sample", np.array([4e5, 4e5])),
            "training_cost": ("sample", np.array([1.0e6, 1.0e6])),
            "finetune_cost": ("sample", np.array([2e5, 2e5])),
        }
    )
    cadence_months = 180 * 12 / 365.25
    expected = 1.2e6 / (1e6 - 4e5 - 1.2e6 / cadence_months)
    months = payback_months(ds, scenario)
    assert months[0] == pytest.approx(expected, rel=1e-12)
    assert np.isnan(months[1])  # revenue below the running cost: never


def test_power_cap_share_known_answer():
    from scenarios.catalog import load_hardware_catalog

    out = calculate(load_scenario("default")).outputs
    h100 = load_hardware_catalog()["H100"]
    site = out["inference_accelerators"] * (h100.board_power_w + 350.0) * out["pue"] / 1e6
    assert out["site_power_mw"] == pytest.approx(site, rel=1e-12)
    assert out["power_cap_served_share"] == 1.0  # no cap
    capped = calculate(load_scenario("default", [f"facility.power_cap_mw={site / 2}"])).outputs
    assert capped["power_cap_served_share"] == pytest.approx(0.5, rel=1e-12)
    assert capped["lifecycle_total"] == out["lifecycle_total"]  # the cap is reported, not priced


def test_run_reports_what_a_binding_power_cap_leaves_unserved():
    result = CliRunner().invoke(
        main,
        ["run", "-n", "4000", "--seed", "1", "--no-save", "--set", "facility.power_cap_mw=0.5"],
    )
    assert result.exit_code == 0, result.output
    assert "Power cap 500 kW" in result.output and "serving the rest needs" in result.output
    assert "Tokens the site can serve" in result.output
