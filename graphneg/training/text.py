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
:math:`\cos(W_a, W_b)` than a random word pair (fixed, seeded).

Audio–text matching
-------------------
Spoken words (phoneme sequences) and written words (spellings) of
:func:`graphneg.datasets.text.audio_text_graph` are embedded by two encoders —
bags of phoneme 1–2-grams and of letter 1–3-grams, each a two-layer MLP — and
matched by dot product, trained with negatives from a sampler over the text
nodes (``"phonetic"`` with its homophone policy, or any other). Evaluation on
held-out words ranks every written word for each spoken one: ``mrr`` counts only
the exact spelling as correct, ``mrr_homophone`` accepts any homophone.

Both subclass :class:`graphneg.training.Trainer` (early stopping, checkpoints,
bit-for-bit resume, no global RNG use outside the loop's scope).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.data import Data

from graphneg._random import Seed, spawn_seed
from graphneg._validation import check_int, check_real
from graphneg.evaluation import synonym_auc
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
        Word-similarity ground truth; default WordNet pairs within the vocabulary.
    num_random_pairs : int, default 5000
    epochs, patience, checkpoint_dir, verbose, seed
        See :class:`graphneg.training.Trainer` (monitor: ``val_syn_auc``).

    Notes
    -----
    Per epoch: one sampler call for ``pairs_per_epoch * num_neg`` negatives and
    ``pairs_per_epoch / batch_size`` Adam steps of cost :math:`O(B K d)`.

    Examples
    --------
    >>> from graphneg.datasets.text import text_graph
    >>> data = text_graph(corpus=[["a", "b", "c", "a", "d", "b"]] * 3, min_count=1)
    >>> t = SkipGramTrainer(data, sampler="uniform", num_neg=1, dim=4, pairs_per_epoch=20,
    ...                     synonyms=[("a", "b")], num_random_pairs=5, epochs=2, seed=0,
    ...                     verbose=False)
    >>> list(t.fit().columns)[:4]
    ['epoch', 'loss', 'neg_score_mean', 'pos_score_mean']
    """

    def __init__(self, data: Data, *, sampler: Union[str, NegativeSampler] = "degree",
                 sampler_kwargs: Optional[Dict[str, Any]] = None, num_neg: int = 5,
                 dim: int = 32, pairs_per_epoch: int = 20000, batch_size: int = 4096,
                 lr: float = 0.01, synonyms: Optional[Sequence[Tuple[str, str]]] = None,
                 num_random_pairs: int = 5000, epochs: int = 20,
                 patience: Optional[int] = None, seed: Seed = None, **loop_kwargs: Any):
        super().__init__(epochs=epochs, seed=seed, monitor="val_syn_auc", patience=patience,
                         **loop_kwargs)
        owner = type(self).__name__
        self.num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
        self.dim = check_int(dim, "dim", low=1, owner=owner)
        self.pairs_per_epoch = check_int(pairs_per_epoch, "pairs_per_epoch", low=1, owner=owner)
        self.batch_size = check_int(batch_size, "batch_size", low=1, owner=owner)
        lr = check_real(lr, "lr", low=0, closed="neither", owner=owner)
        v = int(data.num_words)
        self.data, self.num_words = data, v
        # message-passing edges in both directions: a context's degree is its number
        # of distinct co-occurring words (the degree sampler's deg^0.75)
        self.edge_index = torch.cat([data.edge_index, data.edge_index.flip(0)], 1)
        self.weight = data.edge_weight.double()
        self.self_pairs = torch.stack([torch.arange(v), torch.arange(v) + v])
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
        syn = [(index[a], index[b]) for a, b in synonyms if a in index and b in index]
        if not syn:
            raise ValueError(f"The 'synonyms' parameter of {owner} must hold at least one pair "
                             f"of vocabulary words. Got none in the vocabulary instead.")
        self.syn_pairs = torch.tensor(syn, dtype=torch.long).t()
        g = torch.Generator().manual_seed(spawn_seed(self.generator))
        r = torch.randint(v, (2, check_int(num_random_pairs, "num_random_pairs", low=1,
                                           owner=owner)), generator=g)
        self.random_pairs = r[:, r[0] != r[1]]
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
        for lo in range(0, perm.numel(), self.batch_size):  # mini-batches
            b = perm[lo:lo + self.batch_size]
            w = pos[0, b]
            ps = self._score(w, pos[1, b])
            ns = self._score(w.view(-1, 1), neg_c[b])
            loss = logistic_ns_loss(ps, ns)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            total += loss.item() * b.numel()
            pos_s += ps.sum().item()
            neg_s += ns.sum().item()
        n = max(pos.size(1), 1)
        stats = self.sampler.last_stats.as_dict()
        return {"loss": total / n, "neg_score_mean": neg_s / (n * self.num_neg),
                "pos_score_mean": pos_s / n, "dropped": stats["dropped"],
                "truncated_mass_mean": float(stats.get("truncated_mass_mean", 0.0))}

    def evaluate(self, split: str) -> Dict[str, Any]:
        return {"syn_auc": synonym_auc(self.model["word"].weight, self.syn_pairs,
                                       self.random_pairs)}

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
        Over the written words of the training split; ``sampler_kwargs`` (e.g.
        ``{"homophones": "keep", "radius": 2}``) go to its constructor.
    num_neg : int, default 5
    test_ratio : float, default 0.2
        Share of words whose audio–text pair is held out.
    dim, hidden : int
    lr : float
    epochs, patience, checkpoint_dir, verbose, seed
        See :class:`graphneg.training.Trainer` (monitor ``val_mrr_homophone``).

    Notes
    -----
    With ``homophones="positive"`` the homophone pairs of the batch anchors are
    added to the positives (:func:`graphneg.samplers.homophone_pairs`). Each
    epoch logs ``homophone_neg_ratio``, the share of drawn negatives that are
    homophones of their anchor (false negatives). Evaluation ranks all ``V``
    written words for each held-out spoken word: :math:`O(V_\mathrm{test} V d)`.

    Examples
    --------
    >>> from graphneg.datasets.text import audio_text_graph
    >>> g = audio_text_graph(words=["two", "too", "to", "cat", "cap", "cut", "tool", "tune"])
    >>> t = AudioTextTrainer(g, num_neg=2, epochs=2, seed=0, verbose=False,
    ...                      sampler_kwargs={"radius": 3})
    >>> bool(t.fit()["val_mrr"].between(0, 1).all())
    True
    """

    def __init__(self, data: Data, *, sampler: Union[str, NegativeSampler] = "phonetic",
                 sampler_kwargs: Optional[Dict[str, Any]] = None, num_neg: int = 5,
                 test_ratio: float = 0.2, dim: int = 64, hidden: int = 128, lr: float = 0.005,
                 epochs: int = 30, patience: Optional[int] = None, seed: Seed = None,
                 **loop_kwargs: Any):
        super().__init__(epochs=epochs, seed=seed, monitor="val_mrr_homophone",
                         patience=patience, **loop_kwargs)
        owner = type(self).__name__
        self.num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
        test_ratio = check_real(test_ratio, "test_ratio", low=0, high=1, closed="neither",
                                owner=owner)
        v = int(data.num_words)
        self.data, self.num_words = data, v
        perm = torch.randperm(v, generator=self.generator)
        num_test = max(1, int(round(test_ratio * v)))
        self.test_words, self.train_words = perm[:num_test], perm[num_test:]
        self.train_pos = torch.stack([self.train_words, self.train_words + v])
        self.text_mask = torch.zeros(2 * v, dtype=torch.bool)
        self.text_mask[self.train_words + v] = True
        self.audio_x = bag_of_ngrams(data.phonemes[:v], (1, 2))
        self.text_x = bag_of_ngrams(data.words[v:], (1, 2, 3))
        from graphneg.samplers.text import PhoneticNegativeSampler, homophone_pairs
        allp = homophone_pairs(data.phonemes, data.words, torch.arange(v),
                               candidate_mask=data.text_mask)
        self.homophone_keys = torch.unique(allp[0] * (2 * v) + allp[1])
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

    def _embed(self) -> Tuple[Tensor, Tensor]:
        return self.model["audio"](self.audio_x), self.model["text"](self.text_x)

    def is_homophone(self, pairs: Tensor) -> Tensor:
        """Mask of ``(audio, text)`` node pairs that are homophones, shape ``(P,)``."""
        key = pairs[0] * (2 * self.num_words) + pairs[1]
        pos = torch.searchsorted(self.homophone_keys, key).clamp(max=max(
            self.homophone_keys.numel() - 1, 0))
        return (self.homophone_keys.numel() > 0) & (self.homophone_keys[pos] == key)

    def train_step(self, epoch: int) -> Dict[str, Any]:
        v = self.num_words
        neg, keep = self.sampler.sample(self.train_pos, 2 * v, pos_edge_index=self.train_pos,
                                        candidate_mask=self.text_mask, return_mask=True,
                                        data=self.data)
        pos = self.train_pos[:, keep]
        fn_ratio = float(self.is_homophone(neg).double().mean()) if neg.numel() else 0.0
        if self.add_homophones and self.train_homophones.numel() > 0:
            pos = torch.cat([pos, self.train_homophones], 1)
        a, t = self._embed()
        ps = (a[pos[0]] * t[pos[1] - v]).sum(1)
        ns = (a[neg[0]] * t[neg[1] - v]).sum(1)
        loss = -(F.logsigmoid(ps).mean() + F.logsigmoid(-ns).mean() * self.num_neg)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return {"loss": loss.item(), "homophone_neg_ratio": fn_ratio,
                "dropped": self.sampler.last_stats.dropped}

    def _ranks(self, q: Tensor, a: Tensor, t: Tensor) -> Tuple[Tensor, Tensor]:
        """Strict and homophone-tolerant rank of the true text of each spoken word in
        ``q`` among all ``V`` written words."""
        v = self.num_words
        scores = a[q] @ t.T                                   # (Q, V) over all written words
        true = scores[torch.arange(q.numel()), q]
        rank = 1 + (scores > true.view(-1, 1)).sum(1)
        # homophone-tolerant: best score among the true text and its homophones
        ok = torch.zeros(q.numel(), v, dtype=torch.bool)
        ok[torch.arange(q.numel()), q] = True
        hp = self.is_homophone(torch.stack([q.repeat_interleave(v),
                                            torch.arange(v).repeat(q.numel()) + v]))
        ok |= hp.view(q.numel(), v)
        best = scores.masked_fill(~ok, float("-inf")).max(1).values
        rank_h = 1 + ((scores > best.view(-1, 1)) & ~ok).sum(1)
        return rank, rank_h

    @torch.no_grad()
    def evaluate(self, split: str) -> Dict[str, Any]:
        """Held-out words: ``mrr``, ``mrr_homophone``, ``hits1``. Training words that
        have a homophone: ``train_homophone_mrr`` (homophone-tolerant) — where the
        homophone policy acts directly."""
        a, t = self._embed()
        rank, rank_h = self._ranks(self.test_words, a, t)
        out = {"mrr": float((1.0 / rank.double()).mean()),
               "mrr_homophone": float((1.0 / rank_h.double()).mean()),
               "hits1": float((rank == 1).double().mean())}
        hq = torch.unique(self.train_homophones[0])
        if hq.numel() > 0:
            _, rh = self._ranks(hq, a, t)
            out["train_homophone_mrr"] = float((1.0 / rh.double()).mean())
        return out

    def extra_state(self) -> Dict[str, Any]:
        return {"sampler_rng": self.sampler.get_rng_state()}

    def load_extra_state(self, state: Dict[str, Any]) -> None:
        self.sampler.set_rng_state(state["sampler_rng"])
