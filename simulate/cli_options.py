"""Options shared by the ``tco`` commands (one definition, one help text)."""

from __future__ import annotations

import click

SET_HELP = (
    "Override an input: KEY.PATH=VALUE (TOML value; bare words are strings). Repeatable, "
    "e.g. --set power.hedge_share=0.8 --set hardware.accelerator=B200 --set "
    "'facility.pue={dist=\"pert\", low=1.1, mode=1.2, high=1.4}'."
)


def scenario_argument(func):
    """The optional SCENARIO argument (a TOML file or a built-in name) and ``--set``."""
    func = click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP)(
        func
    )
    return click.argument("scenario", required=False, metavar="[SCENARIO]")(func)


def confidence_option(func):
    """``--confidence``: the level of every interval a command prints."""
    return click.option(
        "--confidence",
        type=click.FloatRange(0, 1, min_open=True, max_open=True),
        default=0.95,
        show_default=True,
        help="Confidence level of the intervals.",
    )(func)


def json_option(what: str):
    """``--json``: print one JSON object (``what``) instead of tables."""
    return click.option("--json", "as_json", is_flag=True, help=f"Print {what} as JSON.")
