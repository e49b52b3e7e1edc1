"""Findings are computed from the effects: winners only when the paired interval excludes 0."""
import pandas as pd

from graphneg.analysis.findings import recommendations, write_findings
from graphneg.analysis.statistics import effects_table


def _runs():
    rows = []
    for seed, noise in enumerate([0.0, 0.01, -0.01, 0.02, -0.02]):
        for s, auc, mrr in (("uniform", 0.70, 0.30), ("hard", 0.78, 0.36), ("flat", 0.70, 0.30)):
            rows.append({"graph": "sbm", "sampler": s, "seed": seed, "test_auc": auc + noise,
                         "heart_mrr": mrr + (noise if s != "flat" else -noise),
                         "eta": 2.0 if s == "uniform" else 1.5,
                         "neg_sigmoid": 0.3 if s == "uniform" else 0.33,
                         "pos_residual": 0.4 if s == "uniform" else 0.6})
        rows.append({"graph": "sbm", "sampler": "heuristic:ra", "seed": seed,
                     "test_auc": 0.80 + noise, "heart_mrr": 0.2, "eta": float("nan")})
        for s in ("uniform", "hard"):
            rows.append({"graph": "er", "sampler": s, "seed": seed, "test_auc": 0.5 + noise,
                         "heart_mrr": 0.17 + noise, "eta": 3.0})
    return pd.DataFrame(rows)


def test_recommendation_needs_a_measurable_win():
    eff = effects_table(_runs(), ["test_auc", "heart_mrr", "eta"])
    rec = recommendations(eff).set_index(["graph", "protocol"])
    assert rec.loc[("sbm", "uniform"), "recommendation"] == "hard"
    assert rec.loc[("er", "uniform"), "recommendation"].startswith("uniform (no measurable")
    assert rec.loc[("sbm", "uniform"), "best_baseline"].startswith("ra 0.8")


def test_sentences_follow_the_numbers():
    eff = effects_table(_runs(), ["test_auc", "heart_mrr", "eta", "neg_sigmoid",
                                  "pos_residual"])
    text = write_findings(eff, {"er": "null", "sbm": "learnable"}, chance={"test_auc": 0.5})
    joined = "\n".join(text)
    assert "er is the null model" in joined and "includes chance" in joined
    assert "On sbm under the uniform protocol (test_auc), hard beats uniform" in joined
    assert "Best baseline: ra" in joined
    assert "largest change of η" in joined
    # the reason is measured: 0.33/0.3 = x1.10 on the negatives, 0.6/0.4 = x1.50 on positives
    assert "×1.10" in joined and "×1.50" in joined and "mostly through the positives" in joined
    assert not any("On er" in t for t in text)  # null graphs get no winner sentence


def test_learning_sentences_use_val_rise_and_the_untrained_model():
    rows = []
    for seed, noise in enumerate([0.0, 0.01, -0.01, 0.02, -0.02]):
        for g, rise in (("sbm", 0.2), ("ba", 0.0)):
            rows.append({"graph": g, "sampler": "uniform", "seed": seed, "test_auc": 0.7 + noise,
                         "val_rise": rise + abs(noise) * (g == "sbm") + noise * (g == "ba")})
            rows.append({"graph": g, "sampler": "heuristic:pa", "seed": seed,
                         "test_auc": 0.72 + noise})
            rows.append({"graph": g, "sampler": "baseline:untrained", "seed": seed,
                         "test_auc": 0.69 + noise})
    eff = effects_table(pd.DataFrame(rows), ["test_auc", "val_rise"])
    text = "\n".join(write_findings(eff, {"sbm": "learnable", "ba": "learnable"}))
    assert "rises above its epoch-1 value on sbm" in text
    assert "On ba the validation AUC does not rise measurably" in text
    assert "The untrained model already scores test_auc 0.69" in text
    assert "sbm -0.020 (uniform vs pa)" in text and "ba -0.020 (uniform vs pa)" in text
    # the untrained model is a baseline: never recommended as a sampler
    assert "baseline:untrained" not in recommendations(eff).recommendation.tolist()


def test_a_loss_is_explained_by_measured_hardness_only_when_it_is_there():
    rows = []
    for seed, noise in enumerate([0.0, 0.01, -0.01, 0.02, -0.02]):
        for s, auc, h in (("uniform", 0.75, 0.1), ("structural", 0.60, 0.9), ("flat", 0.70, 0.12)):
            rows.append({"graph": "sbm", "sampler": s, "seed": seed, "test_auc": auc + noise / 3,
                         "heart_mrr": 0.2, "hard_negative_rate": h + noise / 10})
    eff = effects_table(pd.DataFrame(rows), ["test_auc", "heart_mrr", "hard_negative_rate"])
    text = "\n".join(write_findings(eff, {"sbm": "learnable"}))
    assert "Measurably worse than uniform: structural" in text and "flat" in text
    assert "structural draws negatives that share neighbours with their anchor (h_k 0.90–0.90" \
        in text
    assert "flat draw" not in text  # its h_k is not twice uniform's: no such reason given
