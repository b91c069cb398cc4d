"""The default embedder: hashed word, word-pair and character n-gram features. No weights, no downloads.

It is deterministic and stateless (no vocabulary, no corpus statistics), so vectors stored yesterday stay
valid when articles are added today.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from functools import lru_cache

import numpy as np

from store.text import STOPWORDS, TOKENIZER_VERSION, _stem, words

_GROUP_WEIGHTS = {"w": 1.0, "b": 0.6, "c": 0.5}


class HashingEmbedder:
    """Feature-hashing embedder. ``embed`` returns L2-normalised float32 vectors of ``dimensions`` values."""

    version = 1
    parallel = True  # CPU work that pickles small: large ingests may run it in a worker process

    def __init__(self, dimensions: int = 1024, char_ngrams: tuple[int, int] = (3, 5)):
        if dimensions < 64 or dimensions & (dimensions - 1):
            raise ValueError("dimensions must be a power of two, at least 64")
        self.dimensions = dimensions
        self.char_ngrams = (int(char_ngrams[0]), int(char_ngrams[1]))
        self._mask = dimensions - 1
        self._word_features = lru_cache(maxsize=100_000)(self._features_of_word)

    def __reduce__(self):  # the per-word cache does not pickle; a copy starts with an empty one
        return (HashingEmbedder, (self.dimensions, self.char_ngrams))

    @property
    def id(self) -> str:
        """Names everything that shapes the vectors; part of the collection name."""
        lo, hi = self.char_ngrams
        return f"hash-ngram-v{self.version}.{TOKENIZER_VERSION}-d{self.dimensions}-c{lo}{hi}"

    def _slot(self, feature: str) -> tuple[int, float]:
        h = zlib.crc32(feature.encode("utf-8"))
        return h & self._mask, (1.0 if h >> 31 else -1.0)

    def _features_of_word(self, word: str) -> tuple[int, float, np.ndarray, np.ndarray]:
        """Slot and sign of the word's stem, and of each of its character n-grams (cached per word)."""
        wi, ws = self._slot("w:" + _stem(word))
        marked = f"<{word}>"
        lo, hi = self.char_ngrams
        grams = sorted({marked[i:i + n] for n in range(lo, hi + 1) for i in range(len(marked) - n + 1)})
        slots = [self._slot("c:" + g) for g in grams]
        return wi, ws, np.array([s for s, _ in slots], dtype=np.int64), np.array([g for _, g in slots])

    def _group(self, idx: np.ndarray, weights: np.ndarray) -> np.ndarray:
        part = np.bincount(idx, weights=weights, minlength=self.dimensions)
        part = np.sign(part) * np.log1p(np.abs(part))  # damp repeated features
        norm = math.sqrt(float(part @ part))
        return part / norm if norm else part

    def embed_one(self, text: str, weight=None) -> np.ndarray:
        """The vector of ``text``. ``weight(stem)``, when given, scales each word's features: queries are weighted
        by the corpus's idf this way, while stored vectors stay independent of the corpus."""
        content = [w for w in words(text) if w not in STOPWORDS]
        if not content:
            return np.zeros(self.dimensions, dtype=np.float32)
        tf = Counter(content)
        feats = [self._word_features(w) for w in tf]
        counts = np.fromiter(tf.values(), dtype=np.float64, count=len(tf))
        if weight is not None:
            counts = counts * np.fromiter((weight(_stem(w)) for w in tf), dtype=np.float64, count=len(tf))
        w_idx = np.fromiter((f[0] for f in feats), dtype=np.int64, count=len(feats))
        w_sign = np.fromiter((f[1] for f in feats), dtype=np.float64, count=len(feats))
        c_idx = np.concatenate([f[2] for f in feats])
        c_w = np.concatenate([f[3] for f in feats]) * np.repeat(counts, [len(f[2]) for f in feats])
        vec = _GROUP_WEIGHTS["w"] * self._group(w_idx, w_sign * counts) + _GROUP_WEIGHTS["c"] * self._group(c_idx, c_w)
        if len(content) > 1:
            pairs = Counter(zip(content, content[1:]))
            slots = [self._slot(f"b:{_stem(a)} {_stem(b)}") for a, b in pairs]
            b_idx = np.fromiter((x for x, _ in slots), dtype=np.int64, count=len(slots))
            b_w = np.fromiter((sg for _, sg in slots), dtype=np.float64, count=len(slots)) * np.fromiter(pairs.values(), dtype=np.float64, count=len(pairs))
            if weight is not None:
                b_w *= np.fromiter((0.5 * (weight(_stem(a)) + weight(_stem(b))) for a, b in pairs), dtype=np.float64, count=len(pairs))
            vec += _GROUP_WEIGHTS["b"] * self._group(b_idx, b_w)
        norm = float(np.linalg.norm(vec))
        return (vec / norm if norm else vec).astype(np.float32)

    def embed_query(self, text: str, weight=None) -> np.ndarray:
        return self.embed_one(text, weight)[None, :]

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.vstack([self.embed_one(t) for t in texts])
