"""Designs in the unit cube: plain Monte Carlo, Latin hypercube, scrambled Sobol.

Every design is produced one block at a time (:data:`simulate.engine.seeding.BLOCK_SIZE`
samples), so a run of any size is made in bounded memory and each block can be
made on any worker:

- ``mc``: independent uniforms from the block's own PCG64 stream.
- ``lhs``: a Latin hypercube per block (each block is stratified on its own; a
  hypercube over all N would need N x d memory to permute). Over the run this
  is a stratified design at least as good as plain Monte Carlo for means.
- ``sobol``: one scrambled Sobol sequence (Owen scrambling, seeded from the root)
  cut into blocks with ``fast_forward``; a balanced design needs N a power of 2.
"""

from __future__ import annotations

import numpy as np

from simulate.engine.seeding import BLOCK_SIZE, RUN_SOBOL_SCRAMBLE_KEY, block_generator

DESIGNS = ("mc", "lhs", "sobol")


def unit_block(
    design: str,
    root: np.random.SeedSequence,
    block_index: int,
    n_rows: int,
    dims: int,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Points of one block of a design, in the open unit cube.

    Parameters
    ----------
    design : {"mc", "lhs", "sobol"}
        The design.
    root : SeedSequence
        The run's root sequence.
    block_index : int
        Zero-based block number; the block covers samples
        ``block_index * BLOCK_SIZE`` onwards.
    n_rows : int
        Rows to return (``BLOCK_SIZE``, or fewer for the run's last block).
    dims : int
        Number of uncertain dimensions.
    out : ndarray of float64, shape (n_rows, dims), optional
        C-contiguous array to fill (Monte Carlo draws straight into it).

    Returns
    -------
    ndarray of float64, shape (n_rows, dims)
        Points in (0, 1) (``out`` when given); exact zeros (possible in Sobol) are
        nudged to the smallest positive double so inverse CDFs stay finite.
    """
    if design not in DESIGNS:
        raise ValueError(f"design = {design!r}: must be one of {', '.join(DESIGNS)}")
    if out is None:
        out = np.empty((n_rows, dims))
    elif out.shape != (n_rows, dims) or not out.flags.c_contiguous:
        raise ValueError(f"out must be a C-contiguous ({n_rows}, {dims}) array, got {out.shape}")
    if dims == 0:
        return out
    if design == "mc":
        points = block_generator(root, block_index).random(out=out)
    elif design == "lhs":
        from scipy.stats import qmc  # here: scipy.stats costs most of a second to import

        sampler = qmc.LatinHypercube(d=dims, rng=block_generator(root, block_index))
        points = sampler.random(n_rows)
    else:
        from scipy.stats import qmc

        # Every block shares one scrambling, then skips ahead. The scrambling stream is a
        # child kept apart from the blocks' and built afresh: scipy spawns from the
        # generator's SeedSequence, which would otherwise mutate a shared one.
        scrambling = block_generator(root, RUN_SOBOL_SCRAMBLE_KEY)
        sampler = qmc.Sobol(d=dims, scramble=True, rng=scrambling)
        if block_index:
            sampler.fast_forward(block_index * BLOCK_SIZE)
        points = sampler.random(n_rows)
    np.maximum(points, np.finfo(np.float64).tiny, out=out)
    return out
