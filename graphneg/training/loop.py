r"""The epoch loop every graphneg trainer shares: :class:`Trainer`.

The loop
--------
Every trainer in graphneg (link prediction, hyperedge contrast, skip-gram,
audio-text, spike-train, CRF and Poincaré trainers, one module each in
:mod:`graphneg.training`) runs the same loop::

    for epoch in 1..epochs:
        on_epoch_start(epoch)              # hook, optional (refresh an ANN index ...)
        row  = train_step(epoch)           # hook, required: one epoch, returns a dict
        row |= {"val_" + k: v for k, v in evaluate("val").items()}   # hook, optional
        row |= {"epoch", "wall_time_s", "elapsed_s"}
        early stopping on row[monitor]; keep the best weights in memory
        checkpoint (atomic) ; on_epoch_end(epoch, row)    # hook, optional
    restore the best weights (restore_best=True)

and returns :attr:`Trainer.history`, a :class:`pandas.DataFrame` with one row per
epoch. What the loop owns, so subclasses never rewrite it:

* **Early stopping** on ``monitor`` (a row key such as ``"val_auc"``), direction
  ``monitor_mode`` (``"max"``/``"min"``), ``patience`` epochs without a strict
  improvement; ``patience=None`` trains all ``epochs``. A trainer that declares the
  keys of its rows (:attr:`Trainer.row_keys`) refuses an unknown ``monitor`` when it
  is built; otherwise the first epoch's row decides (:class:`MonitorKeyError`).
* **Checkpoints.** With ``checkpoint_dir`` set, after every epoch the loop writes
  ``checkpoint_dir/checkpoint.pt`` = model + optimiser + loop state (epoch, best
  value and epoch, best weights, patience counter, history rows) + the trainer's
  RNG state + :meth:`Trainer.extra_state` (the sampler's RNG state, ...) + the
  configuration. The file is written by :func:`graphneg._files.atomic_write`
  (temporary name in the same folder, fsync, :func:`os.replace`): a kill at any
  moment leaves the previous or the new checkpoint, never a torn one.
* **Bit-for-bit resume.** ``fit(resume=True)`` loads the checkpoint and continues
  with the next epoch (no checkpoint: :class:`FileNotFoundError`); the resumed
  history and final weights equal those of an uninterrupted run with the same
  seed, bit for bit on CPU (only the wall-time columns differ).
* **The configuration travels with the checkpoint.** A trainer records the
  arguments it was built with (:attr:`Trainer.config`: every argument of the
  subclass's ``__init__``, tensors and graphs as shape + SHA-256 fingerprints,
  objects by ``repr``); a checkpoint stores them and ``fit(resume=True)`` refuses
  one made with other arguments, naming each difference (:class:`ConfigMismatchError`).
  ``epochs``, ``checkpoint_dir`` and ``verbose`` may change (train longer, move the
  folder). ``fit(resume=True, allow_config_change=True)`` continues anyway and
  applies the new optimiser settings (``lr`` ...) to the restored optimiser.
* **No litter.** Temporary ``.checkpoint.pt.*.tmp`` files that a kill during a write
  left in ``checkpoint_dir`` are removed when the next run starts.
* **Randomness without global state.** The trainer owns one
  :class:`torch.Generator` (``self.generator``, from ``seed``) for its own draws,
  and a private copy of torch's *global* CPU RNG state used for code that can
  only draw from the global RNG (weight initialisation of ``torch.nn`` layers,
  dropout). :meth:`Trainer.rng_scope` swaps that private state in with
  :func:`torch.random.fork_rng` and saves it back on exit, so the caller's
  global RNG is never changed, and the private state is checkpointed. The loop
  runs every hook inside ``rng_scope``; build your modules inside it too.
* **Progress.** A tqdm bar over epochs, shown only when ``verbose=True`` *and*
  stderr is a terminal.

Writing a trainer
-----------------
Subclass :class:`Trainer`, build ``self.model`` (a :class:`torch.nn.Module`) and
``self.optimizer`` in ``__init__`` (after ``super().__init__``, inside
``with self.rng_scope():``), and write the hooks::

    class MyTrainer(Trainer):
        def __init__(self, data, *, epochs=100, seed=None, **loop_kwargs):
            super().__init__(epochs=epochs, seed=seed, monitor="val_acc", **loop_kwargs)
            with self.rng_scope():
                self.model = MyModel(...)
            self.optimizer = torch.optim.Adam(self.model.parameters(), lr=0.01)
            self.sampler = get_sampler("uniform", seed=self.generator)

        def train_step(self, epoch: int) -> dict:       # required
            ...                                          # one epoch of updates
            return {"loss": loss.item()}                 # plain floats/ints/strs

        def evaluate(self, split: str) -> dict:          # optional ("val" per epoch)
            return {"acc": ...}                          # the loop prefixes "val_"

        def extra_state(self) -> dict:                   # optional: more to checkpoint
            return {"sampler": self.sampler.state_dict()}  # RNG + any learnt state

        def load_extra_state(self, state: dict) -> None:
            self.sampler.load_state_dict(state["sampler"])

        row_keys = ("loss", "val_acc")   # optional: a wrong monitor fails at construction

Anything random a hook does must come from ``self.generator``, a generator saved
in :meth:`extra_state`, or the global RNG inside the loop's scope; then resume is
exact. Row values must be ``int``, ``float``, ``str`` or ``bool`` (checkpoints
are loaded with ``torch.load(weights_only=True)``). ``evaluate`` returning an
empty dict skips validation. Override :meth:`on_epoch_start` /
:meth:`on_epoch_end` for schedules (``on_epoch_end`` may raise to stop: the
checkpoint of that epoch is already written, which is how the tests simulate a
kill).

Cost: the loop itself is ``O(1)`` per epoch plus one ``torch.save`` of the model
and optimiser when checkpointing (``O(#parameters)``).
"""

from __future__ import annotations

import contextlib
import functools
import glob
import hashlib
import inspect
import math
import os
import re
import sys
import time
from typing import Any, Callable, ClassVar, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import pandas as pd
import torch
from torch import Tensor

from graphneg._files import atomic_write, remove_stale_temporaries
from graphneg._random import Seed, as_generator, spawn_seed
from graphneg._validation import check_bool, check_int, check_option, naming_lookups

__all__ = ["CHECKPOINT_NAME", "ConfigMismatchError", "MonitorKeyError", "Trainer"]


#: File name of the checkpoint inside ``checkpoint_dir``.
CHECKPOINT_NAME = "checkpoint.pt"


_Row = Dict[str, Union[int, float, str, bool]]

#: Constructor arguments a resumed run may change.
_RESUMABLE = frozenset({"epochs", "checkpoint_dir", "verbose"})


class MonitorKeyError(KeyError, ValueError):
    """``monitor`` names no key of the epoch row (a ``KeyError`` and a ``ValueError``)."""

    def __str__(self) -> str:
        return str(self.args[0])


#: Keys the loop itself writes into every epoch row.
_LOOP_KEYS = ("epoch", "wall_time_s", "elapsed_s")


def _check_monitor_key(monitor: Optional[str], keys: Sequence[str], owner: str) -> None:
    """Refuse a ``monitor`` outside ``keys`` (a key ending in ``*`` matches any suffix:
    ``"sampler_*"``) before any epoch, with :class:`MonitorKeyError`."""
    if monitor is None or any(monitor == k or (k.endswith("*") and monitor.startswith(k[:-1]))
                              for k in keys):
        return
    raise MonitorKeyError(f"The 'monitor' parameter of {owner} must name a key of the epoch "
                          f"row: one of {sorted(keys)}. Got {monitor!r} instead.")


class ConfigMismatchError(ValueError):
    """A checkpoint made with other trainer arguments than the run that resumes it."""


def _fingerprint(value: Any) -> Any:
    """A checkpoint-safe, comparable stand-in for a constructor argument."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Tensor):
        t = value.detach().cpu().contiguous()
        digest = hashlib.sha256(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
        return f"Tensor{tuple(t.shape)}:{t.dtype}:{digest.hexdigest()[:16]}"
    if isinstance(value, (list, tuple)):
        return [_fingerprint(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _fingerprint(v) for k, v in value.items()}
    if isinstance(value, torch.Generator):
        return "torch.Generator"
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    try:
        from torch_geometric.data.data import BaseData
    except ImportError:  # pragma: no cover
        BaseData = ()
    if isinstance(value, BaseData):
        return {f"{type(value).__name__}.{k}": _fingerprint(v) for k, v in
                sorted(value.to_dict().items(), key=lambda kv: str(kv[0]))
                if isinstance(v, (Tensor, int, float, str, dict))}
    return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))


def _plain(value: Any) -> Union[int, float, str, bool]:
    """A row value as a plain Python scalar (checkpoint-safe)."""
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Tensor) and value.numel() == 1:
        return value.item()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if value is None:
        return math.nan
    raise TypeError(f"Row values must be int, float, str or bool. Got {type(value).__name__} "
                    f"({value!r}) instead.")


class Trainer:
    r"""The epoch loop every graphneg trainer shares (see the module docstring).

    Parameters
    ----------
    epochs : int
        Maximum number of epochs, ``>= 1``.
    monitor : str or None
        Row key for early stopping and best-weight selection (e.g. ``"val_auc"``);
        ``None``: no early stopping, the last epoch is kept.
    monitor_mode : {"max", "min"}
        Whether larger or smaller ``monitor`` values are better.
    patience : int or None
        Stop after this many epochs without a strict improvement of ``monitor``
        (``None``: never stop early).
    restore_best : bool, default True
        At the end of :meth:`fit`, load the weights of the best epoch.
    checkpoint_dir : str or os.PathLike or None
        Where ``checkpoint.pt`` is written after every epoch (atomically).
    verbose : bool, default True
        Show a tqdm progress bar (only when stderr is a terminal).
    seed : int, torch.Generator or None
        Seeds ``self.generator`` and the private global-RNG state.

    Attributes
    ----------
    history : pandas.DataFrame
        One row per finished epoch.
    generator : torch.Generator
    model : torch.nn.Module
        Set by the subclass.
    optimizer : torch.optim.Optimizer
        Set by the subclass.
    best_epoch : int
        Epoch (1-based) of the best ``monitor`` value (the last epoch without monitor).
    stopped_early : bool

    Examples
    --------
    >>> class Fit(Trainer):
    ...     def __init__(self, **kw):
    ...         super().__init__(**kw)
    ...         with self.rng_scope():
    ...             self.model = torch.nn.Linear(1, 1)
    ...         self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)
    ...     def train_step(self, epoch):
    ...         x = torch.randn(8, 1)               # global RNG, inside the loop's scope
    ...         loss = ((self.model(x) - 2 * x) ** 2).mean()
    ...         self.optimizer.zero_grad(); loss.backward(); self.optimizer.step()
    ...         return {"loss": loss.item()}
    >>> hist = Fit(epochs=3, seed=0, verbose=False).fit()
    >>> list(hist.columns)
    ['epoch', 'loss', 'wall_time_s', 'elapsed_s']
    >>> Fit(epochs=3, seed=0, verbose=False).fit()["loss"].equals(hist["loss"])
    True
    """

    model: torch.nn.Module
    optimizer: torch.optim.Optimizer

    #: The keys :meth:`train_step` and ``"val_"`` + :meth:`evaluate` write into every epoch
    #: row of the class that declares them (``*`` ends a prefix: ``"sampler_*"``); ``None``:
    #: unknown. See :meth:`epoch_row_keys`.
    row_keys: ClassVar[Optional[Tuple[str, ...]]] = ("loss",)

    @classmethod
    def epoch_row_keys(cls) -> Optional[Tuple[str, ...]]:
        """The keys every epoch row carries, or ``None`` when unknown: a class whose
        :meth:`train_step` or :meth:`evaluate` is not the one of the class declaring
        :attr:`row_keys` (a subclass's own hooks) is checked after its first epoch.

        Examples
        --------
        >>> Trainer.epoch_row_keys()
        ('epoch', 'wall_time_s', 'elapsed_s', 'loss')
        >>> class Mine(Trainer):
        ...     def train_step(self, epoch): return {"acc": 1.0}
        >>> Mine.epoch_row_keys() is None
        True
        """
        owner = next(k for k in cls.__mro__ if "row_keys" in vars(k))
        if owner.row_keys is None or any(getattr(cls, hook) is not getattr(owner, hook)
                                         for hook in ("train_step", "evaluate")):
            return None
        return (*_LOOP_KEYS, *owner.row_keys)

    def __init_subclass__(cls, **kwargs: Any):
        """Wrap the subclass's ``__init__`` so the outermost call records its arguments."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return

        @functools.wraps(init)
        def recording_init(self, *args: Any, **kw: Any) -> None:
            if "_config_args" not in self.__dict__:
                bound = inspect.signature(init).bind(self, *args, **kw)
                bound.apply_defaults()
                params = inspect.signature(init).parameters
                found: Dict[str, Any] = {}
                for name, value in list(bound.arguments.items())[1:]:
                    if params[name].kind is inspect.Parameter.VAR_KEYWORD:
                        found.update(value)
                    elif params[name].kind is not inspect.Parameter.VAR_POSITIONAL:
                        found[name] = value
                self._config_args = found
                self._config_owner = cls.__name__  # a subclass without __init__ is the same run
            init(self, *args, **kw)

        cls.__init__ = recording_init

    @property
    def config(self) -> Dict[str, Any]:
        """The arguments this trainer was built with, as checkpoint-safe fingerprints
        (computed once: hashing the graph is ``O(size of the data)``)."""
        if "_config" not in self.__dict__:
            args = self.__dict__.get("_config_args", {})
            self._config = {"trainer": self.__dict__.get("_config_owner", type(self).__name__),
                            **{k: _fingerprint(v) for k, v in args.items()}}
        return dict(self._config)

    def __init__(self, *, epochs: int = 100, monitor: Optional[str] = None,
                 monitor_mode: str = "max", patience: Optional[int] = None,
                 restore_best: bool = True,
                 checkpoint_dir: Optional[Union[str, os.PathLike]] = None,
                 verbose: bool = True, seed: Seed = None):
        owner = type(self).__name__
        self.epochs = check_int(epochs, "epochs", low=1, owner=owner)
        if monitor is not None and not isinstance(monitor, str):
            raise TypeError(f"The 'monitor' parameter of {owner} must be a str or None. "
                            f"Got {monitor!r} instead.")
        keys = self.epoch_row_keys()
        if keys is not None:
            _check_monitor_key(monitor, keys, owner)
        self.monitor = monitor
        self.monitor_mode = check_option(monitor_mode, "monitor_mode", ("max", "min"), owner=owner)
        self.patience = None if patience is None else check_int(patience, "patience", low=1,
                                                                owner=owner)
        self.restore_best = check_bool(restore_best, "restore_best", owner=owner)
        self.checkpoint_dir = None if checkpoint_dir is None else os.fspath(checkpoint_dir)
        if self.checkpoint_dir is not None and os.path.exists(self.checkpoint_dir) \
                and not os.path.isdir(self.checkpoint_dir):
            raise ValueError(f"The 'checkpoint_dir' parameter of {owner} must be a folder. "
                             f"Got {self.checkpoint_dir!r}, which is a file, instead.")
        self.verbose = check_bool(verbose, "verbose", owner=owner)
        self.generator = as_generator(seed)
        self._torch_rng_state = torch.Generator().manual_seed(
            spawn_seed(self.generator)).get_state()
        self._rows: List[_Row] = []
        self._epoch = 0
        self._best_value: Optional[float] = None
        self.best_epoch = 0
        self._best_state: Optional[Dict[str, Tensor]] = None
        self._bad_epochs = 0
        self.stopped_early = False

    # ------------------------------------------------------------------ hooks
    def train_step(self, epoch: int) -> Dict[str, Any]:
        """One epoch of training; returns the row entries (``loss``, ...)."""
        raise NotImplementedError(f"{type(self).__name__} must implement train_step(epoch).")

    def evaluate(self, split: str) -> Dict[str, Any]:
        """Metrics on ``split`` (``"val"`` each epoch); ``{}`` means none."""
        return {}

    def test(self) -> Dict[str, Any]:
        """:meth:`evaluate` on ``"test"`` with the current (after :meth:`fit`: the best)
        weights, inside the trainer's RNG scope."""
        with self.rng_scope():
            return self.evaluate("test")

    def on_epoch_start(self, epoch: int) -> None:
        """Called before :meth:`train_step` (inside the RNG scope)."""

    def on_epoch_end(self, epoch: int, row: Dict[str, Any]) -> None:
        """Called after the epoch's checkpoint is written; may raise to stop."""

    def extra_state(self) -> Dict[str, Any]:
        """Extra checkpoint content (tensors, plain scalars, lists, dicts)."""
        return {}

    def load_extra_state(self, state: Dict[str, Any]) -> None:
        """Restore what :meth:`extra_state` returned."""

    # -------------------------------------------------------------- RNG scope
    @contextlib.contextmanager
    def rng_scope(self) -> Iterator[None]:
        """Run code on the trainer's private global-RNG state; the caller's
        global RNG is restored on exit (:func:`torch.random.fork_rng`)."""
        with torch.random.fork_rng(devices=[]):
            torch.set_rng_state(self._torch_rng_state)
            try:
                yield
            finally:
                self._torch_rng_state = torch.get_rng_state()

    # --------------------------------------------------------- for subclasses
    def _resolve_sampler(self, sampler: Any, sampler_kwargs: Optional[Dict[str, Any]],
                         num_neg: int, get: Callable[..., Any], sampler_type: type,
                         expected: str) -> Any:
        """The negative sampler of a sampler-driven trainer.

        A registered name is built by ``get(name, num_neg=num_neg, **kw)`` with
        ``on_impossible="drop"`` and a seed spawned from :attr:`generator` unless
        ``sampler_kwargs`` sets them; an instance of ``sampler_type`` is used as is;
        anything else raises ``TypeError`` (``expected`` words what was wanted).
        """
        if isinstance(sampler, str):
            kw = {"on_impossible": "drop", **(sampler_kwargs or {})}
            kw.setdefault("seed", spawn_seed(self.generator))
            with naming_lookups("sampler", owner=type(self).__name__):
                return get(sampler, num_neg=num_neg, **kw)
        if not isinstance(sampler, sampler_type):
            raise TypeError(f"The 'sampler' parameter of {type(self).__name__} must be "
                            f"{expected}. Got {type(sampler).__name__} instead.")
        return sampler

    # -------------------------------------------------------------- the loop
    @property
    def history(self) -> pd.DataFrame:
        """One row per finished epoch (a fresh DataFrame each access)."""
        return pd.DataFrame(self._rows)

    @property
    def checkpoint_path(self) -> Optional[str]:
        """``checkpoint_dir/checkpoint.pt`` or ``None``."""
        if self.checkpoint_dir is None:
            return None
        return os.path.join(self.checkpoint_dir, CHECKPOINT_NAME)

    def _improved(self, value: float) -> bool:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        if self._best_value is None:
            return True
        return value > self._best_value if self.monitor_mode == "max" else value < self._best_value

    def fit(self, *, resume: bool = False, allow_config_change: bool = False) -> pd.DataFrame:
        """Train up to ``epochs`` epochs; return :attr:`history`.

        Parameters
        ----------
        resume : bool
            Continue from ``checkpoint_dir/checkpoint.pt`` (a finished run is
            returned as is). A missing checkpoint raises :class:`FileNotFoundError`;
            one made with other arguments raises :class:`ConfigMismatchError`.
        allow_config_change : bool
            Resume a checkpoint made with other arguments (see the module docstring).
        """
        owner = type(self).__name__
        check_bool(resume, "resume", owner=owner)
        check_bool(allow_config_change, "allow_config_change", owner=owner)
        if not hasattr(self, "model") or not hasattr(self, "optimizer"):
            raise RuntimeError(f"{owner} must set self.model and self.optimizer before fit().")
        if resume and self.checkpoint_path is None:
            raise ValueError(f"The 'resume' parameter of {owner} needs a checkpoint_dir. "
                             f"Got checkpoint_dir=None instead.")
        if self.checkpoint_dir is not None:
            self._remove_stale_temporaries()
        if resume:
            if not os.path.isfile(self.checkpoint_path):
                raise FileNotFoundError(f"{owner}.fit(resume=True): there is no checkpoint to "
                                        f"resume at {self.checkpoint_path!r}. Start without "
                                        f"resume (--resume) to train from scratch.")
            self.load_checkpoint(self.checkpoint_path, allow_config_change=allow_config_change)
        done = self._epoch >= self.epochs or self.stopped_early
        bar = self._progress_bar(initial=self._epoch)
        start = time.perf_counter() - (self._rows[-1]["elapsed_s"] if self._rows else 0.0)
        try:
            while not done:
                epoch = self._epoch + 1
                tic = time.perf_counter()
                with self.rng_scope():
                    self.on_epoch_start(epoch)
                    row: Dict[str, Any] = {"epoch": epoch}
                    row.update(self.train_step(epoch))
                    val = self.evaluate("val")
                    row.update({f"val_{k}": v for k, v in val.items()})
                toc = time.perf_counter()
                row["wall_time_s"] = toc - tic
                row["elapsed_s"] = toc - start
                row = {k: _plain(v) for k, v in row.items()}
                self._rows.append(row)
                self._epoch = epoch
                self._update_best(row)
                done = self._epoch >= self.epochs or self.stopped_early
                if self.checkpoint_path is not None:
                    self.save_checkpoint(self.checkpoint_path)
                if bar is not None:
                    bar.update(1)
                    shown = {k: row[k] for k in ("loss", self.monitor) if k in row}
                    bar.set_postfix({k: f"{v:.4g}" for k, v in shown.items()})
                self.on_epoch_end(epoch, row)
        finally:
            if bar is not None:
                bar.close()
        if self.restore_best and self._best_state is not None:
            self.model.load_state_dict(self._best_state)
        return self.history

    def _update_best(self, row: _Row) -> None:
        if self.monitor is None:
            self.best_epoch = self._epoch
            return
        if self.monitor not in row:
            raise MonitorKeyError(f"The 'monitor' parameter of {type(self).__name__}: the "
                                  f"monitored key {self.monitor!r} is not in the epoch row. "
                                  f"Row keys: {sorted(row)}.")
        value = row[self.monitor]
        if self._improved(value):
            self._best_value = float(value)
            self.best_epoch = self._epoch
            self._bad_epochs = 0
            if self.restore_best:
                self._best_state = {k: v.detach().clone()
                                    for k, v in self.model.state_dict().items()}
        else:
            self._bad_epochs += 1
            if self.patience is not None and self._bad_epochs >= self.patience:
                self.stopped_early = True

    def _progress_bar(self, initial: int):
        if not self.verbose or not sys.stderr.isatty():
            return None
        from tqdm.auto import tqdm
        return tqdm(total=self.epochs, initial=initial, desc=type(self).__name__,
                    unit="epoch", leave=False, file=sys.stderr)

    # ------------------------------------------------------------ checkpoints
    def state_dict(self) -> Dict[str, Any]:
        """Everything needed to continue bit for bit."""
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "loop": {
                "epoch": self._epoch,
                "best_value": self._best_value,
                "best_epoch": self.best_epoch,
                "best_state": self._best_state,
                "bad_epochs": self._bad_epochs,
                "stopped_early": self.stopped_early,
                "rows": self._rows,
            },
            "rng": {"generator": self.generator.get_state(), "torch": self._torch_rng_state},
            "extra": self.extra_state(),
            "config": self.config,
        }

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        """Restore a :meth:`state_dict`."""
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        loop = state["loop"]
        self._epoch = int(loop["epoch"])
        self._best_value = loop["best_value"]
        self.best_epoch = int(loop["best_epoch"])
        self._best_state = loop["best_state"]
        self._bad_epochs = int(loop["bad_epochs"])
        self.stopped_early = bool(loop["stopped_early"])
        self._rows = [dict(r) for r in loop["rows"]]
        self.generator.set_state(state["rng"]["generator"])
        self._torch_rng_state = state["rng"]["torch"]
        self.load_extra_state(state["extra"])

    def save_checkpoint(self, path: Union[str, os.PathLike]) -> None:
        """Write :meth:`state_dict` to ``path`` atomically (temp file + ``os.replace``)."""
        atomic_write(path, lambda fh: torch.save(self.state_dict(), fh), binary=True)

    def load_checkpoint(self, path: Union[str, os.PathLike], *,
                        allow_config_change: bool = False) -> None:
        """Load a checkpoint written by :meth:`save_checkpoint`.

        Raises :class:`ConfigMismatchError` naming every argument that differs from
        the checkpoint's (unless ``allow_config_change``; then the new optimiser
        settings such as ``lr`` replace the restored ones).
        """
        state = torch.load(os.fspath(path), weights_only=True)
        saved, now = state.get("config"), self.config
        groups = [{k: v for k, v in g.items() if k != "params"}
                  for g in self.optimizer.param_groups]
        if saved is not None:
            keys = sorted((set(saved) | set(now)) - _RESUMABLE)
            diff = [k for k in keys if saved.get(k) != now.get(k)]
            if diff and not allow_config_change:
                shown = "; ".join(f"{k}: checkpoint {_short(saved.get(k))}, now "
                                  f"{_short(now.get(k))}" for k in diff)
                raise ConfigMismatchError(
                    f"The checkpoint {os.fspath(path)!r} was made with other arguments than "
                    f"this {type(self).__name__}: {shown}. Resume with the same arguments, "
                    f"start a new run in another folder, or pass allow_config_change=True "
                    f"(graphneg train --resume --allow-config-change).")
        self.load_state_dict(state)
        if allow_config_change:
            for group, new in zip(self.optimizer.param_groups, groups):
                group.update(new)

    def _remove_stale_temporaries(self) -> None:
        """Delete the temporary files a kill during :meth:`save_checkpoint` left
        (``.checkpoint.pt.*.tmp``, and ``.checkpoint-*.tmp`` of older versions)."""
        remove_stale_temporaries(self.checkpoint_dir, CHECKPOINT_NAME)
        for tmp in glob.glob(os.path.join(glob.escape(self.checkpoint_dir), ".checkpoint-*.tmp")):
            with contextlib.suppress(OSError):
                os.remove(tmp)


def _short(value: Any, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."
