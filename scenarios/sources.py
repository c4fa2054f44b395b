"""Find a scenario and read its text: a TOML file, or a built-in scenario shipped in the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from scenarios.errors import ScenarioError, did_you_mean, shown
from scenarios.limits import MAX_SCENARIO_BYTES, bad_character

BUILTIN_PACKAGE = "scenarios.builtin"
DEFAULT_SCENARIO = "default"


def builtin_names() -> list[str]:
    """Names of the scenarios shipped inside the package, sorted.

    Returns
    -------
    list of str
        File stems of ``scenarios/builtin/*.toml``.
    """
    folder = resources.files(BUILTIN_PACKAGE.split(".")[0]).joinpath("builtin")
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def builtin_text(name: str) -> str:
    """Content of a built-in scenario file.

    Parameters
    ----------
    name : str
        Built-in scenario name (file stem).

    Returns
    -------
    str
        The TOML text.
    """
    folder = resources.files(BUILTIN_PACKAGE.split(".")[0]).joinpath("builtin")
    return folder.joinpath(f"{name}.toml").read_text(encoding="utf-8")


def read_scenario_source(name_or_path: str | Path | None) -> tuple[str, str]:
    """Find a scenario by file path or built-in name and return ``(source, text)``.

    Parameters
    ----------
    name_or_path : str, Path or None
        An existing TOML file, a built-in name, or None for the default scenario.

    Returns
    -------
    source : str
        The path, or ``builtin:NAME``.
    text : str
        The file content.
    """
    if name_or_path is None:
        name_or_path = DEFAULT_SCENARIO
    path = Path(name_or_path)
    name = str(name_or_path)
    # Every message starts with the source, so it must be one printable line.
    printable = bad_character(name, allow_whitespace=False) is None
    if is_file(path):
        if not printable:
            raise ScenarioError(
                f"{shown(name)}: a scenario file's path must be printable (no control "
                "characters or line breaks); rename the file"
            )
        return str(path), read_scenario_file(path)
    if len(name) > 255 or not printable:  # 255: the longest file name most systems allow
        raise ScenarioError(
            f"{shown(name)}: neither a scenario file nor a built-in scenario; built-in "
            f"scenarios: {', '.join(builtin_names())} (see `tco scenarios`)"
        )
    names = builtin_names()
    if name in names:
        return f"builtin:{name}", builtin_text(name)
    # Calibration cases (`tco calibrate`) are built-in scenarios too, named after their source.
    from scenarios.calibration_cases import calibration_names, calibration_text

    if name in calibration_names():
        return f"builtin:{name}", calibration_text(name)
    if path.suffix == ".toml" or path.parent != Path("."):
        raise ScenarioError(
            f"{name}: no such scenario file (built-in scenarios: {', '.join(names)})"
        )
    raise ScenarioError(
        f"{name}: neither a scenario file nor a built-in scenario{did_you_mean(name, names)}; "
        f"built-in scenarios: {', '.join(names)} (see `tco scenarios`)"
    )


def is_file(path: Path) -> bool:
    """Whether ``path`` names an existing file; False for a name the OS cannot look up.

    Parameters
    ----------
    path : Path
        A candidate scenario file.

    Returns
    -------
    bool
        ``path.is_file()``, except that a name too long for the file system (which
        raises ``OSError``) or holding NUL counts as no file.
    """
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def read_scenario_file(path: Path) -> str:
    """The text of a scenario (or platform) file, within the size limit.

    Raises
    ------
    ScenarioError
        A file over :data:`~scenarios.limits.MAX_SCENARIO_BYTES`, unreadable, or not UTF-8.
    """
    # Size first: a scenario is small, and reading a huge file only to refuse it
    # would take the time and memory the limit is there to save.
    try:
        size = path.stat().st_size
        if size > MAX_SCENARIO_BYTES:
            raise ScenarioError(
                f"{path}: {size:,} bytes; a scenario is at most {MAX_SCENARIO_BYTES:,} bytes "
                "(docs/scenario.md, Limits): fit long data columns with `tco fit` instead "
                "of pasting them"
            )
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read the scenario file: {exc}") from exc
