r"""Parameter validation: rules declared as data, one validator, one message format.

Every error reads like scikit-learn's::

    The 'num_neg' parameter of UniformNegativeSampler must be an int in [1, inf). Got -1 instead.

A wrong *type* raises :class:`TypeError`, a right type with a wrong *value*
raises :class:`ValueError`. Nothing here uses ``assert`` (which vanishes under
``python -O``) and nothing clips silently.

Rules as data
-------------
A class states the rules of the parameters its ``__init__`` introduces in
``_parameter_constraints``, beside an explicit signature. Each parameter maps to
a list of constraints; a value is valid when it satisfies *any* of them:

* :class:`Interval` ``(Integral | Real, left, right, closed=...)``: a number in a
  range (``None`` for an unbounded side); ``Real`` means a *finite* float.
* :class:`Options` ``(("raise", "drop"))``: one of a few values (the tuple's order
  is the order the message lists them in).
* :class:`Boolean`, :class:`SeedType` (``int >= 0``, a ``torch.Generator`` or
  ``None``), :class:`InstanceOf` ``(type)``, :class:`CallableType`,
  :class:`NoValidation`, and plain ``None`` (the value ``None`` is allowed).

:class:`ParamsMixin` merges the declarations along the MRO (a subclass declares
only the parameters it adds), validates them with :func:`validate_params` in
``self._validate_params(locals())``, stores each one as an attribute of the same
name, and derives ``repr`` and :meth:`ParamsMixin.get_params` from them. A subclass
with an explicit signature calls ``self._init_params(locals())`` (validate every
declared parameter, then the :meth:`ParamsMixin._setup` chain) instead of passing
the inherited parameters to ``super().__init__`` by hand. ``repr``
lists the parameters in ``_repr_head`` first, then every other declared parameter
except those in ``_repr_hidden`` and those whose value is ``None``.

>>> from numbers import Integral, Real
>>> class Walker(ParamsMixin):
...     _parameter_constraints = {
...         "num_steps": [Interval(Integral, 1, None, closed="left")],
...         "restart_prob": [Interval(Real, 0, 1, closed="both")],
...         "on_impossible": [Options(("raise", "drop"))],
...         "seed": [SeedType()],
...     }
...     _repr_hidden = frozenset({"seed"})
...
...     def __init__(self, num_steps=2, *, restart_prob=0.0, on_impossible="raise",
...                  seed=None):
...         self._validate_params(locals())
>>> Walker(3, restart_prob=1)
Walker(num_steps=3, restart_prob=1.0, on_impossible='raise')
>>> Walker(0)
Traceback (most recent call last):
...
ValueError: The 'num_steps' parameter of Walker must be an int in [1, inf). Got 0 instead.
>>> Walker(2.5)
Traceback (most recent call last):
...
TypeError: The 'num_steps' parameter of Walker must be an int in [1, inf). Got 2.5 instead.
>>> class LazyWalker(Walker):  # declares only what it adds
...     _parameter_constraints = {"patience": [Interval(Integral, 1, None, closed="left"), None]}
...
...     def __init__(self, num_steps=2, *, patience=None, restart_prob=0.0,
...                  on_impossible="raise", seed=None):
...         self._init_params(locals())  # validates the inherited parameters too
>>> sorted(LazyWalker.parameter_constraints())
['num_steps', 'on_impossible', 'patience', 'restart_prob', 'seed']
>>> LazyWalker(patience="soon")
Traceback (most recent call last):
...
TypeError: The 'patience' parameter of LazyWalker must be an int in [1, inf) or None. Got 'soon' instead.

Checks every entry point shares (one place each): seeds are ints in
``[0, 2**63 - 1]`` (:class:`SeedType`, :data:`MAX_SEED`); :func:`check_same_device`
names a tensor on another device; :func:`check_memory` refuses, before allocating, a
request whose estimate exceeds :func:`memory_limit` (the physical memory or
``$GRAPHNEG_MEMORY_LIMIT``) with :class:`MemoryRequestError` stating the bytes;
:func:`check_keywords` checks user-typed keywords (graph specs) against a signature.

Functions outside classes use the same validator directly (or the thin
``check_*`` helpers below, which call it):

>>> validate_params("star", {"num_nodes": [Interval(Integral, 1, None, closed="left")]},
...                 {"num_nodes": 5})
{'num_nodes': 5}
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import math
import os
import re
from numbers import Integral, Real
from typing import (
    Any,
    ClassVar,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

import torch
from torch import Tensor

__all__ = [
    "Interval", "Options", "Boolean", "SeedType", "InstanceOf", "CallableType",
    "NoValidation", "validate_params", "invalid_value", "ParamsMixin",
    "check_int", "check_real", "check_option", "check_edge_index",
    "check_num_nodes", "check_embeddings", "check_bool", "check_same_device",
    "check_memory", "memory_limit", "check_keywords", "MemoryRequestError", "MAX_SEED",
    "check_tensor", "check_instance", "check_registered", "naming_lookups", "check_str_list",
    "checked_params", "SequenceOf", "GraphData",
]


def _who(param: str, owner: Optional[str]) -> str:
    return f"The '{param}' parameter" + (f" of {owner}" if owner else "")


def _interval(low, high, closed: str) -> str:
    lo = "-inf" if low is None else low
    hi = "inf" if high is None else high
    left = "[" if closed in ("both", "left") and low is not None else "("
    right = "]" if closed in ("both", "right") and high is not None else ")"
    return f"{left}{lo}, {hi}{right}"


# ------------------------------------------------------------------ constraints
class _Constraint:
    """One rule. ``accepts_type`` says whether a failure is a wrong *value*
    (:class:`ValueError`) rather than a wrong type (:class:`TypeError`)."""

    def accepts_type(self, value: Any) -> bool:
        return True

    def convert(self, value: Any) -> Any:
        """The stored form of a value whose type is accepted (``int``, ``float``)."""
        return value

    def contains(self, value: Any) -> bool:
        """Whether a converted value satisfies the rule."""
        return True

    def is_satisfied_by(self, value: Any) -> bool:
        return self.accepts_type(value) and self.contains(self.convert(value))

    def _invalid_candidates(self) -> List[Any]:
        """Values of an accepted type that break the rule (for generic tests)."""
        return []

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Interval(_Constraint):
    """A number in a range: ``Interval(Integral, 1, None, closed="left")`` is ``[1, inf)``.

    Parameters
    ----------
    type : Integral or Real
        ``Integral`` accepts ints (not bools) and stores ``int``; ``Real`` accepts
        real numbers and one-element tensors, requires them finite and stores ``float``.
    left, right : number or None
        Bounds; ``None`` leaves that side unbounded.
    closed : {"both", "left", "right", "neither"}
        Which bounds belong to the interval.

    Examples
    --------
    >>> str(Interval(Real, 0, 1, closed="right"))
    'a finite float in (0, 1]'
    """

    def __init__(self, type: type, left: Optional[float], right: Optional[float], *,
                 closed: str):
        if type not in (Integral, Real):
            raise ValueError(f"Interval type must be Integral or Real. Got {type!r} instead.")
        if closed not in ("both", "left", "right", "neither"):
            raise ValueError("Interval closed must be one of 'both', 'left', 'right', "
                             f"'neither'. Got {closed!r} instead.")
        self.type, self.left, self.right, self.closed = type, left, right, closed

    def accepts_type(self, value: Any) -> bool:
        if isinstance(value, bool):
            return False
        if self.type is Real and isinstance(value, Tensor):
            return value.numel() == 1
        return isinstance(value, self.type)

    def convert(self, value: Any) -> Any:
        if isinstance(value, Tensor):
            value = value.item()
        return int(value) if self.type is Integral else float(value)

    def contains(self, value: Any) -> bool:
        if self.type is Real and not math.isfinite(value):
            return False
        lo, hi, closed = self.left, self.right, self.closed
        if lo is not None and (value < lo if closed in ("both", "left") else value <= lo):
            return False
        if hi is not None and (value > hi if closed in ("both", "right") else value >= hi):
            return False
        return True

    def _invalid_candidates(self) -> List[Any]:
        out: List[Any] = []
        if self.left is not None:
            out.append(self.left - 1 if self.type is Integral or self.closed in ("both", "left")
                       else self.left)
        if self.right is not None:
            out.append(self.right + 1 if self.type is Integral or self.closed in ("both", "right")
                       else self.right)
        if self.type is Real:
            out.append(float("nan"))
        return [self.convert(v) for v in out]

    def __str__(self) -> str:
        what = "an int" if self.type is Integral else "a finite float"
        return f"{what} in {_interval(self.left, self.right, self.closed)}"

    def __repr__(self) -> str:
        return (f"Interval({self.type.__name__}, {self.left!r}, {self.right!r}, "
                f"closed={self.closed!r})")


class Options(_Constraint):
    """One of a few values: ``Options(("raise", "drop"))``.

    A value outside the options is a wrong *value* whatever its type
    (:class:`ValueError`). Give a tuple to fix the order of the message; a set
    is listed sorted.

    Examples
    --------
    >>> str(Options(("raise", "drop")))
    "one of 'raise', 'drop'"
    """

    def __init__(self, options: Iterable[Any]):
        self.options = tuple(sorted(options) if isinstance(options, (set, frozenset))
                             else options)

    def contains(self, value: Any) -> bool:
        try:
            return value in self.options
        except (TypeError, ValueError, RuntimeError):  # e.g. an array compared to a str
            return False

    def _invalid_candidates(self) -> List[Any]:
        return ["__not_an_option__"]

    def __str__(self) -> str:
        return "one of " + ", ".join(map(repr, self.options))

    def __repr__(self) -> str:
        return f"Options({self.options!r})"


class Boolean(_Constraint):
    """``True`` or ``False`` (not ``0``/``1``)."""

    def accepts_type(self, value: Any) -> bool:
        return isinstance(value, bool)

    def __str__(self) -> str:
        return "a bool"


#: Largest int seed: torch and numpy seed from a signed 64-bit integer.
MAX_SEED = 2**63 - 1


class SeedType(_Constraint):
    """What :func:`graphneg._random.as_generator` takes: an int in ``[0, 2**63 - 1]``,
    a ``torch.Generator`` or ``None``."""

    def accepts_type(self, value: Any) -> bool:
        return value is None or isinstance(value, torch.Generator) or (
            isinstance(value, Integral) and not isinstance(value, bool))

    def contains(self, value: Any) -> bool:
        return not isinstance(value, Integral) or 0 <= value <= MAX_SEED

    def _invalid_candidates(self) -> List[Any]:
        return [-1, MAX_SEED + 1]

    def __str__(self) -> str:
        return "an int in [0, 2**63 - 1], a torch.Generator or None"


class InstanceOf(_Constraint):
    """An instance of ``type`` (a class or a tuple of classes)."""

    def __init__(self, type: Any, name: Optional[str] = None):
        self.type = type
        types = type if isinstance(type, tuple) else (type,)
        self.name = name or " or ".join(
            f"{t.__module__}.{t.__qualname__}" if t.__module__ not in ("builtins",)
            else t.__qualname__ for t in types)

    def accepts_type(self, value: Any) -> bool:
        return isinstance(value, self.type)

    def __str__(self) -> str:
        return f"an instance of {self.name}"


class CallableType(_Constraint):
    """Any callable."""

    def accepts_type(self, value: Any) -> bool:
        return callable(value)

    def __str__(self) -> str:
        return "a callable"


class SequenceOf(_Constraint):
    """A sequence (not one ``str``) whose items are ints, finite floats or strs.

    Examples
    --------
    >>> str(SequenceOf("float"))
    'a sequence of finite floats'
    >>> SequenceOf("int").is_satisfied_by([1, 2]), SequenceOf("int").is_satisfied_by("12")
    (True, False)
    """

    _ITEMS = {"int": "ints", "float": "finite floats", "number": "numbers (NaN allowed)",
              "str": "strs"}

    def __init__(self, kind: str):
        if kind not in self._ITEMS:
            raise ValueError(f"SequenceOf kind must be one of {sorted(self._ITEMS)}. "
                             f"Got {kind!r} instead.")
        self.kind = kind

    def accepts_type(self, value: Any) -> bool:
        return hasattr(value, "__iter__") and not isinstance(value, (str, bytes, Mapping))

    def _item_ok(self, v: Any) -> bool:
        if isinstance(v, Tensor) and v.numel() == 1 and self.kind != "str":
            v = v.item()
        if self.kind == "str":
            return isinstance(v, str)
        if isinstance(v, bool) or not isinstance(v, Integral if self.kind == "int" else Real):
            return False
        return self.kind in ("int", "number") or math.isfinite(v)

    def contains(self, value: Any) -> bool:
        if not hasattr(value, "__len__"):  # an iterator: its items are checked where used
            return True
        return all(self._item_ok(v) for v in value)

    def __str__(self) -> str:
        return f"a sequence of {self._ITEMS[self.kind]}"


class GraphData(_Constraint):
    """A PyTorch Geometric ``Data``, ``HeteroData`` or ``HyperGraphData``, or a
    ``(train, val, test)`` triple of them (imported lazily)."""

    def accepts_type(self, value: Any) -> bool:
        from torch_geometric.data.data import BaseData
        if isinstance(value, (tuple, list)):
            return len(value) == 3 and all(isinstance(v, BaseData) for v in value)
        return isinstance(value, BaseData)

    def __str__(self) -> str:
        return "a torch_geometric Data (or a (train, val, test) triple)"


class NoValidation(_Constraint):
    """Anything goes (checked later, where the value is used)."""

    def __str__(self) -> str:
        return "anything"


class _NoneConstraint(_Constraint):
    def accepts_type(self, value: Any) -> bool:
        return value is None

    def __str__(self) -> str:
        return "None"


def _as_constraint(rule: Any) -> _Constraint:
    if rule is None:
        return _NoneConstraint()
    if isinstance(rule, _Constraint):
        return rule
    raise TypeError(f"A parameter rule must be a constraint object or None. Got {rule!r} instead.")


def _describe(rules: List[_Constraint]) -> str:
    parts = [str(r) for r in rules]
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"


def _validate_one(value: Any, rules: List[_Constraint], param: str,
                  owner: Optional[str]) -> Any:
    shown, type_ok = repr(value), False
    for rule in rules:
        if rule.accepts_type(value):
            type_ok = True
            converted = rule.convert(value)
            if rule.contains(converted):
                return converted
            shown = repr(converted)
    error = ValueError if type_ok else TypeError
    raise error(f"{_who(param, owner)} must be {_describe(rules)}. Got {shown} instead.")


def validate_params(owner: Optional[str], constraints: Mapping[str, List[Any]],
                    values: Mapping[str, Any]) -> Dict[str, Any]:
    """Check every entry of ``values`` that has a rule in ``constraints``.

    Parameters
    ----------
    owner : str or None
        The class or function named in the message.
    constraints : dict
        Parameter name to a list of constraints (``None`` allows ``None``); a value
        is valid when it satisfies any of them.
    values : dict
        Parameter name to value; names without a rule are skipped.

    Returns
    -------
    dict
        The checked values, converted (``int`` for :class:`Interval` ``(Integral)``,
        ``float`` for ``Real``), in the order of ``values``.

    Raises
    ------
    TypeError
        When no constraint accepts the value's type.
    ValueError
        When a constraint accepts the type but the value breaks its rule.

    Examples
    --------
    >>> validate_params("degree", {"alpha": [Interval(Real, 0, None, closed="left")]},
    ...                 {"alpha": -1})
    Traceback (most recent call last):
    ...
    ValueError: The 'alpha' parameter of degree must be a finite float in [0, inf). Got -1.0 instead.
    """
    out: Dict[str, Any] = {}
    for param, value in values.items():
        if param in constraints:
            rules = [_as_constraint(r) for r in constraints[param]]
            out[param] = _validate_one(value, rules, param, owner)
    return out


_NO_INVALID = object()


def invalid_value(rules: List[Any]) -> Any:
    """A value that satisfies none of ``rules`` (for generic tests); raises
    :class:`LookupError` when every value is valid (:class:`NoValidation`).

    Examples
    --------
    >>> invalid_value([Interval(Integral, 1, None, closed="left"), None])
    0
    >>> invalid_value([Options(("raise", "drop"))])
    '__not_an_option__'
    """
    rules = [_as_constraint(r) for r in rules]
    candidates = [v for r in rules for v in r._invalid_candidates()] + [object()]
    for value in candidates:
        if not any(r.is_satisfied_by(value) for r in rules):
            return value
    raise LookupError(f"Every value satisfies {rules!r}.")


# ---------------------------------------------------- checks from annotations
class _AnyNumber(Interval):
    """An int, or a finite float, without bounds (what an ``int``/``float`` annotation says)."""

    def __init__(self, type: type):
        super().__init__(type, None, None, closed="neither")

    def __str__(self) -> str:
        return "an int" if self.type is Integral else "a finite float"


_SIMPLE_RULES = {
    "bool": lambda: [Boolean()],
    "int": lambda: [_AnyNumber(Integral)],
    "float": lambda: [_AnyNumber(Real)],
    "Tensor": lambda: [InstanceOf(Tensor, "a torch.Tensor")],
    "torch.Tensor": lambda: [InstanceOf(Tensor, "a torch.Tensor")],
    "str": lambda: [InstanceOf(str, "a str")],
    "Seed": lambda: [SeedType()],
    "torch.Generator": lambda: [InstanceOf(torch.Generator, "a torch.Generator")],
}


def _rules_from_annotation(annotation: Any, param: str) -> Optional[List[Any]]:
    """The constraints an annotation implies (``None``: nothing to check)."""
    if annotation is inspect.Parameter.empty and param != "data":
        return None
    text = annotation if isinstance(annotation, str) else (
        annotation.__name__ if isinstance(annotation, type) else str(annotation))
    text = text.replace("typing.", "").replace(" ", "").strip("'\"")
    optional = False
    match = re.fullmatch(r"Optional\[(.*)\]", text)
    if match:
        text, optional = match.group(1), True
    if text.endswith("|None"):
        text, optional = text[:-len("|None")], True
    if param == "seed":
        return [SeedType()]
    if param == "data" and text in ("Any", "inspect._empty", "_empty"):
        return [GraphData()] + ([None] if optional else [])
    if text in _SIMPLE_RULES:
        rules = _SIMPLE_RULES[text]()
    else:
        match = re.fullmatch(r"(?:Sequence|Iterable|List|Tuple)\[(int|float|str)(?:,\.\.\.)?\]",
                             text)
        if match:
            rules = [SequenceOf(match.group(1))]
        elif re.match(r"(?:Mapping|Dict)\[", text):
            rules = [InstanceOf(Mapping, "a mapping (dict)")]
        elif text.startswith("Callable"):
            rules = [CallableType()]
        else:
            return None
    return rules + [None] if optional else rules


def checked_params(fn: Any = None, **rules: Any) -> Any:
    """Decorator: check each argument of a call against its annotation's kind.

    ``int``, ``float`` (finite), ``bool``, ``str``, ``Tensor``, ``Seed`` (and ``seed``),
    ``Sequence[int | float | str]``, ``Mapping``/``Dict`` and ``Callable`` annotations
    (``Optional[...]`` or a ``None`` default also allow ``None``) become rules, and a
    ``data`` parameter without a narrower annotation must be a graph (:class:`GraphData`);
    keyword arguments of the decorator add or replace rules (``method=Options(...)``,
    ``rate=Interval(...)``). A wrong kind raises :class:`TypeError`, a wrong value
    :class:`ValueError`, both naming the parameter, before the function runs.
    Arguments left at their defaults are not checked.

    Examples
    --------
    >>> @checked_params(level=Interval(Real, 0, 1, closed="neither"))
    ... def interval(values: Sequence[float], level: float = 0.95, *, digits: int = 3):
    ...     return level
    >>> interval([1.0], 0.9)
    0.9
    >>> interval([1.0], digits=2.5)
    Traceback (most recent call last):
    ...
    TypeError: The 'digits' parameter of interval must be an int. Got 2.5 instead.
    >>> interval("12", level=1.5)
    Traceback (most recent call last):
    ...
    TypeError: The 'values' parameter of interval must be a sequence of finite floats. Got '12' instead.
    """
    if fn is None:
        return lambda f: checked_params(f, **rules)
    sig = inspect.signature(fn)
    table: Dict[str, List[_Constraint]] = {}
    for name, p in sig.parameters.items():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if name in rules:
            given = rules[name]
            found = list(given) if isinstance(given, (list, tuple)) else [given]
        else:
            found = _rules_from_annotation(p.annotation, name)
            if found is None:
                continue
        if p.default is None and None not in found:
            found = found + [None]
        table[name] = [_as_constraint(r) for r in found]
    owner = fn.__name__

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as err:  # a missing or unknown argument: Python's own message
            raise TypeError(f"{owner}(): {err}") from None
        for name, value in bound.arguments.items():
            if name in table:
                _validate_one(value, table[name], name, owner)
        return fn(*args, **kwargs)

    return wrapper


# ------------------------------------------------------------------ the mixin
class ParamsMixin:
    """Validation, attributes, ``repr`` and ``get_params`` from ``_parameter_constraints``.

    Attributes
    ----------
    _parameter_constraints : dict
        The rules of the parameters *this* class adds (merged along the MRO).
    _repr_head : tuple of str
        Parameters ``repr`` always lists first, even at their default.
    _repr_hidden : frozenset of str
        Parameters ``repr`` leaves out (plumbing such as ``seed``).

    See the module docstring for an example.
    """

    _parameter_constraints: ClassVar[Dict[str, List[Any]]] = {}
    _repr_head: ClassVar[Tuple[str, ...]] = ()
    _repr_hidden: ClassVar[FrozenSet[str]] = frozenset()

    @classmethod
    def parameter_constraints(cls) -> Dict[str, List[Any]]:
        """Every declared rule of ``cls``, base classes first, a subclass overriding."""
        merged: Dict[str, List[Any]] = {}
        for klass in reversed(cls.__mro__):
            merged.update(klass.__dict__.get("_parameter_constraints", {}))
        return merged

    def _validate_params(self, values: Mapping[str, Any]) -> None:
        """Validate the declared parameters among ``values`` (e.g. ``locals()``)
        and store each as an attribute of the same name."""
        checked = validate_params(type(self).__name__, self.parameter_constraints(), values)
        for name, value in checked.items():
            setattr(self, name, value)

    def _init_params(self, values: Mapping[str, Any]) -> None:
        """A whole constructor: validate and store *every* declared parameter found in
        ``values`` (the caller's ``locals()``), then run :meth:`_setup`. A subclass
        with an explicit signature calls this instead of ``super().__init__(...)``,
        so the inherited parameters are not passed along by hand."""
        self._validate_params(values)
        self._setup()

    def _setup(self) -> None:
        """State derived from the parameters (generators, counters); each class that
        has some extends it with ``super()._setup()``. No-op here."""

    def get_params(self) -> Dict[str, Any]:
        """The declared parameters and their current values."""
        return {name: getattr(self, name) for name in self.parameter_constraints()
                if hasattr(self, name)}

    def _repr_params(self) -> Dict[str, Any]:
        """The parameters ``repr`` shows, in order: ``_repr_head``, then the other
        declared ones not in ``_repr_hidden`` and not ``None``."""
        params = self.get_params()
        names = [n for n in self._repr_head if n in params] + [
            n for n, v in params.items()
            if n not in self._repr_head and n not in self._repr_hidden and v is not None]
        return {n: params[n] for n in names}

    def __repr__(self) -> str:
        args = ", ".join(f"{n}={v!r}" for n, v in self._repr_params().items())
        return f"{type(self).__name__}({args})"


# ------------------------------------------------------------ thin check_* users
def check_int(value: Any, param: str, *, low: Optional[int] = None,
              high: Optional[int] = None, owner: Optional[str] = None) -> int:
    """Check that ``value`` is an int in ``[low, high]`` and return it as ``int``.

    Examples
    --------
    >>> check_int(3, "num_neg", low=1)
    3
    """
    rule = Interval(Integral, low, high, closed="both")
    return validate_params(owner, {param: [rule]}, {param: value})[param]


def check_real(value: Any, param: str, *, low: Optional[float] = None,
               high: Optional[float] = None, closed: str = "both",
               owner: Optional[str] = None) -> float:
    """Check that ``value`` is a finite real number in an interval.

    ``closed`` is one of ``"both"``, ``"left"``, ``"right"``, ``"neither"``.

    Examples
    --------
    >>> check_real(0.5, "edge_prob", low=0, high=1)
    0.5
    """
    rule = Interval(Real, low, high, closed=closed)
    return validate_params(owner, {param: [rule]}, {param: value})[param]


def check_bool(value: Any, param: str, *, owner: Optional[str] = None) -> bool:
    """Check that ``value`` is a bool.

    Examples
    --------
    >>> check_bool(True, "verbose")
    True
    """
    return validate_params(owner, {param: [Boolean()]}, {param: value})[param]


def check_option(value: Any, param: str, options: Iterable[str], *,
                 owner: Optional[str] = None) -> str:
    """Check that ``value`` is one of ``options``.

    Examples
    --------
    >>> check_option("raise", "on_impossible", ("raise", "drop"))
    'raise'
    """
    return validate_params(owner, {param: [Options(options)]}, {param: value})[param]


def check_num_nodes(num_nodes: Any, edge_index: Optional[Tensor] = None,
                    param: str = "num_nodes", *, owner: Optional[str] = None) -> int:
    """Return a validated node count, inferring it from ``edge_index`` if None.

    Examples
    --------
    >>> check_num_nodes(None, torch.tensor([[0, 1], [1, 2]]))
    3
    """
    inferred = 0
    if edge_index is not None and edge_index.numel() > 0:
        inferred = int(edge_index.max()) + 1
    if num_nodes is None:
        return inferred
    num_nodes = check_int(num_nodes, param, low=0, owner=owner)
    if num_nodes < inferred:
        raise ValueError(
            f"{_who(param, owner)} must be at least max(edge_index) + 1 = {inferred}. "
            f"Got {num_nodes} instead.")
    return num_nodes


def check_edge_index(edge_index: Any, param: str = "edge_index", *,
                     num_nodes: Optional[int] = None,
                     owner: Optional[str] = None) -> Tensor:
    """Check a COO index: a LongTensor of shape ``(2, E)`` with ids in ``[0, num_nodes)``.

    Examples
    --------
    >>> check_edge_index(torch.tensor([[0, 1], [1, 0]])).shape
    torch.Size([2, 2])
    """
    if not isinstance(edge_index, Tensor):
        raise TypeError(
            f"{_who(param, owner)} must be a torch.LongTensor of shape (2, E). "
            f"Got {type(edge_index).__name__} instead.")
    if edge_index.dtype != torch.long:
        raise TypeError(
            f"{_who(param, owner)} must have dtype torch.long. "
            f"Got {edge_index.dtype} instead.")
    if edge_index.dim() != 2 or edge_index.size(0) != 2:
        raise ValueError(
            f"{_who(param, owner)} must have shape (2, E). "
            f"Got {tuple(edge_index.shape)} instead.")
    if edge_index.numel() > 0:
        lo = int(edge_index.min())
        if lo < 0:
            raise ValueError(
                f"{_who(param, owner)} must hold non-negative node ids. Got {lo} instead.")
        if num_nodes is not None:
            hi = int(edge_index.max())
            if hi >= num_nodes:
                raise ValueError(
                    f"{_who(param, owner)} must hold node ids in [0, {num_nodes}). "
                    f"Got {hi} instead.")
    return edge_index


def check_embeddings(z: Any, param: str = "z", *, num_rows: Optional[int] = None,
                     owner: Optional[str] = None) -> Tensor:
    """Check a finite floating tensor of shape ``(num_rows, d)``.

    Examples
    --------
    >>> check_embeddings(torch.zeros(3, 2), num_rows=3).shape
    torch.Size([3, 2])
    """
    if not isinstance(z, Tensor) or not z.is_floating_point():
        raise TypeError(f"{_who(param, owner)} must be a floating-point torch.Tensor. "
                        f"Got {type(z).__name__ if not isinstance(z, Tensor) else z.dtype} instead.")
    if z.dim() != 2:
        raise ValueError(f"{_who(param, owner)} must have shape (N, d). "
                         f"Got {tuple(z.shape)} instead.")
    if num_rows is not None and z.size(0) != num_rows:
        raise ValueError(f"{_who(param, owner)} must have {num_rows} rows (one per node). "
                         f"Got {z.size(0)} instead.")
    if not bool(torch.isfinite(z).all()):
        raise ValueError(f"{_who(param, owner)} must be finite (no NaN or inf). "
                         f"Got {int((~torch.isfinite(z)).sum())} non-finite entries instead.")
    return z


def check_tensor(value: Any, param: str, *, kind: Optional[str] = None,
                 dim: Optional[int] = None, owner: Optional[str] = None) -> Tensor:
    """Check that ``value`` is a tensor (``kind``: ``"float"`` floating point, ``"int"``
    an integer dtype) with ``dim`` dimensions.

    Examples
    --------
    >>> check_tensor(torch.zeros(2, 3), "z", kind="float", dim=2).shape
    torch.Size([2, 3])
    >>> check_tensor("z", "z_query", owner="retrieval_metrics")
    Traceback (most recent call last):
    ...
    TypeError: The 'z_query' parameter of retrieval_metrics must be a torch.Tensor. Got str instead.
    """
    what = {None: "a torch.Tensor", "float": "a floating-point torch.Tensor",
            "int": "an integer torch.Tensor"}[kind]
    ok = isinstance(value, Tensor) and (
        kind is None or (value.is_floating_point() if kind == "float"
                         else not value.is_floating_point() and not value.is_complex()
                         and value.dtype != torch.bool))
    if not ok:
        got = value.dtype if isinstance(value, Tensor) else type(value).__name__
        raise TypeError(f"{_who(param, owner)} must be {what}. Got {got} instead.")
    if dim is not None and value.dim() != dim:
        raise ValueError(f"{_who(param, owner)} must have {dim} dimension(s). "
                         f"Got shape {tuple(value.shape)} instead.")
    return value


def check_instance(value: Any, param: str, types: Any, what: str, *,
                   owner: Optional[str] = None) -> Any:
    """Check that ``value`` is an instance of ``types``; ``what`` names them for the user.

    Examples
    --------
    >>> check_instance(3, "trains", dict, "a SpikeTrains", owner="demo")
    Traceback (most recent call last):
    ...
    TypeError: The 'trains' parameter of demo must be a SpikeTrains. Got int instead.
    """
    if not isinstance(value, types):
        raise TypeError(f"{_who(param, owner)} must be {what}. Got {type(value).__name__} "
                        "instead.")
    return value


def check_str_list(value: Any, param: str, *, owner: Optional[str] = None) -> List[str]:
    """Check a sequence of strings (a bare ``str`` is refused: it is not a list of words).

    Examples
    --------
    >>> check_str_list(("cat", "dog"), "words")
    ['cat', 'dog']
    >>> check_str_list("cat", "words", owner="pronounce")
    Traceback (most recent call last):
    ...
    TypeError: The 'words' parameter of pronounce must be a sequence of str (not one str). Got 'cat' instead.
    """
    ok = not isinstance(value, (str, bytes)) and hasattr(value, "__iter__")
    items = list(value) if ok else []
    bad = next((v for v in items if not isinstance(v, str)), None) if ok else value
    if not ok or bad is not None:
        raise TypeError(f"{_who(param, owner)} must be a sequence of str (not one str). "
                        f"Got {_short_repr(value if not ok else bad)} instead.")
    return items


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_registered(value: Any, param: str, registry: Any, *, base: Any = None,
                     owner: Optional[str] = None) -> Any:
    """Check a registry name (or an instance of ``base``, by default the registry's base)
    before building it, naming the user's parameter (``eval_sampler``, not the
    registry's ``sampler``).

    Examples
    --------
    >>> from graphneg.registry import Registry
    >>> colours = Registry("colour")
    >>> _ = colours.add("red", object)
    >>> check_registered("red", "fill", colours)
    'red'
    >>> check_registered("rde", "fill", colours, owner="paint")
    Traceback (most recent call last):
    ...
    ValueError: The 'fill' parameter of paint must be a registered colour: 'red'. Got 'rde' instead. Did you mean 'red'?
    """
    from graphneg.registry import did_you_mean

    known = ", ".join(map(repr, registry.names()))
    if isinstance(value, str):
        if value not in registry:
            raise ValueError(f"{_who(param, owner)} must be a registered {registry.kind}: "
                             f"{known}. Got {value!r} instead.{did_you_mean(value, registry)}")
        return value
    base = registry.base if base is None else base
    if base is not None and isinstance(value, base):
        return value
    bases = base if isinstance(base, tuple) else (base,) if base is not None else ()
    also = "".join(f" or a {b.__name__}" for b in bases)
    raise TypeError(f"{_who(param, owner)} must be a registered {registry.kind} name{also}. "
                    f"Got {type(value).__name__} instead.")


@contextlib.contextmanager
def naming_lookups(param: str, *, owner: Optional[str] = None):
    """Name the user's parameter in the errors of a registry lookup made inside.

    A registry says ``Unknown sampler 'x'`` or ``The 'sampler' parameter must be a
    registered ...``; inside this block they become errors of ``param`` (a trainer's
    ``eval_sampler``), type and wording otherwise kept.

    Examples
    --------
    >>> from graphneg.registry import Registry
    >>> colours = Registry("colour")
    >>> with naming_lookups("fill", owner="paint"):
    ...     colours.get("red")
    Traceback (most recent call last):
    ...
    ValueError: The 'fill' parameter of paint: Unknown colour 'red'. Known colours: .
    """
    try:
        yield
    except (TypeError, ValueError) as err:
        text = str(err)
        renamed = re.sub(r"^The '\w+' parameter must be a registered",
                         f"{_who(param, owner)} must be a registered", text)
        if renamed != text:
            raise type(err)(renamed) from None
        if text.startswith("Unknown "):
            raise type(err)(f"{_who(param, owner)}: {text}") from None
        raise


# ------------------------------------------------------------ devices, memory
def check_same_device(owner: Optional[str], reference: str, **tensors: Any) -> None:
    """Check that every tensor among ``tensors`` is on the device of ``tensors[reference]``.

    Non-tensors (``None``, numbers) are skipped. Raises ``ValueError`` naming the
    parameter and both devices, before any work (instead of a bare ``RuntimeError``
    from deep inside an indexing call).

    Examples
    --------
    >>> check_same_device("f", "x", x=torch.zeros(2), y=None, z=torch.ones(1))
    >>> check_same_device("f", "x", x=torch.zeros(2), z=torch.ones(1, device="meta"))
    Traceback (most recent call last):
    ...
    ValueError: The 'z' parameter of f must be on the device of 'x' (cpu). Got meta instead.
    """
    ref = tensors[reference]
    if not isinstance(ref, Tensor):
        return
    for name, value in tensors.items():
        if isinstance(value, Tensor) and value.device != ref.device:
            raise ValueError(f"{_who(name, owner)} must be on the device of '{reference}' "
                             f"({ref.device}). Got {value.device} instead.")


class MemoryRequestError(ValueError):
    """A request that would need more memory than the limit (:func:`memory_limit`)."""


def _parse_bytes(text: str) -> int:
    units = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = t[-1:] if t[-1:] in units and t[-1:] else ""
    try:
        return int(float(t[:len(t) - len(unit)]) * units[unit])
    except ValueError:
        raise ValueError(f"GRAPHNEG_MEMORY_LIMIT must be a byte count such as 8G or "
                         f"500000000. Got {text!r} instead.") from None


def memory_limit() -> int:
    """Bytes one request may need: ``$GRAPHNEG_MEMORY_LIMIT`` (``8G``, ``512M``,
    a number of bytes), else the machine's physical memory.

    Examples
    --------
    >>> memory_limit() > 0
    True
    """
    env = os.environ.get("GRAPHNEG_MEMORY_LIMIT")
    if env:
        return _parse_bytes(env)
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # no sysconf (Windows): 64 GiB
        return 64 * 2**30


def _format_bytes(num: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if num < 1024 or unit == "PiB":
            return f"{num:.0f} {unit}" if unit == "B" else f"{num:.1f} {unit}"
        num /= 1024
    return f"{num:.1f} PiB"  # pragma: no cover


def check_memory(num_bytes: float, what: str, *, params: str,
                 owner: Optional[str] = None) -> None:
    """Refuse, before allocating, a request whose estimate exceeds :func:`memory_limit`.

    Parameters
    ----------
    num_bytes : float
        The estimate (what the largest tensors of the request would take).
    what : str
        What would be allocated (``"2e9 negatives (2, P*num_neg) int64"``).
    params : str
        The user's parameters to lower, as they would type them
        (``"num_neg=1000000000"``).
    owner : str, optional

    Raises
    ------
    MemoryRequestError
        A ``ValueError`` that states the bytes needed and the limit.

    Examples
    --------
    >>> try:
    ...     check_memory(2**60, "the adjacency", params="num_nodes=10**9", owner="demo")
    ... except MemoryRequestError as err:
    ...     print(str(err).split(";")[0])
    demo with num_nodes=10**9 would need 1024.0 PiB for the adjacency
    """
    limit = memory_limit()
    if num_bytes > limit:
        who = f"{owner} with {params}" if owner else params
        raise MemoryRequestError(
            f"{who} would need {_format_bytes(num_bytes)} for {what}; the limit is "
            f"{_format_bytes(limit)} (GRAPHNEG_MEMORY_LIMIT or the physical memory). "
            f"Lower {params}.")


def check_keywords(fn: Any, kwargs: Mapping[str, Any], *, what: str,
                   supplied: Iterable[str] = ()) -> None:
    """Check user-typed keyword arguments against ``fn``'s signature before calling it.

    Unknown keys and missing required ones raise ``ValueError`` that lists the valid
    keys (``supplied``: names the caller fills in itself, such as ``seed``).

    Examples
    --------
    >>> def ba(num_nodes, num_edges, *, seed=None): ...
    >>> check_keywords(ba, {"n": 300}, what="Graph spec 'ba:n=300'", supplied=("seed",))
    Traceback (most recent call last):
    ...
    ValueError: Graph spec 'ba:n=300': unknown key(s) n. ba takes num_nodes, num_edges (required: num_nodes, num_edges).
    """
    import inspect

    params = {n: p for n, p in inspect.signature(fn).parameters.items()
              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and n not in supplied}
    required = [n for n, p in params.items() if p.default is inspect.Parameter.empty]
    unknown = [k for k in kwargs if k not in params]
    missing = [n for n in required if n not in kwargs]
    if unknown or missing:
        problem = (f"unknown key(s) {', '.join(unknown)}" if unknown
                   else f"missing key(s) {', '.join(missing)}")
        hint = " (separate key=value pairs with commas)" if any(
            ";" in str(v) for v in kwargs.values()) else ""
        raise ValueError(f"{what}: {problem}{hint}. {getattr(fn, '__name__', 'it')} takes "
                         f"{', '.join(params) or 'no key'} (required: "
                         f"{', '.join(required) or 'none'}).")
