"""Evaluate a scenario once at its base values (``tco calc``)."""

from __future__ import annotations

from dataclasses import dataclass

from scenarios.scenario import Scenario
from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.model.inputs import base_matrix
from simulate.model.tco_index import IndexBounds, scenario_bounds


@dataclass(frozen=True)
class BaseCase:
    """The model evaluated at a scenario's base values.

    Attributes
    ----------
    scenario : Scenario
        The scenario evaluated.
    outputs : dict of str to float
        Every output of :data:`simulate.model.columns.OUTPUTS` by name, in its unit.
    flags : int
        Infeasibility bit mask (0: feasible).
    bounds : IndexBounds
        Best and worst lifecycle totals of the scenario space (TCO index scale).
    tco_index : float
        The base case's TCO index, 0-1, higher is worse.
    """

    scenario: Scenario
    outputs: dict[str, float]
    flags: int
    bounds: IndexBounds
    tco_index: float

    @property
    def reasons(self) -> list[str]:
        """Why the base case is infeasible (empty when feasible)."""
        return col.describe_flags(self.flags)


def calculate(scenario: Scenario) -> BaseCase:
    """Evaluate the cost model at base values: levers at base, factors at their medians.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.

    Returns
    -------
    BaseCase
        Outputs, infeasibility flags and the TCO index over the scenario's own bounds.
    """
    outputs, flags = model_outputs(base_matrix(scenario))
    values = {c.name: float(outputs[0, i]) for i, c in enumerate(col.OUTPUTS)}
    bounds = scenario_bounds(scenario)
    index = float(bounds.index(values["lifecycle_total"]))
    return BaseCase(scenario, values, int(flags[0]), bounds, index)
