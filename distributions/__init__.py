"""Probability distributions for uncertain inputs: validated specs and Numba inverse CDFs.

Public API
----------
Distribution
    Validated marginal (``ppf``, ``cdf``, ``median``, ``mean``, ``support``,
    ``to_spec``, ``describe``).
from_spec(spec, where)
    Parse a scenario-file table into a ``Distribution``.
FAMILIES
    Registry: name -> ``Family`` (code, parameter names, constructor, scipy twin).
ppf_matrix(codes, params, u, out, tables=None, table_len=None)
    Numba kernel mapping each column of a unit-cube matrix through its family.
ppf_column(code, params4, u, out, table=None)
    The same for one column.
ppf_scalar(code, params4, u)
    Exact scalar quantile, callable from other ``@njit`` code.
pack(dists)
    ``(codes, params, tables, table_len)`` for ``ppf_matrix``.
inverse_cdfs(dists), ppf_matrix_prepared(icdf, u, out)
    The same mapping with per-column set-up done once (chunked runs);
    prepare_columns(codes, params) is that set-up.
ppf_values(icdf, u, out)
    Its serial twin for a few quantiles at a time.
"""

from .distribution import Distribution
from .families import FAMILIES, Family
from .kernels import ppf_scalar
from .matrix import (
    inverse_cdfs,
    pack,
    ppf_column,
    ppf_matrix,
    ppf_matrix_prepared,
    ppf_values,
    prepare_columns,
)
from .spec import from_spec

__all__ = [
    "FAMILIES",
    "Distribution",
    "Family",
    "from_spec",
    "inverse_cdfs",
    "pack",
    "ppf_column",
    "ppf_matrix",
    "ppf_matrix_prepared",
    "ppf_scalar",
    "ppf_values",
    "prepare_columns",
]
