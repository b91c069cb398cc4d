"""Turn a follow-up question into a standalone search query, deterministically, from the conversation so far.

"What else did he claim?" after a question about Seyed Mohammad Sadr becomes "What else did Seyed Mohammad Sadr
claim?"; an elliptical "And the Chinese side?" is searched together with the question it follows.
"""

from __future__ import annotations

import re

from rag.types import Answer
from store.text import question_terms

_PERSON_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers)\b", re.I)
_OTHER_PRONOUN = re.compile(r"\b(they|them|their|theirs|it|its|this|that|these|those|there)\b", re.I)
_LEADING = re.compile(r"^\s*(?:and|but|also|so|then|ok(?:ay)?|now)\b[\s,]*", re.I)
_ELLIPSIS = re.compile(r"^\s*(?:and|but|also|what about|how about|and what about|what of|same for|and for)\b", re.I)
_MORE = re.compile(r"\b(else|more|other|another|further|again)\b", re.I)
_QUESTION_WORDS = {"what", "why", "who", "whom", "whose", "when", "where", "how", "which", "did", "does", "do", "is", "are",
                   "was", "were", "can", "could", "will", "would", "should", "has", "have", "tell", "and", "but", "the", "a"}
# A run of capitalised words ("Seyed Mohammad Sadr", "Henry Rohm"), allowing name particles inside.
_NAME = re.compile(r"\b[A-Z][\w\u2019'-]+(?:\s+(?:(?:al|bin|ibn|de|van|von|ben)[\s-])?[A-Z][\w\u2019'-]+)+")
_TITLE_WORDS = {"President", "General", "Minister", "Prime", "Foreign", "Supreme", "Leader", "Ayatollah", "Brig", "Gen",
                "Defense", "Deputy", "Chief", "Mr", "Mrs", "Ms", "Dr", "Crown", "Prince", "Kremlin", "Spokesperson"}


def names_in(text: str) -> list[str]:
    """Person-like names: runs of two or more capitalised words, titles and question words stripped."""
    out = []
    for m in _NAME.finditer(text):
        words = m.group(0).split()
        possessive = [i for i, w in enumerate(words) if re.search(r"[\u2019']s$", w)]
        if possessive and possessive[-1] < len(words) - 1:  # "Iran's General Mohammad Bagheri"
            words = words[possessive[-1] + 1:]
        while words and (words[0].lower() in _QUESTION_WORDS or words[0] in _TITLE_WORDS):
            words.pop(0)
        words = [re.sub(r"[\u2019']s$", "", w) for w in words]
        if len(words) >= 2:
            out.append(" ".join(words))
    return out


def is_followup(question: str) -> bool:
    """Does the question lean on the conversation (pronouns, "and ...?", "what else", hardly any topic words)?"""
    return bool(_PERSON_PRONOUN.search(question) or _OTHER_PRONOUN.search(question) or _ELLIPSIS.match(question)
                or _MORE.search(question) or len(question_terms(question)) <= 1)


def wants_more(question: str) -> bool:
    """"What else ...", "tell me more": the user wants sentences not quoted before."""
    return bool(_MORE.search(question))


def _person(history: list[Answer]) -> str | None:
    last = history[-1]
    for text in [last.query, *(c.quote for c in last.citations)]:
        if names := names_in(text):
            return names[0]
    return None


def rewrite(question: str, history: list[Answer]) -> tuple[str, str]:
    """``(query, focus)`` for ``question`` given the earlier answers (oldest first): ``query`` is searched and
    shown to the user; ``focus`` is the part that is new in this turn, which the answer must address."""
    if not history or not is_followup(question):
        return question, question
    topic = next((a for a in reversed(history) if not is_followup(a.question)), history[0])
    previous = topic.query or topic.question  # the question that set the topic, not a chain of follow-ups
    person = _person(history)
    if person and _PERSON_PRONOUN.search(question):
        def sub(m: re.Match) -> str:
            return person + "\u2019s" if m.group(1).lower() in ("his", "hers") else person
        resolved = _PERSON_PRONOUN.sub(sub, question)
        if len(question_terms(resolved)) > len(question_terms(question)):
            return resolved, resolved
    own = _LEADING.sub("", question).strip()
    if own and own[0].islower():
        own = own[0].upper() + own[1:]
    return f"{previous.rstrip()} {own}".strip(), own
