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
    # per held-out site: two π, the uniform reference and the two baselines
    assert len(res.generalisation) == 4 * 5
    assert set(res.generalisation["method"]) == {"π=0", "π=1", "uniform",
                                                 "heuristic:raw-features",
                                                 "baseline:untrained-gnn"}
    assert set(res.generalisation.held_out) == set(res.site_names)
    assert list(res.summary.index.names) == ["held_out", "method"]
    assert not res.summary.xs("mean", axis=1, level=1).isna().any().any()
    vs = res.versus_baselines()
    assert set(vs.baseline) == {"heuristic:raw-features", "baseline:untrained-gnn"}
    assert (vs[vs.held_out == "all sites"].n == 4).all()
    assert list(res.overall().index) == [0.0, 1.0]
    headings = [h for h, _ in res.sections()]
    assert headings[0] == "Findings" and headings[1].startswith("False negatives")
    assert len(headings) == 4 and "Held out Cleveland:" in res.sections()[0][1]
    import re
    assert not re.search(r"\bnan\b", "".join(text for _, text in res.sections()).lower())
    # the summary CSV has one header row: metric_stat columns, not a two-level header
    flat = res.tables()["clinical_generalisation_summary"]
    assert "probe_auc_mean" in flat.columns and flat.columns.nlevels == 1


def test_the_training_graph_never_holds_the_diagnosis():
    import torch
    from graphneg.analysis.studies.clinical import SIMILAR, patient_graph
    from graphneg.datasets import uci_heart_disease
    data = uci_heart_disease(as_hetero=True)
    train = (data["patient"].site != 2).nonzero().view(-1)
    shuffled = uci_heart_disease(as_hetero=True)
    g = torch.Generator().manual_seed(0)
    shuffled["patient"].y = data["patient"].y[torch.randperm(920, generator=g)]

    def parts(d, positives):
        graph = patient_graph(d, train, num_pos=3, positives=positives,
                              gen=torch.Generator().manual_seed(1))
        return graph, [graph[et].edge_index for et in graph.edge_types]

    graph, edges = parts(data, "findings")
    assert "y" not in graph["patient"] and "severity" not in graph["patient"]
    assert graph["patient"].num_nodes == train.numel()       # held-out patients absent
    assert all(torch.equal(a, b) for a, b in zip(edges, parts(shuffled, "findings")[1]))
    # the leaking variant does change with the diagnoses: the check can fail
    label_edges = parts(data, "label")[1]
    assert not torch.equal(label_edges[-1], parts(shuffled, "label")[1][-1])
    sim = graph[SIMILAR].edge_index
    assert not bool((sim[0] == sim[1]).any()) and sim.size(1) > 0


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
