r"""Sequence-labelling data: a real POS-tagged sample (shipped) and a synthetic HMM.

Real data
---------
:func:`load_turkish_upos_sample` reads 2,000 sentences (25,375 tokens, 14 UPOS
tags) of the Turkish Web Treebank (Google Research, Apache-2.0), shipped in this
package as ``turkish_web_upos_sample.txt.gz`` (provenance in
``turkish_web_upos_sample.md``). No POS corpus ships *inside* a common PyPI
package (NLTK downloads its corpora), so the excerpt is bundled here.

Synthetic
---------
:func:`hmm_sequences` samples from a first-order HMM with Dirichlet rows, for
controlled studies where the Bayes-optimal tagger is known.

Encoding
--------
:class:`SequenceVocabulary` maps words (unknown -> ``<unk>``, id 0), 3-letter
suffixes and labels to ids; an unknown *label* raises ``ValueError``.
:func:`encode_sentences` pads to ``(B, T)`` tensors with a prefix mask.
"""
from __future__ import annotations

import gzip
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor

from graphneg._random import Seed, as_generator, numpy_rng
from graphneg._validation import check_int, check_real

__all__ = [
    "load_turkish_upos_sample", "hmm_sequences", "SequenceVocabulary", "encode_sentences",
]

Sentence = List[Tuple[str, str]]
_HERE = os.path.dirname(os.path.abspath(__file__))
UNK = "<unk>"


def load_turkish_upos_sample(*, max_length: Optional[int] = None) -> List[Sentence]:
    """Sentences of the shipped Turkish Web Treebank excerpt as ``[(token, UPOS), ...]``.

    Parameters
    ----------
    max_length : int, optional
        Keep only sentences with at most this many tokens.

    Examples
    --------
    >>> sents = load_turkish_upos_sample()
    >>> len(sents), sum(map(len, sents))
    (2000, 25375)
    >>> sents[0][:2]
    [('Burda', 'PRON'), ('da', 'PRT')]
    """
    if max_length is not None:
        max_length = check_int(max_length, "max_length", low=1, owner="load_turkish_upos_sample")
    out: List[Sentence] = []
    cur: Sentence = []
    with gzip.open(os.path.join(_HERE, "turkish_web_upos_sample.txt.gz"), "rt",
                   encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#") and "\t" not in line:  # comment (a '#' token has a tab)
                continue
            if not line:
                if cur:
                    out.append(cur)
                cur = []
                continue
            word, tag = line.split("\t")
            cur.append((word, tag))
    if cur:
        out.append(cur)
    if max_length is not None:
        out = [s for s in out if len(s) <= max_length]
    return out


def hmm_sequences(num_sequences: int, *, num_labels: int = 5, vocab_size: int = 50,
                  length: int = 10, concentration: float = 0.3,
                  seed: Seed = None) -> Tuple[List[Sentence], Dict[str, Tensor]]:
    r"""Sample tagged sequences from a random first-order HMM.

    Transition rows :math:`A_i \sim \mathrm{Dir}(\alpha)`, emission rows
    :math:`B_i \sim \mathrm{Dir}(\alpha)`, initial :math:`\pi \sim \mathrm{Dir}(1)`;
    labels ``"T0".."T{L-1}"``, words ``"w0".."w{V-1}"``.

    Returns
    -------
    sentences : list of [(word, label), ...]
    params : dict
        ``start`` (L,), ``transitions`` (L, L), ``emissions`` (L, V) probabilities.

    Notes
    -----
    Cost :math:`O(N\,n\,(L + V))`, vectorised over sequences (loop over positions).

    Examples
    --------
    >>> sents, params = hmm_sequences(3, num_labels=2, vocab_size=4, length=3, seed=0)
    >>> len(sents), len(sents[0]), tuple(params["emissions"].shape)
    (3, 3, (2, 4))
    """
    owner = "hmm_sequences"
    num_sequences = check_int(num_sequences, "num_sequences", low=1, owner=owner)
    num_labels = check_int(num_labels, "num_labels", low=1, owner=owner)
    vocab_size = check_int(vocab_size, "vocab_size", low=1, owner=owner)
    length = check_int(length, "length", low=1, owner=owner)
    concentration = check_real(concentration, "concentration", low=0, closed="neither",
                               owner=owner)
    gen = as_generator(seed)

    rng = numpy_rng(gen)  # Gamma draws for the Dirichlet rows (numpy, derived from gen)

    def dirichlet(rows, cols, a):
        g = torch.as_tensor(rng.gamma(a, size=(rows, cols)))
        return g / g.sum(1, keepdim=True)

    start = dirichlet(1, num_labels, 1.0)[0]
    trans = dirichlet(num_labels, num_labels, concentration)
    emit = dirichlet(num_labels, vocab_size, concentration)
    tags = torch.empty(num_sequences, length, dtype=torch.long)
    tags[:, 0] = torch.multinomial(start.expand(num_sequences, -1), 1, generator=gen)[:, 0]
    for t in range(1, length):  # over positions; sequences are vectorised
        tags[:, t] = torch.multinomial(trans[tags[:, t - 1]], 1, generator=gen)[:, 0]
    words = torch.multinomial(emit[tags.view(-1)], 1, generator=gen).view(num_sequences, length)
    sents = [[(f"w{w}", f"T{y}") for w, y in zip(wr, yr)]
             for wr, yr in zip(words.tolist(), tags.tolist())]
    return sents, {"start": start, "transitions": trans, "emissions": emit}


@dataclass
class SequenceVocabulary:
    """Word, suffix and label ids (word and suffix id 0 = ``<unk>``).

    Examples
    --------
    >>> v = SequenceVocabulary.build([[("ev", "NOUN"), ("git", "VERB")]])
    >>> v.labels, v.word_id("yok")
    (['NOUN', 'VERB'], 0)
    """

    words: List[str] = field(default_factory=lambda: [UNK])
    suffixes: List[str] = field(default_factory=lambda: [UNK])
    labels: List[str] = field(default_factory=list)
    suffix_length: int = 3

    def __post_init__(self):
        self._w = {w: i for i, w in enumerate(self.words)}
        self._s = {s: i for i, s in enumerate(self.suffixes)}
        self._l = {l: i for i, l in enumerate(self.labels)}

    @classmethod
    def build(cls, sentences: Sequence[Sentence], *, suffix_length: int = 3,
              min_count: int = 1) -> "SequenceVocabulary":
        """Vocabulary of the words (seen ``>= min_count`` times), suffixes and labels."""
        from collections import Counter
        counts = Counter(w.lower() for s in sentences for w, _ in s)
        words = [UNK] + sorted(w for w, c in counts.items() if c >= min_count)
        sufs = [UNK] + sorted({w.lower()[-suffix_length:] for s in sentences for w, _ in s})
        labels = sorted({t for s in sentences for _, t in s})
        return cls(words, sufs, labels, suffix_length)

    def word_id(self, w: str) -> int:
        return self._w.get(w.lower(), 0)

    def suffix_id(self, w: str) -> int:
        return self._s.get(w.lower()[-self.suffix_length:], 0)

    def label_ids(self, tags: Sequence[str]) -> List[int]:
        """Label ids; unknown labels raise ``ValueError`` naming them."""
        bad = sorted({t for t in tags if t not in self._l})
        if bad:
            raise ValueError(f"The 'sentences' parameter holds unknown label(s) {bad[:10]}; "
                             f"known labels are {self.labels}.")
        return [self._l[t] for t in tags]


def encode_sentences(sentences: Sequence[Sentence], vocab: Optional[SequenceVocabulary] = None,
                     ) -> Tuple[Dict[str, Tensor], SequenceVocabulary]:
    """Pad tagged sentences into tensors.

    Parameters
    ----------
    sentences : list of [(word, label), ...]
        Every sentence non-empty.
    vocab : SequenceVocabulary, optional
        Built from ``sentences`` when omitted (pass the training vocabulary for
        validation/test data: unknown words map to ``<unk>``, unknown labels raise).

    Returns
    -------
    data : dict
        ``words``, ``suffixes``, ``tags`` LongTensor ``(B, T)`` (0-padded), ``mask``
        BoolTensor ``(B, T)``.
    vocab : SequenceVocabulary

    Examples
    --------
    >>> d, v = encode_sentences([[("a", "X"), ("b", "Y")], [("b", "Y")]])
    >>> d["tags"].tolist(), d["mask"].tolist()
    ([[0, 1], [1, 0]], [[True, True], [True, False]])
    """
    if isinstance(sentences, (str, bytes)) or not all(
            isinstance(s, (list, tuple)) and all(isinstance(p, (list, tuple)) and len(p) == 2
                                                 for p in s) for s in sentences):
        raise TypeError("The 'sentences' parameter of encode_sentences must be a list of "
                        "sentences, each a list of (word, label) pairs. Got "
                        f"{str(sentences)[:60]!r} instead.")
    if len(sentences) == 0 or any(len(s) == 0 for s in sentences):
        raise ValueError("The 'sentences' parameter of encode_sentences must be a non-empty "
                         "list of non-empty sentences. Got an empty one instead.")
    if vocab is None:
        vocab = SequenceVocabulary.build(sentences)
    b, t = len(sentences), max(map(len, sentences))
    out = {k: torch.zeros(b, t, dtype=torch.long) for k in ("words", "suffixes", "tags")}
    out["mask"] = torch.zeros(b, t, dtype=torch.bool)
    for i, s in enumerate(sentences):  # I/O-side conversion of Python strings
        n = len(s)
        out["words"][i, :n] = torch.tensor([vocab.word_id(w) for w, _ in s])
        out["suffixes"][i, :n] = torch.tensor([vocab.suffix_id(w) for w, _ in s])
        out["tags"][i, :n] = torch.tensor(vocab.label_ids([y for _, y in s]))
        out["mask"][i, :n] = True
    return out, vocab
