r"""Device-native per-anchor sampling for samplers whose proposal is a fixed law over
nodes (uniform, degree): every step on the device of ``edge_index``, no host copy.

The law is the base's (:mod:`graphneg.samplers.base`):

.. math::

    \Pr[n \mid u] = \frac{w(n)\,\mathbb{1}[n \in C(u)]}{\sum_{m \in C(u)} w(m)},
    \qquad w(n) = 1 \ (\text{uniform}) \ \text{or} \ \deg(n)^\alpha \ (\text{degree}),

realised as on the CPU: rejection of proposals :math:`n \sim w` by one membership
test against the sorted keys ``u * N + v`` of the excluded pairs (``torch.searchsorted``
on the device), and the exact complement for dense anchors (valid share below
``fallback_ratio``) and for slots still pending after ``max_rounds`` rounds, drawn
from ``w`` restricted to :math:`C(u)` in row blocks (uniform over :math:`C(u)` where
``w`` gives it no mass, as the CPU's fallback). Randomness comes from a generator on
the device seeded once per call from the sampler's CPU generator: a seed gives the
same negatives on one device, not the CPU's bits.

Cost per call: building the keys :math:`O((E + P) \log (E + P))` on the device (the
graph's keys are kept while ``edge_index`` and ``exclude_edge_index`` are unchanged,
so a training loop pays :math:`O(P \log P)` for its positives), each rejection round
:math:`O(S \log K)` for :math:`S` pending slots, the exact block :math:`O(A N)`.
"""
from __future__ import annotations

from typing import Any, Optional, Tuple

import torch
from torch import Tensor

from graphneg._random import spawn_seed

__all__ = ["DeviceIndex", "device_sample", "supports_device"]

#: Entries of a dense ``(rows, N)`` block of the exact path at once.
_CHUNK_ELEMENTS = 1 << 22


class DeviceIndex:
    """Sorted distinct keys ``u * N + v`` of the excluded pairs, on one device.

    Parameters
    ----------
    parts : sequence of LongTensor, each (2, E_i), or None
    num_nodes : int
    undirected : bool
        Hold both directions of every pair.

    Examples
    --------
    >>> index = DeviceIndex([torch.tensor([[0], [1]])], 3, undirected=True)
    >>> index.contains(torch.tensor([1, 0, 2]), torch.tensor([0, 2, 2])).tolist()
    [True, False, False]
    >>> index.num_excluded().tolist()
    [1, 1, 0]
    """

    def __init__(self, parts, num_nodes: int, *, undirected: bool = True,
                 keys: Optional[Tensor] = None):
        self.num_nodes = int(num_nodes)
        self.undirected = undirected
        if keys is None:
            keys = torch.unique(torch.cat([self._keys(p) for p in parts if p is not None]
                                          or [torch.zeros(0, dtype=torch.long)]))
        self.keys = keys

    def _keys(self, e: Tensor) -> Tensor:
        k = e[0] * self.num_nodes + e[1]
        return torch.cat([k, e[1] * self.num_nodes + e[0]]) if self.undirected else k

    def union(self, e: Optional[Tensor]) -> "DeviceIndex":
        """This set plus the pairs of ``e`` ``(2, P)``, :math:`O((K + P) \\log (K + P))`."""
        if e is None or e.numel() == 0:
            return self
        keys = torch.unique(torch.cat([self.keys, self._keys(e)]))
        return DeviceIndex((), self.num_nodes, undirected=self.undirected, keys=keys)

    def contains(self, row: Tensor, col: Tensor) -> Tensor:
        """Is ``(row[i], col[i])`` held? Binary search, :math:`O(\\log K)` each."""
        q = row * self.num_nodes + col
        if self.keys.numel() == 0:
            return torch.zeros_like(q, dtype=torch.bool)
        at = torch.searchsorted(self.keys, q).clamp_max(self.keys.numel() - 1)
        return self.keys[at] == q

    def num_excluded(self) -> Tensor:
        """Per node ``u``: distinct ``n != u`` with ``(u, n)`` held, shape ``(N,)``."""
        n = self.num_nodes
        row = torch.div(self.keys, n, rounding_mode="floor")
        off = self.keys % (n + 1) != 0                  # u * N + u = u * (N + 1)
        return torch.bincount(row[off], minlength=n)

    def partners(self, anchors: Tensor) -> Tuple[Tensor, Tensor]:
        """Every held pair of ``anchors`` ``(A,)``: ``(row into anchors, partner)``."""
        n = self.num_nodes
        lo = torch.searchsorted(self.keys, anchors * n)
        hi = torch.searchsorted(self.keys, anchors * n + n)
        count = hi - lo
        row = torch.repeat_interleave(torch.arange(anchors.numel(), device=anchors.device),
                                      count)
        offset = torch.arange(row.numel(), device=anchors.device) - \
            (torch.cumsum(count, 0) - count)[row]
        return row, self.keys[lo[row] + offset] % n


def supports_device(sampler: Any, num_nodes: Any, candidate_mask: Any, batch: Any,
                    anchor_mask: Any, kwargs: dict) -> bool:
    """Whether :func:`device_sample` serves this call (per-anchor mode of a sampler with
    a ``device_law``, a homogeneous graph without masks, groups or call-time inputs)."""
    return (getattr(sampler, "device_law", None) is not None and sampler.mode == "per_anchor"
            and not isinstance(num_nodes, (tuple, list)) and candidate_mask is None
            and batch is None and anchor_mask is None and not kwargs)


def _weights(sampler: Any, edge_index: Tensor, n: int) -> Optional[Tensor]:
    """``w(n)`` over nodes (float64, on the device), ``None`` for uniform."""
    if sampler.device_law == "uniform":
        return None
    deg = torch.bincount(edge_index[0], minlength=n).double()
    alpha = float(sampler.alpha)
    return deg.pow(alpha) if alpha > 0 else torch.ones_like(deg)


def _index(sampler: Any, edge_index: Tensor, exclude: Optional[Tensor], n: int) -> DeviceIndex:
    """The graph's :class:`DeviceIndex`, kept on the sampler while its sources are
    these unchanged tensors (identity and in-place version, as the CPU cache)."""
    from graphneg.edges import _same, _signature
    cached = getattr(sampler, "_device_index", None)
    undirected = not sampler.directed
    if cached is not None:
        sig_e, sig_x, nodes, direction, index = cached
        if nodes == n and direction == undirected and _same(sig_e, edge_index) \
                and _same(sig_x, exclude):
            return index
    index = DeviceIndex([edge_index, exclude], n, undirected=undirected)
    sampler._device_index = (_signature(edge_index), _signature(exclude), n, undirected, index)
    return index


def _draw_exact(anchors: Tensor, known: DeviceIndex, weights: Optional[Tensor],
                generator: torch.Generator) -> Tuple[Tensor, int]:
    """One exact draw from ``w`` restricted to :math:`C(u)` per entry of ``anchors``
    (uniform over :math:`C(u)` where ``w`` gives it no mass), in row blocks; returns the
    draws and the number of distinct such zero-mass anchors."""
    n, dev = known.num_nodes, anchors.device
    out = torch.empty_like(anchors)
    rows = max(1, _CHUNK_ELEMENTS // max(n, 1))
    dead = []
    for lo in range(0, anchors.numel(), rows):          # blocks of slots, not a slot loop
        a = anchors[lo:lo + rows]
        valid = torch.ones(a.numel(), n, dtype=torch.bool, device=dev)
        valid[torch.arange(a.numel(), device=dev), a] = False
        r, partner = known.partners(a)
        valid[r, partner] = False
        w = valid.double() if weights is None else valid * weights.view(1, -1)
        zero = w.sum(1) == 0
        if bool(zero.any()):
            w[zero] = valid[zero].double()
            dead.append(a[zero])
        out[lo:lo + rows] = torch.multinomial(w, 1, generator=generator).view(-1)
    return out, int(torch.unique(torch.cat(dead)).numel()) if dead else 0


def device_sample(sampler: Any, edge_index: Tensor, num_nodes: int, pos_edge_index: Tensor,
                  exclude_edge_index: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
    """Per-anchor negatives of ``sampler`` with every step on ``edge_index.device``.

    Returns ``(neg (2, P_kept * K), keep (P,))`` and sets ``sampler.last_stats``, as
    the CPU path does. Arguments are validated by the caller.
    """
    from graphneg.samplers.base import NoNegativeCandidatesError, SamplerStats
    dev, n, k = edge_index.device, int(num_nodes), sampler.num_neg
    generator = torch.Generator(device=dev)
    generator.manual_seed(spawn_seed(sampler.generator))
    known = _index(sampler, edge_index, exclude_edge_index, n).union(pos_edge_index)
    weights = _weights(sampler, edge_index, n)
    if weights is not None:
        cdf = torch.cumsum(weights, 0)
        total = cdf[-1] if n else torch.zeros((), dtype=torch.double, device=dev)
    num_valid = n - 1 - known.num_excluded()
    anchors = pos_edge_index[0]
    stats = SamplerStats(requested=anchors.numel() * k)
    possible = num_valid[anchors] > 0
    if not bool(possible.all()):
        bad = torch.unique(anchors[~possible])
        stats.impossible_anchors = bad.numel()
        sampler._raise_impossible(bad.cpu(), "node(s)", "negative candidate (every other node "
                                  "is a known edge)", NoNegativeCandidatesError)
        stats.dropped = int((~possible).sum())
        anchors = anchors[possible]
    slot = anchors.repeat_interleave(k)
    out = torch.full_like(slot, -1)
    dense = num_valid[slot].double() / max(n - 1, 1) < sampler.fallback_ratio
    if weights is not None and not bool(total > 0):     # no weight anywhere: exact, uniform
        dense = torch.ones_like(dense)
    pending = (~dense).nonzero().view(-1)
    while pending.numel() > 0 and stats.rounds < sampler.max_rounds:
        stats.rounds += 1
        a = slot[pending]
        if weights is None:
            prop = torch.randint(n, a.shape, generator=generator, device=dev)
        else:
            u = torch.rand(a.shape, generator=generator, device=dev, dtype=torch.double)
            prop = torch.searchsorted(cdf, u * total, right=True).clamp_max(n - 1)
        ok = (prop != a) & ~known.contains(a, prop)
        out[pending[ok]] = prop[ok]
        pending = pending[~ok]
        stats.rejected += pending.numel()
    exact = torch.cat([dense.nonzero().view(-1), pending])
    if exact.numel() > 0:
        out[exact], dead = _draw_exact(slot[exact], known, weights, generator)
        stats.exact_slots = exact.numel()
        if dead:    # the sampler's fallback counter (uniform over C(u)), as on the CPU
            stats.extra[sampler.fallback_stat or "zero_mass_anchors"] = dead
    stats.drawn = out.numel()
    sampler.last_stats = stats
    return torch.stack([slot, out]), possible
