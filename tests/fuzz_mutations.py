"""Hostile scenario input, and the verdict on how the command line met it.

Shared by ``tests/test_fuzz_inputs.py`` (a short Hypothesis run in CI) and
``tests/fuzz_campaign.py`` (a long campaign that counts outcomes). A case is a plain
dict, so the campaign can hand it to a worker process:

``{"command": "calc" | "run", "text": str | bytes | None, "scenario": str | None,
"overrides": [str, ...]}``; or for ``tco fit`` ``{"command": "fit", "csv": str}``.

File cases are mutations of the built-in scenarios (a key deleted, replaced by an
extreme number, a wrong type, an odd string, a deep nest, a huge or empty list,
unknown keys, hostile distributions, levers, correlation blocks, catalog entries),
written back as TOML, sometimes with the text itself damaged. ``--set`` cases draw a
key from the schema and a value of the same kinds. :func:`verdict` runs a case
in-process with ``click.testing.CliRunner`` and names its outcome.
"""

from __future__ import annotations

import json
import math
import time
import tomllib
from pathlib import Path

from hypothesis import strategies as st

from scenarios.schema import CATEGORICAL_FIELDS, FIELDS_BY_PATH, NUMERIC_FIELDS, TEXT_KEYS
from scenarios.sources import builtin_names, builtin_text
from simulate.model import columns as col

SLOW_SECONDS = 10.0
"""A case that takes longer than this counts as a hang."""

RUN_SAMPLES = "2000"

BUILTINS = builtin_names()
DOCUMENTS = {name: tomllib.loads(builtin_text(name)) for name in BUILTINS}
FAMILIES = (
    "constant",
    "uniform",
    "triangular",
    "pert",
    "normal",
    "truncnormal",
    "lognormal",
    "beta",
    "gamma",
    "choice",
    "empirical",
)
PARAMETERS = (
    "value",
    "low",
    "high",
    "mode",
    "shape",
    "mean",
    "sd",
    "median",
    "sigma",
    "a",
    "b",
    "scale",
    "loc",
    "p10",
    "p90",
    "p1",
    "p99",
    "ci90",
    "values",
    "weights",
)
FORMS = {
    "constant": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "pert": ("low", "mode", "high", "shape"),
    "normal": ("mean", "sd"),
    "truncnormal": ("mean", "sd", "low", "high"),
    "lognormal": ("median", "sigma"),
    "beta": ("a", "b", "low", "high"),
    "gamma": ("mean", "sd", "loc"),
    "choice": ("values", "weights"),
    "empirical": ("values",),
}
EXTREME_NUMBERS = (
    0,
    -0.0,
    5e-324,
    2.2250738585072014e-308,
    1e-300,
    1e-30,
    1e-9,
    0.5,
    1,
    1.0000000000000002,
    3,
    1e9,
    1e30,
    3.4028235e38,
    1e300,
    1.7976931348623157e308,
    -1,
    -1e300,
    math.inf,
    -math.inf,
    math.nan,
    2**63 - 1,
    -(2**63),
    2**64,
    10**400,
)
ODD_STRINGS = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "line\nbreak",
    "tab\there",
    "\u2028",
    "\u202eevil",
    "caf\u00e9 \U0001f4a5",
    "H100 ",
    "h100",
    "owned\n",
    "../../etc/passwd",
    "x" * 300,
    "y" * 20_000,
    "pert",
    "choice",
    "nan",
    "1e300",
    "same",
)
LIST_SIZES = (0, 1, 2, 3, 9, 1000, 99_999, 100_001, 250_000)
DEPTHS = (2, 5, 9, 11, 30, 200, 400, 900)
FIT_SIZES = (50, 0, 1, 7, 8, 9, 1000, 20_000, 49_990, 50_001)


class Nested:
    """A value nested ``depth`` times in arrays or inline tables, written without recursion."""

    def __init__(self, inner, depth: int, table: bool):
        self.inner, self.depth, self.table = inner, depth, table


# --------------------------------------------------------------------------- TOML writer


def toml_key(key) -> str:
    """A key as a TOML basic string (any key survives)."""
    return toml_value(str(key))


def toml_value(value) -> str:
    """An inline TOML value (tables inline, strings escaped, inf and nan as TOML writes them)."""
    if isinstance(value, Nested):
        inner = toml_value(value.inner)
        if value.table:
            return '{ "x" = ' * value.depth + inner + " }" * value.depth
        return "[" * value.depth + inner + "]" * value.depth
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        out = []
        for ch in value:
            if ch in '"\\':
                out.append("\\" + ch)
            elif ord(ch) < 0x20 or ord(ch) == 0x7F:
                out.append(f"\\u{ord(ch):04x}")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def to_toml(doc: dict) -> str:
    """A document as TOML text: top-level values first, then one ``[section]`` per table."""
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    for key, body in doc.items():
        if isinstance(body, dict):
            lines.append(f"[{toml_key(key)}]")
            lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in body.items()]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- values


def _plausible(field) -> st.SearchStrategy:
    # Values a real scenario might hold, so that mutations also produce accepted runs.
    base = field.default if field.default not in (None, 0.0, math.inf) else 1.0
    return st.sampled_from([base * f for f in (0.5, 0.9, 1.0, 1.1, 2.0)])


numbers = st.one_of(
    st.sampled_from(EXTREME_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
)
scalars = st.one_of(numbers, st.booleans(), st.sampled_from(ODD_STRINGS), st.text(max_size=12))


@st.composite
def distributions(draw, near=None) -> dict:
    """A distribution table: any family (or a wrong name), its keys with hostile values."""
    family = draw(st.one_of(st.sampled_from(FAMILIES), scalars))
    keys = list(FORMS.get(family, ())) if isinstance(family, str) else []
    if draw(st.booleans()):
        keys = draw(st.lists(st.sampled_from(PARAMETERS), max_size=4, unique=True))
    good = near if near is not None else st.sampled_from([0.1, 0.5, 1.0, 2.0, 10.0])
    spec = {"dist": family}
    for key in keys:
        if key in ("values", "weights", "ci90"):
            spec[key] = draw(lists(st.one_of(good, numbers, st.sampled_from(ODD_STRINGS[:4]))))
        else:
            spec[key] = draw(st.one_of(good, numbers, scalars))
    return spec


@st.composite
def levers(draw, near=None) -> dict:
    """A lever table: range or choice (or a wrong kind), hostile bounds and choices."""
    good = near if near is not None else st.sampled_from([0.1, 0.5, 1.0, 2.0])
    kind = draw(st.sampled_from(["range", "choice", "ranges", ""]))
    spec = {"lever": kind}
    if kind == "range":
        for key in draw(st.lists(st.sampled_from(["low", "high", "base", "step"]), unique=True)):
            spec[key] = draw(st.one_of(good, numbers))
    else:
        spec["choices"] = draw(lists(st.one_of(good, numbers, st.sampled_from(ODD_STRINGS))))
        spec["base"] = draw(st.one_of(good, numbers, st.sampled_from(ODD_STRINGS)))
    return spec


def lists(element) -> st.SearchStrategy:
    """Short lists of ``element``, or a number or short string repeated to a huge (or empty)
    length (a long string repeated 250,000 times would be gigabytes of text)."""
    short = st.one_of(numbers, st.sampled_from(ODD_STRINGS[:10]))
    return st.one_of(
        st.lists(element, max_size=5),
        st.builds(lambda v, n: [v] * n, short, st.sampled_from(LIST_SIZES)),
    )


@st.composite
def valid_distributions(draw, field) -> dict:
    """A well-formed distribution around a field's default, with extreme but legal
    parameters (tiny or huge spreads and shapes, overflowing weights, long tables)."""
    d = field.default if field.default not in (None, 0.0, math.inf) else 1.0
    family = draw(st.sampled_from(FAMILIES))
    spread = draw(st.sampled_from([1e-300, 1e-12, 0.01, 0.1, 0.3]))
    if family == "constant":
        return {"dist": family, "value": d}
    if family == "uniform":
        return {"dist": family, "low": d * (1 - spread), "high": d * (1 + spread)}
    if family in ("triangular", "pert"):
        spec = {"dist": family, "low": d * (1 - spread), "mode": d, "high": d * (1 + spread)}
        if family == "pert":
            spec["shape"] = draw(st.sampled_from([1e-9, 4.0, 1e9, 2e9]))
        return spec
    if family == "normal":
        return {"dist": family, "mean": d, "sd": d * spread * 0.01}
    if family == "truncnormal":
        return {"dist": family, "mean": d, "sd": d * spread, "low": d * 0.5, "high": d * 1.5}
    if family == "lognormal":
        if draw(st.booleans()):
            sigma = draw(st.sampled_from([1e-300, 0.1, 3.0, 80.0]))
            return {"dist": family, "median": d, "sigma": sigma}
        return {"dist": family, "p10": d * (1 - spread / 2), "p90": d * (1 + spread)}
    if family == "beta":
        shapes = [1e-3, 0.5, 2.0, 1e6, 1e9, 2e9]
        a, b = draw(st.sampled_from(shapes)), draw(st.sampled_from(shapes))
        return {"dist": family, "a": a, "b": b, "low": d * (1 - spread), "high": d * (1 + spread)}
    if family == "gamma":
        shape = draw(st.sampled_from([1e-3, 0.5, 3.0, 1e6, 2e6]))
        return {"dist": family, "shape": shape, "scale": d * spread / shape, "loc": d}
    if family == "choice":
        weights = draw(st.sampled_from([[1, 1, 1], [1e308, 1e308, 1e308], [1e308, 1e-308, 1]]))
        return {"dist": family, "values": [d * 0.9, d, d * 1.1], "weights": weights}
    n = draw(st.sampled_from([2, 100, 99_999]))
    return {"dist": family, "values": [d * (1 + spread * math.sin(i)) for i in range(n)]}


def hostile_values(near=None) -> st.SearchStrategy:
    """Any value a file or ``--set`` might hold in place of a scenario value."""
    simple = st.one_of(scalars, near) if near is not None else scalars
    return st.one_of(
        simple,
        distributions(near),
        levers(near),
        lists(simple),
        st.dictionaries(st.sampled_from((*PARAMETERS, "dist", "lever")), simple, max_size=3),
        st.just({}),
        st.builds(Nested, simple, st.sampled_from(DEPTHS), st.booleans()),
    )


# --------------------------------------------------------------------------- documents


def _paths(doc, prefix=()):
    # Every (table, key) of a document, tables inside distributions included.
    found = []
    stack = [(doc, prefix)]
    while stack:
        node, at = stack.pop()
        for key, value in node.items():
            found.append((*at, key))
            if isinstance(value, dict):
                stack.append((value, (*at, key)))
    return sorted(found)


def _near(path) -> st.SearchStrategy | None:
    field = FIELDS_BY_PATH.get(".".join(path[:2]))
    return _plausible(field) if field is not None else None


_CATALOG_FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "catalog"
CATALOGS = {
    kind: tomllib.loads((_CATALOG_FOLDER / f"{kind}.toml").read_text(encoding="utf-8"))
    for kind in ("hardware", "models")
}


def _catalog_entry(draw, kind: str) -> tuple[str, dict]:
    raw = CATALOGS[kind]
    name = draw(st.sampled_from(sorted(raw)))
    entry = dict(raw[name])
    if draw(st.booleans()):
        entry = {draw(st.sampled_from(sorted(entry))): None}  # a partial override of one figure
    for key in draw(st.lists(st.sampled_from(sorted(raw[name])), max_size=3)):
        entry[key] = draw(hostile_values())
    entry = {k: v for k, v in entry.items() if v is not None}
    new_name = draw(st.one_of(st.just(name), st.sampled_from(ODD_STRINGS), st.text(max_size=8)))
    return new_name, entry


def _table(parent: dict, key: str) -> dict:
    # The table under key, made anew where an earlier mutation put something else there.
    if not isinstance(parent.get(key), dict):
        parent[key] = {}
    return parent[key]


@st.composite
def mutated_documents(draw) -> dict:
    """A built-in scenario with one to three hostile mutations."""
    name = draw(st.sampled_from(BUILTINS))
    doc = json.loads(json.dumps(DOCUMENTS[name]))  # a deep copy (built-ins are JSON-safe)
    factors = [p for p in FIELDS_BY_PATH if p.split(".")[0] in doc]
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        op = draw(
            st.sampled_from(
                [
                    "valid",
                    "valid",
                    "valid",
                    "delete",
                    "replace",
                    "replace",
                    "nest",
                    "unknown",
                    "distribution",
                    "lever",
                    "correlation",
                    "matrix",
                    "catalog",
                    "extends",
                    "name",
                ]
            )
        )
        paths = _paths(doc)
        if op in ("delete", "replace", "nest") and paths:
            path = draw(st.sampled_from(paths))
            node = doc
            for key in path[:-1]:
                node = node[key]
            if op == "delete":
                del node[path[-1]]
            elif op == "replace":
                node[path[-1]] = draw(hostile_values(_near(path)))
            else:
                inner = node[path[-1]]
                node[path[-1]] = draw(
                    st.sampled_from([[inner], {"dist": inner}, {"value": inner}, [inner, inner]])
                )
        elif op == "valid":
            field = draw(st.sampled_from(NUMERIC_FIELDS))
            section, key = field.path.split(".")
            _table(doc, section)[key] = draw(valid_distributions(field))
        elif op == "unknown":
            section = draw(st.one_of(st.sampled_from(sorted(doc)), st.text(max_size=10)))
            key = draw(
                st.one_of(st.sampled_from(["pue", "hedge", "dist", "x"]), st.text(max_size=10))
            )
            table = doc.setdefault(section, {})
            if isinstance(table, dict):
                table[key] = draw(hostile_values())
            else:
                doc[key] = draw(hostile_values())
        elif op in ("distribution", "lever"):
            path = draw(
                st.sampled_from(sorted(FIELDS_BY_PATH) + [f.path for f in CATEGORICAL_FIELDS])
            )
            section, key = path.split(".")
            maker = distributions if op == "distribution" else levers
            _table(doc, section)[key] = draw(maker(_near((section, key))))
        elif op == "correlation":
            pick = st.one_of(st.sampled_from(factors or ["facility.pue"]), scalars)
            doc["correlation"] = draw(
                st.lists(
                    st.fixed_dictionaries(
                        {"between": st.lists(pick, min_size=0, max_size=3), "spearman": numbers}
                    ),
                    max_size=4,
                )
            )
        elif op == "matrix":
            k = draw(st.sampled_from([0, 1, 2, 3, 5, 40]))
            names = draw(
                st.lists(st.sampled_from(factors or ["facility.pue"]), min_size=k, max_size=k)
            )
            rho = draw(st.sampled_from([0.0, 0.3, -0.99, 1.0, 1.5, math.nan]))
            rows = [[1.0 if i == j else rho for j in range(k)] for i in range(k)]
            doc["correlation_matrix"] = {"names": names, "spearman": rows}
        elif op == "catalog":
            kind = draw(st.sampled_from(["hardware", "models"]))
            entry_name, entry = _catalog_entry(draw, kind)
            _table(_table(doc, "catalog"), kind)[entry_name] = entry
            if draw(st.booleans()):
                use = "hardware" if kind == "hardware" else "model"
                key = "accelerator" if kind == "hardware" else "name"
                _table(doc, use)[key] = entry_name
        elif op == "extends":
            doc["extends"] = draw(
                st.one_of(st.sampled_from(BUILTINS), st.sampled_from(ODD_STRINGS))
            )
        else:
            _table(doc, "scenario")["name"] = draw(
                st.one_of(st.sampled_from(ODD_STRINGS), st.text(max_size=20))
            )
    return doc


@st.composite
def damaged_texts(draw, text: str) -> str | bytes:
    """The text as written, or damaged: truncated, a character inserted, bytes not UTF-8,
    a byte-order mark, a duplicate line, or padded past the size limit."""
    how = draw(
        st.sampled_from(["none"] * 18 + ["truncate", "insert", "bytes", "bom", "dup", "pad"])
    )
    if how == "none":
        return text
    at = draw(st.integers(0, len(text)))
    if how == "truncate":
        return text[:at]
    if how == "insert":
        return (
            text[:at]
            + draw(st.sampled_from(['"', "[", "]", "{", "=", "\x00", "\n[x", "\\"]))
            + text[at:]
        )
    if how == "bytes":
        return text[:at].encode() + b"\xff\xfe" + text[at:].encode()
    if how == "bom":
        return "\ufeff" + text
    if how == "dup":
        lines = text.splitlines()
        k = draw(st.integers(0, max(0, len(lines) - 1)))
        return "\n".join(lines[: k + 1] + lines[k:]) + "\n"
    return text + "# " + "p" * (4 * 2**20) + "\n"


@st.composite
def file_cases(draw) -> dict:
    """A mutated built-in scenario, written as a file, for ``calc`` or ``run``."""
    doc = draw(mutated_documents())
    text = draw(damaged_texts(to_toml(doc)))
    return {"command": draw(st.sampled_from(["run", "calc"])), "text": text, "overrides": []}


def _set_keys() -> st.SearchStrategy:
    numeric = sorted(FIELDS_BY_PATH)
    categorical = [f.path for f in CATEGORICAL_FIELDS]
    inside = [
        f"{p}.{k}" for p in ("facility.pue", "power.hedge_share") for k in ("low", "base", "dist")
    ]
    catalog = ["catalog.hardware.H100.memory_gb", "catalog.models.x.n_layers", "catalog.hardware"]
    return st.one_of(
        st.sampled_from(numeric + categorical + list(TEXT_KEYS) + inside + catalog),
        st.sampled_from(["", "=", "facility", "facility.pue.", ".x", "a" * 300, "a." * 20, "pue"]),
        st.text(max_size=15),
    )


@st.composite
def set_cases(draw) -> dict:
    """One to three ``--set`` assignments on a built-in scenario, for ``calc`` or ``run``."""
    overrides = []
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        how = draw(st.sampled_from(["valid", "valid", "toml", "toml", "raw"]))
        if how == "valid":
            field = draw(st.sampled_from(NUMERIC_FIELDS))
            overrides.append(f"{field.path}={toml_value(draw(valid_distributions(field)))}")
            continue
        key = draw(_set_keys())
        field = FIELDS_BY_PATH.get(key)
        if how == "raw":
            value = draw(
                st.one_of(
                    st.sampled_from(["", "{", "[1,", "{dist=}", "1e", "0x", "H100", "inf", "'x'"]),
                    st.text(max_size=20),
                )
            )
        else:
            value = toml_value(draw(hostile_values(_plausible(field) if field else None)))
        sep = draw(st.sampled_from(["=", "=", " = ", "==", ""]))
        overrides.append(f"{key}{sep}{value}")
    return {
        "command": draw(st.sampled_from(["run", "calc"])),
        "text": None,
        "scenario": draw(st.sampled_from(BUILTINS)),
        "overrides": overrides,
    }


@st.composite
def fit_cases(draw) -> dict:
    """A ``tco fit`` CSV: hostile cells, sizes, separators and headers."""
    size = draw(st.sampled_from(FIT_SIZES))
    # Plain numbers first: Hypothesis favours the first branch, and a fit must sometimes
    # run to the end.
    cell = st.one_of(
        st.floats(0.1, 100.0).map(repr),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(
            ["", "1,5", "1e999", "-0", "0x10", "nan", "x", "1e-320", "1e308", "-1e308", "1e300"]
        ),
    )
    head = draw(st.lists(cell, min_size=1, max_size=20))
    filler = draw(st.floats(0.1, 100.0))
    values = head + [repr(filler * (1 + i % 7)) for i in range(max(0, size - len(head)))]
    header = draw(st.sampled_from(["v", "v", "v;w", "", "\ufeffv", "v\x00"]))
    return {"command": "fit", "csv": header + "\n" + "\n".join(values) + "\n"}


# --------------------------------------------------------------------------- verdicts


def case_arguments(case: dict, folder: Path) -> list[str]:
    """The command line of a case (a file case is written into ``folder``)."""
    if case["command"] == "fit":
        path = folder / "data.csv"
        path.write_text(case["csv"], encoding="utf-8", errors="surrogatepass")
        return ["fit", str(path), "-c", "v"]
    if case.get("text") is not None:
        path = folder / "case.toml"
        text = case["text"]
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_bytes(text.encode("utf-8", "surrogatepass"))
        scenario = str(path)
    else:
        scenario = case["scenario"]
    args = [case["command"], scenario, "--json"]
    if case["command"] == "run":
        args += ["-n", RUN_SAMPLES, "--no-save", "--seed", "1"]
    for assignment in case["overrides"]:
        args += ["--set", assignment]
    return args


def _kpis_sound(command: str, stdout: str) -> bool:
    # Exit 0: every KPI finite and >= 0, or NaN where infeasible samples are reported.
    if command == "fit":
        return True
    payload = json.loads(stdout[stdout.index("{") :])
    if command == "calc":
        values = [payload[name] for name in col.KPI_NAMES]
        return all(v is not None and math.isfinite(v) and v >= 0 for v in values)
    reported = payload["infeasible"]["any"] > 0
    for name in col.KPI_NAMES:
        for row in payload["statistics"][name].values():
            if not isinstance(row, dict):
                continue
            v = row["estimate"]
            if math.isnan(v):
                if not reported:
                    return False
            elif not (math.isfinite(v) and v >= 0):
                return False
    return True


def verdict(result, elapsed: float, command: str) -> str:
    """Name a case's outcome.

    Parameters
    ----------
    result : click.testing.Result
        The invocation.
    elapsed : float
        Its duration, s.
    command : str
        ``calc``, ``run`` or ``fit``.

    Returns
    -------
    str
        ``"slow"`` (over :data:`SLOW_SECONDS`), ``"traceback"`` (an exception other
        than SystemExit escaped, or a traceback was printed), ``"messy"`` (a non-zero
        exit whose last line is not one ``Error: ...`` line), ``"non-finite"`` (exit 0
        with a KPI that is inf, negative, or NaN with no infeasible sample reported),
        ``"refused"`` or ``"accepted"``.
    """
    exc = result.exception
    if elapsed > SLOW_SECONDS:
        return "slow"
    if (exc is not None and not isinstance(exc, SystemExit)) or "Traceback" in result.output:
        return "traceback"
    if result.exit_code != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        return "refused" if lines and lines[-1].startswith("Error: ") else "messy"
    return "accepted" if _kpis_sound(command, result.stdout) else "non-finite"


def invoke(case: dict, folder: Path):
    """Run a case in-process: ``(verdict, seconds, result)``."""
    import warnings

    from click.testing import CliRunner

    from simulate.cli.main import main

    args = case_arguments(case, folder)
    # Each invocation installs the plausibility-warning printer; restore the global
    # warnings state after it, as a fresh process would have it.
    with warnings.catch_warnings():
        start = time.monotonic()
        result = CliRunner().invoke(main, args)
        elapsed = time.monotonic() - start
    return verdict(result, elapsed, case["command"]), elapsed, result


def describe(case: dict) -> str:
    """A short text of a case for failure messages (long values cut)."""
    from distributions.messages import shown

    if case["command"] == "fit":
        return f"fit CSV {shown(case['csv'])}"
    body = shown(case["text"]) if case.get("text") is not None else case["scenario"]
    return f"{case['command']} {body} --set {shown(case['overrides'])}"
