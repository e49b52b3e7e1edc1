"""Where a study's runs go: the process pool and a local Ray cluster give the same results."""
import faulthandler
import importlib.util
import sys

import pandas as pd
import pytest

import support.tasks
from graphneg.analysis.studies._backends import TaskFailure, run_tasks
from graphneg.analysis.studies.topology import compare_topologies
from graphneg.commands.compare import PRESETS
from support.tasks import always_fails, dies, flaky

needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                               reason="Ray is the optional extra: pip install "
                                      "'graphneg[distributed]'")


@pytest.fixture(scope="module")
def ray_cluster():
    """One local two-CPU cluster for this module; the whole run is killed (with a
    traceback) if it is still here after ten minutes, so a stuck Ray cannot hang CI."""
    import ray
    faulthandler.dump_traceback_later(600, exit=True)
    ray.cloudpickle.register_pickle_by_value(support.tasks)  # workers lack tests/ on the path
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()
    faulthandler.cancel_dump_traceback_later()


def _tiny(**kw):
    tiny = PRESETS["tiny"]
    return compare_topologies(tiny["graphs"], tiny["samplers"], tiny["seeds"],
                              epochs=tiny["epochs"], patience=tiny["patience"], progress=False,
                              **kw)


def _untimed(df):
    return df[[c for c in df.columns if not c.endswith("time_s") and c != "elapsed_s"]]


@needs_ray
def test_ray_gives_the_process_results_and_resumes_across_backends(ray_cluster, tmp_path):
    process = _tiny(store=tmp_path / "process")
    on_ray = _tiny(backend="ray", store=tmp_path / "ray")
    pd.testing.assert_frame_equal(_untimed(on_ray), _untimed(process))  # bit for bit
    stored = sorted((tmp_path / "ray").glob("run-*.csv"))
    assert len(stored) == 4  # every run streamed into the store as it finished
    for path in stored[:2]:  # an interrupted Ray sweep, finished on the local pool
        path.unlink()
    resumed = _tiny(store=tmp_path / "ray", resume=True)
    pd.testing.assert_frame_equal(_untimed(resumed), _untimed(process))


@needs_ray
def test_ray_retries_a_failed_task_once_then_reports_it(ray_cluster, tmp_path):
    marker = str(tmp_path / "tried")
    out = dict(run_tasks(flaky, [("flaky", marker)], backend="ray"))
    assert out == {"flaky": "ok"}  # the second attempt succeeded
    out = dict(run_tasks(always_fails, [("bad", "run")], backend="ray"))
    assert out == {"bad": TaskFailure("ValueError: broken run", 2)}


def test_process_backend_retries_once_then_reports_a_failed_run(tmp_path):
    out = dict(run_tasks(flaky, [("a", str(tmp_path / "a"))]))
    assert out == {"a": "ok"}
    out = dict(run_tasks(always_fails, [("b", "run")]))
    assert out == {"b": TaskFailure("ValueError: broken run", 2)}
    # in a pool: a raised error and a dead worker both cost a retry, then become failures
    out = dict(run_tasks(flaky, [("c", str(tmp_path / "c"))], jobs=2))
    assert out == {"c": "ok"}
    out = dict(run_tasks(dies, [("e", 3)], jobs=2))
    assert out["e"].attempts == 2 and out["e"].error.startswith("BrokenProcessPool")


def _killed(task):
    raise MemoryError("worker killed")


def test_failed_worker_becomes_a_failed_run_row(monkeypatch):
    monkeypatch.setattr(sys.modules[compare_topologies.__module__], "_run_one", _killed)
    df = compare_topologies(["karate"], ["uniform"], [0], epochs=1, progress=False,
                            baselines=None)
    assert df["error"].tolist() == ["MemoryError: worker killed (2 attempts)"]


def test_missing_ray_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'graphneg\[distributed\]'"):
        list(run_tasks(abs, [(0, -1)], backend="ray"))


def test_backend_arguments_are_checked():
    with pytest.raises(ValueError, match="'backend' parameter of run_tasks must be one of"):
        list(run_tasks(abs, [(0, -1)], backend="dask"))
    with pytest.raises(ValueError, match="'address' parameter of run_tasks needs backend='ray'"):
        list(run_tasks(abs, [(0, -1)], address="auto"))
    with pytest.raises(ValueError, match="distinct keys"):
        list(run_tasks(abs, [(0, -1), (0, -2)]))


def test_compare_address_needs_the_ray_backend(tmp_path, capsys):
    from graphneg.cli import main
    assert main(["compare", "--preset", "tiny", "--address", "auto", "--out",
                 str(tmp_path)]) == 2
    assert "--address needs --backend ray" in capsys.readouterr().err
