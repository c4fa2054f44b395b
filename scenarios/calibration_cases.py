"""The shipped calibration cases: published figures the model must reproduce.

``scenarios/calibration/cases.toml`` lists each case (a scenario in that folder, the KPI
it checks, the published figure, its source and date) and each cross-accelerator ratio.
This module reads and validates the list; ``simulate.calibration`` runs it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from scenarios.errors import ScenarioError

CASES_FILE = "scenarios/calibration/cases.toml"
# Relative tolerance on the P50 by kind of figure (issue: training 15%, serving and energy 30%).
TOLERANCES = {"training": 0.15, "serving": 0.30, "energy": 0.30}
RATIO_TOLERANCE = 0.30
ROLES = ("fit", "check")
_CASE_KEYS = ("scenario", "kpi", "published", "unit", "kind", "role", "source", "date")


@dataclass(frozen=True)
class CalibrationCase:
    """One published figure and the scenario that predicts it.

    Attributes
    ----------
    scenario : str
        Name of the calibration scenario (``scenarios/calibration/<name>.toml``).
    kpi : str
        The model output (or derived figure) compared, e.g.
        ``output_tokens_per_s_per_accelerator``.
    published : float
        The published figure, in ``unit``.
    unit : str
        Unit of ``published`` and of the model's figure.
    kind : {"training", "serving", "energy"}
        Sets the tolerance (:data:`TOLERANCES`).
    role : {"fit", "check"}
        ``fit``: the figure was used to set a catalog or default factor; ``check``: it
        was not, so it tests the model out of sample.
    source, date : str
        Where the figure is published, and when.
    """

    scenario: str
    kpi: str
    published: float
    unit: str
    kind: str
    role: str
    source: str
    date: str

    @property
    def tolerance(self) -> float:
        """Relative tolerance on the model's P50 (0.15 = 15%)."""
        return TOLERANCES[self.kind]


@dataclass(frozen=True)
class CalibrationRatio:
    """A cross-accelerator ratio: the P50s of two cases against their published figures.

    Attributes
    ----------
    name : str
        Label, e.g. ``"B200 / H100, offline"``.
    numerator, denominator : str
        Scenario names of two cases with the same KPI.
    """

    name: str
    numerator: str
    denominator: str


def calibration_names() -> list[str]:
    """Names of the shipped calibration scenarios, sorted.

    Returns
    -------
    list of str
        File stems of ``scenarios/calibration/*.toml`` other than ``cases.toml``.
    """
    folder = resources.files("scenarios").joinpath("calibration")
    return sorted(
        p.name[: -len(".toml")]
        for p in folder.iterdir()
        if p.name.endswith(".toml") and p.name != "cases.toml"
    )


def calibration_text(name: str) -> str:
    """The TOML text of a shipped calibration scenario.

    Parameters
    ----------
    name : str
        A name from :func:`calibration_names`.

    Returns
    -------
    str
        The scenario file's content.
    """
    folder = resources.files("scenarios").joinpath("calibration")
    return folder.joinpath(f"{name}.toml").read_text(encoding="utf-8")


def load_calibration_cases() -> tuple[list[CalibrationCase], list[CalibrationRatio]]:
    """Read and check the shipped calibration cases and ratios.

    Returns
    -------
    cases : list of CalibrationCase
        In file order.
    ratios : list of CalibrationRatio
        In file order; both members of each are cases with the same KPI.
    """
    text = resources.files("scenarios").joinpath("calibration", "cases.toml").read_text("utf-8")
    return parse_calibration_cases(text, set(calibration_names()))


def parse_calibration_cases(
    text: str, scenario_names: set[str]
) -> tuple[list[CalibrationCase], list[CalibrationRatio]]:
    """Parse and check a cases file.

    Parameters
    ----------
    text : str
        TOML with ``[[case]]`` and ``[[ratio]]`` tables.
    scenario_names : set of str
        The calibration scenarios that exist.

    Returns
    -------
    cases, ratios : list
        As :func:`load_calibration_cases`.

    Raises
    ------
    ScenarioError
        A case with a missing or unknown key, an unknown kind or role, a scenario
        that is not shipped, or a ratio over unknown or mismatched cases.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{CASES_FILE}: not valid TOML: {exc}") from exc
    cases = [_case(table, i) for i, table in enumerate(data.get("case", []))]
    by_scenario = {}
    for case in cases:
        if case.scenario not in scenario_names:
            raise ScenarioError(
                f"{CASES_FILE}: case scenario = {case.scenario!r} is not a file in "
                "scenarios/calibration/; add the scenario or fix the name"
            )
        if case.scenario in by_scenario:
            raise ScenarioError(f"{CASES_FILE}: scenario {case.scenario!r} has two cases")
        by_scenario[case.scenario] = case
    ratios = []
    for i, table in enumerate(data.get("ratio", [])):
        where = f"{CASES_FILE}: ratio {i + 1}"
        missing = {"name", "numerator", "denominator"} - set(table)
        if missing:
            raise ScenarioError(f"{where}: missing {', '.join(sorted(missing))}")
        ratio = CalibrationRatio(table["name"], table["numerator"], table["denominator"])
        for member in (ratio.numerator, ratio.denominator):
            if member not in by_scenario:
                raise ScenarioError(f"{where} ({ratio.name}): {member!r} is not a case")
        if by_scenario[ratio.numerator].kpi != by_scenario[ratio.denominator].kpi:
            raise ScenarioError(f"{where} ({ratio.name}): the two cases check different KPIs")
        ratios.append(ratio)
    return cases, ratios


def _case(table: dict, index: int) -> CalibrationCase:
    where = f"{CASES_FILE}: case {index + 1}"
    missing = [k for k in _CASE_KEYS if k not in table]
    unknown = sorted(set(table) - set(_CASE_KEYS))
    if missing or unknown:
        raise ScenarioError(
            f"{where}: missing {', '.join(missing) or 'nothing'}, unknown "
            f"{', '.join(unknown) or 'nothing'}; a case has exactly {', '.join(_CASE_KEYS)}"
        )
    if table["kind"] not in TOLERANCES:
        raise ScenarioError(
            f"{where}: kind = {table['kind']!r}; use one of {', '.join(TOLERANCES)}"
        )
    if table["role"] not in ROLES:
        raise ScenarioError(f"{where}: role = {table['role']!r}; use fit or check")
    published = table["published"]
    if not isinstance(published, int | float) or isinstance(published, bool) or published <= 0:
        raise ScenarioError(f"{where}: published = {published!r}; give a positive number")
    return CalibrationCase(
        scenario=str(table["scenario"]),
        kpi=str(table["kpi"]),
        published=float(published),
        unit=str(table["unit"]),
        kind=table["kind"],
        role=table["role"],
        source=str(table["source"]),
        date=str(table["date"]),
    )
