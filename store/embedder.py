"""The default embedder: hashed word, word-pair and character n-gram features. No weights, no downloads.

It is deterministic and stateless (no vocabulary, no corpus statistics), so vectors stored yesterday stay
valid when articles are added today.
"""

from __future__ import annotations

import math
import zlib
from functools import lru_cache

import numpy as np

from store.text import STOPWORDS, TOKENIZER_VERSION, _stem, words

_GROUP_WEIGHTS = {"w": 1.0, "b": 0.6, "c": 0.5}


class HashingEmbedder:
    """Feature-hashing embedder. ``embed`` returns L2-normalised float32 vectors of ``dimensions`` values."""

    version = 1

    def __init__(self, dimensions: int = 1024, char_ngrams: tuple[int, int] = (3, 5)):
        if dimensions < 64 or dimensions & (dimensions - 1):
            raise ValueError("dimensions must be a power of two, at least 64")
        self.dimensions = dimensions
        self.char_ngrams = (int(char_ngrams[0]), int(char_ngrams[1]))
        self._mask = dimensions - 1
        self._word_features = lru_cache(maxsize=100_000)(self._features_of_word)

    @property
    def id(self) -> str:
        """Names everything that shapes the vectors; part of the collection name."""
        lo, hi = self.char_ngrams
        return f"hash-ngram-v{self.version}.{TOKENIZER_VERSION}-d{self.dimensions}-c{lo}{hi}"

    def _slot(self, feature: str) -> tuple[int, float]:
        h = zlib.crc32(feature.encode("utf-8"))
        return h & self._mask, (1.0 if h >> 31 else -1.0)

    def _features_of_word(self, word: str) -> tuple[tuple[int, ...], tuple[float, ...], tuple[int, ...], tuple[float, ...]]:
        wi, ws = self._slot("w:" + _stem(word))
        marked = f"<{word}>"
        lo, hi = self.char_ngrams
        grams = {marked[i:i + n] for n in range(lo, hi + 1) for i in range(len(marked) - n + 1)}
        slots = [self._slot("c:" + g) for g in sorted(grams)]
        return (wi,), (ws,), tuple(s for s, _ in slots), tuple(g for _, g in slots)

    def embed_one(self, text: str) -> np.ndarray:
        content = [w for w in words(text) if w not in STOPWORDS]
        vec = np.zeros(self.dimensions, dtype=np.float64)
        if not content:
            return vec.astype(np.float32)
        groups: dict[str, tuple[list[int], list[float]]] = {"w": ([], []), "b": ([], []), "c": ([], [])}
        for w in content:
            wi, ws, ci, cs = self._word_features(w)
            groups["w"][0].extend(wi), groups["w"][1].extend(ws)
            groups["c"][0].extend(ci), groups["c"][1].extend(cs)
        for a, b in zip(content, content[1:]):
            i, s = self._slot(f"b:{_stem(a)} {_stem(b)}")
            groups["b"][0].append(i), groups["b"][1].append(s)
        for name, (idx, signs) in groups.items():
            if not idx:
                continue
            part = np.bincount(np.asarray(idx), weights=np.asarray(signs), minlength=self.dimensions)
            part = np.sign(part) * np.log1p(np.abs(part))  # damp repeated features
            norm = math.sqrt(float(part @ part))
            if norm:
                vec += _GROUP_WEIGHTS[name] * part / norm
        norm = float(np.linalg.norm(vec))
        return (vec / norm if norm else vec).astype(np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.vstack([self.embed_one(t) for t in texts])
