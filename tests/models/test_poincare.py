"""Poincaré embeddings: distance, gradients, utility ratio, hierarchies, trainer."""
import math
import sys

import numpy as np
import pytest
import torch
from support.reference import reconstruction_brute_force

geoopt = pytest.importorskip("geoopt")

from graphneg.analysis.hyperbolic import (  # noqa: E402
    plot_utility_ratio,
    utility_ratio_controlled,
    utility_ratio_trained,
)
from graphneg.datasets.hierarchies import (  # noqa: E402
    load_icd10cm_hierarchy,
    node_depths,
    transitive_closure,
    tree_parents,
)
from graphneg.generators import balanced_tree  # noqa: E402

from graphneg.models.poincare import (
    PoincareEmbedding,
    check_in_ball,
    negative_gradient_norms,
    poincare_distance,
    poincare_distance_grad,
    softmax_gradient_parts,
    project_to_ball,
    reconstruction_metrics,
    require_geoopt,
    softmax_distance_loss,
)
from graphneg.training.hyperbolic import PoincareTrainer


def ball_points(n, d=3, seed=0, max_norm=0.95):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g, dtype=torch.float64)
    r = max_norm * torch.rand(n, 1, generator=g, dtype=torch.float64)
    return x / x.norm(dim=1, keepdim=True) * r


def test_distance_matches_geoopt_and_closed_form():
    u, v = ball_points(50, seed=1), ball_points(50, seed=2)
    ball = geoopt.PoincareBall(c=1.0)
    torch.testing.assert_close(poincare_distance(u, v), ball.dist(u, v))
    # origin to radius r: 2 artanh(r)
    r = torch.tensor([0.1, 0.5, 0.9], dtype=torch.float64)
    x = torch.stack([r, torch.zeros(3, dtype=torch.float64)], 1)
    torch.testing.assert_close(poincare_distance(torch.zeros_like(x), x), 2 * torch.atanh(r))


def test_distance_gradient_matches_autograd_and_geoopt_scaling():
    u = ball_points(20, seed=3).requires_grad_(True)
    n = ball_points(20, seed=4)
    poincare_distance(u, n).sum().backward()
    torch.testing.assert_close(poincare_distance_grad(u.detach(), n), u.grad)
    # geoopt's Riemannian gradient is (1 - |u|^2)^2 / 4 times the Euclidean one
    ball = geoopt.PoincareBall(c=1.0)
    scale = (1 - (u.detach() ** 2).sum(1, keepdim=True)) ** 2 / 4
    torch.testing.assert_close(ball.egrad2rgrad(u.detach(), u.grad), scale * u.grad)


def test_negative_gradient_norms_match_autograd_and_unit_norm_identity():
    u = ball_points(6, seed=5).requires_grad_(True)
    v = ball_points(6, seed=6)
    negs = torch.stack([ball_points(6, seed=7), ball_points(6, seed=8)], 1)
    d_pos, d_neg = poincare_distance(u, v), poincare_distance(u.unsqueeze(1), negs)
    softmax_distance_loss(d_pos, d_neg).sum().backward()
    uu = u.detach()
    p = torch.softmax(-torch.cat([d_pos.unsqueeze(1), d_neg], 1), 1).detach()
    parts = [(1 - p[:, :1]) * poincare_distance_grad(uu, v)]
    parts += [-p[:, k + 1:k + 2] * poincare_distance_grad(uu, negs[:, k]) for k in range(2)]
    torch.testing.assert_close(sum(parts), u.grad)  # the per-negative split is exact
    amb = negative_gradient_norms(uu, v, negs)
    scale = (1 - (uu ** 2).sum(1, keepdim=True)) ** 2 / 4
    want = torch.stack([parts[k + 1].norm(dim=1) for k in range(2)], 1) * scale
    torch.testing.assert_close(amb, want)
    # the Riemannian gradient of a distance has unit intrinsic norm: ||g_n|| = p_n
    torch.testing.assert_close(negative_gradient_norms(uu, v, negs, metric="intrinsic"),
                               p[:, 1:])
    eu = negative_gradient_norms(uu, v, negs, manifold="euclidean")
    pe = torch.softmax(-torch.cat([(uu - v).norm(dim=1, keepdim=True),
                                   (uu.unsqueeze(1) - negs).norm(dim=2)], 1), 1)
    torch.testing.assert_close(eu, pe[:, 1:])


def test_utility_ratio_controlled_closed_form():
    radii = np.linspace(0, 0.99, 12)
    for man in ("poincare", "euclidean"):
        df = utility_ratio_controlled(radii, manifold=man)
        np.testing.assert_allclose(df["ratio"], df["closed_form"], rtol=1e-10)
    eu = utility_ratio_controlled(radii, manifold="euclidean")
    np.testing.assert_allclose(eu["ratio"], math.exp(0.5 - 0.05), rtol=1e-12)


def test_ball_checks_and_projection():
    with pytest.raises(ValueError, match=r"strictly inside the unit ball.*1 point\(s\)"):
        check_in_ball(torch.tensor([[1.0, 0.0], [0.2, 0.1]]), owner="x")
    with pytest.raises(ValueError, match="'u' parameter of negative_gradient_norms"):
        negative_gradient_norms(torch.tensor([[1.5, 0.0]]), torch.zeros(1, 2),
                                torch.zeros(1, 1, 2))
    with pytest.raises(ValueError, match="must be finite"):
        check_in_ball(torch.tensor([[float("nan"), 0.0]]))
    y, num = project_to_ball(torch.tensor([[3.0, 4.0], [0.1, 0.0], [0.0, 1.0]]), eps=1e-3)
    assert num == 2 and torch.allclose(y.norm(dim=1), torch.tensor([0.999, 0.1, 0.999]))
    with pytest.raises(ValueError, match="'manifold' parameter of PoincareEmbedding"):
        PoincareEmbedding(3, 2, manifold="sphere")


def test_missing_geoopt_gives_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "geoopt", None)
    with pytest.raises(ImportError, match=r"pip install 'graphneg\[hyperbolic\]'"):
        require_geoopt()


def test_reconstruction_metrics_brute_force():
    g = torch.Generator().manual_seed(0)
    n = 7
    dist = torch.rand(n, n, generator=g)
    dist = dist + dist.T
    ei = torch.tensor([[0, 1, 0, 2, 3, 4, 3, 5], [1, 0, 2, 0, 4, 3, 5, 3]])
    got = reconstruction_metrics(dist, ei)
    rank, ap = reconstruction_brute_force(dist, ei)  # no ties: both rules agree
    assert got["mean_rank"] == pytest.approx(rank) and got["map"] == pytest.approx(ap)


def test_hierarchies():
    data = load_icd10cm_hierarchy()
    assert data.num_nodes == 2961 and int((data.parent < 0).sum()) == 1
    assert data.codes[0] == "ICD-10-CM" and int(data.depth.max()) == 7
    closure = load_icd10cm_hierarchy(closure=True).edge_index
    assert closure.size(1) == 2 * int(data.depth.sum())
    tree = balanced_tree(3, 3)
    par = tree_parents(tree.edge_index, tree.num_nodes)
    assert par.tolist() == [-1] + [(i - 1) // 3 for i in range(1, tree.num_nodes)]
    assert node_depths(par).max() == 3
    cl = transitive_closure(par)
    pairs = set(map(tuple, cl.T.tolist()))
    assert (0, 13) in pairs and (13, 0) in pairs and (1, 2) not in pairs
    with pytest.raises(ValueError, match="must be a connected tree on 4 nodes"):
        tree_parents(torch.tensor([[0, 1, 1, 2, 2, 0], [1, 0, 2, 1, 0, 2]]), 4)


def test_trainer_learns_tree_and_stays_in_ball():
    tree = balanced_tree(2, 3)
    cl = transitive_closure(tree_parents(tree.edge_index, tree.num_nodes))
    kw = dict(dim=2, epochs=30, num_neg=5, lr=0.1, seed=0, verbose=False, evaluate_every=10,
              burn_in=3)
    hist = PoincareTrainer(cl, tree.num_nodes, **kw).fit()
    again = PoincareTrainer(cl, tree.num_nodes, **kw).fit()
    assert hist["loss"].equals(again["loss"])
    assert hist["loss"].iloc[-1] < hist["loss"].iloc[0]
    assert bool((hist["max_norm"] < 1).all())
    assert hist["val_map"].dropna().iloc[-1] > 0.5
    tr = PoincareTrainer(cl, tree.num_nodes, manifold="euclidean", **kw)
    tr.fit()
    df = utility_ratio_trained(tr.model.weight.detach(), cl, manifold="euclidean", seed=0)
    assert bool((df["ratio"] >= 1 - 1e-12).all())  # the nearest non-neighbour is hardest


def test_utility_ratio_trained_and_plot():
    z = ball_points(40, d=2, seed=9)
    ei = transitive_closure(tree_parents(balanced_tree(3, 2).edge_index, 13))
    df = utility_ratio_trained(z[:13], ei, seed=0)
    assert len(df) == 12 and 0 not in df["node"].tolist()  # the root has no non-neighbour
    assert bool((df["ratio"] >= 1 - 1e-12).all())
    ax = plot_utility_ratio({"Poincaré": utility_ratio_controlled([0.1, 0.5, 0.9])},
                            {"tree": df}, num_bins=3)
    assert ax.get_yscale() == "log" and len(ax.lines) == 2


@pytest.mark.parametrize("manifold", ["poincare", "euclidean"])
def test_softmax_gradient_parts_sum_to_autograd_and_weights_are_the_loss_gradient(manifold):
    u = ball_points(7, seed=11).requires_grad_(True)
    v = ball_points(7, seed=12)
    negs = torch.stack([ball_points(7, seed=s) for s in (13, 14, 15)], 1)
    if manifold == "poincare":
        d_pos, d_neg = poincare_distance(u, v), poincare_distance(u.unsqueeze(1), negs)
    else:
        d_pos, d_neg = (u - v).norm(dim=1), (u.unsqueeze(1) - negs).norm(dim=2)
    d_neg.retain_grad()
    softmax_distance_loss(d_pos, d_neg).sum().backward()
    g_pos, g_neg, p = softmax_gradient_parts(u.detach(), v, negs, manifold=manifold)
    torch.testing.assert_close(g_pos + g_neg, u.grad)
    torch.testing.assert_close(p, -d_neg.grad)  # dL/d(-d_k) = p_k
    # a distance's Riemannian gradient has unit intrinsic norm: ||g+||_u = 1 - p_0 >= ||g-||_u
    scale = (1 - (u.detach() ** 2).sum(1)) / 2 if manifold == "poincare" else 1.0
    torch.testing.assert_close(g_pos.norm(dim=1) * scale, p.sum(1))
    assert bool((g_neg.norm(dim=1) * scale <= p.sum(1) + 1e-12).all())


def test_trainer_records_efficiency_and_hardness_of_the_epoch():
    from graphneg.samplers import get_sampler

    cl = transitive_closure(tree_parents(balanced_tree(2, 3).edge_index, 15))
    for manifold in ("poincare", "euclidean"):
        sampler = get_sampler("uniform", num_neg=3, seed=0, on_impossible="drop")
        drawn = []
        sample = sampler.sample

        def recording(*args, **kwargs):
            out = sample(*args, **kwargs)
            drawn.append(out)
            return out

        sampler.sample = recording
        tr = PoincareTrainer(cl, 15, dim=2, manifold=manifold, sampler=sampler, num_neg=3,
                             epochs=1, batch_size=10_000, seed=0, verbose=False)
        w = tr.model.weight.detach().clone().double()  # one minibatch: the initial weights
        row = tr.fit().iloc[0]
        neg, keep = drawn[0]
        pos = cl[:, keep]
        g_pos, g_neg, p = softmax_gradient_parts(w[pos[0]], w[pos[1]],
                                                 w[neg[1].view(-1, 3)], manifold=manifold)
        scale = (1 - (w[pos[0]] ** 2).sum(1)) / 2 if manifold == "poincare" else 1.0
        eta = float((g_neg.norm(dim=1) * scale).sum() / (g_pos.norm(dim=1) * scale).sum())
        assert row["eta"] == pytest.approx(eta, rel=1e-4)
        assert row["neg_softmax_weight"] == pytest.approx(float(p.sum(1).mean()), rel=1e-4)
        assert 0 < row["eta"] <= 1 and 0 < row["neg_softmax_weight"] < 1
