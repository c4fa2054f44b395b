"""How input values appear in error messages: shortened, one line, characters escaped."""

from __future__ import annotations

import reprlib

__all__ = ["shown"]


class _Short(reprlib.Repr):
    def repr_dict(self, x, level):
        # As written (reprlib sorts the keys): the user finds the table they typed.
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        items = [
            f"{self.repr1(k, level - 1)}: {self.repr1(v, level - 1)}"
            for k, v in list(x.items())[: self.maxdict]
        ]
        more = ", ..." if len(x) > self.maxdict else ""
        return "{" + ", ".join(items) + more + "}"


_REPR = _Short()
# A message names the value so the user can find it; a value nested 300 deep or a
# list of 100,000 numbers must not become a message of megabytes.
_REPR.maxlevel = 3
_REPR.maxlist = 8
_REPR.maxtuple = 8
_REPR.maxdict = 8
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlong = 40


def shown(value) -> str:
    """``repr(value)``, shortened for an error message.

    Parameters
    ----------
    value : object
        Any parsed input value (number, string, list, table).

    Returns
    -------
    str
        The repr with at most 8 items per list or table, 3 levels of nesting and 80
        characters per string (``...`` marks what is left out); control characters
        are escaped, as in any repr.
    """
    return _REPR.repr(value)
