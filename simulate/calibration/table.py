"""Render a calibration report as a text table and as JSON-ready rows."""

from __future__ import annotations

from scenarios.calibration_cases import RATIO_TOLERANCE
from simulate.calibration.cases import CalibrationReport

COVERAGE_TARGET = 0.8


def _number(value: float) -> str:
    # Millions and thousands read better than raw digits in a 100-column table.
    if value != value:  # NaN: every sample infeasible
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 1e7:
        return f"{value / 1e6:,.2f} M"
    if magnitude >= 100:
        return f"{value:,.0f}"
    from results.human import human

    return human(value, digits=3)  # never 1.2e-05


def format_report(report: CalibrationReport) -> str:
    """The calibration table: one block per case, then the ratios and the coverage.

    Parameters
    ----------
    report : CalibrationReport
        From :func:`simulate.calibration.cases.calibrate`.

    Returns
    -------
    str
        Text for a terminal: case, role, published figure, model P50 and P5-P95,
        error, tolerance, within it or not, inside the interval or not, and the source.
    """
    lines = [
        f"Calibration: {len(report.cases)} published figures, {report.samples:,} samples "
        f"per case (seed {report.seed}); P50 within tolerance = ok, published inside "
        "P5-P95 = in.",
        "",
        f"{'case':<44} {'role':<5} {'published':>12} {'model P50':>12} {'P5 - P95':>25} "
        f"{'error':>7} {'tol':>4}  {'':3} {'':3}",
    ]
    for r in report.cases:
        case = r.case
        interval = f"{_number(r.p5)} - {_number(r.p95)}"
        lines.append(
            f"{case.scenario:<44} {case.role:<5} {_number(case.published):>12} "
            f"{_number(r.p50):>12} {interval:>25} {r.error:>+7.1%} {case.tolerance:>4.0%}  "
            f"{'ok' if r.within else 'OUT':<3} {'in' if r.covered else 'out':<3}"
        )
        detail = f"    {case.unit}; {case.source} ({case.date})"
        if r.infeasible_share > 0:
            detail += f"; {r.infeasible_share:.0%} of samples infeasible"
        lines.append(detail)
    if report.ratios:
        lines += [
            "",
            f"Cross-accelerator ratios of P50s (tolerance {RATIO_TOLERANCE:.0%}):",
            f"{'ratio':<44} {'published':>10} {'model':>8} {'error':>7}",
        ]
        for r in report.ratios:
            lines.append(
                f"{r.ratio.name:<44} {r.published:>10.3g} {r.model:>8.3g} {r.error:>+7.1%}  "
                f"{'ok' if r.within else 'OUT'}"
            )
    coverage = report.coverage
    lines += [
        "",
        f"Coverage: the published figure lies inside the model's P5-P95 for "
        f"{sum(r.covered for r in report.cases)} of {len(report.cases)} cases "
        f"({coverage:.0%}; fit cases {report.coverage_of('fit'):.0%}, check cases "
        f"{report.coverage_of('check'):.0%}). A 90% interval should cover about 90%; the "
        f"target is at least {COVERAGE_TARGET:.0%}.",
    ]
    failures = report.failures
    within = len(report.cases) + len(report.ratios) - len(failures)
    lines.append(
        f"Within tolerance: {within} of {len(report.cases) + len(report.ratios)}"
        + (f"; outside: {', '.join(failures)}" if failures else ".")
    )
    return "\n".join(lines)


def report_rows(report: CalibrationReport) -> dict:
    """The report as plain data for ``--json``.

    Returns
    -------
    dict
        ``cases`` and ``ratios`` lists of dicts, ``coverage``, ``samples``, ``seed``.
    """
    return {
        "samples": report.samples,
        "seed": report.seed,
        "coverage": report.coverage,
        "cases": [
            {
                "scenario": r.case.scenario,
                "kpi": r.case.kpi,
                "unit": r.case.unit,
                "kind": r.case.kind,
                "role": r.case.role,
                "published": r.case.published,
                "source": r.case.source,
                "date": r.case.date,
                "p5": r.p5,
                "p50": r.p50,
                "p95": r.p95,
                "error": r.error,
                "tolerance": r.case.tolerance,
                "within": r.within,
                "covered": r.covered,
                "infeasible_share": r.infeasible_share,
            }
            for r in report.cases
        ],
        "ratios": [
            {
                "name": r.ratio.name,
                "numerator": r.ratio.numerator,
                "denominator": r.ratio.denominator,
                "published": r.published,
                "model": r.model,
                "error": r.error,
                "within": r.within,
            }
            for r in report.ratios
        ],
    }
