"""The README's fresh-machine commands and CI stay in step."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fenced_commands(text):
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            inside = not inside
            continue
        if inside and line.strip() and not line.startswith("#"):
            lines.append(line.strip())
    return lines


def test_ci_runs_the_readme_test_command_verbatim():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    commands = fenced_commands(readme)
    run_job, test_job = commands[0], commands[1]
    assert "tco " in run_job and "pip install" in run_job
    assert test_job.endswith("pytest")
    assert test_job in ci.splitlines()


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    head = readme.split("\n## ", 1)[0]
    assert head.count("python3 -m venv .venv") == 2
