r"""Spike trains as data: the ragged :class:`SpikeTrains` batch, van Rossum embeddings
and distances, jittered copies.

Negatives between windows are drawn by :func:`graphneg.samplers.windows.window_negatives`;
the contrastive trainer is :class:`graphneg.training.spikes.SpikeContrastiveTrainer`.

Concepts
--------
A *spike train* is a sorted list of spike times :math:`t_1 \le \dots \le t_m` inside
a window :math:`[t_0, t_1]`. A batch of :math:`B` trains is stored ragged, PyG
style (:class:`SpikeTrains`): all times concatenated in one ``(S,)`` tensor and
``ptr`` of shape ``(B + 1,)`` with train ``b`` at ``times[ptr[b]:ptr[b+1]]``.

**van Rossum embedding** (van Rossum 2001). On the uniform grid
:math:`g_k = t_0 + k\,\Delta t`, :math:`k = 0..G-1`, :math:`g_{G-1} = t_1`,

.. math::

    e(g) = \sum_{t_i \le g} \exp\!\big(-(g - t_i)/\tau\big).

**van Rossum distance.** With :math:`f_t(x) = \sum_i e^{-(x - t_i)/\tau}\,[x \ge t_i]`,

.. math::

    D^2(t, s) = \frac{1}{\tau}\int (f_t - f_s)^2\,dx
              = \tfrac12\Big[\sum_{ij} e^{-|t_i - t_j|/\tau} + \sum_{ij} e^{-|s_i - s_j|/\tau}
                - 2\sum_{ij} e^{-|t_i - s_j|/\tau}\Big]

(each :math:`\int_{\max(a,b)}^\infty e^{-(x-a)/\tau}e^{-(x-b)/\tau}dx = \tfrac{\tau}{2}e^{-|a-b|/\tau}`).
On the grid the integral becomes a Riemann sum, so the constant is :math:`\Delta t/\tau`:

.. math::

    D^2_{\text{grid}} = \frac{\Delta t}{\tau}\Big[\sum_{k<G} d_k^2 + d_{G-1}^2\,\frac{\rho^2}{1-\rho^2}\Big],
    \qquad d = e_t - e_s,\ \rho = e^{-\Delta t/\tau},

the second term being the exact geometric tail after the window (spikes stop there,
so the difference only decays). **Discretisation error, exactly.** Write
:math:`x = \Delta t/\tau` and :math:`\delta \in [0, \Delta t)` for the distance from a
spike to the next grid point. Each pair term :math:`\tfrac12 e^{-|a-b|/\tau}` of
:math:`D^2` becomes :math:`e^{-|a-b|/\tau}\,\varphi(\delta_{\text{later}})` in
:math:`D^2_{\text{grid}}` with

.. math::

    \varphi(\delta) = \frac{x\,e^{-2\delta/\tau}}{1 - e^{-2x}} \in
    \Big(\tfrac{x}{2}(\coth x - 1),\ \tfrac{x}{2}(\coth x + 1)\Big],

so :math:`|2\varphi - 1| \le \varepsilon(x) = x\coth x + x - 1 = x + x^2/3 + O(x^4)` and

.. math::

    |D^2_{\text{grid}} - D^2| \le \varepsilon(\Delta t/\tau)\cdot\tfrac12\Big[K_{tt} + K_{ss} + 2K_{ts}\Big],
    \qquad K_{ab} = \sum_{ij} e^{-|a_i - b_j|/\tau}

(:func:`van_rossum_grid_error_bound`); for offsets uniform on :math:`[0, \Delta t)`,
:math:`E[2\varphi] = 1` — the grid is unbiased on average. The tests check the grid
against the exact :math:`\varphi` formula to 1e-10 and against the closed form
within the bound.

**Computation.** Each spike adds :math:`e^{-(g_k - t_i)/\tau}` at its next grid point
:math:`k` (one ``index_add_`` over all spikes of all trains), then
:math:`e_k = \rho\,e_{k-1} + a_k` is solved for all trains at once as
:math:`e_k = \rho^k \sum_{j \le k} a_j \rho^{-j}` — one ``cumsum`` of positive terms
(no cancellation), in blocks of :math:`300\,\tau/\Delta t` grid points so that no
factor over- or underflows. Cost :math:`O(S + BG)` time, :math:`O(BG)` memory.

**Negatives and positives.** Items are windows. Positives are *jittered copies*
(:func:`jitter_spike_trains`: every spike moved by :math:`\mathcal N(0,\sigma^2)`;
spikes leaving the window are dropped and counted, never clipped); negatives are
other windows, uniform or *hard* = uniform among the ``num_hard`` nearest windows by
grid van Rossum distance (:func:`graphneg.samplers.windows.window_negatives`).

References
----------
M. C. W. van Rossum, "A novel spike distance", Neural Computation 13(4), 2001.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence, Tuple

import torch
from torch import Tensor

from graphneg._random import Seed, as_generator
from graphneg._validation import check_int, check_real

__all__ = ["SpikeTrains", "time_grid", "van_rossum_embedding", "grid_van_rossum_distance",
           "van_rossum_distance", "van_rossum_grid_error_bound", "jitter_spike_trains"]


def _check_tau(tau: Any, owner: str) -> float:
    return check_real(tau, "tau", low=0, closed="neither", owner=owner)


@dataclass
class SpikeTrains:
    r"""A batch of spike trains in one window, stored ragged.

    Parameters
    ----------
    times : Tensor, shape (S,), float64
        All spike times, train after train, each train sorted ascending.
    ptr : LongTensor, shape (B + 1,)
        Train ``b`` is ``times[ptr[b]:ptr[b+1]]``; ``ptr[0] = 0``, ``ptr[-1] = S``.
    t_start, t_stop : float
        The window ``[t_start, t_stop]`` (``t_start < t_stop``); every time lies in it.

    Raises
    ------
    ValueError
        Unsorted spike times, times outside the window, a bad ``ptr``.

    Examples
    --------
    >>> st = SpikeTrains.from_list([[0.1, 0.5], [0.2]], t_start=0.0, t_stop=1.0)
    >>> st.num_trains, st.counts.tolist()
    (2, [2, 1])
    """

    times: Tensor
    ptr: Tensor
    t_start: float
    t_stop: float

    def __post_init__(self):
        owner = "SpikeTrains"
        self.t_start = check_real(self.t_start, "t_start", owner=owner)
        self.t_stop = check_real(self.t_stop, "t_stop", owner=owner)
        if not self.t_stop > self.t_start:
            raise ValueError(f"The 't_stop' parameter of SpikeTrains must be greater than "
                             f"t_start = {self.t_start}. Got {self.t_stop} instead.")
        if not isinstance(self.times, Tensor) or not self.times.is_floating_point() \
                or self.times.dim() != 1:
            raise TypeError("The 'times' parameter of SpikeTrains must be a 1-D floating "
                            f"tensor. Got {getattr(self.times, 'shape', type(self.times))} instead.")
        self.times = self.times.to(torch.float64)
        if not isinstance(self.ptr, Tensor) or self.ptr.dtype != torch.long or self.ptr.dim() != 1 \
                or self.ptr.numel() < 1:
            raise TypeError("The 'ptr' parameter of SpikeTrains must be a 1-D LongTensor of "
                            "length B + 1.")
        if int(self.ptr[0]) != 0 or int(self.ptr[-1]) != self.times.numel() \
                or bool((self.ptr[1:] < self.ptr[:-1]).any()):
            raise ValueError("The 'ptr' parameter of SpikeTrains must start at 0, be "
                             f"non-decreasing and end at len(times) = {self.times.numel()}. "
                             f"Got {self.ptr.tolist()[:10]} instead.")
        if not bool(torch.isfinite(self.times).all()):
            raise ValueError("The 'times' parameter of SpikeTrains must be finite.")
        out = (self.times < self.t_start) | (self.times > self.t_stop)
        if bool(out.any()):
            raise ValueError(
                f"The 'times' parameter of SpikeTrains must lie in the window "
                f"[{self.t_start}, {self.t_stop}]. Got {int(out.sum())} spike(s) outside it "
                f"(e.g. {float(self.times[out][0])}) instead.")
        if self.times.numel() > 1:
            drop = self.times[1:] < self.times[:-1]
            # a decrease is allowed only where a new train starts
            starts = torch.zeros(self.times.numel(), dtype=torch.bool)
            starts[self.ptr[1:-1][self.ptr[1:-1] < self.times.numel()]] = True
            bad = drop & ~starts[1:]
            if bool(bad.any()):
                pos = int(bad.nonzero()[0]) + 1
                train = int(torch.searchsorted(self.ptr, torch.tensor(pos), right=True)) - 1
                raise ValueError(f"The 'times' parameter of SpikeTrains must be sorted within "
                                 f"each train. Train {train} is unsorted at spike {pos} instead.")

    @classmethod
    def from_list(cls, trains: Sequence[Sequence[float]], *, t_start: float,
                  t_stop: float) -> "SpikeTrains":
        """Build from a list of per-train time sequences (each sorted)."""
        parts = [torch.as_tensor(t, dtype=torch.float64).reshape(-1) for t in trains]
        counts = torch.tensor([p.numel() for p in parts], dtype=torch.long)
        times = torch.cat(parts) if parts else torch.zeros(0, dtype=torch.float64)
        ptr = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)])
        return cls(times, ptr, t_start, t_stop)

    @property
    def num_trains(self) -> int:
        return self.ptr.numel() - 1

    @property
    def counts(self) -> Tensor:
        """Spikes per train, shape ``(B,)``."""
        return self.ptr[1:] - self.ptr[:-1]

    @property
    def batch(self) -> Tensor:
        """Train id of every spike, shape ``(S,)`` (PyG's ``batch`` vector)."""
        return torch.repeat_interleave(torch.arange(self.num_trains), self.counts)

    def train(self, b: int) -> Tensor:
        """Spike times of train ``b``."""
        return self.times[int(self.ptr[b]):int(self.ptr[b + 1])]

    def index_select(self, index: Tensor) -> "SpikeTrains":
        """The trains ``index`` (LongTensor), in that order."""
        counts = self.counts[index]
        starts = self.ptr[:-1][index]
        ptr = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)])
        off = torch.arange(int(ptr[-1])) - torch.repeat_interleave(ptr[:-1], counts)
        times = self.times[torch.repeat_interleave(starts, counts) + off]
        return SpikeTrains(times, ptr, self.t_start, self.t_stop)

    def padded(self) -> Tuple[Tensor, Tensor]:
        """``(B, M)`` times padded with 0 and the ``(B, M)`` validity mask."""
        counts = self.counts
        m = int(counts.max()) if counts.numel() else 0
        mask = torch.arange(m).view(1, -1) < counts.view(-1, 1)
        out = torch.zeros(self.num_trains, m, dtype=torch.float64)
        out[mask] = self.times
        return out, mask


def time_grid(t_start: float, t_stop: float, num_points: int) -> Tuple[Tensor, float]:
    """Uniform grid ``g_k = t_start + k·dt`` with ``g_{G-1} = t_stop``; returns ``(grid, dt)``.

    Examples
    --------
    >>> g, dt = time_grid(0.0, 1.0, 5)
    >>> g.tolist(), dt
    ([0.0, 0.25, 0.5, 0.75, 1.0], 0.25)
    """
    num_points = check_int(num_points, "num_points", low=2, owner="time_grid")
    dt = (t_stop - t_start) / (num_points - 1)
    grid = t_start + dt * torch.arange(num_points, dtype=torch.float64)
    grid[-1] = t_stop
    return grid, dt


def van_rossum_embedding(trains: SpikeTrains, *, tau: float,
                         num_points: int = 1000) -> Tensor:
    r"""Embed every train as its exponentially filtered trace on a time grid.

    Parameters
    ----------
    trains : SpikeTrains
        ``B`` trains in ``[t_start, t_stop]``.
    tau : float
        Decay time constant, ``> 0``, in the units of the spike times.
    num_points : int, default 1000
        Grid size ``G >= 2`` (grid from :func:`time_grid`).

    Returns
    -------
    Tensor, shape (B, G), float64
        :math:`e_b(g_k) = \sum_{t_i \le g_k} \exp(-(g_k - t_i)/\tau)`.

    Notes
    -----
    One ``index_add_`` places each spike's weight at its next grid point, then
    :math:`e_k = \rho e_{k-1} + a_k`, :math:`\rho = e^{-\Delta t/\tau}`, is solved for
    all trains at once by a rescaled cumulative sum (blocks keep the scale factors
    in :math:`[e^{-300}, e^{300}]`). Cost :math:`O(S + BG)`. See the module docstring
    for the link to the van Rossum distance (constant :math:`\Delta t/\tau`).

    Examples
    --------
    >>> st = SpikeTrains.from_list([[0.0], [0.5]], t_start=0.0, t_stop=1.0)
    >>> e = van_rossum_embedding(st, tau=0.5, num_points=3)
    >>> [[round(v, 4) for v in row] for row in e.tolist()]
    [[1.0, 0.3679, 0.1353], [0.0, 1.0, 0.3679]]
    """
    owner = "van_rossum_embedding"
    if not isinstance(trains, SpikeTrains):
        raise TypeError(f"The 'trains' parameter of {owner} must be a SpikeTrains. "
                        f"Got {type(trains).__name__} instead.")
    tau = _check_tau(tau, owner)
    grid, dt = time_grid(trains.t_start, trains.t_stop, num_points)
    g = grid.numel()
    # next grid point k = min{k : g_k >= t}: ceil on the uniform grid, then one
    # correction step each way for rounding (equal to searchsorted, in O(S))
    idx = torch.ceil((trains.times - trains.t_start) / dt).long().clamp_(0, g - 1)
    idx -= ((idx > 0) & (grid[(idx - 1).clamp_min(0)] >= trains.times)).long()
    idx += (grid[idx] < trains.times).long()
    idx.clamp_(max=g - 1)
    amp = torch.exp(-(grid[idx] - trains.times) / tau)
    out = torch.zeros(trains.num_trains * g, dtype=torch.float64)
    out.index_add_(0, trains.batch * g + idx, amp)
    out = out.view(trains.num_trains, g)
    return _exp_filter(out, dt / tau)


def _exp_filter(a: Tensor, x: float) -> Tensor:
    r"""Solve :math:`e_k = e^{-x} e_{k-1} + a_k` along the last axis, in place.

    In blocks of :math:`L = \lfloor 300/x 
floor` points,
    :math:`e_{b+i} = 
ho^{i}\,ig(\sum_{j \le i} a_{b+j}
ho^{-j}ig) + 
ho^{i+1} e_{b-1}`:
    one ``cumsum`` of positive terms (no cancellation; relative error :math:`O(L\epsilon)`),
    scale factors within :math:`[e^{-300}, e^{300}]` so nothing overflows; a loop
    over the :math:`\lceil G/L 
ceil` blocks (1 for typical grids) carries the state.
    """
    g = a.size(-1)
    block = max(1, min(g, int(300.0 / x)))
    j = torch.arange(block, dtype=a.dtype)
    up, down = torch.exp(j * x), torch.exp(-j * x)
    carry_w = torch.exp(-(j + 1) * x)
    prev = None
    for lo in range(0, g, block):  # over blocks of the grid (1 when G·dt/τ <= 300)
        hi = min(g, lo + block)
        n = hi - lo
        seg = a[:, lo:hi]
        seg.mul_(up[:n]).cumsum_(dim=-1).mul_(down[:n])
        if prev is not None:
            seg.add_(prev.unsqueeze(-1) * carry_w[:n])
        prev = seg[:, -1]
    return a


def grid_van_rossum_distance(emb_a: Tensor, emb_b: Tensor, *, tau: float, dt: float,
                             squared: bool = False) -> Tensor:
    r"""van Rossum distance from grid embeddings (row-wise, shapes broadcast).

    :math:`D^2 = (\Delta t/\tau)[\sum_k d_k^2 + d_{G-1}^2 \rho^2/(1-\rho^2)]`, ``d = a - b``,
    :math:`\rho = e^{-\Delta t/\tau}` (exact geometric tail after the window).

    Parameters
    ----------
    emb_a, emb_b : Tensor, shape (..., G)
        From :func:`van_rossum_embedding` with the same grid.
    tau, dt : float
        Time constant and grid step.
    squared : bool
        Return :math:`D^2` instead of :math:`D`.

    Returns
    -------
    Tensor, shape (...)

    Examples
    --------
    >>> st = SpikeTrains.from_list([[0.3], []], t_start=0.0, t_stop=1.0)
    >>> e = van_rossum_embedding(st, tau=0.1, num_points=1001)
    >>> round(float(grid_van_rossum_distance(e[0], e[1], tau=0.1, dt=1e-3, squared=True)), 4)
    0.505

    (exact value 0.5; the spike sits on a grid point, the worst case ``1 + x``, ``x = dt/tau``)
    """
    tau = _check_tau(tau, "grid_van_rossum_distance")
    dt = check_real(dt, "dt", low=0, closed="neither", owner="grid_van_rossum_distance")
    d = emb_a - emb_b
    rho2 = math.exp(-2 * dt / tau)
    sq = (dt / tau) * ((d * d).sum(-1) + d[..., -1] ** 2 * rho2 / (1 - rho2))
    return sq if squared else sq.sqrt()


def _pair_kernel_sums(a: Tensor, am: Tensor, b: Tensor, bm: Tensor, tau: float) -> Tensor:
    diff = (a.unsqueeze(2) - b.unsqueeze(1)).abs()
    w = torch.exp(-diff / tau) * (am.unsqueeze(2) & bm.unsqueeze(1))
    return w.sum((1, 2))


def van_rossum_distance(a: SpikeTrains, b: SpikeTrains, *, tau: float,
                        squared: bool = False, chunk_size: int = 256) -> Tensor:
    r"""Closed-form van Rossum distance between paired trains ``a[i]``, ``b[i]``.

    :math:`D^2 = \tfrac12[K_{aa} + K_{bb} - 2K_{ab}]`,
    :math:`K_{ab} = \sum_{ij} e^{-|a_i - b_j|/\tau}` (no grid).

    Parameters
    ----------
    a, b : SpikeTrains
        The same number of trains ``B``.
    tau : float
        ``> 0``.
    squared : bool
        Return :math:`D^2`.
    chunk_size : int
        Trains per block of the ``(chunk, M, M)`` pair tensors.

    Returns
    -------
    Tensor, shape (B,), float64

    Notes
    -----
    Cost :math:`O(B M^2)` for ``M`` the largest spike count.

    Examples
    --------
    >>> a = SpikeTrains.from_list([[0.3]], t_start=0.0, t_stop=1.0)
    >>> b = SpikeTrains.from_list([[]], t_start=0.0, t_stop=1.0)
    >>> van_rossum_distance(a, b, tau=0.1, squared=True).tolist()
    [0.5]
    """
    owner = "van_rossum_distance"
    tau = _check_tau(tau, owner)
    if a.num_trains != b.num_trains:
        raise ValueError(f"The 'b' parameter of {owner} must hold as many trains as 'a' "
                         f"({a.num_trains}). Got {b.num_trains} instead.")
    pa, ma = a.padded()
    pb, mb = b.padded()
    out = []
    for lo in range(0, a.num_trains, chunk_size):  # blocks of trains, bounded memory
        s = slice(lo, lo + chunk_size)
        kaa = _pair_kernel_sums(pa[s], ma[s], pa[s], ma[s], tau)
        kbb = _pair_kernel_sums(pb[s], mb[s], pb[s], mb[s], tau)
        kab = _pair_kernel_sums(pa[s], ma[s], pb[s], mb[s], tau)
        out.append(0.5 * (kaa + kbb - 2 * kab))
    sq = torch.cat(out) if out else torch.zeros(0, dtype=torch.float64)
    sq = sq.clamp_min(0)  # rounding only: the exact value is a squared L2 norm
    return sq if squared else sq.sqrt()


def van_rossum_grid_error_bound(a: SpikeTrains, b: SpikeTrains, *, tau: float,
                                dt: float) -> Tensor:
    r"""Bound on :math:`|D^2_{\text{grid}} - D^2|` per pair (module docstring):
    :math:`\varepsilon(x)\cdot\tfrac12[K_{aa} + K_{bb} + 2K_{ab}]`,
    :math:`\varepsilon(x) = x\coth x + x - 1`, :math:`x = \Delta t/\tau`.

    Examples
    --------
    >>> a = SpikeTrains.from_list([[0.3]], t_start=0.0, t_stop=1.0)
    >>> b = SpikeTrains.from_list([[]], t_start=0.0, t_stop=1.0)
    >>> round(float(van_rossum_grid_error_bound(a, b, tau=0.1, dt=1e-3)), 5)
    0.00502
    """
    tau = _check_tau(tau, "van_rossum_grid_error_bound")
    x = dt / tau
    eps = x / math.tanh(x) + x - 1
    pa, ma = a.padded()
    pb, mb = b.padded()
    tot = (_pair_kernel_sums(pa, ma, pa, ma, tau) + _pair_kernel_sums(pb, mb, pb, mb, tau)
           + 2 * _pair_kernel_sums(pa, ma, pb, mb, tau))
    return eps * 0.5 * tot


def jitter_spike_trains(trains: SpikeTrains, *, sigma: float,
                        seed: Seed = None) -> Tuple[SpikeTrains, int]:
    r"""Positive views: move every spike by :math:`\mathcal N(0, \sigma^2)`.

    Spikes that leave the window are *dropped* (not clipped) and counted; each train
    is re-sorted. Returns ``(jittered, num_dropped)``. Cost :math:`O(S \log S)`.

    Examples
    --------
    >>> st = SpikeTrains.from_list([[0.2, 0.4], [0.6]], t_start=0.0, t_stop=1.0)
    >>> jit, num_dropped = jitter_spike_trains(st, sigma=0.01, seed=0)
    >>> jit.counts.tolist(), num_dropped
    ([2, 1], 0)
    """
    sigma = check_real(sigma, "sigma", low=0, owner="jitter_spike_trains")
    gen = as_generator(seed)
    t = trains.times + sigma * torch.randn(trains.times.shape, generator=gen,
                                           dtype=torch.float64)
    keep = (t >= trains.t_start) & (t <= trains.t_stop)
    batch = trains.batch[keep]
    t = t[keep]
    # sort by (train, time): lexicographic via two stable sorts
    order = torch.argsort(t, stable=True)
    order = order[torch.argsort(batch[order], stable=True)]
    counts = torch.bincount(batch, minlength=trains.num_trains)
    ptr = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)])
    return (SpikeTrains(t[order], ptr, trains.t_start, trains.t_stop),
            int((~keep).sum()))
