"""The scenario section: description, assumptions with units and sources, catalog figures."""

from __future__ import annotations

from results.assumptions import assumptions, catalog_figures, scenario_from_attrs, toml_comments
from results.human import without_exponents
from results.provenance import result_label
from results.report.markup import _e, _note, _section, _table, _tag
from results.report.result import Result


def scenario_section(result: Result, index: int) -> str:
    """Scenario description, levers and factors with ranges, units and sources.

    Parameters
    ----------
    result : Result
        A result carrying the scenario (its TOML text when stored).
    index : int
        Position among the report's scenarios (for anchors).

    Returns
    -------
    str
        An XHTML ``<section>``.
    """
    attrs = result.dataset.attrs
    name = result_label(attrs)
    scenario, caveat = scenario_from_attrs(attrs)
    parts = []
    description = attrs.get("scenario_description") or (scenario.description if scenario else "")
    if description:
        parts.append(_tag("p", _e(description)))
    facts = [
        ("source", attrs.get("scenario_source", "")),
        ("scenario SHA-256", attrs.get("scenario_sha256", "")),
        ("overrides (--set)", attrs.get("scenario_overrides", "") or "none"),
    ]
    if result.kind == "run":
        facts += [
            ("levers at base in the Monte Carlo run", attrs.get("levers_at_base", "")),
            ("rank correlations", attrs.get("correlations", "")),
        ]
    parts.append(_table(["", "value"], [(_e(k), _e(v)) for k, v in facts]))
    if caveat:
        parts.append(_note(f"Scenario of {_e(result.name)}: {_e(caveat)}."))
    if scenario is None:
        parts.append(
            _note(
                "The assumptions table needs the scenario file, which this result does not "
                "store; pass the run or Sobol result made from the same scenario."
            )
        )
        return _section(f"scenario-{index}", f"Scenario {name}", "".join(parts))
    preamble = toml_comments(scenario.text).get("")
    if preamble:
        parts.append(_tag("p", "<em>From the scenario file:</em> " + _e(preamble)))
    parts.append(_tag("h3", "Assumptions: levers and uncertain factors"))
    parts.append(
        _tag(
            "p",
            "Levers are decisions (held at their base in the Monte Carlo run, varied over "
            "their range in the sensitivity analyses); factors are uncertain inputs sampled "
            "from their distributions. Source: the scenario file's comment on the key; "
            "meaning (often with a typical range and its source): the schema "
            "(<code>docs/scenario.md</code>).",
        )
    )
    rows = [
        (_tag("code", _e(a.path)), _e(a.kind), _e(without_exponents(a.specification)),
         _e(a.unit or "-"), _e(a.meaning), _e(a.source or "-"))
        for a in assumptions(scenario)
    ]  # fmt: skip
    parts.append(
        _table(["key", "kind", "range or distribution", "unit", "meaning", "source"], rows)
    )
    constants = [a for a in assumptions(scenario, include_constants=True) if a.kind == "constant"]
    rows = [
        (
            _tag("code", _e(a.path)),
            _e(without_exponents(a.specification)),
            _e(a.unit or "-"),
            _e(a.source or "-"),
        )
        for a in constants
    ]
    parts.append(
        "<details><summary>Constants set in the scenario file "
        f"({len(rows)}; every other key takes its schema default)</summary>\n"
        + _table(["key", "value", "unit", "source"], rows)
        + "</details>\n"
    )
    figures = catalog_figures(scenario)
    if figures:
        parts.append(_tag("h3", "Catalog entries the scenario uses"))
        parts.append(
            _table(
                ["entry", "figure", "value", "source (date)"],
                [
                    (_e(f.entry), _e(f.figure), _e(without_exponents(f.value)), _e(f.source))
                    for f in figures
                ],
            )
        )
    parts.append(
        "<details><summary>The scenario file (TOML)</summary>\n"
        + _tag("pre", _e(scenario.text))
        + "</details>\n"
    )
    return _section(f"scenario-{index}", f"Scenario {name}", "".join(parts))
