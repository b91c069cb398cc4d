"""Hybrid retrieval: BM25, and vector search with pseudo-relevance feedback from it, fused."""

from __future__ import annotations

from rag.errors import LLMError
from rag.settings import RetrievalSettings
from rag.types import Hit
from store.store import Store


def zscore(channels: list[tuple[list[tuple[str, float]], float]]) -> dict[str, float]:
    """Weighted sum of each channel's standardised scores; a candidate a channel did not return gets that
    channel's lowest standardised score."""
    fused: dict[str, float] = {}
    parts = []
    for results, weight in channels:
        if not results or not weight:
            continue
        vals = [s for _, s in results]
        mean = sum(vals) / len(vals)
        std = (sum((v - mean) ** 2 for v in vals) / len(vals)) ** 0.5 or 1.0
        parts.append(({cid: (s - mean) / std for cid, s in results}, (min(vals) - mean) / std, weight))
    for scores, _, _ in parts:
        fused.update(dict.fromkeys(scores, 0.0))
    for cid in fused:
        fused[cid] = sum(w * scores.get(cid, floor) for scores, floor, w in parts)
    return fused


def rrf(rankings: list[tuple[list[str], float]], k: int) -> dict[str, float]:
    """Weighted reciprocal-rank fusion of ranked id lists: ``sum(weight / (k + rank))``, rank from 1."""
    fused: dict[str, float] = {}
    for ids, weight in rankings:
        for rank, cid in enumerate(ids, 1):
            fused[cid] = fused.get(cid, 0.0) + weight / (k + rank)
    return fused


class HybridRetriever:
    def __init__(self, store: Store, settings: RetrievalSettings = RetrievalSettings()):
        self.store = store
        self.settings = settings

    def lexical(self, query: str, n: int) -> list[tuple[str, float]]:
        return self.store.lexical.search(query, n)

    def vector(self, query: str, n: int, feedback: list[str] = (), rescore: list[str] = ()) -> list[tuple[str, float]]:
        return self.store.vector_search(query, n, feedback, self.settings.feedback_weight, rescore)

    def retrieve(self, query: str, top_k: int | None = None, channels: tuple[str, ...] = ("lexical", "vector")) -> list[Hit]:
        """The ``top_k`` best passages for ``query``, best first."""
        return self.search(query, top_k, channels)[0]

    def search(self, query: str, top_k: int | None = None, channels: tuple[str, ...] = ("lexical", "vector")) -> tuple[list[Hit], str | None]:
        """Like :meth:`retrieve`, with a notice for the user when a channel failed (else None)."""
        s = self.settings
        top_k = top_k or s.top_k
        _ = self.store.lexical  # loads the chunk table, refreshing it if the catalog changed
        n = max(s.candidates, top_k)
        notice = None
        lex = self.lexical(query, n) if "lexical" in channels else []
        try:
            # the vector query leans toward the best lexical passages (a second view of what the question is about),
            # and every lexical candidate gets its exact vector score, so fusion never sees an approximate miss
            lexical_ids = [cid for cid, _ in lex]
            vec = self.vector(query, n, lexical_ids[:s.feedback_passages], lexical_ids) if "vector" in channels else []
        except LLMError as e:  # the embeddings server failed: answer from the lexical index alone
            vec, notice = [], f"Vector search is unavailable ({e}); these results come from keyword search alone."
        if s.fusion == "zscore":
            fused = zscore([(lex, s.lexical_weight), (vec, s.vector_weight)])
        else:
            fused = rrf([([c for c, _ in lex], s.lexical_weight), ([c for c, _ in vec], s.vector_weight)], s.rrf_k)
        if len(channels) == 1:  # one channel alone: its own order, whatever its fusion weight
            fused = {cid: float(score) for cid, score in (lex or vec)}
        lex_rank = {cid: r for r, (cid, _) in enumerate(lex, 1)}
        vec_rank = {cid: r for r, (cid, _) in enumerate(vec, 1)}
        best = sorted(fused, key=lambda cid: (-fused[cid], cid))[:top_k]
        chunks = self.store.chunks
        hits = []
        for cid in best:
            chunk = chunks[cid]
            article = self.store.article(chunk.article_id)
            hits.append(Hit(cid, chunk.article_id, chunk.start, chunk.end, article.text[chunk.start:chunk.end],
                            fused[cid], lex_rank.get(cid), vec_rank.get(cid)))
        return hits, notice
