"""The size limits of scenario input, and the bounded TOML reader that enforces them.

Every scenario document (a file, the parents it ``extends``, each ``--set`` value)
is read through :func:`read_toml`, which refuses input a real scenario never
comes near: a file larger than :data:`MAX_SCENARIO_BYTES`, tables and arrays nested
deeper than :data:`MAX_DEPTH`, arrays longer than :data:`MAX_LIST_ITEMS`, strings
longer than :data:`MAX_TEXT_CHARS` or holding control characters, keys longer than
:data:`MAX_KEY_CHARS`, integers beyond 64 bits. The checks walk the document with
an explicit stack, so no input can make them recurse, and each refusal is a
:class:`~scenarios.errors.ScenarioError` naming the file, the key path, the value
(shortened) and the fix. ``docs/scenario.md`` ("Limits") lists the limits and why
each is safe; :func:`limits_markdown` writes that section.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from distributions.limits import limits_rows as distribution_limit_rows
from scenarios.errors import ScenarioError, shown

__all__ = [
    "MAX_DEPTH",
    "MAX_FACTOR_MAGNITUDE",
    "MAX_KEY_CHARS",
    "MAX_LIST_ITEMS",
    "MAX_NAME_CHARS",
    "MAX_SCENARIO_BYTES",
    "MAX_TEXT_CHARS",
    "bad_character",
    "check_key",
    "check_name",
    "check_tree",
    "limits_markdown",
    "read_toml",
]

MAX_SCENARIO_BYTES = 4 * 2**20
"""Largest scenario file (bytes, UTF-8). The built-in scenarios are about 5 kB; an
``empirical`` distribution of :data:`MAX_LIST_ITEMS` values is about 1 MB; TOML
parsing costs about 0.15 s per MB."""

MAX_DEPTH = 10
"""Deepest nesting of tables and arrays below the document (the document's own keys
are depth 1). The deepest real form, a catalog figure given as a range
(``catalog.hardware.NAME.purchase_price_usd = {low = ..., high = ...}``), is 5 deep."""

MAX_LIST_ITEMS = 100_000
"""Longest array: enough for an empirical distribution of 100,000 observations, whose
set-up takes about 0.3 s (a million take 3.5 s and 0.4 GB)."""

MAX_TEXT_CHARS = 10_000
"""Longest string (a description, a catalog figure's source note)."""

MAX_NAME_CHARS = 200
"""Longest one-line name (``scenario.name``; a catalog entry's name is a key)."""

MAX_KEY_CHARS = 200
"""Longest key: the schema's longest is 36 characters."""

MAX_FACTOR_MAGNITUDE = 2.0**128
"""Largest magnitude an uncertain factor may draw (3.4e38, just above float32's largest):
result files store the sampled factors as float32 by default. No input reaches 1e20 in
its unit."""

MAX_INTEGER = 2**63 - 1
"""TOML integers are 64-bit (TOML 1.0, "Integer"); Python's reader accepts any size,
and an integer of 400 digits cannot become a float."""

# Refused in every string: control characters (Unicode category Cc; NUL breaks the
# HDF5 strings of a result file, ESC rewrites the terminal), the line and paragraph
# separators (they split a one-line message) and lone surrogates (undecodable
# command-line bytes; they are not UTF-8). Text may hold tabs and line breaks; names
# and keys may not.
_BAD_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_BAD_IN_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def bad_character(text: str, allow_whitespace: bool) -> str | None:
    """The first character of ``text`` no scenario string may hold, or None.

    Parameters
    ----------
    text : str
        A string of the input.
    allow_whitespace : bool
        Whether tabs and line breaks are allowed (text, not names or keys).

    Returns
    -------
    str or None
        A control character, a line or paragraph separator, or a lone surrogate.
    """
    found = (_BAD_IN_TEXT if allow_whitespace else _BAD_IN_NAME).search(text)
    return None if found is None else found.group()


def _joined(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def check_tree(value: Any, where: str, path: str = "", depth: int = 0) -> None:
    """Check a parsed TOML value and everything inside it against the limits.

    Parameters
    ----------
    value : object
        A parsed document, or one value of it (a ``--set`` value).
    where : str
        The file (or ``--set``), first in every message.
    path : str
        Key path of ``value`` inside the document (``""`` for the document).
    depth : int
        Nesting depth of ``value`` (0 for the document; a ``--set`` value at
        ``a.b.c`` is at depth 3).

    Raises
    ------
    ScenarioError
        The first limit broken, naming ``where``, the key path, the value and the fix.
    """
    # Paths are built only for a message: an item's is (its array's path, its index).
    stack = [(value, path, depth)]
    while stack:
        node, at, level = stack.pop()
        if level > MAX_DEPTH:
            raise ScenarioError(
                f"{_label(where, _path(at))} = {shown(node)}: nested more than {MAX_DEPTH} "
                "tables or arrays deep; no scenario key takes more than 5 levels "
                "(docs/scenario.md, Limits)"
            )
        if isinstance(node, dict):
            for key, child in node.items():
                check_key(key, _path(at), where)
                stack.append((child, _joined(_path(at), key), level + 1))
        elif isinstance(node, list):
            if len(node) > MAX_LIST_ITEMS:
                raise ScenarioError(
                    f"{_label(where, _path(at))}: an array of {len(node):,} items; at most "
                    f"{MAX_LIST_ITEMS:,} are read (docs/scenario.md, Limits): for more "
                    "observations, fit a distribution to them with `tco fit` or thin them"
                )
            # A float within the depth breaks no limit (the common long array is numbers).
            shallow = level < MAX_DEPTH
            stack.extend(
                (child, (at, k), level + 1)
                for k, child in enumerate(node)
                if not (shallow and isinstance(child, float))
            )
        elif isinstance(node, str):
            if len(node) > MAX_TEXT_CHARS or bad_character(node, allow_whitespace=True):
                _check_text(node, _label(where, _path(at)), MAX_TEXT_CHARS, True)
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) > MAX_INTEGER:
            raise ScenarioError(
                f"{_label(where, _path(at))} = {shown(node)}: an integer beyond 64 bits; "
                "TOML integers are 64-bit, write a float such as 1e25 instead"
            )


def _path(at) -> str:
    # A key path, or (an array's path, an index) for an item of an array.
    if isinstance(at, str):
        return at
    parent, index = at
    return f"{_path(parent)}[{index}]"


def _label(where: str, path: str) -> str:
    # "file.toml: a.b", but "--set a.b" (the way the user typed it).
    if not path:
        return where
    return f"{where} {path}" if where == "--set" else f"{where}: {path}"


def check_key(key: str, path: str, where: str) -> None:
    """Check one key: at most :data:`MAX_KEY_CHARS` characters, no control characters.

    Parameters
    ----------
    key : str
        The key (one part of a dotted path).
    path : str
        Key path of the table holding it (``""`` at the top).
    where : str
        The file (or ``--set``), first in the message.

    Raises
    ------
    ScenarioError
        A key too long, or holding a control character, tab or line break.
    """
    at = _label(where, path)
    if len(key) > MAX_KEY_CHARS:
        raise ScenarioError(
            f"{at}: a key of {len(key):,} characters ({shown(key)}); keys are at most "
            f"{MAX_KEY_CHARS} characters (the schema's are listed in docs/scenario.md)"
        )
    bad = bad_character(key, allow_whitespace=False)
    if bad is not None:
        raise ScenarioError(
            f"{at}: key {shown(key)} holds {bad!r}, a control character (or an undecodable "
            "byte); keys are printable names such as facility.pue"
        )


def _check_text(text: str, label: str, limit: int, allow_whitespace: bool) -> None:
    if len(text) > limit:
        raise ScenarioError(
            f"{label} = {shown(text)}: a string of {len(text):,} characters; at most "
            f"{limit:,} are accepted (docs/scenario.md, Limits): shorten it"
        )
    bad = bad_character(text, allow_whitespace)
    if bad is not None:
        raise ScenarioError(
            f"{label} = {shown(text)}: holds {bad!r}, a control character (or an "
            "undecodable byte) that result files and terminals cannot carry; remove it"
        )


def check_name(value: str, label: str) -> None:
    """Check a one-line name (``scenario.name``): printable, at most :data:`MAX_NAME_CHARS`.

    Parameters
    ----------
    value : str
        The name.
    label : str
        File and key path for the message.

    Raises
    ------
    ScenarioError
        A name too long, or holding a control character, tab or line break.
    """
    _check_text(value, label, MAX_NAME_CHARS, allow_whitespace=False)


def read_toml(text: str, where: str) -> dict:
    """Parse TOML text within the limits.

    Parameters
    ----------
    text : str
        The document.
    where : str
        The file name (or ``--set KEY``) for messages.

    Returns
    -------
    dict
        The parsed document, checked by :func:`check_tree`.

    Raises
    ------
    ScenarioError
        Text over :data:`MAX_SCENARIO_BYTES`, invalid TOML, or a limit broken.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            f"{where}: {size:,} bytes; a scenario is at most {MAX_SCENARIO_BYTES:,} bytes "
            "(docs/scenario.md, Limits): fit long data columns with `tco fit` instead of "
            "pasting them"
        )
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{where}: not valid TOML: {exc}") from exc
    except RecursionError:
        # Python's TOML reader recurses once per nested array or inline table.
        raise ScenarioError(
            f"{where}: arrays or inline tables nested hundreds deep; no scenario key takes "
            f"more than 5 levels (at most {MAX_DEPTH}, docs/scenario.md, Limits)"
        ) from None
    check_tree(raw, where)
    return raw


def limits_markdown() -> list[str]:
    """The "Limits" section of ``docs/scenario.md``, one Markdown line per item.

    Returns
    -------
    list of str
        A heading, a sentence and a table of every limit with its reason.
    """
    rows = [
        (
            "scenario file size (with every parent it `extends`)",
            f"{MAX_SCENARIO_BYTES // 2**20} MiB",
            "the built-ins are ~5 kB; TOML parses at ~0.15 s per MB",
        ),
        (
            "nesting of tables and arrays",
            f"{MAX_DEPTH} levels",
            "the deepest real key (a catalog figure range) is 5 levels",
        ),
        (
            "items in one array",
            f"{MAX_LIST_ITEMS:,}",
            "an empirical distribution of 100,000 values sets up in ~0.3 s",
        ),
        ("characters in a string", f"{MAX_TEXT_CHARS:,}", "descriptions and source notes"),
        (
            "characters in `scenario.name` and in a key",
            f"{MAX_NAME_CHARS}",
            "names are shown in tables, file names and result attributes",
        ),
        (
            "control characters",
            "none (tab and line breaks in text only)",
            "NUL cannot be stored in a result file; ESC rewrites the terminal",
        ),
        ("integers", "64-bit", "TOML 1.0; larger ones cannot become floats"),
        (
            "every draw of an uncertain factor",
            "magnitude < 3.4e38",
            "result files store sampled factors as float32; no input nears 1e20 in its unit",
        ),
        *distribution_limit_rows(),
    ]
    lines = [
        "## Limits",
        "",
        "Input beyond these limits is refused with a message naming the file, key, value "
        "and fix, before any computation; no real scenario comes near them. They keep "
        "every command's set-up within seconds and every sampled value a finite float.",
        "",
        "| what | limit | why it is safe |",
        "|---|---|---|",
    ]
    lines += [f"| {what} | {limit} | {why} |" for what, limit, why in rows]
    return lines
