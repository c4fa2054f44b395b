"""Read, override and validate scenario files into :class:`~scenarios.scenario.Scenario` objects.

A scenario file is TOML. Every numeric key (see :mod:`scenarios.schema`) takes

- a number: a constant;
- ``{dist = "...", ...}``: an uncertain factor (any family of :mod:`distributions`);
- ``{lever = "range", low = ..., high = ..., base = ...}`` or
  ``{lever = "choice", choices = [...], base = ...}``: a decision lever.

Categorical keys (``model.name``, ``hardware.accelerator``, ``fleet.ownership``,
``training.accelerator``, ``training.ownership``) take a string, a choice lever or
a choice distribution. ``[catalog.hardware.NAME]`` and ``[catalog.models.NAME]``
add or override catalog entries. Every error is a :class:`ScenarioError` naming
the file, the key path, the value and the fix.

This module only runs the steps in order: :mod:`scenarios.sources` finds and reads
the file, :mod:`scenarios.overrides` applies ``--set`` assignments and
:mod:`scenarios.validate` checks and resolves the result.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from scenarios.errors import ScenarioError
from scenarios.overrides import apply_overrides
from scenarios.plausibility import check_plausible
from scenarios.scenario import Scenario
from scenarios.sources import read_scenario_source
from scenarios.validate import validate_scenario


def load_scenario(
    name_or_path: str | Path | None = None, overrides: Sequence[str] = ()
) -> Scenario:
    """Read, override and validate a scenario.

    Parameters
    ----------
    name_or_path : str, Path or None
        A TOML file, a built-in scenario name, or None for the default scenario.
    overrides : sequence of str
        ``key.path=value`` assignments (TOML values; bare words are strings).

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        On any bad input, naming the file, key path, value and fix.
    """
    source, text = read_scenario_source(name_or_path)
    return parse_scenario(text, source, overrides)


def parse_scenario(text: str, source: str, overrides: Sequence[str] = ()) -> Scenario:
    """Validate scenario TOML text (see :func:`load_scenario`).

    Parameters
    ----------
    text : str
        TOML content.
    source : str
        Name used in error messages (file path or ``builtin:NAME``).
    overrides : sequence of str
        ``key.path=value`` assignments.

    Returns
    -------
    Scenario
        The validated scenario.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from exc
    raw = apply_overrides(raw, overrides, source)
    scenario = validate_scenario(raw, text, source, tuple(overrides))
    check_plausible(scenario)
    return scenario
