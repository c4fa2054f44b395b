"""Routes of a platform: one model's traffic split between workloads on different tiers.

A workload entry with ``route_of = "PARENT"`` serves a ``share`` of its parent's
requests (a constant in (0, 1), or a range lever); the parent serves the rest. The route
takes the parent's ``[demand]`` table (the same traffic, its growth and daily shape), and
both scenarios' ``demand.requests_per_day`` are scaled by their shares, so in every state
of the platform the parts add up to the parent's unsplit demand: their factors read the
same draws (:mod:`simulate.engine.platform_columns`).
"""

from __future__ import annotations

import dataclasses

from scenarios.errors import ScenarioError, shown
from scenarios.scenario import Lever, Scenario, ScenarioInput
from scenarios.validate import _parse_lever

__all__ = ["DEMAND_PATH", "parse_share", "scaled_demand", "share_input"]

DEMAND_PATH = "demand.requests_per_day"
SHARE_PATH = "route.share"


def parse_share(value, where: str) -> Lever:
    """A route's share as a lever: a constant is a lever whose range is its value.

    Parameters
    ----------
    value : float or dict
        ``0.3``, or ``{lever = "range", low = 0.1, high = 0.5, base = 0.3}``.
    where : str
        Where it was read, for errors.

    Returns
    -------
    Lever
        A range lever inside (0, 1) (``low == high == base`` for a constant).
    """
    if isinstance(value, dict) and "lever" in value:
        lever = _parse_lever(value, f"{where}: share", numeric=True)
        if lever.kind != "range":
            raise ScenarioError(f"{where}: share takes a range lever, not {lever.kind}")
        ends = (lever.low, lever.high)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        lever = Lever("range", float(value), low=float(value), high=float(value))
        ends = (lever.base,)
    else:
        raise ScenarioError(
            f"{where}: share = {shown(value)}: give the share of the parent's requests this "
            'route serves, e.g. share = 0.3 or share = { lever = "range", low = 0.1, '
            "high = 0.5, base = 0.3 }"
        )
    if not all(0.0 < v < 1.0 for v in ends):
        raise ScenarioError(
            f"{where}: share = {shown(value)}: must lie strictly between 0 and 1 (a share of "
            "0 or 1 is one workload: drop the route, or its parent)"
        )
    return lever


def share_input(lever: Lever) -> ScenarioInput:
    """The share as a scenario-style input (for tornado rows and labels)."""
    return ScenarioInput(SHARE_PATH, "lever", False, lever=lever, unit="1")


def scaled_demand(scenario: Scenario, share: float, where: str) -> Scenario:
    """``scenario`` serving ``share`` of its requests a day (its other inputs unchanged).

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    share : float
        In (0, 1].
    where : str
        Where the route was declared, for errors.

    Returns
    -------
    Scenario
        A copy whose ``demand.requests_per_day`` is the original times ``share``: a
        constant's value, or a factor's distribution scaled
        (:meth:`distributions.distribution.Distribution.scaled`).
    """
    item = scenario.inputs[DEMAND_PATH]
    if share == 1.0:
        return scenario
    if item.kind == "lever":
        raise ScenarioError(
            f"{where}: {DEMAND_PATH} is a lever; a routed workload's demand must be a "
            "constant or an uncertain factor"
        )
    if item.kind == "constant":
        scaled = dataclasses.replace(item, value=float(item.value) * share)
    else:
        scaled = dataclasses.replace(item, distribution=item.distribution.scaled(share))
    return dataclasses.replace(scenario, inputs={**scenario.inputs, DEMAND_PATH: scaled})
