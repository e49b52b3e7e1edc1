r"""Linear-chain CRF with neighbourhood negatives (contrastive estimation).

Concepts
--------
For a sentence :math:`x` of length :math:`n` and labels :math:`y \in \{0..L-1\}^n`, a
linear-chain CRF scores

.. math::

    s(x, y) = \pi_{y_1} + \sum_{t=1}^{n} E_{t, y_t} + \sum_{t=2}^{n} A_{y_{t-1} y_t} + \omega_{y_n}

(emissions :math:`E = f_\theta(x)`, transitions :math:`A`, start :math:`\pi`, end
:math:`\omega`) and :math:`p(y|x) = e^{s(x,y)}/Z(x)`.

**Exact NLL.** :math:`-\log p(y|x) = \log Z(x) - s(x, y)`; :math:`\log Z` by the forward
algorithm in log space, :math:`\alpha_1 = \pi + E_1`,
:math:`\alpha_t(j) = \log\sum_i \exp(\alpha_{t-1}(i) + A_{ij}) + E_{t,j}`,
:math:`\log Z = \log\sum_j \exp(\alpha_n(j) + \omega_j)`; vectorised over the batch
(padded, masked), :math:`O(B\,n\,L^2)`.

**Neighbourhood negatives** (Smith & Eisner 2005). :math:`N(y)` holds every
single-position substitution (:math:`n(L-1)` sequences) and every adjacent swap
:math:`y_t \leftrightarrow y_{t+1}` with :math:`y_t \ne y_{t+1}` (TRANS1 on labels);
none equals :math:`y` and all are distinct. Substitution :math:`(t, o)` sets
:math:`y_t \leftarrow (y_t + o) \bmod L`, :math:`o = 1..L-1`.

**Contrastive estimation loss**

.. math::

    L_{CE}(y) = -s(x, y) + \log \sum_{y' \in \{y\} \cup N(y)} e^{s(x, y')},

the NLL with the partition restricted to the neighbourhood, so
:math:`0 \le L_{CE} \le L_{NLL}`; the *gap* :math:`L_{NLL} - L_{CE}` is the probability
mass (in log terms) outside :math:`\{y\} \cup N(y)`. With ``num_samples`` set, a uniform
sample without replacement of :math:`N(y)` replaces it (Gumbel top-k). Its gradient
w.r.t. :math:`E_{t,l}` is :math:`\sum_{y'} \tilde p(y')[y'_t = l] - [y_t = l]`,
:math:`\tilde p` the softmax over :math:`\{y\}\cup N(y)` (tests check it against autograd).

References
----------
J. Lafferty, A. McCallum, F. Pereira, "Conditional random fields", ICML 2001.
N. A. Smith, J. Eisner, "Contrastive estimation: training log-linear models on
unlabeled data", ACL 2005.
"""

from __future__ import annotations

from typing import Optional, Tuple

import torch
from torch import Tensor

from graphneg._random import Seed, as_generator
from graphneg._validation import check_int

__all__ = ["check_tags", "LinearChainCRF", "CRFTagger"]


def _check_mask(mask: Tensor, shape, owner: str) -> Tensor:
    if not isinstance(mask, Tensor) or mask.dtype != torch.bool or tuple(mask.shape) != tuple(shape):
        raise ValueError(f"The 'mask' parameter of {owner} must be a BoolTensor of shape "
                         f"{tuple(shape)}. Got {getattr(mask, 'shape', mask)} instead.")
    if mask.numel() and (not bool(mask[:, 0].all()) or bool((mask[:, 1:] & ~mask[:, :-1]).any())):
        raise ValueError(f"The 'mask' parameter of {owner} must mark a non-empty prefix of "
                         f"every row (left-aligned sequences of length >= 1).")
    return mask


def check_tags(tags: Tensor, num_labels: int, mask: Optional[Tensor] = None, *,
               owner: str = "LinearChainCRF") -> Tensor:
    """Check a ``(B, T)`` LongTensor of label ids in ``[0, num_labels)`` (where ``mask``).

    Examples
    --------
    >>> check_tags(torch.tensor([[0, 2]]), 3).tolist()
    [[0, 2]]
    """
    if not isinstance(tags, Tensor) or tags.dtype != torch.long or tags.dim() != 2:
        raise TypeError(f"The 'tags' parameter of {owner} must be a LongTensor of shape (B, T). "
                        f"Got {getattr(tags, 'dtype', type(tags).__name__)} instead.")
    vals = tags[mask] if mask is not None else tags
    if vals.numel() and (int(vals.min()) < 0 or int(vals.max()) >= num_labels):
        bad = vals[(vals < 0) | (vals >= num_labels)]
        raise ValueError(f"The 'tags' parameter of {owner} must hold label ids in "
                         f"[0, {num_labels}). Got unknown label id(s) {sorted(set(bad.tolist()))[:10]} "
                         f"instead.")
    return tags


class LinearChainCRF(torch.nn.Module):
    r"""Transition, start and end scores of a linear-chain CRF, and its algorithms.

    Parameters
    ----------
    num_labels : int
        :math:`L \ge 1`.

    Attributes
    ----------
    transitions : Parameter, shape (L, L)
        :math:`A_{ij}` = score of label ``i`` followed by ``j``.
    start, end : Parameter, shape (L,)

    Notes
    -----
    ``emissions`` are ``(B, T, L)`` float, ``mask`` a ``(B, T)`` bool prefix mask.
    :meth:`log_partition` costs :math:`O(BTL^2)`, :meth:`score` :math:`O(BNT)` for
    ``N`` sequences per row.

    Examples
    --------
    >>> import math
    >>> crf = LinearChainCRF(3)
    >>> em = torch.zeros(1, 2, 3)
    >>> round(float(crf.log_partition(em, torch.ones(1, 2, dtype=torch.bool))), 4) == round(math.log(9), 4)
    True
    """

    def __init__(self, num_labels: int):
        super().__init__()
        self.num_labels = check_int(num_labels, "num_labels", low=1, owner="LinearChainCRF")
        self.transitions = torch.nn.Parameter(torch.zeros(num_labels, num_labels))
        self.start = torch.nn.Parameter(torch.zeros(num_labels))
        self.end = torch.nn.Parameter(torch.zeros(num_labels))

    def _check(self, emissions: Tensor, mask: Tensor, owner: str) -> Tensor:
        if not isinstance(emissions, Tensor) or emissions.dim() != 3 \
                or emissions.size(2) != self.num_labels:
            raise ValueError(f"The 'emissions' parameter of {owner} must have shape "
                             f"(B, T, {self.num_labels}). Got "
                             f"{getattr(emissions, 'shape', emissions)} instead.")
        return _check_mask(mask, emissions.shape[:2], owner)

    def score(self, emissions: Tensor, tags: Tensor, mask: Tensor) -> Tensor:
        r"""Score :math:`s(x, y)` of label sequences.

        Parameters
        ----------
        emissions : Tensor, shape (B, T, L)
        tags : LongTensor, shape (B, T) or (B, N, T)
            One or ``N`` label sequences per row (padding positions are ignored).
        mask : BoolTensor, shape (B, T)

        Returns
        -------
        Tensor, shape (B,) or (B, N)
        """
        self._check(emissions, mask, "LinearChainCRF.score")
        squeeze = tags.dim() == 2
        if squeeze:
            tags = tags.unsqueeze(1)
        b, n, t = tags.shape
        tags = tags.masked_fill(~mask.unsqueeze(1), 0)
        check_tags(tags.view(b, -1), self.num_labels, owner="LinearChainCRF.score")
        m = mask.unsqueeze(1).to(emissions.dtype)                      # (B, 1, T)
        em = emissions.gather(2, tags.permute(0, 2, 1)).permute(0, 2, 1)  # (B, N, T)
        total = (em * m).sum(-1) + self.start[tags[:, :, 0]]
        if t > 1:
            tr = self.transitions[tags[:, :, :-1], tags[:, :, 1:]]
            total = total + (tr * m[:, :, 1:]).sum(-1)
        last = (mask.sum(1) - 1).view(b, 1, 1).expand(b, n, 1)
        total = total + self.end[tags.gather(2, last).squeeze(2)]
        return total.squeeze(1) if squeeze else total

    def log_partition(self, emissions: Tensor, mask: Tensor) -> Tensor:
        r""":math:`\log Z(x)` by the forward algorithm in log space, shape ``(B,)``."""
        self._check(emissions, mask, "LinearChainCRF.log_partition")
        alpha = self.start + emissions[:, 0]                            # (B, L)
        for t in range(1, emissions.size(1)):  # over positions; batch and labels vectorised
            nxt = torch.logsumexp(alpha.unsqueeze(2) + self.transitions, dim=1) + emissions[:, t]
            alpha = torch.where(mask[:, t:t + 1], nxt, alpha)
        return torch.logsumexp(alpha + self.end, dim=1)

    def nll(self, emissions: Tensor, tags: Tensor, mask: Tensor) -> Tensor:
        r"""Exact :math:`-\log p(y|x) = \log Z - s(x, y)` per row, shape ``(B,)``."""
        return self.log_partition(emissions, mask) - self.score(emissions, tags, mask)

    def contrastive_loss(self, emissions: Tensor, tags: Tensor, mask: Tensor,
                         neighbours: Tensor, neighbour_mask: Tensor) -> Tensor:
        r""":math:`L_{CE} = -s(y) + \log\sum_{y'\in\{y\}\cup N} e^{s(y')}` per row, ``(B,)``.

        Parameters
        ----------
        neighbours : LongTensor, shape (B, N, T)
        neighbour_mask : BoolTensor, shape (B, N)
            Which neighbours exist (rows have different neighbourhood sizes).
        """
        gold = self.score(emissions, tags, mask)
        s = self.score(emissions, neighbours, mask).masked_fill(~neighbour_mask, float("-inf"))
        return torch.logsumexp(torch.cat([gold.unsqueeze(1), s], 1), dim=1) - gold

    def neighbour_deltas(self, emissions: Tensor, tags: Tensor, mask: Tensor, *,
                         swaps: bool = True) -> Tuple[Tensor, Tensor]:
        r"""Score differences :math:`s(y') - s(y)` for every neighbour, in O(1) each.

        A substitution or an adjacent swap changes only the emission, transition,
        start and end terms touching one or two positions, so
        :math:`\Delta(y') = s(y') - s(y)` is a sum of a few local differences
        (no sequence is materialised). Slots follow :func:`sequence_neighbours`.

        Parameters
        ----------
        emissions : Tensor, shape (B, T, L)
        tags : LongTensor, shape (B, T)
        mask : BoolTensor, shape (B, T)
        swaps : bool

        Returns
        -------
        delta : Tensor, shape (B, N)
            ``-inf`` where the slot does not exist.
        neighbour_mask : BoolTensor, shape (B, N)

        Notes
        -----
        Cost :math:`O(BTL)` time and memory, against :math:`O(BT^2L)` for scoring the
        materialised neighbours.

        Examples
        --------
        >>> crf = LinearChainCRF(2)
        >>> em = torch.tensor([[[1.0, 0.0], [0.0, 2.0]]])
        >>> d, ok = crf.neighbour_deltas(em, torch.tensor([[0, 1]]), torch.ones(1, 2, dtype=torch.bool))
        >>> d[ok].tolist()
        [-1.0, -2.0, -3.0]
        """
        self._check(emissions, mask, "LinearChainCRF.neighbour_deltas")
        check_tags(tags, self.num_labels, mask, owner="LinearChainCRF.neighbour_deltas")
        b, t, l = emissions.shape
        y = tags.masked_fill(~mask, 0)
        lengths = mask.sum(1, keepdim=True)
        pos = torch.arange(t).view(1, -1)
        first, last = pos == 0, pos == lengths - 1
        A, start, end = self.transitions, self.start, self.end
        em_y = emissions.gather(2, y.unsqueeze(2))                         # (B, T, 1)
        # substitution of y_t by every label l: (B, T, L)
        d = emissions - em_y
        prev = torch.cat([y[:, :1], y[:, :-1]], 1)                         # y_{t-1}
        nxt = torch.cat([y[:, 1:], y[:, :1]], 1)                           # y_{t+1}
        has_prev = (~first).unsqueeze(2).to(d.dtype)
        has_next = ((pos < lengths - 1)).unsqueeze(2).to(d.dtype)
        d = d + has_prev * (A[prev] - A[prev, y].unsqueeze(2))             # A[y_{t-1}, l]
        d = d + has_next * (A[:, nxt].permute(1, 2, 0) - A[y, nxt].unsqueeze(2))  # A[l, y_{t+1}]
        d = d + first.unsqueeze(2) * (start - start[y].unsqueeze(2))
        d = d + last.unsqueeze(2).to(d.dtype) * (end - end[y].unsqueeze(2))
        off = torch.arange(1, l).view(1, 1, -1)
        lab = (y.unsqueeze(2) + off) % l                                   # (B, T, L-1)
        sub = d.gather(2, lab).reshape(b, -1)
        sub_ok = mask.unsqueeze(2).expand(-1, -1, l - 1).reshape(b, -1)
        parts, oks = [sub], [sub_ok]
        if swaps and t > 1:
            y0, y1 = y[:, :-1], y[:, 1:]                                   # swap t <-> t+1
            e0, e1 = emissions[:, :-1], emissions[:, 1:]
            ds = (e0.gather(2, y1.unsqueeze(2)) + e1.gather(2, y0.unsqueeze(2))
                  - e0.gather(2, y0.unsqueeze(2)) - e1.gather(2, y1.unsqueeze(2))).squeeze(2)
            ds = ds + A[y1, y0] - A[y0, y1]
            yp = torch.cat([y[:, :1], y[:, :-2]], 1)                       # y_{t-1}
            hp = (pos[:, :-1] > 0).to(ds.dtype)
            ds = ds + hp * (A[yp, y1] - A[yp, y0])
            yn = torch.cat([y[:, 2:], y[:, :1]], 1)                        # y_{t+2}
            hn = (pos[:, :-1] + 2 < lengths).to(ds.dtype)
            ds = ds + hn * (A[y0, yn] - A[y1, yn])
            ds = ds + (pos[:, :-1] == 0).to(ds.dtype) * (start[y1] - start[y0])
            ds = ds + (pos[:, :-1] + 1 == lengths - 1).to(ds.dtype) * (end[y0] - end[y1])
            parts.append(ds)
            oks.append(mask[:, 1:] & (y0 != y1))
        delta, ok = torch.cat(parts, 1), torch.cat(oks, 1)
        return delta.masked_fill(~ok, float("-inf")), ok

    def contrastive_loss_local(self, emissions: Tensor, tags: Tensor, mask: Tensor, *,
                               num_samples: Optional[int] = None,
                               seed: Seed = None) -> Tensor:
        r""":math:`L_{CE} = \log(1 + \sum_{y' \in N} e^{\Delta(y')})` per row, ``(B,)``,
        from :meth:`neighbour_deltas` (equal to :meth:`contrastive_loss` on the full
        neighbourhood). With ``num_samples``, a uniform sample without replacement
        of that many neighbours per row (Gumbel top-k over the valid slots)."""
        delta, ok = self.neighbour_deltas(emissions, tags, mask)
        if num_samples is not None:
            num_samples = check_int(num_samples, "num_samples", low=1,
                                    owner="LinearChainCRF.contrastive_loss_local")
            keys = torch.rand(ok.shape, generator=as_generator(seed)).masked_fill(~ok, -1.0)
            top = keys.topk(min(num_samples, ok.size(1)), dim=1)
            delta = delta.gather(1, top.indices).masked_fill(top.values < 0, float("-inf"))
        zero = torch.zeros(delta.size(0), 1, dtype=delta.dtype)
        return torch.logsumexp(torch.cat([zero, delta], 1), dim=1)

    @torch.no_grad()
    def viterbi(self, emissions: Tensor, mask: Tensor) -> Tensor:
        """Most likely label sequences, ``(B, T)`` LongTensor (0 on padding)."""
        self._check(emissions, mask, "LinearChainCRF.viterbi")
        b, t, l = emissions.shape
        delta = self.start + emissions[:, 0]
        back = torch.zeros(b, t, l, dtype=torch.long)
        for i in range(1, t):
            cand = delta.unsqueeze(2) + self.transitions                # (B, L, L)
            best, arg = cand.max(1)
            back[:, i] = arg
            delta = torch.where(mask[:, i:i + 1], best + emissions[:, i], delta)
        lengths = mask.sum(1)
        out = torch.zeros(b, t, dtype=torch.long)
        cur = (delta + self.end).argmax(1)
        for i in range(t - 1, -1, -1):
            active = i < lengths
            out[:, i] = torch.where(active, cur, out[:, i])
            prev = back[torch.arange(b), i, cur]
            cur = torch.where(active & (i > 0) & (i <= lengths - 1), prev, cur)
        return out * mask


class CRFTagger(torch.nn.Module):
    r"""Log-linear emissions (word + suffix weights) on a :class:`LinearChainCRF`.

    :math:`E_{t,l} = W_{w_t, l} + S_{\text{suf}(w_t), l}`.

    Parameters
    ----------
    num_words, num_suffixes, num_labels : int

    Examples
    --------
    >>> m = CRFTagger(10, 5, 3)
    >>> m(torch.zeros(2, 4, dtype=torch.long), torch.zeros(2, 4, dtype=torch.long)).shape
    torch.Size([2, 4, 3])
    """

    def __init__(self, num_words: int, num_suffixes: int, num_labels: int):
        super().__init__()
        self.word = torch.nn.Embedding(num_words, num_labels)
        self.suffix = torch.nn.Embedding(num_suffixes, num_labels)
        torch.nn.init.zeros_(self.word.weight)
        torch.nn.init.zeros_(self.suffix.weight)
        self.crf = LinearChainCRF(num_labels)

    def forward(self, words: Tensor, suffixes: Tensor) -> Tensor:
        return self.word(words) + self.suffix(suffixes)
