"""Sentence spans, tokens and chunks: the offsets every citation depends on."""

import os

import pytest

from store.chunking import chunk_text
from store.clean import clean_text
from store.dates import find_date
from store.text import question_terms, sentence_spans, terms
from store.tokens import count_tokens, shipped_cache_dir
from tests.conftest import SEEDS


def _sentences(text):
    return [text[s:e] for s, e in sentence_spans(text)]


def test_sentences_respect_abbreviations_initials_and_decimals():
    text = "Andrew S. Weiss met Mr. Smith in the U.S. Congress. It cost 1.5 million. He said: \u201cNo.\u201d Then left."
    assert _sentences(text) == ["Andrew S. Weiss met Mr. Smith in the U.S. Congress.", "It cost 1.5 million.",
                                "He said: \u201cNo.\u201d", "Then left."]


def test_sentences_split_glued_sentences_but_not_domains():
    assert _sentences("for decades to come.The Kremlin keeps Iran.") == ["for decades to come.", "The Kremlin keeps Iran."]
    assert _sentences("the program of QALAMPIR.UZ. Next one.") == ["the program of QALAMPIR.UZ.", "Next one."]


def test_line_breaks_end_sentences_and_spans_have_no_outer_whitespace():
    text = "Headline without period\n\n  First sentence here.  Second one!\n"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["Headline without period", "First sentence here.", "Second one!"]


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_sentence_spans_cover_every_word_of_a_seed(path):
    text, _ = clean_text(path.read_text(encoding="utf-8"))
    spans = sentence_spans(text)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    covered = "".join(text[s:e] for s, e in spans)
    assert covered.split() == "".join(text.split("\n")).replace("\n", "").split() or \
        "".join(covered.split()) == "".join(text.split())


def test_terms_stem_drop_stopwords_and_possessives():
    assert terms("Iran\u2019s disappointment with the U.S. and Sar\u0131kam\u0131\u015f") == ["iran", "disappoint", "u.s", "sar\u0131kam\u0131\u015f"]
    assert question_terms("Why is Iran disappointed with Russia? What did Iran say?") == ["iran", "disappoint", "russia"]


def test_dates():
    assert find_date("April 17, 2024") == "2024-04-17"
    assert find_date("Wednesday, 17 April 2024") == "2024-04-17"
    assert find_date("2024-04-16T10:00:00Z") == "2024-04-16"
    assert find_date("Sept. 3, 2021") == "2021-09-03"
    assert find_date("February 30, 2024") is None
    assert find_date("posted April 17, 2024", whole=True) is None


def test_token_counts_use_the_encodings_llama_index_ships(monkeypatch):
    assert shipped_cache_dir() is not None and any(shipped_cache_dir().iterdir())
    assert count_tokens(["hello world", ""], "cl100k_base") == [2, 0]
    assert os.environ["TIKTOKEN_CACHE_DIR"]  # set for tiktoken, so nothing is downloaded


@pytest.mark.parametrize("size,overlap", [(200, 40), (64, 16), (32, 0)])
def test_chunks_are_whole_sentences_within_budget_with_exact_spans(size, overlap):
    text, _ = clean_text((SEEDS / "003_2d514171d15b0da3.txt").read_text(encoding="utf-8"))
    chunks = chunk_text("a", text, size, overlap, "cl100k_base")
    starts = {s for s, _ in sentence_spans(text)}
    assert chunks[0].start == sentence_spans(text)[0][0] and chunks[-1].end == sentence_spans(text)[-1][1]
    for prev, c in zip(chunks, chunks[1:]):
        assert c.start <= prev.end or not text[prev.end:c.start].strip()  # no text falls between chunks
        assert c.start > prev.start  # always progresses
        if overlap == 0:
            assert c.start >= prev.end
    for c in chunks:
        assert c.tokens <= size or count_tokens([text[c.start:c.end]], "cl100k_base")[0] <= size + 5
        assert c.start in starts or size < 64  # tiny budgets may cut an over-long sentence


def test_an_over_long_sentence_is_cut_at_word_boundaries():
    text = " ".join(["word"] * 300) + "."
    chunks = chunk_text("a", text, 50, 0, "cl100k_base")
    assert len(chunks) > 1
    for c in chunks:
        piece = text[c.start:c.end]
        assert piece == piece.strip() and not piece.startswith("ord")
        assert count_tokens([piece], "cl100k_base")[0] <= 50
