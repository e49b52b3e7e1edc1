r"""Geographic graphs from data shipped in installed packages (no download).

* :func:`us_airport_routes` — 514 US airports (nodes, with latitude, longitude,
  state and census region) joined by the domestic routes flown in July 2026
  (edges). Airports and routes come from ``bokeh-sampledata`` (module
  ``bokeh_sampledata.airport_routes``): airport locations are public-domain
  OurAirports records; routes are derived from the U.S. DOT Bureau of
  Transportation Statistics *Reporting Carrier On-Time Performance* data
  (completed, non-diverted flights of July 2026, carrier-origin-destination
  combinations seen at least four times) — public domain, source credit retained.
  The state of each airport comes from ``airportsdata`` (MIT licence, by Mike
  Borsetti, compiled from public sources), joined on the IATA code.
* :func:`world_airports` — the ~28k airports and landing strips of ``airportsdata``
  with coordinates and country (no edges): a large point set for the spatial
  sampler's benchmark.

Install with ``pip install bokeh-sampledata airportsdata`` (the ``geo`` extra).
"""
from __future__ import annotations

from typing import Tuple

import numpy as np
import torch
from torch_geometric.data import Data

__all__ = ["us_airport_routes", "world_airports", "CENSUS_REGIONS"]

#: U.S. Census Bureau regions (Northeast, Midwest, South, West) by state name;
#: territories get "Territories".
CENSUS_REGIONS = {
    **dict.fromkeys(["Connecticut", "Maine", "Massachusetts", "New Hampshire", "Rhode Island",
                     "Vermont", "New Jersey", "New York", "Pennsylvania"], "Northeast"),
    **dict.fromkeys(["Illinois", "Indiana", "Michigan", "Ohio", "Wisconsin", "Iowa", "Kansas",
                     "Minnesota", "Missouri", "Nebraska", "North Dakota", "South Dakota"],
                    "Midwest"),
    **dict.fromkeys(["Delaware", "Florida", "Georgia", "Maryland", "North Carolina",
                     "South Carolina", "Virginia", "District of Columbia", "West Virginia",
                     "Alabama", "Kentucky", "Mississippi", "Tennessee", "Arkansas", "Louisiana",
                     "Oklahoma", "Texas"], "South"),
    **dict.fromkeys(["Arizona", "Colorado", "Idaho", "Montana", "Nevada", "New Mexico", "Utah",
                     "Wyoming", "Alaska", "California", "Hawaii", "Oregon", "Washington"],
                    "West"),
}


def _require(module: str, package: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(f"This dataset needs the '{package}' package: pip install {package} "
                          f"(or graphneg[geo]).") from err


def _codes(labels) -> Tuple[torch.Tensor, list]:
    names = sorted(set(labels))
    index = {n: i for i, n in enumerate(names)}
    return torch.tensor([index[x] for x in labels], dtype=torch.long), names


def us_airport_routes(*, drop_isolated: bool = True) -> Data:
    r"""US domestic airport route graph (July 2026) with coordinates and regions.

    Parameters
    ----------
    drop_isolated : bool, default True
        Drop the 162 airports with no route in the sample (node ids are then
        relabelled ``0 .. N-1`` in the original order); ``False`` keeps all 514.

    Returns
    -------
    torch_geometric.data.Data
        ``num_nodes = 352`` airports (514 with ``drop_isolated=False``); ``edge_index`` (LongTensor, shape (2, E)):
        undirected routes (an airport pair is joined if a route was flown in either
        direction), both directions stored, coalesced, no self-loops;
        ``lat``, ``lon`` (float64, shape (N,), degrees); ``state`` (long, shape (N,))
        with names in ``state_names``; ``region`` (long, shape (N,)): U.S. Census
        region, names in ``region_names``; ``iata`` (list of str); ``num_flights``
        is not given (the sample has no counts).

    Notes
    -----
    Provenance in the module docstring. The BTS code ``PBI`` appears as ``DJT`` in
    the OurAirports snapshot and is looked up as ``PBI`` in ``airportsdata``.
    Cost ``O(E log E)``.

    Examples
    --------
    >>> data = us_airport_routes()
    >>> data.num_nodes, data.num_edges, data.is_undirected(), data.region_names[:2]
    (352, 6034, True, ['Midwest', 'Northeast'])
    """
    from torch_geometric.utils import coalesce, to_undirected

    from graphneg._validation import check_bool

    check_bool(drop_isolated, "drop_isolated", owner="us_airport_routes")

    sample = _require("bokeh_sampledata", "bokeh-sampledata")
    airportsdata = _require("airportsdata", "airportsdata")
    import pandas as pd

    airports = pd.read_csv(sample.package_path("airports.csv"))
    routes = pd.read_csv(sample.package_path("routes.csv.gz"),
                         dtype={"AirlineID": str, "Codeshare": str, "Equipment": str})
    iata = airports["IATA"].tolist()
    index = {code: i for i, code in enumerate(iata)}
    src = routes["Source"].map(index)
    dst = routes["Destination"].map(index)
    keep = src.notna() & dst.notna()
    ei = torch.tensor(np.stack([src[keep].to_numpy(np.int64), dst[keep].to_numpy(np.int64)]))
    ei = ei[:, ei[0] != ei[1]]
    n = len(iata)
    ei = coalesce(to_undirected(ei, num_nodes=n), num_nodes=n)
    airports = airports.reset_index(drop=True)
    if drop_isolated:
        has_route = torch.zeros(n, dtype=torch.bool)
        has_route[ei[0]] = True
        relabel = torch.cumsum(has_route.long(), 0) - 1
        ei = relabel[ei]
        airports = airports[has_route.numpy()].reset_index(drop=True)
        iata = airports["IATA"].tolist()
        n = len(iata)
    lookup = airportsdata.load("IATA")
    states = []
    for code, country in zip(iata, airports["Country"]):
        rec = lookup.get("PBI" if code == "DJT" else code)
        sub = rec["subd"] if rec is not None and rec.get("subd") else country
        states.append(sub)
    state, state_names = _codes(states)
    region, region_names = _codes([CENSUS_REGIONS.get(s, "Territories") for s in states])
    return Data(edge_index=ei, num_nodes=n,
                lat=torch.tensor(airports["Latitude"].to_numpy(np.float64)),
                lon=torch.tensor(airports["Longitude"].to_numpy(np.float64)),
                state=state, state_names=state_names, region=region,
                region_names=region_names, iata=iata)


def world_airports() -> Data:
    r"""All airports of ``airportsdata`` (~28k) as points: coordinates and country, no edges.

    Returns
    -------
    torch_geometric.data.Data
        ``edge_index`` empty (2, 0); ``lat``, ``lon`` (float64, degrees);
        ``country`` (long) with ISO codes in ``country_names``; ``icao`` (list of str).

    Examples
    --------
    >>> data = world_airports()
    >>> data.num_nodes > 25000, bool(data.lat.abs().max() <= 90)
    (True, True)
    """
    airportsdata = _require("airportsdata", "airportsdata")
    recs = airportsdata.load("ICAO")
    codes = sorted(recs)
    lat = torch.tensor([float(recs[c]["lat"]) for c in codes], dtype=torch.float64)
    lon = torch.tensor([float(recs[c]["lon"]) for c in codes], dtype=torch.float64)
    country, names = _codes([recs[c]["country"] for c in codes])
    return Data(edge_index=torch.empty(2, 0, dtype=torch.long), num_nodes=len(codes), lat=lat,
                lon=lon, country=country, country_names=names, icao=codes)
