import matplotlib.pyplot as plt
import pytest
import torch
from graphneg.analysis.clinical import (
    cross_site_generalisation,
    domain_basis,
    domain_decomposition,
    domain_gradient_curve,
    false_negative_curve,
    false_negative_rates,
    plot_domain_share,
    plot_false_negatives,
    same_label_pairs,
    simulate_site_embeddings,
)
from graphneg.analysis.gradient_bias import negative_gradient
from graphneg.datasets import uci_heart_disease

from graphneg.samplers import CrossSiteNegativeSampler


def _sim(seed=0):
    return simulate_site_embeddings([30, 40, 50], [0.2, 0.5, 0.9], dim=6, signal_scale=1.5,
                                    site_scale=2.0, noise_scale=0.5, seed=seed)


def test_false_negative_rate_closed_form_and_linear_in_pi():
    _, site, y = _sim()
    n = site.numel()
    for pi in (0.0, 0.3, 1.0):
        fn = false_negative_rates(site, y, pi)
        same = (site.view(-1, 1) == site.view(1, -1)) & ~torch.eye(n, dtype=torch.bool)
        other = site.view(-1, 1) != site.view(1, -1)
        h = y.view(-1, 1) == y.view(1, -1)
        closed = (pi * (same & h).sum(1) / same.sum(1)
                  + (1 - pi) * (other & h).sum(1) / other.sum(1))
        assert torch.allclose(fn, closed.double(), atol=1e-12)
    curve = false_negative_curve(site, y, [0.0, 0.5, 1.0], num_neg=4)
    pooled = curve[curve.site == "all"]
    assert pooled.fn_rate.iloc[1] == pytest.approx(pooled.fn_rate.iloc[[0, 2]].mean(), abs=1e-12)
    assert (pooled.expected_fn == 4 * pooled.fn_rate).all()


def test_false_negative_rate_matches_simulation():
    # binomial check: |empirical - exact| < 5 standard errors at 200 draws x 120 anchors
    _, site, y = _sim(1)
    n, k, pi = site.numel(), 200, 0.7
    anchors = torch.arange(n)
    neg = CrossSiteNegativeSampler(k, same_site_prob=pi, seed=0).sample(
        torch.empty(2, 0, dtype=torch.long), n, pos_edge_index=torch.stack([anchors, anchors]),
        site=site)
    hit = (y[neg[0]] == y[neg[1]]).double()
    exact = float(false_negative_rates(site, y, pi).mean())
    se = (exact * (1 - exact) / hit.numel()) ** 0.5
    assert abs(float(hit.mean()) - exact) < 5 * se


def test_domain_decomposition_exact_vs_monte_carlo_and_balance_point():
    z, site, y = _sim(2)
    n = site.numel()
    basis = domain_basis(z, site)
    assert basis.shape == (6, 2)
    assert torch.allclose(basis.T @ basis, torch.eye(2, dtype=torch.double), atol=1e-10)
    uniform_pi = float(((torch.bincount(site) ** 2 - torch.bincount(site)).sum())
                       / (n * (n - 1)))  # own-site share of uniform sampling, pooled
    pis = [0.0, uniform_pi, 1.0]
    curve = domain_gradient_curve(z, site, pis, label=y)
    # Monte Carlo: mean g- over 4000 draws per anchor, then the same decomposition
    k = 4000
    anchors = torch.arange(n)
    for pi, exact in zip(pis, curve.domain_share):
        neg = CrossSiteNegativeSampler(k, same_site_prob=pi, seed=3).sample(
            torch.empty(2, 0, dtype=torch.long), n, pos_edge_index=torch.stack([anchors, anchors]),
            site=site)
        mean_g = negative_gradient(z, neg).double().view(n, k, -1).mean(1)
        dec = domain_decomposition(mean_g, basis)
        mc = float((dec["domain_norm"] ** 2).sum() / (mean_g ** 2).sum())
        assert mc == pytest.approx(exact, abs=0.02)
    # strong site effects: an all-own-site or all-other-site sampler pushes along the
    # site directions more than one mixing sites as uniform sampling does
    assert curve.domain_share.iloc[1] < min(curve.domain_share.iloc[0],
                                            curve.domain_share.iloc[2])
    assert curve.fn_rate.is_monotonic_increasing  # case mix differs: own site shares labels


def test_domain_decomposition_closed_form():
    out = domain_decomposition(torch.tensor([[3.0, 4.0], [0.0, 2.0]]),
                               torch.tensor([[1.0], [0.0]]))
    assert out["domain_norm"].tolist() == [3.0, 0.0]
    assert out["rest_norm"].tolist() == [4.0, 2.0]
    assert out["domain_share"].tolist() == pytest.approx([0.36, 0.0])


def test_same_label_pairs_are_same_site_and_label():
    site = torch.tensor([0, 0, 0, 1, 1, 1, 1])
    y = torch.tensor([1, 1, 0, 0, 0, 1, 0])
    pairs = same_label_pairs(site, y, torch.arange(7), 50, torch.Generator().manual_seed(0))
    assert bool((site[pairs[0]] == site[pairs[1]]).all() and (y[pairs[0]] == y[pairs[1]]).all())
    assert bool((pairs[0] != pairs[1]).all())
    # singletons (node 2, node 5) get no partner; node 3 sees both 4 and 6
    assert set(pairs[0].tolist()) == {0, 1, 3, 4, 6}
    assert set(pairs[1][pairs[0] == 3].tolist()) == {4, 6}


def test_cross_site_generalisation_smoke_and_plots():
    data = uci_heart_disease()
    df = cross_site_generalisation(data, [0.0, 1.0], held_out_sites=[2], epochs=3, num_neg=2,
                                   num_pos=2)
    assert list(df.method) == ["heuristic:raw-features", "baseline:untrained-gnn", "π=0", "π=1",
                               "uniform"]
    df = df[df.method.str.startswith("π=")]      # the cross-site runs
    assert list(df.same_site_prob) == [0.0, 1.0]
    assert df.probe_auc.between(0, 1).all() and df.pair_auc.between(0, 1).all()
    assert df.fn_rate.iloc[1] > df.fn_rate.iloc[0]  # Switzerland held out: others mixed
    p = data.num_patients
    curve = false_negative_curve(data.site[:p], data.y[:p], [0.0, 0.5, 1.0])
    ax = plot_false_negatives(curve, site_names=data.site_names)
    assert "all anchors" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)
    z, site, _ = _sim()
    ax = plot_domain_share(domain_gradient_curve(z, site, [0.0, 1.0]))
    plt.close(ax.figure)


def test_errors():
    with pytest.raises(ValueError, match="'disease_prob' parameter .* one entry per site"):
        simulate_site_embeddings([3, 3], [0.5])
    with pytest.raises(ValueError, match="'disease_prob'.*Got 1.5"):
        simulate_site_embeddings([3], [1.5])
    with pytest.raises(ValueError, match="'label' parameter .* shaped like 'site'"):
        false_negative_rates(torch.tensor([0, 1]), torch.tensor([0]), 0.5)
    with pytest.raises(ValueError, match="'same_site_prob'.*Got 2.0"):
        false_negative_rates(torch.tensor([0, 1]), torch.tensor([0, 1]), 2.0)
