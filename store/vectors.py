"""Chroma, embedded (``PersistentClient``), holding one collection per vector-shaping configuration."""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from chromadb import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from rag.errors import RagError, StoreError


@register_embedding_function
class NewsragEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of our embedder, so Chroma never falls back to its downloading default. We always pass
    vectors in; rebuilt from a stored config (no embedder attached), it refuses to embed rather than guess."""

    def __init__(self, embedder=None, embedder_id: str = ""):
        self.embedder = embedder
        self.embedder_id = embedder.id if embedder is not None else embedder_id

    def __call__(self, input: Documents) -> Embeddings:
        if self.embedder is None:
            raise ValueError(f"newsrag computes its own vectors (embedder {self.embedder_id}); pass embeddings")
        return list(self.embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "newsrag"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict:
        return {"embedder": self.embedder_id}

    @staticmethod
    def build_from_config(config: dict) -> "NewsragEmbeddingFunction":
        return NewsragEmbeddingFunction(None, config.get("embedder", ""))


@contextmanager
def chroma_errors(action: str, where: object):
    """Turn whatever Chroma raises into a StoreError that names the store and the remedy."""
    try:
        yield
    except RagError:  # ours (a failing embeddings server, say) pass through as they are
        raise
    except Exception as e:  # chromadb raises many exception types, none of them shared
        raise StoreError(f"Chroma failed to {action} at {where} ({type(e).__name__}: {e}); check that the store folder "
                         "is readable and writable and not damaged, or point RAG_STORE_DIR elsewhere") from None


def _client(where: Path | str):
    """Embedded Chroma in a folder, or a Chroma server at ``http(s)://host:port``."""
    import chromadb

    settings = chromadb.Settings(anonymized_telemetry=False)
    if isinstance(where, str) and where.startswith(("http://", "https://")):
        url = urlparse(where)
        if not url.hostname:
            raise StoreError(f"RAG_CHROMA_URL {where!r} is not a URL like http://127.0.0.1:8000")
        try:
            client = chromadb.HttpClient(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
                                         ssl=url.scheme == "https", settings=settings)
            client.heartbeat()
        except Exception as e:  # connection refused, DNS, TLS: all mean the same to the user
            raise StoreError(f"cannot reach the Chroma server at {where} ({type(e).__name__}); start it "
                             "(chroma run --path DIR --host 127.0.0.1 --port 8000) or unset RAG_CHROMA_URL to use the "
                             "embedded store") from None
        return client
    Path(where).mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(where), settings=settings)


class ChromaVectors:
    """Chunks and their vectors in one Chroma collection, embedded (a folder) or on a server (a URL). Vectors are
    computed by us and passed in."""

    # a sparser HNSW graph than Chroma's default (16 neighbours, ef 100): Chroma's write takes about 40% less time
    # (SciFact: 10.9 s -> 6.8 s) at the same retrieval quality (bench/RESULTS.md). Fixed when a collection is created.
    hnsw = {"space": "cosine", "ef_construction": 40, "max_neighbors": 8}

    def __init__(self, where: Path | str, name: str, embedder):
        self.embedder = embedder
        self.name = name
        self.where = where
        self.remote = isinstance(where, str) and where.startswith(("http://", "https://"))
        with chroma_errors("open the store", where):
            self.client = _client(where)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.collection = self.client.get_or_create_collection(
                    name,
                    embedding_function=NewsragEmbeddingFunction(embedder),
                    configuration={"hnsw": dict(self.hnsw)},
                    metadata={"embedder": embedder.id},
                )

    def count(self) -> int:
        with chroma_errors("count chunks", self.where):
            return self.collection.count()

    def replace(self, article_ids: list[str], ids: list[str], texts: list[str], metadatas: list[dict], vectors=None) -> None:
        """Make ``ids`` the only chunks of ``article_ids`` (one batch: Chroma's cost is per call, not per chunk).
        ``vectors``, when given, are the embedder's vectors of ``texts``, computed beforehand."""
        with chroma_errors("write chunks", self.where):
            self._replace(article_ids, ids, texts, metadatas, vectors)

    def _replace(self, article_ids: list[str], ids: list[str], texts: list[str], metadatas: list[dict], vectors=None) -> None:
        old: set[str] = set()
        for i in range(0, len(article_ids), 500):
            part = article_ids[i:i + 500]
            where = {"article_id": part[0]} if len(part) == 1 else {"article_id": {"$in": part}}
            old |= set(self.collection.get(where=where, include=[])["ids"])
        if ids:
            vectors = self.embedder.embed(texts) if vectors is None else vectors
            for i in range(0, len(ids), 4000):
                self.collection.upsert(ids=ids[i:i + 4000], embeddings=vectors[i:i + 4000],
                                       metadatas=metadatas[i:i + 4000])
        stale = sorted(old - set(ids))
        if stale:
            self.collection.delete(ids=stale)

    def all_ids(self) -> list[str]:
        out: list[str] = []
        with chroma_errors("list chunks", self.where):
            while True:
                page = self.collection.get(include=[], limit=10_000, offset=len(out))["ids"]
                out += page
                if len(page) < 10_000:
                    return out

    def delete_ids(self, ids: list[str]) -> None:
        with chroma_errors("delete chunks", self.where):
            for i in range(0, len(ids), 5000):
                self.collection.delete(ids=ids[i:i + 5000])

    def delete(self, article_id: str) -> None:
        with chroma_errors("delete chunks", self.where):
            self.collection.delete(where={"article_id": article_id})

    def query(self, text: str, n: int, weight=None, feedback: list[str] = (), feedback_weight: float = 1.0,
              rescore: list[str] = ()) -> list[tuple[str, float]]:
        """The ``n`` nearest chunks to ``text`` as ``(chunk_id, cosine similarity)``, best first. ``weight`` (term ->
        factor) shapes the query vector of embedders that support it. ``feedback`` (chunk ids) adds the mean of
        their stored vectors, scaled by ``feedback_weight`` against the unit query (pseudo-relevance feedback).
        ``rescore`` chunks the approximate search missed are scored exactly and included."""
        if n <= 0:
            return []
        embed_query = getattr(self.embedder, "embed_query", None)
        vector = np.asarray(embed_query(text, weight) if embed_query else self.embedder.embed([text]), dtype=np.float32)
        if not vector.any():
            return []
        vector = vector / np.linalg.norm(vector)
        with chroma_errors("search", self.where):
            wanted = list(dict.fromkeys([*(feedback if feedback_weight else ()), *rescore]))
            stored = {}
            if wanted:  # one read for both: the feedback passages are the best of the candidates to rescore
                got = self.collection.get(ids=wanted, include=["embeddings"])
                stored = dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
            centre = [stored[c] for c in feedback if c in stored] if feedback_weight else []
            if centre and (centre_norm := float(np.linalg.norm(mean := np.mean(centre, axis=0)))):
                vector = vector + feedback_weight * mean[None, :] / centre_norm
                vector = vector / np.linalg.norm(vector)
            res = self.collection.query(query_embeddings=vector, n_results=n, include=["distances"])
        found = {cid: 1.0 - float(d) for cid, d in zip(res["ids"][0], res["distances"][0])}
        for cid in rescore:  # HNSW is approximate: a strong lexical candidate may be missing from its answer
            if cid not in found and cid in stored and (norm := float(np.linalg.norm(stored[cid]))):
                found[cid] = float(stored[cid] @ vector[0]) / norm
        return sorted(found.items(), key=lambda kv: -kv[1])
