"""A serverless GPU endpoint billed per second: warm time, cold starts, scale to zero.

Reference problems: the warm share and the cold-request share of a Poisson stream with an
idle timeout, ``1 - exp(-lambda T)`` and ``exp(-lambda T)``, checked against an event
simulation; the billed hours of a flat day at sparse traffic in closed form; at dense
traffic the endpoint bills the busy hours at the planned utilisation and nothing cold.
"""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.errors import ScenarioError
from scenarios.loader import load_scenario
from scenarios.platform import load_platform
from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.model.inputs import base_matrix


def _row(**columns):
    row = base_matrix(load_scenario("serving-serverless-gpu"))[0].copy()
    for name, value in columns.items():
        row[col.INPUT_INDEX[name]] = value
    return row


def _out(row):
    out, flags = model_outputs(np.array([row]))
    assert flags[0] & col.STRUCTURAL_FLAGS == 0
    return out[0]


def test_the_warm_and_cold_shares_are_those_of_a_poisson_stream():
    # Event simulation: arrivals at rate lam per second; the endpoint is up from each
    # arrival until T seconds after the last one.
    rng = np.random.default_rng(0)
    lam, timeout = 0.01, 60.0
    arrivals = np.cumsum(rng.exponential(1.0 / lam, 400_000))
    gaps = np.diff(arrivals)
    cold = np.mean(gaps > timeout)
    warm = np.sum(np.minimum(gaps, timeout)) / (arrivals[-1] - arrivals[0])
    assert cold == pytest.approx(np.exp(-lam * timeout), abs=0.003)
    assert warm == pytest.approx(1.0 - np.exp(-lam * timeout), abs=0.003)
    # The kernel on a flat day at the same rate and timeout.
    row = _row(requests_per_day=lam * 86400.0, idle_timeout_s=timeout, peak_hours_per_day=24.0)
    assert _out(row)[col.OUT_COLD_START_SHARE] == pytest.approx(np.exp(-lam * timeout), rel=1e-12)


def test_a_sparse_endpoint_bills_its_warm_time_and_its_cold_starts():
    lam, timeout, start_h = 0.005, 120.0, 0.01
    row = _row(
        requests_per_day=lam * 86400.0,
        idle_timeout_s=timeout,
        peak_hours_per_day=24.0,
        scale_up_hours=start_h,
    )
    out = _out(row)
    assert out[col.OUT_TENSOR_PARALLEL] == 1.0
    busy = out[col.OUT_TOKENS_PER_MONTH] / (out[col.OUT_TOKENS_PER_S_PER_ACCELERATOR] * 3600.0)
    planned = min(1.0, row[col.IN_UTILIZATION_TARGET] * row[col.IN_UTILIZATION_ACHIEVED_RATIO])
    warm = 1.0 - np.exp(-lam * timeout)
    assert busy / (col.HOURS_PER_MONTH * planned) < warm  # the warm replica is the floor
    cold_starts = lam * 86400.0 * col.DAYS_PER_MONTH * np.exp(-lam * timeout)
    hours = col.HOURS_PER_MONTH * warm + cold_starts * start_h
    rate = row[col.IN_HW_CLOUD_USD_PER_HOUR] * row[col.IN_CLOUD_RATE_MULTIPLIER]
    assert out[col.OUT_CLOUD_RENT_MONTHLY] == pytest.approx(hours * rate, rel=1e-12)
    assert out[col.OUT_UTILIZATION] == pytest.approx(busy / hours, rel=1e-12)


def test_a_dense_endpoint_bills_the_busy_hours_at_the_planned_utilisation():
    row = _row(requests_per_day=2e6)
    out = _out(row)
    assert out[col.OUT_COLD_START_SHARE] < 1e-12
    busy = out[col.OUT_TOKENS_PER_MONTH] / (out[col.OUT_TOKENS_PER_S_PER_ACCELERATOR] * 3600.0)
    planned = min(1.0, row[col.IN_UTILIZATION_TARGET] * row[col.IN_UTILIZATION_ACHIEVED_RATIO])
    mean_fleet = busy / (col.HOURS_PER_MONTH * planned)
    share = row[col.IN_PEAK_HOURS_PER_DAY] / 24.0
    peak = row[col.IN_PEAK_TO_AVERAGE]
    off = (1.0 - peak * share) / (1.0 - share)
    ramp = col.DAYS_PER_MONTH * mean_fleet * (peak - off) * row[col.IN_SCALE_UP_HOURS]
    rate = row[col.IN_HW_CLOUD_USD_PER_HOUR] * row[col.IN_CLOUD_RATE_MULTIPLIER]
    expected = (busy / planned + ramp) * rate  # the day's mean level is 1
    assert out[col.OUT_CLOUD_RENT_MONTHLY] == pytest.approx(expected, rel=1e-9)
    # Whole-replica autoscaling of the same fleet pays at least as many hours.
    replicas = _out(_row(requests_per_day=2e6, per_second_billing=0.0, autoscale=1.0))
    assert replicas[col.OUT_CLOUD_RENT_MONTHLY] >= out[col.OUT_CLOUD_RENT_MONTHLY] - ramp * rate


def test_a_longer_idle_timeout_trades_cold_starts_for_warm_time():
    shares, rents = [], []
    for timeout in (10.0, 60.0, 300.0, 1200.0):
        out = _out(_row(requests_per_day=2e3, idle_timeout_s=timeout))
        shares.append(out[col.OUT_COLD_START_SHARE])
        rents.append(out[col.OUT_CLOUD_RENT_MONTHLY])
    assert np.all(np.diff(shares) < 0)
    # At this traffic the warm time outgrows the cold starts it saves.
    assert rents[-1] > rents[0]
    # Other fleets have no cold start share.
    assert _out(_row(per_second_billing=0.0))[col.OUT_COLD_START_SHARE] == 0.0


def _platform(tmp_path, fleet: str, tier: str = "serverless"):
    path = tmp_path / "p.toml"
    path.write_text(
        f"""
[platform]
name = "p"

[[workload]]
name = "endpoint"
tier = "{tier}"
extends = "serving-serverless-gpu"
[workload.fleet]
{fleet}
"""
    )
    return str(path)


def test_a_platform_takes_a_serverless_gpu_endpoint_on_its_serverless_tier(tmp_path):
    platform = load_platform(_platform(tmp_path, "idle_timeout_s = 60"))
    assert platform.workloads[0].tier == "serverless"
    with pytest.raises(ScenarioError, match="per_second_billing = 1"):
        load_platform(_platform(tmp_path, "per_second_billing = 0"))
    with pytest.raises(ScenarioError, match="put the workload on tier serverless"):
        load_platform(_platform(tmp_path, "idle_timeout_s = 60", tier="spot"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["fleet.ownership=owned"], "bills a cloud endpoint per second, but the fleet is owned"),
        (["fleet.committed_accelerators=2"], "exclude each other"),
    ],
)
def test_per_second_billing_on_the_wrong_fleet_is_refused(overrides, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario("serving-serverless-gpu", overrides)
