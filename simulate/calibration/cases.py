"""Run each calibration case under its own uncertainty and compare with the published figure.

A case's scenario carries the uncertainty a planner would give it (where the software
stack sits in the accelerator's fitted efficiency range, the reference factors around
their calibrated modes); a Monte Carlo run of it gives the model's P5, P50 and P95. The
case is within tolerance when the P50 is within the kind's relative tolerance of the
published figure, and covered when the figure lies inside P5-P95.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from scenarios.calibration_cases import (
    RATIO_TOLERANCE,
    CalibrationCase,
    CalibrationRatio,
    load_calibration_cases,
)
from scenarios.loader import load_scenario
from simulate.engine.montecarlo import run
from simulate.model import columns as col

DEFAULT_SAMPLES = 1024
DEFAULT_SEED = 20261202


def wall_power_w_per_accelerator(dataset) -> np.ndarray:
    """Facility power per busy accelerator, W: energy per token x tokens per second.

    ``joules_per_token x tokens_per_s_per_accelerator x utilization / PUE`` is the
    average draw of an accelerator with its host share, before cooling.
    """
    return (
        dataset["joules_per_token"].values
        * dataset["tokens_per_s_per_accelerator"].values
        * dataset["utilization"].values
        / dataset["pue"].values
    )


# Figures a case may check that are not a kernel output, computed from the outputs.
DERIVED_KPIS: dict[str, Callable] = {"wall_power_w_per_accelerator": wall_power_w_per_accelerator}
DERIVED_UNITS = {"wall_power_w_per_accelerator": "W"}


@dataclass(frozen=True)
class CaseResult:
    """The model's figure for one case against the published one.

    Attributes
    ----------
    case : CalibrationCase
        The case.
    p5, p50, p95 : float
        Model quantiles of the KPI over the case's feasible samples, in the case's unit.
    infeasible_share : float
        Share of samples with no feasible serving configuration.
    """

    case: CalibrationCase
    p5: float
    p50: float
    p95: float
    infeasible_share: float

    @property
    def error(self) -> float:
        """Relative error of the P50: ``P50 / published - 1``."""
        return self.p50 / self.case.published - 1.0

    @property
    def within(self) -> bool:
        """True when the P50 is within the case's tolerance."""
        return bool(abs(self.error) <= self.case.tolerance)

    @property
    def covered(self) -> bool:
        """True when the published figure lies inside the model's P5-P95."""
        return bool(self.p5 <= self.case.published <= self.p95)


@dataclass(frozen=True)
class RatioResult:
    """A cross-accelerator ratio of P50s against the ratio of the published figures.

    Attributes
    ----------
    ratio : CalibrationRatio
        The pair.
    published, model : float
        Published and model ratios (numerator over denominator).
    """

    ratio: CalibrationRatio
    published: float
    model: float

    @property
    def error(self) -> float:
        """Relative error of the model's ratio."""
        return self.model / self.published - 1.0

    @property
    def within(self) -> bool:
        """True when the model's ratio is within 30% of the published one."""
        return bool(abs(self.error) <= RATIO_TOLERANCE)


@dataclass(frozen=True)
class CalibrationReport:
    """Every case and ratio of a calibration run.

    Attributes
    ----------
    cases : list of CaseResult
    ratios : list of RatioResult
    samples, seed : int
        Monte Carlo samples per case and the root seed.
    """

    cases: list[CaseResult]
    ratios: list[RatioResult]
    samples: int
    seed: int

    @property
    def coverage(self) -> float:
        """Share of cases whose published figure lies inside the model's P5-P95."""
        return float(np.mean([r.covered for r in self.cases])) if self.cases else float("nan")

    def coverage_of(self, role: str) -> float:
        """Coverage of the cases with ``role`` (``"fit"`` or ``"check"``)."""
        chosen = [r.covered for r in self.cases if r.case.role == role]
        return float(np.mean(chosen)) if chosen else float("nan")

    @property
    def failures(self) -> list[str]:
        """Names of the cases and ratios outside their tolerance."""
        return [r.case.scenario for r in self.cases if not r.within] + [
            r.ratio.name for r in self.ratios if not r.within
        ]


def kpi_values(dataset, kpi: str) -> np.ndarray:
    """Per-sample values of a case's KPI from a run's dataset.

    Parameters
    ----------
    dataset : xarray.Dataset
        A run stored with ``store="all"``.
    kpi : str
        A kernel output name or a key of :data:`DERIVED_KPIS`.

    Returns
    -------
    ndarray of float64
        One value per sample (NaN where the sample is infeasible).
    """
    if kpi in DERIVED_KPIS:
        return np.asarray(DERIVED_KPIS[kpi](dataset), dtype=np.float64)
    if kpi not in col.OUTPUT_INDEX:
        known = ", ".join([*col.OUTPUT_INDEX, *DERIVED_KPIS])
        raise ValueError(f"calibration KPI {kpi!r} is not a model output; use one of {known}")
    return np.asarray(dataset[kpi].values, dtype=np.float64)


def run_case(case: CalibrationCase, samples: int, seed: int) -> CaseResult:
    """Run one case's scenario and summarise its KPI.

    Parameters
    ----------
    case : CalibrationCase
        The case.
    samples : int
        Monte Carlo samples.
    seed : int
        Root seed (the same for every case, so a run is repeatable).

    Returns
    -------
    CaseResult
    """
    dataset = run(load_scenario(case.scenario), n=samples, seed=seed, store="all")
    values = kpi_values(dataset, case.kpi)
    finite = values[np.isfinite(values)]
    infeasible = 1.0 - finite.size / values.size
    if finite.size == 0:
        nan = float("nan")
        return CaseResult(case, nan, nan, nan, infeasible)
    p5, p50, p95 = np.quantile(finite, [0.05, 0.5, 0.95])
    return CaseResult(case, float(p5), float(p50), float(p95), infeasible)


def calibrate(
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    only: Sequence[str] = (),
    progress: Callable[[int, int, str], None] | None = None,
) -> CalibrationReport:
    """Run the shipped calibration cases and the cross-accelerator ratios.

    Parameters
    ----------
    samples : int
        Monte Carlo samples per case (1,024 by default: P5 and P95 to about 1% of
        the spread).
    seed : int
        Root seed, the same for every case.
    only : sequence of str
        Scenario names to run (default: every case); ratios run when both members do.
    progress : callable(done, total, name) or None
        Called after each case.

    Returns
    -------
    CalibrationReport
    """
    cases, ratios = load_calibration_cases()
    if only:
        unknown = sorted(set(only) - {c.scenario for c in cases})
        if unknown:
            names = ", ".join(c.scenario for c in cases)
            raise ValueError(f"not a calibration case: {', '.join(unknown)}; cases: {names}")
        cases = [c for c in cases if c.scenario in set(only)]
    results = []
    for i, case in enumerate(cases):
        results.append(run_case(case, samples, seed))
        if progress is not None:
            progress(i + 1, len(cases), case.scenario)
    by_name = {r.case.scenario: r for r in results}
    ratio_results = [
        RatioResult(
            ratio,
            by_name[ratio.numerator].case.published / by_name[ratio.denominator].case.published,
            by_name[ratio.numerator].p50 / by_name[ratio.denominator].p50,
        )
        for ratio in ratios
        if ratio.numerator in by_name and ratio.denominator in by_name
    ]
    return CalibrationReport(results, ratio_results, samples, seed)
