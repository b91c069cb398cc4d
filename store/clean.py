"""Turn a page's raw text into article text plus the metadata the page states about itself.

Lines that are not article text (payment widgets, share and rating prompts, photo credits, tag lists) are
dropped; lines that carry metadata (headline, date line, byline, "Source: ..." line) are read and dropped.
The text returned is what the store keeps, and every offset in a citation refers to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from store.dates import find_date

_BOILERPLATE = [re.compile(p, re.I) for p in (
    r"(?:debit|credit|bank|transfer|payment|donate|donation|paypal|card)(?:[ /&,-]+(?:debit|credit|bank|transfer|payment|donate|donation|paypal|card))*",
    r"print friendly(?:, pdf (?:&|and) email)?",
    r"photo (?:credit|license|licence|courtesy)s?:?.{0,80}",
    r"(?:image|picture) (?:credit|source)s?:?.{0,80}",
    r"leave a (?:comment|reply)", r"\d* ?comments?", r"rate this article", r"share (?:this|with your friends|this article)(?: on .{0,30})?",
    r"(?:click|tap) (?:here )?to (?:share|print|email|subscribe).{0,60}", r"subscribe(?: (?:now|to our newsletter|today))?!?",
    r"advertisement", r"read more:?", r"related(?: articles| stories)?:?", r"sign up.{0,60}newsletter.{0,40}",
    r"follow us on .{0,60}", r"(?:skip to (?:main )?content|back to top)", r"all rights reserved\.?.{0,60}",
    r".{0,200}\((?:illustrative|illustration|archive|file photo)\)\.?",
)]
# Labels of a page's furniture; the short line after a value label is its value (tags, counts), not text.
_LABELS = {"author": True, "tags": True, "rate count": True, "rating": True, "share": False, "category": True, "categories": True, "topics": True}
_SECTION_LABELS = {"review", "analysis", "opinion", "news", "exclusive", "breaking", "explainer", "commentary", "world", "politics"}
_BYLINE = re.compile(r"^(?:by|author|written by)\s*[:\-]?\s*(?P<author>[^~|\u2014]+?)\s*(?:[~|\u2014]\s*(?P<outlet>.+?))?\s*$", re.I)
_POSTED = re.compile(r"^(?:posted|published|updated|first published)(?: on)?\s*:?\s*(?P<rest>.+)$", re.I)
_SOURCE = re.compile(r"^source\s*:\s*(?P<rest>.+)$", re.I)
_ORIGINALLY = re.compile(r"originally published (?:in |by |at |on )?(?P<outlet>[A-Z][\w.&'\- ]{1,60}?) on (?P<date>[A-Z][a-z]+\.? \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]+ \d{4})")
_URL = re.compile(r"https?://[^\s)\"'<>]+")
_DATE_PREFIX = re.compile(r"^(?P<date>(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?(?:\d{1,2} [A-Z][a-z]+ \d{4}|[A-Z][a-z]+\.? \d{1,2}, \d{4}))\s*[|\u2014\u2013-]\s+")
_DOMAIN = re.compile(r"\b[A-Za-z][A-Za-z0-9-]{1,40}\.(?:com|net|org|uz|ru|ir|il|uk|co\.uk|de|fr|in|news|info|tv|eu|io|ua|tr|az|kz)\b", re.I)
_SENTENCE_END = re.compile(r"[.!?:;\"'\u201d\u2019)]$")


@dataclass
class PageMeta:
    """What a page says about itself; ``None`` where it says nothing."""

    title: str | None = None
    source: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    extra: dict = field(default_factory=dict)

    def merged(self, other: "PageMeta") -> "PageMeta":
        """``other``'s values win where set."""
        return PageMeta(**{k: (getattr(other, k) or getattr(self, k)) for k in ("title", "source", "author", "published", "url")})


def _words(line: str) -> int:
    return len(line.split())


def _is_boilerplate(line: str) -> bool:
    return any(p.fullmatch(line) for p in _BOILERPLATE)


def _is_headline(line: str) -> bool:
    return 1 <= _words(line) <= 25 and len(line) <= 250 and not line.endswith((".", ":", ";", ","))


def _is_short_value(line: str) -> bool:
    return _words(line) <= 6 and not _SENTENCE_END.search(line) and line.lower() not in _LABELS


def _read_source_line(rest: str, meta: PageMeta) -> None:
    m = _ORIGINALLY.search(rest)
    if m:
        meta.source = meta.source or m.group("outlet").strip()
    elif not _URL.fullmatch(rest.strip()) and _words(rest) <= 6:
        meta.source = meta.source or rest.strip(" ()")
    url = _URL.search(rest)
    if url:
        meta.url = meta.url or url.group(0).rstrip(".,")


def clean_text(raw: str) -> tuple[str, PageMeta]:
    """Return the article text (paragraphs separated by blank lines) and the metadata read from the page."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = [ln.strip() for ln in raw.split("\n")]
    meta = PageMeta()
    kept: list[str] = []
    skip_value, low_prev = False, ""
    for line in lines:
        if not line:
            continue
        low = line.lower().rstrip(":")
        if skip_value:
            skip_value = False
            if _is_short_value(line):
                if low_prev == "author" and not line.isdigit():
                    meta.author = meta.author or line
                continue
        if low in _LABELS:
            skip_value, low_prev = _LABELS[low], low
            continue
        if _is_boilerplate(line) or line.isdigit():
            continue
        if (date := find_date(line, whole=True)) is not None:
            meta.published = meta.published or date
            continue
        if (m := _POSTED.match(line)) and (date := find_date(m.group("rest"))):
            meta.published = meta.published or date
            continue
        if (m := _SOURCE.match(line)) and _words(line) <= 60:
            _read_source_line(m.group("rest"), meta)
            continue
        if (m := _BYLINE.match(line)) and _words(line) <= 12 and not kept[1:]:
            meta.author = meta.author or m.group("author").strip()
            if m.group("outlet"):
                meta.source = meta.source or m.group("outlet").strip()
            continue
        kept.append(line)

    if kept and _is_headline(kept[0]) and len(kept) > 1:
        meta.title = kept.pop(0)
        if kept and kept[0].lower() in _SECTION_LABELS:
            kept.pop(0)
    if kept and (m := _DATE_PREFIX.match(kept[0])):
        meta.published = meta.published or find_date(m.group("date"))
        kept[0] = kept[0][m.end():]
    if meta.source is None:
        for para in kept[:2]:
            if d := _DOMAIN.search(para):
                meta.source = d.group(0)
                break
    return "\n\n".join(kept), meta


def derive_title(text: str, max_words: int = 12) -> str:
    """A title for an article with no headline: the start of its first sentence."""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0] if text.strip() else ""
    words = first.split()
    if len(words) <= max_words:
        return first.rstrip(".") or "Untitled article"
    cut = " ".join(words[:max_words]).rstrip(",;:\u2014-")
    return cut + "\u2026"
