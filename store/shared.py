"""Server mode: the articles themselves (text and metadata) also live in a collection on the Chroma server, so every
app process that shares the server sees every other's ingests. Each process's SQLite catalog is a synchronised copy;
a version record, changed on every write, tells a process cheaply that it must pull."""

from __future__ import annotations

import time
import uuid
import warnings

from store.catalog import Article, Catalog, content_hash

NAME = "newsrag-articles"
VERSION_ID = "__version__"
_FIELDS = ("title", "source", "author", "published", "url", "path")


class SharedArticles:
    def __init__(self, client, check_interval: float = 1.0):
        from store.vectors import NewsragEmbeddingFunction

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.col = client.get_or_create_collection(NAME, embedding_function=NewsragEmbeddingFunction(None, "none"),
                                                       configuration={"hnsw": {"space": "cosine"}})
        self.check_interval = check_interval
        self._seen: str | None = None
        self._checked = 0.0

    def _bump(self) -> None:
        v = uuid.uuid4().hex
        self.col.upsert(ids=[VERSION_ID], embeddings=[[1.0]], metadatas=[{"kind": "version", "v": v}])
        self._seen = v

    def version(self) -> str | None:
        got = self.col.get(ids=[VERSION_ID], include=["metadatas"])
        return got["metadatas"][0]["v"] if got["ids"] else None

    def publish(self, batch: list[tuple[Article, str]], index_name: str, counts: list[int]) -> None:
        """Put these articles on the server (before the local catalog commits them)."""
        if not batch:
            return
        self.col.upsert(
            ids=[a.article_id for a, _ in batch], embeddings=[[1.0]] * len(batch), documents=[a.text for a, _ in batch],
            metadatas=[{"kind": "article", "file_hash": fh, "content_hash": content_hash(a), "index_name": index_name, "chunks": n,
                        **{f: getattr(a, f) for f in _FIELDS if getattr(a, f) is not None}} for (a, fh), n in zip(batch, counts)])
        self._bump()

    def remove(self, article_id: str) -> None:
        self.col.delete(ids=[article_id])
        self._bump()

    def changed(self) -> bool:
        """Has another process written since we last pulled? Asks the server at most every ``check_interval`` s."""
        now = time.monotonic()
        if now - self._checked < self.check_interval:
            return False
        self._checked = now
        return self.version() != self._seen

    def pull(self, catalog: Catalog, index_name: str) -> int:
        """Make the local catalog a copy of the server's articles; return how many changed."""
        self._seen = self.version()
        remote = self.col.get(where={"kind": "article"}, include=["metadatas"])
        metas = dict(zip(remote["ids"], remote["metadatas"]))
        local = catalog.content_hashes()
        todo = [aid for aid, m in metas.items() if local.get(aid) != m["content_hash"]]
        gone = [aid for aid in local if aid not in metas]
        with catalog.transaction():
            for i in range(0, len(todo), 500):
                got = self.col.get(ids=todo[i:i + 500], include=["documents", "metadatas"])
                for aid, text, m in zip(got["ids"], got["documents"], got["metadatas"]):
                    article = Article(aid, m["title"], m.get("source"), m.get("author"), m.get("published"), m.get("url"),
                                      m.get("path", ""), text)
                    catalog.put(article, m["file_hash"])
                    if m.get("index_name") == index_name:  # its chunks are already in our collection
                        catalog.mark_indexed(index_name, aid, m["content_hash"], m["chunks"])
            for aid in gone:
                catalog.delete(aid)
        return len(todo) + len(gone)
