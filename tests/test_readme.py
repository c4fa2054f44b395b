"""The README's fresh-machine commands and CI stay in step."""

from pathlib import Path

import numpy as np
import pytest

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
    # The lean default run and the slow set: CI runs both.
    assert test_job.endswith(".venv/bin/pytest && .venv/bin/pytest -m slow")
    assert test_job in ci.splitlines()


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    head = readme.split("\n## ", 1)[0]
    assert head.count("python3 -m venv .venv") == 2


def python_blocks(text):
    """The README's ```python blocks, in order."""
    blocks, current = [], None
    for line in text.splitlines():
        if line.startswith("```python"):
            current = []
        elif line.startswith("```") and current is not None:
            blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def api_block(title_words):
    readme = (ROOT / "README.md").read_text()
    for block in python_blocks(readme):
        if all(word in block for word in title_words):
            return block
    raise AssertionError(f"no README python block with {title_words}")


def test_readme_model_example_runs():
    namespace = {}
    exec(api_block(["calculate(", "model_outputs("]), namespace)
    outputs, flags = namespace["outputs"], namespace["flags"]
    from simulate.model import columns

    assert flags[0] == 0 and outputs[0].shape == (columns.N_OUTPUTS,)
    assert namespace["case"].outputs["token_cost_per_1k"] > 0


@pytest.mark.slow
def test_readme_python_api_example_runs(tmp_path, monkeypatch):
    # The README's own code with smaller sizes, in a folder holding the my.toml it names.
    from scenarios.sources import builtin_text

    monkeypatch.chdir(tmp_path)
    (tmp_path / "my.toml").write_text(builtin_text("default"))
    code = api_block(["simulate.run(", "dask_executor"])
    for big in ("10_000_000", "1_000_000", "100_000"):
        code = code.replace(f"n={big}", "n=40_000")
    namespace = {}
    exec(code, namespace)
    assert (tmp_path / "big.nc").exists()
    ds, same = namespace["ds"], namespace["same"]
    for name in ds.data_vars:
        assert np.array_equal(ds[name].values, same[name].values, equal_nan=True), name
