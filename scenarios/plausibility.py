"""Valid but implausible inputs: a warning with the reason and the likely unit mix-up.

A spot price of 0.08 is a valid number of USD/MWh, but it is almost surely a price
in USD/kWh; a PUE of 135 is a percentage; a 36-year horizon is 36 months. Such
values pass the schema's domain checks and give confident, wrong answers, so each
scenario is checked against what real deployments see once it is validated. The
ranges are judgements, wide on purpose (each says what it rests on); a value
outside one is a warning, not an error, unless the run is strict (``tco --strict``).
"""

from __future__ import annotations

import contextvars
import math
import warnings
from dataclasses import dataclass

import numpy as np

__all__ = ["PLAUSIBLE", "PlausibilityWarning", "check_plausible", "implausible", "strict"]


class PlausibilityWarning(UserWarning):
    """A scenario value far outside what real deployments see."""


strict = contextvars.ContextVar("lifecycle_tco_strict", default=False)
"""When True, :func:`check_plausible` raises instead of warning (``tco --strict``)."""


@dataclass(frozen=True)
class Plausible:
    """What real deployments see for one input, and what a value outside it likely means.

    Attributes
    ----------
    low, high : float
        The plausible range, in the input's unit (0 is always allowed where it means
        "not used", e.g. an API price of a self-hosted scenario).
    basis : str
        What the range rests on.
    if_low, if_high : str
        The likely mix-up behind a value below or above it.
    """

    low: float
    high: float
    basis: str
    if_low: str = ""
    if_high: str = ""


_POWER = Plausible(
    5.0,
    1000.0,
    "wholesale and industrial power sells for about 20 to 200 USD/MWh (US EIA Electric "
    "Power Monthly 2024; 2022 European peaks near 500)",
    "it looks like a price in USD/kWh: multiply by 1,000 (0.08 USD/kWh is 80 USD/MWh)",
    "it looks like a price in USD/GWh or in cents: check the unit",
)
_PUE = Plausible(
    1.0,
    3.0,
    "facility over IT power is 1.1 to 1.6 in data centres built for AI (Uptime Institute "
    "Global Data Center Survey 2024: average 1.56)",
    "",
    "it looks like a percentage: a PUE of 1.35 is written 1.35, not 135",
)
_MULTIPLIER = Plausible(
    0.1,
    10.0,
    "a multiplier on the catalog's list price (1 = list price)",
    "",
    "it looks like a price, not a multiplier of one",
)
_TOKEN_PRICE = Plausible(
    0.001,
    1000.0,
    "managed API prices run from about 0.02 to 100 USD per 1M tokens (provider price "
    "lists, 2024-2026)",
    "it looks like a price per token or per 1k tokens: per 1M tokens is 1,000,000 or "
    "1,000 times larger",
    "it looks like a price per 1B tokens: check the unit",
)

PLAUSIBLE: dict[str, Plausible] = {
    "power.spot_price_usd_per_mwh": _POWER,
    "power.hedged_price_usd_per_mwh": _POWER,
    "facility.pue": _PUE,
    "facility.pue_floor": _PUE,
    "scenario.horizon_years": Plausible(
        0.25,
        15.0,
        "lifecycle TCO is planned over 1 to 10 years; accelerators depreciate over 3 to 6",
        "",
        "it looks like months: 36 months is horizon_years = 3",
    ),
    "release.cadence_days": Plausible(
        7.0,
        3650.0,
        "frontier models release every few months to two years",
        "it looks like months or weeks: a six-month cadence is 180 days",
        "it looks like hours or a horizon: check the unit (days)",
    ),
    "demand.requests_per_day": Plausible(
        1.0,
        1e11,
        "the largest public assistants serve of the order of 1e9 requests a day (2025 "
        "company statements)",
        "",
        "it looks like tokens, not requests, or a per-month figure",
    ),
    "serving.request_tokens_mean": Plausible(
        10.0,
        2e6,
        "prompt plus output of one request: tens to a few hundred thousand tokens",
        "it looks like thousands of tokens: 1.5 means 1,500 tokens here",
        "it looks like tokens per day or per month, not per request",
    ),
    "hardware.price_multiplier": _MULTIPLIER,
    "hardware.cloud_rate_multiplier": _MULTIPLIER,
    "overhead.staff_usd_per_fte_year": Plausible(
        10_000.0,
        2_000_000.0,
        "a fully loaded engineer costs about 100k to 500k USD a year",
        "it looks like a monthly or hourly cost: a year is 12 months or about 2,000 hours",
        "it looks like the cost of a team, not of one full-time engineer",
    ),
    "api.input_usd_per_1m": _TOKEN_PRICE,
    "api.cached_input_usd_per_1m": _TOKEN_PRICE,
    "api.output_usd_per_1m": _TOKEN_PRICE,
    "revenue.price_input_usd_per_1m": _TOKEN_PRICE,
    "revenue.price_output_usd_per_1m": _TOKEN_PRICE,
}
"""The checked inputs. A judgement per entry, stated in its ``basis``."""


def _values(item) -> list[tuple[str, float]]:
    """(what, value) pairs of an input to check: its value, a factor's median, a lever's ends."""
    if item.kind == "constant":
        return [("", float(item.value))] if isinstance(item.value, int | float) else []
    if item.kind == "factor" and item.distribution is not None:
        try:
            return [("median ", float(item.distribution.ppf(np.array([0.5]))[0]))]
        except (AttributeError, ValueError, OverflowError):
            return []
    lever = item.lever
    if lever is not None and lever.kind == "range":
        return [("low end ", float(lever.low)), ("high end ", float(lever.high))]
    return []


def implausible(scenario) -> list[str]:
    """Messages for the scenario's values outside what real deployments see.

    Parameters
    ----------
    scenario : scenarios.scenario.Scenario
        A validated scenario.

    Returns
    -------
    list of str
        One message per value: file, key, value, the plausible range and its basis,
        and the likely unit mix-up. Empty when every checked value is plausible.
    """
    messages = []
    for path, rule in PLAUSIBLE.items():
        item = scenario.inputs.get(path)
        if item is None:
            continue
        for what, value in _values(item):
            if not math.isfinite(value) or value == 0.0 or rule.low <= value <= rule.high:
                continue
            hint = rule.if_low if value < rule.low else rule.if_high
            unit = f" {item.unit}" if item.unit and item.unit != "1" else ""
            messages.append(
                f"{scenario.source}: {path} = {what}{value:g}{unit} is outside what real "
                f"deployments see ({rule.low:g} to {rule.high:g}{unit}; {rule.basis})"
                + (f": {hint}" if hint else "")
            )
    return messages


def check_plausible(scenario) -> None:
    """Warn (:class:`PlausibilityWarning`) about implausible values, or raise when strict.

    Parameters
    ----------
    scenario : scenarios.scenario.Scenario
        A validated scenario.

    Raises
    ------
    scenarios.errors.ScenarioError
        When :data:`strict` is set and a value is implausible.
    """
    messages = implausible(scenario)
    if not messages:
        return
    if strict.get():
        from scenarios.errors import ScenarioError

        raise ScenarioError(
            "; ".join(messages) + " (--strict makes these warnings errors; fix the value "
            "or drop --strict)"
        )
    for message in messages:
        warnings.warn(message, PlausibilityWarning, stacklevel=3)
