"""The clinical study on the shipped UCI data at its smallest settings."""
from graphneg.analysis.studies import clinical


def test_run_tables_and_checks():
    res = clinical.run(pis=[0.0, 1.0], seeds=[0], epochs=1, num_neg=2, mc_draws=200,
                       progress=False)
    assert list(res.tables()) == ["clinical_false_negatives",
                                  "clinical_domain_gradient_simulated",
                                  "clinical_generalisation", "clinical_generalisation_summary",
                                  "effects"]
    pooled = res.false_negatives[res.false_negatives.site == "all"]
    assert pooled.same_site_prob.tolist() == [i / 10 for i in range(11)]
    assert pooled.fn_rate.is_monotonic_increasing
    checked = res.domain.dropna(subset=["domain_share_mc"])
    assert checked.same_site_prob.tolist() == [0.0, 1.0]
    assert ((checked.domain_share - checked.domain_share_mc).abs() < 0.05).all()
    assert ((checked.fn_rate - checked.fn_rate_mc).abs() < 0.02).all()
    # per held-out site: two π, the uniform reference and the raw-feature baseline
    assert len(res.generalisation) == 4 * 4
    assert set(res.generalisation["method"]) == {"π=0", "π=1", "uniform",
                                                 "heuristic:raw-features"}
    assert set(res.generalisation.held_out) == set(res.site_names)
    assert list(res.summary.index.names) == ["held_out", "same_site_prob"]
    assert list(res.overall().index) == [0.0, 1.0]
    headings = [h for h, _ in res.sections()]
    assert headings[0] == "Findings" and headings[1].startswith("False negatives")
    assert len(headings) == 4 and "Held out Cleveland:" in res.sections()[0][1]
    # the summary CSV has one header row: metric_stat columns, not a two-level header
    flat = res.tables()["clinical_generalisation_summary"]
    assert "probe_auc_mean" in flat.columns and flat.columns.nlevels == 1


def test_positives_never_use_the_diagnosis():
    import torch
    from graphneg.analysis.clinical import similar_finding_pairs
    from graphneg.datasets import uci_heart_disease
    data = uci_heart_disease()
    p = int(data.num_patients)
    train = torch.arange(0, p, 2)
    pos = similar_finding_pairs(data.x_patient, train, 3)
    # the pairs are a function of the findings only: shuffling the diagnoses changes nothing
    assert torch.equal(pos, similar_finding_pairs(data.x_patient.clone(), train, 3))
    assert bool(torch.isin(pos, train).all()) and not bool((pos[0] == pos[1]).any())
    # each partner is among the most similar by Jaccard (brute force on a few anchors)
    x = (data.x_patient[train] > 0).double()
    for i in range(0, 30, 7):
        a = int(train[i])
        inter = (x * x[i]).sum(1)
        jac = inter / (x.sum(1) + x[i].sum() - inter)
        jac[i] = -1
        partners = pos[1, pos[0] == a]
        assert jac[torch.searchsorted(train, partners)].min() >= jac.topk(3).values.min()
