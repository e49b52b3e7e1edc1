r"""Text trainers on the shared loop: skip-gram as link prediction, audio–text matching.

Skip-gram as link prediction
----------------------------
On the word–context graph of :func:`graphneg.datasets.text.text_graph` (word
:math:`w`, context :math:`c`, co-occurrence count :math:`\#(w, c)`), skip-gram
with negative sampling (SGNS) is link prediction with two embedding tables
:math:`W, C \in \mathbb{R}^{V \times d}` and score :math:`s(w, c) = W_w \cdot C_c`:

.. math::

    L = -\log \sigma(s(w, c)) - \sum_{k=1}^{K} \log \sigma(-s(w, n_k)),
    \qquad (w, c) \sim \#(w, c), \quad n_k \sim q(\cdot \mid w),

with any registered sampler over the context nodes — ``"degree"`` (word2vec's
:math:`\deg^{0.75}`), ``"uniform"``, ``"hybrid"`` (semantic–syntactic hard
negatives). A word's own context is excluded from its negatives. Word similarity
is evaluated on WordNet synonym pairs (:func:`graphneg.datasets.text.load_synonym_pairs`):
``syn_auc`` is the probability that a synonym pair has a higher cosine
:math:`\cos(W_a, W_b)` than a random word pair (fixed, seeded); the pairs are
split into validation pairs (model selection) and disjoint test pairs.

Audio–text matching
-------------------
Spoken words and written words (spellings) of
:func:`graphneg.datasets.text.audio_text_graph` are embedded by two encoders —
bags of phoneme 1–2-grams and of letter 1–3-grams, each a two-layer MLP — and
matched by dot product, trained with negatives from a sampler over the text
nodes (``"phonetic"`` with its homophone policy, or any other). The "audio" is
the dictionary phoneme string of the word (CMU), not a recording: homophones
have identical inputs. The words are split into training, validation (model
selection) and test words (scored once, after :meth:`~graphneg.training.Trainer.fit`).
Evaluation ranks every written word for each held-out spoken one, ties counted
as the mean of the optimistic and pessimistic rank: ``mrr`` counts only the
exact spelling as correct, ``mrr_homophone`` accepts any homophone, ``hard_mrr``
ranks the spelling against its nearest phonetic neighbours only.

Both subclass :class:`graphneg.training.Trainer` (early stopping, checkpoints,
bit-for-bit resume, no global RNG use outside the loop's scope).
"""

from __future__ import annotations

import math
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import Data

from graphneg._random import Seed, spawn_seed
from graphneg._validation import (
    check_bool,
    check_instance,
    check_int,
    check_option,
    check_real,
    naming_lookups,
)
from graphneg.diagnostics import sampling_efficiency
from graphneg.evaluation import positive_ranks, synonym_auc
from graphneg.losses import logistic_ns_loss
from graphneg.models.text import bag_of_ngrams
from graphneg.samplers import NegativeSampler, get_sampler
from graphneg.training.loop import Trainer

__all__ = ["SkipGramTrainer", "AudioTextTrainer"]


class SkipGramTrainer(Trainer):
    r"""Skip-gram with negative sampling as link prediction on a word–context graph.

    Parameters
    ----------
    data : Data
        From :func:`graphneg.datasets.text.text_graph` (``num_words``,
        ``edge_index`` word -> context, ``edge_weight``, ``words``; ``embedding``
        when the hybrid sampler is used).
    sampler : str or NegativeSampler, default "degree"
        Built with ``num_neg`` and a seed drawn from the trainer's generator when
        given by name; ``sampler_kwargs`` go to its constructor.
    num_neg : int, default 5
    dim : int, default 32
    pairs_per_epoch : int, default 20000
        Positive (word, context) pairs drawn per epoch with probability
        :math:`\propto \#(w, c)`.
    batch_size : int, default 4096
    lr : float, default 0.01
    synonyms : sequence of (str, str), optional
        Word-similarity ground truth; default WordNet pairs within the vocabulary
        (at least two pairs).
    val_ratio : float in (0, 1), default 0.5
        Share of the synonym pairs (and of the random pairs) used for model
        selection (``val_syn_auc``, early stopping, best weights); the other pairs
        are the test set, scored only by :meth:`Trainer.test` (``syn_auc``). The
        split is a seeded permutation, at least one pair on each side.
    num_random_pairs : int, default 5000
    epochs, patience, checkpoint_dir, verbose, seed
        See :class:`graphneg.training.Trainer` (monitor: ``val_syn_auc``).

    Notes
    -----
    Per epoch: one sampler call for ``pairs_per_epoch * num_neg`` negatives and
    ``pairs_per_epoch / batch_size`` Adam steps of cost :math:`O(B K d)`. Each row
    logs, at the scores before each step: ``neg_sigmoid`` = mean
    :math:`\sigma(s(w, n))` (the negatives' hardness for the model),
    ``hard_negative_rate`` = share of negatives with :math:`\sigma(s) \ge 1/2` (the model
    takes them for positives), ``eta`` =
    :math:`\mathrm{mean}\,\sigma(s^-)\lVert C_n\rVert / \mathrm{mean}\,\sigma(-s^+)\lVert C_c\rVert`
    (:func:`graphneg.diagnostics.sampling_efficiency` for the two tables: the
    gradient parts w.r.t. :math:`W_w`), and ``neg_same_prefix`` = share of negatives
    that share their first four letters with the word (same morphological family:
    *run* / *running*), which orthographic negatives draw.

    Examples
    --------
    >>> from graphneg.datasets.text import text_graph
    >>> data = text_graph(corpus=[["a", "b", "c", "a", "d", "b"]] * 3, min_count=1)
    >>> t = SkipGramTrainer(data, sampler="uniform", num_neg=1, dim=4, pairs_per_epoch=20,
    ...                     synonyms=[("a", "b"), ("c", "d")], num_random_pairs=5, epochs=2,
    ...                     seed=0, verbose=False)
    >>> list(t.fit().columns)[:4]
    ['epoch', 'loss', 'neg_score_mean', 'pos_score_mean']
    >>> sorted(t.test())
    ['syn_auc']
    """

    def __init__(self, data: Data, *, sampler: Union[str, NegativeSampler] = "degree",
                 sampler_kwargs: Optional[Dict[str, Any]] = None, num_neg: int = 5,
                 dim: int = 32, pairs_per_epoch: int = 20000, batch_size: int = 4096,
                 lr: float = 0.01, synonyms: Optional[Sequence[Tuple[str, str]]] = None,
                 val_ratio: float = 0.5, num_random_pairs: int = 5000, epochs: int = 20,
                 patience: Optional[int] = None, seed: Seed = None, **loop_kwargs: Any):
        super().__init__(epochs=epochs, seed=seed, monitor="val_syn_auc", patience=patience,
                         **loop_kwargs)
        owner = type(self).__name__
        self.num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
        self.dim = check_int(dim, "dim", low=1, owner=owner)
        self.pairs_per_epoch = check_int(pairs_per_epoch, "pairs_per_epoch", low=1, owner=owner)
        self.batch_size = check_int(batch_size, "batch_size", low=1, owner=owner)
        lr = check_real(lr, "lr", low=0, closed="neither", owner=owner)
        check_instance(data, "data", Data, "a Data from graphneg.datasets.text.text_graph",
                       owner=owner)
        v = int(data.num_words)
        self.data, self.num_words = data, v
        # message-passing edges in both directions: a context's degree is its number
        # of distinct co-occurring words (the degree sampler's deg^0.75)
        self.edge_index = torch.cat([data.edge_index, data.edge_index.flip(0)], 1)
        self.weight = data.edge_weight.double()
        self.self_pairs = torch.stack([torch.arange(v), torch.arange(v) + v])
        with naming_lookups("sampler", owner=owner):
            self.sampler = get_sampler(sampler, num_neg=self.num_neg,
                                       seed=spawn_seed(self.generator), on_impossible="drop",
                                       **(sampler_kwargs or {}))
        if isinstance(sampler, NegativeSampler) and sampler.num_neg != self.num_neg:
            raise ValueError(f"The 'sampler' parameter of {owner} has num_neg="
                             f"{sampler.num_neg}, but num_neg={self.num_neg}.")
        words = list(data.words[:v])
        index = {w: i for i, w in enumerate(words)}
        if synonyms is None:
            from graphneg.datasets.text import load_synonym_pairs
            synonyms = load_synonym_pairs(words)
        if isinstance(synonyms, (str, bytes)) or not all(
                isinstance(p, (list, tuple)) and len(p) == 2 for p in synonyms):
            raise TypeError(f"The 'synonyms' parameter of {owner} must be a sequence of "
                            f"(word, word) pairs. Got {str(synonyms)[:60]!r} instead.")
        syn = [(index[a], index[b]) for a, b in synonyms if a in index and b in index]
        if len(syn) < 2:
            raise ValueError(f"The 'synonyms' parameter of {owner} must hold at least two pairs "
                             f"of vocabulary words (one to validate on, one to test on). Got "
                             f"{len(syn)} in the vocabulary instead.")
        val_ratio = check_real(val_ratio, "val_ratio", low=0, high=1, closed="neither",
                               owner=owner)
        g = torch.Generator().manual_seed(spawn_seed(self.generator))
        r = torch.randint(v, (2, check_int(num_random_pairs, "num_random_pairs", low=2,
                                           owner=owner)), generator=g)
        r = r[:, r[0] != r[1]]
        syn_t = torch.tensor(syn, dtype=torch.long).t()
        _, prefix = np.unique(np.asarray([w[:4] for w in words], dtype=object).astype(str),
                              return_inverse=True)
        self.prefix = torch.from_numpy(prefix.reshape(-1)).long()
        self.syn_pairs, self.random_pairs = {}, {}
        for name, pairs in (("syn", syn_t), ("random", r)):
            perm = torch.randperm(pairs.size(1), generator=g)
            cut = min(max(1, int(round(val_ratio * perm.numel()))), perm.numel() - 1)
            getattr(self, f"{name}_pairs").update(val=pairs[:, perm[:cut]],
                                                  test=pairs[:, perm[cut:]])
        with self.rng_scope():
            self.model = torch.nn.ModuleDict({
                "word": torch.nn.Embedding(v, self.dim),
                "context": torch.nn.Embedding(v, self.dim)})
            torch.nn.init.uniform_(self.model["word"].weight, -0.5 / self.dim, 0.5 / self.dim)
            torch.nn.init.zeros_(self.model["context"].weight)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr)

    def _score(self, w: Tensor, c: Tensor) -> Tensor:
        return (self.model["word"](w) * self.model["context"](c - self.num_words)).sum(-1)

    def train_step(self, epoch: int) -> Dict[str, Any]:
        idx = torch.multinomial(self.weight, self.pairs_per_epoch, replacement=True,
                                generator=self.generator)
        pos = self.data.edge_index[:, idx]
        neg, keep = self.sampler.sample(
            self.edge_index, self.data.num_nodes, pos_edge_index=pos,
            exclude_edge_index=self.self_pairs, candidate_mask=self.data.context_mask,
            return_mask=True, data=self.data)
        pos = pos[:, keep]
        neg_c = neg[1].view(-1, self.num_neg)
        perm = torch.randperm(pos.size(1), generator=self.generator)
        total, pos_s, neg_s = 0.0, 0.0, 0.0
        g_pos, g_neg, hard, sig_s = 0.0, 0.0, 0.0, 0.0
        for lo in range(0, perm.numel(), self.batch_size):  # mini-batches
            b = perm[lo:lo + self.batch_size]
            w = pos[0, b]
            ps = self._score(w, pos[1, b])
            ns = self._score(w.view(-1, 1), neg_c[b])
            loss = logistic_ns_loss(ps, ns)
            with torch.no_grad():  # the two gradient parts w.r.t. W_w, before the step
                ctx = self.model["context"].weight
                g_pos += float((torch.sigmoid(-ps) * ctx[pos[1, b] - self.num_words].norm(
                    dim=1)).sum())
                sig = torch.sigmoid(ns)
                g_neg += float((sig * ctx[neg_c[b] - self.num_words].norm(dim=-1)).sum())
                hard += float((sig >= 0.5).sum())
                sig_s += float(sig.sum())
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            total += loss.item() * b.numel()
            pos_s += ps.sum().item()
            neg_s += ns.sum().item()
        n = max(pos.size(1), 1)
        stats = self.sampler.last_stats.as_dict()
        same = self.prefix[pos[0].repeat_interleave(self.num_neg)] == \
            self.prefix[neg_c.reshape(-1) - self.num_words]
        return {"loss": total / n, "neg_score_mean": neg_s / (n * self.num_neg),
                "pos_score_mean": pos_s / n, "neg_sigmoid": sig_s / (n * self.num_neg),
                "eta": (g_neg / (n * self.num_neg)) / (g_pos / n) if g_pos > 0 else float("nan"),
                "hard_negative_rate": hard / (n * self.num_neg),
                "neg_same_prefix": float(same.double().mean()) if same.numel() else 0.0,
                "dropped": stats["dropped"],
                "truncated_mass_mean": float(stats.get("truncated_mass_mean", 0.0))}

    def evaluate(self, split: str) -> Dict[str, Any]:
        """``syn_auc`` on the validation (``"val"``: every epoch) or the test synonyms
        (``"test"``: :meth:`Trainer.test`, after model selection)."""
        check_option(split, "split", ("val", "test"), owner=type(self).__name__)
        return {"syn_auc": synonym_auc(self.model["word"].weight, self.syn_pairs[split],
                                       self.random_pairs[split])}

    def extra_state(self) -> Dict[str, Any]:
        return {"sampler_rng": self.sampler.get_rng_state()}

    def load_extra_state(self, state: Dict[str, Any]) -> None:
        self.sampler.set_rng_state(state["sampler_rng"])

    @property
    def word_embeddings(self) -> Tensor:
        """Learnt word vectors, shape ``(V, dim)``."""
        return self.model["word"].weight.detach()


class AudioTextTrainer(Trainer):
    r"""Audio–text matching (bipartite link prediction) with a pluggable sampler.

    Parameters
    ----------
    data : Data
        From :func:`graphneg.datasets.text.audio_text_graph`.
    sampler : str or NegativeSampler, default "phonetic"
        Over the written words allowed as negatives (``candidates``);
        ``sampler_kwargs`` (e.g. ``{"homophones": "keep", "radius": 2}``) go to its
        constructor.
    num_neg : int, default 5
    val_ratio, test_ratio : float, default 0.1, 0.2
        Shares of words whose audio–text pair is held out for model selection
        (validation) and for the final score (test). The test words are never
        looked at during :meth:`fit`: early stopping and best-weight selection read
        the validation words only.
    candidates : {"train", "all"}, default "train"
        Written words the training negatives come from: those of the training
        words only, or every written word (the vocabulary is known, only the
        held-out audio–text pairs are hidden), so that a held-out word's spelling
        can be drawn as a negative of a training word that sounds the same.
    homophone_holdout : bool, default False
        Hold out every member but one (random) of each homophone group, alternately
        to the test and validation words, so that the evaluation words are rich in
        homophones whose partner is trained on.
    eval_num_neg : int, default 20
        Hard evaluation negatives per held-out word (``hard_*`` metrics): its
        ``eval_num_neg`` nearest written words by phoneme edit distance, homophones
        and the word itself excluded (ties broken at random, fixed per trainer).
    dim, hidden : int
    lr : float
    prefetch_epochs : int, default 25
        A sampler whose law does not change during training (no embeddings read, no
        per-epoch adaptation) draws this many epochs' negatives in one call (i.i.d. across epochs either way; one call
        costs about as much as one epoch's); ``1``: one call per epoch.
    epochs, patience, checkpoint_dir, verbose, seed
        See :class:`graphneg.training.Trainer` (monitor ``val_mrr_homophone``).

    Notes
    -----
    With ``homophones="positive"`` the homophone pairs of the training anchors are
    added to the positives (:func:`graphneg.samplers.homophone_pairs`). Each epoch
    logs ``homophone_neg_ratio``, the share of drawn negatives that are homophones
    of their anchor (false negatives), and, from the embeddings before the step,
    the sampling efficiency ``eta`` w.r.t. the spoken word's embedding
    (:func:`graphneg.diagnostics.sampling_efficiency` on :math:`[a; t]`:
    :math:`\mathrm{mean}\,\sigma(s^-)\|t_n\| / \mathrm{mean}\,\sigma(-s^+)\|t_v\|`),
    and the hardness for the model: ``neg_sigmoid`` (mean :math:`\sigma(s^-)`) and
    ``hard_negative_rate`` (share with :math:`\sigma(s^-) \ge \tfrac12`).

    Ranks (:func:`graphneg.evaluation.positive_ranks`) count ties as the mean of
    the optimistic and the pessimistic rank,
    :math:`r = 1 + \tfrac12(\#\{s_n > s\} + \#\{s_n \ge s\})`, so a constant scorer
    gets the chance level, not a perfect score. Metrics of a split
    (:meth:`split_metrics`):

    * ``mrr``, ``hits1``: the true spelling against every other written word;
    * ``mrr_homophone``: the best of the true spelling and its homophones against
      the other words (a homophone counts as correct);
    * ``hard_mrr``, ``hard_hits1``: the true spelling against its ``eval_num_neg``
      phonetic neighbours;
    * ``homophone_word_mrr``: ``mrr`` over the words that have a homophone (where a
      false negative can act; NaN if the split has none).

    Evaluation costs :math:`O(Q V d)` for ``Q`` evaluation words.

    Examples
    --------
    >>> from graphneg.datasets.text import audio_text_graph
    >>> g = audio_text_graph(words=["two", "too", "to", "cat", "cap", "cut", "tool", "tune",
    ...                             "ten", "tan"])
    >>> t = AudioTextTrainer(g, num_neg=2, epochs=2, seed=0, verbose=False,
    ...                      sampler_kwargs={"radius": 3}, eval_num_neg=3)
    >>> bool(t.fit()["val_mrr"].between(0, 1).all()), 0 < t.test()["mrr"] <= 1
    (True, True)
    """

    def __init__(self, data: Data, *, sampler: Union[str, NegativeSampler] = "phonetic",
                 sampler_kwargs: Optional[Dict[str, Any]] = None, num_neg: int = 5,
                 val_ratio: float = 0.1, test_ratio: float = 0.2, candidates: str = "train",
                 homophone_holdout: bool = False, eval_num_neg: int = 20,
                 dim: int = 64, hidden: int = 128, lr: float = 0.005,
                 epochs: int = 30, patience: Optional[int] = None, seed: Seed = None,
                 prefetch_epochs: int = 25, **loop_kwargs: Any):
        super().__init__(epochs=epochs, seed=seed, monitor="val_mrr_homophone",
                         patience=patience, **loop_kwargs)
        owner = type(self).__name__
        self.num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
        self.prefetch_epochs = check_int(prefetch_epochs, "prefetch_epochs", low=1, owner=owner)
        self._prefetched: Optional[Dict[str, Any]] = None
        dim = check_int(dim, "dim", low=1, owner=owner)
        hidden = check_int(hidden, "hidden", low=1, owner=owner)
        lr = check_real(lr, "lr", low=0, closed="neither", owner=owner)
        test_ratio = check_real(test_ratio, "test_ratio", low=0, high=1, closed="neither",
                                owner=owner)
        val_ratio = check_real(val_ratio, "val_ratio", low=0, high=1, closed="neither",
                               owner=owner)
        self.candidates = check_option(candidates, "candidates", ("train", "all"), owner=owner)
        homophone_holdout = check_bool(homophone_holdout, "homophone_holdout", owner=owner)
        check_instance(data, "data", Data, "a Data from "
                       "graphneg.datasets.text.audio_text_graph", owner=owner)
        v = int(data.num_words)
        self.eval_num_neg = check_int(eval_num_neg, "eval_num_neg", low=1, high=max(v - 2, 1),
                                      owner=owner)
        self.data, self.num_words = data, v
        from graphneg.samplers.text import PhoneticNegativeSampler, homophone_pairs
        allp = homophone_pairs(data.phonemes, data.words, torch.arange(v),
                               candidate_mask=data.text_mask)
        self.homophone_keys = torch.unique(allp[0] * (2 * v) + allp[1])
        self.has_homophone = torch.zeros(v, dtype=torch.bool)
        self.has_homophone[allp[0]] = True
        split = self._split(v, val_ratio, test_ratio, allp if homophone_holdout else None, owner)
        self.train_words, self.val_words, self.test_words = split
        self.train_pos = torch.stack([self.train_words, self.train_words + v])
        self.text_mask = torch.zeros(2 * v, dtype=torch.bool)
        self.text_mask[(self.train_words if self.candidates == "train" else torch.arange(v))
                       + v] = True
        self.audio_x = bag_of_ngrams(data.phonemes[:v], (1, 2))
        self.text_x = bag_of_ngrams(data.words[v:], (1, 2, 3))
        self.hard_negatives = {name: self._hard_negatives(words) for name, words in
                               (("val", self.val_words), ("test", self.test_words))}
        with naming_lookups("sampler", owner=owner):
            self.sampler = get_sampler(sampler, num_neg=self.num_neg,
                                       seed=spawn_seed(self.generator), on_impossible="drop",
                                       **(sampler_kwargs or {}))
        self.add_homophones = (isinstance(self.sampler, PhoneticNegativeSampler)
                               and self.sampler.homophones == "positive")
        self.train_homophones = homophone_pairs(data.phonemes, data.words, self.train_words,
                                                candidate_mask=self.text_mask)
        with self.rng_scope():
            self.model = torch.nn.ModuleDict({
                "audio": torch.nn.Sequential(torch.nn.Linear(self.audio_x.size(1), hidden),
                                             torch.nn.ReLU(), torch.nn.Linear(hidden, dim)),
                "text": torch.nn.Sequential(torch.nn.Linear(self.text_x.size(1), hidden),
                                            torch.nn.ReLU(), torch.nn.Linear(hidden, dim))})
        self.optimizer = torch.optim.Adam(self.model.parameters(),
                                          lr=check_real(lr, "lr", low=0, closed="neither",
                                                        owner=owner))

    def _split(self, v: int, val_ratio: float, test_ratio: float, homophones: Optional[Tensor],
               owner: str) -> Tuple[Tensor, Tensor, Tensor]:
        """``(train, val, test)`` word ids: disjoint, random, the held-out shares rounded
        (at least one word each); with ``homophones`` also all but one member of every
        homophone group held out, alternately to test and validation."""
        perm = torch.randperm(v, generator=self.generator)
        part = torch.zeros(v, dtype=torch.long)          # 0 train, 1 val, 2 test
        num_test = max(1, int(round(test_ratio * v)))
        num_val = max(1, int(round(val_ratio * v)))
        part[perm[:num_test]] = 2
        part[perm[num_test:num_test + num_val]] = 1
        if homophones is not None and homophones.numel():
            # one random member of each group stays in training: the group's smallest key
            rank = torch.empty(v, dtype=torch.long)
            rank[perm] = torch.arange(v)
            members = torch.unique(homophones[0])
            mates = torch.full((v,), v, dtype=torch.long)  # smallest rank in the group
            mates.scatter_reduce_(0, homophones[0], rank[homophones[1] - v], reduce="amin")
            held = members[rank[members] > mates[members]]
            keeper = members[rank[members] < mates[members]]
            part[keeper] = 0
            part[held] = torch.where(torch.arange(held.numel()) % 2 == 0, 2, 1)
        if int((part == 0).sum()) < 1 or int((part == 1).sum()) < 1 or \
                int((part == 2).sum()) < 1:
            raise ValueError(f"The 'val_ratio' and 'test_ratio' parameters of {owner} must "
                             f"leave at least one training, one validation and one test word. "
                             f"Got val_ratio={val_ratio}, test_ratio={test_ratio} for {v} "
                             f"words instead.")
        return tuple((part == p).nonzero().view(-1) for p in range(3))

    def _hard_negatives(self, words: Tensor) -> Tensor:
        """The ``eval_num_neg`` nearest written words of each word by phoneme edit
        distance (itself and its homophones excluded), shape ``(Q, eval_num_neg)``."""
        from graphneg.samplers.text import phoneme_distances
        v = self.num_words
        ph = self.data.phonemes
        d = phoneme_distances([ph[int(i)] for i in words], ph[:v]).double()
        d[torch.arange(words.numel()), words] = float("inf")
        hp = self.is_homophone(torch.stack([words.repeat_interleave(v),
                                            torch.arange(v).repeat(words.numel()) + v]))
        d[hp.view(words.numel(), v)] = float("inf")
        d += torch.rand(d.shape, generator=self.generator, dtype=torch.double) * 0.5
        return torch.topk(d, self.eval_num_neg, dim=1, largest=False).indices

    def _embed(self) -> Tuple[Tensor, Tensor]:
        return self.model["audio"](self.audio_x), self.model["text"](self.text_x)

    def is_homophone(self, pairs: Tensor) -> Tensor:
        """Mask of ``(audio, text)`` node pairs that are homophones, shape ``(P,)``."""
        key = pairs[0] * (2 * self.num_words) + pairs[1]
        pos = torch.searchsorted(self.homophone_keys, key).clamp(max=max(
            self.homophone_keys.numel() - 1, 0))
        return (self.homophone_keys.numel() > 0) & (self.homophone_keys[pos] == key)

    def _negatives(self, epoch: int) -> Tuple[Tensor, Tensor]:
        """``(neg, keep)`` of this epoch: one sampler call per epoch, or one per
        ``prefetch_epochs`` epochs when the sampler's law does not change during
        training (it reads no embeddings and does not adapt per epoch: the epochs'
        draws are i.i.d., so drawing them together changes nothing but the cost)."""
        v = self.num_words
        pos = self.train_pos
        static = (not self.sampler.needs_embeddings
                  and type(self.sampler).on_epoch_start is NegativeSampler.on_epoch_start)
        if not static or self.prefetch_epochs == 1:
            return self.sampler.sample(pos, 2 * v, pos_edge_index=pos,
                                       candidate_mask=self.text_mask, return_mask=True,
                                       data=self.data)
        p, k = pos.size(1), self.num_neg
        buf = self._prefetched
        if buf is None or not buf["first"] <= epoch < buf["first"] + buf["epochs"]:
            r = max(1, min(self.prefetch_epochs, self.epochs - epoch + 1))
            neg, keep = self.sampler.sample(pos, 2 * v, pos_edge_index=pos.repeat(1, r),
                                            candidate_mask=self.text_mask, return_mask=True,
                                            data=self.data)
            buf = self._prefetched = {"first": epoch, "epochs": r, "neg": neg, "keep": keep}
        i = epoch - buf["first"]
        keep = buf["keep"][i * p:(i + 1) * p]
        before = int(buf["keep"][:i * p].sum())
        return buf["neg"][:, k * before:k * (before + int(keep.sum()))], keep

    def train_step(self, epoch: int) -> Dict[str, Any]:
        v = self.num_words
        neg, keep = self._negatives(epoch)
        pos = self.train_pos[:, keep]
        fn_ratio = float(self.is_homophone(neg).double().mean()) if neg.numel() else 0.0
        if self.add_homophones and self.train_homophones.numel() > 0:
            pos = torch.cat([pos, self.train_homophones], 1)
        a, t = self._embed()
        ps = (a[pos[0]] * t[pos[1] - v]).sum(1)
        ns = (a[neg[0]] * t[neg[1] - v]).sum(1)
        loss = -(F.logsigmoid(ps).mean() + F.logsigmoid(-ns).mean() * self.num_neg)
        with torch.no_grad():  # before the step: the gradient this epoch's negatives carry
            eta = sampling_efficiency(torch.cat([a, t]), pos, neg) if neg.numel() else math.nan
            sig = torch.sigmoid(ns)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return {"loss": loss.item(), "homophone_neg_ratio": fn_ratio, "eta": eta,
                "neg_sigmoid": float(sig.mean()) if ns.numel() else 0.0,
                "hard_negative_rate": float((sig >= 0.5).double().mean()) if ns.numel()
                else 0.0,
                "dropped": self.sampler.last_stats.dropped}

    def split_words(self, split: str) -> Tensor:
        """Word ids of ``split`` (``"train"``, ``"val"`` or ``"test"``)."""
        check_option(split, "split", ("train", "val", "test"), owner=type(self).__name__)
        return {"train": self.train_words, "val": self.val_words, "test": self.test_words}[split]

    def split_metrics(self, split: str, scores: Tensor) -> Dict[str, float]:
        r"""The metrics of ``split`` (see the Notes) from a score matrix.

        Parameters
        ----------
        split : {"val", "test"}
        scores : FloatTensor, shape (Q, V)
            Score of every written word for each word of the split (any scorer: the
            model, or a baseline that needs no learning).

        Returns
        -------
        dict
            ``mrr, hits1, mrr_homophone, hard_mrr, hard_hits1, homophone_word_mrr``.
        """
        q = self.split_words(split)
        v = self.num_words
        scores = scores.detach().double()
        if scores.shape != (q.numel(), v):
            raise ValueError(f"The 'scores' parameter of {type(self).__name__}.split_metrics "
                             f"must have shape ({q.numel()}, {v}). Got {tuple(scores.shape)} "
                             f"instead.")
        rows = torch.arange(q.numel())
        low = scores.min() - 1.0                     # strictly below every real score
        true = scores[rows, q]
        rank = positive_ranks(true, scores.index_put((rows, q), low))
        ok = torch.zeros(q.numel(), v, dtype=torch.bool)
        ok[rows, q] = True
        ok |= self.is_homophone(torch.stack([q.repeat_interleave(v),
                                             torch.arange(v).repeat(q.numel()) + v])
                                ).view(q.numel(), v)
        best = scores.masked_fill(~ok, float("-inf")).max(1).values
        rank_h = positive_ranks(best, scores.masked_fill(ok, float(low)))
        hard = positive_ranks(true, scores.gather(1, self.hard_negatives[split]))
        hw = self.has_homophone[q]
        return {"mrr": float((1.0 / rank).mean()), "hits1": float((rank == 1).double().mean()),
                "mrr_homophone": float((1.0 / rank_h).mean()),
                "hard_mrr": float((1.0 / hard).mean()),
                "hard_hits1": float((hard == 1).double().mean()),
                "homophone_word_mrr": float((1.0 / rank[hw]).mean()) if bool(hw.any())
                else float("nan")}

    @torch.no_grad()
    def evaluate(self, split: str) -> Dict[str, Any]:
        """:meth:`split_metrics` of the model on ``split`` (the loop calls it with
        ``"val"`` every epoch, :meth:`Trainer.test` with ``"test"`` once), and
        ``train_homophone_mrr``: ``mrr_homophone`` of the training words that have a
        homophone, where the homophone policy acts directly."""
        a, t = self._embed()
        q = self.split_words(split)
        out = self.split_metrics(split, a[q] @ t.T)
        hq = torch.unique(self.train_homophones[0])
        if hq.numel() > 0:  # where the homophone policy acts directly
            s = a[hq] @ t.T
            ok = self.is_homophone(torch.stack([hq.repeat_interleave(self.num_words),
                                                torch.arange(self.num_words).repeat(hq.numel())
                                                + self.num_words])).view(hq.numel(), -1)
            ok[torch.arange(hq.numel()), hq] = True
            best = s.masked_fill(~ok, float("-inf")).max(1).values
            rank = positive_ranks(best, s.masked_fill(ok, float(s.min() - 1.0)))
            out["train_homophone_mrr"] = float((1.0 / rank).mean())
        return out

    def extra_state(self) -> Dict[str, Any]:
        return {"sampler_rng": self.sampler.get_rng_state(), "prefetched": self._prefetched}

    def load_extra_state(self, state: Dict[str, Any]) -> None:
        self.sampler.set_rng_state(state["sampler_rng"])
        self._prefetched = state.get("prefetched")
