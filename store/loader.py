"""Read article files (.txt, .md, .html, .pdf) into raw text plus what their markup says about them.

A file that cannot be read raises :class:`Unreadable` with a reason a person can act on; the ingest
reports it as skipped and goes on.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from store.clean import PageMeta
from store.dates import find_date

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES


class Unreadable(Exception):
    """This file cannot be ingested; ``str()`` says why and what to do."""


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is refused."""
    if not data.strip():
        raise Unreadable("the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:8192]:
        raise Unreadable("the file looks binary (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise Unreadable(f"the file is not UTF-8 text (bad byte at offset {e.start}); save it as UTF-8 and ingest again") from None


def load(path: Path, data: bytes) -> tuple[str, PageMeta]:
    """Raw text and markup metadata of one file whose bytes are ``data``."""
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return _pdf_text(data), PageMeta()
    text = decode(data)
    if suffix in HTML_SUFFIXES:
        return html_to_text(text)
    if suffix in {".md", ".markdown"}:
        return markdown_to_text(text)
    return text, PageMeta()


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n\n".join((page.extract_text() or "") for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as e:
        raise Unreadable(f"the PDF cannot be read ({e}); export it as text and ingest that") from None
    if not text.strip():
        raise Unreadable("the PDF has no extractable text (a scanned image?); run OCR or export it as text")
    return text


_FRONT_MATTER = re.compile(r"\A---\n(?P<body>.*?)\n---\n", re.S)


def markdown_to_text(text: str) -> tuple[str, PageMeta]:
    """Strip Markdown markup that is not prose; read YAML-style front matter (title, author, date, source, url)."""
    meta = PageMeta()
    text = text.replace("\r\n", "\n")
    if m := _FRONT_MATTER.match(text):
        fields = dict(re.findall(r"^(\w+)\s*:\s*[\"']?(.*?)[\"']?\s*$", m.group("body"), re.M))
        meta = PageMeta(title=fields.get("title"), author=fields.get("author"), source=fields.get("source") or fields.get("outlet"),
                        published=find_date(fields.get("date", "")), url=fields.get("url"))
        text = text[m.end():]
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links keep their words
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"^\s{0,3}>\s?", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"^\s*(?:[-*_]\s*){3,}$", "", text, flags=re.M)
    return text, meta


_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "nav", "footer", "aside", "form", "iframe", "button", "select", "head"}
_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section", "tr", "blockquote",
               "header", "figure", "figcaption", "table", "pre", "hr", "main", "dd", "dt"}
_META_KEYS = {"og:title": "title", "twitter:title": "title", "og:site_name": "source", "author": "author", "article:author": "author",
              "article:published_time": "published", "date": "published", "pubdate": "published", "og:url": "url"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.skip_depth = 0
        self.in_title = False
        self.title = ""
        self.h1: str | None = None
        self._h1_parts: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or "").lower()
            if key in _META_KEYS and a.get("content"):
                self.meta.setdefault(_META_KEYS[key], a["content"].strip())
        elif tag == "link" and "canonical" in a.get("rel", "").lower() and a.get("href"):
            self.meta.setdefault("url", a["href"])
        elif tag == "title":
            self.in_title = True
        if tag in _SKIP_TAGS and tag != "head":
            self.skip_depth += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "h1" and self.h1 is None:
            self._h1_parts = []

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in _SKIP_TAGS and tag != "head" and self.skip_depth:
            self.skip_depth -= 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "h1" and self._h1_parts is not None:
            self.h1 = " ".join("".join(self._h1_parts).split())
            self._h1_parts = None

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        elif not self.skip_depth:
            self.parts.append(data)
            if self._h1_parts is not None:
                self._h1_parts.append(data)


def html_to_text(html: str) -> tuple[str, PageMeta]:
    """Visible article text of an HTML page (scripts, styles and navigation dropped) and its meta tags."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    text = "\n".join(line for line in lines if line)
    m = parser.meta
    title = m.get("title") or parser.h1 or (" ".join(parser.title.split()) or None)
    if title and text.startswith(title):  # the headline is metadata, not body text
        text = text[len(title):].lstrip("\n")
    meta = PageMeta(title=title, source=m.get("source"), author=m.get("author"),
                    published=find_date(m.get("published", "")), url=m.get("url"))
    return text, meta
