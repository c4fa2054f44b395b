"""Where a result goes: default names that tell runs apart, and never replacing another run.

A run's identity is what makes it: the result kind, the scenario file and its
``--set`` overrides (both in the scenario SHA-256), the seed, the size and the
design. Two runs that differ only by an override get different default names
(:func:`override_tag`), and an existing file is replaced only when it holds the
same run (the same seed gives the same numbers bit for bit, so nothing is lost)
or when ``--overwrite`` says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import click

__all__ = [
    "IDENTITY_KEYS",
    "check_target",
    "default_result_name",
    "describe_run",
    "overwrite_option",
    "run_label",
]

IDENTITY_KEYS = (
    "lifecycle_tco_kind",
    "scenario_sha256",
    "scenarios",
    "seed",
    "n_samples",
    "N",
    "design",
    "factor_quantiles",
    "scenario_a",
    "scenario_b",
    "over",
    "over2",
    "kpi",
    "objective",
    "objectives",
)
"""Attributes that tell one run from another (those a writer stores; missing ones are
not compared). Per-scenario hashes of a comparison (``scenario_<i>_sha256``) count too."""


OVERWRITE_META = "lifecycle_tco_overwrite"


def overwrite_option(command):
    """The ``--overwrite`` flag: replace an existing output that holds a different run.

    The flag is kept in the click context (not passed to the command), where
    :func:`check_target` reads it, so every writer of the command obeys it.
    """

    def remember(ctx, _param, value):
        ctx.meta[OVERWRITE_META] = bool(value)
        return value

    return click.option(
        "--overwrite",
        is_flag=True,
        expose_value=False,
        callback=remember,
        help="Replace an existing output file even if it holds a different run.",
    )(command)


def run_label(scenario) -> str:
    """A loaded scenario's name with its ``--set`` overrides, as headers and labels show it."""
    from results.provenance import label_with_overrides

    return label_with_overrides(scenario.name, getattr(scenario, "overrides", ()) or ())


def default_result_name(scenario, n: int, seed: int) -> str:
    """``<scenario>[-set-<hash>]-n<N>-seed<S>.nc``: different overrides, different names."""
    from scenarios.naming import result_file_name

    return result_file_name(scenario.name, scenario.overrides, n, seed)


def _identity(attrs: Mapping) -> dict[str, str]:
    keys = [k for k in IDENTITY_KEYS if k in attrs]
    keys += sorted(k for k in attrs if re.fullmatch(r"scenario_\d+_sha256", str(k)))
    return {k: str(attrs[k]) for k in keys}


def describe_run(attrs: Mapping) -> str:
    """A result's identity in words: kind, scenario with overrides, seed, size, date."""
    from results.provenance import result_label

    kind = attrs.get("lifecycle_tco_kind", "result")
    size = attrs.get("n_samples", attrs.get("N", ""))
    words = [f"a {kind} of {result_label(attrs, 'an unknown scenario')}"]
    if "seed" in attrs:
        words.append(f"seed {attrs['seed']}")
    if size:
        words.append(f"{int(float(size)):,} samples")
    if "created" in attrs:
        words.append(f"made {attrs['created']}")
    return ", ".join(words)


def _existing_attrs(path: Path) -> dict | None:
    """The attributes of an existing result file, or None if it is not one we can read."""
    import xarray as xr

    try:
        if path.is_dir():
            ds = xr.open_zarr(path)
        else:
            ds = xr.open_dataset(path)
    except Exception:
        return None
    with ds:
        return dict(ds.attrs)


def check_target(path, new_attrs: Mapping, overwrite: bool | None = None) -> None:
    """Refuse to replace an existing output that holds a different run.

    Parameters
    ----------
    path : str or Path or None
        The output the command will write (None: nothing is written).
    new_attrs : mapping
        The new run's identity: any of :data:`IDENTITY_KEYS` it knows (values
        compared as text), e.g. ``{"lifecycle_tco_kind": "run", "seed": 1, ...}``.
    overwrite : bool, optional
        Replace whatever is there; default the command's ``--overwrite`` flag.

    Raises
    ------
    click.ClickException
        If ``path`` exists, ``overwrite`` is off, and the file is not a result of
        the same run: the message says what the file holds and how to proceed; or if
        ``path`` is a folder this tool did not write (whatever ``overwrite`` says).

    Notes
    -----
    Temporaries left beside ``path`` by a killed run are cleaned up here (and said on
    stderr): see :func:`results.atomic.recover_stale_temporaries`.
    """
    if path is None:
        return
    from results.atomic import check_replaceable, recover_stale_temporaries

    path = Path(path)
    try:
        check_replaceable(path)  # a user's folder is never replaced, --overwrite or not
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    for sentence in recover_stale_temporaries(path):
        click.echo(f"Note: {sentence}.", err=True)
    if overwrite is None:
        ctx = click.get_current_context(silent=True)
        overwrite = bool(ctx is not None and ctx.meta.get(OVERWRITE_META))
    if overwrite or not path.exists():
        return
    existing = _existing_attrs(path)
    if existing is None:
        raise click.ClickException(
            f"{path} exists and is not a result file this tool can read; pass --overwrite "
            "to replace it, or -o to write elsewhere"
        )
    new = {k: str(v) for k, v in _identity(new_attrs).items()}
    old = _identity(existing)
    differs = [k for k, v in new.items() if old.get(k) != v]
    if differs:
        raise click.ClickException(
            f"{path} already holds a different run ({describe_run(existing)}; it differs in "
            f"{', '.join(differs)}). Pass --overwrite to replace it, or -o to write elsewhere."
        )
