"""The output of ``tco fit``: the winner as a scenario-file snippet, and the results table.

:func:`snippet` writes the winning distribution as a TOML line to paste into a
scenario file (parameters rounded so the text stays short and every observation
keeps a positive density); :func:`format_table` lays out every candidate's
parameters, log-likelihood, AIC and KS statistic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from .distribution import Distribution
from .fit import FitResult
from .fit_data import _fmt

__all__ = ["format_table", "snippet"]

_SIG = 6  # significant digits kept in snippets (relative change <= 5e-6)


def _round(v: float, ref: float, how: str = "nearest") -> float:
    """``v`` rounded to ``_SIG`` significant digits of ``ref`` (> 0), in direction ``how``."""
    if v == 0 or not math.isfinite(v):
        return v
    exp = math.floor(math.log10(ref)) - (_SIG - 1)
    # Beyond ~17 significant digits of v itself there is nothing left to round.
    exp = max(exp, math.floor(math.log10(abs(v))) - 16)
    mode = {"nearest": ROUND_HALF_EVEN, "down": ROUND_FLOOR, "up": ROUND_CEILING}[how]
    return float(Decimal(repr(float(v))).quantize(Decimal(1).scaleb(exp), rounding=mode))


def _rounded_items(d: Distribution) -> list[tuple[str, object]]:
    f, p = d.family, d.params
    if f == "empirical":
        return [("values", [float(v) for v in p])]
    if f in ("uniform", "triangular", "pert"):
        # Location parameters: digits relative to the width. Bounds round
        # outwards so every observation keeps a positive density.
        low, high = p[0], p[-2] if f == "pert" else p[-1]
        w = high - low
        items = [("low", _round(low, w, "down"))]
        if f != "uniform":
            items.append(("mode", _round(p[1], w)))
        items.append(("high", _round(high, w, "up")))
        if f == "pert" and p[3] != 4.0:
            items.append(("shape", _round(p[3], p[3])))
        return items
    if f == "normal":
        return [("mean", _round(p[0], p[1])), ("sd", _round(p[1], p[1]))]
    if f == "lognormal":
        return [("median", _round(p[0], p[0])), ("sigma", _round(p[1], p[1]))]
    if f == "gamma":
        items = [("shape", _round(p[0], p[0])), ("scale", _round(p[1], p[1]))]
        return items + ([("loc", _round(p[2], p[0] * p[1]))] if p[2] != 0 else [])
    if f == "beta":
        items = [("a", _round(p[0], p[0])), ("b", _round(p[1], p[1]))]
        if (p[2], p[3]) != (0.0, 1.0):
            w = p[3] - p[2]
            items += [("low", _round(p[2], w, "down")), ("high", _round(p[3], w, "up"))]
        return items
    raise ValueError(f"tco fit: no snippet form for family '{f}'")


def _toml_value(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return _fmt(v)


def _toml_key(part: str) -> str:
    bare = part and all(c.isascii() and (c.isalnum() or c in "_-") for c in part)
    return part if bare else _toml_value(part)


def snippet(result: FitResult, key: str = "x.y", source: str | None = None) -> str:
    """The fitted distribution as a TOML line to paste into a scenario file.

    Parameters
    ----------
    result : FitResult
        A fitted (not skipped) result, usually ``best(results)``.
    key : str, optional
        Dotted scenario key, e.g. ``"power.spot_price_usd_per_mwh"``. The line
        uses its last part (``spot_price_usd_per_mwh = {...}``) and a comment
        names the table it belongs under (``[power]``), as scenario files are
        written.
    source : str, optional
        Where the data came from, e.g. ``"prices.csv:price"``, for the comment.

    Returns
    -------
    str
        Comment lines and one ``name = { dist = "...", ... }`` line, ending in a
        newline. Parameters keep 6 significant digits (of the spread, for
        location parameters), so the change is at most ~5e-6 of the spread;
        bounds round outwards so no observation falls outside them. The text
        parses with ``tomllib`` and ``from_spec`` to the same family.

    Raises
    ------
    ValueError
        If the result was skipped.
    """
    if result.distribution is None:
        raise ValueError(f"tco fit: {result.family} was not fitted ({result.note})")
    parts = [p.strip() for p in key.split(".")] if key else ["x"]
    if not all(parts):
        raise ValueError(f"tco fit: key {key!r} has an empty part; write it as section.name")
    items = [("dist", result.family), *_rounded_items(result.distribution)]
    body = ", ".join(f"{k} = {_toml_value(v)}" for k, v in items)
    stats = f"n = {result.n}"
    if math.isfinite(result.aic):
        stats += f", AIC = {result.aic:.6g}"
    stats += f", KS = {result.ks_statistic:.4g} (p = {result.ks_pvalue:.3g})"
    lines = [f"# fitted by tco fit from {source or 'data'}, {stats}"]
    if len(parts) > 1:
        lines.append(f"# paste under [{'.'.join(_toml_key(p) for p in parts[:-1])}]")
    lines.append(f"{_toml_key(parts[-1])} = {{ {body} }}")
    return "\n".join(lines) + "\n"


def _params_text(r: FitResult) -> str:
    if r.distribution is None:
        return "-"
    if r.family == "empirical":
        return f"{r.n} observed values"
    return ", ".join(f"{k}={v:.6g}" for k, v in _rounded_items(r.distribution))


def format_table(results: Sequence[FitResult]) -> str:
    """The ranked results as a plain-text table.

    Parameters
    ----------
    results : sequence of FitResult
        Output of :func:`fit_candidates`.

    Returns
    -------
    str
        One row per family: rank, family, parameters (units of the data,
        ``sigma`` and shapes dimensionless), log-likelihood, AIC, AIC minus
        the best AIC, KS statistic and p-value; notes follow as footnotes.
    """
    header = ("#", "family", "parameters", "log-lik", "AIC", "dAIC", "KS", "p-value")
    ranked = [r for r in results if r.ranked]
    best_aic = min((r.aic for r in ranked), default=math.nan)
    rows, notes = [], []
    rank = 0
    for r in results:
        if r.ranked:
            rank += 1
        mark = str(rank) if r.ranked else "-"
        if r.skipped:
            rows.append((mark, r.family, "skipped (see note)", "", "", "", "", ""))
        else:
            aic = f"{r.aic:.2f}" if r.ranked else "n/a"
            rows.append(
                (
                    mark,
                    r.family,
                    _params_text(r),
                    f"{r.log_likelihood:.2f}" if r.ranked else "n/a",
                    aic,
                    f"{r.aic - best_aic:.2f}" if r.ranked else "n/a",
                    f"{r.ks_statistic:.4f}",
                    f"{r.ks_pvalue:.3g}",
                )
            )
        if r.note:
            notes.append(f"  {r.family}: {r.note}")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    left = {1, 2}

    def line(row):
        cells = [
            c.ljust(w) if i in left else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    out = [line(header), line(tuple("-" * w for w in widths)), *(line(r) for r in rows)]
    out.append(
        "Ranked by AIC (lower is better). KS p-values are optimistic: the parameters were "
        "estimated from the same data."
    )
    if any(r.family == "empirical" and not r.skipped for r in results):
        out.append("empirical is a reference (the data themselves): it has no AIC and never wins.")
    if notes:
        out += ["Notes:", *notes]
    return "\n".join(out)
