"""The user's own graph: edge-list files (good and bad), .pt files, networkx, Data, datasets."""
from __future__ import annotations

import re

import networkx as nx
import numpy as np
import pytest
import torch
from graphneg.datasets import load_graph, load_user_graph, read_edge_list
from graphneg.cli import main
from graphneg.generators import erdos_renyi, stochastic_block_model
from torch_geometric.data import Data
from torch_geometric.datasets import FakeDataset
from torch_geometric.utils import is_undirected


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def pairs(data) -> set:
    u, v = data.edge_index
    keep = u < v
    return set(zip(u[keep].tolist(), v[keep].tolist()))


def named_pairs(data) -> set:
    return {frozenset((data.node_names[u], data.node_names[v])) for u, v in pairs(data)}


def assert_simple_undirected(data):
    ei, n = data.edge_index, data.num_nodes
    keys = ei[0] * n + ei[1]
    assert ei.dtype == torch.long and isinstance(n, int)
    assert not bool((ei[0] == ei[1]).any()) and bool((keys[1:] > keys[:-1]).all())
    assert is_undirected(ei, num_nodes=n)
    assert isinstance(data.num_dropped_self_loops, int)
    assert isinstance(data.num_dropped_duplicates, int)


# ----------------------------------------------------------------------------- good files

GOOD_FILES = {
    "header.csv": ("source,target,weight\n0,1,0.5\n1,2,1.5\n2,0,2\n", 3, {(0, 1), (1, 2), (0, 2)}),
    "no_header.csv": ("0,1\n1,2\n3,2\n", 4, {(0, 1), (1, 2), (2, 3)}),
    "tabs.tsv": ("src\tdst\n0\t1\n1\t3\n", 4, {(0, 1), (1, 3)}),
    "spaces.txt": ("# a comment\n\n  0   1 \n1 2  x y z\n% another comment\n2\t3\n", 4,
                   {(0, 1), (1, 2), (2, 3)}),
    "extra.edges": ("0 1 1999-01-01 label\n1 2 2001-05-05 other\n", 3, {(0, 1), (1, 2)}),
    "spaced.csv": ("0, 1\n1 , 2\n", 3, {(0, 1), (1, 2)}),
}


@pytest.mark.parametrize("name", sorted(GOOD_FILES))
def test_good_integer_files(tmp_path, name):
    text, num_nodes, expected = GOOD_FILES[name]
    data = read_edge_list(write(tmp_path, name, text))
    assert_simple_undirected(data)
    assert data.num_nodes == num_nodes and pairs(data) == expected
    assert "node_names" not in data and data.provenance.endswith(name)
    assert load_user_graph(tmp_path / name).edge_index.tolist() == data.edge_index.tolist()


def test_string_ids_are_relabelled_in_order_of_appearance(tmp_path):
    path = write(tmp_path, "people.csv", "person_a,person_b,since\n"  # not a header: names
                 "alice,bob,2019\nbob,\"Carol, Jr.\",2020\ndave,alice,x\n")
    data = read_edge_list(path)
    assert data.node_names == ["person_a", "person_b", "alice", "bob", "Carol, Jr.", "dave"]
    assert named_pairs(data) == {frozenset(p) for p in [("person_a", "person_b"), ("alice", "bob"),
                                                         ("bob", "Carol, Jr."), ("dave", "alice")]}
    with_header = read_edge_list(path, header=True)
    assert with_header.node_names == ["alice", "bob", "Carol, Jr.", "dave"]
    # a usual column name is recognised as a header without being told
    assert read_edge_list(write(tmp_path, "h.txt", "from to\na b\n")).node_names == ["a", "b"]


def test_line_ends_negative_and_mixed_ids(tmp_path):
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(b"source,target\r\n0,1\r\n\r\n# note\r\n1,2\r\n")
    assert pairs(read_edge_list(crlf)) == {(0, 1), (1, 2)}
    crlf.write_bytes(b"0,1\r\n\r\n1\r\n")
    with pytest.raises(ValueError, match=r"crlf\.csv, line 3: expected two node ids, got 1 field"):
        read_edge_list(crlf)
    negative = read_edge_list(write(tmp_path, "neg.txt", "-1 0\n0 1\n"))
    assert negative.node_names == ["-1", "0", "1"]  # not all non-negative integers: names
    mixed = read_edge_list(write(tmp_path, "mixed.txt", "007 a\n7 b\n"))
    assert mixed.node_names == ["007", "a", "7", "b"]  # names are kept as written


def test_self_loops_and_duplicates_are_dropped_and_counted(tmp_path):
    path = write(tmp_path, "dups.txt", "0 1\n1 0\n0 1\n2 2\n1 2\n")
    data = read_edge_list(path)
    assert pairs(data) == {(0, 1), (1, 2)}
    assert (data.num_dropped_self_loops, data.num_dropped_duplicates) == (1, 2)
    arcs = read_edge_list(path, directed=True)
    assert arcs.edge_index.tolist() == [[0, 1, 1], [1, 0, 2]]
    assert (arcs.num_dropped_self_loops, arcs.num_dropped_duplicates) == (1, 1)


def test_num_nodes_relabel_and_delimiter(tmp_path):
    path = write(tmp_path, "one_based.txt", "1 2\n2 5\n")
    assert read_edge_list(path).num_nodes == 6
    assert read_edge_list(path, num_nodes=10).num_nodes == 10
    relabelled = read_edge_list(path, relabel=True)
    assert relabelled.num_nodes == 3 and relabelled.node_names == ["1", "2", "5"]
    assert pairs(relabelled) == {(0, 1), (1, 2)}
    semi = read_edge_list(write(tmp_path, "semi.dat", "a;b\nb;c\n"), delimiter=";")
    assert semi.node_names == ["a", "b", "c"]
    padded = read_edge_list(write(tmp_path, "names.txt", "a b\n"), num_nodes=4)
    assert padded.num_nodes == 4 and padded.node_names == ["a", "b", "", ""]


# ----------------------------------------------------------------------------- bad files

@pytest.mark.parametrize("name, text, match", [
    ("g.csv", "source,target\n0,1\n1,2\n3,4\n4,5\n5,6\n7\n8,9\n",
     r"g\.csv, line 7: expected two node ids, got 1 field"),
    ("g.txt", "# header comment\n0 1\n\n2\n", r"g\.txt, line 4: expected two node ids, got 1 field"),
    ("w.csv", "0,1,heavy\n1,,light\n", r"w\.csv, line 2: expected two node ids, got an empty id "
                                        r"in column 2"),
    ("w2.csv", "0,1\n,2,x\n", r"w2\.csv, line 2: .*empty id in column 1"),
    ("one.csv", "0\n1\n2\n", r"one\.csv, line 1: expected two node ids, got 1 field"),
    ("empty.csv", "", r"empty\.csv: no edges \(the file is empty\)"),
    ("comments.txt", "# nothing\n\n", r"comments\.txt: no edges \(it holds only comments\)"),
    ("header_only.csv", "source,target\n", r"header_only\.csv: no edges \(only a header line\)"),
])
def test_bad_files_name_the_file_and_line(tmp_path, name, text, match):
    path = write(tmp_path, name, text)
    with pytest.raises(ValueError, match=match):
        read_edge_list(path)
    with pytest.raises(ValueError, match=match):
        load_user_graph(str(path))


def test_non_numeric_extra_column_is_fine_but_ids_beyond_num_nodes_are_not(tmp_path):
    path = write(tmp_path, "w.csv", "0,1,heavy\n1,2,light\n2,9,?\n")
    assert pairs(read_edge_list(path)) == {(0, 1), (1, 2), (2, 9)}
    with pytest.raises(ValueError, match=r"w\.csv, line 3: node id 9 is not below num_nodes = 5"):
        read_edge_list(path, num_nodes=5)
    with pytest.raises(ValueError, match=r"'num_nodes' parameter of read_edge_list must be at least"):
        read_edge_list(write(tmp_path, "n.txt", "a b\nb c\n"), num_nodes=2)


def test_missing_paths_and_bad_options(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"No such edge-list file: '.*nope\.csv'"):
        read_edge_list(tmp_path / "nope.csv")
    write(tmp_path, "graph.csv", "0,1\n")
    with pytest.raises(FileNotFoundError, match=r"No such graph file: '.*grahp\.csv'\. "
                                                 r"Did you mean 'graph\.csv'\?"):
        load_user_graph(tmp_path / "grahp.csv")
    with pytest.raises(ValueError, match=r"The 'delimiter' parameter of read_edge_list must be "
                                         r"one character"):
        read_edge_list(tmp_path / "graph.csv", delimiter=", ")
    with pytest.raises(TypeError, match=r"'directed' parameter of read_edge_list must be a bool"):
        read_edge_list(tmp_path / "graph.csv", directed="yes")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ValueError, match=r"bin\.txt: not a UTF-8 text file"):
        read_edge_list(binary)


# ----------------------------------------------------------------------------- other sources

def test_pt_round_trip_of_graphneg_generate(tmp_path):
    expected = stochastic_block_model([20, 30], [[0.3, 0.05], [0.05, 0.3]], seed=4)
    for suffix in (".pt", ".csv", ".txt"):
        out = tmp_path / f"g{suffix}"
        assert main(["generate", "sbm", "block_sizes=[20,30]",
                     "edge_probs=[[0.3,0.05],[0.05,0.3]]", "--seed", "4", "-o", str(out)]) == 0
        data = load_user_graph(out)
        assert torch.equal(data.edge_index, expected.edge_index), suffix
        assert data.num_dropped_duplicates == data.num_dropped_self_loops == 0
    data = load_user_graph(tmp_path / "g.pt")
    assert data.num_nodes == 50 and torch.equal(data.y, expected.y)
    # a bare edge_index tensor, and a .pt file that is not a graph
    torch.save(torch.tensor([[0, 1, 1], [1, 2, 2]]), tmp_path / "ei.pt")
    assert pairs(load_user_graph(tmp_path / "ei.pt")) == {(0, 1), (1, 2)}
    torch.save({"weights": torch.zeros(3)}, tmp_path / "state.pt")
    with pytest.raises(ValueError, match=r"state\.pt holds a dict; expected a torch_geometric Data"):
        load_user_graph(tmp_path / "state.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a torch file")
    with pytest.raises(ValueError, match=r"junk\.pt: not"):
        load_user_graph(tmp_path / "junk.pt")


def test_pt_with_arbitrary_objects_is_refused(tmp_path):
    data = Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=2)
    data.extra = np.arange(3)  # not allowed under weights_only
    torch.save(data, tmp_path / "odd.pt")
    with pytest.raises(ValueError, match=r"odd\.pt: not readable with "
                                         r"torch\.load\(weights_only=True\)"):
        load_user_graph(tmp_path / "odd.pt")


def test_networkx_graphs(tmp_path):
    g = nx.les_miserables_graph()
    data = load_user_graph(g)
    assert_simple_undirected(data)
    assert data.num_nodes == 77 and len(pairs(data)) == 254
    assert named_pairs(data) == {frozenset(e) for e in g.edges()}
    directed = nx.DiGraph([(0, 1), (1, 0), (1, 2), (2, 2)])
    d = load_user_graph(directed)
    assert pairs(d) == {(0, 1), (1, 2)}
    assert (d.num_dropped_self_loops, d.num_dropped_duplicates) == (1, 0)
    multi = nx.MultiDiGraph([(0, 1), (0, 1), (1, 0)])
    assert load_user_graph(multi).num_dropped_duplicates == 1
    empty = load_user_graph(nx.empty_graph(3))
    assert empty.num_nodes == 3 and empty.edge_index.shape == (2, 0)


def test_data_inputs_keep_node_attributes_and_drop_edge_attributes():
    ei = torch.tensor([[0, 1, 1, 2, 2, 3, 3], [1, 0, 2, 1, 2, 0, 0]])  # a loop, a repeat,
    data = Data(edge_index=ei, x=torch.randn(5, 3), edge_attr=torch.randn(7, 2), num_nodes=5)
    out = load_user_graph(data)  # missing reverses
    assert_simple_undirected(out)
    assert pairs(out) == {(0, 1), (1, 2), (0, 3)} and out.num_nodes == 5
    assert (out.num_dropped_self_loops, out.num_dropped_duplicates) == (1, 1)
    assert torch.equal(out.x, data.x) and "edge_attr" not in out
    assert data.edge_index is ei and "num_dropped_self_loops" not in data  # input untouched
    already = erdos_renyi(100, 0.05, seed=0)
    same = load_user_graph(already)
    assert torch.equal(same.edge_index, already.edge_index) and same.num_dropped_duplicates == 0


def test_datasets_give_their_first_graph():
    dataset = FakeDataset(num_graphs=3, avg_num_nodes=40, avg_degree=4, num_channels=8)
    first = dataset[0]
    data = load_user_graph(dataset)
    assert_simple_undirected(data)
    assert data.num_nodes == first.num_nodes and torch.equal(data.x, first.x)
    expected = {(min(u, v), max(u, v)) for u, v in first.edge_index.t().tolist() if u != v}
    assert pairs(data) == expected
    assert pairs(load_user_graph([first])) == expected
    with pytest.raises(ValueError, match=r"The list given to load_user_graph holds no graph"):
        load_user_graph([])


def test_names_and_unknown_inputs():
    karate = load_user_graph("karate")
    assert torch.equal(karate.edge_index, load_graph("karate").edge_index)
    assert karate.num_dropped_self_loops == 0
    with pytest.raises(ValueError, match=re.escape("Unknown graph 'lesmiss': not a shipped graph")
                       + r".*Did you mean 'lesmis'\?"):
        load_user_graph("lesmiss")
    with pytest.raises(TypeError, match=r"load_user_graph takes a graph name, a path.*Got int"):
        load_user_graph(3)
