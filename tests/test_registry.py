"""Registry.make: one name-or-instance resolution for samplers, hyperedge samplers,
generators and encoders."""
import pytest
import torch

from graphneg.generators import GENERATORS, generate
from graphneg.models.encoders import ENCODERS, build_encoder
from graphneg.registry import Registry, did_you_mean
from graphneg.samplers import SAMPLERS, UniformNegativeSampler, get_sampler
from graphneg.samplers.hyperedge import HYPEREDGE_SAMPLERS, get_hyperedge_sampler


REGISTRIES = [
    pytest.param(SAMPLERS, "uniform", {"num_neg": 2}, "sampler", "NegativeSampler", id="samplers"),
    pytest.param(HYPEREDGE_SAMPLERS, "maxent", {"num_neg": 2}, "sampler", "HyperedgeSampler",
                 id="hyperedge"),
    pytest.param(GENERATORS, "star", {"num_nodes": 4}, "generator", "torch_geometric.data.Data",
                 id="generators"),
    pytest.param(ENCODERS, "gcn", {"in_channels": 3, "hidden_channels": 4, "out_channels": 2,
                                   "num_layers": 2, "dropout": 0.0}, "encoder", "torch.nn.Module",
                 id="encoders"),
]


@pytest.mark.parametrize("registry, name, kwargs, param, base_name", REGISTRIES)
def test_make_builds_names_and_passes_instances(registry, name, kwargs, param, base_name):
    built = registry.make(name, **kwargs)
    assert isinstance(built, registry.base)
    assert registry.make(built) is built
    assert registry.make(built, **kwargs) is built  # an instance is already configured
    with pytest.raises(TypeError, match=rf"The '{param}' parameter must be a registered "
                                        rf"{registry.kind} name or a {base_name}\. Got int"):
        registry.make(3)


@pytest.mark.parametrize("registry, name, kwargs, param, base_name", REGISTRIES)
def test_make_suggests_close_names(registry, name, kwargs, param, base_name):
    typo = name[:-1] + ("x" if name[-1] != "x" else "y")
    with pytest.raises(ValueError, match=rf"Unknown {registry.kind} '{typo}'\. Known "
                                         rf"{registry.kind}s: .*Did you mean '{name}'"):
        registry.make(typo, **kwargs)


def test_public_resolvers_use_make():
    s = UniformNegativeSampler(3, seed=0)
    assert get_sampler(s) is s
    assert get_sampler("uniform", num_neg=3).num_neg == 3
    assert get_hyperedge_sampler("sized", num_neg=2).num_neg == 2
    g = generate("star", num_nodes=5)
    assert generate(g) is g and g.num_nodes == 5
    enc = build_encoder("sage", 3, hidden_channels=4, out_channels=2)
    assert build_encoder(enc, 99) is enc
    with pytest.raises(TypeError, match=r"'sampler' parameter must be a registered sampler name"):
        get_sampler(torch.zeros(1))


def test_registry_without_base_takes_names_only():
    reg = Registry("widget")
    reg.add("a", dict)
    assert reg.make("a", x=1) == {"x": 1}
    with pytest.raises(TypeError, match=r"The 'widget' parameter must be a registered widget "
                                        r"name\. Got dict instead\."):
        reg.make({})


def test_did_you_mean_and_duplicates():
    assert did_you_mean("degre", ["degree", "uniform"]) == " Did you mean 'degree'?"
    reg = Registry("widget")
    reg.add("a", dict)
    with pytest.raises(ValueError, match=r"The widget name 'a' is already registered"):
        reg.add("a", list)
    with pytest.raises(ValueError, match=r"A widget name must be a non-empty str"):
        reg.add("", list)
