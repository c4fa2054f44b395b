"""Scenario-file correlation syntax: both forms, merging, and every error."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from scenarios.correlations import parse_correlations
from scenarios.errors import ScenarioError

F = "my.toml"
FACTORS = [
    "hardware.price_multiplier",
    "fleet.utilization_achieved_ratio",
    "serving.request_tokens_mean",
    "power.spot_price_usd_per_mwh",
    "facility.pue",
]


def parse(text: str, factors=FACTORS):
    return parse_correlations(tomllib.loads(text), list(factors), F)


def test_none_when_nothing_declared():
    assert parse('[scenario]\nname = "x"\n') is None
    assert parse_correlations({"correlation": []}, FACTORS, F) is None


def test_pair_form():
    names, m = parse(
        """
        [[correlation]]
        between = ["power.spot_price_usd_per_mwh", "facility.pue"]
        spearman = 0.3
        """
    )
    assert names == ["power.spot_price_usd_per_mwh", "facility.pue"]
    assert m.dtype == np.float64
    np.testing.assert_array_equal(m, [[1.0, 0.3], [0.3, 1.0]])


def test_several_pairs_merge_into_one_matrix_in_factor_order():
    names, m = parse(
        """
        [[correlation]]
        between = ["facility.pue", "power.spot_price_usd_per_mwh"]
        spearman = 0.3

        [[correlation]]
        between = ["hardware.price_multiplier", "facility.pue"]
        spearman = -0.5

        [[correlation]]
        between = ["facility.pue", "power.spot_price_usd_per_mwh"]
        spearman = 0.3   # repeated with the same value: accepted
        """
    )
    assert names == ["hardware.price_multiplier", "power.spot_price_usd_per_mwh", "facility.pue"]
    np.testing.assert_array_equal(m, [[1.0, 0.0, -0.5], [0.0, 1.0, 0.3], [-0.5, 0.3, 1.0]])


def test_integer_values_accepted():
    _, m = parse(
        """
        [[correlation]]
        between = ["facility.pue", "power.spot_price_usd_per_mwh"]
        spearman = 1
        """
    )
    assert m[0, 1] == 1.0 and isinstance(m[0, 1], np.float64)


def test_matrix_form_reordered_to_factor_order():
    names, m = parse(
        """
        [correlation_matrix]
        names = ["serving.request_tokens_mean", "power.spot_price_usd_per_mwh", "fleet.utilization_achieved_ratio"]
        spearman = [[1, 0, -0.2], [0, 1, 0.1], [-0.2, 0.1, 1]]
        """
    )
    assert names == [
        "fleet.utilization_achieved_ratio",
        "serving.request_tokens_mean",
        "power.spot_price_usd_per_mwh",
    ]
    np.testing.assert_array_equal(m, [[1.0, -0.2, 0.1], [-0.2, 1.0, 0.0], [0.1, 0.0, 1.0]])


def test_both_forms_combined():
    names, m = parse(
        """
        [correlation_matrix]
        names = ["serving.request_tokens_mean", "fleet.utilization_achieved_ratio"]
        spearman = [[1, -0.2], [-0.2, 1]]

        [[correlation]]
        between = ["power.spot_price_usd_per_mwh", "facility.pue"]
        spearman = 0.3

        [[correlation]]
        between = ["fleet.utilization_achieved_ratio", "serving.request_tokens_mean"]
        spearman = -0.2
        """
    )
    assert names == FACTORS[1:]
    expected = np.eye(4)
    expected[0, 1] = expected[1, 0] = -0.2
    expected[2, 3] = expected[3, 2] = 0.3
    np.testing.assert_array_equal(m, expected)


@settings(max_examples=50, deadline=None)
@given(
    hs.lists(
        hs.tuples(
            hs.sampled_from(FACTORS),
            hs.sampled_from(FACTORS),
            hs.floats(-1, 1, allow_nan=False),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_pairs_property(entries):
    # Drop self-pairs and keep the first value of each pair (both are errors otherwise).
    seen = {}
    for a, b, rho in entries:
        if a != b:
            seen.setdefault(frozenset((a, b)), (a, b, rho))
    raw = {"correlation": [{"between": [a, b], "spearman": rho} for a, b, rho in seen.values()]}
    result = parse_correlations(raw, FACTORS, F)
    if not seen:
        assert result is None
        return
    names, m = result
    assert names == [f for f in FACTORS if any(f in key for key in seen)]
    assert np.array_equal(m, m.T) and np.array_equal(np.diag(m), np.ones(len(names)))
    for a, b, rho in seen.values():
        assert m[names.index(a), names.index(b)] == rho
    assert np.count_nonzero(np.triu(m, 1)) == sum(1 for *_, rho in seen.values() if rho != 0)


PAIR = 'between = ["power.spot_price_usd_per_mwh", "facility.pue"]'
ERRORS = [
    # unknown names, with and without a suggestion
    (
        '[[correlation]]\nbetween = ["power.spot_price", "facility.pue"]\nspearman = 0.3',
        r"^my\.toml: correlation\[0\]\.between: 'power\.spot_price' is not an uncertain factor of this scenario "
        r"\(did you mean 'power\.spot_price_usd_per_mwh'\?\); only continuous factors given as \{dist = \.\.\.\} "
        r"can be correlated \(constants, levers and choice factors cannot\)",
    ),
    (
        '[[correlation]]\nbetween = ["hardware.accelerator", "facility.pue"]\nspearman = 0.3',
        r"'hardware\.accelerator' is not an uncertain factor of this scenario.*; only continuous",
    ),
    (
        '[correlation_matrix]\nnames = ["facility.pue", "facility.life"]\nspearman = [[1, 0], [0, 1]]',
        r"^my\.toml: correlation_matrix\.names: 'facility\.life' is not an uncertain factor",
    ),
    # self pair, duplicates, conflicts
    (
        '[[correlation]]\nbetween = ["facility.pue", "facility.pue"]\nspearman = 0.3',
        r"correlation\[0\]\.between = \['facility\.pue', 'facility\.pue'\]: a factor cannot be correlated with itself",
    ),
    (
        f"[[correlation]]\n{PAIR}\nspearman = 0.3\n"
        '[[correlation]]\nbetween = ["facility.pue", "power.spot_price_usd_per_mwh"]\nspearman = 0.4',
        r"^my\.toml: the pair power\.spot_price_usd_per_mwh ~ facility\.pue is given twice with different values: "
        r"0\.3 \(correlation\[0\]\) and 0\.4 \(correlation\[1\]\); keep one",
    ),
    (
        f"[[correlation]]\n{PAIR}\nspearman = 0.3\n"
        '[correlation_matrix]\nnames = ["facility.pue", "power.spot_price_usd_per_mwh"]\n'
        "spearman = [[1, 0], [0, 1]]",
        r"given twice with different values: 0\.3 \(correlation\[0\]\) and 0\.0 \(correlation_matrix\.spearman\)",
    ),
    (
        '[correlation_matrix]\nnames = ["facility.pue", "facility.pue"]\nspearman = [[1, 0], [0, 1]]',
        r"correlation_matrix\.names: 'facility\.pue' is listed twice; list each factor once",
    ),
    # range
    (
        f"[[correlation]]\n{PAIR}\nspearman = 1.2",
        r"^my\.toml: correlation\[0\]\.spearman = 1\.2: a Spearman correlation must be in \[-1, 1\]",
    ),
    (
        f"[[correlation]]\n{PAIR}\nspearman = -1.5",
        r"spearman = -1\.5: a Spearman correlation must be in",
    ),
    (
        f"[[correlation]]\n{PAIR}\nspearman = nan",
        r"spearman = nan: a Spearman correlation must be in",
    ),
    (
        '[correlation_matrix]\nnames = ["facility.pue", "hardware.price_multiplier"]\n'
        "spearman = [[1, 1.5], [1.5, 1]]",
        r"^my\.toml: correlation_matrix\.spearman: correlation facility\.pue ~ hardware\.price_multiplier = 1\.5: must be in \[-1, 1\]",
    ),
    (
        '[correlation_matrix]\nnames = ["facility.pue", "hardware.price_multiplier"]\n'
        "spearman = [[1, 0.2], [0.3, 1]]",
        r"correlation_matrix\.spearman: correlation matrix is not symmetric: facility\.pue ~ hardware\.price_multiplier = 0\.2 "
        r"but hardware\.price_multiplier ~ facility\.pue = 0\.3; give the same value in both places",
    ),
    (
        '[correlation_matrix]\nnames = ["facility.pue", "hardware.price_multiplier"]\n'
        "spearman = [[1, 0.2], [0.2, 0.5]]",
        r"correlation of hardware\.price_multiplier with itself = 0\.5: the diagonal must be 1",
    ),
    # types
    (
        f'[[correlation]]\n{PAIR}\nspearman = "high"',
        r"correlation\[0\]\.spearman = 'high': must be a number in \[-1, 1\] \(a Spearman rank correlation\)",
    ),
    (
        f"[[correlation]]\n{PAIR}\nspearman = true",
        r"correlation\[0\]\.spearman = True: must be a number",
    ),
    (
        '[[correlation]]\nbetween = "facility.pue"\nspearman = 0.3',
        r"correlation\[0\]\.between = 'facility\.pue': must be a list of two factor key paths",
    ),
    (
        '[[correlation]]\nbetween = ["facility.pue", "hardware.price_multiplier", "power.spot_price_usd_per_mwh"]\nspearman = 0.3',
        r"must be a list of two factor key paths",
    ),
    (
        '[[correlation]]\nbetween = ["facility.pue", 3]\nspearman = 0.3',
        r"correlation\[0\]\.between: 3 must be a key path string",
    ),
    (
        f"[correlation]\n{PAIR}\nspearman = 0.3",
        r"^my\.toml: \[correlation\] must be an array of tables: write \[\[correlation\]\] \(double brackets\)",
    ),
    ("correlation = 0.3", r"correlation = 0\.3: must be an array of tables"),
    ("correlation = [0.3]", r"correlation\[0\] = 0\.3: must be a table"),
    (
        "correlation_matrix = 1",
        r"^my\.toml: correlation_matrix = 1: must be a table \[correlation_matrix\]",
    ),
    (
        '[correlation_matrix]\nnames = "facility.pue"\nspearman = [[1]]',
        r"correlation_matrix\.names = 'facility\.pue': must be a list of at least two factor key paths",
    ),
    (
        '[correlation_matrix]\nnames = ["facility.pue", "hardware.price_multiplier"]\nspearman = 0.3',
        r"correlation_matrix\.spearman = 0\.3: must be a list of 2 rows \(lists of numbers\), one per name",
    ),
    (
        '[correlation_matrix]\nnames = ["facility.pue", "hardware.price_multiplier"]\nspearman = [[1, 0.2]]',
        r"correlation_matrix\.spearman has 1 rows of lengths \[2\]: it must be 2 x 2",
    ),
    (
        '[correlation_matrix]\nnames = ["facility.pue", "hardware.price_multiplier"]\nspearman = [[1, 0.2], [0.2]]',
        r"has 2 rows of lengths \[2, 1\]: it must be 2 x 2",
    ),
    (
        '[correlation_matrix]\nnames = ["facility.pue", "hardware.price_multiplier"]\nspearman = [[1, "x"], ["x", 1]]',
        r"correlation_matrix\.spearman\[0\]\[1\] \(facility\.pue ~ hardware\.price_multiplier\) = 'x': must be a number",
    ),
    # keys
    (
        f"[[correlation]]\n{PAIR}\nspearmann = 0.3",
        r"correlation\[0\]: unknown key 'spearmann' \(did you mean 'spearman'\?\); \[\[correlation\]\] takes between and spearman",
    ),
    (
        f"[[correlation]]\n{PAIR}\nspearman = 0.3\npearson = 0.3",
        r"correlation\[0\]: unknown key 'pearson'",
    ),
    (f"[[correlation]]\n{PAIR}", r"correlation\[0\]: missing key 'spearman'"),
    ("[[correlation]]\nspearman = 0.3", r"correlation\[0\]: missing key 'between'"),
    (
        '[correlation_matrix]\nname = ["facility.pue", "hardware.price_multiplier"]\nspearman = [[1, 0], [0, 1]]',
        r"correlation_matrix: unknown key 'name' \(did you mean 'names'\?\); \[correlation_matrix\] takes names and spearman",
    ),
    (
        '[correlation_matrix]\nnames = ["facility.pue", "hardware.price_multiplier"]',
        r"correlation_matrix: missing key 'spearman'",
    ),
]


@pytest.mark.parametrize(("text", "match"), ERRORS)
def test_errors(text, match):
    with pytest.raises(ValueError, match=match) as info:
        parse(text)
    assert isinstance(info.value, ScenarioError)
    assert str(info.value).startswith("my.toml: ")


def test_second_entry_is_named():
    text = f"[[correlation]]\n{PAIR}\nspearman = 0.3\n[[correlation]]\n{PAIR}\nspearman = 2"
    with pytest.raises(ValueError, match=r"correlation\[1\]\.spearman = 2: a Spearman"):
        parse(text)


def test_choice_factor_rejected_when_caller_omits_it():
    # The caller passes only continuous factors, so a choice factor reads as unknown.
    text = (
        '[[correlation]]\nbetween = ["facility.pue", "hardware.price_multiplier"]\nspearman = 0.3'
    )
    with pytest.raises(
        ValueError, match=r"'hardware\.price_multiplier' is not an uncertain factor"
    ):
        parse(text, factors=[f for f in FACTORS if f != "hardware.price_multiplier"])
