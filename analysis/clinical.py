r"""Cross-site negative sampling on multi-site clinical data: false negatives and domain shift.

Generative model of domain shift
--------------------------------
Patient ``p`` at site ``s(p)`` with diagnosis ``y_p`` is embedded as

.. math::

    z_p = m_{y_p} + \mu_{s(p)} + \varepsilon_p, \qquad
    m_c \sim \mathcal N(0, \tfrac{a^2}{d} I),\ \mu_s \sim \mathcal N(0, \tfrac{b^2}{d} I),\
    \varepsilon_p \sim \mathcal N(0, \tfrac{\sigma^2}{d} I),

``s_p = m_{y_p}`` the disease signal, ``μ_s`` the site effect (scanner, protocol,
population). :func:`simulate_site_embeddings` draws it.

False negatives
---------------
A sampled negative ``n`` of anchor ``u`` is a *false negative* when it shares the
anchor's diagnosis, ``n ∈ H(u) = {n : y_n = y_u}``. For the cross-site sampler
(:class:`~graphneg.samplers.CrossSiteNegativeSampler`) with own-site share ``π``,

.. math::

    \mathrm{FN}(u) = \sum_{n \in H(u)} q(n|u)
      = \pi_u \frac{|S(u) \cap H(u)|}{|S(u)|} + (1 - \pi_u) \frac{|O(u) \cap H(u)|}{|O(u)|},
    \qquad E[\#\mathrm{FN\ in\ } K] = K\,\mathrm{FN}(u)

(``docs/design.md``) — linear in ``π``, with slope set by how much the diagnosis rate of
the anchor's site differs from the other sites'. :func:`false_negative_curve`
computes it exactly from the sampler's own conditional.

Domain component of the negative gradient
-----------------------------------------
With ``g⁻(u,n) = σ(z_u·z_n) z_n`` and the *domain subspace* ``D = span{μ̂_s − μ̂}``
(centred site means of the embeddings, orthonormal basis ``B`` by QR), the exact
expected negative gradient splits as

.. math::

    E_q[g^-(u)] = \underbrace{B B^\top E_q[g^-(u)]}_{\text{domain}}
                + \underbrace{(I - B B^\top) E_q[g^-(u)]}_{\text{rest}} ;

the *domain share* ``‖B Bᵀ E_q g⁻‖² / ‖E_q g⁻‖²`` is the part of the push on ``z_u``
that only moves it between sites. :func:`domain_gradient_curve` reports both norms
and the share against ``π`` (exact; checked against sampled negatives in the tests).
:func:`cross_site_generalisation` (in :mod:`graphneg.analysis.studies.clinical`,
importable from here) trains patient embeddings on some sites and tests on a held-out
site for several ``π``.
"""
from __future__ import annotations

from typing import Dict, Iterable, Optional, Sequence

import pandas as pd
import torch
from torch import Tensor

from graphneg._random import Seed, as_generator
from graphneg._validation import check_embeddings, check_int, check_real, checked_params
from .gradient_bias import expected_negative_gradient, sampler_log_q
from .studies import forward_names

__all__ = ["simulate_site_embeddings", "false_negative_rates", "false_negative_curve",
           "domain_basis", "domain_decomposition", "domain_gradient_curve", "same_label_pairs",
           "similar_finding_pairs",
           "plot_false_negatives", "plot_domain_share", "plot_held_out_auc"]


@checked_params
def simulate_site_embeddings(num_per_site: Sequence[int], disease_prob: Sequence[float], *,
                             dim: int = 16, signal_scale: float = 1.0, site_scale: float = 1.0,
                             noise_scale: float = 0.5, seed: Seed = None):
    r"""Draw ``z_p = m_{y_p} + μ_{s(p)} + ε_p`` (module docstring) for several sites.

    Parameters
    ----------
    num_per_site : sequence of int
        Patients per site.
    disease_prob : sequence of float in [0, 1]
        ``P(y = 1)`` at each site (case mix differs by site).
    dim : int
    signal_scale, site_scale, noise_scale : float >= 0
        ``a``, ``b``, ``σ``.
    seed : int, torch.Generator or None

    Returns
    -------
    z : FloatTensor, shape (P, dim)
    site : LongTensor, shape (P,)
    y : LongTensor, shape (P,)

    Examples
    --------
    >>> z, site, y = simulate_site_embeddings([3, 2], [0.5, 1.0], dim=4, seed=0)
    >>> z.shape, site.tolist(), y[3:].tolist()
    (torch.Size([5, 4]), [0, 0, 0, 1, 1], [1, 1])
    """
    owner = "simulate_site_embeddings"
    sizes = [check_int(k, "num_per_site", low=1, owner=owner) for k in num_per_site]
    probs = [check_real(p, "disease_prob", low=0, high=1, owner=owner) for p in disease_prob]
    if len(probs) != len(sizes):
        raise ValueError(f"The 'disease_prob' parameter of {owner} must have one entry per site "
                         f"({len(sizes)}). Got {len(probs)} instead.")
    dim = check_int(dim, "dim", low=1, owner=owner)
    a, b, s = (check_real(v, k, low=0, owner=owner) for v, k in
               ((signal_scale, "signal_scale"), (site_scale, "site_scale"),
                (noise_scale, "noise_scale")))
    gen = as_generator(seed)
    site = torch.repeat_interleave(torch.arange(len(sizes)), torch.tensor(sizes))
    y = (torch.rand(site.numel(), generator=gen, dtype=torch.double)
         < torch.tensor(probs, dtype=torch.double)[site]).long()
    scale = dim ** -0.5
    m = torch.randn(2, dim, generator=gen) * a * scale
    mu = torch.randn(len(sizes), dim, generator=gen) * b * scale
    eps = torch.randn(site.numel(), dim, generator=gen) * s * scale
    return m[y] + mu[site] + eps, site, y


def _cross_site_log_q(site: Tensor, same_site_prob: float, edge_index: Optional[Tensor],
                      candidate_mask: Optional[Tensor] = None):
    from graphneg.samplers import CrossSiteNegativeSampler

    n = site.numel()
    ei = edge_index if edge_index is not None else torch.empty(2, 0, dtype=torch.long)
    return sampler_log_q(CrossSiteNegativeSampler(same_site_prob=same_site_prob), ei, n,
                         candidate_mask=candidate_mask, site=site)


@checked_params
def false_negative_rates(site: Tensor, label: Tensor, same_site_prob: float, *,
                         anchors: Optional[Tensor] = None, edge_index: Optional[Tensor] = None,
                         candidate_mask: Optional[Tensor] = None, batch: int = 512) -> Tensor:
    r"""Exact per-anchor false-negative probability ``FN(u) = Σ_{n∈H(u)} q(n|u)``.

    Parameters
    ----------
    site : LongTensor, shape (N,)
        Site ids (``-1``: not a candidate).
    label : LongTensor, shape (N,)
        Diagnosis; ``H(u) = {n : label_n = label_u}``.
    same_site_prob : float in [0, 1]
        ``π`` of the cross-site sampler.
    anchors : LongTensor, shape (A,), optional
        Default: every node with a site.
    edge_index : LongTensor, shape (2, E), optional
        Known pairs (never negatives).
    candidate_mask : BoolTensor, shape (N,), optional
    batch : int
        Anchors per block (memory ``O(batch · N)``).

    Returns
    -------
    Tensor, shape (A,), float64

    Examples
    --------
    >>> site = torch.tensor([0, 0, 0, 1, 1]); y = torch.tensor([1, 1, 0, 1, 0])
    >>> false_negative_rates(site, y, 0.5, anchors=torch.tensor([0])).tolist()  # .5*.5 + .5*.5
    [0.5]
    """
    owner = "false_negative_rates"
    if not isinstance(label, Tensor) or label.shape != site.shape:
        raise ValueError(f"The 'label' parameter of {owner} must be a tensor shaped like 'site' "
                         f"{tuple(site.shape)}. Got {getattr(label, 'shape', type(label))} "
                         f"instead.")
    log_q = _cross_site_log_q(site, same_site_prob, edge_index, candidate_mask)
    if anchors is None:
        anchors = (site >= 0).nonzero().view(-1)
    cand = torch.arange(site.numel())
    out = []
    for lo in range(0, anchors.numel(), batch):
        a = anchors[lo:lo + batch]
        p = torch.softmax(log_q(a, cand), 1)
        out.append((p * (label[a].view(-1, 1) == label.view(1, -1))).sum(1))
    return torch.cat(out) if out else torch.zeros(0, dtype=torch.double)


@checked_params
def false_negative_curve(site: Tensor, label: Tensor, pis: Iterable[float], *, num_neg: int = 1,
                         edge_index: Optional[Tensor] = None,
                         candidate_mask: Optional[Tensor] = None) -> pd.DataFrame:
    r"""False-negative rate and ``E[#FN]`` of the cross-site sampler against ``π``, by site.

    Returns
    -------
    pandas.DataFrame
        Rows ``(π, site)`` with ``fn_rate`` (mean ``FN(u)`` over the site's anchors),
        ``expected_fn = num_neg · fn_rate``; ``site = "all"`` pools every anchor.

    Examples
    --------
    >>> site = torch.tensor([0, 0, 1, 1]); y = torch.tensor([1, 1, 0, 0])
    >>> false_negative_curve(site, y, [0.0, 1.0]).query("site == 'all'").fn_rate.tolist()
    [0.0, 1.0]
    """
    num_neg = check_int(num_neg, "num_neg", low=1, owner="false_negative_curve")
    anchors = (site >= 0).nonzero().view(-1)
    if candidate_mask is not None:
        anchors = anchors[candidate_mask[anchors]]
    rows = []
    for pi in pis:
        fn = false_negative_rates(site, label, pi, anchors=anchors, edge_index=edge_index,
                                  candidate_mask=candidate_mask)
        groups = [("all", torch.ones_like(fn, dtype=torch.bool))]
        groups += [(int(s), site[anchors] == s) for s in torch.unique(site[anchors]).tolist()]
        for name, sel in groups:
            rate = float(fn[sel].mean())
            rows.append({"same_site_prob": float(pi), "site": name, "fn_rate": rate,
                         "expected_fn": num_neg * rate})
    return pd.DataFrame(rows)


@checked_params
def domain_basis(z: Tensor, site: Tensor) -> Tensor:
    r"""Orthonormal basis ``B`` (shape (d, r)) of the centred site-mean directions.

    ``μ̂_s`` is the mean of ``z`` over nodes of site ``s`` (``site >= 0``), ``μ̂`` the
    mean over all sited nodes; ``B`` spans ``{μ̂_s − μ̂}`` (rank ``r ≤ #sites − 1``;
    numerically null directions, singular value below ``1e-9`` of the largest,
    are dropped). Cost ``O(N d + S d²)``.

    Examples
    --------
    >>> z = torch.tensor([[1.0, 0.0], [3.0, 0.0], [0.0, 5.0]])
    >>> domain_basis(z, torch.tensor([0, 1, -1])).abs().round(decimals=6).tolist()
    [[1.0], [0.0]]
    """
    z = check_embeddings(z, "z", owner="domain_basis").double()
    sited = site >= 0
    s = site[sited]
    num_sites = int(s.max()) + 1 if s.numel() else 0
    means = torch.zeros(num_sites, z.size(1), dtype=torch.double).index_add_(0, s, z[sited])
    counts = torch.bincount(s, minlength=num_sites).double()
    present = counts > 0
    means = means[present] / counts[present].unsqueeze(1)
    centred = means - z[sited].mean(0)
    u, sv, _ = torch.linalg.svd(centred.T, full_matrices=False)
    keep = sv > 1e-9 * sv.max() if sv.numel() and float(sv.max()) > 0 else sv > 0
    return u[:, keep]


@checked_params
def domain_decomposition(vectors: Tensor, basis: Tensor) -> Dict[str, Tensor]:
    r"""Split vectors into the domain subspace and the rest.

    Parameters
    ----------
    vectors : Tensor, shape (A, d)
    basis : Tensor, shape (d, r), orthonormal columns

    Returns
    -------
    dict
        ``domain`` (A, d) ``= B Bᵀ v``, ``rest`` (A, d), ``domain_norm``, ``rest_norm``
        (A,), ``domain_share`` (A,) ``= ‖B Bᵀ v‖² / ‖v‖²`` (``nan`` for ``v = 0``).

    Examples
    --------
    >>> out = domain_decomposition(torch.tensor([[3.0, 4.0]]), torch.tensor([[1.0], [0.0]]))
    >>> out["domain_norm"].tolist(), round(float(out["domain_share"][0]), 2)
    ([3.0], 0.36)
    """
    v = vectors.double()
    b = basis.double()
    dom = (v @ b) @ b.T
    rest = v - dom
    total = (v * v).sum(1)
    return {"domain": dom, "rest": rest, "domain_norm": dom.norm(dim=1),
            "rest_norm": rest.norm(dim=1), "domain_share": (dom * dom).sum(1) / total}


@checked_params
def domain_gradient_curve(z: Tensor, site: Tensor, pis: Iterable[float], *,
                          label: Optional[Tensor] = None, edge_index: Optional[Tensor] = None,
                          candidate_mask: Optional[Tensor] = None,
                          anchors: Optional[Tensor] = None) -> pd.DataFrame:
    r"""Exact domain / rest decomposition of ``E_q[g⁻]`` for the cross-site sampler vs ``π``.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
    site : LongTensor, shape (N,)
    pis : iterable of float in [0, 1]
    label : LongTensor, shape (N,), optional
        Adds the pooled false-negative rate ``fn_rate`` per ``π``.
    edge_index, candidate_mask, anchors : optional
        As for :func:`false_negative_rates` (anchors default: sited nodes).

    Returns
    -------
    pandas.DataFrame
        One row per ``π``: ``domain_norm``, ``rest_norm`` (means over anchors),
        ``domain_share`` (pooled ``Σ‖dom‖² / Σ‖E g⁻‖²``) and optionally ``fn_rate``.

    Notes
    -----
    Cost per ``π``: ``O(A N d)`` (:func:`expected_negative_gradient`).

    Examples
    --------
    >>> z, site, y = simulate_site_embeddings([20, 20], [0.5, 0.5], dim=4, seed=0)
    >>> df = domain_gradient_curve(z, site, [0.0, 1.0])
    >>> list(df.columns)
    ['same_site_prob', 'domain_norm', 'rest_norm', 'domain_share']
    """
    z = check_embeddings(z, "z", num_rows=site.numel(), owner="domain_gradient_curve")
    basis = domain_basis(z, site)
    if anchors is None:
        anchors = (site >= 0).nonzero().view(-1)
        if candidate_mask is not None:
            anchors = anchors[candidate_mask[anchors]]
    rows = []
    for pi in pis:
        log_q = _cross_site_log_q(site, pi, edge_index, candidate_mask)
        e = expected_negative_gradient(z, log_q, anchors)
        dec = domain_decomposition(e, basis)
        row = {"same_site_prob": float(pi), "domain_norm": float(dec["domain_norm"].mean()),
               "rest_norm": float(dec["rest_norm"].mean()),
               "domain_share": float((dec["domain_norm"] ** 2).sum() / (e * e).sum())}
        if label is not None:
            row["fn_rate"] = float(false_negative_rates(site, label, pi, anchors=anchors,
                                                        edge_index=edge_index,
                                                        candidate_mask=candidate_mask).mean())
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------ positives for training
@checked_params
def same_label_pairs(site: Tensor, label: Tensor, members: Tensor, num_pos: int,
                     gen: torch.Generator) -> Tensor:
    r"""Positive pairs of the same site and diagnosis: ``num_pos`` partners per member.

    Parameters
    ----------
    site, label : LongTensor, shape (N,)
    members : LongTensor, shape (M,)
        The nodes that may pair (e.g. the training patients).
    num_pos : int
        Partners per member, drawn uniformly with replacement among the *other*
        members of its ``(site, label)`` group; members alone in their group get none.
    gen : torch.Generator

    Returns
    -------
    LongTensor, shape (2, num_pos · M')
        ``(member, partner)`` rows, ``M'`` the members with a partner, grouped by
        ``(site, label)``.

    Notes
    -----
    One stable sort and a rank shift that skips the member itself: :math:`O(M \log M)`.

    Examples
    --------
    >>> site, y = torch.tensor([0, 0, 1]), torch.tensor([1, 1, 1])
    >>> same_label_pairs(site, y, torch.arange(3), 1, torch.Generator().manual_seed(0)).tolist()
    [[0, 1], [1, 0]]
    """
    key = site[members] * 2 + label[members]
    order = torch.argsort(key, stable=True)
    sm, sk = members[order], key[order]
    _, counts = torch.unique_consecutive(sk, return_counts=True)
    start = torch.cumsum(counts, 0) - counts
    grp = torch.repeat_interleave(torch.arange(counts.numel()), counts)
    rank = torch.arange(sm.numel()) - start[grp]
    idx = (counts[grp] > 1).nonzero().view(-1).repeat_interleave(num_pos)
    g = grp[idx]
    r = (torch.rand(idx.numel(), generator=gen, dtype=torch.double)
         * (counts[g] - 1)).long()
    r = r + (r >= rank[idx]).long()  # skip the anchor itself
    return torch.stack([sm[idx], sm[start[g] + r]])


@checked_params
def similar_finding_pairs(x: Tensor, members: Tensor, num_pos: int) -> Tensor:
    r"""Positive pairs that do not use the diagnosis: each member with its ``num_pos``
    most similar other members by the Jaccard overlap of their findings,

    .. math:: J(a, b) = \frac{|F_a \cap F_b|}{|F_a \cup F_b|},

    ties broken by the smaller id (any site).

    Parameters
    ----------
    x : Tensor, shape (N, F)
        0/1 findings of every patient (``x_patient``).
    members : LongTensor, shape (M,)
        The patients that may pair (the training patients).
    num_pos : int

    Returns
    -------
    LongTensor, shape (2, M · num_pos)
        ``(member, partner)`` rows, member by member. Cost :math:`O(M^2 F)`.

    Examples
    --------
    >>> x = torch.tensor([[1, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1]])
    >>> similar_finding_pairs(x, torch.arange(4), 1).tolist()
    [[0, 1, 2, 3], [1, 0, 3, 2]]
    """
    b = (x[members] > 0).double()
    inter = b @ b.T
    size = b.sum(1)
    jac = inter / (size.view(-1, 1) + size.view(1, -1) - inter).clamp_min(1e-12)
    jac.fill_diagonal_(-1.0)
    m = members.numel()
    k = min(int(num_pos), m - 1)
    # stable tie-break: subtract a tiny multiple of the column index
    top = torch.topk(jac - torch.arange(m, dtype=torch.double) * 1e-9, k, dim=1).indices
    return torch.stack([members.repeat_interleave(k), members[top.reshape(-1)]])


# ---------------------------------------------------------------- plots
def plot_false_negatives(curve: pd.DataFrame, ax=None, *, site_names: Optional[Sequence[str]] = None):
    """False-negative rate against ``π``, one line per site and the pooled rate.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.figure(figsize=(5, 3.5)).gca()
    for name, grp in curve.groupby("site", sort=False):
        label = "all anchors" if name == "all" else (
            site_names[int(name)] if site_names is not None else f"site {name}")
        style = "k-o" if name == "all" else "--"
        ax.plot(grp.same_site_prob, grp.fn_rate, style, label=label)
    ax.set_xlabel("own-site share π")
    ax.set_ylabel("false-negative rate FN(u), mean")
    ax.set_title("False negatives of cross-site sampling")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def plot_domain_share(curve: pd.DataFrame, ax=None, *, label: str = "exact",
                      mc: Optional[pd.DataFrame] = None):
    """Domain share of the expected negative gradient against ``π`` (with optional
    Monte Carlo points ``mc`` having ``same_site_prob`` and ``domain_share``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.figure(figsize=(5, 3.5)).gca()
    ax.plot(curve.same_site_prob, curve.domain_share, "o-", label=label)
    if mc is not None:
        ax.plot(mc.same_site_prob, mc.domain_share, "kx", ms=8, label="Monte Carlo")
    ax.set_xlabel("own-site share π")
    ax.set_ylabel("‖domain part of E g⁻‖² / ‖E g⁻‖²")
    ax.set_title("Domain component of the negative gradient")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def plot_held_out_auc(generalisation: pd.DataFrame, ax=None):
    """Held-out-site diagnosis AUC (linear probe) against ``π``, one line per held-out site
    (mean ± sd over seeds).

    Parameters
    ----------
    generalisation : DataFrame
        :func:`cross_site_generalisation` rows with a ``held_out`` (site name) column.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> df = pd.DataFrame({"held_out": ["a", "a"], "same_site_prob": [0.0, 1.0],
    ...                    "probe_auc": [0.6, 0.7]})
    >>> plot_held_out_auc(df).get_title()
    'Cross-site generalisation'
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.figure(figsize=(5, 3.5)).gca()
    for name, grp in generalisation.groupby("held_out"):
        m = grp.groupby("same_site_prob").probe_auc.agg(["mean", "std"])
        ax.errorbar(m.index, m["mean"], yerr=m["std"], marker="o", capsize=3, label=name)
    ax.set_xlabel("own-site share π")
    ax.set_ylabel("held-out-site diagnosis AUC (linear probe)")
    ax.set_title("Cross-site generalisation")
    ax.grid(True, alpha=0.3)
    ax.legend(title="held-out site", fontsize=8)
    return ax



# The held-out-site experiment lives in the clinical study; importable from here,
# resolved on first use (the study imports this module: a top-level import would be a cycle).
__getattr__ = forward_names("clinical", ("cross_site_generalisation",), owner=__name__)
