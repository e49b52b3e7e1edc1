r"""Mode collapse of adversarial negative sampling (``graphneg adversarial``).

A discriminator (free node embeddings, dot-product decoder, logistic loss) is trained
against a REINFORCE generator :math:`q_\theta(n \mid u)`
(:class:`~graphneg.samplers.AdversarialNegativeSampler`) under several settings: penalty
:math:`\lambda = 0` (collapse-prone) vs :math:`\lambda > 0`, without and with an entropy
bonus :math:`\beta`. Per epoch it records the collapse indicators of
:mod:`graphneg.analysis.adversarial`: generator entropy, distinct negatives per anchor
and the share drawn from the top-1% nodes.

Examples
--------
>>> tables = run(num_nodes=30, epochs=2, seed=0)
>>> list(tables), len(tables["adversarial_collapse"])
(['adversarial_collapse'], 8)
"""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

import pandas as pd
import torch
import torch.nn.functional as F
from torch import Tensor

from graphneg._random import Seed, as_generator, spawn_seed
from graphneg._validation import check_edge_index, check_int, check_num_nodes, check_real

from ._progress import Progress
from ..report import markdown_table

__all__ = ["DEFAULT_COLLAPSE_SETTINGS", "collapse_experiment", "run", "findings"]

#: λ = 0 (collapse-prone) vs λ > 0, without and with an entropy bonus β. λ multiplies
#: the sum of squares of all N·d generator entries, so its useful range shrinks as N grows
#: (these values suit a few hundred nodes, d = 16).
DEFAULT_COLLAPSE_SETTINGS: Dict[str, Dict[str, float]] = {
    "λ=0": {"penalty": 0.0},
    "λ=3e-4": {"penalty": 3e-4},
    "β=0.2": {"entropy_bonus": 0.2},
    "λ=3e-4, β=0.2": {"penalty": 3e-4, "entropy_bonus": 0.2},
}


def collapse_experiment(edge_index: Tensor, num_nodes: Optional[int] = None, *,
                        settings: Optional[Mapping[str, Mapping[str, Any]]] = None,
                        epochs: int = 50, num_neg: int = 4, dim: int = 16,
                        disc_lr: float = 0.05, gen_lr: float = 0.05,
                        seed: Seed = None, progress: bool = False) -> pd.DataFrame:
    r"""Train a discriminator against an adversarial generator; record collapse per epoch.

    Parameters
    ----------
    edge_index : LongTensor, shape (2, E)
        Training edges (positives; both directions for undirected graphs).
    num_nodes : int, optional
    settings : mapping name -> sampler kwargs, optional
        Extra :class:`~graphneg.samplers.AdversarialNegativeSampler` arguments per
        run (``penalty``, ``entropy_bonus``, ``num_candidates``...); default
        :data:`DEFAULT_COLLAPSE_SETTINGS`.
    epochs : int
        Full-batch steps (one discriminator step then one generator step each).
    num_neg : int
        Negatives per positive.
    dim : int
        Embedding size of the discriminator and the generator.
    disc_lr, gen_lr : float
        Adam learning rates.
    seed : int, torch.Generator or None
        Every setting starts from the same seed (same initial weights).
    progress : bool
        One stderr line per finished setting.

    Returns
    -------
    pandas.DataFrame
        Columns ``setting, epoch, disc_loss, reward_mean, entropy,
        distinct_per_anchor, top_share``.

    Notes
    -----
    Discriminator loss ``mean softplus(-s(u,v)) + mean softplus(s(u,n))`` with
    ``s = z_u · z_n``; the generator's reward is ``softplus(s(u, n))``. Cost per
    epoch ``O(E K d)`` plus the sampler's ``O(U m d)``.

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
    >>> df = collapse_experiment(ei, 8, epochs=2, seed=0)
    >>> df.shape
    (8, 7)
    """
    from graphneg.samplers.adversarial import AdversarialNegativeSampler

    owner = "collapse_experiment"
    edge_index = check_edge_index(edge_index, "edge_index", owner=owner)
    num_nodes = check_num_nodes(num_nodes, edge_index, owner=owner)
    epochs = check_int(epochs, "epochs", low=1, owner=owner)
    num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
    dim = check_int(dim, "dim", low=1, owner=owner)
    disc_lr = check_real(disc_lr, "disc_lr", low=0, closed="neither", owner=owner)
    gen_lr = check_real(gen_lr, "gen_lr", low=0, closed="neither", owner=owner)
    settings = DEFAULT_COLLAPSE_SETTINGS if settings is None else settings
    base_seed = spawn_seed(as_generator(seed))
    report = Progress("adversarial", len(settings), enabled=progress)
    rows = []
    for name, kwargs in settings.items():
        gen = as_generator(base_seed)
        z = torch.nn.Parameter(torch.randn(num_nodes, dim, generator=gen) * 0.1)
        opt = torch.optim.Adam([z], lr=disc_lr)
        sampler = AdversarialNegativeSampler(num_neg, embedding_dim=dim, lr=gen_lr,
                                             seed=spawn_seed(gen), **dict(kwargs))
        for epoch in range(1, epochs + 1):
            neg = sampler.sample(edge_index, num_nodes)
            s_pos = (z[edge_index[0]] * z[edge_index[1]]).sum(1)
            s_neg = (z[neg[0]] * z[neg[1]]).sum(1)
            loss = F.softplus(-s_pos).mean() + F.softplus(s_neg).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            extra = sampler.last_stats.extra
            info = sampler.update(z=z.detach())
            rows.append({"setting": name, "epoch": epoch, "disc_loss": float(loss.detach()),
                         "reward_mean": info["reward_mean"], "entropy": extra["adv_entropy"],
                         "distinct_per_anchor": extra["adv_distinct_per_anchor"],
                         "top_share": extra["adv_top_share"]})
        report.step(f"{name}: {epochs} epochs, final entropy {rows[-1]['entropy']:.3f} nats, "
                    f"{rows[-1]['distinct_per_anchor']:.2f} distinct negatives per anchor")
    return pd.DataFrame(rows)


def run(*, num_nodes: int = 200, epochs: int = 150, seed: Seed = 0,
        settings: Optional[Mapping[str, Mapping[str, Any]]] = None,
        progress: bool = False) -> Dict[str, pd.DataFrame]:
    """The collapse experiment on an Erdős–Rényi graph of mean degree 8.

    Parameters
    ----------
    num_nodes : int
        Nodes of ``G(n, p = 8 / n)`` (built with ``seed``).
    epochs : int
    seed : int, torch.Generator or None
        Seed of the graph and of :func:`collapse_experiment`.
    settings : mapping, optional
        Default :data:`DEFAULT_COLLAPSE_SETTINGS`.
    progress : bool
        Progress lines on stderr.

    Returns
    -------
    dict of str to DataFrame
        ``adversarial_collapse``: one row per setting and epoch
        (:func:`collapse_experiment`).
    """
    from graphneg.generators import erdos_renyi

    num_nodes = check_int(num_nodes, "num_nodes", low=2, owner="adversarial.run")
    data = erdos_renyi(num_nodes, 8.0 / num_nodes, seed=seed)
    note = Progress("adversarial", 0, enabled=progress)
    note.note(f"G(n={num_nodes}, p={8.0 / num_nodes:.3g}): {data.edge_index.size(1) // 2} edges; "
              f"{len(settings or DEFAULT_COLLAPSE_SETTINGS)} settings x {epochs} epochs")
    df = collapse_experiment(data.edge_index, data.num_nodes, settings=settings, epochs=epochs,
                             seed=seed, progress=progress)
    return {"adversarial_collapse": df}


def findings(tables: Mapping[str, pd.DataFrame]) -> str:
    """The final epoch of every setting, with the entropy change against ``λ=0``.

    Examples
    --------
    >>> df = pd.DataFrame({"setting": ["a", "b"], "epoch": [1, 1], "entropy": [1.0, 2.0],
    ...                    "distinct_per_anchor": [1.0, 3.0], "top_share": [0.5, 0.1]})
    >>> print(findings({"adversarial_collapse": df}).splitlines()[0])
    At the last epoch (1), the generator's entropy is 1 nats for a and 2 nats for b (2.000x that of a).
    """
    df = tables["adversarial_collapse"]
    last = df[df["epoch"] == df["epoch"].max()].set_index("setting")
    first = last.index[0]
    ent = last["entropy"]
    parts = [f"{ent[first]:.3g} nats for {first}"]
    for name in last.index[1:]:
        ratio = ent[name] / ent[first] if ent[first] else float("nan")
        parts.append(f"{ent[name]:.3g} nats for {name} ({ratio:.3f}x that of {first})")
    text = (f"At the last epoch ({int(df['epoch'].max())}), the generator's entropy is "
            + ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] + ".")
    return text + "\n\n" + markdown_table(last, index=True)
