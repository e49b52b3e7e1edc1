r"""Training loops: one reusable epoch loop, and the link-prediction trainer on it.

The loop (:class:`Trainer`)
---------------------------
Every trainer in graphneg (link prediction here; hyperedge contrast, skip-gram,
spike-train, CRF and Poincaré trainers elsewhere) runs the same loop::

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
  improvement; ``patience=None`` trains all ``epochs``.
* **Checkpoints.** With ``checkpoint_dir`` set, after every epoch the loop writes
  ``checkpoint_dir/checkpoint.pt`` = model + optimiser + loop state (epoch, best
  value and epoch, best weights, patience counter, history rows) + the trainer's
  RNG state + :meth:`Trainer.extra_state` (the sampler's RNG state, ...). The
  file is written to a temporary name in the same folder, flushed and fsync'ed,
  then moved over the old one with :func:`os.replace` (atomic on POSIX and
  Windows): a kill at any moment leaves the previous or the new checkpoint,
  never a torn one.
* **Bit-for-bit resume.** ``fit(resume=True)`` loads the checkpoint if present
  (and starts fresh otherwise) and continues with the next epoch; the resumed
  history and final weights equal those of an uninterrupted run with the same
  seed, bit for bit on CPU (only the wall-time columns differ).
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
...         return {"loss": loss.item()}                 # plain floats/ints/strs

        def evaluate(self, split: str) -> dict:          # optional ("val" per epoch)
            return {"acc": ...}                          # the loop prefixes "val_"

        def extra_state(self) -> dict:                   # optional: more to checkpoint
            return {"sampler_rng": self.sampler.get_rng_state()}

        def load_extra_state(self, state: dict) -> None:
            self.sampler.set_rng_state(state["sampler_rng"])

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
import copy
import math
import os
import sys
import tempfile
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import pandas as pd
import torch
from torch import Tensor

from graphneg._random import Seed, as_generator, spawn_seed
from graphneg._validation import check_bool, check_int, check_option

__all__ = ["Trainer", "LinkPredictionTrainer", "CHECKPOINT_NAME"]

#: File name of the checkpoint inside ``checkpoint_dir``.
CHECKPOINT_NAME = "checkpoint.pt"

_Row = Dict[str, Union[int, float, str, bool]]


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
        self.monitor = monitor
        self.monitor_mode = check_option(monitor_mode, "monitor_mode", ("max", "min"), owner=owner)
        self.patience = None if patience is None else check_int(patience, "patience", low=1,
                                                                owner=owner)
        self.restore_best = check_bool(restore_best, "restore_best", owner=owner)
        self.checkpoint_dir = None if checkpoint_dir is None else os.fspath(checkpoint_dir)
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

    def fit(self, *, resume: bool = False) -> pd.DataFrame:
        """Train up to ``epochs`` epochs; return :attr:`history`.

        Parameters
        ----------
        resume : bool
            Continue from ``checkpoint_dir/checkpoint.pt`` when it exists
            (a finished run is returned as is); start fresh when it does not.
        """
        owner = type(self).__name__
        check_bool(resume, "resume", owner=owner)
        if not hasattr(self, "model") or not hasattr(self, "optimizer"):
            raise RuntimeError(f"{owner} must set self.model and self.optimizer before fit().")
        if resume and self.checkpoint_path is None:
            raise ValueError(f"The 'resume' parameter of {owner} needs a checkpoint_dir. "
                             f"Got checkpoint_dir=None instead.")
        if resume and os.path.exists(self.checkpoint_path):
            self.load_checkpoint(self.checkpoint_path)
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
            raise KeyError(f"{type(self).__name__}: the monitored key {self.monitor!r} is not in "
                           f"the epoch row. Row keys: {sorted(row)}.")
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
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                torch.save(self.state_dict(), fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(tmp)
            raise

    def load_checkpoint(self, path: Union[str, os.PathLike]) -> None:
        """Load a checkpoint written by :meth:`save_checkpoint`."""
        self.load_state_dict(torch.load(os.fspath(path), weights_only=True))


# --------------------------------------------------------------------------
# Link prediction
# --------------------------------------------------------------------------
def _loss_fn(loss: Union[str, Callable[[Tensor, Tensor], Tensor]], owner: str):
    if callable(loss):
        return loss
    check_option(loss, "loss", ("bce",), owner=owner)
    from graphneg.losses import logistic_ns_loss
    return logistic_ns_loss


class LinkPredictionTrainer(Trainer):
    r"""Link prediction with any encoder and any negative sampler.

    A :class:`~graphneg.models.LinkPredictor` (node features → encoder → dot
    product ``s(a, b) = z_a · z_b``) is trained on the training positives of a
    ``T.RandomLinkSplit(add_negative_train_samples=False)`` split; every epoch the
    sampler transform draws fresh training negatives. Validation and test
    positives are scored against **fixed** negatives drawn once at construction
    (uniform, ``eval_num_neg`` per positive, seeded from ``seed``, never a known
    edge of any split); the split's own negatives, if any, are ignored.

    Parameters
    ----------
    data : Data or (Data, Data, Data)
        A graph (split here with ``RandomLinkSplit(num_val=val_ratio,
        num_test=test_ratio, is_undirected=True, add_negative_train_samples=False)``,
        seeded), or the ``(train, val, test)`` triple such a split returns.
        Positives are the ``edge_label_index`` columns labelled 1. For an
        undirected graph every positive is used in both directions by default, so
        both endpoints serve as anchors (on a star, leaves can anchor even though
        the hub cannot).
    encoder : str or torch.nn.Module, default "gcn"
        See :func:`graphneg.models.build_encoder`.
    sampler : str or NegativeSampler, default "uniform"
        A registry name (built with ``num_neg``, ``seed`` drawn from this
        trainer's generator, ``on_impossible="drop"`` and ``sampler_kwargs``) or an
        instance (used as is; its generator is checkpointed). Must be in
        ``mode="per_anchor"``. If it has ``needs_embeddings = True`` it receives the
        current embeddings ``z=`` (detached); if it has a method
        ``on_epoch_start(*, z, epoch, step)`` it is called every epoch before
        sampling (ANN index refresh on the sampler's own schedule).
    num_neg : int, default 1
        Training negatives per positive (for samplers built by name).
    sampler_kwargs : dict, optional
    features : {"auto", "embedding", "onehot", "degree", "x"}, default "auto"
        Encoder input (:class:`graphneg.models.NodeFeatures`): ``"auto"`` uses
        ``data.x`` when present, otherwise a learnable embedding per node.
    hidden_channels, out_channels, num_layers : int
        Encoder shape (64, 64, 2).
    dropout : float, default 0
    lr, weight_decay : float
        Adam settings (0.01, 0).
    loss : "bce" or callable, default "bce"
        ``"bce"``: the logistic negative-sampling loss of DESIGN.md §5,
        ``-log σ(s(u,v)) - Σ_k log σ(-s(u,n_k))``, averaged over positives
        (:func:`graphneg.losses.logistic_ns_loss`). A callable gets
        ``(pos_score (P,), neg_score (P, K))`` and returns a scalar.
    epochs, patience, monitor, monitor_mode, restore_best, checkpoint_dir, verbose, seed
        See :class:`Trainer`. ``monitor`` defaults to ``"val_auc"``.
    eval_num_neg : int, default 20
        Fixed negatives per validation/test positive (the ``K`` of MRR / Hits@K).
    hits_k : sequence of int, default (10,)
    min_common : int, default 1
        ``k`` of the hard-negative rate ``h_k``.
    diagnostics : bool, default True
        Record ``eta`` and ``hard_negative_rate`` each epoch (cost ``O(Q d)`` and
        ``O(Σ_q (deg u_q + deg n_q))`` per epoch for ``Q`` negatives).
    diagnostics_max_pairs : int or None, default 20000
        ``h_k`` is computed on all negatives when there are at most this many,
        else on an i.i.d. subsample of this size drawn with the trainer's
        generator (unbiased, standard error ``≤ 0.5/√M`` ≈ 0.0035); ``None``:
        always all. ``eta`` always uses every negative.
    val_ratio, test_ratio : float
        Used only when ``data`` is an unsplit graph (0.1 each).
    both_directions : bool, default True
        Use every undirected positive ``(u, v)`` also as ``(v, u)`` (train,
        validation and test alike). ``False`` keeps the split's single direction,
        as PyG's ``examples/link_pred.py`` does (half the pairs per epoch).

    Notes
    -----
    One epoch = one full-batch step: encode ``z`` on the training message-passing
    edges, sample negatives (``exclude_edge_index`` = validation and test
    positives, so no held-out edge becomes a training negative), loss, backward,
    Adam step, then validation. Each history row holds ``loss``, ``eta``
    (sampling efficiency on the epoch's negatives with the epoch's ``z``,
    :func:`graphneg.diagnostics.sampling_efficiency`), ``hard_negative_rate``
    (:func:`graphneg.diagnostics.hard_negative_rate` on the training graph, via a
    :class:`~graphneg.diagnostics.CommonNeighbors` built once),
    ``impossible_anchor_ratio`` (distinct anchors without a valid negative /
    distinct anchors), ``dropped_positive_ratio`` (training positives dropped
    because their anchor has no valid negative / positives), ``sampler_time_s``, the sampler's stats prefixed
    ``sampler_``, ``val_auc``, ``val_ap``, ``val_mrr``, ``val_hits@k``, and the
    loop's ``epoch``, ``wall_time_s``, ``elapsed_s``. MRR and Hits@K rank each
    positive against the fixed negatives of its own anchor
    (:func:`graphneg.evaluation.positive_ranks`).

    Examples
    --------
    >>> from graphneg.generators import stochastic_block_model
    >>> data = stochastic_block_model([20, 20], [[0.5, 0.02], [0.02, 0.5]], seed=0)
    >>> trainer = LinkPredictionTrainer(data, epochs=5, seed=0, verbose=False)
    >>> hist = trainer.fit()
    >>> len(hist), {"loss", "eta", "hard_negative_rate", "val_auc"} <= set(hist.columns)
    (5, True)
    >>> sorted(trainer.test())
    ['ap', 'auc', 'hits@10', 'mrr']
    """

    def __init__(self, data: Any, *, encoder: Union[str, torch.nn.Module] = "gcn",
                 sampler: Any = "uniform", num_neg: int = 1,
                 sampler_kwargs: Optional[Dict[str, Any]] = None, features: str = "auto",
                 hidden_channels: int = 64, out_channels: int = 64, num_layers: int = 2,
                 dropout: float = 0.0, lr: float = 0.01, weight_decay: float = 0.0,
                 loss: Union[str, Callable[[Tensor, Tensor], Tensor]] = "bce",
                 epochs: int = 100, patience: Optional[int] = None,
                 monitor: Optional[str] = "val_auc", monitor_mode: str = "max",
                 restore_best: bool = True, eval_num_neg: int = 20,
                 hits_k: Sequence[int] = (10,), min_common: int = 1,
                 diagnostics: bool = True, diagnostics_max_pairs: Optional[int] = 20_000,
                 val_ratio: float = 0.1, test_ratio: float = 0.1,
                 both_directions: bool = True,
                 checkpoint_dir: Optional[Union[str, os.PathLike]] = None,
                 verbose: bool = True, seed: Seed = None):
        from graphneg._validation import check_real
        from graphneg.models import FEATURE_MODES, LinkPredictor, NodeFeatures, build_encoder
        from graphneg.samplers import NegativeSampler, get_sampler

        owner = type(self).__name__
        super().__init__(epochs=epochs, monitor=monitor, monitor_mode=monitor_mode,
                         patience=patience, restore_best=restore_best,
                         checkpoint_dir=checkpoint_dir, verbose=verbose, seed=seed)
        self.num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
        self.eval_num_neg = check_int(eval_num_neg, "eval_num_neg", low=1, owner=owner)
        self.hits_k = tuple(check_int(k, "hits_k", low=1, owner=owner) for k in hits_k)
        self.min_common = check_int(min_common, "min_common", low=1, owner=owner)
        self.diagnostics = check_bool(diagnostics, "diagnostics", owner=owner)
        self.diagnostics_max_pairs = None if diagnostics_max_pairs is None else check_int(
            diagnostics_max_pairs, "diagnostics_max_pairs", low=1, owner=owner)
        features = check_option(features, "features", FEATURE_MODES, owner=owner)
        self.loss_fn = _loss_fn(loss, owner)
        check_real(lr, "lr", low=0, closed="neither", owner=owner)
        check_real(weight_decay, "weight_decay", low=0, owner=owner)
        self.both_directions = check_bool(both_directions, "both_directions", owner=owner)

        # ---- split
        with self.rng_scope():
            train, val, test = self._split(data, val_ratio, test_ratio, owner)
        self.num_nodes = int(train.num_nodes)
        self.undirected = bool(_is_undirected(train.edge_index, self.num_nodes))
        pos = {name: self._positives(d, name, owner)
               for name, d in (("train", train), ("val", val), ("test", test))}
        if pos["train"].size(1) == 0:
            raise ValueError(f"{owner}: the training split has no positive edges "
                             f"(edge_label_index with edge_label == 1 is empty); nothing to "
                             f"train on.")
        self._mp = {"train": train.edge_index, "val": val.edge_index, "test": test.edge_index}
        self._exclude = torch.cat([pos["val"], pos["test"]], 1)
        from torch_geometric.data import Data
        self._train_data = Data(edge_index=train.edge_index, num_nodes=self.num_nodes,
                                edge_label_index=pos["train"],
                                edge_label=torch.ones(pos["train"].size(1)))
        # node-level attributes (x, coordinates, sites, words...) reach the sampler
        for key, value in train.items():
            if key in ("edge_index", "edge_label_index", "edge_label", "num_nodes"):
                continue
            node_level = (train.is_node_attr(key) if isinstance(value, Tensor)
                          else isinstance(value, (list, tuple)) and len(value) == self.num_nodes)
            if node_level:
                self._train_data[key] = value
        self._num_anchors = int(torch.unique(pos["train"][0]).numel())

        # ---- sampler
        sampler = self._resolve_sampler(sampler, sampler_kwargs, self.num_neg, get_sampler,
                                        NegativeSampler, "a registered name or a NegativeSampler")
        if getattr(sampler, "mode", "per_anchor") != "per_anchor":
            raise ValueError(f"The 'sampler' parameter of {owner} must sample per anchor "
                             f"(mode='per_anchor'). Got mode={sampler.mode!r} instead.")
        self.sampler = sampler

        # ---- fixed evaluation negatives (uniform, seeded, exclude every known edge)
        from graphneg.samplers import UniformNegativeSampler
        all_pos = torch.cat([pos["train"], pos["val"], pos["test"]], 1)
        evaluator = UniformNegativeSampler(self.eval_num_neg, seed=spawn_seed(self.generator),
                                           on_impossible="drop")
        self._eval = {}
        for name in ("val", "test"):
            p = pos[name]
            if p.size(1) == 0:
                self._eval[name] = (p, None)
                continue
            neg, keep = evaluator.sample(train.edge_index, self.num_nodes, pos_edge_index=p,
                                         exclude_edge_index=all_pos, return_mask=True)
            self._eval[name] = (p[:, keep], neg)

        # ---- model
        with self.rng_scope():
            feats = NodeFeatures("x" if features == "auto" and getattr(train, "x", None) is not None
                                 else ("embedding" if features == "auto" else features),
                                 self.num_nodes, dim=hidden_channels,
                                 x=getattr(train, "x", None), edge_index=train.edge_index)
            enc = build_encoder(encoder, feats.out_channels, hidden_channels=hidden_channels,
                                out_channels=out_channels, num_layers=num_layers, dropout=dropout)
            self.model = LinkPredictor(feats, enc)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr,
                                          weight_decay=weight_decay)
        self._step = 0
        self._common = None

    # ------------------------------------------------------------- data prep
    @staticmethod
    def _split(data: Any, val_ratio: float, test_ratio: float, owner: str):
        if isinstance(data, (tuple, list)):
            if len(data) != 3:
                raise ValueError(f"The 'data' parameter of {owner} must be a Data or a (train, "
                                 f"val, test) triple. Got a sequence of length {len(data)} instead.")
            return tuple(data)
        if not hasattr(data, "edge_index") or data.edge_index is None:
            raise TypeError(f"The 'data' parameter of {owner} must be a torch_geometric Data with "
                            f"edge_index or a (train, val, test) triple. Got "
                            f"{type(data).__name__} instead.")
        import torch_geometric.transforms as T
        split = T.RandomLinkSplit(num_val=val_ratio, num_test=test_ratio, is_undirected=True,
                                  add_negative_train_samples=False)
        return split(data)

    def _positives(self, d: Any, name: str, owner: str) -> Tensor:
        eli = getattr(d, "edge_label_index", None)
        if eli is None:
            raise ValueError(f"{owner}: the {name} split has no edge_label_index; pass the output "
                             f"of T.RandomLinkSplit or an unsplit graph.")
        label = getattr(d, "edge_label", None)
        p = eli if label is None else eli[:, label == 1]
        if self.undirected and self.both_directions and p.numel() > 0:
            p = torch.cat([p, p.flip(0)], 1)
        return p

    # ------------------------------------------------------------------ hooks
    def train_step(self, epoch: int) -> Dict[str, Any]:
        from graphneg.diagnostics import CommonNeighbors, efficiency_from_scores
        self.model.train()
        self.optimizer.zero_grad()
        mp = self._mp["train"]
        z = self.model.encode(mp)
        tic = time.perf_counter()
        hook = getattr(self.sampler, "on_epoch_start", None)
        if callable(hook):
            hook(z=z.detach(), epoch=epoch, step=self._step)
        kwargs: Dict[str, Any] = {"exclude_edge_index": self._exclude}
        if getattr(self.sampler, "needs_embeddings", False):
            kwargs["z"] = z.detach()
        out = self.sampler(self._train_data, **kwargs)
        sampler_time = time.perf_counter() - tic
        label = out.edge_label
        pos = out.edge_label_index[:, label == 1]
        neg = out.edge_label_index[:, label == 0]
        num_pos = pos.size(1)
        if num_pos == 0:
            raise ValueError(f"{type(self).__name__}: the sampler dropped every positive (no "
                             f"anchor has a valid negative).")
        if neg.size(1) % num_pos != 0:
            raise ValueError(f"{type(self).__name__}: the sampler returned {neg.size(1)} "
                             f"negatives for {num_pos} positives; expected a multiple.")
        pos_score = self.model.decode(z, pos)
        neg_score = self.model.decode(z, neg).view(num_pos, -1)
        loss = self.loss_fn(pos_score, neg_score)
        loss.backward()
        self.optimizer.step()
        self._step += 1
        stats = dict(getattr(out, "neg_stats", None) or {})
        row: Dict[str, Any] = {"loss": float(loss.detach())}
        if self.diagnostics:
            row["eta"] = efficiency_from_scores(z.detach(), pos, neg, pos_score, neg_score)
            if self._common is None:  # the training graph is fixed: build its CSR once
                self._common = CommonNeighbors(mp, self.num_nodes)
            probe = neg
            if self.diagnostics_max_pairs is not None and neg.size(1) > self.diagnostics_max_pairs:
                pick = torch.randint(neg.size(1), (self.diagnostics_max_pairs,),
                                     generator=self.generator)
                probe = neg[:, pick]  # i.i.d. subsample: unbiased, s.e. <= 0.5/sqrt(M)
            row["hard_negative_rate"] = self._common.hard_negative_rate(probe, self.min_common)
        row["impossible_anchor_ratio"] = stats.get("impossible_anchors", 0) / max(
            self._num_anchors, 1)
        row["dropped_positive_ratio"] = stats.get("dropped", 0) / max(
            self._train_data.edge_label_index.size(1), 1)
        row["sampler_time_s"] = sampler_time
        row.update({f"sampler_{k}": v for k, v in stats.items()})
        return row

    @torch.no_grad()
    def evaluate(self, split: str) -> Dict[str, Any]:
        """Ranking metrics on ``"val"`` or ``"test"`` (all ``nan`` if it has no positives)."""
        from graphneg.evaluation import _nan_metrics, ranking_metrics
        check_option(split, "split", ("val", "test"), owner=type(self).__name__)
        pos, neg = self._eval[split]
        if neg is None or pos.size(1) == 0:
            return _nan_metrics(self.hits_k)
        was_training = self.model.training
        self.model.eval()
        z = self.model.encode(self._mp[split])
        pos_score = self.model.decode(z, pos)
        neg_score = self.model.decode(z, neg).view(pos.size(1), -1)
        self.model.train(was_training)
        return ranking_metrics(pos_score, neg_score, self.hits_k)

    def test(self) -> Dict[str, float]:
        """Test metrics with the current (after :meth:`fit`: the best) weights."""
        with self.rng_scope():
            return self.evaluate("test")

    def embeddings(self) -> Tensor:
        """Node embeddings ``z`` on the training graph (eval mode, detached)."""
        self.model.eval()
        with torch.no_grad(), self.rng_scope():
            return self.model.encode(self._mp["train"])

    def extra_state(self) -> Dict[str, Any]:
        state: Dict[str, Any] = {"step": self._step,
                                 "sampler_rng": self.sampler.get_rng_state()}
        sd = getattr(self.sampler, "state_dict", None)
        if callable(sd):
            state["sampler_state"] = sd()
        return state

    def load_extra_state(self, state: Dict[str, Any]) -> None:
        self._step = int(state["step"])
        self.sampler.set_rng_state(state["sampler_rng"])
        if "sampler_state" in state:
            self.sampler.load_state_dict(state["sampler_state"])


def _is_undirected(edge_index: Tensor, num_nodes: int) -> bool:
    from torch_geometric.utils import is_undirected
    return bool(is_undirected(edge_index, num_nodes=num_nodes))
