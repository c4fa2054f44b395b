"""The shipped calibration cases: every published figure within tolerance, honest intervals.

`tco calibrate` runs each case's scenario under its own uncertainty; these tests hold
the model to the figures (training 15%, serving and energy 30%, cross-accelerator
ratios 30%) and the intervals to their coverage (at least 80% of the published figures
inside P5-P95).
"""

import json

import pytest
from click.testing import CliRunner

from scenarios.calibration_cases import (
    TOLERANCES,
    CalibrationCase,
    calibration_names,
    load_calibration_cases,
    parse_calibration_cases,
)
from scenarios.errors import ScenarioError
from scenarios.loader import load_scenario
from simulate.calibration import cases as calibration
from simulate.calibration.table import format_report
from simulate.cli.main import main


@pytest.fixture(scope="module")
def report():
    return calibration.calibrate(samples=512)


def test_every_case_is_within_its_tolerance(report):
    outside = [
        f"{r.case.scenario}: P50 {r.p50:.4g} vs {r.case.published:.4g} ({r.error:+.1%})"
        for r in report.cases
        if not r.within
    ]
    assert not outside
    assert all(r.infeasible_share == 0 for r in report.cases)


def test_cross_accelerator_ratios_follow_the_published_ones(report):
    names = {r.ratio.name for r in report.ratios}
    for pair in ("B200 / H100", "H200 / H100", "MI300X / H100"):
        assert any(n.startswith(pair) for n in names)
    assert all(r.within for r in report.ratios), [
        (r.ratio.name, round(r.error, 3)) for r in report.ratios if not r.within
    ]


def test_intervals_cover_the_published_figures(report):
    # A 90% interval should hold the truth about 90% of the time; 80% is the floor.
    assert report.coverage >= 0.8
    # The intervals are not trivially wide: the median P95/P5 spread stays under 2x.
    spreads = sorted(r.p95 / r.p5 for r in report.cases)
    assert spreads[len(spreads) // 2] < 2.0


def test_cases_cover_every_kind_vendor_and_latency_class():
    cases, _ = load_calibration_cases()
    assert {c.kind for c in cases} == set(TOLERANCES)
    names = " ".join(c.scenario for c in cases)
    for needle in ("h100", "h200", "b200", "mi300x", "offline", "server", "interactive"):
        assert needle in names
    for run in ("llama-3.1-405b-pretraining", "deepseek-v3-pretraining"):
        assert run in names
    assert any(c.role == "check" for c in cases) and any(c.role == "fit" for c in cases)


def test_every_case_scenario_loads_and_is_named_after_its_source():
    for name in calibration_names():
        scenario = load_scenario(name)
        assert scenario.name == name
        assert scenario.description.startswith("Calibration:")


def test_report_table_names_source_interval_and_coverage(report):
    text = format_report(report)
    assert "P5 - P95" in text and "Coverage:" in text and "mlcommons/inference_results" in text
    assert "e+" not in text  # no raw scientific notation


CASE = """
[[case]]
scenario = "{scenario}"
kpi = "output_tokens_per_s_per_accelerator"
published = 100
unit = "tokens/s"
kind = "{kind}"
role = "check"
source = "a test"
date = "2026"
"""


def test_bad_cases_file_names_the_key_and_the_fix():
    names = {"a"}
    with pytest.raises(ScenarioError, match=r"kind = 'speed'.*training, serving, energy"):
        parse_calibration_cases(CASE.format(scenario="a", kind="speed"), names)
    with pytest.raises(ScenarioError, match="'b' is not a file in scenarios/calibration"):
        parse_calibration_cases(CASE.format(scenario="b", kind="serving"), names)
    with pytest.raises(ScenarioError, match="missing unit"):
        parse_calibration_cases(
            CASE.format(scenario="a", kind="serving").replace('unit = "tokens/s"\n', ""), names
        )
    ratio = '\n[[ratio]]\nname = "x"\nnumerator = "a"\ndenominator = "c"\n'
    with pytest.raises(ScenarioError, match="'c' is not a case"):
        parse_calibration_cases(CASE.format(scenario="a", kind="serving") + ratio, names)


def test_command_exits_non_zero_when_a_case_is_outside(monkeypatch):
    cases, _ = load_calibration_cases()
    case = next(c for c in cases if c.scenario == "mlperf-v5.0-llama2-70b-h100-offline")
    wrong = CalibrationCase(**{**case.__dict__, "published": case.published * 3})
    monkeypatch.setattr(calibration, "load_calibration_cases", lambda: ([wrong], []))
    result = CliRunner().invoke(main, ["calibrate", "-n", "128"])
    assert result.exit_code == 1
    assert "OUT" in result.output and "outside tolerance" in result.output


def test_command_passes_and_prints_json_for_chosen_cases():
    name = "mlperf-v5.1-llama2-70b-b200-offline"
    result = CliRunner().invoke(main, ["calibrate", "-n", "128", "--case", name, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [c["scenario"] for c in data["cases"]] == [name]
    row = data["cases"][0]
    assert row["p5"] <= row["p50"] <= row["p95"] and row["within"]


def test_unknown_case_is_a_clean_error():
    result = CliRunner().invoke(main, ["calibrate", "--case", "no-such-case"])
    assert result.exit_code == 1 and "not a calibration case" in result.output
