"""The scenario schema: consistent with the kernel columns and documented."""

from pathlib import Path

from scenarios.schema import CATEGORICAL_FIELDS, NUMERIC_FIELDS, schema_markdown
from simulate.model import columns as col
from simulate.model.inputs import CATEGORY_DRIVEN_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
# Columns the catalogs fill; training.tokens is also a scenario key that
# overrides the model entry's default, so it is fed by the schema.
RESOLVED_BY_CATALOG = set(CATEGORY_DRIVEN_COLUMNS) - {"train_tokens"}


def test_every_kernel_input_is_fed_exactly_once():
    from_schema = [f.column for f in NUMERIC_FIELDS]
    assert len(from_schema) == len(set(from_schema))
    assert set(from_schema) | RESOLVED_BY_CATALOG == set(col.INPUT_INDEX)
    assert not set(from_schema) & RESOLVED_BY_CATALOG


def test_defaults_lie_in_their_domains():
    for f in NUMERIC_FIELDS:
        if f.default is not None:
            assert f.contains(f.default), f.path


def test_column_constants_index_the_column_of_the_same_name():
    assert len(col.INPUTS) == col.N_INPUTS and len(col.OUTPUTS) == col.N_OUTPUTS
    constants = {k: v for k, v in vars(col).items() if k.startswith(("IN_", "OUT_"))}
    # The year dimension has one constant per line: its year 1 (``OUT_COST_YEAR`` is
    # ``cost_year_1``, and the line's MAX_YEARS columns follow it).
    lines = (*col.YEAR_LINES, *col.POOL_YEAR_LINES)
    blocks = {f"OUT_{line.upper()}_YEAR": line for line in lines}
    for name, line in blocks.items():
        index = constants.pop(name)
        for k in range(col.MAX_YEARS):
            assert col.OUTPUTS[index + k].name == f"{line}_year_{k + 1}"
    assert len(constants) + len(blocks) * col.MAX_YEARS == col.N_INPUTS + col.N_OUTPUTS
    for name, index in constants.items():
        table = col.INPUTS if name.startswith("IN_") else col.OUTPUTS
        assert table[index].name.upper() == name.split("_", 1)[1], name


def test_docs_scenario_md_is_current():
    assert (ROOT / "docs" / "scenario.md").read_text() == schema_markdown() + "\n"
    assert len(CATEGORICAL_FIELDS) == 6
