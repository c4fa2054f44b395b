"""XHTML markup of the report: style sheet, escaped tags, tables, sections, embedded figures.

Every element is closed and every text escaped, so the document parses as XML as
well as HTML. Figures are rendered to PNG in memory and embedded as base64
``data:`` URIs, so the file refers to nothing outside itself.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence

from results.human import digits_for_interval
from results.table import format_value

FIGURE_DPI = 96
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 70em; margin: 2em auto; padding: 0 1em;
       color: #1d1d1d; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #bbb; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; text-align: left; }
th { background: #eef2f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
small.ci { color: #555; white-space: nowrap; }
.note { background: #fff8e1; border-left: 4px solid #e0a800; padding: 0.5em 0.8em; }
.howto { background: #eef6ee; border-left: 4px solid #3a8a3a; padding: 0.5em 0.8em; }
code, pre { background: #f4f4f4; font-size: 0.9em; } pre { padding: 0.6em; overflow-x: auto; }
figure { margin: 1em 0; } img { max-width: 100%; height: auto; }
nav ul { columns: 2; } p.small { font-size: 0.85em; color: #555; margin-top: -0.4em; }
"""


# ---------------------------------------------------------------- markup helpers


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _tag(name: str, body: str, **attrs) -> str:
    attributes = "".join(f' {k.rstrip("_")}="{_e(v)}"' for k, v in attrs.items())
    return f"<{name}{attributes}>{body}</{name}>"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric=(), caption="") -> str:
    """A table; cells are markup (already escaped), ``numeric`` column indices right-aligned."""
    head = "".join(_tag("th", _e(h), scope="col") for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>\n"
        for row in rows
    )
    cap = _tag("caption", _e(caption)) if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>\n"


def _num(value: float, unit: str = "", name: str | None = None, digits: int = 4) -> str:
    return _e(format_value(float(value), unit, name, digits))


def _with_bounds(
    estimate: float, lower: float, upper: float, unit: str = "", name: str | None = None
) -> str:
    """An estimate over its interval, both in human units, digits as the interval allows."""
    if math.isnan(estimate):
        return "n/a"
    digits = digits_for_interval(estimate, lower, upper, least=3)
    bounds = f"[{_num(lower, unit, name, digits)}, {_num(upper, unit, name, digits)}]"
    return f'{_num(estimate, unit, name, digits)}<br /><small class="ci">{bounds}</small>'


def _howto(text: str) -> str:
    return f'<p class="howto">{text}</p>\n'


def _note(text: str) -> str:
    return f'<p class="note">{text}</p>\n'


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{_e(anchor)}">\n<h2>{_e(title)}</h2>\n{body}</section>\n'


# ---------------------------------------------------------------- figures


def figure_data_uri(ax) -> str:
    """Render the figure of an axes to PNG in memory as a ``data:`` URI.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes of a figure made by :mod:`results.plots` (a bare ``Figure``, not pyplot).

    Returns
    -------
    str
        ``data:image/png;base64,...``.
    """
    buffer = io.BytesIO()
    figure = ax.figure
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
    figure.clear()  # release the artists now; the report holds many figures
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(ax, caption: str) -> str:
    uri = figure_data_uri(ax)
    return (
        f'<figure><img src="{uri}" alt="{_e(caption)}" />'
        f"<figcaption>{_e(caption)}</figcaption></figure>\n"
    )


def _try_figure(draw, caption: str) -> str:
    from results.integrity import DamagedResultError

    try:
        return _figure(draw(), caption)
    except DamagedResultError:
        raise  # a damaged file refuses the whole report, not one figure
    except ValueError as exc:
        return _note(f"{_e(caption)}: not drawn: {_e(exc)}")
