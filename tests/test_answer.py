"""Retrieval and extractive answers on the seeds: cited, verifiable, and abstaining when the corpus is silent."""

import json

import pytest

from prompts import NOT_FOUND
from rag.errors import NotFoundError, QuestionError
from rag.types import Answer
from tests.questions import A003, ANSWERABLE, UNANSWERABLE


@pytest.mark.parametrize("question,article_id,phrase", ANSWERABLE, ids=[q for q, _, _ in ANSWERABLE])
def test_answerable_question_quotes_the_answering_sentence(seeded_bot, question, article_id, phrase):
    ans = seeded_bot.ask(question)
    assert ans.found, ans.text
    assert any(c.article_id == article_id and any(phrase in q.text for q in c.quotes) for c in ans.citations), ans.text


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_unanswerable_question_abstains(seeded_bot, question):
    ans = seeded_bot.ask(question)
    assert not ans.found, ans.text
    assert ans.text == NOT_FOUND and ans.citations == []


def test_single_sentence_answer_is_that_sentence_cited_to_its_article(seeded_bot):
    ans = seeded_bot.ask("Why is Iran disappointed with Russia?")
    first = ans.citations[0]
    assert first.number == 1 and first.article_id == A003 and first.title == "Russia sold Iran to Israel"
    assert first.quote == "Two months later, Iran\u2019s disappointment with Moscow became more apparent, especially at such a high level."
    assert ans.text.startswith(first.quote + " [1]")


def test_every_citation_of_every_answer_verifies_against_the_stored_text(seeded_bot):
    checked = 0
    for question in [q for q, _, _ in ANSWERABLE] + UNANSWERABLE + ["Tell me about drones", "What is NATO?", "Russia"]:
        ans = seeded_bot.ask(question)
        for c in ans.citations:
            text = seeded_bot.article(c.article_id).text
            assert c.quote == text[c.start:c.end]
            assert c.quotes[0] == type(c.quotes[0])(c.start, c.end, c.quote)
            for q in c.quotes:
                assert q.text == text[q.start:q.end]
                checked += 1
    assert checked > 40


def test_markers_are_numbered_by_first_use_one_per_article(seeded_bot):
    import re

    for question in ["Tell me about drones", "What is NATO?", "What fighter jets will Russia provide to Iran?"]:
        ans = seeded_bot.ask(question)
        used = [int(n) for n in re.findall(r"\[(\d+)\]", ans.text)]
        first_use = list(dict.fromkeys(used))
        assert first_use == list(range(1, len(first_use) + 1))
        assert [c.number for c in ans.citations] == first_use
        assert len({c.article_id for c in ans.citations}) == len(ans.citations)


def test_answer_is_json_serialisable_with_all_citation_fields(seeded_bot):
    ans = seeded_bot.ask("What did Sergey Mardan say on Russian state radio?")
    data = json.loads(json.dumps(ans.to_dict()))
    c = data["citations"][0]
    assert set(c) >= {"number", "article_id", "title", "source", "author", "published", "url", "path", "quote", "start", "end", "score"}
    assert (c["source"], c["author"], c["published"]) == ("Ynetnews", "Lior Ben Ari", "2024-04-17")
    assert data["found"] is True and data["query"] == "What did Sergey Mardan say on Russian state radio?"


def test_hybrid_retrieval_fuses_both_channels_and_carries_spans(seeded_bot):
    hits = seeded_bot.retrieve("Iran disappointment with Moscow", top_k=5)
    assert hits[0].article_id == A003
    assert any(h.lexical_rank for h in hits) and any(h.vector_rank for h in hits)
    for h in hits:
        assert h.text == seeded_bot.article(h.article_id).text[h.start:h.end]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_each_channel_alone_finds_the_article(seeded_bot):
    for channel in ("lexical", "vector"):
        hits = seeded_bot.retriever.retrieve("Iran disappointment with Moscow", 3, channels=(channel,))
        assert A003 in {h.article_id for h in hits}, channel


def test_vector_channel_matches_word_forms_the_lexical_one_misses(seeded_bot):
    # "Tatarstan's" / "Tatarstan" share character n-grams; a misspelling still lands near
    hits = seeded_bot.retriever.retrieve("Tatarstn arms production facilty", 3, channels=("vector",))
    assert hits and hits[0].article_id == "001_0d32418ab5275926"


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x01", None, 42])
def test_bad_questions_raise_a_clear_error(seeded_bot, bad):
    with pytest.raises(QuestionError):
        seeded_bot.ask(bad)


def test_over_long_question_is_refused_with_the_limit_named(seeded_bot):
    with pytest.raises(QuestionError, match="limit is 2,000"):
        seeded_bot.ask("why " * 1000)


def test_unknown_article_id(seeded_bot):
    with pytest.raises(NotFoundError, match="rag articles"):
        seeded_bot.article("nope")


def test_articles_lists_metadata_of_every_article(seeded_bot):
    arts = seeded_bot.articles()
    assert len(arts) == 5 and all(a.title and a.path and a.text for a in arts)
    assert seeded_bot.article(A003).text.startswith("Get to know the details")


def test_answerer_is_injected(settings, fake_answerer):
    from rag import Assistant
    from rag.factory import build_store

    Assistant.open(settings=settings).close()  # ingests the seeds
    bot = Assistant(settings, build_store(settings), answerer=fake_answerer)
    ans = bot.ask("  Why is Iran\tdisappointed with Russia?  ")
    question, query, hits = fake_answerer.calls[0]
    assert question == "Why is Iran disappointed with Russia?" and len(hits) == settings.retrieval.top_k
    assert isinstance(ans, Answer) and ans.mode == "fake"
    bot.close()


def test_hostile_questions(seeded_bot):
    with pytest.raises(QuestionError, match="100,000 characters long; the limit is 2,000"):
        seeded_bot.ask("x" * 100_000)
    ans = seeded_bot.ask("Who is\x00 Henry\x07 Rohm?\r\n")  # control characters are dropped, the question stands
    assert ans.found and ans.question == "Who is Henry Rohm?" and "Henry Rohm" in ans.citations[0].quote
