r"""Alignment and uniformity (Wang & Isola 2020): the optimal-transport view of negatives.

For an encoder :math:`f` onto the unit hypersphere and positive pairs :math:`(x, y)`,

.. math::

    \mathcal L_{\text{align}}(\alpha) = \mathbb E_{(x,y)\sim p_{\text{pos}}}
        \|f(x) - f(y)\|_2^{\alpha},
    \qquad
    \mathcal L_{\text{uniform}}(t) = \log \mathbb E_{x, y \sim p_{\text{data}}}
        e^{-t\|f(x) - f(y)\|_2^2}

(:math:`\alpha = 2`, :math:`t = 2` by default; the second expectation over distinct
pairs :math:`i < j`). Lower is better for both. The contrastive loss with
:math:`K \to \infty` negatives optimises exactly these two terms; the negatives drive
uniformity, which is the optimal-transport reading: the embedding distribution is
pushed towards the uniform measure on the sphere. How a sampler shapes the path in
the (uniformity, alignment) plane is what :func:`plot_alignment_uniformity` draws.

Cost: alignment :math:`O(Pd)`; uniformity :math:`O(N^2 d)` (``torch.pdist``), or
:math:`O(Sd)` on ``num_pairs`` sampled pairs.

References
----------
T. Wang, P. Isola, "Understanding contrastive representation learning through
alignment and uniformity on the hypersphere", ICML 2020.
"""
from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any, Callable, Dict, List, Optional

import pandas as pd
import torch
from torch import Tensor

from graphneg._random import Seed, as_generator
from graphneg._validation import (
    CallableType,
    Interval,
    SeedType,
    check_edge_index,
    check_embeddings,
    check_int,
    check_real,
    checked_params,
    validate_params,
)

from .plots import _axes

__all__ = ["alignment", "uniformity", "entropic_ot_cost", "AlignmentUniformityRecorder",
           "plot_alignment_uniformity"]


@checked_params
def alignment(z: Tensor, pos_edge_index: Tensor, *, alpha: float = 2.0,
              normalize: bool = True) -> float:
    r""":math:`\mathbb E\|f(x) - f(y)\|^\alpha` over the positive pairs.

    Parameters
    ----------
    z : Tensor, shape (N, d)
    pos_edge_index : LongTensor, shape (2, P)
        Positive pairs (row 0 ``x``, row 1 ``y``), ``P >= 1``.
    alpha : float
        ``> 0``.
    normalize : bool
        Project rows of ``z`` to the unit sphere first (Wang & Isola's setting).

    Examples
    --------
    >>> z = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> round(alignment(z, torch.tensor([[0], [1]])), 6)  # |e1 - e2|^2 = 2
    2.0
    """
    owner = "alignment"
    z = check_embeddings(z, owner=owner)
    pos_edge_index = check_edge_index(pos_edge_index, "pos_edge_index", num_nodes=z.size(0),
                                      owner=owner)
    if pos_edge_index.size(1) == 0:
        raise ValueError("The 'pos_edge_index' parameter of alignment must hold at least one "
                         "pair. Got 0 instead.")
    alpha = check_real(alpha, "alpha", low=0, closed="neither", owner=owner)
    if normalize:
        z = torch.nn.functional.normalize(z, dim=1)
    d = (z[pos_edge_index[0]] - z[pos_edge_index[1]]).norm(dim=1)
    return float(d.pow(alpha).mean())


@checked_params
def uniformity(z: Tensor, *, t: float = 2.0, normalize: bool = True,
               num_pairs: Optional[int] = None, seed: Seed = None) -> float:
    r""":math:`\log \mathbb E_{i<j} e^{-t\|z_i - z_j\|^2}`.

    Parameters
    ----------
    z : Tensor, shape (N, d), N >= 2
    t : float
        ``> 0``.
    normalize : bool
        Project to the unit sphere first.
    num_pairs : int, optional
        Estimate on this many uniform pairs ``i != j`` instead of all
        :math:`N(N-1)/2` (for large ``N``).
    seed : int, torch.Generator or None
        For ``num_pairs``.

    Examples
    --------
    >>> z = torch.tensor([[1.0, 0.0], [-1.0, 0.0]])
    >>> uniformity(z)  # log exp(-2 * 4)
    -8.0
    """
    owner = "uniformity"
    z = check_embeddings(z, owner=owner)
    if z.size(0) < 2:
        raise ValueError(f"The 'z' parameter of {owner} must have at least 2 rows. "
                         f"Got {z.size(0)} instead.")
    t = check_real(t, "t", low=0, closed="neither", owner=owner)
    if normalize:
        z = torch.nn.functional.normalize(z, dim=1)
    if num_pairs is None:
        sq = torch.pdist(z.double()).pow(2)
    else:
        num_pairs = check_int(num_pairs, "num_pairs", low=1, owner=owner)
        gen = as_generator(seed)
        n = z.size(0)
        i = torch.randint(n, (num_pairs,), generator=gen)
        j = torch.randint(n - 1, (num_pairs,), generator=gen)
        j = j + (j >= i).long()
        sq = (z[i].double() - z[j].double()).pow(2).sum(1)
    return float(torch.logsumexp(-t * sq.double(), 0)) - math.log(sq.numel())


@checked_params
def entropic_ot_cost(x: Tensor, y: Tensor, *, epsilon: float = 0.05,
                     num_iters: int = 300) -> float:
    r"""Entropic optimal-transport cost between two point clouds with uniform weights.

    .. math::

        P^\star = \arg\min_{P \in U(a, b)} \langle P, C \rangle - \varepsilon H(P),
        \qquad C_{ij} = \|x_i - y_j\|^2, \qquad \text{returns } \langle P^\star, C\rangle,

    with :math:`a = 1/n`, :math:`b = 1/m`, solved by log-domain Sinkhorn iterations
    (Cuturi 2013), :math:`\varepsilon` relative to the mean cost. As
    :math:`\varepsilon \to 0` it tends to the exact OT cost (for :math:`n = m`, the
    optimal assignment's mean cost). Used as a picture of the repulsion: the cost of
    moving the anchors' embedding distribution onto the negatives' one.

    Parameters
    ----------
    x : Tensor, shape (n, d)
    y : Tensor, shape (m, d)
    epsilon : float
        Regularisation, as a fraction of the mean of :math:`C`.
    num_iters : int

    Returns
    -------
    float

    Examples
    --------
    >>> x = torch.tensor([[0.0], [1.0]]); y = torch.tensor([[1.0], [0.0]])
    >>> round(entropic_ot_cost(x, y, epsilon=1e-3), 4)  # the identity matching: cost 0
    0.0
    """
    x, y = torch.as_tensor(x).double(), torch.as_tensor(y).double()
    c = torch.cdist(x, y) ** 2
    eps = float(epsilon) * float(c.mean().clamp_min(1e-12))
    n, m = c.shape
    log_a = torch.full((n,), -math.log(n), dtype=c.dtype)
    log_b = torch.full((m,), -math.log(m), dtype=c.dtype)
    f = torch.zeros(n, dtype=c.dtype)
    g = torch.zeros(m, dtype=c.dtype)
    for _ in range(int(num_iters)):
        f = -eps * torch.logsumexp((g.view(1, -1) - c) / eps + log_b.view(1, -1), 1)
        g = -eps * torch.logsumexp((f.view(-1, 1) - c) / eps + log_a.view(-1, 1), 0)
    log_p = (f.view(-1, 1) + g.view(1, -1) - c) / eps + log_a.view(-1, 1) + log_b.view(1, -1)
    return float((log_p.exp() * c).sum())


class AlignmentUniformityRecorder:
    """Record alignment and uniformity after every epoch of a graphneg trainer.

    ``attach(trainer)`` wraps the trainer's ``on_epoch_end`` hook (the loop of
    :class:`graphneg.training.Trainer` calls it after each epoch); the records are
    kept here, not in the trainer's history (so checkpoints are unchanged).

    Parameters
    ----------
    embed : callable
        ``embed(trainer) -> Tensor (N, d)``, e.g. ``lambda tr: tr.embeddings()``.
    pos_edge_index : LongTensor, shape (2, P)
        Positive pairs for alignment.
    t, alpha : float
        ``> 0``, as in :func:`uniformity` and :func:`alignment`.
    num_pairs : int, optional
        Sampled pairs for uniformity, ``>= 1`` (all pairs when None).
    seed : int, torch.Generator or None
        For ``num_pairs``.

    Raises
    ------
    TypeError, ValueError
        At construction, naming the parameter, when one breaks its rule.

    Attributes
    ----------
    history : DataFrame
        ``epoch``, ``alignment``, ``uniformity``.

    Examples
    --------
    >>> rec = AlignmentUniformityRecorder(lambda tr: tr.z, torch.tensor([[0], [1]]))
    >>> class Fake:
    ...     z = torch.tensor([[1.0, 0.0], [-1.0, 0.0]])
    ...     def on_epoch_end(self, epoch, row): pass
    >>> tr = rec.attach(Fake()); tr.on_epoch_end(1, {})
    >>> rec.history[["alignment", "uniformity"]].values.tolist()
    [[4.0, -8.0]]
    """

    def __init__(self, embed: Callable[[Any], Tensor], pos_edge_index: Tensor, *,
                 t: float = 2.0, alpha: float = 2.0, num_pairs: Optional[int] = None,
                 seed: Seed = 0):
        owner = type(self).__name__
        positive = Interval(Real, 0, None, closed="neither")
        checked = validate_params(owner, {
            "embed": [CallableType()], "t": [positive], "alpha": [positive],
            "num_pairs": [Interval(Integral, 1, None, closed="left"), None],
            "seed": [SeedType()]}, dict(embed=embed, t=t, alpha=alpha, num_pairs=num_pairs,
                                        seed=seed))
        self.embed = embed
        self.pos_edge_index = check_edge_index(pos_edge_index, "pos_edge_index", owner=owner)
        self.t, self.alpha, self.num_pairs = checked["t"], checked["alpha"], checked["num_pairs"]
        self.generator = as_generator(seed)
        self._rows: List[Dict[str, float]] = []

    def record(self, trainer: Any, epoch: int) -> Dict[str, float]:
        with torch.no_grad():
            z = self.embed(trainer).detach()
        row = {"epoch": epoch,
               "alignment": alignment(z, self.pos_edge_index, alpha=self.alpha),
               "uniformity": uniformity(z, t=self.t, num_pairs=self.num_pairs,
                                        seed=self.generator)}
        self._rows.append(row)
        return row

    def attach(self, trainer: Any) -> Any:
        original = trainer.on_epoch_end

        def on_epoch_end(epoch: int, row: Dict[str, Any]) -> None:
            self.record(trainer, epoch)
            original(epoch, row)

        trainer.on_epoch_end = on_epoch_end
        return trainer

    @property
    def history(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows, columns=["epoch", "alignment", "uniformity"])


def plot_alignment_uniformity(trajectories: Dict[str, pd.DataFrame], *, ax=None):
    """Path of (uniformity, alignment) over training, one line per sampler.

    Start marked with a circle, end with a star; lower-left is better.

    Parameters
    ----------
    trajectories : dict of str -> DataFrame
        Sampler name -> :attr:`AlignmentUniformityRecorder.history`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> df = pd.DataFrame({"epoch": [1, 2], "alignment": [1.0, 0.5], "uniformity": [-1.0, -2.0]})
    >>> plot_alignment_uniformity({"uniform": df}).get_xlabel()
    'uniformity  log E exp(-2|z_i - z_j|^2)'
    """
    ax = _axes(ax, figsize=(5.5, 4))
    for name, df in trajectories.items():
        line, = ax.plot(df["uniformity"], df["alignment"], "-", label=name, alpha=0.85)
        ax.plot(df["uniformity"].iloc[0], df["alignment"].iloc[0], "o", color=line.get_color())
        ax.plot(df["uniformity"].iloc[-1], df["alignment"].iloc[-1], "*", ms=12,
                color=line.get_color())
    ax.set_xlabel("uniformity  log E exp(-2|z_i - z_j|^2)")
    ax.set_ylabel("alignment  E|z_x - z_y|^2")
    ax.set_title("Alignment vs uniformity during training (o start, * end)")
    ax.legend(title="sampler")
    return ax
