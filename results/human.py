"""Numbers for people: currency as $71.3M, tokens as 1.9T, shares as 12%, never 7.1e+07.

One formatter for every table, plot, report and terminal line the project shows a
reader; the datasets, exports and ``--json`` outputs keep the raw values. The kind
of a number (currency, a count, a physical quantity with an SI unit, a share, a
plain number) is read from its unit string as the schema and the output columns
write it (``"USD/1k tokens"``, ``"tokens/month"``, ``"MWh/month"``, ``"1"``) and,
for dimensionless outputs, from the output's name (``*_share``, ``utilization``).

The digits follow the uncertainty when there is one (:func:`human_interval`):
an estimate whose interval spans a tenth of its value shows two or three
significant digits, a tight one up to five, so the text never claims more
precision than the run has.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "digits_for_interval",
    "human",
    "human_interval",
    "human_percent",
    "human_setting",
    "is_percent",
    "number_kind",
    "plain_number",
    "tick_labels",
    "trim_zeros",
    "without_exponents",
]

_SCALE_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
"""Short-scale suffixes for money and counts: $71.3M, 1.9T tokens."""

_SI_PREFIXES = {"p": 1e-12, "n": 1e-9, "µ": 1e-6, "u": 1e-6, "m": 1e-3, "": 1.0}
_SI_PREFIXES |= {"k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}
_SI_SHOWN = (
    (1e18, "E"),
    (1e15, "P"),
    (1e12, "T"),
    (1e9, "G"),
    (1e6, "M"),
    (1e3, "k"),
    (1.0, ""),
    (1e-3, "m"),
    (1e-6, "µ"),
    (1e-9, "n"),
)
_SI_BASES = ("Wh", "W", "J", "FLOP", "s")
"""Units written with an SI prefix (kWh, MW, PFLOP, ms); ``s`` only for sub-second values."""

_COUNT_WORDS = (
    "token",
    "request",
    "accelerator",
    "sequence",
    "sample",
    "response",
    "release",
    "plan",
    "user",
)
"""Unit heads counted in things: they take k/M/B/T suffixes (1.9T tokens)."""

_PERCENT_NAMES = ("utilization", "utilisation", "mfu", "mbu", "goodput", "roi", "probability")
_PERCENT_SUFFIXES = ("_share", "_probability", "_target", "_mfu", "_mbu", "_fraction")
_SMALLEST_SHOWN = 1e-12
"""Below this magnitude a number prints as 0: no real cost or count is that small."""


def is_percent(name: str | None, unit: str = "1") -> bool:
    """Whether a dimensionless quantity reads best as a percentage.

    Parameters
    ----------
    name : str or None
        Output or input name (key path allowed: only its last part counts).
    unit : str
        Its unit; only ``"1"``, ``""`` and ``"%"`` can be percentages.

    Returns
    -------
    bool
        True for shares, utilisations, MFU, ROI and probabilities.
    """
    if unit == "%":
        return True
    if unit not in ("1", "") or not name:
        return False
    leaf = str(name).rsplit(".", 1)[-1]
    return leaf in _PERCENT_NAMES or leaf.endswith(_PERCENT_SUFFIXES) or leaf.startswith("prob_")


def number_kind(unit: str = "", name: str | None = None) -> str:
    """The kind of a number, from its unit (and name for dimensionless ones).

    Parameters
    ----------
    unit : str
        Unit as the schema writes it, e.g. ``"USD/month"``, ``"tokens/s"``, ``"MWh"``.
    name : str, optional
        Output or input name, used only to tell shares from plain numbers.

    Returns
    -------
    str
        ``"currency"``, ``"percent"``, ``"count"``, ``"si"`` or ``"plain"``.
    """
    unit = (unit or "").strip()
    head = unit.split("/", 1)[0].strip()
    if head == "USD":
        return "currency"
    if is_percent(name, unit):
        return "percent"
    if _si_base(head) is not None:
        return "si"
    if any(head.startswith(word) for word in _COUNT_WORDS):
        return "count"
    return "plain"


def _si_base(head: str) -> tuple[float, str] | None:
    """(factor to the base unit, base unit) for an SI unit head such as ``MWh``."""
    for base in _SI_BASES:
        if head.endswith(base):
            prefix = head[: -len(base)]
            if prefix in _SI_PREFIXES:
                return _SI_PREFIXES[prefix], base
    return None


def _tail(unit: str) -> str:
    """What follows the head of a unit: ``"/month"`` of ``"USD/month"``."""
    _, slash, per = (unit or "").partition("/")
    return f"/{per.strip()}" if slash else ""


def _round_significant(value: float, digits: int) -> float:
    if value == 0:
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _fixed(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant digits in fixed notation (no exponent)."""
    value = _round_significant(value, digits)
    if value == 0:
        return "0"
    # The exponent of the rounded value: 0.9997 to three digits is 1.00, not 1.000.
    exponent = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - exponent)
    return f"{value:,.{decimals}f}"


def _scaled(value: float, digits: int, table) -> tuple[str, str]:
    """Number text and suffix with a short-scale or SI suffix from ``table``."""
    magnitude = abs(_round_significant(value, digits))
    for factor, suffix in table:
        if magnitude >= factor:
            return _fixed(value / factor, digits), suffix
    smallest_factor, smallest_suffix = table[-1]
    if smallest_factor < 1.0 and magnitude > 0:
        return _fixed(value / smallest_factor, digits), smallest_suffix
    return _fixed(value, digits), ""


def human(
    value: float, unit: str = "", name: str | None = None, digits: int = 3, with_unit: bool = False
) -> str:
    """A number as a person reads it: ``$71.3M``, ``1.9T``, ``12.5%``, ``4.20 GWh``.

    Parameters
    ----------
    value : float
        The number, in ``unit``.
    unit : str
        Its unit as the schema writes it (``"USD"``, ``"USD/1k tokens"``, ``"tokens/month"``,
        ``"MWh/month"``, ``"1"``).
    name : str, optional
        Output or input name: tells shares (shown as %) from plain numbers.
    digits : int
        Significant digits, 1 to 15.
    with_unit : bool
        Append the unit (``$1.2M/month``, ``1.9T tokens/month``); without it only the
        currency sign, the scale suffix and a percent sign are shown (for a table
        with its own unit column or an axis whose label has the unit).

    Returns
    -------
    str
        The text; never in scientific notation. NaN is ``n/a``; magnitudes below
        1e-12 print as 0.

    Examples
    --------
    >>> human(71_303_910, "USD")
    '$71.3M'
    >>> human(0.000906, "USD/1k tokens")
    '$0.000906'
    >>> human(1.9e12, "tokens/month", with_unit=True)
    '1.90T tokens/month'
    >>> human(0.125, "1", name="truncated_share")
    '12.5%'
    """
    if not 1 <= digits <= 15:
        raise ValueError(f"digits = {digits}: must lie in 1..15")
    value = float(value)
    unit = (unit or "").strip()
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "-∞" if value < 0 else "∞"
    if abs(value) < _SMALLEST_SHOWN:
        value = 0.0
    kind = number_kind(unit, name)
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if kind == "currency":
        number, suffix = _scaled(magnitude, digits, _SCALE_SUFFIXES)
        text = f"{sign}${number}{suffix}"
        return text + _tail(unit) if with_unit else text
    if kind == "percent":
        share = magnitude * (1.0 if unit == "%" else 100.0)
        return f"{sign}{_percent_text(share, digits)}%"
    if kind == "si":
        head = unit.split("/", 1)[0].strip()
        factor, base = _si_base(head)
        base_value = magnitude * factor
        if base == "s" and base_value >= 1.0:
            number, prefix = _fixed(magnitude, digits), head[: -len(base)]
        else:
            number, prefix = _scaled(base_value, digits, _SI_SHOWN)
        text = f"{sign}{number} {prefix}{base}" + _tail(unit)
        if with_unit:
            return text
        # Without the unit the prefix still has to be shown: keep it as a scale suffix
        # relative to the unit as written (1.5k for 1,500 MWh in an MWh column).
        number, suffix = _scaled(magnitude, digits, _SCALE_SUFFIXES)
        return f"{sign}{number}{suffix}"
    number, suffix = _scaled(magnitude, digits, _SCALE_SUFFIXES)
    if magnitude < 1e4:
        # Numbers below 10,000 (PUE 1.25, 4 releases, 8,192 tokens) need no suffix, and
        # keep their whole integer part (4,096 accelerators, not 4,100).
        whole = math.floor(math.log10(magnitude)) + 1 if magnitude >= 1 else 0
        number, suffix = _fixed(magnitude, max(digits, whole)), ""
    text = f"{sign}{number}{suffix}"
    if with_unit and unit and unit != "1":
        return f"{text} {unit}"
    return text


def _percent_text(percent: float, digits: int) -> str:
    # Shares close to 100% keep digits of their distance from the end, so 99.97% does
    # not print as 100%; shares below 0.1% keep their significant digits.
    if 99.0 < percent < 100.0:
        gap_digits = max(1, math.ceil(-math.log10(100.0 - percent)))
        return f"{percent:.{min(gap_digits, 10)}f}"
    if percent >= 10.0:
        return f"{percent:,.{max(0, digits - 2)}f}" if percent < 100 else f"{percent:,.0f}"
    return _fixed(percent, max(digits - 1, 2)) if percent else "0"


def human_percent(probability: float, digits: int = 3) -> str:
    """A probability or share (0 to 1) as a percentage: ``0.9999`` is ``99.99%``.

    Parameters
    ----------
    probability : float
        The share, 0 to 1.
    digits : int
        Significant digits for shares away from 0% and 100%.

    Returns
    -------
    str
        The percentage text.
    """
    return human(probability, "1", name="probability", digits=digits)


def digits_for_interval(estimate: float, low: float, high: float, least: int = 2) -> int:
    """Significant digits that resolve an interval: two digits of its width, 2 to 5 in all.

    Parameters
    ----------
    estimate, low, high : float
        The estimate and its interval, in one unit.
    least : int
        Fewest digits (tables beside a ``±`` use 3: the ``±`` says which are sure).

    Returns
    -------
    int
        Digits of the estimate such that its last digit is finer than the
        interval's width; 3 when the width is unknown or zero.
    """
    width = abs(float(high) - float(low))
    if not (math.isfinite(width) and math.isfinite(estimate)) or width == 0 or estimate == 0:
        return 3
    return max(least, min(5, math.floor(math.log10(abs(estimate) / width)) + 2))


def human_interval(
    estimate: float,
    low: float,
    high: float,
    unit: str = "",
    name: str | None = None,
    with_unit: bool = False,
    digits: int | None = None,
) -> str:
    """An estimate and its interval: ``$71M [$65M to $80M]``.

    Parameters
    ----------
    estimate, low, high : float
        The estimate and the ends of its interval, in ``unit``.
    unit : str
        Unit, as for :func:`human`.
    name : str, optional
        Output name (shares as %).
    with_unit : bool
        Append the unit to the estimate and the upper end.
    digits : int, optional
        Significant digits; default :func:`digits_for_interval`.

    Returns
    -------
    str
        ``"<estimate> [<low> to <high>]"``; ``n/a`` for a NaN estimate.
    """
    if math.isnan(float(estimate)):
        return "n/a"
    digits = digits or digits_for_interval(estimate, low, high)

    def text(x, unit_shown):
        return human(x, unit, name=name, digits=digits, with_unit=unit_shown)

    return f"{text(estimate, with_unit)} [{text(low, False)} to {text(high, with_unit)}]"


def tick_labels(values, unit: str = "", name: str | None = None, log: bool = False) -> list[str]:
    """Axis tick labels in human units, all with one scale suffix and enough decimals.

    Parameters
    ----------
    values : sequence of float
        Tick positions, in ``unit``.
    unit : str
        Unit of the axis.
    name : str, optional
        Quantity name (shares as %).
    log : bool
        A logarithmic axis: each tick gets its own suffix (1k, 10k, 1M).

    Returns
    -------
    list of str
        One label per tick; adjacent ticks never print alike unless they are equal.
    """
    values = [float(v) for v in values]
    kind = number_kind(unit, name)
    if log or not values:
        return [trim_zeros(human(v, unit, name=name, digits=3)) for v in values]
    if kind == "percent":
        factor, suffix = (1.0 if unit == "%" else 100.0), "%"
        scale = 1.0
    else:
        top = max(abs(v) for v in values)
        factor, suffix, scale = 1.0, "", 1.0
        for threshold, letter in _SCALE_SUFFIXES:
            if top >= threshold:
                scale, suffix = threshold, letter
                break
    scaled = [v * factor / scale for v in values]
    decimals = 0
    while decimals < 12 and any(
        abs(round(x, decimals) - x) > 1e-6 * max(1e-300, *(abs(s) for s in scaled)) for x in scaled
    ):
        decimals += 1
    labels = []
    for x in scaled:
        sign = "-" if x < 0 and round(abs(x), decimals) != 0 else ""
        number = f"{abs(x):,.{decimals}f}"
        if round(abs(x), decimals) == 0:
            labels.append("$0" if kind == "currency" else "0%" if kind == "percent" else "0")
            continue
        if kind == "currency":
            labels.append(f"{sign}${number}{suffix}")
        elif kind == "percent":
            labels.append(f"{sign}{number}%")
        else:
            labels.append(f"{sign}{number}{suffix}")
    return labels


def human_setting(value, unit: str = "", name: str | None = None, digits: int = 4) -> str:
    """An input setting as text: a number in human units without trailing zeros, else as is.

    Parameters
    ----------
    value : float, int or str
        A lever or factor setting; text (a category name) and NaN come back as text.
    unit, name : str
        As for :func:`human`.
    digits : int
        Significant digits.

    Returns
    -------
    str
        E.g. ``"$20M"``, ``"42.7%"``, ``"8,192"``, ``"MI300X"``.
    """
    if isinstance(value, str):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return str(value)
    return trim_zeros(human(number, unit, name=name, digits=digits))


def trim_zeros(text: str) -> str:
    """Drop trailing zeros of a label's decimals: ``1.00M`` is ``1M``, ``90.0 d`` is ``90 d``."""
    if " " in text:
        number, rest = text.split(" ", 1)
        return f"{trim_zeros(number)} {rest}"
    head = len(text) - len(text.lstrip("-$"))
    body = text[head:]
    number = body.rstrip("kMBTGPEmµn%")
    suffix = body[len(number) :]
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return text[:head] + number + suffix


_SCIENTIFIC = re.compile(r"(?<!\w)(-?\d+(?:\.\d+)?[eE][+-]?\d+)(?!\w)")


def plain_number(value: float) -> str:
    """A number exactly, in fixed notation: ``2e+07`` is ``20,000,000``, ``2e-06`` is ``0.000002``.

    Parameters
    ----------
    value : float
        The number.

    Returns
    -------
    str
        Up to 15 significant digits, thousands separated, trailing zeros dropped; for
        assumptions and settings, where the value the user wrote matters more than a
        rounded one.
    """
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    decimals = max(0, 14 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{min(decimals, 20)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def without_exponents(text: str) -> str:
    """Text with every number in scientific notation written out (:func:`plain_number`).

    Parameters
    ----------
    text : str
        E.g. a distribution's description, ``"lognormal(p10=2e+07, p90=8e+07)"``.

    Returns
    -------
    str
        ``"lognormal(p10=20,000,000, p90=80,000,000)"``; other text unchanged.
    """
    return _SCIENTIFIC.sub(lambda m: plain_number(float(m.group(1))), str(text))
