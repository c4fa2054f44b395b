"""The whole report: its sections in order, contents, notes, and writing it to a file."""

from __future__ import annotations

import datetime as _dt
import html
import shlex
from collections.abc import Sequence
from pathlib import Path

from results.atomic import atomic_path
from results.plot_style import scenario_colours
from results.provenance import result_label
from results.report.compare import compare_section
from results.report.decision import DECISION_KINDS, decision_section
from results.report.markup import STYLE, _e, _howto, _note, _section
from results.report.platform import platform_section
from results.report.reproduce import provenance_section, scenario_words
from results.report.result import (
    REPORTED_KINDS,
    Result,
    _scenario_key,
    compared_scenarios,
)
from results.report.run import run_section
from results.report.scenario import scenario_section
from results.report.sobol import sobol_section
from results.report.summary import summary_section
from results.report.tornado import tornado_section
from results.summary import DEFAULT_PERCENTILES


def _missing(kind: str, results: Sequence[Result]) -> str:
    first = results[0]
    scenario = _e(shlex.join(scenario_words(first.dataset.attrs)))
    files = " ".join(_e(shlex.quote(r.name)) for r in results)
    what = {
        "run": ("Monte Carlo summary", "tco run", "run.nc", "mean, std and percentiles"),
        "sobol": ("Sobol sensitivity ranking", "tco sobol", "sobol.nc", "variance shares"),
        "tornado": ("Tornado", "tco tornado", "tornado.nc", "one-at-a-time swings"),
    }[kind]
    return _howto(
        f"No {what[0]} in this report ({what[3]}): none of the results given is of that kind. "
        f"Make one with <code>{what[1]} {scenario} -o {what[2]}</code> and add it: "
        f"<code>tco report {files} {what[2]} -o report.html</code>."
    )


def build_report(
    results: Sequence[Result],
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    confidence: float = 0.95,
    title: str | None = None,
) -> str:
    """The whole report as one XHTML-compatible HTML5 document.

    Parameters
    ----------
    results : sequence of Result
        Runs, Sobol and tornado results (at least one), e.g. from :func:`as_results`.
    percentiles : sequence of float
        Percentiles of the run summaries, in (0, 100).
    confidence : float
        Confidence level of the run summaries' intervals.
    title : str, optional
        Document title; default from the scenario names.

    Returns
    -------
    str
        The document: an executive summary first (headline KPIs in human units, top
        levers, verdicts, infeasible share), then scenario and assumptions, Monte
        Carlo summary, comparison, Sobol ranking, tornado, decision and provenance
        sections; a missing analysis is replaced by the
        command that makes it. Figures are embedded; no external reference.
    """
    results = list(results)
    if not results:
        raise ValueError("no result to report: give at least one run, Sobol or tornado file")
    names = list(dict.fromkeys(result_label(r.dataset.attrs) for r in results))
    title = title or f"Lifecycle TCO report: {', '.join(names)}"
    by_kind = {k: [r for r in results if r.kind == k] for k in REPORTED_KINDS}

    # Decision results carry two scenarios under their own keys; their sections say which.
    carriers = [
        part
        for r in results
        if r.kind not in (*DECISION_KINDS, "platform")
        for part in (compared_scenarios(r) if r.kind == "compare" else [r])
    ]
    scenarios: dict[str, Result] = {}
    for result in sorted(carriers, key=lambda r: "scenario_toml" not in r.dataset.attrs):
        scenarios.setdefault(_scenario_key(result), result)
    sections = [scenario_section(r, i) for i, r in enumerate(scenarios.values(), 1)]
    # A report of decision results alone does not ask for the analyses it lacks.
    standard = [r for r in results if r.kind not in (*DECISION_KINDS, "platform")]
    placeholder = (lambda section: [section]) if standard else (lambda section: [])
    # One colour per scenario for every figure of the report.
    colours = scenario_colours(
        [result_label(r.dataset.attrs, r.name) for r in by_kind["run"]]
        + [str(s) for r in by_kind["compare"] for s in r.dataset["scenario"].values]
    )
    sections += [
        run_section(r, i, percentiles, confidence, colours) for i, r in enumerate(by_kind["run"], 1)
    ] or placeholder(_section("run", "Monte Carlo summary", _missing("run", results)))
    sections += [compare_section(r, i, colours) for i, r in enumerate(by_kind["compare"], 1)]
    sections += [sobol_section(r, i) for i, r in enumerate(by_kind["sobol"], 1)] or placeholder(
        _section("sobol", "Sensitivity ranking (Sobol)", _missing("sobol", results))
    )
    sections += [tornado_section(r, i) for i, r in enumerate(by_kind["tornado"], 1)] or placeholder(
        _section("tornado", "Tornado", _missing("tornado", results))
    )
    for kind in DECISION_KINDS:
        sections += [decision_section(r, i) for i, r in enumerate(by_kind[kind], 1)]
    sections += [platform_section(r, i) for i, r in enumerate(by_kind["platform"], 1)]
    sections.append(provenance_section(results))

    notes = []
    mismatch = scenario_mismatch(results)
    if mismatch:
        notes.append(_note(_e(mismatch)))
    contents = "".join(
        f'<li><a href="#{_e(anchor)}">{_e(heading)}</a></li>'
        for anchor, heading in _headings(sections)
    )
    created = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    inputs = ", ".join(f"{_e(r.name)} ({_e(r.kind)})" for r in results)
    return (
        "<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n<head>\n'
        '<meta charset="utf-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{_e(title)}</h1>\n"
        f"<p>Made by lifecycle-tco on {_e(created)} from {inputs}.</p>\n"
        # The answer first: the summary fills the first screen, the details follow.
        + summary_section(results)
        + "".join(notes)
        + f"<nav><ul>{contents}</ul></nav>\n"
        + "".join(sections)
        + "</body>\n</html>\n"
    )


def scenario_mismatch(results: Sequence[Result]) -> str | None:
    """A warning when the results describe different scenarios or overrides, else None.

    Parameters
    ----------
    results : sequence of Result
        The report's results.

    Returns
    -------
    str or None
        Which file describes which scenario (name, overrides, first 12 hex digits of
        its SHA-256) when runs, Sobol and tornado results disagree; None when they
        describe one scenario (a comparison's own scenarios and decision results,
        which name their scenarios themselves, do not count).
    """
    single = [r for r in results if r.kind in ("run", "sobol", "tornado", "sweep")]
    keys = {_scenario_key(r) for r in single}
    if len(keys) < 2:
        return None
    described = "; ".join(
        f"{r.name}: {result_label(r.dataset.attrs, r.name)} "
        f"(SHA-256 {str(r.dataset.attrs.get('scenario_sha256', ''))[:12] or 'not recorded'})"
        for r in single
    )
    return (
        f"These results describe different scenarios or overrides, so their sections do not "
        f"answer one question: {described}. Make every analysis of one scenario (the "
        "same file and --set) to read them together."
    )


def _headings(sections: Sequence[str]) -> list[tuple[str, str]]:
    found = []
    for section in sections:
        anchor = section.split('id="', 1)[1].split('"', 1)[0]
        heading = html.unescape(section.split("<h2>", 1)[1].split("</h2>", 1)[0])
        found.append((anchor, heading))
    return found


def write_report(document: str, path: str | Path) -> Path:
    """Write a report atomically (temporary file in the same folder, then rename).

    Parameters
    ----------
    document : str
        The HTML text.
    path : str or Path
        Target file; an older file is replaced only once the new one is complete.

    Returns
    -------
    Path
        The written path.

    Raises
    ------
    ValueError
        If the target's folder does not exist.
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(document, encoding="utf-8")
    return path
