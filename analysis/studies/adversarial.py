r"""Mode collapse of adversarial negative sampling (``graphneg adversarial``).

A discriminator (free node embeddings, dot-product decoder, logistic loss) is trained
against a REINFORCE generator :math:`q_\theta(n \mid u)`
(:class:`~graphneg.samplers.AdversarialNegativeSampler`) under several settings: penalty
:math:`\lambda = 0` (collapse-prone) vs :math:`\lambda > 0`, without and with an entropy
bonus :math:`\beta`. Per epoch it records the collapse indicators of
:mod:`graphneg.analysis.adversarial`: generator entropy, distinct negatives per anchor
and the share drawn from the top-1% nodes. Then, downstream, on a graph with structure
to learn (planted partition), link prediction is trained with uniform, DNS and the
adversarial sampler at several penalty strengths :math:`\lambda`, 5 seeds, on shared
splits and evaluation negatives under the uniform and the HeaRT protocol, beside
heuristic baselines (:func:`downstream_comparison`): AUC/MRR with 95% intervals and
paired differences against uniform, with the collapse indicators of the same runs.

Examples
--------
>>> tables = run(num_nodes=30, epochs=2, seed=0, seeds=None)
>>> list(tables), len(tables["adversarial_collapse"])
(['adversarial_collapse'], 8)
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import Tensor

from graphneg._random import Seed, as_generator, spawn_seed
from graphneg._validation import (
    check_edge_index,
    check_int,
    check_num_nodes,
    check_real,
    checked_params,
)

from ._progress import Progress
from ..findings import is_baseline
from ..report import markdown_table

__all__ = ["DEFAULT_COLLAPSE_SETTINGS", "DOWNSTREAM_GRAPH", "PENALTIES", "collapse_experiment",
           "downstream_comparison", "downstream_findings", "run", "findings", "build_sections"]

#: λ = 0 (collapse-prone) vs λ > 0, without and with an entropy bonus β. λ multiplies
#: the sum of squares of all N·d generator entries, so its useful range shrinks as N grows
#: (these values suit a few hundred nodes, d = 16).
DEFAULT_COLLAPSE_SETTINGS: Dict[str, Dict[str, float]] = {
    "λ=0": {"penalty": 0.0},
    "λ=3e-4": {"penalty": 3e-4},
    "β=0.2": {"entropy_bonus": 0.2},
    "λ=3e-4, β=0.2": {"penalty": 3e-4, "entropy_bonus": 0.2},
}


@checked_params
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


#: Graph of the downstream comparison: four planted blocks (structure to learn).
DOWNSTREAM_GRAPH = "planted_partition:num_blocks=4,block_size=50,p_in=0.15,p_out=0.01"

#: Penalty strengths λ of the adversarial sampler in the downstream comparison.
PENALTIES = (0.0, 3e-4, 3e-3)

#: Per-run metrics of the downstream effects table.
DOWNSTREAM_METRICS = ("test_auc", "test_mrr", "heart_auc", "heart_mrr", "eta",
                      "hard_negative_rate", "entropy", "max_entropy", "distinct_per_anchor",
                      "top_share",
                      "best_epoch", "run_time_s")


def _short(x: float) -> str:
    """``0``, ``3e-4``, ``0.5``: a penalty as a short label.

    Examples
    --------
    >>> _short(0.0), _short(3e-4), _short(0.003), _short(0.5)
    ('0', '3e-4', '3e-3', '0.5')
    """
    if x == 0 or 0.01 <= abs(x) < 1000:
        return f"{x:g}"
    mant, exp = f"{x:.0e}".split("e")
    return f"{mant}e{int(exp)}"


@checked_params
def downstream_comparison(data: Any, methods: Mapping[str, Any], *,
                          seeds: Sequence[int] = (0, 1, 2, 3, 4),
                          epochs: int = 50, num_neg: int = 1, eval_num_neg: int = 20,
                          graph: str = "graph", progress: bool = False) -> Dict[str, pd.DataFrame]:
    r"""Link prediction with each negative sampler on shared splits, both protocols.

    Per seed one split (validation for model selection, untouched test) and one set of
    evaluation negatives per protocol (``uniform`` and HeaRT's hard ``heart``,
    :mod:`graphneg.protocols`) are drawn and shared by every method and by the heuristic
    baselines (:mod:`graphneg.analysis.baselines`); each method trains a
    :class:`~graphneg.training.LinkPredictionTrainer` (GCN, dot product, best-validation
    weights) on it.

    Parameters
    ----------
    data : Data
    methods : mapping label -> (sampler name, kwargs)
    seeds : sequence of int
    epochs, num_neg, eval_num_neg : int
    graph : str
        The graph's label in the tables.
    progress : bool
        One stderr line per finished run, with an ETA.

    Returns
    -------
    dict
        ``runs``: one row per method and seed (``test_*`` uniform protocol, ``heart_*``
        HeaRT, median ``eta`` and ``hard_negative_rate`` over epochs, the generator's
        ``entropy``, ``distinct_per_anchor``, ``top_share`` at the last epoch for the
        adversarial sampler); ``history``: one row per run and epoch.

    Examples
    --------
    >>> from graphneg.datasets import load_graph
    >>> out = downstream_comparison(load_graph("karate"), {"uniform": ("uniform", {})},
    ...                             seeds=[0], epochs=2)
    >>> sorted(out["runs"].kind.unique())
    ['heuristic', 'sampler']
    """
    import time

    from graphneg.samplers import get_sampler
    from graphneg.training import LinkPredictionTrainer

    from ._paired import prepare_split, score_trained

    seeds = list(seeds)
    report = Progress("adversarial", len(seeds) * len(methods), enabled=progress)
    rows, history = [], []
    for seed in seeds:
        paired = prepare_split(data, seed, num_neg=eval_num_neg)
        rows += [{"graph": graph, "sampler": name, "kind": "heuristic", "seed": seed, **m}
                 for name, m in paired.baselines.items()]
        for label, (name, kw) in methods.items():
            tic = time.perf_counter()
            sampler = get_sampler(name, num_neg=num_neg, seed=seed, on_impossible="drop", **kw)
            tr = LinkPredictionTrainer(paired.split, sampler=sampler, epochs=epochs, seed=seed,
                                       verbose=False)
            h = tr.fit()
            test = score_trained(tr, paired)
            row = {"graph": graph, "sampler": label, "kind": "sampler", "seed": seed, **test,
                   "eta": float(h["eta"].median()),
                   "hard_negative_rate": float(h["hard_negative_rate"].median()),
                   "best_epoch": tr.best_epoch, "run_time_s": time.perf_counter() - tic}
            if "sampler_adv_valid_candidates_mean" in h:  # entropy of uniform over C(u)
                row["max_entropy"] = float(np.log(h["sampler_adv_valid_candidates_mean"]
                                                  .iloc[-1]))
            for col, key in (("sampler_adv_entropy", "entropy"),
                             ("sampler_adv_distinct_per_anchor", "distinct_per_anchor"),
                             ("sampler_adv_top_share", "top_share")):
                if col in h:
                    row[key] = float(h[col].iloc[-1])
            rows.append(row)
            history += [{"graph": graph, "sampler": label, "seed": seed, **r}
                        for r in h.to_dict("records")]
            report.step(f"{label} × seed {seed}: test AUC {test['test_auc']:.3f}, HeaRT MRR "
                        f"{test['heart_mrr']:.3f}")
    return {"runs": pd.DataFrame(rows), "history": pd.DataFrame(history)}


@checked_params
def run(*, num_nodes: int = 200, epochs: int = 150, seed: Seed = 0,
        settings: Optional[Mapping[str, Mapping[str, Any]]] = None,
        progress: bool = False, seeds: Optional[Sequence[int]] = (0, 1, 2, 3, 4),
        downstream_epochs: int = 50, penalties: Sequence[float] = PENALTIES,
        downstream_graph: str = DOWNSTREAM_GRAPH,
        gen_lr: float = 0.05) -> Dict[str, pd.DataFrame]:
    """The collapse experiment on an Erdős–Rényi graph, then the downstream comparison.

    Parameters
    ----------
    num_nodes : int
        Nodes of ``G(n, p = 8 / n)`` (built with ``seed``).
    epochs : int
        Epochs of the collapse experiment (``0``: skip it).
    seed : int, torch.Generator or None
        Seed of the graph and of :func:`collapse_experiment` when ``seeds`` is empty.
    settings : mapping, optional
        Default :data:`DEFAULT_COLLAPSE_SETTINGS`.
    progress : bool
        Progress lines (with an ETA) on stderr.
    seeds : sequence of int, optional
        Seeds of the collapse experiment (one graph and one run per seed) and of the
        downstream comparison (``None`` or empty: one collapse run with ``seed``, no
        downstream comparison).
    downstream_epochs : int
    penalties : sequence of float
        λ of the adversarial sampler in the downstream comparison.
    downstream_graph : str
        A graph spec (:func:`graphneg.analysis.studies.topology.parse_graph_spec`).
    gen_lr : float
        Learning rate of the adversarial generator downstream (that of the collapse
        experiment).

    Returns
    -------
    dict of str to DataFrame
        ``adversarial_collapse``: one row per setting and epoch
        (:func:`collapse_experiment`; with ``seeds`` a ``seed`` column, one run per seed);
        with ``seeds``: ``adversarial_collapse_effects`` (the last epoch's indicators per
        setting, mean, 95% interval over seeds and the paired difference against the
        first setting), ``adversarial_runs``,
        ``adversarial_history`` (:func:`downstream_comparison`) and
        ``adversarial_effects`` (means, 95% intervals, paired differences against
        uniform).
    """
    from graphneg.generators import erdos_renyi

    from ..statistics import effects_table
    from .topology import _parse_graph_spec

    num_nodes = check_int(num_nodes, "num_nodes", low=2, owner="adversarial.run")
    if seeds:  # a bad spec fails before the collapse experiment trains
        label, build = _parse_graph_spec(downstream_graph,
                                         "The 'downstream_graph' parameter of adversarial.run")
    tables: Dict[str, pd.DataFrame] = {}
    if epochs:
        parts = []
        for s in (list(seeds) if seeds else [seed]):  # one graph and one experiment per seed
            data = erdos_renyi(num_nodes, 8.0 / num_nodes, seed=s)
            note = Progress("adversarial", 0, enabled=progress)
            note.note(f"collapse experiment, seed {s}: G(n={num_nodes}, p={8.0 / num_nodes:.3g})"
                      f", {data.edge_index.size(1) // 2} edges; "
                      f"{len(settings or DEFAULT_COLLAPSE_SETTINGS)} settings x {epochs} epochs")
            parts.append(collapse_experiment(
                data.edge_index, data.num_nodes, settings=settings, epochs=epochs, seed=s,
                progress=progress).assign(seed=s))
        if not seeds:  # one run: the table as collapse_experiment returns it
            tables["adversarial_collapse"] = parts[0].drop(columns="seed")
        else:
            collapse = pd.concat(parts, ignore_index=True)
            tables["adversarial_collapse"] = collapse
            last = collapse[collapse.epoch == collapse.epoch.max()].assign(
                graph=f"G(n={num_nodes}, p=8/n)")
            tables["adversarial_collapse_effects"] = effects_table(
                last, ["entropy", "distinct_per_anchor", "top_share", "disc_loss"],
                method="setting", reference=str(last.setting.iloc[0]))
    if seeds:
        methods = {"uniform": ("uniform", {}), "dns": ("dns", {})}
        for lam in penalties:
            methods[f"adversarial λ={_short(lam)}"] = ("adversarial", {"penalty": float(lam),
                                                                 "lr": gen_lr})
        out = downstream_comparison(build(0), methods, seeds=seeds, epochs=downstream_epochs,
                                    graph=label, progress=progress)
        runs = out["runs"]
        tables["adversarial_runs"] = runs
        tables["adversarial_history"] = out["history"]
        tables["adversarial_effects"] = effects_table(
            runs, [m for m in DOWNSTREAM_METRICS if m in runs], reference="uniform")
    return tables


def downstream_findings(tables: Mapping[str, pd.DataFrame]) -> List[str]:
    """Sentences from the downstream effects: learning, the winner per protocol
    (:func:`graphneg.analysis.findings.write_findings`), and collapse against quality."""
    from ..findings import write_findings
    from ..statistics import format_interval
    from ._effects import effect_of

    eff, hist = tables.get("adversarial_effects"), tables.get("adversarial_history")
    if eff is None or eff.empty:
        return []
    graph = str(eff["graph"].iloc[0])
    out = []
    if hist is not None and not hist.empty:
        first = hist[hist.epoch == hist.epoch.min()].groupby("sampler", sort=False)["val_auc"]
        best = hist.groupby(["sampler", "seed"], sort=False)["val_auc"].max().groupby(
            "sampler", sort=False)
        out.append(f"Learning on {graph} (validation AUC, first → best epoch, mean over seeds): "
                   + "; ".join(f"{m} {first.mean()[m]:.3f} → {best.mean()[m]:.3f}"
                               for m in first.mean().index) + ".")
    from graphneg.protocols import chance_levels
    k = 20
    out += write_findings(eff, {graph: "learnable"},
                          chance={"test_auc": 0.5, "heart_mrr": chance_levels(k)["mrr"]})
    adv = [m for m in dict.fromkeys(eff.sampler) if str(m).startswith("adversarial")]
    parts = []
    for m in adv:
        e, a = effect_of(eff, m, "entropy"), effect_of(eff, m, "test_auc")
        if e is None or a is None:
            continue
        parts.append(f"{m}: entropy {format_interval(e['mean'], e['ci_low'], e['ci_high'])} "
                     f"nats, test AUC {format_interval(a['mean'], a['ci_low'], a['ci_high'])}")
    if parts:
        out.append("Generator entropy at the last epoch against downstream quality: "
                   + "; ".join(parts) + ".")
    for m in adv:
        e, mx, a = (effect_of(eff, m, k) for k in ("entropy", "max_entropy", "test_auc"))
        be, bu = effect_of(eff, m, "best_epoch"), effect_of(eff, "uniform", "best_epoch")
        if e is None or mx is None or a is None or e["mean"] >= 0.9 * mx["mean"]:
            continue
        delta = format_interval(a["diff_vs_uniform"], a["diff_ci_low"], a["diff_ci_high"])
        harm = (f"measurably changes test AUC against uniform (Δ {delta})" if a["measurable"]
                else f"does not measurably change test AUC against uniform (Δ {delta})")
        text = (f"{m} collapses partly downstream (entropy {e['mean']:.2f} of "
                f"{mx['mean']:.2f} nats at the last epoch) and {harm}")
        if be is not None and bu is not None and hist is not None and \
                "sampler_adv_entropy" in hist:
            h = hist[hist.sampler == m]
            kept = h.loc[h.groupby("seed")["val_auc"].idxmax(), "sampler_adv_entropy"].mean()
            text += (f"; its best validation epoch is {be['mean']:.1f} on average (uniform "
                     f"{bu['mean']:.1f}), where the entropy is still {kept:.2f} nats"
                     + (": model selection keeps weights from before the collapse"
                        if kept >= 0.9 * mx["mean"] else ""))
        out.append(text + ".")
    near = []
    for m in adv:
        e, mx = effect_of(eff, m, "entropy"), effect_of(eff, m, "max_entropy")
        if e is not None and mx is not None and e["mean"] >= 0.9 * mx["mean"]:
            near.append(m)
    if near:
        mx = effect_of(eff, near[0], "max_entropy")
        out.append(f"No collapse downstream: {', '.join(near)} keep(s) at least 90% of the "
                   f"uniform entropy log|C(u)| ≈ {mx['mean']:.2f} nats, so their negatives are "
                   "close to uniform ones and so is their link prediction; the collapse of the "
                   "standalone experiment (free embeddings, no message passing, more epochs) "
                   "does not happen against a GCN discriminator in this many epochs.")
    return out


def findings(tables: Mapping[str, pd.DataFrame]) -> str:
    """The final epoch of every setting, with the entropy change against ``λ=0``.

    Examples
    --------
    >>> df = pd.DataFrame({"setting": ["a", "b"], "epoch": [1, 1], "entropy": [1.0, 2.0],
    ...                    "distinct_per_anchor": [1.0, 3.0], "top_share": [0.5, 0.1]})
    >>> print(findings({"adversarial_collapse": df}).splitlines()[0])
    At the last epoch (1), the generator's entropy is 1 nats for a and 2 nats for b (2.000x that of a).
    """
    eff = tables.get("adversarial_collapse_effects")
    if eff is not None and not eff.empty:
        return _collapse_findings(eff, int(tables["adversarial_collapse"]["epoch"].max()))
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


def _collapse_findings(eff: pd.DataFrame, epochs: int) -> str:
    """Sentence and interval table of the collapse experiment over seeds: each setting's
    last-epoch entropy against the first setting's, paired by seed."""
    from ..statistics import format_interval
    from ._effects import effect_of, interval_table

    settings = list(dict.fromkeys(eff.setting))
    ref = settings[0]
    r0 = effect_of(eff, ref, "entropy", column="setting")
    parts = []
    for name in settings[1:]:
        r = effect_of(eff, name, "entropy", column="setting")
        if r is None:
            continue
        verdict = ("measurably " + ("higher" if r["diff_vs_uniform"] > 0 else "lower")
                   if r["measurable"] else "not measurably different")
        delta = format_interval(r["diff_vs_uniform"], r["diff_ci_low"], r["diff_ci_high"])
        parts.append(f"{name} {format_interval(r['mean'], r['ci_low'], r['ci_high'])} nats "
                     f"({verdict}, Δ {delta})")
    text = (f"Over {int(eff['n_seeds'].max())} seeds (one G(n, 8/n) and one run per seed), the "
            f"generator's entropy at the last epoch ({epochs}) is "
            f"{format_interval(r0['mean'], r0['ci_low'], r0['ci_high'])} nats for {ref}; "
            + "; ".join(parts) + f" (paired differences against {ref}).")
    table = interval_table(eff, {"entropy": "entropy (nats)", "distinct_per_anchor":
                                 "distinct / anchor", "top_share": "top-1% share"},
                           column="setting", diff="entropy", reference=ref)
    return text + "\n\n" + table


def build_sections(tables: Mapping[str, pd.DataFrame]):
    """Findings (collapse and downstream), protocols and the downstream interval tables."""
    from ._effects import interval_table

    bullets = []
    if "adversarial_collapse" in tables:
        text = findings(tables)
        head, _, table = text.partition("\n\n")
        bullets.append("- Collapse experiment (discriminator vs generator on G(n, 8/n)): "
                       + head)
    bullets += [f"- {b}" for b in downstream_findings(tables)]
    sections = [("Findings", "\n".join(bullets))]
    if "adversarial_collapse" in tables:
        sections.append(("Collapse experiment, last epoch (mean [95% interval] over seeds)"
                         if "adversarial_collapse_effects" in tables else
                         "Collapse experiment, last epoch", table))
    eff = tables.get("adversarial_effects")
    if eff is not None and not eff.empty:
        graph = str(eff["graph"].iloc[0])
        trained = eff[~is_baseline(eff.sampler)]
        sections.append(("Evaluation protocols", (
            f"Graph: {graph}. Per seed one split (10% validation: best epoch kept; 10% test, "
            "untouched) and 20 evaluation negatives per test edge under each protocol, shared "
            "by every sampler and baseline: **uniform** (uniform non-neighbours of the first "
            "node) and **heart** (HeaRT: the corruptions RA, CN and PPR rank highest). "
            "Rows in italics (`heuristic:*` in the CSV files) need no learning. Δ: paired "
            "difference against uniform "
            "(`*`: interval excludes 0).")))
        sections.append(("Downstream link prediction (mean [95% interval] over seeds)", (
            "Uniform protocol:\n\n"
            + interval_table(eff, {"test_auc": "AUC", "test_mrr": "MRR"}, diff="test_auc")
            + "\n\nHeaRT protocol:\n\n"
            + interval_table(eff, {"heart_auc": "AUC", "heart_mrr": "MRR"}, diff="heart_mrr")
            + "\n\nTraining (η: sampling efficiency, h_k: hard-negative rate, medians over "
              "epochs; generator entropy in nats and distinct negatives per anchor at the last "
              "epoch):\n\n"
            + interval_table(trained, {"eta": "η", "hard_negative_rate": "h_k"})
            + "\n\n" + interval_table(trained[trained.sampler.astype(str).str.startswith(
                "adversarial")], {"entropy": "entropy", "distinct_per_anchor": "distinct",
                                  "top_share": "top-1% share"}))))
    return sections
