r"""Cross-site negatives on the four-site UCI heart-disease data.

:func:`run` measures, for the cross-site sampler with own-site share :math:`\pi`
(:class:`~graphneg.samplers.CrossSiteNegativeSampler`),

* the exact false-negative rate :math:`\mathrm{FN}(u) = \sum_{n \in H(u)} q(n \mid u)`
  against :math:`\pi` on the real sites and diagnoses
  (:func:`graphneg.analysis.clinical.false_negative_curve`);
* the domain share :math:`\|B B^\top E_q g^-\|^2 / \|E_q g^-\|^2` of the expected
  negative gradient under the generative site model with the real sites' sizes and
  disease rates, exact (:func:`graphneg.analysis.clinical.domain_gradient_curve`) and by
  Monte Carlo (:func:`monte_carlo_domain_check`);
* the held-out-site experiment (:func:`cross_site_generalisation`): train on three
  sites, test on the fourth, per :math:`\pi`.

It returns tables only; ``graphneg clinical`` draws and writes them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import pandas as pd
import torch
from torch import Tensor

from graphneg._validation import checked_params
from graphneg._random import as_generator

from ..clinical import (
    domain_basis, domain_decomposition, domain_gradient_curve, false_negative_curve,
    false_negative_rates, same_label_pairs, similar_finding_pairs, simulate_site_embeddings,
)
from ..findings import is_baseline, recommendations
from ..report import markdown_table
from ..statistics import effects_table, format_interval, paired_difference

__all__ = ["ClinicalStudy", "HAS", "REV_HAS", "SIMILAR", "cross_site_generalisation",
           "monte_carlo_domain_check", "patient_graph", "run"]


#: The relations of the clinical HeteroData (:func:`graphneg.datasets.uci_heart_disease`
#: with ``as_hetero=True``) and the target relation of the held-out-site runs.
HAS, REV_HAS = ("patient", "has", "finding"), ("finding", "rev_has", "patient")
SIMILAR = ("patient", "similar_to", "patient")


def _hetero(data: Any) -> Any:
    """``data`` as the clinical HeteroData (the masked ``Data`` form is reloaded)."""
    from graphneg.samplers.pyg import is_hetero
    if is_hetero(data):
        return data
    from graphneg.datasets import uci_heart_disease
    return uci_heart_disease(as_hetero=True)


def patient_graph(data: Any, train: Tensor, *, num_pos: int = 5, positives: str = "findings",
                  gen: Optional[torch.Generator] = None) -> Any:
    r"""The training graph of one held-out-site run: training patients, findings, and the
    target relation ``("patient", "similar_to", "patient")``.

    Parameters
    ----------
    data : HeteroData
        :func:`graphneg.datasets.uci_heart_disease` with ``as_hetero=True``.
    train : LongTensor, shape (T,)
        The training patients (sorted ids); they become patients ``0..T-1``.
    num_pos : int
        Partners per training patient.
    positives : {"findings", "label"}
        ``"findings"``: each training patient and its ``num_pos`` most similar training
        patients by the Jaccard overlap of their findings
        (:func:`graphneg.analysis.clinical.similar_finding_pairs`), symmetrised — a
        function of the findings only, never of the diagnosis. ``"label"``: ``num_pos``
        random patients of the same site and diagnosis
        (:func:`graphneg.analysis.clinical.same_label_pairs`; the probed label leaks
        into training: kept for comparison).
    gen : torch.Generator, optional
        For ``positives="label"``.

    Returns
    -------
    HeteroData
        ``data["patient"]``: ``num_nodes = T``, ``site`` (the cross-site sampler's
        input), ``global_id`` (index into ``data["patient"]``) and no diagnosis;
        ``data["finding"]`` as given; ``HAS`` / ``REV_HAS`` edges of the training
        patients; ``SIMILAR.edge_index`` (2, S) both directions, no self-pair.

    Examples
    --------
    >>> from graphneg.datasets import uci_heart_disease
    >>> g = patient_graph(uci_heart_disease(as_hetero=True), torch.arange(0, 920, 2), num_pos=2)
    >>> g["patient"].num_nodes, sorted(g["patient"].keys())
    (460, ['global_id', 'num_nodes', 'site'])
    """
    from torch_geometric.data import HeteroData
    from torch_geometric.utils import coalesce

    from graphneg._validation import check_option
    positives = check_option(positives, "positives", ("findings", "label"),
                             owner="patient_graph")
    p = int(data["patient"].num_nodes)
    local = torch.full((p,), -1, dtype=torch.long)
    local[train] = torch.arange(train.numel())
    if positives == "findings":
        pairs = similar_finding_pairs(data["patient"].x, train, num_pos)
    else:
        pairs = same_label_pairs(data["patient"].site, data["patient"].y, train, num_pos,
                                 gen if gen is not None else torch.Generator().manual_seed(0))
    pairs = local[pairs]
    pairs = coalesce(torch.cat([pairs, pairs.flip(0)], 1), num_nodes=train.numel())
    has = data[HAS].edge_index
    has = has[:, local[has[0]] >= 0]
    has = torch.stack([local[has[0]], has[1]])
    out = HeteroData()
    out["patient"].num_nodes = train.numel()
    out["patient"].site = data["patient"].site[train]
    out["patient"].global_id = train
    for key in ("num_nodes", "x", "name"):
        if key in data["finding"]:
            out["finding"][key] = data["finding"][key]
    out[HAS].edge_index = has
    out[REV_HAS].edge_index = has.flip(0)
    out[SIMILAR].edge_index = pairs
    return out


@checked_params
def cross_site_generalisation(data: Any, pis: Sequence[float], *,
                              held_out_sites: Optional[Sequence[int]] = None,
                              seeds: Iterable[int] = (0,), epochs: int = 150,
                              patience: Optional[int] = None,
                              num_neg: int = 5, num_pos: int = 5, hidden: int = 32,
                              dim: int = 16, lr: float = 0.01,
                              scale: float = 2.0, positives: str = "findings",
                              include_uniform: bool = True,
                              baseline: bool = True) -> pd.DataFrame:
    r"""Train a heterogeneous GNN on all sites but one; probe the held-out site, per ``π``.

    Graph and model: the patient–finding ``HeteroData``
    (:func:`graphneg.datasets.uci_heart_disease`, ``as_hetero=True``); a two-layer
    GraphSAGE per relation (:class:`graphneg.models.hetero.HeteroSAGE` via
    ``to_hetero``) passes messages along ``patient -has-> finding`` and
    ``finding -rev_has-> patient``. Findings have a learnt row each; patients carry a
    constant input, so a patient's embedding is computed from its findings by message
    passing and a patient of the held-out site, never seen in training, is embedded
    the same way (inductive). Embeddings lie on the sphere of radius ``γ = scale``.

    Training (:class:`graphneg.training.hetero.HeteroLinkPredictionTrainer`): link
    prediction on the relation ``("patient", "similar_to", "patient")`` of the
    training-site patients (:func:`patient_graph`: Jaccard-nearest findings by default,
    so the diagnosis the probe predicts never defines a positive), split 80/10/10 into
    training / validation (model selection: best ``val_auc``) / untouched test pairs;
    the target relation is supervision only (no messages along it). Negatives:
    ``num_neg`` per positive, drawn every epoch by
    :class:`~graphneg.samplers.CrossSiteNegativeSampler` with own-site share ``π`` (the
    sites read from ``data["patient"].site``) through the transform face on that edge
    type, validation and test pairs excluded; and (``include_uniform``) by the uniform
    sampler, the reference. With ``baseline``, two baselines that learn nothing beyond
    the probe are scored the same way: a logistic regression on the raw finding rows
    (``"heuristic:raw-features"``) and the untrained GNN's embeddings
    (``"baseline:untrained-gnn"``, same seed).

    Parameters
    ----------
    data : HeteroData or Data
        :func:`graphneg.datasets.uci_heart_disease` (``as_hetero=True``; the masked
        ``Data`` form is reloaded as HeteroData).
    pis : sequence of float in [0, 1]
    held_out_sites : sequence of int, optional
        Default: every site in turn.
    seeds : iterable of int
    epochs, num_neg, num_pos, hidden, dim : int
    patience : int or None
        Early stopping on ``val_auc`` of the validation pairs (best weights kept).
    lr : float
    scale : float
        ``γ``: embeddings have norm ``γ``, scores lie in ``[-γ², γ²]``.
    positives : {"findings", "label"}
        See :func:`patient_graph`.

    Returns
    -------
    pandas.DataFrame
        Rows ``(held_out_site, π, seed)`` with ``method`` (``"π=0.5"``, ``"uniform"``
        (π NaN) or a baseline), ``probe_auc`` (logistic regression fitted on
        training-site embeddings, ROC AUC of the diagnosis on the held-out site),
        ``pair_auc`` (ROC AUC of cosine similarity separating same- from
        different-diagnosis pairs inside the held-out site), ``train_probe_auc``,
        ``link_test_auc`` (the trainer's untouched test pairs), ``best_epoch``,
        ``fn_rate`` (exact false-negative rate of the training negatives),
        ``domain_share`` (of the exact expected negative gradient at the final
        embeddings) and ``site_probe_acc`` (accuracy of predicting the training site
        from the embedding: how much site identity the embedding keeps).

    Notes
    -----
    Cost ``O(epochs · (M d + P · num_pos · num_neg · d))`` per run for ``M``
    patient–finding edges. Global RNG state is untouched (the trainer draws inside
    its own RNG scope).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    from graphneg.samplers import CrossSiteNegativeSampler, get_sampler
    from graphneg.training.hetero import HeteroLinkPredictionTrainer

    data = _hetero(data)
    p = int(data["patient"].num_nodes)
    x, site, y = data["patient"].x.float(), data["patient"].site, data["patient"].y
    sites = torch.unique(site).tolist()
    held_out_sites = sites if held_out_sites is None else list(held_out_sites)
    xin = x / x.sum(1, keepdim=True).clamp_min(1)  # mean of the findings' one-hot rows
    full = data.edge_type_subgraph([HAS, REV_HAS])  # every patient, for the probe

    def scores(z: Tensor, train: Tensor, test: Tensor) -> Dict[str, float]:
        zn = z.double() / z.double().norm(dim=1, keepdim=True).clamp_min(1e-12)
        probe = LogisticRegression(max_iter=2000).fit(zn[train].numpy(), y[train].numpy())
        zt = zn[test]
        iu = torch.triu_indices(test.numel(), test.numel(), 1)
        same = (y[test][iu[0]] == y[test][iu[1]]).numpy()
        site_probe = LogisticRegression(max_iter=2000).fit(zn[train].numpy(),
                                                           site[train].numpy())
        return {"probe_auc": float(roc_auc_score(
                    y[test].numpy(), probe.predict_proba(zn[test].numpy())[:, 1])),
                "pair_auc": float(roc_auc_score(same, (zt[iu[0]] * zt[iu[1]]).sum(1).numpy())),
                "train_probe_auc": float(roc_auc_score(
                    y[train].numpy(), probe.predict_proba(zn[train].numpy())[:, 1])),
                "site_probe_acc": float(site_probe.score(zn[train].numpy(),
                                                         site[train].numpy()))}

    rows = []
    for held in held_out_sites:
        train = (site != held).nonzero().view(-1)
        test = (site == held).nonzero().view(-1)
        for seed in seeds:
            graph = patient_graph(data, train, num_pos=num_pos, positives=positives,
                                  gen=as_generator(seed))
            pos = train[graph[SIMILAR].edge_index]       # global ids, both directions
            head = {"held_out_site": int(held), "seed": int(seed)}
            if baseline:
                raw = LogisticRegression(max_iter=2000).fit(xin[train].numpy(), y[train].numpy())
                rows.append({**head, "same_site_prob": float("nan"),
                             "method": "heuristic:raw-features",
                             "probe_auc": float(roc_auc_score(
                                 y[test].numpy(), raw.predict_proba(xin[test].numpy())[:, 1]))})
            for pi in ([] if not baseline else ["untrained"]) + list(pis) + (
                    [None] if include_uniform else []):
                if pi is None or pi == "untrained":
                    sampler = get_sampler("uniform", num_neg=num_neg, seed=int(seed),
                                          on_impossible="drop")
                else:
                    sampler = CrossSiteNegativeSampler(num_neg, same_site_prob=pi,
                                                       seed=int(seed), on_impossible="drop")
                trainer = HeteroLinkPredictionTrainer(
                    graph, SIMILAR, sampler=sampler, features={"patient": "constant",
                                                               "finding": "x"},
                    hidden_channels=hidden, out_channels=dim, scale=scale,
                    message_passing_target=False, lr=lr, epochs=epochs, patience=patience,
                    eval_num_neg=10, val_ratio=0.1, test_ratio=0.1, verbose=False,
                    seed=int(seed))
                if pi == "untrained":
                    z = trainer.embeddings(full)["patient"]
                    rows.append({**head, "same_site_prob": float("nan"),
                                 "method": "baseline:untrained-gnn", **scores(z, train, test)})
                    continue
                hist = trainer.fit()
                z = trainer.embeddings(full)["patient"]
                row = {**head, "same_site_prob": float("nan") if pi is None else float(pi),
                       "method": "uniform" if pi is None else f"π={pi:g}",
                       **scores(z, train, test), "link_test_auc": trainer.test()["auc"],
                       "best_epoch": int(trainer.best_epoch),
                       "final_loss": float(hist["loss"].iloc[-1])}
                sited = torch.full_like(site, -1)
                sited[train] = site[train]
                known = pos
                row["fn_rate"] = row["domain_share"] = float("nan")
                if pi is not None:
                    anchors = pos[0].unique()
                    row["fn_rate"] = float(false_negative_rates(
                        sited, y, pi, anchors=anchors, edge_index=known).mean())
                    row["domain_share"] = float(domain_gradient_curve(
                        z.double(), sited, [pi], edge_index=known,
                        anchors=anchors).domain_share.iloc[0])
                rows.append(row)
    return pd.DataFrame(rows)


@checked_params
def monte_carlo_domain_check(z: Tensor, site: Tensor, label: Tensor, pis: Iterable[float], *,
                             num_draws: int = 500, progress: Optional[Any] = None
                             ) -> pd.DataFrame:
    r"""Domain share and false-negative rate of sampled cross-site negatives, per ``π``.

    Every node is an anchor with ``num_draws`` negatives from
    :class:`~graphneg.samplers.CrossSiteNegativeSampler` (seed 1); the mean negative
    gradient per anchor is split with :func:`graphneg.analysis.clinical.domain_decomposition`
    on the basis :func:`graphneg.analysis.clinical.domain_basis` of ``z``.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
    site, label : LongTensor, shape (N,)
    pis : iterable of float in [0, 1]
    num_draws : int
        Negatives per anchor.
    progress : callable, optional
        Wraps the iterator over ``pis``.

    Returns
    -------
    DataFrame
        One row per ``π``: ``same_site_prob``, ``domain_share`` (pooled
        :math:`\sum \|dom\|^2 / \sum \|\bar g\|^2`), ``fn_rate`` (share of drawn
        negatives with the anchor's label).

    Notes
    -----
    Cost :math:`O(N K d)` per ``π``.

    Examples
    --------
    >>> z, site, y = simulate_site_embeddings([20, 20], [0.5, 0.5], dim=4, seed=0)
    >>> monte_carlo_domain_check(z, site, y, [0.0], num_draws=10).columns.tolist()
    ['same_site_prob', 'domain_share', 'fn_rate']
    """
    from graphneg.analysis.gradient_bias import negative_gradient
    from graphneg.samplers import CrossSiteNegativeSampler

    basis = domain_basis(z, site)
    n, k = site.numel(), num_draws
    anchors = torch.arange(n)
    pis = list(pis)
    rows = []
    for pi in (progress(pis) if progress else pis):
        neg = CrossSiteNegativeSampler(k, same_site_prob=pi, seed=1).sample(
            torch.empty(2, 0, dtype=torch.long), n, pos_edge_index=torch.stack([anchors, anchors]),
            site=site)
        g = negative_gradient(z, neg).double().view(n, k, -1).mean(1)
        dec = domain_decomposition(g, basis)
        rows.append({"same_site_prob": pi, "domain_share": float(
            (dec["domain_norm"] ** 2).sum() / (g ** 2).sum()),
            "fn_rate": float((label[neg[0]] == label[neg[1]]).double().mean())})
    return pd.DataFrame(rows)


@dataclass
class ClinicalStudy:
    """What :func:`run` returns.

    Attributes
    ----------
    false_negatives : DataFrame
        :func:`graphneg.analysis.clinical.false_negative_curve` on the real data, rows
        ``(π, site)``.
    domain : DataFrame
        Exact domain decomposition per ``π`` of the generative model, with the Monte
        Carlo columns ``domain_share_mc`` and ``fn_rate_mc`` where checked.
    generalisation : DataFrame
        :func:`cross_site_generalisation` rows with the held-out site's name ``held_out``.
    summary : DataFrame
        Mean and sd over seeds per held-out site and trained method (``π=…`` and
        ``uniform``) of the metrics every trained run has (:data:`_SUMMARY_COLS`).
    site_names : list of str
    effects : DataFrame
        :func:`graphneg.analysis.statistics.effects_table` of the runs: mean, 95%
        interval and paired difference against uniform negatives, per held-out site ×
        method × metric.
    """

    false_negatives: pd.DataFrame
    domain: pd.DataFrame
    generalisation: pd.DataFrame
    summary: pd.DataFrame
    site_names: List[str] = field(default_factory=list)
    effects: pd.DataFrame = field(default_factory=pd.DataFrame)

    def tables(self) -> Dict[str, pd.DataFrame]:
        """The tables written as CSV (``clinical_false_negatives``,
        ``clinical_domain_gradient_simulated``, ``clinical_generalisation``,
        ``clinical_generalisation_summary``)."""
        return {"clinical_false_negatives": self.false_negatives,
                "clinical_domain_gradient_simulated": self.domain,
                "clinical_generalisation": self.generalisation,
                "clinical_generalisation_summary": _flat(self.summary),
                "effects": self.effects}

    def overall(self) -> pd.DataFrame:
        """Means over held-out sites and seeds, per ``π``."""
        g = self.generalisation
        return g[g["method"].str.startswith("π=")].groupby("same_site_prob")[_GEN_COLS].mean()

    def versus_baselines(self) -> pd.DataFrame:
        r"""Paired probe-AUC differences of every trained method against each baseline.

        Rows ``(held_out, method, baseline)`` with ``diff``, ``ci_low``, ``ci_high``
        (95%, paired by seed, :func:`graphneg.analysis.statistics.paired_difference`)
        and ``n``; ``held_out = "all sites"`` pools the (site, seed) pairs.
        """
        g = self.generalisation
        base_names = [m for m in dict.fromkeys(g["method"]) if is_baseline(pd.Series([m]))[0]]
        trained = [m for m in dict.fromkeys(g["method"]) if m not in base_names]
        rows = []
        groups = [(site, g[g["held_out"] == site]) for site in dict.fromkeys(g["held_out"])]
        for site, part in groups + [("all sites", g)]:
            wide = part.pivot_table(index=["held_out", "seed"], columns="method",
                                    values="probe_auc")
            for m in trained:
                for b in base_names:
                    if m not in wide or b not in wide:
                        continue
                    d, lo, hi, _ = paired_difference(wide[m].values, wide[b].values)
                    rows.append({"held_out": site, "method": m, "baseline": b, "diff": d,
                                 "ci_low": lo, "ci_high": hi, "n": int(len(wide))})
        return pd.DataFrame(rows, columns=["held_out", "method", "baseline", "diff", "ci_low",
                                           "ci_high", "n"])

    def findings(self) -> List[str]:
        """Sentences computed from :attr:`effects` and :meth:`versus_baselines`
        (held-out-site probe AUC, 95% intervals, paired by seed against uniform
        negatives and against the baselines)."""
        if self.effects.empty:
            return ["No held-out-site run: nothing to compare."]
        out = []
        vs = self.versus_baselines()
        pooled = vs[(vs["held_out"] == "all sites") & (vs["method"] == "uniform")]
        for r in pooled.itertuples(index=False):
            rel = _relation(r.ci_low, r.ci_high)
            out.append(f"All sites: the graph model (uniform negatives) is {rel} "
                       f"{_BASELINE_WORDS.get(r.baseline, r.baseline)} in held-out-site "
                       f"diagnosis probe AUC: paired difference "
                       f"{format_interval(r.diff, r.ci_low, r.ci_high)} over {r.n} "
                       f"(site, seed) pairs.")
        rec = recommendations(self.effects, protocols={"held-out site": "probe_auc"},
                              graph="held_out", method="method")
        for r in rec.itertuples(index=False):
            site = r.held_out
            part = self.effects[(self.effects["held_out"] == site)
                                & (self.effects["metric"] == "probe_auc")]
            uni = part[part["method"] == "uniform"]
            s = (f"Held out {site}: " + (f"{r.recommendation} beats uniform negatives by "
                                         f"{r.difference.split(' vs ')[0]}" if r.difference
                                         else "no own-site share π beats uniform negatives "
                                              "measurably") + " (diagnosis probe AUC")
            if len(uni):
                u = uni.iloc[0]
                s += f"; uniform {format_interval(u['mean'], u['ci_low'], u['ci_high'])}"
            s += ")."
            emb = part[~is_baseline(part["method"])]
            if len(emb):
                best = emb.loc[emb["mean"].idxmax()]
                s += (f" The best graph-model probe ({best['method']}, "
                      f"{format_interval(best['mean'], best['ci_low'], best['ci_high'])})")
                here = vs[(vs["held_out"] == site) & (vs["method"] == best["method"])]
                s += "".join(f"{' is' if i == 0 else ';'} {_relation(r.ci_low, r.ci_high)} "
                             f"{_BASELINE_WORDS.get(r.baseline, r.baseline)} (paired "
                             f"difference {format_interval(r.diff, r.ci_low, r.ci_high)})"
                             for i, r in enumerate(here.itertuples(index=False))) + "."
            out.append(s)
        return out

    def sections(self) -> List[Tuple[str, str]]:
        """The report's text: false negatives, domain share and the held-out-site runs."""
        pooled = self.false_negatives[self.false_negatives.site == "all"]
        return [
            ("Findings", "\n".join(f"- {x}" for x in self.findings())
             + "\n\nThe model is a heterogeneous GNN (GraphSAGE per relation, PyG's "
               "to_hetero) over the patient–finding HeteroData: a patient carries no input "
               "of its own and is embedded from its findings by message passing, so "
               "held-out-site patients are embedded inductively. It is trained by link "
               "prediction on patient pairs with similar findings (Jaccard), never on the "
               "diagnosis the probe predicts; its model selection uses validation pairs "
               "of the training sites only. Baselines learn nothing beyond the probe: a "
               "logistic regression on the raw finding rows and the untrained GNN."),
            ("False negatives against the own-site share π",
             "Exact false-negative rate FN(u) = Σ_{n ∈ H(u)} q(n|u) of the cross-site "
             "sampler, pooled over all anchors (same diagnosis = false negative).\n\n"
             + markdown_table(pooled.drop(columns="site"))),
            ("Domain component of the negative gradient (generative model)",
             "Exact decomposition of E_q[g⁻] into the site-mean subspace and the rest, with "
             "Monte Carlo checks (columns _mc) at the requested π.\n\n"
             + markdown_table(self.domain)),
            ("Held-out-site generalisation (mean ± sd over seeds)",
             "Patient embeddings trained on three sites, evaluated on the fourth "
             "(link_test_auc: the trainer's untouched test pairs of the training "
             "sites).\n\n"
             + markdown_table(self.summary, index=True, digits=3)
             + "\n\nMean over held-out sites, cross-site runs:\n\n"
             + markdown_table(self.overall(), index=True, digits=3)
             + "\n\nProbe AUC against the baselines (paired by seed, 95% intervals):\n\n"
             + markdown_table(self.versus_baselines(), digits=3)),
        ]


def _flat(table: pd.DataFrame) -> pd.DataFrame:
    """``(metric, stat)`` columns as one header row: ``metric_stat``."""
    out = table.copy()
    out.columns = [f"{m}_{s}" for m, s in out.columns]
    return out


_GEN_COLS = ["probe_auc", "pair_auc", "site_probe_acc", "fn_rate", "domain_share"]
#: Metrics every trained run has (the summary table's columns).
_SUMMARY_COLS = ["probe_auc", "pair_auc", "link_test_auc", "site_probe_acc"]
_BASELINE_WORDS = {"heuristic:raw-features": "a logistic regression on the raw findings",
                   "baseline:untrained-gnn": "the untrained GNN"}


def _relation(low: float, high: float) -> str:
    """``above`` / ``below`` / ``level with`` from a difference's interval."""
    return "above" if low > 0 else "below" if high < 0 else "level with"


@checked_params
def run(data: Any = None, *, pis: Sequence[float] = (0.0, 1.0),
        seeds: Sequence[int] = (0, 1, 2, 3, 4), epochs: int = 40, patience: Optional[int] = None,
        num_neg: int = 5, mc_draws: int = 500, progress: bool = True,
        jobs: int = 1) -> ClinicalStudy:
    r"""False negatives, domain share and held-out-site generalisation against ``π``.

    Parameters
    ----------
    data : HeteroData, optional
        Default :func:`graphneg.datasets.uci_heart_disease` (``as_hetero=True``).
    pis : sequence of float in [0, 1]
        Own-site shares of the Monte Carlo check and the training runs; the exact
        curves use these and the grid 0, 0.1, ..., 1.
    seeds : sequence of int
        Training seeds.
    epochs, num_neg : int
    patience : int or None
        Early stopping on the validation pairs' AUC; ``None`` (default) trains every
        epoch. Either way the weights of the best validation epoch are kept (the
        validation AUC dips after the first epochs and recovers later, so early
        stopping keeps barely trained models).
    mc_draws : int
        Negatives per anchor in the Monte Carlo check.
    progress : bool
        Progress bars for the Monte Carlo check and the training blocks.
    jobs : int
        Processes for the (seed, held-out site) blocks
        (:func:`graphneg.analysis.studies._backends.run_tasks`; the same results for any
        ``jobs``).

    Returns
    -------
    ClinicalStudy

    Notes
    -----
    Cost: ``len(seeds) · #sites · (len(pis) + 1)`` training runs of at most ``epochs``
    full-batch steps. The progress bar counts (seed, held-out site) blocks.

    Examples
    --------
    >>> res = run(pis=[0.0], seeds=[0], epochs=1, num_neg=1, mc_draws=5, progress=False)
    >>> sorted(set(res.generalisation.held_out))
    ['Cleveland', 'Hungary', 'Switzerland', 'VA Long Beach']
    >>> sorted(set(res.generalisation.method))
    ['baseline:untrained-gnn', 'heuristic:raw-features', 'uniform', 'π=0']
    """
    from graphneg.datasets import uci_heart_disease

    data = _hetero(uci_heart_disease(as_hetero=True) if data is None else data)
    site, y = data["patient"].site, data["patient"].y
    grid = sorted(set(pis) | {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0})
    fn = false_negative_curve(site, y, grid, num_neg=num_neg)

    # generative model with the real sites' sizes and disease rates
    sizes = torch.bincount(site).tolist()
    rates = [float(y[site == s].double().mean()) for s in range(len(sizes))]
    z, ssite, sy = simulate_site_embeddings(sizes, rates, dim=16, signal_scale=1.5,
                                            site_scale=2.0, noise_scale=0.5, seed=0)
    exact = domain_gradient_curve(z, ssite, grid, label=sy)
    bar = _bars(progress)
    mc = monte_carlo_domain_check(z, ssite, sy, pis, num_draws=mc_draws,
                                  progress=bar("clinical: Monte Carlo check"))
    domain = exact.merge(mc, on="same_site_prob", how="left", suffixes=("", "_mc"))
    blocks = [((int(seed), held), dict(data=data, pis=list(pis), held_out_sites=[held],
                                       seeds=[int(seed)],
                                       epochs=epochs, patience=patience, num_neg=num_neg))
              for seed in seeds for held in torch.unique(site).tolist()]
    gen = _run_blocks(blocks, jobs, bar("clinical: held-out-site training (seed × site)"))
    gen["held_out"] = [data.site_names[i] for i in gen.held_out_site]
    trained = gen[~is_baseline(gen["method"])]
    summary = trained.groupby(["held_out", "method"], sort=False)[_SUMMARY_COLS].agg(
        ["mean", "std"])
    # one table per metric over the runs that have it (uniform runs have no FN rate)
    effects = pd.concat([effects_table(gen.dropna(subset=[m]), [m], group="held_out",
                                       method="method", reference="uniform")
                         for m in _GEN_COLS + ["link_test_auc"]], ignore_index=True)
    effects = effects[effects["n_seeds"] > 0].reset_index(drop=True)
    return ClinicalStudy(fn, domain, gen, summary, list(data.site_names), effects)


def _held_out_block(kwargs: Dict[str, Any]) -> pd.DataFrame:
    """One (seed, held-out site) block of :func:`run` (module level: it is pickled)."""
    return cross_site_generalisation(**kwargs)


def _run_blocks(blocks: List[Tuple[Any, Dict[str, Any]]], jobs: int, bar: Any) -> pd.DataFrame:
    """Every block's rows, in the order of ``blocks`` whatever order they finish in."""
    from ._backends import TaskFailure, run_tasks
    done: Dict[Any, pd.DataFrame] = {}
    progress = bar(range(len(blocks))) if bar else None
    for key, result in run_tasks(_held_out_block, blocks, jobs=jobs,
                                 preload=["graphneg.analysis.studies.clinical"]):
        if isinstance(result, TaskFailure):
            raise RuntimeError(f"clinical study: the block (seed, site) = {key} failed: "
                               f"{result}")
        done[key] = result
        if progress is not None:
            progress.update(1)
    if progress is not None:
        progress.close()
    return pd.concat([done[key] for key, _ in blocks], ignore_index=True)


def _bars(enabled: bool):
    """``desc -> (iterable -> tqdm bar)``, or ``desc -> None`` when disabled."""
    if not enabled:
        return lambda desc: None
    from tqdm.auto import tqdm
    return lambda desc: (lambda items: tqdm(items, desc=desc, total=len(items)))
