"""Export citations: of one answer, of a conversation (sources de-duplicated), or of the whole corpus.

Formats: ``bibtex``, ``ris``, ``csl-json`` for reference managers; ``markdown`` (the answer with footnotes
holding each reference and its exact quotes); ``json`` (answers with citations, offsets and scores).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Iterable

from rag.bib import Reference, assign_keys, authors, to_bibtex, to_csl_json, to_ris
from rag.errors import RagError
from rag.types import Answer

FORMATS = ("bibtex", "ris", "csl-json", "markdown", "json")
SUFFIXES = {"bibtex": ".bib", "ris": ".ris", "csl-json": ".json", "markdown": ".md", "json": ".json"}


class ExportError(RagError):
    """An export cannot be made as asked."""


def check_format(fmt: str) -> str:
    norm = (fmt or "").strip().lower().replace("_", "-")
    norm = {"bib": "bibtex", "csl": "csl-json", "csljson": "csl-json", "md": "markdown"}.get(norm, norm)
    if norm not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return norm


def _today(accessed: str | dt.date | None) -> str:
    if accessed is None:
        return dt.date.today().isoformat()
    return accessed.isoformat() if isinstance(accessed, dt.date) else str(accessed)


def references(answers: Iterable[Answer]) -> tuple[list[Reference], list[dict[int, int]]]:
    """One reference per cited article across ``answers`` (quotes merged, in order of first use), and for each
    answer the map from its own marker numbers to the shared ones."""
    refs: dict[str, Reference] = {}
    renumber: list[dict[int, int]] = []
    for ans in answers:
        mapping = {}
        for c in ans.citations:
            ref = refs.get(c.article_id)
            if ref is None:
                ref = refs[c.article_id] = Reference(c.article_id, c.title, c.source, c.author, c.published, c.url)
            for q in c.quotes or ():
                if q.text not in ref.quotes:
                    ref.quotes.append(q.text)
            if not c.quotes and c.quote not in ref.quotes:
                ref.quotes.append(c.quote)
            mapping[c.number] = list(refs).index(c.article_id) + 1
        renumber.append(mapping)
    out = list(refs.values())
    assign_keys(out)
    return out, renumber


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", " ".join(text.split()))


def _md_reference(ref: Reference) -> str:
    parts = []
    if names := authors(ref):
        parts.append(", ".join(f"{giv} {fam}".strip() for fam, giv in names))
    parts.append(f"\u201c{_md_escape(ref.title)}\u201d")
    if ref.source:
        parts.append(f"*{_md_escape(ref.source)}*")
    if ref.published:
        parts.append(ref.published)
    if ref.url:
        parts.append(f"<{ref.url}>")
    return ", ".join(parts) + "."


def _md_footnote(n: int, ref: Reference) -> str:
    lines = [f"[^{n}]: {_md_reference(ref)}"]
    lines += [f"    > \u201c{_md_escape(q)}\u201d" for q in ref.quotes]
    return "\n".join(lines)


def _md_answer_text(ans: Answer, mapping: dict[int, int]) -> str:
    """The answer, escaped for Markdown, its ``[n]`` markers turned into footnote references ``[^m]``."""
    return re.sub(r"\\\[(\d+)\\\]", lambda m: f"[^{mapping.get(int(m.group(1)), int(m.group(1)))}]", _md_escape(ans.text))


def to_markdown(answers: list[Answer], refs: list[Reference], renumber: list[dict[int, int]]) -> str:
    blocks = []
    for i, (ans, mapping) in enumerate(zip(answers, renumber), 1):
        heading = f"**Q{i}: {_md_escape(ans.question)}**" if len(answers) > 1 else f"**{_md_escape(ans.question)}**"
        blocks.append(f"{heading}\n\n{_md_answer_text(ans, mapping)}")
    blocks.append("\n".join(_md_footnote(n, ref) for n, ref in enumerate(refs, 1)))
    return "\n\n".join(b for b in blocks if b) + "\n"


def render(fmt: str, refs: list[Reference], answers: list[Answer], renumber: list[dict[int, int]], accessed: str,
           bibliography: bool = False) -> str:
    fmt = check_format(fmt)
    if fmt == "bibtex":
        return to_bibtex(refs, accessed)
    if fmt == "ris":
        return to_ris(refs, accessed)
    if fmt == "csl-json":
        return to_csl_json(refs, accessed)
    if fmt == "markdown":
        if bibliography:
            return "\n".join(f"- {_md_reference(r)}" for r in refs) + "\n"
        return to_markdown(answers, refs, renumber)
    payload: dict = {"accessed": accessed, "references": [r.to_dict() for r in refs]}
    if not bibliography:
        payload["answers"] = [ans.to_dict() for ans in answers]
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def export_answers(answers: list[Answer], fmt: str, accessed: str | dt.date | None = None) -> str:
    """Export one answer (a list of one) or a conversation (several, sources shared and de-duplicated)."""
    refs, renumber = references(answers)
    return render(fmt, refs, answers, renumber, _today(accessed))


def export_articles(articles, fmt: str, accessed: str | dt.date | None = None) -> str:
    """The bibliography of ``articles`` (store ``Article`` records), no quotes."""
    refs = [Reference(a.article_id, a.title, a.source, a.author, a.published, a.url) for a in articles]
    assign_keys(refs)
    return render(fmt, refs, [], [], _today(accessed), bibliography=True)


def write_export(text: str, path: str | Path) -> Path:
    """Write an export atomically: the file is complete or untouched."""
    path = Path(path)
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: the folder {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path} ({e.strerror or e})") from None
    return path
