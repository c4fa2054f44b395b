"""Parse and validate scenario-file distribution tables.

A table such as ``{dist = "pert", low = 1.1, mode = 1.3, high = 1.6}`` becomes a
:class:`~distributions.Distribution`. Every problem raises ``ValueError``
whose message starts with ``where`` (file and key path) and names the
parameter, the value and the fix.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping

from ._special import ndtri
from .distribution import Distribution
from .families import FAMILIES, _num
from .messages import shown

__all__ = ["from_spec"]

_PCT = re.compile(r"p(\d{1,2})")

# Optional keys and their defaults, per family.
_OPTIONAL = {
    "pert": {"shape": 4.0},
    "truncnormal": {"low": -math.inf, "high": math.inf},
    "beta": {"low": 0.0, "high": 1.0},
    "gamma": {"loc": 0.0},
    "choice": {"weights": None},
}

# Accepted forms (sets of required keys) per family; "pct" means two pNN keys.
_FORMS: dict[str, list[tuple[str, ...]]] = {
    "constant": [("value",)],
    "uniform": [("low", "high")],
    "triangular": [("low", "mode", "high")],
    "pert": [("low", "mode", "high")],
    "normal": [("mean", "sd"), ("pct",)],
    "truncnormal": [("mean", "sd")],
    "lognormal": [("median", "sigma"), ("mean", "sd"), ("pct",), ("ci90",)],
    "beta": [("a", "b")],
    "gamma": [("shape", "scale"), ("mean", "sd")],
    "choice": [("values",)],
    "empirical": [("values",)],
}


def _percentile(key: str) -> int | None:
    m = _PCT.fullmatch(key)
    if m is None:
        return None
    return int(m.group(1))


def _number(where: str, key: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: {key} must be a number, got {key}={shown(value)}")
    try:
        v = float(value)
    except OverflowError:  # an integer of hundreds of digits
        raise ValueError(
            f"{where}: {key} = {shown(value)} is beyond the float range; write it as a float "
            "(e.g. 1e25)"
        ) from None
    if math.isnan(v):
        raise ValueError(f"{where}: {key} must be a number, got {key}=nan")
    return v


def _form_text(family: str) -> str:
    parts = []
    for form in _FORMS[family]:
        if form == ("pct",):
            parts.append("two percentiles (e.g. p10 + p90)")
        else:
            parts.append(" + ".join(form))
    opt = _OPTIONAL.get(family, {})
    text = " | ".join(parts)
    if opt:
        text += f" (optional: {', '.join(opt)})"
    return text


def _two_percentiles(where: str, family: str, pcts: dict[str, float]):
    if len(pcts) != 2:
        raise ValueError(
            f"{where}: {family} needs exactly two percentiles, got {', '.join(sorted(pcts))}"
        )
    (k1, v1), (k2, v2) = sorted(pcts.items(), key=lambda kv: _percentile(kv[0]))
    q1, q2 = _percentile(k1) / 100.0, _percentile(k2) / 100.0
    if q1 == q2:
        raise ValueError(f"{where}: {family} needs two distinct percentiles, got {k1} and {k2}")
    if family == "lognormal" and not (v1 > 0 and v2 > 0):
        raise ValueError(
            f"{where}: lognormal needs percentiles > 0, got {k1}={_num(v1)}, {k2}={_num(v2)}"
        )
    if not v1 < v2:
        raise ValueError(
            f"{where}: {family} needs the lower percentile below the upper one "
            f"({k1} < {k2}), got {k1}={_num(v1)}, {k2}={_num(v2)}"
        )
    return q1, v1, q2, v2


def _scale_from_percentiles(q1, x1, q2, x2):
    # x = loc + scale * z(q) through both points.
    z1, z2 = ndtri(q1), ndtri(q2)
    scale = (x2 - x1) / (z2 - z1)
    return x1 - scale * z1, scale


def from_spec(spec: Mapping, where: str) -> Distribution:
    """Build a validated distribution from a scenario-file table.

    Parameters
    ----------
    spec : Mapping
        The table, with ``dist`` naming the family and the family's keys,
        e.g. ``{"dist": "lognormal", "p10": 50, "p90": 140}``. Forms:

        - constant: ``value``
        - uniform: ``low, high``
        - triangular: ``low, mode, high``
        - pert: ``low, mode, high`` [``shape = 4``]
        - normal: ``mean, sd`` or two percentiles ``pNN`` (p1..p99, ``p5`` =
          ``p05``)
        - truncnormal: ``mean, sd`` of the parent normal [``low``, ``high``;
          omitted = infinite]
        - lognormal: ``median, sigma`` (sd of log), ``mean, sd`` (of the
          variable), two percentiles, or ``ci90 = [p05, p95]``
        - beta: ``a, b`` [``low = 0``, ``high = 1``]
        - gamma: ``shape, scale`` or ``mean, sd`` (of the variable) [``loc = 0``]
        - choice: ``values = [...]`` (numbers or strings) [``weights``]
        - empirical: ``values = [...]`` observed data
    where : str
        File and key path for messages, e.g. ``"default.toml: facility.pue"``.

    Returns
    -------
    Distribution

    Raises
    ------
    ValueError
        Unknown family or key (with suggestions), missing or mixed forms,
        non-numeric values, or a violated parameter condition; the message
        names ``where``, the parameter, its value and the condition.
    """
    if not isinstance(spec, Mapping):
        raise ValueError(f"{where}: expected a table with a 'dist' key, got {spec!r}")
    if "dist" not in spec:
        raise ValueError(
            f"{where}: missing 'dist' (one of: {', '.join(FAMILIES)}), got keys "
            f"{', '.join(map(str, spec)) or 'none'}"
        )
    family = spec["dist"]
    if not isinstance(family, str):
        raise ValueError(
            f"{where}: dist = {shown(family)}: name the family as a string, one of: "
            f'{", ".join(FAMILIES)} (e.g. dist = "pert")'
        )
    if family not in FAMILIES:
        close = difflib.get_close_matches(family, FAMILIES, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"{where}: unknown dist={shown(family)}{hint} Known families: {', '.join(FAMILIES)}"
        )
    keys = {k: v for k, v in spec.items() if k != "dist"}
    allowed = {k for form in _FORMS[family] for k in form if k != "pct"}
    allowed |= set(_OPTIONAL.get(family, {}))
    takes_pct = any(form == ("pct",) for form in _FORMS[family])
    pcts = {}
    for k in keys:
        if k in allowed:
            continue
        if takes_pct and _percentile(k) is not None:
            if not 1 <= _percentile(k) <= 99:
                raise ValueError(
                    f"{where}: {family} percentile keys are p1..p99, got {k}={shown(keys[k])}"
                )
            pcts[k] = keys[k]
            continue
        candidates = sorted(allowed | ({"p10", "p90"} if takes_pct else set()))
        close = difflib.get_close_matches(k, candidates, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"{where}: unknown key '{k}' for {family}{hint} {family} takes: {_form_text(family)}"
        )
    present = set(keys) - set(pcts)
    form = None
    for cand in _FORMS[family]:
        if cand == ("pct",):
            ok = bool(pcts) and not (present - set(_OPTIONAL.get(family, {})))
        else:
            ok = set(cand) <= present and not pcts
            ok = ok and not (present - set(cand) - set(_OPTIONAL.get(family, {})))
        if ok:
            form = cand
            break
    if form is None:
        got = ", ".join(keys) or "no parameters"
        raise ValueError(f"{where}: {family} takes one of: {_form_text(family)}; got {got}")

    make = FAMILIES[family].make
    opt = {k: keys.get(k, d) for k, d in _OPTIONAL.get(family, {}).items()}
    source = tuple((k, tuple(v) if isinstance(v, list | tuple) else v) for k, v in keys.items())

    if family in ("choice", "empirical"):
        values = keys["values"]
        if not isinstance(values, list | tuple):
            raise ValueError(f"{where}: {family} needs values = [...], got values={shown(values)}")
        if family == "choice":
            weights = opt["weights"]
            if weights is not None:
                if not isinstance(weights, list | tuple):
                    raise ValueError(f"{where}: choice needs weights = [...], got {shown(weights)}")
                weights = [_number(where, "weights", w) for w in weights]
            d = make(values, weights, where=where)
        else:
            d = make([_number(where, "values", v) for v in values], where=where)
        return _with_source(d, source)

    num = {k: _number(where, k, v) for k, v in keys.items() if k not in pcts and k != "ci90"}
    opt_num = {k: (num[k] if k in num else d) for k, d in _OPTIONAL.get(family, {}).items()}

    if form == ("pct",):
        pct_num = {k: _number(where, k, v) for k, v in pcts.items()}
        q1, x1, q2, x2 = _two_percentiles(where, family, pct_num)
        given = _given(pct_num)
        if family == "normal":
            mean, sd = _scale_from_percentiles(q1, x1, q2, x2)
            d = _converted(make, given, where, mean, sd)
        else:
            mu, sigma = _scale_from_percentiles(q1, math.log(x1), q2, math.log(x2))
            d = _converted(make, given, where, _exp(mu), sigma)
    elif form == ("ci90",):
        ci = keys["ci90"]
        if not (isinstance(ci, list | tuple) and len(ci) == 2):
            raise ValueError(f"{where}: lognormal needs ci90 = [low, high], got ci90={shown(ci)}")
        lo, hi = (_number(where, "ci90", v) for v in ci)
        q1, x1, q2, x2 = _two_percentiles(where, family, {"p05": lo, "p95": hi})
        mu, sigma = _scale_from_percentiles(q1, math.log(x1), q2, math.log(x2))
        d = _converted(make, f"ci90=[{_num(lo)}, {_num(hi)}]", where, _exp(mu), sigma)
    elif family == "lognormal" and form == ("mean", "sd"):
        mean, sd = num["mean"], num["sd"]
        if not (mean > 0 and math.isfinite(mean)):
            raise ValueError(f"{where}: lognormal needs mean > 0, got mean={_num(mean)}")
        if not (sd > 0 and math.isfinite(sd)):
            raise ValueError(f"{where}: lognormal needs sd > 0, got sd={_num(sd)}")
        s2 = _log1p_square(sd / mean)
        d = _converted(make, _given(num), where, mean * math.exp(-0.5 * s2), math.sqrt(s2))
    elif family == "gamma" and form == ("mean", "sd"):
        mean, sd, loc = num["mean"], num["sd"], opt_num["loc"]
        if not mean > loc:
            raise ValueError(
                f"{where}: gamma needs mean > loc, got mean={_num(mean)}, loc={_num(loc)}"
            )
        if not sd > 0:
            raise ValueError(f"{where}: gamma needs sd > 0, got sd={_num(sd)}")
        excess = mean - loc
        # Products, not powers: float ** raises OverflowError where * gives inf, and
        # the shape limit then names the problem (sd = 1e-300 gives shape = inf).
        ratio = excess / sd
        d = _converted(make, _given(num), where, ratio * ratio, sd * sd / excess, loc)
    else:
        args = [num[k] for k in form] + [opt_num[k] for k in _OPTIONAL.get(family, {})]
        d = make(*args, where=where)
    return _with_source(d, source)


def _given(params: dict) -> str:
    return ", ".join(f"{k}={_num(v)}" for k, v in params.items())


def _exp(x: float) -> float:
    # math.exp raises OverflowError above ~709.78; inf lets the family's finiteness
    # check name the parameters instead.
    return math.exp(x) if x < 709.0 else math.inf


def _log1p_square(r: float) -> float:
    # log(1 + r^2) without overflow: r^2 overflows for r > 1.3e154.
    if r < 1e150:
        return math.log1p(r * r)
    return 2.0 * math.log(r)


def _converted(make, given: str, where: str, *params) -> Distribution:
    """``make(*params)``, its error naming the parameters the user wrote."""
    try:
        return make(*params, where=where)
    except ValueError as exc:
        raise ValueError(f"{exc} (converted from {given})") from None


def _with_source(d: Distribution, source: tuple) -> Distribution:
    return Distribution(d.family, d.params, d.code, d.categories, d.weights, source)
