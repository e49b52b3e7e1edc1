r"""Losses for negative sampling and contrastive learning.

Notation: an anchor :math:`u`, a positive :math:`v`, negatives :math:`n_1, \dots, n_K`.

*Score losses* take scores directly (``pos_score`` shape ``(P,)``, ``neg_score``
shape ``(P, K)``), e.g. dot products :math:`s(a, b) = z_a \cdot z_b` of a link
decoder:

- :func:`logistic_ns_loss` (``docs/design.md``, Losses; word2vec / LINE / node2vec)
- :func:`self_adversarial_ns_loss` (RotatE's self-adversarial weighting)

*Distance losses* take distances instead of scores (smaller meaning "closer"):

- :func:`softmax_distance_loss` (Nickel & Kiela's Poincaré-embedding loss)

*Contrastive losses* take embeddings (``anchor`` ``(B, d)``, ``positive``
``(B, d)``, ``negatives`` ``(B, K, d)`` per anchor or ``(K, d)`` shared) and a
temperature :math:`\tau`, with similarity :math:`s` (cosine by default):

- :func:`logistic_contrastive_loss` (the logistic loss on embeddings, dot product by default)
- :func:`info_nce` (van den Oord et al. 2018)
- :func:`debiased_contrastive_loss` (Chuang et al. 2020, class prior :math:`\tau^+`)
- :func:`hard_negative_contrastive_loss` (Robinson et al. 2021, concentration :math:`\beta`)

The hard-negative loss with :math:`\beta = 0` equals the debiased loss, and the
debiased loss with :math:`\tau^+ = 0` equals InfoNCE (with cosine similarity).
Every function returns the mean over anchors by default (``reduction="mean"``;
``"sum"`` and ``"none"`` are available) and is differentiable.

Edge cases, one rule for every loss:

* **Empty batch** (``P = 0`` positives or ``B = 0`` anchors): the loss is ``0`` for
  ``"mean"`` and ``"sum"`` (the empty sum; ``mean`` does not divide by zero), a
  zero that stays connected to the inputs so ``backward()`` runs and gives zero
  gradients; ``"none"`` returns shape ``(0,)``. ``K = 0`` negatives is allowed by
  the score losses (only the positive term remains) and refused by the
  contrastive ones (a softmax over the positive alone is constant).
* **Large inputs** never give NaN from finite input: similarities whose dot
  products or norms overflow the input dtype are recomputed in float64 (cosine
  after scaling each vector by its largest entry, which leaves the cosine
  unchanged); the loss is then rounded to the input dtype (``inf`` when the exact
  value is beyond its range). Non-finite inputs are refused.
"""
from __future__ import annotations

import math
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from graphneg._validation import check_option, check_real

__all__ = [
    "logistic_ns_loss", "self_adversarial_ns_loss", "softmax_distance_loss",
    "logistic_contrastive_loss", "info_nce",
    "debiased_contrastive_loss", "hard_negative_contrastive_loss",
]

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Tensor, reduction: str, owner: str) -> Tensor:
    reduction = check_option(reduction, "reduction", _REDUCTIONS, owner=owner)
    if reduction == "mean":
        return loss.mean() if loss.numel() else loss.sum()  # empty batch: 0, see the module
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_float(t, param: str, owner: str, dim: Tuple[int, ...]) -> Tensor:
    if not isinstance(t, Tensor) or not t.is_floating_point():
        got = t.dtype if isinstance(t, Tensor) else type(t).__name__
        raise TypeError(f"The '{param}' parameter of {owner} must be a floating-point "
                        f"torch.Tensor. Got {got} instead.")
    if t.dim() not in dim:
        raise ValueError(f"The '{param}' parameter of {owner} must have "
                         f"{' or '.join(map(str, dim))} dimensions. Got shape "
                         f"{tuple(t.shape)} instead.")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"The '{param}' parameter of {owner} must be finite (no NaN or "
                         f"inf). Got {int((~torch.isfinite(t)).sum())} non-finite entries "
                         f"instead.")
    return t


def _check_scores(pos_score, neg_score, owner: str) -> Tuple[Tensor, Tensor]:
    pos_score = _check_float(pos_score, "pos_score", owner, (1,))
    neg_score = _check_float(neg_score, "neg_score", owner, (2,))
    if neg_score.size(0) != pos_score.size(0):
        raise ValueError(f"The 'neg_score' parameter of {owner} must have shape (P, K) with "
                         f"P = {pos_score.size(0)} (one row per positive). Got "
                         f"{tuple(neg_score.shape)} instead.")
    return pos_score, neg_score


def logistic_ns_loss(pos_score: Tensor, neg_score: Tensor, *,
                     reduction: str = "mean") -> Tensor:
    r"""Logistic negative-sampling loss (``docs/design.md``, Losses).

    .. math::

        L_p = -\log \sigma(s_p^+) - \sum_{k=1}^{K} \log \sigma(-s_{pk}^-)

    Parameters
    ----------
    pos_score : FloatTensor, shape (P,)
        Scores :math:`s(u_p, v_p)` of the positives.
    neg_score : FloatTensor, shape (P, K)
        Scores :math:`s(u_p, n_{pk})` of each positive's negatives.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the ``(P,)`` per-positive losses.

    Returns
    -------
    Tensor
        Scalar, or shape ``(P,)`` with ``reduction="none"``.

    Notes
    -----
    Computed with ``logsigmoid`` (stable for large scores); cost :math:`O(PK)`.

    References
    ----------
    Mikolov et al., *Distributed Representations of Words and Phrases and their
    Compositionality*, NeurIPS 2013.

    Examples
    --------
    >>> round(logistic_ns_loss(torch.tensor([0.0]), torch.tensor([[0.0, 0.0]])).item(), 4)
    2.0794
    """
    owner = "logistic_ns_loss"
    pos_score, neg_score = _check_scores(pos_score, neg_score, owner)
    return _reduce(_logistic(pos_score, neg_score), reduction, owner)


def _logistic(pos_score: Tensor, neg_score: Tensor) -> Tensor:
    """Per-positive logistic loss, shape ``(P,)``, from checked scores."""
    return -F.logsigmoid(pos_score) - F.logsigmoid(-neg_score).sum(-1)


def self_adversarial_ns_loss(pos_score: Tensor, neg_score: Tensor, *,
                             adversarial_temperature: float = 1.0,
                             reduction: str = "mean") -> Tensor:
    r"""Negative-sampling loss with RotatE's self-adversarial weights.

    .. math::

        L_p = -\log \sigma(s_p^+) - \sum_{k=1}^{K} w_{pk} \log \sigma(-s_{pk}^-),
        \qquad
        w_{pk} = \frac{\exp(\alpha s_{pk}^-)}{\sum_{j} \exp(\alpha s_{pj}^-)}

    The weights :math:`w` are treated as constants (no gradient flows through
    them), so harder negatives (higher score) get more of the gradient. With
    :math:`\alpha = 0` the weights are :math:`1/K`: the logistic loss with the
    negative term averaged instead of summed.

    Parameters
    ----------
    pos_score : FloatTensor, shape (P,)
    neg_score : FloatTensor, shape (P, K)
    adversarial_temperature : float, default 1.0
        :math:`\alpha \ge 0`.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    Tensor
        Scalar, or shape ``(P,)`` with ``reduction="none"``.

    Notes
    -----
    Cost :math:`O(PK)`.

    References
    ----------
    Sun et al., *RotatE: Knowledge Graph Embedding by Relational Rotation in
    Complex Space*, ICLR 2019, Eq. (5).

    Examples
    --------
    >>> loss = self_adversarial_ns_loss(torch.tensor([0.0]), torch.tensor([[0.0, 0.0]]))
    >>> round(loss.item(), 4)
    1.3863
    """
    owner = "self_adversarial_ns_loss"
    alpha = check_real(adversarial_temperature, "adversarial_temperature", low=0, owner=owner)
    pos_score, neg_score = _check_scores(pos_score, neg_score, owner)
    weight = torch.softmax(alpha * neg_score, dim=1).detach()
    loss = -F.logsigmoid(pos_score) - (weight * F.logsigmoid(-neg_score)).sum(1)
    return _reduce(loss, reduction, owner)


def softmax_distance_loss(d_pos: Tensor, d_neg: Tensor) -> Tensor:
    r"""Softmax loss over negative distances (Nickel & Kiela's Poincaré loss), per row.

    .. math::

        L_p = -\log \frac{e^{-d_p^+}}{e^{-d_p^+} + \sum_{k=1}^{K} e^{-d_{pk}^-}}

    Parameters
    ----------
    d_pos : FloatTensor, shape (P,)
        Distances :math:`d(u_p, v_p)` of the positives.
    d_neg : FloatTensor, shape (P, K)
        Distances :math:`d(u_p, n_{pk})` of each positive's negatives.

    Returns
    -------
    Tensor, shape (P,)
        Unreduced (the caller sums or averages).

    Notes
    -----
    :func:`info_nce` with logits :math:`-d` and :math:`\tau = 1`, computed with
    ``log_softmax`` (stable); cost :math:`O(PK)`. Any distance works: Poincaré
    (:func:`graphneg.models.poincare.poincare_distance`) or Euclidean.

    References
    ----------
    Nickel and Kiela, *Poincaré Embeddings for Learning Hierarchical
    Representations*, NeurIPS 2017, Eq. (6).

    Examples
    --------
    >>> l = softmax_distance_loss(torch.zeros(1), torch.zeros(1, 3))
    >>> round(float(l), 6) == round(math.log(4), 6)
    True
    """
    owner = "softmax_distance_loss"
    d_pos = _check_float(d_pos, "d_pos", owner, (1,))
    d_neg = _check_float(d_neg, "d_neg", owner, (2,))
    if d_neg.size(0) != d_pos.size(0):
        raise ValueError(f"The 'd_neg' parameter of {owner} must have shape (P, K) with "
                         f"P = {d_pos.size(0)}. Got {tuple(d_neg.shape)} instead.")
    logits = -torch.cat([d_pos.unsqueeze(1), d_neg], 1)
    return -torch.log_softmax(logits, dim=1)[:, 0]


def _similarities(anchor, positive, negatives, similarity: str, owner: str):
    """Return ``(pos_sim (B,), neg_sim (B, K))``."""
    anchor = _check_float(anchor, "anchor", owner, (2,))
    positive = _check_float(positive, "positive", owner, (2,))
    negatives = _check_float(negatives, "negatives", owner, (2, 3))
    b, d = anchor.shape
    if positive.shape != anchor.shape:
        raise ValueError(f"The 'positive' parameter of {owner} must have the anchor's shape "
                         f"{(b, d)}. Got {tuple(positive.shape)} instead.")
    if negatives.size(-1) != d or (negatives.dim() == 3 and negatives.size(0) != b):
        raise ValueError(f"The 'negatives' parameter of {owner} must have shape (B, K, d) = "
                         f"({b}, K, {d}) or (K, d) = (K, {d}). Got {tuple(negatives.shape)} "
                         f"instead.")
    if negatives.size(-2) == 0:
        raise ValueError(f"The 'negatives' parameter of {owner} must hold at least one "
                         f"negative (K >= 1). Got shape {tuple(negatives.shape)} instead.")
    pos, neg = _pair_similarities(anchor, positive, negatives, similarity)
    if not (bool(torch.isfinite(pos).all()) and bool(torch.isfinite(neg).all())):
        raise ValueError(f"The similarities of {owner} overflow even in float64 (inputs of "
                         f"magnitude up to {float(max(anchor.abs().max(), positive.abs().max(), negatives.abs().max())):.3g}). "
                         f"Scale the embeddings down or use similarity='cosine'.")
    return pos, neg


def _pair_similarities(anchor: Tensor, positive: Tensor, negatives: Tensor,
                       similarity: str) -> Tuple[Tensor, Tensor]:
    """``(pos (B,), neg (B, K))`` in the input dtype, or in float64 when that overflows."""
    def sims(a, p, n):
        if similarity == "cosine":
            a, p, n = (F.normalize(x, dim=-1) for x in (a, p, n))
        neg = torch.einsum("bd,bkd->bk", a, n) if n.dim() == 3 else a @ n.t()
        return (a * p).sum(-1), neg

    inputs = (anchor, positive, negatives)
    if similarity == "cosine":
        finite = all(bool(torch.isfinite(torch.linalg.vector_norm(x, dim=-1)).all())
                     for x in inputs)
    else:
        pos, neg = sims(*inputs)
        finite = bool(torch.isfinite(pos).all()) and bool(torch.isfinite(neg).all())
        if finite:
            return pos, neg
    if finite:
        return sims(*inputs)
    wide = [x.double() for x in inputs]
    if similarity == "cosine":  # cos is scale-invariant: divide by the largest entry first
        wide = [x / x.abs().amax(-1, keepdim=True).clamp_min(1e-300) for x in wide]
    return sims(*wide)


def logistic_contrastive_loss(anchor: Tensor, positive: Tensor, negatives: Tensor, *,
                              similarity: str = "dot", reduction: str = "mean") -> Tensor:
    r"""The logistic negative-sampling loss on embeddings (:func:`logistic_ns_loss`
    of the similarities).

    .. math::

        L_b = -\log \sigma(s(a_b, p_b)) - \sum_{k=1}^{K} \log \sigma(-s(a_b, n_{bk}))

    Parameters
    ----------
    anchor, positive : FloatTensor, shape (B, d)
        Anchors and the positive of each.
    negatives : FloatTensor, shape (B, K, d) or (K, d)
        Per-anchor negatives, or one set shared by every anchor.
    similarity : {"dot", "cosine"}, default "dot"
        :math:`s(a, b) = a \cdot b` (word2vec's score) or the cosine.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the ``(B,)`` per-anchor losses.

    Notes
    -----
    Equals ``logistic_ns_loss(s(a, p), s(a, n))``; cost :math:`O(BKd)`.
    The gradient with respect to the anchor is
    :math:`-(1 - \sigma(s^+)) p + \sum_k \sigma(s_k) n_k` (dot product).
    References: those of :func:`logistic_ns_loss`.

    Examples
    --------
    >>> z = torch.zeros(2, 3)
    >>> round(logistic_contrastive_loss(z, z, torch.zeros(2, 4, 3)).item(), 4)  # 5 log 2
    3.4657
    """
    owner = "logistic_contrastive_loss"
    similarity = check_option(similarity, "similarity", ("dot", "cosine"), owner=owner)
    pos, neg = _similarities(anchor, positive, negatives, similarity, owner)
    return _reduce(_logistic(pos, neg).to(anchor.dtype), reduction, owner)


def info_nce(anchor: Tensor, positive: Tensor, negatives: Tensor,
             temperature: float = 0.1, *, similarity: str = "cosine",
             reduction: str = "mean") -> Tensor:
    r"""InfoNCE: cross-entropy of picking the positive among positive + negatives.

    .. math::

        L_b = -\log \frac{e^{s(a_b, p_b)/\tau}}
                         {e^{s(a_b, p_b)/\tau} + \sum_{k=1}^{K} e^{s(a_b, n_{bk})/\tau}}

    Parameters
    ----------
    anchor : FloatTensor, shape (B, d)
    positive : FloatTensor, shape (B, d)
        The positive of each anchor.
    negatives : FloatTensor, shape (B, K, d) or (K, d)
        Per-anchor negatives, or one set shared by every anchor.
    temperature : float, default 0.1
        :math:`\tau > 0`.
    similarity : {"cosine", "dot"}
        :math:`s(a, b) = a \cdot b / (\|a\| \|b\|)` or :math:`a \cdot b`.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    Tensor
        Scalar, or shape ``(B,)`` with ``reduction="none"``.

    Notes
    -----
    Computed as ``logsumexp`` (stable); cost :math:`O(BKd)`.

    References
    ----------
    van den Oord, Li and Vinyals, *Representation Learning with Contrastive
    Predictive Coding*, 2018.

    Examples
    --------
    >>> a = torch.tensor([[1.0, 0.0]])
    >>> n = torch.tensor([[[0.0, 1.0]]])
    >>> round(info_nce(a, a, n, temperature=1.0).item(), 4)   # -log(e / (e + 1))
    0.3133
    """
    owner = "info_nce"
    tau = check_real(temperature, "temperature", low=0, closed="neither", owner=owner)
    similarity = check_option(similarity, "similarity", ("cosine", "dot"), owner=owner)
    pos, neg = _similarities(anchor, positive, negatives, similarity, owner)
    logits = torch.cat([pos.unsqueeze(1), neg], 1) / tau
    loss = torch.logsumexp(logits, 1) - logits[:, 0]
    return _reduce(loss.to(anchor.dtype), reduction, owner)


def _contrastive_from_similarities(pos: Tensor, neg: Tensor, log_w: Tensor, tau: float,
                                   tau_plus: float) -> Tensor:
    """Per-anchor debiased loss from similarities, shape (B,).

    Evaluated in float64 with every exponent shifted by the row maximum
    ``m = max(s⁺, s_1..s_K)/τ`` so nothing overflows.
    """
    dtype = pos.dtype
    pos, neg, log_w = pos.double(), neg.double(), log_w.double()
    k = neg.size(1)
    m = torch.maximum(pos, neg.max(1).values) / tau
    e_pos = torch.exp(pos / tau - m)
    e_neg = (torch.exp(neg / tau - m.unsqueeze(1) + log_w)).sum(1)
    est = (e_neg - tau_plus * k * e_pos) / (1 - tau_plus)
    floor = k * torch.exp(-1.0 / tau - m)
    ng = torch.maximum(est, floor)
    return (torch.log(e_pos + ng) - (pos / tau - m)).to(dtype)


def debiased_contrastive_loss(anchor: Tensor, positive: Tensor, negatives: Tensor,
                              temperature: float = 0.5, tau_plus: float = 0.1, *,
                              reduction: str = "mean") -> Tensor:
    r"""Debiased contrastive loss (Chuang et al. 2020): corrects for negatives that
    are secretly positives, drawn with class prior :math:`\tau^+`.

    With cosine similarities :math:`s^+ = s(a, p)`, :math:`s_k = s(a, n_k)`:

    .. math::

        N_g = \max\Big( \frac{\sum_k e^{s_k/\tau} - \tau^+ K e^{s^+/\tau}}{1 - \tau^+},
                        \; K e^{-1/\tau} \Big),
        \qquad
        L = -\log \frac{e^{s^+/\tau}}{e^{s^+/\tau} + N_g}

    The floor :math:`K e^{-1/\tau}` is the estimator's theoretical minimum
    (cosine :math:`\ge -1`). With :math:`\tau^+ = 0` this is :func:`info_nce`.

    Parameters
    ----------
    anchor, positive : FloatTensor, shape (B, d)
    negatives : FloatTensor, shape (B, K, d) or (K, d)
    temperature : float, default 0.5
        :math:`\tau > 0`.
    tau_plus : float in [0, 1), default 0.1
        Class prior :math:`\tau^+`: probability that a negative is a positive.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    Tensor
        Scalar, or shape ``(B,)`` with ``reduction="none"``.

    Notes
    -----
    Evaluated in float64 with shifted exponents (no overflow for small :math:`\tau`);
    cost :math:`O(BKd)`.

    References
    ----------
    Chuang et al., *Debiased Contrastive Learning*, NeurIPS 2020, Eq. (6).

    Examples
    --------
    >>> a = torch.tensor([[1.0, 0.0]])
    >>> n = torch.tensor([[[0.0, 1.0]]])
    >>> round(debiased_contrastive_loss(a, a, n, temperature=1.0, tau_plus=0.0).item(), 4)
    0.3133
    """
    return _hard_negative(anchor, positive, negatives, temperature, tau_plus, 0.0, reduction,
                          "debiased_contrastive_loss")


def hard_negative_contrastive_loss(anchor: Tensor, positive: Tensor, negatives: Tensor,
                                   temperature: float = 0.5, tau_plus: float = 0.1,
                                   beta: float = 1.0, *, reduction: str = "mean") -> Tensor:
    r"""Hard-negative contrastive loss (Robinson et al. 2021): the debiased loss
    with negatives importance-weighted towards hard ones by concentration :math:`\beta`.

    .. math::

        w_k = \frac{e^{\beta s_k/\tau}}{\frac{1}{K}\sum_j e^{\beta s_j/\tau}},
        \qquad
        N_g = \max\Big( \frac{\sum_k w_k e^{s_k/\tau} - \tau^+ K e^{s^+/\tau}}{1 - \tau^+},
                        \; K e^{-1/\tau} \Big),
        \qquad
        L = -\log \frac{e^{s^+/\tau}}{e^{s^+/\tau} + N_g}

    with cosine similarities. :math:`\beta = 0` gives
    :func:`debiased_contrastive_loss`; :math:`\beta = \tau^+ = 0` gives :func:`info_nce`.
    As in the authors' code, gradients flow through the weights :math:`w`.

    Parameters
    ----------
    anchor, positive : FloatTensor, shape (B, d)
    negatives : FloatTensor, shape (B, K, d) or (K, d)
    temperature : float, default 0.5
        :math:`\tau > 0`.
    tau_plus : float in [0, 1), default 0.1
    beta : float, default 1.0
        Concentration :math:`\beta \ge 0`.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    Tensor
        Scalar, or shape ``(B,)`` with ``reduction="none"``.

    Notes
    -----
    Evaluated in float64 with shifted exponents; cost :math:`O(BKd)`.

    References
    ----------
    Robinson, Chuang, Sra and Jegelka, *Contrastive Learning with Hard Negative
    Samples*, ICLR 2021, Eq. (5) and their reference code.

    Examples
    --------
    >>> a = torch.tensor([[1.0, 0.0]])
    >>> n = torch.tensor([[[0.0, 1.0], [0.6, 0.8]]])
    >>> loss = hard_negative_contrastive_loss(a, a, n, temperature=1.0, tau_plus=0.0, beta=0.0)
    >>> bool(torch.isclose(loss, info_nce(a, a, n, temperature=1.0)))
    True
    """
    return _hard_negative(anchor, positive, negatives, temperature, tau_plus, beta, reduction,
                          "hard_negative_contrastive_loss")


def _hard_negative(anchor: Tensor, positive: Tensor, negatives: Tensor, temperature: float,
                   tau_plus: float, beta: float, reduction: str, owner: str) -> Tensor:
    tau = check_real(temperature, "temperature", low=0, closed="neither", owner=owner)
    tau_plus = check_real(tau_plus, "tau_plus", low=0, high=1, closed="left", owner=owner)
    beta = check_real(beta, "beta", low=0, owner=owner)
    pos, neg = _similarities(anchor, positive, negatives, "cosine", owner)
    # log w_k = β s_k/τ − log mean_j e^{β s_j/τ}
    log_w = beta * neg / tau
    log_w = log_w - (torch.logsumexp(log_w, 1, keepdim=True) - math.log(neg.size(1)))
    loss = _contrastive_from_similarities(pos, neg, log_w, tau, tau_plus)
    return _reduce(loss.to(anchor.dtype), reduction, owner)
