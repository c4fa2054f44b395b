"""Which inputs a run samples, and how unit-cube points become kernel inputs.

Monte Carlo runs (``tco run``) sample the uncertain factors and hold levers at
their base values. Sensitivity runs also vary the levers: a range lever
uniformly over its range, a choice lever as a discrete uniform over its choices.
Every sampled input is one column of the unit-cube design; its inverse CDF maps
the column onto the input's values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from distributions import Distribution, from_spec, inverse_cdfs, ppf_matrix_prepared
from distributions.copula import apply_copula
from scenarios.scenario import Scenario, ScenarioInput
from scenarios.schema import FIELDS_BY_PATH
from simulate.model import columns as col
from simulate.model.inputs import CATEGORY_DRIVEN_COLUMNS, input_matrix


def lever_distribution(item: ScenarioInput) -> Distribution:
    """The distribution a lever is sampled from in sensitivity runs.

    Parameters
    ----------
    item : ScenarioInput
        A lever input.

    Returns
    -------
    Distribution
        Uniform over a range lever; equally weighted choice over a choice lever
        (category indices for categorical levers).
    """
    lever = item.lever
    where = f"lever {item.path}"
    if lever.kind == "range":
        return from_spec({"dist": "uniform", "low": lever.low, "high": lever.high}, where)
    values = list(lever.choices)
    return from_spec({"dist": "choice", "values": values}, where)


@dataclass(frozen=True)
class SamplingPlan:
    """The sampled inputs of a run and their inverse CDFs.

    Attributes
    ----------
    scenario : Scenario
        The scenario.
    inputs : tuple of ScenarioInput
        Sampled inputs, one design column each, in scenario order.
    distributions : tuple of Distribution
        The marginal of each column.
    """

    scenario: Scenario
    inputs: tuple[ScenarioInput, ...]
    distributions: tuple[Distribution, ...]

    @property
    def dims(self) -> int:
        """Number of design columns."""
        return len(self.inputs)

    @property
    def paths(self) -> list[str]:
        """Key paths of the sampled inputs."""
        return [item.path for item in self.inputs]

    def correlate(self, unit: np.ndarray) -> np.ndarray:
        """Apply the scenario's copula (if any) to unit-cube points.

        Parameters
        ----------
        unit : ndarray of float64, shape (n, dims)
            Independent design points in (0, 1).

        Returns
        -------
        ndarray of float64, shape (n, dims)
            Points in (0, 1) with the declared rank correlations, C-contiguous; the
            input itself when the scenario declares none.
        """
        copula = self.scenario.copula
        if copula is None or not self.dims:
            return np.ascontiguousarray(unit)
        # Correlate in the unit cube, so each marginal stays exactly as specified.
        correlated = np.empty(unit.shape)
        apply_copula(
            np.ascontiguousarray(unit), copula.positions(self.paths), copula.cholesky, correlated
        )
        return correlated

    def transform(self, unit: np.ndarray) -> np.ndarray:
        """Map unit-cube points through the copula (if any) and each column's inverse CDF.

        Parameters
        ----------
        unit : ndarray of float64, shape (n, dims)
            Design points in (0, 1).

        Returns
        -------
        ndarray of float64, shape (n, dims)
            Input values (category indices for categorical inputs).
        """
        return self.transform_independent(self.correlate(unit))

    def transform_independent(self, unit: np.ndarray) -> np.ndarray:
        """Map unit-cube points through each column's inverse CDF, ignoring correlations.

        The full-matrix path of :func:`simulate.engine.chunks.sample_outputs_into` uses this
        (after the copula, or without it for Sobol analyses, whose estimators assume
        independent inputs).

        Parameters
        ----------
        unit : ndarray of float64, shape (n, dims)
            Design points in (0, 1).

        Returns
        -------
        ndarray of float64, shape (n, dims)
            Input values (category indices for categorical inputs).
        """
        values = np.empty_like(unit)
        if self.dims:
            ppf_matrix_prepared(self.inverse_cdfs, np.ascontiguousarray(unit), values)
        return values

    def kernel_inputs(self, values: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Kernel input rows for sampled values; every other input at its base.

        Parameters
        ----------
        values : ndarray of float64, shape (n, dims)
            Output of :meth:`transform`.
        out : ndarray of float64, shape (n, N_INPUTS), optional
            Buffer to fill.

        Returns
        -------
        ndarray of float64, shape (n, N_INPUTS)
            Rows for :func:`simulate.model.batch.model_outputs`.
        """
        by_path = {}
        for j, item in enumerate(self.inputs):
            column = values[:, j]
            by_path[item.path] = column.astype(np.int64) if item.categorical else column
        return input_matrix(self.scenario, by_path, values.shape[0], out=out)

    @property
    def base_row(self) -> np.ndarray:
        """Kernel inputs at the scenario's base values, shape (N_INPUTS,); a fresh copy."""
        cached = self.__dict__.get("_base_row_cache")
        if cached is None:
            cached = input_matrix(self.scenario, None, 1)[0]
            object.__setattr__(self, "_base_row_cache", cached)
        return cached.copy()

    @property
    def _expansion(self):
        cached = self.__dict__.get("_expansion_cache")
        if cached is not None:
            return cached
        categorical = [item for item in self.inputs if item.categorical]
        columns, tables = [], []
        for item in self.inputs:
            if not item.categorical:
                columns.append(col.INPUT_INDEX[FIELDS_BY_PATH[item.path].column])
                tables.append(None)
                continue
            if len(categorical) > 1:
                raise NotImplementedError  # handled by the caller's full-matrix path
            driven = [
                col.INPUT_INDEX[c]
                for c in CATEGORY_DRIVEN_COLUMNS
                if not (c == "train_tokens" and "training.tokens" in self.scenario.inputs)
            ]
            k = len(item.categories)
            rows = input_matrix(self.scenario, {item.path: np.arange(k)}, k)
            columns.extend(driven)
            tables.append(np.ascontiguousarray(rows[:, driven]))
        cached = (np.asarray(columns, dtype=np.int64), tables)
        object.__setattr__(self, "_expansion_cache", cached)
        return cached

    @property
    def row_expansion(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """How design columns set kernel input columns, as arrays for the fused pass.

        Only when :attr:`fused_pass_applies`. Each entry ``p`` sets kernel column
        ``column[p]`` from design column ``source[p]``: the sampled value itself, or,
        for a categorical column with ``categories[p]`` choices, ``table[p, index]``.

        Returns
        -------
        source, column, categories : ndarray of int64, shape (m,)
        table : ndarray of float64, shape (m, c)
            See :func:`simulate.model.fused.fused_sample_kernel`.
        """
        cached = self.__dict__.get("_row_expansion_cache")
        if cached is not None:
            return cached
        columns, tables = self._expansion
        source, categories, per_entry = [], [], []
        for j, table in enumerate(tables):
            if table is None:
                source.append(j)
                categories.append(0)
                per_entry.append(None)
                continue
            for w in range(table.shape[1]):
                source.append(j)
                categories.append(table.shape[0])
                per_entry.append(table[:, w])
        width = max([1] + [len(t) for t in per_entry if t is not None])
        table = np.zeros((len(source), width))
        for p, values in enumerate(per_entry):
            if values is not None:
                table[p, : len(values)] = values
        cached = (
            np.asarray(source, dtype=np.int64),
            np.ascontiguousarray(columns, dtype=np.int64),
            np.asarray(categories, dtype=np.int64),
            table,
        )
        object.__setattr__(self, "_row_expansion_cache", cached)
        return cached

    @property
    def fused_pass_applies(self) -> bool:
        """Whether the fused pass applies (at most one categorical input varies)."""
        return sum(item.categorical for item in self.inputs) <= 1

    @property
    def inverse_cdfs(self) -> tuple:
        """The design columns' inverse CDFs (:func:`distributions.inverse_cdfs`).

        The tuple every prepared map and the fused pass take; built once per plan, since
        the tables cost milliseconds per column.
        """
        cached = self.__dict__.get("_inverse_cdf_cache")
        if cached is None:
            cached = inverse_cdfs(self.distributions)
            object.__setattr__(self, "_inverse_cdf_cache", cached)
        return cached


def sampling_plan(scenario: Scenario, include_levers: bool = False) -> SamplingPlan:
    """The sampling plan of a scenario.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    include_levers : bool
        Also sample the levers (sensitivity runs); otherwise they stay at base.

    Returns
    -------
    SamplingPlan
        Sampled inputs and their marginals.
    """
    inputs, dists = [], []
    for item in scenario.inputs.values():
        if item.kind == "factor":
            inputs.append(item)
            dists.append(item.distribution)
        elif item.kind == "lever" and include_levers:
            inputs.append(item)
            dists.append(lever_distribution(item))
    return SamplingPlan(scenario, tuple(inputs), tuple(dists))
