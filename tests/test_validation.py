"""graphneg._validation: constraint objects, one validator, one message format."""
from numbers import Integral, Real

import pytest
import torch

from graphneg._validation import (
    Boolean, CallableType, InstanceOf, Interval, NoValidation, Options, ParamsMixin, SeedType,
    check_bool, check_int, check_option, check_real, invalid_value, validate_params,
)


@pytest.mark.parametrize("rules, value, error, message", [
    ([Interval(Integral, 1, None, closed="left")], -1, ValueError,
     "The 'x' parameter of Owner must be an int in [1, inf). Got -1 instead."),
    ([Interval(Integral, 1, None, closed="left")], 1.5, TypeError,
     "The 'x' parameter of Owner must be an int in [1, inf). Got 1.5 instead."),
    ([Interval(Integral, 1, None, closed="left")], True, TypeError,
     "The 'x' parameter of Owner must be an int in [1, inf). Got True instead."),
    ([Interval(Real, 0, 1, closed="right")], 0, ValueError,
     "The 'x' parameter of Owner must be a finite float in (0, 1]. Got 0.0 instead."),
    ([Interval(Real, 0, None, closed="left")], float("inf"), ValueError,
     "The 'x' parameter of Owner must be a finite float in [0, inf). Got inf instead."),
    ([Interval(Real, 0, None, closed="left"), None], "a", TypeError,
     "The 'x' parameter of Owner must be a finite float in [0, inf) or None. Got 'a' instead."),
    ([Options(("raise", "drop"))], 3, ValueError,
     "The 'x' parameter of Owner must be one of 'raise', 'drop'. Got 3 instead."),
    ([Boolean()], 1, TypeError, "The 'x' parameter of Owner must be a bool. Got 1 instead."),
    ([SeedType()], -2, ValueError, "The 'x' parameter of Owner must be an int in "
                                   "[0, 2**63 - 1], a torch.Generator or None. Got -2 instead."),
    ([SeedType()], 2**64, ValueError, "The 'x' parameter of Owner must be an int in "
                                      "[0, 2**63 - 1], a torch.Generator or None. Got "
                                      "18446744073709551616 instead."),
    ([InstanceOf(torch.Tensor)], [1], TypeError,
     "The 'x' parameter of Owner must be an instance of torch.Tensor. Got [1] instead."),
    ([CallableType(), None], 3, TypeError,
     "The 'x' parameter of Owner must be a callable or None. Got 3 instead."),
])
def test_one_message_format(rules, value, error, message):
    with pytest.raises(error) as info:
        validate_params("Owner", {"x": rules}, {"x": value})
    assert str(info.value) == message


def test_valid_values_are_converted_and_unknown_names_skipped():
    rules = {"n": [Interval(Integral, 0, None, closed="left")],
             "p": [Interval(Real, 0, 1, closed="both")], "s": [SeedType()],
             "g": [NoValidation()]}
    out = validate_params(None, rules, {"n": torch.tensor(3).item(), "p": torch.tensor(0.5),
                                        "s": torch.Generator(), "g": object, "other": 1})
    assert out["n"] == 3 and type(out["p"]) is float and out["p"] == 0.5
    assert isinstance(out["s"], torch.Generator) and "other" not in out


@pytest.mark.parametrize("rules", [
    [Interval(Integral, 1, None, closed="left")], [Interval(Real, 0, 1, closed="neither")],
    [Interval(Real, None, None, closed="neither")], [Interval(Integral, None, 5, closed="right")],
    [Options(("a", "b")), None], [Boolean()], [SeedType()], [InstanceOf(int)], [CallableType()],
])
def test_invalid_value_breaks_every_rule(rules):
    bad = invalid_value(rules)
    with pytest.raises((TypeError, ValueError)):
        validate_params("Owner", {"x": rules}, {"x": bad})


def test_invalid_value_of_anything_is_a_lookup_error():
    with pytest.raises(LookupError):
        invalid_value([NoValidation()])


def test_bad_constraints_are_refused():
    with pytest.raises(ValueError, match="Interval type must be Integral or Real"):
        Interval(float, 0, 1, closed="both")
    with pytest.raises(ValueError, match="Interval closed must be one of"):
        Interval(Real, 0, 1, closed="open")
    with pytest.raises(TypeError, match="constraint object or None"):
        validate_params("Owner", {"x": ["int"]}, {"x": 1})


class _Base(ParamsMixin):
    _parameter_constraints = {"size": [Interval(Integral, 1, None, closed="left")],
                              "seed": [SeedType()]}
    _repr_hidden = frozenset({"seed"})

    def __init__(self, size=1, *, seed=None):
        self._init_params(locals())

    def _setup(self):
        super()._setup()
        self.calls = getattr(self, "calls", 0) + 1


class _Child(_Base):
    _parameter_constraints = {"mode": [Options(("a", "b"))], "limit": [
        Interval(Real, 0, None, closed="left"), None]}
    _repr_head = ("mode",)

    def __init__(self, size=2, *, mode="a", limit=None, seed=None):
        self._init_params(locals())


def test_mixin_merges_validates_sets_up_and_derives_repr():
    assert list(_Child.parameter_constraints()) == ["size", "seed", "mode", "limit"]
    c = _Child(3, mode="b", seed=0)
    assert (c.size, c.mode, c.limit, c.seed, c.calls) == (3, "b", None, 0, 1)
    assert repr(c) == "_Child(mode='b', size=3)"
    assert repr(_Child(limit=2)) == "_Child(mode='a', size=2, limit=2.0)"
    assert c.get_params() == {"size": 3, "seed": 0, "mode": "b", "limit": None}
    with pytest.raises(ValueError, match=r"'size' parameter of _Child must be an int in \[1, inf\)"):
        _Child(0)


def test_check_helpers_keep_their_messages():
    assert check_int(3, "k", low=1) == 3 and check_real(1, "p", low=0, high=1) == 1.0
    assert check_bool(False, "b") is False and check_option("a", "o", ("a",)) == "a"
    with pytest.raises(ValueError, match=r"^The 'k' parameter of f must be an int in \[1, 5\]\. "
                                         r"Got 6 instead\.$"):
        check_int(6, "k", low=1, high=5, owner="f")
    with pytest.raises(TypeError, match=r"^The 'p' parameter must be a finite float in "):
        check_real("x", "p")
    with pytest.raises(ValueError, match=r"must be one of 'a', 'b'\. Got 'c' instead\.$"):
        check_option("c", "o", ["a", "b"])
