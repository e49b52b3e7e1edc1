r"""Text and audio–text samplers: a hybrid semantic–syntactic Gibbs sampler and a
phonetic-neighbourhood sampler with a homophone policy.

Concepts
--------
Words are attributed nodes: node :math:`i` carries a string :math:`s_i`, a
semantic embedding :math:`e_i` and, for speech, a phoneme sequence :math:`p_i`.
Two distances between an anchor :math:`u` and a candidate :math:`n`:

.. math::

    d_\mathrm{sem}(u, n) = 1 - \cos(e_u, e_n) \in [0, 2], \qquad
    d_\mathrm{syn}(u, n) = \frac{\mathrm{Lev}(s_u, s_n)}{\max(|s_u|, |s_n|)} \in [0, 1],

and their mixture :math:`d_\lambda = \lambda d_\mathrm{sem} + (1 - \lambda) d_\mathrm{syn}`.

* :class:`HybridGibbsSampler` (``"hybrid"``):
  :math:`q(n \mid u) \propto \exp(-\alpha\, d_\lambda(u, n))` over the valid
  candidates :math:`C(u)`, optionally truncated to the ``top_m`` valid
  candidates nearest to :math:`u` by :math:`d_\lambda`.
* :class:`PhoneticNegativeSampler` (``"phonetic"``):
  :math:`q(n \mid u) \propto \exp(-\alpha\, d_\mathrm{phon}(u, n))\,
  \mathbb{1}[d_\mathrm{phon}(u, n) \le r]` with
  :math:`d_\mathrm{phon} = \mathrm{Lev}(p_u, p_n)` on phoneme sequences.
  Homophones :math:`H(u) = \{n : d_\mathrm{phon}(u, n) = 0,\ s_n \ne s_u\}` are
  false negatives in audio–text matching; ``homophones`` says what to do with
  them (``"exclude"`` from the candidates, treat as ``"positive"``, or ``"keep"``).

Where the attributes come from
------------------------------
Per call, from keyword arguments of :meth:`~NegativeSampler.sample`
(``words=``, ``embedding=``, ``phonemes=``) or, when the sampler is used as a
transform, from the same-named attributes of the ``Data`` object
(:mod:`graphneg.datasets.text` builds graphs that carry them). One entry per
node, in node order.

Edit distances use rapidfuzz's C++ Levenshtein, batched with
:func:`rapidfuzz.process.cdist` (``workers`` threads); a finite phonetic radius
reads its sparse support from a deletion index (:class:`PhoneticIndex`); cosine distances are
one matrix product. rapidfuzz is imported lazily: install ``graphneg[text]``.
"""
from __future__ import annotations

import time
from itertools import accumulate, chain, combinations
from math import comb
from numbers import Integral, Real
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import Interval, Options, check_embeddings
from graphneg.edges import unique_sorted
from graphneg.samplers.base import _CHUNK_ELEMENTS, SamplingContext
from graphneg.samplers.tables import (
    TableSampler,
    gather_rows,
    normalised_cumsum,
    segment_positions,
)

__all__ = [
    "HybridGibbsSampler", "PhoneticNegativeSampler", "hybrid_distances",
    "phoneme_distances", "homophone_pairs", "hybrid_negatives", "phonetic_negatives",
    "PhoneticIndex",
]


def _rapidfuzz():
    try:
        from rapidfuzz import distance, process
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "graphneg's text samplers need rapidfuzz for batched edit distances. "
            "Install the text extra: pip install 'graphneg[text]'.") from err
    return process, distance


# ----------------------------------------------------------------- distances
def _check_words(words: Any, num_nodes: int, owner: str, param: str = "words") -> List[str]:
    if words is None:
        raise ValueError(f"The '{param}' parameter of {owner} is required (one string per node, "
                         f"as a keyword argument or a Data attribute). Got None instead.")
    if isinstance(words, str) or not hasattr(words, "__len__"):
        raise TypeError(f"The '{param}' parameter of {owner} must be a sequence of str. "
                        f"Got {type(words).__name__} instead.")
    if len(words) != num_nodes:
        raise ValueError(f"The '{param}' parameter of {owner} must have one entry per node "
                         f"({num_nodes}). Got {len(words)} instead.")
    words = list(words)
    bad = [i for i, w in enumerate(words) if not isinstance(w, str)]
    if bad:
        raise TypeError(f"The '{param}' parameter of {owner} must hold only str. "
                        f"Got non-strings at positions {bad[:10]} instead.")
    empty = [i for i, w in enumerate(words) if len(w) == 0]
    if empty:
        raise ValueError(f"The '{param}' parameter of {owner} must hold non-empty strings "
                         f"(normalised edit distance is undefined for two empty strings). "
                         f"Got empty strings at positions {empty[:10]} instead.")
    return words


def _unit_rows(embedding: Tensor, owner: str) -> Tensor:
    norms = embedding.norm(dim=1, keepdim=True)
    zero = (norms.view(-1) == 0).nonzero().view(-1)
    if zero.numel() > 0:
        raise ValueError(f"The 'embedding' parameter of {owner} must have non-zero rows "
                         f"(cosine is undefined for a zero vector). Got zero rows "
                         f"{zero[:10].tolist()} instead.")
    return embedding / norms


def hybrid_distances(anchor_words: Optional[Sequence[str]], cand_words: Optional[Sequence[str]],
                     anchor_emb: Optional[Tensor], cand_emb: Optional[Tensor], *,
                     lam: float, workers: int = 1,
                     timing: Optional[Dict[str, float]] = None) -> Tensor:
    r"""The hybrid distance :math:`d_\lambda` between every anchor and every candidate.

    .. math::

        d_\lambda(u, n) = \lambda\,(1 - \cos(e_u, e_n))
            + (1 - \lambda)\,\frac{\mathrm{Lev}(s_u, s_n)}{\max(|s_u|, |s_n|)}

    Parameters
    ----------
    anchor_words, cand_words : sequence of str (A,), (C,)
        Needed when ``lam < 1``.
    anchor_emb, cand_emb : FloatTensor, shape (A, d), (C, d)
        Rows of unit norm; needed when ``lam > 0``.
    lam : float in [0, 1]
    workers : int
        Threads for rapidfuzz's ``cdist`` (-1: all cores).
    timing : dict, optional
        Seconds spent are added under ``"edit_s"`` and ``"cosine_s"``.

    Returns
    -------
    DoubleTensor, shape (A, C)

    Notes
    -----
    Cost :math:`O(A C L^2 / 64)` for the bit-parallel Levenshtein on strings of
    length :math:`L` (rapidfuzz, Hyyrö's algorithm) plus :math:`O(A C d)` for the
    cosines.

    Examples
    --------
    >>> d = hybrid_distances(["cat"], ["cat", "cut", "dog"], None, None, lam=0.0)
    >>> [round(v, 3) for v in d[0].tolist()]
    [0.0, 0.333, 1.0]
    """
    timing = {} if timing is None else timing
    out = None
    if lam < 1:
        process, distance = _rapidfuzz()
        t0 = time.perf_counter()
        syn = process.cdist(anchor_words, cand_words,
                            scorer=distance.Levenshtein.normalized_distance,
                            dtype=np.float64, workers=workers)
        out = torch.from_numpy(syn).double() * (1 - lam)
        timing["edit_s"] = timing.get("edit_s", 0.0) + time.perf_counter() - t0
    if lam > 0:
        t0 = time.perf_counter()
        sem = (1 - (anchor_emb @ cand_emb.T).double()).clamp_(0, 2)
        sem = sem * lam
        out = sem if out is None else out + sem
        timing["cosine_s"] = timing.get("cosine_s", 0.0) + time.perf_counter() - t0
    return out


def _phoneme_strings(phonemes: Sequence[Sequence[str]], owner: str) -> List[str]:
    """Map every phoneme symbol to one private-use character so that rapidfuzz's
    string Levenshtein equals the Levenshtein distance on phoneme sequences
    (symbols numbered in order of first appearance; one C-level pass over the symbols)."""
    missing = [i for i, seq in enumerate(phonemes)
               if seq is None or isinstance(seq, str) or len(seq) == 0]
    if missing:
        raise ValueError(
            f"The 'phonemes' parameter of {owner} must hold a non-empty sequence of phoneme "
            f"symbols (list of str) for every node. Got missing or empty entries at positions "
            f"{missing[:10]} ({len(missing)} in all) instead; drop words absent from the "
            f"pronouncing dictionary first (graphneg.datasets.text skips and counts them).")
    flat = list(chain.from_iterable(phonemes))
    table = {p: chr(0xE000 + i) for i, p in enumerate(dict.fromkeys(flat))}
    chars = "".join(map(table.__getitem__, flat))
    ends = list(accumulate(map(len, phonemes)))
    return [chars[a:b] for a, b in zip([0] + ends[:-1], ends)]


def phoneme_distances(anchor_phonemes: Sequence[Sequence[str]],
                      cand_phonemes: Sequence[Sequence[str]], *,
                      score_cutoff: Optional[int] = None, workers: int = 1) -> Tensor:
    r"""Levenshtein distance between phoneme sequences, every anchor × candidate.

    Parameters
    ----------
    anchor_phonemes, cand_phonemes : sequence of sequence of str, lengths A and C
        ARPAbet symbols, e.g. ``["T", "UW1"]``.
    score_cutoff : int, optional
        Distances above it are reported as ``score_cutoff + 1`` (faster).
    workers : int

    Returns
    -------
    LongTensor, shape (A, C)

    Notes
    -----
    Each symbol is mapped to one character, then rapidfuzz's ``cdist`` runs;
    :math:`O(A C L^2 / 64)`.

    Examples
    --------
    >>> phoneme_distances([["T", "UW1"]], [["T", "UW1"], ["T", "UW1", "L"], ["K", "AE1", "T"]]).tolist()
    [[0, 1, 3]]
    """
    process, distance = _rapidfuzz()
    strings = _phoneme_strings(list(anchor_phonemes) + list(cand_phonemes), "phoneme_distances")
    a, c = strings[:len(anchor_phonemes)], strings[len(anchor_phonemes):]
    d = process.cdist(a, c, scorer=distance.Levenshtein.distance, dtype=np.int32,
                      workers=workers, score_cutoff=score_cutoff)
    return torch.from_numpy(d).long()


# ----------------------------------------------------------- shared helpers
def _smallest(d: Tensor, m: int) -> Tensor:
    """Column indices of the ``m`` smallest entries of each row of ``d``, ties broken
    by column order (as a stable sort would), in column order; ``O(C)`` per row
    (``kthvalue`` + one cumulative sum) instead of a full sort."""
    thr = d.kthvalue(m, dim=1, keepdim=True).values
    less = d < thr
    ties = d == thr
    room = m - less.sum(1, keepdim=True)
    keep = less | (ties & (torch.cumsum(ties, 1) <= room))
    return keep.nonzero()[:, 1].view(d.size(0), m)


class _TextSampler(TableSampler):
    """Text samplers: a :class:`~graphneg.samplers.tables.TableSampler` whose rows are
    an anchor's candidates with their log-probabilities, plus :meth:`probabilities`."""

    _parameter_constraints = {
        # rapidfuzz threads: -1 (all cores) or a positive count
        "workers": [Interval(Integral, 1, None, closed="left"), Options((-1,))],
    }
    _repr_hidden = TableSampler._repr_hidden | {"workers"}

    def probabilities(self, anchors: Tensor, edge_index: Tensor,
                      num_nodes: Optional[int] = None, *,
                      pos_edge_index: Optional[Tensor] = None,
                      exclude_edge_index: Optional[Tensor] = None,
                      candidate_mask: Optional[Tensor] = None, data: Any = None,
                      **kwargs: Any) -> Tensor:
        r"""The exact sampling distribution :math:`\Pr[n \mid u]` of :meth:`sample`
        over all nodes: ``log_prob`` exponentiated and scattered to node ids.

        Parameters
        ----------
        anchors : LongTensor, shape (A,)
        edge_index, num_nodes, pos_edge_index, exclude_edge_index, candidate_mask, data, **kwargs
            As for :meth:`sample`.

        Returns
        -------
        DoubleTensor, shape (A, num_nodes)
            Rows sum to 1 (0 for anchors without a valid candidate).
        """
        law = self.law(edge_index, num_nodes, pos_edge_index=pos_edge_index,
                       exclude_edge_index=exclude_edge_index, candidate_mask=candidate_mask,
                       data=data, **kwargs)
        out = torch.zeros(anchors.numel(), law.context.num_nodes, dtype=torch.double)
        out[:, law.context.candidate_pool] = law.log_prob(anchors).exp()
        return out


# ------------------------------------------------------------------- hybrid
class HybridGibbsSampler(_TextSampler, name="hybrid"):
    r"""Hybrid semantic–syntactic Gibbs negatives for words.

    .. math::

        \Pr[n \mid u] \propto \exp\!\big(-\alpha\, d_\lambda(u, n)\big)\,
            \mathbb{1}[n \in C_M(u)], \qquad
        d_\lambda = \lambda\,(1 - \cos(e_u, e_n)) + (1 - \lambda)\,
            \frac{\mathrm{Lev}(s_u, s_n)}{\max(|s_u|, |s_n|)},

    where :math:`C(u)` are the valid candidates (not ``u``, no known edge) and
    :math:`C_M(u)` the ``top_m`` members of :math:`C(u)` with the smallest
    :math:`d_\lambda` (all of :math:`C(u)` when ``top_m`` is None or larger).
    ``lam=1`` is purely semantic, ``lam=0`` purely orthographic; ``alpha=0``
    is uniform over :math:`C_M(u)`, large ``alpha`` concentrates on the nearest
    (hardest) words.

    Parameters
    ----------
    num_neg : int, default 1
    lam : float in [0, 1], default 0.5
        Weight :math:`\lambda` of the semantic distance.
    alpha : float in [0, inf), default 5.0
        Inverse temperature :math:`\alpha`.
    top_m : int >= 1 or None, default None
        Truncate to the ``top_m`` nearest valid candidates (large vocabularies).
        The probability mass of the untruncated :math:`q` that falls outside is
        reported per call in ``last_stats.extra`` (``truncated_mass_mean``,
        ``truncated_mass_max``).
    workers : int, default 1
        Threads for rapidfuzz (``-1``: all cores).
    seed, on_impossible, mode, directed, fallback_ratio, max_rounds
        See :class:`~graphneg.samplers.base.NegativeSampler`.

    Call-time inputs
    ----------------
    ``words`` (sequence of ``num_nodes`` non-empty str; needed when ``lam < 1``)
    and ``embedding`` (FloatTensor ``(num_nodes, d)``, finite, non-zero rows;
    needed when ``lam > 0``), as keyword arguments of :meth:`sample` or as
    attributes of the ``Data`` given to the transform.

    Notes
    -----
    Sampling is exact: for each distinct anchor the distances to every candidate
    are computed (:func:`hybrid_distances`), the invalid ones masked, the top
    ``top_m`` kept, and draws are made from the normalised table with
    :func:`torch.multinomial`; proposals are therefore always valid (no
    rejection). Cost per call :math:`O(U C (L^2/64 + d))` for :math:`U` distinct
    anchors and :math:`C` candidates, memory :math:`O(U \cdot \min(C, M))`
    (distances are processed in row chunks). :attr:`last_timing` holds the
    seconds spent on edit distances and on cosines in the last call.

    References
    ----------
    Mikolov et al., *Distributed Representations of Words and Phrases*, NeurIPS 2013;
    Robinson et al., *Contrastive Learning with Hard Negative Samples*, ICLR 2021.

    Examples
    --------
    >>> words = ["cat", "cut", "car", "dog", "cog"]
    >>> ei = torch.tensor([[0, 3], [3, 0]])
    >>> s = HybridGibbsSampler(2, lam=0.0, alpha=4.0, seed=0)
    >>> s.sample(ei, 5, words=words).shape
    torch.Size([2, 4])
    >>> p = s.probabilities(torch.tensor([0]), ei, 5, words=words)
    >>> [round(v, 3) for v in p[0].tolist()]
    [0.0, 0.442, 0.442, 0.0, 0.116]
    """

    requires = ("words", "embedding")

    mask_rows = False            # the hook masks rows to C(u) before the top_m truncation
    keep_rows = True             # rows depend on words / embedding only: kept across calls
    _parameter_constraints = {
        "lam": [Interval(Real, 0, 1, closed="both")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "top_m": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, num_neg: int = 1, *, lam: float = 0.5, alpha: float = 5.0,
                 top_m: Optional[int] = None, workers: int = 1, seed: Seed = None,
                 on_impossible: str = "raise", mode: str = "per_anchor",
                 directed: bool = False, fallback_ratio: float = 0.1, max_rounds: int = 32):
        self._init_params(locals())

    def _setup(self) -> None:
        super()._setup()
        self.last_timing: Dict[str, float] = {}
        self.requires = (("words",) if self.lam < 1 else ()) + (("embedding",) if self.lam > 0
                                                                 else ())

    def _check_context(self, ctx: SamplingContext) -> None:
        owner = type(self).__name__
        words = emb = None
        if self.lam < 1:
            words = _check_words(ctx.input("words"), ctx.num_nodes, owner)
        if self.lam > 0:
            raw = ctx.input("embedding")
            if raw is None:
                raise ValueError(f"The 'embedding' parameter of {owner} is required when "
                                 f"lam > 0 (a (num_nodes, d) tensor, as a keyword argument "
                                 f"or a Data attribute). Got None instead.")
            emb = check_embeddings(raw, "embedding", num_rows=ctx.num_nodes, owner=owner)
            emb = _unit_rows(emb, owner)
        ctx.inputs.update(words=words, embedding=emb)
        self.last_timing = {"edit_s": 0.0, "cosine_s": 0.0}

    def _candidate_table(self, anchors: Tensor, ctx: SamplingContext) -> Tuple[Tensor, Tensor]:
        words, emb = ctx.inputs["words"], ctx.inputs["embedding"]
        cand = ctx.candidate_pool
        cand_words = None if words is None else ctx.cached(
            "hybrid_cand_words", lambda: [words[i] for i in cand.tolist()])
        d = hybrid_distances(
            None if words is None else [words[i] for i in anchors.tolist()], cand_words,
            None if emb is None else emb[anchors], None if emb is None else emb[cand],
            lam=self.lam, workers=self.workers, timing=self.last_timing)
        valid = ctx.valid_block(anchors)
        logw = (-self.alpha * d).masked_fill(~valid, float("-inf"))
        total = torch.logsumexp(logw, 1)
        cols = cand.view(1, -1).expand(anchors.numel(), -1)
        if self.top_m is not None and self.top_m < cand.numel():
            idx = _smallest(d.masked_fill(~valid, float("inf")), self.top_m)
            logw = torch.gather(logw, 1, idx)
            cols = cand[idx]
        kept = torch.logsumexp(logw, 1)
        has = torch.isfinite(total)
        mass = torch.where(has, 1 - torch.exp(kept - total), torch.zeros_like(total))
        self._row_value(ctx, "truncated_mass", mass.clamp_min(0))
        empty = ~has.view(-1, 1)
        logq = torch.log_softmax(logw.masked_fill(empty, 0.0), 1).masked_fill(
            empty, float("-inf"))
        return cols.contiguous(), logq

    def _extra_stats(self, ctx: SamplingContext) -> Dict[str, float]:
        mass = self._row_values(ctx, "truncated_mass")      # this call's anchors
        mass = mass if mass.numel() else torch.zeros(1)
        return {"top_m": float(self.top_m or 0), "truncated_mass_mean": float(mass.mean()),
                "truncated_mass_max": float(mass.max())}



# ----------------------------------------------------------------- phonetic
def homophone_pairs(phonemes: Sequence[Sequence[str]], words: Sequence[str],
                    anchors: Tensor, *, candidate_mask: Optional[Tensor] = None) -> Tensor:
    r"""Every pair ``(u, n)`` with ``u`` in ``anchors`` and ``n`` a homophone of ``u``:
    the same phoneme sequence, a different spelling.

    .. math:: H(u) = \{ n : p_n = p_u,\ s_n \ne s_u \}

    Parameters
    ----------
    phonemes : sequence of sequence of str, length N
    words : sequence of str, length N
    anchors : LongTensor, shape (A,)
    candidate_mask : BoolTensor, shape (N,), optional
        Only candidates inside it are returned.

    Returns
    -------
    LongTensor, shape (2, H)
        Sorted by anchor position then candidate id. Cost :math:`O(N \log N + H)`
        (hashing the phoneme strings, no pairwise distances).

    Examples
    --------
    >>> ph = [["T", "UW1"], ["T", "UW1"], ["T", "UW1"], ["K", "AE1", "T"]]
    >>> homophone_pairs(ph, ["two", "to", "two", "cat"], torch.tensor([0, 3])).tolist()
    [[0], [1]]
    """
    strings = _phoneme_strings(phonemes, "homophone_pairs")
    n = len(strings)
    _, key = np.unique(np.asarray(strings, dtype=object).astype(str), return_inverse=True)
    _, wkey = np.unique(np.asarray(list(words), dtype=object).astype(str), return_inverse=True)
    key = torch.from_numpy(key.reshape(-1)).long()
    wkey = torch.from_numpy(wkey.reshape(-1)).long()
    allowed = torch.ones(n, dtype=torch.bool) if candidate_mask is None else candidate_mask
    # group nodes by pronunciation: sorted order + group offsets
    order = torch.argsort(key, stable=True)
    counts = torch.bincount(key)
    starts = torch.cumsum(counts, 0) - counts
    a_key = key[anchors]
    size = counts[a_key]
    row = torch.arange(anchors.numel()).repeat_interleave(size)
    offs = torch.arange(int(size.sum())) - (torch.cumsum(size, 0) - size).repeat_interleave(size)
    cand = order[starts[a_key].repeat_interleave(size) + offs]
    anchor = anchors[row]
    keep = (wkey[cand] != wkey[anchor]) & allowed[cand]
    return torch.stack([anchor[keep], cand[keep]])


# ------------------------------------------------------- phonetic neighbour index
#: Multipliers of the deletion-variant hash (odd 64-bit constants, one per position).
_HASH_MULT = (np.random.default_rng(0x5EED).integers(1, 1 << 62, size=256, dtype=np.int64)
              .astype(np.uint64) * np.uint64(2) + np.uint64(1))


def _variant_count(lengths: np.ndarray, radius: int) -> int:
    """Number of deletion variants (at most ``radius`` deletions) of strings of
    ``lengths``: :math:`\\sum_s \\sum_{k \\le r} \\binom{|s|}{k}`."""
    counts = np.bincount(lengths)
    return int(sum(int(c) * sum(comb(int(length), k) for k in range(radius + 1))
                   for length, c in enumerate(counts) if c))


def _hash_rows(codes: np.ndarray) -> np.ndarray:
    """One 64-bit hash per row of code points (0 = padding contributes nothing)."""
    with np.errstate(over="ignore"):
        return (codes.astype(np.uint64) * _HASH_MULT[:codes.shape[1]]).sum(1)


class PhoneticIndex:
    r"""Every pair of phoneme strings within Levenshtein distance ``radius``, found
    without an all-pairs pass (a symmetric deletion index), plus the nodes of each
    distinct string.

    Two strings within distance :math:`r` share a string obtained from each by at
    most :math:`r` deletions (a substitution is one deletion in each, an insertion
    one deletion in the other). Every distinct string's deletion variants are
    hashed, strings sharing a hash are joined, and each joined pair's exact
    distance is verified with rapidfuzz (a hash collision only adds a pair that
    the check drops). Cost :math:`O(\sum_s \sum_{k \le r} \binom{|s|}{k} + J)`
    for :math:`J` joined pairs, against :math:`O(S^2)` for all pairs of the
    :math:`S` distinct strings.

    Parameters
    ----------
    strings : list of str, length N
        One string per node, one character per phoneme symbol
        (as :func:`phoneme_distances` maps them).
    radius : int >= 0
    workers : int, default 1
        rapidfuzz threads.

    Attributes
    ----------
    key : ndarray of int64, shape (N,)
        Distinct-string id of every node (ids in sorted string order).
    ptr, neighbour, distance : ndarray of int64, shapes (S + 1,), (P,), (P,)
        CSR over distinct strings: string ``s``'s neighbours within the radius
        (itself included, at distance 0) are ``neighbour[ptr[s]:ptr[s + 1]]``,
        ascending.
    packed : ndarray of int64, shape (P,)
        ``s * S + neighbour``, sorted (for pair lookups).
    order, group_ptr : ndarray of int64, shapes (N,), (S + 1,)
        Nodes sorted by string (then id): string ``s``'s nodes are
        ``order[group_ptr[s]:group_ptr[s + 1]]``.

    Examples
    --------
    >>> index = PhoneticIndex(["ab", "abc", "xy", "ab"], 1)
    >>> index.key.tolist()
    [0, 1, 2, 0]
    >>> [index.neighbour[index.ptr[s]:index.ptr[s + 1]].tolist() for s in range(3)]
    [[0, 1], [0, 1], [2]]
    """

    def __init__(self, strings: List[str], radius: int, workers: int = 1):
        process, distance = _rapidfuzz()
        uniq, key = np.unique(np.asarray(strings, dtype=str), return_inverse=True)
        text = uniq.astype(object)
        self.key = key.reshape(-1).astype(np.int64)
        self.radius = radius
        s = self.num_strings = uniq.size
        width = max(int(uniq.dtype.itemsize // 4), 1)
        codes = np.ascontiguousarray(uniq).view(np.uint32).reshape(s, width)
        lengths = (codes > 0).sum(1)
        # symbols ranked 1..A (0 = padding); rows packed exactly into 63 bits when they
        # fit (then a shared key is a shared variant), else hashed
        symbols = unique_sorted(codes[codes > 0])
        codes = np.where(codes > 0, np.searchsorted(symbols, codes) + 1, 0).astype(np.int64)
        bits = int(symbols.size).bit_length()
        exact = bits * width <= 63
        keyed = (lambda rows: (rows << (bits * np.arange(rows.shape[1]))).sum(1)) if exact \
            else _hash_rows
        ids, keys, depth, where = [np.arange(s)], [keyed(codes)], [np.zeros(s, np.int64)], \
            [np.full(s, -1)]
        for k in range(1, radius + 1):          # deletion positions, not strings
            for cut in combinations(range(width), k):
                rows = np.flatnonzero(lengths > cut[-1])
                if rows.size:
                    ids.append(rows)
                    keys.append(keyed(np.delete(codes[rows], cut, axis=1)))
                    depth.append(np.full(rows.size, k))
                    where.append(np.full(rows.size, cut[0] if k == 1 else -2))
        sid, h = np.concatenate(ids), np.concatenate(keys).view(np.int64)
        depth, where = np.concatenate(depth), np.concatenate(where)
        by = np.lexsort((sid, h))
        sid, h, depth, where = sid[by], h[by], depth[by], where[by]
        start = np.flatnonzero(np.concatenate([[True], h[1:] != h[:-1]]))
        size = np.diff(np.concatenate([start, [h.size]]))
        per = np.repeat(size, size)                          # group size of every entry
        left = np.repeat(np.arange(h.size), per)
        right = np.repeat(np.repeat(start, size), per) + segment_positions(per)
        pairs = sid[left] * s + sid[right]
        sure = np.zeros(pairs.size, dtype=bool)
        if exact:   # d <= 1 certified: one deletion on one side, or at one position on both
            dl, dr = depth[left], depth[right]
            sure = (dl + dr == 1) | ((dl == 1) & (dr == 1) & (where[left] == where[right]))
        if exact and radius == 1:       # uncertified distinct strings are at d >= 2
            keep = sure | (sid[left] == sid[right])
            pairs, sure = pairs[keep], sure[keep]
        # joined pairs, sorted, each flagged certified when any of its joins is
        flagged = unique_sorted(2 * pairs + ~sure)
        first = np.concatenate([[True], flagged[1:] // 2 != flagged[:-1] // 2])
        packed, sure = flagged[first] // 2, flagged[first] % 2 == 0
        a, b = packed // s, packed % s
        d = np.ones(packed.size, dtype=np.int64)
        d[a == b] = 0
        todo = (a != b) & ~sure
        if exact and radius == 1:
            d[todo] = 2                 # uncertified distinct strings: d >= 2
        elif todo.any():
            d[todo] = process.cpdist(text[a[todo]], text[b[todo]],
                                     scorer=distance.Levenshtein.distance,
                                     score_cutoff=radius, dtype=np.int64, workers=workers)
        keep = d <= radius
        self.packed, self.distance = packed[keep], d[keep]
        self.neighbour = b[keep]
        self.ptr = np.concatenate([[0], np.cumsum(np.bincount(a[keep], minlength=s))])
        self.order = np.argsort(self.key, kind="stable")
        self.group_ptr = np.concatenate([[0], np.cumsum(np.bincount(self.key, minlength=s))])

    def pair_distance(self, u: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Phoneme distance of node pairs ``(u, n)`` where it is within the radius,
        ``-1`` elsewhere, shape of ``u``; :math:`O(\\log P)` per pair."""
        q = self.key[u] * self.num_strings + self.key[n]
        at = np.searchsorted(self.packed, q).clip(max=max(self.packed.size - 1, 0))
        hit = self.packed[at] == q if self.packed.size else np.zeros(q.shape, dtype=bool)
        return np.where(hit, self.distance[at] if self.packed.size else 0, -1)

    def support(self, anchors: np.ndarray, allowed: Optional[np.ndarray] = None
                ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every node within the radius of each anchor, as ``(position in anchors,
        node, distance)``, sorted by position then node id; only nodes where
        ``allowed`` (``(N,)`` bool) is True. :math:`O(\\text{output})` plus a sort."""
        which, entry = gather_rows(self.ptr, self.key[anchors])
        nbr = self.neighbour[entry]
        w2, e2 = gather_rows(self.group_ptr, nbr)
        row, node, d = which[w2], self.order[e2], self.distance[entry][w2]
        if allowed is not None:
            keep = allowed[node]
            row, node, d = row[keep], node[keep], d[keep]
        by = np.lexsort((node, row))
        return row[by], node[by], d[by]


class PhoneticNegativeSampler(_TextSampler, name="phonetic"):
    r"""Phonetic-neighbourhood negatives for audio–text matching.

    .. math::

        \Pr[n \mid u] \propto \exp(-\alpha\, d_\mathrm{phon}(u, n))\;
            \mathbb{1}[d_\mathrm{phon}(u, n) \le r]\;
            \mathbb{1}[n \in C(u)]\;
            \mathbb{1}[n \notin H(u) \text{ unless homophones="keep"}]

    with :math:`d_\mathrm{phon}` the Levenshtein distance between phoneme
    sequences and :math:`H(u)` the homophones of :math:`u` (distance 0,
    different spelling) — the false negatives of audio–text matching
    ("two" spoken, "too" written).

    Parameters
    ----------
    num_neg : int, default 1
    radius : int >= 0 or None, default 1
        Largest phoneme edit distance of a candidate (None: no limit).
    alpha : float >= 0, default 0.0
        Gibbs inverse temperature over :math:`d_\mathrm{phon}` (0: uniform
        within the radius).
    homophones : {"exclude", "positive", "keep"}, default "exclude"
        ``"exclude"``: never drawn. ``"positive"``: never drawn, and the
        transform adds ``(u, n \in H(u))`` to ``edge_label_index`` with label 1.
        ``"keep"``: drawn like any candidate (they are false negatives).
    workers : int, default 1
    seed, on_impossible, mode, directed, fallback_ratio, max_rounds
        See :class:`~graphneg.samplers.base.NegativeSampler`.

    Call-time inputs
    ----------------
    ``phonemes`` (``num_nodes`` non-empty sequences of phoneme symbols) and
    ``words`` (``num_nodes`` spellings), keyword arguments or ``Data`` attributes.

    Notes
    -----
    A finite ``radius`` takes the sparse path: the pairs of distinct phoneme
    strings within the radius come from a :class:`PhoneticIndex` (a deletion
    index, kept on the instance and keyed by the strings and the radius), the
    proposal draws a neighbour string by its weight
    :math:`e^{-\alpha d} m(s')` (:math:`m` its nodes in the candidate pool) and
    then one of its nodes (:meth:`_propose`), and the valid counts come from the
    same string pairs and the known pairs, :math:`O(N + P + K)`; nothing is
    ``N × C``. The proposal is the support, so ``fallback_ratio`` bounds its
    acceptance: anchors whose valid share of the proposal mass is below it take
    the exact path. ``radius=None`` (and batched graphs, or more deletion
    variants than :attr:`index_variants`) keeps the dense rows: the anchor ×
    candidate distances by rapidfuzz (:func:`phoneme_distances`),
    :math:`O(U C L^2/64)` for :math:`U` distinct anchors and :math:`C`
    candidates. Both state the same law. An anchor whose support (radius ∩ valid ∩ policy) is empty is an
    *impossible* anchor (raise, or drop with ``on_impossible="drop"``).
    The expected number of false negatives among :math:`K` draws is
    :math:`K \sum_{n \in H(u)} \Pr[n \mid u]`
    (:func:`graphneg.analysis.text.expected_false_negatives`).

    Examples
    --------
    >>> ph = [["T", "UW1"], ["T", "UW1"], ["T", "UW1", "L"], ["K", "AE1", "T"]]
    >>> words = ["two", "too", "tool", "cat"]
    >>> ei = torch.tensor([[0, 3], [3, 0]])
    >>> s = PhoneticNegativeSampler(3, radius=1, seed=0)
    >>> s.sample(ei, 4, pos_edge_index=torch.tensor([[0], [3]]), phonemes=ph, words=words)
    tensor([[0, 0, 0],
            [2, 2, 2]])
    """

    _parameter_constraints = {
        "radius": [Interval(Integral, 0, None, closed="left"), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "homophones": [Options(("exclude", "positive", "keep"))],
    }

    def __init__(self, num_neg: int = 1, *, radius: Optional[int] = 1, alpha: float = 0.0,
                 homophones: str = "exclude", workers: int = 1, seed: Seed = None,
                 on_impossible: str = "raise", mode: str = "per_anchor",
                 directed: bool = False, fallback_ratio: float = 0.1, max_rounds: int = 32):
        self._init_params(locals())

    def _check_context(self, ctx: SamplingContext) -> None:
        owner = type(self).__name__
        words = _check_words(ctx.input("words"), ctx.num_nodes, owner)
        phon = ctx.input("phonemes")
        if phon is None:
            raise ValueError(f"The 'phonemes' parameter of {owner} is required (one phoneme "
                             f"sequence per node). Got None instead.")
        if len(phon) != ctx.num_nodes:
            raise ValueError(f"The 'phonemes' parameter of {owner} must have one entry per "
                             f"node ({ctx.num_nodes}). Got {len(phon)} instead.")
        strings = _phoneme_strings(phon, owner)
        _, wkey = np.unique(np.asarray(words, dtype=object).astype(str), return_inverse=True)
        ctx.inputs.update(phoneme_strings=strings,
                          word_keys=torch.from_numpy(wkey.reshape(-1)).long())

    requires = ("phonemes", "words")
    #: rows hold the phonetic support only; proposals outside C(u) are rejected
    #: (the draws of the sampler's seeds)
    mask_rows = False

    #: Largest ``N × C`` distance table kept between calls (entries).
    cache_entries: int = 1 << 25

    def _distances(self, anchors: Tensor, ctx: SamplingContext) -> Tensor:
        """Phoneme distances anchors × candidates. When ``N·C`` is at most
        :attr:`cache_entries`, the whole table is computed once and kept on the
        instance, keyed by the phoneme strings, the candidate ids and the radius,
        so a trainer calling every epoch with the same data pays it once."""
        process, distance = _rapidfuzz()
        strings = ctx.inputs["phoneme_strings"]
        cand = ctx.candidate_pool

        def compute(rows: Tensor) -> Tensor:
            a = [strings[i] for i in rows.tolist()]
            c = ctx.cached("phon_cand_strings", lambda: [strings[i] for i in cand.tolist()])
            d = process.cdist(a, c, scorer=distance.Levenshtein.distance, dtype=np.int32,
                              workers=self.workers, score_cutoff=self.radius)
            return torch.from_numpy(d).long()

        if ctx.num_nodes * cand.numel() > self.cache_entries:
            return compute(anchors)
        key = ctx.cached("phon_key", lambda: (hash(tuple(strings)), ctx.num_nodes,
                                              hash(cand.numpy().tobytes()), self.radius))
        cache = getattr(self, "_dist_cache", None)
        if cache is None or cache[0] != key:
            cache = (key, compute(torch.arange(ctx.num_nodes)).to(torch.int16
                     if self.radius is not None and self.radius < 32000 else torch.int32))
            self._dist_cache = cache
        return cache[1][anchors].long()

    def _support(self, anchors: Tensor, d: Tensor, ctx: SamplingContext) -> Tensor:
        cand = ctx.candidate_pool
        wkey = ctx.inputs["word_keys"]
        ok = torch.ones_like(d, dtype=torch.bool) if self.radius is None else d <= self.radius
        if self.homophones != "keep":
            homo = (d == 0) & (wkey[cand].view(1, -1) != wkey[anchors].view(-1, 1))
            ok &= ~homo
        return ok

    def _candidate_table(self, anchors: Tensor, ctx: SamplingContext) -> Tuple[Tensor, Tensor]:
        cand = ctx.candidate_pool
        d = self._distances(anchors, ctx)
        ok = self._support(anchors, d, ctx)
        logw = (-self.alpha * d.double()).masked_fill(~ok, float("-inf"))
        empty = torch.isneginf(logw).all(1, keepdim=True)
        logq = torch.log_softmax(logw.masked_fill(empty, 0.0), 1).masked_fill(
            empty, float("-inf"))
        return cand.view(1, -1).expand(anchors.numel(), -1).contiguous(), logq

    # ------------------------------------------------ sparse path (finite radius)
    #: Most deletion variants the sparse index may hold; above it (a large radius on
    #: long strings) the dense path runs. ``0``: always dense.
    index_variants: int = 1 << 24

    def _index(self, ctx: SamplingContext) -> Optional[PhoneticIndex]:
        """The phonetic index of this call's strings, or ``None`` for the dense path
        (``radius=None``, batched graphs, or more variants than :attr:`index_variants`).
        Kept on the instance, keyed by the strings and the radius."""
        if self.radius is None or ctx.group is not None:
            return None

        def make() -> Optional[PhoneticIndex]:
            strings = ctx.inputs["phoneme_strings"]
            key = (hash(tuple(strings)), len(strings), self.radius, self.index_variants)
            kept = getattr(self, "_phonetic_index", None)
            if kept is None or kept[0] != key:
                lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
                small = _variant_count(lengths, self.radius) <= self.index_variants
                kept = (key, PhoneticIndex(strings, self.radius, self.workers) if small
                        else None)
                self._phonetic_index = kept
            return kept[1]
        return ctx.cached("phon:index", make)

    def _proposal(self, ctx: SamplingContext) -> Dict[str, Any]:
        r"""The sparse proposal of this call (numpy arrays, see :meth:`_propose`):
        per distinct string its candidates per neighbour string, their normalised
        cumulative weights, and per node the homophone share to skip, the valid
        count and the valid share of the proposal mass. :math:`O(N + P + K)`."""
        def make() -> Dict[str, Any]:
            index = self._index(ctx)
            n, s = ctx.num_nodes, index.num_strings
            key = index.key
            in_pool = (np.ones(n, dtype=bool) if ctx.candidate_mask is None
                       else ctx.candidate_mask.numpy())
            pool_order = index.order[in_pool[index.order]]
            m = np.bincount(key[in_pool], minlength=s)
            exclude = self.homophones != "keep"
            wkey = ctx.inputs["word_keys"].numpy()
            # (string, spelling) classes: the non-homophones of an anchor's own string
            cls = np.unique(key * (int(wkey.max()) + 1) + wkey, return_inverse=True)[1] \
                .reshape(-1)
            cls_order = np.argsort(cls, kind="stable")
            cls_order = cls_order[in_pool[cls_order]]
            mc = np.bincount(cls[in_pool], minlength=int(cls.max()) + 1)
            homo = m[key] - mc[cls] if exclude else np.zeros(n, dtype=np.int64)
            row = np.repeat(np.arange(s), np.diff(index.ptr))
            w = np.exp(-self.alpha * index.distance) * m[index.neighbour]
            with np.errstate(divide="ignore"):
                cum = normalised_cumsum(index.ptr, np.log(w))
            total = np.bincount(row, weights=w, minlength=s)          # M(s)
            size = np.bincount(row, weights=m[index.neighbour], minlength=s)
            own = np.flatnonzero(index.neighbour == row)              # (s, s) entries
            # valid count and mass: the support less the anchor itself, its
            # excluded homophones and its known partners inside the support
            keys = ctx.known.keys.numpy()
            ku, kn = keys // n, keys % n
            d = index.pair_distance(ku, kn)
            sel = (d >= 0) & (ku != kn) & in_pool[kn]
            if exclude:
                sel &= ~((d == 0) & (wkey[ku] != wkey[kn]))
            num_valid = size[key].astype(np.int64) - homo - in_pool - np.bincount(
                ku[sel], minlength=n)
            mass = total[key] - homo
            valid_mass = mass - in_pool - np.bincount(
                ku[sel], weights=np.exp(-self.alpha * d[sel]), minlength=n)
            share = np.where(mass > 0, valid_mass / np.where(mass > 0, mass, 1.0), 0.0)
            return dict(index=index, in_pool=in_pool, pool_order=pool_order,
                        pool_ptr=np.concatenate([[0], np.cumsum(m)]), m=m, cls=cls,
                        cls_order=cls_order, cls_ptr=np.concatenate([[0], np.cumsum(mc)]),
                        mc=mc, homo=homo, cum=cum, total=total, own=own,
                        num_valid=torch.from_numpy(num_valid), share=torch.from_numpy(share),
                        mass=mass)
        return ctx.cached("phon:proposal", make)

    def _num_valid(self, ctx: SamplingContext) -> Tensor:
        if self._index(ctx) is not None:
            return self._proposal(ctx)["num_valid"]
        return self._dense_num_valid(ctx)

    def _dense_slots(self, slot_anchor: Tensor, num_valid: Tensor,
                     ctx: SamplingContext) -> Optional[Tensor]:
        # sparse path: the proposal is the support, so the exact path takes the
        # anchors whose valid share of the proposal mass is below fallback_ratio
        if self._index(ctx) is None:
            return super()._dense_slots(slot_anchor, num_valid, ctx)
        direct = self._proposal(ctx)["share"][slot_anchor] < self.fallback_ratio
        return direct if bool(direct.any()) else None

    def _propose(self, anchors: Tensor, generator: torch.Generator,
                 ctx: SamplingContext) -> Tensor:
        r"""Sparse path: a neighbour string :math:`s'` of the anchor's string with
        probability :math:`\propto e^{-\alpha d(s_u, s')} m(s')` (:math:`m` its nodes
        in the candidate pool; for the anchor's own string only the nodes spelt like
        the anchor when homophones are excluded), by one inverse-CDF step on the
        string's cumulative row with the homophone share skipped, then one of those
        nodes uniformly: :math:`q(n \mid u) \propto e^{-\alpha d(u, n)}` over the
        pool within the radius, the rows the dense path states. Two uniforms and one
        binary search per slot."""
        if self._index(ctx) is None:
            return super()._propose(anchors, generator, ctx)
        p = self._proposal(ctx)
        index = p["index"]
        u = anchors.numpy()
        s = index.key[u]
        r1 = torch.rand(u.size, generator=generator, dtype=torch.double).numpy()
        r2 = torch.rand(u.size, generator=generator, dtype=torch.double).numpy()
        cum, ptr, own = p["cum"], index.ptr, p["own"]
        start, stop = ptr[s], ptr[s + 1]
        base = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
        span = cum[np.maximum(stop - 1, 0)] - base                  # 1 (or 0: no mass)
        total = np.where(p["total"][s] > 0, p["total"][s], 1.0)
        skip = p["homo"][u] / total * span                          # homophones' share
        target = base + r1 * (span - skip)
        e0 = own[s]
        own_start = np.where(e0 > 0, cum[np.maximum(e0 - 1, 0)], 0.0)
        own_end = cum[e0] - skip
        target = np.where(target >= own_end, target + skip, target)
        e = np.clip(np.searchsorted(cum, target, side="right"), start, np.maximum(stop - 1, 0))
        mine = (e == e0) & (self.homophones != "keep")
        mine |= (target >= own_start) & (target < own_end) & (self.homophones != "keep")
        e = np.where(mine, e0, e)
        nb = index.neighbour[e]
        lo = np.where(mine, p["cls_ptr"][p["cls"][u]], p["pool_ptr"][nb])
        cnt = np.where(mine, p["mc"][p["cls"][u]], p["m"][nb])
        pick = lo + np.minimum((r2 * cnt).astype(np.int64), np.maximum(cnt - 1, 0))
        node = np.where(mine, p["cls_order"][np.minimum(pick, p["cls_order"].size - 1)],
                        p["pool_order"][np.minimum(pick, max(p["pool_order"].size - 1, 0))])
        # no proposal mass (an impossible anchor drawn in pairs mode): itself, rejected
        node = np.where((p["mass"][u] > 0) & (cnt > 0), node, u)
        return torch.from_numpy(node)

    def _log_weights(self, anchors: Tensor, candidates: Tensor,
                     ctx: SamplingContext) -> Tensor:
        index = self._index(ctx)
        if index is None:
            return super()._log_weights(anchors, candidates, ctx)
        p = self._proposal(ctx)
        a = anchors.numpy()
        row, node, d = index.support(a, p["in_pool"])
        if self.homophones != "keep":
            wkey = ctx.inputs["word_keys"].numpy()
            keep = ~((d == 0) & (wkey[node] != wkey[a[row]]))
            row, node, d = row[keep], node[keep], d[keep]
        where = np.full(ctx.num_nodes, -1, dtype=np.int64)
        where[candidates.numpy()] = np.arange(candidates.numel())
        col = where[node]
        hit = col >= 0
        out = torch.full((a.size, candidates.numel()), float("-inf"), dtype=torch.double)
        out[torch.from_numpy(row[hit]), torch.from_numpy(col[hit])] = torch.from_numpy(
            -self.alpha * d[hit].astype(np.float64))
        return out

    def _dense_num_valid(self, ctx: SamplingContext) -> Tensor:
        # |C(u) ∩ support(u)| for every node: support counts minus known pairs inside it
        def count() -> Tensor:
            n = ctx.num_nodes
            cand = ctx.candidate_pool
            out = torch.zeros(n, dtype=torch.long)
            rows = max(1, _CHUNK_ELEMENTS // max(cand.numel(), 1))
            for lo in range(0, n, rows):  # chunks of nodes
                a = torch.arange(lo, min(n, lo + rows))
                ok = self._support(a, self._distances(a, ctx), ctx)
                ok &= ctx.valid_block(a)
                out[a] = ok.sum(1)
            return out
        return ctx.cached("phonetic_num_valid", count)

    def homophone_pairs(self, anchors: Tensor, *, phonemes: Sequence[Sequence[str]],
                        words: Sequence[str],
                        candidate_mask: Optional[Tensor] = None) -> Tensor:
        """:func:`homophone_pairs` (kept for the ``"positive"`` policy)."""
        return homophone_pairs(phonemes, words, anchors, candidate_mask=candidate_mask)

    def forward(self, data: Any, **kwargs: Any) -> Any:
        """The base transform; with ``homophones="positive"`` the homophone pairs of
        the anchors are appended to the positives (label 1) before the negatives:
        ``edge_label_index = cat([pos, homophone_pairs, neg], 1)``."""
        data = super().forward(data, **kwargs)
        if self.homophones != "positive":
            return data
        num_pos = int((data.edge_label == 1).sum())
        pos = data.edge_label_index[:, :num_pos]
        phon = kwargs.get("phonemes", getattr(data, "phonemes", None))
        words = kwargs.get("words", getattr(data, "words", None))
        mask = kwargs.get("candidate_mask")
        extra = homophone_pairs(phon, words, torch.unique(pos[0]), candidate_mask=mask)
        label = data.edge_label
        data.edge_label_index = torch.cat([pos, extra, data.edge_label_index[:, num_pos:]], 1)
        data.edge_label = torch.cat([label[:num_pos], torch.ones(extra.size(1), dtype=label.dtype),
                                     label[num_pos:]])
        data.neg_stats = {**data.neg_stats, "homophone_positives": extra.size(1)}
        return data



# ------------------------------------------------------------ functional twins
def hybrid_negatives(edge_index: Tensor, num_nodes: Optional[int] = None, *,
                     words: Optional[Sequence[str]] = None,
                     embedding: Optional[Tensor] = None, num_neg: int = 1,
                     lam: float = 0.5, alpha: float = 5.0, top_m: Optional[int] = None,
                     pos_edge_index: Optional[Tensor] = None, seed: Seed = None,
                     on_impossible: str = "raise") -> Tensor:
    """Functional twin of :class:`HybridGibbsSampler` (same body).

    Examples
    --------
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> hybrid_negatives(ei, 3, words=["ab", "ac", "bb"], lam=0.0, seed=0).tolist()
    [[0, 1], [2, 2]]
    """
    sampler = HybridGibbsSampler(num_neg, lam=lam, alpha=alpha, top_m=top_m, seed=seed,
                                 on_impossible=on_impossible)
    return sampler.sample(edge_index, num_nodes, pos_edge_index=pos_edge_index,
                          words=words, embedding=embedding)


def phonetic_negatives(edge_index: Tensor, num_nodes: Optional[int] = None, *,
                       phonemes: Sequence[Sequence[str]], words: Sequence[str],
                       num_neg: int = 1, radius: Optional[int] = 1, alpha: float = 0.0,
                       homophones: str = "exclude", pos_edge_index: Optional[Tensor] = None,
                       candidate_mask: Optional[Tensor] = None, seed: Seed = None,
                       on_impossible: str = "raise") -> Tensor:
    """Functional twin of :class:`PhoneticNegativeSampler` (same body).

    Examples
    --------
    >>> ph = [["T", "UW1"], ["T", "UW1", "L"], ["T", "UW1"]]
    >>> ei = torch.tensor([[0], [1]])
    >>> phonetic_negatives(ei, 3, phonemes=ph, words=["two", "tool", "too"],
    ...                    homophones="keep", seed=0).tolist()
    [[0], [2]]
    """
    sampler = PhoneticNegativeSampler(num_neg, radius=radius, alpha=alpha,
                                      homophones=homophones, seed=seed,
                                      on_impossible=on_impossible)
    return sampler.sample(edge_index, num_nodes, pos_edge_index=pos_edge_index,
                          candidate_mask=candidate_mask, phonemes=phonemes, words=words)
