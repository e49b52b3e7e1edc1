"""Name-based registries: samplers, generators, encoders resolve by short name.

:meth:`Registry.make` is the one resolution every caller uses: a registered name
is built with the keyword arguments, an instance of the registry's ``base`` type
passes through unchanged, anything else is a :class:`TypeError`, and an unknown
name lists the known ones with "did you mean" suggestions.

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
from typing import Any, Callable, Dict, Generic, Iterable, Iterator, List, Optional, TypeVar

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
    base : type or tuple of types, optional
        Instances of it pass through :meth:`make` unchanged (``NegativeSampler``,
        ``torch.nn.Module``). It may be set later (``reg.base = cls``) when the base
        class is defined after the registry. ``None``: :meth:`make` takes names only.
    param : str, optional
        The parameter named in :meth:`make`'s errors; defaults to the last word of
        ``kind`` (``"hyperedge sampler"`` -> ``'sampler'``).
    base_name : str, optional
        How errors name ``base``; defaults to its class name.

    Examples
    --------
    >>> class Widget:
    ...     def __init__(self, size=1):
    ...         self.size = size
    >>> widgets = Registry("widget", base=Widget)
    >>> _ = widgets.add("small", Widget)
    >>> widgets.make("small", size=2).size
    2
    >>> w = Widget(3)
    >>> widgets.make(w) is w
    True
    >>> widgets.make("smal")
    Traceback (most recent call last):
    ...
    ValueError: Unknown widget 'smal'. Known widgets: 'small'. Did you mean 'small'?
    >>> widgets.make(3)
    Traceback (most recent call last):
    ...
    TypeError: The 'widget' parameter must be a registered widget name or a Widget. Got int instead.
    """

    def __init__(self, kind: str, *, base: Any = None, param: Optional[str] = None,
                 base_name: Optional[str] = None):
        self.kind = kind
        self.base = base
        self.param = param or kind.split()[-1]
        self.base_name = base_name
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

    def make(self, name_or_instance: Any, **kwargs: Any) -> Any:
        """Build the object registered as a name, or pass an instance through.

        Parameters
        ----------
        name_or_instance : str or instance of ``base``
            A registered name is called with ``kwargs`` (a class is instantiated, a
            function is called); an instance of ``base`` is returned unchanged and
            ``kwargs`` are ignored (it is already configured).
        **kwargs
            Arguments for the registered class or function.

        Raises
        ------
        ValueError
            For an unknown name (the message lists the known ones and suggests close
            matches).
        TypeError
            For anything that is neither a str nor an instance of ``base``.
        """
        if isinstance(name_or_instance, str):
            return self.get(name_or_instance)(**kwargs)
        if self.base is not None and isinstance(name_or_instance, self.base):
            return name_or_instance
        what = f"a registered {self.kind} name"
        if self.base is not None:
            bases = self.base if isinstance(self.base, tuple) else (self.base,)
            what += " or a " + (self.base_name or " or ".join(b.__name__ for b in bases))
        raise TypeError(f"The '{self.param}' parameter must be {what}. "
                        f"Got {type(name_or_instance).__name__} instead.")

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
