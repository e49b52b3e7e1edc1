r"""Exact gradient bias and confounding of a negative sampler (see ``docs/design.md``).

Concepts
--------
Embeddings ``z`` (shape ``(N, d)``), score ``s(u, n) = z_u · z_n``. The logistic
negative-sampling loss ``L = -log σ(s(u,v)) - Σ_k log σ(-s(u,n_k))`` has, for one
negative ``n``, the gradient with respect to the anchor embedding

.. math::

    g^-(u, n) = \sigma(z_u \cdot z_n)\, z_n .

A sampler with conditional ``q(n | u)`` (over the valid candidates ``C(u)``)
pushes ``z_u`` on average by ``E_{n∼q}[g⁻(u, n)]``. Against a reference
``q_ref`` (uniform over ``C(u)`` for geo / clinical, exact top-k for ANN):

.. math::

    b(u) = E_{n \sim q}[g^-(u,n)] - E_{n \sim q_{ref}}[g^-(u,n)], \qquad
    \text{relative norm} = \|b(u)\| / \|E_{q_{ref}}[g^-(u,n)]\| .

**Confounding index** (geo). With region labels ``r`` and the gradient mass
``‖g⁻(u, n)‖ = σ(s(u,n)) ‖z_n‖``:

.. math::

    S_q = \frac{\sum_u \sum_n q(n|u)\, \|g^-(u,n)\|\, 1[r_u = r_n]}
               {\sum_u \sum_n q(n|u)\, \|g^-(u,n)\|}, \qquad
    \mathrm{CI} = S_q / S_{ref},

the share of expected negative-gradient mass that lands on same-region pairs under
``q`` over the same share under the reference (1 = no confounding, > 1 = gradient
spent on near-identical neighbours). Per-anchor shares are returned too.

How distributions are given
---------------------------
Every function takes ``q`` (and ``q_ref``) in one of two forms:

* a **dense probability matrix**, FloatTensor of shape ``(A, C)`` — row ``i`` is
  ``q(· | anchors[i])`` over ``candidates`` (non-negative, rows sum to 1 within
  ``1e-6``); or
* a **callable** ``log_q(anchor_ids, candidate_ids) -> (a, c)`` returning *log*
  weights up to a per-anchor constant, ``-inf`` for excluded pairs. It is called
  on blocks of at most ``anchor_batch`` anchors × ``chunk_size`` candidates and
  normalised exactly with a streaming log-sum-exp, so memory is
  ``O(anchor_batch × chunk_size + anchor_batch × d)`` and no ``(A, C)`` matrix is
  ever built. :func:`sampler_log_q` turns any registered
  :class:`~graphneg.samplers.NegativeSampler` into such a callable (its public
  law, :meth:`~graphneg.samplers.NegativeSampler.law`, restricted to ``C(u)``), and
  :func:`uniform_log_q` gives the uniform reference over ``C(u)``.

API (also used by the ANN analysis)
-----------------------------------
``negative_gradient(z, pairs)``                        -> ``(M, d)`` per-pair ``g⁻``
``expected_negative_gradient(z, q, anchors, ...)``    -> ``(A, d)`` exact ``E_q[g⁻]``
``gradient_bias(z, q, q_ref, anchors, ...)``          -> :class:`GradientBias`
``monte_carlo_expected_negative_gradient(z, neg, anchors)`` -> ``(A, d)`` sample means
``confounding_index(z, q, q_ref, anchors, region, ...)``    -> :class:`Confounding`
``monte_carlo_confounding_index(z, neg, neg_ref, region)``  -> ``float``
``sampler_log_q(sampler, edge_index, num_nodes, ...)`` / ``uniform_log_q(...)`` -> callables

All sums run in float64. Cost of an exact expectation: ``O(A · C · d)`` time,
``O(anchor_batch · chunk_size)`` extra memory.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

import torch
from torch import Tensor

from graphneg._validation import (
    check_edge_index,
    check_embeddings,
    check_instance,
    check_int,
    checked_params,
)

__all__ = [
    "GradientBias", "Confounding", "negative_gradient", "expected_negative_gradient",
    "gradient_bias", "monte_carlo_expected_negative_gradient", "confounding_index",
    "monte_carlo_confounding_index", "sampler_log_q", "uniform_log_q",
]

LogQ = Callable[[Tensor, Tensor], Tensor]
Dist = Union[Tensor, LogQ]


@dataclass
class GradientBias:
    """Result of :func:`gradient_bias` (all float64, one row per anchor).

    Attributes
    ----------
    expected : Tensor, shape (A, d)
        ``E_q[g⁻(u, ·)]``.
    expected_ref : Tensor, shape (A, d)
        ``E_ref[g⁻(u, ·)]``.
    bias : Tensor, shape (A, d)
        ``b(u) = expected - expected_ref``.
    norm : Tensor, shape (A,)
        ``‖b(u)‖``.
    relative_norm : Tensor, shape (A,)
        ``‖b(u)‖ / ‖E_ref g⁻‖`` (``inf`` where the reference is exactly zero).
    """

    expected: Tensor
    expected_ref: Tensor
    bias: Tensor
    norm: Tensor
    relative_norm: Tensor


@dataclass
class Confounding:
    """Result of :func:`confounding_index`.

    Attributes
    ----------
    index : float
        ``S_q / S_ref`` (pooled over anchors).
    share : float
        ``S_q``, same-region share of expected gradient mass under ``q``.
    share_ref : float
        ``S_ref``, the same under the reference.
    anchor_share, anchor_share_ref : Tensor, shape (A,)
        Per-anchor shares (``nan`` for an anchor with zero gradient mass).
    """

    index: float
    share: float
    share_ref: float
    anchor_share: Tensor
    anchor_share_ref: Tensor


@checked_params
def negative_gradient(z: Tensor, pairs: Tensor) -> Tensor:
    r"""Per-pair negative gradient ``g⁻(u, n) = σ(z_u·z_n) z_n`` w.r.t. ``z_u``.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
    pairs : LongTensor, shape (2, M)
        ``(u, n)`` pairs, anchor in row 0.

    Returns
    -------
    Tensor, shape (M, d), dtype of ``z``

    Notes
    -----
    The gradient of ``-log σ(-z_u·z_n)`` with respect to ``z_u``; tested against
    ``torch.autograd``. Cost ``O(M d)``.

    Examples
    --------
    >>> z = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    >>> negative_gradient(z, torch.tensor([[0], [1]])).tolist()
    [[0.0, 1.0]]
    """
    owner = "negative_gradient"
    z = check_embeddings(z, "z", owner=owner).detach()
    pairs = check_edge_index(pairs, "pairs", num_nodes=z.size(0), owner=owner)
    zu, zn = z[pairs[0]], z[pairs[1]]
    return torch.sigmoid((zu * zn).sum(1, keepdim=True)) * zn


# ---------------------------------------------------------------- internals
def _index_tensor(ids: Optional[Tensor], num_nodes: int, param: str, owner: str) -> Tensor:
    if ids is None:
        return torch.arange(num_nodes)
    if not isinstance(ids, Tensor) or ids.dtype != torch.long or ids.dim() != 1:
        raise TypeError(f"The '{param}' parameter of {owner} must be a 1-D LongTensor. "
                        f"Got {getattr(ids, 'dtype', type(ids).__name__)} instead.")
    if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= num_nodes):
        raise ValueError(f"The '{param}' parameter of {owner} must hold node ids in "
                         f"[0, {num_nodes}). Got range [{int(ids.min())}, {int(ids.max())}] "
                         f"instead.")
    return ids


def _block_fn(q: Dist, anchors: Tensor, candidates: Tensor, param: str,
              owner: str) -> Callable[[slice, slice], Tensor]:
    """``(anchor slice, candidate slice) -> float64 log weights`` for either form of ``q``."""
    if isinstance(q, Tensor):
        if not q.is_floating_point() or q.shape != (anchors.numel(), candidates.numel()):
            raise ValueError(
                f"The '{param}' parameter of {owner} must be a float probability matrix of "
                f"shape ({anchors.numel()}, {candidates.numel()}) (anchors x candidates). "
                f"Got {q.dtype} of shape {tuple(q.shape)} instead.")
        if not bool(torch.isfinite(q).all()) or bool((q < 0).any()):
            raise ValueError(f"The '{param}' parameter of {owner} must be finite and "
                             f"non-negative. Got min {float(q.min())} instead.")
        rows = q.double().sum(1)
        if bool(((rows - 1).abs() > 1e-6).any()):
            bad = int(((rows - 1).abs() > 1e-6).nonzero()[0])
            raise ValueError(f"The '{param}' parameter of {owner} must have rows summing to 1 "
                             f"(a distribution per anchor). Got row {bad} summing to "
                             f"{float(rows[bad]):.6g} instead.")
        logp = q.double().log()
        return lambda a, c: logp[a, c]
    if callable(q):
        def block(a: slice, c: slice) -> Tensor:
            out = q(anchors[a], candidates[c])
            if not isinstance(out, Tensor) or out.shape != (a.stop - a.start, c.stop - c.start):
                raise ValueError(
                    f"The callable '{param}' of {owner} must return log weights of shape "
                    f"({a.stop - a.start}, {c.stop - c.start}). Got "
                    f"{getattr(out, 'shape', type(out).__name__)} instead.")
            if bool(torch.isnan(out).any()) or bool((out == float("inf")).any()):
                raise ValueError(f"The callable '{param}' of {owner} returned NaN or +inf "
                                 f"log weights.")
            return out.double()
        return block
    raise TypeError(f"The '{param}' parameter of {owner} must be a probability matrix "
                    f"(Tensor) or a callable log_q(anchors, candidates). Got "
                    f"{type(q).__name__} instead.")


def _stream(z: Tensor, q: Dist, anchors: Tensor, candidates: Tensor, *, param: str,
            owner: str, chunk_size: int, anchor_batch: int,
            region: Optional[Tensor] = None):
    """Exact ``E_q[σ(s) z_n]`` per anchor (and, with ``region``, the gradient masses
    ``Σ q ‖g⁻‖`` in total and on same-region pairs), by an online softmax over
    candidate chunks. Returns float64 tensors ``(A, d)``, ``(A,)``, ``(A,)``."""
    block = _block_fn(q, anchors, candidates, param, owner)
    zd = z.double()
    norms = zd.norm(dim=1)
    num_a, num_c, d = anchors.numel(), candidates.numel(), z.size(1)
    expected = torch.empty(num_a, d, dtype=torch.double)
    mass = torch.empty(num_a, dtype=torch.double)
    same = torch.empty(num_a, dtype=torch.double)
    for lo in range(0, num_a, anchor_batch):
        a = slice(lo, min(lo + anchor_batch, num_a))
        za = zd[anchors[a]]
        ra = region[anchors[a]] if region is not None else None
        top = torch.full((a.stop - a.start,), float("-inf"), dtype=torch.double)
        den = torch.zeros(a.stop - a.start, dtype=torch.double)
        num = torch.zeros(a.stop - a.start, d, dtype=torch.double)
        m_all = torch.zeros_like(den)
        m_same = torch.zeros_like(den)
        for clo in range(0, num_c, chunk_size):  # chunks of candidates, O(a x chunk) memory
            c = slice(clo, min(clo + chunk_size, num_c))
            logw = block(a, c)
            new_top = torch.maximum(top, logw.max(1).values)
            finite = torch.isfinite(new_top)
            scale = torch.where(finite, torch.exp(top - torch.where(finite, new_top, 0)),
                                torch.zeros_like(top))
            w = torch.exp(logw - torch.where(finite, new_top, 0).unsqueeze(1))
            w = torch.where(finite.unsqueeze(1), w, torch.zeros_like(w))
            cid = candidates[c]
            sig = torch.sigmoid(za @ zd[cid].T)
            ws = w * sig
            num = num * scale.unsqueeze(1) + ws @ zd[cid]
            den = den * scale + w.sum(1)
            if region is not None:
                g = ws * norms[cid]
                m_all = m_all * scale + g.sum(1)
                m_same = m_same * scale + (g * (ra.unsqueeze(1) == region[cid])).sum(1)
            top = new_top
        if bool((den == 0).any()):
            bad = anchors[a][den == 0][:10].tolist()
            raise ValueError(f"{owner}: the distribution '{param}' puts no mass on any "
                             f"candidate for anchor node(s) {bad}.")
        expected[a] = num / den.unsqueeze(1)
        mass[a] = m_all / den
        same[a] = m_same / den
    return expected, mass, same


def _prepare(z, anchors, candidates, chunk_size, anchor_batch, owner):
    z = check_embeddings(z, "z", owner=owner).detach()
    anchors = _index_tensor(anchors, z.size(0), "anchors", owner)
    candidates = _index_tensor(candidates, z.size(0), "candidates", owner)
    check_int(chunk_size, "chunk_size", low=1, owner=owner)
    check_int(anchor_batch, "anchor_batch", low=1, owner=owner)
    return z, anchors, candidates


# ---------------------------------------------------------------- public
@checked_params
def expected_negative_gradient(z: Tensor, q: Dist, anchors: Optional[Tensor] = None, *,
                               candidates: Optional[Tensor] = None, chunk_size: int = 4096,
                               anchor_batch: int = 256) -> Tensor:
    r"""Exact ``E_{n∼q(·|u)}[σ(z_u·z_n) z_n]`` for every anchor, chunked over candidates.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
    q : FloatTensor of shape (A, C), or callable
        The distribution: a probability matrix over ``candidates`` or a callable
        ``log_q(anchor_ids (a,), candidate_ids (c,)) -> (a, c)`` log weights
        (unnormalised, ``-inf`` = excluded). See the module docstring.
    anchors : LongTensor, shape (A,), optional
        Default: all ``N`` nodes.
    candidates : LongTensor, shape (C,), optional
        Default: all ``N`` nodes.
    chunk_size, anchor_batch : int
        Block sizes; memory ``O(anchor_batch · chunk_size)``.

    Returns
    -------
    Tensor, shape (A, d), float64

    Notes
    -----
    ``E_q[g⁻] = Σ_n q(n|u) σ(z_u·z_n) z_n``, normalised with a streaming
    log-sum-exp so callables may return very negative log weights
    (``-dist/τ`` with small ``τ``) without underflow. Cost ``O(A C d)``.

    Examples
    --------
    >>> z = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> q = torch.tensor([[0.0, 0.5, 0.5]])        # anchor 0: half on 1, half on 2
    >>> expected_negative_gradient(z, q, torch.tensor([0])).tolist()  # σ(0) = 1/2
    [[0.25, 0.25]]
    """
    owner = "expected_negative_gradient"
    z, anchors, candidates = _prepare(z, anchors, candidates, chunk_size, anchor_batch, owner)
    return _stream(z, q, anchors, candidates, param="q", owner=owner, chunk_size=chunk_size,
                   anchor_batch=anchor_batch)[0]


@checked_params
def gradient_bias(z: Tensor, q: Dist, q_ref: Dist, anchors: Optional[Tensor] = None, *,
                  candidates: Optional[Tensor] = None, chunk_size: int = 4096,
                  anchor_batch: int = 256) -> GradientBias:
    r"""Exact gradient bias ``b(u) = E_q[g⁻] − E_ref[g⁻]`` per anchor, and its norms.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
    q, q_ref : FloatTensor of shape (A, C), or callable
        Sampler and reference distributions (see :func:`expected_negative_gradient`).
    anchors, candidates : LongTensor, optional
    chunk_size, anchor_batch : int

    Returns
    -------
    GradientBias

    Notes
    -----
    Two passes of :func:`expected_negative_gradient`; cost ``O(A C d)``, memory
    ``O(anchor_batch · chunk_size)``. Checked against Monte Carlo sample means
    (:func:`monte_carlo_expected_negative_gradient`) in the tests.

    Examples
    --------
    >>> z = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> q = torch.tensor([[0.0, 1.0, 0.0]]); ref = torch.tensor([[0.0, 0.5, 0.5]])
    >>> out = gradient_bias(z, q, ref, torch.tensor([0]))
    >>> out.bias.tolist(), round(float(out.relative_norm[0]), 6)
    ([[0.25, -0.25]], 1.0)
    """
    return _gradient_bias(z, q, q_ref, anchors, candidates=candidates, chunk_size=chunk_size,
                          anchor_batch=anchor_batch)


def _gradient_bias(z: Tensor, q: Dist, q_ref: Dist, anchors: Optional[Tensor] = None, *,
                   candidates: Optional[Tensor] = None, chunk_size: int = 4096,
                   anchor_batch: int = 256, params: tuple = ("q", "q_ref"),
                   owner: str = "gradient_bias") -> GradientBias:
    """:func:`gradient_bias`, its errors naming the caller's parameters (``params``:
    the names of ``q`` and ``q_ref``) and function (``owner``)."""
    z, anchors, candidates = _prepare(z, anchors, candidates, chunk_size, anchor_batch, owner)
    kw = dict(owner=owner, chunk_size=chunk_size, anchor_batch=anchor_batch)
    e_q = _stream(z, q, anchors, candidates, param=params[0], **kw)[0]
    e_ref = _stream(z, q_ref, anchors, candidates, param=params[1], **kw)[0]
    bias = e_q - e_ref
    norm = bias.norm(dim=1)
    ref_norm = e_ref.norm(dim=1)
    rel = torch.where(ref_norm > 0, norm / ref_norm.clamp_min(1e-300),
                      torch.where(norm > 0, torch.full_like(norm, float("inf")),
                                  torch.zeros_like(norm)))
    return GradientBias(e_q, e_ref, bias, norm, rel)


@checked_params
def monte_carlo_expected_negative_gradient(z: Tensor, neg_edge_index: Tensor,
                                           anchors: Optional[Tensor] = None) -> Tensor:
    r"""Sample mean of ``g⁻(u, n)`` over drawn negatives, per anchor.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
    neg_edge_index : LongTensor, shape (2, M)
        Sampled negatives ``(u, n)`` (any order; grouped by row 0).
    anchors : LongTensor, shape (A,), optional
        Anchors to report (default: all nodes); an anchor with no sample gets ``nan``.

    Returns
    -------
    Tensor, shape (A, d), float64
        Converges to :func:`expected_negative_gradient` at rate ``O(1/√K_u)``.

    Examples
    --------
    >>> z = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> neg = torch.tensor([[0, 0], [1, 2]])
    >>> monte_carlo_expected_negative_gradient(z, neg, torch.tensor([0])).tolist()
    [[0.25, 0.25]]
    """
    owner = "monte_carlo_expected_negative_gradient"
    z = check_embeddings(z, "z", owner=owner).detach()
    anchors = _index_tensor(anchors, z.size(0), "anchors", owner)
    g = negative_gradient(z, neg_edge_index).double()
    total = torch.zeros(z.size(0), z.size(1), dtype=torch.double).index_add_(
        0, neg_edge_index[0], g)
    count = torch.bincount(neg_edge_index[0], minlength=z.size(0)).double()
    return (total / count.unsqueeze(1))[anchors]


def _check_region(region: Any, num_nodes: int, owner: str) -> Tensor:
    if not isinstance(region, Tensor) or region.dtype != torch.long or region.shape != (num_nodes,):
        raise ValueError(f"The 'region' parameter of {owner} must be a LongTensor of shape "
                         f"({num_nodes},) (one label per node). Got "
                         f"{getattr(region, 'dtype', type(region).__name__)} of shape "
                         f"{tuple(getattr(region, 'shape', ()))} instead.")
    return region


@checked_params
def confounding_index(z: Tensor, q: Dist, q_ref: Dist, anchors: Optional[Tensor] = None, *,
                      region: Tensor, candidates: Optional[Tensor] = None,
                      chunk_size: int = 4096, anchor_batch: int = 256) -> Confounding:
    r"""Exact confounding index ``CI = S_q / S_ref`` (same-region gradient-mass share).

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
    q, q_ref : FloatTensor of shape (A, C), or callable
        Sampler and reference distributions.
    anchors : LongTensor, shape (A,), optional
    region : LongTensor, shape (N,)
        Region label of every node.
    candidates : LongTensor, shape (C,), optional
    chunk_size, anchor_batch : int

    Returns
    -------
    Confounding

    Notes
    -----
    ``S_q = Σ_u Σ_n q(n|u) σ(s_un) ‖z_n‖ 1[r_u = r_n] / Σ_u Σ_n q(n|u) σ(s_un) ‖z_n‖``;
    each anchor's row sums to one, so anchors count equally. Cost ``O(A C d)``.

    Examples
    --------
    >>> z = torch.ones(3, 1)
    >>> region = torch.tensor([0, 0, 1])
    >>> q = torch.tensor([[0.0, 1.0, 0.0]]); ref = torch.tensor([[0.0, 0.5, 0.5]])
    >>> confounding_index(z, q, ref, torch.tensor([0]), region=region).index
    2.0
    """
    owner = "confounding_index"
    z, anchors, candidates = _prepare(z, anchors, candidates, chunk_size, anchor_batch, owner)
    region = _check_region(region, z.size(0), owner)
    kw = dict(owner=owner, chunk_size=chunk_size, anchor_batch=anchor_batch, region=region)
    _, mass, same = _stream(z, q, anchors, candidates, param="q", **kw)
    _, mass_ref, same_ref = _stream(z, q_ref, anchors, candidates, param="q_ref", **kw)
    share = float(same.sum() / mass.sum())
    share_ref = float(same_ref.sum() / mass_ref.sum())
    index = share / share_ref if share_ref > 0 else (float("inf") if share > 0 else float("nan"))
    return Confounding(index, share, share_ref, same / mass, same_ref / mass_ref)


@checked_params
def monte_carlo_confounding_index(z: Tensor, neg_edge_index: Tensor, ref_neg_edge_index: Tensor,
                                  *, region: Tensor) -> float:
    r"""Confounding index estimated from sampled negatives of ``q`` and of the reference.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
    neg_edge_index, ref_neg_edge_index : LongTensor, shape (2, M)
        Draws from ``q`` and from ``q_ref``, the same number per anchor in each
        (then anchors are weighted equally, as in :func:`confounding_index`).
    region : LongTensor, shape (N,)

    Returns
    -------
    float
        ``Ŝ_q / Ŝ_ref`` with ``Ŝ = Σ ‖g⁻‖ 1[same region] / Σ ‖g⁻‖`` over the draws.

    Examples
    --------
    >>> z = torch.ones(3, 1); region = torch.tensor([0, 0, 1])
    >>> monte_carlo_confounding_index(z, torch.tensor([[0], [1]]),
    ...                               torch.tensor([[0, 0], [1, 2]]), region=region)
    2.0
    """
    owner = "monte_carlo_confounding_index"
    z = check_embeddings(z, "z", owner=owner).detach()
    region = _check_region(region, z.size(0), owner)

    def share(neg: Tensor) -> float:
        g = negative_gradient(z, neg).double().norm(dim=1)
        return float((g * (region[neg[0]] == region[neg[1]])).sum() / g.sum())

    s, s_ref = share(neg_edge_index), share(ref_neg_edge_index)
    return s / s_ref if s_ref > 0 else (float("inf") if s > 0 else float("nan"))


@checked_params
def sampler_log_q(sampler: Any, edge_index: Tensor, num_nodes: Optional[int] = None, *,
                  pos_edge_index: Optional[Tensor] = None,
                  exclude_edge_index: Optional[Tensor] = None,
                  candidate_mask: Optional[Tensor] = None, data: Any = None,
                  **kwargs: Any) -> LogQ:
    r"""The exact conditional of a sampler as a callable ``log_q(anchors, candidates)``.

    Parameters
    ----------
    sampler : NegativeSampler
        Any registered sampler; its law (:meth:`~graphneg.samplers.NegativeSampler.law`,
        ``log q`` up to a per-anchor constant) restricted to its valid set ``C(u)``
        exactly as :mod:`graphneg.samplers.base` samples it.
    edge_index, num_nodes, pos_edge_index, exclude_edge_index, candidate_mask, data, **kwargs
        As for ``sampler.sample`` (e.g. ``lat=``, ``lon=``, ``site=``, ``z=``).

    Returns
    -------
    callable
        ``(anchors (a,), candidates (c,)) -> (a, c)`` float64 log weights,
        ``-inf`` outside ``C(u)``.

    Notes
    -----
    Builds the sampler's law once (``O((E + P) log(E + P))`` for the exclusion set,
    call-time inputs checked as :meth:`~graphneg.samplers.NegativeSampler.sample`
    checks them); each block is ``law.log_prob(anchors, candidates, normalize=False)``.

    Examples
    --------
    >>> from graphneg.samplers import UniformNegativeSampler
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> log_q = sampler_log_q(UniformNegativeSampler(), ei, 3)
    >>> log_q(torch.tensor([0]), torch.arange(3)).tolist()
    [[-inf, -inf, 0.0]]
    """
    from graphneg.samplers import NegativeSampler

    check_instance(sampler, "sampler", NegativeSampler, "a graphneg NegativeSampler",
                   owner="sampler_log_q")
    law = sampler.law(edge_index, num_nodes, pos_edge_index=pos_edge_index,
                      exclude_edge_index=exclude_edge_index, candidate_mask=candidate_mask,
                      data=data, **kwargs)

    def log_q(anchors: Tensor, candidates: Tensor) -> Tensor:
        return law.log_prob(anchors, candidates, normalize=False)

    return log_q


@checked_params
def uniform_log_q(edge_index: Tensor, num_nodes: Optional[int] = None, *,
                  pos_edge_index: Optional[Tensor] = None,
                  exclude_edge_index: Optional[Tensor] = None,
                  candidate_mask: Optional[Tensor] = None, directed: bool = False) -> LogQ:
    r"""The uniform reference over the valid candidates ``C(u)`` as a ``log_q`` callable.

    Parameters
    ----------
    edge_index : LongTensor, shape (2, E)
    num_nodes : int, optional
    pos_edge_index, exclude_edge_index : LongTensor, shapes (2, P) and (2, X), optional
    candidate_mask : BoolTensor, shape (N,), optional
    directed : bool

    Returns
    -------
    callable
        ``0`` on valid pairs, ``-inf`` elsewhere.

    Examples
    --------
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> uniform_log_q(ei, 3)(torch.tensor([2]), torch.arange(3)).tolist()
    [[0.0, 0.0, -inf]]
    """
    from graphneg.samplers import UniformNegativeSampler

    return sampler_log_q(UniformNegativeSampler(directed=directed), edge_index, num_nodes,
                         pos_edge_index=pos_edge_index, exclude_edge_index=exclude_edge_index,
                         candidate_mask=candidate_mask)
