"""Faults and files: checkpoints that know their configuration, atomic writes that never
follow a link, whole-or-marked study folders, one-line file-system errors, and runs
killed with SIGKILL that resume to the numbers of an uninterrupted run."""
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import torch

from graphneg._files import atomic_write
from graphneg.analysis.report import StudyReport, is_complete, write_study
from graphneg.cli import main
from graphneg.training.loop import CHECKPOINT_NAME, ConfigMismatchError, Trainer


class Tiny(Trainer):
    def __init__(self, *, width=1, lr=0.1, **kw):
        super().__init__(**kw)
        with self.rng_scope():
            self.model = torch.nn.Linear(width, 1)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=lr)

    def train_step(self, epoch):
        with torch.no_grad():
            self.model.weight.add_(self.optimizer.param_groups[0]["lr"])
        return {"loss": float(self.model.weight.sum())}


# ------------------------------------------------------------------ checkpoints
def test_a_checkpoint_refuses_another_configuration_naming_the_differences(tmp_path):
    Tiny(epochs=2, checkpoint_dir=tmp_path, verbose=False, seed=0).fit()
    with pytest.raises(ConfigMismatchError, match=r"lr: checkpoint 0.1, now 0.5; seed: "
                                                  r"checkpoint 0, now 1\. Resume with the same"):
        Tiny(epochs=3, lr=0.5, checkpoint_dir=tmp_path, verbose=False, seed=1).fit(resume=True)
    with pytest.raises(ConfigMismatchError, match="width: checkpoint 1, now 2"):
        Tiny(epochs=3, width=2, checkpoint_dir=tmp_path, verbose=False, seed=0).fit(resume=True)
    # more epochs is allowed; asked for, a new lr applies to the restored optimiser
    hist = Tiny(epochs=3, lr=0.5, checkpoint_dir=tmp_path, verbose=False, seed=0).fit(
        resume=True, allow_config_change=True)
    assert hist["loss"].diff().round(6).tolist()[1:] == [0.1, 0.5]


def test_resume_without_a_checkpoint_is_an_error_and_stale_temporaries_go(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint to resume"):
        Tiny(epochs=1, checkpoint_dir=tmp_path, verbose=False).fit(resume=True)
    stale = [tmp_path / ".checkpoint-abc123.tmp", tmp_path / f".{CHECKPOINT_NAME}.x9.tmp"]
    for path in stale:
        path.write_bytes(b"\0" * 1000)  # what a kill during torch.save leaves
    Tiny(epochs=1, checkpoint_dir=tmp_path, verbose=False).fit()
    assert sorted(os.listdir(tmp_path)) == [CHECKPOINT_NAME]


def test_a_checkpoint_dir_that_is_a_file_fails_before_training(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ValueError, match="'checkpoint_dir' parameter of Tiny must be a folder"):
        Tiny(epochs=1, checkpoint_dir=tmp_path / "f")


def test_an_unknown_monitor_is_a_value_error_too():
    with pytest.raises(ValueError, match="monitored key 'bogus' is not in the epoch row"):
        Tiny(epochs=1, monitor="bogus", verbose=False).fit()


# ----------------------------------------------------------------------- files
def test_atomic_write_replaces_a_planted_link_instead_of_following_it(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("results.csv", "report.md", "a.png"):
        (out / name).symlink_to(outside)
    rep = StudyReport("Demo", tables={"results": pd.DataFrame({"a": [1]})})
    write_study(out, rep)
    atomic_write(out / "a.png", lambda fh: fh.write(b"png"), binary=True)
    assert outside.read_text() == "precious"
    assert not (out / "results.csv").is_symlink() and (out / "a.png").read_bytes() == b"png"


def test_a_study_folder_is_whole_or_marked_incomplete(tmp_path):
    import matplotlib.pyplot as plt

    class Broken:  # a figure whose save fails half-way (a kill, a full disk)
        def savefig(self, fh, **kw):
            fh.write(b"half a png")
            raise OSError(28, "No space left on device")

    tables = {"summary": pd.DataFrame({"a": [1]})}
    write_study(tmp_path, StudyReport("Old", tables=tables))
    assert is_complete(tmp_path)
    with pytest.raises(OSError):
        write_study(tmp_path, StudyReport("New", tables=tables,
                                          figures={"f.png": (Broken(), "f")}))
    assert not is_complete(tmp_path) and (tmp_path / ".incomplete").exists()
    assert not (tmp_path / "f.png").exists()  # no torn or 0-byte figure
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    fig = plt.figure()
    write_study(tmp_path, StudyReport("New", tables=tables, figures={"f.png": (fig, "f")}))
    assert is_complete(tmp_path)
    assert (tmp_path / ".complete").read_text().split() == ["summary.csv", "f.png", "report.md"]


def test_file_system_failures_end_in_one_line_and_exit_1(tmp_path, capsys, monkeypatch):
    (tmp_path / "file").write_text("x")
    assert main(["train", "--out", str(tmp_path / "file"), "--epochs", "1", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"graphneg: error: --out must be a folder, not a file: "
                                        f"'{tmp_path / 'file'}'"]
    import graphneg._files as files

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "g.csv"))
    monkeypatch.setattr(files.os, "replace", full)
    assert main(["generate", "star", "num_nodes=5", "-o", str(tmp_path / "g.csv")]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"graphneg: error: No space left on device: "
                                        f"'{tmp_path / 'g.csv'}'"]
    assert not list(tmp_path.glob(".g.csv.*"))
    monkeypatch.undo()
    # a missing folder for generate -o is made
    assert main(["generate", "star", "num_nodes=5", "-o", str(tmp_path / "new" / "g.csv")]) == 0


# ------------------------------------------------------------- kill and resume
def _kill_when(args, ready, cwd, timeout=300):
    """Start ``graphneg ARGS``, SIGKILL it as soon as ``ready()`` holds; True if killed
    before it finished."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cli = "import sys; from graphneg.cli import main; sys.exit(main())"
    proc = subprocess.Popen([sys.executable, "-c", cli, *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if ready():
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.002)
        return proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()


def _numbers(table):
    return table.drop(columns=[c for c in table.columns if "time" in c or "elapsed" in c])


def test_train_killed_mid_run_resumes_to_the_uninterrupted_numbers(tmp_path):
    args = ["train", "--graph", "karate", "--epochs", "15", "--hidden", "8", "--quiet"]
    assert main(args + ["--out", str(tmp_path / "full")]) == 0
    ckpt = tmp_path / "killed" / CHECKPOINT_NAME

    def some_epochs_done():
        return ckpt.exists()
    assert _kill_when(args + ["--out", "killed"], some_epochs_done, tmp_path)
    assert not (tmp_path / "killed" / "history.csv").exists()  # it was mid-run
    assert main(args + ["--out", str(tmp_path / "killed"), "--resume"]) == 0
    full = pd.read_csv(tmp_path / "full" / "history.csv")
    resumed = pd.read_csv(tmp_path / "killed" / "history.csv")
    pd.testing.assert_frame_equal(_numbers(resumed), _numbers(full))
    assert (tmp_path / "killed" / "test.json").read_text() == \
        (tmp_path / "full" / "test.json").read_text()
    assert sorted(os.listdir(tmp_path / "killed")) == [CHECKPOINT_NAME, "history.csv",
                                                       "test.json"]


def test_compare_killed_mid_study_resumes_to_the_uninterrupted_numbers(tmp_path):
    args = ["compare", "--preset", "tiny", "--graphs", "er:num_nodes=40,edge_prob=0.1",
            "star:num_nodes=30", "--quiet"]
    assert main(args + ["--out", str(tmp_path / "full")]) == 0
    runs = tmp_path / "killed" / "runs"

    def first_run_stored():
        return runs.is_dir() and any(p.suffix == ".csv" for p in runs.iterdir())
    assert _kill_when(args + ["--out", "killed", "--jobs", "1"], first_run_stored, tmp_path)
    assert not is_complete(tmp_path / "killed")
    assert main(args + ["--out", str(tmp_path / "killed"), "--resume"]) == 0
    assert is_complete(tmp_path / "killed")
    for name in ("summary.csv", "results.csv"):
        full = pd.read_csv(tmp_path / "full" / name)
        resumed = pd.read_csv(tmp_path / "killed" / name)
        pd.testing.assert_frame_equal(_numbers(resumed), _numbers(full))
