r"""Poincaré-ball embeddings with negative sampling (Nickel & Kiela 2017).

Concepts
--------
Nodes live in the open unit ball :math:`\mathbb B^d = \{x : \|x\| < 1\}` with the
Poincaré distance

.. math::

    d(u, v) = \operatorname{arcosh}\Big(1 + \frac{2\|u - v\|^2}{(1 - \|u\|^2)(1 - \|v\|^2)}\Big).

For an edge :math:`(u, v)` and negatives :math:`n_1..n_K` (non-neighbours of
:math:`u`, drawn by any graphneg sampler), the softmax loss is

.. math::

    L(u, v) = -\log\frac{e^{-d(u,v)}}{e^{-d(u,v)} + \sum_k e^{-d(u,n_k)}}.

Optimisation is Riemannian: :mod:`geoopt`'s ``PoincareBall`` manifold parameter with
``RiemannianAdam`` or ``RiemannianSGD`` (the Riemannian gradient is
:math:`\tfrac{(1-\|u\|^2)^2}{4}\nabla_E`, followed by the exponential map / retraction
inside geoopt). ``manifold="euclidean"`` swaps in :math:`d(u,v) = \|u - v\|` and plain
Adam, for the comparison the analysis draws.

**Gradient of the distance** (Nickel & Kiela eq. 4), with
:math:`\alpha = 1 - \|u\|^2`, :math:`\beta = 1 - \|n\|^2`,
:math:`\gamma = 1 + 2\|u - n\|^2/(\alpha\beta)`:

.. math::

    \nabla_u d(u, n) = \frac{4}{\beta\sqrt{\gamma^2 - 1}}
        \Big(\frac{\|n\|^2 - 2\langle u, n\rangle + 1}{\alpha^2}\,u - \frac{n}{\alpha}\Big).

A negative's contribution to :math:`\nabla_u L` is :math:`-p_n \nabla_u d(u, n)`,
:math:`p_n` its softmax weight; :func:`negative_gradient_norms` returns its norm after
the Riemannian rescaling (ambient, the step :math:`u` actually moves in coordinates, or
intrinsic, the norm in the Poincaré metric: ``ambient * 2/(1-||u||^2)``).

geoopt is an optional dependency (``pip install 'graphneg[hyperbolic]'``), imported
lazily with a clear ``ImportError``.

References
----------
M. Nickel, D. Kiela, "Poincaré embeddings for learning hierarchical
representations", NeurIPS 2017.
M. Kochurov, R. Karimov, S. Kozlukov, "Geoopt: Riemannian optimization in PyTorch", 2020.
"""

from __future__ import annotations

from typing import Optional, Tuple

import torch
from torch import Tensor

from graphneg._validation import check_option, check_real
# The loss and the metric of this model live with the other losses and metrics;
# they stay importable from here.
from graphneg.evaluation import reconstruction_metrics
from graphneg.losses import softmax_distance_loss

__all__ = [
    "require_geoopt", "check_in_ball", "project_to_ball", "poincare_distance",
    "poincare_distance_grad", "negative_gradient_norms", "softmax_gradient_parts",
    "PoincareEmbedding",
    # re-exported from graphneg.losses and graphneg.evaluation
    "softmax_distance_loss", "reconstruction_metrics",
]


_EPS = 1e-5


def require_geoopt():
    """Import :mod:`geoopt` or raise an ``ImportError`` saying how to install it."""
    import warnings

    try:
        with warnings.catch_warnings():  # geoopt decorates with the deprecated torch.jit.script
            warnings.filterwarnings("ignore", category=DeprecationWarning, module="torch.jit")
            import geoopt
    except ImportError as err:
        raise ImportError("graphneg.models.poincare needs the optional dependency 'geoopt' "
                          "(Riemannian optimisation): pip install 'graphneg[hyperbolic]' "
                          "or pip install geoopt") from err
    return geoopt


def check_in_ball(x: Tensor, param: str = "x", *, owner: Optional[str] = None) -> Tensor:
    """Raise ``ValueError`` unless every row of ``x`` has norm ``< 1`` (finite).

    Examples
    --------
    >>> check_in_ball(torch.tensor([[0.5, 0.0]])).shape
    torch.Size([1, 2])
    """
    who = f"The '{param}' parameter" + (f" of {owner}" if owner else "")
    if not isinstance(x, Tensor) or not x.is_floating_point():
        raise TypeError(f"{who} must be a floating-point tensor. Got {type(x).__name__} instead.")
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{who} must be finite. Got NaN or inf instead.")
    norm = x.norm(dim=-1)
    bad = norm >= 1
    if bool(bad.any()):
        raise ValueError(f"{who} must lie strictly inside the unit ball (norm < 1). Got "
                         f"{int(bad.sum())} point(s) on or outside it (max norm "
                         f"{float(norm.max()):.6g}) instead; use project_to_ball to project.")
    return x


def project_to_ball(x: Tensor, *, eps: float = _EPS) -> Tuple[Tensor, int]:
    """Rescale rows with norm ``>= 1 - eps`` to norm ``1 - eps``; returns ``(x, count)``.

    The documented alternative to :func:`check_in_ball`: the count of projected
    points is returned so that the caller can report it.

    Examples
    --------
    >>> y, n = project_to_ball(torch.tensor([[2.0, 0.0], [0.1, 0.0]]))
    >>> [round(v, 5) for v in y[:, 0].tolist()], n
    ([0.99999, 0.1], 1)
    """
    eps = check_real(eps, "eps", low=0, high=1, closed="neither", owner="project_to_ball")
    norm = x.norm(dim=-1, keepdim=True)
    over = norm >= 1 - eps
    scale = torch.where(over, (1 - eps) / norm.clamp_min(1e-300), torch.ones_like(norm))
    return x * scale, int(over.sum())


def poincare_distance(u: Tensor, v: Tensor) -> Tensor:
    r"""Poincaré distance :math:`\operatorname{arcosh}(1 + 2\|u-v\|^2/((1-\|u\|^2)(1-\|v\|^2)))`.

    Parameters
    ----------
    u, v : Tensor, shape (..., d)
        Points inside the unit ball (broadcast).

    Returns
    -------
    Tensor, shape (...)

    Notes
    -----
    Cost :math:`O(d)` per pair. Uses :math:`\operatorname{arcosh}(1 + z) =
    \log(1 + z + \sqrt{z(z+2)})` (stable for small :math:`z`).

    Examples
    --------
    >>> import math
    >>> d = poincare_distance(torch.zeros(2), torch.tensor([0.5, 0.0]))
    >>> round(float(d), 6) == round(math.log(3.0), 6)
    True
    """
    sq = ((u - v) ** 2).sum(-1)
    den = (1 - (u * u).sum(-1)) * (1 - (v * v).sum(-1))
    z = 2 * sq / den
    return torch.log1p(z + torch.sqrt(z * (z + 2)))


def poincare_distance_grad(u: Tensor, n: Tensor) -> Tensor:
    r"""Closed-form Euclidean gradient :math:`\nabla_u d(u, n)` (module docstring).

    Shapes ``(..., d)``; undefined at ``u == n`` (returns 0 there).

    Examples
    --------
    >>> g = poincare_distance_grad(torch.zeros(1, 2), torch.tensor([[0.5, 0.0]]))
    >>> [round(v, 6) for v in g[0].tolist()]
    [-2.0, 0.0]
    """
    uu, nn = (u * u).sum(-1, keepdim=True), (n * n).sum(-1, keepdim=True)
    alpha, beta = 1 - uu, 1 - nn
    gamma = 1 + 2 * ((u - n) ** 2).sum(-1, keepdim=True) / (alpha * beta)
    root = torch.sqrt((gamma * gamma - 1).clamp_min(0))
    coef = torch.where(root > 0, 4 / (beta * root.clamp_min(1e-300)), torch.zeros_like(root))
    return coef * ((nn - 2 * (u * n).sum(-1, keepdim=True) + 1) / alpha ** 2 * u - n / alpha)


def negative_gradient_norms(u: Tensor, v: Tensor, negs: Tensor, *,
                            manifold: str = "poincare", metric: str = "ambient") -> Tensor:
    r"""Norm of each negative's contribution to the (Riemannian) gradient of the
    softmax loss with respect to the anchor ``u``.

    Parameters
    ----------
    u, v : Tensor, shape (A, d)
        Anchors and their positives.
    negs : Tensor, shape (A, K, d)
        Negatives per anchor.
    manifold : {"poincare", "euclidean"}
        Poincaré: :math:`\|\tfrac{(1-\|u\|^2)^2}{4} p_k \nabla_u d(u, n_k)\|` (``metric="ambient"``)
        or that times :math:`2/(1-\|u\|^2)` (``"intrinsic"``). Euclidean:
        :math:`d = \|u - n\|`, :math:`\|p_k \nabla_u d\| = p_k`.
    metric : {"ambient", "intrinsic"}

    Returns
    -------
    Tensor, shape (A, K)

    Notes
    -----
    :math:`p_k = e^{-d(u,n_k)} / (e^{-d(u,v)} + \sum_j e^{-d(u,n_j)})`. Cost :math:`O(AKd)`.

    Examples
    --------
    >>> u = torch.tensor([[0.5, 0.0]]); v = torch.tensor([[0.5, 0.1]])
    >>> g = negative_gradient_norms(u, v, torch.tensor([[[0.5, -0.1], [-0.5, 0.0]]]))
    >>> bool(g[0, 0] > g[0, 1])
    True
    """
    owner = "negative_gradient_norms"
    manifold = check_option(manifold, "manifold", ("poincare", "euclidean"), owner=owner)
    metric = check_option(metric, "metric", ("ambient", "intrinsic"), owner=owner)
    if manifold == "poincare":
        for name, x in (("u", u), ("v", v), ("negs", negs)):
            check_in_ball(x, name, owner=owner)
        ue = u.unsqueeze(1)
        d_pos, d_neg = poincare_distance(u, v), poincare_distance(ue, negs)
        grad = poincare_distance_grad(ue.expand_as(negs), negs)
        scale = (1 - (u * u).sum(-1, keepdim=True)) ** 2 / 4
        if metric == "intrinsic":
            scale = scale * 2 / (1 - (u * u).sum(-1, keepdim=True))
        norm = grad.norm(dim=-1) * scale
    else:
        d_pos, d_neg = (u - v).norm(dim=-1), (u.unsqueeze(1) - negs).norm(dim=-1)
        norm = torch.ones_like(d_neg)
    p = torch.softmax(-torch.cat([d_pos.unsqueeze(1), d_neg], 1), dim=1)[:, 1:]
    return p * norm


def softmax_gradient_parts(u: Tensor, v: Tensor, negs: Tensor, *,
                           manifold: str = "poincare") -> Tuple[Tensor, Tensor, Tensor]:
    r"""The positive and the negative part of :math:`\nabla_u L` for the softmax loss,
    and the negatives' softmax weights.

    With :math:`p = \mathrm{softmax}(-d(u, v), -d(u, n_1), \dots, -d(u, n_K))`,

    .. math::

        \nabla_u L = \underbrace{(1 - p_0)\,\nabla_u d(u, v)}_{g^+}
            \; \underbrace{- \sum_{k \ge 1} p_k \nabla_u d(u, n_k)}_{g^-},

    Euclidean coordinates (what autograd gives); :math:`\nabla_u d` is
    :func:`poincare_distance_grad` in the ball and :math:`(u - n)/\|u - n\|` for
    ``manifold="euclidean"`` (0 where :math:`u = n`).

    Parameters
    ----------
    u, v : Tensor, shape (A, d)
        Anchors and their positives.
    negs : Tensor, shape (A, K, d)
    manifold : {"poincare", "euclidean"}

    Returns
    -------
    g_pos, g_neg : Tensor, shape (A, d)
    weights : Tensor, shape (A, K)
        :math:`p_1 \dots p_K`; their row sum :math:`1 - p_0` is the share of the softmax
        mass (and of :math:`\partial L/\partial(-d)`) the negatives carry.

    Notes
    -----
    Cost :math:`O(AKd)`. The Riemannian gradient of a distance has unit norm in the
    metric, so :math:`\|g^+\|_u = 1 - p_0` and :math:`\|g^-\|_u \le 1 - p_0`, with
    equality when all negatives pull along one geodesic direction; the intrinsic norm is
    :math:`\|x\|_u = \tfrac{1 - \|u\|^2}{2}\|x\|` of a Euclidean gradient ``x`` in the
    ball and the Euclidean norm otherwise.

    Examples
    --------
    At the origin, a positive and a negative at the same distance on opposite sides:
    each has weight 1/2 and both parts pull towards the positive.

    >>> g_pos, g_neg, p = softmax_gradient_parts(torch.zeros(1, 2), torch.tensor([[0.5, 0.0]]),
    ...                                          torch.tensor([[[-0.5, 0.0]]]))
    >>> [[round(x, 4) + 0.0 for x in g[0].tolist()] for g in (g_pos, g_neg, p)]
    [[-1.0, 0.0], [-1.0, 0.0], [0.5]]
    """
    manifold = check_option(manifold, "manifold", ("poincare", "euclidean"),
                            owner="softmax_gradient_parts")
    ue = u.unsqueeze(1).expand_as(negs)
    if manifold == "poincare":
        d_pos, d_neg = poincare_distance(u, v), poincare_distance(ue, negs)
        grad_pos, grad_neg = poincare_distance_grad(u, v), poincare_distance_grad(ue, negs)
    else:
        diff_pos, diff_neg = u - v, ue - negs
        d_pos, d_neg = diff_pos.norm(dim=-1), diff_neg.norm(dim=-1)
        grad_pos = diff_pos / d_pos.clamp_min(1e-300).unsqueeze(-1)
        grad_neg = diff_neg / d_neg.clamp_min(1e-300).unsqueeze(-1)
    p = torch.softmax(-torch.cat([d_pos.unsqueeze(1), d_neg], 1), dim=1)
    g_pos = (1 - p[:, :1]) * grad_pos
    g_neg = -(p[:, 1:].unsqueeze(-1) * grad_neg).sum(1)
    return g_pos, g_neg, p[:, 1:]


class PoincareEmbedding(torch.nn.Module):
    """Node embeddings on the Poincaré ball (a geoopt ``ManifoldParameter``) or in R^d.

    Parameters
    ----------
    num_nodes, dim : int
    manifold : {"poincare", "euclidean"}
    init_scale : float
        Initial coordinates uniform in ``[-init_scale, init_scale]`` (N&K: 1e-3).

    Examples
    --------
    >>> m = PoincareEmbedding(5, 2)
    >>> float(m.weight.norm(dim=1).max()) < 1
    True
    """

    def __init__(self, num_nodes: int, dim: int, *, manifold: str = "poincare",
                 init_scale: float = 1e-3):
        super().__init__()
        self.manifold = check_option(manifold, "manifold", ("poincare", "euclidean"),
                                     owner="PoincareEmbedding")
        init = torch.empty(num_nodes, dim).uniform_(-init_scale, init_scale)
        if self.manifold == "poincare":
            geoopt = require_geoopt()
            self.ball = geoopt.PoincareBall(c=1.0)
            self.weight = geoopt.ManifoldParameter(init, manifold=self.ball)
        else:
            self.weight = torch.nn.Parameter(init)

    def distance(self, a: Tensor, b: Tensor) -> Tensor:
        """Distance between node ids ``a`` and ``b`` (broadcast)."""
        x, y = self.weight[a], self.weight[b]
        if self.manifold == "poincare":
            return poincare_distance(x, y)
        return (x - y).norm(dim=-1)
