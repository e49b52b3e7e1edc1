"""Parameters declared as data.

Every registered graph and hyperedge sampler states a rule for every parameter of
its constructor (``_parameter_constraints``, merged along the MRO); each rule turns
away a value derived from it with an error naming the parameter and the class, and
``repr`` shows the declared parameters with their stored values.
"""
import inspect

import pytest

from graphneg._validation import NoValidation, invalid_value
from graphneg.samplers import HYPEREDGE_SAMPLERS, SAMPLERS

def _registered():
    for registry in (SAMPLERS, HYPEREDGE_SAMPLERS):
        for name in registry.names():
            yield registry, name, registry.get(name)


def _constructor_parameters(cls):
    """Named parameters of ``cls.__init__``, following ``**kwargs`` into the parents'."""
    names = []
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        params = [p for p in inspect.signature(init).parameters.values() if p.name != "self"]
        names += [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                  and p.name not in names]
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
    return names


CLASSES = [pytest.param(cls, id=f"{reg.kind}:{name}") for reg, name, cls in _registered()]

DECLARED = [
    pytest.param(cls, param, rules, id=f"{name}.{param}")
    for reg, name, cls in _registered()
    for param, rules in cls.parameter_constraints().items()
    if not any(isinstance(r, NoValidation) for r in rules)
]


def test_every_registered_sampler_is_covered():
    assert len(CLASSES) == len(SAMPLERS) + len(HYPEREDGE_SAMPLERS)
    assert {"num_neg", "seed", "on_impossible", "max_rounds"} <= {p.values[1] for p in DECLARED}


@pytest.mark.parametrize("cls", CLASSES)
def test_every_constructor_parameter_has_a_rule(cls):
    missing = [p for p in _constructor_parameters(cls) if p not in cls.parameter_constraints()]
    assert not missing, f"{cls.__name__} declares no rule for {missing}"


@pytest.mark.parametrize("cls, param, rules", DECLARED)
def test_each_rule_rejects_a_bad_value_naming_parameter_and_class(cls, param, rules):
    bad = invalid_value(rules)
    with pytest.raises((TypeError, ValueError),
                       match=rf"The '{param}' parameter of {cls.__name__} must be .* Got "):
        cls(**{param: bad})


@pytest.mark.parametrize("cls", CLASSES)
def test_repr_shows_declared_parameters(cls):
    sampler = cls()
    text = repr(sampler)
    assert text.startswith(f"{cls.__name__}(num_neg=1")
    params = sampler.get_params()
    for name in sampler._repr_head:
        assert f"{name}={params[name]!r}" in text
    for name in sampler._repr_hidden:
        assert f" {name}=" not in text and f"({name}=" not in text
