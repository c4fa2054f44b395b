"""Decision results in tco report: a section each, a figure each, and a command that repeats them."""

import re
import shlex

import xarray as xr
from click.testing import CliRunner

from simulate.cli.main import main

SET = ["--set", "release.cadence_days=180", "--set", "power.hedge_share=0.5"]
PAIR = ["serving-managed-api", "serving-self-managed-spot"]


def _make(tmp_path):
    files = {
        "be": [
            "breakeven",
            *PAIR,
            "--over",
            "demand.requests_per_day",
            "--range",
            "1e5:1e8",
            "--points",
            "4",
            "-n",
            "800",
            "--seed",
            "2",
        ],
        "op": ["optimize", *SET, "-n", "300"],
        "pa": ["pareto", *SET, "-n", "300"],
        "ev": ["evpi", *PAIR, "-n", "2000", "--bins", "10"],
    }
    paths = []
    for name, args in files.items():
        path = tmp_path / f"{name}.nc"
        result = CliRunner().invoke(main, [*args, "-o", str(path)])
        assert result.exit_code == 0, result.output
        paths.append(path)
    return paths


def test_report_has_a_section_figure_and_command_for_each_decision(tmp_path):
    paths = _make(tmp_path)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", *map(str, paths), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    for start in ("Break-even:", "Optimisation:", "Pareto frontier:", "Value of information:"):
        assert any(h.startswith(start) for h in headings), headings
    assert html.count("<img") == 4 and "not drawn" not in html
    assert "Monte Carlo summary" not in headings  # decisions alone ask for nothing more
    commands = re.findall(r"<code>(tco breakeven [^<]*)</code>", html)
    assert len(commands) == 1
    # The recorded command makes the same sweep again.
    again = tmp_path / "again.nc"
    args = shlex.split(commands[0].replace("&#x27;", "'"))[1:]
    rerun = CliRunner().invoke(main, [*args, "-o", str(again)])
    assert rerun.exit_code == 0, rerun.output
    with xr.open_dataset(paths[0]) as first, xr.open_dataset(again) as second:
        assert first.attrs["breakeven"] == second.attrs["breakeven"]
