"""The store: article catalog (SQLite), vectors (Chroma) and lexical index, kept consistent with each other."""

from __future__ import annotations

import hashlib
import os
import signal
import threading
from dataclasses import dataclass
from functools import wraps
from pathlib import Path

from rag.errors import StoreError
from store.catalog import Article, Catalog, content_hash
from store.chunking import Chunk, chunk_text
from store.embedder import HashingEmbedder
from store.lexical import LexicalIndex
from store.text import TOKENIZER_VERSION


def collection_name(embedder_id: str, chunk_tokens: int, overlap_tokens: int, encoding: str) -> str:
    """Derived from everything that shapes the vectors, so a change never mixes old and new vectors."""
    key = f"{embedder_id}|{chunk_tokens}|{overlap_tokens}|{encoding}"
    return "newsrag-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def crash_point(name: str) -> None:
    """Test hook: NEWSRAG_TEST_CRASH_AT=<name> kills the process here with SIGKILL, so tests can prove that an
    ingest killed at any step leaves a store that opens, answers, and is completed by the next ingest."""
    if os.environ.get("NEWSRAG_TEST_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _locked(method):
    """Store state is shared by the web app's worker threads: one operation at a time, never held across a yield."""
    @wraps(method)
    def inner(self, *args, **kwargs):
        with self.lock:
            return method(self, *args, **kwargs)
    return inner


@dataclass
class Prepared:
    """A batch chunked and being embedded, not yet written (:meth:`Store.prepare`, :meth:`Store.commit`)."""
    batch: list[tuple[Article, str]]
    ids: list[str]
    texts: list[str]
    metas: list[dict]
    counts: list[int]
    pending: object | None  # has .result() -> the vectors of texts; None: the vector store embeds them


@dataclass(frozen=True)
class ChunkingParams:
    chunk_tokens: int = 200
    overlap_tokens: int = 40
    encoding: str = "cl100k_base"


@dataclass(frozen=True)
class LexicalParams:
    title_weight: int = 2  # the headline counts this many times in each passage's lexical text
    phrase_weight: float = 0.1  # query-time weight of adjacent-term phrase matches
    query_idf_power: float = 2.0  # query vectors weight words by idf ** this


class Store:
    """One store directory. Chroma and the lexical index open lazily, on first use."""

    def __init__(self, store_dir: Path, embedder: HashingEmbedder, chunking: ChunkingParams = ChunkingParams(),
                 vectors_factory=None, lexical: LexicalParams = LexicalParams()):
        self.dir = Path(store_dir)
        self.embedder = embedder
        self.chunking = chunking
        self.lock = threading.RLock()
        self.lexical_params = lexical
        self.shared = None  # server mode: the articles collection every process shares (store.shared)
        self.catalog = Catalog(self.dir / "catalog.sqlite3")
        self.index_name = collection_name(embedder.id, chunking.chunk_tokens, chunking.overlap_tokens, chunking.encoding)
        self._vectors_factory = vectors_factory
        self._vectors = None
        self._lexical: LexicalIndex | None = None
        self._seen_version: tuple[int, int] | None = None
        self._articles: dict[str, Article] = {}
        self.chunks: dict[str, Chunk] = {}
        self._chunk_cache: dict[tuple[str, str], list[Chunk]] = {}  # filled by an ingest, used by the rebuild after it

    @property
    @_locked
    def vectors(self):
        if self._vectors is None:
            if self._vectors_factory is not None:
                self._vectors = self._vectors_factory(self.index_name, self.embedder)
            else:
                from store.vectors import ChromaVectors

                self._vectors = ChromaVectors(self.dir / "chroma", self.index_name, self.embedder)
        return self._vectors

    @property
    def lexical_path(self) -> Path:
        return self.dir / "lexical" / f"{self.index_name}-t{TOKENIZER_VERSION}-w{self.lexical_params.title_weight}.npz"

    @property
    @_locked
    def lexical(self) -> LexicalIndex:
        """The BM25 index, loaded from disk, or rebuilt from the catalog when missing, damaged or stale."""
        if self.shared is not None and self.shared.changed():  # another process wrote to the shared server
            self.pull()
        version = self.catalog.version()
        if self._lexical is not None and version == self._seen_version:
            return self._lexical
        self._seen_version = version
        self._articles.clear()
        fingerprint = self.catalog.fingerprint()
        if self._lexical is None or self._lexical.fingerprint != fingerprint:
            index = LexicalIndex.load(self.lexical_path)
            if index is None or index.fingerprint != fingerprint or index.spans is None:
                index = self._build_lexical(fingerprint)
            index.phrase_weight = self.lexical_params.phrase_weight  # applied at query time
            self._lexical = index
            self.chunks = {cid: Chunk(cid, a, i, s, e, 0) for i, (cid, (a, s, e)) in enumerate(zip(index.ids, index.spans))}
        return self._lexical

    @_locked
    def pull(self) -> int:
        """Server mode: copy the server's articles into the local catalog; return how many changed."""
        from store.vectors import chroma_errors

        with chroma_errors("read the shared articles", getattr(self.vectors, "where", "")):
            return self.shared.pull(self.catalog, self.index_name)

    @_locked
    def article(self, article_id: str) -> Article:
        """A stored article, cached until the catalog changes."""
        _ = self.lexical  # notices changes
        if article_id not in self._articles:
            self._articles[article_id] = self.catalog.article(article_id)
        return self._articles[article_id]

    def _build_lexical(self, fingerprint: str) -> LexicalIndex:
        ids, texts, spans = [], [], []
        for article in self.catalog.articles():
            for chunk in self.chunk(article):
                ids.append(chunk.chunk_id)
                texts.append(f"{article.title}\n" * self.lexical_params.title_weight + article.text[chunk.start:chunk.end])
                spans.append((chunk.article_id, chunk.start, chunk.end))
        index = LexicalIndex().build(ids, texts, fingerprint)
        index.spans = spans
        self._chunk_cache.clear()
        try:
            index.save(self.lexical_path)
        except OSError as e:
            raise StoreError(f"cannot write the lexical index at {self.lexical_path} ({e.strerror or e}); "
                             "check that the store folder is writable, or set RAG_STORE_DIR") from None
        return index

    def chunk(self, article: Article) -> list[Chunk]:
        key = (article.article_id, content_hash(article))
        if key not in self._chunk_cache:
            self._chunk_cache[key] = self._chunk(article)
        return self._chunk_cache[key]

    def _chunk(self, article: Article) -> list[Chunk]:
        c = self.chunking
        chunks = chunk_text(article.article_id, article.text, c.chunk_tokens, c.overlap_tokens, c.encoding)
        tag = content_hash(article)[:10]  # content-hash ids: a changed article never reuses an old chunk id
        return [Chunk(f"{article.article_id}:{tag}:{ch.index}", ch.article_id, ch.index, ch.start, ch.end, ch.tokens) for ch in chunks]

    @staticmethod
    def index_text(article: Article, chunk: Chunk) -> str:
        """What the lexical index and the embedder see of a chunk: the headline, then the passage."""
        return f"{article.title}\n{article.text[chunk.start:chunk.end]}"

    # -- writing ---------------------------------------------------------------------------------------
    def write_articles(self, batch: list[tuple[Article, str]]) -> list[int]:
        """Store new or changed ``(article, file_hash)`` pairs; returns each article's chunk count."""
        return self.commit(self.prepare(batch))

    @_locked
    def prepare(self, batch: list[tuple[Article, str]], embedder=None) -> "Prepared":
        """Chunk a batch and start embedding it (``embedder.submit``, e.g. a background worker; else here, at
        commit). Nothing is written until :meth:`commit`."""
        ids, texts, metas, counts = [], [], [], []
        for article, _ in batch:
            chunks = self.chunk(article)
            ids += [c.chunk_id for c in chunks]
            texts += [self.index_text(article, c) for c in chunks]
            # the catalog holds the article's metadata; Chroma gets what locates the chunk (less to write and index)
            metas += [{"article_id": article.article_id, "start": c.start, "end": c.end, "index": c.index} for c in chunks]
            counts.append(len(chunks))
        pending = embedder.submit(texts) if embedder is not None and texts else None
        return Prepared(list(batch), ids, texts, metas, counts, pending)

    @_locked
    def commit(self, prepared: "Prepared") -> list[int]:
        """Write a prepared batch: vectors into Chroma first, then the catalog in one transaction, which is what
        marks the articles stored. Returns each article's chunk count."""
        batch, counts = prepared.batch, prepared.counts
        if batch:
            vectors = prepared.pending.result() if prepared.pending is not None else None
            self.vectors.replace([a.article_id for a, _ in batch], prepared.ids, prepared.texts, prepared.metas, vectors)
            if self.shared is not None:
                from store.vectors import chroma_errors

                with chroma_errors("share the articles", self.vectors.where):
                    self.shared.publish(batch, self.index_name, counts)
            crash_point("vectors-written")
            with self.catalog.transaction():
                for (article, file_hash), n in zip(batch, counts):
                    self.catalog.put(article, file_hash)
                    self.catalog.mark_indexed(self.index_name, article.article_id, content_hash(article), n)
        return counts

    @_locked
    def remove_article(self, article_id: str) -> int:
        chunks = self.catalog.chunk_count_of(self.index_name, article_id)
        self.vectors.delete(article_id)
        if self.shared is not None:
            self.shared.remove(article_id)
        with self.catalog.transaction():
            self.catalog.delete(article_id)
        return chunks

    @_locked
    def unindexed(self) -> list[str]:
        """Stored articles this collection lacks or holds in an older version."""
        indexed = self.catalog.indexed(self.index_name)
        return [aid for aid, h in self.catalog.content_hashes().items() if indexed.get(aid) != h]

    @_locked
    def sync_vectors(self, progress=None) -> int:
        """Embed, from the stored texts, the articles this collection lacks (after a change of embedder or
        chunking, or an interrupted ingest); return how many."""
        todo = self.unindexed()
        for i in range(0, len(todo), 64):
            part = todo[i:i + 64]
            self.write_articles([(self.catalog.article(aid), self.catalog.file_hash(aid)) for aid in part])
            if progress:
                progress(len(part))
        return len(todo)

    @_locked
    def repair(self) -> tuple[int, int]:
        """Make Chroma agree with the catalog after an interrupted write: delete chunks no stored article owns
        (orphans) and re-embed articles whose chunks are missing. Returns ``(orphans deleted, articles re-embedded)``."""
        expected = set(self.lexical.ids)
        have = set(self.vectors.all_ids())
        orphans = sorted(have - expected)
        if orphans and not getattr(self.vectors, "remote", False):  # on a shared server they may be another app's
            self.vectors.delete_ids(orphans)
        broken = sorted({self.chunks[cid].article_id for cid in expected - have})
        for aid in broken:
            self.catalog.unmark(self.index_name, aid)
        if broken:
            self.sync_vectors()
        return len(orphans), len(broken)

    @_locked
    def vector_search(self, text: str, n: int, feedback: list[str] = (), feedback_weight: float = 1.0,
                      rescore: list[str] = ()) -> list[tuple[str, float]]:
        """Nearest chunks that the current chunk table knows (stale ids from an interrupted write are ignored).
        ``feedback`` chunks pull the query vector toward theirs, by ``feedback_weight``; ``rescore`` chunks are
        scored exactly when the approximate search misses them."""
        lexical = self.lexical  # refreshes the chunk table if the catalog changed
        known = self.chunks
        power = self.lexical_params.query_idf_power
        weight = (lambda term: lexical.idf(term) ** power) if power else None
        feedback = [cid for cid in feedback if cid in known]
        rescore = [cid for cid in rescore if cid in known]
        return [(cid, s) for cid, s in self.vectors.query(text, n, weight, feedback, feedback_weight, rescore) if cid in known]

    def refresh_lexical(self) -> None:
        _ = self.lexical

    def close(self) -> None:
        self.catalog.close()
