r"""What approximate search does to hard-negative mining (``docs/design.md``, ANN).

Concepts
--------
:class:`~graphneg.samplers.ANNNegativeSampler` samples among the top-``k``
retrieved by an index. With the exact index (``IndexFlatIP``) its conditional is
the *target* :math:`q_{\mathrm{exact}}(\cdot \mid u)`; an approximate index
(HNSW, IVF) retrieves a slightly different list and so samples from
:math:`q_{\mathrm{ANN}}`. Measured here, as functions of the index's accuracy knob
(``ef_search`` for HNSW, ``nprobe`` for IVF):

* **recall@k** :math:`= |T_{\mathrm{ANN}}(u) \cap T_{\mathrm{exact}}(u)| / k`,
  averaged over anchors;
* **total variation** :math:`\tfrac12 \sum_n |q_{\mathrm{ANN}}(n|u) - q_{\mathrm{exact}}(n|u)|`;
* the **mixture fit** :math:`q_{\mathrm{ANN}} \approx (1-\varepsilon)\, q_{\mathrm{exact}}
  + \varepsilon\, \mathrm{Unif}(C(u))` (:func:`fit_mixture`, maximum likelihood by
  default, least squares as an option);
* the **gradient bias** :math:`b(u) = E_{q_{\mathrm{ANN}}}[g^-] - E_{q_{\mathrm{exact}}}[g^-]`,
  :math:`g^-(u, n) = \sigma(z_u \cdot z_n) z_n`, its norm and relative norm
  :math:`\|b\| / \|E_{q_{\mathrm{exact}}} g^-\|`, computed exactly by
  :func:`graphneg.analysis.gradient_bias.gradient_bias` on the samplers' own
  conditionals (:func:`~graphneg.analysis.gradient_bias.sampler_log_q`);
* refresh time (index build + mining all ``N`` lists) of the approximate index
  vs the exact one.

All distributions are the samplers' exact conditionals (no Monte Carlo).
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from graphneg._validation import (
    checked_params,
    check_edge_index, check_embeddings, check_instance, check_int, check_num_nodes,
    check_option,
)

from .gradient_bias import (
    GradientBias,
    _gradient_bias,
    gradient_bias,
    sampler_log_q,
    uniform_log_q,
)
from .plots import _axes

__all__ = [
    "recall_at_k", "conditional_matrix", "fit_mixture", "implied_mixture_bias",
    "ann_bias_per_anchor", "ann_sweep", "index_payoff", "plot_bias_vs_recall",
    "plot_refresh_time",
]

#: Accuracy knob of each approximate index kind.
KNOBS = {"hnsw": "ef_search", "hnsw_mips": "ef_search", "ivf": "nprobe"}


@checked_params
def recall_at_k(approx_ids: Tensor, exact_ids: Tensor) -> Tensor:
    r"""Per-row recall ``|set(approx) ∩ set(exact)| / |set(exact)|`` of top-``k`` id lists.

    Parameters
    ----------
    approx_ids, exact_ids : LongTensor, shape (A, k)
        Retrieved ids (``-1`` = missing, never counted as a hit). An id repeated
        within a row counts once, on both sides.

    Returns
    -------
    DoubleTensor, shape (A,)
        In ``[0, 1]``; the denominator is the number of distinct ids ``>= 0`` in the
        exact row (``k`` when it holds ``k`` distinct ids).

    Raises
    ------
    TypeError
        When the ids are not integer tensors.
    ValueError
        When the shapes differ or an exact row holds no id ``>= 0``.

    Notes
    -----
    Cost ``O(A k^2)`` (pairwise comparison of the lists).

    Examples
    --------
    >>> recall_at_k(torch.tensor([[1, 2, 3], [4, 5, -1]]), torch.tensor([[3, 2, 9], [4, 5, 6]]))
    tensor([0.6667, 0.6667], dtype=torch.float64)
    >>> recall_at_k(torch.tensor([[1, 1, 1]]), torch.tensor([[1, 2, 3]]))
    tensor([0.3333], dtype=torch.float64)
    """
    owner = "recall_at_k"
    for name, t in (("approx_ids", approx_ids), ("exact_ids", exact_ids)):
        if not isinstance(t, Tensor) or t.is_floating_point() or t.is_complex() \
                or t.dtype == torch.bool:
            got = t.dtype if isinstance(t, Tensor) else type(t).__name__
            raise TypeError(f"The '{name}' parameter of {owner} must be an integer "
                            f"torch.Tensor of ids. Got {got} instead.")
    if approx_ids.shape != exact_ids.shape or approx_ids.dim() != 2:
        raise ValueError("The 'approx_ids' and 'exact_ids' parameters of recall_at_k must have "
                         f"the same shape (A, k). Got {tuple(approx_ids.shape)} and "
                         f"{tuple(exact_ids.shape)} instead.")

    def first_valid(ids: Tensor) -> Tensor:  # id >= 0 and not seen earlier in its row
        k = ids.size(1)
        earlier = torch.ones(k, k, dtype=torch.bool).tril(-1)
        seen = ((ids.unsqueeze(2) == ids.unsqueeze(1)) & earlier).any(2)
        return (ids >= 0) & ~seen

    wanted = first_valid(exact_ids).sum(1)
    if bool((wanted == 0).any()):
        row = int((wanted == 0).nonzero()[0])
        raise ValueError(f"The 'exact_ids' parameter of {owner} must hold at least one id "
                         f">= 0 per row. Got none in row {row} instead.")
    hit = (approx_ids.unsqueeze(2) == exact_ids.unsqueeze(1)).any(2) & first_valid(approx_ids)
    return hit.double().sum(1) / wanted.double()


@checked_params
def conditional_matrix(sampler: Any, edge_index: Tensor, num_nodes: Optional[int] = None, *,
                       anchors: Optional[Tensor] = None, **kwargs: Any) -> Tensor:
    r"""Dense ``q(n | u)`` of a sampler, rows = ``anchors``, columns = all nodes.

    Parameters
    ----------
    sampler : NegativeSampler
    edge_index : LongTensor, shape (2, E)
    num_nodes : int, optional
    anchors : LongTensor, shape (A,), optional
        Default all nodes.
    **kwargs
        For the sampler's context (``z=``, ``pos_edge_index=`` ...).

    Returns
    -------
    DoubleTensor, shape (A, N)
        Rows sum to 1 (0 outside the valid set ``C(u)``).

    Notes
    -----
    Memory ``O(A N)``: for analysis on small graphs; the gradient bias itself is
    streamed (:func:`~graphneg.analysis.gradient_bias.gradient_bias`).

    Examples
    --------
    >>> from graphneg.samplers import UniformNegativeSampler
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> conditional_matrix(UniformNegativeSampler(), ei, 4, anchors=torch.tensor([0])).tolist()
    [[0.0, 0.0, 0.5, 0.5]]
    """
    from graphneg.samplers import NegativeSampler

    check_instance(sampler, "sampler", NegativeSampler, "a graphneg NegativeSampler",
                   owner="conditional_matrix")
    edge_index = check_edge_index(edge_index, "edge_index", owner="conditional_matrix")
    num_nodes = check_num_nodes(num_nodes, edge_index, owner="conditional_matrix")
    anchors = torch.arange(num_nodes) if anchors is None else anchors
    log_q = sampler_log_q(sampler, edge_index, num_nodes, **kwargs)
    return torch.softmax(log_q(anchors, torch.arange(num_nodes)), dim=1)


@checked_params
def fit_mixture(q: Tensor, q_target: Tensor, q_uniform: Tensor, *,
                method: str = "mle") -> float:
    r"""Fit ``ε`` in ``q ≈ (1 − ε) q_target + ε q_uniform``.

    Parameters
    ----------
    q, q_target, q_uniform : Tensor, shape (A, N)
        Row-stochastic conditionals (ANN, exact top-k, uniform over ``C(u)``).
    method : {"mle", "lstsq"}
        ``"mle"``: maximum likelihood of ``q`` under the mixture, i.e.
        ``argmax_{ε∈[0,1]} Σ_u Σ_n q(n|u) log((1−ε) t(n|u) + ε u(n|u))`` (the
        population log-likelihood of draws from ``q``; equivalently the
        KL-projection of ``q`` onto the mixture family), solved by bounded Brent.
        ``"lstsq"``: ``argmin_ε Σ (q − t − ε(u − t))²`` in closed form
        ``ε = Σ (q − t)(u − t) / Σ (u − t)²``, *not* clipped to ``[0, 1]``.

    Returns
    -------
    float

    Notes
    -----
    Cost ``O(A N)`` per likelihood evaluation (about 40 for Brent). The MLE is
    ``> 0`` whenever ``q`` puts mass outside the support of ``q_target``.

    Examples
    --------
    >>> t = torch.tensor([[1.0, 0.0, 0.0]]); u = torch.full((1, 3), 1 / 3)
    >>> q = 0.7 * t + 0.3 * u
    >>> round(fit_mixture(q, t, u), 4), round(fit_mixture(q, t, u, method="lstsq"), 4)
    (0.3, 0.3)
    """
    from scipy.optimize import minimize_scalar

    method = check_option(method, "method", ("mle", "lstsq"), owner="fit_mixture")
    if not (q.shape == q_target.shape == q_uniform.shape) or q.dim() != 2:
        raise ValueError("The 'q', 'q_target' and 'q_uniform' parameters of fit_mixture must "
                         f"share one shape (A, N). Got {tuple(q.shape)}, "
                         f"{tuple(q_target.shape)}, {tuple(q_uniform.shape)} instead.")
    q, t, u = q.double(), q_target.double(), q_uniform.double()
    for name, dist in (("q", q), ("q_target", t), ("q_uniform", u)):
        if not bool(torch.isfinite(dist).all()) or bool((dist < 0).any()):
            raise ValueError(f"The '{name}' parameter of fit_mixture must hold finite, "
                             f"non-negative probabilities. Got {int((~torch.isfinite(dist)).sum())} "
                             f"non-finite and {int((dist < 0).sum())} negative entries instead.")
        worst = float((dist.sum(1) - 1).abs().max()) if dist.numel() else 0.0
        if worst > 1e-6:
            raise ValueError(f"The '{name}' parameter of fit_mixture must have rows that sum "
                             f"to 1. Got a row sum off by {worst:.3g} instead.")
    if method == "lstsq":
        d = u - t
        den = float((d * d).sum())
        if den == 0:
            raise ValueError("fit_mixture: q_target equals q_uniform, so ε is not identifiable.")
        return float(((q - t) * d).sum()) / den
    sup = q > 0
    if bool((sup & (t == 0) & (u == 0)).any()):
        raise ValueError("fit_mixture: q puts mass where both q_target and q_uniform are 0; "
                         "no mixture explains it.")
    qs, ts, us = q[sup], t[sup], u[sup]

    def nll(eps: float) -> float:
        return -float((qs * torch.log(((1 - eps) * ts + eps * us).clamp_min(1e-300))).sum())

    res = minimize_scalar(nll, bounds=(0.0, 1.0), method="bounded",
                          options={"xatol": 1e-10})
    best = min([(nll(0.0), 0.0), (nll(1.0), 1.0), (res.fun, float(res.x))])
    return best[1]


@checked_params
def implied_mixture_bias(z: Tensor, epsilon: float, q_target: Any, q_uniform: Any,
                         anchors: Optional[Tensor] = None) -> GradientBias:
    r"""The gradient bias a fitted mixture implies: :math:`\varepsilon\,(E_{unif}[g^-] -
    E_{target}[g^-])`.

    If :math:`q = (1-\varepsilon)\, t + \varepsilon\, u` exactly, the expectation is
    linear in the distribution, so :math:`E_q[g^-] - E_t[g^-] = \varepsilon (E_u[g^-] -
    E_t[g^-])`; comparing this with the measured bias of an ANN sampler says how much of
    the bias the one-number summary :math:`\varepsilon` explains.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
    epsilon : float
    q_target, q_uniform : Tensor (A, N) or callable
        As for :func:`~graphneg.analysis.gradient_bias.gradient_bias`.
    anchors : LongTensor, optional

    Returns
    -------
    GradientBias
        ``bias`` = the implied bias, ``norm`` and ``relative_norm`` against
        :math:`\|E_{target}[g^-]\|`.

    Examples
    --------
    >>> z = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> t = torch.tensor([[0.0, 1.0, 0.0]]); u = torch.tensor([[0.0, 0.5, 0.5]])
    >>> implied_mixture_bias(z, 0.5, t, u, torch.tensor([0])).bias.tolist()
    [[-0.125, 0.125]]
    """
    full = _gradient_bias(z, q_uniform, q_target, anchors, params=("q_uniform", "q_target"),
                          owner="implied_mixture_bias")
    bias = float(epsilon) * full.bias
    norm = bias.norm(dim=1)
    ref = full.expected_ref.norm(dim=1)
    rel = torch.where(ref > 0, norm / ref.clamp_min(1e-300), torch.zeros_like(norm))
    return GradientBias(full.expected_ref + bias, full.expected_ref, bias, norm, rel)


@checked_params
def ann_bias_per_anchor(z: Tensor, edge_index: Tensor, num_nodes: Optional[int] = None, *,
                        sampler: Any, reference: Any = None,
                        anchors: Optional[Tensor] = None) -> GradientBias:
    r"""Exact per-anchor gradient bias of an ANN sampler against exact top-``k``.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
        Embeddings (the index is refreshed on them when the sampler has none yet).
    edge_index : LongTensor, shape (2, E)
    num_nodes : int, optional
    sampler : ANNNegativeSampler
        The approximate sampler (``q_ANN``).
    reference : ANNNegativeSampler, optional
        The target; default the same ``k`` / weighting with ``index="flat"``.
    anchors : LongTensor, shape (A,), optional

    Returns
    -------
    GradientBias
        ``bias`` ``(A, d)``, ``norm`` and ``relative_norm`` ``(A,)`` of
        ``b(u) = E_{q_ANN}[g⁻] − E_{q_exact}[g⁻]``.

    Notes
    -----
    :func:`graphneg.analysis.gradient_bias.gradient_bias` on the two samplers'
    exact conditionals; cost ``O(A N d)``.

    Examples
    --------
    >>> from graphneg.samplers import ANNNegativeSampler
    >>> z = torch.randn(50, 4, generator=torch.Generator().manual_seed(0))
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> flat = ANNNegativeSampler(k=5, index="flat")
    >>> float(ann_bias_per_anchor(z, ei, 50, sampler=flat).norm.max())
    0.0
    """
    from graphneg.samplers import NegativeSampler
    from graphneg.samplers.ann import ANNNegativeSampler

    owner = "ann_bias_per_anchor"
    check_instance(sampler, "sampler", ANNNegativeSampler, "an ANNNegativeSampler", owner=owner)
    if reference is not None:
        check_instance(reference, "reference", NegativeSampler,
                       "a graphneg NegativeSampler or None", owner=owner)
    if reference is None:
        reference = ANNNegativeSampler(1, k=sampler.k, index="flat", weighting=sampler.weighting,
                                       temperature=sampler.temperature,
                                       min_valid=sampler.min_valid)
    for s in (sampler, reference):
        if s.topk_index is None:
            s.refresh(z)
    return gradient_bias(z, sampler_log_q(sampler, edge_index, num_nodes, z=z),
                         sampler_log_q(reference, edge_index, num_nodes, z=z), anchors)


@checked_params
def ann_sweep(z: Tensor, edge_index: Tensor, num_nodes: Optional[int] = None, *,
              index: str = "hnsw", values: Optional[Sequence[int]] = None, k: int = 32,
              anchors: Optional[Tensor] = None, weighting: str = "uniform",
              temperature: float = 1.0, num_threads: Optional[int] = 1,
              **index_params: Any) -> pd.DataFrame:
    r"""Recall, mixture ``ε``, distribution distance and gradient bias vs an accuracy knob.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
        Node embeddings the index is built on (and the gradient is evaluated at).
    edge_index : LongTensor, shape (2, E)
        Known edges (excluded as negatives).
    num_nodes : int, optional
    index : {"hnsw", "hnsw_mips", "ivf"}
        Approximate index; its knob is ``ef_search`` (HNSW, on raw inner products or
        on the MIPS-to-L2 reduction) or ``nprobe`` (IVF).
    values : sequence of int, optional
        Knob values; default ``(1, 2, 4, 8, 16, 32, 64)`` for HNSW ``ef_search``
        (``max(ef, k)`` is used by FAISS) and ``1, 2, 4, … ≤ nlist`` for IVF.
    k : int
        Retrieved candidates per anchor.
    anchors : LongTensor, shape (A,), optional
        Anchors to evaluate (default all nodes).
    weighting, temperature
        As for :class:`~graphneg.samplers.ANNNegativeSampler`.
    num_threads : int, optional
        FAISS threads (default 1: reproducible HNSW graphs).
    **index_params
        ``hnsw_m``, ``ef_construction``, ``nlist`` ...

    Returns
    -------
    pandas.DataFrame
        One row per knob value: ``index, knob, value, recall, tv_distance,
        epsilon_mle, epsilon_lstsq, bias_norm, relative_bias, relative_bias_median,
        implied_relative_bias, implied_cosine, fallback_anchors, refresh_s,
        exact_refresh_s``: ``implied_*`` compare the bias the fitted mixture implies,
        :math:`\varepsilon (E_{unif} - E_{exact})[g^-]` (:func:`implied_mixture_bias`), with
        the measured one (mean over anchors of its relative norm, and of its cosine with
        the measured bias vector).

    Notes
    -----
    Each row costs one refresh of the approximate index, ``O(A N)`` for the
    dense conditionals and ``O(A N d)`` for the exact gradient bias. Refresh times
    are single measurements (the benchmark ``benchmarks/bench_ann.py`` reports
    medians).

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> z = torch.randn(200, 8, generator=g)
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> df = ann_sweep(z, ei, 200, index="ivf", values=[1, 14], k=10, nlist=14)
    >>> float(df["recall"].iloc[-1]), round(float(df["relative_bias"].iloc[-1]), 12)
    (1.0, 0.0)
    """
    from graphneg.samplers.ann import ANNNegativeSampler

    owner = "ann_sweep"
    edge_index = check_edge_index(edge_index, "edge_index", owner=owner)
    num_nodes = check_num_nodes(num_nodes, edge_index, owner=owner)
    z = check_embeddings(z, "z", num_rows=num_nodes, owner=owner)
    index = check_option(index, "index", tuple(KNOBS), owner=owner)
    k = check_int(k, "k", low=1, high=num_nodes, owner=owner)
    knob = KNOBS[index]
    if values is None:
        if index in ("hnsw", "hnsw_mips"):
            values = (1, 2, 4, 8, 16, 32, 64)
        else:
            nlist = index_params.get("nlist") or max(1, int(round(num_nodes ** 0.5)))
            values = sorted({min(2 ** i, nlist) for i in range(int(np.log2(nlist)) + 2)})
    values = [check_int(v, knob, low=1, owner=owner) for v in values]
    anchors = torch.arange(num_nodes) if anchors is None else anchors
    common = dict(k=k, weighting=weighting, temperature=temperature, num_threads=num_threads)

    exact = ANNNegativeSampler(1, index="flat", **common)
    exact_s = exact.refresh(z)
    q_exact = conditional_matrix(exact, edge_index, num_nodes, anchors=anchors, z=z)
    q_unif = torch.softmax(uniform_log_q(edge_index, num_nodes)(anchors, torch.arange(num_nodes)),
                           dim=1)
    # E_unif[g⁻] − E_exact[g⁻]: the bias direction a mixture ε would imply
    unif_vs_exact = gradient_bias(z, uniform_log_q(edge_index, num_nodes),
                                  sampler_log_q(exact, edge_index, num_nodes, z=z), anchors)
    rows = []
    for v in values:
        params = dict(index_params)
        params[knob] = v
        ann = ANNNegativeSampler(1, index=index, **common, **params)
        secs = ann.refresh(z)
        q_ann = conditional_matrix(ann, edge_index, num_nodes, anchors=anchors, z=z)
        bias = ann_bias_per_anchor(z, edge_index, num_nodes, sampler=ann, reference=exact,
                                   anchors=anchors)
        rel = bias.relative_norm[torch.isfinite(bias.relative_norm)]
        eps = fit_mixture(q_ann, q_exact, q_unif, method="mle")
        implied = eps * unif_vs_exact.bias
        ok = torch.isfinite(bias.relative_norm)
        cos = torch.nn.functional.cosine_similarity(implied[ok], bias.bias[ok], dim=1)
        rows.append({
            "index": index, "knob": knob, "value": v,
            "recall": float(recall_at_k(ann.topk_index[anchors],
                                        exact.topk_index[anchors]).mean()),
            "tv_distance": float(0.5 * (q_ann - q_exact).abs().sum(1).mean()),
            "epsilon_mle": eps,
            "epsilon_lstsq": fit_mixture(q_ann, q_exact, q_unif, method="lstsq"),
            "bias_norm": float(bias.norm.mean()),
            "relative_bias": float(rel.mean()) if rel.numel() else float("nan"),
            "relative_bias_median": float(rel.median()) if rel.numel() else float("nan"),
            "implied_relative_bias": float((eps * unif_vs_exact.relative_norm[ok]).mean())
            if bool(ok.any()) else float("nan"),
            "implied_cosine": float(cos.mean()) if cos.numel() else float("nan"),
            "fallback_anchors": int(_num_fallback(ann, edge_index, num_nodes, anchors)),
            "refresh_s": secs, "exact_refresh_s": exact_s,
        })
    return pd.DataFrame(rows)


@checked_params
def index_payoff(num_nodes: int, *, dim: int = 32, intrinsic_dim: int = 8, k: int = 32,
                 num_queries: int = 1000,
                 kinds: Sequence[str] = ("hnsw_mips", "ivf"), seed: int = 0,
                 num_threads: Optional[int] = 1, **index_params: Any) -> pd.DataFrame:
    r"""When does an index pay off? Refresh time of exact vs approximate top-``k`` at size N.

    Embeddings: :math:`z_i = s_i\, g_i B`, :math:`g_i \sim N(0, I_m)` in an
    ``intrinsic_dim`` :math:`m`-dimensional subspace (:math:`B` a fixed Gaussian
    :math:`m \times d` basis: trained embeddings have a low intrinsic dimension, and
    graph indexes need one), norms scaled by :math:`s_i \sim \mathrm{LogNormal}(0,
    0.5)` (trained embeddings' norms vary). A
    refresh mines the top-``k`` of every node: the exact cost is measured on
    ``num_queries`` queries and scaled by ``N / num_queries`` (search time is linear in
    the number of queries); an index's cost is its build time plus its search time scaled
    the same way. Recall@k is measured on the same queries.

    Returns
    -------
    DataFrame
        One row per index kind: ``num_nodes``, ``dim``, ``index``, ``build_s``,
        ``search_s`` (projected to N queries), ``refresh_s`` (build + search),
        ``exact_refresh_s`` (projected), ``saved_s`` (exact − approximate), ``recall``.

    Examples
    --------
    >>> df = index_payoff(500, dim=8, k=5, num_queries=100, kinds=["ivf"], nprobe=23)
    >>> float(df["recall"].iloc[0])
    1.0
    """
    import time

    from graphneg.samplers.ann import build_faiss_index, faiss_topk

    owner = "index_payoff"
    num_nodes = check_int(num_nodes, "num_nodes", low=2, owner=owner)
    gen = torch.Generator().manual_seed(int(seed))
    basis = torch.randn(intrinsic_dim, dim, generator=gen) / intrinsic_dim ** 0.5
    z = (torch.randn(num_nodes, intrinsic_dim, generator=gen) @ basis) * torch.exp(
        0.5 * torch.randn(num_nodes, 1, generator=gen))
    q = z[torch.randperm(num_nodes, generator=gen)[:num_queries]]
    scale = num_nodes / q.size(0)
    t0 = time.perf_counter()
    flat = build_faiss_index(z, "flat", num_threads=num_threads)
    exact_ids = faiss_topk(flat, q, k, num_threads=num_threads)[1]
    exact_s = (time.perf_counter() - t0) * scale
    rows = []
    for kind in kinds:
        params = {key: v for key, v in index_params.items()
                  if kind != "ivf" or key in ("nlist", "nprobe")}
        t0 = time.perf_counter()
        index = build_faiss_index(z, kind, num_threads=num_threads, **params)
        build = time.perf_counter() - t0
        t0 = time.perf_counter()
        ids = faiss_topk(index, q, k, num_threads=num_threads)[1]
        search = (time.perf_counter() - t0) * scale
        rows.append({"num_nodes": num_nodes, "dim": dim, "index": kind, "build_s": build,
                     "search_s": search, "refresh_s": build + search,
                     "exact_refresh_s": exact_s, "saved_s": exact_s - build - search,
                     "recall": float(recall_at_k(ids, exact_ids).mean())})
    return pd.DataFrame(rows)


def _num_fallback(sampler: Any, edge_index: Tensor, num_nodes: int, anchors: Tensor) -> int:
    """Anchors whose retrieved list has fewer than ``min_valid`` valid candidates."""
    from graphneg.edges import EdgeSet

    ids = sampler.topk_index[anchors]
    a = anchors.view(-1, 1)
    safe = torch.where(ids < 0, a.expand_as(ids), ids)
    valid = (safe != a) & ~EdgeSet([edge_index], num_nodes).contains(a, safe)
    return int((valid.sum(1) < sampler.min_valid).sum())


def plot_bias_vs_recall(records: pd.DataFrame, *, ax=None):
    """Relative gradient bias against recall@k, one line per index kind, knob values marked.

    Rows with zero bias (the knob at exact search) are left out: the y axis is log.

    Parameters
    ----------
    records : DataFrame
        Rows of :func:`ann_sweep` (several calls concatenated is fine).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"index": ["ivf"] * 2, "knob": ["nprobe"] * 2, "value": [1, 2],
    ...                    "recall": [0.5, 0.9], "relative_bias": [0.3, 0.05]})
    >>> plot_bias_vs_recall(df).get_xlabel()
    'recall@k'
    """
    ax = _axes(ax, figsize=(5, 3.5))
    for (kind, knob), grp in records.groupby(["index", "knob"], sort=False):
        grp = grp[grp["relative_bias"] > 0]  # exact search (bias 0) has no place on a log axis
        ax.plot(grp["recall"], grp["relative_bias"], marker="o", label=f"{kind} ({knob})")
        for x, yy, v in zip(grp["recall"], grp["relative_bias"], grp["value"]):
            ax.annotate(str(v), (x, yy), textcoords="offset points", xytext=(3, 3), fontsize=7)
    ax.set_yscale("log")
    ax.set_xlabel("recall@k")
    ax.set_ylabel("relative gradient bias ‖b‖/‖E_exact g⁻‖")
    ax.legend(frameon=False)
    ax.grid(alpha=0.3, which="both")
    return ax


def plot_refresh_time(records: pd.DataFrame, *, ax=None):
    """Seconds per refresh (build + mine all lists) against the knob, vs the exact index.

    Parameters
    ----------
    records : DataFrame
        Rows of :func:`ann_sweep` for one index kind.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"index": ["ivf"] * 2, "knob": ["nprobe"] * 2, "value": [1, 2],
    ...                    "refresh_s": [0.01, 0.02], "exact_refresh_s": [0.05, 0.05]})
    >>> plot_refresh_time(df).get_yscale()
    'log'
    """
    ax = _axes(ax, figsize=(5, 3.5))
    for (kind, knob), grp in records.groupby(["index", "knob"], sort=False):
        ax.plot(grp["value"], grp["refresh_s"], marker="o", label=f"{kind}")
    ax.axhline(float(records["exact_refresh_s"].median()), linestyle="--", color="gray",
               label="exact (IndexFlatIP)")
    knobs = "/".join(records["knob"].unique())
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel(knobs)
    ax.set_ylabel("seconds per refresh")
    ax.legend(frameon=False)
    ax.grid(alpha=0.3, which="both")
    return ax
