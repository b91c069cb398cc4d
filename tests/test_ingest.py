"""Ingestion into the real embedded Chroma: idempotent, incremental, and clear about what it skipped."""

import json

import pytest

from rag.errors import CorpusError
from tests.questions import A000, A003


def _chroma_ids(bot):
    return set(bot.store.vectors.collection.get(include=[])["ids"])


def test_first_ingest_then_second_is_a_no_op(bot, corpus):
    first = bot.ingest(corpus)
    assert len(first.added) == 5 and not first.skipped and first.chunks_added == first.chunks > 5
    ids = _chroma_ids(bot)
    assert len(ids) == first.chunks == len(bot.store.lexical.ids)
    second = bot.ingest(corpus)
    assert len(second.unchanged) == 5 and not (second.added or second.updated or second.removed)
    assert second.chunks_added == second.chunks_removed == 0
    assert "5 unchanged" in second.summary() and "Nothing to do" in second.summary()
    assert _chroma_ids(bot) == ids


def test_changed_file_replaces_its_chunks(bot, corpus):
    bot.ingest(corpus)
    before = _chroma_ids(bot)
    path = corpus / f"{A000}.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("open fields", "empty deserts"), encoding="utf-8")
    report = bot.ingest(corpus)
    assert len(report.updated) == 1 and report.updated[0].endswith(path.name)
    assert len(report.unchanged) == 4
    after = _chroma_ids(bot)
    assert not {i for i in after if i.startswith(A000)} & before  # old chunks are gone, replaced
    assert len(after) == report.chunks
    assert "empty deserts" in bot.article(A000).text and "open fields" not in bot.article(A000).text
    ans = bot.ask("What did Behrouz Esbati say Russian fighter jets targeted?")
    assert ans.found and "empty deserts" in ans.citations[0].quote


def test_removed_file_is_reported_then_pruned(bot, corpus):
    bot.ingest(corpus)
    (corpus / f"{A003}.txt").unlink()
    kept = bot.ingest(corpus)
    assert len(kept.missing) == 1 and kept.articles == 5 and "--prune" in kept.summary()
    pruned = bot.ingest(corpus, prune=True)
    assert len(pruned.removed) == 1 and pruned.articles == 4
    assert not any(i.startswith(A003) for i in _chroma_ids(bot))
    assert not any(i.startswith(A003) for i in bot.store.lexical.ids)
    assert all(c.article_id != A003 for c in bot.ask("Why is Iran disappointed with Russia?").citations)


def test_bad_files_are_skipped_with_reasons_and_good_ones_still_load(bot, tmp_path, settings):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text("A headline\n\nThe cabinet approved the budget on Monday. It passed easily.", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Caf\xe9 society met in Z\xfcrich on Monday.".encode("latin-1"))
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")
    (folder / "furniture.txt").write_text("Leave a comment\n\nRate this article\n", encoding="utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG")
    (folder / "copy.txt").write_text("A headline\n\nThe cabinet approved the budget on Monday. It passed easily.", encoding="utf-8")
    (folder / "big.txt").write_text("word " * 300_000, encoding="utf-8")
    small = bot.settings.model_copy(update={"ingest": bot.settings.ingest.model_copy(update={"max_file_mb": 1.0})})
    bot.settings = small
    report = bot.ingest(folder)
    reasons = {p.rsplit("/", 1)[-1]: r for p, r in report.skipped}
    assert [p.rsplit("/", 1)[-1] for p in report.added] == ["copy.txt"]  # files are taken in name order
    assert "not UTF-8" in reasons["latin1.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "no article text" in reasons["furniture.txt"]
    assert "unsupported file type '.png'" in reasons["image.png"]
    assert "same article text as" in reasons["good.txt"] and "copy.txt" in reasons["good.txt"]
    assert "1 MB limit" in reasons["big.txt"]
    assert report.articles == 1


def test_missing_path_raises_before_writing_anything(bot, corpus, tmp_path):
    with pytest.raises(CorpusError, match="no such file or folder"):
        bot.ingest([corpus, tmp_path / "nope"])
    assert bot.store.catalog.count() == 0


def test_sidecar_fills_gaps_and_overrides(bot, corpus):
    (corpus / "metadata.json").write_text(json.dumps({
        f"{A000}.txt": {"source": "Example Outlet", "published": "2024-12-12", "url": "https://example.test/a"},
        f"{A003}.txt": {"title": "Overridden title"},
    }), encoding="utf-8")
    bot.ingest(corpus)
    a0, a3 = bot.article(A000), bot.article(A003)
    assert (a0.source, a0.published, a0.url) == ("Example Outlet", "2024-12-12", "https://example.test/a")
    assert a0.title.startswith("Iranian General Criticizes")
    assert a3.title == "Overridden title" and a3.source == "QALAMPIR.UZ"
    # editing the sidecar counts as a change of the article
    (corpus / "metadata.json").write_text(json.dumps({f"{A000}.txt": {"source": "Other Outlet"}}), encoding="utf-8")
    report = bot.ingest(corpus)
    assert len(report.updated) == 2 and bot.article(A000).source == "Other Outlet"


def test_broken_sidecar_is_reported_and_ignored(bot, corpus):
    (corpus / "metadata.json").write_text("{not json", encoding="utf-8")
    report = bot.ingest(corpus)
    assert len(report.added) == 5
    assert any("metadata sidecar ignored" in r for _, r in report.skipped)


def test_html_and_markdown_files_ingest(bot, tmp_path):
    folder = tmp_path / "web"
    folder.mkdir()
    (folder / "page.html").write_text("<html><head><meta property='og:title' content='Pact signed'></head><body>"
                                      "<h1>Pact signed</h1><p>The ministers signed the Caspian fisheries pact in Baku.</p>"
                                      "<script>document.write('evil')</script></body></html>", encoding="utf-8")
    (folder / "note.md").write_text("# Harvest report\n\nFarmers reported a record **saffron** harvest this autumn.\n", encoding="utf-8")
    report = bot.ingest(folder)
    assert len(report.added) == 2, report.summary()
    ans = bot.ask("Where was the fisheries pact signed?")
    assert ans.found and ans.citations[0].title == "Pact signed" and "Baku" in ans.citations[0].quote
    assert "evil" not in bot.article(ans.citations[0].article_id).text
    assert bot.ask("What kind of harvest did farmers report?").citations[0].title == "Harvest report"


def test_empty_store_ingests_the_corpus_on_first_open(tmp_path, corpus):
    from rag import Assistant

    with Assistant.open(store_dir=tmp_path / "s", corpus_dir=corpus) as bot:
        assert len(bot.first_ingest.added) == 5 and len(bot.articles()) == 5
    with Assistant.open(store_dir=tmp_path / "s", corpus_dir=corpus) as bot:
        assert bot.first_ingest is None and len(bot.articles()) == 5


def test_two_assistants_over_different_stores_in_one_process(tmp_path, corpus):
    from rag import Assistant

    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("Saffron news\n\nFarmers reported a record saffron harvest in Khorasan this autumn.", encoding="utf-8")
    with Assistant.open(store_dir=tmp_path / "a", corpus_dir=corpus) as a, Assistant.open(store_dir=tmp_path / "b", corpus_dir=other) as b:
        assert len(a.articles()) == 5 and len(b.articles()) == 1
        assert b.ask("Where was the saffron harvest?").found
        assert not a.ask("Where was the saffron harvest?").found


def test_lexical_index_is_rebuilt_when_missing_or_damaged(tmp_path, corpus):
    from rag import Assistant

    with Assistant.open(store_dir=tmp_path / "s", corpus_dir=corpus) as bot:
        path = bot.store.lexical_path
        n = len(bot.store.lexical.ids)
    path.write_bytes(b"garbage")
    with Assistant.open(store_dir=tmp_path / "s", corpus_dir=corpus) as bot:
        assert len(bot.store.lexical.ids) == n and bot.ask("Who is Henry Rohm?").found
    path.unlink()
    with Assistant.open(store_dir=tmp_path / "s", corpus_dir=corpus) as bot:
        assert len(bot.store.lexical.ids) == n


def _tiny_pdf(text: str) -> bytes:
    """A one-page PDF whose page shows ``text`` in Helvetica (written by hand: no PDF writer needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_pdf_files_ingest_and_broken_pdfs_are_skipped(bot, tmp_path):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(_tiny_pdf("The harbour of Bandar Abbas reopened to container ships in March."))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    report = bot.ingest(folder)
    assert len(report.added) == 1 and report.added[0].endswith("report.pdf"), report.summary()
    assert "broken.pdf" in report.skipped[0][0] and "PDF" in report.skipped[0][1]
    ans = bot.ask("When did the harbour of Bandar Abbas reopen?")
    assert ans.found and "container ships" in ans.citations[0].quote


def test_progress_bar_on_request(bot, corpus, capsys):
    bot.ingest(corpus, progress=True)
    assert "ingesting" in capsys.readouterr().err
    bot.ingest(corpus)
    assert capsys.readouterr().err == ""
