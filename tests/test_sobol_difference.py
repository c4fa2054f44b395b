"""Sobol indices of the paired difference B - A: a known answer and the CLI."""

import numpy as np
import pytest
from click.testing import CliRunner

from results.kinds import result_kind
from scenarios.loader import load_scenario
from simulate.cli.main import main
from simulate.sensitivity.difference import sobol_difference

STAFF = 'overhead.staff_fte={dist="uniform", low=4, high=8}'


def test_a_difference_driven_by_one_factor_puts_all_its_variance_there():
    # B is A with an uncertain staff count: B - A = (staff - 6) x cost x horizon depends
    # on the staff alone, whatever the other factors do (they move A and B alike).
    a = load_scenario("default")
    b = load_scenario("default", [STAFF])
    ds = sobol_difference(a, b, n=1024, seed=1)
    st = ds.ST.sel(kpi="lifecycle_total (B - A)")
    s1 = ds.S1.sel(kpi="lifecycle_total (B - A)")
    assert float(st.sel(param="overhead.staff_fte")) == pytest.approx(1.0, abs=0.02)
    assert float(s1.sel(param="overhead.staff_fte")) == pytest.approx(1.0, abs=0.05)
    others = st.drop_sel(param="overhead.staff_fte").values
    assert np.all(np.abs(others) < 1e-9)
    assert ds.attrs["factors_in_one_scenario_only"] == "overhead.staff_fte"
    assert result_kind(ds) == "sobol"


def test_cli_versus():
    result = CliRunner().invoke(
        main,
        ["sobol", "default", "--versus", "fleet-cloud", "-N", "256", "--kpi", "lifecycle_total"],
    )
    assert result.exit_code == 0, result.output
    assert "fleet-cloud - default (paired)" in result.output
    assert "lifecycle_total (B - A)" in result.output
    bad = CliRunner().invoke(
        main, ["sobol", "default", "--versus", "fleet-cloud", "--second-order"]
    )
    assert bad.exit_code != 0 and "--versus" in bad.output
