"""Name-based registries: samplers, generators, encoders resolve by short name.

Examples
--------
>>> reg = Registry("widget")
>>> @reg.register("a")
... def make_a():
...     return 1
>>> reg.get("a")()
1
>>> reg.get("b")
Traceback (most recent call last):
...
ValueError: Unknown widget 'b'. Known widgets: 'a'.
"""
from __future__ import annotations

import difflib
from typing import Callable, Dict, Generic, Iterable, Iterator, List, TypeVar

T = TypeVar("T")

__all__ = ["Registry", "did_you_mean"]


def did_you_mean(name: object, known: Iterable[object]) -> str:
    """``" Did you mean 'x'?"`` for the known names closest to ``name``, else ``""``.

    Uses :func:`difflib.get_close_matches` (ratio >= 0.6, at most three), so an error
    message can end with it.

    Examples
    --------
    >>> did_you_mean("unifrom", ["uniform", "degree"])
    " Did you mean 'uniform'?"
    >>> did_you_mean("zzz", ["uniform"])
    ''
    """
    close = difflib.get_close_matches(str(name), [str(k) for k in known], n=3)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"


class Registry(Generic[T]):
    """A mapping from short names to objects, with one error format.

    Parameters
    ----------
    kind : str
        What the registry holds (``"sampler"``, ``"generator"``), used in errors.
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._items: Dict[str, T] = {}

    def add(self, name: str, obj: T) -> T:
        """Register ``obj`` under ``name``; a second object under one name is an error."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"A {self.kind} name must be a non-empty str. Got {name!r} instead.")
        if name in self._items and self._items[name] is not obj:
            raise ValueError(f"The {self.kind} name {name!r} is already registered "
                             f"to {self._items[name]!r}.")
        self._items[name] = obj
        return obj

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of :meth:`add`."""
        def deco(obj: T) -> T:
            return self.add(name, obj)
        return deco

    def get(self, name: str) -> T:
        """Return the object registered as ``name``; unknown names list the known ones."""
        try:
            return self._items[name]
        except (KeyError, TypeError):
            known = ", ".join(repr(k) for k in sorted(self._items))
            raise ValueError(f"Unknown {self.kind} {name!r}. Known {self.kind}s: {known}."
                             f"{did_you_mean(name, self._items)}") from None

    def names(self) -> List[str]:
        """The registered names, sorted."""
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {self.names()})"
