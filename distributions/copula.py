"""Rank correlation between uncertain inputs through a Gaussian copula.

A run samples the unit cube, one column per input, and maps each column
through its marginal's inverse CDF. Correlation is imposed on the unit-cube
columns *before* that mapping: the correlated columns of each row are sent to
normal scores ``z = Phi^-1(u)``, mixed with the Cholesky factor ``L`` of the
normal-score correlation matrix (``y = L z``) and sent back with ``Phi``.
Each ``y_k`` is standard normal, so each column is still exactly U(0, 1) and
the marginals are exactly as specified; only the dependence changes.

Users give Spearman rank correlations, which the inverse CDFs do not change
(they are monotone). Under a Gaussian copula the Pearson correlation of the
normal scores that gives Spearman ``rho_s`` is ``2 sin(pi rho_s / 6)``.

Public API
----------
spearman_to_normal(rho_s)
    Spearman rank correlation -> normal-score correlation.
validate_correlation(matrix, names, where)
    Shape, symmetry, unit diagonal and range checks with named errors.
nearest_correlation(matrix, floor=1e-8)
    Higham's alternating projections to the nearest correlation matrix.
prepare_copula(spearman, names, where, repair=True)
    Everything above in one call; returns a :class:`Copula`.
apply_copula(u, columns, cholesky, out)
    Numba kernel that correlates the selected columns of a unit-cube block.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np

from ._special import ndtr, ndtri
from .jit import jit

__all__ = [
    "U_MAX",
    "U_MIN",
    "Copula",
    "apply_copula",
    "nearest_correlation",
    "normal_to_spearman",
    "prepare_copula",
    "spearman_to_normal",
    "validate_correlation",
]

SYMMETRY_TOL = 1e-12
EIGEN_FLOOR = 1e-8
# Clip bounds for the unit-cube values: the smallest normal double (the floor
# simulate.engine.design already applies) and the largest double below 1. Phi^-1 is
# finite on [U_MIN, U_MAX] (about -37.5 and 8.3), so no row can produce
# inf - inf = NaN inside L z.
U_MIN = float(np.finfo(np.float64).tiny)
U_MAX = 1.0 - 2.0**-53
# Rows per parallel task in apply_copula: each task owns one scratch vector,
# so the allocation is paid per task rather than per row.
_ROWS_PER_TASK = 4096


def spearman_to_normal(rho_s):
    """Normal-score (Pearson) correlation giving Spearman correlation ``rho_s``.

    Parameters
    ----------
    rho_s : float or array_like
        Spearman rank correlation(s) in [-1, 1].

    Returns
    -------
    float or ndarray of float64
        ``2 sin(pi rho_s / 6)``, same shape as ``rho_s``. The map is odd,
        increasing, fixes 0 and +-1, and moves no value by more than 0.0181.

    Notes
    -----
    For a bivariate normal with correlation ``r``, Spearman's rho is
    ``(6 / pi) arcsin(r / 2)``; this function is its inverse. Spearman's rho
    is invariant under the monotone marginal transforms, so it carries over
    from the normal scores to the sampled inputs.

    References
    ----------
    K. Pearson, "On further methods of determining correlation", Drapers'
    Company Research Memoirs, Biometric Series IV (1907).
    W. H. Kruskal, "Ordinal measures of association", J. Amer. Statist.
    Assoc. 53 (1958) 814-861, doi:10.1080/01621459.1958.10501481.
    """
    rho_s = np.asarray(rho_s, dtype=np.float64)
    r = 2.0 * np.sin(np.pi * rho_s / 6.0)
    # sin(pi / 6) rounds to 0.49999999999999994: put the endpoints back on +-1.
    r = np.where(np.abs(rho_s) == 1.0, np.sign(rho_s), r)
    return float(r) if r.ndim == 0 else r


def normal_to_spearman(r):
    """Spearman correlation of a Gaussian copula with normal-score correlation ``r``.

    Parameters
    ----------
    r : float or array_like
        Pearson correlation(s) of the normal scores, in [-1, 1].

    Returns
    -------
    float or ndarray of float64
        ``(6 / pi) arcsin(r / 2)``, the inverse of :func:`spearman_to_normal`.

    References
    ----------
    W. H. Kruskal, J. Amer. Statist. Assoc. 53 (1958) 814-861,
    doi:10.1080/01621459.1958.10501481.
    """
    rho = 6.0 / np.pi * np.arcsin(np.clip(np.asarray(r, dtype=np.float64), -1.0, 1.0) / 2.0)
    return float(rho) if rho.ndim == 0 else rho


def validate_correlation(matrix, names: Sequence[str], where: str) -> np.ndarray:
    """Check a correlation matrix and return it as a clean float64 array.

    Parameters
    ----------
    matrix : array_like, shape (k, k)
        Correlations (Spearman or normal-score; the checks are the same).
    names : sequence of str
        Name of each row/column, used in the error messages.
    where : str
        Where the matrix came from (file and key), first in every message.

    Returns
    -------
    ndarray of float64, shape (k, k)
        The matrix made exactly symmetric (mean of it and its transpose) with
        an exact unit diagonal.

    Raises
    ------
    ValueError
        If the matrix is not square, does not match ``names``, has a
        non-finite entry, is not symmetric within 1e-12, has a diagonal entry
        other than 1, or has an entry outside [-1, 1]. The message names
        ``where``, the offending pair, the value and the fix.
    """
    names = list(names)
    a = np.array(matrix, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(
            f"{where}: correlation matrix has shape {a.shape}: it must be square, "
            f"one row and one column per name ({len(names)} x {len(names)})"
        )
    k = a.shape[0]
    if k != len(names):
        raise ValueError(
            f"{where}: correlation matrix is {k} x {k} but {len(names)} names are given "
            f"({', '.join(names)}): give one row and one column per name"
        )
    for i in range(k):
        for j in range(k):
            if not math.isfinite(a[i, j]):
                raise ValueError(
                    f"{where}: correlation {names[i]} ~ {names[j]} = {float(a[i, j])!r}: "
                    "must be a finite number in [-1, 1]"
                )
    for i in range(k):
        if abs(a[i, i] - 1.0) > SYMMETRY_TOL:
            raise ValueError(
                f"{where}: correlation of {names[i]} with itself = {float(a[i, i])!r}: "
                "the diagonal must be 1"
            )
    for i in range(k):
        for j in range(i + 1, k):
            if abs(a[i, j] - a[j, i]) > SYMMETRY_TOL:
                raise ValueError(
                    f"{where}: correlation matrix is not symmetric: {names[i]} ~ {names[j]} = "
                    f"{float(a[i, j])!r} but {names[j]} ~ {names[i]} = {float(a[j, i])!r}; "
                    "give the same value in both places"
                )
            if abs(a[i, j]) > 1.0:
                raise ValueError(
                    f"{where}: correlation {names[i]} ~ {names[j]} = {float(a[i, j])!r}: "
                    "must be in [-1, 1]"
                )
    a = 0.5 * (a + a.T)
    np.fill_diagonal(a, 1.0)
    return a


def _project_eigen_floor(x: np.ndarray, floor: float) -> np.ndarray:
    # Frobenius-nearest symmetric matrix with every eigenvalue >= floor:
    # clip the spectrum (Higham 2002, Theorem 3.2 with the PSD cone shifted by
    # floor * I, still a closed convex set).
    w, v = np.linalg.eigh(x)
    y = (v * np.maximum(w, floor)) @ v.T
    return 0.5 * (y + y.T)


def nearest_correlation(
    matrix, floor: float = EIGEN_FLOOR, tol: float = 1e-12, max_iter: int = 10_000
) -> np.ndarray:
    """Nearest positive definite correlation matrix in the Frobenius norm.

    Parameters
    ----------
    matrix : array_like, shape (k, k)
        A symmetric matrix (typically with unit diagonal, not positive
        semidefinite).
    floor : float, optional
        Smallest eigenvalue allowed before the final rescaling, so the result
        is positive definite (Cholesky works) and not merely semidefinite.
    tol : float, optional
        Stop when successive iterates change by less than ``tol`` relative
        (Frobenius norm).
    max_iter : int, optional
        Iteration cap; reaching it raises ``RuntimeError`` (it does not happen
        for inputs with entries in [-1, 1], which converge in tens to a few
        thousand iterations).

    Returns
    -------
    ndarray of float64, shape (k, k)
        Symmetric, exactly unit diagonal, positive definite. A matrix that is
        already a correlation matrix with smallest eigenvalue >= ``floor / 2``
        is returned unchanged (exact symmetrised copy), so the function is
        idempotent.

    Raises
    ------
    ValueError
        If ``matrix`` is not square, not finite or not symmetric.

    Notes
    -----
    Alternating projections with Dykstra's correction (Higham 2002,
    Algorithm 3.3, unit weights) between

    * ``S``: symmetric matrices with eigenvalues >= ``floor`` (Higham uses the
      semidefinite cone, ``floor = 0``); projection clips the eigenvalues;
    * ``U``: symmetric matrices with unit diagonal; projection sets it to 1.

    Both sets are closed and convex, so Dykstra's method converges to the
    nearest point of their intersection, not just to some point in it.
    The last ``S``-iterate is returned after the congruence
    ``D^-1/2 X D^-1/2`` with ``D = diag(X)``: congruence keeps it positive
    definite and makes the diagonal exactly 1, and since ``diag(X)`` is within
    ``tol`` of 1 at convergence it moves the matrix by about ``tol``.

    References
    ----------
    N. J. Higham, "Computing the nearest correlation matrix - a problem from
    finance", IMA J. Numer. Anal. 22 (2002) 329-343,
    doi:10.1093/imanum/22.3.329.
    R. L. Dykstra, "An algorithm for restricted least squares regression",
    J. Amer. Statist. Assoc. 78 (1983) 837-842,
    doi:10.1080/01621459.1983.10477029.
    """
    a = np.array(matrix, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"nearest_correlation: matrix has shape {a.shape}: it must be square")
    if not np.all(np.isfinite(a)):
        raise ValueError("nearest_correlation: matrix has non-finite entries")
    if np.max(np.abs(a - a.T), initial=0.0) > SYMMETRY_TOL:
        raise ValueError("nearest_correlation: matrix is not symmetric (tolerance 1e-12)")
    if not (0.0 <= floor < 1.0):
        raise ValueError(f"nearest_correlation: floor = {floor!r}: must be in [0, 1)")
    a = 0.5 * (a + a.T)
    if a.shape[0] == 0:
        return a
    # Already valid: leave it alone. Half the floor is accepted because this
    # function's own output can sit a rounding error below the floor after the
    # final rescaling, and a second call should then change nothing.
    if np.all(np.diag(a) == 1.0) and np.linalg.eigvalsh(a)[0] >= 0.5 * floor:
        return a

    y = a.copy()
    ds = np.zeros_like(a)  # Dykstra's correction for the (only non-affine) set S
    x = y
    for _ in range(max_iter):
        r = y - ds
        x = _project_eigen_floor(r, floor)
        ds = x - r
        y_new = x.copy()
        np.fill_diagonal(y_new, 1.0)  # projection onto U
        change = np.linalg.norm(y_new - y) / max(np.linalg.norm(y_new), 1.0)
        gap = np.linalg.norm(y_new - x) / max(np.linalg.norm(y_new), 1.0)
        y = y_new
        if change <= tol and gap <= tol:
            break
    else:
        raise RuntimeError(
            f"nearest_correlation: no convergence in {max_iter} iterations "
            f"(last relative change {change:.2e})"
        )
    d = 1.0 / np.sqrt(np.diag(x))
    c = x * np.outer(d, d)
    c = 0.5 * (c + c.T)
    np.fill_diagonal(c, 1.0)
    return c


@dataclass(frozen=True)
class Copula:
    """A validated Gaussian copula over named inputs.

    Attributes
    ----------
    names : tuple of str
        Correlated inputs, in the order of the matrix rows.
    spearman : ndarray of float64, shape (k, k)
        Spearman rank correlations as given (validated, symmetrised).
    normal_corr : ndarray of float64, shape (k, k)
        Correlation of the normal scores actually used (after repair, if any).
    cholesky : ndarray of float64, shape (k, k)
        Lower Cholesky factor of ``normal_corr``.
    warning : str or None
        Set when the matrix had to be repaired: says so and lists the largest
        changes. The caller shows it to the user.
    """

    names: tuple[str, ...]
    spearman: np.ndarray
    normal_corr: np.ndarray
    cholesky: np.ndarray
    warning: str | None = None

    @property
    def effective_spearman(self) -> np.ndarray:
        """Spearman correlations the copula produces (differs from ``spearman`` after repair)."""
        rho = normal_to_spearman(self.normal_corr)
        np.fill_diagonal(rho, 1.0)
        return rho

    def positions(self, paths: Sequence[str]) -> np.ndarray:
        """Column of each correlated input in a design whose columns are ``paths``.

        Parameters
        ----------
        paths : sequence of str
            Input path of each unit-cube column (e.g. ``SamplingPlan.paths``).

        Returns
        -------
        ndarray of int64, shape (k,)
            ``columns`` argument for :func:`apply_copula`.

        Raises
        ------
        ValueError
            If a correlated input is not among ``paths``.
        """
        index = {p: j for j, p in enumerate(paths)}
        missing = [n for n in self.names if n not in index]
        if missing:
            raise ValueError(
                f"correlated inputs {', '.join(missing)} are not sampled columns of this run "
                f"({', '.join(paths)})"
            )
        return np.array([index[n] for n in self.names], dtype=np.int64)


def _repair_message(where, names, spearman, effective, smallest) -> str:
    k = len(names)
    changes = [
        (abs(effective[i, j] - spearman[i, j]), i, j) for i in range(k) for j in range(i + 1, k)
    ]
    changes.sort(key=lambda c: (-c[0], c[1], c[2]))
    lines = [
        f"{names[i]} ~ {names[j]}: {spearman[i, j]:.4g} -> {effective[i, j]:.4g}"
        for delta, i, j in changes[:5]
        if delta >= 5e-5
    ]
    return (
        f"{where}: the correlations are not jointly possible (the normal-score matrix is "
        f"not positive definite; smallest eigenvalue {smallest:.3g}); using the nearest "
        "valid correlation matrix (Higham 2002). Largest changes (Spearman): "
        + ("; ".join(lines) if lines else "all below 5e-5")
        + ". To silence this, give correlations that are consistent with each other."
    )


def prepare_copula(spearman, names: Sequence[str], where: str, repair: bool = True) -> Copula:
    """Validate Spearman correlations and build the Gaussian copula for them.

    Parameters
    ----------
    spearman : array_like, shape (k, k)
        Spearman rank correlations between the inputs ``names``.
    names : sequence of str
        Input names (key paths), one per row.
    where : str
        Origin of the matrix (file and key), for messages.
    repair : bool, optional
        If the normal-score matrix is not positive definite, replace it with
        the nearest correlation matrix and explain in ``Copula.warning``
        (True), or raise (False).

    Returns
    -------
    Copula
        With the normal-score matrix, its lower Cholesky factor and any
        repair warning.

    Raises
    ------
    ValueError
        From :func:`validate_correlation`, or, with ``repair=False``, if the
        matrix is not positive definite (the message gives the smallest
        eigenvalue and the fix).

    References
    ----------
    R. L. Iman and W. J. Conover, "A distribution-free approach to inducing
    rank correlation among input variables", Commun. Statist. Simul. Comput.
    11 (1982) 311-334, doi:10.1080/03610918208812265 (rank correlation via
    normal scores). N. J. Higham, IMA J. Numer. Anal. 22 (2002) 329-343,
    doi:10.1093/imanum/22.3.329 (repair).
    """
    names = tuple(names)
    rho_s = validate_correlation(spearman, names, where)
    r = spearman_to_normal(rho_s)
    np.fill_diagonal(r, 1.0)
    warning = None
    try:
        lower = np.linalg.cholesky(r)
    except np.linalg.LinAlgError:
        smallest = float(np.linalg.eigvalsh(r)[0])
        if not repair:
            raise ValueError(
                f"{where}: the correlations between {', '.join(names)} are not jointly "
                f"possible: the normal-score correlation matrix is not positive definite "
                f"(smallest eigenvalue {smallest:.3g}). Weaken the strongest correlations "
                "(e.g. a ~ b and a ~ c both strongly positive force b ~ c to be positive), "
                "or allow repair to the nearest valid matrix"
            ) from None
        r = nearest_correlation(r)
        lower = np.linalg.cholesky(r)
        effective = normal_to_spearman(r)
        warning = _repair_message(where, names, rho_s, effective, smallest)
    for arr in (rho_s, r, lower):
        arr.flags.writeable = False
    return Copula(names, rho_s, r, lower, warning)


@jit(parallel=True)
def apply_copula(u, columns, cholesky, out):
    """Correlate selected columns of a unit-cube block (Gaussian copula).

    Parameters
    ----------
    u : ndarray of float64, shape (n, d)
        Unit-cube points, one column per sampled input.
    columns : ndarray of int64, shape (k,)
        Positions in ``u`` of the correlated columns, in the order of the
        rows of ``cholesky`` (distinct, each in ``0 .. d-1``).
    cholesky : ndarray of float64, shape (k, k)
        Lower Cholesky factor of the normal-score correlation matrix
        (``Copula.cholesky``); only its lower triangle is read.
    out : ndarray of float64, shape (n, d)
        Output, filled in place; may be ``u`` itself.

    Notes
    -----
    Row by row: ``z_k = Phi^-1(u[i, columns[k]])``, ``y = L z``,
    ``out[i, columns[k]] = Phi(y_k)``; the other columns are copied
    unchanged. A row's inputs are all read before any of its outputs are
    written, so ``out`` may alias ``u``.

    Values are clipped to ``[U_MIN, U_MAX]`` (the smallest normal double and
    the largest double below 1) on the way in, because ``Phi^-1`` is infinite
    at exactly 0 or 1 and one infinite score would turn the whole row into
    ``inf - inf = NaN``; and on the way out, because ``Phi`` rounds to exactly
    1 above about 8.3 (and to 0 below -38), where an unbounded inverse CDF
    would return +-inf. The clip moves probability mass of less than 1e-16
    per column. NaN passes through as NaN.

    Rows are processed in parallel (``numba.prange``) in fixed blocks; each
    row depends only on its own inputs and the arithmetic order is fixed, so
    the result is bit-identical for any thread count.

    References
    ----------
    R. B. Nelsen, An Introduction to Copulas, 2nd ed., Springer (2006),
    section 3.1 (sampling a copula by transforming a sample of a simpler one),
    doi:10.1007/0-387-28678-0.
    """
    n, d = u.shape
    k = columns.shape[0]
    if out.shape[0] != n or out.shape[1] != d:
        raise ValueError("apply_copula: out must have the shape of u")
    if cholesky.shape[0] != k or cholesky.shape[1] != k:
        raise ValueError("apply_copula: cholesky must be k x k for k = len(columns)")
    for a in range(k):
        if columns[a] < 0 or columns[a] >= d:
            raise ValueError("apply_copula: a column position is outside 0 .. d-1")
        for b in range(a):
            if columns[a] == columns[b]:
                raise ValueError("apply_copula: a column position is repeated")
    n_tasks = (n + _ROWS_PER_TASK - 1) // _ROWS_PER_TASK
    for t in numba.prange(n_tasks):
        z = np.empty(k)
        stop = min(n, (t + 1) * _ROWS_PER_TASK)
        for i in range(t * _ROWS_PER_TASK, stop):
            for a in range(k):
                p = u[i, columns[a]]
                # Written as two comparisons so NaN fails both and stays NaN.
                if p < U_MIN:
                    p = U_MIN
                elif p > U_MAX:
                    p = U_MAX
                z[a] = ndtri(p)
            for j in range(d):
                out[i, j] = u[i, j]
            for a in range(k):
                y = 0.0
                for b in range(a + 1):
                    y += cholesky[a, b] * z[b]
                p = ndtr(y)
                if p < U_MIN:
                    p = U_MIN
                elif p > U_MAX:
                    p = U_MAX
                out[i, columns[a]] = p
