"""Reference records and the reference-manager formats: BibTeX, RIS and CSL-JSON.

Every entry is a newspaper article. Fields the article does not state are left out, never written as
"None" or "unknown".
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field

_PARTICLES = {"ben", "bin", "ibn", "al", "el", "van", "von", "der", "den", "de", "da", "del", "della", "di", "du", "la", "le", "abu", "bar"}


@dataclass
class Reference:
    """One article as a bibliography entry, with the sentences quoted from it."""

    article_id: str
    title: str
    source: str | None = None
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD
    url: str | None = None
    quotes: list[str] = field(default_factory=list)
    key: str = ""

    def to_dict(self) -> dict:
        """Fields the article states; missing ones are left out."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


def split_name(name: str) -> tuple[str, str]:
    """``(family, given)``: "Lior Ben Ari" -> ("Ben Ari", "Lior"); "Doe, Jane" -> ("Doe", "Jane")."""
    name = " ".join(name.split())
    if "," in name:
        family, given = (p.strip() for p in name.split(",", 1))
        return family, given
    parts = name.split(" ")
    if len(parts) == 1:
        return parts[0], ""
    i = len(parts) - 1
    while i > 1 and parts[i - 1].lower() in _PARTICLES:
        i -= 1
    return " ".join(parts[i:]), " ".join(parts[:i])


def authors(ref: Reference) -> list[tuple[str, str]]:
    if not ref.author:
        return []
    return [split_name(a) for a in re.split(r"\s+(?:and|&)\s+|;", ref.author) if a.strip()]


_NO_DECOMPOSITION = str.maketrans({"\u0131": "i", "\u0142": "l", "\u0141": "L", "\u00f8": "o", "\u00d8": "O", "\u0111": "d",
                                   "\u00df": "ss", "\u00e6": "ae", "\u00c6": "AE", "\u0153": "oe", "\u00fe": "th", "\u00f0": "d"})


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


_KEY_STOP = {"a", "an", "the", "of", "on", "in", "and", "to", "for", "as", "at", "by", "with", "is"}


def base_key(ref: Reference) -> str:
    """Author's family name (else outlet) + year + first significant title word: ``benari2024iran``."""
    who = _ascii_word(authors(ref)[0][0]) if authors(ref) else _ascii_word(ref.source or "")
    year = ref.published[:4] if ref.published else "nd"
    words = [_ascii_word(w) for w in ref.title.split()]
    first = next((w for w in words if w and w not in _KEY_STOP), "") or next((w for w in words if w), "untitled")
    return f"{who or 'anon'}{year}{first}"


def assign_keys(refs: list[Reference]) -> None:
    """Readable keys, unique within this export; colliding keys get a, b, c... in article-id order, so the
    same set of articles always gets the same keys."""
    groups: dict[str, list[Reference]] = {}
    for ref in refs:
        groups.setdefault(base_key(ref), []).append(ref)
    for key, group in groups.items():
        if len(group) == 1:
            group[0].key = key
        else:
            for i, ref in enumerate(sorted(group, key=lambda r: r.article_id)):
                ref.key = key + chr(ord("a") + i) if i < 26 else f"{key}{i}"


# -- BibTeX --------------------------------------------------------------------------------------------------
_BIB_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def bib_escape(text: str) -> str:
    """LaTeX-safe text; non-ASCII stays as UTF-8, which biber, bibtexparser and Zotero read."""
    return "".join(_BIB_ESCAPES.get(ch, ch) for ch in " ".join(text.split()))


def to_bibtex(refs: list[Reference], accessed: str) -> str:
    out = []
    for ref in refs:
        kind = "article"  # biblatex: a newspaper article is @article with entrysubtype newspaper
        fields: list[tuple[str, str]] = [("title", "{" + bib_escape(ref.title) + "}")]  # inner braces keep capitals
        if names := authors(ref):
            fields.append(("author", " and ".join(bib_escape(f"{fam}, {giv}" if giv else fam) for fam, giv in names)))
        if ref.source:
            fields += [("journal", bib_escape(ref.source)), ("entrysubtype", "newspaper")]
        if ref.published:
            fields += [("date", ref.published), ("year", ref.published[:4])]
        if ref.url:
            fields.append(("url", ref.url.replace("\\", "").replace("{", "%7B").replace("}", "%7D")))
        fields.append(("urldate", accessed))
        if ref.quotes:
            fields.append(("note", bib_escape("Quoted: " + " | ".join(f"\u201c{q}\u201d" for q in ref.quotes))))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        out.append(f"@{kind}{{{ref.key},\n{body}\n}}\n")
    return "\n".join(out)


# -- RIS -----------------------------------------------------------------------------------------------------
def _ris_value(text: str) -> str:
    return " ".join(text.split())


def to_ris(refs: list[Reference], accessed: str) -> str:
    lines: list[str] = []
    for ref in refs:
        lines += ["TY  - NEWS", f"ID  - {ref.key}", f"TI  - {_ris_value(ref.title)}"]
        lines += [f"AU  - {fam}, {giv}" if giv else f"AU  - {fam}" for fam, giv in authors(ref)]
        if ref.source:
            lines.append(f"T2  - {_ris_value(ref.source)}")
        if ref.published:
            lines += [f"PY  - {ref.published[:4]}", f"DA  - {ref.published.replace('-', '/')}"]
        if ref.url:
            lines.append(f"UR  - {ref.url}")
        lines.append(f"Y2  - {accessed.replace('-', '/')}")
        lines += [f"N1  - Quoted: \u201c{_ris_value(q)}\u201d" for q in ref.quotes]
        lines += ["ER  - ", ""]
    return "\n".join(lines)


# -- CSL-JSON ------------------------------------------------------------------------------------------------
def _date_parts(iso: str) -> dict:
    return {"date-parts": [[int(p) for p in iso.split("-")]]}


def csl_items(refs: list[Reference], accessed: str) -> list[dict]:
    items = []
    for ref in refs:
        item: dict = {"id": ref.key, "type": "article-newspaper", "title": ref.title}
        if names := authors(ref):
            item["author"] = [{"family": fam, **({"given": giv} if giv else {})} for fam, giv in names]
        if ref.source:
            item["container-title"] = ref.source
        if ref.published:
            item["issued"] = _date_parts(ref.published)
        if ref.url:
            item["URL"] = ref.url
        item["accessed"] = _date_parts(accessed)
        if ref.quotes:
            item["note"] = "Quoted: " + " | ".join(f"\u201c{q}\u201d" for q in ref.quotes)
        items.append(item)
    return items


def to_csl_json(refs: list[Reference], accessed: str) -> str:
    return json.dumps(csl_items(refs, accessed), indent=2, ensure_ascii=False) + "\n"
