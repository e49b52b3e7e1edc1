"""Data-parallel link prediction on 1 and 2 gloo ranks (forked processes on 127.0.0.1)."""
import torch

from support import partitioned_cases as cases
from support.distributed import run_ranks


def test_two_ranks_train_like_one_and_resume_on_another_world_size(tmp_path):
    one = run_ranks(cases.train, 1, tmp_path / "one", str(tmp_path / "ckpt1"), 20, False)[0]
    two = run_ranks(cases.train, 2, tmp_path / "two", str(tmp_path / "ckpt2"), 20, False)
    for a, b in zip(two[0]["weights"], two[1]["weights"]):  # gradients averaged: one model
        assert torch.equal(a, b)
    assert two[0]["test"] == two[1]["test"]
    assert one["test"]["auc"] > 0.7 and two[0]["test"]["auc"] > 0.7  # both learn (chance 0.5)
    assert abs(one["test"]["auc"] - two[0]["test"]["auc"]) < 0.05  # within seed noise
    # rank 0's checkpoint of the 2-rank run resumes on one rank for 3 more epochs
    more = run_ranks(cases.train, 1, tmp_path / "more", str(tmp_path / "ckpt2"), 23, True)[0]
    assert list(more["history"]["epoch"]) == list(range(1, 24))
    assert more["history"]["loss"][:20].tolist() == two[0]["history"]["loss"].tolist()
