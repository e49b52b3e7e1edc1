r"""Spike trains as contrastive data: uniform vs hard negatives (``graphneg spikes``).

Real locust spike trains (nitime, both recordings) are cut into non-overlapping windows.
The grid van Rossum distance of consecutive windows is checked against its closed form
and its error bound (:mod:`graphneg.spike_trains`); then, for every seed, a contrastive
encoder (:class:`graphneg.training.spikes.SpikeContrastiveTrainer`) is trained with
uniform negatives, hard negatives (uniform among the nearest windows by van Rossum
distance) and hard negatives without likely false negatives (``hard, filtered``: the
windows nearer to the anchor than ``margin`` times its jittered positive are left out),
and two tries at the hard-negative collapse: a wider filter (``hard, m=1.5``) and a
tenfold smaller learning rate (``hard, lr/10``).

Evaluation: two fixed jittered copies of every window per seed, one for validation
(model selection: the best-validation epoch is kept) and one for the test; each window
retrieves its own copy by cosine similarity among all copies (``test_*``, the uniform
protocol) or among the copies of its ``eval_num_hard`` nearest windows (``hard_*``, the
hard protocol). Baselines that need no learning are scored on the same copies: the raw
van Rossum embeddings (no encoder) and the untrained (randomly initialised) encoder.
Results are means over seeds with 95% intervals and differences paired by seed.
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Sequence

import pandas as pd
import torch

from graphneg._validation import checked_params

from ..findings import BASELINE_PREFIXES, is_baseline
from ._progress import Progress

__all__ = ["SAMPLERS", "METRICS", "load_windows", "run", "findings", "build_sections"]

#: The samplers compared: label -> (window_negatives mode, false-negative margin[, extra
#: trainer kwargs]). Beside uniform and hard: the two tries at the hard-negative collapse,
#: a wider near-duplicate filter (margin 1.5) and a tenfold smaller learning rate.
SAMPLERS = {"uniform": ("uniform", None), "hard": ("hard", None),
            "hard, filtered": ("hard", 1.0), "hard, m=1.5": ("hard", 1.5),
            "hard, lr/10": ("hard", None, {"lr": 0.001})}

#: Per-run metrics of the effects table.
METRICS = ("test_top1_acc", "test_mrr", "hard_top1_acc", "hard_mrr", "test_pos_cos",
           "test_neighbour_cos", "emphasis_first",
           "emphasis_last", "eta", "false_negative_share", "neg_pos_distance_ratio",
           "embedding_norm", "bias_share", "best_epoch")

#: The no-learning baselines.
RAW, UNTRAINED = "heuristic:van Rossum (raw)", "heuristic:untrained encoder"

GRAPH = "locust spike windows"


@checked_params
def load_windows(window: float = 0.1, recordings: Sequence[int] = (1, 2)):
    """Non-overlapping windows of the given recordings, as one :class:`SpikeTrains`.

    Examples
    --------
    >>> load_windows(0.1).num_trains  # doctest: +SKIP
    200
    """
    from graphneg.datasets.spikes import grasshopper_windows
    from graphneg.spike_trains import SpikeTrains

    lists: List[List[float]] = []
    for rec in recordings:
        st = grasshopper_windows(rec, window=window)
        lists += [st.times[st.ptr[i]:st.ptr[i + 1]].tolist() for i in range(st.num_trains)]
    return SpikeTrains.from_list(lists, t_start=0.0, t_stop=window)


def _baselines(tr: Any) -> Dict[str, Dict[str, float]]:
    """Test retrieval of the raw embeddings and of the untrained encoder (before fit)."""
    from graphneg.training.spikes import retrieval_metrics

    raw = retrieval_metrics(tr.emb, tr._eval_emb["test"])
    raw.update({f"hard_{k}": v for k, v in retrieval_metrics(
        tr.emb, tr._eval_emb["test"], tr._eval_hard).items()})
    untrained = tr.evaluate("test")
    return {RAW: raw, UNTRAINED: untrained}


@checked_params
def run(*, epochs: int = 80, tau: float = 0.005, window: float = 0.1,
        split_ratio: float = 0.5, seeds: Sequence[int] = (0, 1, 2, 3, 4),
        num_points: int = 1001, samplers: Mapping[str, Any] = SAMPLERS,
        recordings: Sequence[int] = (1, 2), num_neg: int = 5, num_hard: int = 5,
        eval_num_hard: int = 10, progress: bool = False) -> Dict[str, pd.DataFrame]:
    """Check the grid van Rossum distance, then train every sampler for every seed.

    Parameters
    ----------
    epochs : int
        Contrastive training epochs per run.
    tau : float
        van Rossum time constant in seconds.
    window : float
        Window length in seconds.
    split_ratio : float
        Early / late split point of the temporal emphasis ratio.
    seeds : sequence of int
        One run per seed and sampler (jitter copies, initialisation, draws).
    num_points : int
        Grid points of the distance check (training uses 200).
    samplers : mapping label -> (mode, margin) or (mode, margin, trainer kwargs)
        Default :data:`SAMPLERS`.
    recordings : sequence of int
        nitime locust recordings (1, 2).
    num_neg, num_hard, eval_num_hard : int
        Training negatives per anchor, the hard pool, the hard protocol's candidates.
    progress : bool
        Progress lines (with an ETA) on stderr.

    Returns
    -------
    dict of str to DataFrame
        ``spikes_runs``: one row per method and seed (test metrics under both protocols
        and the training measures; baselines ``heuristic:*``); ``spikes_history``: one
        row per run and epoch; ``spikes_effects``: means, 95% intervals and paired
        differences against uniform; ``spikes_effects_vs_raw``: the same against the raw
        van Rossum baseline; ``van_rossum_check``: one row per pair of consecutive
        windows, ``exact_sq``, ``grid_sq``, ``bound``.
    """
    from graphneg.spike_trains import (
        grid_van_rossum_distance, time_grid, van_rossum_distance, van_rossum_embedding,
        van_rossum_grid_error_bound,
    )
    from graphneg.training.spikes import SpikeContrastiveTrainer

    from ..statistics import effects_table

    seeds = list(seeds)
    report = Progress("spikes", len(seeds) * len(samplers), enabled=progress)
    trains = load_windows(window, recordings)
    report.note(f"{trains.num_trains} windows of {window * 1e3:.0f} ms, "
                f"{float(trains.counts.double().mean()):.1f} spikes each on average")
    _, dt = time_grid(0.0, window, num_points)
    a = trains.index_select(torch.arange(0, trains.num_trains - 1))
    b = trains.index_select(torch.arange(1, trains.num_trains))
    exact = van_rossum_distance(a, b, tau=tau, squared=True)
    grid = grid_van_rossum_distance(van_rossum_embedding(a, tau=tau, num_points=num_points),
                                    van_rossum_embedding(b, tau=tau, num_points=num_points),
                                    tau=tau, dt=dt, squared=True)
    bound = van_rossum_grid_error_bound(a, b, tau=tau, dt=dt)
    report.note(f"grid van Rossum distance checked ({num_points} points, dt/tau = "
                f"{dt / tau:.3f})")
    rows, history = [], []
    for seed in seeds:
        for label, (mode, margin, *extra) in samplers.items():
            tr = SpikeContrastiveTrainer(trains, tau=tau, num_points=200, sampler=mode,
                                         num_neg=num_neg, num_hard=num_hard, epochs=epochs,
                                         split_ratio=split_ratio, false_negative_margin=margin,
                                         eval_num_hard=eval_num_hard, seed=seed, verbose=False,
                                         **(extra[0] if extra else {}))
            if label == next(iter(samplers)):  # same copies for every sampler of a seed
                for name, m in _baselines(tr).items():
                    rows.append({"sampler": name, "seed": seed,
                                 **{f"test_{k}" if not k.startswith("hard_") else k: v
                                    for k, v in m.items()}})
            h = tr.fit()
            test = tr.test()
            n = max(1, len(h) // 10)
            rows.append({"sampler": label, "seed": seed,
                         **{f"test_{k}" if not k.startswith("hard_") else k: v
                            for k, v in test.items()},
                         "emphasis_first": float(h["temporal_emphasis_ratio"].iloc[:n].mean()),
                         "emphasis_last": float(h["temporal_emphasis_ratio"].iloc[-n:].mean()),
                         "eta": float(h["eta"].median()),
                         "false_negative_share": float(h["false_negative_share"].mean()),
                         "neg_pos_distance_ratio": float(h["neg_pos_distance_ratio"].mean()),
                         "embedding_norm": float(h["embedding_norm"].iloc[-1]),
                         "bias_share": float(tr.model.bias.detach().norm())
                         / max(float(h["embedding_norm"].iloc[-1]), 1e-12),
                         "best_epoch": tr.best_epoch})
            history += [{"sampler": label, "seed": seed, **r} for r in h.to_dict("records")]
            report.step(f"{label} × seed {seed}: test MRR {test['mrr']:.3f}, hard-protocol "
                        f"MRR {test['hard_mrr']:.3f}")
    runs = pd.DataFrame(rows).assign(graph=GRAPH)
    metrics = [m for m in METRICS if m in runs]
    return {"spikes_runs": runs.drop(columns="graph"),
            "spikes_history": pd.DataFrame(history),
            "spikes_effects": effects_table(runs, metrics, reference="uniform"),
            "spikes_effects_vs_raw": effects_table(runs, metrics, reference=RAW),
            "van_rossum_check": pd.DataFrame({"exact_sq": exact.numpy(),
                                              "grid_sq": grid.numpy(),
                                              "bound": bound.numpy()})}


def findings(tables: Mapping[str, pd.DataFrame]) -> str:
    """Bullets computed from the effects: the distance check, learning, the encoder
    against the raw embeddings, the hard-negative collapse and its measured cause, and
    the temporal emphasis with intervals.

    Examples
    --------
    >>> chk = pd.DataFrame({"exact_sq": [1.0], "grid_sq": [1.01], "bound": [0.02]})
    >>> print(findings({"van_rossum_check": chk}).split("windows: ")[1])
    max |err| 1.00e-02, max bound 2.00e-02, all within bound: True.
    """
    from ..statistics import format_interval, paired_difference
    from ._effects import effect_of

    chk = tables["van_rossum_check"]
    err = (chk["grid_sq"] - chk["exact_sq"]).abs()
    lines = [f"- van Rossum D^2 on the grid vs the closed form over {len(chk)} pairs of "
             f"consecutive windows: max |err| {err.max():.2e}, max bound "
             f"{chk['bound'].max():.2e}, "
             f"all within bound: {bool((err <= chk['bound'] + 1e-12).all())}."]
    eff, raw, hist = (tables.get(k) for k in ("spikes_effects", "spikes_effects_vs_raw",
                                              "spikes_history"))
    if eff is None or eff.empty:
        return "\n".join(lines)

    def fmt(r, diff=False):
        if r is None:
            return "n/a"
        if diff:
            return format_interval(r["diff_vs_uniform"], r["diff_ci_low"], r["diff_ci_high"])
        return format_interval(r["mean"], r["ci_low"], r["ci_high"])

    samplers = [s for s in dict.fromkeys(eff.sampler)
                if not str(s).startswith(BASELINE_PREFIXES)]
    n_seeds = int(eff["n_seeds"].max())
    lines[0] = f"- From {n_seeds} seeds; 95% intervals, differences paired by seed. " + lines[0][2:]
    if hist is not None and not hist.empty:
        first = hist[hist.epoch == hist.epoch.min()].groupby("sampler", sort=False)["val_mrr"]
        last = hist[hist.epoch == hist.epoch.max()].groupby("sampler", sort=False)["val_mrr"]
        best = hist.groupby(["sampler", "seed"], sort=False)["val_mrr"].max().groupby(
            "sampler", sort=False)
        lines.append("- Learning curves (validation MRR, uniform protocol, mean over seeds; "
                     "first → best → last epoch): " + "; ".join(
                         f"{s} {first.mean()[s]:.3f} → {best.mean()[s]:.3f} → "
                         f"{last.mean()[s]:.3f}" for s in samplers if s in first.mean()) + ".")
    for metric, proto in (("test_mrr", "uniform"), ("hard_mrr", "hard")):
        r0 = effect_of(raw, RAW, metric)
        parts = []
        for s in samplers + [UNTRAINED]:
            r = effect_of(raw, s, metric)
            if r is None:
                continue
            verdict = ("above" if r["diff_vs_uniform"] > 0 else "below") if r["measurable"] \
                else "not measurably different from"
            parts.append(f"{s.replace('heuristic:', '')} {fmt(r)} ({verdict} raw, "
                         f"Δ {fmt(r, True)})")
        lines.append(f"- {proto.capitalize()} retrieval protocol, test MRR: the raw van Rossum "
                     f"embeddings with no encoder reach {fmt(r0)}; " + "; ".join(parts) + ".")
    hard = effect_of(eff, "hard", "test_mrr")
    if hard is not None and hard["measurable"] and hard["diff_vs_uniform"] < 0:
        fn_h, fn_u = effect_of(eff, "hard", "false_negative_share"), effect_of(
            eff, "uniform", "false_negative_share")
        nm_h, nm_u = effect_of(eff, "hard", "embedding_norm"), effect_of(
            eff, "uniform", "embedding_norm")
        rt = effect_of(eff, "hard", "neg_pos_distance_ratio")
        pc_h, pc_u = effect_of(eff, "hard", "test_pos_cos"), effect_of(eff, "uniform",
                                                                         "test_pos_cos")
        nc_h, nc_u = effect_of(eff, "hard", "test_neighbour_cos"), effect_of(
            eff, "uniform", "test_neighbour_cos")
        bs_h, bs_u = effect_of(eff, "hard", "bias_share"), effect_of(eff, "uniform", "bias_share")
        text = (f"- Hard window negatives lower test MRR against uniform by {fmt(hard, True)}, "
                "and validation MRR falls while training goes on (learning curves). Measured "
                f"cause: the nearest windows are barely farther from the anchor than its own "
                f"jittered copy (mean d(u, n)/d(u, u') = {fmt(rt)}; uniform negatives "
                f"{fmt(effect_of(eff, 'uniform', 'neg_pos_distance_ratio'))}), so z_n ≈ z_u and "
                "the score s(u, n) = z_u·z_n ≈ ‖z_u‖² is lowered mostly by shrinking the "
                f"embeddings: the mean norm ends at {fmt(nm_h)} (uniform {fmt(nm_u)}), and "
                "shrinking z lowers z_u·z_n without separating u from n: the cosine of a "
                f"window with the copies of its nearest windows rises to {fmt(nc_h)} (uniform "
                f"{fmt(nc_u)}; with its own copy {fmt(pc_h)}, uniform {fmt(pc_u)}), so near "
                "windows end up more alike, not less, which cosine retrieval "
                "cannot survive. "
                + (f"The encoder's shared bias is not what aligns them (‖b‖/‖z‖ {fmt(bs_h)}, "
                   f"uniform {fmt(bs_u)}); the map W itself merges the neighbours."
                   if bs_h is not None and bs_u is not None and bs_h["mean"] <= bs_u["mean"]
                   else f"The encoder's shared bias takes a larger part of z (‖b‖/‖z‖ "
                        f"{fmt(bs_h)}, uniform {fmt(bs_u)}) and aligns the windows.")
                + f" False negatives are not the cause either: {fmt(fn_h)} of the hard "
                f"negatives are nearer than the copy (uniform {fmt(fn_u)}),")
        fil = effect_of(eff, "hard, filtered", "test_mrr")
        if fil is not None:
            fnf = effect_of(eff, "hard, filtered", "false_negative_share")
            runs = tables["spikes_runs"].set_index(["sampler", "seed"])["test_mrr"]
            d = paired_difference(runs.loc["hard, filtered"].sort_index().values,
                                  runs.loc["hard"].sort_index().values)
            text += (f" and leaving them out (hard, filtered: share {fmt(fnf)}) gives test MRR "
                     f"{fmt(fil)}: Δ vs hard {format_interval(*d[:3])}, still below uniform "
                     f"by {fmt(fil, True)}.")
        else:
            text += " which a filter would address."
        lines.append(text)
        tries = []
        for label, what in (("hard, m=1.5", "leaving out every window nearer than 1.5 times "
                                            "the copy (near-duplicates, not only false "
                                            "negatives)"),
                            ("hard, lr/10", "a tenfold smaller learning rate")):
            r = effect_of(eff, label, "test_mrr")
            if r is None or hist is None or label not in set(hist.sampler):
                continue
            h = hist[hist.sampler == label]
            best = h.groupby("seed")["val_mrr"].max().mean()
            last = h[h.epoch == h.epoch.max()]["val_mrr"].mean()
            collapsed = last < 0.8 * best
            tries.append(f"{what} ({label}): test MRR {fmt(r)}, Δ vs uniform "
                         f"{fmt(r, True)}; validation MRR best {best:.3f}, last epoch "
                         f"{last:.3f}: " + ("it still collapses" if collapsed else
                                            "no collapse"))
        if tries:
            lines.append("- Tries at the collapse, same seeds: " + "; ".join(tries) + ".")
    for s in samplers:
        e0, e1 = effect_of(eff, s, "emphasis_first"), effect_of(eff, s, "emphasis_last")
        if e0 is not None and e1 is not None:
            lines.append(f"- Temporal emphasis ratio (early / late gradient mass) with {s}: "
                         f"{fmt(e0)} over the first tenth of training, {fmt(e1)} over the "
                         "last.")
    return "\n".join(lines)


def build_sections(tables: Mapping[str, pd.DataFrame], *, eval_num_hard: int = 10):
    """The report's sections: findings, protocols, the interval tables."""
    from ._effects import interval_table

    eff = tables["spikes_effects"]
    trained = eff[~is_baseline(eff.sampler)]
    protocol = (f"Graph: {GRAPH} (nitime locust recordings, non-overlapping windows). Per "
                "seed two jittered copies of every window are drawn once: validation (the "
                "best-validation epoch by MRR is kept) and test (untouched until the end), "
                "shared by every sampler and baseline. **uniform** protocol: each window "
                "retrieves its own test copy among all copies by cosine similarity. "
                f"**hard** protocol: among the copies of its {eval_num_hard} nearest windows "
                "by van Rossum distance only (no candidate is the window itself). Baselines "
                "with no learning (in italics): the raw van Rossum embeddings and the untrained "
                "encoder.")
    body = ("Retrieval (test, mean [95% interval]; Δ paired against uniform, `*`: excludes 0):"
            "\n\n" + interval_table(eff, {"test_mrr": "MRR", "test_top1_acc": "top-1"},
                                    diff="test_mrr")
            + "\n\nHard protocol:\n\n"
            + interval_table(eff, {"hard_mrr": "MRR", "hard_top1_acc": "top-1"},
                             diff="hard_mrr")
            + "\n\nTraining measures (η: sampling efficiency; d ratio: mean d(u,n)/d(u,u'); "
              "FN share: negatives nearer than the positive; ‖z‖ at the end):\n\n"
            + interval_table(trained, {"eta": "η", "neg_pos_distance_ratio": "d ratio",
                                       "false_negative_share": "FN share"})
            + "\n\n" + interval_table(trained, {"test_pos_cos": "cos(u, own copy)",
                                                "test_neighbour_cos": "cos(u, near copies)"})
            + "\n\n" + interval_table(trained, {"bias_share": "‖b‖/‖z‖",
                                                "embedding_norm": "‖z‖"})
            + "\n\n" + interval_table(trained, {
                                                "emphasis_first": "emphasis, first",
                                                "emphasis_last": "emphasis, last"}))
    return [("Findings", findings(tables)), ("Evaluation protocols", protocol),
            ("Results (mean [95% interval] over seeds)", body)]
