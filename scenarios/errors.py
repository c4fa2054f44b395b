"""The error raised for bad scenario input, did-you-mean suggestions, shortened values."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from distributions.messages import shown

__all__ = ["ScenarioError", "did_you_mean", "shown"]


class ScenarioError(ValueError):
    """Bad scenario input: the message names the file, key path, value and the fix."""


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest candidate, or ``""``.

    Parameters
    ----------
    word : str
        The unknown word.
    candidates : iterable of str
        Known words.

    Returns
    -------
    str
        A suffix for an error message.
    """
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
