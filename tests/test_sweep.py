"""tco sweep: one input swept on common random numbers, the curve read back from plain runs."""

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from scenarios.loader import load_scenario
from simulate.cli.main import main
from simulate.decisions.sweep import best_value, sweep
from simulate.engine.montecarlo import run

KEY = "fleet.utilization_target"


@pytest.fixture(scope="module")
def curve():
    return sweep("default", KEY, [0.4, 0.6, 0.8, 0.95], n=3000, seed=5, kpis=["token_cost_per_1k"])


def test_each_point_is_the_run_with_the_input_set(curve):
    # Common random numbers: the point at 0.8 is exactly `tco run --set KEY=0.8 --seed 5`.
    direct = run(load_scenario("default", [f"{KEY}=0.8"]), n=3000, seed=5)
    x = direct["token_cost_per_1k"].values
    x = x[np.isfinite(x)]
    at = curve.sel(kpi="token_cost_per_1k", value=0.8)
    assert float(at["median"]) == pytest.approx(np.median(x), rel=1e-12)
    assert float(at["p5"]) == pytest.approx(np.percentile(x, 5), rel=1e-12)
    assert float(at["p95"]) == pytest.approx(np.percentile(x, 95), rel=1e-12)
    assert float(at["median_low"]) <= float(at["median"]) <= float(at["median_high"])


def test_the_curve_finds_the_interior_optimum_of_the_utilisation_target(curve):
    # Too low a target buys idle hardware, too high pays SLA credits above the knee.
    value, median = best_value(curve, "token_cost_per_1k")
    assert value in (0.6, 0.8)
    medians = curve["median"].sel(kpi="token_cost_per_1k").values
    assert medians[0] > median and medians[-1] > median


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="not an input of default"):
        sweep("default", "fleet.no_such_key", [1.0, 2.0], n=100)
    with pytest.raises(ValueError, match="increasing"):
        sweep("default", KEY, [0.8, 0.4], n=100)
    with pytest.raises(ValueError, match="not an output"):
        sweep("default", KEY, [0.4, 0.8], n=100, kpis=["tokn_cost"])


def test_cli_prints_the_curve_writes_it_and_the_report_repeats_it(tmp_path):
    out, figure, page = tmp_path / "sw.nc", tmp_path / "sw.png", tmp_path / "r.html"
    args = ["sweep", "default", KEY, "--range", "0.4:0.9", "--points", "3", "-n", "1000"]
    result = CliRunner().invoke(main, [*args, "--seed", "2", "-o", str(out), "--plot", str(figure)])
    assert result.exit_code == 0, result.output
    assert "<- best median" in result.output and "$0.00" in result.output
    assert figure.stat().st_size > 1000
    report = CliRunner().invoke(main, ["report", str(out), "-o", str(page)])
    assert report.exit_code == 0, report.output
    html = page.read_text()
    assert "Sweep of fleet.utilization_target" in html
    import re
    from html import unescape

    command = unescape(re.search(r"<code>(tco sweep [^<]*)</code>", html).group(1))
    again = tmp_path / "again.nc"
    import shlex

    rerun = CliRunner().invoke(main, [*shlex.split(command)[1:], "-o", str(again)])
    assert rerun.exit_code == 0, rerun.output
    with xr.open_dataset(out) as a, xr.open_dataset(again) as b:
        assert np.array_equal(a["median"].values, b["median"].values, equal_nan=True)
    exported = CliRunner().invoke(main, ["export", str(out), "-o", str(tmp_path / "sw.csv")])
    assert exported.exit_code == 0, exported.output
