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

from graphneg._random import as_generator

from ..clinical import (
    domain_basis, domain_decomposition, domain_gradient_curve, false_negative_curve,
    false_negative_rates, same_label_pairs, similar_finding_pairs, simulate_site_embeddings,
)
from ..findings import is_baseline, recommendations
from ..report import markdown_table
from ..statistics import effects_table, format_interval

__all__ = ["ClinicalStudy", "cross_site_generalisation", "monte_carlo_domain_check", "run"]


def cross_site_generalisation(data: Any, pis: Sequence[float], *,
                              held_out_sites: Optional[Sequence[int]] = None,
                              seeds: Iterable[int] = (0,), epochs: int = 150,
                              num_neg: int = 5, num_pos: int = 5, hidden: int = 32,
                              dim: int = 16, lr: float = 0.01,
                              scale: float = 2.0, positives: str = "findings",
                              include_uniform: bool = True,
                              baseline: bool = True) -> pd.DataFrame:
    r"""Train patient embeddings on all sites but one; evaluate on the held-out site, per ``π``.

    Model: a patient's embedding is ``z_p = γ · h_p / ‖h_p‖`` with
    ``h_p = MLP(mean of its findings' one-hot rows)`` —
    one bipartite message-passing step from finding nodes to patient nodes
    (``x_patient`` rows), so unseen patients of the held-out site are embedded
    inductively. Positives (``positives="findings"``, the default): for each training
    patient its ``num_pos`` most similar training patients by the Jaccard overlap of
    their findings (:func:`graphneg.analysis.clinical.similar_finding_pairs`), so the
    diagnosis that the probe then predicts never defines a positive;
    ``positives="label"`` takes ``num_pos`` random patients of the same site and
    diagnosis instead (the label leaks into training: kept for comparison).
    Negatives: ``num_neg`` per positive from
    :class:`~graphneg.samplers.CrossSiteNegativeSampler` with own-site share ``π``
    over the training patients (positives excluded), redrawn every epoch, and
    (``include_uniform``) from the uniform sampler over the training patients, the
    reference. Loss: the logistic negative-sampling loss of ``docs/design.md``. Adam,
    full batch. With ``baseline``, a logistic regression on the raw finding rows
    (no embedding, no learning beyond the probe) is scored the same way
    (``method="heuristic:raw-features"``).

    Parameters
    ----------
    data : Data
        From :func:`graphneg.datasets.uci_heart_disease` (``x_patient``, ``site``,
        ``y``, ``num_patients``).
    pis : sequence of float in [0, 1]
    held_out_sites : sequence of int, optional
        Default: every site in turn.
    seeds : iterable of int
    epochs, num_neg, num_pos, hidden, dim : int
    lr : float
    scale : float
        ``γ``: embeddings have norm ``γ``, scores lie in ``[-γ², γ²]``.

    Returns
    -------
    pandas.DataFrame
        Rows ``(held_out_site, π, seed)`` with ``method`` (``"π=0.5"``, ``"uniform"``
        (π NaN) or ``"heuristic:raw-features"``), ``probe_auc`` (logistic regression
        fitted on training-site embeddings, ROC AUC of the diagnosis on the held-out
        site), ``pair_auc`` (ROC AUC of cosine similarity separating same- from
        different-diagnosis pairs inside the held-out site), ``train_probe_auc``,
        ``fn_rate`` (exact false-negative rate of the training negatives),
        ``domain_share`` (of the exact expected negative gradient at the final
        embeddings) and ``site_probe_acc`` (accuracy of predicting the training
        site from the embedding: how much site identity the embedding keeps).

    Notes
    -----
    Cost ``O(epochs · P (num_pos · num_neg) · d)`` per run. Global RNG state is
    untouched (model initialisation runs under :func:`torch.random.fork_rng`).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    from graphneg.losses import logistic_ns_loss
    from graphneg.samplers import CrossSiteNegativeSampler, get_sampler

    from graphneg._validation import check_option
    positives = check_option(positives, "positives", ("findings", "label"),
                             owner="cross_site_generalisation")
    p = int(data.num_patients)
    x, site, y = data.x_patient.float(), data.site[:p], data.y[:p]
    sites = torch.unique(site).tolist()
    held_out_sites = sites if held_out_sites is None else list(held_out_sites)
    xin = x / x.sum(1, keepdim=True).clamp_min(1)  # mean of the findings' one-hot rows

    def embed(model):
        # scaled unit vectors: scores in [-scale², scale²]; z = 0 (a saddle of the
        # dot-product loss that MLPs fall into) cannot be reached
        out = model(xin)
        return scale * out / out.norm(dim=1, keepdim=True).clamp_min(1e-12)

    rows = []
    for held in held_out_sites:
        train = (site != held).nonzero().view(-1)
        test = (site == held).nonzero().view(-1)
        for seed in seeds:
            gen = as_generator(seed)
            pos = (same_label_pairs(site, y, train, num_pos, gen) if positives == "label"
                   else similar_finding_pairs(x, train, num_pos))
            known = torch.cat([pos, pos.flip(0)], 1)
            mask = torch.zeros(p, dtype=torch.bool)
            mask[train] = True
            if baseline:
                raw = LogisticRegression(max_iter=2000).fit(xin[train].numpy(), y[train].numpy())
                rows.append({"held_out_site": int(held), "same_site_prob": float("nan"),
                             "seed": int(seed), "method": "heuristic:raw-features",
                             "probe_auc": float(roc_auc_score(
                                 y[test].numpy(), raw.predict_proba(xin[test].numpy())[:, 1]))})
            for pi in list(pis) + ([None] if include_uniform else []):
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed(int(seed))
                    model = torch.nn.Sequential(
                        torch.nn.Linear(x.size(1), hidden), torch.nn.ReLU(),
                        torch.nn.Linear(hidden, dim))
                opt = torch.optim.Adam(model.parameters(), lr=lr)
                if pi is None:
                    sampler = get_sampler("uniform", num_neg=num_neg, seed=int(seed),
                                          on_impossible="drop")
                    extra = {}
                else:
                    sampler = CrossSiteNegativeSampler(num_neg, same_site_prob=pi,
                                                       seed=int(seed), on_impossible="drop")
                    extra = {"site": site}
                for _ in range(epochs):
                    z = embed(model)
                    neg, keep = sampler.sample(known, p, pos_edge_index=pos, candidate_mask=mask,
                                               return_mask=True, **extra)
                    kept = pos[:, keep]
                    ps = (z[kept[0]] * z[kept[1]]).sum(1)
                    ns = (z[neg[0]] * z[neg[1]]).sum(1).view(kept.size(1), -1)
                    loss = logistic_ns_loss(ps, ns)
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                with torch.no_grad():
                    z = embed(model).double()
                zn = z / z.norm(dim=1, keepdim=True).clamp_min(1e-12)
                probe = LogisticRegression(max_iter=2000).fit(zn[train].numpy(), y[train].numpy())
                probe_auc = roc_auc_score(y[test].numpy(),
                                          probe.predict_proba(zn[test].numpy())[:, 1])
                train_auc = roc_auc_score(y[train].numpy(),
                                          probe.predict_proba(zn[train].numpy())[:, 1])
                zt = zn[test]
                iu = torch.triu_indices(test.numel(), test.numel(), 1)
                same = (y[test][iu[0]] == y[test][iu[1]]).numpy()
                pair_auc = roc_auc_score(same, (zt[iu[0]] * zt[iu[1]]).sum(1).numpy())
                site_probe = LogisticRegression(max_iter=2000).fit(zn[train].numpy(),
                                                                   site[train].numpy())
                site_acc = float(site_probe.score(zn[train].numpy(), site[train].numpy()))
                sited = torch.where(mask, site, torch.full_like(site, -1))
                fn = dom = float("nan")
                if pi is not None:
                    fn = float(false_negative_rates(sited, y, pi, anchors=pos[0].unique(),
                                                    edge_index=known).mean())
                    dom = domain_gradient_curve(z, sited, [pi], edge_index=known,
                                                anchors=pos[0].unique()).domain_share.iloc[0]
                rows.append({"held_out_site": int(held),
                             "same_site_prob": float("nan") if pi is None else float(pi),
                             "method": "uniform" if pi is None else f"π={pi:g}",
                             "seed": int(seed), "probe_auc": float(probe_auc),
                             "pair_auc": float(pair_auc), "train_probe_auc": float(train_auc),
                             "fn_rate": fn, "domain_share": float(dom),
                             "site_probe_acc": site_acc, "final_loss": float(loss.detach())})
    return pd.DataFrame(rows)


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
        Mean and sd over seeds per held-out site and ``π``.
    site_names : list of str
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

    def findings(self) -> List[str]:
        """Sentences computed from :attr:`effects` (held-out-site probe AUC, 95% intervals,
        paired by seed against uniform negatives; the raw-feature baseline beside)."""
        if self.effects.empty:
            return ["No held-out-site run: nothing to compare."]
        out = []
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
            base = part[part["method"] == "heuristic:raw-features"]
            emb = part[~is_baseline(part["method"])]
            if len(base) and len(emb):
                b, best = base.iloc[0], emb.loc[emb["mean"].idxmax()]
                rel = ("above" if best["ci_low"] > b["mean"] else
                       "below" if best["ci_high"] < b["mean"] else "level with")
                s += (f" The best embedding probe ({best['method']}, "
                      f"{format_interval(best['mean'], best['ci_low'], best['ci_high'])}) is "
                      f"{rel} a logistic regression on the raw findings ({b['mean']:.3f}).")
            out.append(s)
        return out

    def sections(self) -> List[Tuple[str, str]]:
        """The report's text: false negatives, domain share and the held-out-site runs."""
        pooled = self.false_negatives[self.false_negatives.site == "all"]
        return [
            ("Findings", "\n".join(f"- {x}" for x in self.findings())
             + "\n\nPositives are patient pairs with similar findings (Jaccard), never the "
               "diagnosis the probe predicts; the model embeds patients from their findings "
               "(one finding→patient aggregation and an MLP), not with a graph library's "
               "message passing over the HeteroData graph."),
            ("False negatives against the own-site share π",
             "Exact false-negative rate FN(u) = Σ_{n ∈ H(u)} q(n|u) of the cross-site "
             "sampler, pooled over all anchors (same diagnosis = false negative).\n\n"
             + markdown_table(pooled.drop(columns="site"))),
            ("Domain component of the negative gradient (generative model)",
             "Exact decomposition of E_q[g⁻] into the site-mean subspace and the rest, with "
             "Monte Carlo checks (columns _mc) at the requested π.\n\n"
             + markdown_table(self.domain)),
            ("Held-out-site generalisation (mean ± sd over seeds)",
             "Patient embeddings trained on three sites, evaluated on the fourth.\n\n"
             + markdown_table(self.summary, index=True, digits=3)
             + "\n\nMean over held-out sites:\n\n"
             + markdown_table(self.overall(), index=True, digits=3)),
        ]


def _flat(table: pd.DataFrame) -> pd.DataFrame:
    """``(metric, stat)`` columns as one header row: ``metric_stat``."""
    out = table.copy()
    out.columns = [f"{m}_{s}" for m, s in out.columns]
    return out


_GEN_COLS = ["probe_auc", "pair_auc", "site_probe_acc", "fn_rate", "domain_share"]


def run(data: Any = None, *, pis: Sequence[float] = (0.0, 1.0),
        seeds: Sequence[int] = (0, 1, 2, 3, 4), epochs: int = 40, num_neg: int = 5,
        mc_draws: int = 500, progress: bool = True) -> ClinicalStudy:
    r"""False negatives, domain share and held-out-site generalisation against ``π``.

    Parameters
    ----------
    data : Data, optional
        Default :func:`graphneg.datasets.uci_heart_disease`.
    pis : sequence of float in [0, 1]
        Own-site shares of the Monte Carlo check and the training runs; the exact
        curves use these and the grid 0, 0.1, ..., 1.
    seeds : sequence of int
        Training seeds.
    epochs, num_neg : int
    mc_draws : int
        Negatives per anchor in the Monte Carlo check.
    progress : bool
        Progress bars for the Monte Carlo check and the training seeds.

    Returns
    -------
    ClinicalStudy

    Notes
    -----
    Cost: ``len(seeds) · #sites · len(pis)`` training runs of ``epochs`` full-batch steps.

    Examples
    --------
    >>> res = run(pis=[0.0], seeds=[0], epochs=1, num_neg=1, mc_draws=5, progress=False)
    >>> sorted(set(res.generalisation.held_out)), sorted(set(res.generalisation.method))
    (['Cleveland', 'Hungary', 'Switzerland', 'VA Long Beach'], ['heuristic:raw-features', 'uniform', 'π=0'])
    """
    from graphneg.datasets import uci_heart_disease

    data = uci_heart_disease() if data is None else data
    p = data.num_patients
    site, y = data.site[:p], data.y[:p]
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
    seeds, each = list(seeds), bar("clinical: held-out-site training")
    gen = pd.concat([cross_site_generalisation(data, pis, seeds=[seed], epochs=epochs,
                                               num_neg=num_neg)
                     for seed in (each(seeds) if each else seeds)], ignore_index=True)
    gen["held_out"] = [data.site_names[i] for i in gen.held_out_site]
    trained = gen[gen["method"].str.startswith("π=")]
    summary = trained.groupby(["held_out", "same_site_prob"])[_GEN_COLS].agg(["mean", "std"])
    effects = effects_table(gen, _GEN_COLS + ["pair_auc"], group="held_out", method="method",
                            reference="uniform")
    effects = effects[effects["n_seeds"] > 0].reset_index(drop=True)
    return ClinicalStudy(fn, domain, gen, summary, list(data.site_names), effects)


def _bars(enabled: bool):
    """``desc -> (iterable -> tqdm bar)``, or ``desc -> None`` when disabled."""
    if not enabled:
        return lambda desc: None
    from tqdm.auto import tqdm
    return lambda desc: (lambda items: tqdm(items, desc=desc))
