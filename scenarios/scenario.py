"""The validated scenario and its inputs: the Lever, ScenarioInput and Scenario dataclasses."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from distributions import Distribution


@dataclass(frozen=True)
class Lever:
    """A planner's decision: a range or a list of choices, with a base value.

    Attributes
    ----------
    kind : {"range", "choice"}
        Continuous range or discrete choices.
    low, high : float or None
        Range ends (range levers).
    choices : tuple or None
        Allowed values (choice levers); numbers or category names.
    base : float or str
        The value used when the lever is not being varied.
    """

    kind: str
    base: float | str
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None

    def describe(self) -> str:
        """Short text such as ``"lever 0.4..0.9 (base 0.6)"``."""
        if self.kind == "range":
            return f"lever {self.low:g}..{self.high:g} (base {_fmt(self.base)})"
        listed = ", ".join(_fmt(c) for c in self.choices)
        return f"lever [{listed}] (base {_fmt(self.base)})"


@dataclass(frozen=True)
class ScenarioInput:
    """One input of a scenario with its kind and specification.

    Attributes
    ----------
    path : str
        Dotted key path, e.g. ``"power.hedge_share"``.
    kind : {"constant", "factor", "lever"}
        Fixed value, uncertain factor or decision lever.
    categorical : bool
        Whether values are category names (accelerator, model, ownership).
    value : float or str or None
        The constant's value.
    distribution : Distribution or None
        The factor's distribution.
    lever : Lever or None
        The lever's specification.
    unit : str
        Unit of numeric values ("" for categorical ones).
    explicit : bool
        Whether the scenario file (or ``--set``) gave it; False for schema defaults.
    """

    path: str
    kind: str
    categorical: bool
    value: float | str | None = None
    distribution: Distribution | None = None
    lever: Lever | None = None
    unit: str = ""
    explicit: bool = True

    @property
    def categories(self) -> tuple:
        """The category names a categorical input can take (in index order)."""
        if self.kind == "constant":
            return (self.value,)
        if self.kind == "lever":
            return self.lever.choices
        return tuple(self.distribution.categories)

    def base_value(self) -> float | str:
        """Value at the base case: constants as given, levers at base, factors at their median.

        For a choice distribution the median is the category at cumulative probability 0.5.
        """
        if self.kind == "constant":
            return self.value
        if self.kind == "lever":
            return self.lever.base
        median = float(self.distribution.ppf(0.5))
        if self.categorical:
            return self.categories[int(median)]
        return median

    def describe(self) -> str:
        """How the input is specified, for tables and reports."""
        if self.kind == "constant":
            return _fmt(self.value)
        if self.kind == "lever":
            return self.lever.describe()
        return self.distribution.describe()


@dataclass
class Scenario:
    """A validated scenario: every input resolved, catalogs merged.

    Attributes
    ----------
    name, description : str
        From ``[scenario]``.
    source : str
        File path or ``builtin:NAME``.
    text : str
        The scenario file's content (provenance).
    overrides : tuple of str
        ``--set`` assignments applied on top of the file.
    inputs : dict of str to ScenarioInput
        Every key of the schema, defaults included, by path.
    hardware : dict of str to Accelerator
        The hardware catalog with the scenario's additions and overrides.
    models : dict of str to ModelArch
        The model catalog with the scenario's additions and overrides.
    copula : distributions.copula.Copula or None
        Rank correlations between uncertain factors (``[[correlation]]``), if any.
    """

    name: str
    description: str
    source: str
    text: str
    overrides: tuple[str, ...]
    inputs: dict[str, ScenarioInput]
    hardware: dict[str, Any] = field(repr=False)
    models: dict[str, Any] = field(repr=False)
    copula: Any = field(default=None, repr=False)
    _base: dict | None = field(default=None, init=False, repr=False, compare=False)
    cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def sha256(self) -> str:
        """SHA-256 of the file content and the overrides (hex)."""
        digest = hashlib.sha256(self.text.encode())
        for item in self.overrides:
            digest.update(b"\0" + item.encode())
        return digest.hexdigest()

    def levers(self) -> list[ScenarioInput]:
        """Inputs that are decision levers, in schema order."""
        return [i for i in self.inputs.values() if i.kind == "lever"]

    def factors(self) -> list[ScenarioInput]:
        """Inputs that are uncertain factors, in schema order."""
        return [i for i in self.inputs.values() if i.kind == "factor"]

    def base_values(self) -> dict[str, float | str]:
        """Every input at its base value (levers at base, factors at their median).

        Computed once (a median costs an inverse-CDF set-up) and returned as a copy.
        """
        if self._base is None:
            self._base = {path: item.base_value() for path, item in self.inputs.items()}
        return dict(self._base)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
