"""Value of information: the binned EVPPI on known answers, and on the serving choice."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from simulate.cli.main import main
from simulate.decisions.evpi import binned_evppi, value_of_information


def test_evppi_of_a_factor_unrelated_to_the_difference_is_zero():
    rng = np.random.default_rng(0)
    difference = rng.normal(-5.0, 1.0, 20_000)  # B always cheaper: nothing to learn
    assert binned_evppi(difference, rng.random(20_000), 50) == 0.0


def test_evppi_of_a_flipping_factor_has_its_analytic_value():
    # D = X - 1/2 with X uniform: E[D] = 0, E[min(0, X - 1/2)] = -1/8, so EVPPI = 1/8.
    x = np.random.default_rng(1).random(100_000)
    assert binned_evppi(x - 0.5, x, 200) == pytest.approx(0.125, rel=0.01)


@pytest.fixture(scope="module")
def serving():
    return value_of_information(
        ["serving-managed-api", "serving-self-managed-spot"], n=20_000, seed=3
    )


def test_a_factor_that_cannot_change_the_choice_is_worth_zero(serving):
    # The spot power price moves neither option: the API pays no power bill, the spot
    # rate includes it.
    spot = serving.sel(factor="power.spot_price_usd_per_mwh")
    assert float(spot.evppi_low) <= 0.0 <= float(spot.evppi_high)
    assert abs(float(spot.evppi)) < 0.01 * serving.attrs["evpi"]


def test_a_factor_that_flips_the_choice_is_worth_something(serving):
    price = serving.sel(factor="api.input_usd_per_1m")
    assert float(price.evppi_low) > 0.0
    assert serving.attrs["evpi_low"] > 0.0
    # Learning one factor is worth no more than learning them all.
    assert float(serving["evppi"].max()) <= serving.attrs["evpi_high"]
    assert serving["factor"].values[0] in {"api.input_usd_per_1m", "api.output_usd_per_1m"}


def test_cli_and_bad_input(tmp_path):
    png = tmp_path / "evpi.png"
    drawn = CliRunner().invoke(
        main,
        [
            "evpi",
            "serving-managed-api",
            "serving-self-managed-spot",
            "-n",
            "2000",
            "--plot",
            str(png),
        ],
    )
    assert drawn.exit_code == 0, drawn.output
    assert png.stat().st_size > 10_000
    result = CliRunner().invoke(
        main, ["evpi", "serving-managed-api", "serving-self-managed-spot", "-n", "2000", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["evpi"][0] >= 0 and payload["evppi"][0]["factor"].startswith("api.")
    bad = CliRunner().invoke(main, ["evpi", "default", "fleet-cloud", "--kpi", "tokens_per_dollar"])
    assert bad.exit_code != 0 and "cost output" in bad.output
