"""The Python API: ``Assistant.open()``, then ``ingest``, ``ask``, ``articles`` and ``article``."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from rag.errors import QuestionError
from rag.settings import Settings
from rag.types import Answer, Hit, finished
from store.catalog import Article
from store.ingest import IngestReport, ingest
from store.store import Store

MAX_QUESTION_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_question(question: object) -> str:
    """The question as text, stripped of control characters; refuses empty and over-long ones."""
    if not isinstance(question, str):
        raise QuestionError(f"the question must be text, not {type(question).__name__}")
    text = " ".join(_CONTROL.sub(" ", question).split())
    if not text:
        raise QuestionError("the question is empty: ask something about the articles, e.g. \"Why is Iran disappointed with Russia?\"")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(text):,} characters long; the limit is {MAX_QUESTION_CHARS:,}: shorten it")
    return text


def _progress_bar(total: int, desc: str):
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="article", leave=False)
    return bar.update


class Assistant:
    """Answers questions about the stored articles. Components come in as arguments; :meth:`open` builds
    the real ones from :class:`Settings`."""

    def __init__(self, settings: Settings, store: Store, retriever=None, answerer=None):
        from rag.factory import build_answerer
        from rag.retrieval import HybridRetriever

        self.settings = settings
        self.store = store
        self.retriever = retriever or HybridRetriever(store, settings.retrieval)
        self.answerer = answerer or build_answerer(settings, store)
        self._ingest_lock = threading.Lock()  # one ingest at a time; questions go on (the store guards its state)

    @classmethod
    def open(cls, store_dir: str | Path | None = None, corpus_dir: str | Path | None = None,
             settings: Settings | None = None, auto_ingest: bool = True, progress: bool = False) -> "Assistant":
        """Open (or create) a store. An empty store first ingests the corpus folder (default ``seeds/``)."""
        settings = settings or Settings()
        updates = {}
        if store_dir is not None:
            updates["store_dir"] = Path(store_dir)
        if corpus_dir is not None:
            updates["corpus_dir"] = Path(corpus_dir)
        if updates:
            settings = settings.model_copy(update=updates)
        from rag.factory import build_answerer, build_client, build_store

        client = build_client(settings)
        store = build_store(settings, client)
        bot = cls(settings, store, answerer=build_answerer(settings, store, client))
        bot.first_ingest = None
        if auto_ingest and bot.store.catalog.count() == 0 and (corpus := settings.default_corpus()) is not None:
            bot.first_ingest = bot.ingest([corpus], progress=progress)
        elif todo := bot.store.unindexed():  # new embedder or chunking: embed the stored texts
            bot.store.sync_vectors(_progress_bar(len(todo), "embedding stored articles") if progress else None)
        return bot

    def ingest(self, paths: list[str | Path] | str | Path, prune: bool = False, progress: bool = False) -> IngestReport:
        """Add new files, replace changed ones, skip unchanged ones; ``prune`` removes articles whose files are gone."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        max_bytes = int(self.settings.ingest.max_file_mb * (1 << 20))
        with self._ingest_lock:
            return ingest(self.store, list(paths), prune=prune, max_bytes=max_bytes, progress=progress,
                          parallel=self.settings.ingest.parallel)

    def retrieve(self, question: str, top_k: int | None = None) -> list[Hit]:
        return self.retriever.retrieve(clean_question(question), top_k)

    def stream(self, question: str, query: str | None = None, exclude: frozenset = frozenset(),
               focus: str | None = None) -> Iterator[str | Answer]:
        """Yield the answer's text in pieces as it is written, then the finished :class:`Answer`.
        ``query`` searches instead of the question (a rewritten follow-up); ``exclude`` holds ``(article_id, start)``
        of sentences not to quote again; ``focus`` is the part of the query the answer must address."""
        question = clean_question(question)
        query = clean_question(query) if query else question
        hits, notice = self.retriever.search(query)
        for item in self.answerer.stream(question, hits, query=query, exclude=exclude, focus=focus):
            if isinstance(item, Answer) and notice and not item.notice:
                item = replace(item, notice=notice)
            yield item

    def ask(self, question: str, query: str | None = None, exclude: frozenset = frozenset(), focus: str | None = None) -> Answer:
        """Answer from the articles, citing every quoted sentence; ``found`` is False when they do not answer it."""
        return finished(self.stream(question, query, exclude, focus))

    def chat(self):
        """A new conversation: its own history, its own exports."""
        from rag.session import ChatSession

        return ChatSession(self)

    def export_bibliography(self, fmt: str, accessed=None) -> str:
        """Every stored article as a bibliography in ``fmt`` (``bibtex``, ``ris``, ``csl-json``, ``markdown``, ``json``)."""
        from rag.export import export_articles

        return export_articles(self.articles(), fmt, accessed)

    def articles(self) -> list[Article]:
        return self.store.catalog.articles()

    def article(self, article_id: str) -> Article:
        return self.store.article(article_id)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Assistant":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
