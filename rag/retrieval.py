"""Hybrid retrieval: BM25 and vector search, fused by weighted reciprocal rank."""

from __future__ import annotations

from rag.settings import RetrievalSettings
from rag.types import Hit
from store.store import Store


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

    def lexical(self, query: str, n: int) -> list[str]:
        return [cid for cid, _ in self.store.lexical.search(query, n)]

    def vector(self, query: str, n: int) -> list[str]:
        known = self.store.chunks
        return [cid for cid, _ in self.store.vectors.query(query, n) if cid in known]  # stale ids are ignored

    def retrieve(self, query: str, top_k: int | None = None, channels: tuple[str, ...] = ("lexical", "vector")) -> list[Hit]:
        """The ``top_k`` best passages for ``query``, best first."""
        s = self.settings
        top_k = top_k or s.top_k
        _ = self.store.lexical  # loads the chunk table, refreshing it if the catalog changed
        n = max(s.candidates, top_k)
        lex = self.lexical(query, n) if "lexical" in channels else []
        vec = self.vector(query, n) if "vector" in channels else []
        fused = rrf([(lex, s.lexical_weight), (vec, s.vector_weight)], s.rrf_k)
        lex_rank = {cid: r for r, cid in enumerate(lex, 1)}
        vec_rank = {cid: r for r, cid in enumerate(vec, 1)}
        best = sorted(fused, key=lambda cid: (-fused[cid], cid))[:top_k]
        hits = []
        for cid in best:
            chunk = self.store.chunks[cid]
            article = self.store.article(chunk.article_id)
            hits.append(Hit(cid, chunk.article_id, chunk.start, chunk.end, article.text[chunk.start:chunk.end],
                            fused[cid], lex_rank.get(cid), vec_rank.get(cid)))
        return hits
