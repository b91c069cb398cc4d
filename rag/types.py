"""What ``rag`` returns: answers, their citations, and retrieval hits. Plain data, JSON-serialisable."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Hit:
    """A retrieved passage: ``text == article.text[start:end]``."""

    chunk_id: str
    article_id: str
    start: int
    end: int
    text: str
    score: float
    lexical_rank: int | None = None
    vector_rank: int | None = None


@dataclass(frozen=True)
class Quote:
    """One quoted sentence: ``text == article.text[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Citation:
    """The source behind marker ``[number]``. ``quote`` is the first sentence quoted from the article and
    ``quote == article.text[start:end]``; ``quotes`` lists every sentence of this article the answer uses."""

    number: int
    article_id: str
    title: str
    source: str | None
    author: str | None
    published: str | None
    url: str | None
    path: str
    quote: str
    start: int
    end: int
    score: float
    quotes: tuple[Quote, ...] = ()

    def to_dict(self) -> dict:
        d = asdict(self)
        d["quotes"] = [asdict(q) for q in self.quotes]
        return d


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    found: bool
    citations: list[Citation] = field(default_factory=list)
    query: str = ""  # the search query actually run (a rewritten follow-up, later)
    mode: str = "extractive"
    unsupported: list[str] = field(default_factory=list)  # answer sentences their sources do not support
    notice: str | None = None  # e.g. the LLM failed and this is the extractive answer instead
    support: list[tuple[str, float]] = field(default_factory=list)  # (answer sentence, support by what it cites, 0..1)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "query": self.query,
            "text": self.text,
            "found": self.found,
            "mode": self.mode,
            "citations": [c.to_dict() for c in self.citations],
            "unsupported": list(self.unsupported),
            "notice": self.notice,
            "support": [{"sentence": c, "score": round(v, 4)} for c, v in self.support],
        }

    def export(self, fmt: str, accessed=None) -> str:
        """This answer's citations as ``bibtex``, ``ris``, ``csl-json``, ``markdown`` or ``json``."""
        from rag.export import export_answers

        return export_answers([self], fmt, accessed)

    def __str__(self) -> str:
        return self.text


def finished(stream) -> "Answer":
    """The :class:`Answer` that ends a stream of text pieces (what every ``ask`` returns)."""
    answer = None
    for item in stream:
        answer = item
    return answer
