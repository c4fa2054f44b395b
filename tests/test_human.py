"""Numbers for people: known answers, no exponent ever, and the text reads back as the number."""

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from results.human import (
    digits_for_interval,
    human,
    human_interval,
    human_percent,
    number_kind,
    tick_labels,
    trim_zeros,
)

EXPONENT = re.compile(r"\d[eE][+-]?\d")
UNITS = [
    "USD",
    "USD/1k tokens",
    "USD/month",
    "tokens/month",
    "accelerators",
    "MWh/month",
    "J/token",
    "MW",
    "s",
    "1",
    "d/release",
    "tokens/s",
    "PFLOP/USD",
    "1/d",
]


@pytest.mark.parametrize(
    ("value", "unit", "name", "expected"),
    [
        (71_303_910, "USD", None, "$71.3M"),
        (71_503_910, "USD", None, "$71.5M"),
        (0.000906, "USD/1k tokens", None, "$0.000906"),
        (0.0011642, "USD/1k tokens", None, "$0.00116"),
        (2.5e9, "USD", None, "$2.50B"),
        (-26_318_417, "USD", None, "-$26.3M"),
        (999.7, "USD", None, "$1.00k"),
        (45_488, "USD/release", None, "$45.5k"),
        (1.9e12, "tokens/month", None, "1.90T"),
        (80e6, "requests/day", None, "80.0M"),
        (4096, "accelerators", None, "4,096"),
        (8192, "tokens/request", None, "8,192"),
        (1.25, "1", "pue", "1.25"),
        (0.125, "1", "truncated_share", "12.5%"),
        (0.9999, "1", "probability", "99.99%"),
        (0.62, "1", "utilization", "62.0%"),
        (0.0, "USD", None, "$0"),
        (float("nan"), "USD", None, "n/a"),
    ],
)
def test_known_answers(value, unit, name, expected):
    assert human(value, unit, name=name) == expected


def test_units_when_asked():
    assert human(1.9e12, "tokens/month", with_unit=True) == "1.90T tokens/month"
    assert human(1_234, "MWh/month", with_unit=True) == "1.23 GWh/month"
    assert human(0.0021, "J/token", with_unit=True) == "2.10 mJ/token"
    assert human(0.35, "s", with_unit=True) == "350 ms"
    assert human(1.2e6, "USD/month", with_unit=True) == "$1.20M/month"


def test_kinds():
    assert number_kind("USD/1k tokens") == "currency"
    assert number_kind("tokens/month") == "count"
    assert number_kind("MWh/month") == "si"
    assert number_kind("1", "hedge_share") == "percent"
    assert number_kind("1", "pue") == "plain"


def test_interval_digits_follow_the_width():
    # A wide interval: two digits; a tight one: more, never past the width's resolution.
    assert human_interval(71.3e6, 65.0e6, 80.1e6, "USD") == "$71M [$65M to $80M]"
    assert human_interval(71.3e6, 71.29e6, 71.31e6, "USD").startswith("$71.300M")
    assert digits_for_interval(1.0, 0.0, 0.0) == 3
    assert digits_for_interval(1.0, 0.5, 1.5) == 2
    assert digits_for_interval(1.0, 0.9999, 1.0001) == 5


def test_percent_near_the_ends_keeps_its_distance():
    assert human_percent(0.99996) == "99.996%"
    assert human_percent(0.995) == "99.5%"
    assert human_percent(1.0) == "100%"
    assert human_percent(0.0003) == "0.030%"


def test_tick_labels_share_a_scale_and_stay_distinct():
    assert tick_labels([0, 2e7, 4e7, 6e7], "USD") == ["$0", "$20M", "$40M", "$60M"]
    assert tick_labels([0.0, 0.25, 0.5], "1", "probability") == ["0%", "25%", "50%"]
    assert tick_labels([1e5, 1e6, 1e7], "1/d", log=True) == ["100k", "1M", "10M"]
    labels = tick_labels([71.0e6, 71.25e6, 71.5e6], "USD")
    assert len(set(labels)) == 3


def test_trim_zeros():
    assert trim_zeros("80.00M") == "80M"
    assert trim_zeros("-$1.50k") == "-$1.5k"
    assert trim_zeros("3,000") == "3,000"


def _read_back(text: str, unit: str) -> float:
    """The number a person reads from the text, in the unit given."""
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("-").lstrip("$").replace(",", "")
    scale = {"k": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
    factor = 1.0
    if body and body[-1] in scale:
        factor, body = scale[body[-1]], body[:-1]
    return sign * float(body) * factor


@given(
    st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False),
    st.sampled_from(UNITS),
    st.integers(min_value=2, max_value=5),
)
def test_never_an_exponent_and_reads_back_within_its_digits(value, unit, digits):
    text = human(value, unit, digits=digits)
    assert not EXPONENT.search(text), text
    if abs(value) < 1e-12:
        return
    # The shown digits carry the value to their precision (half a unit in the last place
    # of `digits` significant digits; a whole integer part is never rounded away).
    back = _read_back(text, unit)
    assert math.isclose(back, value, rel_tol=0.51 * 10 ** (1 - digits), abs_tol=1e-12), (
        value,
        text,
    )
    labels = tick_labels([value, value / 2, 0.0], unit)
    assert not any(EXPONENT.search(label) for label in labels), labels


def test_assumptions_are_written_out_exactly():
    from results.human import plain_number, without_exponents

    assert plain_number(2e7) == "20,000,000"
    assert plain_number(2e-6) == "0.000002"
    assert plain_number(15.6e12) == "15,600,000,000,000"
    assert plain_number(0.1) == "0.1"
    assert without_exponents("lever 0..2e+07 (base 0)") == "lever 0..20,000,000 (base 0)"
    assert without_exponents("lognormal(p10=2e+07, p90=8e+07)") == (
        "lognormal(p10=20,000,000, p90=80,000,000)"
    )
    # Hashes and names keep their letters.
    digest = "11bc8d7fb951597f1256076869b375ef0e283d3302"
    assert without_exponents(digest) == digest
