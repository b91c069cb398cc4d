"""Conversations: follow-ups rewritten from history, deterministically; sessions never share history."""

from rag.followup import is_followup, names_in, rewrite
from rag.types import Answer
from tests.questions import A003


def _turn(q):
    return Answer(question=q, text="x", found=True, citations=[], query=q)


def test_names_skip_titles_possessives_and_question_words():
    assert names_in("What did Seyed Mohammad Sadr claim about Russia?") == ["Seyed Mohammad Sadr"]
    assert names_in("What did Iran\u2019s General Mohammad Bagheri say?") == ["Mohammad Bagheri"]
    assert names_in("Why is Iran disappointed with Russia?") == []


def test_rewrite_is_deterministic_and_leaves_standalone_questions_alone():
    history = [_turn("What did Seyed Mohammad Sadr claim about Russia?")]
    assert rewrite("What else did he claim?", history) == ("What else did Seyed Mohammad Sadr claim?",) * 2
    assert rewrite("What else did he claim?", history) == rewrite("What else did he claim?", list(history))
    assert rewrite("Who is Henry Rohm?", history) == ("Who is Henry Rohm?",) * 2
    assert rewrite("What else did he claim?", []) == ("What else did he claim?",) * 2
    assert not is_followup("Why is Iran disappointed with Russia?") and is_followup("And the Chinese side?")


def test_elliptical_follow_up_is_searched_with_the_topic_question():
    history = [_turn("Why is Iran disappointed with Russia?"), _turn("And the Chinese side?")]
    query, focus = rewrite("What about Turkey?", history)
    assert query == "Why is Iran disappointed with Russia? What about Turkey?" and focus == "What about Turkey?"


def test_follow_up_about_a_person_finds_more_of_what_they_said(seeded_bot):
    s = seeded_bot.chat()
    first = s.ask("What did Seyed Mohammad Sadr claim about Russia?")
    assert first.found and "Russia provided intelligence to Israel" in first.citations[0].quote
    second = s.ask("What else did he claim?")
    assert second.query == "What else did Seyed Mohammad Sadr claim?"
    assert second.found and second.citations[0].article_id == A003
    assert "Sadr" in second.text and "Russia provided intelligence to Israel" not in second.text  # something else


def test_follow_up_that_only_makes_sense_with_history(seeded_bot):
    s = seeded_bot.chat()
    s.ask("Why is Iran disappointed with Russia?")
    ans = s.ask("And the Chinese side?")
    assert ans.query.startswith("Why is Iran disappointed with Russia?")
    assert ans.found and "China" in ans.text
    alone = seeded_bot.ask("And the Chinese side?")  # without the history it is a different search
    assert alone.query == "And the Chinese side?"


def test_sessions_are_independent(seeded_bot):
    a, b = seeded_bot.chat(), seeded_bot.chat()
    a.ask("Who is Henry Rohm?")
    b.ask("What did Seyed Mohammad Sadr claim about Russia?")
    ans_a = a.ask("What did he say about nuclear talks?")
    ans_b = b.ask("What else did he claim?")
    assert "Henry Rohm" in ans_a.query and "Sadr" in ans_b.query
    assert len(a.turns) == len(b.turns) == 2
    a.clear()
    assert a.turns == [] and len(b.turns) == 2


def test_concurrent_sessions_get_their_own_correct_answers(seeded_bot):
    """The web app answers from worker threads: many sessions at once, no errors, no crossed histories."""
    from concurrent.futures import ThreadPoolExecutor

    topics = [("What did Seyed Mohammad Sadr claim about Russia?", "Sadr"), ("Who is Henry Rohm?", "Rohm")] * 6

    def talk(topic):
        question, name = topic
        s = seeded_bot.chat()
        first = s.ask(question)
        second = s.ask("What else did he say?")
        return name, first, second, len(s.turns)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(talk, topics))
    for name, first, second, turns in results:
        assert turns == 2 and first.found and name in first.text
        assert name in second.query and second.found
