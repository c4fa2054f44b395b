"""Seeds and per-block random streams.

Randomness is cut into fixed blocks of :data:`BLOCK_SIZE` samples. Block ``k``
draws from the child stream ``SeedSequence(entropy, spawn_key + (k,))``, which is
what ``SeedSequence.spawn`` would hand out as its ``k``-th child, computed
directly so that any worker can make any block's stream without the others.
Chunks are whole numbers of blocks, so results do not depend on the chunk size,
the thread count or the number of workers.
"""

from __future__ import annotations

import numpy as np

BLOCK_SIZE = 16384  # samples per random block: the unit of reproducibility

# Spawn keys of the streams that are not sample blocks, far above any block number, so
# no stream is ever drawn twice for two purposes.
RUN_SOBOL_SCRAMBLE_KEY = 2**63 - 1  # the scrambling of a run's Sobol design
SOBOL_DESIGN_KEY = 2**63 - 2  # the scrambling of a Sobol analysis's Saltelli design
SOBOL_BOOTSTRAP_KEY = 2**63 - 3  # the bootstrap of a Sobol analysis's intervals
INDEPENDENT_STREAM_KEY = 2**62  # + i: scenario i's own stream in a comparison without CRN


def as_seed_sequence(seed: int | np.random.SeedSequence | None) -> np.random.SeedSequence:
    """Normalise a user seed into a SeedSequence.

    Parameters
    ----------
    seed : int, SeedSequence or None
        A non-negative integer, an existing SeedSequence, or None for fresh OS
        entropy (the entropy is kept in the result so the run can be repeated).

    Returns
    -------
    numpy.random.SeedSequence
        The root sequence.
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed = {seed!r}: must be a non-negative integer (or omitted)")
    return np.random.SeedSequence(int(seed))


def fresh_seed() -> int:
    """A new root seed from OS entropy, as an integer that reproduces it (``--seed``).

    Returns
    -------
    int
        The entropy of a fresh :class:`numpy.random.SeedSequence` (128 bits).
    """
    return int(np.random.SeedSequence().entropy)


def block_seed(root: np.random.SeedSequence, block_index: int) -> np.random.SeedSequence:
    """The child sequence of one block, independent of every other block's.

    Parameters
    ----------
    root : SeedSequence
        The run's root sequence.
    block_index : int
        Zero-based block number.

    Returns
    -------
    SeedSequence
        ``root.spawn``'s child number ``block_index``.
    """
    return np.random.SeedSequence(
        entropy=root.entropy, spawn_key=(*root.spawn_key, int(block_index))
    )


def derived_seed(root: np.random.SeedSequence, key: int) -> int:
    """An integer seed for a library that takes one (SALib, the bootstrap), from ``root``.

    The integer comes from the child stream ``key`` (one of the keys above), so it
    differs from every sample block's stream. It is never 0: SALib reads a seed of
    0 as "no seed" and would draw unseeded.

    Parameters
    ----------
    root : SeedSequence
        The analysis's root sequence.
    key : int
        Spawn key of the purpose (e.g. :data:`SOBOL_DESIGN_KEY`).

    Returns
    -------
    int
        A seed in ``1 .. 2**32 - 1``.
    """
    state = int(block_seed(root, key).generate_state(1, np.uint32)[0])
    return state % (2**32 - 1) + 1


def block_generator(root: np.random.SeedSequence, block_index: int) -> np.random.Generator:
    """A PCG64 generator for one block.

    Parameters
    ----------
    root : SeedSequence
        The run's root sequence.
    block_index : int
        Zero-based block number.

    Returns
    -------
    numpy.random.Generator
        The block's generator.
    """
    return np.random.Generator(np.random.PCG64(block_seed(root, block_index)))


def seed_to_int(root: np.random.SeedSequence) -> int:
    """The root entropy as an int, for provenance (``entropy`` may be a large int)."""
    entropy = root.entropy
    return int(entropy) if not isinstance(entropy, list | tuple) else int(entropy[0])
