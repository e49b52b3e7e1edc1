import torch
from graphneg.datasets import uci_heart_disease


def test_uci_heart_disease_graph():
    data = uci_heart_disease()
    p = data.num_patients
    assert p == 920 and data.is_undirected()
    assert torch.bincount(data.site[:p]).tolist() == [304, 293, 123, 200]
    assert bool((data.site[p:] == -1).all()) and bool((data.y[p:] == -1).all())
    # bipartite: every edge joins a patient and a finding
    ei = data.edge_index
    assert bool(((ei[0] < p) != (ei[1] < p)).all())
    # the incidence rows are the edges
    assert int(data.x_patient.sum()) * 2 == ei.size(1)
    # one finding per observed variable: 13 variables minus the missing ones
    missing_per_patient = 13 - data.x_patient.sum(1)
    assert int(missing_per_patient.sum()) == sum(data.num_missing.values())
    # disease rates per site (from the published table)
    rate = [float(data.y[:p][data.site[:p] == s].double().mean()) for s in range(4)]
    assert [round(r, 3) for r in rate] == [0.457, 0.362, 0.935, 0.745]
    # Switzerland measured no cholesterol (coded 0 in the source)
    chol = [i for i, n in enumerate(data.finding_names) if "chol" in n]
    assert float(data.x_patient[data.site[:p] == 2][:, chol].sum()) == 0
