"""Priced components (storage, monitoring, licences, FinOps, failover) and the CAPEX/OPEX split.

Reference problems with known answers on the default scenario's base row: each monthly
component adds exactly its price times the horizon's months to the lifecycle total; a
failover share of 1 doubles the fleet (whole replicas) and its depreciation; CAPEX is the
depreciation of owned hardware plus the PUE CAPEX, so a fleet and training cluster that are
rented have only the PUE CAPEX as CAPEX.
"""

import numpy as np
import pytest

from scenarios.loader import load_scenario
from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.model.inputs import base_matrix

MONTHS = 36.0  # the default scenario's 3-year horizon


def _outputs(overrides=(), edit=None):
    row = base_matrix(load_scenario("default", list(overrides))).copy()
    if edit is not None:
        edit(row[0])
    out, flags = model_outputs(row)
    assert flags[0] & col.STRUCTURAL_FLAGS == 0
    return out[0]


@pytest.mark.parametrize(
    ("key", "value", "monthly"),
    [
        ("overhead.storage_tb", 10.0, 10.0 * 23.0),
        ("overhead.monitoring_usd_per_month", 12_000.0, 12_000.0),
        ("overhead.licences_usd_per_month", 8_000.0, 8_000.0),
        ("overhead.finops_fte", 0.5, 0.5 * 250_000.0 / 12.0),
    ],
)
def test_each_monthly_component_adds_its_price_over_the_horizon(key, value, monthly):
    base = _outputs()
    priced = _outputs([f"{key}={value}"])
    added = priced[col.OUT_LIFECYCLE_TOTAL] - base[col.OUT_LIFECYCLE_TOTAL]
    assert added == pytest.approx(monthly * MONTHS, rel=1e-9)
    assert priced[col.OUT_OVERHEAD_MONTHLY] - base[col.OUT_OVERHEAD_MONTHLY] == pytest.approx(
        monthly, rel=1e-9
    )
    # An OPEX line: the CAPEX does not move.
    assert priced[col.OUT_CAPEX_LIFECYCLE] == base[col.OUT_CAPEX_LIFECYCLE]


def test_a_second_site_of_failover_doubles_the_fleet_and_its_depreciation():
    base = _outputs()
    doubled = _outputs(["fleet.redundancy_fraction=1"])
    assert doubled[col.OUT_INFERENCE_ACCELERATORS] == 2 * base[col.OUT_INFERENCE_ACCELERATORS]
    assert doubled[col.OUT_AMORTIZATION_MONTHLY] == pytest.approx(
        2 * base[col.OUT_AMORTIZATION_MONTHLY], rel=1e-12
    )
    assert doubled[col.OUT_UTILIZATION] == pytest.approx(base[col.OUT_UTILIZATION] / 2, rel=1e-12)
    # A small share still adds whole replicas (tensor-parallel groups), never a fraction.
    tp = base[col.OUT_TENSOR_PARALLEL]
    small = _outputs(["fleet.redundancy_fraction=0.001"])
    spare = small[col.OUT_INFERENCE_ACCELERATORS] - base[col.OUT_INFERENCE_ACCELERATORS]
    assert spare == tp


def test_capex_and_opex_split_the_lifecycle_total():
    owned = _outputs(["facility.pue_capex_usd=5e6"])
    capex, opex = owned[col.OUT_CAPEX_LIFECYCLE], owned[col.OUT_OPEX_LIFECYCLE]
    assert capex + opex == pytest.approx(owned[col.OUT_LIFECYCLE_TOTAL], rel=1e-12)
    # Owned: the fleet's depreciation over the horizon, the PUE CAPEX, and the owned
    # training cluster's depreciation (more than the first two alone).
    floor = MONTHS * owned[col.OUT_AMORTIZATION_MONTHLY] + 5e6
    assert capex > floor
    assert np.all(np.array([capex, opex]) > 0)
    # Rented fleet and training cluster: only the PUE CAPEX is CAPEX.
    rented = _outputs(
        ["fleet.ownership=cloud", "training.ownership=cloud", "facility.pue_capex_usd=5e6"]
    )
    assert rented[col.OUT_CAPEX_LIFECYCLE] == pytest.approx(5e6, rel=1e-12)
    api = _outputs(
        [
            "fleet.ownership=api",
            "api.input_usd_per_1m=0.4",
            "api.output_usd_per_1m=0.6",
            "training.tokens=0",
            "training.finetune_tokens=0",
        ]
    )
    assert api[col.OUT_CAPEX_LIFECYCLE] == 0.0
