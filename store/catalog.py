"""The article catalog: every article's text and metadata, and which articles each index holds.

It lives in SQLite beside Chroma. Article texts kept here are what citation offsets refer to, and what a new
embedder re-embeds from without reading the corpus folder again.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

from rag.errors import NotFoundError, StoreError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY, path TEXT UNIQUE NOT NULL, file_hash TEXT NOT NULL, content_hash TEXT NOT NULL,
    title TEXT NOT NULL, source TEXT, author TEXT, published TEXT, url TEXT, text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS indexed (
    index_name TEXT NOT NULL, article_id TEXT NOT NULL, content_hash TEXT NOT NULL, chunks INTEGER NOT NULL,
    PRIMARY KEY (index_name, article_id)
);
CREATE INDEX IF NOT EXISTS articles_by_content ON articles (content_hash);
"""
_FIELDS = ("article_id", "title", "source", "author", "published", "url", "path", "text")


@dataclass(frozen=True)
class Article:
    article_id: str
    title: str
    source: str | None
    author: str | None
    published: str | None
    url: str | None
    path: str
    text: str

    def meta(self) -> dict:
        """Everything but the text."""
        d = asdict(self)
        d.pop("text")
        return d


def content_hash(article: Article) -> str:
    """Hash of what shapes chunks and vectors: the text and the title."""
    return hashlib.sha256(json.dumps([article.title, article.text]).encode("utf-8")).hexdigest()


class Catalog:
    def __init__(self, path: Path):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as e:
            raise StoreError(f"cannot open the article catalog at {path} ({e}); check that the store folder is writable, or set RAG_STORE_DIR") from None

    def close(self) -> None:
        self.db.close()

    def version(self) -> tuple[int, int]:
        """Changes whenever this or another connection writes; cheap enough to ask before every question."""
        return self.db.execute("PRAGMA data_version").fetchone()[0], self.db.total_changes

    def transaction(self):
        """``with catalog.transaction():`` groups writes so that they land together or not at all."""
        return _Transaction(self.db)

    # -- articles ---------------------------------------------------------------------------------------
    def articles(self) -> list[Article]:
        rows = self.db.execute(f"SELECT {', '.join(_FIELDS)} FROM articles ORDER BY path").fetchall()
        return [Article(*row) for row in rows]

    def article(self, article_id: str) -> Article:
        row = self.db.execute(f"SELECT {', '.join(_FIELDS)} FROM articles WHERE article_id = ?", (article_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id!r}; `rag articles` lists the ids")
        return Article(*row)

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def by_path(self, path: str) -> tuple[str, str] | None:
        """``(article_id, file_hash)`` of the article ingested from ``path``."""
        return self.db.execute("SELECT article_id, file_hash FROM articles WHERE path = ?", (path,)).fetchone()

    def by_content(self, chash: str) -> str | None:
        """Path of an article with this content hash."""
        row = self.db.execute("SELECT path FROM articles WHERE content_hash = ?", (chash,)).fetchone()
        return row[0] if row else None

    def paths(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT path, article_id FROM articles").fetchall())

    def new_id(self, path: Path, reserved: set[str] = frozenset()) -> str:
        """A readable id from the file name, made unique with a short hash of the path when taken (stored, or
        ``reserved`` for articles about to be stored)."""
        base = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-.")[:60] or "article"
        taken = base in reserved or self.db.execute("SELECT 1 FROM articles WHERE article_id = ?", (base,)).fetchone()
        return base if not taken else f"{base}-{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"

    def put(self, article: Article, file_hash: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO articles (article_id, path, file_hash, content_hash, title, source, author, published, url, text)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article.article_id, article.path, file_hash, content_hash(article), article.title, article.source,
             article.author, article.published, article.url, article.text),
        )

    def delete(self, article_id: str) -> None:
        self.db.execute("DELETE FROM articles WHERE article_id = ?", (article_id,))
        self.db.execute("DELETE FROM indexed WHERE article_id = ?", (article_id,))

    def content_hashes(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT article_id, content_hash FROM articles").fetchall())

    def fingerprint(self) -> str:
        """Changes whenever any article is added, changed or removed."""
        rows = sorted(self.content_hashes().items())
        return hashlib.sha256(json.dumps(rows).encode()).hexdigest()

    # -- what each index holds -------------------------------------------------------------------------
    def indexed(self, index_name: str) -> dict[str, str]:
        rows = self.db.execute("SELECT article_id, content_hash FROM indexed WHERE index_name = ?", (index_name,))
        return dict(rows.fetchall())

    def mark_indexed(self, index_name: str, article_id: str, chash: str, chunks: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO indexed VALUES (?, ?, ?, ?)", (index_name, article_id, chash, chunks))

    def unmark(self, index_name: str, article_id: str) -> None:
        self.db.execute("DELETE FROM indexed WHERE index_name = ? AND article_id = ?", (index_name, article_id))

    def chunk_count_of(self, index_name: str, article_id: str) -> int:
        row = self.db.execute("SELECT chunks FROM indexed WHERE index_name = ? AND article_id = ?", (index_name, article_id)).fetchone()
        return row[0] if row else 0

    def file_hash(self, article_id: str) -> str:
        row = self.db.execute("SELECT file_hash FROM articles WHERE article_id = ?", (article_id,)).fetchone()
        return row[0] if row else ""

    def chunk_count(self, index_name: str) -> int:
        return self.db.execute("SELECT COALESCE(SUM(chunks), 0) FROM indexed WHERE index_name = ?", (index_name,)).fetchone()[0]


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
