"""Every command the README and the report suggest runs, and a report warns on mixed scenarios."""

import json
import re
import shlex
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner

from scenarios.sources import builtin_text
from simulate.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"-n": "2000", "-N": "256"}
FEWEST = {
    "run": ["-n", "2000"],
    "compare": ["-n", "2000"],
    "sweep": ["-n", "500"],
    "breakeven": ["-n", "800"],
    "optimize": ["-n", "300"],
    "pareto": ["-n", "300"],
    "evpi": ["-n", "1000"],
    "sobol": ["-N", "256"],
}
"""Sample sizes for commands that give none: the test checks they run, not their numbers."""


def _smaller(words: list[str]) -> list[str]:
    """The same command with few samples: every -n/-N value made small, or one added."""
    out = list(words)
    for i, word in enumerate(out[:-1]):
        if word in SMALL:
            out[i + 1] = SMALL[word]
    if out and out[0] in FEWEST and not {"-n", "-N"} & set(out):
        out += FEWEST[out[0]]
    return out


def _invoke(words, cwd):
    result = CliRunner().invoke(main, words, catch_exceptions=False)
    assert result.exit_code == 0, f"{shlex.join(['tco', *words])}\n{result.output}"
    return result


def readme_commands() -> list[str]:
    lines, inside = [], False
    for line in (ROOT / "README.md").read_text().splitlines():
        if line.startswith("```"):
            inside = not inside
            continue
        text = line.strip().removeprefix("$ ")
        if inside and text.startswith("tco "):
            lines.append(text.split("  #", 1)[0].split(" # ", 1)[0].strip())
    return lines


def readme_inline_commands() -> list[str]:
    """Complete ``tco`` commands quoted in the README's text (no placeholders, no options list)."""
    text, inside, prose = (ROOT / "README.md").read_text(), False, []
    for line in text.splitlines():
        if line.startswith("```"):
            inside = not inside
        elif not inside:
            prose.append(line)
    spans = re.findall(r"`(tco [^`]+)`", " ".join(prose))
    placeholder = re.compile(r"[A-Z]{2,}|\b[A-Z]\b|\[|\.\.\.|\\\|")
    return [c for c in dict.fromkeys(spans) if not placeholder.search(c)]


def test_the_readme_suggests_tco_commands():
    commands = readme_commands()
    assert len(commands) >= 20 and all(c.startswith("tco ") for c in commands)


@pytest.mark.slow
def test_every_readme_command_runs(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my.toml").write_text(builtin_text("default"))
    (tmp_path / "shared").mkdir()
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None)
    try:
        (tmp_path / "shared" / "sched.json").write_text(
            json.dumps({"address": cluster.scheduler_address, "type": "Scheduler"})
        )
        for command in readme_inline_commands():
            words = _smaller(shlex.split(command)[1:])
            result = CliRunner().invoke(main, words)
            if len(shlex.split(command)) == 2 and result.exit_code != 0:
                # A bare name in the text refers to a command that needs arguments: it
                # must still answer with a usage message, not a traceback.
                assert isinstance(result.exception, SystemExit), f"{command}\n{result.output}"
                assert "Error" in result.output, command
                continue
            assert result.exit_code == 0, f"{command}\n{result.output}"
        for command in readme_commands():
            words = _smaller(shlex.split(command)[1:])
            # A cluster of the reader's: this test's own local one stands in for it.
            words = [cluster.scheduler_address if w.startswith("tcp://head") else w for w in words]
            words = [w.replace("/shared/", str(tmp_path / "shared") + "/") for w in words]
            if "--samples" in words and "samples.parquet" in words:
                pytest.importorskip("pyarrow")
            _invoke(words, tmp_path)
    finally:
        cluster.close()


def _report_commands(html: str) -> list[str]:
    return [unescape(c) for c in re.findall(r"<code>(tco [^<]*)</code>", html)]


@pytest.mark.slow
def test_every_command_a_report_suggests_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    b200 = ["--set", "hardware.accelerator=B200"]
    _invoke(["run", "-n", "1500", "--seed", "4", *b200, "-o", "run.nc"], tmp_path)
    _invoke(
        ["compare", "fleet-owned", "fleet-cloud", "-n", "1500", "--seed", "4", "-o", "c.nc"],
        tmp_path,
    )
    # The run was made with --set: the commands its report suggests keep it.
    _invoke(["report", "run.nc", "-o", "r.html"], tmp_path)
    suggested = _report_commands((tmp_path / "r.html").read_text())
    assert all("hardware.accelerator=B200" in c for c in suggested if c.startswith("tco sobol"))
    assert any(c.startswith("tco sobol") for c in suggested)
    for files in (["run.nc"], ["c.nc"]):
        _invoke(["report", *files, "-o", "r.html"], tmp_path)
        commands = _report_commands((tmp_path / "r.html").read_text())
        assert commands, files
        for command in commands:
            words = _smaller(shlex.split(command)[1:])
            if words[0] == "report":
                continue  # names files the other suggested commands make
            if "-o" not in words and words[0] in ("run", "compare"):
                words.append("--no-save")
            # Suggested outputs replace earlier ones of this test: that is the user's call.
            _invoke([*words, *(["--overwrite"] if "-o" in words else [])], tmp_path)


def test_a_report_of_different_scenarios_says_so(tmp_path):
    runner = CliRunner()
    run_file, tornado_file = tmp_path / "b200.nc", tmp_path / "t.nc"
    b200 = ["--set", "hardware.accelerator=B200"]
    assert (
        runner.invoke(
            main, ["run", "-n", "500", "--seed", "1", *b200, "-o", str(run_file)]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            main, ["tornado", "--kpi", "lifecycle_total", "-o", str(tornado_file)]
        ).exit_code
        == 0
    )
    page = tmp_path / "r.html"
    result = runner.invoke(main, ["report", str(run_file), str(tornado_file), "-o", str(page)])
    assert result.exit_code == 0
    assert "Warning: These results describe different scenarios" in result.output
    html = unescape(page.read_text())
    assert "default [hardware.accelerator=B200]" in html and "different scenarios" in html
