"""Decision results (break-even, optimise, Pareto, EVPI) export as tables like the others."""

import pandas as pd
import pytest
from click.testing import CliRunner

from results.store import save_netcdf
from scenarios.loader import load_scenario
from simulate.cli.main import main

FIXED = ["power.hedge_share=0.5", "facility.pue_capex_usd=0", "release.cadence_days=180"]


def _breakeven():
    from simulate.decisions.breakeven import breakeven, sweep_values

    pair = ["serving-managed-api", "serving-self-managed-spot"]
    return breakeven(pair, "demand.requests_per_day", sweep_values(1e5, 1e8, 4), n=500, seed=1)


def _optimize():
    from simulate.decisions.optimize import optimize

    return optimize(load_scenario("default", FIXED), n=300, seed=1)


def _pareto():
    from simulate.decisions.pareto import pareto

    return pareto(load_scenario("default", FIXED), n=300, seed=1)


def _evpi():
    from simulate.decisions.evpi import value_of_information

    pair = ["serving-managed-api", "serving-self-managed-spot"]
    return value_of_information(pair, n=2000, seed=1, bins=10)


@pytest.mark.parametrize(
    "make, rows, column",
    [
        (_breakeven, 4, "difference_lower [USD]"),
        (_optimize, 12, "objective [USD]"),
        (_pareto, 36, "on_frontier"),
        (_evpi, 19, "evppi [USD]"),
    ],
)
def test_export_writes_one_row_per_value_plan_or_factor(tmp_path, make, rows, column):
    result = tmp_path / "result.nc"
    save_netcdf(make(), result)
    out = tmp_path / "table.csv"
    done = CliRunner().invoke(main, ["export", str(result), "-o", str(out)])
    assert done.exit_code == 0, done.output
    table = pd.read_csv(out, comment="#")
    assert len(table) == rows and column in table.columns
