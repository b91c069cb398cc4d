"""A BM25 index over chunks, kept in one file beside Chroma and rebuilt whenever the catalog changes."""

from __future__ import annotations

import json
import math
import os
import zipfile
from pathlib import Path

import numpy as np

from store.text import terms


PHRASE = "\x01"  # joins the two terms of a phrase key; no term contains it


def phrases(term_list: list[str]) -> list[str]:
    """Adjacent term pairs: the phrase field, which rewards passages that keep the question's words together."""
    return [a + PHRASE + b for a, b in zip(term_list, term_list[1:])]


class LexicalIndex:
    """Okapi BM25 (Lucene's idf) over two fields, terms and adjacent-term phrases (a light sequential-dependence
    model), with postings held as flat numpy arrays. A phrase match adds ``phrase_weight`` times its BM25 score."""

    def __init__(self, k1: float = 1.2, b: float = 0.75, phrase_weight: float = 0.1):
        self.k1, self.b, self.phrase_weight = k1, b, phrase_weight
        self.ids: list[str] = []
        self.vocab: dict[str, int] = {}
        self.ptr = np.zeros(1, dtype=np.int64)
        self.docs = np.zeros(0, dtype=np.int32)
        self.weights = np.zeros(0, dtype=np.float32)
        self.fingerprint = ""
        self.spans: list[tuple[str, int, int]] | None = None  # (article_id, start, end) of each chunk

    @property
    def size(self) -> int:
        return len(self.ids)

    def build(self, ids: list[str], texts: list[str], fingerprint: str = "") -> "LexicalIndex":
        token_lists = [terms(t) for t in texts]
        n = len(ids)
        vocab: dict[str, int] = {}
        ptrs, docs, weights = [np.zeros(1, dtype=np.int64)], [], []
        for field in (token_lists, [phrases(t) for t in token_lists]):
            first = len(vocab)
            term_ids = np.fromiter((vocab.setdefault(t, len(vocab)) for tokens in field for t in tokens), dtype=np.int64)
            lengths = np.fromiter((len(tokens) for tokens in field), dtype=np.int64, count=n)
            doc_ids = np.repeat(np.arange(n, dtype=np.int64), lengths)
            # one (term, doc) pair per posting, sorted by term then document, with its term frequency
            pairs, tf = np.unique((term_ids - first) * max(n, 1) + doc_ids, return_counts=True)
            t_of, d_of = pairs // max(n, 1), (pairs % max(n, 1)).astype(np.int32)
            df = np.bincount(t_of, minlength=len(vocab) - first)
            idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
            avgdl = float(lengths.mean()) if n and lengths.mean() > 0 else 1.0
            norm = self.k1 * (1 - self.b + self.b * lengths[d_of] / avgdl)
            weights.append((idf[t_of] * tf * (self.k1 + 1) / (tf + norm)).astype(np.float32))
            docs.append(d_of)
            ptrs.append(ptrs[-1][-1] + np.cumsum(df))
        self.ids, self.vocab, self.fingerprint = list(ids), vocab, fingerprint
        self.ptr = np.concatenate(ptrs).astype(np.int64)
        self.docs = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int32)
        self.weights = np.concatenate(weights) if weights else np.zeros(0, dtype=np.float32)
        return self

    def df(self, term: str) -> int:
        t = self.vocab.get(term)
        return 0 if t is None else int(self.ptr[t + 1] - self.ptr[t])

    def idf(self, term: str) -> float:
        n, df = self.size, self.df(term)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """BM25 of every chunk for these query terms, plus the weighted phrase field for their adjacent pairs."""
        out = np.zeros(self.size, dtype=np.float32)
        weighted = [(t, 1.0) for t in query_terms]
        if self.phrase_weight:
            weighted += [(p, self.phrase_weight) for p in phrases(query_terms)]
        for term, factor in weighted:
            t = self.vocab.get(term)
            if t is not None:
                lo, hi = self.ptr[t], self.ptr[t + 1]
                out[self.docs[lo:hi]] += factor * self.weights[lo:hi]
        return out

    def search(self, query: str, n: int) -> list[tuple[str, float]]:
        """The ``n`` best chunks for ``query`` as ``(chunk_id, score)``, best first; chunks scoring 0 are left out."""
        if not self.size or n <= 0:
            return []
        s = self.scores(terms(query))
        n = min(n, self.size)
        top = np.argpartition(-s, n - 1)[:n]
        top = top[np.argsort(-s[top], kind="stable")]
        return [(self.ids[i], float(s[i])) for i in top if s[i] > 0]

    # -- persistence: one file, replaced atomically ----------------------------------------------------
    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(path.name + ".tmp*"):  # left by a process killed while saving
            stale.unlink(missing_ok=True)
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        header = {"format": 2, "k1": self.k1, "b": self.b, "phrase_weight": self.phrase_weight, "fingerprint": self.fingerprint, "ids": self.ids, "vocab": list(self.vocab),
                  "spans": self.spans}
        with open(tmp, "wb") as f:
            np.savez(f, ptr=self.ptr, docs=self.docs, weights=self.weights, header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8))
            f.flush()
            os.fsync(f.fileno())
        from store.store import crash_point

        crash_point("lexical-written")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> "LexicalIndex | None":
        """The saved index, or None when the file is missing or damaged (the caller rebuilds it)."""
        try:
            with np.load(path, allow_pickle=False) as z:
                header = json.loads(z["header"].tobytes().decode())
                if header.get("format") != 2:
                    return None
                index = cls(header["k1"], header["b"], header["phrase_weight"])
                index.ptr, index.docs, index.weights = z["ptr"], z["docs"], z["weights"]
            index.ids, index.fingerprint = header["ids"], header["fingerprint"]
            index.spans = [tuple(s) for s in header["spans"]] if header.get("spans") is not None else None
            index.vocab = {t: i for i, t in enumerate(header["vocab"])}
            if len(index.ptr) != len(index.vocab) + 1 or (len(index.docs) and int(index.docs.max()) >= len(index.ids)):
                return None
            return index
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError):
            return None
