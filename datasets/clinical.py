r"""Multi-site clinical data as an attributed bipartite patient–finding graph.

:func:`uci_heart_disease` loads the four-site UCI heart-disease data shipped with
graphneg (``heart_disease_uci.csv``; attribution and licence in
``heart_disease_uci.md`` beside it: Janosi, Steinbrunn, Pfisterer, Detrano, UCI ML
Repository 1988, CC BY 4.0). 920 patients from Cleveland, Hungary, Switzerland and
VA Long Beach; each patient is joined to the *findings* it shows — categorical
values (sex, chest-pain type, resting ECG, exercise angina, ST slope, thallium
result, number of vessels, fasting blood sugar) and binned measurements (age,
resting blood pressure, cholesterol, maximal heart rate, ST depression). The
diagnosis (``num > 0``: angiographic disease) is the label, not an edge.

Sites differ in case mix (disease rates 36 % to 93 %) and in what they measured
(Switzerland recorded no cholesterol; most non-Cleveland patients lack ``ca`` and
``thal``): a real domain shift.
"""
from __future__ import annotations

import pathlib
from typing import Dict, List, Union

import numpy as np
import torch
from torch_geometric.data import Data, HeteroData

__all__ = ["uci_heart_disease", "HEART_SITES"]

#: Site names, in the order of the site ids.
HEART_SITES = ("Cleveland", "Hungary", "Switzerland", "VA Long Beach")

_CATEGORICAL = ("sex", "cp", "fbs", "restecg", "exang", "slope", "thal", "ca")
#: Bin edges (left-closed) for the measured variables.
_BINS = {
    "age": [40, 50, 60],
    "trestbps": [120, 140, 160],
    "chol": [200, 240],
    "thalch": [120, 150],
    "oldpeak": [0.0001, 1.0, 2.0],
}
_OLDPEAK_NAMES = ("oldpeak≤0", "0<oldpeak<1", "1≤oldpeak<2", "2≤oldpeak")


def uci_heart_disease(*, as_hetero: bool = False) -> Union[Data, HeteroData]:
    r"""The four-site UCI heart-disease data as a bipartite patient–finding graph.

    Parameters
    ----------
    as_hetero : bool, default False
        Return a ``HeteroData`` with node types ``"patient"`` and ``"finding"``
        instead of one ``Data`` with masks (layout below).

    Returns
    -------
    torch_geometric.data.Data
        Nodes ``0 .. P-1`` are the ``P = 920`` patients, ``P .. P+F-1`` the findings.

        * ``edge_index`` (LongTensor, shape (2, 2M)): patient–finding incidences,
          both directions.
        * ``site`` (LongTensor, (N,)): site id of a patient (names in
          ``site_names``), ``-1`` for findings — the input of
          :class:`~graphneg.samplers.CrossSiteNegativeSampler`.
        * ``y`` (LongTensor, (N,)): diagnosis ``num > 0`` for patients, ``-1`` for
          findings; ``severity`` (``num``, 0–4, ``-1`` for findings).
        * ``x_patient`` (FloatTensor, (P, F)): the patients' 0/1 finding rows.
        * ``node_type`` (0 patient, 1 finding), ``num_patients``, ``finding_names``,
          ``site_names``, ``num_missing`` (dict: variable -> patients without a
          finding for it).

    torch_geometric.data.HeteroData
        With ``as_hetero=True``: the same graph with two node types and two relations.

        * ``data["patient"]``: ``num_nodes = P``, ``x`` (FloatTensor (P, F), the 0/1
          finding rows, equal to its edges), ``site``, ``y``, ``severity`` (LongTensor
          (P,)).
        * ``data["finding"]``: ``num_nodes = F``, ``x`` (the (F, F) identity: one
          learnable row per finding in a linear layer), ``name`` (list of F str).
        * ``data["patient", "has", "finding"].edge_index`` (2, M) and its reverse
          ``data["finding", "rev_has", "patient"].edge_index`` (2, M) for message
          passing (the names ``T.ToUndirected`` gives); local ids on each side.
        * ``finding_names``, ``site_names``, ``num_missing`` as above.

    Notes
    -----
    Missing values (empty cells, and ``chol = 0`` / ``trestbps = 0``, which encode
    "not measured") give *no* finding for that variable: nothing is imputed; the
    counts are in ``num_missing``. Bins are left-closed with edges ``_BINS``;
    ``oldpeak`` bins are ``≤ 0``, ``(0, 1)``, ``[1, 2)``, ``≥ 2``.

    Examples
    --------
    >>> data = uci_heart_disease()
    >>> data.num_patients, data.site_names[2], int((data.site == 2).sum())
    (920, 'Switzerland', 123)
    >>> data.num_missing["chol"]
    202
    >>> h = uci_heart_disease(as_hetero=True)
    >>> h.node_types, h.edge_types
    (['patient', 'finding'], [('patient', 'has', 'finding'), ('finding', 'rev_has', 'patient')])
    >>> h["patient", "has", "finding"].num_edges * 2 == data.num_edges
    True
    """
    from graphneg._validation import check_bool
    as_hetero = check_bool(as_hetero, "as_hetero", owner="uci_heart_disease")
    import pandas as pd

    df = pd.read_csv(pathlib.Path(__file__).with_name("heart_disease_uci.csv"))
    site_index = {s: i for i, s in enumerate(HEART_SITES)}
    site = df["dataset"].map(site_index).to_numpy(np.int64).copy()
    df.loc[df["chol"] == 0, "chol"] = np.nan
    df.loc[df["trestbps"] == 0, "trestbps"] = np.nan
    columns: List[np.ndarray] = []
    names: List[str] = []
    num_missing: Dict[str, int] = {}
    for col in _CATEGORICAL:
        values = df[col]
        num_missing[col] = int(values.isna().sum())
        for v in sorted(values.dropna().unique(), key=str):
            columns.append((values == v).to_numpy())
            names.append(f"{col}={v if not isinstance(v, float) else int(v)}")
    for col, edges in _BINS.items():
        values = df[col].to_numpy(np.float64)
        num_missing[col] = int(np.isnan(values).sum())
        idx = np.digitize(values, edges)
        bounds = [-np.inf] + edges + [np.inf]
        for b in range(len(edges) + 1):
            columns.append(~np.isnan(values) & (idx == b))
            lo = "" if np.isinf(bounds[b]) else f"{bounds[b]:g}≤"
            hi = "" if np.isinf(bounds[b + 1]) else f"<{bounds[b + 1]:g}"
            names.append(_OLDPEAK_NAMES[b] if col == "oldpeak" else f"{lo}{col}{hi}")
    x = torch.tensor(np.stack(columns, 1), dtype=torch.float32)
    p, f = x.shape
    pat, fin = x.nonzero(as_tuple=True)
    severity_p = torch.from_numpy(df["num"].to_numpy(np.int64).copy())
    if as_hetero:
        return _hetero(x, pat, fin, torch.from_numpy(site), severity_p, names, num_missing)
    fin = fin + p
    edge_index = torch.cat([torch.stack([pat, fin]), torch.stack([fin, pat])], 1)
    n = p + f
    site_t = torch.full((n,), -1, dtype=torch.long)
    site_t[:p] = torch.from_numpy(site)
    severity = torch.full((n,), -1, dtype=torch.long)
    severity[:p] = severity_p
    y = torch.where(severity > 0, 1, torch.where(severity == 0, 0, -1))
    node_type = torch.ones(n, dtype=torch.long)
    node_type[:p] = 0
    return Data(edge_index=edge_index, num_nodes=n, site=site_t, y=y, severity=severity,
                x_patient=x, node_type=node_type, num_patients=p, finding_names=names,
                site_names=list(HEART_SITES), num_missing=num_missing)


def _hetero(x: torch.Tensor, pat: torch.Tensor, fin: torch.Tensor, site: torch.Tensor,
            severity: torch.Tensor, names: List[str], num_missing: Dict[str, int]) -> HeteroData:
    """The ``as_hetero=True`` layout of :func:`uci_heart_disease` (local ids per type)."""
    p, f = x.shape
    data = HeteroData()
    data["patient"].num_nodes = p
    data["patient"].x = x
    data["patient"].site = site
    data["patient"].y = (severity > 0).long()
    data["patient"].severity = severity
    data["finding"].num_nodes = f
    data["finding"].x = torch.eye(f)
    data["finding"].name = list(names)
    data["patient", "has", "finding"].edge_index = torch.stack([pat, fin])
    data["finding", "rev_has", "patient"].edge_index = torch.stack([fin, pat])
    data.finding_names, data.site_names = list(names), list(HEART_SITES)
    data.num_missing = num_missing
    return data
