"""``tco tornado``: one-at-a-time swings of every lever and factor, as terminal tornadoes.

The main CLI registers :data:`tornado_command` with ``main.add_command``.
"""

from __future__ import annotations

import json
import math

import click

from simulate.cli.compile_notice import announces_compilation
from simulate.cli.options import json_option, scenario_argument, strict_option
from simulate.cli.plot import plots_option, write_standard_plots
from simulate.cli.targets import check_target, overwrite_option

# Characters of each half of the bar: negative swings grow left of the axis, positive
# ones right, so a table sorted by the largest move draws the tornado's funnel.
BAR_HALF_WIDTH = 16


def parse_quantiles(text: str) -> tuple[float, float]:
    """Parse ``"10,90"`` (percent) into factor quantiles ``(0.10, 0.90)``.

    Parameters
    ----------
    text : str
        Two comma-separated percentages, increasing, inside (0, 100).

    Returns
    -------
    tuple of (float, float)
        Probabilities in (0, 1).
    """
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r}: give two comma-separated percentages, e.g. 10,90"
        ) from None
    if len(values) != 2 or not 0 < values[0] < values[1] < 100:
        raise click.BadParameter(
            f"{text!r}: give two increasing percentages inside (0, 100), e.g. 10,90"
        )
    return values[0] / 100.0, values[1] / 100.0


def _with_units(setting: str, units: str) -> str:
    # Dimensionless inputs ("1") and categories ("") read better bare.
    return setting if units in ("", "1") else f"{setting} {units}"


def _bar(shifts, largest: float) -> str:
    """Both ends' moves from base: left of the axis what lowers the KPI, right what raises it."""
    shifts = [s for s in shifts if not math.isnan(s)]
    if not shifts or largest <= 0 or math.isnan(largest):
        return " " * BAR_HALF_WIDTH + "|"

    def length(shift):
        size = round(BAR_HALF_WIDTH * abs(shift) / largest)
        return max(size, 1) if shift else 0  # any effect at all stays visible

    down = max((length(s) for s in shifts if s < 0), default=0)
    up = max((length(s) for s in shifts if s > 0), default=0)
    return f"{'#' * down:>{BAR_HALF_WIDTH}}|{'#' * up}"


def _number(value: float, unit: str = "", name: str | None = None) -> str:
    from results.table import format_value

    return format_value(float(value), unit, name)


def _setting(text: str, value: float, unit: str, param: str) -> str:
    """An end's setting in human units with its unit; categories as they are."""
    from results.human import human, trim_zeros

    if math.isnan(value):
        return _with_units(text, unit)
    text = trim_zeros(human(value, unit, name=param, digits=4))
    if unit.startswith("USD"):
        return text + unit[3:]  # "$55/MWh": the sign already says USD
    return _with_units(text, unit)


def format_tornado(ds, top: int | None = None) -> str:
    """Per KPI: the base value and a table of params sorted by their largest move from base.

    Parameters
    ----------
    ds : xarray.Dataset
        A dataset from :func:`simulate.sensitivity.tornado.tornado` (or of a platform).
    top : int or None
        Show only the params with the ``top`` largest moves of each KPI; None shows all.

    Returns
    -------
    str
        Plain text: one table per KPI with a text bar proportional to |swing|.
    """
    from results.provenance import result_scenario_name
    from results.rankings import tornado_ranking

    q_low, q_high = (float(q) for q in ds.attrs["factor_quantiles"])
    name = result_scenario_name(ds.attrs)
    subject = "platform" if "platform_name" in ds.attrs else "scenario"
    lines = [
        f"Tornado of {subject} {name} ({ds.attrs['scenario_source']}): one input "
        f"at a time, others at base; factors at P{q_low * 100:g}/P{q_high * 100:g}, choices at "
        "the lowest/highest KPI"
    ]
    if ds.attrs.get("base_infeasible"):
        lines.append(f"WARNING: the base case is infeasible: {ds.attrs['base_infeasible']}")
    units_by_param = dict(zip(ds["param"].values, ds["param_units"].values, strict=True))
    kind_by_param = dict(zip(ds["param"].values, ds["kind"].values, strict=True))
    notes: list[str] = []
    for kpi, kpi_units in zip(ds["kpi"].values, ds["kpi_units"].values, strict=True):
        kpi = str(kpi)
        sub = ds.sel(kpi=kpi)
        ranked = tornado_ranking(ds, kpi)
        order = ranked[:top] if top else ranked
        rows = []
        for param in order:
            cells = [param, str(kind_by_param[param])]
            for end in ("low", "high"):
                value = float(sub["value"].sel(param=param, end=end))
                setting = _setting(
                    str(sub["setting"].sel(param=param, end=end).values),
                    float(sub["setting_value"].sel(param=param, end=end)),
                    str(units_by_param[param]),
                    param,
                )
                reason = str(sub["infeasible"].sel(param=param, end=end).values)
                shown = (
                    "infeasible" if math.isnan(value) and reason else _number(value, kpi_units, kpi)
                )
                base = float(sub["base_value"])
                change = (value - base) / base if base and not math.isnan(value) else math.nan
                sign = f" ({change:+.1%})" if not math.isnan(change) else ""
                cells.append(f"{setting} -> {shown}{sign}")
                if reason:
                    notes.append(f"{kpi}: {param} = {setting}: {reason}")
            cells.append(_number(float(sub["swing"].sel(param=param)), kpi_units, kpi))
            rows.append(cells)
        base = float(sub["base_value"])
        shifts = sub["value"].sel(param=order).transpose("param", "end").values - base
        finite = [abs(s) for s in shifts.ravel() if not math.isnan(s)]
        largest = max(finite) if finite else math.nan
        header = ["param", "kind", "low end -> KPI", "high end -> KPI", f"swing ({kpi_units})"]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines.append("")
        lines.append(
            f"{kpi} [{kpi_units}]: base {_number(float(sub['base_value']), kpi_units, kpi)}"
            f"  ({sub['kpi_long_name'].item()})"
        )
        lines.append(
            "  "
            + "  ".join(
                f"{h:>{w}}" if i == 4 else f"{h:<{w}}"
                for i, (h, w) in enumerate(zip(header, widths, strict=True))
            )
        )
        for cells, ends in zip(rows, shifts, strict=True):
            text = "  ".join(
                f"{c:>{w}}" if i == 4 else f"{c:<{w}}"
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            lines.append(f"  {text}  {_bar([float(e) for e in ends], largest)}")
        if len(order) < len(ranked):
            lines.append(
                f"  ... {len(ranked) - len(order)} more params move it less (--top to show more)"
            )
    excluded = [
        f"{p}: {text}"
        for p, text in zip(ds["param"].values, ds["infeasible_choices"].values, strict=True)
        if str(text)
    ]
    if notes or excluded:
        lines.append("")
        lines.append("Infeasible")
        lines.extend(f"  {note}" for note in dict.fromkeys(notes))
        lines.extend(f"  choices left out, {item}" for item in excluded)
    lines.append("")
    lines.append(ds.attrs["swing_definition"])
    return "\n".join(lines)


def _finite(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def tornado_json(ds) -> dict:
    """A JSON-ready summary: per KPI its base value and params by their largest move from base.

    Parameters
    ----------
    ds : xarray.Dataset
        A dataset from :func:`simulate.sensitivity.tornado.tornado`.

    Returns
    -------
    dict
        Scenario provenance, ``factor_quantiles``, ``definition`` and ``kpis``:
        ``{name: {units, base_value, params: [{param, kind, low, high, swing,
        abs_swing, largest_shift}, ...]}}`` (params by ``largest_shift``), ends as
        ``{setting, value, infeasible}``; NaN as null.
    """
    from results.provenance import result_scenario_name
    from results.rankings import tornado_ranking

    kpis = {}
    for kpi, kpi_units in zip(ds["kpi"].values, ds["kpi_units"].values, strict=True):
        kpi = str(kpi)
        sub = ds.sel(kpi=kpi)
        params = []
        for param in tornado_ranking(ds, kpi):
            at = sub.sel(param=param)
            ends = {
                end: {
                    "setting": str(at["setting"].sel(end=end).values),
                    "value": _finite(at["value"].sel(end=end)),
                    "infeasible": str(at["infeasible"].sel(end=end).values),
                }
                for end in ("low", "high")
            }
            params.append(
                {
                    "param": param,
                    "kind": str(at["kind"].values),
                    "param_units": str(at["param_units"].values),
                    **ends,
                    "swing": _finite(at["swing"]),
                    "abs_swing": _finite(at["abs_swing"]),
                    "largest_shift": _finite(at["largest_shift"]),
                }
            )
        kpis[kpi] = {
            "units": str(kpi_units),
            "base_value": _finite(sub["base_value"]),
            "params": params,
        }
    return {
        "scenario": result_scenario_name(ds.attrs),
        "scenario_source": ds.attrs["scenario_source"],
        "scenario_sha256": ds.attrs["scenario_sha256"],
        "factor_quantiles": [float(q) for q in ds.attrs["factor_quantiles"]],
        "base_infeasible": ds.attrs["base_infeasible"],
        "definition": ds.attrs["swing_definition"],
        "kpis": kpis,
    }


@click.command("tornado")
@scenario_argument
@click.option(
    "--kpi",
    "kpis",
    multiple=True,
    metavar="NAME",
    help="Output to analyse (repeatable; any name of `tco calc`). Default: the five cost KPIs.",
)
@click.option(
    "--quantiles",
    default="10,90",
    show_default=True,
    help="Percentiles at which continuous factors are evaluated: LOW,HIGH.",
)
@click.option(
    "--levers",
    "include_levers",
    is_flag=True,
    help="A platform: also swing every workload's levers (default: its factors only).",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=None,
    help="Print only the TOP params of each KPI by their largest move (default: all; 25 "
    "for a platform). The dataset keeps every param.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the tornado dataset to this NetCDF file (open with xarray.open_dataset).",
)
@plots_option
@overwrite_option
@strict_option
@json_option("one object")
@announces_compilation
def tornado_command(
    scenario, kpis, quantiles, include_levers, top, overrides, output, plots_dir, as_json
):
    """One-at-a-time swings: every lever and uncertain factor moved to its two ends.

    Range levers go to low and high, continuous factors to the --quantiles percentiles,
    choice levers and choice factors through every choice (the ends are the choices
    giving the lowest and highest KPI); everything else stays at base. Prints, per KPI,
    the params sorted by the largest move of the KPI from base at either end (so an
    input whose both ends raise the cost ranks where it belongs), each end's change in
    %, and a bar of both ends: left what lowers the KPI, right what raises it.

    A platform (a file with a [platform] table, or a built-in one) swings each shared
    factor in every workload at once and each workload's own factors (WORKLOAD:key.path)
    in that workload alone (its levers too with --levers), on the platform's totals:
    KPIs platform_cost (default), platform_token_cost_per_1k (default) and
    platform_present_value.
    """
    from scenarios.errors import ScenarioError
    from scenarios.loader import load_scenario
    from scenarios.platform import names_a_platform
    from simulate.sensitivity.tornado import DEFAULT_KPIS, save_dataset, tornado

    factor_quantiles = parse_quantiles(quantiles)
    platform = names_a_platform(scenario)
    try:
        if platform:
            from simulate.sensitivity.platform_sobol import DEFAULT_PLATFORM_KPIS
            from simulate.sensitivity.platform_tornado import platform_tornado

            ds = platform_tornado(
                scenario,
                kpis or DEFAULT_PLATFORM_KPIS,
                factor_quantiles,
                include_levers=include_levers,
                overrides=overrides,
            )
            top = top or 25
        elif include_levers:
            raise ValueError(
                "--levers applies to a platform; a scenario's tornado always swings its levers"
            )
        else:
            ds = tornado(load_scenario(scenario, overrides), kpis or DEFAULT_KPIS, factor_quantiles)
        if output is not None:
            check_target(output, ds.attrs)
            save_dataset(ds, output)
    except (ScenarioError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    if plots_dir is not None:
        write_standard_plots(ds, plots_dir, err=as_json)
    if as_json:
        payload = tornado_json(ds) | {"output": output}
        click.echo(json.dumps(payload, indent=2))
        return
    click.echo(format_tornado(ds, top))
    if output is not None:
        click.echo(f"Wrote {output} (open with xarray.open_dataset)")
