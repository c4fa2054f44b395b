"""Parameter names of the parametric families and their scipy.stats twins.

The twins (the same law as a frozen ``scipy.stats`` distribution) serve
``Distribution.cdf``, the truncated-normal mean, fitting and the tests; they are
made on demand, so sampling never imports scipy.stats (about half a second).
"""

from __future__ import annotations

__all__ = ["PARAM_NAMES", "has_scipy_twin", "scipy_twin"]

# Canonical parameters of each family, in ``Distribution.params`` order (empty for
# choice and empirical, whose data live in the table).
PARAM_NAMES: dict[str, tuple[str, ...]] = {
    "constant": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "pert": ("low", "mode", "high", "shape"),
    "normal": ("mean", "sd"),
    "truncnormal": ("mean", "sd", "low", "high"),
    "lognormal": ("median", "sigma"),
    "beta": ("a", "b", "low", "high"),
    "gamma": ("shape", "scale", "loc"),
    "choice": (),
    "empirical": (),
}

_NO_TWIN = frozenset({"constant", "choice", "empirical"})


def has_scipy_twin(family: str) -> bool:
    """Whether a family has a scipy.stats twin (the discrete and data-driven ones do not)."""
    return family in PARAM_NAMES and family not in _NO_TWIN


def scipy_twin(family: str, params: tuple[float, ...]):
    """The frozen ``scipy.stats`` distribution with the same law.

    Parameters
    ----------
    family : str
        A family name with a twin (see :func:`has_scipy_twin`).
    params : tuple of float
        Canonical parameters in the input's units (see :data:`PARAM_NAMES`).

    Returns
    -------
    scipy.stats frozen distribution

    Raises
    ------
    ValueError
        If the family has no twin.
    """
    import scipy.stats as st

    p = params
    if family == "uniform":
        return st.uniform(loc=p[0], scale=p[1] - p[0])
    if family == "triangular":
        return st.triang((p[1] - p[0]) / (p[2] - p[0]), loc=p[0], scale=p[2] - p[0])
    if family == "pert":
        low, mode, high, shape = p
        width = high - low
        return st.beta(
            1 + shape * (mode - low) / width,
            1 + shape * (high - mode) / width,
            loc=low,
            scale=width,
        )
    if family == "normal":
        return st.norm(p[0], p[1])
    if family == "truncnormal":
        return st.truncnorm((p[2] - p[0]) / p[1], (p[3] - p[0]) / p[1], loc=p[0], scale=p[1])
    if family == "lognormal":
        return st.lognorm(p[1], scale=p[0])
    if family == "beta":
        return st.beta(p[0], p[1], loc=p[2], scale=p[3] - p[2])
    if family == "gamma":
        return st.gamma(p[0], loc=p[2], scale=p[1])
    raise ValueError(f"family {family!r} has no scipy.stats twin")
