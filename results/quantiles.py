"""Exact order statistics of data read in chunks, for columns too large for memory.

Method (histogram refinement, exact):

1. The caller knows each column's finite count ``n``, minimum and maximum (one pass).
2. A pass over the chunks counts the values of ``[min, max]`` in ``bins`` equal-width
   bins and keeps each bin's smallest and largest value. The cumulative counts
   give, for each wanted rank ``k`` (0-based, in sorted order), the bin holding
   it and the number of values before that bin.
3. The values of that bin are exactly those of ``[bin min, bin max]`` (the bin
   index is a non-decreasing function of the value, so a bin is an interval of
   the sorted data). If it holds at most ``max_collect`` values, the next pass
   collects them and sorts them: the order statistic is read off exactly. If it
   holds more (a spike in the data), step 2 repeats inside the bin; each level
   leaves at least one value out (the bin's minimum and maximum fall in
   different sub-bins), and a bin whose minimum equals its maximum is resolved
   at once (ties).

The result equals ``numpy.sort(column)[k]`` bit for bit, so percentiles built on
it equal ``numpy.percentile`` (there is no approximation error to bound). The
cost is one pass per level: typically two passes after the min/max pass (with
2**16 bins a bin of 10**9 spread-out values holds ~15,000), plus one per extra
level for heavily concentrated data; memory is ``bins`` counters per pending
bin and at most ``max_collect`` values per pending bin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

DEFAULT_BINS = 2**16
DEFAULT_MAX_COLLECT = 2**20
MAX_LEVELS = 64  # a double has 64 bits: no interval survives that many splits


@dataclass
class _Bin:
    """Values in ``[low, high]`` of one column: ``below`` smaller ones, ``count`` inside."""

    low: float
    high: float
    below: int
    count: int
    ranks: list[int]
    level: int = 0
    counts: np.ndarray | None = None
    mins: np.ndarray | None = None
    maxs: np.ndarray | None = None
    parts: list[np.ndarray] = field(default_factory=list)

    def collects(self, bins: int, max_collect: int) -> bool:
        return (
            self.count <= max_collect
            or self.level >= MAX_LEVELS
            or not np.isfinite(_scale(self.low, self.high, bins))
        )


def _scale(low: float, high: float, bins: int) -> float:
    # Halved operands keep ``high - low`` finite for any pair of finite doubles.
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        width = np.float64(high) * 0.5 - np.float64(low) * 0.5
        return bins / width if width > 0 else np.inf


def bin_index(values: np.ndarray, low: float, high: float, bins: int) -> np.ndarray:
    """Equal-width bin of each value of ``[low, high]``: non-decreasing in the value.

    Parameters
    ----------
    values : ndarray of float64
        Values within ``[low, high]``.
    low, high : float
        The interval (``low < high``).
    bins : int
        Number of bins.

    Returns
    -------
    ndarray of int64
        In ``0 .. bins - 1``; ``low`` in bin 0 and ``high`` in the last.
    """
    scale = _scale(low, high, bins)
    position = (values * 0.5 - np.float64(low) * 0.5) * scale
    return np.minimum(position.astype(np.int64), bins - 1)


def order_statistics(
    chunks: Callable[[], Iterable[Mapping[str, np.ndarray]]],
    columns: Mapping[str, tuple[int, float, float]],
    ranks: Mapping[str, Sequence[int]],
    bins: int = DEFAULT_BINS,
    max_collect: int = DEFAULT_MAX_COLLECT,
    first_pass: Callable[[Mapping[str, np.ndarray]], None] | None = None,
) -> dict[str, dict[int, float]]:
    """Exact order statistics of several columns, in passes over their chunks.

    Parameters
    ----------
    chunks : callable returning an iterable of {name: ndarray}
        Called once per pass; yields successive chunks of every column (finite
        values only, float64; any chunking, the same in every pass).
    columns : mapping of name to (n, min, max)
        Finite count, minimum and maximum of each column.
    ranks : mapping of name to sequence of int
        0-based ranks wanted per column, in ``0 .. n - 1``.
    bins : int
        Bins per refinement level.
    max_collect : int
        Most values of one bin gathered in memory to sort.
    first_pass : callable({name: ndarray}) or None
        Also called with every chunk of the first pass (to fold another
        statistic into the same read, e.g. centred moments).

    Returns
    -------
    dict of name to {rank: value}
        ``numpy.sort(column)[rank]`` for every wanted rank.
    """
    if bins < 2:
        raise ValueError(f"bins = {bins}: need at least 2")
    if max_collect < 1:
        raise ValueError(f"max_collect = {max_collect}: need at least 1")
    found: dict[str, dict[int, float]] = {name: {} for name in ranks}
    pending: dict[str, list[_Bin]] = {}
    for name, wanted in ranks.items():
        n, low, high = columns[name]
        wanted = sorted({int(k) for k in wanted})
        if any(not 0 <= k < n for k in wanted):
            raise ValueError(f"{name}: ranks must lie in 0..{n - 1}, got {wanted}")
        if wanted:
            pending[name] = _resolve_or_keep([_Bin(low, high, 0, n, wanted)], found[name])
    hook = first_pass
    while hook is not None or any(pending.values()):
        for items in pending.values():
            for item in items:
                if item.collects(bins, max_collect):
                    item.parts = []
                else:
                    item.counts = np.zeros(bins, dtype=np.int64)
                    item.mins = np.full(bins, np.inf)
                    item.maxs = np.full(bins, -np.inf)
        for chunk in chunks():
            if hook is not None:
                hook(chunk)
            for name, items in pending.items():
                values = chunk[name]
                for item in items:
                    inside = values[(values >= item.low) & (values <= item.high)]
                    if item.parts is not None and item.counts is None:
                        item.parts.append(inside)
                        continue
                    index = bin_index(inside, item.low, item.high, bins)
                    item.counts += np.bincount(index, minlength=bins)
                    np.minimum.at(item.mins, index, inside)
                    np.maximum.at(item.maxs, index, inside)
        hook = None
        for name, items in pending.items():
            following = []
            for item in items:
                if item.counts is None:
                    ordered = np.sort(np.concatenate(item.parts)) if item.parts else np.empty(0)
                    for k in item.ranks:
                        found[name][k] = float(ordered[k - item.below])
                else:
                    following += _split(item, bins)
            pending[name] = _resolve_or_keep(following, found[name])
    return found


def _split(item: _Bin, bins: int) -> list[_Bin]:
    before = np.concatenate([[0], np.cumsum(item.counts)]) + item.below
    by_bin: dict[int, list[int]] = {}
    for k in item.ranks:
        j = int(np.searchsorted(before, k, side="right")) - 1
        by_bin.setdefault(j, []).append(k)
    return [
        _Bin(
            float(item.mins[j]),
            float(item.maxs[j]),
            int(before[j]),
            int(item.counts[j]),
            ks,
            item.level + 1,
        )
        for j, ks in by_bin.items()
    ]


def _resolve_or_keep(items: list[_Bin], found: dict[int, float]) -> list[_Bin]:
    keep = []
    for item in items:
        item.parts = None
        if item.low == item.high:  # every value of the bin is the same: ties resolve at once
            for k in item.ranks:
                found[k] = item.low
        else:
            keep.append(item)
    return keep
